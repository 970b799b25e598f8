"""Plain-text articles: the title on the first line, optional header lines and a sidecar JSON.

Conventions (the sample corpus and most scraped dumps):
- the first non-empty line is the title, the rest is the body;
- optional leading `Title:` / `Date:` / `URL:` / `Outlet:` / `Authors:` / `Language:` header
  lines, ended by a blank line or the first other line; then the header gives the title;
- an optional sidecar `NAME.json` next to `NAME.txt` with the same fields (it wins over headers);
- a body of `SPEAKER: text` lines is a transcript (rule in
  `claimgraph.ingest.transcript.detect_speaker_lines`): its turns are kept with their speakers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimgraph.ingest.common import (
    DEFAULT_MAX_BYTES,
    Unreadable,
    clean_field,
    decode_bytes,
    read_limited,
    split_authors,
)
from claimgraph.ingest.transcript import build_article, detect_speaker_lines, is_speaker_line
from claimgraph.model import Article, Skipped

TEXT_SUFFIXES = (".txt", ".text")
SIDECAR_SUFFIX = ".json"
# Inputs that may have a NAME.json sidecar: text files, subtitles and transcript tables.
SIDECAR_OWNERS = (*TEXT_SUFFIXES, ".srt", ".vtt", ".tsv", ".csv")

# header key -> Article field
_HEADER_KEYS = {
    "title": "title",
    "headline": "title",
    "date": "date",
    "published": "date",
    "url": "url",
    "link": "url",
    "outlet": "outlet",
    "source": "outlet",
    "publisher": "outlet",
    "author": "authors",
    "authors": "authors",
    "language": "language",
    "lang": "language",
}
_HEADER_LINE = re.compile(rf"^\s*({'|'.join(_HEADER_KEYS)})\s*:\s*(.*?)\s*$", re.IGNORECASE)


def sidecar_for(path: Path) -> Path | None:
    """The sidecar JSON of a text file, if there is one."""
    stem = path.name[: -len(".gz")] if path.name.lower().endswith(".gz") else path.name
    candidate = path.with_name(Path(stem).stem + SIDECAR_SUFFIX)
    return candidate if candidate.is_file() else None


def is_sidecar(path: Path) -> bool:
    """True for `NAME.json` lying next to `NAME.txt`: metadata, not an input of its own."""
    if path.suffix.lower() != SIDECAR_SUFFIX:
        return False
    return any(
        path.with_name(path.stem + suffix + gz).is_file()
        for suffix in SIDECAR_OWNERS
        for gz in ("", ".gz")
    )


def parse_header(lines: list[str]) -> tuple[dict[str, str], int]:
    """Leading `Key: value` lines -> ({field: value}, index of the first body line)."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    start = i
    while i < len(lines):
        match = _HEADER_LINE.match(lines[i])
        if not match or not match.group(2):
            break
        fields.setdefault(_HEADER_KEYS[match.group(1).lower()], match.group(2))
        i += 1
    if not fields:
        return {}, start
    return fields, i


def read_sidecar(path: Path) -> dict[str, Any]:
    """Sidecar fields; raises Unreadable when the sidecar exists but is not a JSON object."""
    try:
        data = json.loads(decode_bytes(read_limited(path, 1024 * 1024)))
    except (Unreadable, json.JSONDecodeError) as exc:
        raise Unreadable(f"bad sidecar {path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise Unreadable(f"bad sidecar {path.name}: expected a JSON object")
    return data


def article_from_text(text: str, source: str, sidecar: dict[str, Any] | None = None) -> Article:
    """Split a text file into title, header metadata and body."""
    lines = text.splitlines()
    header, body_start = parse_header(lines)
    meta: dict[str, Any] = {"format": "text"}
    sidecar = sidecar or {}

    title = clean_field(sidecar.get("title")) or clean_field(header.get("title"))
    body_lines = lines[body_start:]
    title, pieces = _transcript_turns(body_lines, title, source)
    if title is None:
        # the txt convention: the first non-empty line is the title
        for j, line in enumerate(body_lines):
            if line.strip():
                title = line.strip()
                body_lines = body_lines[j + 1 :]
                break

    date = clean_field(sidecar.get("date"))
    if date:
        meta["date_source"] = "metadata"
    elif header.get("date"):
        date = header["date"]
        meta["date_source"] = "header"
    outlet = clean_field(sidecar.get("outlet") or sidecar.get("source"))
    if outlet:
        meta["outlet_source"] = "metadata"
    elif header.get("outlet"):
        outlet = header["outlet"]
        meta["outlet_source"] = "header"
    authors = split_authors(sidecar.get("authors") or sidecar.get("author")) or split_authors(
        header.get("authors")
    )
    for key, value in sidecar.items():
        if key not in {"title", "date", "url", "outlet", "source", "authors", "author", "language"}:
            meta.setdefault(key, value)
    transcript = build_article(pieces, source, title=title, meta=meta) if pieces else None
    if transcript is not None:
        meta["format"] = "transcript"
        body_lines = [transcript.text or ""]
    return Article(
        source=source,
        text="\n".join(body_lines),
        title=title,
        date=date,
        url=clean_field(sidecar.get("url")) or header.get("url"),
        outlet=outlet,
        authors=authors,
        language=clean_field(sidecar.get("language")) or header.get("language"),
        meta=meta,
        turns=transcript.turns if transcript is not None else [],
    )


def _transcript_turns(
    body_lines: list[str], title: str | None, source: str
) -> tuple[str | None, list[Any] | None]:
    """(title, turns) when the body is `SPEAKER: text` lines, else (title, None).

    Without a header title, a first line that is not a turn is the title (the txt convention);
    a transcript that starts with a turn is titled by its file name."""
    rows = [line for line in body_lines if line.strip()]
    if not rows:
        return title, None
    if title is None and not is_speaker_line(rows[0]):
        pieces = detect_speaker_lines(rows[1:])
        return (rows[0].strip(), pieces) if pieces is not None else (None, None)
    pieces = detect_speaker_lines(rows)
    if pieces is not None and title is None:
        title = Path(source).stem
    return title, pieces


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | Skipped]:
    """One article per text file (plus a Skipped when its sidecar is unreadable)."""
    source = str(path)
    try:
        text = decode_bytes(read_limited(path, max_bytes))
    except Unreadable as exc:
        yield Skipped(source, str(exc))
        return
    sidecar: dict[str, Any] = {}
    sidecar_path = sidecar_for(path)
    if sidecar_path is not None:
        try:
            sidecar = read_sidecar(sidecar_path)
        except Unreadable as exc:
            yield Skipped(str(sidecar_path), f"{exc}; {path.name} read without it")
    yield article_from_text(text, source, sidecar)
