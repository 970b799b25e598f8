"""CSV exports of ClaimReview -> FactCheck.

Two layouts are read, both as `claimreview-csv`:

- flattened ClaimReview JSON-LD, one column per dotted path (`claimReviewed`,
  `reviewRating.alternateName`, or with the `properties.` level some crawlers keep:
  `itemReviewed.properties.author.properties.name`). Each row is rebuilt into the nested
  object and read exactly like JSON-LD, so both paths share one mapping.
- the Centralifact crawl table (`claim_text`, `claim_author_name`, `review_url`, `rating_name`,
  `review_author_name`, ...), mapped onto the same ClaimReview fields.

Which layout (and whether the CSV is an EUvsDisinfo export instead) is told from the header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from claimgraph.factchecks.jsonld import from_claimreview
from claimgraph.factchecks.model import BadRecord, FactCheck

FORMAT = "claimreview-csv"

# Centralifact column -> ClaimReview path.
_CENTRALIFACT = {
    "claim_text": "claimReviewed",
    "claim_author_name": "itemReviewed.author.name",
    "claim_author_job": "itemReviewed.author.jobTitle",
    "claim_date": "itemReviewed.datePublished",
    "claim_location": "itemReviewed.name",
    "claim_location_url": "itemReviewed.url",
    "claim_description": "description",
    "review_url": "url",
    "review_date": "datePublished",
    "review_headline": "headline",
    "rating_name": "reviewRating.alternateName",
    "rating_value": "reviewRating.ratingValue",
    "best_rating": "reviewRating.bestRating",
    "worst_rating": "reviewRating.worstRating",
    "review_author_name": "author.name",
}


def _flat_key(column: str) -> str:
    """`itemReviewed.properties.author.type` -> `itemReviewed.author.@type`."""
    parts = [p for p in column.strip().split(".") if p and p != "properties"]
    if parts and parts[-1] == "type":
        parts[-1] = "@type"
    return ".".join(parts)


def nest(flat: dict[str, str]) -> dict[str, Any]:
    """Dotted keys -> nested dicts; blank values are dropped."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if value is None or not str(value).strip() or not key:
            continue
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a scalar already sits here: keep it
                break
            node = child
        else:
            if not isinstance(node.get(leaf), dict):
                node[leaf] = value
    return out


def layout(header: list[str]) -> str | None:
    """`flattened`, `centralifact`, or None for a CSV that is not ClaimReview."""
    flat = {_flat_key(h) for h in header}
    if "claimReviewed" in flat:
        return "flattened"
    if {"claim_text", "review_url"} <= set(header):
        return "centralifact"
    return None


def read_claimreview_csv(
    rows: Iterator[list[str]], header: list[str], source: str
) -> Iterator[FactCheck | BadRecord]:
    kind = layout(header)
    if kind is None:
        yield BadRecord(source, "not a ClaimReview CSV (no claimReviewed or claim_text column)")
        return
    if kind == "flattened":
        keys = [_flat_key(h) for h in header]
    else:
        keys = [_CENTRALIFACT.get(h, h) for h in header]
    mapped = set(_CENTRALIFACT.values())
    row_no = 0
    try:
        for row_no, row in enumerate(rows, 1):
            where = f"{source}#{row_no}"
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield BadRecord(where, f"{len(row)} fields where the header has {len(header)}")
                continue
            flat: dict[str, str] = {}
            extra: dict[str, str] = {}
            for key, value in zip(keys, row, strict=True):
                if kind == "centralifact" and key not in mapped:
                    if key and value.strip() and key not in extra:
                        extra[key] = value.strip()
                elif key not in flat:
                    flat[key] = value
            yield from_claimreview(nest(flat), where, fmt=FORMAT, extra=extra)
    except csv.Error as exc:
        yield BadRecord(f"{source}#{row_no + 1}", f"malformed CSV, rest of file skipped ({exc})")


def csv_rows(text: str, delimiter: str = ",") -> tuple[list[str], Iterator[list[str]]]:
    """Header and row iterator of a CSV text (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    return [h.strip().lstrip("\ufeff") for h in header], reader
