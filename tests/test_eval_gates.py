"""Evaluation gates: quality floors pinned in eval/floors.yaml, checked on the real data."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="module")
def extraction() -> ModuleType:
    return importlib.import_module("extraction")  # eval/ is on sys.path (conftest)


def test_shingle_metric_matches_the_benchmark_definition(extraction: ModuleType) -> None:
    assert extraction.page_scores("one two three four five", "one two three four five") == (
        1.0,
        0.0,
        0.0,
    )
    assert extraction.page_scores("one two three four", "five six seven eight") == (0.0, 0.5, 0.5)
    # 5 tokens -> 2 shingles each side, 1 shared: tp 1, fp 1, fn 1 -> thirds
    tp, fp, fn = extraction.page_scores("a b c d e", "a b c d z")
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    score = extraction.score([(1.0, 0.0, 0.0), (0.5, 0.5, 0.0)], 1.0)
    assert (score.precision, score.recall) == pytest.approx((0.75, 1.0))
    assert score.f1 == pytest.approx(2 * 0.75 / 1.75)


def test_pin_floor_keeps_other_keys(extraction: ModuleType, tmp_path: Path) -> None:
    floors = tmp_path / "floors.yaml"
    floors.write_text(
        "# comment stays\nattribution_f1: 0.61\nextraction_f1: 0.5\n", encoding="utf-8"
    )
    extraction.pin_floor("extraction_f1", 0.9571, floors)
    extraction.pin_floor("narrative_ari", 0.4, floors)
    assert floors.read_text(encoding="utf-8") == (
        "# comment stays\nattribution_f1: 0.61\nextraction_f1: 0.957\nnarrative_ari: 0.400\n"
    )
    assert extraction.read_floors(floors) == {
        "attribution_f1": 0.61,
        "extraction_f1": 0.957,
        "narrative_ari": 0.4,
    }


def test_extraction_f1_floor(extraction: ModuleType) -> None:
    """Our HTML path (reader + clean_article) on all 181 benchmark pages, against the floor."""
    result = extraction.evaluate(SHARED / "data" / "extraction")
    assert result.pages == 181
    floor = extraction.read_floors()[extraction.FLOOR_KEY]
    assert result.ours.f1 >= floor, f"extraction F1 {result.ours.f1:.4f} fell below {floor}"
    # our cleaning runs after trafilatura: it must not cost more than noise against it
    assert result.ours.f1 >= result.baseline.f1 - extraction.FLOOR_MARGIN
