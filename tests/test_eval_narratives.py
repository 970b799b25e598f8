"""Narrative gate (issue 12): EUvsDisinfo keyword pair precision at the default settings.

The full run (eval/narratives.py, 2,132 cases) embeds every case title; the gate scores the
quick subsample (600 random cases plus every US-ISIS case, about 750, a minute or two) and
holds `narratives_quick_euvsdisinfo_pair_precision` in eval/floors.yaml. The judged news
sample's share is held as committed (eval/gold/narratives_news_judged.yaml).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "euvsdisinfo"


@pytest.fixture(scope="module")
def ev() -> ModuleType:
    return importlib.import_module("narratives")  # eval/ is on sys.path (conftest)


@pytest.fixture(scope="module")
def floors() -> dict[str, float]:
    from floors import read_floors

    return read_floors()


def test_quick_pair_precision_holds_the_floor(ev: ModuleType, floors) -> None:
    if not (DATA / "cknabs_posts.csv").is_file():
        pytest.skip(f"missing {DATA} (the shared data folder)")
    import torch

    torch.set_num_threads(1)
    scores = ev.default_scores(DATA, ev.QUICK_LIMIT)
    key = ev.FLOOR_KEYS[ev.QUICK_LIMIT]
    assert scores.pair_precision >= floors[key] - 0.005, (scores.pair_precision, floors[key])
    assert scores.coverage > 0.05  # strict, but it still groups


def test_judged_news_sample_holds_its_floor(ev: ModuleType, floors) -> None:
    judged = ev.judged_share()
    assert judged is not None, "eval/gold/narratives_news_judged.yaml missing or not judged"
    share, count, found = judged
    assert count >= 100 or count == found
    assert share >= floors[ev.JUDGED_KEY]
