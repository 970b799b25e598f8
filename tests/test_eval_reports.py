"""What attributions report, against a reader's judgments on unseen news
(eval/gold/news_reports_judged.yaml, and a second reader's held-out set): the judged articles
clean to the judged texts, and the label holds its floors (statements are attributions; acts
are mostly not)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
NEWS = SHARED / "data" / "news" / "allsides_sample5000.jsonl"


def test_the_label_holds_its_floors_on_judged_news() -> None:
    if not NEWS.parent.exists():
        pytest.skip(f"needs {NEWS.parent}: the ../shared news data is not beside the repo")
    ev = importlib.import_module("reports")  # eval/ is on sys.path (conftest)
    floors = importlib.import_module("floors").read_floors()
    for gold, rows in ((ev.DEFAULT_GOLD, 309), (ev.HELDOUT_GOLD, 246)):
        table = ev.evaluate(NEWS, gold)
        assert sum(sum(c.values()) for c in table.values()) == rows
        for key, value in ev.report(table, ev.GOLDS[gold]).items():
            assert value >= floors[key], (key, value, floors[key])
