"""Corpus entities as the write transaction sees them: the lookup the merge decision reads
(`claimgraph.link.entities.merge_entity`) and the code that applies its decision."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from claimgraph.model import Document, EntityMerger
from claimgraph.store import schema as s

# The merge decision asks these thousands of times a run (a few a document entity): built
# once, a query costs a third of one built at each call (SQLAlchemy's construction and cache
# key, not SQLite, was most of the entity merge's time). Same SQL, same rows.
_IDS_BY_KEY = select(s.entity_aliases.c.entity_id).where(
    s.entity_aliases.c.alias_key.in_(bindparam("keys", expanding=True))
)
_ENTITY = select(s.entities.c.name, s.entities.c.type).where(s.entities.c.id == bindparam("id"))
_MENTIONED_AS = select(s.mentions.c.document_id).where(
    s.mentions.c.entity_id == bindparam("id"), s.mentions.c.text == bindparam("text")
)
_ALIASES_OF = select(s.entity_aliases.c.alias).where(
    s.entity_aliases.c.entity_id == bindparam("id")
)


class TransactionEntities:
    """`EntityLookup` over the open write transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ids_by_key(self, keys: Sequence[str]) -> list[str]:
        if not keys:
            return []
        return [r[0] for r in self.conn.execute(_IDS_BY_KEY, {"keys": list(keys)})]

    def entity(self, entity_id: str) -> tuple[str, str] | None:
        row = self.conn.execute(_ENTITY, {"id": entity_id}).first()
        return (row.name, row.type) if row else None

    def mentioned_as(self, entity_id: str, text: str) -> bool:
        return self.conn.execute(_MENTIONED_AS, {"id": entity_id, "text": text}).first() is not None


def resolve_entities(conn: Connection, doc: Document, merge: EntityMerger) -> dict[str, str]:
    """Map the document's entity keys onto corpus entity ids, applying `merge`'s decision for
    each entity before deciding the next (a later entity may join one this document added)."""
    lookup = TransactionEntities(conn)
    mapping: dict[str, str] = {}
    for ent in doc.entities:
        decision = merge(ent, lookup)
        entity_id = decision.entity_id
        if entity_id is None:
            entity_id, n = ent.key, 1
            while lookup.entity(entity_id) is not None:
                n += 1
                entity_id = f"{ent.key}-{n}"
            conn.execute(s.entities.insert().values(id=entity_id, name=ent.name, type=ent.type))
        elif decision.name is not None:
            conn.execute(
                s.entities.update().where(s.entities.c.id == entity_id).values(name=decision.name)
            )
        known = {r[0] for r in conn.execute(_ALIASES_OF, {"id": entity_id})}
        rows = [
            {"entity_id": entity_id, "alias": alias, "alias_key": key}
            for alias, key in dict.fromkeys(decision.aliases)
            if alias not in known
        ]
        if rows:
            conn.execute(s.entity_aliases.insert(), rows)
        mapping[ent.key] = entity_id
    return mapping
