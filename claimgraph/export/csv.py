"""CSV export: one UTF-8 file per table and per view, header row first, for spreadsheets, pandas,
R and Gephi's data laboratory.

Rows are streamed from a database cursor straight to the file (never a whole table in memory),
quoted by the csv module, so multi-line article bodies and quotes survive a round trip. JSON
columns stay JSON text; booleans are 0/1 on every database.

Article text is hostile input, and a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@`
as a formula (`=HYPERLINK(...)` can leak data or launch a command). So, by the OWASP rule, a text
cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, which the
spreadsheet shows as text; numbers are left alone. `raw_csv=True` (`--raw-csv`) writes cells
exactly as stored, for pandas, R or another database.

Only the user-facing tables and views are written: not the bookkeeping (`meta`, `runs`,
`inputs`), not `link_state` (the narrative index's internal state, one huge JSON value), not
`claim_vectors` (binary; use the database for those). `speakers.csv` is the read model's one
list of speakers (named, with or without an entity, and unnamed sources), the app's /speakers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from claimgraph.store import Store
from claimgraph.store import schema as s
from claimgraph.store.read import read_model

EXCLUDED_TABLES = frozenset(
    {"meta", "runs", "inputs", "link_state", "claim_vectors", "narrative_vectors", "speaker_stats"}
)  # speaker_stats: the counts behind the `speakers` view (speakers.csv)
SPEAKER_COLUMNS = (
    "id",
    "name",
    "type",
    "anonymous",
    "attributions",
    "statements",
    "documents",
    "direct",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, prefixed with `'` (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def exported_tables() -> list[Table]:
    """The tables written, in schema order, without internal state or vectors."""
    return [t for t in s.metadata.sorted_tables if t.name not in EXCLUDED_TABLES]


def exported_views() -> list[str]:
    return list(s.VIEWS)


def write_csv(path: Path, rows: Iterable[Sequence[Any]], raw: bool = False) -> int:
    """Write header + rows, formula cells neutralised unless `raw`; returns the data rows."""
    n = -1
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        for row in rows:
            writer.writerow(row if raw else [neutralise(v) for v in row])
            n += 1
    return max(n, 0)


def export_csv(store: Store, out_dir: str | Path, raw_csv: bool = False) -> dict[str, int]:
    """One `<name>.csv` per table and view; returns rows written per file. Cells a spreadsheet
    would run as formulas get a leading `'` unless `raw_csv`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    reads = read_model(store)
    for table in exported_tables():
        name = f"{table.name}.csv"
        written[name] = write_csv(out / name, reads.stream_table(table), raw_csv)
    views = exported_views()
    for view in views:
        name = f"{view}.csv"
        rows = speaker_rows(store) if view == "speakers" else reads.stream_view(view, views)
        written[name] = write_csv(out / name, rows, raw_csv)
    return written


def speaker_rows(store: Store) -> Iterator[Sequence[Any]]:
    """The header, then every speaker of the read model (the app's /speakers list)."""
    yield list(SPEAKER_COLUMNS)
    for r in read_model(store).speakers(limit=10**9).items:
        yield [int(r[c]) if isinstance(r[c], bool) else r[c] for c in SPEAKER_COLUMNS]
