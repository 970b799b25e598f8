"""WARC / ARC web archives: every HTML page the crawler stored, streamed record by record.

Only `response` records with HTTP 200 and an HTML content type (and `resource` records of HTML)
are articles. WARC-Date is when the page was crawled, not when it was published, so it is kept
as meta["crawl_date"] and never used as the article date. A truncated or corrupt archive yields
the records that were readable, then a Skipped naming the file and what went wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader
from warcio.statusandheaders import StatusAndHeaders

from claimgraph.ingest.common import (
    DEFAULT_MAX_BYTES,
    Unreadable,
    declared_html_charset,
    decode_bytes,
    human_size,
    is_gzip,
)
from claimgraph.ingest.html import html_language
from claimgraph.model import Article, Skipped

WARC_SUFFIXES = (".warc", ".arc")
HTML_TYPES = ("text/html", "application/xhtml+xml")


def _charset(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _first_line(exc: BaseException) -> str:
    """warcio's messages run over several lines; the first non-empty one names the problem."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0][:200] if lines else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _html_record(record: Any) -> tuple[bool, str | None]:
    """(is an HTML page worth reading, its content type)."""
    http: StatusAndHeaders | None = record.http_headers
    if record.rec_type == "response":
        if http is None or http.get_statuscode() != "200":
            return False, None
        content_type = http.get_header("Content-Type")
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type")
    else:
        return False, None
    if not content_type or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return False, content_type
    return True, content_type


def _missing(record: Any, name: str) -> tuple[int, str | None]:
    """(bytes the record's Content-Length promises but the file lacks, a note saying so)."""
    raw = record.raw_stream
    while raw.read(65536):  # bytes the HTTP decoding left unread are not missing bytes
        pass
    missing = raw.limit if isinstance(raw, LimitReader) else 0
    if not missing:
        return 0, None
    return missing, f"{name} lacks {missing} of its {raw.tell() + missing} bytes"


def _watch_gzip_end(reader: Any) -> dict[str, bool]:
    """Note, when warcio closes its gzip decompressor, whether the last member was cut short.

    warcio stops quietly at the end of the readable data of a cut .warc.gz, then drops the
    decompressor whose `eof` flag told it: the flag is read just before it goes.
    """
    state = {"cut": False}
    close = reader.close_decompressor

    def close_and_note() -> None:
        decompressor = getattr(reader, "decompressor", None)
        if decompressor is not None and not getattr(decompressor, "eof", True):
            state["cut"] = True
        close()

    reader.close_decompressor = close_and_note
    return state


def _article(record: Any, source: str, max_bytes: int) -> tuple[Article | Skipped, str | None]:
    """(the page or why it was skipped, a note when the record was cut short)."""
    _, content_type = _html_record(record)
    data = record.content_stream().read(max_bytes + 1)
    if len(data) > max_bytes:
        return Skipped(source, f"record over the {human_size(max_bytes)} limit"), None
    missing, cut_note = _missing(record, source.rpartition("#")[2])
    if not data.strip():
        return Skipped(source, "record has no content"), cut_note
    declared = _charset(content_type) or declared_html_charset(data)
    try:
        html = decode_bytes(data, declared)
    except Unreadable as exc:
        return Skipped(source, str(exc)), cut_note
    headers = record.rec_headers
    meta: dict[str, Any] = {"format": "warc", "crawl_date": headers.get_header("WARC-Date")}
    record_id = headers.get_header("WARC-Record-ID")
    if record_id:
        meta["warc_record_id"] = record_id
    if missing:
        meta["truncated_bytes"] = missing  # a partial page: what was readable, flagged
    article = Article(
        source=source,
        html=html,
        url=headers.get_header("WARC-Target-URI"),
        language=html_language(html),
        meta=meta,
    )
    return article, cut_note


def read_warc(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Skipped]:
    """Stream the HTML pages of a WARC/ARC file (gzipped or not); `max_bytes` bounds a record.

    Whatever was readable comes first; then one Skipped for the file says what was wrong with it.
    """
    number = pages = 0
    problems: list[str] = []
    try:
        with path.open("rb") as fh:
            records = ArchiveIterator(fh, arc2warc=True)
            gzip_end = _watch_gzip_end(records.reader)
            for record in records:
                number += 1
                if not _html_record(record)[0]:
                    cut = _missing(record, f"record{number}")[1]
                    if cut:
                        problems.append(f"truncated: {cut}")
                    continue
                item, cut = _article(record, f"{path}#record{number}", max_bytes)
                pages += isinstance(item, Article)
                if cut:
                    problems.append(f"truncated: {cut}")
                yield item
            if records.err_count:
                problems.append(f"{records.err_count} record(s) with a wrong Content-Length")
            if (
                gzip_end["cut"]
                and is_gzip(path)
                and not any(p.startswith("truncated") for p in problems)
            ):
                where = f"after record {number}" if number else "before the first record"
                problems.append(f"truncated gzip {where} (compressed data ends mid-record)")
            if number == 0 and not problems:
                fh.seek(0)
                if fh.read(65536).strip():  # bytes, yet not one record: cut inside the first
                    problems.append("no complete record (truncated, or not a WARC/ARC file)")
    except OSError as exc:
        problems.append(f"cannot read: {exc.strerror or exc}")
    except Exception as exc:  # warcio raises many types on corrupt input; none may escape
        where = f"after record {number}" if number else "before the first record"
        problems.append(f"damaged {where}: {_first_line(exc)}")
    if problems:
        kept = f"; kept {pages} readable page(s)" if pages else ""
        yield Skipped(str(path), f"archive {'; '.join(problems)}{kept}")
    elif number == 0:
        yield Skipped(str(path), "empty archive (no records)")
    elif pages == 0:
        yield Skipped(str(path), f"no HTML pages among its {number} record(s)")
