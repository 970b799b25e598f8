"""The database as a product: versioned schema, idempotent writes, FTS, views, documentation."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect

from claimgraph.link.entities import merge_entity
from claimgraph.store import SchemaTooNew, SearchSyntaxError, Store
from claimgraph.store.schema import SCHEMA_VERSION

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_schema_is_versioned_and_migrations_are_idempotent(tmp_path, connect_db):
    db = tmp_path / "x.db"
    with Store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
    with Store(db) as store:  # opening again migrates nothing and loses nothing
        assert store.schema_version() == SCHEMA_VERSION
    conn = connect_db(db)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    with pytest.raises(SchemaTooNew):
        Store(db)


def test_rewriting_the_same_documents_adds_nothing(sample_docs, tmp_path):
    docs = list(sample_docs.values())
    with Store(tmp_path / "x.db") as store:
        assert store.write_documents(docs, merge=merge_entity) == 5
        counts = store.counts()
        assert store.write_documents(docs, merge=merge_entity) == 0
        assert store.counts() == counts
        assert counts["sentences"] == sum(len(d.sentences) for d in docs)


def test_foreign_keys_and_offsets_point_at_the_text(sample_db, connect_db):
    conn = connect_db(sample_db)
    if not os.environ.get("CLAIMGRAPH_TEST_DB"):  # PostgreSQL enforces foreign keys on write
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    rows = conn.execute(
        "SELECT s.text, d.text, s.start_char, s.end_char FROM sentences s JOIN documents d ON d.id = s.document_id"
    ).fetchall()
    assert rows
    for sent, body, start, end in rows:
        assert body[start:end] == sent
    for mention, body, start, end in conn.execute(
        "SELECT m.text, d.text, m.start_char, m.end_char FROM mentions m JOIN documents d ON d.id = m.document_id"
    ):
        assert body[start:end] == mention


def test_full_text_search_and_clear_syntax_errors(sample_db):
    with Store(sample_db) as store:
        hits = store.search_sentences("helicopter Fallujah")
        assert hits and "Albu Arim" in hits[0]["text"]
        assert store.search_sentences('"thermal cameras"')
        for bad in ['"unterminated', "AND OR", "(", ""]:
            with pytest.raises(SearchSyntaxError):
                store.search_sentences(bad)


def test_views_answer_common_questions(sample_db, connect_db):
    conn = connect_db(sample_db)
    overview = conn.execute("SELECT title, sentences, entities FROM document_overview").fetchall()
    assert len(overview) == 5 and all(r[1] > 0 and r[2] > 0 for r in overview)
    for view in ("attribution_details", "speakers", "entity_overview", "signal_details"):
        conn.execute(f"SELECT * FROM {view} LIMIT 1").fetchall()


def test_every_table_view_and_column_is_documented(sample_db):
    doc = DOCS.read_text(encoding="utf-8")
    with Store(sample_db) as store, store.engine.connect() as conn:
        found = inspect(conn)  # SQLite or PostgreSQL: the docs cover both
        names = [
            n
            for n in found.get_table_names() + found.get_view_names()
            if not n.startswith("sqlite_") and "_fts_" not in n
        ]
        assert "documents" in names and "speakers" in names
        sections = dict(re.findall(r"^#+ `(\w+)`\n(.*?)(?=^#+ |\Z)", doc, re.M | re.S))
        for name in names:
            assert name in sections, f"table/view {name} missing from docs/schema.md"
            if name.endswith("_fts"):
                continue
            for col in found.get_columns(name):
                assert f"`{col['name']}`" in sections[name], (
                    f"column {name}.{col['name']} missing from docs/schema.md"
                )
