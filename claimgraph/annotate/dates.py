"""The timeline: dates written in a text, resolved against the document's publication date.

News dates its events relative to the day it was written ("on Wednesday", "last month", "on 24
July"), so the same phrase means different days in different documents. `find_dates` finds the
phrases with a regex grammar (vocabulary in claimgraph/data/timeline.yaml: predictable, unlike
free-text date parsers that read "may", "march" or "second" as dates) and resolves each to the
bounds of what it can mean. A phrase that needs an anchor the document lacks stays unresolved
rather than guessed. `estimate_document_date` gives an undated document a conservative range
from what it says; mentions resolved against such a range are flagged `estimated`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, partial
from pathlib import Path
from typing import Any

import yaml
from dateutil.relativedelta import relativedelta

from claimgraph.vocabulary import load_vocabulary, user_dirs

VOCABULARY = Path(__file__).resolve().parents[1] / "data" / "timeline.yaml"

PRECISIONS = ("day", "month", "year", "range", "unknown")


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date phrase and the span of days it can mean (ISO bounds; None where unknown)."""

    start: int
    end: int
    text: str
    earliest: str | None
    latest: str | None
    precision: str  # "day" | "month" | "year" | "range" | "unknown"
    relative: bool  # needed an anchor ("last month", "on 24 July")
    estimated: bool  # resolved against an estimated publication range, not a known date


# --------------------------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True, slots=True)
class _Vocab:
    """The compiled timeline vocabulary: the grammar's forms and the tables they read."""

    forms: tuple[tuple[str, re.Pattern[str], str], ...]  # name, grammar, trigger kind
    trigger_exact: Mapping[str, frozenset[str]]  # word as written -> trigger kinds
    trigger_folded: Mapping[str, frozenset[str]]  # casefolded word -> trigger kinds
    prep_tail: re.Pattern[str]  # a preposition right before a phrase, kept in its span
    months: Mapping[str, int]  # every accepted spelling (full, capitals, abbreviations) -> 1..12
    weekdays: Mapping[str, int]  # spelling -> 0 (Monday) .. 6
    name_like_months: frozenset[str]
    weekday_prefixes: frozenset[str]
    weekday_suffix: re.Pattern[str]
    since: frozenset[str]
    deadline: frozenset[str]
    evidence_past: re.Pattern[str]
    evidence_block: re.Pattern[str]
    determiners: frozenset[str]
    year_not_before: re.Pattern[str]
    parts: Mapping[str, Mapping[str, tuple[int, int]]]  # part name -> unit -> slice
    part_names: Mapping[str, str]  # phrase (casefolded) -> part name
    seasons: Mapping[str, tuple[int, int]]
    ordinals: Mapping[str, int]
    numbers: Mapping[str, int]
    holidays: Mapping[str, tuple[int, int]]
    relative_days: Mapping[str, int]  # "yesterday" -> -1
    numeric_order: str
    pivot: int
    window: int
    clause_openers: frozenset[str]
    future: re.Pattern[str]
    past: re.Pattern[str]


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first so the longest spelling wins."""
    return "|".join(sorted((re.escape(w) for w in set(words)), key=len, reverse=True))


def _phrase(words: Iterable[str]) -> str:
    """Like `_alt`, but a space in a phrase matches any run of whitespace."""
    return "|".join(
        r"\s+".join(re.escape(p) for p in w.split())
        for w in sorted(set(words), key=len, reverse=True)
    )


def _norm(phrase: str) -> str:
    return " ".join(phrase.split()).casefold()


def timeline_vocabulary(path: Path | None = None) -> _Vocab:
    """The timeline vocabulary (claimgraph/data/timeline.yaml with the user's additions, see
    claimgraph.vocabulary), compiled; `path`: another file instead."""
    return _compiled(str(path) if path else None, user_dirs())


@cache
def _compiled(path: str | None, _dirs: tuple[str, ...]) -> _Vocab:
    raw: dict[str, Any] = (
        yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        if path
        else load_vocabulary("timeline")
    )
    month_names = [str(m) for m in raw["months"]]
    months = {m: i + 1 for i, m in enumerate(month_names)}
    months |= {m.upper(): i + 1 for i, m in enumerate(month_names)}
    abbreviations = {str(k): int(v) for k, v in raw["month_abbreviations"].items()}
    months |= abbreviations | {k.upper(): v for k, v in abbreviations.items()}
    weekday_names = [str(d) for d in raw["weekdays"]]
    weekdays = {d: i for i, d in enumerate(weekday_names)}
    weekdays |= {d.upper(): i for i, d in enumerate(weekday_names)}
    parts = {
        name: {unit: (int(a), int(b)) for unit, (a, b) in spec["slices"].items()}
        for name, spec in raw["parts"].items()
    }
    part_names = {_norm(p): name for name, spec in raw["parts"].items() for p in spec["phrases"]}
    seasons = {str(k).casefold(): (int(a), int(b)) for k, (a, b) in raw["seasons"].items()}
    ordinals = {str(k).casefold(): int(v) for k, v in raw["ordinals"].items()}
    numbers = {_norm(str(k)): int(v) for k, v in raw["numbers"].items()}
    holidays = {str(k): (int(m), int(d)) for k, (m, d) in raw["holidays"].items()}
    relative_days = {_norm(str(k)): int(v) for k, v in raw["relative_days"].items()}

    full = _alt([*month_names, *(m.upper() for m in month_names)])
    abbr = _alt([*abbreviations, *(a.upper() for a in abbreviations)])
    wday = _alt([*weekday_names, *(d.upper() for d in weekday_names)])
    preps = _phrase(raw["prepositions"])
    part = _phrase(part_names)
    numw = _phrase(numbers)
    dets = _phrase(raw["year_determiners"])
    season = _alt(seasons)
    ordinal = _alt(ordinals)
    holiday = _alt(holidays)
    year = r"(?P<y>(?:1[6-9]|20)\d\d)(?![\d'’])(?![.,]\d)"
    start = r"(?<![\w$£€.,/'’-])"
    partp = rf"(?:(?P<part>(?i:{part}))(?:\s+|-))?"
    month = rf"(?:(?P<mf>{full})|(?P<ma>{abbr})\.?)"
    day = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s?[-–]\s?(?P<d2>\d{1,2})(?:st|nd|rd|th)?)?"
    rel = r"(?P<mod>(?i:this\s+past|this\s+coming|last|next|this|coming|past))"
    units = r"(?P<u>(?i:weekend|week|month|year))"
    forms = {
        "iso": rf"{start}(?P<y>\d{{4}})-(?P<m>\d\d)-(?P<d>\d\d)(?![\w/-])",
        "numeric": rf"{start}(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<y>\d{{4}}|\d\d)(?![\w/])",
        "mdy": rf"{start}(?:(?P<wd>{wday}),?\s+)?{month}\s+{day}(?![\w:])"
        rf"(?:,?\s+(?:of\s+)?{year})?",
        "dmy": rf"{start}(?:(?P<wd>{wday}),?\s+)?(?:the\s+)?{day}(?:\s+of)?\s+{month}(?!\w)"
        rf"(?:,?\s+(?:of\s+)?{year})?",
        "month_year": rf"{start}{partp}{month},?\s+(?:of\s+)?{year}",
        "month": rf"{start}{partp}(?:{rel}\s+)?(?P<mf>{full})(?![\w-])(?!\s*\d)",
        "year": rf"{start}{partp}(?:(?P<det>(?i:the\s+year|year|{dets}))\s+)?{year}",
        "possessive_year": rf"(?<=\w['’]s ){year}(?=\s+[a-z])",
        "year_range": rf"{start}(?:(?P<fb>(?i:from|between))\s+)?{year}\s*"
        r"(?:(?P<dash>[-–—])|\s(?i:to|and|through|until|till)\s)\s*"
        r"(?P<y2>(?:1[6-9]|20)\d\d|\d\d)(?![\w'’])(?![.,]\d)",
        "decade": rf"{start}(?i:the)\s+{partp}"
        r"(?:(?P<dec>(?:1[6-9]|20)\d0)['’]?s|['’](?P<dd>\d0)['’]?s)(?!\w)",
        "weekday": rf"{start}{partp}(?:{rel}\s+)?(?P<wd>{wday})(?!\w)",
        "relday": rf"{start}(?P<w>(?i:{_phrase(relative_days)}))(?!\w)",
        "relunit": rf"{start}{partp}(?P<the>(?i:the)\s+)?(?:{rel}\s+)?{units}(?!\w)",
        "this_part": rf"{start}(?P<el>(?i:earlier|later))\s+(?P<mod>(?i:this|last|next))\s+"
        r"(?P<u>(?i:week|month|year))(?!\w)",
        "ago": rf"{start}(?P<n>\d{{1,3}}|(?i:{numw}))\s+"
        r"(?P<u>(?i:days?|weeks?|months?|years?|decades?))\s+(?i:ago)(?!\w)",
        "trailing": rf"{start}(?i:the)\s+(?i:past|last)\s+(?P<n>\d{{1,3}}|(?i:{numw}))\s+"
        r"(?P<u>(?i:days|weeks|months|years|decades))(?!\w)",
        "season_year": rf"{start}{partp}(?:(?i:the)\s+)?(?P<s>(?i:{season}))(?:\s+of)?,?\s+"
        rf"{year}",
        "season": rf"{start}{partp}(?:(?P<the>(?i:the))\s+|{rel}\s+)(?P<s>(?i:{season}))"
        r"(?!\w)(?!\s+of\b)",
        "quarter": rf"{start}(?:(?i:the)\s+)?(?:(?P<q>(?i:{ordinal}))\s+(?i:quarter)"
        rf"(?:\s+of)?,?|Q(?P<q2>[1-4]))\s+{year}",
        "holiday": rf"{start}(?P<h>{holiday})(?!\w)(?:,?\s+{year})?",
    }
    # The word every match of a form contains (see _phrases): month and weekday names as
    # written; other words casefolded; "year4", "numeric" and "decade" are digit shapes.
    triggers = {
        "iso": "year4",
        "numeric": "numeric",
        "mdy": "month",
        "dmy": "month",
        "month_year": "month",
        "month": "month",
        "year": "year4",
        "possessive_year": "year4",
        "year_range": "year4",
        "decade": "decade",
        "weekday": "weekday",
        "relday": "relday",
        "relunit": "unit",
        "this_part": "unit",
        "ago": "ago",
        "trailing": "units",
        "season_year": "year4",
        "season": "season",
        "quarter": "year4",
        "holiday": "holiday",
    }
    exact: dict[str, set[str]] = {}
    for word in months:
        exact.setdefault(word, set()).add("month")
    for word in weekdays:
        exact.setdefault(word, set()).add("weekday")
    folded_words = {
        "relday": [w for phrase in relative_days for w in phrase.split()[-1:]],
        "unit": ["week", "weekend", "month", "year"],
        "ago": ["ago"],
        "units": ["days", "weeks", "months", "years", "decades"],
        "season": list(seasons),
        "holiday": [w.casefold() for h in holidays for w in re.findall(r"[^\W\d_]+", h)[:2]],
    }
    folded: dict[str, set[str]] = {}
    for kind, words in folded_words.items():
        for word in words:
            folded.setdefault(word, set()).add(kind)
    compiled = tuple((name, re.compile(pattern), triggers[name]) for name, pattern in forms.items())
    evidence = raw["evidence"]
    return _Vocab(
        forms=compiled,
        trigger_exact={w: frozenset(k) for w, k in exact.items()},
        trigger_folded={w: frozenset(k) for w, k in folded.items()},
        prep_tail=re.compile(rf"{start}(?P<prep>(?i:{preps}))\s+$"),
        months=months,
        weekdays=weekdays,
        name_like_months=frozenset(raw["name_like_months"]),
        weekday_prefixes=frozenset(raw["weekday_name_prefixes"]),
        weekday_suffix=re.compile(r"\s(?:" + "|".join(raw["weekday_name_suffixes"]) + ")"),
        since=frozenset(_norm(p) for p in raw["since_prepositions"]),
        deadline=frozenset(_norm(p) for p in evidence["deadline_prepositions"]),
        evidence_past=re.compile(
            rf"\b(?:(?i:{_alt(evidence['past_verbs'])})|(?!(?:{_alt(evidence['not_past'])})\b)"
            r"[a-z]{2,}ed)\b"
        ),
        evidence_block=re.compile(
            r"\b(?:" + "|".join(evidence["blocking"]) + r")\b", re.IGNORECASE
        ),
        determiners=frozenset(_norm(p) for p in raw["year_determiners"]),
        year_not_before=re.compile(r"\s*(?:" + "|".join(raw["year_not_before"]) + ")"),
        parts=parts,
        part_names=part_names,
        seasons=seasons,
        ordinals=ordinals,
        numbers=numbers,
        holidays=holidays,
        relative_days=relative_days,
        numeric_order=str(raw["numeric_date_order"]),
        pivot=int(raw["two_digit_year_pivot"]),
        window=int(raw["cue_window_words"]),
        clause_openers=frozenset(str(w).casefold() for w in raw["clause_openers"]),
        future=re.compile(r"\b(?:" + "|".join(raw["future_cues"]) + r")\b", re.IGNORECASE),
        past=re.compile(r"\b(?:" + "|".join(_lower_only(raw["past_cues"])) + r")\b"),
    )


def _lower_only(patterns: Iterable[str]) -> list[str]:
    """Past cues match lower case only: "United" is not a verb."""
    return [p.replace(r"\w", "[a-z]") for p in patterns]


# --------------------------------------------------------------------------------------------
# Intervals and how each kind of phrase resolves


@dataclass(frozen=True, slots=True)
class _Interval:
    start: date
    end: date
    unit: str  # day | week | month | year | decade | range


# A resolver maps (anchor, mode) to an interval; absolute phrases ignore both. Modes: "past"
# (default: the latest such date on or before the anchor), "future" (a future cue: the next on or
# after), and the explicit "last", "next", "this".
_Resolver = Callable[[date | None, str], "_Interval | None"]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _day(d: date) -> _Interval:
    return _Interval(d, d, "day")


def _month(year: int, month: int) -> _Interval:
    return _Interval(date(year, month, 1), _month_end(year, month), "month")


def _year(year: int) -> _Interval:
    return _Interval(date(year, 1, 1), date(year, 12, 31), "year")


def _week(d: date) -> _Interval:
    monday = d - timedelta(days=d.weekday())
    return _Interval(monday, monday + timedelta(days=6), "week")


def _fixed(interval: _Interval, _anchor: date | None, _mode: str) -> _Interval:
    return interval


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(
    month: int, day: int, day2: int | None, anchor: date | None, mode: str
) -> _Interval | None:
    """ "24 July": the latest 24 July on or before the anchor (or the next one, for the future)."""
    if anchor is None:
        return None
    step = 1 if mode in ("future", "next") else -1
    for offset in range(9):  # 29 February recurs within 8 years
        year = anchor.year + step * offset
        first = _safe_date(year, month, day)
        if first is None:
            continue
        if (step < 0 and first <= anchor) or (step > 0 and first >= anchor):
            last = _safe_date(year, month, day2) if day2 else first
            if last is None:
                return None
            return _Interval(first, last, "day" if last == first else "range")
    return None


def _month_rel(month: int, anchor: date | None, mode: str) -> _Interval | None:
    """ "in February", "last November": which February, relative to the anchor's month."""
    if anchor is None:
        return None
    a = anchor.month
    year = {
        "past": anchor.year if month <= a else anchor.year - 1,
        "last": anchor.year if month < a else anchor.year - 1,
        "this": anchor.year,
        "next": anchor.year if month > a else anchor.year + 1,
        "future": anchor.year if month >= a else anchor.year + 1,
    }[mode]
    return _month(year, month)


def _weekday_rel(weekday: int, anchor: date | None, mode: str) -> _Interval | None:
    """ "on Wednesday": the latest Wednesday on or before the anchor (next one for the future)."""
    if anchor is None:
        return None
    a = anchor.weekday()
    offset = {
        "past": -((a - weekday) % 7),
        "last": -((a - weekday - 1) % 7 + 1),
        "this": weekday - a,
        "next": (weekday - a - 1) % 7 + 1,
        "future": (weekday - a) % 7,
    }[mode]
    return _day(anchor + timedelta(days=offset))


def _unit_rel(unit: str, anchor: date | None, mode: str) -> _Interval | None:
    """ "last week", "this month", "next year" (calendar periods; weeks start on Monday)."""
    if anchor is None:
        return None
    shift = {"last": -1, "this": 0, "next": 1, "past": 0, "future": 0}[mode]
    if unit == "year":
        return _year(anchor.year + shift)
    if unit == "month":
        d = anchor + relativedelta(months=shift)
        return _month(d.year, d.month)
    if unit == "week":
        return _week(anchor + timedelta(weeks=shift))
    if unit == "weekend":
        saturday = _week(anchor).start + timedelta(days=5)  # of the anchor's own week
        if mode == "last" or (mode == "past" and saturday > anchor):
            saturday -= timedelta(weeks=1)  # "last weekend", "over the weekend" (mid-week)
        elif mode == "next":
            saturday += timedelta(weeks=1)
        return _Interval(saturday, saturday + timedelta(days=1), "range")
    return None


def _trailing(
    delta: relativedelta, forward: bool, anchor: date | None, _mode: str
) -> _Interval | None:
    """ "the past three years": from that long before the anchor up to it."""
    if anchor is None:
        return None
    if forward:
        return _Interval(anchor, anchor + delta, "range")
    return _Interval(anchor - delta, anchor, "range")


def _ago(unit: str, n: int, anchor: date | None, _mode: str) -> _Interval | None:
    """ "two weeks ago": around that long before the anchor (only days are exact)."""
    if anchor is None:
        return None
    if unit == "day":
        return _day(anchor - timedelta(days=n))
    centre, slack = {
        "week": (relativedelta(weeks=n), relativedelta(days=3)),
        "month": (relativedelta(months=n), relativedelta(days=15)),
        "year": (relativedelta(years=n), relativedelta(months=6)),
        "decade": (relativedelta(years=10 * n), relativedelta(years=5)),
    }[unit]
    point = anchor - centre
    return _Interval(point - slack, min(point + slack, anchor), "range")


def _to_anchor(unit: str, earlier: bool, anchor: date | None, _mode: str) -> _Interval | None:
    """ "earlier this month" runs from the month's start to the anchor; "later" the other way."""
    if anchor is None:
        return None
    period = _unit_rel(unit, anchor, "this")
    if period is None:
        return None
    if earlier:
        return _Interval(period.start, anchor, "range")
    return _Interval(anchor, period.end, "range")


def _season(months: tuple[int, int], year: int) -> _Interval:
    """A season of a year; one across the new year covers both of its readings."""
    first, last = months
    if first <= last:
        return _Interval(date(year, first, 1), _month_end(year, last), "range")
    return _Interval(date(year - 1, first, 1), _month_end(year + 1, last), "range")


def _season_rel(months: tuple[int, int], anchor: date | None, mode: str) -> _Interval | None:
    """ "last summer": seasons as instances (a winter runs December to February)."""
    if anchor is None:
        return None
    first, last = months

    def instance(year: int) -> _Interval:  # the instance that starts in `year`
        end_year = year if first <= last else year + 1
        return _Interval(date(year, first, 1), _month_end(end_year, last), "range")

    candidates = [instance(anchor.year + k) for k in range(-3, 3)]
    if mode == "this":
        hits = [c for c in candidates if c.start <= anchor <= c.end]
        return hits[0] if hits else instance(anchor.year)
    if mode in ("last",):
        return [c for c in candidates if c.end < anchor][-1]
    if mode == "past":
        return [c for c in candidates if c.start <= anchor][-1]
    if mode == "next":
        return [c for c in candidates if c.start > anchor][0]
    return [c for c in candidates if c.end >= anchor][0]


# --------------------------------------------------------------------------------------------
# Phrases


@dataclass(frozen=True, slots=True)
class _Phrase:
    """A matched date phrase before resolution."""

    start: int
    end: int
    resolve: _Resolver
    relative: bool
    mode: str | None  # explicit mode ("last", "next", "this") or None: decided by tense cues
    part: str | None
    prep: str | None  # casefolded preposition kept in the span
    adjectival: bool  # a year used as a modifier ("the 2020 election")


_POSSESSIVE = re.compile(r"['’]s\b")
_LOWER_WORD = re.compile(r"\s+[a-z]")
_UPPER_WORD = re.compile(r"\s+[A-Z]")
_OF = re.compile(r"\s+of\b")
_STORY_RELATIVE = re.compile(r"\s+(before|after|prior)\b")

# "this past Sunday" is "last Sunday"; "this coming Sunday" and "coming Sunday" are "next".
_MODES = {"this past": "last", "this coming": "next", "coming": "next"}


def _year2(text: str, vocab: _Vocab) -> int:
    value = int(text)
    return value if len(text) == 4 else (2000 if value < vocab.pivot else 1900) + value


def _group(m: re.Match[str], name: str) -> str | None:
    return m.groupdict().get(name)


def _sentence_initial(text: str, pos: int) -> bool:
    """Whether only quotes/space stand between `pos` and the previous sentence end."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'“‘(":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;"


def _is_title(text: str, m: re.Match[str], min_words: int) -> bool:
    """A relative phrase in title case mid-sentence names a show or a paper ("USA Today",
    ABC's "This Week"), not a date."""
    begin = m.start()
    words = text[begin : m.end()].split()
    capitalised = len(words) >= min_words and all(w[0].isupper() for w in words)
    return capitalised and not _sentence_initial(text, begin)


def _build(
    form: str, m: re.Match[str], text: str, vocab: _Vocab, start: int, prep: str | None
) -> _Phrase | None:
    """Interpret one regex match (`start` and `prep`: where the phrase begins with its
    preposition, and which); None when the context shows it is not a date."""
    part = vocab.part_names[_norm(m["part"])] if _group(m, "part") else None
    raw_mod = _norm(m["mod"]) if _group(m, "mod") else None
    mod = _MODES.get(raw_mod, raw_mod) if raw_mod else None
    adjectival = False
    y = int(m["y"]) if _group(m, "y") and len(m["y"]) == 4 else None
    resolver: _Resolver
    relative = False

    if form in ("iso", "numeric"):
        if form == "iso":
            year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
        else:
            a, b = int(m["a"]), int(m["b"])
            year = _year2(m["y"], vocab)
            mdy = vocab.numeric_order == "mdy"
            if a > 12 or (b <= 12 and not mdy):
                a, b = b, a
            month, day = a, b
        d = _safe_date(year, month, day) if 1 <= month <= 12 else None
        if d is None:
            return None
        resolver = partial(_fixed, _day(d))
    elif form in ("mdy", "dmy"):
        month = vocab.months[m["mf"] or m["ma"]]
        day, day2 = int(m["d"]), int(m["d2"]) if m["d2"] else None
        if not 1 <= day <= 31 or (day2 is not None and not day < day2 <= 31):
            return None
        if y is not None:
            first, last = _safe_date(y, month, day), _safe_date(y, month, day2 or day)
            if first is None or last is None:
                return None
            resolver = partial(_fixed, _Interval(first, last, "day" if day2 is None else "range"))
        else:
            if _safe_date(2000, month, day2 or day) is None:  # 2000 is a leap year
                return None
            resolver, relative = partial(_day_month, month, day, day2), True
    elif form == "month_year":
        resolver = partial(_fixed, _month(int(m["y"]), vocab.months[m["mf"] or m["ma"]]))
    elif form == "month":
        name = m["mf"]
        if not (prep or part or mod):
            return None
        if name.title() in vocab.name_like_months:
            if _POSSESSIVE.match(text, m.end()):
                return None  # "May's deal"
            before = text[max(0, start - 30) : start].split()
            if prep == "by" and before and re.fullmatch(r"[a-z]+(?:ed|en)", before[-1]):
                return None  # "was criticised by May": an agent, not a deadline
        resolver, relative = partial(_month_rel, vocab.months[name]), True
    elif form in ("year", "possessive_year"):
        det = _norm(m["det"]) if _group(m, "det") else None
        if vocab.year_not_before.match(text, m.end()):
            return None
        if form == "possessive_year" or det in vocab.determiners:
            if not _LOWER_WORD.match(text, m.end()):
                return None
            adjectival = True
        elif not (prep or part or det):
            return None
        resolver = partial(_fixed, _year(int(m["y"])))
    elif form == "year_range":
        first, y2 = int(m["y"]), m["y2"]
        last = int(y2) if len(y2) == 4 else first // 100 * 100 + int(y2)
        if not first < last <= first + 100 or not (m["dash"] or m["fb"] or prep == "from"):
            return None
        resolver = partial(_fixed, _Interval(date(first, 1, 1), date(last, 12, 31), "range"))
        before = text[max(0, start - 20) : start].split()
        adjectival = bool(
            before and _norm(before[-1]) in vocab.determiners and _LOWER_WORD.match(text, m.end())
        )  # "the 2015-16 school year"
    elif form == "decade":
        decade = int(m["dec"]) if m["dec"] else _year2(m["dd"], vocab)
        resolver = partial(
            _fixed, _Interval(date(decade, 1, 1), date(decade + 9, 12, 31), "decade")
        )
    elif form == "weekday":
        wd = m["wd"]
        before = text[max(0, m.start("wd") - 20) : m.start("wd")].split()
        if before and before[-1] in vocab.weekday_prefixes:
            return None  # "Super Tuesday", "Black Friday"
        if vocab.weekday_suffix.match(text, m.end()):
            return None  # "Saturday Night Live", "the Sunday Times"
        if (
            not prep
            and before
            and before[-1].casefold() in ("the", "a")
            and _UPPER_WORD.match(text, m.end())
        ):
            return None  # "The Saturday Oklahoman"
        if before and before[-1].casefold() == "the" and _STORY_RELATIVE.match(text, m.end()):
            return None  # "the Friday before": dated by the story, not by the anchor
        resolver, relative = partial(_weekday_rel, vocab.weekdays[wd]), True
    elif form == "relday":
        word = _norm(m["w"])
        if _is_title(text, m, 1):
            return None  # "USA Today", NBC's "Today" show
        resolver = partial(_ago, "day", -vocab.relative_days[word])
        relative, mod = True, None
    elif form == "relunit":
        unit = _norm(m["u"])
        the = bool(_group(m, "the"))
        if _OF.match(text, m.end()) or _is_title(text, m, 2):
            return None  # "the last year of his term", ABC's "This Week"
        if the and mod in ("last", "past"):
            resolver = partial(_trailing, _delta(unit, 1), False)
            part = None
        elif the and raw_mod == "coming":
            resolver = partial(_trailing, _delta(unit, 1), True)
        elif the and mod is None and part is not None:
            resolver, mod = partial(_unit_rel, unit), "this"  # "by the end of the year"
        elif the and mod is None and unit == "weekend" and prep is not None:
            resolver = partial(_unit_rel, unit)  # "over the weekend"
        elif the or mod is None:
            return None  # "the next year" is relative to the story, not the anchor
        else:
            if mod == "past" or raw_mod == "this past":
                if unit != "weekend":
                    resolver, mod = partial(_trailing, _delta(unit, 1), False), None
                else:
                    resolver, mod = partial(_unit_rel, unit), "last"
            else:
                resolver = partial(_unit_rel, unit)
        relative = True
    elif form == "this_part":
        unit = _norm(m["u"])
        earlier = _norm(m["el"]) == "earlier"
        if mod == "this":
            resolver, mod = partial(_to_anchor, unit, earlier), None
        else:
            resolver, part = partial(_unit_rel, unit), "early" if earlier else "late"
        relative = True
    elif form in ("ago", "trailing"):
        raw_n = _norm(m["n"])
        n = int(raw_n) if raw_n.isdigit() else vocab.numbers[raw_n]
        unit = _norm(m["u"]).rstrip("s")
        if form == "ago":
            resolver = partial(_ago, unit, n)
        else:
            resolver = partial(_trailing, _delta(unit, n), False)
        relative = True
    elif form == "season_year":
        resolver = partial(_fixed, _season(vocab.seasons[_norm(m["s"])], int(m["y"])))
    elif form == "season":
        if _group(m, "the") and prep is None:
            return None  # "the fall" without "in"/"during": a noun
        resolver, relative = partial(_season_rel, vocab.seasons[_norm(m["s"])]), True
    elif form == "quarter":
        q = vocab.ordinals[_norm(m["q"])] if m["q"] else int(m["q2"])
        year = int(m["y"])
        resolver = partial(
            _fixed, _Interval(date(year, 3 * q - 2, 1), _month_end(year, 3 * q), "range")
        )
    elif form == "holiday":
        month, day = vocab.holidays[m["h"]]
        if y is not None:
            resolver = partial(_fixed, _day(date(y, month, day)))
        else:
            resolver, relative = partial(_day_month, month, day, None), True
    else:  # pragma: no cover - a form without a builder is a programming error
        raise ValueError(f"unknown date form {form!r}")
    return _Phrase(start, m.end(), resolver, relative, mod, part, prep, adjectival)


def _delta(unit: str, n: int) -> relativedelta:
    return {
        "day": relativedelta(days=n),
        "week": relativedelta(weeks=n),
        "weekend": relativedelta(weeks=n),
        "month": relativedelta(months=n),
        "year": relativedelta(years=n),
        "decade": relativedelta(years=10 * n),
    }[unit]


_REACH = 64  # no date phrase reaches further than this from its trigger


_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_DECADE_TAIL = re.compile(r"['’]?s\b")


def _windows(text: str, vocab: _Vocab) -> dict[str, list[tuple[int, int]]]:
    """Per trigger kind, merged stretches of text around its words: where a form's matches
    can lie. One pass over the words, with set look-ups, instead of regex scans."""
    merged: dict[str, list[tuple[int, int]]] = {}

    def add(kind: str, lo: int, hi: int) -> None:
        spans = merged.setdefault(kind, [])
        lo, hi = max(0, lo - _REACH), min(len(text), hi + _REACH)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], hi)
        else:
            spans.append((lo, hi))

    for m in _TOKEN.finditer(text):
        word, lo, hi = m.group(), m.start(), m.end()
        if word.isdigit():
            if len(word) == 4:
                add("year4", lo, hi)
            if text.startswith("/", hi):
                add("numeric", lo, hi)
            if word.endswith("0") and _DECADE_TAIL.match(text, hi):
                add("decade", lo, hi)
            continue
        for kind in vocab.trigger_exact.get(word, ()):
            add(kind, lo, hi)
        for kind in vocab.trigger_folded.get(word.casefold(), ()):
            add(kind, lo, hi)
    return merged


def _matches(
    text: str, pattern: re.Pattern[str], windows: list[tuple[int, int]]
) -> Iterable[re.Match[str]]:
    """The pattern's matches, scanning only the windows (scanning every position of a long text
    with twenty grammars is most of the cost). A match cut short by a window's end is redone
    on the whole text."""
    for lo, hi in windows:
        for m in pattern.finditer(text, lo, hi):
            if m.end() >= hi - 8 and hi < len(text):
                full = pattern.match(text, m.start())
                if full is not None:
                    yield full
            else:
                yield m


def _phrases(text: str, vocab: _Vocab) -> list[_Phrase]:
    """Every date phrase, longest first where matches overlap."""
    found: list[_Phrase] = []
    windows = _windows(text, vocab)
    for form, pattern, trigger in vocab.forms:
        for m in _matches(text, pattern, windows.get(trigger, [])):
            tail = vocab.prep_tail.search(text, max(0, m.start() - 24), m.start())
            start, prep = (tail.start(), _norm(tail["prep"])) if tail else (m.start(), None)
            phrase = _build(form, m, text, vocab, start, prep)
            if phrase is not None:
                found.append(phrase)
    found.sort(key=lambda p: (-(p.end - p.start), p.start))
    chosen: list[_Phrase] = []
    taken: list[tuple[int, int]] = []
    for p in found:
        if all(p.end <= s or p.start >= e for s, e in taken):
            chosen.append(p)
            taken.append((p.start, p.end))
    return sorted(chosen, key=lambda p: p.start)


# --------------------------------------------------------------------------------------------
# Tense


def _clause_before(text: str, pos: int) -> str:
    i = max(text.rfind(c, 0, pos) for c in ".!?\n;")
    return text[i + 1 : pos]


def _is_future(text: str, phrase: _Phrase, vocab: _Vocab) -> bool:
    """A future cue governs the phrase: the nearest cue before it in its sentence, or, when it
    opens its sentence ("On Friday, the Senate will vote"), the first cue after it."""
    before = _clause_before(text, phrase.start)
    words = before.split()[-vocab.window :]
    window = " ".join(words)
    cues = [(m.start(), True) for m in vocab.future.finditer(window)]
    cues += [(m.start(), False) for m in vocab.past.finditer(window)]
    if cues:
        return max(cues)[1]
    if any(w.casefold() not in vocab.clause_openers for w in words):
        return False
    end = min(
        (i for i in (text.find(c, phrase.end) for c in ".!?\n;") if i >= 0), default=len(text)
    )
    after = " ".join(text[phrase.end : end].split()[: vocab.window])
    future = vocab.future.search(after)
    past = vocab.past.search(after)
    return bool(future and (past is None or future.start() < past.start()))


# --------------------------------------------------------------------------------------------
# Resolution


def _parse_iso(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ValueError(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}") from exc


def _apply_part(interval: _Interval, part: str | None, vocab: _Vocab) -> _Interval:
    """Narrow a period to the slice a qualifier means ("early 2019" -> January to April)."""
    if part is None:
        return interval
    slices = vocab.parts[part]
    unit = interval.unit
    if unit not in slices:
        return interval
    a, b = slices[unit]
    s = interval.start
    if unit == "year":
        return _Interval(date(s.year, a, 1), _month_end(s.year, b), "range")
    if unit == "month":
        last_day = calendar.monthrange(s.year, s.month)[1]
        return _Interval(s.replace(day=min(a, last_day)), s.replace(day=min(b, last_day)), "range")
    if unit == "week":
        return _Interval(s + timedelta(days=a - 1), s + timedelta(days=b - 1), "range")
    if unit == "decade":
        return _Interval(date(s.year + a, 1, 1), date(s.year + b, 12, 31), "range")
    return interval


def _precision(interval: _Interval) -> str:
    return interval.unit if interval.unit in ("day", "month", "year") else "range"


def find_dates(
    text: str,
    anchor: str | None = None,
    *,
    anchor_latest: str | None = None,
    estimated: bool = False,
) -> list[DateMention]:
    """All date expressions in `text`, resolved against the publication date `anchor`.

    A known publication day is `anchor` alone. An estimated one is a range: `anchor` to
    `anchor_latest` (either may be None for an open end; `estimated=True` marks an anchor-only
    estimate as such); what is resolved against it is flagged `estimated`, and only a phrase that
    means the same day whatever the exact date keeps day precision. Without any anchor, absolute
    dates still resolve and relative ones stay unknown: never a guessed exact date.
    """
    vocab = timeline_vocabulary()
    lo = _parse_iso(anchor, "anchor")
    hi = _parse_iso(anchor_latest, "anchor_latest")
    is_estimate = estimated or (anchor_latest is not None and hi != lo)
    if not is_estimate:
        hi = lo
    if lo is not None and hi is not None and hi < lo:
        raise ValueError(f"anchor_latest {anchor_latest} is before anchor {anchor}")
    mentions = []
    for phrase in _phrases(text, vocab):
        future = phrase.relative and _is_future(text, phrase, vocab)
        mode = phrase.mode or ("future" if future else "past")
        since = phrase.prep in vocab.since

        def at(a: date | None, phrase: _Phrase = phrase, mode: str = mode) -> _Interval | None:
            if a is None and phrase.relative:
                return None
            interval = phrase.resolve(a, mode)
            return None if interval is None else _apply_part(interval, phrase.part, vocab)

        first, last = at(lo), at(hi)
        earliest = first.start if first else None
        latest = last.end if last else None
        base = first or last
        if since and base is not None:  # "since 2014": from then up to the anchor (if known)
            earliest = base.start
            latest = None if hi is None else (hi if hi >= base.start else base.end)
        if earliest is None and latest is None:
            precision = "unknown"
        elif since or first is None or last is None or first != last:
            precision = "range"
        else:
            precision = _precision(first)
        uses_anchor = phrase.relative or (since and hi is not None)
        mentions.append(
            DateMention(
                start=phrase.start,
                end=phrase.end,
                text=text[phrase.start : phrase.end],
                earliest=earliest.isoformat() if earliest else None,
                latest=latest.isoformat() if latest else None,
                precision=precision,
                relative=phrase.relative,
                estimated=is_estimate and uses_anchor and precision != "unknown",
            )
        )
    return mentions


def date_for_span(
    mentions: Sequence[DateMention],
    start: int,
    end: int,
    sentence_start: int,
    sentence_end: int,
) -> DateMention | None:
    """The date that qualifies a statement: a mention inside the span or else in its sentence,
    nearest to the span (pass the cue's span to date an attribution by when it was said);
    at equal distance a resolved date beats an unresolved one, then the earlier one wins."""

    def distance(m: DateMention) -> int:
        if m.end > start and m.start < end:
            return 0
        return start - m.end if m.end <= start else m.start - end

    lo, hi = min(start, sentence_start), max(end, sentence_end)
    inside = [m for m in mentions if m.start >= lo and m.end <= hi]
    if not inside:
        return None
    return min(inside, key=lambda m: (distance(m), m.precision == "unknown", m.start))


def estimate_document_date(
    text: str, known_dates: Iterable[str] = ()
) -> tuple[str | None, str | None]:
    """An estimated (earliest, latest) publication range for an undated document.

    Evidence, kept conservative:
    - earliest: a document cannot be published before the events it reports as past, so the
      latest start among its absolute dates (full dates, months, years, seasons, "since 2014")
      that sit in a sentence reporting the past: one with a past-tense verb and no future,
      modal, conditional or planning cue (timeline.yaml, `evidence`). E.g. "Last November, the
      Iraqi parliament recognized ..." says nothing absolute, but "was formed ... in 2014" puts
      the text in 2014 or later. Skipped as possibly ahead: relative phrases, deadlines and
      bounds ("by the end of 2021", "until 2020", "through 2019"), years used as modifiers ("the
      2020 election"), and any date in a sentence like "Clinton is considering a run in 2016".
    - latest: only from outside the text: `known_dates` are ISO dates by which the document is
      known to have existed (crawl, archive or first-seen dates, a citing document's date); the
      earliest of them bounds it. Text evidence later than that bound is dropped.
    Returns (None, None) when nothing supports an estimate; either bound alone may be None.
    The caller flags the result as an estimate (pass it to `find_dates` as `anchor`,
    `anchor_latest`, `estimated=True`).
    """
    vocab = timeline_vocabulary()
    bounds = [_parse_iso(d, "known date") for d in known_dates if d]
    latest = min((b for b in bounds if b is not None), default=None)
    evidence: list[date] = []
    for phrase in _phrases(text, vocab):
        if phrase.relative or phrase.adjectival or phrase.prep in vocab.deadline:
            continue
        if phrase.mode is not None or not _reports_past(text, phrase, vocab):
            continue
        interval = phrase.resolve(None, "past")
        if interval is None:
            continue
        interval = _apply_part(interval, phrase.part, vocab)
        if latest is None or interval.start <= latest:
            evidence.append(interval.start)
    earliest = max(evidence, default=None)
    return (
        earliest.isoformat() if earliest else None,
        latest.isoformat() if latest else None,
    )


def _reports_past(text: str, phrase: _Phrase, vocab: _Vocab) -> bool:
    """Whether the phrase reads as a report of the past: a past-tense verb in its clause, and
    no future, modal, conditional or planning cue anywhere in its sentence."""
    begin = max(text.rfind(c, 0, phrase.start) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, phrase.end) for c in ".!?\n") if i >= 0]
    sentence = text[begin : min(ends, default=len(text))]
    if vocab.evidence_block.search(sentence) or vocab.future.search(sentence):
        return False
    at, stop = phrase.start - begin, phrase.end - begin
    left = max(sentence.rfind(c, 0, at) for c in _CLAUSE_MARKS) + 1
    rights = [i for i in (sentence.find(c, stop) for c in _CLAUSE_MARKS) if i >= 0]
    return bool(vocab.evidence_past.search(sentence[left : min(rights, default=len(sentence))]))


_CLAUSE_MARKS = ',;:()"“”—–'
