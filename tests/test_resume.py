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

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
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
    out, _ = proc.communicate(timeout=600)
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
    assert [r[0] for r in runs] == ["running", "done", "done"]  # the killed run stays visible
