"""JSON Lines: one article per line, streamed (a 30 MB dump is never loaded whole).

Each line is an object with `text` or `html` and optional title/url/date/outlet/authors/language.
Common dataset spellings are accepted too (e.g. the AllSides / Article-Bias-Prediction dumps:
`content_original` for the text, `source` for the outlet, authors as one string). A bad line is a
Skipped named `file.jsonl#L12`; the rest of the file is still read.
"""

from __future__ import annotations

import codecs
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from claimgraph.ingest.common import (
    DEFAULT_MAX_BYTES,
    Unreadable,
    clean_field,
    decode_bytes,
    gzip_error,
    human_size,
    open_binary,
    split_authors,
)
from claimgraph.ingest.html import html_language
from claimgraph.model import Article, Skipped

JSONL_SUFFIXES = (".jsonl", ".ndjson")

# Article field -> record keys that carry it, first present wins.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "content_original", "content", "body", "maintext", "article", "articleBody"),
    "html": ("html", "raw_html", "content_html"),
    "title": ("title", "headline"),
    "url": ("url", "link", "canonical_url"),
    "date": ("date", "published", "date_publish", "publish_date", "published_at", "pubdate"),
    "outlet": ("outlet", "source", "sitename", "publisher", "source_name", "domain"),
    "authors": ("authors", "author", "byline"),
    "language": ("language", "lang"),
}
_KNOWN = frozenset(name for names in FIELD_NAMES.values() for name in names)


def _first(record: dict[str, Any], field: str) -> Any:
    for key in FIELD_NAMES[field]:
        value = record.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def article_from_record(record: dict[str, Any], source: str) -> Article | Skipped:
    """One JSON object -> Article; a record with neither text nor html is Skipped."""
    text = _first(record, "text")
    html = _first(record, "html")
    if not isinstance(text, str):
        text = None
    if not isinstance(html, str):
        html = None
    if not (text and text.strip()) and not (html and html.strip()):
        return Skipped(source, "record has no text or html field (or it is empty)")
    outlet = _first(record, "outlet")
    if isinstance(outlet, dict):  # {"name": ..., "url": ...}
        outlet = outlet.get("name")
    meta: dict[str, Any] = {"format": "jsonl"}
    # keep the dataset's own small fields (topic, bias, id, ...) for researchers
    for key, value in record.items():
        if (
            key not in _KNOWN
            and isinstance(value, (str, int, float, bool))
            and len(str(value)) < 500
        ):
            meta[key] = value
    if clean_field(outlet):
        meta["outlet_source"] = "metadata"
    language = clean_field(_first(record, "language"))
    return Article(
        source=source,
        text=text if text and text.strip() else None,
        html=html,
        title=clean_field(_first(record, "title")),
        date=clean_field(_first(record, "date")),
        url=clean_field(_first(record, "url")),
        outlet=clean_field(outlet),
        authors=split_authors(_first(record, "authors")),
        language=language or (html_language(html) if html else None),
        meta=meta,
    )


def _parse_line(raw: bytes, source: str) -> Article | Skipped | None:
    if not raw.strip():
        return None  # blank lines between records are harmless
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            line = decode_bytes(raw)
        except Unreadable as exc:
            return Skipped(source, str(exc))
    # A byte-order mark (Windows editors put one on line 1, `cat a.jsonl b.jsonl` mid-file) is
    # not part of the record.
    line = line.lstrip("\ufeff")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Skipped(source, f"invalid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(record, dict):
        return Skipped(source, f"expected a JSON object, got {type(record).__name__}")
    return article_from_record(record, source)


class _Utf16Lines:
    """A UTF-16/32 stream (it starts with its byte-order mark) read as UTF-8 lines.

    Splitting UTF-16 bytes at b"\\n" would cut characters in half; decoding first keeps lines whole.
    """

    def __init__(self, fh: IO[bytes], encoding: str) -> None:
        self.text = io.TextIOWrapper(fh, encoding=encoding, errors="replace", newline="")

    def readline(self, limit: int) -> bytes:
        return self.text.readline(limit).encode("utf-8")


def _wide_encoding(fh: IO[bytes]) -> str | None:
    """ "utf-16"/"utf-32" when the stream starts with such a byte-order mark (then rewound)."""
    head = fh.read(4)
    fh.seek(0)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def read_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Skipped]:
    """Stream the records of a JSONL(.gz) file; `max_bytes` bounds one line, not the file."""
    line_no = 0
    records = 0
    try:
        with open_binary(path) as binary:
            wide = _wide_encoding(binary)
            fh: IO[bytes] | _Utf16Lines = _Utf16Lines(binary, wide) if wide else binary
            while True:
                raw = fh.readline(max_bytes + 1)
                if not raw:
                    break
                line_no += 1
                source = f"{path}#L{line_no}"
                if len(raw) > max_bytes and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                        raw = fh.readline(max_bytes + 1)
                    yield Skipped(source, f"line over the {human_size(max_bytes)} limit")
                    continue
                item = _parse_line(raw, source)
                if item is not None:
                    records += 1
                    yield item
    except Unreadable as exc:
        yield Skipped(str(path), str(exc))
        return
    except (OSError, EOFError, zlib.error, UnicodeError) as exc:
        reason = gzip_error(exc) or f"read error: {exc}"
        yield Skipped(str(path), f"{reason}; stopped after line {line_no}")
        return
    if records == 0:
        yield Skipped(str(path), "empty file (no JSON records)")
