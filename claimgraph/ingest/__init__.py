"""Ingest: files, folders and globs -> Articles (one reader per format) -> cleaned Documents.

    for item in read_paths(["corpus/", "crawl/*.warc.gz"]):
        doc = clean_article(item) if isinstance(item, Article) else item

Readers stream and never raise for bad input: an unreadable file, line or record comes out as a
`Skipped(source, reason)` so it is reported by name instead of silently dropped.
"""

from __future__ import annotations

import errno
import glob
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from claimgraph.ingest.clean import clean_article
from claimgraph.ingest.common import DEFAULT_MAX_BYTES, scrub
from claimgraph.ingest.feed import FEED_SUFFIXES, read_feed
from claimgraph.ingest.html import HTML_SUFFIXES, read_html
from claimgraph.ingest.jsonl import JSONL_SUFFIXES, read_jsonl
from claimgraph.ingest.text import TEXT_SUFFIXES, is_sidecar, read_text
from claimgraph.ingest.transcript import (
    SUBTITLE_SUFFIXES,
    TABLE_SUFFIXES,
    read_subtitles,
    read_transcript_table,
)
from claimgraph.ingest.warc import WARC_SUFFIXES, read_warc
from claimgraph.model import Article, Skipped

__all__ = [
    "DEFAULT_MAX_BYTES",
    "clean_article",
    "expand_paths",
    "format_of",
    "read_file",
    "read_paths",
]

Reader = Callable[[Path, int], Iterator[Article | Skipped]]

_READERS: dict[str, Reader] = {
    "text": read_text,
    "html": read_html,
    "jsonl": read_jsonl,
    "warc": read_warc,
    "feed": read_feed,
    "transcript": read_transcript_table,
    "subtitles": read_subtitles,
}
_SUFFIX_FORMAT = {
    **dict.fromkeys(TEXT_SUFFIXES, "text"),
    **dict.fromkeys(HTML_SUFFIXES, "html"),
    **dict.fromkeys(JSONL_SUFFIXES, "jsonl"),
    **dict.fromkeys(WARC_SUFFIXES, "warc"),
    **dict.fromkeys(FEED_SUFFIXES, "feed"),
    **dict.fromkeys(TABLE_SUFFIXES, "transcript"),
    **dict.fromkeys(SUBTITLE_SUFFIXES, "subtitles"),
}


def _suffix(path: Path) -> str:
    """The format suffix, looking through a trailing .gz (`a.warc.gz` -> `.warc`)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    return Path(name).suffix


def format_of(path: Path) -> str | None:
    """Which reader handles `path` ("text", "html", "jsonl", "warc", "feed", "transcript",
    "subtitles"), by suffix."""
    return _SUFFIX_FORMAT.get(_suffix(path))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _walk(root: Path) -> list[Path]:
    """Files under a folder, recursive and sorted, hidden files and folders skipped."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(folder, name) for name in files if not name.startswith("."))
    return sorted(found)


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files, folders (recursive, sorted, hidden files skipped) and globs -> input files.

    Sidecar metadata files (NAME.json beside NAME.txt) are not inputs. A path that does not exist
    is passed through, so `read_file` reports it instead of it vanishing.
    """
    seen: set[Path] = set()

    def emit(candidates: Iterable[Path]) -> Iterator[Path]:
        for path in candidates:
            key = Path(os.path.realpath(path))  # unlike Path.resolve, never raises on a link loop
            if key in seen or is_sidecar(path):
                continue
            seen.add(key)
            yield path

    for item in paths:
        path = Path(item)
        if path.is_dir():
            yield from emit(_walk(path))
        elif path.exists():
            yield from emit([path])
        elif glob.has_magic(str(item)):
            matches = sorted(Path(m) for m in glob.glob(str(item), recursive=True))
            if not matches:
                yield path  # read_file says "no file matches"
            for match in matches:
                yield from emit(_walk(match) if match.is_dir() else [match])
        else:
            yield path


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Skipped]:
    """Dispatch on suffix; never raises for bad input: yields Skipped(source, reason) instead.

    `max_bytes` bounds one document (a text or HTML file, a feed, a JSONL line, a WARC record).
    """
    path = Path(path)
    for item in _read(path, max_bytes):
        if isinstance(item, Skipped):  # names and reasons get printed and stored: make them safe
            item = Skipped(scrub(item.source), scrub(item.reason))
        yield item


def _link_problem(path: Path) -> str:
    """Why a symbolic link that leads to no file cannot be read."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (the link leads back to itself)"
        return f"broken symbolic link ({exc.strerror or exc})"
    return "symbolic link to nothing readable"


def _read(path: Path, max_bytes: int) -> Iterator[Article | Skipped]:
    source = str(path)
    if path.is_symlink() and not path.exists():
        yield Skipped(source, _link_problem(path))
        return
    if not path.exists():
        magic = glob.has_magic(source)
        yield Skipped(source, "no file matches this pattern" if magic else "no such file")
        return
    if path.is_dir():
        yield Skipped(source, "is a folder (expand_paths lists its files)")
        return
    if is_sidecar(path):
        return  # metadata of NAME.txt, read together with it
    kind = format_of(path)
    if kind is None:
        suffix = "".join(path.suffixes[-2:]) or "none"
        yield Skipped(source, f"unknown file type (suffix {suffix})")
        return
    try:
        yield from _READERS[kind](path, max_bytes)
    except Exception as exc:  # last line of defence: a reader bug must not stop a whole run
        yield Skipped(source, f"unexpected error while reading: {type(exc).__name__}: {exc}")


def read_paths(
    paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | Skipped]:
    """expand_paths + read_file, streaming."""
    for path in expand_paths(paths):
        yield from read_file(path, max_bytes)
