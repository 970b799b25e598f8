"""The plain record every fact-check reader hands out, and the helpers readers share.

A fact-check is someone else's verdict on a claim: a ClaimReview from a fact-checker, a Google
Fact Check Tools result, an EUvsDisinfo case. Readers map each source's fields onto one
`FactCheck`; what has no column is kept in `extra`, so nothing the source said is lost.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any

from claimgraph.export.claimreview import normalise_rating
from claimgraph.ingest.metadata import parse_date
from claimgraph.model import content_id

# Which reader made a record (`factchecks.format`).
FORMATS = ("claimreview-jsonld", "claimreview-csv", "google-api", "euvsdisinfo")
UNRATED = "unrated"


@dataclass(slots=True)
class FactCheck:
    """One fact-check of one claim, as a reader found it (see docs/schema.md, `factchecks`)."""

    claim_text: str
    format: str
    source: str  # file#row: where it was read, so a bad or odd record can be found again
    rating: str = (
        UNRATED  # the common scale: false | mostly_false | mixed | mostly_true | true | unrated
    )
    rating_original: str | None = None
    claimant: str | None = None
    reviewer: str | None = None
    review_date: str | None = None
    claim_date: str | None = None
    url: str | None = None
    title: str | None = None
    summary: str | None = None
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Stands in for `url` in the id when a source has no review URL (an EUvsDisinfo scrape
    # without case pages): the reviewed publication's URL keeps distinct cases apart.
    key: str | None = None

    @property
    def id(self) -> str:
        return factcheck_id(self.url or self.key, self.claim_text)


def factcheck_id(url: str | None, claim_text: str) -> str:
    """`fc_` + content hash of (review URL, claim text): re-importing a record adds nothing."""
    return content_id(url or "", claim_text, prefix="fc")


@dataclass(slots=True)
class BadRecord:
    """A record or file that could not be imported, reported by name/row with the reason."""

    source: str
    reason: str


# --------------------------------------------------------------------------------------------
# Field helpers the readers share

_SPACES = re.compile(r"\s+")
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\b|T)")
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_MDY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\b")
# Placeholders some CMSs write for "no date" (nieuwscheckers: 1970/01/01).
_EARLIEST = dt.date(1990, 1, 1)
_DATE_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "tr", "ru")


def text_or_none(value: object) -> str | None:
    """A field as one line of text, or None when absent, blank or not a scalar.

    HTML entities are decoded: crawls store claims as `A &quot;new&quot; study`."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = _SPACES.sub(" ", html.unescape(str(value))).strip()
    return text or None


def _plausible(year: int, month: int, day: int) -> str | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if date < _EARLIEST or date > dt.date.today() + dt.timedelta(days=2):
        return None
    return date.isoformat()


def iso_date(value: object) -> str | None:
    """A date as ISO `YYYY-MM-DD` from the forms fact-check data uses, else None.

    `2018-09-05 19:09:48 UTC`, `2017-10-18T11:41:59+00:00`, `2017/02/16`, `07.09.2017`
    (EUvsDisinfo, day first), `02/26/2017` (US month first, as schema.org exports write it),
    then free text ("30 de enero de 2018") through the project's date parser. Placeholder
    dates before 1990 are dropped.
    """
    text = text_or_none(value)
    if text is None:
        return None
    if m := _YMD.search(text):
        return _plausible(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.search(text):
        return _plausible(int(m[3]), int(m[2]), int(m[1]))
    if m := _MDY.search(text):
        month, day = int(m[1]), int(m[2])
        if month > 12:  # 26/02/2017: day first after all
            month, day = day, month
        return _plausible(int(m[3]), month, day)
    # "Residencia de Los Pinos, 30 de enero de 2018": the date is the last comma-separated part
    for part in (text, text.rsplit(",", 1)[-1]):
        parsed = parse_date(part[-60:], _DATE_LANGUAGES)
        if parsed:
            return parsed if parsed >= _EARLIEST.isoformat() else None
    return None


def _number(value: object) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is no number


def rating_of(
    text: object, value: object = None, best: object = None, worst: object = None
) -> tuple[str, str | None]:
    """(scale value, the reviewer's words) for a verdict.

    The reviewer's words decide (claimgraph/data/ratings.yaml via `normalise_rating`). Only a
    verdict with no words falls back to its number, placed on the scale by where it sits
    between `worstRating` and `bestRating`; -1 and out-of-range numbers (Snopes writes -1)
    say nothing and stay `unrated`.
    """
    words = text_or_none(text)
    if words:
        return normalise_rating(words), words
    v, hi, lo = _number(value), _number(best), _number(worst)
    if v is None or hi is None or lo is None or hi <= lo or not lo <= v <= hi or lo < 0:
        return UNRATED, None
    share = (v - lo) / (hi - lo)
    scale = ("false", "mostly_false", "mixed", "mostly_true", "true")
    return scale[min(4, int(share * 5))], f"{v:g}/{hi:g}"


_LANGUAGE_NAMES = {
    "english": "en",
    "russian": "ru",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "castilian": "es",
    "italian": "it",
    "portuguese": "pt",
    "dutch": "nl",
    "turkish": "tr",
    "arabic": "ar",
    "czech": "cs",
    "slovak": "sk",
    "polish": "pl",
    "ukrainian": "uk",
    "georgian": "ka",
    "hungarian": "hu",
    "bulgarian": "bg",
    "romanian": "ro",
    "lithuanian": "lt",
    "latvian": "lv",
    "estonian": "et",
    "swedish": "sv",
    "finnish": "fi",
    "armenian": "hy",
    "serbian": "sr",
    "azerbaijani": "az",
    "belarusian": "be",
    "greek": "el",
}


def language_code(value: object) -> str | None:
    """An ISO 639-1 code from `en`, `en-US`, `pt_BR` or an English language name; else None."""
    text = text_or_none(value)
    if text is None:
        return None
    lowered = text.casefold()
    if re.fullmatch(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*", lowered):
        return lowered.replace("_", "-").split("-")[0]
    return _LANGUAGE_NAMES.get(lowered)
