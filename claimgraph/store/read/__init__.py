"""The read model: every query the CLI, the report, the app, the exports and the API run.

One module per subject (claims, narratives, documents, sources, search, overview, report,
provenance, exports); `ReadModel` mixes them over one read-only engine. Surfaces lay out and
draw what these return; no SQL lives outside `claimgraph/store/` (tests/test_read_model.py).
"""

from __future__ import annotations

from typing import Any

from claimgraph.store.database import Store
from claimgraph.store.read.claims import ClaimFilters
from claimgraph.store.read.common import (
    MAX_INT,
    MAX_LIMIT,
    BadRequest,
    Page,
    decode_cursor,
    encode_cursor,
    read_engine,
)
from claimgraph.store.read.documents import DocumentsRead
from claimgraph.store.read.exports import ExportsRead
from claimgraph.store.read.overview import OverviewRead
from claimgraph.store.read.provenance import ProvenanceRead
from claimgraph.store.read.report import ReportRead
from claimgraph.store.read.search import SEMANTIC_FLOOR, SearchRead, stem_query
from claimgraph.store.read.segments import paragraphs, segment
from claimgraph.store.read.sources import SourcesRead
from claimgraph.store.read.urls import safe_url

__all__ = [
    "MAX_INT",
    "MAX_LIMIT",
    "SEMANTIC_FLOOR",
    "BadRequest",
    "ClaimFilters",
    "Page",
    "ReadModel",
    "decode_cursor",
    "encode_cursor",
    "paragraphs",
    "read_model",
    "safe_url",
    "segment",
    "stem_query",
]


class ReadModel(
    SourcesRead, DocumentsRead, SearchRead, OverviewRead, ProvenanceRead, ReportRead, ExportsRead
):
    """Everything any surface reads, over one read engine and the store (for full text)."""

    def __init__(self, store: Store, engine: Any = None) -> None:
        self.store = store
        self.engine = engine if engine is not None else read_engine(store)

    @classmethod
    def open(cls, store: Store) -> ReadModel:
        return cls(store)

    def close(self) -> None:
        if self.engine is not self.store.engine:
            self.engine.dispose()

    def summary(self) -> dict[str, Any]:
        """Corpus figures, the largest narratives and the main publishers (the home page)."""
        return {
            **self.summary_figures(),
            "narratives": self.narratives(limit=5).items,
            "narrative_counts": self.narrative_counts(),
            "publishers": self.outlets(kind="publisher", limit=8).items,
        }


def read_model(store: Store) -> ReadModel:
    """The read model over `store`, sharing its engine (for one-shot CLI and report reads)."""
    return ReadModel(store, engine=store.engine)
