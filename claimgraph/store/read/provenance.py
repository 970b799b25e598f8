"""The rows the provenance graph and `trace` are built from (link/provenance.py builds them)."""

from __future__ import annotations

from typing import Any

from claimgraph.store.read.common import ReadBase, in_params


class ProvenanceRead(ReadBase):
    """Corpus-wide rows for the graph export, and one narrative's or claim's rows for trace."""

    def graph_documents(self) -> list[dict[str, Any]]:
        return self.rows("SELECT id, title, date, outlet, meta FROM documents")

    def graph_claims(self) -> list[dict[str, Any]]:
        """Every claim with its narrative id when that narrative is a reported one."""
        return self.rows(
            "SELECT c.id, c.document_id, c.attribution_id, c.text, c.date, c.narrative_id, "
            "n.id AS reported FROM claims c LEFT JOIN narratives n ON n.id = c.narrative_id"
        )

    def narrative_labels(self) -> list[dict[str, Any]]:
        return self.rows("SELECT id, label FROM narratives")

    def resolve_ref(self, ref: str) -> tuple[str, str] | None:
        """A narrative or claim by id, id prefix, or words of its label/text."""
        for kind, table in (("narrative", "narratives"), ("claim", "claims")):
            rows = self.rows(
                f"SELECT id FROM {table} WHERE id = :r OR id LIKE :p", {"r": ref, "p": f"{ref}%"}
            )
            if len(rows) == 1:
                return kind, rows[0]["id"]
        rows = self.rows(  # LOWER: PostgreSQL's LIKE is case-sensitive, SQLite's is not
            "SELECT id FROM narratives WHERE LOWER(label) LIKE LOWER(:q) ORDER BY claims DESC",
            {"q": f"%{ref}%"},
        )
        if rows:
            return "narrative", rows[0]["id"]
        rows = self.rows(
            "SELECT id FROM claims WHERE LOWER(text) LIKE LOWER(:q)", {"q": f"%{ref}%"}
        )
        if rows:
            return "claim", rows[0]["id"]
        return None

    def trace_head(self, kind: str, ident: str) -> tuple[str, list[str]]:
        """The label and claim ids of a narrative, or the text and id of one claim."""
        if kind == "narrative":
            label = self.rows("SELECT label FROM narratives WHERE id = :i", {"i": ident})[0][
                "label"
            ]
            ids = [
                r["id"]
                for r in self.rows("SELECT id FROM claims WHERE narrative_id = :i", {"i": ident})
            ]
            return label, ids
        return self.rows("SELECT text FROM claims WHERE id = :i", {"i": ident})[0]["text"], [ident]

    def trace_claims(self, claim_ids: list[str]) -> list[dict[str, Any]]:
        """Claims with their document (title, publisher, date, file, URL), sentence and
        attribution (speaker, description, sourcing chain)."""
        out: list[dict[str, Any]] = []
        for start in range(0, len(claim_ids), 500):
            marks, names = in_params("c", claim_ids[start : start + 500])
            out += self.rows(
                "SELECT c.*, d.title, d.outlet AS publisher, d.date AS published, d.source, "
                "d.url AS document_url, s.text AS sentence, a.speaker AS att_speaker, "
                "a.anonymous AS att_anonymous, a.speaker_description "
                "FROM claims c JOIN documents d ON d.id = c.document_id "
                "LEFT JOIN sentences s ON s.id = c.sentence_id "
                f"LEFT JOIN attributions a ON a.id = c.attribution_id WHERE c.id IN ({marks})",
                names,
            )
        via: dict[str, list[str]] = {}
        att_ids = sorted({r["attribution_id"] for r in out if r["attribution_id"]})
        for start in range(0, len(att_ids), 500):
            marks, names = in_params("a", att_ids[start : start + 500])
            for r in self.rows(
                "SELECT attribution_id, outlet FROM attribution_via WHERE attribution_id IN "
                f"({marks}) ORDER BY attribution_id, position",
                names,
            ):
                via.setdefault(r["attribution_id"], []).append(r["outlet"])
        for r in out:
            r["via"] = via.get(r["attribution_id"] or "", [])
        return out
