"""Reading and writing the claimgraph database.

SQLite by default: one file a researcher can copy, open in datasette or pandas, and share;
PostgreSQL (`--db postgresql://user@host/db`) when a team shares one server. Both get the same
schema and the same answers; dialect code lives in postgres.py. Writes go in one transaction per
batch of documents, so an interrupted run leaves whole documents or nothing, and a re-run (ids
are content hashes) adds nothing twice. Writers queue on one lock (BEGIN IMMEDIATE on SQLite, an
advisory lock on PostgreSQL), so concurrent runs never store a document twice.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, Table, bindparam, create_engine, event, func, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import Insert

from claimgraph.annotate.entities import alias_key
from claimgraph.model import Attribution, Document, EntityMerger, content_id
from claimgraph.store import postgres
from claimgraph.store import schema as s
from claimgraph.store.entities import resolve_entities

DEFAULT_DB = "claimgraph.db"
# meta key prefix: which process owns a running run ("host pid"), removed when it finishes.
RUN_OWNER = "run_owner."


def _process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine (signal 0 checks, sends nothing)."""
    if os.name != "posix":
        return True  # cannot tell: never call another platform's run dead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by another user
    return True


def attribution_id(document_id: str, att: Attribution) -> str:
    """Stable id of a relation. One content can rest on several speakers ("Asia News Agency and
    Fars News Agency report that ..."), so the speaker is part of the relation's identity."""
    who = att.speaker_entity_key or att.speaker_description or att.source_start
    return content_id(document_id, f"{att.kind}:{att.start}:{att.end}:{who}", prefix="att")


class SearchSyntaxError(ValueError):
    """The user's full-text query could not be parsed (reported as a 400, never a crash)."""


class SearchTooCostly(SearchSyntaxError):
    """A full-text query past the cost bound (length, terms, prefixes or time): a 400 too, so
    one visitor's 1,500-prefix NEAR() cannot hold a core for a minute."""


class ReadOnlyStore(RuntimeError):
    """A write was attempted through a Store opened with read_only=True."""


# The cost bound of one full-text search: FTS5 expands every prefix term against the whole
# index (600 prefixes took 7.8 s, a NEAR() of 1,500 over a minute), so prefixes are few;
# the time limit catches whatever the counts let through.
SEARCH_MAX_CHARS = 1000
SEARCH_MAX_TERMS = 64
SEARCH_MAX_PREFIXES = 8
SEARCH_SECONDS = 2.0
_SEARCH_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


def check_search_cost(query: str) -> None:
    """Refuse a full-text query over the bounds above with a message that names the bound."""
    if len(query) > SEARCH_MAX_CHARS:
        raise SearchTooCostly(
            f"search too long: {len(query)} characters (at most {SEARCH_MAX_CHARS})"
        )
    words = [w for w in re.findall(r"\w+", query) if w not in _SEARCH_OPERATORS]
    if len(words) > SEARCH_MAX_TERMS:
        raise SearchTooCostly(f"search has {len(words)} terms (at most {SEARCH_MAX_TERMS})")
    prefixes = query.count("*")
    if prefixes > SEARCH_MAX_PREFIXES:
        raise SearchTooCostly(f"search has {prefixes} prefix terms (at most {SEARCH_MAX_PREFIXES})")


class StaleLinkState(RuntimeError):
    """Another run saved the narrative index since this one loaded it (compare-and-swap lost)."""


class SchemaTooNew(RuntimeError):
    """The database was written by a newer claimgraph."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def database_url(db: str | Path) -> str:
    """A path means a SQLite file; a URL (sqlite://, postgresql://) is used as given."""
    db = str(db)
    if "://" in db:
        return postgres.normalise_url(db)
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def store_exists(db: str | Path) -> bool:
    """Whether `db` already holds a claimgraph store, without creating one: read-only commands
    (report, serve) must say "run analyze first" rather than write an empty database."""
    url = database_url(db)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if not path.exists():
            return False
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return sa_inspect(conn).has_table("meta")
    finally:
        engine.dispose()


def _set_wal(cur: Any, patience_s: float = 60.0) -> None:
    """Switch to WAL, retrying while another connection holds the file: SQLite answers
    "database is locked" to this pragma without consulting the busy handler when several
    processes open a brand-new file at once (a rare flake of the concurrent-open test)."""
    deadline = time.monotonic() + patience_s
    delay = 0.01
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Manage transactions ourselves so a batch takes the write lock up front (BEGIN
        # IMMEDIATE): two analyze processes then queue instead of failing mid-batch.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        _set_wal(cur)
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _sqlite_read_engine(url: str) -> Engine:
    """Connections that can only read (`mode=ro`, `query_only`) and never BEGIN IMMEDIATE: each
    statement is its own read transaction on a WAL snapshot, so readers (the web app, show,
    export) never hold the write lock and a running `analyze` never waits for them."""
    import sqlite3

    path = url[len("sqlite:///") :]

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            f"file:{quote(path)}?mode=ro", uri=True, timeout=60, check_same_thread=False
        )

    engine = create_engine(url, creator=connect)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # autocommit: no BEGIN, a SELECT locks nothing
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA query_only = ON")
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.close()

    return engine


@contextmanager
def _interrupt_after(dbapi_conn: Any, seconds: float) -> Iterator[None]:
    """Abort the SQLite statement running on `dbapi_conn` after `seconds` (sqlite3's
    interrupt() is safe from another thread; a late one is a no-op once nothing runs)."""
    timer = threading.Timer(seconds, dbapi_conn.interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


# ---------------------------------------------------------------------------------------------
# Migrations: each step takes the schema from version N-1 to N. Never edit a released step;
# append a new one.


def _migration_1(conn: Connection) -> None:
    s.metadata.create_all(conn)
    dialect = conn.dialect.name
    agg = "group_concat" if dialect == "sqlite" else "string_agg"
    for name, sql in s.VIEWS.items():
        conn.exec_driver_sql(f"CREATE VIEW {name} AS {sql.format(agg=agg)}")
    if dialect == "postgresql":
        postgres.create_search_columns(conn)
    elif dialect == "sqlite":
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE sentences_fts USING fts5(text, content='sentences', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER sentences_fts_insert AFTER INSERT ON sentences BEGIN "
            "INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER sentences_fts_delete AFTER DELETE ON sentences BEGIN "
            "INSERT INTO sentences_fts(sentences_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); END"
        )
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', "
            "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN "
            "INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN "
            "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
            "VALUES ('delete', old.rowid, old.title, old.text); END"
        )


def _migration_2(conn: Connection) -> None:
    """Fact-checks, their links, claim vectors, user reviews; per-sentence language."""
    for table in (s.factchecks, s.factcheck_links, s.claim_vectors, s.claim_reviews):
        table.create(conn, checkfirst=True)
        for index in table.indexes:
            index.create(conn, checkfirst=True)
    columns = {c["name"] for c in sa_inspect(conn).get_columns("sentences")}
    if "language" not in columns:
        conn.exec_driver_sql("ALTER TABLE sentences ADD COLUMN language VARCHAR(8)")
    if conn.dialect.name == "postgresql":
        postgres.ensure_pgvector(conn)  # optional: only where the server has the extension


def _migration_3(conn: Connection) -> None:
    """Fact-check links get a tier: links written before were all above the cut-offs."""
    columns = {c["name"] for c in sa_inspect(conn).get_columns("factcheck_links")}
    if "tier" not in columns:
        conn.exec_driver_sql(
            "ALTER TABLE factcheck_links ADD COLUMN tier VARCHAR(16) NOT NULL DEFAULT 'confident'"
        )


def _migration_4(conn: Connection) -> None:
    """Attributions get the timecodes of transcript turns (null for everything before)."""
    columns = {c["name"] for c in sa_inspect(conn).get_columns("attributions")}
    for name in ("timecode", "timecode_end"):
        if name not in columns:
            conn.exec_driver_sql(f"ALTER TABLE attributions ADD COLUMN {name} VARCHAR(32)")


def _migration_5(conn: Connection) -> None:
    """Attributions record what found them (null: written before the trained tagger existed,
    by the rules)."""
    columns = {c["name"] for c in sa_inspect(conn).get_columns("attributions")}
    if "extractor" not in columns:
        conn.exec_driver_sql("ALTER TABLE attributions ADD COLUMN extractor VARCHAR(64)")


def _migration_6(conn: Connection) -> None:
    """Narratives as one assertion about the same actors and act (issue 12): the old index (a
    JSON value in link_state) is dropped and every claim goes back to the linker, which
    regroups them on the next `analyze` from the stored vectors (nothing is re-embedded)."""
    inspector = sa_inspect(conn)
    for table, columns in (
        ("narratives", (("outlet_count", "INTEGER"), ("undated", "INTEGER"), ("anchors", "TEXT"))),
        ("claim_vectors", (("ann_key", "INTEGER"), ("anchors", "TEXT"))),
    ):
        have = {c["name"] for c in inspector.get_columns(table)}
        for name, kind in columns:
            if name not in have:
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
    s.narrative_merges.create(conn, checkfirst=True)
    s.narrative_vectors.create(conn, checkfirst=True)
    for index in (*s.claim_vectors.indexes, *s.narratives.indexes):
        index.create(conn, checkfirst=True)
    conn.execute(s.link_state.delete().where(s.link_state.c.key.like("narrative_index%")))
    conn.execute(s.narratives.delete())
    conn.execute(s.claims.update().values(narrative_id=None))


def _migration_7(conn: Connection) -> None:
    """One definition of a speaker (issue 14): the `speakers` view lists every speaker the read
    model does (named with or without an entity, and unnamed sources), from `speaker_stats`,
    which a trigger keeps on every attribution written; filled here from what is stored."""
    s.speaker_stats.create(conn, checkfirst=True)
    for index in s.speaker_stats.indexes:
        index.create(conn, checkfirst=True)
    # (raw SQL: SQLAlchemy cannot reflect expression indexes to check for them)
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_entities_name_lower ON entities (LOWER(name))"
    )
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_entity_aliases_alias_lower ON entity_aliases (LOWER(alias))"
    )
    dialect = conn.dialect.name
    agg = "group_concat" if dialect == "sqlite" else "string_agg"
    conn.exec_driver_sql("DROP VIEW IF EXISTS speakers")
    conn.exec_driver_sql(f"CREATE VIEW speakers AS {s.VIEWS['speakers'].format(agg=agg)}")
    _speaker_stats_trigger(conn)
    conn.execute(s.speaker_stats.delete())
    a_key = s.speaker_key_sql("a")
    conn.exec_driver_sql(
        "INSERT INTO speaker_stats "
        "(id, entity_id, anonymous, attributions, documents, direct_quotes) "
        f"SELECT {a_key}, MIN(a.speaker_entity_id), "
        "MAX(CASE WHEN a.anonymous THEN 1 ELSE 0 END) = 1, COUNT(*), "
        "COUNT(DISTINCT a.document_id), SUM(CASE WHEN a.kind = 'direct' THEN 1 ELSE 0 END) "
        f"FROM attributions a WHERE {s.is_speaker_sql('a')} GROUP BY {a_key}"
    )


def _speaker_stats_trigger(conn: Connection, also: str = "") -> None:
    """(Re)create the trigger that keeps `speaker_stats` on every attribution written; `also`:
    more assignments for its UPDATE, each ending in ", " (a later version's counts)."""
    dialect = conn.dialect.name
    key = s.speaker_key_sql("NEW")
    same_document = (
        "EXISTS (SELECT 1 FROM attributions x WHERE x.document_id = NEW.document_id "
        f"AND x.id <> NEW.id AND {s.speaker_key_sql('x')} = {{key}})"
    )
    update = (
        f"UPDATE speaker_stats SET {also}attributions = attributions + 1, "
        "direct_quotes = direct_quotes + CASE WHEN NEW.kind = 'direct' THEN 1 ELSE 0 END, "
        "anonymous = (anonymous OR NEW.anonymous), "
        f"documents = documents + CASE WHEN {same_document} THEN 0 ELSE 1 END "
        "WHERE id = {key}"
    )
    if dialect == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS speaker_stats_insert")
        conn.exec_driver_sql(
            "CREATE TRIGGER speaker_stats_insert AFTER INSERT ON attributions "
            f"WHEN {s.is_speaker_sql('NEW')} BEGIN "
            "INSERT OR IGNORE INTO speaker_stats "
            "(id, entity_id, anonymous, attributions, documents, direct_quotes) "
            f"VALUES ({key}, NEW.speaker_entity_id, 0, 0, 0, 0); "
            f"{update.format(key=key)}; END"
        )
    else:
        conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION speaker_stats_insert() RETURNS trigger AS $$ "
            f"DECLARE k text := {key}; BEGIN "
            "IF k IS NULL THEN RETURN NULL; END IF; "
            "INSERT INTO speaker_stats "
            "(id, entity_id, anonymous, attributions, documents, direct_quotes) "
            "VALUES (k, NEW.speaker_entity_id, false, 0, 0, 0) ON CONFLICT (id) DO NOTHING; "
            f"{update.format(key='k')}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS speaker_stats_insert ON attributions")
        conn.exec_driver_sql(
            "CREATE TRIGGER speaker_stats_insert AFTER INSERT ON attributions "
            "FOR EACH ROW EXECUTE FUNCTION speaker_stats_insert()"
        )


def _migration_8(conn: Connection) -> None:
    """Claims keep who does what to whom (issue 12: claim_vectors.roles, written when a claim
    is indexed). Claims indexed before have none (an unknown frame) until `claimgraph relink`."""
    have = {c["name"] for c in sa_inspect(conn).get_columns("claim_vectors")}
    if "roles" not in have:
        conn.exec_driver_sql("ALTER TABLE claim_vectors ADD COLUMN roles TEXT")


def _migration_9(conn: Connection) -> None:
    """Attributions say what they report (statement, position or act; null for those written
    before), and each speaker counts their statements apart (0 for what was written before)."""
    have = {c["name"] for c in sa_inspect(conn).get_columns("attributions")}
    if "reports" not in have:
        conn.exec_driver_sql("ALTER TABLE attributions ADD COLUMN reports VARCHAR(16)")
    have = {c["name"] for c in sa_inspect(conn).get_columns("speaker_stats")}
    if "statements" not in have:
        conn.exec_driver_sql(
            "ALTER TABLE speaker_stats ADD COLUMN statements INTEGER NOT NULL DEFAULT 0"
        )
    agg = "group_concat" if conn.dialect.name == "sqlite" else "string_agg"
    for view in ("speakers", "attribution_details"):
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {view}")
        conn.exec_driver_sql(f"CREATE VIEW {view} AS {s.VIEWS[view].format(agg=agg)}")
    _speaker_stats_trigger(
        conn, "statements = statements + CASE WHEN NEW.reports = 'statement' THEN 1 ELSE 0 END, "
    )


def _migration_10(conn: Connection) -> None:
    """Acronyms keep their doubled letters in alias keys ("DCCC" had the key of "D.C." and
    joined Washington's entity): every stored alias gets the key claimgraph computes now, so a
    later run finds it. Entities merged that way stay merged until their documents are
    analysed again."""
    t = s.entity_aliases
    rows = conn.execute(select(t.c.entity_id, t.c.alias, t.c.alias_key)).all()
    changed = [
        {"e": entity_id, "a": alias, "k": alias_key(alias)}
        for entity_id, alias, key in rows
        if alias_key(alias) != key
    ]
    if changed:
        conn.execute(
            t.update()
            .where(t.c.entity_id == bindparam("e"), t.c.alias == bindparam("a"))
            .values(alias_key=bindparam("k")),
            changed,
        )


MIGRATIONS = {
    1: _migration_1,
    2: _migration_2,
    3: _migration_3,
    4: _migration_4,
    5: _migration_5,
    6: _migration_6,
    7: _migration_7,
    8: _migration_8,
    9: _migration_9,
    10: _migration_10,
}
assert max(MIGRATIONS) == s.SCHEMA_VERSION


class Store:
    """The one place that knows SQL; every other stage talks plain data to it."""

    def __init__(self, db: str | Path = DEFAULT_DB, read_only: bool = False) -> None:
        """`read_only`: for commands and the web app that only read. Its connections cannot
        write and take no write lock (SQLite `mode=ro`; PostgreSQL read-only transactions); a
        database on an older schema is upgraded first by one short write, as before."""
        self.url = database_url(db)
        self.read_only = read_only
        self.search_seconds = SEARCH_SECONDS
        backend = make_url(self.url).get_backend_name()
        if read_only and backend in ("sqlite", "postgresql"):
            if not self._schema_current():
                Store(db).close()  # create or migrate once, then read without the lock
            self.engine = (
                _sqlite_read_engine(self.url)
                if backend == "sqlite"
                else postgres.make_engine(self.url, read_only=True)
            )
            self.dialect: str = self.engine.dialect.name
            self.pgvector = self.dialect == "postgresql" and self._has_pgvector()
            return
        if backend == "sqlite":
            self.engine = _sqlite_engine(self.url)
        elif backend == "postgresql":
            self.engine = postgres.make_engine(self.url)
        else:
            raise ValueError(
                f"Unsupported database URL {self.display_url!r}: claimgraph stores to SQLite "
                "files (a path) or PostgreSQL (postgresql://user@host/db)."
            )
        self.dialect = self.engine.dialect.name
        self.migrate()
        # pgvector serves nearest_claims where the server has it; elsewhere usearch does.
        self.pgvector = False
        if self.dialect == "postgresql":
            with self.engine.connect() as conn:
                self.pgvector = postgres.has_embedding_column(conn)
                can_add = not self.pgvector and postgres.vector_available(conn)
            if can_add:  # the server gained pgvector since this database was made
                with self.writing() as conn:
                    self.pgvector = postgres.ensure_pgvector(conn)

    def _schema_current(self) -> bool:
        """Whether the database exists at this claimgraph's schema version (read without a
        lock, through a throwaway connection)."""
        if self.url.startswith("sqlite:///") and not Path(self.url[len("sqlite:///") :]).exists():
            return False
        from sqlalchemy.pool import NullPool

        probe = create_engine(self.url, poolclass=NullPool)
        try:
            with probe.connect() as conn:
                if not sa_inspect(conn).has_table("meta"):
                    return False
                row = conn.execute(
                    select(s.meta.c.value).where(s.meta.c.key == "schema_version")
                ).first()
        finally:
            probe.dispose()
        return row is not None and int(row[0]) == s.SCHEMA_VERSION

    def _has_pgvector(self) -> bool:
        with self.engine.connect() as conn:
            return postgres.has_embedding_column(conn)

    @property
    def display_url(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction that holds the database's one writer lock until it ends.

        SQLite takes it with BEGIN IMMEDIATE (the engine's begin hook); PostgreSQL with a
        transaction-level advisory lock. Two `analyze` runs then queue instead of both
        numbering sentences, resolving entities or storing the same document at once.
        """
        if self.read_only:
            raise ReadOnlyStore(f"{self.display_url} was opened read-only")
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                postgres.lock_writers(conn)
            yield conn

    def _insert_ignore(self, table: Table) -> Insert:
        """INSERT that skips rows whose key is already there (ON CONFLICT DO NOTHING)."""
        dialect = pg_dialect if self.dialect == "postgresql" else sqlite_dialect
        return dialect.insert(table).on_conflict_do_nothing()

    @property
    def _like(self) -> str:
        """Case-insensitive LIKE, as SQLite's LIKE is for ASCII."""
        return "ILIKE" if self.dialect == "postgresql" else "LIKE"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            if not sa_inspect(conn).has_table("meta"):
                return 0
            row = conn.execute(
                select(s.meta.c.value).where(s.meta.c.key == "schema_version")
            ).first()
            return int(row[0]) if row else 0

    def migrate(self) -> int:
        if self.dialect == "postgresql" and self.schema_version() == s.SCHEMA_VERSION:
            return s.SCHEMA_VERSION  # up to date: opening to read never waits for a writer
        with self.writing() as conn:  # two processes opening a new database migrate it once
            current = 0
            if sa_inspect(conn).has_table("meta"):
                row = conn.execute(
                    select(s.meta.c.value).where(s.meta.c.key == "schema_version")
                ).first()
                current = int(row[0]) if row else 0
            if current > s.SCHEMA_VERSION:
                raise SchemaTooNew(
                    f"{self.display_url} has schema version {current}; this claimgraph knows up to "
                    f"{s.SCHEMA_VERSION}. Upgrade claimgraph."
                )
            for version in range(current + 1, s.SCHEMA_VERSION + 1):
                MIGRATIONS[version](conn)
                conn.execute(s.meta.delete().where(s.meta.c.key == "schema_version"))
                conn.execute(s.meta.insert().values(key="schema_version", value=str(version)))
            return s.SCHEMA_VERSION

    # -- runs and inputs ---------------------------------------------------------------------

    def start_run(self, command: str, model: str) -> int:
        """A new `running` row, owned by this process (meta `run_owner.ID` = "host pid").

        Runs left `running` by a process of this host that no longer exists (killed, crashed
        machine) become `interrupted` first: only a live run shows as running.
        """
        with self.writing() as conn:
            self._mark_interrupted(conn)
            result = conn.execute(
                s.runs.insert().values(
                    started_at=now(), command=command, model=model, status="running"
                )
            )
            run_id = int(result.inserted_primary_key[0])
            owner = f"{socket.gethostname()} {os.getpid()}"
            conn.execute(s.meta.insert().values(key=f"{RUN_OWNER}{run_id}", value=owner))
            return run_id

    @staticmethod
    def _mark_interrupted(conn: Connection) -> None:
        """`running` runs whose owning process on this host is gone -> `interrupted`."""
        host = socket.gethostname()
        running = [
            r[0] for r in conn.execute(select(s.runs.c.id).where(s.runs.c.status == "running"))
        ]
        for run_id in running:
            key = f"{RUN_OWNER}{run_id}"
            owner = conn.execute(select(s.meta.c.value).where(s.meta.c.key == key)).scalar()
            owner_host, _, pid = (owner or "").rpartition(" ")
            if owner_host != host or not pid.isdigit() or _process_alive(int(pid)):
                continue  # another machine's run, one from before owners, or still running
            conn.execute(
                s.runs.update()
                .where(s.runs.c.id == run_id, s.runs.c.status == "running")
                .values(status="interrupted", finished_at=now())
            )
            conn.execute(s.meta.delete().where(s.meta.c.key == key))

    def finish_run(self, run_id: int, status: str, added: int, existing: int, skipped: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(s.meta.delete().where(s.meta.c.key == f"{RUN_OWNER}{run_id}"))
            conn.execute(
                s.runs.update()
                .where(s.runs.c.id == run_id)
                .values(
                    finished_at=now(),
                    status=status,
                    documents_added=added,
                    documents_existing=existing,
                    inputs_skipped=skipped,
                )
            )

    def record_inputs(self, rows: Iterable[dict[str, Any]], run_id: int | None) -> None:
        """One row per source (the last word on a source wins), replacing an earlier run's."""
        stamp = now()
        by_source = {r["source"]: {**r, "run_id": run_id, "seen_at": stamp} for r in rows}
        rows = list(by_source.values())
        if not rows:
            return
        with self.writing() as conn:
            for row in rows:
                conn.execute(s.inputs.delete().where(s.inputs.c.source == row["source"]))
            conn.execute(s.inputs.insert(), rows)

    # -- documents ---------------------------------------------------------------------------

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        found: set[str] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                found.update(
                    r[0]
                    for r in conn.execute(
                        select(s.documents.c.id).where(s.documents.c.id.in_(chunk))
                    )
                )
        return found

    def add_sources(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember that an already-stored document was also found at another source."""
        pairs = list(pairs)
        if not pairs:
            return
        with self.writing() as conn:
            conn.execute(
                self._insert_ignore(s.document_sources),
                [{"document_id": d, "source": src} for d, src in dict.fromkeys(pairs)],
            )

    def write_documents(
        self, docs: list[Document], run_id: int | None = None, *, merge: EntityMerger
    ) -> int:
        """Write fully annotated documents in one transaction; returns how many were new.

        `merge` decides which corpus entity each document entity is (linking's decision,
        `claimgraph.link.entities.merge_entity`); the store applies it in the transaction."""
        return len(self.store_documents(docs, run_id, merge=merge))

    def store_documents(
        self, docs: list[Document], run_id: int | None = None, *, merge: EntityMerger
    ) -> set[str]:
        """`write_documents`, returning the ids this call stored: a concurrent run may have
        stored some of `docs` first, and their claims are then not this run's to count."""
        if not docs:
            return set()
        with self.writing() as conn:
            existing = {
                r[0]
                for r in conn.execute(
                    select(s.documents.c.id).where(s.documents.c.id.in_([d.id for d in docs]))
                )
            }
            fresh = [d for d in docs if d.id not in existing]
            seen: set[str] = set()
            fresh = [d for d in fresh if not (d.id in seen or seen.add(d.id))]
            next_sentence = (conn.execute(select(func.max(s.sentences.c.id))).scalar() or 0) + 1
            for doc in fresh:
                next_sentence = self._write_document(conn, doc, run_id, next_sentence, merge)
            if self.dialect == "postgresql" and next_sentence > 1:
                # Sentence ids are numbered here, not by the sequence: keep it ahead of them.
                conn.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('sentences', 'id'), "
                    f"{int(next_sentence) - 1})"
                )
            again = list(dict.fromkeys((d.id, d.source) for d in docs if d.id in existing))
            if again:
                conn.execute(
                    self._insert_ignore(s.document_sources),
                    [{"document_id": d, "source": src} for d, src in again],
                )
            return {d.id for d in fresh}

    def _write_document(
        self,
        conn: Connection,
        doc: Document,
        run_id: int | None,
        first_sentence: int,
        merge: EntityMerger,
    ) -> int:
        conn.execute(
            s.documents.insert().values(
                id=doc.id,
                title=doc.title,
                date=doc.date,
                date_source=doc.date_source,
                date_earliest=doc.date_earliest,
                date_latest=doc.date_latest,
                date_estimated=doc.date_estimated,
                url=doc.url,
                outlet=doc.outlet,
                outlet_source=doc.outlet_source,
                authors=json.dumps(doc.authors, ensure_ascii=False),
                byline=doc.byline,
                language=doc.language,
                source=doc.source,
                word_count=len(doc.text.split()),
                text=doc.text,
                meta=json.dumps(doc.meta, ensure_ascii=False, default=str),
                run_id=run_id,
                added_at=now(),
            )
        )
        conn.execute(s.document_sources.insert().values(document_id=doc.id, source=doc.source))
        if doc.removed:
            conn.execute(
                s.furniture.insert(),
                [
                    {"document_id": doc.id, "position": i, "text": r.text, "reason": r.reason}
                    for i, r in enumerate(doc.removed)
                ],
            )
        sentence_ids = list(range(first_sentence, first_sentence + len(doc.sentences)))
        if doc.sentences:
            conn.execute(
                s.sentences.insert(),
                [
                    {
                        "id": sid,
                        "document_id": doc.id,
                        "position": i,
                        "start_char": sent.start,
                        "end_char": sent.end,
                        "text": sent.text,
                        "language": sent.language,
                    }
                    for i, (sid, sent) in enumerate(zip(sentence_ids, doc.sentences, strict=True))
                ],
            )
        starts = [sent.start for sent in doc.sentences]

        def sentence_of(offset: int | None) -> int | None:
            if offset is None or not starts:
                return None
            i = bisect.bisect_right(starts, offset) - 1
            return sentence_ids[i] if i >= 0 else None

        entity_ids = resolve_entities(conn, doc, merge)
        if doc.mentions:
            conn.execute(
                s.mentions.insert(),
                [
                    {
                        "document_id": doc.id,
                        "entity_id": entity_ids[m.entity_key],
                        "sentence_id": sentence_of(m.start),
                        "start_char": m.start,
                        "end_char": m.end,
                        "text": m.text,
                        "label": m.label,
                    }
                    for m in doc.mentions
                    if m.entity_key in entity_ids
                ],
            )
        if doc.dates:
            conn.execute(
                s.dates.insert(),
                [
                    {
                        "document_id": doc.id,
                        "sentence_id": sentence_of(m.start),
                        "start_char": m.start,
                        "end_char": m.end,
                        "text": m.text,
                        "earliest": m.earliest,
                        "latest": m.latest,
                        "precision": m.precision,
                        "relative": m.relative,
                        "estimated": m.estimated,
                    }
                    for m in doc.dates
                ],
            )
        signal_rows = [
            {
                "document_id": doc.id,
                "attribution_id": None,
                "sentence_id": sentence_of(sig.start),
                "scope": sig.scope,
                "type": sig.type,
                "text": sig.text,
                "start_char": sig.start,
                "end_char": sig.end,
                "detail": sig.detail,
            }
            for sig in doc.signals
        ]
        # One statement for all of a document's attributions (and one for their outlets),
        # not one built per attribution: same rows, in the same order.
        written: set[str] = set()
        attribution_rows: list[dict[str, Any]] = []
        via_rows: list[dict[str, Any]] = []
        for att in doc.attributions:
            att_id = attribution_id(doc.id, att)
            if att_id in written:
                continue
            written.add(att_id)
            attribution_rows.append(
                {
                    "id": att_id,
                    "document_id": doc.id,
                    "sentence_id": sentence_of(att.start),
                    "kind": att.kind,
                    "speaker": att.speaker,
                    "speaker_entity_id": entity_ids.get(att.speaker_entity_key or ""),
                    "anonymous": att.anonymous,
                    "speaker_description": att.speaker_description,
                    "role": att.role,
                    "cue": att.cue,
                    "cue_start": att.cue_start,
                    "cue_end": att.cue_end,
                    "source_text": att.source_text,
                    "source_start": att.source_start,
                    "source_end": att.source_end,
                    "content": att.content,
                    "start_char": att.start,
                    "end_char": att.end,
                    "date": att.date,
                    "timecode": att.timecode,
                    "timecode_end": att.timecode_end,
                    "extractor": att.extractor,
                    "reports": att.reports,
                }
            )
            via_rows.extend(
                {
                    "attribution_id": att_id,
                    "position": pos,
                    "outlet": outlet,
                    "entity_id": self._lookup_entity(conn, outlet),
                }
                for pos, outlet in enumerate(att.via)
            )
            signal_rows.extend(
                {
                    "document_id": doc.id,
                    "attribution_id": att_id,
                    "sentence_id": sentence_of(sig.start if sig.start is not None else att.start),
                    "scope": "attribution",
                    "type": sig.type,
                    "text": sig.text,
                    "start_char": sig.start,
                    "end_char": sig.end,
                    "detail": sig.detail,
                }
                for sig in att.signals
            )
        if attribution_rows:
            conn.execute(s.attributions.insert(), attribution_rows)
        if via_rows:
            conn.execute(s.attribution_via.insert(), via_rows)
        if signal_rows:
            conn.execute(s.signals.insert(), signal_rows)
        if doc.claims:
            conn.execute(
                s.claims.insert(),
                [
                    {
                        "id": c.id,
                        "document_id": doc.id,
                        "attribution_id": None
                        if c.attribution_index is None
                        else attribution_id(doc.id, doc.attributions[c.attribution_index]),
                        "sentence_id": sentence_of(c.start),
                        "text": c.text,
                        "start_char": c.start,
                        "end_char": c.end,
                        "checkworthiness": float(c.checkworthiness),
                        "scored_by": c.scored_by,
                        "date": c.date,
                        "date_precision": c.date_precision,
                        "speaker": c.speaker,
                        "speaker_entity_id": entity_ids.get(c.speaker_entity_key or ""),
                        "outlet": c.outlet,
                        "anonymous": c.anonymous,
                        "hedged": c.hedged,
                        "evidence_not_shown": c.evidence_not_shown,
                        "signal_types": json.dumps(c.signal_types),
                        "narrative_id": None,
                    }
                    for c in doc.claims
                ],
            )
        return first_sentence + len(doc.sentences)

    @staticmethod
    def _lookup_entity(conn: Connection, name: str) -> str | None:
        rows = conn.execute(
            select(s.entity_aliases.c.entity_id).where(
                s.entity_aliases.c.alias_key == alias_key(name)
            )
        ).all()
        return Counter(r[0] for r in rows).most_common(1)[0][0] if rows else None

    # -- cross-document state ----------------------------------------------------------------

    def link_state(self, key: str) -> dict[str, Any] | None:
        return self.link_state_revision(key)[0]

    def link_state_revision(self, key: str) -> tuple[dict[str, Any] | None, int]:
        """The saved state and its revision, read in one statement (one consistent snapshot):
        `save_narratives` only accepts a save made from the revision it replaces."""
        revision_key = f"{key}:revision"
        with self.engine.connect() as conn:
            rows = dict(
                conn.execute(
                    select(s.link_state.c.key, s.link_state.c.value).where(
                        s.link_state.c.key.in_([key, revision_key])
                    )
                ).all()
            )
        state = json.loads(rows[key]) if key in rows else None
        return state, int(rows.get(revision_key) or 0)

    def save_narratives(
        self,
        state_key: str,
        settings: dict[str, Any],
        narratives: list[Any],
        assignments: dict[str, str],
        expected_revision: int | None = None,
        *,
        merged: dict[str, str] | None = None,
        touched: Iterable[str] = (),
        index_rows: dict[str, tuple[int, list[str], dict[str, Any] | None]] | None = None,
        sums: dict[str, tuple[bytes, int]] | None = None,
    ) -> int:
        """Save what changed in the narratives, atomically: the index settings (small JSON),
        the rows of `touched` candidates (replaced by `narratives`, those big enough to report),
        merged ids, claims' narrative ids (`assignments`) and neighbour-index keys and anchors
        (`index_rows`: claim id -> (ann_key, anchors, roles)).

        With `expected_revision`, this is a compare-and-swap: if another run saved since that
        revision was read, nothing is written and `StaleLinkState` is raised, so two concurrent
        `analyze` runs cannot drop each other's claims from the index. Returns the new revision.
        """
        from claimgraph.store import narratives as stored

        stamp = now()
        revision_key = f"{state_key}:revision"
        with self.writing() as conn:  # the one-writer lock: nobody saves between read and write
            row = conn.execute(
                select(s.link_state.c.value).where(s.link_state.c.key == revision_key)
            ).first()
            current = int(row[0]) if row else 0
            if expected_revision is not None and current != expected_revision:
                raise StaleLinkState(
                    f"narrative index saved by another run (revision {current}, "
                    f"loaded {expected_revision})"
                )
            conn.execute(
                s.link_state.delete().where(s.link_state.c.key.in_([state_key, revision_key]))
            )
            conn.execute(
                s.link_state.insert(),
                [
                    {"key": state_key, "value": json.dumps(settings), "updated_at": stamp},
                    {"key": revision_key, "value": str(current + 1), "updated_at": stamp},
                ],
            )
            stored.write_narratives(
                conn,
                narratives,
                touched=set(touched) | set((merged or {}).keys()),
                merged=merged or {},
                sums=sums or {},
                stamp=stamp,
            )
            stored.write_assignments(conn, assignments)
            if index_rows:
                stored.write_index_rows(conn, index_rows)
        return current + 1

    def unlinked_claims(self) -> list[dict[str, Any]]:
        """Claims stored but not yet given to the narrative index (a run stopped before linking)."""
        return self.query(
            "SELECT c.*, d.outlet AS document_outlet FROM claims c JOIN documents d ON d.id = c.document_id "
            "WHERE c.narrative_id IS NULL "
            # Documents in the order they were stored: sentence ids are numbered in that order.
            "ORDER BY (SELECT MIN(x.id) FROM sentences x WHERE x.document_id = d.id), d.id, "
            "c.start_char"
        )

    # -- reading -----------------------------------------------------------------------------

    def query(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts; on PostgreSQL, NUMERIC results come back as int/float like SQLite's."""
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(text(sql), params or {})]
        if self.dialect == "postgresql":
            rows = [{k: postgres.plain(v) for k, v in r.items()} for r in rows]
        return rows

    def counts(self) -> dict[str, int]:
        tables = [
            "documents",
            "sentences",
            "entities",
            "mentions",
            "attributions",
            "signals",
            "dates",
            "claims",
            "narratives",
            "furniture",
        ]
        with self.engine.connect() as conn:
            return {
                t: int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar() or 0)
                for t in tables
            }

    def document_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return [
                r[0] for r in conn.execute(select(s.documents.c.id).order_by(s.documents.c.source))
            ]

    def find_document(self, ref: str) -> str | None:
        """A document by id, id prefix, or (part of) its source path."""
        rows = self.query(
            "SELECT id FROM documents WHERE id = :r OR id LIKE :p "
            f"UNION SELECT document_id FROM document_sources WHERE source {self._like} :s",
            {"r": ref, "p": f"{ref}%", "s": f"%{ref}%"},
        )
        ids = sorted({r["id"] for r in rows})
        return ids[0] if len(ids) == 1 else None

    def load_document(self, doc_id: str) -> dict[str, Any] | None:
        """One document with everything found in it, as plain dicts (for show/export/report)."""
        docs = self.query("SELECT * FROM documents WHERE id = :id", {"id": doc_id})
        if not docs:
            return None
        doc = docs[0]
        doc.pop("tsv", None)  # PostgreSQL's search column is an index, not content
        doc["authors"] = json.loads(doc["authors"] or "[]")
        doc["date_estimated"] = bool(doc["date_estimated"])
        doc["dates"] = self.query(
            "SELECT text, earliest, latest, precision, relative, estimated, start_char, end_char "
            "FROM dates WHERE document_id = :id ORDER BY start_char",
            {"id": doc_id},
        )
        doc["meta"] = json.loads(doc["meta"] or "{}")
        doc["sources"] = [
            r["source"]
            for r in self.query(
                "SELECT source FROM document_sources WHERE document_id = :id ORDER BY source",
                {"id": doc_id},
            )
        ]
        doc["sentences"] = self.query(
            "SELECT id, position, start_char, end_char, text FROM sentences "
            "WHERE document_id = :id ORDER BY position",
            {"id": doc_id},
        )
        doc["furniture"] = self.query(
            "SELECT text, reason FROM furniture WHERE document_id = :id ORDER BY position",
            {"id": doc_id},
        )
        doc["signals"] = self.query(
            "SELECT type, text, start_char, end_char, scope, detail, attribution_id FROM signals "
            "WHERE document_id = :id ORDER BY COALESCE(start_char, -1), id",
            {"id": doc_id},
        )
        doc["entities"] = self.query(
            "SELECT e.id, e.name, e.type, COUNT(*) AS mentions FROM mentions m "
            "JOIN entities e ON e.id = m.entity_id WHERE m.document_id = :id "
            "GROUP BY e.id, e.name, e.type ORDER BY mentions DESC, e.name",
            {"id": doc_id},
        )
        doc["attributions"] = self.attributions(document_id=doc_id)
        return doc

    def attributions(self, document_id: str | None = None) -> list[dict[str, Any]]:
        where = "WHERE a.document_id = :id" if document_id else ""
        rows = self.query(
            f"SELECT a.* FROM attributions a {where} ORDER BY a.document_id, a.start_char",
            {"id": document_id},
        )
        if not rows:
            return rows
        via: dict[str, list[str]] = {}
        for r in self.query(
            "SELECT attribution_id, outlet FROM attribution_via ORDER BY attribution_id, position"
        ):
            via.setdefault(r["attribution_id"], []).append(r["outlet"])
        sigs: dict[str, list[dict[str, Any]]] = {}
        for r in self.query(
            "SELECT attribution_id, type, text, start_char, end_char FROM signals "
            "WHERE attribution_id IS NOT NULL ORDER BY id"
        ):
            sigs.setdefault(r.pop("attribution_id"), []).append(r)
        for r in rows:
            r["anonymous"] = bool(r["anonymous"])
            r["via"] = via.get(r["id"], [])
            r["signals"] = sigs.get(r["id"], [])
        return rows

    def entities(self) -> Iterator[dict[str, Any]]:
        aliases: dict[str, list[str]] = {}
        for r in self.query(
            "SELECT entity_id, alias FROM entity_aliases ORDER BY entity_id, alias"
        ):
            if not r["alias"].startswith("surname:"):
                aliases.setdefault(r["entity_id"], []).append(r["alias"])
        for r in self.query("SELECT * FROM entity_overview ORDER BY mentions DESC, name"):
            yield {
                "id": r["id"],
                "name": r["name"],
                "type": r["type"],
                "aliases": [a for a in aliases.get(r["id"], []) if a != r["name"]],
                "mentions": int(r["mentions"] or 0),
                "documents": int(r["documents"] or 0),
            }

    def sources(self) -> dict[str, list[dict[str, Any]]]:
        """Speakers and outlets across the corpus: how much rests on each, and how it is
        sourced (the read model's one definition of a speaker, store/read/sources.py)."""
        from claimgraph.store.read import read_model

        return read_model(self).sources()

    def search_sentences(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over sentences (FTS5 syntax: words, "phrases", OR, NOT, prefix*).

        Same rows on both databases: id, document_id, title, start_char, end_char, snippet
        (matches in [brackets]) and text. A query that cannot be parsed raises
        SearchSyntaxError, which callers report as a 400, never a crash.
        """
        if not query.strip():
            raise SearchSyntaxError("empty search")
        check_search_cost(query)
        shown = query if len(query) <= 80 else query[:80] + "…"
        too_slow = SearchTooCostly(
            f"search {shown!r} took longer than {self.search_seconds:g} s: use fewer terms, "
            "prefixes or NEAR groups"
        )
        if self.dialect == "postgresql":
            try:
                sql, params = postgres.search_sentences_sql(query)
            except postgres.QuerySyntaxError as exc:
                raise SearchSyntaxError(f"cannot parse search {shown!r}: {exc}") from exc
            try:
                with self.engine.begin() as conn:
                    postgres.limit_statement_time(conn, self.search_seconds)
                    rows = [
                        dict(r._mapping) for r in conn.execute(text(sql), {**params, "n": limit})
                    ]
            except DBAPIError as exc:  # a tsquery the server still refuses: the user's input
                if postgres.is_timeout(exc):
                    raise too_slow from exc
                raise SearchSyntaxError(f"cannot parse search {shown!r}: {exc.orig}") from exc
            return [{k: postgres.plain(v) for k, v in r.items()} for r in rows]
        try:
            with (
                self.engine.connect() as conn,
                _interrupt_after(conn.connection.driver_connection, self.search_seconds),
            ):
                result = conn.execute(
                    text(
                        "SELECT s.id, s.document_id, d.title, s.start_char, s.end_char, "
                        "snippet(sentences_fts, 0, '[', ']', '…', 24) AS snippet, s.text "
                        "FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid "
                        "JOIN documents d ON d.id = s.document_id "
                        "WHERE sentences_fts MATCH :q ORDER BY rank LIMIT :n"
                    ),
                    {"q": query, "n": limit},
                )
                return [dict(r._mapping) for r in result]
        except DBAPIError as exc:  # sqlite3.OperationalError wrapped by SQLAlchemy
            message = str(exc.orig)
            if "interrupted" in message:
                raise too_slow from exc
            if re.search(
                r"fts5|syntax|unterminated|no such column|malformed|unknown special query",
                message,
                re.I,
            ):
                raise SearchSyntaxError(f"cannot parse search {shown!r}: {message}") from exc
            raise

    # -- claim vectors -----------------------------------------------------------------------

    def fill_embeddings(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Mirror newly written claim_vectors rows into the pgvector column, where there is one."""
        if self.pgvector:
            postgres.fill_embeddings(conn, rows)

    def nearest_claims(
        self, vector: Sequence[float], k: int = 10, model: str | None = None
    ) -> list[tuple[str, float]]:
        """The k claims closest to `vector` by cosine similarity, served by pgvector's HNSW index.

        Only where the server has pgvector (`self.pgvector`); elsewhere ClaimSearch loads the
        vectors into usearch. `model` defaults to the model most vectors were made with.
        """
        if not self.pgvector:
            raise LookupError(postgres.FALLBACK_MESSAGE)
        with self.engine.begin() as conn:
            if model is None:
                row = conn.execute(
                    select(s.claim_vectors.c.model)
                    .group_by(s.claim_vectors.c.model)
                    .order_by(func.count().desc(), s.claim_vectors.c.model)
                ).first()
                if row is None:
                    return []
                model = str(row[0])
            return postgres.nearest(conn, list(vector), k, model)
