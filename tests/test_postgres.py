"""The PostgreSQL store: same answers as SQLite, safe concurrent writers, pgvector or its fallback.

Most tests here run on both passes of `make test` (SQLite, then PostgreSQL via scripts/pg.sh),
so they check that the two stores agree; `postgres_only` ones need the server.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import threading

import numpy as np
import pytest
from sqlalchemy import inspect, text

from claimgraph.link.entities import merge_entity
from claimgraph.link.vectors import ClaimSearch, read_vectors, write_vectors
from claimgraph.store import SearchSyntaxError, Store, database
from claimgraph.store import postgres as pg

TEST_DB = os.environ.get("CLAIMGRAPH_TEST_DB", "")


class HashEncoder:
    """A deterministic stand-in for a sentence encoder: same text, same unit vector."""

    name = "test-hash-encoder"
    dim = 16

    def encode(self, texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            seed = int.from_bytes(hashlib.sha1(t.encode()).digest()[:4], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out.append(v / np.linalg.norm(v))
        return np.vstack(out)


@pytest.fixture(scope="module")
def claimed_docs(sample_docs) -> list:
    """The sample with claims found by the rule scorer (no model needed), on copies."""
    from claimgraph.link.claims import RuleScorer, extract_claims
    from claimgraph.link.stage import date_claims

    docs = []
    for doc in sample_docs.values():
        doc = copy.copy(doc)
        doc.claims = date_claims(doc, extract_claims(doc, RuleScorer(), threshold=0.0))
        docs.append(doc)
    assert sum(len(d.claims) for d in docs) >= 10
    return docs


# -- full-text search: the FTS5 query language means the same on both stores -------------------


@pytest.mark.parametrize("bad", ['"unterminated', "AND OR", "(", "a OR", "x )", "NOT x", "*"])
def test_malformed_queries_are_syntax_errors_in_the_translation(bad):
    with pytest.raises(pg.QuerySyntaxError):
        pg.tsquery_sql(bad)


def test_user_text_is_bound_never_spliced_into_the_query():
    sql, params = pg.tsquery_sql(""""x') || pg_sleep(1) --" "a b" foo* OR (bar NOT baz)""")
    assert "pg_sleep" not in sql and "pg_sleep(1)" in " ".join(params.values())
    assert set(params.values()) >= {"a b", "foo", "bar", "baz"}
    assert "&&" in sql and "||" in sql and "!!" in sql and ":*" in sql


def test_search_operators_agree_with_fts5(sample_db):
    with Store(sample_db) as store:

        def ids(q: str) -> set[int]:
            return {h["id"] for h in store.search_sentences(q, limit=500)}

        heli, fallujah = ids("helicopter"), ids("Fallujah")
        assert heli and fallujah
        assert ids("helicopter Fallujah") == heli & fallujah
        assert ids("helicopter AND Fallujah") == heli & fallujah
        assert ids("helicopter OR Fallujah") == heli | fallujah
        assert ids("helicopter NOT Fallujah") == heli - fallujah
        assert ids("(helicopter OR Fallujah) NOT ISIS") == (heli | fallujah) - ids("ISIS")
        assert ids("helicop*") >= heli  # prefix
        assert ids("HELICOPTER") == heli  # case folded
        phrase = store.search_sentences('"thermal cameras"')
        assert phrase and all("thermal cameras" in h["text"].lower() for h in phrase)
        hit = store.search_sentences("helicopter Fallujah")[0]
        assert set(hit) == {
            "id",
            "document_id",
            "title",
            "start_char",
            "end_char",
            "snippet",
            "text",
        }
        assert "[" in hit["snippet"] and "]" in hit["snippet"]
        assert store.search_sentences("zzzqqqnothing") == []
        with pytest.raises(SearchSyntaxError):
            store.search_sentences("   ")


# -- writes ----------------------------------------------------------------------------------


def test_concurrent_writers_store_each_document_once(sample_docs, tmp_path):
    """Two analyze runs on one database at once: writers queue, nothing is stored twice."""
    docs = list(sample_docs.values())
    db = tmp_path / "shared.db"
    Store(db).close()  # migrated up front; opening concurrently is tested below
    errors: list[BaseException] = []
    added: list[int] = []
    start = threading.Barrier(3)

    def writer(batches: list[list]) -> None:
        try:
            with Store(db) as store:
                start.wait()
                for batch in batches:
                    added.append(store.write_documents(batch, merge=merge_entity))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    orders = [[docs[:3], docs[3:]], [docs[2:], docs[:2]], [[d] for d in reversed(docs)]]
    threads = [threading.Thread(target=writer, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)  # generous: CI machines may be loaded
    assert not errors, errors
    assert sum(added) == len(docs)
    with Store(db) as store:
        counts = store.counts()
        assert counts["documents"] == len(docs)
        assert counts["sentences"] == sum(len(d.sentences) for d in docs)
        dup = store.query(
            "SELECT COUNT(*) AS n FROM (SELECT document_id, position FROM sentences "
            "GROUP BY document_id, position HAVING COUNT(*) > 1) AS x"
        )
        assert dup[0]["n"] == 0


def test_concurrent_opens_of_a_new_database_migrate_it_once(tmp_path):
    db = tmp_path / "fresh.db"
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def opener() -> None:
        try:
            start.wait()
            with Store(db) as store:
                assert store.schema_version() >= 2
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors


def test_unlinked_claims_come_in_the_order_documents_were_stored(claimed_docs, tmp_path):
    docs = [d for d in claimed_docs if d.claims]
    assert len(docs) >= 3
    order = [docs[2], docs[0], *docs[3:], docs[1]]
    with Store(tmp_path / "order.db") as store:
        for doc in order:
            store.write_documents([doc], merge=merge_entity)
        seen = list(dict.fromkeys(c["document_id"] for c in store.unlinked_claims()))
    assert seen == [d.id for d in order]


# -- claim vectors: pgvector where the server has it, usearch elsewhere -------------------------


def _store_with_vectors(store: Store, docs: list) -> tuple[list[str], np.ndarray]:
    store.write_documents(docs, merge=merge_entity)
    ids = [r["id"] for r in store.query("SELECT id FROM claims ORDER BY id")]
    texts = [r["text"] for r in store.query("SELECT text FROM claims ORDER BY id")]
    assert len(ids) >= 10
    vectors = HashEncoder().encode(texts)
    assert write_vectors(store, ids, vectors, HashEncoder.name) == len(ids)
    assert write_vectors(store, ids, vectors, HashEncoder.name) == 0  # idempotent
    return ids, vectors


@pytest.mark.postgres_only
def test_pgvector_nearest_claims_match_exact_search(claimed_docs, tmp_path):
    with Store(tmp_path / "vectors.db") as store:
        with store.engine.connect() as conn:
            if not pg.vector_available(conn):
                pytest.skip("this PostgreSQL server has no pgvector (Debian's package)")
        assert store.pgvector
        columns = {c["name"] for c in inspect(store.engine).get_columns("claim_vectors")}
        assert "embedding" in columns
        ids, vectors = _store_with_vectors(store, claimed_docs)
        indexes = {i["name"] for i in inspect(store.engine).get_indexes("claim_vectors")}
        assert f"ix_claim_vectors_embedding_{HashEncoder.dim}" in indexes
        with store.engine.begin() as conn:  # the HNSW index can serve the query
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = conn.execute(
                text("EXPLAIN " + pg.nearest_sql(HashEncoder.dim)),
                {"q": str([0.25] * HashEncoder.dim), "m": HashEncoder.name, "k": 5},
            ).all()
        assert f"ix_claim_vectors_embedding_{HashEncoder.dim}" in " ".join(r[0] for r in plan)
        query = HashEncoder().encode(["US helicopters airdrop supplies to ISIS"])[0]
        exact = np.argsort(-(vectors @ query))[:5]
        found = store.nearest_claims(query, k=5)
        assert [cid for cid, _ in found] == [ids[i] for i in exact]
        for (_, score), i in zip(found, exact, strict=True):
            assert abs(score - float(vectors[i] @ query)) < 1e-5
        # ClaimSearch asks the server and answers as the in-process index does.
        served = ClaimSearch.from_store(store, HashEncoder())
        assert served._store is store and len(served) == len(ids)
        local = ClaimSearch(ids, vectors, HashEncoder())
        q = "Iraqi volunteers accuse the US"
        assert [h.claim_id for h in served.search(q, 5)] == [h.claim_id for h in local.search(q, 5)]
        # The blob column stays the source of truth for every reader.
        again_ids, again, model = read_vectors(store)
        assert again_ids == ids and model == HashEncoder.name and np.allclose(again, vectors)


@pytest.mark.postgres_only
def test_without_pgvector_semantic_search_falls_back_to_usearch(
    claimed_docs, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(pg, "vector_available", lambda conn: False)
    monkeypatch.setattr(pg, "_warned_fallback", False)
    with Store(tmp_path / "plain.db") as store:
        assert not store.pgvector
        columns = {c["name"] for c in inspect(store.engine).get_columns("claim_vectors")}
        assert "embedding" not in columns
        ids, vectors = _store_with_vectors(store, claimed_docs)
        with pytest.raises(LookupError, match="pgvector not installed"):
            store.nearest_claims(vectors[0], 3)
        with caplog.at_level(logging.WARNING, logger="claimgraph.store.postgres"):
            first = ClaimSearch.from_store(store, HashEncoder())
            ClaimSearch.from_store(store, HashEncoder())
        said = [r for r in caplog.records if "pgvector not installed" in r.getMessage()]
        assert len(said) == 1 and pg.FALLBACK_MESSAGE in said[0].getMessage()
        assert first._store is None and len(first) == len(ids)
        hits = first.search("US helicopters airdrop supplies to ISIS", 3)
        assert len(hits) == 3 and hits[0].score >= hits[-1].score


@pytest.mark.postgres_only
def test_a_server_url_works_from_the_command_line(sample_db, monkeypatch):
    from typer.testing import CliRunner

    from claimgraph.cli import app

    url = database.database_url(sample_db)  # the PostgreSQL database this pass gave the sample
    assert url.startswith("postgresql") and TEST_DB
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    result = CliRunner().invoke(app, ["show", "--db", plain_url])
    assert result.exit_code == 0, result.output
    assert "Volunteer Forces Say US Helping ISIS" in result.output
    monkeypatch.setenv("CLAIMGRAPH_DB", plain_url)
    result = CliRunner().invoke(app, ["sources"])
    assert result.exit_code == 0 and "Fars News Agency" in result.output


def test_the_password_stays_out_of_messages():
    store = Store.__new__(Store)
    store.url = "postgresql+psycopg://team:s3cret@db.example/claims"
    assert "s3cret" not in store.display_url and "db.example/claims" in store.display_url
