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
