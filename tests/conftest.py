"""Shared fixtures: the sample corpus analysed once per test session, in memory and on disk.

With CLAIMGRAPH_TEST_DB=postgresql://user@host:port/db (`make test` sets it for its second
pass), every database path a test opens (tmp_path / "x.db", sample_db, `--db` in CLI tests)
becomes its own fresh PostgreSQL database on that server, dropped at the end: the same tests
check both stores. Tests marked `sqlite_only` test the SQLite file itself; `postgres_only` ones
need the server.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Built fact-check indexes go to a scratch cache, never the user's ~/.cache (subprocesses inherit).
# The process that made it removes it at exit: 11 MB a run otherwise piles up in /tmp.
if "CLAIMGRAPH_CACHE" not in os.environ:
    os.environ["CLAIMGRAPH_CACHE"] = tempfile.mkdtemp(prefix="claimgraph-test-cache-")
    atexit.register(shutil.rmtree, os.environ["CLAIMGRAPH_CACHE"], ignore_errors=True)
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ["COLUMNS"] = "200"  # Rich tables: no folding inside the strings tests look for

TEST_DB = os.environ.get("CLAIMGRAPH_TEST_DB", "")
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"
GOLD_PATH = SHARED / "gold" / "seeds.yaml"
# ../shared (gold, evaluation data) sits beside the repo on the project's machines; a clone
# elsewhere has none, and the tests that read it skip with this one line instead of failing.
SHARED_MISSING = (
    f"needs {SHARED}: the ../shared folder (gold, evaluation data) is not beside the repo"
)
# eval/ holds scripts, not a package; tests import them (and their shared eval/floors.py) by name.
sys.path.insert(0, str(REPO / "eval"))


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "sqlite_only(why): tests the SQLite file itself")
    config.addinivalue_line(
        "markers", "postgres_only: needs the PostgreSQL server of CLAIMGRAPH_TEST_DB"
    )
    config.addinivalue_line(
        "markers", "needs_shared: reads ../shared (gold, evaluation data); skipped without it"
    )


def pytest_collection_modifyitems(config, items) -> None:
    """Each pass runs the tests that apply to its store and deselects the others (they run in
    the other pass of `make test`), so no skip stands in for a test that never ran."""
    kept, other_pass = [], []
    for item in items:
        if not SHARED.exists() and item.get_closest_marker("needs_shared"):
            item.add_marker(pytest.mark.skip(reason=SHARED_MISSING))
        wrong_store = "sqlite_only" if TEST_DB else "postgres_only"
        if item.get_closest_marker(wrong_store):
            other_pass.append(item)
        else:
            kept.append(item)
    if other_pass:
        config.hook.pytest_deselected(items=other_pass)
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Where ../shared is absent, a test that stopped on a path inside it (FileNotFoundError,
    or a message naming it) is reported as skipped with one line naming the folder. Only the
    folder's absence counts: a file missing from a present ../shared still fails."""
    outcome = yield
    report = outcome.get_result()
    if SHARED.exists() or call.excinfo is None or not report.failed:
        return
    exc = call.excinfo.value
    text = f"{getattr(exc, 'filename', '') or ''} {exc}"
    if str(SHARED) in text or "../shared" in text:
        report.outcome = "skipped"
        report.longrepr = (
            str(item.path),
            (item.location[1] or 0) + 1,
            f"Skipped: {SHARED_MISSING}",
        )


@pytest.fixture(scope="session", autouse=True)
def database_server():
    """On the PostgreSQL pass: each database path becomes a fresh database on the test server."""
    if not TEST_DB:
        yield None
        return
    from claimgraph.store import database
    from claimgraph.store.postgres import ScratchDatabases

    with ScratchDatabases(TEST_DB) as scratch, pytest.MonkeyPatch.context() as patch:
        patch.setattr(database, "database_url", scratch.database_url)
        yield scratch


@pytest.fixture
def copy_database(database_server):
    """copy_database(src, dst) -> dst: a private copy of a test database to write to (the SQLite
    file with its WAL, or on the PostgreSQL pass a database made with src as its template)."""
    import shutil

    def copy(src, dst):
        if database_server is not None:
            database_server.copy(src, dst)
        else:
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{src}{suffix}").exists():
                    shutil.copy(f"{src}{suffix}", f"{dst}{suffix}")
        return Path(dst)

    return copy


@pytest.fixture
def connect_db():
    """connect_db(path) -> a DB-API style connection (execute/fetchall/commit) to that test
    database: the SQLite file itself, or its PostgreSQL twin on the PostgreSQL pass."""
    opened = []

    def connect(db):
        if not TEST_DB:
            import sqlite3

            conn = sqlite3.connect(db)
        else:
            conn = _PgConnection(db)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()


class _PgConnection:
    """sqlite3-like access to a PostgreSQL test database (`?` placeholders, autocommit)."""

    def __init__(self, db) -> None:
        from claimgraph.store import Store

        self._store = Store(db)
        self._conn = self._store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def execute(self, sql: str, params=()):
        if params:
            return self._conn.exec_driver_sql(sql.replace("?", "%s"), tuple(params))
        return self._conn.exec_driver_sql(sql)

    def commit(self) -> None:
        pass

    def close(self) -> None:
        self._conn.close()
        self._store.close()


@pytest.fixture(scope="session")
def gold() -> dict:
    """The acceptance spec; the sample ships in examples/, the spec lives in ../shared."""
    if not GOLD_PATH.exists():
        pytest.skip(SHARED_MISSING)
    return yaml.safe_load(GOLD_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def nlp():
    from claimgraph.annotate.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def sample_docs(nlp) -> dict:
    """File name -> Document, produced by the whole per-document pipeline."""
    from claimgraph.annotate import annotate_documents
    from claimgraph.ingest import read_paths
    from claimgraph.ingest.clean import clean_article
    from claimgraph.model import Document

    cleaned = [clean_article(a) for a in read_paths([EXAMPLES])]
    docs = [d for d in cleaned if isinstance(d, Document)]
    assert len(docs) == 5, cleaned
    return {Path(d.source).name: d for d in annotate_documents(docs, nlp)}


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory, nlp) -> Path:
    """The sample analysed into a fresh SQLite database by the default engine."""
    from claimgraph.annotate.nlp import model_info
    from claimgraph.engine.local import analyze
    from claimgraph.store import Store

    db = tmp_path_factory.mktemp("db") / "sample.db"
    with Store(db) as store:
        summary = analyze([EXAMPLES], store, nlp, model_name=model_info(nlp).describe())
    assert summary.documents_added == 5
    return db


@pytest.fixture(scope="session")
def linked_sample_db(tmp_path_factory, nlp) -> Path:
    """The sample analysed as `claimgraph analyze` does by default: with claims, claim vectors
    and narratives (the web app's and the browser tests' database)."""
    from claimgraph.annotate.nlp import model_info
    from claimgraph.engine.local import analyze
    from claimgraph.link.stage import Linker
    from claimgraph.store import Store

    db = tmp_path_factory.mktemp("linked") / "linked.db"
    with Store(db) as store:
        summary = analyze(
            [EXAMPLES], store, nlp, model_name=model_info(nlp).describe(), linker=Linker(store)
        )
    assert summary.documents_added == 5 and summary.narratives > 0
    return db
