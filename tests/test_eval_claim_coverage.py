"""Claim coverage gate (issue 16): check-worthy debate lines must become claims.

The full run (eval/claim_coverage.py, 19 CT19 debates, 16,421 lines) takes over ten minutes on
two cores; the gate runs `claimgraph analyze` on the three shortest debates (288 lines, 39
check-worthy; about a minute) and holds `claim_coverage_quick_ct19` in eval/floors.yaml.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data"


@pytest.fixture(scope="module")
def cov() -> ModuleType:
    return importlib.import_module("claim_coverage")  # eval/ is on sys.path (conftest)


@pytest.fixture(scope="module")
def quick(cov: ModuleType, tmp_path_factory: pytest.TempPathFactory):
    if not (DATA / cov.CT19).is_file():
        pytest.skip(f"missing {DATA / cov.CT19} (the shared data folder)")
    return cov.evaluate(DATA, cov.QUICK_DEBATES, workdir=tmp_path_factory.mktemp("coverage"))


def test_locate_lines_searches_in_order_and_reports_lost_lines(cov: ModuleType) -> None:
    text = "Thank you.\n\nWe lost jobs.\n\nThank you.\n\nWages rose."
    lines = ["Thank you.", "We lost jobs.", "Thank you.", "Gone.", "Wages rose."]
    spans = cov.locate_lines(text, lines)
    assert spans[3] is None  # not in the text
    found = [s for s in spans if s is not None]
    assert [text[a:b] for a, b in found] == [line for line in lines if line != "Gone."]
    assert spans[2] == (text.rindex("Thank you."), text.rindex("Thank you.") + len("Thank you."))


def test_coverage_figures_are_shares_of_their_own_lines(cov: ModuleType) -> None:
    result = cov.Coverage(
        debates=1, lines=10, positives=4, positives_claimed=3, negatives_claimed=2, claims=6,
        unmatched_lines=0, seconds=0.0, scored_by=[],
    )  # fmt: skip
    assert result.coverage == pytest.approx(0.75)
    assert result.claims_per_line == pytest.approx(0.6)
    assert result.negative_share == pytest.approx(2 / 6)


def test_missing_data_is_named(cov: ModuleType, tmp_path: Path, capsys) -> None:
    assert cov.main([str(tmp_path)]) == 2
    assert str(tmp_path) in capsys.readouterr().err


def test_quick_coverage_holds_the_floor(cov: ModuleType, quick) -> None:
    floors = cov.read_floors()
    assert cov.QUICK_FLOOR_KEY in floors, f"{cov.QUICK_FLOOR_KEY} is not pinned in eval/floors.yaml"
    assert quick.debates == cov.QUICK_DEBATES and quick.positives == 39
    assert quick.unmatched_lines == 0
    assert quick.coverage >= floors[cov.QUICK_FLOOR_KEY], cov.report(quick)


def test_not_every_line_is_a_claim(quick) -> None:
    """Filler, bare questions and fragments stay out: claims must stay selective."""
    assert quick.claims_per_line < 1.0
    assert quick.negative_share < 0.9
