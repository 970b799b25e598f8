"""Fact-checks and their links in the database: idempotent writes and plain-dict reads.

SQLAlchemy Core on the shared schema only (select the existing ids, insert the new ones), so the
same code runs on SQLite and PostgreSQL. claimgraph/factchecks/ decides what to write; the SQL
is here, with every other query (issue 14).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, delete, func, select

from claimgraph.store import schema as s

_BATCH = 1000  # records per IN (...) query


def insert_new_factchecks(store: Any, rows: dict[str, dict[str, Any]]) -> tuple[int, int]:
    """Insert the fact-check rows (by id) not stored yet, in one transaction; returns
    (inserted, already stored)."""
    if not rows:
        return 0, 0
    table = s.factchecks
    with store.engine.begin() as conn:
        have = {r[0] for r in conn.execute(select(table.c.id).where(table.c.id.in_(list(rows))))}
        fresh = [row for fid, row in rows.items() if fid not in have]
        if fresh:
            conn.execute(table.insert(), fresh)
    return len(fresh), len(have)


def load_factchecks(store: Any) -> list[dict[str, Any]]:
    """Every stored fact-check as a dict, in id order: the index built from them (and its cache
    key) must not depend on when each was imported. Ordered by import time, a large import that
    spanned several clock ticks split differently from run to run, the index was built in
    another order, and the end-to-end gate moved by 0.03 between two runs of one encoder."""
    table = s.factchecks
    with store.engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id))
        return [dict(r._mapping) for r in rows]


def count_factchecks(store: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(s.factchecks)).scalar() or 0)


def load_claims(
    store: Any, claim_ids: Iterable[str] | None = None, whole_document_chars: int = 0
) -> list[dict[str, Any]]:
    """Claims to match: id, text, sentence, a date (the claim's, else its document's), and
    `document_text`: the whole text of a document of at most `whole_document_chars`
    characters (a post or a headline, matched whole), else None."""
    c, d = s.claims, s.documents
    short = func.length(d.c.text) <= whole_document_chars
    query = (
        select(
            c.c.id,
            c.c.text,
            c.c.sentence_id,
            c.c.date,
            d.c.date.label("document_date"),
            case((short, d.c.text), else_=None).label("document_text"),
        )
        .select_from(c.join(d, d.c.id == c.c.document_id))
        .order_by(c.c.document_id, c.c.start_char, c.c.id)
    )
    with store.engine.connect() as conn:
        if claim_ids is None:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        else:
            wanted = list(dict.fromkeys(claim_ids))
            rows = []
            for i in range(0, len(wanted), _BATCH):
                chunk = wanted[i : i + _BATCH]
                rows.extend(dict(r._mapping) for r in conn.execute(query.where(c.c.id.in_(chunk))))
    for row in rows:
        row["date"] = row["date"] or row.pop("document_date")
        row.pop("document_date", None)
    return rows


def replace_links(store: Any, claim_ids: list[str] | None, links: list[dict[str, Any]]) -> int:
    """Replace the links of these claims (all claims when None) in one transaction."""
    table = s.factcheck_links
    with store.engine.begin() as conn:
        if claim_ids is None:
            conn.execute(delete(table))
        else:
            for i in range(0, len(claim_ids), _BATCH):
                conn.execute(delete(table).where(table.c.claim_id.in_(claim_ids[i : i + _BATCH])))
        if links:
            conn.execute(table.insert(), links)
    return len(links)


def count_confident(store: Any, claim_ids: list[str] | None = None) -> int:
    """How many of these claims (all, when None) have a confident fact-check link (what
    `analyze` reports as fact-checked; possible matches are not counted)."""
    table = s.factcheck_links
    query = select(func.count(func.distinct(table.c.claim_id))).where(table.c.tier == "confident")
    with store.engine.connect() as conn:
        if claim_ids is None:
            return int(conn.execute(query).scalar_one())
        total = 0
        for i in range(0, len(claim_ids), _BATCH):
            chunk = claim_ids[i : i + _BATCH]
            total += conn.execute(query.where(table.c.claim_id.in_(chunk))).scalar_one()
    return int(total)


def load_links(store: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """Links with both sides, their tier and the fact-check's verdict, best score first."""
    lk, f = s.factcheck_links, s.factchecks
    query = (
        select(
            lk.c.claim_id,
            lk.c.rank,
            lk.c.score,
            lk.c.tier,
            lk.c.claim_text,
            lk.c.factcheck_id,
            lk.c.factcheck_text,
            f.c.rating,
            f.c.rating_original,
            f.c.reviewer,
            f.c.url,
            f.c.review_date,
            f.c.claim_date,
        )
        .select_from(lk.join(f, f.c.id == lk.c.factcheck_id))
        .order_by(lk.c.score.desc(), lk.c.claim_id, lk.c.rank)
    )
    if limit is not None:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def link_tallies(store: Any) -> dict[str, int]:
    """Claims with a confident link, claims with possible matches only, and all links."""
    lk = s.factcheck_links
    confident = select(lk.c.claim_id).where(lk.c.tier == "confident")
    possible_only = select(func.count(func.distinct(lk.c.claim_id))).where(
        lk.c.claim_id.not_in(confident)
    )
    with store.engine.connect() as conn:
        possible = int(conn.execute(possible_only).scalar_one())
        links = int(conn.execute(select(func.count()).select_from(lk)).scalar_one())
    return {
        "confident_claims": count_confident(store),
        "possible_only_claims": possible,
        "links": links,
    }


def factchecks_by_format(store: Any) -> list[dict[str, Any]]:
    """Fact-checks per reader format and rating, most frequent rating first."""
    f = s.factchecks
    n = func.count().label("n")
    query = select(f.c.format, f.c.rating, n).group_by(f.c.format, f.c.rating)
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(f.c.format, n.desc()))]
    return rows
