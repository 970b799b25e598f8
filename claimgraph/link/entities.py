"""Cross-document entity resolution: which corpus entity a document's entity is.

Within one document `claimgraph.annotate.entities` already merged spellings. Across documents
`merge_entity` decides: an entity that shares any alias key with a stored one joins it; a lone
surname joins the one known person who carries it; a full name joins the person stored by that
surname alone; anything else is new. The decision reads the corpus through an `EntityLookup`
and writes nothing: the store applies it inside its write transaction, so concurrent runs
decide on the same corpus.
"""

from __future__ import annotations

import re
from collections import Counter

from claimgraph.annotate.entities import alias_key, load_alias_table, unsuffixed
from claimgraph.annotate.sourcing import is_outlet_name
from claimgraph.model import Entity, EntityLookup, EntityMerge
from claimgraph.vocabulary import derived, load_vocabulary

_INITIAL = re.compile(r"^[A-Z]\.?$")


def without_middle_initial(name: str) -> str | None:
    """ "Donald J. Trump" -> "Donald Trump": the form a person is mostly written in elsewhere.
    Only a single-letter middle initial is dropped (a middle name may tell people apart)."""
    words = name.split()
    if len(words) == 3 and _INITIAL.match(words[1]) and not _INITIAL.match(words[0]):
        return f"{words[0]} {words[2]}"
    return None


@derived
def _formal_first_names() -> dict[str, str]:
    data = load_vocabulary("nicknames").get("first_names") or {}
    return {str(k).casefold(): str(v) for k, v in data.items()}


def formal_name(name: str) -> str | None:
    """ "Bill Barr" -> "William Barr": the name with its first name's formal form
    (data/nicknames.yaml), so one person written both ways is found under one key."""
    words = name.split()
    if len(words) < 2:
        return None
    formal = _formal_first_names().get(words[0].casefold().rstrip("."))
    return " ".join([formal.capitalize(), *words[1:]]) if formal else None


@derived
def _inverted_org_heads() -> frozenset[str]:
    words = load_vocabulary("entity_types").get("inverted_org_heads") or ()
    return frozenset(str(w).casefold() for w in words)


def inverted_org_name(name: str) -> str | None:
    """ "Department of Justice" -> "Justice Department", "U.S. Ministry of Foreign Affairs" ->
    "U.S. Foreign Affairs Ministry": the form with the office word last, under which the
    other way of writing the same organisation is found. None for any other name."""
    words = name.split()
    for i, word in enumerate(words[:-2]):
        if word.casefold() in _inverted_org_heads() and words[i + 1] in ("of", "for"):
            rest = words[i + 2 :]
            if rest and rest[0].casefold() == "the":
                rest = rest[1:]
            if rest and all(w[:1].isupper() or w in ("and", "&") for w in rest):
                return " ".join([*words[:i], *rest, word])
            return None
    return None


def _other_forms(entity: Entity) -> list[str]:
    """The same entity's name as other documents may write it: a person's without a middle
    initial, with the formal first name; an office's with its office word last."""
    if entity.type == "ORG":
        inverted = inverted_org_name(entity.name)
        return [inverted] if inverted else []
    if entity.type != "PERSON":
        return []
    forms = [without_middle_initial(entity.name)]
    forms += [formal_name(f) for f in (entity.name, forms[0]) if f]
    return list(dict.fromkeys(f for f in forms if f))


def candidate_keys(entity: Entity) -> list[str]:
    """The alias keys `entity` may be stored under. A person written in full is not looked up
    by the bare surname the document also used ("Clinton" for "Hillary Clinton" would find
    Bill Clinton): the surname paths of `merge_entity` decide that. A first name used alone
    ("Hillary") still finds the person stored by it."""
    aliases = entity.aliases
    if entity.type == "PERSON" and len(entity.name.split()) > 1:
        surname = surname_key(entity.name)
        aliases = [a for a in aliases if len(a.split()) > 1 or surname_key(a) != surname]
    keys = {alias_key(entity.name), *(alias_key(a) for a in aliases)}
    keys.update(alias_key(f) for f in _other_forms(entity))
    group = load_alias_table().lookup(entity.name)
    if group:
        keys.update(alias_key(a) for a in (group.name, *group.aliases))
    return sorted(k for k in keys if k)


def surname_key(name: str) -> str:
    """The family-name key of a person's name ("Abu Mahdi al-Muhandis" -> "muhandis"; "W. James
    Antle III" -> "antle")."""
    words = unsuffixed(name.split())
    last = words[-1] if words else name
    key = alias_key(last)
    return key[2:] if key.startswith("al") and len(key) > 4 else key


def surname_marker(name: str) -> str:
    """The alias key under which a person written in full is found by surname."""
    return f"surname:{surname_key(name)}"


def merge_entity(ent: Entity, lookup: EntityLookup) -> EntityMerge:
    """Decide which stored entity `ent` is, whether that entity's name grows, and the
    spellings to remember it by."""
    entity_id: str | None = None
    name: str | None = None
    found = _same_kind(lookup, ent, lookup.ids_by_key(candidate_keys(ent)))
    words = len(ent.name.split())
    if found:
        # The canonical name's own key decides ties.
        own = _same_kind(lookup, ent, lookup.ids_by_key([alias_key(ent.name)])) or [
            i
            for form in _other_forms(ent)
            for i in _same_kind(lookup, ent, lookup.ids_by_key([alias_key(form)]))
        ]
        entity_id = own[0] if own else Counter(found).most_common(1)[0][0]
        name = _complete_name(lookup, entity_id, ent)
    elif ent.type == "PERSON" and words == 1:
        by_surname = set(lookup.ids_by_key([surname_marker(ent.name)]))
        if len(by_surname) == 1:
            entity_id = by_surname.pop()
    elif ent.type == "PERSON" and words in (2, 3):
        entity_id = _surname_alone(lookup, ent)
        if entity_id is not None:
            name = _complete_name(lookup, entity_id, ent)
    names = [ent.name, *ent.aliases, *_other_forms(ent)]
    spellings = [(a, alias_key(a)) for a in dict.fromkeys(names)]
    if ent.type == "PERSON" and words >= 2:
        marker = surname_marker(ent.name)
        spellings.append((marker, marker))
    return EntityMerge(entity_id, name, tuple(spellings))


def _same_kind(lookup: EntityLookup, ent: Entity, ids: list[str]) -> list[str]:
    """The stored entities a shared key may join `ent` to: a news outlet never joins a person
    ("Bloomberg reported" is the outlet, not Michael Bloomberg), whichever came first, nor
    does a one-word organisation ("told The Hill" is not Fiona Hill). Other type
    disagreements stay joinable: the recogniser often calls a person an organisation
    ("TRUMP:" in a transcript, "Donald Trump" in a headline)."""

    def kind(name: str, label: str) -> str:
        if label == "PERSON":
            return "person"
        return "outlet" if is_outlet_name(name) else "other"

    mine = kind(ent.name, ent.type)
    # One word the recogniser called an organisation is no person unless shouted: a speaker's
    # label in a transcript ("TRUMP:") is; "told The Hill" is not Fiona Hill.
    one_word = len(ent.name.split()) == 1 and not ent.name.isupper()
    kept = []
    for i in ids:
        row = lookup.entity(i)
        theirs = kind(*row) if row is not None else "other"
        if {mine, theirs} == {"person", "outlet"}:
            continue
        if one_word and mine == "other" and theirs == "person":
            continue
        kept.append(i)
    return kept


def _surname_alone(lookup: EntityLookup, ent: Entity) -> str | None:
    """The person stored so far by this full name's surname alone ("Trump" for "Donald
    Trump"), when no stored person has that surname in a full name yet: the first full name
    a corpus gives a surname is taken to be whom the bare surname meant. A bare surname the
    same document added (no stored document mentions it yet) is one the document kept apart
    from this full name ("Mr. Taylor" of an article naming Jerry and James Taylor): not it.
    (An earlier document wrote the surname as such, or in capitals as a transcript's label.)"""
    if lookup.ids_by_key([surname_marker(ent.name)]):
        return None
    found = {
        i
        for i in lookup.ids_by_key([alias_key(ent.name.split()[-1])])
        if (row := lookup.entity(i)) is not None
        and row[1] == "PERSON"
        and any(lookup.mentioned_as(i, form) for form in (row[0], row[0].upper()))
    }
    return found.pop() if len(found) == 1 else None


def _complete_name(lookup: EntityLookup, entity_id: str, ent: Entity) -> str | None:
    """The full name a person first stored by their first name ("Hillary") or surname ("Trump")
    takes when a later document gives it ("Hillary Clinton", "Donald Trump"): the name shown is
    the most complete. None keeps the stored name."""
    row = lookup.entity(entity_id)
    if row is None or row[1] != "PERSON" or ent.type != "PERSON":
        return None
    old, new = row[0].casefold().split(), ent.name.casefold().split()
    if len(old) != 1 or len(new) not in (2, 3):
        return None
    if new[-1] == old[0]:
        # A surname stored alone ("Trump") takes the full name ("Donald Trump") once another
        # document wrote it in full too: one recogniser slip ("Encourage Obama") is not enough.
        return ent.name if lookup.mentioned_as(entity_id, ent.name) else None
    if new[0] == old[0]:
        # Only a first name grows into the full name. A word some stored person has as a
        # surname is no first name ("Trump" does not become a headline's run-in "Trump Paul").
        others = [i for i in lookup.ids_by_key([surname_marker(row[0])]) if i != entity_id]
        return None if others else ent.name
    return None
