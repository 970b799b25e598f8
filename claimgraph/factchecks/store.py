"""Importing fact-checks: which records to write, and what the import did.

A record's id is a content hash of its review URL and claim text: importing a file twice adds
nothing, and says so. The queries are the store's (claimgraph/store/factchecks.py), re-exported
here for the callers that import them from this module.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from claimgraph.factchecks.model import BadRecord, FactCheck
from claimgraph.store.factchecks import (
    count_factchecks,
    insert_new_factchecks,
    load_claims,
    load_factchecks,
    load_links,
    replace_links,
)

__all__ = [
    "ImportSummary",
    "count_factchecks",
    "import_records",
    "load_claims",
    "load_factchecks",
    "load_links",
    "replace_links",
]
_BATCH = 1000  # records per transaction


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
    stamp = _now()
    imported, existing = insert_new_factchecks(
        store, {fid: _row(fc, stamp) for fid, fc in batch.items()}
    )
    summary.imported += imported
    summary.existing += existing


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
