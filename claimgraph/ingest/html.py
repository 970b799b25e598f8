"""HTML pages: read them as text here; trafilatura finds the main text when the article is cleaned.

Reading and extracting are separate so that every HTML source (files, WARC records, JSONL `html`
fields) goes through the one extraction in `extract_page`, called by `clean_article`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import trafilatura
from lxml import etree

from claimgraph.ingest.common import (
    DEFAULT_MAX_BYTES,
    Unreadable,
    clean_field,
    declared_html_charset,
    decode_bytes,
    read_limited,
    split_authors,
)
from claimgraph.model import Article, Skipped

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")

_HTML_LANG = re.compile(
    r"""<html\b[^>]*?\slang\s*=\s*["']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*""", re.I
)
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"),
        *("figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"),
        *("nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"),
    }
)


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """The main text of a page (one paragraph per line) and the metadata found with it."""

    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    sitename: str | None = None
    authors: list[str] = field(default_factory=list)
    description: str | None = None


def html_language(html: str) -> str | None:
    """The page's declared language (`<html lang="en-GB">` -> "en"): metadata, not detection."""
    match = _HTML_LANG.search(html[:20_000])
    return match.group(1).lower() if match else None


def extract_page(html: str, url: str | None = None) -> ExtractedPage | None:
    """Main text and metadata via trafilatura, comments excluded; None when no main text."""
    doc = trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)
    if doc is None or not (doc.text or "").strip():
        return None
    return ExtractedPage(
        text=doc.text,
        title=clean_field(doc.title),
        date=clean_field(doc.date),
        url=clean_field(doc.url),
        sitename=clean_field(doc.sitename),
        authors=split_authors(doc.author),
        description=clean_field(doc.description),
    )


def fragment_to_text(fragment: str) -> str:
    """A small HTML fragment (a feed entry) -> text, one block element per line.

    Not trafilatura: a feed entry has no page around it to tell content from furniture, and
    trafilatura discards short fragments as too small.
    """
    if "<" not in fragment:
        return "\n".join(" ".join(line.split()) for line in fragment.splitlines() if line.strip())
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in _BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def read_html(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Skipped]:
    """One article per HTML file (its main text is extracted when cleaned)."""
    source = str(path)
    try:
        data = read_limited(path, max_bytes)
        html = decode_bytes(data, declared_html_charset(data))
    except Unreadable as exc:
        yield Skipped(source, str(exc))
        return
    yield Article(source=source, html=html, language=html_language(html), meta={"format": "html"})
