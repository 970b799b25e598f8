"""The database as a product: versioned schema, idempotent writes, FTS, views, documentation."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect

from claimgraph.link.entities import merge_entity
from claimgraph.model import Attribution, Document, Sentence
from claimgraph.store import SchemaTooNew, SearchSyntaxError, Store
from claimgraph.store.read import read_model
from claimgraph.store.schema import SCHEMA_VERSION, is_speaker_sql, speaker_key_sql

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


V6_SPEAKERS_VIEW = """
    SELECT e.id AS entity_id, e.name, e.type, COUNT(a.id) AS attributions,
      COUNT(DISTINCT a.document_id) AS documents,
      SUM(CASE WHEN a.kind = 'direct' THEN 1 ELSE 0 END) AS direct_quotes
    FROM entities e JOIN attributions a ON a.speaker_entity_id = e.id
    GROUP BY e.id, e.name, e.type"""


def _speakers_by_definition(store: Store) -> dict[str, tuple]:
    """Every speaker as the read model defines one, aggregated from the attributions."""
    key = speaker_key_sql("a")
    rows = store.query(
        f"SELECT {key} AS id, COUNT(*) AS n, COUNT(DISTINCT a.document_id) AS docs, "
        "SUM(CASE WHEN a.kind = 'direct' THEN 1 ELSE 0 END) AS direct, "
        "MAX(CASE WHEN a.anonymous THEN 1 ELSE 0 END) AS anon, "
        "MIN(CASE WHEN a.anonymous AND a.speaker_entity_id IS NULL THEN "
        "COALESCE(a.speaker_description, 'unnamed source') ELSE COALESCE(e.name, a.speaker) END) "
        "AS name FROM attributions a LEFT JOIN entities e ON e.id = a.speaker_entity_id "
        f"WHERE {is_speaker_sql('a')} GROUP BY {key}"
    )
    return {
        r["id"]: (int(r["n"]), int(r["docs"]), int(r["direct"]), bool(r["anon"]), r["name"])
        for r in rows
    }


def _speakers_view(store: Store) -> dict[str, tuple]:
    return {
        r["id"]: (
            int(r["attributions"]),
            int(r["documents"]),
            int(r["direct_quotes"]),
            bool(r["anonymous"]),
            r["name"],
        )
        for r in store.query("SELECT * FROM speakers")
    }


def _drop_speaker_trigger(conn, function: bool = False) -> None:
    """The trigger that keeps speaker_stats (and on PostgreSQL, if asked, its function)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER speaker_stats_insert")
    else:
        conn.exec_driver_sql("DROP TRIGGER speaker_stats_insert ON attributions")
        if function:
            conn.exec_driver_sql("DROP FUNCTION speaker_stats_insert()")


def _as_version_6(store: Store) -> None:
    """Put a database back to schema 6: no speaker_stats, the old entity-only speakers view."""
    with store.engine.begin() as conn:
        _drop_speaker_trigger(conn, function=True)
        conn.exec_driver_sql("DROP VIEW speakers")
        conn.exec_driver_sql("DROP TABLE speaker_stats")
        conn.exec_driver_sql(f"CREATE VIEW speakers AS {V6_SPEAKERS_VIEW}")
        conn.exec_driver_sql("UPDATE meta SET value = '6' WHERE key = 'schema_version'")


def keyless_speaker_document(name: str, doc_id: str) -> Document:
    """A document as the pipeline wrote it before every named speaker became an entity of its
    document: a speaker named in the source phrase, with no entity key. Stores keep such rows
    (and the annotator still leaves a few: a name the source phrase does not write)."""
    text = f"{name} said the planes dropped food over the valley at night."
    cue = text.index(" said") + 1
    return Document(
        id=doc_id,
        source=f"{doc_id}.txt",
        text=text,
        title=f"{name} on the airdrop",
        sentences=[Sentence(0, len(text), text)],
        attributions=[
            Attribution(
                kind="indirect",
                content=text[cue + 5 : -1],
                start=cue + 5,
                end=len(text) - 1,
                cue="said",
                cue_start=cue,
                cue_end=cue + 4,
                source_text=name,
                source_start=0,
                source_end=len(name),
                speaker=name,
            )
        ],
    )


def test_migration_8_adds_claim_roles(tmp_path) -> None:
    """v8: claim_vectors.roles (who does what to whom, issue 12), NULL for claims indexed
    before it until a relink."""
    db = tmp_path / "x.db"
    with Store(db) as store, store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE claim_vectors DROP COLUMN roles")
        conn.exec_driver_sql("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    with Store(db) as store, store.engine.connect() as conn:  # opening migrates
        assert store.schema_version() == SCHEMA_VERSION
        # SQLite or PostgreSQL: both migrate
        assert "roles" in {c["name"] for c in inspect(conn).get_columns("claim_vectors")}


def test_migration_9_says_what_each_attribution_reports_and_counts_statements(
    sample_docs, tmp_path
) -> None:
    """v9: attributions.reports (statement, position or act) and speaker_stats.statements.
    A v8 file keeps its attributions (reports null, statements 0); what is written after the
    migration is counted by the recreated trigger, on SQLite or PostgreSQL."""
    docs = sorted(sample_docs.values(), key=lambda d: d.id)
    db = tmp_path / "x.db"
    with Store(db) as store:
        store.write_documents(docs[:2], merge=merge_entity)
    with Store(db) as store, store.engine.begin() as conn:
        _drop_speaker_trigger(conn)
        conn.exec_driver_sql("DROP VIEW speakers")
        conn.exec_driver_sql("DROP VIEW attribution_details")
        conn.exec_driver_sql("ALTER TABLE attributions DROP COLUMN reports")
        conn.exec_driver_sql("ALTER TABLE speaker_stats DROP COLUMN statements")
        conn.exec_driver_sql("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    with Store(db) as store:  # opening migrates
        assert store.schema_version() == SCHEMA_VERSION >= 9
        before = store.query("SELECT reports FROM attributions")
        assert before and {r["reports"] for r in before} == {None}
        assert {r["statements"] for r in store.query("SELECT statements FROM speakers")} == {0}
        store.write_documents(docs[2:], merge=merge_entity)
        written = [a for d in docs[2:] for a in d.attributions]
        stated = sum(a.reports == "statement" for a in written if a.speaker or a.anonymous)
        assert {a.reports for a in written} <= {"statement", "position", "act"}
        assert stated > 0
        counted = store.query("SELECT SUM(statements) AS n FROM speakers")[0]["n"]
        assert counted == stated
        details = store.query("SELECT reports FROM attribution_details WHERE reports IS NOT NULL")
        assert len(details) == len(written)


def test_migration_10_gives_acronyms_their_own_alias_keys(sample_docs, tmp_path) -> None:
    """v10: "DCCC" had the alias key of "D.C." (doubled letters were folded), so a run merged
    the Democratic Congressional Campaign Committee into Washington. Acronyms keep their
    letters, and opening an older file rekeys the aliases it stores."""
    from claimgraph.annotate.entities import alias_key
    from claimgraph.store import schema

    assert alias_key("DCCC") == "dccc" != alias_key("D.C.") == alias_key("DC")
    assert alias_key("Hashd al-Shaabi") == alias_key("Hashd al-Sha'abi")
    assert alias_key("HILL") == alias_key("Hill")  # a word in capitals, no acronym
    docs = sorted(sample_docs.values(), key=lambda d: d.id)
    db = tmp_path / "x.db"
    with Store(db) as store:
        store.write_documents(docs[:1], merge=merge_entity)
        entity = store.query("SELECT id FROM entities LIMIT 1")[0]["id"]
    with Store(db) as store, store.engine.begin() as conn:
        aliases = schema.entity_aliases
        conn.execute(aliases.insert().values(entity_id=entity, alias="DCCC", alias_key="dc"))
        conn.exec_driver_sql("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    with Store(db) as store:  # opening migrates
        assert store.schema_version() == SCHEMA_VERSION >= 10
        rows = store.query("SELECT alias_key FROM entity_aliases WHERE alias = 'DCCC'")
        assert rows == [{"alias_key": "dccc"}]


def test_migration_7_lists_every_speaker_and_keeps_the_list_on_write(sample_docs, tmp_path):
    """v6's `speakers` view listed speakers with an entity only; v7's is the read model's one
    definition (named with or without an entity, and unnamed sources), filled from what is
    stored when a v6 database is opened, then kept by a trigger on every attribution written."""
    docs = sorted(sample_docs.values(), key=lambda d: d.id)
    # named without an entity: one stored before the migration, one written after it
    stored_before = keyless_speaker_document("Marta Lindqvist", "doc_keyless_before")
    written_after = keyless_speaker_document("Tomas Ekberg", "doc_keyless_after")
    db = tmp_path / "x.db"
    with Store(db) as store:
        assert store.write_documents([*docs[:3], stored_before], merge=merge_entity) == 4
        _as_version_6(store)
        assert store.query("SELECT value FROM meta WHERE key = 'schema_version'") == [
            {"value": "6"}
        ]
        assert all(r["entity_id"] for r in store.query("SELECT entity_id FROM speakers"))
    with Store(db) as store:  # opening migrates
        assert store.schema_version() == SCHEMA_VERSION >= 7
        stored = _speakers_by_definition(store)
        assert _speakers_view(store) == stored
        assert any(k.startswith("anonymous: ") for k in stored)
        assert stored["name: Marta Lindqvist"] == (1, 1, 0, False, "Marta Lindqvist")
        before = len(stored)
        assert store.write_documents([*docs[3:], written_after], merge=merge_entity) == 3
        everything = [*docs, stored_before, written_after]
        assert store.write_documents(everything, merge=merge_entity) == 0  # nothing twice
        stored = _speakers_by_definition(store)
        assert len(stored) > before
        assert _speakers_view(store) == stored
        assert stored["name: Tomas Ekberg"] == (1, 1, 0, False, "Tomas Ekberg")
        # Named where the recogniser saw no entity: Iskandar Watut (the sample's airdrop
        # narrative) is an entity of its document, listed once, under that entity.
        watut = [k for k, v in stored.items() if v[4] == "Iskandar Watut"]
        assert len(watut) == 1 and not watut[0].startswith("name: ")
        listed = read_model(store).speakers(limit=10_000).items
        assert {sp["id"] for sp in listed} == set(stored)
        assert [sp["attributions"] for sp in listed] == sorted(
            (v[0] for v in stored.values()), reverse=True
        )


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


@pytest.mark.sqlite_only("analyses into a database file of its own")
def test_a_narrative_lists_its_speakers_as_the_corpus_names_them(tmp_path: Path) -> None:
    """Written for this test, after a held-out news narrative listed "Martin Dempsey, Martin
    E. Dempsey": two articles write one speaker two ways, the store merges them into one
    entity, and the narrative names that entity once (runs without ../shared)."""
    import json

    from claimgraph import api
    from claimgraph.store import narratives as stored

    said = (
        "the United States would not arm the Syrian rebels this year, because the rebels "
        "would not support American interests."
    )
    records = [
        {
            "url": "https://example.org/a",
            "source": "Example Times",
            "date": "2013-08-19",
            "title": "Joint chiefs chairman warns on Syria",
            "content_original": "The top U.S. military officer spoke on Monday.\n\n"
            f"Gen. Martin E. Dempsey said {said}\n\nHe wrote it in a letter to Congress.",
        },
        {
            "url": "https://example.net/b",
            "source": "Example Post",
            "date": "2013-08-20",
            "title": "No arms for Syrian rebels",
            "content_original": "The chairman of the Joint Chiefs wrote to a congressman.\n\n"
            f"Martin Dempsey said that {said}\n\nHis letter was released on Tuesday.",
        },
    ]
    path = tmp_path / "two.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = tmp_path / "two.db"
    api.analyze([path], db=str(db), workers=1)
    with Store(db, read_only=True) as store:
        written = {r["speaker"] for r in store.query("SELECT speaker FROM claims")} - {None}
        assert written == {"Martin E. Dempsey", "Martin Dempsey"}  # as each article wrote it
        (narrative,) = stored.cross_document(store)
        assert json.loads(narrative["speakers"]) == ["Martin E. Dempsey"]
