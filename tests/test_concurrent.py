"""Two `claimgraph analyze` processes on one database (SQLite, or PostgreSQL on that pass) at once.

Both get examples/ and one article of their own, so they race to write the same five documents.
Each must finish cleanly, and the database must hold every document exactly once, complete.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
NEWS = REPO.parent / "shared" / "data" / "news" / "allsides_sample5000.jsonl"


def _start(inputs: list[Path], db: Path) -> subprocess.Popen:
    if os.environ.get("CLAIMGRAPH_TEST_DB"):  # the PostgreSQL database this path stands for
        from claimgraph.store import database

        db = database.database_url(db)
    return subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", "analyze", *map(str, inputs), "--db", str(db),
         "--batch-size", "2", "--quiet"],  # small batches: many interleaved write transactions
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def raced(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("concurrent")
    with NEWS.open(encoding="utf-8") as src:
        lines = list(itertools.islice(src, 2))
    extras = []
    for name, line in zip("ab", lines, strict=True):
        extra = folder / f"extra_{name}.jsonl"
        extra.write_text(line, encoding="utf-8")
        extras.append(extra)
    db = folder / "shared.db"
    procs = [_start([EXAMPLES, extra], db) for extra in extras]
    deadline = time.time() + 900
    outputs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=max(1, deadline - time.time()))
        assert proc.returncode == 0, out
        outputs.append(out)
    return db, outputs


def test_both_runs_finish_and_every_document_is_stored_once(raced, nlp, connect_db):
    from claimgraph.annotate import annotate_documents
    from claimgraph.ingest import read_paths
    from claimgraph.ingest.clean import clean_article
    from claimgraph.model import Document

    db, _ = raced
    conn = connect_db(db)
    if not os.environ.get("CLAIMGRAPH_TEST_DB"):
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    total, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM documents").fetchone()
    assert total == distinct == 7
    runs = conn.execute("SELECT status, documents_added, documents_existing FROM runs").fetchall()
    assert [r[0] for r in runs] == ["done", "done"]
    assert sum(r[1] for r in runs) == 7  # each document added by exactly one of the two
    assert sum(r[1] + r[2] for r in runs) == 12  # each run accounts for its six documents
    # every document complete: the sentences a single in-process pass finds, each exactly once
    inputs = [EXAMPLES, *sorted(db.parent.glob("extra_*.jsonl"))]
    cleaned = [clean_article(a) for a in read_paths(inputs)]
    expected = {
        d.id: [(i, s.start, s.end, s.text) for i, s in enumerate(d.sentences)]
        for d in annotate_documents([d for d in cleaned if isinstance(d, Document)], nlp)
    }
    assert len(expected) == 7
    for doc_id, sentences in expected.items():
        stored = conn.execute(
            "SELECT position, start_char, end_char, text FROM sentences WHERE document_id = ? "
            "ORDER BY position",
            (doc_id,),
        ).fetchall()
        assert stored == sentences, doc_id
    assert conn.execute("SELECT COUNT(*) FROM document_sources").fetchone()[0] == 7


def test_no_attribution_claim_or_mention_is_stored_twice(raced, connect_db):
    db, _ = raced
    conn = connect_db(db)
    for table, key in (
        ("attributions", "document_id, kind, start_char, end_char, speaker, speaker_description"),
        ("claims", "document_id, start_char, end_char"),
        ("mentions", "document_id, start_char, end_char"),
        ("signals", "document_id, type, start_char, end_char, attribution_id"),
    ):
        dupes = conn.execute(
            f"SELECT COUNT(*) FROM (SELECT {key} FROM {table} GROUP BY {key} HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0, table
    assert conn.execute("SELECT COUNT(*) FROM attributions").fetchone()[0] > 0
    assert conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0] > 0
    # an entity is one row however many processes met it first
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM (SELECT name, type FROM entities GROUP BY 1, 2 HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        == 0
    )


def test_every_stored_claim_is_in_the_narrative_index(raced, connect_db):
    """Both runs save the narrative index at the end; neither may drop the other's claims."""
    db, _ = raced
    conn = connect_db(db)
    indexed = {
        r[0]
        for r in conn.execute(
            "SELECT v.claim_id FROM claim_vectors v JOIN claims c ON c.id = v.claim_id "
            "WHERE v.ann_key IS NOT NULL AND c.narrative_id IS NOT NULL"
        )
    }
    keys = [r[0] for r in conn.execute("SELECT ann_key FROM claim_vectors ORDER BY ann_key")]
    assert keys == list(range(len(keys)))  # one key per claim, none lost or given twice
    stored = {r[0] for r in conn.execute("SELECT id FROM claims")}
    assert stored and stored <= indexed, sorted(stored - indexed)[:5]


def test_a_save_that_lost_the_race_reloads_and_keeps_both_runs_claims(sample_docs, tmp_path):
    """The interleaving the subprocess race may or may not hit, made to happen: two linkers load
    the same (empty) index, each writes its own documents, and both save."""
    from claimgraph.link.embeddings import load_encoder
    from claimgraph.link.entities import merge_entity
    from claimgraph.link.stage import STATE_KEY, Linker
    from claimgraph.store import Store

    docs = sorted(sample_docs.values(), key=lambda d: d.id)
    encoder = load_encoder()
    with Store(tmp_path / "race.db") as store:
        first, second = Linker(store, encoder=encoder), Linker(store, encoder=encoder)
        for linker, mine in ((first, docs[:2]), (second, docs[2:])):
            linker.claims(mine)
            store.write_documents(mine, merge=merge_entity)
            linker.add_written(mine)
        first.save()
        assert store.link_state_revision(STATE_KEY)[1] == 1
        second.save()  # loaded revision 0, finds 1: reloads, re-adds its claims, saves 2
        _, revision = store.link_state_revision(STATE_KEY)
        assert revision == 2
        indexed = [
            r["claim_id"]
            for r in store.query("SELECT claim_id FROM claim_vectors WHERE ann_key IS NOT NULL")
        ]
        stored = [r["id"] for r in store.query("SELECT id FROM claims")]
        assert len(stored) > 20 and sorted(indexed) == sorted(stored)
        unassigned = store.query("SELECT COUNT(*) AS n FROM claims WHERE narrative_id IS NULL")
        assert unassigned[0]["n"] == 0
