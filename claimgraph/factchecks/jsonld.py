"""schema.org ClaimReview: JSON-LD objects (files, lists, JSONL, pages' script blocks) -> FactCheck.

Publishers nest ClaimReview in many ways: a bare object, a list, an `@graph`, under a
`mainEntity` or a `Claim`'s `review`. The walker finds every object whose `@type` names
ClaimReview (`ClaimReview`, `schema:ClaimReview`, `http://schema.org/ClaimReview`, or a list
holding one) wherever it sits. Fields with no column are kept in `extra`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from claimgraph.factchecks.model import (
    BadRecord,
    FactCheck,
    iso_date,
    language_code,
    rating_of,
    text_or_none,
)

FORMAT = "claimreview-jsonld"

_SCRIPT = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>",
    re.IGNORECASE | re.DOTALL,
)
_WRAPPERS = re.compile(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$")
# Fields mapped to columns; everything else of a ClaimReview goes to `extra`.
_MAPPED = {
    "@context",
    "@type",
    "claimReviewed",
    "itemReviewed",
    "author",
    "publisher",
    "datePublished",
    "url",
    "headline",
    "name",
    "description",
    "reviewBody",
    "inLanguage",
    "reviewRating",
}


def _types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type", obj.get("type"))
    kinds = kind if isinstance(kind, list) else [kind]
    return [re.split(r"[/:#]", str(k))[-1] for k in kinds if k]


def is_claimreview(obj: object) -> bool:
    return isinstance(obj, dict) and "ClaimReview" in _types(obj)


def find_claimreviews(
    data: object, claim: dict[str, Any] | None = None
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Every ClaimReview object in a JSON-LD tree, with the Claim it sits under (if any)."""
    if isinstance(data, list):
        for item in data:
            yield from find_claimreviews(item, claim)
    elif isinstance(data, dict):
        if is_claimreview(data):
            yield data, claim
            return
        parent = data if "Claim" in _types(data) else claim
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from find_claimreviews(value, parent)


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else value


def _name(value: object) -> str | None:
    """A person/organisation as its name: `{"name": ...}`, a string, or a list of them."""
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    if isinstance(value, dict):
        return text_or_none(value.get("name") or value.get("alternateName"))
    return text_or_none(value)


def _language(value: object) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        return language_code(value.get("alternateName")) or language_code(value.get("name"))
    return language_code(value)


def from_claimreview(
    obj: dict[str, Any],
    source: str,
    fmt: str = FORMAT,
    claim: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> FactCheck | BadRecord:
    """One ClaimReview object -> a FactCheck, or the reason it cannot be one."""
    item = _first(obj.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    if not item and claim:
        item = claim
    claim_text = text_or_none(obj.get("claimReviewed"))
    if claim_text is None and "Claim" in _types(item):
        claim_text = text_or_none(item.get("text")) or text_or_none(item.get("name"))
    if claim_text is None:
        return BadRecord(source, "no claim text (claimReviewed is missing or empty)")
    rating_obj = _first(obj.get("reviewRating"))
    rating_obj = rating_obj if isinstance(rating_obj, dict) else {}
    rating, original = rating_of(
        rating_obj.get("alternateName") or rating_obj.get("name"),
        rating_obj.get("ratingValue"),
        rating_obj.get("bestRating"),
        rating_obj.get("worstRating"),
    )
    kept = {k: v for k, v in obj.items() if k not in _MAPPED and v not in (None, "", [], {})}
    for key in ("ratingValue", "bestRating", "worstRating"):
        if rating_obj.get(key) not in (None, ""):
            kept[key] = rating_obj[key]
    appearance = item.get("appearance") or item.get("firstAppearance")
    if appearance:
        kept["appearance"] = appearance
    if item.get("name") and "Claim" not in _types(item):
        kept["item_name"] = item["name"]  # where the claim was made ("In a speech")
    url = text_or_none(obj.get("url"))
    headline = text_or_none(obj.get("headline")) or text_or_none(obj.get("name"))
    return FactCheck(
        claim_text=claim_text,
        format=fmt,
        source=source,
        rating=rating,
        rating_original=original,
        claimant=_name(item.get("author")) or _name(item.get("creator")),
        reviewer=_name(obj.get("author")) or _name(obj.get("publisher")),
        review_date=iso_date(obj.get("datePublished")),
        claim_date=iso_date(item.get("datePublished")),
        url=url,
        title=headline,
        summary=text_or_none(obj.get("description")) or text_or_none(obj.get("reviewBody")),
        language=_language(obj.get("inLanguage")) or _language(item.get("inLanguage")),
        extra={**kept, **(extra or {})},
    )


def read_json_text(text: str, source: str) -> Iterator[FactCheck | BadRecord]:
    """A JSON-LD file: one object, a list, or JSON Lines (one object per line)."""
    from claimgraph.factchecks.google import is_google_response, read_google

    try:
        docs: list[tuple[str, object]] = [(source, json.loads(text, strict=False))]
        numbered = False
    except json.JSONDecodeError as whole_error:
        # JSON Lines? Only when at least one line is JSON on its own; otherwise the file is
        # one malformed document and is reported once.
        docs, bad, numbered = [], [], True
        for i, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                docs.append((f"{source}#{i}", json.loads(line, strict=False)))
            except json.JSONDecodeError as exc:
                bad.append(BadRecord(f"{source}#{i}", f"malformed JSON line ({exc})"))
        if not docs:
            yield BadRecord(source, f"malformed JSON ({whole_error})")
            return
        yield from bad
    total = 0
    for where, data in docs:
        count = 0
        if is_google_response(data):
            for record in read_google(data, where):
                count += 1
                yield record
        else:
            for n, (obj, claim) in enumerate(find_claimreviews(data), 1):
                count += 1
                yield from_claimreview(obj, where if numbered else f"{where}#{n}", claim=claim)
        if count == 0 and numbered:
            yield BadRecord(where, "no ClaimReview or Fact Check Tools claim on this line")
        total += count
    if total == 0 and not numbered:
        yield BadRecord(source, "no ClaimReview or Fact Check Tools claims in the JSON")


def read_html_text(html: str, source: str) -> Iterator[FactCheck | BadRecord]:
    """ClaimReview JSON-LD embedded in a page's `<script type="application/ld+json">` blocks."""
    count = 0
    blocks = _SCRIPT.findall(html)
    for b, block in enumerate(blocks, 1):
        body = _WRAPPERS.sub("", block.strip())
        if not body.strip():
            continue
        try:
            data = json.loads(body, strict=False)
        except json.JSONDecodeError as exc:
            yield BadRecord(f"{source}#script{b}", f"malformed JSON-LD ({exc})")
            continue
        for obj, claim in find_claimreviews(data):
            count += 1
            yield from_claimreview(obj, f"{source}#{count}", claim=claim)
    if count == 0:
        reason = "no JSON-LD script in the page" if not blocks else "no ClaimReview in the page"
        yield BadRecord(source, reason)
