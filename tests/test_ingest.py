"""Readers: every format on files built here, bad input of every kind, and real data."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import random
import tracemalloc
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from claimgraph.ingest import clean_article, expand_paths, format_of, read_file, read_paths
from claimgraph.ingest.clean import repair_mojibake
from claimgraph.model import Article, Document, Skipped

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
WARC_FIXTURES = SHARED / "data" / "warc" / "test" / "data"
ALLSIDES = SHARED / "data" / "news" / "allsides_sample5000.jsonl"

PARAGRAPHS = [
    "The harbour council of Port Ellery voted on Monday to close the old ferry pier after "
    "engineers found that two of its supporting piles had rotted through.",
    "Council leader Mara Quint said the decision was painful but unavoidable, adding that "
    "the town would look for money to rebuild the pier within three years.",
    "Fishermen who use the pier every morning said they had warned the council about the "
    "damage for more than a decade and accused officials of ignoring them.",
    "A temporary landing stage will open next to the lifeboat station in the spring, "
    "according to a statement published by the harbour authority on Tuesday.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>Port Ellery closes its ferry pier | Ellery Gazette</title>
  <meta property="og:title" content="Port Ellery closes its ferry pier">
  <meta property="og:site_name" content="Ellery Gazette">
  <meta name="author" content="Dana Whitcombe">
  <meta property="article:published_time" content="2021-03-15T09:30:00+00:00">
  <link rel="canonical" href="https://gazette.example/news/ferry-pier">
</head>
<body>
  <div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
    <button>Accept all cookies</button></div>
  <header><nav class="main-nav"><ul>
    <li><a href="/">Home</a></li><li><a href="/news">News</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li>
  </ul></nav></header>
  <main>
    <article>
      <h1>Port Ellery closes its ferry pier</h1>
      <p class="byline">By Dana Whitcombe</p>
      {"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
    </article>
    <aside class="sidebar">
      <h3>Most read</h3>
      <ul><li><a href="/a">Lighthouse keeper retires after forty years</a></li>
      <li><a href="/b">Storm warning for the weekend</a></li></ul>
    </aside>
    <section id="comments" class="comments">
      <h3>3 comments</h3>
      <div class="comment"><p>Rubbish decision, the pier was fine when I was a lad.</p></div>
      <div class="comment"><p>About time someone listened to the engineers.</p></div>
      <h3>Leave a Reply</h3>
      <form><p>Your email address will not be published.</p><textarea></textarea></form>
    </section>
  </main>
  <footer><p>Copyright 2021 Ellery Gazette. All rights reserved.</p></footer>
</body>
</html>
"""


def only(items: list[Article | Skipped], kind: type) -> list:
    return [item for item in items if isinstance(item, kind)]


def cleaned(article: Article | Skipped) -> Document:
    assert isinstance(article, Article), article
    doc = clean_article(article)
    assert isinstance(doc, Document), doc
    return doc


# ---- plain text --------------------------------------------------------------------------


def test_txt_with_header_lines(tmp_path: Path) -> None:
    path = tmp_path / "pier.txt"
    path.write_text(
        "Title: Port Ellery closes its ferry pier\nDate: 15 March 2021\n"
        "URL: https://gazette.example/news/ferry-pier\nOutlet: Ellery Gazette\n\n"
        + "\n\n".join(PARAGRAPHS),
        encoding="utf-8",
    )
    (article,) = read_file(path)
    assert isinstance(article, Article)
    assert article.title == "Port Ellery closes its ferry pier"
    assert article.url == "https://gazette.example/news/ferry-pier"
    doc = cleaned(article)
    assert (doc.date, doc.date_source) == ("2021-03-15", "header")
    assert (doc.outlet, doc.outlet_source) == ("Ellery Gazette", "header")
    assert doc.text == "\n\n".join(PARAGRAPHS)


def test_txt_first_line_is_title(tmp_path: Path) -> None:
    path = tmp_path / "pier.txt"
    path.write_text("\n\nPort Ellery closes its pier\n" + "\n".join(PARAGRAPHS), encoding="utf-8")
    doc = cleaned(next(read_file(path)))
    assert doc.title == "Port Ellery closes its pier"
    assert doc.text.split("\n\n") == PARAGRAPHS


def test_txt_with_sidecar_json(tmp_path: Path) -> None:
    (tmp_path / "pier.txt").write_text(
        "Port Ellery closes its pier\n\n" + "\n\n".join(PARAGRAPHS), encoding="utf-8"
    )
    (tmp_path / "pier.json").write_text(
        json.dumps(
            {
                "title": "Ferry pier closed",
                "date": "2021-03-15",
                "url": "https://gazette.example/p",
                "outlet": "Ellery Gazette",
                "authors": ["Dana Whitcombe", "Sam Rook"],
            }
        ),
        encoding="utf-8",
    )
    items = list(read_paths([tmp_path]))
    assert len(items) == 1, "the sidecar is metadata, not a second input"
    doc = cleaned(items[0])
    assert doc.title == "Ferry pier closed"
    assert (doc.date, doc.date_source) == ("2021-03-15", "metadata")
    assert doc.authors == ["Dana Whitcombe", "Sam Rook"]
    assert doc.url == "https://gazette.example/p"
    assert list(read_file(tmp_path / "pier.json")) == []
    assert list(expand_paths([tmp_path / "pier.json"])) == []


def test_bad_sidecar_is_reported_and_text_still_read(tmp_path: Path) -> None:
    (tmp_path / "pier.txt").write_text("Pier\n\n" + PARAGRAPHS[0], encoding="utf-8")
    (tmp_path / "pier.json").write_text("{not json", encoding="utf-8")
    items = list(read_file(tmp_path / "pier.txt"))
    (skipped,) = only(items, Skipped)
    assert skipped.source.endswith("pier.json") and "bad sidecar" in skipped.reason
    assert only(items, Article)[0].title == "Pier"


def test_cp1252_and_bom_text_decode(tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes(
        "Café owners protest\n\nThe café owners’ association said the new façade rules were "
        "“unworkable” and cost each business about €2,000.\n".encode("cp1252")
    )
    doc = cleaned(next(read_file(latin)))
    assert doc.title == "Café owners protest"
    assert "“unworkable”" in doc.text and "€2,000" in doc.text
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfHeadline here\n\n" + PARAGRAPHS[0].encode())
    assert cleaned(next(read_file(bom))).title == "Headline here"


# ---- HTML --------------------------------------------------------------------------------


def test_html_page_keeps_body_drops_furniture(tmp_path: Path) -> None:
    path = tmp_path / "pier.html"
    path.write_text(PAGE, encoding="utf-8")
    (article,) = read_file(path)
    assert isinstance(article, Article) and article.html and article.language == "en"
    doc = cleaned(article)
    for paragraph in PARAGRAPHS:
        assert paragraph in doc.text.split("\n\n")
    for furniture in (
        "cookies",
        "Weather",
        "Lighthouse keeper",
        "Rubbish decision",
        "listened to the engineers",
        "Leave a Reply",
        "email address",
        "All rights reserved",
        "Dana Whitcombe",  # the byline line
    ):
        assert furniture not in doc.text, furniture
    assert doc.title == "Port Ellery closes its ferry pier"
    assert doc.date == "2021-03-15" and doc.date_source == "metadata"
    assert doc.outlet == "Ellery Gazette"
    assert doc.url == "https://gazette.example/news/ferry-pier"
    assert doc.authors == ["Dana Whitcombe"]
    assert doc.language == "en"


def test_html_gz_and_declared_charset(tmp_path: Path) -> None:
    gz = tmp_path / "pier.html.gz"
    gz.write_bytes(gzip.compress(PAGE.encode("utf-8")))
    assert PARAGRAPHS[1] in cleaned(next(read_file(gz))).text
    latin = tmp_path / "latin.htm"
    page = PAGE.replace('charset="utf-8"', 'charset="windows-1252"').replace(
        "Fishermen who", "Fishermen and café owners who"
    )
    latin.write_bytes(
        page.replace('<meta charset="utf-8">', '<meta charset="windows-1252">').encode("cp1252")
    )
    assert "café owners" in cleaned(next(read_file(latin))).text


# ---- WARC --------------------------------------------------------------------------------


def _write_warc(path: Path, pages: list[tuple[str, str, str, str]]) -> None:
    """pages: (url, status, content type, body)."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=path.suffix == ".gz")
        for url, status, content_type, body in pages:
            headers = StatusAndHeaders(
                status, [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body.encode("utf-8")),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2024-01-02T03:04:05Z"},
            )
            writer.write_record(record)


def test_warc_with_two_html_responses(tmp_path: Path) -> None:
    second = PAGE.replace("ferry pier", "swimming pool").replace("Port Ellery", "Lower Ellery")
    path = tmp_path / "crawl.warc.gz"
    _write_warc(
        path,
        [
            ("https://gazette.example/pier", "200 OK", "text/html; charset=utf-8", PAGE),
            ("https://gazette.example/logo.png", "200 OK", "image/png", "PNG"),
            ("https://gazette.example/gone", "404 Not Found", "text/html", "<p>missing</p>"),
            ("https://gazette.example/pool", "200 OK", "text/html", second),
        ],
    )
    items = list(read_file(path))
    assert all(isinstance(item, Article) for item in items), items
    assert [a.url for a in items] == [
        "https://gazette.example/pier",
        "https://gazette.example/pool",
    ]
    assert [a.source for a in items] == [f"{path}#record1", f"{path}#record4"]
    docs = [cleaned(a) for a in items]
    assert docs[0].title == "Port Ellery closes its ferry pier"
    assert docs[1].title == "Lower Ellery closes its swimming pool"
    for doc in docs:
        assert doc.meta["crawl_date"] == "2024-01-02T03:04:05Z"
        assert doc.date == "2021-03-15", "the crawl date is not the publication date"


def test_truncated_warc_yields_readable_records_then_skipped(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc"
    _write_warc(
        whole,
        [
            ("https://gazette.example/pier", "200 OK", "text/html", PAGE),
            ("https://gazette.example/pool", "200 OK", "text/html", PAGE),
        ],
    )
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: len(data) - len(PAGE) // 2])
    items = list(read_file(cut))
    assert isinstance(items[0], Article) and items[0].url == "https://gazette.example/pier"
    assert isinstance(items[-1], Skipped)
    assert items[-1].source == str(cut) and "truncated" in items[-1].reason


EXPECTED_WARC = {
    # fixture: (readable pages, the file is reported as broken or page-less)
    "example.warc": (1, False),
    "example.warc.gz": (1, False),
    "example.arc": (1, False),
    "example.arc.gz": (1, False),
    "example-iana.org-chunked.warc": (1, False),
    "example-resource.warc.gz": (1, False),
    "example-wget-bad-target-uri.warc.gz": (1, False),
    "example-trunc.warc": (1, True),
    "example-space-in-url.arc": (1, True),
    "example-bad-non-chunked.warc.gz": (0, True),
    "example-wrong-chunks.warc.gz": (0, True),
    "bad.arc": (0, True),
    "example-digest.warc": (0, True),
    "post-test.warc.gz": (0, True),
    "example-space-in-target-uri.warc.gz": (0, True),
    "example-bad.warc.gz.bad": (0, True),
}


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", sorted(EXPECTED_WARC))
def test_warcio_fixtures(name: str) -> None:
    pages, reported = EXPECTED_WARC[name]
    path = WARC_FIXTURES / name
    items = list(read_file(path))  # must not raise, however broken
    articles = only(items, Article)
    assert len(articles) == pages
    for article in articles:
        assert article.url and article.url.startswith("http")
        assert article.source.startswith(f"{path}#record")
        assert article.meta["crawl_date"] and article.date is None
        assert isinstance(clean_article(article), Document)
    file_reports = [s for s in only(items, Skipped) if s.source == str(path)]
    assert bool(file_reports) == reported, items
    assert all(s.reason for s in file_reports)


# ---- JSONL -------------------------------------------------------------------------------


def test_jsonl_bad_lines_and_field_names(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    lines = [
        json.dumps({"title": "Pier closed", "text": "\n\n".join(PARAGRAPHS), "date": "2021-03-15"}),
        "{this is not json",
        "",
        json.dumps(["a", "list"]),
        json.dumps({"title": "no body"}),
        json.dumps(
            {
                "topic": "local",
                "source": "Ellery Gazette",
                "bias": 1,
                "url": "https://gazette.example/p",
                "title": "Pier closed again",
                "date": "",
                "authors": "Dana Whitcombe, Sam Rook",
                "content_original": "\n\n".join(PARAGRAPHS[:2]),
                "ID": "abc123",
            }
        ),
        json.dumps({"url": "https://gazette.example/pier", "html": PAGE}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_file(path))
    assert [item.source for item in items] == [f"{path}#L{n}" for n in (1, 2, 4, 5, 6, 7)]
    kinds = [type(item).__name__ for item in items]
    assert kinds == ["Article", "Skipped", "Skipped", "Skipped", "Article", "Article"]
    assert "invalid JSON" in items[1].reason
    assert "no text or html" in items[3].reason
    allsides = items[4]
    assert isinstance(allsides, Article)
    assert allsides.outlet == "Ellery Gazette"
    assert allsides.authors == ["Dana Whitcombe", "Sam Rook"]
    assert allsides.date is None
    assert allsides.meta["topic"] == "local" and allsides.meta["ID"] == "abc123"
    assert cleaned(items[0]).date == "2021-03-15"
    from_html = cleaned(items[5])
    assert from_html.title == "Port Ellery closes its ferry pier"
    assert PARAGRAPHS[2] in from_html.text


def test_truncated_jsonl_gz_keeps_read_records(tmp_path: Path) -> None:
    records = [json.dumps({"title": f"T{i}", "text": PARAGRAPHS[i % 4]}) for i in range(200)]
    data = gzip.compress(("\n".join(records) + "\n").encode())
    path = tmp_path / "dump.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    items = list(read_file(path))
    articles = only(items, Article)
    assert 10 < len(articles) < 200
    assert isinstance(items[-1], Skipped) and "truncated gzip" in items[-1].reason


@pytest.mark.needs_shared
def test_real_allsides_jsonl_streams() -> None:
    tracemalloc.start()
    try:
        items = list(itertools.islice(read_file(ALLSIDES), 200))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, "the 32 MB file must be streamed, not loaded"
    assert len(items) == 200
    assert all(isinstance(item, Article) for item in items)
    assert [item.source for item in items] == [f"{ALLSIDES}#L{n}" for n in range(1, 201)]
    docs = [cleaned(item) for item in items]
    for doc in docs:
        assert doc.title and doc.outlet and doc.url and doc.url.startswith("http")
        assert len(doc.text) > 100
        assert doc.date is None or (len(doc.date) == 10 and doc.date[4] == "-")
        assert all(isinstance(a, str) and a for a in doc.authors)
        assert "topic" in doc.meta and "bias" in doc.meta
    raw = [json.loads(line) for line in itertools.islice(ALLSIDES.open(encoding="utf-8"), 200)]
    for doc, record in zip(docs, raw, strict=True):
        # titles decoded with the wrong codec upstream ("Ã¢â‚¬Ëœ") are repaired in cleaning
        assert doc.title == repair_mojibake(" ".join(record["title"].split()))
        assert doc.outlet == record["source"]
    assert len({doc.id for doc in docs}) == len(docs)


@pytest.mark.needs_shared
def test_real_allsides_dates() -> None:
    """The first 200 records carry no date; the dated ones further on must come out as ISO."""
    dated = itertools.islice(
        (a for a in read_file(ALLSIDES) if isinstance(a, Article) and a.date), 60
    )
    checked = 0
    for article in dated:
        doc = cleaned(article)
        assert article.date is not None
        if len(article.date) == 10 and article.date[4] == "-" and not article.date.startswith("0"):
            assert (doc.date, doc.date_source) == (article.date, "metadata")
            checked += 1
    assert checked >= 50


# ---- feeds -------------------------------------------------------------------------------

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Ellery Gazette</title><link>https://gazette.example/</link><language>en</language>
  <item>
    <title>Port Ellery closes its ferry pier</title>
    <link>https://gazette.example/pier</link>
    <pubDate>Mon, 15 Mar 2021 09:30:00 +0000</pubDate>
    <dc:creator>Dana Whitcombe</dc:creator>
    <description>Short teaser.</description>
    <content:encoded><![CDATA[<p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p>
      <p>The post Port Ellery closes its ferry pier appeared first on Ellery Gazette.</p>]]>
    </content:encoded>
  </item>
  <item>
    <title>Storm warning</title>
    <link>https://gazette.example/storm</link>
    <pubDate>Tue, 16 Mar 2021 07:00:00 +0000</pubDate>
    <description>&lt;p&gt;{PARAGRAPHS[2]}&lt;/p&gt;</description>
  </item>
</channel>
</rss>
"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Harbour Watch</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2021-03-16T18:30:02Z</updated>
  <entry>
    <title>Landing stage to open in spring</title>
    <link href="https://harbour.example/landing"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <published>2021-03-16T18:30:02Z</published>
    <author><name>Sam Rook</name></author>
    <content type="html">&lt;p&gt;{PARAGRAPHS[3]}&lt;/p&gt;</content>
  </entry>
</feed>
"""


def test_rss_feed(tmp_path: Path) -> None:
    path = tmp_path / "gazette.xml"
    path.write_text(RSS, encoding="utf-8")
    items = list(read_file(path))
    assert [item.source for item in items] == [f"{path}#entry1", f"{path}#entry2"]
    first, second = (cleaned(item) for item in items)
    assert first.title == "Port Ellery closes its ferry pier"
    assert first.url == "https://gazette.example/pier"
    assert (first.date, first.outlet) == ("2021-03-15", "Ellery Gazette")
    assert first.authors == ["Dana Whitcombe"]
    assert first.text.split("\n\n") == PARAGRAPHS[:2], "content, not teaser; feed footer removed"
    assert first.meta["content"] == "content"
    assert second.text == PARAGRAPHS[2] and second.meta["content"] == "summary"
    assert second.date == "2021-03-16" and first.language == "en"


def test_atom_feed(tmp_path: Path) -> None:
    path = tmp_path / "harbour.atom"
    path.write_text(ATOM, encoding="utf-8")
    (item,) = read_file(path)
    doc = cleaned(item)
    assert doc.title == "Landing stage to open in spring"
    assert doc.url == "https://harbour.example/landing"
    assert (doc.date, doc.outlet, doc.authors) == ("2021-03-16", "Harbour Watch", ["Sam Rook"])
    assert doc.text == PARAGRAPHS[3]


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "config.xml"
    path.write_text('<?xml version="1.0"?><config><a>1</a></config>', encoding="utf-8")
    (item,) = read_file(path)
    assert isinstance(item, Skipped) and "not an RSS/Atom feed" in item.reason


# ---- bad input ---------------------------------------------------------------------------


def _skip_reason(path: Path, **kwargs: int) -> str:
    items = list(read_file(path, **kwargs))
    assert len(items) == 1 and isinstance(items[0], Skipped), items
    assert items[0].source == str(path)
    return items[0].reason


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(bytes(range(256)) * 40)
    assert "binary" in _skip_reason(path)


def test_empty_files(tmp_path: Path) -> None:
    for name in ("empty.txt", "empty.html", "blank.txt", "empty.jsonl", "empty.rss", "empty.warc"):
        path = tmp_path / name
        path.write_text("   \n\n" if name.startswith("blank") else "", encoding="utf-8")
        assert "empty" in _skip_reason(path), name


def test_undecodable_bytes(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "noise.html"
    path.write_bytes(bytes(rng.randrange(1, 256) for _ in range(4000)))
    reason = _skip_reason(path)
    assert "undecodable" in reason or "garbled" in reason


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(PAGE.encode() * 20)
    path = tmp_path / "page.html.gz"
    path.write_bytes(data[: len(data) // 2])
    assert "truncated gzip" in _skip_reason(path)
    not_gzip = tmp_path / "fake.html.gz"
    not_gzip.write_bytes(b"\x1f\x8bthis is not really gzip data")
    assert "gzip" in _skip_reason(not_gzip)


def test_unknown_suffix_missing_file_and_folder(tmp_path: Path) -> None:
    doc = tmp_path / "report.docx"
    doc.write_bytes(b"PK\x03\x04")
    assert "unknown file type" in _skip_reason(doc)
    assert "no such file" in _skip_reason(tmp_path / "missing.txt")
    assert "folder" in _skip_reason(tmp_path)


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Title\n\n" + PARAGRAPHS[0] * 50, encoding="utf-8")
    assert "limit" in _skip_reason(path, max_bytes=1000)
    gz = tmp_path / "bomb.html.gz"
    gz.write_bytes(gzip.compress(b"<p>" + b"a" * 100_000 + b"</p>"))
    assert "limit" in _skip_reason(gz, max_bytes=10_000)
    assert isinstance(next(read_file(path)), Article), "the default limit is generous"


def test_expand_paths_recursion_globs_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in (
        "a.txt",
        "b/c.html",
        "b/deep/d.jsonl",
        "b/deep/d.json",
        ".hidden.txt",
        ".git/x.txt",
    ):
        (tmp_path / rel).write_text("x", encoding="utf-8")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")  # sidecar of a.txt
    found = [p.relative_to(tmp_path).as_posix() for p in expand_paths([tmp_path])]
    assert found == ["a.txt", "b/c.html", "b/deep/d.json", "b/deep/d.jsonl"]
    globbed = list(expand_paths([str(tmp_path / "**" / "*.html"), tmp_path / "a.txt"]))
    assert [p.name for p in globbed] == ["c.html", "a.txt"]
    assert list(expand_paths([tmp_path / "a.txt", tmp_path / "a.txt"])) == [tmp_path / "a.txt"]
    nothing = str(tmp_path / "*.pdf")
    assert [str(p) for p in expand_paths([nothing])] == [nothing]
    assert "no file matches" in _skip_reason(Path(nothing))
    assert format_of(Path("x.WARC.GZ")) == "warc" and format_of(Path("x.docx")) is None


def test_read_paths_streams_mixed_folder(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("One\n\n" + PARAGRAPHS[0], encoding="utf-8")
    (tmp_path / "two.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01")
    items = read_paths([tmp_path])
    first = next(items)
    assert isinstance(first, Skipped) and first.source.endswith("junk.bin")
    rest = list(items)
    assert [type(i).__name__ for i in rest] == ["Article", "Article"]


# ---- hostile input (issue 15): each case read or reported by name, never a crash -----------


def _rss(items: str, head: str = "", title: str = "Ellery Gazette") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{head}<rss version="2.0"><channel>'
        f"<title>{title}</title>{items}</channel></rss>"
    )


def _item(n: int, description: str) -> str:
    return f"<item><title>Story {n}</title><link>https://e.example/{n}</link><description>{description}</description></item>"


def test_feed_with_html_entities_is_read_whole(tmp_path: Path) -> None:
    """`&nbsp;` is no XML entity: the strict parser stopped there and half the feed went."""
    path = tmp_path / "nbsp.rss"
    body = "Council leader Mara&nbsp;Quint said the pier would close &mdash; for good."
    path.write_text(_rss("".join(_item(n, body) for n in range(3))), encoding="utf-8")
    items = list(read_file(path))
    assert all(isinstance(item, Article) for item in items), items
    assert len(items) == 3
    assert "Mara Quint said the pier would close \u2014 for good." in items[0].text


def test_feed_doctype_entities_are_never_expanded(tmp_path: Path) -> None:
    """A DOCTYPE's entities (billion laughs, an external file) are dropped, the entries kept."""
    laughs = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-CONTENT", encoding="utf-8")
    head = f'<!DOCTYPE rss [{laughs}<!ENTITY xxe SYSTEM "file://{secret}">]>'
    items_xml = _item(1, "The mayor said the bridge would reopen in May. &xxe; &lol9;")
    path = tmp_path / "doctype.rss"
    path.write_text(_rss(items_xml, head=head, title="Gazette &lol9;"), encoding="utf-8")
    items = list(read_file(path))
    assert len(items) == 1 and isinstance(items[0], Article), items
    (article,) = items
    assert "The mayor said the bridge would reopen in May." in article.text
    assert "TOPSECRET" not in article.text and "lollol" not in article.text
    assert "lollol" not in (article.outlet or "")


def test_jsonl_utf8_bom_on_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    lines = [json.dumps({"title": f"T{n}", "text": PARAGRAPHS[n]}) for n in range(2)]
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8") + b"\n")
    items = list(read_file(path))
    assert [type(item) for item in items] == [Article, Article], items
    assert items[0].title == "T0"


def test_jsonl_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "wide.jsonl"
    lines = [json.dumps({"title": f"T{n}", "text": PARAGRAPHS[n]}) for n in range(2)]
    path.write_bytes("\n".join(lines).encode("utf-16"))
    items = list(read_file(path))
    assert [item.title for item in items] == ["T0", "T1"], items


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_without_bom_is_text_not_binary(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "windows.txt"
    body = PARAGRAPHS[0] + " \u4e00\u4e01"  # code units with a NUL byte on the other side
    path.write_bytes(("Ferry pier closes\n\n" + body + "\n").encode(encoding))
    (item,) = read_file(path)
    doc = cleaned(item)
    assert doc.title == "Ferry pier closes" and doc.text == body


def test_lone_surrogate_and_nul_in_jsonl_are_cleaned_not_fatal(tmp_path: Path) -> None:
    """json.loads keeps "\\ud800" and "\\u0000": the id hash and PostgreSQL refuse them."""
    path = tmp_path / "odd.jsonl"
    text = PARAGRAPHS[0].replace("voted", "voted \\ud800").replace("engineers", "engi\\u0000neers")
    path.write_text(
        '{"title": "Pier \\udfff", "text": "' + text + '", "outlet": "G\\u0000azette"}\n',
        encoding="utf-8",
    )
    doc = cleaned(next(iter(read_file(path))))
    for value in (doc.text, doc.title, doc.outlet):
        assert "\x00" not in value
        value.encode("utf-8")  # no lone surrogate left
    assert "voted \ufffd" in doc.text and doc.title == "Pier \ufffd"


def test_clean_article_reports_an_unexpected_error_instead_of_raising(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import claimgraph.ingest.clean as clean

    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(clean, "match_dateline", broken)
    result = clean_article(Article(source="x.txt", text=PARAGRAPHS[0], title="T"))
    assert isinstance(result, Skipped) and result.source == "x.txt"
    assert "unexpected error while cleaning: RuntimeError: boom" in result.reason


def test_symlink_loops_and_broken_links_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text("Ferry pier closes\n\n" + PARAGRAPHS[0], encoding="utf-8")
    (folder / "loop1.txt").symlink_to(folder / "loop2.txt")
    (folder / "loop2.txt").symlink_to(folder / "loop1.txt")
    (folder / "gone.txt").symlink_to(folder / "missing.txt")
    (folder / "up").symlink_to(folder)  # a folder that contains itself
    for paths in ([folder], [f"{folder}/*.txt"], [f"{folder}/**"]):
        items = list(read_paths(paths))
        reasons = {Path(i.source).name: i.reason for i in items if isinstance(i, Skipped)}
        assert [Path(a.source).name for a in only(items, Article)] == ["good.txt"], paths
        assert "symbolic link loop" in reasons["loop1.txt"]
        assert "symbolic link loop" in reasons["loop2.txt"]
        assert "broken symbolic link" in reasons["gone.txt"]


def _three_page_warc(path: Path) -> bytes:
    pages = [(f"https://e.example/{n}", "200 OK", "text/html", PAGE) for n in range(3)]
    _write_warc(path, pages)
    return path.read_bytes()


def test_warc_gz_cut_between_records_is_reported(tmp_path: Path) -> None:
    """warcio stops quietly inside a cut gzip member: the cut must still be reported."""
    data = _three_page_warc(tmp_path / "whole.warc.gz")
    members = [i for i in range(len(data)) if data.startswith(b"\x1f\x8b\x08", i)]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: members[1] + 16])  # member 2 cut before it decompresses to anything
    items = list(read_file(cut))
    assert isinstance(items[0], Article) and items[0].url == "https://e.example/0"
    assert isinstance(items[-1], Skipped) and items[-1].source == str(cut)
    assert "truncated" in items[-1].reason


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_warc_cut_inside_its_first_record_says_so(tmp_path: Path, name: str) -> None:
    data = _three_page_warc(tmp_path / ("whole" + name[3:]))
    path = tmp_path / name
    path.write_bytes(data[:300])
    reason = _skip_reason(path)
    assert "truncated" in reason and "no HTML pages" not in reason and "empty" not in reason
