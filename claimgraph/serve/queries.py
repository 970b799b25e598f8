"""The read-only queries behind `claimgraph serve`, as plain dicts.

Portable SQL only (SQLite and PostgreSQL): no `rowid`, no FTS5 (full text goes through
`Store.search_sentences`), booleans tested as bare predicates. Lists page by keyset: the
cursor is the last row's sort key and id, and the next page is `WHERE (key, id) < (:k, :i)`,
so a page deep in a million claims costs what the first one does when an index covers the
sort (see bench/serve_latency.py), where OFFSET would read every row before it.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

from claimgraph.store import Store

MAX_LIMIT = 500
# Integers bound to SQL (cursors, query parameters) must fit a signed 64-bit column: a larger one
# is the caller's mistake (a 400), not an OverflowError from the driver (a 500).
MAX_INT = 2**63 - 1
NARRATIVE_CLAIMS_SHOWN = 300
FLAG_SIGNALS = {
    "anonymous": "anonymous",
    "hedged": "hedged",
    "evidence_not_shown": "evidence_not_shown",
}
SAFE_SCHEMES = ("http://", "https://")


class BadRequest(ValueError):
    """A parameter the user gave cannot be used (reported as a 400 with this message)."""


def read_engine(store: Store) -> Engine:
    """An engine for reads only.

    A writer `Store`'s engine opens every transaction with BEGIN IMMEDIATE (right for a writer),
    which would make concurrent page loads queue on SQLite's write lock; the server only reads,
    so it gets query-only connections: the store's own when it was opened read-only (as `serve`
    does), else its own. Other databases share the store's engine.
    """
    if getattr(store, "read_only", False) or not store.url.startswith("sqlite"):
        return store.engine
    engine = create_engine(store.url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # autocommit: a SELECT takes no lock beyond itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA query_only = ON")
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.close()

    return engine


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[Any, ...]) -> list[Any]:
    """The sort key and id of the last row of the previous page, checked against the types
    the query binds (a string where a number belongs is a 400 here, not a database error)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"malformed cursor {cursor[:40]!r}") from exc
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or not all(
            isinstance(v, t) and not isinstance(v, bool) for v, t in zip(values, types, strict=True)
        )
    ):
        raise BadRequest(f"malformed cursor {cursor[:40]!r}")
    for v in values:
        if (isinstance(v, int) and not -MAX_INT - 1 <= v <= MAX_INT) or (
            isinstance(v, float) and not math.isfinite(v)
        ):
            raise BadRequest(f"cursor {cursor[:40]!r} holds a number out of range")
    return values


def like_pattern(words: str) -> str:
    """`%words%` for LIKE ... ESCAPE '\\' with the user's own %, _ and \\ taken literally."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are ever rendered as links: article metadata is hostile input."""
    if url and url.strip().lower().startswith(SAFE_SCHEMES):
        return url.strip()
    return None


def _json_list(value: str | None) -> list[Any]:
    try:
        parsed = json.loads(value or "[]")
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else []


def _flags(row: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        if name in row:
            row[name] = bool(row[name])
    return row


@dataclass(slots=True)
class Page:
    """One page of a keyset-paginated list; `next` is the cursor of the following page."""

    items: list[dict[str, Any]]
    next: str | None
    limit: int

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "next": self.next, "limit": self.limit}


@dataclass(slots=True)
class ClaimFilters:
    """Filters of the claims list; each maps onto an indexed column where one exists."""

    speaker: str | None = None  # speaker entity id (ix_claims_speaker)
    outlet: str | None = None  # publishing outlet (documents.outlet, ix_documents_outlet)
    via: str | None = None  # an outlet in the sourcing chain (ix_attribution_via_outlet)
    signal: str | None = None  # anonymous | hedged | evidence_not_shown | any signal type
    date_from: str | None = None  # ISO text, compared as text (ix_claims_date)
    date_to: str | None = None
    narrative: str | None = None  # ix_claims_narrative
    document: str | None = None  # ix_claims_document
    min_checkworthiness: float | None = None
    sort: str = "checkworthiness"

    def params(self) -> dict[str, Any]:
        """The filters that are set, as query parameters (for next-page links)."""
        out = {
            k: getattr(self, k)
            for k in self.__slots__  # type: ignore[attr-defined]
            if getattr(self, k) not in (None, "")
        }
        if out.get("sort") == "checkworthiness":
            out.pop("sort")
        return out


CLAIM_SORTS = {
    # name -> (SQL of the sort key, direction); ties broken by id in the same direction
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
class Queries:
    """Everything the web app reads, over one read engine and the store (for full text)."""

    store: Store
    engine: Engine

    @classmethod
    def open(cls, store: Store) -> Queries:
        return cls(store=store, engine=read_engine(store))

    def close(self) -> None:
        if self.engine is not self.store.engine:
            self.engine.dispose()

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql), params or {})]

    # -- home --------------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        tables = (
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
        counts = self.rows(
            "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t}) AS {t}" for t in tables)
        )[0]
        span = self.rows("SELECT MIN(date) AS first, MAX(date) AS last FROM documents")[0]
        anonymous = self.rows(
            "SELECT SUM(CASE WHEN anonymous THEN 1 ELSE 0 END) AS n FROM attributions"
        )[0]["n"]
        runs = self.rows(
            "SELECT id, started_at, finished_at, status, documents_added, model FROM runs "
            "ORDER BY id DESC LIMIT 1"
        )
        return {
            "counts": {k: int(v or 0) for k, v in counts.items()},
            "anonymous_attributions": int(anonymous or 0),
            "first_date": span["first"],
            "last_date": span["last"],
            "last_run": runs[0] if runs else None,
            "narratives": self.narratives(limit=5).items,
            "publishers": self.outlets(kind="publisher", limit=8).items,
        }

    # -- narratives --------------------------------------------------------------------------

    def narratives(
        self,
        after: str | None = None,
        limit: int = 50,
        q: str | None = None,
        min_documents: int | None = None,
    ) -> Page:
        """Largest first: (documents, claims, id) descending."""
        where, params = [], {"n": limit + 1}
        if after:
            d, c, i = decode_cursor(after, (int, int, str))
            where.append("(documents, claims, id) < (:ad, :ac, :ai)")
            params.update(ad=d, ac=c, ai=i)
        if q:
            where.append("LOWER(label) LIKE :q ESCAPE '\\'")
            params["q"] = like_pattern(q.lower())
        if min_documents:
            where.append("documents >= :md")
            params["md"] = min_documents
        rows = self.rows(
            "SELECT id, label, label_claim_id, claims, documents, outlets, speakers, first_seen, "
            "last_seen, anonymous_share, hedged_share, evidence_not_shown_share, cohesion "
            "FROM narratives"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY documents DESC, claims DESC, id DESC LIMIT :n",
            params,
        )
        for r in rows:
            r["outlets"] = _json_list(r["outlets"])
            r["speakers"] = _json_list(r["speakers"])
        return _page(rows, limit, lambda r: [r["documents"], r["claims"], r["id"]])

    def narrative(self, narrative_id: str) -> dict[str, Any] | None:
        """A narrative with its claims (earliest first), documents, sources and fact-checks."""
        found = self.rows("SELECT * FROM narratives WHERE id = :i", {"i": narrative_id})
        if not found:
            return None
        n = found[0]
        n["outlets"] = _json_list(n["outlets"])
        n["speakers"] = _json_list(n["speakers"])
        claims = self.rows(
            f"SELECT {CLAIM_COLUMNS}, d.title AS document_title, d.outlet AS publisher, "
            "d.date AS published, a.speaker_description, a.kind AS attribution_kind "
            "FROM claims c JOIN documents d ON d.id = c.document_id "
            "LEFT JOIN attributions a ON a.id = c.attribution_id "
            "WHERE c.narrative_id = :i ORDER BY COALESCE(c.date, '9999'), c.id LIMIT :n",
            {"i": narrative_id, "n": NARRATIVE_CLAIMS_SHOWN},
        )
        via = self._via(
            "SELECT v.attribution_id, v.outlet FROM attribution_via v WHERE v.attribution_id IN "
            "(SELECT attribution_id FROM claims WHERE narrative_id = :i) "
            "ORDER BY v.attribution_id, v.position",
            {"i": narrative_id},
        )
        for c in claims:
            self._claim_row(c)
            c["via"] = via.get(c["attribution_id"] or "", [])
        n["claims_list"] = claims
        n["claims_shown"] = len(claims)
        n["documents_list"] = self.rows(
            "SELECT d.id, d.title, d.date, d.outlet, COUNT(*) AS claims, "
            "MIN(c.sentence_id) AS first_sentence_id "
            "FROM claims c JOIN documents d ON d.id = c.document_id WHERE c.narrative_id = :i "
            "GROUP BY d.id, d.title, d.date, d.outlet ORDER BY COALESCE(d.date, '9999'), d.id "
            "LIMIT :n",
            {"i": narrative_id, "n": NARRATIVE_CLAIMS_SHOWN},
        )
        n["factchecks"] = [
            {**r, "url": safe_url(r["url"])}
            for r in self.rows(
                "SELECT l.claim_id, l.score, l.rank, l.tier, l.claim_sentence_id, l.claim_text, "
                "f.id AS factcheck_id, f.claim_text AS factcheck_claim, f.rating, "
                "f.rating_original, f.reviewer, f.review_date, f.url, f.title, c.document_id "
                "FROM factcheck_links l JOIN factchecks f ON f.id = l.factcheck_id "
                "JOIN claims c ON c.id = l.claim_id WHERE c.narrative_id = :i "
                "ORDER BY CASE WHEN l.tier = 'confident' THEN 0 ELSE 1 END, l.score DESC, "
                "l.claim_id, f.id LIMIT 200",
                {"i": narrative_id},
            )
        ]
        return n

    def narrative_graph(self, narrative_id: str) -> dict[str, Any] | None:
        """Provenance of a narrative as layered nodes and edges: source -> cited outlets ->
        publisher -> document, one chain per claim (the layout is computed here, drawn as SVG
        by the template)."""
        n = self.narrative(narrative_id)
        if n is None:
            return None
        columns = ("source", "cited", "publisher", "document")
        nodes: dict[str, dict[str, Any]] = {}
        edges: dict[tuple[str, str], int] = {}
        chains = []

        def node(kind: str, key: str, label: str, **extra: Any) -> str:
            ident = f"{kind}:{key}"
            if ident not in nodes:
                nodes[ident] = {"id": ident, "kind": kind, "label": label, "claims": 0, **extra}
            nodes[ident]["claims"] += 1
            return ident

        for c in n["claims_list"]:
            if c["speaker"] and not c["anonymous"]:
                src = node("source", c["speaker_entity_id"] or c["speaker"], c["speaker"])
            elif c["anonymous"]:
                desc = c["speaker_description"] or "unnamed source"
                src = node("source", "anon:" + desc.casefold(), desc, anonymous=True)
            else:
                src = node("source", "article", "the article itself")
            path = [src]
            path += [node("cited", o.casefold(), o) for o in c["via"]]
            if c["publisher"]:
                path.append(node("publisher", c["publisher"].casefold(), c["publisher"]))
            path.append(
                node(
                    "document",
                    c["document_id"],
                    c["document_title"] or c["document_id"],
                    href=f"/documents/{c['document_id']}",
                    date=c["published"],
                )
            )
            for a, b in zip(path, path[1:], strict=False):
                if a != b:
                    edges[(a, b)] = edges.get((a, b), 0) + 1
            chains.append(
                {
                    "claim_id": c["id"],
                    "date": c["date"],
                    "text": c["text"],
                    "href": f"/documents/{c['document_id']}#s-{c['sentence_id']}",
                    "path": [nodes[p]["label"] for p in path],
                }
            )
        width, row, col_w = 960, 34, 240
        heights = []
        for i, kind in enumerate(columns):
            members = sorted(
                (v for v in nodes.values() if v["kind"] == kind),
                key=lambda v: (-v["claims"], v["label"]),
            )
            for j, v in enumerate(members):
                v["x"], v["y"] = 10 + i * col_w, 40 + j * row
                v["short"] = v["label"] if len(v["label"]) <= 30 else v["label"][:29] + "…"
            heights.append(len(members))
        return {
            "narrative": {k: n[k] for k in ("id", "label", "claims", "documents")},
            "columns": [{"kind": k, "x": 10 + i * col_w} for i, k in enumerate(columns)],
            "nodes": list(nodes.values()),
            "edges": [
                {
                    "source": a,
                    "target": b,
                    "claims": w,
                    "x1": nodes[a]["x"] + 200,
                    "y1": nodes[a]["y"] + 10,
                    "x2": nodes[b]["x"],
                    "y2": nodes[b]["y"] + 10,
                }
                for (a, b), w in edges.items()
            ],
            "chains": chains,
            "width": width,
            "height": 60 + max(heights or [1]) * row,
        }

    # -- claims ------------------------------------------------------------------------------

    def claims(
        self, filters: ClaimFilters | None = None, after: str | None = None, limit: int = 50
    ) -> Page:
        """Claims by check-worthiness (or date), highest/newest first, filtered."""
        sql, params = self.claim_sql(filters or ClaimFilters(), after, limit)
        rows = self.rows(sql, params)
        for r in rows:
            self._claim_row(r)
        page = _page(rows, limit, lambda r: [r["sort_key"], r["id"]])
        for r in page.items:
            r.pop("sort_key", None)
        self._mark_reported(page.items)
        return page

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
            f"SELECT {CLAIM_COLUMNS}, {key} AS sort_key, d.title AS document_title "
            "FROM claims c JOIN documents d ON d.id = c.document_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" ORDER BY {key} DESC, c.id DESC LIMIT :n"
        )
        return sql, params

    @staticmethod
    def _claim_where(f: ClaimFilters) -> tuple[list[str], dict[str, Any]]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if f.speaker:
            where.append("c.speaker_entity_id = :speaker")
            params["speaker"] = f.speaker
        if f.outlet:
            where.append("c.document_id IN (SELECT id FROM documents WHERE outlet = :outlet)")
            params["outlet"] = f.outlet
        if f.via:
            where.append(
                "c.attribution_id IN (SELECT attribution_id FROM attribution_via WHERE outlet = :via)"
            )
            params["via"] = f.via
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
        names = {f"i{n}": cid for n, cid in enumerate(ids)}
        rows = self.rows(
            f"SELECT {CLAIM_COLUMNS}, d.title AS document_title FROM claims c "
            "JOIN documents d ON d.id = c.document_id WHERE c.id IN ("
            + ", ".join(f":{k}" for k in names)
            + ")",
            names,
        )
        by_id = {r["id"]: self._claim_row(r) for r in rows}
        found = [by_id[i] for i in ids if i in by_id]
        self._mark_reported(found)
        return found

    @staticmethod
    def _claim_row(r: dict[str, Any]) -> dict[str, Any]:
        _flags(r, "anonymous", "hedged", "evidence_not_shown")
        r["signal_types"] = _json_list(r.get("signal_types"))
        return r

    def _mark_reported(self, claims: list[dict[str, Any]]) -> None:
        """A claim's narrative is only linked when it is a reported narrative."""
        ids = sorted({c["narrative_id"] for c in claims if c.get("narrative_id")})
        known: set[str] = set()
        if ids:
            names = {f"n{k}": v for k, v in enumerate(ids)}
            known = {
                r["id"]
                for r in self.rows(
                    "SELECT id FROM narratives WHERE id IN ("
                    + ", ".join(f":{k}" for k in names)
                    + ")",
                    names,
                )
            }
        for c in claims:
            c["narrative_reported"] = c.get("narrative_id") in known

    # -- documents ---------------------------------------------------------------------------

    def documents(
        self, after: str | None = None, limit: int = 50, outlet: str | None = None
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
        rows = self.rows(
            "SELECT id, title, date, outlet, source, word_count, COALESCE(date, '') AS sort_key "
            "FROM documents"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY COALESCE(date, '') DESC, id DESC LIMIT :n",
            params,
        )
        page = _page(rows, limit, lambda r: [r["sort_key"], r["id"]])
        for r in page.items:
            r.pop("sort_key", None)
        return page

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """One document with its sentences cut into marked segments (claims, quotes, signals).

        Only this document's rows are read (Store.load_document reads every sourcing chain in
        the corpus, which a web page cannot afford on a large database).
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
        doc["authors"] = _json_list(doc["authors"])
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
        attributions = self.rows(
            "SELECT id, sentence_id, kind, speaker, speaker_entity_id, anonymous, "
            "speaker_description, role, cue, cue_start, cue_end, content, start_char, end_char, "
            "date FROM attributions WHERE document_id = :i ORDER BY start_char",
            p,
        )
        via = self._via(
            "SELECT v.attribution_id, v.outlet FROM attribution_via v JOIN attributions a "
            "ON a.id = v.attribution_id WHERE a.document_id = :i ORDER BY v.attribution_id, v.position",
            p,
        )
        for a in attributions:
            _flags(a, "anonymous")
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

    def _via(self, sql: str, params: dict[str, Any]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in self.rows(sql, params):
            out.setdefault(r["attribution_id"], []).append(r["outlet"])
        return out

    # -- speakers and outlets ----------------------------------------------------------------

    def speakers(self, after: str | None = None, limit: int = 50) -> Page:
        """Named speakers by how many attributions rest on them."""
        having, params = "", {"n": limit + 1}
        if after:
            k, i = decode_cursor(after, (int, str))
            having = " HAVING (COUNT(*), a.speaker_entity_id) < (:ak, :ai)"
            params.update(ak=k, ai=i)
        rows = self.rows(
            "SELECT a.speaker_entity_id AS id, e.name, e.type, COUNT(*) AS attributions, "
            "COUNT(DISTINCT a.document_id) AS documents, "
            "SUM(CASE WHEN a.kind = 'direct' THEN 1 ELSE 0 END) AS direct "
            "FROM attributions a JOIN entities e ON e.id = a.speaker_entity_id "
            "GROUP BY a.speaker_entity_id, e.name, e.type"
            + having
            + " ORDER BY attributions DESC, id DESC LIMIT :n",
            params,
        )
        return _page(rows, limit, lambda r: [r["attributions"], r["id"]])

    def anonymous_sources(self, limit: int = 30) -> list[dict[str, Any]]:
        """How unnamed sources are described, most frequent first."""
        return self.rows(
            "SELECT COALESCE(speaker_description, 'unnamed source') AS description, "
            "COUNT(*) AS attributions, COUNT(DISTINCT document_id) AS documents "
            "FROM attributions WHERE anonymous "
            "GROUP BY COALESCE(speaker_description, 'unnamed source') "
            "ORDER BY attributions DESC, description LIMIT :n",
            {"n": limit},
        )

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
            return _page(rows, limit, lambda r: [r["documents"], r["name"]])
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
            return _page(rows, limit, lambda r: [r["attributions"], r["name"]])
        raise BadRequest("kind must be 'publisher' or 'cited'")

    # -- search ------------------------------------------------------------------------------

    def search_text(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full text over sentences (FTS syntax; SearchSyntaxError on a malformed query)."""
        hits = self.store.search_sentences(q, limit=limit)
        return [
            {
                "sentence_id": h["id"],
                "document_id": h["document_id"],
                "document_title": h["title"],
                "snippet": h["snippet"],
                "text": h["text"],
                "href": f"/documents/{h['document_id']}#s-{h['id']}",
            }
            for h in hits
        ]


def _page(rows: list[dict[str, Any]], limit: int, key: Any) -> Page:
    """Rows fetched with LIMIT n+1: the extra row only says a next page exists."""
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=rows, next=encode_cursor(key(rows[-1])) if more and rows else None, limit=limit
    )


# -- document segments ---------------------------------------------------------------------


def paragraphs(
    text_: str,
    sentences: list[dict[str, Any]],
    claims: list[dict[str, Any]],
    attributions: list[dict[str, Any]],
    signals: list[dict[str, Any]],
) -> list[list[dict[str, Any]]]:
    """The body as paragraphs of sentences, each cut into segments that carry the marks
    (claim, quote, cue, signal) covering them, so overlapping spans never nest badly."""
    spans: list[tuple[int, int, str, str]] = []
    for c in claims:
        spans.append((c["start_char"], c["end_char"], "claim", f"claim {c['checkworthiness']:.2f}"))
    for a in attributions:
        who = a["speaker"] or (a["speaker_description"] or "unnamed") + " (anonymous)"
        spans.append((a["start_char"], a["end_char"], "quote", f"{a['kind']} · {who}"))
        if a["cue_start"] is not None and a["cue_end"] is not None:
            spans.append((a["cue_start"], a["cue_end"], "cue", f"cue: {a['cue']}"))
    for g in signals:
        if g["start_char"] is not None and g["end_char"] is not None:
            spans.append((g["start_char"], g["end_char"], "signal", g["type"]))
    out: list[list[dict[str, Any]]] = [[]]
    previous_end = 0
    for s in sentences:
        start, end = s["start_char"], s["end_char"]
        gap = text_[previous_end:start]
        if "\n" in gap and out[-1]:
            out.append([])
        if gap.strip():
            out[-1].append(
                {"id": None, "segments": [{"text": gap.strip(), "marks": [], "notes": []}]}
            )
        inside = [sp for sp in spans if sp[0] < end and sp[1] > start]
        cuts = sorted(
            {start, end, *(max(start, sp[0]) for sp in inside), *(min(end, sp[1]) for sp in inside)}
        )
        segments = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            active = [sp for sp in inside if sp[0] <= a and sp[1] >= b]
            segments.append(
                {
                    "text": text_[a:b],
                    "marks": sorted({sp[2] for sp in active}),
                    "notes": list(dict.fromkeys(sp[3] for sp in active)),
                }
            )
        out[-1].append({"id": s["id"], "segments": segments})
        previous_end = end
    tail = text_[previous_end:]
    if tail.strip():
        out.append([{"id": None, "segments": [{"text": tail.strip(), "marks": [], "notes": []}]}])
    return [p for p in out if p]
