"""What every read shares: the read-only engine, keyset cursors, pages and row helpers.

Portable SQL only (SQLite and PostgreSQL): no `rowid`, no FTS5 outside the search module,
booleans tested as bare predicates. Lists page by keyset: the cursor is the last row's sort key
and id, and the next page is `WHERE (key, id) < (:k, :i)`, so a page deep in a million claims
costs what the first one does when an index covers the sort (see bench/serve_latency.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

from claimgraph.store.database import Store

MAX_LIMIT = 500
# Integers bound to SQL (cursors, query parameters) must fit a signed 64-bit column: a larger one
# is the caller's mistake (a 400), not an OverflowError from the driver (a 500).
MAX_INT = 2**63 - 1


class BadRequest(ValueError):
    """A parameter the user gave cannot be used (reported as a 400 with this message)."""


def read_engine(store: Store) -> Engine:
    """An engine for reads only.

    A writer `Store`'s engine opens every transaction with BEGIN IMMEDIATE (right for a writer),
    which would make concurrent page loads queue on SQLite's write lock; readers get query-only
    connections: the store's own when it was opened read-only (as `serve` does), else their own.
    Other databases share the store's engine.
    """
    if getattr(store, "read_only", False) or not store.url.startswith("sqlite"):
        return store.engine
    engine = create_engine(store.url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # autocommit: a SELECT takes no lock beyond itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA query_only = ON")
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.close()

    return engine


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[Any, ...]) -> list[Any]:
    """The sort key and id of the last row of the previous page, checked against the types
    the query binds (a string where a number belongs is a 400 here, not a database error)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"malformed cursor {cursor[:40]!r}") from exc
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or not all(
            isinstance(v, t) and not isinstance(v, bool) for v, t in zip(values, types, strict=True)
        )
    ):
        raise BadRequest(f"malformed cursor {cursor[:40]!r}")
    for v in values:
        if (isinstance(v, int) and not -MAX_INT - 1 <= v <= MAX_INT) or (
            isinstance(v, float) and not math.isfinite(v)
        ):
            raise BadRequest(f"cursor {cursor[:40]!r} holds a number out of range")
    return values


def like_pattern(words: str) -> str:
    """`%words%` for LIKE ... ESCAPE '\\' with the user's own %, _ and \\ taken literally."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def json_list(value: str | None) -> list[Any]:
    try:
        parsed = json.loads(value or "[]")
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else []


def json_dict(value: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(value or "{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def as_bool(value: Any) -> bool:
    """0/1 on SQLite, a real boolean on PostgreSQL, '1' from a text export."""
    return bool(int(value)) if isinstance(value, str) and value.isdigit() else bool(value)


def flags(row: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        if name in row:
            row[name] = as_bool(row[name])
    return row


def in_params(prefix: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """`:p0, :p1, ...` and their bindings, for an IN list."""
    names = {f"{prefix}{i}": v for i, v in enumerate(values)}
    return ", ".join(":" + k for k in names) or "NULL", names


@dataclass(slots=True)
class Page:
    """One page of a keyset-paginated list; `next` is the cursor of the following page."""

    items: list[dict[str, Any]]
    next: str | None
    limit: int

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "next": self.next, "limit": self.limit}


def page_of(rows: list[dict[str, Any]], limit: int, key: Callable[[dict], list[Any]]) -> Page:
    """Rows fetched with LIMIT n+1: the extra row only says a next page exists."""
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=rows, next=encode_cursor(key(rows[-1])) if more and rows else None, limit=limit
    )


class ReadBase:
    """A read engine over one store; every read-model subject mixes this in."""

    store: Store
    engine: Engine

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql), params or {})]
