"""The Ray engine stores exactly what the local engine stores, resumes cheaply, and is on the CLI.

One local Ray (2 annotation workers, a 128 MB object store) serves the whole module, so the
engine's own `ray_session` finds it running and reuses it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from claimgraph.annotate.nlp import model_info
from claimgraph.engine import local
from claimgraph.engine import ray as ray_engine
from claimgraph.link.embeddings import load_encoder
from claimgraph.link.stage import Linker
from claimgraph.store import Store

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
# Columns that say when a row was written, not what was found: they differ between any two runs.
CLOCK_COLUMNS = {
    "added_at",
    "seen_at",
    "started_at",
    "finished_at",
    "updated_at",
    "linked_at",
    "imported_at",
    "reviewed_at",
    "merged_at",
}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every table of the database (full-text shadow tables aside), rows sorted, floats rounded,
    vectors (float32 blobs) decoded, link state parsed; the paths of this run's inputs made
    relative."""
    from sqlalchemy import inspect

    store = Store(db)  # SQLite, or PostgreSQL on that pass
    conn = store.engine.connect()
    tables = sorted(
        n
        for n in inspect(conn).get_table_names()
        if not n.startswith("sqlite_") and "_fts" not in n
    )
    out: dict[str, list[tuple]] = {}
    for table in tables:
        cursor = conn.exec_driver_sql(f"SELECT * FROM {table}")
        names = list(cursor.keys())
        rows = []
        for row in cursor:
            values = []
            for name, value in zip(names, row, strict=True):
                # (PostgreSQL's `tsv` and `embedding` mirror `text` and `vector`, compared already)
                if name in CLOCK_COLUMNS or name in ("tsv", "embedding"):
                    continue
                if name in ("vector", "vector_sum") and isinstance(value, bytes | memoryview):
                    # float32 blobs (claim vectors, narrative sums): compared as numbers
                    value = tuple(np.frombuffer(value, dtype=np.float32).round(4).tolist())
                elif table == "link_state" and name == "value":
                    value = json.dumps(_rounded(json.loads(value)), sort_keys=True)
                values.append(_rounded(value))
            rows.append(tuple(values))
        out[table] = sorted(rows, key=repr)
    conn.close()
    store.close()
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """examples/ plus an empty file, a binary file and a reprint of one example."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in EXAMPLES.iterdir():
        shutil.copy(path, folder / path.name)
    shutil.copy(EXAMPLES / "002_133a9d732627dffb.txt", folder / "zz_reprint.txt")
    (folder / "empty.txt").write_text("")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 8)
    return folder


@pytest.fixture(scope="module")
def ray_cluster():
    with ray_engine.ray_session(workers=2, object_store_mb=128) as workers:
        yield workers


@pytest.fixture(scope="module")
def encoder():
    return load_encoder()


@pytest.fixture(scope="module")
def both(corpus, nlp, encoder, ray_cluster, tmp_path_factory):
    """The corpus analysed with linking by the local engine and by the Ray engine."""
    folder = tmp_path_factory.mktemp("dbs")
    summaries = {}
    for name in ("local", "ray"):
        with Store(folder / f"{name}.db") as store:
            linker = Linker(store, encoder=encoder)
            if name == "local":
                summaries[name] = local.analyze(
                    [corpus], store, nlp, model_name=model_info(nlp).describe(), linker=linker
                )
            else:
                summaries[name] = ray_engine.analyze(
                    [corpus], store, model_name=model_info(nlp).describe(), linker=linker
                )
    return folder / "local.db", folder / "ray.db", summaries


def _floats_apart(a: Any, b: Any, tolerance: float = 2e-4) -> bool:
    """Whether two dumped values differ by more than float noise: the encoder's vectors change
    in the 7th decimal with the other sentences of its batch (so a value rounded to 4 decimals
    can move one step), and the claim stage batches the
    documents one engine's chunk holds (a Ray actor's batch, the local engine's chunk)."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) > tolerance
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) != len(b) or any(_floats_apart(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) and isinstance(b, str) and a.startswith(("{", "[")):
        try:
            return _floats_apart(_flat(json.loads(a)), _flat(json.loads(b)))
        except ValueError:
            pass
    return a != b


def _flat(value: Any) -> list:
    if isinstance(value, dict):
        return [x for k in sorted(value) for x in ([k], _flat(value[k]))]
    if isinstance(value, list):
        return [x for v in value for x in ([v] if not isinstance(v, dict | list) else _flat(v))]
    return [value]


def assert_same_tables(expected: dict[str, list[tuple]], got: dict[str, list[tuple]]) -> None:
    """The same tables with the same rows, floats equal up to float noise."""
    assert set(expected) == set(got)
    for table in expected:
        assert len(got[table]) == len(expected[table]), f"table {table}: row count differs"
        if got[table] == expected[table]:
            continue
        # rows sorted by their repr can swap where a float differs in the 4th decimal
        mine = sorted(got[table], key=lambda r: repr([v for v in r if not isinstance(v, float)]))
        theirs = sorted(
            expected[table], key=lambda r: repr([v for v in r if not isinstance(v, float)])
        )
        for row, other in zip(mine, theirs, strict=True):
            assert not _floats_apart(row, other), f"table {table} differs: {row!r} vs {other!r}"


def test_ray_engine_stores_exactly_what_the_local_engine_stores(both):
    local_db, ray_db, _ = both
    expected, got = dump(local_db), dump(ray_db)
    assert_same_tables(expected, got)
    # the comparison covered real results, not empty tables
    for table in ("documents", "sentences", "mentions", "attributions", "signals", "dates"):
        assert expected[table], table
    assert len(expected["documents"]) == 5
    assert len(expected["claims"]) > 0 and len(expected["narratives"]) > 0
    assert len(expected["document_sources"]) == 6  # the reprint is a second source


def test_run_summaries_have_the_same_shape_and_figures(both):
    _, _, summaries = both
    local_summary, ray_summary = summaries["local"], summaries["ray"]
    assert type(ray_summary) is local.RunSummary
    for field in local.RunSummary.__slots__:
        if field not in ("seconds", "workers", "claim_thread"):
            assert getattr(ray_summary, field) == getattr(local_summary, field), field
    assert (local_summary.workers, ray_summary.workers) == (1, 2)
    assert ray_summary.documents_added == 5 and ray_summary.documents_existing == 1
    reasons = sorted((Path(s.source).name, s.reason) for s in ray_summary.skipped)
    assert reasons == [
        ("binary.html", "binary file (contains NUL bytes)"),
        ("empty.txt", "empty file"),
    ]


def test_rerun_skips_stored_documents_before_annotation(both, corpus, nlp, encoder):
    _, ray_db, _ = both
    before = dump(ray_db)
    with Store(ray_db) as store:
        summary = ray_engine.analyze(
            [corpus],
            store,
            model_name=model_info(nlp).describe(),
            linker=Linker(store, encoder=encoder),
        )
    assert summary.documents_added == 0 and summary.documents_existing == 6
    assert summary.sentences == 0 and summary.attributions == 0  # nothing was annotated again
    after = dump(ray_db)
    for table in ("documents", "sentences", "attributions", "claims", "narratives"):
        assert after[table] == before[table], table
    with Store(ray_db) as store:
        runs = store.query(
            "SELECT status, documents_added, documents_existing, inputs_skipped FROM runs "
            "ORDER BY id"
        )
    assert [tuple(r.values()) for r in runs] == [("done", 5, 1, 2), ("done", 0, 6, 2)]


def test_stored_ids_are_sorted_fixed_width_bytes(both):
    local_db, _, _ = both
    with Store(local_db) as store:
        ids = ray_engine.stored_ids(store)
        assert sorted(store.document_ids()) == [i.decode() for i in ids]
    assert list(ids) == sorted(ids) and ids.dtype.kind == "S"


def test_cli_engine_ray_and_unknown_engine(tmp_path, connect_db):
    db = tmp_path / "cli.db"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
    from claimgraph.store import database  # on the PostgreSQL pass: the database db stands for

    target = database.database_url(db) if os.environ.get("CLAIMGRAPH_TEST_DB") else str(db)
    cmd = [sys.executable, "-m", "claimgraph.cli", "analyze", "--db", target, "--quiet"]
    bad = subprocess.run(
        [*cmd, str(EXAMPLES), "--engine", "spark"], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 2 and "Unknown engine" in bad.stderr
    done = subprocess.run(
        [
            *cmd,
            str(EXAMPLES / "004_7744a640d6660c16.txt"),
            "--engine",
            "ray",
            "--workers",
            "1",
            "--no-link",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "documents added" in done.stdout
    conn = connect_db(db)
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0] > 5
    assert "Qassem al-Kuraiti" in conn.execute("SELECT text FROM documents").fetchone()[0]
