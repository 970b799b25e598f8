"""Speakers, outlets and entities: one definition of a speaker for every surface.

A speaker is whoever an attribution rests on: a named speaker with an entity (keyed by the
entity id), a named speaker without one (key `name: <name>`; Iskandar Watut in the sample), or
an unnamed source (key `anonymous: <how it is described>`). The app's /speakers, the CLI's
`sources`, speakers.csv and the report all read `speakers()`.
"""

from __future__ import annotations

from typing import Any

from claimgraph.store.read.claims import ClaimFilters
from claimgraph.store.read.common import BadRequest, Page, decode_cursor, page_of
from claimgraph.store.read.narratives import NarrativesRead
from claimgraph.store.schema import ANONYMOUS_PREFIX, is_speaker_sql, speaker_key_sql

SPEAKER_KEY = speaker_key_sql("a")
IS_SPEAKER = is_speaker_sql("a")


class SourcesRead(NarrativesRead):
    """Who and what the claims rest on."""

    def speakers(
        self,
        after: str | None = None,
        limit: int = 50,
        anonymous: bool | None = None,
        q: str | None = None,
    ) -> Page:
        """Speakers by how many attributions rest on them (named and unnamed, with or without
        an entity); `anonymous` keeps only unnamed (True) or named (False) ones."""
        params: dict[str, Any] = {"n": limit + 1}
        where = ["1 = 1"]
        if anonymous is not None:
            where.append("anonymous" if anonymous else "NOT anonymous")
        if q:
            where.append("LOWER(name) LIKE :q")
            params["q"] = f"%{q.lower()}%"
        if after:
            k, i = decode_cursor(after, (int, str))
            where.append("(attributions, id) < (:ak, :ai)")
            params.update(ak=k, ai=i)
        rows = self.rows(  # the `speakers` view: the one list, kept per attribution written
            "SELECT id, name, type, anonymous, attributions, statements, documents, "
            "direct_quotes AS direct "
            f"FROM speakers WHERE {' AND '.join(where)} "
            "ORDER BY attributions DESC, id DESC LIMIT :n",
            params,
        )
        for r in rows:
            r["anonymous"] = bool(r["anonymous"])
        return page_of(rows, limit, lambda r: [r["attributions"], r["id"]])

    def speaker_signals(self) -> dict[str, dict[str, int]]:
        """Signal counts per speaker key (the `sources` table's columns)."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows(
            f"SELECT {SPEAKER_KEY} AS k, g.type, COUNT(*) AS n FROM signals g "
            f"JOIN attributions a ON a.id = g.attribution_id WHERE {IS_SPEAKER} "
            f"GROUP BY {SPEAKER_KEY}, g.type"
        ):
            out.setdefault(r["k"], {})[r["type"]] = int(r["n"])
        return out

    def anonymous_sources(self, limit: int = 30) -> list[dict[str, Any]]:
        """How unnamed sources are described, most frequent first."""
        return self.speakers(limit=limit, anonymous=True).items

    def speaker(self, ref: str) -> dict[str, Any] | None:
        """One speaker (by key or by name): figures, claims, narratives, shares, timeline."""
        cond, params = self.speaker_condition(ref)
        head = self.rows(
            "SELECT COUNT(*) AS claims, COUNT(DISTINCT c.document_id) AS documents, "
            "SUM(CASE WHEN c.anonymous THEN 1 ELSE 0 END) AS anonymous, "
            "SUM(CASE WHEN c.hedged THEN 1 ELSE 0 END) AS hedged, "
            "SUM(CASE WHEN c.evidence_not_shown THEN 1 ELSE 0 END) AS evidence_not_shown, "
            "MIN(c.speaker) AS speaker, MIN(c.speaker_entity_id) AS entity_id "
            f"FROM claims c WHERE {cond}",
            params,
        )[0]
        if not head["claims"]:
            return None
        return self._profile(
            "speaker",
            ref,
            head,
            ClaimFilters(speaker=ref),
            self._entity_name(head["entity_id"])
            or (ref[len(ANONYMOUS_PREFIX) :] if ref.startswith(ANONYMOUS_PREFIX) else None)
            or head["speaker"]
            or ref,
        )

    def outlet(self, name: str) -> dict[str, Any] | None:
        """One publishing outlet: documents, claims, narratives, shares, timeline."""
        head = self.rows(
            "SELECT COUNT(*) AS claims, COUNT(DISTINCT c.document_id) AS documents, "
            "SUM(CASE WHEN c.anonymous THEN 1 ELSE 0 END) AS anonymous, "
            "SUM(CASE WHEN c.hedged THEN 1 ELSE 0 END) AS hedged, "
            "SUM(CASE WHEN c.evidence_not_shown THEN 1 ELSE 0 END) AS evidence_not_shown "
            "FROM claims c JOIN documents d ON d.id = c.document_id WHERE d.outlet = :o",
            {"o": name},
        )[0]
        docs = self.rows("SELECT COUNT(*) AS n FROM documents WHERE outlet = :o", {"o": name})[0]
        if not docs["n"]:
            return None
        head["documents"] = int(docs["n"])
        return self._profile("outlet", name, head, ClaimFilters(outlet=name), name)

    def find_entity(self, ref: str) -> dict[str, Any] | None:
        """An entity by id, or by name or alias (case-insensitive)."""
        rows = self.rows("SELECT id, name, type FROM entities WHERE id = :r", {"r": ref})
        if not rows:
            rows = self.rows(
                "SELECT id, name, type FROM entities WHERE LOWER(name) = LOWER(:r) UNION "
                "SELECT e.id, e.name, e.type FROM entity_aliases x JOIN entities e "
                "ON e.id = x.entity_id WHERE LOWER(x.alias) = LOWER(:r)",
                {"r": ref},
            )
        return rows[0] if rows else None

    def entity(self, ref: str) -> dict[str, Any] | None:
        """One entity: mentions, documents that mention it, its claims as a speaker, the
        narratives of the documents that mention it."""
        found = self.find_entity(ref)
        if found is None:
            return None
        head = self.rows(
            "SELECT COUNT(*) AS mentions, COUNT(DISTINCT document_id) AS documents "
            "FROM mentions WHERE entity_id = :e",
            {"e": found["id"]},
        )[0]
        out = {**found, **head}
        out["aliases"] = [
            r["alias"]
            for r in self.rows(
                "SELECT alias FROM entity_aliases WHERE entity_id = :e ORDER BY alias",
                {"e": found["id"]},
            )
            if not r["alias"].startswith("surname:") and r["alias"] != found["name"]
        ]
        out["as_speaker"] = self.speaker(found["id"])
        out["documents_list"] = self.documents(limit=50, entity=found["id"]).items
        out["claims_list"] = self.claims(ClaimFilters(entity=found["id"]), limit=50).items
        out["claims_total"] = self.claim_count(ClaimFilters(entity=found["id"]))
        return out

    def _profile(
        self, kind: str, key: str, head: dict[str, Any], f: ClaimFilters, name: str
    ) -> dict[str, Any]:
        total = int(head["claims"] or 0)
        shares = {
            s: (int(head[s] or 0) / total if total else 0.0)
            for s in ("anonymous", "hedged", "evidence_not_shown")
        }
        where, params = self._claim_where(f)
        by_month = self.rows(  # counted in SQL: a speaker may have thousands of claims
            "SELECT CASE WHEN LENGTH(x.date) >= 7 THEN SUBSTR(x.date, 1, 7) END AS month, "
            "COUNT(*) AS claims, SUM(CASE WHEN x.date IS NULL OR x.date = '' THEN 1 ELSE 0 END) "
            "AS undated FROM (SELECT COALESCE(c.date, d.date) AS date FROM claims c "
            "JOIN documents d ON d.id = c.document_id WHERE " + " AND ".join(where) + ") x "
            "GROUP BY 1",
            params,
        )
        page = self.claims(f, limit=100)
        narratives = (
            self.narratives(limit=50, all_=True, speaker=key)
            if kind == "speaker"
            else self.narratives(limit=50, all_=True, outlet=key)
        )
        return {
            "kind": kind,
            "key": key,
            "name": name,
            "claims": total,
            "documents": int(head["documents"] or 0),
            "shares": shares,
            "timeline": sorted(
                ({"month": r["month"], "claims": int(r["claims"])} for r in by_month if r["month"]),
                key=lambda m: m["month"],
            ),
            "undated": sum(int(r["undated"] or 0) for r in by_month),
            "claims_list": page.items,
            "claims_next": page.next,
            "narratives_list": narratives.items,
        }

    def _entity_name(self, entity_id: str | None) -> str | None:
        if not entity_id:
            return None
        rows = self.rows("SELECT name FROM entities WHERE id = :i", {"i": entity_id})
        return rows[0]["name"] if rows else None

    def outlets(self, kind: str = "publisher", after: str | None = None, limit: int = 50) -> Page:
        """Publishing outlets (by documents) or outlets cited in sourcing chains (by
        attributions, with the share of those resting on anonymous sources)."""
        params: dict[str, Any] = {"n": limit + 1}
        having = ""
        if kind == "publisher":
            if after:
                k, i = decode_cursor(after, (int, str))
                having = " HAVING (COUNT(*), outlet) < (:ak, :ai)"
                params.update(ak=k, ai=i)
            rows = self.rows(
                "SELECT outlet AS name, COUNT(*) AS documents, MIN(date) AS first_date, "
                "MAX(date) AS last_date FROM documents WHERE outlet IS NOT NULL GROUP BY outlet"
                + having
                + " ORDER BY documents DESC, name DESC LIMIT :n",
                params,
            )
            return page_of(rows, limit, lambda r: [r["documents"], r["name"]])
        if kind == "cited":
            if after:
                k, i = decode_cursor(after, (int, str))
                having = " HAVING (COUNT(DISTINCT a.id), v.outlet) < (:ak, :ai)"
                params.update(ak=k, ai=i)
            rows = self.rows(
                "SELECT v.outlet AS name, COUNT(DISTINCT a.id) AS attributions, "
                "COUNT(DISTINCT a.document_id) AS documents, "
                "AVG(CASE WHEN a.anonymous THEN 1.0 ELSE 0.0 END) AS anonymous_share "
                "FROM attribution_via v JOIN attributions a ON a.id = v.attribution_id "
                "GROUP BY v.outlet" + having + " ORDER BY attributions DESC, name DESC LIMIT :n",
                params,
            )
            for r in rows:
                r["anonymous_share"] = float(r["anonymous_share"] or 0.0)
            return page_of(rows, limit, lambda r: [r["attributions"], r["name"]])
        raise BadRequest("kind must be 'publisher' or 'cited'")

    def cited_outlet_signals(self) -> dict[str, dict[str, int]]:
        """Signal counts per cited outlet (by entity id where resolved, else name)."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows(
            "SELECT COALESCE(v.entity_id, v.outlet) AS k, g.type, COUNT(*) AS n FROM signals g "
            "JOIN attributions a ON a.id = g.attribution_id "
            "JOIN attribution_via v ON v.attribution_id = a.id GROUP BY 1, g.type"
        ):
            out.setdefault(r["k"], {})[r["type"]] = int(r["n"])
        return out

    def sources(self, limit: int | None = None) -> dict[str, list[dict[str, Any]]]:
        """Speakers, cited outlets and publishers across the corpus, with signal counts (the
        CLI's `sources`): the same speakers as `speakers()`."""
        n = limit or 10**9
        speakers = self.speakers(limit=n).items
        by_speaker = self.speaker_signals()
        for r in speakers:
            r["signals"] = by_speaker.get(r["id"], {})
        outlets = self.rows(
            "SELECT COALESCE(v.entity_id, v.outlet) AS k, COALESCE(e.name, v.outlet) AS name, "
            "COUNT(DISTINCT a.id) AS attributions, COUNT(DISTINCT a.document_id) AS documents, "
            "AVG(CASE WHEN a.anonymous THEN 1.0 ELSE 0.0 END) AS anonymous_share "
            "FROM attribution_via v JOIN attributions a ON a.id = v.attribution_id "
            "LEFT JOIN entities e ON e.id = v.entity_id GROUP BY 1, 2 "
            "ORDER BY attributions DESC, name LIMIT :n",
            {"n": n},
        )
        by_outlet = self.cited_outlet_signals()
        for r in outlets:
            r["anonymous_share"] = float(r["anonymous_share"] or 0.0)
            r["signals"] = by_outlet.get(r.pop("k"), {})
        publishers = self.rows(
            "SELECT outlet AS name, COUNT(*) AS documents FROM documents WHERE outlet IS NOT NULL "
            "GROUP BY outlet ORDER BY documents DESC, outlet LIMIT :n",
            {"n": n},
        )
        return {"speakers": speakers, "outlets": outlets, "publishers": publishers}
