"""Fact-checks and their links in the store: idempotent writes and plain-dict reads.

SQLAlchemy Core on the shared schema only (select the existing ids, insert the new ones), so the
same code runs on SQLite and PostgreSQL. A record's id is a content hash of its review URL and
claim text: importing a file twice adds nothing, and says so.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from claimgraph.factchecks.model import BadRecord, FactCheck
from claimgraph.store import schema as s

_BATCH = 1000  # records per transaction and per IN (...) query


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class ImportSummary:
    """What an import did: counts, and every skipped file or row with its reason."""

    read: int = 0  # records read that could be imported
    imported: int = 0  # new rows
    existing: int = 0  # already in the database (an earlier import)
    repeated: int = 0  # the same record again within this import
    skipped: list[BadRecord] = field(default_factory=list)
    by_format: Counter[str] = field(default_factory=Counter)
    by_rating: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return self.read > 0 or not self.skipped


def _row(fc: FactCheck, stamp: str) -> dict[str, Any]:
    return {
        "id": fc.id,
        "claim_text": fc.claim_text,
        "claimant": fc.claimant,
        "rating": fc.rating,
        "rating_original": fc.rating_original,
        "reviewer": fc.reviewer,
        "review_date": fc.review_date,
        "claim_date": fc.claim_date,
        "url": fc.url,
        "title": fc.title,
        "summary": fc.summary,
        "language": fc.language,
        "format": fc.format,
        "source": fc.source,
        "extra": json.dumps(fc.extra, ensure_ascii=False, default=str) if fc.extra else None,
        "imported_at": stamp,
    }


def _write_batch(store: Any, batch: dict[str, FactCheck], summary: ImportSummary) -> None:
    if not batch:
        return
    stamp = _now()
    table = s.factchecks
    with store.engine.begin() as conn:
        have = {r[0] for r in conn.execute(select(table.c.id).where(table.c.id.in_(list(batch))))}
        fresh = [_row(fc, stamp) for fid, fc in batch.items() if fid not in have]
        if fresh:
            conn.execute(table.insert(), fresh)
    summary.imported += len(fresh)
    summary.existing += len(have)


def import_records(store: Any, records: Iterable[FactCheck | BadRecord]) -> ImportSummary:
    """Write fact-checks not stored yet, a batch per transaction; bad records are collected."""
    summary = ImportSummary()
    seen: set[str] = set()
    batch: dict[str, FactCheck] = {}
    for record in records:
        if isinstance(record, BadRecord):
            summary.skipped.append(record)
            continue
        fid = record.id
        if fid in seen:
            summary.repeated += 1
            continue
        seen.add(fid)
        summary.read += 1
        summary.by_format[record.format] += 1
        summary.by_rating[record.rating] += 1
        summary.by_language[record.language or "unknown"] += 1
        batch[fid] = record
        if len(batch) >= _BATCH:
            _write_batch(store, batch, summary)
            batch = {}
    _write_batch(store, batch, summary)
    return summary


def load_factchecks(store: Any) -> list[dict[str, Any]]:
    """Every stored fact-check as a dict, in a stable order (import time, then id)."""
    table = s.factchecks
    with store.engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.imported_at, table.c.id))
        return [dict(r._mapping) for r in rows]


def count_factchecks(store: Any) -> int:
    from sqlalchemy import func

    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(s.factchecks)).scalar() or 0)


def load_claims(store: Any, claim_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Claims to match: id, text, sentence, and a date (the claim's, else its document's)."""
    c, d = s.claims, s.documents
    query = (
        select(
            c.c.id,
            c.c.text,
            c.c.sentence_id,
            c.c.date,
            d.c.date.label("document_date"),
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
