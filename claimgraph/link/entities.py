"""Cross-document entity resolution: which keys an entity may be found under in the corpus.

Within one document `claimgraph.annotate.entities` already merged spellings; across documents
the store joins entities that share any alias key, and a lone surname to the one known person
who carries it.
"""

from __future__ import annotations

from claimgraph.annotate.entities import alias_key, load_alias_table
from claimgraph.model import Entity


def candidate_keys(entity: Entity) -> list[str]:
    keys = {alias_key(entity.name), *(alias_key(a) for a in entity.aliases)}
    group = load_alias_table().lookup(entity.name)
    if group:
        keys.update(alias_key(a) for a in (group.name, *group.aliases))
    return sorted(k for k in keys if k)


def surname_key(name: str) -> str:
    """The family-name key of a person's name ("Abu Mahdi al-Muhandis" -> "muhandis")."""
    last = name.split()[-1] if name.split() else name
    key = alias_key(last)
    return key[2:] if key.startswith("al") and len(key) > 4 else key
