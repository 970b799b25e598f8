"""`claimgraph serve`: every page and its JSON twin over the analysed sample, keyset pagination,
filters, search (full text and semantic), errors (400 for bad input, 404 for unknown ids) and
the promise that nothing is loaded from another host. Expected values come from the database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import lxml.html
import pytest
from fastapi.testclient import TestClient
from test_store import keyless_speaker_document

from claimgraph.link.claims import RuleScorer, extract_claims
from claimgraph.link.entities import merge_entity
from claimgraph.link.provenance import NODE_KINDS
from claimgraph.serve.app import create_app
from claimgraph.store import Store
from claimgraph.store.read import decode_cursor, encode_cursor, paragraphs

MALFORMED = ['"unclosed', "AND OR", "NEAR("]


@pytest.fixture(scope="module")
def client(linked_sample_db: Path):
    with TestClient(create_app(linked_sample_db), base_url="http://127.0.0.1:8000") as c:
        yield c


@pytest.fixture(scope="module")
def db_rows(linked_sample_db: Path):
    store = Store(linked_sample_db)

    def rows(sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return store.query(sql, params)

    yield rows
    store.close()


def _all_pages(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items, after, pages = [], None, 0
    while True:
        r = client.get(path, params={**params, **({"after": after} if after else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= params.get("limit", 50)
        items += body["items"]
        pages += 1
        after = body["next"]
        if after is None:
            return items
        assert pages < 1000


def test_every_page_renders_and_has_a_json_twin(client: TestClient, db_rows) -> None:
    narrative = db_rows("SELECT id FROM narratives ORDER BY claims DESC, id LIMIT 1")[0]["id"]
    document = db_rows("SELECT id FROM documents ORDER BY id LIMIT 1")[0]["id"]
    paths = [
        "/",
        "/search?q=forces",
        "/narratives",
        f"/narratives/{narrative}",
        f"/narratives/{narrative}/graph",
        "/claims",
        "/documents",
        f"/documents/{document}",
        "/speakers",
        "/outlets",
        "/outlets?kind=cited",
    ]
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert page.headers["content-type"].startswith("text/html")
        tree = lxml.html.document_fromstring(page.text)
        twin = tree.xpath("//link[@rel='alternate' and @type='application/json']/@href")
        assert twin and twin[0].startswith("/api/"), path
        data = client.get(twin[0])
        assert data.status_code == 200, (twin[0], data.text[:300])
        assert data.headers["content-type"].startswith("application/json")
        assert isinstance(data.json(), dict)


def test_home_figures_are_the_database_counts(client: TestClient, db_rows) -> None:
    summary = client.get("/api/summary").json()
    for table in ("documents", "sentences", "claims", "narratives", "attributions", "signals"):
        expected = db_rows(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]
        assert summary["counts"][table] == expected, table
    anonymous = db_rows("SELECT COUNT(*) AS n FROM attributions WHERE anonymous")[0]["n"]
    assert summary["anonymous_attributions"] == anonymous > 0
    page = client.get("/").text
    assert f"<b>{summary['counts']['claims']}</b> claims" in page


def test_narratives_page_by_keyset_in_size_order(client: TestClient, db_rows) -> None:
    got = _all_pages(client, "/api/narratives", limit=2, all=1)
    rows = db_rows("SELECT id, documents, outlet_count, first_seen, claims FROM narratives")
    # most spread first: documents, outlets, dated before undated, claims
    expected = sorted(
        rows,
        key=lambda r: (
            r["documents"],
            r["outlet_count"] or 0,
            r["first_seen"] is not None,
            r["claims"],
            r["id"],
        ),
        reverse=True,
    )
    assert [n["id"] for n in got] == [r["id"] for r in expected]
    assert len(expected) > 2  # more than one page was followed
    # The sample tells two narratives in two documents or more: a page of one has a next.
    html = client.get("/narratives?limit=1").text
    assert 'rel="next"' in html and "after=" in html


def test_narratives_hide_single_document_candidates_unless_asked(client, db_rows) -> None:
    rows = db_rows("SELECT id, documents FROM narratives")
    spread = {r["id"] for r in rows if r["documents"] >= 2}
    single = {r["id"] for r in rows if r["documents"] < 2}
    assert spread and single, "the sample has both"
    shown = {n["id"] for n in _all_pages(client, "/api/narratives", limit=3)}
    assert shown == spread
    everything = _all_pages(client, "/api/narratives", limit=3, all=1)
    assert {n["id"] for n in everything} == spread | single
    assert all(n["candidate"] == (n["id"] in single) for n in everything)
    page = client.get("/narratives").text
    assert f"{len(single)} single-document candidates" in page and "all=1" in page


def test_claims_cover_every_claim_once_most_check_worthy_first(client: TestClient, db_rows):
    got = _all_pages(client, "/api/claims", limit=7)
    ids = [c["id"] for c in got]
    assert len(ids) == len(set(ids))
    assert set(ids) == {r["id"] for r in db_rows("SELECT id FROM claims")}
    keys = [(c["checkworthiness"], c["id"]) for c in got]
    assert keys == sorted(keys, reverse=True)
    by_date = _all_pages(client, "/api/claims", limit=9, sort="date")
    dates = [(c["date"] or "", c["id"]) for c in by_date]
    assert dates == sorted(dates, reverse=True) and len(dates) == len(ids)


@pytest.mark.parametrize(
    ("param", "sql_value", "where"),
    [
        (
            "speaker",
            "SELECT speaker_entity_id AS v FROM claims WHERE speaker_entity_id IS NOT NULL "
            "GROUP BY speaker_entity_id ORDER BY COUNT(*) DESC, speaker_entity_id LIMIT 1",
            "speaker_entity_id = :v",
        ),
        (
            "narrative",
            "SELECT id AS v FROM narratives ORDER BY claims DESC, id LIMIT 1",
            "narrative_id = :v",
        ),
        (
            "outlet",
            "SELECT outlet AS v FROM documents WHERE outlet IS NOT NULL LIMIT 1",
            "document_id IN (SELECT id FROM documents WHERE outlet = :v)",
        ),
        ("signal", "SELECT 'hedged' AS v", "hedged"),
        ("signal", "SELECT 'anonymous' AS v", "anonymous"),
        (
            "signal",
            "SELECT 'evidence_promised_not_shown' AS v",
            "signal_types LIKE '%evidence_promised_not_shown%'",
        ),
        ("min_checkworthiness", "SELECT 0.8 AS v", "checkworthiness >= :v"),
        ("date_from", "SELECT MIN(date) AS v FROM claims WHERE date LIKE '2021%'", "date >= :v"),
    ],
)
def test_claim_filters_return_exactly_the_matching_claims(
    client: TestClient, db_rows, param: str, sql_value: str, where: str
) -> None:
    value = db_rows(sql_value)[0]["v"]
    assert value is not None
    expected = {r["id"] for r in db_rows(f"SELECT id FROM claims WHERE {where}", {"v": value})}
    assert expected, f"the sample has no claim for {param}={value}"
    got = _all_pages(client, "/api/claims", limit=5, **{param: value})
    assert {c["id"] for c in got} == expected
    html = client.get("/claims", params={param: value, "limit": 5}).text
    if len(expected) > 5:  # the next-page link keeps the filter
        tree = lxml.html.document_fromstring(html)
        assert param in tree.xpath("//a[@rel='next']/@href")[0]


def test_date_range_to_a_month_includes_its_days(client: TestClient, db_rows) -> None:
    day = db_rows("SELECT date FROM claims WHERE LENGTH(date) = 10 ORDER BY date LIMIT 1")[0][
        "date"
    ]
    got = _all_pages(client, "/api/claims", date_from=day, date_to=day[:7])
    assert got and all(day <= c["date"] <= day[:7] + "-31" for c in got)
    assert day in {c["date"] for c in got}


def test_narrative_page_links_each_claim_to_its_sentence(client: TestClient, db_rows) -> None:
    n = db_rows("SELECT * FROM narratives ORDER BY documents DESC, claims DESC, id LIMIT 1")[0]
    data = client.get(f"/api/narratives/{n['id']}").json()
    assert data["label"] == n["label"]
    assert data["first_seen"] == n["first_seen"] and data["last_seen"] == n["last_seen"]
    assert data["anonymous_share"] == n["anonymous_share"]
    members = db_rows("SELECT id FROM claims WHERE narrative_id = :i", {"i": n["id"]})
    assert {c["id"] for c in data["claims_list"]} == {m["id"] for m in members}
    assert sum(d["claims"] for d in data["documents_list"]) == len(members)
    tree = lxml.html.document_fromstring(client.get(f"/narratives/{n['id']}").text)
    assert n["label"] in tree.text_content()
    links = tree.xpath("//a[contains(@class, 'claim-link')]/@href")
    assert len(links) == len(members)
    for claim, href in zip(data["claims_list"], links, strict=True):
        assert href == f"/documents/{claim['document_id']}#s-{claim['sentence_id']}"
        doc = lxml.html.document_fromstring(client.get(href.split("#")[0]).text)
        sentence = doc.get_element_by_id(href.split("#")[1])
        assert claim["text"] in sentence.text_content()
        assert claim["text"] in "".join(
            e.text_content() for e in sentence.xpath(".//span[contains(@class, 'claim')]")
        )


def test_fact_check_links_show_on_the_narrative_page(
    linked_sample_db: Path, tmp_path: Path, copy_database
):
    """factcheck_links rows (made here with the store's own tables) appear on the page; a
    javascript: URL from an imported fact-check never becomes a link."""
    from claimgraph.store import schema as s

    db = copy_database(linked_sample_db, tmp_path / "fc.db")
    with Store(db) as store:
        claim = store.query(
            "SELECT c.id, c.sentence_id, c.text, c.narrative_id FROM claims c "
            "JOIN narratives n ON n.id = c.narrative_id ORDER BY c.id LIMIT 1"
        )[0]
        with store.engine.begin() as conn:
            for i, url in enumerate(["https://factcheck.example/a", "javascript:alert(1)"]):
                conn.execute(
                    s.factchecks.insert().values(
                        id=f"fc_{i}",
                        claim_text=f"checked claim {i}",
                        rating="false",
                        rating_original="False",
                        reviewer="Checker",
                        url=url,
                        title=f"Review {i}",
                        format="claimreview-jsonld",
                        source="test#1",
                        imported_at="2024-01-01T00:00:00+00:00",
                    )
                )
                conn.execute(
                    s.factcheck_links.insert().values(
                        claim_id=claim["id"],
                        factcheck_id=f"fc_{i}",
                        score=0.9 - i / 10,
                        rank=i + 1,
                        claim_sentence_id=claim["sentence_id"],
                        claim_text=claim["text"],
                        factcheck_text=f"checked claim {i}",
                        method="test",
                        linked_at="2024-01-01T00:00:00+00:00",
                        tier="confident" if i == 0 else "possible",
                    )
                )
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as c:
        data = c.get(f"/api/narratives/{claim['narrative_id']}").json()
        assert [f["factcheck_id"] for f in data["factchecks"]] == ["fc_0", "fc_1"]
        assert data["factchecks"][1]["url"] is None
        tree = lxml.html.document_fromstring(c.get(f"/narratives/{claim['narrative_id']}").text)
    hrefs = tree.xpath("//table[contains(@class, 'factchecks')]//a/@href")
    assert "https://factcheck.example/a" in hrefs
    assert not [h for h in tree.xpath("//@href") if h.lower().startswith("javascript")]
    assert "Review 1" in tree.text_content()
    # the confident link reads as fact-checked, the other as a possible match with its score
    rows = tree.xpath("//table[contains(@class, 'factchecks')]/tbody/tr")
    assert [r.get("class") for r in rows] == ["tier-confident", "tier-possible"]
    assert "fact-checked" in rows[0].text_content()
    assert "loose match" in rows[1].text_content() and "0.80" in rows[1].text_content()
    assert data["factchecks"][1]["loose"] and not data["factchecks"][0]["loose"]
    assert [f["tier"] for f in data["factchecks"]] == ["confident", "possible"]


def test_document_page_keeps_every_sentence_and_marks_claims(client: TestClient, db_rows):
    for doc in db_rows("SELECT id, text FROM documents"):
        tree = lxml.html.document_fromstring(client.get(f"/documents/{doc['id']}").text)
        sentences = db_rows(
            "SELECT id, text FROM sentences WHERE document_id = :i ORDER BY position",
            {"i": doc["id"]},
        )
        for s in sentences:
            assert tree.get_element_by_id(f"s-{s['id']}").text_content() == s["text"]
        claims = db_rows("SELECT text FROM claims WHERE document_id = :i", {"i": doc["id"]})
        marked = " ".join(e.text_content() for e in tree.xpath("//span[contains(@class,'claim')]"))
        for c in claims:
            assert c["text"].split()[0] in marked


def test_segments_cover_the_text_with_overlapping_marks() -> None:
    body = "He said that the army moved. Then it left.\n\nNew paragraph here."
    sentences = [
        {"id": 1, "start_char": 0, "end_char": 28},
        {"id": 2, "start_char": 29, "end_char": 42},
        {"id": 3, "start_char": 44, "end_char": 63},
    ]
    claims = [{"start_char": 13, "end_char": 27, "checkworthiness": 0.9}]
    atts = [
        {
            "start_char": 8,
            "end_char": 27,
            "kind": "indirect",
            "speaker": "He",
            "speaker_description": None,
            "cue_start": 3,
            "cue_end": 7,
            "cue": "said",
        }
    ]
    signals = [{"start_char": 22, "end_char": 27, "type": "hedged"}]
    paras = paragraphs(body, sentences, claims, atts, signals)
    assert [[s["id"] for s in p] for p in paras] == [[1, 2], [3]]
    first = paras[0][0]["segments"]
    assert "".join(seg["text"] for seg in first) == body[0:28]
    marks = {seg["text"]: seg["marks"] for seg in first}
    assert marks["said"] == ["cue"]
    assert marks["that "] == ["quote"]
    assert marks["the army "] == ["claim", "quote"]
    assert marks["moved"] == ["claim", "quote", "signal"]
    assert marks["."] == []


def test_full_text_search_finds_sentences_and_links_them(client: TestClient, db_rows) -> None:
    word = "Fallujah"
    expected = {
        r["id"] for r in db_rows("SELECT id FROM sentences WHERE text LIKE :w", {"w": f"%{word}%"})
    }
    data = client.get("/api/search", params={"q": word, "limit": 200}).json()
    assert {r["sentence_id"] for r in data["results"]} == expected and expected
    for r in data["results"]:
        assert word.lower() in r["text"].lower()
        assert r["href"] == f"/documents/{r['document_id']}#s-{r['sentence_id']}"
    tree = lxml.html.document_fromstring(client.get("/search", params={"q": word}).text)
    assert tree.xpath("//ol[@class='results']//mark")
    assert all(m.text_content().lower() == word.lower() for m in tree.xpath("//mark"))


def test_semantic_search_finds_claims_told_in_other_words(client: TestClient, db_rows) -> None:
    app = client.app
    claim = db_rows("SELECT id, text FROM claims ORDER BY checkworthiness DESC, id LIMIT 1")[0]
    first = client.get("/api/search", params={"q": claim["text"], "mode": "semantic", "limit": 5})
    assert first.status_code == 200, first.text
    index = app.state.claim_search
    assert (
        index is not None
        and len(index) == db_rows("SELECT COUNT(*) AS n FROM claim_vectors")[0]["n"]
    )
    top = first.json()["results"][0]
    assert top["text"] == claim["text"] and top["score"] > 0.95
    # the gold narrative "US helicopters evacuate or move ISIS leaders", asked in other words
    hits = client.get(
        "/api/search",
        params={"q": "American helicopters fly jihadist fighters out", "mode": "semantic"},
    ).json()["results"][:3]
    assert any("chopper" in h["text"].lower() or "helicopter" in h["text"].lower() for h in hits)
    assert app.state.claim_search is index  # loaded once, kept
    html = client.get("/search", params={"q": "US aircraft drop weapons", "mode": "semantic"})
    assert html.status_code == 200 and 'class="hit"' in html.text


@pytest.mark.parametrize("query", MALFORMED)
def test_malformed_search_is_a_400_with_a_message(client: TestClient, query: str) -> None:
    api = client.get("/api/search", params={"q": query})
    assert api.status_code == 400
    assert "search syntax" in api.json()["error"].lower()
    page = client.get("/search", params={"q": query})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    message = lxml.html.document_fromstring(page.text).xpath("//*[@role='alert']")[0]
    assert "syntax" in message.text_content().lower()


@pytest.mark.parametrize(
    "path",
    [
        "/api/claims?after=not-a-cursor",
        "/api/claims?after=" + encode_cursor(["high", "claim_x"]),
        "/api/narratives?after=" + encode_cursor([1, 2]),
        "/api/claims?limit=0",
        "/api/claims?limit=100000",
        "/api/claims?sort=random",
        "/api/claims?date_from=yesterday",
        "/api/claims?min_checkworthiness=abc",
        "/api/search?q=x&mode=psychic",
        "/api/search?q=%20%20&mode=semantic",
        "/api/outlets?kind=secret",
    ],
)
def test_bad_parameters_are_400_not_500(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 400, r.text
    assert r.json()["error"]
    html = client.get(path.removeprefix("/api"))
    assert html.status_code == 400 and "text/html" in html.headers["content-type"]


@pytest.mark.parametrize(
    "path",
    ["/narratives/narr_nope", "/narratives/narr_nope/graph", "/documents/doc_nope", "/nowhere"],
)
def test_unknown_ids_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
    api = client.get("/api" + path)
    assert api.status_code == 404 and "error" in api.json()


def test_cursor_round_trip() -> None:
    assert decode_cursor(encode_cursor([0.5, "claim_a"]), ((int, float), str)) == [0.5, "claim_a"]


def test_graph_is_svg_of_the_narratives_sources(client: TestClient, db_rows) -> None:
    n = db_rows("SELECT id, speakers FROM narratives ORDER BY claims DESC, id LIMIT 1")[0]
    g = client.get(f"/api/narratives/{n['id']}/graph").json()
    labels = {v["label"] for v in g["nodes"] if v["kind"] == "speaker"}
    assert set(json.loads(n["speakers"])) <= labels
    claims = db_rows("SELECT COUNT(*) AS n FROM claims WHERE narrative_id = :i", {"i": n["id"]})
    assert len(g["chains"]) == claims[0]["n"]
    ids = {v["id"] for v in g["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in g["edges"])
    # What is drawn is the one provenance model (the export's): every drawn node is a model
    # node, speakers keyed as /speakers/ pages are, with the model's relations and directions.
    model = {v["id"]: v for v in g["graph"]["nodes"]}
    kinds = {v["kind"] for v in model.values()}
    assert {"document", "claim", "narrative"} <= kinds <= set(NODE_KINDS)
    for v in g["nodes"]:
        if v.get("node"):
            assert model[v["node"]]["label"] == v["label"]
    relations = {
        (model[e["source"]]["kind"], e["relation"], model[e["target"]]["kind"])
        for e in g["graph"]["edges"]
    }
    assert ("document", "contains", "claim") in relations
    assert ("claim", "member_of", "narrative") in relations
    assert relations <= {
        ("outlet", "publishes", "document"),
        ("outlet", "reprints", "document"),
        ("document", "contains", "claim"),
        ("document", "cites", "outlet"),
        ("outlet", "cites", "outlet"),
        ("outlet", "quotes", "speaker"),
        ("document", "quotes", "speaker"),
        ("claim", "rests_on", "speaker"),
        ("claim", "member_of", "narrative"),
        ("claim", "repeats", "claim"),
    }
    svg = client.get(f"/narratives/{n['id']}/graph.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.text)
    drawn = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {v["short"] for v in g["nodes"]} <= drawn
    # A legend names every column, and nodes are links to their pages.
    assert {c["label"] for c in g["columns"]} <= drawn
    hrefs = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert any(h.startswith("/speakers/") for h in hrefs)
    assert any(h.startswith("/documents/") for h in hrefs)
    page = client.get(f"/narratives/{n['id']}/graph").text
    assert 'class="legend"' in page


def test_openapi_is_served_and_nothing_comes_from_another_host(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/summary", "/api/search", "/api/narratives", "/api/claims", "/api/documents"):
        assert path in spec["paths"], path
    params = {p["name"] for p in spec["paths"]["/api/claims"]["get"]["parameters"]}
    assert {"after", "limit", "speaker", "outlet", "signal", "date_from", "narrative"} <= params
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN
    for path in ("/", "/api", "/claims", "/narratives"):
        r = client.get(path)
        assert "default-src 'none'" in r.headers["content-security-policy"]
        tree = lxml.html.document_fromstring(r.text)
        loaded = tree.xpath("//script/@src | //link/@href | //img/@src | //iframe/@src")
        assert all(u.startswith("/") for u in loaded), loaded
        assert not tree.xpath("//script")


@pytest.mark.sqlite_only("starts `claimgraph serve` in a subprocess on the SQLite file")
def test_serve_command_listens_on_loopback(linked_sample_db: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "claimgraph.cli",
            "serve",
            "--db",
            str(linked_sample_db),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/summary", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert r.status_code == 200 and r.json()["counts"]["documents"] == 5
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert f"http://127.0.0.1:{port}/" in (proc.stdout.read().decode() if proc.stdout else "")


# -- issue 14: pages for a speaker, an outlet and an entity; CSV twins; stemmed search ---------


def test_speaker_page_by_name_lists_his_claims(client: TestClient, db_rows) -> None:
    page = client.get("/speakers/Qassem al-Kuraiti")
    assert page.status_code == 200
    expected = db_rows(
        "SELECT text FROM claims WHERE speaker_entity_id = "
        "(SELECT id FROM entities WHERE name = 'Qassem al-Kuraiti')"
    )
    assert expected and any("thermal cameras" in r["text"].lower() for r in expected)
    text = lxml.html.document_fromstring(page.text).text_content()
    for r in expected:
        assert r["text"] in text
    data = client.get("/api/speakers/Qassem al-Kuraiti").json()
    assert data["claims"] == len(expected)
    assert set(data["shares"]) == {"anonymous", "hedged", "evidence_not_shown"}
    # by id too, and /claims?speaker= takes the name as written
    entity = db_rows("SELECT id FROM entities WHERE name = 'Qassem al-Kuraiti'")[0]["id"]
    assert client.get(f"/api/speakers/{entity}").json()["claims"] == len(expected)
    by_name = _all_pages(client, "/api/claims", speaker="Qassem al-Kuraiti")
    assert {c["text"] for c in by_name} == {r["text"] for r in expected}
    assert client.get("/speakers/Nobody at all").status_code == 404


def test_one_speaker_list_includes_speakers_without_an_entity(
    linked_sample_db: Path, tmp_path: Path, copy_database
) -> None:
    # with a document as stored before every named speaker had an entity: its speaker is named
    # without one (the sample's speakers all have one now)
    db = copy_database(linked_sample_db, tmp_path / "older.db")
    with Store(db) as store:
        older = keyless_speaker_document("Marta Lindqvist", "doc_keyless_speaker")
        older.claims = extract_claims(older, RuleScorer())  # her page lists her claims
        assert [c.attribution_index for c in older.claims] == [0]
        assert store.write_documents([older], merge=merge_entity) == 1
        unresolved = store.query(
            "SELECT DISTINCT speaker FROM attributions WHERE speaker_entity_id IS NULL "
            "AND speaker IS NOT NULL AND NOT anonymous"
        )
        attributed = store.query(
            "SELECT COUNT(*) AS n FROM attributions WHERE speaker_entity_id IS NOT NULL "
            "OR speaker IS NOT NULL OR anonymous"
        )[0]["n"]
    assert "Marta Lindqvist" in {r["speaker"] for r in unresolved}
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as client:
        speakers = _all_pages(client, "/api/speakers", limit=7)
        names = {s["name"] for s in speakers}
        assert {r["speaker"] for r in unresolved} <= names
        assert any(s["anonymous"] for s in speakers)
        assert sum(s["attributions"] for s in speakers) == attributed
        csv_text = client.get("/speakers.csv").text
        assert "Marta Lindqvist" in csv_text
        keyless = next(s for s in speakers if s["name"] == "Marta Lindqvist")
        assert client.get(f"/speakers/{keyless['id']}").status_code == 200


def test_outlet_and_entity_pages(client: TestClient, db_rows) -> None:
    outlet = db_rows(
        "SELECT outlet, COUNT(*) AS n FROM documents WHERE outlet IS NOT NULL GROUP BY outlet "
        "ORDER BY n DESC LIMIT 1"
    )[0]
    data = client.get(f"/api/outlets/{outlet['outlet']}").json()
    assert data["documents"] == outlet["n"] and data["name"] == outlet["outlet"]
    assert client.get(f"/outlets/{outlet['outlet']}").status_code == 200
    entity = db_rows(
        "SELECT e.id, e.name, COUNT(*) AS n FROM mentions m JOIN entities e ON e.id = m.entity_id "
        "GROUP BY e.id, e.name ORDER BY n DESC, e.id LIMIT 1"
    )[0]
    by_name = client.get(f"/api/entities/{entity['name']}").json()
    by_id = client.get(f"/api/entities/{entity['id']}").json()
    assert by_name["id"] == by_id["id"] == entity["id"] and by_id["mentions"] == entity["n"]
    assert client.get(f"/entities/{entity['name']}").status_code == 200
    assert client.get("/entities/no such thing").status_code == 404


def test_list_pages_as_csv(client: TestClient, db_rows) -> None:
    import csv as stdcsv
    import io

    response = client.get("/claims.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(stdcsv.DictReader(io.StringIO(response.text)))
    claims = db_rows("SELECT id FROM claims")
    assert len(rows) == len(claims) > 50  # every claim, past the page size
    assert {r["id"] for r in rows} == {c["id"] for c in claims}
    filtered = list(
        stdcsv.DictReader(io.StringIO(client.get("/claims.csv?speaker=Qassem al-Kuraiti").text))
    )
    assert filtered and {r["speaker"] for r in filtered} == {"Qassem al-Kuraiti"}
    for path in ("/narratives.csv", "/documents.csv", "/outlets.csv", "/speakers.csv"):
        got = client.get(path)
        assert got.status_code == 200 and got.text.splitlines()[0].startswith(("id,", "name,"))
    assert 'href="/claims.csv' in client.get("/claims").text


def test_full_text_search_is_stemmed_and_points_to_semantic(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "airdrop"}).json()["results"]
    assert len(hits) >= 5
    assert any("airdropped" in h["text"] for h in hits)
    none = client.get("/api/search", params={"q": "zyxwvut"}).json()
    assert none["results"] == [] and "mode=semantic" in none["hint"]
    assert "Try semantic search" in client.get("/search", params={"q": "zyxwvut"}).text
    # the user's own syntax is kept: a phrase is not stemmed
    phrase = client.get("/api/search", params={"q": '"airdrop"'}).json()["results"]
    assert len(phrase) < len(hits)


def test_narrative_page_has_a_timeline_and_one_row_per_fact_check(client, db_rows) -> None:
    n = db_rows("SELECT id FROM narratives ORDER BY documents DESC, claims DESC, id LIMIT 1")[0]
    data = client.get(f"/api/narratives/{n['id']}").json()
    dated = [c for c in data["claims_list"] if c["date"]]
    assert sum(m["claims"] for m in data["timeline"]) <= len(data["claims_list"])
    page = client.get(f"/narratives/{n['id']}").text
    if dated:
        assert 'class="timeline"' in page
    ids = [f["factcheck_id"] for f in data["factchecks"]]
    assert len(ids) == len(set(ids))


def test_semantic_search_is_cut_at_a_similarity_floor(client: TestClient) -> None:
    near = client.get(
        "/api/search", params={"q": "US planes dropped supplies to ISIS", "mode": "semantic"}
    ).json()
    assert near["results"] and all(r["score"] >= near["min_score"] for r in near["results"])
    far = client.get(
        "/api/search", params={"q": "recipe for chocolate cake", "mode": "semantic"}
    ).json()
    assert far["results"] == [] and far["cut"] > 0  # no longer always 20 results
    everything = client.get(
        "/api/search",
        params={"q": "recipe for chocolate cake", "mode": "semantic", "min_score": -1},
    ).json()
    assert len(everything["results"]) == far["cut"]


def test_a_merged_narrative_id_redirects_to_the_survivor(
    linked_sample_db: Path, tmp_path: Path, copy_database
) -> None:
    from claimgraph.store import schema as s

    db = copy_database(linked_sample_db, tmp_path / "merged.db")
    with Store(db) as store:
        survivor = store.query("SELECT id FROM narratives ORDER BY id LIMIT 1")[0]["id"]
        with store.writing() as conn:
            conn.execute(
                s.narrative_merges.insert().values(
                    id="narr_gone", merged_into=survivor, merged_at="2026-01-01T00:00:00"
                )
            )
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as c:
        page = c.get("/narratives/narr_gone", follow_redirects=False)
        assert page.status_code == 308 and page.headers["location"] == f"/narratives/{survivor}"
        api = c.get("/api/narratives/narr_gone")
        assert api.status_code == 200 and api.json()["id"] == survivor
        assert c.get("/narratives/narr_never").status_code == 404


def test_graph_layout_draws_each_chain_from_the_one_model() -> None:
    """An outlet both cited and publishing is one model node drawn in both columns; a claim
    with no speaker starts at "the article itself"; drawn edges follow each claim's chain."""
    from claimgraph.link.provenance import narrative_graph
    from claimgraph.serve.layout import lay_out

    base = {"date": None, "sentence_id": 1, "speaker_entity_id": None, "anonymous": False}
    claims = [
        {
            **base,
            "id": "cl_a",
            "text": "A said it.",
            "document_id": "doc_1",
            "document_title": "One",
            "publisher": "Wire",
            "speaker": "Ann Example",
            "speaker_description": None,
            "attribution_id": "att_a",
            "via": [],
        },
        {
            **base,
            "id": "cl_b",
            "text": "It was said.",
            "document_id": "doc_2",
            "document_title": "Two",
            "publisher": "Daily",
            "speaker": None,
            "anonymous": True,
            "speaker_description": "an official",
            "attribution_id": "att_b",
            "via": ["Wire"],
        },
        {
            **base,
            "id": "cl_c",
            "text": "Nobody said it.",
            "document_id": "doc_2",
            "document_title": "Two",
            "publisher": "Daily",
            "speaker": None,
            "speaker_description": None,
            "attribution_id": None,
            "via": [],
        },
    ]
    graph = narrative_graph(claims, {"id": "narr_x", "label": "it"})
    assert {v.id for v in graph.nodes.values() if v.kind == "outlet"} == {
        "outlet:Wire",
        "outlet:Daily",
    }
    assert ("outlet:Wire", "document:doc_1", "publishes") in graph.edges
    assert ("document:doc_2", "outlet:Wire", "cites") in graph.edges
    assert ("outlet:Wire", "speaker:anonymous: an official", "quotes") in graph.edges
    assert ("document:doc_1", "speaker:name: Ann Example", "quotes") in graph.edges
    # members in date order (all undated here: by id); a retelling in another document
    # repeats the one before it, one in the same document does not
    assert ("claim:cl_b", "claim:cl_a", "repeats") in graph.edges
    assert ("claim:cl_c", "claim:cl_b", "repeats") not in graph.edges
    drawn = lay_out(graph, {"id": "narr_x", "label": "it", "claims": 3, "documents": 2})
    columns = {(v["kind"], v["label"]) for v in drawn["nodes"]}
    assert {("cited", "Wire"), ("publisher", "Wire"), ("speaker", "the article itself")} <= columns
    by_id = {v["id"]: v for v in drawn["nodes"]}
    pairs = {(by_id[e["source"]]["label"], by_id[e["target"]]["label"]) for e in drawn["edges"]}
    assert ("an official", "Wire") in pairs and ("Wire", "Daily") in pairs
    assert ("the article itself", "Daily") in pairs
    assert [ch["path"] for ch in drawn["chains"]] == [
        ["Ann Example", "Wire", "One"],
        ["an official", "Wire", "Daily", "Two"],
        ["the article itself", "Daily", "Two"],
    ]
    assert by_id["speaker|speaker:name: Ann Example"]["href"] == "/speakers/name%3A%20Ann%20Example"


def test_a_document_says_which_attributions_report_no_statement(client: TestClient, db_rows):
    """The document page marks a position or an act under its kind (schema v9 `reports`), and
    its JSON twin carries the label for every attribution."""
    rows = db_rows("SELECT document_id, reports FROM attributions")
    assert rows and {r["reports"] for r in rows} <= {"statement", "position", "act"}
    others = {r["document_id"] for r in rows if r["reports"] != "statement"}
    assert others, "the sample has positions or acts"
    doc_id = sorted(others)[0]
    found = client.get(f"/api/documents/{doc_id}").json()["attributions"]
    assert sorted(a["reports"] for a in found) == sorted(
        r["reports"] for r in rows if r["document_id"] == doc_id
    )
    tree = lxml.html.document_fromstring(client.get(f"/documents/{doc_id}").text)
    marks = [e.text_content() for e in tree.xpath("//table[@class='list']//td/span[@class='meta']")]
    assert sum(m in ("position", "act") for m in marks) == sum(
        a["reports"] != "statement" for a in found
    )
