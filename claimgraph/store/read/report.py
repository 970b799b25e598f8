"""The corpus-wide rows the HTML report groups in Python (a handful of queries whatever the
corpus size)."""

from __future__ import annotations

from typing import Any

from claimgraph.store.narratives import SPREAD_ORDER
from claimgraph.store.read.common import ReadBase


class ReportRead(ReadBase):
    """Every table the report draws from, read once."""

    def report_rows(self) -> dict[str, list[dict[str, Any]]]:
        q = self.rows
        return {
            "documents": q(
                "SELECT id, title, date, date_source, date_earliest, date_latest, date_estimated, "
                "url, outlet, outlet_source, authors, byline, language, source, word_count, text, "
                "meta FROM documents ORDER BY source, id"
            ),
            "entities": q("SELECT id, name FROM entities"),
            "sentences": q(
                "SELECT id, document_id, position, start_char, end_char FROM sentences "
                "ORDER BY document_id, position"
            ),
            "via": q(
                "SELECT v.attribution_id, v.position, v.outlet, e.name AS entity_name "
                "FROM attribution_via v LEFT JOIN entities e ON e.id = v.entity_id "
                "ORDER BY v.attribution_id, v.position"
            ),
            "signals": q(
                "SELECT id, document_id, attribution_id, sentence_id, scope, type, text, "
                "start_char, end_char, detail FROM signals ORDER BY document_id, id"
            ),
            "claims": q(
                "SELECT id, document_id, sentence_id, attribution_id, text, start_char, end_char, "
                "checkworthiness, scored_by, date, date_precision, speaker, speaker_entity_id, "
                "outlet, anonymous, hedged, evidence_not_shown, signal_types, narrative_id "
                "FROM claims ORDER BY document_id, start_char, id"
            ),
            "narratives": q(
                "SELECT id, label, label_claim_id, claims, documents, outlets, speakers, "
                "first_seen, last_seen, anonymous_share, hedged_share, evidence_not_shown_share, "
                f"cohesion, outlet_count, undated FROM narratives ORDER BY {SPREAD_ORDER}"
            ),
            "furniture": q(
                "SELECT document_id, position, text, reason FROM furniture "
                "ORDER BY document_id, position"
            ),
            "document_sources": q(
                "SELECT document_id, source FROM document_sources ORDER BY document_id, source"
            ),
            "factchecks": q(
                "SELECT l.claim_id, l.factcheck_id, l.score, l.rank, l.tier, f.rating, "
                "f.rating_original, f.reviewer, f.review_date, f.url, f.title, f.claim_text "
                "FROM factcheck_links l JOIN factchecks f ON f.id = l.factcheck_id "
                "ORDER BY l.claim_id, CASE WHEN l.tier = 'confident' THEN 0 ELSE 1 END, l.rank"
            ),
            "reviews": q(
                "SELECT claim_id, rating, rating_original, reviewer, review_url, note, "
                "reviewed_at FROM claim_reviews"
            ),
        }
