"""Read fact-check files of any supported format: one entry point, the format told by content.

`read_factchecks(paths)` yields a `FactCheck` per record and a `BadRecord` per file or row that
cannot be read (undecodable, malformed JSON, a row without claim text, an unknown CSV), so one
bad record never stops an import and is always reported by name.

- `.html`/`.htm`: ClaimReview JSON-LD in `<script type="application/ld+json">` blocks
- `.json`/`.jsonld`/`.jsonl`/`.ndjson`: ClaimReview JSON-LD (object, list, `@graph`, JSON
  Lines) or a Google Fact Check Tools API response
- `.csv`/`.tsv`: flattened ClaimReview, the Centralifact crawl table, EUvsDisinfo exports
- anything else is sniffed: `<` -> HTML, `{`/`[` -> JSON, else CSV
Folders are walked for those extensions; gzip-compressed files are read transparently.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Iterator
from pathlib import Path

from claimgraph.factchecks import euvsdisinfo, tables
from claimgraph.factchecks.jsonld import read_html_text, read_json_text
from claimgraph.factchecks.model import BadRecord, FactCheck
from claimgraph.ingest.common import Unreadable, declared_html_charset, decode_bytes, read_limited

EXTENSIONS = (".html", ".htm", ".xhtml", ".json", ".jsonld", ".jsonl", ".ndjson", ".csv", ".tsv")
MAX_BYTES = 1024 * 1024 * 1024  # exports are tables of many records, not one article


def expand(paths: Iterable[str | Path]) -> Iterator[Path | BadRecord]:
    """Files, folders (walked, sorted) and globs -> files; a path that matches nothing is bad."""
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.name.lower().removesuffix(".gz").endswith(EXTENSIONS)
            )
            if not found:
                yield BadRecord(str(path), "no fact-check files in this folder")
            yield from found
        elif path.is_file():
            yield path
        else:
            matches = sorted(Path(m) for m in glob.glob(str(given)) if Path(m).is_file())
            if not matches:
                yield BadRecord(str(given), "no such file")
            yield from matches


def _kind(path: Path, text: str) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if name.endswith((".json", ".jsonld", ".jsonl", ".ndjson")):
        return "json"
    if name.endswith((".csv", ".tsv")):
        return "csv"
    head = text.lstrip()[:1]
    return "html" if head == "<" else "json" if head in "{[" else "csv"


def read_csv_text(
    text: str, source: str, path: Path | None = None
) -> Iterator[FactCheck | BadRecord]:
    """A CSV export: the header says which layout (EUvsDisinfo or ClaimReview)."""
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    header, rows = tables.csv_rows(text, delimiter)
    kind = euvsdisinfo.layout(header)
    if kind == "kalkun":
        yield from euvsdisinfo.read_kalkun(rows, header, source)
    elif kind == "cknabs-posts":
        yield from euvsdisinfo.read_cknabs_posts(rows, header, source, path)
    elif kind == "cknabs-publications":
        yield BadRecord(
            source,
            "EUvsDisinfo publication links only, no claims: import posts.csv (the links are "
            "read from beside it)",
        )
    elif tables.layout(header) is not None:
        yield from tables.read_claimreview_csv(rows, header, source)
    else:
        yield BadRecord(source, f"unknown CSV layout (columns: {', '.join(header[:8])})")


def read_file(path: Path) -> Iterator[FactCheck | BadRecord]:
    source = str(path)
    try:
        data = read_limited(path, MAX_BYTES)
        text = decode_bytes(data, declared_html_charset(data))
    except Unreadable as exc:
        yield BadRecord(source, str(exc))
        return
    kind = _kind(path, text)
    if kind == "html":
        yield from read_html_text(text, source)
    elif kind == "json":
        yield from read_json_text(text, source)
    else:
        yield from read_csv_text(text, source, path)


def read_factchecks(paths: Iterable[str | Path]) -> Iterator[FactCheck | BadRecord]:
    """Every record of every file, in order; bad files and rows come out as BadRecord."""
    for item in expand(paths):
        if isinstance(item, BadRecord):
            yield item
        else:
            yield from read_file(item)
