"""Verdicts on one common scale, and claims a user reviewed as schema.org ClaimReview JSON-LD.

Fact-checkers word verdicts their own way ("Pants on Fire", "Four Pinocchios", "Falso",
"Ложь"); counting them together needs one small scale: false, mostly_false, mixed, mostly_true,
true, unrated. The table lives in claimgraph/data/ratings.yaml so it grows without code;
`normalise_rating` is what the review command, this export and the fact-check importers share.

The export follows Google's ClaimReview structured-data guidance, so a newsroom can publish the
reviews on its pages or hand them to aggregators: claimReviewed, itemReviewed (a Claim with its
author, date and appearance), reviewRating (1-5 with alternateName = the reviewer's own words).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from claimgraph.store import Store
from claimgraph.store.read import read_model

SCALE = ("false", "mostly_false", "mixed", "mostly_true", "true", "unrated")
UNRATED = "unrated"
OUTPUT = "claimreview.jsonld"

# Organisations, not people, are the usual speakers besides PERSON (spaCy labels).
_PERSON_TYPES = frozenset({"PERSON"})
_CLAUSE_SPLIT = re.compile(r"\s+[-–—]\s+|[:;,.!?()\[\]|/–—]")


def rating_key(text: str) -> str:
    """Match key: case, accents, punctuation and hyphens do not matter ("Pants-on-Fire!")."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    plain = "".join(ch for ch in folded if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


@functools.cache
def _ratings() -> tuple[dict[str, int | None], dict[str, str]]:
    """The shipped table, loaded once (read-only): scale values and verdict key -> scale."""
    path = resources.files("claimgraph") / "data" / "ratings.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scale = {str(k): (int(v) if v is not None else None) for k, v in data["scale"].items()}
    if tuple(scale) != SCALE:
        raise ValueError(f"ratings.yaml scale must be {SCALE}, got {tuple(scale)}")
    verdicts: dict[str, str] = {}
    for rating, words in data["verdicts"].items():
        if rating not in scale:
            raise ValueError(f"ratings.yaml: {rating!r} is not on the scale {SCALE}")
        for word in words:
            verdicts[rating_key(str(word))] = str(rating)
    for rating in SCALE:  # the scale's own names always map to themselves
        verdicts[rating_key(rating)] = rating
    return scale, verdicts


def rating_table() -> dict[str, str]:
    """Every known verdict (as its match key) and its place on the scale."""
    return dict(_ratings()[1])


def normalise_rating(text: str | None) -> str:
    """A verdict in anyone's words -> the common scale; anything unknown is `unrated`.

    The whole text is tried first, then each clause ("Verdict: False", "False - the photo is
    from 2015"), so a verdict with a short explanation still lands on the scale."""
    if not text or not text.strip():
        return UNRATED
    verdicts = _ratings()[1]
    whole = rating_key(text)
    if whole in verdicts:
        return verdicts[whole]
    for clause in _CLAUSE_SPLIT.split(text):
        key = rating_key(clause)
        if key in verdicts:
            return verdicts[key]
    return UNRATED


def rating_value(rating: str) -> int | None:
    """schema.org ratingValue (1 worst .. 5 best) of a scale value; None for unrated."""
    return _ratings()[0].get(rating)


def _claim_author(row: dict[str, Any]) -> dict[str, Any] | None:
    """Who made the claim: the named speaker, else the outlet that published it."""
    if row["speaker"]:
        kind = "Person" if (row["speaker_type"] or "") in _PERSON_TYPES else "Organization"
        return {"@type": kind, "name": row["speaker"]}
    if row["document_outlet"]:
        return {"@type": "Organization", "name": row["document_outlet"]}
    return None


def claimreview_object(row: dict[str, Any]) -> dict[str, Any]:
    """One stored review (joined with its claim and document) -> one ClaimReview object."""
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    if row["document_url"]:
        appearance["url"] = row["document_url"]
    if row["document_title"]:
        appearance["headline"] = row["document_title"]
    if row["document_date"]:
        appearance["datePublished"] = row["document_date"]
    if row["document_outlet"]:
        appearance["publisher"] = {"@type": "Organization", "name": row["document_outlet"]}
    claim: dict[str, Any] = {"@type": "Claim", "identifier": row["claim_id"]}
    author = _claim_author(row)
    if author:
        claim["author"] = author
    if row["anonymous"] and row["speaker_description"]:
        claim["description"] = f"Attributed to an unnamed source: {row['speaker_description']}"
    if row["claim_date"]:
        claim["datePublished"] = row["claim_date"]
    claim["appearance"] = appearance
    rating: dict[str, Any] = {"@type": "Rating"}
    value = rating_value(row["rating"])
    if value is not None:
        rating.update(ratingValue=value, bestRating=5, worstRating=1)
    rating["alternateName"] = row["rating_original"] or row["rating"]
    review: dict[str, Any] = {"@context": "https://schema.org", "@type": "ClaimReview"}
    if row["review_url"]:
        review["url"] = row["review_url"]
    review["datePublished"] = (row["reviewed_at"] or "")[:10]
    review["author"] = {"@type": "Organization", "name": row["reviewer"]}
    review["claimReviewed"] = row["claim_text"]
    review["itemReviewed"] = claim
    review["reviewRating"] = rating
    if row["note"]:
        review["reviewBody"] = row["note"]
    return review


def claimreview_objects(store: Store) -> Iterator[dict[str, Any]]:
    """Every reviewed claim of the store as a ClaimReview object, oldest review first."""
    for row in read_model(store).review_rows():
        yield claimreview_object(row)


def export_claimreview(store: Store, out_dir: str | Path) -> dict[str, int]:
    """Write claimreview.jsonld: a JSON-LD list of ClaimReview objects (an empty list when no
    claim has been reviewed yet, so a pipeline never trips over a missing file)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    with (out / OUTPUT).open("w", encoding="utf-8") as fh:
        fh.write("[")
        for obj in claimreview_objects(store):
            fh.write(",\n" if n else "\n")
            fh.write(json.dumps(obj, ensure_ascii=False, indent=2))
            n += 1
        fh.write("\n]\n" if n else "]\n")
    return {OUTPUT: n}
