"""Two `claimgraph analyze` processes on one database (SQLite, or PostgreSQL on that pass) at once.

Both get examples/ and one article of their own, so they race to write the same five documents.
Each must finish cleanly, and the database must hold every document exactly once, complete.
"""

from __future__ import annotations

import itertools
import json
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


@pytest.mark.xfail(
    strict=True,
    reason="known bug: each run saves the narrative index it loaded at start plus its own claims, "
    "so the last run to save drops the other's claims (link_state needs a compare-and-swap in "
    "Store.save_narratives and a reload-and-retry in Linker.save)",
)
def test_every_stored_claim_is_in_the_narrative_index(raced, connect_db):
    """Both runs save the narrative index at the end; neither may drop the other's claims."""
    db, _ = raced
    conn = connect_db(db)
    state = json.loads(
        conn.execute("SELECT value FROM link_state WHERE key = 'narrative_index'").fetchone()[0]
    )
    indexed = {m["claim_id"] for c in state["clusters"] for m in c["members"]}
    stored = {r[0] for r in conn.execute("SELECT id FROM claims")}
    assert stored and stored <= indexed, sorted(stored - indexed)[:5]
