"""Google Fact Check Tools API responses (`claims:search`) -> FactCheck, one per review.

    {"claims": [{"text", "claimant", "claimDate",
                 "claimReview": [{"publisher": {"name", "site"}, "url", "title",
                                  "reviewDate", "textualRating", "languageCode"}]}],
     "nextPageToken": ...}

A saved list of claim objects (the `claims` array alone) reads the same way.
"""

from __future__ import annotations

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

FORMAT = "google-api"


def _is_claim(obj: object) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("claimReview"), list)


def is_google_response(data: object) -> bool:
    if isinstance(data, dict) and "claims" in data:
        claims = data["claims"]
        return isinstance(claims, list) and (not claims or any(_is_claim(c) for c in claims))
    if isinstance(data, list):
        return bool(data) and all(_is_claim(c) for c in data)
    return _is_claim(data)


def read_google(data: Any, source: str) -> Iterator[FactCheck | BadRecord]:
    if isinstance(data, dict) and "claims" in data:
        claims = data["claims"]
    elif isinstance(data, list):
        claims = data
    else:
        claims = [data]
    for c, claim in enumerate(claims, 1):
        where = f"{source}#{c}"
        if not isinstance(claim, dict):
            yield BadRecord(where, "claim is not an object")
            continue
        text = text_or_none(claim.get("text"))
        reviews = [r for r in claim.get("claimReview") or [] if isinstance(r, dict)]
        if text is None:
            yield BadRecord(where, "no claim text (`text` is missing or empty)")
            continue
        if not reviews:
            yield BadRecord(where, "claim has no claimReview")
            continue
        for r, review in enumerate(reviews, 1):
            publisher = review.get("publisher") if isinstance(review.get("publisher"), dict) else {}
            rating, original = rating_of(review.get("textualRating"))
            extra = {
                k: v
                for k, v in review.items()
                if k not in {"publisher", "url", "title", "reviewDate", "textualRating"}
                and k != "languageCode"
            }
            if publisher.get("site"):
                extra["publisher_site"] = publisher["site"]
            yield FactCheck(
                claim_text=text,
                format=FORMAT,
                source=f"{where}.{r}" if len(reviews) > 1 else where,
                rating=rating,
                rating_original=original,
                claimant=text_or_none(claim.get("claimant")),
                reviewer=text_or_none(publisher.get("name")) or text_or_none(publisher.get("site")),
                review_date=iso_date(review.get("reviewDate")),
                claim_date=iso_date(claim.get("claimDate")),
                url=text_or_none(review.get("url")),
                title=text_or_none(review.get("title")),
                language=language_code(review.get("languageCode")),
                extra=extra,
            )
