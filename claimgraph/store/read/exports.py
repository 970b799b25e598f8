"""Rows for the exports (CSV, JSONL, ClaimReview): streamed where a table may be large."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import LargeBinary, Table, select, text

from claimgraph.store.read.common import ReadBase

BATCH = 1000

REVIEWS_SQL = """
SELECT r.claim_id, r.rating, r.rating_original, r.reviewer, r.review_url, r.note, r.reviewed_at,
  c.text AS claim_text, c.date AS claim_date, c.speaker, c.anonymous,
  e.type AS speaker_type, a.speaker_description,
  d.title AS document_title, d.url AS document_url, d.date AS document_date,
  d.outlet AS document_outlet
FROM claim_reviews r
JOIN claims c ON c.id = r.claim_id
JOIN documents d ON d.id = c.document_id
LEFT JOIN entities e ON e.id = c.speaker_entity_id
LEFT JOIN attributions a ON a.id = c.attribution_id
ORDER BY r.reviewed_at, r.claim_id
"""


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


class ExportsRead(ReadBase):
    """What `claimgraph export` writes."""

    def stream_table(self, table: Table) -> Iterator[Sequence[Any]]:
        """The header, then each row of `table` (binary columns left out), by primary key,
        read from the cursor in batches (never a whole table in memory)."""
        columns = [c for c in table.columns if not isinstance(c.type, LargeBinary)]
        order = list(table.primary_key.columns) or columns[:1]
        yield from self._stream(select(*columns).order_by(*order))

    def stream_view(self, view: str, known: Sequence[str]) -> Iterator[Sequence[Any]]:
        """The header, then each row of one of the schema's views (`known`: their names)."""
        if view not in known:
            raise ValueError(f"not a view of the schema: {view!r}")
        yield from self._stream(text(f"SELECT * FROM {view}"))

    def _stream(self, stmt: Any) -> Iterator[Sequence[Any]]:
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
            yield list(result.keys())
            for row in result:
                yield [_cell(v) for v in row]

    def export_claims(self) -> list[dict[str, Any]]:
        """Every claim, with `reported` set when its narrative is a reported one."""
        return self.rows(
            "SELECT c.*, n.id AS reported FROM claims c LEFT JOIN narratives n "
            "ON n.id = c.narrative_id ORDER BY c.document_id, c.start_char"
        )

    def narrative_members(self) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT c.narrative_id, c.id, c.document_id FROM claims c JOIN narratives n "
            "ON n.id = c.narrative_id ORDER BY c.date, c.document_id, c.start_char"
        )

    def export_narratives(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM narratives ORDER BY documents DESC, claims DESC, id")

    def review_rows(self) -> list[dict[str, Any]]:
        """Every reviewed claim with what a ClaimReview object needs, oldest review first."""
        return self.rows(REVIEWS_SQL)
