"""End-to-end fact-check linking (eval/factcheck_e2e.py): tweets analysed into claims, Snopes
claims imported as fact-checks, `factchecks match`, MAP@5 beside direct retrieval.

The gate runs the script's fixed --quick subsample (40 CLEF 2020 dev tweets, 400 Snopes claims)
through the real pipeline, so it stays near a minute; the full run is `python
eval/factcheck_e2e.py` (figures in its floors, `factcheck_e2e_dev_*`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "claim_retrieval"


def test_merged_ranking_takes_each_factcheck_once_best_score_first() -> None:
    import factcheck_e2e as ev

    links = [
        {"vclaim": "a", "score": 0.5, "tier": "possible"},
        {"vclaim": "b", "score": 0.8, "tier": "confident"},
        {"vclaim": "a", "score": 0.7, "tier": "confident"},  # the same check from another claim
        {"vclaim": "c", "score": 0.2, "tier": "possible"},
    ]
    assert ev.merged_ranking(links) == ["b", "a", "c"]
    assert ev.merged_ranking([]) == []


def test_inputs_are_read_by_the_product_readers(tmp_path: Path) -> None:
    """The temporary files go through `claimgraph factchecks import`'s and `analyze`'s readers."""
    import factcheck_e2e as ev

    from claimgraph.factchecks.readers import read_factchecks
    from claimgraph.ingest import read_paths

    docs, reviews = ev.write_inputs(
        tmp_path, [("7", "Joe says the moon is cheese.")], [("v1", "Moon is cheese", "Cheese?")]
    )
    (fc,) = list(read_factchecks([reviews]))
    assert (fc.claim_text, fc.title, fc.url.rsplit("/", 1)[-1]) == (
        "Moon is cheese",
        "Cheese?",
        "v1",
    )
    (article,) = list(read_paths([docs]))
    assert article.text == "Joe says the moon is cheese." and article.url.endswith("/tweet/7")


def test_quick_end_to_end_holds_its_floors() -> None:
    if not DATA.is_dir():
        pytest.skip(f"missing {DATA}")
    import factcheck_e2e as ev
    from floors import read_floors

    res = ev.run(DATA.parents[1], quick=True)
    report = ev.format_report(res)
    assert res["tweets"] == 40 and res["factchecks"] == 400, report
    floors = read_floors()
    for key, value in ev.floor_values(res).items():
        assert key in floors, f"{key} is not pinned in eval/floors.yaml"
        assert value >= floors[key], report
    # links a user may act on without reading them first are right at least nine times in ten
    assert res["confident_precision"] >= 0.9, report
    # end to end can never beat seeing the whole tweet by much; a bug that links everything would
    assert res["map5_e2e"] <= res["map5_direct"] + 0.05, report
