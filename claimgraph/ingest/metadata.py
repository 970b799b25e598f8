"""Document metadata found in the body: bylines, date lines, reprint notices, datelines, dates.

Every matcher takes one line as printed and a Vocabulary (the patterns live in
claimgraph/data/metadata_lines.yaml) and returns plain data or None.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import dateparser

from claimgraph.ingest.vocab import Vocabulary
from claimgraph.model import fold_quotes

# Dates outside this range are data errors ("0001-01-01" placeholders), not publication dates.
MIN_YEAR = 1800
MAX_YEAR = 2100
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_HAS_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b|\b\d{1,2}/\d{1,2}/\d{2}\b")
# A word of a proper name: capitalised, or one of the particles names and outlets contain.
_NAME_WORD = re.compile(
    r"(?:[A-Z0-9][\w'&.-]*|(?:al|el|ad|as|ash|bin|ibn|abu|van|von|der|den|de|da|di|du|la|le|"
    r"of|the|for|and|on|in|&)(?:-[\w'-]+)?),?$"
)
_WS = re.compile(r"\s+")


def normalise_line(line: str) -> str:
    """The form whole-line patterns are matched against: quotes/dashes folded, spaces collapsed."""
    return _WS.sub(" ", fold_quotes(line)).strip()


def word_count(text: str) -> int:
    return len(text.split())


@functools.cache
def _date_parser(languages: tuple[str, ...]) -> dateparser.DateDataParser:
    # Full dates only: "July 2021" must not become 2021-07-01. Languages are given, not guessed:
    # dateparser's guessing tries every locale (50-100 ms a line) and finds dates in non-dates.
    return dateparser.DateDataParser(
        languages=list(languages),
        settings={
            "REQUIRE_PARTS": ["day", "month", "year"],
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )


def date_languages(language: str | None) -> tuple[str, ...]:
    """Languages to read dates in: the document's declared one, and English."""
    primary = (language or "").split("-")[0].split("_")[0].lower()
    if primary and primary != "en" and primary in _known_languages():
        return (primary, "en")
    return ("en",)


@functools.cache
def _known_languages() -> frozenset[str]:
    from dateparser.languages.loader import default_loader

    return frozenset(default_loader.get_locale_map().keys())


def _in_range(day: dt.date) -> str | None:
    return day.isoformat() if MIN_YEAR <= day.year <= MAX_YEAR else None


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NUMERIC_DATE = re.compile(
    r"(?:(?P<weekday>[A-Za-z]{3,9})\.?,? )?(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)"
    r"(?P<year>\d{4})(?:,? ?[|-]? ?\d{1,2}[:.h]\d{2}(?:[:.]\d{2})?(?: ?[AaPp]\.?[Mm]\.?)?"
    r"(?: ?\(?[A-Z]{2,5}\)?)?)?"
)


def _numeric_date(text: str) -> str | None:
    """ "12.03.2018", "12-03-2018", "03/12/2018": dots and dashes are day first (as written
    outside the US), slashes month first unless the first number cannot be a month; a weekday
    written before the date decides when both readings are possible."""
    match = _NUMERIC_DATE.fullmatch(text)
    if not match:
        return None
    a, b, year = int(match["a"]), int(match["b"]), int(match["year"])
    readings = [(b, a), (a, b)] if match["sep"] in ".-" else [(a, b), (b, a)]
    candidates = []
    for month, day in readings:
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    weekday = (match["weekday"] or "").lower()[:3]
    if weekday in _WEEKDAYS:
        fitting = [d for d in candidates if d.weekday() == _WEEKDAYS.index(weekday)]
        candidates = fitting or candidates
    return _in_range(candidates[0]) if candidates else None


def parse_date(text: str | None, languages: tuple[str, ...] = ("en",)) -> str | None:
    """A publication date as ISO `YYYY-MM-DD`, or None when it is not a full, plausible date."""
    if not text:
        return None
    text = " ".join(str(text).split())
    match = _ISO_DATE.fullmatch(text)
    if match:
        try:
            return _in_range(dt.date(*(int(g) for g in match.groups())))
        except ValueError:
            return None
    if _NUMERIC_DATE.fullmatch(text):
        return _numeric_date(text)
    if not _HAS_YEAR.search(text) or len(text) > 80:
        return None
    try:
        parsed = _date_parser(languages).get_date_data(text)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed is None or parsed.date_obj is None or parsed.period != "day":
        return None
    return _in_range(parsed.date_obj.date())


@dataclass(frozen=True, slots=True)
class Byline:
    who: str
    date: str | None  # ISO
    is_desk: bool


def match_byline(
    line: str, vocab: Vocabulary, languages: tuple[str, ...] = ("en",)
) -> Byline | None:
    """ "By Metro Desk - May 3 2020" -> Byline("Metro Desk", "2020-05-03", is_desk=True)."""
    text = normalise_line(line)
    words = word_count(text)
    if words > vocab.byline_max_words or (words > 6 and text.endswith((".", "?", "!"))):
        return None
    for pattern in vocab.bylines:
        match = pattern.fullmatch(text)
        if not match:
            continue
        who = match.group("who").strip(" -|,:")
        date_text = match.groupdict().get("date")
        date = parse_date(date_text, languages) if date_text else None
        if date_text and date is None:
            continue  # "By the way, on 3 occasions ..." is not a byline
        if not looks_like_name(who, max_words=8):
            continue
        return Byline(who=who, date=date, is_desk=bool(vocab.desk_words.search(who)))
    return None


@dataclass(frozen=True, slots=True)
class DateLine:
    date: str  # ISO
    updated: bool  # "Updated: ..." gives when the page changed, not when it was published


def match_date_line(
    line: str, vocab: Vocabulary, languages: tuple[str, ...] = ("en",)
) -> DateLine | None:
    """A line that is only a date ("Published: 3 May 2020 10:31") -> DateLine."""
    text = normalise_line(line)
    if word_count(text) > vocab.date_line_max_words:
        return None
    for pattern in vocab.date_lines:
        match = pattern.fullmatch(text)
        if match:
            date = parse_date(match.group("date"), languages)
            if date:
                return DateLine(date=date, updated=bool(match.groupdict().get("updated")))
    return None


_LEADING_DATE = re.compile(
    r"\s*(?P<date>(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,? )?"
    r"(?:\d{1,2}(?:st|nd|rd|th)? [A-Z][a-z]{2,8}\.?,? \d{4}"
    r"|[A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{4})"
    r"(?:,? ?[|-]? ?\d{1,2}[:.]\d{2}(?: ?[AP]M)?(?: [A-Z]{2,4}\b)?)?)"
    r"[ \t]*[|,-]?[ \t]*"
)


def match_leading_date(line: str, languages: tuple[str, ...] = ("en",)) -> tuple[str, int] | None:
    """A date line glued to the first words of the text ("12 March 2018Damascus, SANA - ...")
    -> (ISO date, where the text after it starts)."""
    match = _LEADING_DATE.match(line)
    if not match:
        return None
    rest = line[match.end() :]
    if len(rest.split()) < 3 or not (rest[:1].isupper() or rest[:1].isdigit()):
        return None
    date = parse_date(match.group("date"), languages)
    return (date, match.end()) if date else None


_URL_DAY = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:[/_-]?)(0[1-9]|1[0-2])(?:[/_-]?)(0[1-9]|[12]\d|3[01])(?!\d)"
)
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/(?!\d)")


def date_from_url(url: str | None) -> tuple[str, str] | None:
    """The date a URL path carries -> (ISO date at the precision written, "day" or "month"):
    /2019/07/25/, /2019-07-25-slug, /20190725/ (day); /2019/07/ (month). Host names and
    query strings are not read; a trailing ten-digit number is not taken for a Unix time (site
    ids look the same: "-1831910328" would be 2028)."""
    if not url:
        return None
    path = re.sub(r"^[a-z][\w+.-]*://[^/]*", "", url.split("?", 1)[0].split("#", 1)[0])
    for match in _URL_DAY.finditer(path):
        sep_ok = match.group(0).count("/") in (0, 2)
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        if sep_ok and (iso := _in_range(day)):
            return iso, "day"
    match = _URL_MONTH.search(path)
    if match and MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        return f"{match[1]}-{match[2]}", "month"
    return None


@dataclass(frozen=True, slots=True)
class ReprintNotice:
    role: str  # "reprinted_by" | "original"
    outlet: str


def match_reprint(line: str, vocab: Vocabulary) -> ReprintNotice | None:
    """ "This piece was reprinted by X with permission" -> ReprintNotice("reprinted_by", "X")."""
    text = normalise_line(line)
    if word_count(text) > vocab.reprint_max_words:
        return None
    for entry in vocab.reprints:
        match = entry.pattern.fullmatch(text)
        if match:
            outlet = match.group("outlet").strip(" .,:;-")
            if _HAS_YEAR.search(outlet):
                continue  # "originally published on February 4, 2019": a date, not an outlet
            if looks_like_name(outlet, max_words=8) or _looks_like_domain(outlet):
                return ReprintNotice(role=entry.role, outlet=outlet)
    return None


@dataclass(frozen=True, slots=True)
class Dateline:
    outlet: str | None
    place: str | None
    end: int  # where the dateline ends in the paragraph


def match_dateline(paragraph: str, vocab: Vocabulary) -> Dateline | None:
    """ "(Xinhua News Agency) - The ..." / "WASHINGTON (Reuters) - ..." at a paragraph start."""
    text = fold_quotes(paragraph)  # length-preserving, so `end` indexes the original
    for pattern in vocab.datelines:
        match = pattern.match(text)
        if not match:
            continue
        groups = match.groupdict()
        outlet = (groups.get("outlet") or "").strip() or None
        place = (groups.get("place") or "").strip(" ,") or None
        if outlet and not looks_like_name(outlet, vocab.dateline_max_outlet_words):
            continue
        if match.end() >= len(text.rstrip()):
            continue  # the whole paragraph, not a lead-in
        return Dateline(outlet=outlet, place=place, end=match.end())
    return None


def after_dateline(text: str, start: int, vocab: Vocabulary) -> int:
    """Where a passage starting at `start` begins once the dateline opening its line is cut
    ("WASHINGTON (AP) \u2014 ", "KYIV \u2013 "): `start` itself when it opens no line or the
    line has none. The place and agency are no part of the sentence they stand before (a
    claim, a quotation). The horizontal bar some sites print counts as a dash."""
    if start and text[start - 1] != "\n":
        return start
    end = text.find("\n", start)
    line = text[start : len(text) if end < 0 else end]
    found = match_dateline(line.replace("\u2015", "-"), vocab)
    return start + found.end if found is not None else start


def looks_like_name(text: str, max_words: int) -> bool:
    """A proper name: a few capitalised words (connectors allowed), not a clause."""
    words = text.split()
    if not words or len(words) > max_words:
        return False
    if not words[0][:1].isupper() and not words[0][:1].isdigit():
        return False
    return all(_NAME_WORD.match(w) for w in words)


def _looks_like_domain(text: str) -> bool:
    return bool(re.fullmatch(r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?", text))
