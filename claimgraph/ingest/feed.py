"""RSS and Atom feeds: one article per entry, via feedparser.

An entry's full content is used when the feed carries it, else its summary (then
meta["content"] = "summary": a teaser, not the whole article). The feed's title is the outlet.
"""

from __future__ import annotations

import html.entities
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser

from claimgraph.ingest.common import (
    DEFAULT_MAX_BYTES,
    Unreadable,
    clean_field,
    read_limited,
    split_authors,
)
from claimgraph.ingest.html import fragment_to_text
from claimgraph.model import Article, Skipped

FEED_SUFFIXES = (".rss", ".atom", ".xml", ".rdf")
_FEED_ROOT = re.compile(rb"<(?:[A-Za-z0-9_-]+:)?(rss|feed|RDF)\b")
# A DOCTYPE with or without an internal subset ([ <!ENTITY ...> ]).
_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.S | re.I)
_ENTITY_REF = re.compile(rb"&([A-Za-z][A-Za-z0-9._-]*);")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _entity(match: re.Match[bytes]) -> bytes:
    """An HTML entity as a character reference; an unknown one as literal text (never expanded)."""
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    char = html.entities.html5.get(name.decode("ascii") + ";")
    if char is None:
        return b"&amp;" + name + b";"
    return b"".join(b"&#%d;" % ord(c) for c in char)


def defuse(data: bytes) -> bytes:
    """Feed bytes an XML parser reads whole and safely: no DOCTYPE, HTML entities as numbers.

    Feeds written by HTML tools use `&nbsp;` and friends, which XML does not define: a strict
    parser stops there and the entries after it are lost. A DOCTYPE can declare entities; it is
    dropped, so no entity is ever expanded from it (no billion laughs, no external entities).
    """
    return _ENTITY_REF.sub(_entity, _DOCTYPE.sub(b"", data, count=1))


def looks_like_feed(data: bytes) -> bool:
    """Whether an .xml file's root element is a feed (rss, Atom feed, RSS 1.0 rdf:RDF)."""
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", data[:4096], flags=re.S)
    match = re.search(rb"<[A-Za-z]", head)
    return bool(match and _FEED_ROOT.match(head, match.start()))


def _iso_date(parsed: time.struct_time | None) -> str | None:
    return time.strftime("%Y-%m-%d", parsed) if parsed else None


def _content(entry: Any) -> tuple[str, str]:
    """(html or text of the entry, "content" | "summary")."""
    contents = [c for c in entry.get("content", []) if c.get("value", "").strip()]
    if contents:
        best = max(contents, key=lambda c: len(c.get("value", "")))
        return best["value"], "content"
    return entry.get("summary", "") or "", "summary"


def article_from_entry(entry: Any, feed: Any, source: str) -> Article | Skipped:
    body, kind = _content(entry)
    text = fragment_to_text(body)
    if not text.strip():
        return Skipped(source, "feed entry has no content or summary")
    meta: dict[str, Any] = {"format": "feed", "content": kind}
    if entry.get("id"):
        meta["entry_id"] = entry["id"]
    outlet = clean_field(feed.get("title"))
    if outlet:
        meta["outlet_source"] = "metadata"
    authors = split_authors(entry.get("authors") or entry.get("author"))
    return Article(
        source=source,
        text=text,
        html=body if "<" in body else None,
        title=clean_field(entry.get("title")),
        date=_iso_date(entry.get("published_parsed") or entry.get("updated_parsed"))
        or clean_field(entry.get("published") or entry.get("updated")),
        url=clean_field(entry.get("link")),
        outlet=outlet,
        authors=authors,
        language=clean_field(feed.get("language")),
        meta=meta,
    )


def read_feed(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Skipped]:
    """The entries of an RSS/Atom file; an .xml file that is not a feed is Skipped."""
    source = str(path)
    try:
        data = read_limited(path, max_bytes)
    except Unreadable as exc:
        yield Skipped(source, str(exc))
        return
    if not data.strip():
        yield Skipped(source, "empty file")
        return
    data = defuse(data)
    if not looks_like_feed(data):
        yield Skipped(source, "not an RSS/Atom feed (no rss, feed or rdf:RDF root element)")
        return
    parsed = feedparser.parse(data)
    if not parsed.get("version") and not parsed.entries:
        error = parsed.get("bozo_exception")
        yield Skipped(source, f"unreadable feed: {error}" if error else "unreadable feed")
        return
    if not parsed.entries:
        yield Skipped(source, "feed has no entries")
        return
    for number, entry in enumerate(parsed.entries, start=1):
        yield article_from_entry(entry, parsed.feed, f"{path}#entry{number}")
    if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
        error = parsed["bozo_exception"]
        if not isinstance(error, feedparser.CharacterEncodingOverride):
            yield Skipped(source, f"feed is malformed after its readable entries: {error}")
