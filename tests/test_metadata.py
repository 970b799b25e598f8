"""Document metadata on unseen pages: date lines in common formats, URL dates, agency datelines,
mojibake. Inputs are written for these tests in the shapes scraped pages come in."""

from __future__ import annotations

import pytest

from claimgraph.annotate import date_document
from claimgraph.ingest.clean import clean_article, default_vocabulary, repair_mojibake
from claimgraph.ingest.metadata import (
    date_from_url,
    match_dateline,
    match_leading_date,
    parse_date,
)
from claimgraph.model import Article

BODY = (
    "Government forces advanced on the town on Sunday, the ministry said in a statement.\n\n"
    "Fighting continued into the evening, residents told reporters."
)


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("12.03.2018", "2018-03-12"),  # dots: day first
        ("12-03-2018", "2018-03-12"),  # dashes with the year last: day first
        ("03/12/2018", "2018-03-12"),  # slashes: month first
        ("25/12/2018", "2018-12-25"),  # ... unless the first number cannot be a month
        ("Monday 12.03.2018 14:05", "2018-03-12"),
        ("Tuesday, 04/09/2018", "2018-09-04"),  # the weekday decides: 4 Sep 2018 was a Tuesday
        ("Sunday, 12 March 2018", "2018-03-12"),
        ("March 12, 2018", "2018-03-12"),
        ("2018-03-12", "2018-03-12"),
    ],
)
def test_dates_in_common_formats(written: str, iso: str) -> None:
    assert parse_date(written) == iso


def test_a_date_glued_to_the_first_words_is_found_and_taken_off() -> None:
    found = match_leading_date("12 March 2018Damascus, SANA - Syrian army units advanced")
    assert found == ("2018-03-12", len("12 March 2018"))
    assert match_leading_date("12 March 2018") is None  # a whole-line date is a date line
    doc = clean_article(Article(source="t.txt", text="Monday, 12 March 2018 " + BODY))
    assert (doc.date, doc.date_source) == ("2018-03-12", "date_line")
    assert doc.text.startswith("Government forces")
    assert any(r.reason == "date_line" and "12 March 2018" in r.text for r in doc.removed)


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("https://www.example.com/2019/07/25/politics/story.html", ("2019-07-25", "day")),
        ("https://example.org/news/2019-07-25-army-advances", ("2019-07-25", "day")),
        ("https://example.org/a/20190725/b", ("2019-07-25", "day")),
        ("https://example.com/2019/07/politics/story", ("2019-07", "month")),
        ("https://example.com/politics/2016-election/story-n48822", None),  # a year is no date
        ("https://example.com/story?d=2019/07/25", None),  # query strings are not read
        ("https://example.com/story-1831910328", None),  # an id, not a Unix time
    ],
)
def test_dates_from_the_url_path(url: str, found) -> None:
    assert date_from_url(url) == found


def test_a_url_day_dates_the_document_and_a_month_keeps_its_precision() -> None:
    day = clean_article(
        Article(source="x.jsonl#L1", text=BODY, url="https://example.com/2019/07/25/x")
    )
    assert (day.date, day.date_source) == ("2019-07-25", "url")
    month = clean_article(Article(source="x.jsonl#L2", text=BODY, url="https://e.com/2019/07/x"))
    assert month.date is None and month.meta["date_month"] == "2019-07"
    date_document(month)
    assert (month.date_earliest, month.date_latest) == ("2019-07-01", "2019-07-31")
    assert not month.date_estimated


@pytest.mark.parametrize(
    ("lead", "outlet", "place"),
    [
        ("DAMASCUS, March 12 (SANA) - Syrian army units advanced", "SANA", "DAMASCUS"),
        ("Damascus, 12 March (SANA)-Syria's army advanced", "SANA", "Damascus"),
        ("Aleppo, SANA- The army advanced on the town", "SANA", "Aleppo"),
        ("MOSCOW, March 12. /TASS/. Russia said on Monday", "TASS", "MOSCOW"),
        ("BEIRUT March 12 (Reuters) - At least 20 people were killed", "Reuters", "BEIRUT"),
    ],
)
def test_agency_datelines_give_the_outlet(lead: str, outlet: str, place: str) -> None:
    found = match_dateline(lead, default_vocabulary())
    assert found is not None and (found.outlet, found.place) == (outlet, place)


def test_a_place_and_a_state_code_are_no_agency() -> None:
    assert (
        match_dateline("Washington, DC - The senator said on Monday", default_vocabulary()) is None
    )


def test_mojibake_is_repaired_and_clean_text_left_alone() -> None:
    assert repair_mojibake("Trumpâ€™s â€œdealâ€\x9d") == "Trump\u2019s \u201cdeal\u201d"
    clean = "\u201cCurly\u201d quotes &amp; caf\u00e9 \u2014 as written"
    assert repair_mojibake(clean) == clean
    doc = clean_article(Article(source="m.txt", title="Itâ€™s over", text=BODY))
    assert doc.title == "It\u2019s over"
