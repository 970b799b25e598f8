"""What only PostgreSQL needs: engine set-up, full-text search with tsvector, pgvector.

A team shares one PostgreSQL server instead of copying a SQLite file around. The schema is the
same (claimgraph/store/schema.py); this module holds the few places where the two differ:
tsvector columns + GIN indexes instead of FTS5 tables, an optional pgvector column for claim
vectors, a transaction-level advisory lock that queues writers like SQLite's BEGIN IMMEDIATE, and
scratch databases for the tests and the benchmark.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlalchemy.types import UserDefinedType

log = logging.getLogger(__name__)

# Any constant works; every claimgraph writer on a database takes this one lock per transaction.
WRITE_LOCK = 0x636C6169  # "clai"

# Language-neutral like SQLite's unicode61 tokenizer (no stemming): the corpus is multilingual.
TS_CONFIG = "simple"
# tsvector values are limited to 1 MB; 200,000 characters stay well below that for any text.
TS_MAX_CHARS = 200_000

FALLBACK_MESSAGE = (
    "pgvector not installed on this server: semantic search uses the in-process usearch index"
)
_warned_fallback = False


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3 (SQLAlchemy's default driver is psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, read_only: bool = False) -> Engine:
    """`read_only`: every transaction is READ ONLY (the server refuses writes) and takes no
    advisory lock, for the web app and the commands that only read."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("PostgreSQL needs psycopg 3: pip install 'claimgraph[postgres]'") from exc
    connect_args: dict[str, Any] = {"application_name": "claimgraph"}
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    engine = create_engine(normalise_url(url), pool_pre_ping=True, connect_args=connect_args)
    # Let reflection (datasette-style tools, the docs test) name pgvector's type.
    engine.dialect.ischema_names = {**engine.dialect.ischema_names, "vector": Vector}
    return engine


class Vector(UserDefinedType):
    """pgvector's `vector(dim)`, for reflection only: claimgraph reads and writes the blob."""

    cache_ok = True

    def __init__(self, dim: int | None = None) -> None:
        self.dim = dim

    def get_col_spec(self, **kw: Any) -> str:
        return "vector" if self.dim is None else f"vector({self.dim})"


def lock_writers(conn: Connection) -> None:
    """Queue writers for the rest of this transaction (released at commit or rollback)."""
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


def limit_statement_time(conn: Connection, seconds: float) -> None:
    """Cancel this transaction's statements after `seconds` (the cost bound of a search)."""
    conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}")


def is_timeout(exc: DBAPIError) -> bool:
    """Whether the server cancelled the statement for statement_timeout (SQLSTATE 57014)."""
    return getattr(exc.orig, "sqlstate", None) == "57014"


def plain(value: Any) -> Any:
    """NUMERIC results (AVG, SUM of bigint) as the int/float SQLite would return."""
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]
    return value


# -- schema ------------------------------------------------------------------------------------


def create_search_columns(conn: Connection) -> None:
    """Migration 1's full-text part: generated tsvector columns, kept by PostgreSQL itself."""
    conn.exec_driver_sql(
        "ALTER TABLE sentences ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('{TS_CONFIG}', left(text, {TS_MAX_CHARS}))) STORED"
    )
    conn.exec_driver_sql("CREATE INDEX ix_sentences_tsv ON sentences USING gin (tsv)")
    conn.exec_driver_sql(
        "ALTER TABLE documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('{TS_CONFIG}', coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector('{TS_CONFIG}', left(text, {TS_MAX_CHARS})), 'B')) STORED"
    )
    conn.exec_driver_sql("CREATE INDEX ix_documents_tsv ON documents USING gin (tsv)")


def vector_available(conn: Connection) -> bool:
    return bool(
        conn.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").first()
    )


def has_embedding_column(conn: Connection) -> bool:
    return bool(
        conn.exec_driver_sql(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'claim_vectors' AND column_name = 'embedding'"
        ).first()
    )


def ensure_pgvector(conn: Connection) -> bool:
    """Add the pgvector column to claim_vectors where the server has the extension.

    Idempotent; run by migration 2 and at every open, so a server that gains pgvector later
    gets the column (and its existing vectors copied in) the next time claimgraph opens it.
    """
    if has_embedding_column(conn):
        return True
    if not vector_available(conn):
        return False
    try:
        with conn.begin_nested():  # a refused CREATE EXTENSION must not abort the transaction
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
            # No fixed dimension: each model's vectors get their own HNSW index (see index_for).
            conn.exec_driver_sql(
                "ALTER TABLE claim_vectors ADD COLUMN IF NOT EXISTS embedding vector"
            )
    except Exception as exc:  # e.g. permission denied to create extension
        log.info("pgvector present but unusable: %s", exc)
        return False
    rows = conn.exec_driver_sql("SELECT claim_id, dim, vector FROM claim_vectors").all()
    fill_embeddings(conn, [{"claim_id": r[0], "dim": r[1], "vector": bytes(r[2])} for r in rows])
    return True


def warn_fallback() -> None:
    """Say once per process that semantic search is not served by PostgreSQL here."""
    global _warned_fallback
    if not _warned_fallback:
        _warned_fallback = True
        log.warning(FALLBACK_MESSAGE)


def _vector_literal(blob: bytes) -> str:
    import numpy as np

    return "[" + ",".join(repr(float(x)) for x in np.frombuffer(blob, dtype="<f4")) + "]"


def index_for(conn: Connection, dim: int) -> None:
    """One partial HNSW index per dimension (cosine), so models of any size can share the table."""
    dim = int(dim)
    conn.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS ix_claim_vectors_embedding_{dim} ON claim_vectors "
        f"USING hnsw ((embedding::vector({dim})) vector_cosine_ops) WHERE dim = {dim}"
    )


def fill_embeddings(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Copy freshly written float32 blobs into the pgvector column (same transaction)."""
    if not rows:
        return
    for dim in sorted({int(r["dim"]) for r in rows}):
        index_for(conn, dim)
    conn.execute(
        text("UPDATE claim_vectors SET embedding = CAST(:v AS vector) WHERE claim_id = :id"),
        [{"v": _vector_literal(r["vector"]), "id": r["claim_id"]} for r in rows],
    )


def nearest_sql(dim: int) -> str:
    """Nearest claims of one dimension: ORDER BY the distance alone (a tie-breaking second key
    would stop PostgreSQL using the HNSW index); `dim` literal so the partial index applies."""
    dim = int(dim)
    distance = f"embedding::vector({dim}) <=> CAST(:q AS vector({dim}))"
    return (
        f"SELECT claim_id, 1 - ({distance}) AS score FROM claim_vectors "
        f"WHERE dim = {dim} AND model = :m AND embedding IS NOT NULL "
        f"ORDER BY {distance} LIMIT :k"
    )


def nearest(
    conn: Connection, vector: Sequence[float], k: int, model: str
) -> list[tuple[str, float]]:
    """The k stored claims closest to `vector` (cosine similarity), through the HNSW index."""
    literal = "[" + ",".join(repr(float(x)) for x in vector) + "]"
    conn.exec_driver_sql(f"SET LOCAL hnsw.ef_search = {min(1000, max(40, 2 * int(k)))}")
    rows = conn.execute(
        text(nearest_sql(len(vector))), {"q": literal, "m": model, "k": int(k)}
    ).all()
    return [(str(r[0]), float(r[1])) for r in rows]


# -- full-text queries -------------------------------------------------------------------------


class QuerySyntaxError(ValueError):
    pass


_TOKEN = re.compile(r'\s*(?:(")|(\()|(\))|([^\s()"]+))')


def _tokens(query: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        m = _TOKEN.match(query, pos)
        if m is None:  # pragma: no cover - the pattern matches any non-blank rest
            raise QuerySyntaxError(f"unexpected text at {pos}")
        if m.group(1):
            end = query.find('"', m.end())
            if end < 0:
                raise QuerySyntaxError("unterminated phrase")
            out.append(("phrase", query[m.end() : end]))
            pos = end + 1
            continue
        if m.group(2):
            out.append(("(", "("))
        elif m.group(3):
            out.append((")", ")"))
        else:
            word = m.group(4)
            out.append((word, word) if word in ("AND", "OR", "NOT") else ("word", word))
        pos = m.end()
    return out


def tsquery_sql(query: str) -> tuple[str, dict[str, str]]:
    """Translate the FTS5 query language (words, "phrases", AND/OR/NOT, prefix*, parentheses)
    into a tsquery expression. User text only ever travels as bound parameters, each turned into
    lexemes by phraseto_tsquery, so no input can inject tsquery syntax; a malformed query raises
    QuerySyntaxError (as FTS5 does) instead of failing inside the database."""
    tokens = _tokens(query)
    params: dict[str, str] = {}
    pos = 0

    def bind(value: str) -> str:
        name = f"w{len(params)}"
        params[name] = value
        return f":{name}"

    def peek() -> str | None:
        return tokens[pos][0] if pos < len(tokens) else None

    def term() -> str:
        nonlocal pos
        kind = peek()
        if kind is None:
            raise QuerySyntaxError("query ends where a word was expected")
        value = tokens[pos][1]
        pos += 1
        if kind == "(":
            inner = or_expr()
            if peek() != ")":
                raise QuerySyntaxError("unbalanced parenthesis")
            pos += 1
            return inner
        if kind == "phrase":
            return f"phraseto_tsquery('{TS_CONFIG}', {bind(value)})"
        if kind == "word":
            if value.endswith("*"):
                parts = re.findall(r"\w+", value)
                if not parts:
                    raise QuerySyntaxError(f"nothing to search in {value!r}")
                last = f"to_tsquery('{TS_CONFIG}', quote_literal({bind(parts[-1])}) || ':*')"
                if len(parts) == 1:
                    return last
                head = f"phraseto_tsquery('{TS_CONFIG}', {bind(' '.join(parts[:-1]))})"
                return f"tsquery_phrase({head}, {last})"
            return f"phraseto_tsquery('{TS_CONFIG}', {bind(value)})"
        raise QuerySyntaxError(f"{value} where a word was expected")

    def not_expr() -> str:
        nonlocal pos
        left = term()
        while peek() == "NOT":
            pos += 1
            left = f"({left} && !!{term()})"
        return left

    def and_expr() -> str:
        nonlocal pos
        left = not_expr()
        while peek() not in (None, "OR", ")"):
            if peek() == "AND":
                pos += 1
            left = f"({left} && {not_expr()})"
        return left

    def or_expr() -> str:
        nonlocal pos
        left = and_expr()
        while peek() == "OR":
            pos += 1
            left = f"({left} || {and_expr()})"
        return left

    if not tokens:
        raise QuerySyntaxError("empty search")
    sql = or_expr()
    if pos != len(tokens):
        raise QuerySyntaxError(f"unexpected {tokens[pos][1]!r}")
    return sql, params


def search_sentences_sql(query: str) -> tuple[str, dict[str, str]]:
    """The PostgreSQL twin of the FTS5 search: same columns, ts_headline for the snippet."""
    expr, params = tsquery_sql(query)
    headline = (
        f"ts_headline('{TS_CONFIG}', hit.text, hit.q, 'StartSel=[, StopSel=], MaxWords=24, "
        "MinWords=8, MaxFragments=2, FragmentDelimiter=…')"
    )
    sql = (
        "SELECT hit.id, hit.document_id, hit.title, hit.start_char, hit.end_char, "
        f"{headline} AS snippet, hit.text FROM ("
        "SELECT s.id, s.document_id, d.title, s.start_char, s.end_char, s.text, query.q, "
        "ts_rank(s.tsv, query.q) AS rank "
        f"FROM (SELECT {expr} AS q) AS query "
        "JOIN sentences s ON s.tsv @@ query.q JOIN documents d ON d.id = s.document_id "
        "ORDER BY rank DESC, s.id LIMIT :n) AS hit ORDER BY hit.rank DESC, hit.id"
    )
    return sql, params


# -- scratch databases (tests, benchmarks) -----------------------------------------------------


class ScratchDatabases:
    """Fresh databases on one server, one per local path, all dropped at close.

    The test suite runs unchanged on PostgreSQL by mapping each SQLite path a test opens
    (tmp_path / "x.db") to its own database on the server named by CLAIMGRAPH_TEST_DB.
    """

    def __init__(self, server_url: str, prefix: str = "cg_") -> None:
        self.server_url = normalise_url(server_url)
        self.prefix = prefix
        self.created: list[str] = []
        self._lock = threading.Lock()  # tests open one path from several threads at once
        self._admin = create_engine(
            self.server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool
        )

    def url(self, name: str) -> str:
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def create(self, name: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]{1,63}", name):
            raise ValueError(f"bad database name {name!r}")
        with self._lock:
            if name not in self.created:
                with self._admin.connect() as conn:
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                    conn.exec_driver_sql(f"CREATE DATABASE {name}")
                self.created.append(name)
        return self.url(name)

    def name_for(self, path: str | Path) -> str:
        key = str(Path(path).expanduser().resolve())
        return self.prefix + hashlib.sha1(key.encode()).hexdigest()[:24]

    def database_url(self, db: str | Path) -> str:
        """Stands in for claimgraph.store.database.database_url while tests run."""
        if "://" in str(db):
            return normalise_url(str(db))
        return self.create(self.name_for(db))

    def copy(self, src: str | Path, dst: str | Path, tries: int = 5) -> str:
        """A private copy of the database that stands for path `src` (CREATE DATABASE ...
        TEMPLATE), as tests copy a SQLite file before writing to it."""
        source, target = self.name_for(src), self.name_for(dst)
        if source not in self.created:
            raise FileNotFoundError(f"no test database for {src}")
        with self._lock, self._admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
            for attempt in range(tries):
                # A template must have no other sessions: idle pooled ones reconnect on demand.
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{source}' AND pid <> pg_backend_pid()"
                )
                try:
                    conn.exec_driver_sql(f"CREATE DATABASE {target} TEMPLATE {source}")
                    break
                except Exception:
                    if attempt == tries - 1:
                        raise
                    time.sleep(0.2)
            if target not in self.created:
                self.created.append(target)
        return self.url(target)

    def drop(self, name: str) -> None:
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(name)
        self._admin.dispose()

    def __enter__(self) -> ScratchDatabases:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
