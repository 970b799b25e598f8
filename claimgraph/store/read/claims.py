"""Claims: the filtered, keyset-paged list every surface reads, and claims by id."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from claimgraph.store.read.common import (
    BadRequest,
    Page,
    ReadBase,
    decode_cursor,
    flags,
    in_params,
    json_list,
    like_pattern,
    page_of,
)
from claimgraph.store.schema import ANONYMOUS_PREFIX, NAME_PREFIX

FLAG_SIGNALS = {
    "anonymous": "anonymous",
    "hedged": "hedged",
    "evidence_not_shown": "evidence_not_shown",
}
CLAIM_SORTS = {
    # name -> SQL of the sort key; ties broken by id in the same direction
    "checkworthiness": "c.checkworthiness",
    "date": "COALESCE(c.date, '')",
}
CURSOR_TYPES: dict[str, tuple[Any, ...]] = {
    "checkworthiness": ((int, float), str),
    "date": (str, str),
}
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
CLAIM_COLUMNS = (
    "c.id, c.text, c.document_id, c.sentence_id, c.attribution_id, c.checkworthiness, "
    "c.scored_by, c.date, c.date_precision, c.speaker, c.speaker_entity_id, c.outlet, "
    "c.anonymous, c.hedged, c.evidence_not_shown, c.signal_types, c.narrative_id, "
    "c.start_char, c.end_char"
)


@dataclass(slots=True)
class ClaimFilters:
    """Filters of the claims list; each maps onto an indexed column where one exists."""

    speaker: str | None = None  # a speaker key (entity id, 'name: X', 'anonymous: D') or name
    outlet: str | None = None  # publishing outlet (documents.outlet, ix_documents_outlet)
    via: str | None = None  # an outlet in the sourcing chain (ix_attribution_via_outlet)
    signal: str | None = None  # anonymous | hedged | evidence_not_shown | any signal type
    date_from: str | None = None  # ISO text, compared as text (ix_claims_date)
    date_to: str | None = None
    narrative: str | None = None  # ix_claims_narrative
    document: str | None = None  # ix_claims_document
    entity: str | None = None  # claims of documents that mention this entity (id)
    q: str | None = None  # words of the claim text
    min_checkworthiness: float | None = None
    sort: str = "checkworthiness"

    def params(self) -> dict[str, Any]:
        """The filters that are set, as query parameters (for next-page and CSV links)."""
        out = {
            k: getattr(self, k)
            for k in self.__slots__  # type: ignore[attr-defined]
            if getattr(self, k) not in (None, "")
        }
        if out.get("sort") == "checkworthiness":
            out.pop("sort")
        return out


class ClaimsRead(ReadBase):
    """The claims list and claims by id."""

    def claims(
        self, filters: ClaimFilters | None = None, after: str | None = None, limit: int = 50
    ) -> Page:
        """Claims by check-worthiness (or date), highest/newest first, filtered."""
        sql, params = self.claim_sql(filters or ClaimFilters(), after, limit)
        rows = self.rows(sql, params)
        for r in rows:
            self._claim_row(r)
        page = page_of(rows, limit, lambda r: [r["sort_key"], r["id"]])
        for r in page.items:
            r.pop("sort_key", None)
        self._mark_reported(page.items)
        self._attach_reviews(page.items)
        return page

    def claim_count(self, filters: ClaimFilters | None = None) -> int:
        """How many claims the filters select (the figure above a list)."""
        where, params = self._claim_where(filters or ClaimFilters())
        sql = "SELECT COUNT(*) AS n FROM claims c" + (
            " WHERE " + " AND ".join(where) if where else ""
        )
        return int(self.rows(sql, params)[0]["n"])

    def claim_sql(
        self, f: ClaimFilters, after: str | None, limit: int
    ) -> tuple[str, dict[str, Any]]:
        """The SQL and parameters of one claims page (the benchmark EXPLAINs it)."""
        if f.sort not in CLAIM_SORTS:
            raise BadRequest(f"sort must be one of {', '.join(CLAIM_SORTS)}")
        key = CLAIM_SORTS[f.sort]
        where, params = self._claim_where(f)
        params["n"] = limit + 1
        if after:
            k, i = decode_cursor(after, CURSOR_TYPES[f.sort])
            where.append(f"({key}, c.id) < (:ak, :ai)")
            params.update(ak=k, ai=i)
        sql = (
            f"SELECT {CLAIM_COLUMNS}, {key} AS sort_key, d.title AS document_title, "
            "d.url AS document_url FROM claims c JOIN documents d ON d.id = c.document_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" ORDER BY {key} DESC, c.id DESC LIMIT :n"
        )
        return sql, params

    def speaker_condition(self, ref: str) -> tuple[str, dict[str, Any]]:
        """Claims of one speaker, by key ('name: X', 'anonymous: D', an entity id) or by the
        name a reader types (an entity's name or alias, or a speaker without an entity)."""
        if ref.startswith(ANONYMOUS_PREFIX):
            description = ref[len(ANONYMOUS_PREFIX) :]
            return (
                "c.attribution_id IN (SELECT id FROM attributions WHERE anonymous AND "
                "COALESCE(speaker_description, 'unnamed source') = :sp_desc)",
                {"sp_desc": description},
            )
        name = ref[len(NAME_PREFIX) :] if ref.startswith(NAME_PREFIX) else ref
        ids = [r["id"] for r in self.rows("SELECT id FROM entities WHERE id = :r", {"r": ref})]
        if not ids and not ref.startswith(NAME_PREFIX):
            ids = [
                r["id"]
                for r in self.rows(
                    "SELECT id FROM entities WHERE LOWER(name) = LOWER(:n) UNION "
                    "SELECT entity_id AS id FROM entity_aliases WHERE LOWER(alias) = LOWER(:n)",
                    {"n": name},
                )
            ]
        if ids:
            marks, names = in_params("sp", ids)
            return f"c.speaker_entity_id IN ({marks})", names
        return (
            "(c.speaker_entity_id IS NULL AND NOT c.anonymous AND LOWER(c.speaker) = LOWER(:sp_name))",
            {"sp_name": name},
        )

    def _claim_where(self, f: ClaimFilters) -> tuple[list[str], dict[str, Any]]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if f.speaker:
            cond, p = self.speaker_condition(f.speaker)
            where.append(cond)
            params.update(p)
        if f.outlet:
            where.append("c.document_id IN (SELECT id FROM documents WHERE outlet = :outlet)")
            params["outlet"] = f.outlet
        if f.via:
            where.append(
                "c.attribution_id IN (SELECT attribution_id FROM attribution_via WHERE outlet = :via)"
            )
            params["via"] = f.via
        if f.entity:
            where.append(
                "c.document_id IN (SELECT document_id FROM mentions WHERE entity_id = :entity)"
            )
            params["entity"] = f.entity
        if f.q:
            where.append("LOWER(c.text) LIKE :cq ESCAPE '\\'")
            params["cq"] = like_pattern(f.q.lower())
        if f.signal:
            if f.signal in FLAG_SIGNALS:
                where.append(f"c.{FLAG_SIGNALS[f.signal]}")
            else:
                where.append("c.signal_types LIKE :signal ESCAPE '\\'")
                params["signal"] = like_pattern(f'"{f.signal}"')
        for name in ("date_from", "date_to"):
            value = getattr(f, name)
            if value and not ISO_DATE.match(value):
                raise BadRequest(f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
        if f.date_from:
            where.append("c.date >= :date_from")
            params["date_from"] = f.date_from
        if f.date_to:
            # dates are ISO text of reduced precision: "2021-07" as an upper bound means the
            # whole month, and a claim dated "2021-07" falls inside it
            where.append("c.date <= :date_to")
            params["date_to"] = f.date_to + {4: "-12-31", 7: "-31"}.get(len(f.date_to), "")
        if f.narrative:
            where.append("c.narrative_id = :narrative")
            params["narrative"] = f.narrative
        if f.document:
            where.append("c.document_id = :document")
            params["document"] = f.document
        if f.min_checkworthiness is not None:
            where.append("c.checkworthiness >= :min_cw")
            params["min_cw"] = f.min_checkworthiness
        return where, params

    def claims_by_ids(self, ids: list[str]) -> list[dict[str, Any]]:
        """Claims in the order given (semantic search hits)."""
        if not ids:
            return []
        marks, names = in_params("i", ids)
        rows = self.rows(
            f"SELECT {CLAIM_COLUMNS}, d.title AS document_title FROM claims c "
            f"JOIN documents d ON d.id = c.document_id WHERE c.id IN ({marks})",
            names,
        )
        by_id = {r["id"]: self._claim_row(r) for r in rows}
        found = [by_id[i] for i in ids if i in by_id]
        self._mark_reported(found)
        self._attach_reviews(found)
        return found

    def claim_ids(self, column: str, value: str) -> list[str]:
        """Ids of the claims of one narrative or document."""
        if column not in ("narrative_id", "document_id"):
            raise ValueError(column)
        return [
            r["id"]
            for r in self.rows(
                f"SELECT id FROM claims WHERE {column} = :v ORDER BY id", {"v": value}
            )
        ]

    def reviews(self, claim_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The user's own verdicts (`claimgraph review`) on these claims, by claim id."""
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(claim_ids), 500):
            marks, names = in_params("r", claim_ids[start : start + 500])
            for r in self.rows(
                "SELECT claim_id, rating, rating_original, reviewer, review_url, note, "
                f"reviewed_at FROM claim_reviews WHERE claim_id IN ({marks})",
                names,
            ):
                out[r["claim_id"]] = r
        return out

    def _attach_reviews(self, claims: list[dict[str, Any]]) -> None:
        found = self.reviews([c["id"] for c in claims])
        for c in claims:
            c["review"] = found.get(c["id"])

    @staticmethod
    def _claim_row(r: dict[str, Any]) -> dict[str, Any]:
        flags(r, "anonymous", "hedged", "evidence_not_shown")
        r["signal_types"] = json_list(r.get("signal_types"))
        return r

    def _mark_reported(self, claims: list[dict[str, Any]]) -> None:
        """A claim's narrative is only linked when it is a reported narrative."""
        ids = sorted({c["narrative_id"] for c in claims if c.get("narrative_id")})
        known: set[str] = set()
        if ids:
            marks, names = in_params("n", ids)
            known = {
                r["id"]
                for r in self.rows(f"SELECT id FROM narratives WHERE id IN ({marks})", names)
            }
        for c in claims:
            c["narrative_reported"] = c.get("narrative_id") in known

    def via_of(self, sql: str, params: dict[str, Any]) -> dict[str, list[str]]:
        """Sourcing chains (outlets, nearest the speaker first) by attribution id."""
        out: dict[str, list[str]] = {}
        for r in self.rows(sql, params):
            out.setdefault(r["attribution_id"], []).append(r["outlet"])
        return out
