"""The web app and the HTML report in a real browser: Playwright's Python API driving Debian's
Chromium (/usr/bin/chromium, installed by scripts/install.sh; no browser is ever downloaded).

A person's path through the app (search, a narrative, the sentence it rests on), hostile article
text that must stay text, and the promise that nothing is requested from another host. The
screenshots in docs/screenshots/ (shown in the README) are taken here.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn

from claimgraph.serve.app import create_app
from claimgraph.store import Store

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<b><i>unclosed <div",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: scripts/install.sh installs Debian's chromium "
        "(as root: apt-get install -y chromium)"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread (so the PostgreSQL test pass,
    which maps database paths inside this process, serves the same database)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


class Watch:
    """Everything a page requested, every failed request and every dialog it opened."""

    def __init__(self, page) -> None:
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))

        def on_dialog(dialog) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)

    def foreign(self, allowed_schemes: tuple[str, ...] = ("data", "about")) -> list[str]:
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in allowed_schemes:
                continue
            if parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost"):
                continue
            out.append(url)
        return out


def _is_highlighted(page, sentence_id: str) -> dict:
    """Whether the sentence is the :target, and its background against an untargeted one's."""
    return page.evaluate(
        """(id) => {
            const el = document.getElementById(id);
            const other = [...document.querySelectorAll('.sentence, .s')].find(e => e.id !== id);
            return {
                target: el.matches(':target'),
                background: getComputedStyle(el).backgroundColor,
                other: other ? getComputedStyle(other).backgroundColor : null,
                visible: el.getBoundingClientRect().top < window.innerHeight
                    && el.getBoundingClientRect().bottom > 0,
            };
        }""",
        sentence_id,
    )


def test_search_then_narrative_to_its_highlighted_sentence(browser, linked_sample_db: Path):
    with serving(linked_sample_db) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        watch = Watch(page)
        page.goto(base + "/")
        assert page.locator("h1").inner_text() == "Corpus"

        # full-text search from the header box
        page.fill("form.quick input[name=q]", "Fallujah")
        page.press("form.quick input[name=q]", "Enter")
        page.wait_for_url("**/search?q=Fallujah")
        hits = page.locator("ol.results li")
        assert hits.count() > 0
        assert all(
            m.lower() == "fallujah" for m in page.locator("ol.results mark").all_inner_texts()
        )

        # the largest narrative, then the sentence its first claim was told in
        page.click("header nav >> text=Narratives")
        first = page.locator("table.list tbody tr td a").first
        label = first.inner_text()
        first.click()
        page.wait_for_url("**/narratives/narr_*")
        assert page.locator("h1").inner_text() == label
        claim = page.locator("a.claim-link").first
        claim_text = claim.inner_text()
        href = claim.get_attribute("href")
        assert href and "#s-" in href
        claim.click()
        page.wait_for_url("**/documents/doc_*#s-*")
        sentence_id = href.split("#", 1)[1]
        state = _is_highlighted(page, sentence_id)
        assert state["target"] and state["visible"], state
        assert state["background"] != state["other"], state
        assert state["background"] not in ("rgba(0, 0, 0, 0)", "transparent"), state
        assert claim_text in page.locator(f"#{sentence_id}").inner_text()

        # the provenance graph is drawn by the server
        page.go_back()
        page.click("text=Provenance graph")
        assert page.locator("svg.graph g.node").count() >= 2

        page.goto(base + href)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "app.png"))
        assert not watch.foreign(), watch.foreign()
        assert not watch.failed, watch.failed
        assert not watch.dialogs
        page.close()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, nlp) -> Path:
    """A hostile article (script, onerror, javascript: link, broken markup in title, text and
    URL) analysed as `claimgraph analyze` does by default."""
    from claimgraph.annotate.nlp import model_info
    from claimgraph.engine.local import analyze
    from claimgraph.link.stage import Linker

    folder = tmp_path_factory.mktemp("hostile")
    body = (
        f"A senior official said that the army {HOSTILE[1]} moved weapons across the border "
        "on 3 May 2021, according to Fars News Agency.\n\n"
        f"{HOSTILE[0]} Witnesses claimed the army moved weapons across the border at night.\n\n"
        f"The ministry said the army moved weapons across the border {HOSTILE[3]} again. "
        f"See {HOSTILE[2]} for the documents it promised to publish."
    )
    record = {
        "title": f"{HOSTILE[0]} Army moves weapons {HOSTILE[1]}",
        "text": body,
        "url": "javascript:alert(1)",
        "outlet": f"Evil {HOSTILE[1]} News",
        "date": "2021-05-04",
    }
    (folder / "hostile.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    db = folder / "hostile.db"
    with Store(db) as store:
        summary = analyze(
            [folder / "hostile.jsonl"],
            store,
            nlp,
            model_name=model_info(nlp).describe(),
            linker=Linker(store),
        )
        assert summary.documents_added == 1
        assert store.query("SELECT COUNT(*) AS n FROM claims")[0]["n"] > 0
    return db


def test_hostile_article_stays_text_in_the_browser(browser, hostile_db: Path) -> None:
    with Store(hostile_db) as store:
        doc = store.query("SELECT id, title, outlet FROM documents")[0]
    assert "<script>" in doc["title"]  # the hostile markup reached the database as text
    with serving(hostile_db) as base:
        page = browser.new_page()
        watch = Watch(page)
        pages = [
            f"/documents/{doc['id']}",
            "/search?q=alert",
            "/search?q=weapons&mode=semantic",
            "/claims",
            "/narratives",
            "/documents",
            "/outlets",
            "/",
        ]
        for path in pages:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("load")
            assert page.locator("[onerror]").count() == 0, path
            assert page.locator("script").count() == 0, path
            assert page.locator("img").count() == 0, path
            assert page.locator("[href^='javascript' i]").count() == 0, path
        page.goto(base + f"/documents/{doc['id']}")
        assert "<script>alert(1)</script>" in page.locator("h1").inner_text()
        assert "<img src=x onerror=alert(1)>" in page.locator("article.body").inner_text()
        page.goto(base + "/search?q=alert")
        assert page.locator("ol.results li").count() > 0  # the search hits the hostile text
        for query in ['"unclosed', "AND OR", "NEAR("]:
            response = page.goto(base + "/search?q=" + query)
            assert response is not None and response.status == 400, query
            assert "syntax" in page.locator("[role=alert]").inner_text().lower()
        assert watch.dialogs == []
        assert not watch.foreign(), watch.foreign()
        page.close()


def test_report_opens_from_disk_and_links_claims_to_sentences(
    browser, linked_sample_db: Path, tmp_path: Path
) -> None:
    from claimgraph.report import write_report

    out = tmp_path / "report.html"
    with Store(linked_sample_db) as store:
        write_report(store, out)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    watch = Watch(page)
    page.goto(out.as_uri())
    link = page.locator("#narratives article.narrative h3 a").first
    href = link.get_attribute("href")
    assert href and href.startswith("#s-")
    link.click()
    page.wait_for_function("h => location.hash === h", arg=href)
    state = _is_highlighted(page, href[1:])
    assert state["target"] and state["visible"], state
    assert state["background"] != state["other"], state
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report.png"))
    assert not watch.failed, watch.failed
    assert not watch.foreign(allowed_schemes=("data", "about", "file")), watch.foreign()
    assert watch.dialogs == []
    page.close()


def test_speaker_page_graph_click_and_csv_download(
    browser, linked_sample_db: Path, tmp_path: Path
) -> None:
    """Issue 14: a speaker's page by name, an outlet's and an entity's page, a graph node that
    leads to a speaker's page, and a list downloaded as CSV."""
    import csv

    with serving(linked_sample_db) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
        watch = Watch(page)
        page.goto(base + "/speakers")
        page.click("table.list >> text=Qassem al-Kuraiti")
        page.wait_for_url("**/speakers/qassem-al-kuraiti")
        assert page.locator("h1").inner_text() == "Qassem al-Kuraiti"
        assert "thermal cameras" in page.locator("table.list").inner_text().lower()
        assert page.locator("ul.figures").inner_text().count("%") == 3  # the three shares
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "speaker.png"))

        # by the name as written, too; and a speaker with no entity behind the name
        page.goto(base + "/speakers/Qassem al-Kuraiti")
        assert page.locator("h1").inner_text() == "Qassem al-Kuraiti"
        page.goto(base + "/speakers?q=Watut")
        page.click("table.list >> text=Iskandar Watut")
        assert page.locator("h1").inner_text() == "Iskandar Watut"

        # the entity page and an outlet page
        page.goto(base + "/entities/Qassem al-Kuraiti")
        assert "documents" in page.locator("ul.figures").inner_text()
        page.goto(base + "/outlets")
        page.locator("table.list tbody tr td a").first.click()
        page.wait_for_url("**/outlets/*")
        assert page.locator("p.kicker").inner_text() == "Outlet"

        # a dated narrative's timeline; its graph: a legend, and nodes that are links
        page.goto(base + "/narratives")
        hrefs = page.locator("table.list tbody tr td > a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        dated = []
        for href in hrefs:
            page.goto(base + href)
            dated.append(page.locator("svg.timeline rect.bar").count())
            if dated[-1]:
                break
        assert dated[-1] >= 1, "a narrative of the sample has dated claims"
        page.click("text=Provenance graph")
        assert page.locator("ul.legend li").count() >= 4
        node = page.locator("svg.graph g.node.speaker a").first
        node.click()
        page.wait_for_url("**/speakers/**")
        assert page.locator("p.kicker").inner_text() == "Speaker"

        # a filtered list as CSV: one row per claim of the filter
        page.goto(base + "/claims?speaker=Qassem al-Kuraiti")
        with page.expect_download() as info:
            page.click("a.csv")
        path = tmp_path / "claims.csv"
        info.value.save_as(path)
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        with Store(linked_sample_db) as store:
            expected = store.query(
                "SELECT COUNT(*) AS n FROM claims c JOIN entities e ON e.id = c.speaker_entity_id "
                "WHERE e.name = 'Qassem al-Kuraiti'"
            )[0]["n"]
        assert len(rows) == expected > 0
        assert {r["speaker"] for r in rows} == {"Qassem al-Kuraiti"}
        assert not watch.foreign(), watch.foreign()
        # a download ends the navigation it started (net::ERR_ABORTED): not a failure
        assert not [f for f in watch.failed if ".csv?" not in f], watch.failed
        page.close()


LARGE_DB = os.environ.get("CLAIMGRAPH_LARGE_DB")


@pytest.mark.skipif(not LARGE_DB, reason="set CLAIMGRAPH_LARGE_DB to a database of ~1,000 articles")
def test_report_of_a_large_corpus_is_small_and_opens(browser, tmp_path: Path) -> None:
    """Issue 14: at 1,000 news articles the report stays under 5 MB and works in the browser
    (bench-sized: the database takes hours to build, so it is given, not built here)."""
    from claimgraph.report import write_report

    out = tmp_path / "large.html"
    with Store(LARGE_DB, read_only=True) as store:
        documents = store.counts()["documents"]
        started = time.perf_counter()
        write_report(store, out)
        seconds = time.perf_counter() - started
    size = out.stat().st_size
    print(f"report of {documents} documents: {size / 1e6:.2f} MB in {seconds:.1f} s")
    assert size < 5_000_000 * max(1, documents / 1000)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    watch = Watch(page)
    started = time.perf_counter()
    page.goto(out.as_uri(), wait_until="load")
    print(f"opened in {time.perf_counter() - started:.1f} s")
    link = page.locator("#narratives article.narrative h3 a").first
    if link.count():
        href = link.get_attribute("href")
        link.click()
        page.wait_for_function("h => location.hash === h", arg=href)
        state = _is_highlighted(page, href[1:])
        assert state["target"] and state["visible"], state
    assert not watch.failed and watch.dialogs == []
    page.close()
