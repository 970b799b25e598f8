"""The narrative tables: what the linker saves and reloads, and what readers rank by.

Kept apart from the index (claimgraph.link.narratives), which holds no SQL:

- `narratives`: one row per candidate of two claims or more; `documents` >= 2 makes it a
  narrative (the display default), 1 a single-document candidate. `first_seen`/`last_seen`
  come from retelling dates (claims.date: the statement date, else the publication date);
  `undated` counts retellings with neither.
- `narrative_vectors`: each candidate's vector sum and claim count (its centroid's parts).
- `narrative_merges`: ids merged into an older candidate, pointing to the survivor.
- `claim_vectors.ann_key`/`anchors`/`roles`: each claim's key in the neighbour index (a
  usearch file beside a SQLite database, `ann_path`), the entities that anchor it, and who
  does what to whom (claimgraph.link.frames.Roles as JSON; NULL: unknown).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select

from claimgraph.store import schema as s

_BATCH = 500
# Entity types that can anchor a claim (claimgraph.link.narratives.ANCHOR_LABELS).
ANCHOR_LABELS = (
    "PERSON",
    "ORG",
    "NORP",
    "GPE",
    "LOC",
    "FAC",
    "EVENT",
    "PRODUCT",
    "LAW",
    "WORK_OF_ART",
)

# For readers (CLI, report, app): narratives first by spread, then single-document candidates.
SPREAD_ORDER = (
    "documents DESC, outlet_count DESC, "
    "(CASE WHEN first_seen IS NULL THEN 1 ELSE 0 END), claims DESC, id"
)


def ann_path(store: Any) -> str | None:
    """Where the neighbour index lives: beside a SQLite file; None for a server or in-memory
    database (the index is then rebuilt from `claim_vectors` when a run starts)."""
    if getattr(store, "dialect", "sqlite") != "sqlite":
        return None
    database = getattr(store.engine.url, "database", None)
    if not database or database == ":memory:":
        return None
    return str(Path(database).with_name(Path(database).name + ".narratives.usearch"))


def claim_mentions(store: Any, claim_ids: list[str]) -> dict[str, list[tuple[str, int, int]]]:
    """Each claim's anchor mentions, its speaker's entity left out: (entity id, start, end)
    with offsets into the claim's text, in text order (what `claim_roles` reads)."""
    out: dict[str, list[tuple[str, int, int]]] = {cid: [] for cid in claim_ids}
    c, m = s.claims, s.mentions
    joined = c.join(
        m,
        and_(
            m.c.document_id == c.c.document_id,
            m.c.start_char >= c.c.start_char,
            m.c.end_char <= c.c.end_char,
        ),
    )
    with store.engine.connect() as conn:
        for start in range(0, len(claim_ids), _BATCH):
            chunk = claim_ids[start : start + _BATCH]
            query = (
                select(
                    c.c.id,
                    m.c.entity_id,
                    m.c.start_char - c.c.start_char,
                    m.c.end_char - c.c.start_char,
                )
                .distinct()
                .select_from(joined)
                .where(
                    c.c.id.in_(chunk),
                    m.c.label.in_(ANCHOR_LABELS),
                    or_(c.c.speaker_entity_id.is_(None), m.c.entity_id != c.c.speaker_entity_id),
                )
                .order_by(c.c.id, m.c.start_char - c.c.start_char, m.c.entity_id)
            )
            for cid, entity, first, last in conn.execute(query):
                out[cid].append((entity, int(first), int(last)))
    return out


def speakers(store: Any, claim_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """Each claim's speaker as the corpus knows them: the entity its speaker was merged into
    and its name ("Martin E. Dempsey" of one article and "Martin Dempsey" of another are one
    person), for claims whose speaker is a stored entity. A relink reads claims back with
    these, so a run must link with them too, or the two group differently."""
    out: dict[str, tuple[str, str | None]] = {}
    c, e = s.claims, s.entities
    with store.engine.connect() as conn:
        for start in range(0, len(claim_ids), _BATCH):
            chunk = claim_ids[start : start + _BATCH]
            query = (
                select(c.c.id, e.c.id, e.c.name)
                .select_from(c.join(e, e.c.id == c.c.speaker_entity_id))
                .where(c.c.id.in_(chunk))
            )
            out.update((cid, (eid, name or None)) for cid, eid, name in conn.execute(query))
    return out


def claim_anchors(store: Any, claim_ids: list[str]) -> dict[str, list[str]]:
    """Entity ids named inside each claim's span, its speaker's entity left out, sorted (the
    entities of `claim_mentions`, as the linker takes them)."""
    mentions = claim_mentions(store, claim_ids)
    return {cid: sorted({m[0] for m in found}) for cid, found in mentions.items()}


_INDEXED_CLAIMS = (
    "SELECT c.id, c.document_id, c.text, c.start_char, c.end_char, c.checkworthiness, "
    "c.scored_by, c.date, c.date_precision, COALESCE(e.name, c.speaker) AS speaker, "
    "c.speaker_entity_id, COALESCE(c.outlet, d.outlet) AS outlet, c.anonymous, c.hedged, "
    "c.evidence_not_shown, c.signal_types, c.narrative_id, v.ann_key, v.anchors, v.roles "
    "FROM claim_vectors v JOIN claims c ON c.id = v.claim_id "
    "JOIN documents d ON d.id = c.document_id "
    # the speaker under the corpus's name for them, as `speakers` gives it
    "LEFT JOIN entities e ON e.id = c.speaker_entity_id "
    "WHERE v.ann_key IS NOT NULL"
)


def indexed_claim_pages(store: Any, size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    """Claims already in the neighbour index, in key order, with what the index keeps (the
    speaker under the corpus's name for them), a page at a time: a run starting on a large
    store never holds them all."""
    after = -1
    while True:
        rows = store.query(
            _INDEXED_CLAIMS + " AND v.ann_key > :after ORDER BY v.ann_key LIMIT :size",
            {"after": after, "size": size},
        )
        if not rows:
            return
        yield rows
        after = rows[-1]["ann_key"]


def shared_narrative_ids(store: Any) -> set[str]:
    """The narrative ids two claims or more hold."""
    return {
        r["narrative_id"]
        for r in store.query(
            "SELECT narrative_id FROM claims WHERE narrative_id IS NOT NULL "
            "GROUP BY narrative_id HAVING COUNT(*) > 1"
        )
    }


def write_narratives(
    conn: Connection,
    narratives: list[Any],
    *,
    touched: set[str],
    merged: dict[str, str],
    sums: dict[str, tuple[bytes, int]],
    stamp: str,
) -> None:
    """Replace the rows of touched candidates; record merges (the survivor keeps its id)."""
    gone = list(touched | {n.id for n in narratives})
    for start in range(0, len(gone), _BATCH):
        chunk = gone[start : start + _BATCH]
        conn.execute(s.narratives.delete().where(s.narratives.c.id.in_(chunk)))
        conn.execute(
            s.narrative_vectors.delete().where(s.narrative_vectors.c.narrative_id.in_(chunk))
        )
    if narratives:
        conn.execute(
            s.narratives.insert(),
            [
                {
                    "id": n.id,
                    "label": n.label,
                    "label_claim_id": n.label_claim_id,
                    "claims": len(n.claim_ids),
                    "documents": len(n.document_ids),
                    "outlets": json.dumps(n.outlets, ensure_ascii=False),
                    "speakers": json.dumps(n.speakers, ensure_ascii=False),
                    "first_seen": n.first_seen,
                    "last_seen": n.last_seen,
                    "anonymous_share": n.anonymous_share,
                    "hedged_share": n.hedged_share,
                    "evidence_not_shown_share": n.evidence_not_shown_share,
                    "cohesion": n.cohesion,
                    "updated_at": stamp,
                    "outlet_count": len(n.outlets),
                    "undated": n.undated,
                    "anchors": json.dumps(n.anchors, ensure_ascii=False),
                }
                for n in narratives
            ],
        )
    rows = [
        {"narrative_id": n.id, "claims": sums[n.id][1], "vector_sum": sums[n.id][0]}
        for n in narratives
        if n.id in sums
    ]
    if rows:
        conn.execute(s.narrative_vectors.insert(), rows)
    if merged:
        ids = list(merged)
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            conn.execute(s.narrative_merges.delete().where(s.narrative_merges.c.id.in_(chunk)))
        conn.execute(
            s.narrative_merges.insert(),
            [{"id": k, "merged_into": v, "merged_at": stamp} for k, v in merged.items()],
        )


def write_assignments(conn: Connection, assignments: dict[str, str]) -> None:
    """claims.narrative_id for each claim whose candidate changed."""
    if not assignments:
        return
    statement = (
        s.claims.update()
        .where(s.claims.c.id == bindparam("cid"))
        .values(narrative_id=bindparam("nid"))
    )
    conn.execute(statement, [{"cid": c, "nid": n} for c, n in assignments.items()])


def write_index_rows(
    conn: Connection, rows: dict[str, tuple[int, list[str], dict[str, Any] | None]]
) -> None:
    """Each new claim's neighbour-index key, anchors and roles, on its claim_vectors row."""
    statement = (
        s.claim_vectors.update()
        .where(s.claim_vectors.c.claim_id == bindparam("cid"))
        .values(ann_key=bindparam("key"), anchors=bindparam("anchors"), roles=bindparam("roles"))
    )
    conn.execute(
        statement,
        [
            {
                "cid": c,
                "key": row[0],
                "anchors": json.dumps(row[1], ensure_ascii=False),
                "roles": None if row[2] is None else json.dumps(row[2], ensure_ascii=False),
            }
            for c, row in rows.items()
        ],
    )


def resolve_merged(store: Any, narrative_id: str) -> str:
    """The id a narrative lives on under (itself, or the one it was merged into)."""
    seen = {narrative_id}
    with store.engine.connect() as conn:
        while True:
            row = conn.execute(
                select(s.narrative_merges.c.merged_into).where(
                    s.narrative_merges.c.id == narrative_id
                )
            ).first()
            if row is None or row[0] in seen:
                return narrative_id
            narrative_id = row[0]
            seen.add(narrative_id)


def cross_document(store: Any, min_documents: int = 2, limit: int | None = None) -> list[dict]:
    """Narratives held by at least `min_documents` documents, widest spread first, undated
    ones after dated ones of equal spread (1: every candidate, single-document ones flagged by
    documents = 1)."""
    sql = f"SELECT * FROM narratives WHERE documents >= :n ORDER BY {SPREAD_ORDER}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return store.query(sql, {"n": int(min_documents)})


def narrative_ids_of(rows: Iterable[dict[str, Any]]) -> dict[str, str]:
    """claim id -> narrative id, from `indexed_claim_pages` rows."""
    return {r["id"]: r["narrative_id"] for r in rows if r["narrative_id"]}


def forget_narratives(store: Any, state_key: str) -> int:
    """Drop every grouping (narratives, their vectors and merges, each claim's narrative and
    index key, the linker's saved state and its neighbour-index file), keeping the claims and
    their vectors, so a linker can regroup them from scratch; returns the claims to regroup."""
    with store.writing() as conn:
        conn.execute(s.claims.update().values(narrative_id=None))
        conn.execute(s.claim_vectors.update().values(ann_key=None, anchors=None, roles=None))
        for table in (s.narratives, s.narrative_vectors, s.narrative_merges):
            conn.execute(table.delete())
        conn.execute(s.link_state.delete().where(s.link_state.c.key == state_key))
        claims = conn.execute(select(func.count()).select_from(s.claims)).scalar() or 0
    path = ann_path(store)
    if path:
        Path(path).unlink(missing_ok=True)
    return int(claims)


def vector_models(store: Any) -> list[tuple[str, int]]:
    """The models behind the stored claim vectors, most used first."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(s.claim_vectors.c.model, func.count())
            .group_by(s.claim_vectors.c.model)
            .order_by(func.count().desc())
        ).all()
    return [(str(m), int(n)) for m, n in rows]
