"""CSV export: one UTF-8 file per table and per view, header row first, for spreadsheets, pandas,
R and Gephi's data laboratory.

Rows are streamed from a database cursor straight to the file (never a whole table in memory),
quoted by the csv module, so multi-line article bodies and quotes survive a round trip. JSON
columns stay JSON text; booleans are 0/1 on every database.

Article text is hostile input, and a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@`
as a formula (`=HYPERLINK(...)` can leak data or launch a command). So, by the OWASP rule, a text
cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, which the
spreadsheet shows as text; numbers are left alone. `raw_csv=True` (`--raw-csv`) writes cells
exactly as stored, for pandas, R or another database. Left out: `link_state` (the
narrative index's internal state, one huge JSON value) and binary columns such as
`claim_vectors.vector` (use the database for those).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import LargeBinary, Table, select, text
from sqlalchemy.sql import Select, TextClause

from claimgraph.store import Store
from claimgraph.store import schema as s

EXCLUDED_TABLES = frozenset({"link_state", "claim_vectors"})
BATCH = 1000
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


def _table_select(table: Table) -> Select[Any]:
    columns = [c for c in table.columns if not isinstance(c.type, LargeBinary)]
    stmt = select(*columns)
    order = list(table.primary_key.columns) or columns[:1]
    return stmt.order_by(*order)


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def stream_rows(store: Store, stmt: Select[Any] | TextClause) -> Iterator[Sequence[Any]]:
    """The header, then each row, read from the cursor in batches."""
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
        yield list(result.keys())
        for row in result:
            yield [_cell(v) for v in row]


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
    for table in exported_tables():
        name = f"{table.name}.csv"
        written[name] = write_csv(out / name, stream_rows(store, _table_select(table)), raw_csv)
    for view in exported_views():
        name = f"{view}.csv"
        rows = stream_rows(store, text(f"SELECT * FROM {view}"))
        written[name] = write_csv(out / name, rows, raw_csv)
    return written
