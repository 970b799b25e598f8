"""The HTML report: self-contained, every anchor resolves, gold findings highlighted, safe
against hostile article text (parsed with lxml, not only searched as a string)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from typer.testing import CliRunner

from claimgraph.model import normalise_text
from claimgraph.report import render_report, write_report
from claimgraph.report.data import slug
from claimgraph.report.segments import Span, render_blocks, segment
from claimgraph.report.svg import period
from claimgraph.store import Store
from claimgraph.store import schema as s
from claimgraph.store.narratives import SPREAD_ORDER

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
OUR_JS = (REPO / "claimgraph" / "report" / "templates" / "report.js").read_text(encoding="utf-8")
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.S)


@pytest.fixture(scope="module")
def encoder():
    import torch

    from claimgraph.link.embeddings import load_encoder

    torch.set_num_threads(1)
    return load_encoder()


def _analyse(paths: list[Path], db: Path, nlp, encoder) -> None:
    """What `claimgraph analyze` does by default: annotate, then link claims and narratives."""
    from claimgraph.annotate.nlp import model_info
    from claimgraph.engine.local import analyze
    from claimgraph.link.stage import Linker

    with Store(db) as store:
        analyze(
            paths,
            store,
            nlp,
            model_name=model_info(nlp).describe(),
            linker=Linker(store, encoder=encoder),
        )


@pytest.fixture(scope="module")
def linked_db(tmp_path_factory, nlp, encoder) -> Path:
    db = tmp_path_factory.mktemp("report") / "linked.db"
    _analyse([EXAMPLES], db, nlp, encoder)
    return db


@pytest.fixture(scope="module")
def report(linked_db: Path) -> str:
    # Every narrative, single-document candidates too, so each is checked as drawn.
    with Store(linked_db) as store:
        return render_report(store, all_narratives=True, full_text=True)


@pytest.fixture(scope="module")
def tree(report: str):
    return lxml.html.document_fromstring(report)


def _rows(db: Path, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    with Store(db) as store:
        return store.query(sql, params)


def _marked_text(
    el: lxml.html.HtmlElement,
    inside: bool = False,
    classes: frozenset[str] = frozenset({"q", "claim"}),
) -> str:
    """The element's text with unhighlighted runs replaced by a separator: a highlighted
    quote or claim stays one contiguous string even when signals cut it into pieces."""
    tag = el.tag if isinstance(el.tag, str) else ""
    here = inside or (tag == "mark" and bool(classes & set((el.get("class") or "").split())))

    def keep(text: str | None) -> str:
        return (text or "") if here or not text else "|"

    out = [keep(el.text)]
    for child in el:
        out.append(_marked_text(child, here, classes))
        out.append(keep(child.tail))
    return "".join(out)


def _doc_ids_by_file(db: Path) -> dict[str, str]:
    return {Path(r["source"]).name: r["id"] for r in _rows(db, "SELECT id, source FROM documents")}


# -- self-contained ---------------------------------------------------------------------------


def _assert_self_contained(html: str, tree) -> None:
    assert not re.search(r"<script[^>]*\ssrc\s*=", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"url\s*\(", html, re.I)
    assert "@import" not in html
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in ("link", "img", "iframe", "object", "embed", "base", "use"), el.tag
        assert el.get("src") is None, (el.tag, el.get("src"))
        assert el.get("srcset") is None
        for name in ("xlink:href", "{http://www.w3.org/1999/xlink}href"):
            assert el.get(name) is None
        href = el.get("href")
        if href is not None and not href.startswith("#"):
            # an outbound link a reader may click (never loaded), and only on a plain <a>
            assert el.tag == "a" and re.match(r"https?://", href), (el.tag, href)


def test_report_loads_nothing_from_outside(report: str, tree) -> None:
    _assert_self_contained(report, tree)
    csp = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp
    # Only our own inline script and style may run: their hashes are in the policy.
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        (el,) = tree.xpath(f"//{tag}")
        digest = base64.b64encode(hashlib.sha256(el.text.encode("utf-8")).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp


def test_every_in_page_link_has_a_target(tree, linked_db: Path) -> None:
    ids = {el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    hrefs = [el.get("href") for el in tree.iter() if isinstance(el.tag, str) and el.get("href")]
    internal = [h for h in hrefs if h.startswith("#")]
    sentence_links = [h for h in internal if h.startswith("#s-")]
    missing = sorted({h for h in internal if h[1:] not in ids})
    assert not missing, missing[:10]
    # Every sentence of the corpus is an element with its id, exactly once.
    sentence_ids = [r["id"] for r in _rows(linked_db, "SELECT id FROM sentences")]
    assert {f"s-{i}" for i in sentence_ids} <= ids
    assert len(tree.xpath("//*[starts-with(@id, 's-')]")) == len(sentence_ids)
    # Every claim (narrative lists, chart marks) points at the sentence it came from.
    claim_sentences = {
        f"#s-{r['sentence_id']}"
        for r in _rows(
            linked_db,
            "SELECT c.sentence_id FROM claims c JOIN narratives n ON n.id = c.narrative_id",
        )
    }
    assert claim_sentences and claim_sentences <= set(sentence_links)


def test_svgs_are_well_formed_xml_and_marks_link_to_claims(report: str, linked_db: Path) -> None:
    svgs = SVG_RE.findall(report)
    parsed = [ET.fromstring(svg) for svg in svgs]
    ns = "{http://www.w3.org/2000/svg}"
    timelines = [p for p in parsed if p.get("class") == "timeline"]
    graphs = [p for p in parsed if p.get("class") == "graph"]
    narratives = _rows(linked_db, "SELECT id, claims FROM narratives")
    assert narratives, "the sample yields narratives"
    assert len(timelines) == len(graphs) == len(narratives)
    sizes = sorted(int(n["claims"]) for n in narratives)
    # One chart mark per claim of the narrative, each a link to its sentence.
    marks = sorted(len(t.findall(f"{ns}a")) for t in timelines)
    assert marks == sizes
    for t in timelines:
        assert all(a.get("href", "").startswith("#s-") for a in t.iter(f"{ns}a"))
    # The provenance graph has one claim node per member, on top of its sources: every
    # claim's chain starts at a speaker (or the article itself) and reaches it.
    drawn = sorted(
        len({a.get("href") for a in g.iter(f"{ns}a") if a.get("href", "").startswith("#s-")})
        for g in graphs
    )
    distinct = sorted(
        len(
            {
                r["sentence_id"]
                for r in _rows(
                    linked_db,
                    "SELECT sentence_id FROM claims WHERE narrative_id = :n",
                    {"n": n["id"]},
                )
            }
        )
        for n in narratives
    )
    assert drawn == distinct
    for g in graphs:
        titles = [t.text for t in g.iter(f"{ns}text")]
        assert "speakers" in titles and "claims" in titles
        claims = {a.get("href") for a in g.iter(f"{ns}a") if a.get("href", "").startswith("#s-")}
        assert len(g.findall(f"{ns}path")) >= len(claims)  # an edge into every claim


def test_only_reported_narratives_with_their_claims(tree, linked_db: Path) -> None:
    narratives = _rows(linked_db, "SELECT id, claims FROM narratives")
    articles = tree.xpath("//article[contains(@class, 'narrative')]")
    assert len(articles) == len(narratives)
    for n in narratives:
        (article,) = tree.xpath(f"//article[@id='n-{n['id']}']")
        listed = article.xpath(".//ol[@class='claims']/li/a/@href")
        members = _rows(
            linked_db,
            "SELECT sentence_id FROM claims WHERE narrative_id = :n",
            {"n": n["id"]},
        )
        assert len(listed) == int(n["claims"]) == len(members)
        assert sorted(listed) == sorted(f"#s-{m['sentence_id']}" for m in members)
    # No fact-check rows today: no fact-check section.
    assert not tree.xpath("//table[@class='factchecks']")


def test_gold_quotes_and_narrative_members_are_highlighted(tree, linked_db: Path, gold) -> None:
    doc_ids = _doc_ids_by_file(linked_db)
    expected: list[tuple[str, str]] = []
    for name, spec in gold["documents"].items():
        expected += [(name, a["text"]) for a in spec.get("attributions", [])]
    for narrative in gold["narratives"]:
        expected += [(name, text) for name, text in narrative["members"]]
    missing = []
    for name, text in expected:
        (body,) = tree.xpath(f"//article[@id='doc-{doc_ids[name]}']//div[@class='doc-text']")
        if normalise_text(text) not in normalise_text(_marked_text(body)):
            missing.append((name, text))
    assert not missing, missing


def test_gold_narrative_members_listed_under_their_narrative(tree, linked_db: Path, gold) -> None:
    doc_ids = _doc_ids_by_file(linked_db)
    claims = _rows(
        linked_db,
        "SELECT c.document_id, c.text, c.sentence_id, n.id AS narrative FROM claims c "
        "JOIN narratives n ON n.id = c.narrative_id",
    )
    checked = 0
    for narrative in gold["narratives"]:
        for name, text in narrative["members"]:
            for c in claims:
                if c["document_id"] == doc_ids[name] and normalise_text(text) in normalise_text(
                    c["text"]
                ):
                    (article,) = tree.xpath(f"//article[@id='n-{c['narrative']}']")
                    assert f"#s-{c['sentence_id']}" in article.xpath(
                        ".//ol[@class='claims']//@href"
                    )
                    checked += 1
    assert checked >= 1


def test_overview_figures_match_the_database(tree, linked_db: Path) -> None:
    figures = {}
    for li in tree.xpath("//section[@id='overview']//li"):
        num = li.xpath(".//*[@class='num']")
        if num:
            rest = li.text_content().replace(num[0].text_content(), "", 1).strip()
            figures[rest] = num[0].text_content().strip()
    with Store(linked_db) as store:
        counts = store.counts()
    for key in ("documents", "sentences", "attributions", "claims", "signals"):
        assert figures[key] == str(counts[key]), key
    # Narratives as the CLI counts them (two documents or more), candidates apart.
    sizes = [r["documents"] for r in _rows(linked_db, "SELECT documents FROM narratives")]
    spread = sum(1 for n in sizes if n >= 2)
    told = f"narratives told in two documents or more ({len(sizes) - spread} single-document candidates)"
    assert figures[told] == str(spread)
    for row in _rows(linked_db, "SELECT type, COUNT(*) AS n FROM signals GROUP BY type"):
        assert figures[row["type"].replace("_", " ")] == str(row["n"])
    anon = _rows(linked_db, "SELECT anonymous FROM attributions")
    share = f"{100 * sum(bool(a['anonymous']) for a in anon) / len(anon):.0f}%"
    assert any(v == share for k, v in figures.items() if k.startswith("anonymous"))
    # Two spans, each end linking to its source: when the documents were published, and when
    # their claims were said as the texts date them ("In 2001, he advised ..."), kept apart so
    # that a statement's year never reads as the corpus's own span.
    published = [
        {"date": r["date"], "href": f"#doc-{r['id']}"}
        for r in _rows(linked_db, "SELECT date, id FROM documents WHERE date IS NOT NULL")
    ]
    said = [
        {"date": r["date"], "href": f"#s-{r['sentence_id']}"}
        for r in _rows(linked_db, "SELECT date, sentence_id FROM claims WHERE date IS NOT NULL")
    ]
    assert any(d["date"] == "2021-07-28" for d in published)  # the one dated article
    assert said, "the sample's claims carry statement or publication dates"
    for key, dates in (("published", published), ("said", said)):
        earliest = min(period(d["date"])[0] for d in dates)
        latest = max(period(d["date"])[1] for d in dates)
        (li,) = tree.xpath(f"//section[@id='overview']//li[@data-span='{key}']")
        links = li.xpath(".//a")
        assert [a.text_content() for a in links] == [earliest.isoformat(), latest.isoformat()]
        assert links[0].get("href") in {
            d["href"] for d in dates if period(d["date"])[0] == earliest
        }
        assert links[1].get("href") in {d["href"] for d in dates if period(d["date"])[1] == latest}


def test_signals_explain_their_trigger(tree, linked_db: Path) -> None:
    legend = tree.xpath("//section[@id='legend']")[0]
    for row in _rows(linked_db, "SELECT DISTINCT type, text, start_char FROM signals"):
        (entry,) = legend.xpath(f".//dt[@id='signals-{row['type']}']")
        explanation = entry.getnext().text_content()
        assert " ".join(row["text"].split()) in explanation
        if row["start_char"] is not None:
            titled = tree.xpath(
                f"//div[@class='doc-text']//mark[contains(concat(' ', @class, ' '), "
                f"' sig-{row['type']} ')]/@title"
            )
            assert any(f"“{row['text']}”" in t for t in titled), row


def test_speaker_and_outlet_tables(tree, linked_db: Path) -> None:
    with Store(linked_db) as store:
        found = store.sources()
    speakers = tree.xpath("//table[@class='speakers']/tbody/tr")
    outlets = tree.xpath("//table[@class='outlets']/tbody/tr")
    assert len(speakers) == len(found["speakers"]) and len(outlets) == len(found["outlets"])
    fars = [tr for tr in outlets if "Fars News Agency" in tr.text_content()]
    assert fars and fars[0].xpath(".//td[@class='links']/a/@href")
    moussavi = [tr for tr in speakers if "Hashem al-Moussavi" in tr.text_content()]
    assert moussavi and len(moussavi[0].xpath(".//td[@class='links']/a")) >= 3


def test_removed_furniture_listed_collapsed(tree, linked_db: Path, gold) -> None:
    doc_ids = _doc_ids_by_file(linked_db)
    for name, spec in gold["documents"].items():
        (article,) = tree.xpath(f"//article[@id='doc-{doc_ids[name]}']")
        body = article.xpath(".//div[@class='doc-text']")[0].text_content()
        details = " ".join(d.text_content() for d in article.xpath(".//details"))
        for text in spec.get("boilerplate", []):
            assert text not in body
        assert any(t in details for t in spec.get("boilerplate", [])), name


def test_report_without_linking(sample_db: Path, tmp_path: Path) -> None:
    """An analysis stored without claims still reports its documents and highlighted quotes."""
    with Store(sample_db) as store:
        out = write_report(store, tmp_path / "sub" / "r.html")
    html = out.read_text(encoding="utf-8")
    tree = lxml.html.document_fromstring(html)
    _assert_self_contained(html, tree)
    assert len(tree.xpath("//article[contains(@class, 'document')]")) == 5
    assert "No narratives in this database" in html
    assert tree.xpath("//div[@class='doc-text']//mark[contains(@class, 'q')]")


# -- fact-checks ------------------------------------------------------------------------------


def test_factchecks_section_from_linked_rows(
    linked_db: Path, tmp_path: Path, copy_database
) -> None:
    copy = copy_database(linked_db, tmp_path / "with_factchecks.db")
    claim = _rows(
        copy,
        "SELECT c.id, c.sentence_id, c.text FROM claims c JOIN narratives n "
        "ON n.id = c.narrative_id ORDER BY c.id LIMIT 1",
    )[0]
    with Store(copy) as store, store.engine.begin() as conn:
        for fc_id, url, title, rating in (
            ("fc_good", "https://example.org/check?id=1&x=2", "Airdrop claim reviewed", "false"),
            ("fc_evil", "javascript:alert(1)", "<script>alert('fc')</script>", "mixed"),
        ):
            conn.execute(
                s.factchecks.insert().values(
                    id=fc_id,
                    claim_text=claim["text"],
                    rating=rating,
                    rating_original=f"{rating} <b>bold</b>",
                    reviewer="Desk <i>",
                    url=url,
                    title=title,
                    format="claimreview-jsonld",
                    source="test",
                    imported_at="2025-01-01T00:00:00",
                )
            )
            conn.execute(
                s.factcheck_links.insert().values(
                    claim_id=claim["id"],
                    factcheck_id=fc_id,
                    score=0.9,
                    rank=1 if fc_id == "fc_good" else 2,
                    claim_sentence_id=claim["sentence_id"],
                    claim_text=claim["text"],
                    factcheck_text=claim["text"],
                    method="test",
                    linked_at="2025-01-01T00:00:00",
                    tier="confident" if fc_id == "fc_good" else "possible",
                )
            )
    with Store(copy) as store:
        html = render_report(store, all_narratives=True)
    tree = lxml.html.document_fromstring(html)
    (table,) = tree.xpath("//table[@class='factchecks']")
    rows = table.xpath("./tbody/tr")
    assert len(rows) == 2
    text = table.text_content()
    assert "false" in text and "mixed" in text and "Desk <i>" in text
    assert "<script>alert('fc')</script>" in text  # shown as text
    assert table.xpath(".//a[@href='https://example.org/check?id=1&x=2']")
    assert all(a.get("href").startswith(("#", "https://")) for a in table.xpath(".//a"))
    assert rows[0].xpath(".//a/@href")[0] == f"#s-{claim['sentence_id']}"
    # confident first, as fact-checked; the other candidate labelled as a possible match
    assert "fact-checked" in rows[0].text_content()
    assert "possible match (score 0.90)" in " ".join(rows[1].text_content().split())
    assert len(tree.xpath("//script")) == 1 and not tree.xpath("//b | //i")
    _assert_self_contained(html, tree)


# -- hostile input ----------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<b><i>unclosed",
]


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory, nlp, encoder) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    body = (
        f"A senior official said that the army {HOSTILE[1]} moved weapons across the border "
        "on 3 May 2021, according to Fars News Agency.\n\n"
        f"{HOSTILE[0]} Witnesses claimed the army moved weapons across the border at night.\n\n"
        f"The ministry said the army moved weapons across the border {HOSTILE[3]} again. "
        f"See {HOSTILE[2]} and javascript:alert(2) for the documents it promised.\n"
    )
    (folder / "hostile.txt").write_text(
        f"{HOSTILE[0]} Army moves weapons {HOSTILE[1]}\n{body}", encoding="utf-8"
    )
    record = {
        "title": f"{HOSTILE[0]}{HOSTILE[3]} Border report",
        "url": "javascript:alert(document.cookie)",
        "outlet": f"<b>Evil</b> News {HOSTILE[1]}",
        "authors": [f"{HOSTILE[0]} Reporter"],
        "date": "2021-05-04",
        "text": body.replace("Witnesses", "Residents"),
    }
    (folder / "hostile.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (folder / "hostile.html").write_text(
        "<html><head><title>&lt;script&gt;alert(1)&lt;/script&gt; Page</title></head><body>"
        "<article><h1>&lt;img src=x onerror=alert(1)&gt; Headline</h1>"
        "<p>An official said that &lt;script&gt;alert(3)&lt;/script&gt; the army moved "
        "weapons across the border, according to state television.</p>"
        '<p>Residents claimed <a href="javascript:alert(4)">the convoy</a> crossed at night '
        "near the border post.</p></article></body></html>",
        encoding="utf-8",
    )
    db = folder / "hostile.db"
    _analyse([folder], db, nlp, encoder)
    with Store(db) as store:
        assert store.counts()["documents"] == 3
        return render_report(store, all_narratives=True)


_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster"})


def test_hostile_text_is_escaped_never_executed(hostile_report: str) -> None:
    tree = lxml.html.document_fromstring(hostile_report)
    scripts = tree.xpath("//script")
    assert len(scripts) == 1 and scripts[0].get("src") is None
    assert scripts[0].text == OUR_JS
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in ("img", "iframe", "object", "embed", "b", "i"), el.tag
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            # A URL attribute must never run script; a text attribute (a tooltip with the
            # claim in it) may hold any text, escaped, as lxml's parse of it shows.
            if name.lower() in _URL_ATTRIBUTES:
                assert "javascript:" not in value.lower().replace(" ", ""), (el.tag, name, value)
    assert not re.search(r"<img\b|<b>|<i>|<a href=\"javascript", hostile_report, re.I)
    # The hostile text is still shown to the reader, as text.
    text = tree.text_content()
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    titles = [h.text_content() for h in tree.xpath("//article[contains(@class,'document')]/h3")]
    assert any("<script>" in t for t in titles)
    # The javascript: URL is shown as text, never as a link.
    assert "javascript:alert(document.cookie)" in text
    _assert_self_contained(hostile_report, tree)
    for svg in SVG_RE.findall(hostile_report):
        ET.fromstring(svg)


# -- units ------------------------------------------------------------------------------------


def test_segments_split_overlapping_spans() -> None:
    text = "abcdefghij"
    spans = [Span(2, 7, ("q",), "quote"), Span(4, 9, ("claim",), "claim"), Span(3, 4, ("sig",))]
    blocks = segment(text, [(1, 0, 5), (2, 5, 10)], spans)
    flat = [(b.sentence_id, p.text, p.classes) for b in blocks for p in b.parts]
    assert flat == [
        (1, "ab", ()),
        (1, "c", ("q",)),
        (1, "d", ("q", "sig")),
        (1, "e", ("claim", "q")),
        (2, "fg", ("claim", "q")),
        (2, "hi", ("claim",)),
        (2, "j", ()),
    ]
    assert "".join(p.text for b in blocks for p in b.parts) == text
    html = render_blocks(segment("<x> & y", [(7, 0, 7)], [Span(0, 3, ("q",), 'a "b"')]))
    assert (
        html
        == '<span class="s" id="s-7"><mark class="q" title="a &#34;b&#34;">&lt;x&gt;</mark> &amp; y</span>'
    )


def test_reduced_dates_are_periods() -> None:
    assert period("2017") == (period("2017-01-01")[0], period("2017-12-31")[1])
    assert str(period("2024-02")[1]) == "2024-02-29"
    assert period("undated") is None and period(None) is None


def test_cli_report(linked_db: Path, tmp_path: Path) -> None:
    from claimgraph.cli import app

    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "-o", str(out), "--db", str(linked_db)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 10_000 and "KiB" in result.output
    html = out.read_text(encoding="utf-8")
    assert html.count('<article class="document"') == 5
    # Narratives told in one document only are left out unless asked for; --top keeps the
    # most spread ones.
    with Store(linked_db) as store:
        rows = store.query(f"SELECT id, documents FROM narratives ORDER BY {SPREAD_ORDER}")
    spread = [r["id"] for r in rows if r["documents"] >= 2]
    assert spread and len(spread) < len(rows)
    drawn = re.findall(r'<article class="narrative" id="n-([^"]+)"', html)
    assert drawn == [slug(i) for i in spread]
    assert f"{len(rows) - len(spread)} single-document candidates left out" in html
    top = tmp_path / "top.html"
    result = CliRunner().invoke(
        app, ["report", "-o", str(top), "--db", str(linked_db), "--top", "1"]
    )
    assert result.exit_code == 0, result.output
    top_html = top.read_text(encoding="utf-8")
    assert re.findall(r'<article class="narrative" id="n-([^"]+)"', top_html) == [
        slug(i) for i in spread[:1]
    ]
    every = tmp_path / "all.html"
    CliRunner().invoke(app, ["report", "-o", str(every), "--db", str(linked_db), "--all"])
    assert every.read_text(encoding="utf-8").count('<article class="narrative"') == len(rows)
    # Documents are compact (their marked sentences) unless --full-text; every link into a
    # document still finds its sentence.
    assert "The sentences this report links to" in html
    assert top.stat().st_size < out.stat().st_size
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert set(re.findall(r'href="#([^"]+)"', html)) <= ids
    missing = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and not (tmp_path / "none.db").exists()
