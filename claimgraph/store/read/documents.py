"""Documents: the paged list and one document with its text cut into marked segments."""

from __future__ import annotations

from typing import Any

from claimgraph.store.read.claims import CLAIM_COLUMNS, ClaimsRead
from claimgraph.store.read.common import Page, decode_cursor, flags, json_list, page_of
from claimgraph.store.read.segments import paragraphs
from claimgraph.store.read.urls import safe_url


class DocumentsRead(ClaimsRead):
    """Documents, newest first, and one document in full."""

    def documents(
        self,
        after: str | None = None,
        limit: int = 50,
        outlet: str | None = None,
        entity: str | None = None,
    ) -> Page:
        """Newest first: (date or '', id) descending."""
        where, params = [], {"n": limit + 1}
        if after:
            k, i = decode_cursor(after, (str, str))
            where.append("(COALESCE(date, ''), id) < (:ak, :ai)")
            params.update(ak=k, ai=i)
        if outlet:
            where.append("outlet = :outlet")
            params["outlet"] = outlet
        if entity:
            where.append("id IN (SELECT document_id FROM mentions WHERE entity_id = :entity)")
            params["entity"] = entity
        rows = self.rows(
            "SELECT id, title, date, outlet, source, url, word_count, "
            "COALESCE(date, '') AS sort_key FROM documents"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY COALESCE(date, '') DESC, id DESC LIMIT :n",
            params,
        )
        page = page_of(rows, limit, lambda r: [r["sort_key"], r["id"]])
        for r in page.items:
            r.pop("sort_key", None)
            r["url"] = safe_url(r["url"])
        return page

    def find_document(self, ref: str) -> str | None:
        """A document by id, unique id prefix, or the file it was read from."""
        rows = self.rows(
            "SELECT id FROM documents WHERE id = :r OR id LIKE :p OR source = :r",
            {"r": ref, "p": f"{ref}%"},
        )
        return rows[0]["id"] if len(rows) == 1 else None

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """One document with its sentences cut into marked segments (claims, quotes, signals).

        Only this document's rows are read (never every sourcing chain in the corpus).
        """
        found = self.rows(
            "SELECT id, title, date, date_source, outlet, url, byline, authors, language, "
            "source, word_count, text FROM documents WHERE id = :i",
            {"i": doc_id},
        )
        if not found:
            return None
        doc = found[0]
        doc["url"] = safe_url(doc["url"])
        doc["authors"] = json_list(doc["authors"])
        p = {"i": doc_id}
        sentences = self.rows(
            "SELECT id, position, start_char, end_char FROM sentences WHERE document_id = :i "
            "ORDER BY position",
            p,
        )
        claims = self.rows(
            f"SELECT {CLAIM_COLUMNS} FROM claims c WHERE c.document_id = :i ORDER BY c.start_char",
            p,
        )
        for c in claims:
            self._claim_row(c)
        self._mark_reported(claims)
        self._attach_reviews(claims)
        attributions = self.rows(
            "SELECT id, sentence_id, kind, speaker, speaker_entity_id, anonymous, "
            "speaker_description, role, cue, cue_start, cue_end, content, start_char, end_char, "
            "date, reports FROM attributions WHERE document_id = :i ORDER BY start_char",
            p,
        )
        via = self.via_of(
            "SELECT v.attribution_id, v.outlet FROM attribution_via v JOIN attributions a "
            "ON a.id = v.attribution_id WHERE a.document_id = :i ORDER BY v.attribution_id, v.position",
            p,
        )
        for a in attributions:
            flags(a, "anonymous")
            a["via"] = via.get(a["id"], [])
        signals = self.rows(
            "SELECT id, sentence_id, scope, type, text, start_char, end_char, detail, "
            "attribution_id FROM signals WHERE document_id = :i ORDER BY COALESCE(start_char, -1), id",
            p,
        )
        doc["entities"] = self.rows(
            "SELECT e.id, e.name, e.type, COUNT(*) AS mentions FROM mentions m "
            "JOIN entities e ON e.id = m.entity_id WHERE m.document_id = :i "
            "GROUP BY e.id, e.name, e.type ORDER BY mentions DESC, e.name",
            p,
        )
        doc["furniture"] = self.rows(
            "SELECT text, reason FROM furniture WHERE document_id = :i ORDER BY position", p
        )
        doc["claims"] = claims
        doc["attributions"] = attributions
        doc["signals"] = signals
        doc["paragraphs"] = paragraphs(doc["text"], sentences, claims, attributions, signals)
        return doc
