"""Check-worthiness evaluation gate: rerun the quick cross-validation, hold the pinned floors.

The full run (eval/checkworthiness.py, 5-fold ClaimBuster, 5 grouped CT19 folds) takes longer
than a test should; the quick configuration pins its own figures (`checkworthiness_quick_*`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from claimgraph.link import checkworthiness as cw

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data" / "checkworthiness"
MARGIN = 0.01  # the gate allows one point below the pinned figure


@pytest.fixture(scope="module")
def ev() -> ModuleType:
    return importlib.import_module("checkworthiness")  # eval/ is on sys.path (conftest)


@pytest.fixture(scope="module")
def scorer() -> cw.CheckworthinessScorer:
    return cw.CheckworthinessScorer.load()


@pytest.fixture(scope="module")
def quick(ev: ModuleType, scorer: cw.CheckworthinessScorer):
    return ev.evaluate(DATA, scorer.encoder, **ev.QUICK)


def test_quick_cross_validation_holds_the_floors(ev: ModuleType, quick) -> None:
    floors = ev.read_floors()
    reached = ev.floor_values(quick, "checkworthiness_quick")
    for key, value in reached.items():
        assert key in floors, f"{key} is not pinned in eval/floors.yaml"
        assert value >= floors[key] - MARGIN, f"{key} {value:.3f} fell below {floors[key]}"
    assert quick.folds == {"claimbuster": 3, "ct19": 3}
    assert len(quick.ct_ours.per_debate) == len(ev.QUICK["ct19_debates"])


def test_ours_beats_the_tfidf_baseline_on_the_same_folds(quick) -> None:
    assert quick.cb_ours.ap > quick.cb_baseline.ap + 0.02
    assert quick.cb_ours.auc > quick.cb_baseline.auc
    assert quick.cb_ours.f1 > quick.cb_baseline.f1
    assert quick.ct_ours.map > quick.ct_baseline.map


def test_full_run_floors_are_pinned(ev: ModuleType) -> None:
    """The script's full-run figures are pinned too (rerun: eval/checkworthiness.py --pin)."""
    floors = ev.read_floors()
    for key in ("claimbuster_f1", "claimbuster_ap", "ct19_map"):
        assert 0.0 < floors[f"checkworthiness_{key}"] <= 1.0
    # published best on the CT19 test debates, for the reader; ours is on the training debates
    assert floors["checkworthiness_ct19_map"] > ev.PUBLISHED_CT19_MAP


def test_debate_map_is_the_mean_of_per_debate_average_precision(ev: ModuleType) -> None:
    ct = cw.read_ct19(DATA)
    debates = ev.QUICK["ct19_debates"][:3]
    data = ev._select(ct, [i for i, g in enumerate(ct.groups) if g in debates])
    lengths = np.array([len(t) for t in data.texts], dtype=float)  # a real, weak ranking
    result = ev.debate_map(data, lengths)
    assert set(result.per_debate) == set(debates)
    assert result.map == pytest.approx(np.mean(list(result.per_debate.values())))
    # one debate's AP does not depend on how the other debates are scored
    shifted = lengths + np.where(np.array(data.groups) == debates[0], 0.0, 1e6)
    assert ev.debate_map(data, shifted).per_debate == result.per_debate


def test_news_report_on_the_sample(ev: ModuleType, scorer: cw.CheckworthinessScorer) -> None:
    news = ev.news_report(scorer)
    assert len(news.sentences) >= 80  # 84 sentences in the five cleaned bodies
    assert {s.document for s in news.sentences} == {p.name for p in ev.EXAMPLES.glob("*.txt")}
    n_gold = sum(s.gold for s in news.sentences)
    assert n_gold >= 20 and len(news.gold_missing) <= 3, news.gold_missing
    floor = ev.read_floors()["checkworthiness_news_auc"]
    assert news.auc >= floor - 0.02  # few sentences: a wider margin than the CV gates
    rows = list(ev.news_table(news, scorer.name))
    assert any("How comforting" in r for r in rows[rows.index("bottom 5:") :])


def test_pin_floors_keeps_other_keys(ev: ModuleType, tmp_path: Path) -> None:
    floors = tmp_path / "floors.yaml"
    floors.write_text("# shared\nextraction_f1: 0.957\ncheckworthiness_ct19_map: 0.1\n")
    ev.pin_floors(
        {"checkworthiness_ct19_map": 0.2317, "checkworthiness_claimbuster_f1": 0.78}, floors
    )
    # Rounded down: a floor rounded up would fail the run that measured it.
    assert floors.read_text() == (
        "# shared\nextraction_f1: 0.957\ncheckworthiness_ct19_map: 0.231\n"
        "checkworthiness_claimbuster_f1: 0.780\n"
    )
