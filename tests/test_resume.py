"""A run killed with SIGKILL mid-way resumes: every document exactly once, nothing half-written."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NEWS = SHARED / "data" / "news" / "allsides_sample5000.jsonl"


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _analyze(inputs: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "claimgraph.cli",
            "analyze",
            str(inputs),
            "--db",
            str(db),
            "--batch-size",
            "8",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.skipif(not NEWS.exists(), reason=f"needs {NEWS.parent} (the shared data folder)")
@pytest.mark.sqlite_only(
    "SIGKILL of a SQLite writer: WAL recovery and PRAGMA integrity_check of the file"
)
def test_sigkill_then_rerun_stores_every_document_once(tmp_path):
    inputs = tmp_path / "news.jsonl"
    with NEWS.open(encoding="utf-8") as src, inputs.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, 120))
    db = tmp_path / "cg.db"

    proc = _analyze(inputs, db)
    deadline = time.time() + 300
    while _count(db, "documents") < 16 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "the run finished before it could be killed: use more input"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = _count(db, "documents")
    assert 16 <= partial < 120

    proc = _analyze(inputs, db)
    # A guard against a hang, not a speed test: ~100 documents with linking on a busy 2-core
    # machine took more than 10 minutes.
    out, _ = proc.communicate(timeout=1500)
    assert proc.returncode == 0, out
    assert "already in the database" in out

    conn = sqlite3.connect(db)
    docs = conn.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM documents").fetchone()
    assert docs[0] == docs[1] > partial
    # every stored document is complete: it has its sentences, and none twice
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM sentences s WHERE s.document_id = d.id)"
        ).fetchone()[0]
        == 0
    )
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM (SELECT document_id, position FROM sentences GROUP BY 1, 2 HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        == 0
    )
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # a third run adds nothing
    proc = _analyze(inputs, db)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0 and "Nothing new" in out
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == docs[0]
    runs = conn.execute("SELECT status FROM runs ORDER BY id").fetchall()
    # the killed run stays visible, marked by the next run that found its process gone
    assert [r[0] for r in runs] == ["interrupted", "done", "done"]


def test_a_dead_runs_row_becomes_interrupted_a_live_or_foreign_one_stays_running(tmp_path):
    """A run whose process is gone (SIGKILL, a crash) is marked when the next run starts."""
    from claimgraph.store import Store, database
    from claimgraph.store import schema as s
    from claimgraph.store.database import RUN_OWNER

    db = database.database_url(tmp_path / "runs.db")  # PostgreSQL on that pass
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; from claimgraph.store import Store; "
            "Store(sys.argv[1]).start_run('analyze', 'm'); os._exit(0)",
            db,
        ],
        check=True,
    )  # fmt: skip  (the child dies without finishing its run, like a killed one)
    with Store(db) as store:
        live = store.start_run("analyze", "m")  # this process: alive
        foreign = store.start_run("analyze", "m")
        with store.writing() as conn:  # a run of another machine: its process cannot be checked
            conn.execute(
                s.meta.update()
                .where(s.meta.c.key == f"{RUN_OWNER}{foreign}")
                .values(value="elsewhere 1")
            )
        last = store.start_run("analyze", "m")
        store.finish_run(last, "done", 0, 0, 0)
        runs = store.query("SELECT id, status, finished_at FROM runs ORDER BY id")
        assert [r["status"] for r in runs] == ["interrupted", "running", "running", "done"]
        assert runs[0]["finished_at"] and live == runs[1]["id"]
        owners = {
            r["key"] for r in store.query("SELECT key FROM meta WHERE key LIKE 'run_owner.%'")
        }
        assert owners == {f"{RUN_OWNER}{live}", f"{RUN_OWNER}{foreign}"}


def _hostile_folder(root: Path) -> Path:
    """Beside a real article: files that are only partly readable, or odd, or not there."""
    import gzip
    import json

    folder = root / "hostile"
    folder.mkdir()
    example = sorted((REPO / "examples").glob("*.txt"))[0]
    (folder / example.name).write_bytes(example.read_bytes())
    text = "The mayor said on Monday that the bridge would reopen in {} weeks, engineers agreed."
    lines = [json.dumps({"title": f"Bridge {n}", "text": text.format(n)}) for n in range(40)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    (folder / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (folder / "odd.jsonl").write_text(
        json.dumps({"title": "Odd \ud800", "text": "The governor said\u0000 taxes rose by 4%."})
        + "\n{not json\n",
        encoding="utf-8",
    )
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    return folder


def test_partly_readable_files_get_one_inputs_row_and_a_rerun_is_idempotent(tmp_path, nlp):
    """Issue 15: a file that gave documents, then failed, got an ok AND a skipped row: the
    inputs key refused the second, and every re-run crashed the same way."""
    from claimgraph.engine.local import analyze
    from claimgraph.store import Store

    folder = _hostile_folder(tmp_path)
    with Store(tmp_path / "h.db") as store:
        first = analyze([folder], store, nlp, model_name="test")
        again = analyze([folder], store, nlp, model_name="test")
        rows = {r["source"]: r for r in store.query("SELECT * FROM inputs")}
        texts = [r["text"] for r in store.query("SELECT text, title FROM documents")]
        runs = [r["status"] for r in store.query("SELECT status FROM runs ORDER BY id")]
    assert first.documents_added >= 3 and again.documents_added == 0
    assert again.documents_existing == first.documents_added and runs == ["done", "done"]
    cut = rows[str(folder / "cut.jsonl.gz")]
    assert cut["status"] == "partial" and "truncated gzip" in cut["reason"]
    assert rows[str(folder / "odd.jsonl#L2")]["status"] == "skipped"
    assert "symbolic link loop" in rows[str(folder / "loop.txt")]["reason"]
    assert {r["status"] for r in rows.values()} == {"ok", "partial", "skipped"}
    assert all("\x00" not in t for t in texts) and len(texts) == first.documents_added


def test_documents_a_concurrent_run_stored_first_are_not_counted_as_this_runs(
    sample_docs, tmp_path
):
    """Between this run's skip check and its write, another run stored a document: its claims
    and sentences are that run's, not this one's."""
    import copy

    from claimgraph.engine.local import RunSummary, _Counters, _write
    from claimgraph.link.embeddings import load_encoder
    from claimgraph.link.entities import merge_entity
    from claimgraph.link.stage import Linker
    from claimgraph.store import Store

    docs = copy.deepcopy(sorted(sample_docs.values(), key=lambda d: d.id)[:3])
    with Store(tmp_path / "c.db") as store:
        linker = Linker(store, encoder=load_encoder())
        other = copy.deepcopy(docs[:1])
        linker.claims(other)
        # The concurrent run wins the race for docs[0].
        store.write_documents(other, merge=merge_entity)
        summary = RunSummary(sentences=sum(len(d.sentences) for d in docs))
        run_id = store.start_run("analyze", "test")
        _write(docs, store, run_id, summary, _Counters(summary), linker)
    mine = docs[1:]
    assert docs[0].claims, "the raced document must have claims for this test to mean anything"
    assert (summary.documents_added, summary.documents_existing) == (2, 1)
    assert summary.claims == sum(len(d.claims) for d in mine)
    assert summary.sentences == sum(len(d.sentences) for d in mine)
    assert set(linker.added) == {c.id for d in mine for c in d.claims}
