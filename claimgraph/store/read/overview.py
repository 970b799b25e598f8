"""Corpus figures: counts, dates, the last run, and the per-document overview."""

from __future__ import annotations

from typing import Any

from claimgraph.store.read.common import ReadBase

COUNTED = (
    "documents",
    "sentences",
    "entities",
    "attributions",
    "signals",
    "claims",
    "narratives",
    "factchecks",
    "factcheck_links",
)


class OverviewRead(ReadBase):
    """What the home page, `status`-like summaries and `show` without a document read."""

    def table_counts(self) -> dict[str, int]:
        counts = self.rows(
            "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t}) AS {t}" for t in COUNTED)
        )[0]
        return {k: int(v or 0) for k, v in counts.items()}

    def summary_figures(self) -> dict[str, Any]:
        span = self.rows("SELECT MIN(date) AS first, MAX(date) AS last FROM documents")[0]
        anonymous = self.rows(
            "SELECT SUM(CASE WHEN anonymous THEN 1 ELSE 0 END) AS n FROM attributions"
        )[0]["n"]
        runs = self.rows(
            "SELECT id, started_at, finished_at, status, documents_added, model FROM runs "
            "ORDER BY id DESC LIMIT 1"
        )
        return {
            "counts": self.table_counts(),
            "anonymous_attributions": int(anonymous or 0),
            "first_date": span["first"],
            "last_date": span["last"],
            "last_run": runs[0] if runs else None,
        }

    def document_overview(self, limit: int | None = None) -> list[dict[str, Any]]:
        """One row per document with its counts (the `document_overview` view), by source."""
        return self.rows(
            "SELECT * FROM document_overview ORDER BY source LIMIT :n", {"n": limit or 10**9}
        )

    def table_rows(self, name: str) -> list[dict[str, Any]]:
        """Every row of one user-facing table or view (exports); `name` is checked by the
        caller against the schema's list."""
        return self.rows(f"SELECT * FROM {name}")
