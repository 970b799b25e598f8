"""Narratives in the store (schema v6): what the linker saves, reloads, and readers rank by."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from claimgraph.store import Store
from claimgraph.store import narratives as stored

pytestmark = pytest.mark.needs_shared


@pytest.mark.sqlite_only  # the neighbour index file lives beside a SQLite database
def test_every_claim_has_a_key_a_candidate_and_no_index_json(linked_sample_db: Path) -> None:
    with Store(linked_sample_db, read_only=True) as store:
        rows = store.query(
            "SELECT c.id, c.narrative_id, v.ann_key FROM claims c "
            "JOIN claim_vectors v ON v.claim_id = c.id ORDER BY v.ann_key"
        )
        assert rows and all(r["narrative_id"] for r in rows)
        assert [r["ann_key"] for r in rows] == list(range(len(rows)))
        (state,) = store.query("SELECT value FROM link_state WHERE key = 'narrative_index'")
        assert len(state["value"]) < 2000  # settings only, not the index
        assert json.loads(state["value"])["encoder"]
    assert Path(str(linked_sample_db) + ".narratives.usearch").is_file()


def test_narrative_rows_agree_with_their_claims(linked_sample_db: Path) -> None:
    with Store(linked_sample_db, read_only=True) as store:
        narratives = store.query("SELECT * FROM narratives")
        assert any(n["documents"] >= 2 for n in narratives)
        for n in narratives:
            claims = store.query(
                "SELECT c.date, c.document_id, COALESCE(c.outlet, d.outlet) AS outlet "
                "FROM claims c JOIN documents d ON d.id = c.document_id "
                "WHERE c.narrative_id = :n",
                {"n": n["id"]},
            )
            dates = sorted(c["date"] for c in claims if c["date"])
            assert n["claims"] == len(claims)
            assert n["documents"] == len({c["document_id"] for c in claims})
            assert n["undated"] == len(claims) - len(dates)
            assert (n["first_seen"], n["last_seen"]) == (
                (dates[0], dates[-1]) if dates else (None, None)
            )
            assert n["outlet_count"] == len({c["outlet"] for c in claims if c["outlet"]})
            (vec,) = store.query(
                "SELECT claims, vector_sum FROM narrative_vectors WHERE narrative_id = :n",
                {"n": n["id"]},
            )
            total = np.frombuffer(vec["vector_sum"], dtype="<f4")
            assert vec["claims"] == n["claims"] and total.shape == (384,)
        ranked = stored.cross_document(store)
        assert ranked and all(r["documents"] >= 2 for r in ranked)
        spread = [(r["documents"], r["outlet_count"]) for r in ranked]
        assert spread == sorted(spread, reverse=True)


@pytest.mark.sqlite_only  # copies the database file
def test_a_new_run_restores_the_groups_from_file_or_vectors(
    linked_sample_db: Path, tmp_path
) -> None:
    """A later run reads the neighbour index file; without it, rebuilds it from claim_vectors;
    either way it knows every claim and its candidate, and adds nothing twice."""
    import shutil

    from claimgraph.link.embeddings import load_encoder
    from claimgraph.link.stage import Linker

    encoder = load_encoder()
    copy = tmp_path / "copy.db"
    with Store(linked_sample_db, read_only=True) as store:
        store.query("SELECT 1")
    shutil.copy(linked_sample_db, copy)
    for suffix in ("-wal", "-shm"):
        if Path(str(linked_sample_db) + suffix).is_file():
            shutil.copy(str(linked_sample_db) + suffix, str(copy) + suffix)
    with Store(copy) as store:
        expected = {
            r["id"]: r["narrative_id"] for r in store.query("SELECT id, narrative_id FROM claims")
        }
        for with_file in (False, True):
            if with_file:
                shutil.copy(
                    str(linked_sample_db) + ".narratives.usearch", str(copy) + ".narratives.usearch"
                )
            linker = Linker(store, encoder=encoder)
            assert len(linker.index) == len(expected)
            assert {c: linker.index.narrative_of(c) for c in expected} == expected
            linker.save()
            assert store.link_state_revision("narrative_index")[1] == 1  # nothing to save


def test_a_run_links_by_the_corpus_s_speaker_as_a_relink_does(tmp_path, nlp) -> None:
    """The linker compares speakers by the entity the corpus merged them into (what a relink
    reads back from the store), not by each article's own key: "Martin E. Dempsey" of the
    second article is the first one's "Martin Dempsey". Otherwise analyze and relink group
    differently (a fresh analysis of 1,000 news articles: 99 narratives, a relink 98)."""
    from claimgraph.annotate.nlp import model_info
    from claimgraph.engine.local import analyze
    from claimgraph.link import narratives as narratives_module
    from claimgraph.link.stage import Linker

    texts = {
        "a.txt": "General speaks on training mission\n\nGeneral Martin Dempsey said on Monday "
        "that American advisers would train Iraqi units near Baghdad. Dempsey said the mission "
        "would last several years. Officials in Baghdad welcomed the plan.\n",
        "b.txt": "Advisers to stay in Iraq\n\nGeneral Martin E. Dempsey said on Tuesday that "
        "the advisers would stay in Iraq through next year. Dempsey told senators that the Iraqi "
        "army needed more training. Senators said the cost was too high.\n",
    }
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    with Store(tmp_path / "s.db") as store:
        linker = Linker(store)
        analyze([folder], store, nlp, model_name=model_info(nlp).describe(), linker=linker)
        stored = {
            r["id"]: r["speaker_entity_id"]
            for r in store.query("SELECT id, speaker_entity_id FROM claims")
        }
        index = linker.index
        linked = {}
        for row in range(len(index)):
            record = index._record(row)
            linked[record[narratives_module._ID]] = index._string(
                record[narratives_module._SPEAKER_ENTITY]
            )
    assert list(stored.values()).count("martin-dempsey") >= 3  # both articles' claims
    assert linked == stored
