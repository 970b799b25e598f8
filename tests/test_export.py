"""Exports for researchers' tools, on the analysed sample: CSV (pandas), GraphML/GEXF (Gephi,
networkx), ClaimReview JSON-LD from claims marked reviewed, and the database in datasette."""

from __future__ import annotations

import asyncio
import csv as stdcsv
import json
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
import yaml
from lxml import etree
from test_store import keyless_speaker_document
from typer.testing import CliRunner

from claimgraph import api
from claimgraph.cli import app
from claimgraph.export import FORMATS
from claimgraph.export.claimreview import SCALE, normalise_rating, rating_key
from claimgraph.export.csv import export_csv
from claimgraph.export.graph import exportable
from claimgraph.link.entities import merge_entity
from claimgraph.link.provenance import GraphBuilder, build_graph, narrative_graph
from claimgraph.review import AmbiguousClaim, mark_reviewed, resolve_claim
from claimgraph.store import Store
from claimgraph.store import schema as s
from claimgraph.store.read import read_model

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DATA = REPO / "claimgraph" / "data"
SHARED_CLAIMREVIEW = REPO.parent / "shared" / "data" / "claimreview" / "claimreviews.csv"
GEXF_NS = "http://www.gexf.net/1.2draft"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
TABLES = [
    "documents", "sentences", "entities", "entity_aliases", "mentions", "attributions",
    "attribution_via", "signals", "dates", "claims", "narratives", "furniture", "factchecks",
    "factcheck_links", "claim_reviews",
]  # fmt: skip
VIEWS = [
    "attribution_details",
    "speakers",
    "entity_overview",
    "signal_details",
    "document_overview",
]
runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def linked_db(tmp_path_factory, nlp) -> Path:
    """The sample analysed as `claimgraph analyze` does by default: with claims and narratives
    (the shared `sample_db` is analysed without linking, so it has no claims to export)."""
    from claimgraph.annotate.nlp import model_info
    from claimgraph.engine.local import analyze
    from claimgraph.link.stage import Linker

    db = tmp_path_factory.mktemp("export") / "linked.db"
    with Store(db) as store:
        summary = analyze(
            [EXAMPLES], store, nlp, model_name=model_info(nlp).describe(), linker=Linker(store)
        )
        assert summary.documents_added == 5
        assert store.counts()["claims"] > 50 and store.counts()["narratives"] > 0
    return db


def copy_db(src: Path, dst_dir: Path, name: str = "claimgraph.db") -> Path:
    """A private copy, so tests that write never change the session's sample database."""
    dst = dst_dir / name
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            shutil.copy(f"{src}{suffix}", f"{dst}{suffix}")
    return dst


# -- ratings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("False", "false"),
        ("Pants on Fire!", "false"),
        ("pants-on-fire", "false"),
        ("Fake", "false"),
        ("Disinformation", "false"),
        ("Four Pinocchios", "false"),
        ("Falso", "false"),
        ("Faux", "false"),
        ("Falsch", "false"),
        ("Ложь", "false"),
        ("Onwaar", "false"),
        ("Doğruluk Payı Yoktur", "false"),
        ("Misleading", "mostly_false"),
        ("Mostly False", "mostly_false"),
        ("Engañoso", "mostly_false"),
        ("Büyük oranda doğruluk payı yoktur", "mostly_false"),
        ("Half True", "mixed"),
        ("half-true", "mixed"),
        ("Mixture", "mixed"),
        ("Nì", "mixed"),
        ("Mostly True", "mostly_true"),
        ("C'eri quasi", "mostly_true"),
        ("Großtenteils richtig", "mostly_true"),
        ("Correct", "true"),
        ("TRUE", "true"),
        ("Vrai", "true"),
        ("Verdict: False", "false"),
        ("False - the photo was taken in 2015", "false"),
        ("mostly_false", "mostly_false"),
        ("We review the record", "unrated"),
        ("Outdated", "unrated"),
        ("", "unrated"),
        (None, "unrated"),
    ],
)
def test_normalise_rating_maps_fact_checkers_words_to_the_scale(words, expected):
    assert normalise_rating(words) == expected


def test_ratings_table_is_all_text_and_each_verdict_on_one_step():
    data = yaml.safe_load((DATA / "ratings.yaml").read_text(encoding="utf-8"))
    assert tuple(data["scale"]) == SCALE
    assert [data["scale"][r] for r in SCALE] == [1, 2, 3, 4, 5, None]
    owner: dict[str, str] = {}
    for rating, words in data["verdicts"].items():
        assert rating in SCALE
        for word in words:
            # An unquoted `no`/`false` would load as a boolean and silently never match.
            assert isinstance(word, str), (rating, word)
            key = rating_key(word)
            assert owner.setdefault(key, rating) == rating, (
                f"{word!r} under {owner[key]} and {rating}"
            )


def test_most_real_fact_check_verdicts_land_on_the_scale():
    """The 8,236 ClaimReview verdicts crawled from Snopes, PolitiFact, FactCheck.org, WaPo."""
    if not SHARED_CLAIMREVIEW.exists():
        pytest.fail(f"evaluation data missing: {SHARED_CLAIMREVIEW}")
    names = pd.read_csv(SHARED_CLAIMREVIEW, usecols=["rating_name"])["rating_name"].dropna()
    ratings = Counter(normalise_rating(str(n)) for n in names)
    assert ratings["false"] > ratings["true"] > 0
    assert ratings["unrated"] / len(names) < 0.12, ratings
    assert all(ratings[r] > 50 for r in ("mostly_false", "mixed", "mostly_true"))


# -- CSV -------------------------------------------------------------------------------------


def test_csv_export_writes_every_table_and_view_readable_by_pandas(
    linked_db, tmp_path, copy_database
):
    # with a document as stored before every named speaker had an entity (see the GraphML test)
    db = copy_database(linked_db, tmp_path / "claimgraph.db")
    with Store(db) as store:
        older = keyless_speaker_document("Marta Lindqvist", "doc_keyless_speaker")
        assert store.write_documents([older], merge=merge_entity) == 1
    result = invoke("export", "--format", "csv", "-o", tmp_path, "--db", db)
    assert result.exit_code == 0, result.output
    written = {p.stem for p in tmp_path.glob("*.csv")}
    assert set(TABLES) | set(VIEWS) <= written
    assert not {"link_state", "claim_vectors"} & written
    assert not {"meta", "runs", "inputs"} & written  # bookkeeping, not user data
    with Store(db) as store:
        for name in [n for n in TABLES + VIEWS if n != "speakers"]:
            frame = pd.read_csv(tmp_path / f"{name}.csv", encoding="utf-8")
            count = store.query(f"SELECT COUNT(*) AS n FROM {name}")[0]["n"]
            assert len(frame) == count, name
            columns = store.query(f"SELECT * FROM {name} LIMIT 1")
            if columns:
                # (PostgreSQL's generated search column `tsv` is an index, not exported data)
                assert list(frame.columns) == [c for c in columns[0] if c != "tsv"], name
        docs = {d["id"]: d for d in store.query("SELECT id, title, text FROM documents")}
    frame = pd.read_csv(tmp_path / "documents.csv", keep_default_na=False)
    assert len(frame) == 5 + 1
    for row in frame.itertuples():
        # Multi-line bodies, curly quotes and commas survive the round trip byte for byte.
        assert row.text == docs[row.id]["text"] and row.title == docs[row.id]["title"]
    assert any("\n\n" in t for t in frame["text"]) and any("’" in t for t in frame["text"])
    speakers = pd.read_csv(tmp_path / "speakers.csv")
    assert "Jafar al-Hosseini" in set(speakers["name"])
    # One speaker list: named speakers without an entity and unnamed sources too.
    keyless = speakers[speakers["name"] == "Marta Lindqvist"]
    assert keyless["id"].tolist() == ["name: Marta Lindqvist"]  # a name, not an entity id
    assert speakers["anonymous"].sum() > 0
    anon = pd.read_csv(tmp_path / "attribution_details.csv")
    assert (anon["anonymous"] == 1).sum() > 0
    assert anon["speaker_description"].str.contains("senior Iraqi official", na=False).any()
    claims = pd.read_csv(tmp_path / "claims.csv")
    assert claims["checkworthiness"].between(0, 1).all()


def test_csv_export_streams_from_a_cursor_not_from_lists(linked_db, tmp_path, monkeypatch):
    """Store.query materialises every row; the CSV export must not need it."""

    def no_lists(*_a, **_k):
        raise AssertionError("export_csv loaded a whole result into memory")

    with Store(linked_db) as store:
        monkeypatch.setattr(store, "query", no_lists)
        written = export_csv(store, tmp_path)
    assert written["sentences.csv"] > 50
    with (tmp_path / "sentences.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(stdcsv.reader(fh))
    assert rows[0][:2] == ["id", "document_id"] and len(rows) == written["sentences.csv"] + 1


# -- graphs ----------------------------------------------------------------------------------


def _gexf_structure_errors(path: Path) -> list[str]:
    """What Gephi's GEXF 1.2 reader relies on: declared attributes, typed values, known ends."""
    root = etree.parse(str(path)).getroot()
    ns = {"g": GEXF_NS}
    errors = []
    graph = root.find("g:graph", ns)
    if graph is None or graph.get("defaultedgetype") != "directed":
        return ["no directed <graph>"]
    declared: dict[str, dict[str, str]] = {}
    for attrs in graph.findall("g:attributes", ns):
        kind = attrs.get("class")
        declared[kind] = {a.get("id"): a.get("type") for a in attrs.findall("g:attribute", ns)}
        for a in attrs.findall("g:attribute", ns):
            if a.get("type") not in {"string", "boolean", "integer", "long", "float", "double"}:
                errors.append(f"{kind} attribute {a.get('title')} has type {a.get('type')}")
    node_ids = [n.get("id") for n in graph.iterfind("g:nodes/g:node", ns)]
    if len(node_ids) != len(set(node_ids)):
        errors.append("duplicate node ids")
    edge_ids = [e.get("id") for e in graph.iterfind("g:edges/g:edge", ns)]
    if len(edge_ids) != len(set(edge_ids)):
        errors.append("duplicate edge ids")
    known = set(node_ids)
    for kind, tag in (("node", "g:nodes/g:node"), ("edge", "g:edges/g:edge")):
        for el in graph.iterfind(tag, ns):
            if not el.get("label"):
                errors.append(f"{kind} {el.get('id')} has no label")
            if kind == "edge" and not {el.get("source"), el.get("target")} <= known:
                errors.append(f"edge {el.get('id')} joins an unknown node")
            for av in el.iterfind("g:attvalues/g:attvalue", ns):
                typ = declared.get(kind, {}).get(av.get("for"))
                value = av.get("value")
                if typ is None:
                    errors.append(f"{kind} {el.get('id')}: undeclared attribute {av.get('for')}")
                elif typ == "boolean" and value not in ("true", "false"):
                    errors.append(f"{kind} {el.get('id')}: boolean {value!r}")
                elif typ in ("integer", "long"):
                    try:
                        int(value)
                    except (TypeError, ValueError):
                        errors.append(f"{kind} {el.get('id')}: integer {value!r}")
    return errors


def _graphml_structure_errors(path: Path) -> list[str]:
    root = etree.parse(str(path)).getroot()
    ns = {"g": GRAPHML_NS}
    keys = {k.get("id"): (k.get("for"), k.get("attr.name")) for k in root.findall("g:key", ns)}
    errors = []
    names = Counter(keys.values())
    errors += [f"attribute {n} declared {c} times (mixed types)" for n, c in names.items() if c > 1]
    graph = root.find("g:graph", ns)
    nodes = [n.get("id") for n in graph.iterfind("g:node", ns)]
    edges = list(graph.iterfind("g:edge", ns))
    if len({e.get("id") for e in edges}) != len(edges):
        errors.append("edge ids are not unique")
    for el in [*graph.iterfind("g:node", ns), *edges]:
        tag = etree.QName(el).localname
        for d in el.iterfind("g:data", ns):
            if keys.get(d.get("key"), (None,))[0] != tag:
                errors.append(f"{tag} {el.get('id')}: data for undeclared key {d.get('key')}")
    for e in edges:
        if not {e.get("source"), e.get("target")} <= set(nodes):
            errors.append(f"edge {e.get('id')} joins an unknown node")
    return errors


def test_graphml_and_gexf_hold_the_provenance_graph(linked_db, tmp_path, copy_database):
    # with a document as stored before every named speaker had an entity: its speaker is named
    # without one (the sample's speakers all have one now)
    db = copy_database(linked_db, tmp_path / "claimgraph.db")
    with Store(db) as store:
        older = keyless_speaker_document("Marta Lindqvist", "doc_keyless_speaker")
        assert store.write_documents([older], merge=merge_entity) == 1
        model = build_graph(store)
        speakers = read_model(store).speakers(limit=10_000).items
        atts = store.attributions()
    graph = model.to_networkx()
    for fmt in ("graphml", "gexf"):
        result = invoke("export", "--format", fmt, "-o", tmp_path, "--db", db)
        assert result.exit_code == 0, result.output
    root = etree.parse(str(tmp_path / "provenance.gexf")).getroot()
    assert root.tag == f"{{{GEXF_NS}}}gexf" and root.get("version") == "1.2"
    assert _gexf_structure_errors(tmp_path / "provenance.gexf") == []
    assert _graphml_structure_errors(tmp_path / "provenance.graphml") == []

    for read in (nx.read_graphml, nx.read_gexf):
        back = read(tmp_path / f"provenance.{'graphml' if read is nx.read_graphml else 'gexf'}")
        assert back.is_directed()
        assert back.number_of_nodes() == graph.number_of_nodes() > 100
        assert back.number_of_edges() == graph.number_of_edges() > 150
        kinds = Counter(d["kind"] for _, d in back.nodes(data=True))
        assert set(kinds) == {"document", "outlet", "speaker", "claim", "narrative"}
        assert kinds["document"] == 5 + 1
        assert all(d.get("label") for _, d in back.nodes(data=True))
        relations = Counter(d["relation"] for *_, d in back.edges(data=True))
        assert relations == Counter(d["relation"] for *_, d in graph.edges(data=True))
        assert {"publishes", "quotes", "cites", "contains", "rests_on", "member_of"} <= set(
            relations
        )
        assert all(int(d["weight"]) >= 1 for *_, d in back.edges(data=True))
        fars = back.nodes["outlet:Fars News Agency"]
        assert fars["kind"] == "outlet" and fars["label"] == "Fars News Agency"
        anonymous = [
            d for _, d in back.nodes(data=True) if d["kind"] == "speaker" and d.get("anonymous")
        ]
        assert any("senior Iraqi official" in d["label"] for d in anonymous)
        assert all(d["anonymous"] is True for d in anonymous)
        # The speakers are the read model's one definition: named with or without an entity,
        # and anonymous (Marta Lindqvist has no entity and is a speaker all the same).
        exported = {n.split(":", 1)[1] for n, d in back.nodes(data=True) if d["kind"] == "speaker"}
        assert exported == {sp["id"] for sp in speakers}
        assert "name: Marta Lindqvist" in exported
    # Every attribution with a speaker is a `quotes` edge, claims or not: quotes without a
    # claim stay in the graph.
    quoted = sum(e.weight for e in model.edges.values() if e.relation == "quotes")
    assert quoted == sum(
        1 for a in atts if a["speaker_entity_id"] or a["speaker"] or a["anonymous"]
    )
    rests = {e.target for e in model.edges.values() if e.relation == "rests_on"}
    assert any(v.kind == "speaker" and v.id not in rests for v in model.nodes.values())


def test_one_graph_model_for_the_export_the_app_and_the_report(linked_db) -> None:
    """A narrative's graph (what the app and the report draw) is a part of the corpus graph
    (what the export writes): the same node ids, kinds, labels and relations, same directions."""
    with Store(linked_db) as store:
        corpus = build_graph(store)
        reads = read_model(store)
        page = reads.narratives(limit=5).items
        found_all = [reads.narrative(n["id"]) for n in page]
    assert page
    for n, found in zip(page, found_all, strict=True):
        part = narrative_graph(found["claims_list"], found)
        assert len(part.chains) == len(found["claims_list"]) >= 2
        for ident, v in part.nodes.items():
            assert ident in corpus.nodes, ident
            assert (corpus.nodes[ident].kind, corpus.nodes[ident].label) == (v.kind, v.label)
        assert set(part.edges) <= set(corpus.edges)
        relations = {e.relation for e in part.edges.values()}
        assert {"contains", "member_of"} <= relations
        if n["documents"] >= 2:
            assert "repeats" in relations
        for ch in part.chains:
            assert (ch.document, ch.claim, "contains") in part.edges
            if ch.speaker:
                assert (ch.claim, ch.speaker, "rests_on") in part.edges
                assert (ch.via[0] if ch.via else ch.document, ch.speaker, "quotes") in part.edges


def test_hostile_text_in_the_graph_is_escaped_in_graphml_and_gexf(tmp_path) -> None:
    """Titles, names and outlets from web pages: markup stays text, XML-illegal characters go."""
    b = GraphBuilder()
    title = 'Breaking</title><script>alert("x")</script> & \x0bmore\x00'
    b.document("doc_1", title, "2020-01-01", "Outlet <b>\x1f", reprinted_by="Wire\ufffe & Co")
    att = {
        "id": "att_1",
        "document_id": "doc_1",
        "speaker": None,
        "speaker_entity_id": None,
        "anonymous": True,
        "speaker_description": "an official]]>\x0c<said>",
        "via": ['Agency\x08 "quoted"'],
    }
    b.claim({"id": "cl_1", "document_id": "doc_1", "text": "It <happened>\x07", "date": None}, att)
    b.narrative("narr_1", "<narrative> & \x01", [{"id": "cl_1", "document_id": "doc_1"}])
    graph = exportable(b.graph.to_networkx())
    nx.write_graphml(graph, tmp_path / "g.graphml")
    nx.write_gexf(graph, tmp_path / "g.gexf")
    assert _graphml_structure_errors(tmp_path / "g.graphml") == []
    assert _gexf_structure_errors(tmp_path / "g.gexf") == []
    for back in (nx.read_graphml(tmp_path / "g.graphml"), nx.read_gexf(tmp_path / "g.gexf")):
        labels = {d["label"] for _, d in back.nodes(data=True)}
        assert 'Breaking</title><script>alert("x")</script> & more' in labels
        assert "an official]]><said>" in labels
        assert 'Agency "quoted"' in labels and "Wire & Co" in labels and "Outlet <b>" in labels
        assert "It <happened>" in labels and "<narrative> & " in labels
        assert back.has_node("speaker:anonymous: an official]]><said>")


def test_exportable_graph_survives_values_the_writers_reject(tmp_path):
    """None, lists, mixed types per key and control characters pasted from web pages."""
    g = nx.MultiDiGraph()
    g.add_node("speaker:x", kind="speaker", label="an official\x0b said", role=None, n=3)
    g.add_node("outlet:y", kind="outlet", label="Outlet", n="three", aliases=["Y", "Why"])
    g.add_edge("outlet:y", "speaker:x", key="quotes", relation="quotes", weight=None)
    g.add_edge("outlet:y", "speaker:x", key="cites", relation="cites")
    clean = exportable(g)
    nx.write_graphml(clean, tmp_path / "g.graphml")
    nx.write_gexf(clean, tmp_path / "g.gexf")
    assert _graphml_structure_errors(tmp_path / "g.graphml") == []
    assert _gexf_structure_errors(tmp_path / "g.gexf") == []
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.nodes["speaker:x"]["label"] == "an official said"
    assert back.nodes["speaker:x"]["n"] == "3" and back.nodes["outlet:y"]["n"] == "three"
    assert json.loads(back.nodes["outlet:y"]["aliases"]) == ["Y", "Why"]
    assert "role" not in back.nodes["speaker:x"]
    assert sorted(d["relation"] for *_, d in back.edges(data=True)) == ["cites", "quotes"]


# -- reviews and ClaimReview -----------------------------------------------------------------


def _pick_claims(store: Store) -> tuple[dict, dict]:
    named = store.query(
        "SELECT c.id, c.text, c.date FROM claims c WHERE c.speaker = 'Qassem al-Kuraiti' "
        "AND c.date IS NOT NULL ORDER BY c.start_char"
    )
    anonymous = store.query(
        "SELECT c.id, c.text FROM claims c JOIN attributions a ON a.id = c.attribution_id "
        "WHERE a.anonymous AND a.speaker_description LIKE 'a senior Iraqi official%' "
        "ORDER BY c.start_char"
    )
    assert named and anonymous, "the sample's Qassem al-Kuraiti and anonymous-official claims"
    return named[0], anonymous[0]


def _unique_prefix(store: Store, claim_id: str) -> str:
    for n in range(8, len(claim_id)):
        rows = store.query("SELECT id FROM claims WHERE id LIKE :p", {"p": claim_id[:n] + "%"})
        if len(rows) == 1:
            return claim_id[:n]
    return claim_id


def test_review_command_and_claimreview_export(linked_db, tmp_path, copy_database):
    db = copy_database(linked_db, tmp_path / "claimgraph.db")
    with Store(db) as store:
        named, anonymous = _pick_claims(store)
        named_prefix = _unique_prefix(store, named["id"])
        doc = store.query(
            "SELECT d.title, d.date FROM documents d JOIN claims c ON c.document_id = d.id "
            "WHERE c.id = :i",
            {"i": named["id"]},
        )[0]
    ok = invoke(
        "review", named_prefix, "--rating", "Pants on Fire", "--reviewer", "Open Desk",
        "--url", "https://factcheck.example.org/helicopters", "--note", "No footage shown.",
        "--db", db,
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert named["id"] in ok.output and "false" in ok.output
    # Without the `claim_` part, and a second verdict replacing a first one.
    short = anonymous["id"].removeprefix("claim_")
    assert (
        invoke("review", short, "--rating", "Mixture", "--reviewer", "X", "--db", db).exit_code == 0
    )
    again = invoke("review", short, "--rating", "Misleading", "--reviewer", "Open Desk", "--db", db)
    assert again.exit_code == 0, again.output
    unknown = invoke(
        "review", short, "--rating", "Needs a closer look", "--reviewer", "Y", "--db", db
    )
    assert unknown.exit_code == 0 and "unrated" in unknown.output
    assert (
        invoke(
            "review", short, "--rating", "Misleading", "--reviewer", "Open Desk", "--db", db
        ).exit_code
        == 0
    )
    assert (
        invoke("review", "claim_", "--rating", "False", "--reviewer", "Z", "--db", db).exit_code
        == 1
    )
    assert (
        invoke("review", "claim_zzzz", "--rating", "False", "--reviewer", "Z", "--db", db).exit_code
        == 1
    )
    assert invoke("review", short, "--rating", "False", "--db", db).exit_code == 2

    with Store(db) as store:
        stored = {r["claim_id"]: r for r in store.query("SELECT * FROM claim_reviews")}
    assert set(stored) == {named["id"], anonymous["id"]}
    assert stored[named["id"]]["rating"] == "false"
    assert stored[named["id"]]["rating_original"] == "Pants on Fire"
    assert stored[anonymous["id"]]["rating"] == "mostly_false"

    out = tmp_path / "out"
    result = invoke("export", "--format", "claimreview", "-o", out, "--db", db)
    assert result.exit_code == 0, result.output
    reviews = json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    assert isinstance(reviews, list) and len(reviews) == 2
    today = datetime.now(UTC).date().isoformat()
    for r in reviews:
        assert r["@context"] == "https://schema.org" and r["@type"] == "ClaimReview"
        assert r["datePublished"] == today
        assert r["author"] == {"@type": "Organization", "name": "Open Desk"}
        assert r["itemReviewed"]["@type"] == "Claim"
        assert r["itemReviewed"]["appearance"]["@type"] == "CreativeWork"
        assert r["reviewRating"]["@type"] == "Rating"
    by_claim = {r["itemReviewed"]["identifier"]: r for r in reviews}
    first = by_claim[named["id"]]
    assert first["url"] == "https://factcheck.example.org/helicopters"
    assert first["claimReviewed"] == named["text"]
    assert first["reviewBody"] == "No footage shown."
    assert first["itemReviewed"]["author"] == {"@type": "Person", "name": "Qassem al-Kuraiti"}
    assert first["itemReviewed"]["datePublished"] == named["date"]
    assert first["itemReviewed"]["appearance"]["headline"] == doc["title"]
    assert first["reviewRating"] == {
        "@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
        "alternateName": "Pants on Fire",
    }  # fmt: skip
    second = by_claim[anonymous["id"]]
    assert "url" not in second
    assert second["claimReviewed"] == anonymous["text"]
    assert "senior Iraqi official" in second["itemReviewed"]["description"]
    assert second["reviewRating"]["ratingValue"] == 2
    assert second["reviewRating"]["alternateName"] == "Misleading"

    removed = invoke("review", named_prefix, "--remove", "--db", db)
    assert removed.exit_code == 0 and named["id"] in removed.output
    api.export(db, out, fmt="claimreview")
    assert len(json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))) == 1


def test_outlet_is_the_claimant_when_no_speaker_is_named(linked_db, tmp_path, copy_database):
    db = copy_database(linked_db, tmp_path / "claimgraph.db")
    with Store(db) as store:
        own_voice = store.query(
            "SELECT c.id, d.outlet FROM claims c JOIN documents d ON d.id = c.document_id "
            "WHERE c.speaker IS NULL AND NOT c.anonymous AND d.outlet IS NOT NULL"
        )
        assert own_voice
        with pytest.raises(AmbiguousClaim):
            resolve_claim(store, "claim_")
        mark_reviewed(store, own_voice[0]["id"], rating="Unproven", reviewer="Desk")
        written = FORMATS["claimreview"](store, tmp_path)
    assert written == {"claimreview.jsonld": 1}
    review = json.loads((tmp_path / "claimreview.jsonld").read_text(encoding="utf-8"))[0]
    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": own_voice[0]["outlet"],
    }
    assert "ratingValue" not in review["reviewRating"]
    assert review["reviewRating"]["alternateName"] == "Unproven"


def test_export_all_writes_every_format(linked_db, tmp_path):
    result = invoke("export", "--format", "all", "-o", tmp_path, "--db", linked_db)
    assert result.exit_code == 0, result.output
    for name in ["documents.jsonl", "claims.jsonl", "narratives.jsonl", "provenance.graphml",
                 "provenance.gexf", "claimreview.jsonld", *(f"{t}.csv" for t in TABLES + VIEWS)]:  # fmt: skip
        assert (tmp_path / name).stat().st_size > 0, name
    assert json.loads((tmp_path / "claimreview.jsonld").read_text()) == []
    assert invoke("export", "--format", "xml", "-o", tmp_path, "--db", linked_db).exit_code == 2


# -- datasette -------------------------------------------------------------------------------


def _datasette_get(db: Path, paths: list[str]) -> list[dict]:
    """Datasette's in-process client: no server, no network."""
    from datasette.app import Datasette

    # `claimgraph export -f datasette` keys the metadata to this file's name (sample.db).
    out = db.parent / "datasette"
    result = invoke("export", "--format", "datasette", "-o", out, "--db", db)
    assert result.exit_code == 0, result.output
    metadata = json.loads((out / "datasette-metadata.json").read_text(encoding="utf-8"))
    assert list(metadata["databases"]) == [db.stem]

    async def run() -> list[dict]:
        ds = Datasette([str(db)], metadata=metadata)
        await ds.invoke_startup()
        out = []
        for path in paths:
            response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            out.append(response.json())
        return out

    return asyncio.run(run())


@pytest.mark.sqlite_only("datasette opens SQLite files only")
def test_datasette_serves_views_and_full_text_search(linked_db, tmp_path):
    db = copy_db(linked_db, tmp_path, "sample.db")
    speakers, sentences, documents, tables = _datasette_get(
        db,
        [
            "/sample/speakers.json?_shape=objects&_size=max",
            "/sample/sentences.json?_search=Fars&_shape=objects&_size=max",
            "/sample/documents.json?_search=Fars&_shape=objects&_col=title",
            "/sample.json",
        ],
    )
    names = {r["name"] for r in speakers["rows"]}
    assert "Jafar al-Hosseini" in names and len(names) > 5
    assert all(r["attributions"] >= 1 for r in speakers["rows"])
    assert sentences["rows"] and all("fars" in r["text"].lower() for r in sentences["rows"])
    with Store(db) as store:
        expected = store.query("SELECT COUNT(*) AS n FROM sentences WHERE text LIKE '%Fars%'")
    assert len(sentences["rows"]) == expected[0]["n"]
    assert 0 < len(documents["rows"]) < 5
    hidden = {t["name"] for t in tables["tables"] if t["hidden"]}
    assert {"link_state", "claim_vectors"} <= hidden


def test_datasette_metadata_names_real_tables_and_columns(linked_db):
    metadata = json.loads((DATA / "datasette-metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["claimgraph"]["tables"]
    known = {t.name: {c.name for c in t.columns} for t in s.metadata.sorted_tables}
    with Store(linked_db) as store:
        for view in s.VIEWS:
            known[view] = set(store.query(f"SELECT * FROM {view} LIMIT 1")[0])
    for name, conf in tables.items():
        assert name in known, name
        for column in [*conf.get("facets", []), conf.get("sort_desc"), conf.get("label_column")]:
            assert column is None or column in known[name], (name, column)
    assert tables["sentences"]["fts_table"] == "sentences_fts"
    assert tables["documents"]["fts_table"] == "documents_fts"
