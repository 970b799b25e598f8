"""Narratives: the ranked list, one narrative with its claims, documents, fact-checks grouped
per fact-check, reviews and timeline."""

from __future__ import annotations

from collections import Counter
from typing import Any

from claimgraph.store.read.claims import CLAIM_COLUMNS, ClaimsRead
from claimgraph.store.read.common import (
    Page,
    decode_cursor,
    in_params,
    json_list,
    like_pattern,
    page_of,
)
from claimgraph.store.read.urls import safe_url

NARRATIVE_CLAIMS_SHOWN = 300
# A narrative told in one document only is a candidate, not yet a narrative that spread: lists
# hide candidates unless asked for all.
MIN_DOCUMENTS_SHOWN = 2
NARRATIVE_COLUMNS = (
    "id, label, label_claim_id, claims, documents, outlets, speakers, first_seen, last_seen, "
    "anonymous_share, hedged_share, evidence_not_shown_share, cohesion, outlet_count, undated"
)
# Spread first: documents, then outlets, dated before undated, then claims (the order of
# claimgraph.store.narratives.SPREAD_ORDER, every key descending so a page is one keyset).
SPREAD_KEY = (
    "documents, COALESCE(outlet_count, 0), (CASE WHEN first_seen IS NULL THEN 0 ELSE 1 END), "
    "claims, id"
)
SPREAD_DESC = (
    "documents DESC, COALESCE(outlet_count, 0) DESC, "
    "(CASE WHEN first_seen IS NULL THEN 0 ELSE 1 END) DESC, claims DESC, id DESC"
)


def months(dates: list[str | None]) -> list[dict[str, Any]]:
    """Claims per month ('YYYY-MM'), oldest first, with undated ones counted apart."""
    counts = Counter(d[:7] for d in dates if d and len(d) >= 7)
    return [{"month": m, "claims": n} for m, n in sorted(counts.items())]


def group_factchecks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fact-check links, one entry per fact-check: its best link's score and tier, and the
    claims it was linked to. Confident first, then possible (loose) matches, best score first."""
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        g = groups.get(r["factcheck_id"])
        if g is None:
            g = groups[r["factcheck_id"]] = {
                "factcheck_id": r["factcheck_id"],
                "factcheck_claim": r.get("factcheck_claim") or r.get("factcheck_text"),
                "factcheck_text": r.get("factcheck_text") or r.get("factcheck_claim"),
                "claim_id": r["claim_id"],
                "claim_text": r["claim_text"],
                "rank": r.get("rank"),
                "rating": r["rating"],
                "rating_original": r["rating_original"],
                "reviewer": r["reviewer"],
                "review_date": r["review_date"],
                "url": safe_url(r["url"]),
                "title": r["title"],
                "score": float(r["score"]),
                "tier": r["tier"],
                "loose": r["tier"] != "confident",
                "claims": [],
            }
        score = float(r["score"])
        if (r["tier"] == "confident", score) > (g["tier"] == "confident", g["score"]):
            g.update(
                score=score,
                tier=r["tier"],
                loose=r["tier"] != "confident",
                claim_id=r["claim_id"],
                claim_text=r["claim_text"],
                rank=r.get("rank"),
            )
        g["claims"].append(
            {
                "claim_id": r["claim_id"],
                "claim_text": r["claim_text"],
                "score": score,
                "tier": r["tier"],
                "document_id": r.get("document_id"),
                "sentence_id": r.get("claim_sentence_id"),
            }
        )
    return sorted(groups.values(), key=lambda g: (g["loose"], -g["score"], g["factcheck_id"]))


class NarrativesRead(ClaimsRead):
    """Narratives and what they rest on."""

    def narratives(
        self,
        after: str | None = None,
        limit: int = 50,
        q: str | None = None,
        min_documents: int | None = None,
        all_: bool = False,
        speaker: str | None = None,
        outlet: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Page:
        """Most spread first: documents, outlets, dated before undated, claims. Single-document
        candidates are left out unless `all_` (or an explicit `min_documents`) asks for them."""
        where, params = [], {"n": limit + 1}
        if after:
            d, o, dated, c, i = decode_cursor(after, (int, int, int, int, str))
            where.append(f"({SPREAD_KEY}) < (:ad, :ao, :at, :ac, :ai)")
            params.update(ad=d, ao=o, at=dated, ac=c, ai=i)
        if q:
            where.append("LOWER(label) LIKE :q ESCAPE '\\'")
            params["q"] = like_pattern(q.lower())
        floor = min_documents if min_documents else (1 if all_ else MIN_DOCUMENTS_SHOWN)
        if floor > 1:
            where.append("documents >= :md")
            params["md"] = floor
        if speaker:
            cond, p = self.speaker_condition(speaker)
            where.append(f"id IN (SELECT c.narrative_id FROM claims c WHERE {cond})")
            params.update(p)
        if outlet:
            where.append(
                "id IN (SELECT c.narrative_id FROM claims c JOIN documents d ON "
                "d.id = c.document_id WHERE d.outlet = :outlet)"
            )
            params["outlet"] = outlet
        if date_to:
            where.append("first_seen <= :nd_to")
            params["nd_to"] = date_to + {4: "-12-31", 7: "-31"}.get(len(date_to), "")
        if date_from:
            where.append("last_seen >= :nd_from")
            params["nd_from"] = date_from
        rows = self.rows(
            f"SELECT {NARRATIVE_COLUMNS} FROM narratives"
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" ORDER BY {SPREAD_DESC} LIMIT :n",
            params,
        )
        for r in rows:
            r["outlets"] = json_list(r["outlets"])
            r["speakers"] = json_list(r["speakers"])
            r["candidate"] = r["documents"] < MIN_DOCUMENTS_SHOWN
        return page_of(
            rows,
            limit,
            lambda r: [
                r["documents"],
                r["outlet_count"] or 0,
                0 if r["first_seen"] is None else 1,
                r["claims"],
                r["id"],
            ],
        )

    def narrative_counts(self) -> dict[str, int]:
        """Narratives told in several documents, and single-document candidates."""
        r = self.rows(
            "SELECT SUM(CASE WHEN documents >= :m THEN 1 ELSE 0 END) AS spread, "
            "SUM(CASE WHEN documents < :m THEN 1 ELSE 0 END) AS candidates FROM narratives",
            {"m": MIN_DOCUMENTS_SHOWN},
        )[0]
        return {"spread": int(r["spread"] or 0), "candidates": int(r["candidates"] or 0)}

    def find_narrative(self, ref: str) -> str | None:
        """A narrative by id, unique id prefix, or words of its label (largest first)."""
        rows = self.rows(
            "SELECT id FROM narratives WHERE id = :r OR id LIKE :p", {"r": ref, "p": f"{ref}%"}
        )
        if len(rows) == 1:
            return rows[0]["id"]
        rows = self.rows(
            "SELECT id FROM narratives WHERE LOWER(label) LIKE :q ESCAPE '\\' "
            f"ORDER BY {SPREAD_DESC}",
            {"q": like_pattern(ref.lower())},
        )
        return rows[0]["id"] if rows else None

    def narrative(self, narrative_id: str) -> dict[str, Any] | None:
        """A narrative with its claims (earliest first, undated last), documents, sources,
        fact-checks (one entry per fact-check), the user's reviews and a monthly timeline."""
        found = self.rows("SELECT * FROM narratives WHERE id = :i", {"i": narrative_id})
        if not found:
            survivor = self.merged_into(narrative_id)
            return {"merged_into": survivor} if survivor else None
        n = found[0]
        n["outlets"] = json_list(n["outlets"])
        n["speakers"] = json_list(n["speakers"])
        n["candidate"] = n["documents"] < MIN_DOCUMENTS_SHOWN
        claims = self.rows(
            f"SELECT {CLAIM_COLUMNS}, d.title AS document_title, d.outlet AS publisher, "
            "d.date AS published, d.url AS document_url, a.speaker_description, "
            "a.kind AS attribution_kind, a.role FROM claims c JOIN documents d ON d.id = c.document_id "
            "LEFT JOIN attributions a ON a.id = c.attribution_id "
            "WHERE c.narrative_id = :i ORDER BY COALESCE(c.date, '9999'), c.id LIMIT :n",
            {"i": narrative_id, "n": NARRATIVE_CLAIMS_SHOWN},
        )
        via = self.via_of(
            "SELECT v.attribution_id, v.outlet FROM attribution_via v WHERE v.attribution_id IN "
            "(SELECT attribution_id FROM claims WHERE narrative_id = :i) "
            "ORDER BY v.attribution_id, v.position",
            {"i": narrative_id},
        )
        for c in claims:
            self._claim_row(c)
            c["document_url"] = safe_url(c["document_url"])
            c["via"] = via.get(c["attribution_id"] or "", [])
        self._attach_reviews(claims)
        n["claims_list"] = claims
        n["claims_shown"] = len(claims)
        n["timeline"] = months([c["date"] or c["published"] for c in claims])
        n["undated"] = sum(1 for c in claims if not (c["date"] or c["published"]))
        n["documents_list"] = self.rows(
            "SELECT d.id, d.title, d.date, d.outlet, COUNT(*) AS claims, "
            "MIN(c.sentence_id) AS first_sentence_id "
            "FROM claims c JOIN documents d ON d.id = c.document_id WHERE c.narrative_id = :i "
            "GROUP BY d.id, d.title, d.date, d.outlet ORDER BY COALESCE(d.date, '9999'), d.id "
            "LIMIT :n",
            {"i": narrative_id, "n": NARRATIVE_CLAIMS_SHOWN},
        )
        n["factchecks"] = group_factchecks(
            self.rows(
                "SELECT l.claim_id, l.score, l.rank, l.tier, l.claim_sentence_id, l.claim_text, "
                "f.id AS factcheck_id, f.claim_text AS factcheck_claim, f.rating, "
                "f.rating_original, f.reviewer, f.review_date, f.url, f.title, c.document_id "
                "FROM factcheck_links l JOIN factchecks f ON f.id = l.factcheck_id "
                "JOIN claims c ON c.id = l.claim_id WHERE c.narrative_id = :i "
                "ORDER BY l.score DESC, l.claim_id, f.id LIMIT 500",
                {"i": narrative_id},
            )
        )
        return n

    def merged_into(self, narrative_id: str) -> str | None:
        """The narrative an old id was merged into (followed to the survivor), if any."""
        seen = {narrative_id}
        current = narrative_id
        while True:
            rows = self.rows(
                "SELECT merged_into FROM narrative_merges WHERE id = :i", {"i": current}
            )
            if not rows or rows[0]["merged_into"] in seen:
                return current if current != narrative_id else None
            current = rows[0]["merged_into"]
            seen.add(current)

    def factcheck_links(self, claim_ids: list[str]) -> list[dict[str, Any]]:
        """Imported fact-checks linked to these claims, one entry per fact-check (see
        `group_factchecks`)."""
        rows: list[dict[str, Any]] = []
        for start in range(0, len(claim_ids), 500):
            marks, names = in_params("c", claim_ids[start : start + 500])
            rows += self.rows(
                "SELECT l.claim_id, l.factcheck_id, l.score, l.rank, l.tier, l.claim_text, "
                "l.claim_sentence_id, l.factcheck_text, f.rating, f.rating_original, f.reviewer, "
                "f.review_date, f.url, f.title FROM factcheck_links l "
                f"JOIN factchecks f ON f.id = l.factcheck_id WHERE l.claim_id IN ({marks})",
                names,
            )
        return group_factchecks(rows)
