"""The timeline: in-text dates resolved against the publication date, on the sample and on news.

The sample articles (examples/) and the gold spec carry the acceptance cases; the AllSides news
sample (../shared/data/news) checks that the grammar holds on real text at scale: spans are exact,
bounds are ordered, relative dates stay near their anchor, and names, verbs and counts that look
like dates are left alone.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from claimgraph.annotate.dates import (
    PRECISIONS,
    DateMention,
    date_for_span,
    estimate_document_date,
    find_dates,
)
from claimgraph.model import fold_quotes

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
NEWS = REPO.parent / "shared" / "data" / "news" / "allsides_sample5000.jsonl"
ISO_DAY = re.compile(r"(19|20)\d\d-\d\d-\d\d")


def sample(name: str) -> str:
    return next(EXAMPLES.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


def mention(mentions: list[DateMention], phrase: str) -> DateMention:
    """The one mention whose text is `phrase` (case-sensitive, as written in the article)."""
    hits = [m for m in mentions if m.text == phrase]
    assert len(hits) == 1, (phrase, [m.text for m in mentions])
    return hits[0]


def sentence_bounds(text: str, at: int) -> tuple[int, int]:
    """The sentence around offset `at`: between sentence ends (a dot or line break followed by
    space), which is all the sample's sentences need."""
    ends = [m.end() for m in re.finditer(r"[.!?][\"”’]?(?=\s)|\n", text)]
    start = max((e for e in ends if e <= at), default=0)
    end = min((e for e in ends if e > at), default=len(text))
    return start, end


def find(text: str, phrase: str) -> int:
    """Offset of `phrase` in `text`, matching quotes loosely like the gold spec's rules."""
    at = fold_quotes(text).casefold().find(fold_quotes(phrase).casefold())
    assert at >= 0, phrase
    return at


def iso_plus(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


# --------------------------------------------------------------------------------------------
# The sample, against the gold spec


def test_gold_attribution_dates_of_004(gold):
    spec = gold["documents"]["004_7744a640d6660c16.txt"]
    text = sample("004")
    mentions = find_dates(text, str(spec["date"]))
    dated = [a for a in spec["attributions"] if a.get("date")]
    assert len(dated) == 2
    for attribution in dated:
        start = find(text, attribution["text"])
        end = start + len(attribution["text"])
        got = date_for_span(mentions, start, end, *sentence_bounds(text, start))
        assert got is not None, attribution["text"]
        want = str(attribution["date"])
        assert (got.earliest, got.latest, got.precision) == (want, want, "day"), got
        assert not got.estimated


def test_004_phrases_resolve_against_the_byline_date():
    text = sample("004")
    mentions = find_dates(text, "2021-07-28")
    assert all(text[m.start : m.end] == m.text for m in mentions)

    told = mention(mentions, "on 24 July")
    assert (told.earliest, told.latest, told.precision, told.relative) == (
        "2021-07-24",
        "2021-07-24",
        "day",
        True,
    )
    # the second "24 July" (the New York Times) is the same day
    assert mention(mentions, "On 24 July").earliest == "2021-07-24"

    august = mention(mentions, "In August of 2017")
    assert (august.earliest, august.latest, august.precision, august.relative) == (
        "2017-08-01",
        "2017-08-31",
        "month",
        False,
    )
    report = mention(mentions, "on 31 August of 2017")
    assert (report.earliest, report.latest, report.precision) == ("2017-08-31", "2017-08-31", "day")

    # a deadline late in the year, not a day and not the whole year
    deadline = mention(mentions, "by the end of 2021")
    assert deadline.latest == "2021-12-31" and "2021-07-28" < deadline.earliest < "2021-12-31"
    assert deadline.precision == "range"

    byline = mention(mentions, "July 28 2021")
    assert (byline.earliest, byline.precision, byline.relative) == ("2021-07-28", "day", False)
    # "2,500 US troops" is a count, not a year
    troops = text.index("2,500")
    assert not [m for m in mentions if m.start <= troops < m.end]


def test_004_without_an_anchor_keeps_absolute_dates_and_guesses_nothing():
    mentions = find_dates(sample("004"))
    told = mention(mentions, "on 24 July")
    assert (told.earliest, told.latest, told.precision) == (None, None, "unknown")
    assert mention(mentions, "on 31 August of 2017").earliest == "2017-08-31"


def test_000_undated_relative_dates_stay_unknown():
    text = sample("000")
    mentions = find_dates(text)
    # every date phrase of the article, and nothing else ("Fact checked", "US-led" are not dates)
    assert sorted(m.text for m in mentions) == sorted(
        ["on Wednesday", "on Wednesday", "in February", "in October", "Last week"]
    )
    for m in mentions:
        assert m.relative and not m.estimated
        assert (m.earliest, m.latest, m.precision) == (None, None, "unknown"), m


def test_relative_phrases_of_the_sample_with_artificial_anchors():
    """Real sentences from the sample, resolved as if published on chosen days."""
    # 001 "... last month that the US forces ..." across a year boundary
    last_month = mention(find_dates(sample("001"), "2017-01-10"), "last month")
    assert (last_month.earliest, last_month.latest, last_month.precision) == (
        "2016-12-01",
        "2016-12-31",
        "month",
    )
    # 000 "Last week, several Iraqi policemen ..." seen on Wednesday 2017-01-04: the Monday to
    # Sunday week before, across the new year
    mentions = find_dates(sample("000"), "2017-01-04")
    last_week = mention(mentions, "Last week")
    assert (last_week.earliest, last_week.latest) == ("2016-12-26", "2017-01-01")
    # "told FNA on Wednesday" on a Wednesday is that day; two days later, still that Wednesday
    assert {m.earliest for m in mentions if m.text == "on Wednesday"} == {"2017-01-04"}
    friday = find_dates(sample("000"), "2017-01-06")
    assert {m.earliest for m in friday if m.text == "on Wednesday"} == {"2017-01-04"}
    # "... in February, a senior Iraqi official ..." seen in January: last year's February
    assert mention(friday, "in February").earliest == "2016-02-01"
    assert mention(friday, "in February").precision == "month"

    # 002: "Last November" strictly before the anchor's month; "on Friday" on or before it
    mentions = find_dates(sample("002"), "2017-11-20")
    assert mention(mentions, "Last November").earliest == "2016-11-01"
    assert mention(mentions, "on Friday").earliest == "2017-11-17"
    since = mention(mentions, "since 2014")
    assert (since.earliest, since.latest, since.precision) == ("2014-01-01", "2017-11-20", "range")

    # 003: "In September" is this year's once September has begun, last year's before
    assert mention(find_dates(sample("003"), "2014-10-05"), "In September").earliest == "2014-09-01"
    assert mention(find_dates(sample("003"), "2014-08-01"), "In September").earliest == "2013-09-01"
    this_week = mention(find_dates(sample("003"), "2014-10-05"), "this week")  # a Sunday
    assert (this_week.earliest, this_week.latest) == ("2014-09-29", "2014-10-05")


def test_estimated_anchor_gives_ranges_flagged_as_estimates():
    text = sample("002")
    earliest, latest = estimate_document_date(text)
    # "... formed after the emergence of the Takfiri ISIS terrorist group in Iraq in 2014"
    assert (earliest, latest) == ("2014-01-01", None)
    mentions = find_dates(text, earliest, anchor_latest=latest, estimated=True)
    for m in mentions:
        assert m.estimated == m.relative, m
        if m.relative:
            assert m.precision == "range" and m.latest is None, m  # open-ended: never a day
    november = mention(mentions, "Last November")
    assert november.earliest == "2013-11-01"

    # a closed estimate: what means the same month whatever the day keeps month precision
    closed = find_dates(text, "2017-08-01", anchor_latest="2017-08-31")
    assert mention(closed, "Last November").precision == "month"
    assert mention(closed, "Last November").estimated
    friday = mention(closed, "on Friday")
    assert (friday.earliest, friday.latest, friday.precision) == (
        "2017-07-28",
        "2017-08-25",
        "range",
    )


def test_estimate_of_the_dated_sample_is_not_after_its_date(gold):
    text = sample("004")
    earliest, latest = estimate_document_date(text)  # as if the byline were lost
    assert earliest is not None and earliest <= str(
        gold["documents"]["004_7744a640d6660c16.txt"]["date"]
    )
    # what the report itself says was past: "the report claimed on 31 August of 2017"
    assert earliest == "2017-08-31" and latest is None
    # a crawl date bounds it from above
    assert estimate_document_date(text, ["2021-08-02"]) == ("2017-08-31", "2021-08-02")


def test_bad_anchor_is_refused():
    with pytest.raises(ValueError):
        find_dates(sample("004"), "28/07/2021")
    with pytest.raises(ValueError):
        find_dates(sample("004"), "2021-07-28", anchor_latest="2021-07-01")


def test_date_for_span_prefers_the_date_nearest_the_cue():
    text = sample("002")
    mentions = find_dates(text, "2017-08-06")
    cue = text.index("said during a press conference")
    got = date_for_span(mentions, cue, cue + 4, *sentence_bounds(text, cue))
    assert got is not None and got.text == "on Friday" and got.earliest == "2017-08-04"
    # a sentence without a date gives none, even with dates elsewhere in the text
    quiet = text.index("He did not provide more details")
    assert date_for_span(mentions, quiet, quiet + 2, *sentence_bounds(text, quiet)) is None


# --------------------------------------------------------------------------------------------
# Real news at scale


@pytest.fixture(scope="module")
def news() -> list[dict]:
    if not NEWS.exists():
        pytest.skip(f"news sample missing: {NEWS} (see ../shared/data/README.md)")
    rows = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()]
    return rows


@pytest.fixture(scope="module")
def first_undated(news) -> list[tuple[dict, list[DateMention]]]:
    """The first 300 articles (the file's first records carry no date): no anchor."""
    rows = news[:300]
    assert not any(r["date"] for r in rows)
    return [(r, find_dates(r["content_original"] or "")) for r in rows]


@pytest.fixture(scope="module")
def first_dated(news) -> list[tuple[dict, list[DateMention]]]:
    """The first 300 articles with an ISO date, resolved against it."""
    rows = [r for r in news if ISO_DAY.fullmatch(r["date"] or "")][:300]
    return [(r, find_dates(r["content_original"] or "", r["date"])) for r in rows]


def assert_sane(text: str, m: DateMention) -> None:
    assert text[m.start : m.end] == m.text and m.text.strip() == m.text and m.text, m
    assert m.precision in PRECISIONS
    if m.earliest and m.latest:
        assert m.earliest <= m.latest, m
    assert (m.precision == "unknown") == (m.earliest is None and m.latest is None), m
    if m.precision == "day":
        assert m.earliest == m.latest, m
    # never a lower-case month word, nor an ordinal outside "the second half/quarter of"
    assert not re.search(r"\b(may|march)\b|\bsecond\b(?! (half|quarter))", m.text), m


def test_undated_news_sanity(first_undated):
    total = 0
    for row, mentions in first_undated:
        text = row["content_original"] or ""
        for m in mentions:
            assert_sane(text, m)
            assert not m.estimated
            if m.relative:  # no anchor: nothing to resolve against
                assert m.precision == "unknown", m
            total += 1
        spans = sorted((m.start, m.end) for m in mentions)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # no overlaps
    assert total > 1500  # about 9 a document: the grammar finds dates, not just a few


def test_dated_news_sanity(first_dated):
    resolved = 0
    for row, mentions in first_dated:
        text, anchor = row["content_original"] or "", row["date"]
        for m in mentions:
            assert_sane(text, m)
            assert not m.estimated
            if m.relative:
                assert m.earliest is not None, m  # a known day resolves every relative phrase
                assert m.earliest <= iso_plus(anchor, 366), (anchor, m)
                resolved += 1
    assert resolved > 1000


def test_estimated_anchor_contains_the_known_day_reading(first_dated):
    """Resolving against a month around the true date gives bounds that contain what the true
    date gives: an estimate widens, it never moves a date elsewhere."""
    for row, exact in first_dated[:100]:
        text, anchor = row["content_original"] or "", row["date"]
        wide = find_dates(text, iso_plus(anchor, -15), anchor_latest=iso_plus(anchor, 15))
        assert [(m.start, m.end) for m in wide] == [(m.start, m.end) for m in exact]
        for w, e in zip(wide, exact, strict=True):
            if e.relative:
                assert w.estimated and w.earliest <= e.earliest and w.latest >= e.latest, (w, e)
            else:
                assert not w.estimated or w.earliest == e.earliest


HAND_CHECKED = [
    # (article ID, phrase as found in the text, its context, earliest, latest, precision)
    (
        "SJk9hGIk5impt5MK",
        "Tuesday",
        "will end Tuesday in Cambodia",
        "2012-11-20",
        "2012-11-20",
        "day",
    ),
    ("5Beaxi4Kd11DNeFS", "Sunday", "said Sunday he agrees", "2012-11-11", "2012-11-11", "day"),
    (
        "fF1308oSo4NNdrV8",
        "in late October",
        "in late October the race",
        "2012-10-21",
        "2012-10-31",
        "range",
    ),
    ("r0kivB9l6PUqHKHC", "Oct. 24-28", "conducted Oct. 24-28", "2012-10-24", "2012-10-28", "range"),
    (
        "8LTiA9P3ErRJGcm5",
        "last fall",
        "says last fall, the agency",
        "2011-09-01",
        "2011-11-30",
        "range",
    ),
    (
        "ff82pyNXBl22ztYd",
        "June 8",
        "will host its annual gay pride parade June 8",
        "2012-06-08",
        "2012-06-08",
        "day",
    ),
    (
        "alFaLxUYyHa50NSj",
        "Earlier today",
        "Earlier today I went shopping",
        "2012-10-19",
        "2012-10-19",
        "day",
    ),
]


@pytest.mark.parametrize(
    ("doc_id", "phrase", "context", "earliest", "latest", "precision"), HAND_CHECKED
)
def test_hand_checked_news_phrases(news, doc_id, phrase, context, earliest, latest, precision):
    row = next(r for r in news if r["ID"] == doc_id)
    text = row["content_original"]
    at = text.index(context) + context.index(phrase)
    got = [m for m in find_dates(text, row["date"]) if m.start == at and m.text == phrase]
    assert len(got) == 1, [m for m in find_dates(text, row["date"]) if abs(m.start - at) < 40]
    assert (got[0].earliest, got[0].latest, got[0].precision) == (earliest, latest, precision)


NOT_DATES = [
    ("GSRvAFXc4dZpd58J", "“This Week.”"),  # ABC's Sunday show
    ("GSRvAFXc4dZpd58J", "“Fox News Sunday.”"),
    ("MSSGAELAZQ3gOkej", "“Saturday Night Live”"),
    ("HMHXqN7q3bUeTzUv", "USA Today/Gallup"),
    ("tord25Aq3tYojo37", "the Friday before"),  # dated by the story, not by the publication
]


@pytest.mark.parametrize(("doc_id", "phrase"), NOT_DATES)
def test_names_that_look_like_dates_are_not_dates(news, doc_id, phrase):
    row = next(r for r in news if r["ID"] == doc_id)
    text = row["content_original"]
    at = text.index(phrase)
    hits = [m for m in find_dates(text, row["date"]) if m.start < at + len(phrase) and m.end > at]
    assert hits == []


def test_may_march_and_money_are_not_dates(news):
    """Across the corpus: Theresa May, "Super Tuesday", "$2,000" and bare counts stay undated."""
    name = re.compile(r"\bMay[’']s\b|Theresa May\b|Super Tuesday|Black Friday|\$\s?\d[\d,]*")
    checked = 0
    for row in news:
        text = row["content_original"] or ""
        found = [m.span() for m in name.finditer(text)]
        if not found:
            continue
        mentions = find_dates(text, row["date"] if ISO_DAY.fullmatch(row["date"] or "") else None)
        for a, b in found:
            assert not [m for m in mentions if m.start < b and m.end > a], text[a:b]
        checked += 1
        if checked == 60:
            break
    assert checked == 60


def test_estimate_is_conservative_on_dated_news(first_dated):
    """Undated documents get a lower bound from the past they report; on dated news the bound
    must (nearly) never be later than the true date. The few misses are photo captions added
    to a page after it was published and future events told in the past tense."""
    estimated = late = 0
    for row, _ in first_dated:
        earliest, latest = estimate_document_date(row["content_original"] or "")
        assert latest is None
        if earliest is not None:
            estimated += 1
            late += earliest > row["date"]
        bounded = estimate_document_date(row["content_original"] or "", [row["date"]])
        assert bounded[1] == row["date"] and (bounded[0] is None or bounded[0] <= row["date"])
    assert estimated >= 90  # about a third of the documents say enough
    assert late <= 0.04 * estimated, (late, estimated)
