"""Who is speaking, in what role, and through which outlets: resolving attribution sources.

A relation's source phrase becomes a speaker in one of these ways, tried in order:

- a named entity heading the phrase (or in apposition to it: "an Iraqi source Qatari al-Abidi");
- a pronoun or relative pronoun, resolved to the nearest earlier speaker that fits
  (he/she: a person; they: a group; it: an organisation or document);
- a back-reference by description ("the official", "the sources", "the report"), resolved to
  the earlier speaker with the same head noun;
- an unnamed source (head noun in anonymous.yaml): flagged anonymous, described, never named;
- a title without a name ("A leader of X says ..."), linked to the person named in the next
  attribution when that person has no title of their own;
- otherwise the phrase itself ("the Iraqi army").

The sourcing chain (`via`) lists the outlets a statement passed through, nearest first: the
outlet a speaker told or was quoted by, an interview with an outlet, and the outlet whose
report contains the statement. Vocabularies live in claimgraph/data/*.yaml.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Token

from claimgraph.annotate.doctext import doc_text
from claimgraph.annotate.entities import (
    alias_key,
    caption_markers,
    is_name_suffix,
    is_name_text,
    is_platform_name,
    lead_before_name,
    org_head_words,
    standalone_org_words,
    the_outlet,
    well_known_name,
)
from claimgraph.model import Attribution, Mention, normalise_text
from claimgraph.vocabulary import derived, load_vocabulary

if TYPE_CHECKING:
    from claimgraph.annotate.attribution import Relation

SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
# Words before a place's name that no person's name follows ("the North", "mayor of X").
_BEFORE_PLACES = frozenset({"the", "of", "in", "from", "at", "near"})
# Possessives too: "his assertion that ...", "its statement" name their speaker the same way.
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "i", "his", "hers"})
_GROUP_PRONOUNS = frozenset({"they", "them", "we", "their"})
_THING_PRONOUNS = frozenset({"it", "its"})
_FIRST_PERSON = frozenset({"i", "me", "my"})
_RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_INDEFINITE = frozenset({"a", "an", "another", "one", "some", "any"})
# Endings of nouns for people ("protester", "activist", "politician", "spokesman",
# "consultant"): an unnamed source with such a head may be what "he" or "she" refers to.
_PERSON_SUFFIXES = ("er", "or", "ist", "ian", "man", "woman", "person", "ant", "ent", "ee")
_DETERMINER = re.compile(r"^(?:the|a|an|this|that|these|those)\s+", re.IGNORECASE)
_EDGE = " \t\r\n\u00a0,;:.-\u2013\u2014"
# How far back (characters) a pronoun or description may reach for its antecedent.
_BACK_REFERENCE_WINDOW = 3000
# How far ahead a title-only source may find the named person it introduces.
_CATAPHORA_WINDOW = 600
# A commercial website's name ("LifeNews.com"); ".org" names advocacy groups as often.
_WEBSITE = re.compile(r"[A-Za-z][\w-]*\.(?:com|net|co\.uk)", re.IGNORECASE)
_SPEAKER_WINDOW = 400  # characters back to the speaker a pronoun most likely is


def _words(name: str, key: str) -> frozenset[str]:
    return frozenset(str(w).lower() for w in load_vocabulary(name).get(key, []) or [])


@dataclass(frozen=True, slots=True)
class SourceVocabulary:
    anonymous_heads: frozenset[str]
    quantifiers: frozenset[str]
    anonymity_markers: tuple[str, ...]
    role_nouns: frozenset[str]
    honorifics: frozenset[str]
    outlet_name_words: frozenset[str]
    outlet_nouns: frozenset[str]
    known_outlets: frozenset[str]
    exchange_nouns: frozenset[str]
    addressing_verbs: frozenset[str]  # "told X": X the medium
    document_nouns: frozenset[str]
    title_roles: dict[str, str]
    role_synonyms: dict[str, frozenset[str]]
    generic_org_nouns: frozenset[str]
    org_synonyms: dict[str, frozenset[str]]  # "panel": names with committee, board...
    filed_documents: dict[str, frozenset[str]]  # a court filing -> the verbs that file it
    # genders.yaml: word -> "female" | "male"
    pronoun_genders: dict[str, str]
    title_genders: dict[str, str]
    capitalised_titles: frozenset[str]  # only a title when capitalised ("drag queen RuPaul")
    first_name_genders: dict[str, str]
    looked_through: frozenset[str]  # source_nouns.yaml
    person_organisations: frozenset[str]
    group_nouns: frozenset[str]  # anonymous.yaml: plural heads that may be people or documents
    thing_heads: frozenset[str]  # anonymous.yaml: nouns ending like a person's that name things


def _gendered(key: str) -> dict[str, str]:
    """genders.yaml's `key` as word -> gender; a word listed under two genders says nothing."""
    found: dict[str, set[str]] = {}
    for gender, words in (load_vocabulary("genders").get(key) or {}).items():
        for word in words or []:
            found.setdefault(str(word).casefold(), set()).add(str(gender))
    return {w: next(iter(g)) for w, g in found.items() if len(g) == 1}


@derived
def source_vocabulary() -> SourceVocabulary:
    anonymous = load_vocabulary("anonymous")
    return SourceVocabulary(
        anonymous_heads=_words("anonymous", "head_nouns"),
        quantifiers=_words("anonymous", "quantifiers"),
        anonymity_markers=tuple(str(m).lower() for m in anonymous.get("markers", []) or []),
        role_nouns=_words("roles", "role_nouns"),
        honorifics=_words("roles", "honorifics"),
        outlet_name_words=_words("outlets", "name_words"),
        outlet_nouns=_words("outlets", "nouns"),
        known_outlets=frozenset(normalise_text(w) for w in _words("outlets", "known")),
        exchange_nouns=_words("outlets", "exchange_nouns"),
        addressing_verbs=_words("outlets", "addressing_verbs"),
        # What a source may be by its document or utterance: "the report", "the tweet said",
        # "Drudge Report's headline paints ..." (cues.yaml and source_nouns.yaml).
        document_nouns=_words("cues", "document_nouns") | _words("source_nouns", "speech_nouns"),
        title_roles={
            str(k).lower(): str(v).lower()
            for k, v in (load_vocabulary("roles").get("title_roles") or {}).items()
        },
        role_synonyms={
            str(k).lower(): frozenset(str(w).lower() for w in v)
            for k, v in (load_vocabulary("roles").get("role_synonyms") or {}).items()
        },
        generic_org_nouns=_words("roles", "generic_org_nouns"),
        org_synonyms={
            str(k).lower(): frozenset(str(w).lower() for w in v)
            for k, v in (load_vocabulary("roles").get("org_synonyms") or {}).items()
        },
        filed_documents={
            str(k).lower(): frozenset(str(w).lower() for w in v or [])
            for k, v in (load_vocabulary("source_nouns").get("filed_documents") or {}).items()
        },
        pronoun_genders=_gendered("pronouns"),
        title_genders=_gendered("titles"),
        capitalised_titles=_words("genders", "capitalised_only"),
        first_name_genders=_gendered("first_names"),
        looked_through=_words("source_nouns", "looked_through"),
        person_organisations=_words("source_nouns", "person_organisations"),
        group_nouns=_words("anonymous", "group_nouns") | _words("anonymous", "document_heads"),
        thing_heads=_words("anonymous", "thing_heads"),
    )


# ---------------------------------------------------------------------------------------------
# Entities: the one place that talks to the entity layer.


@dataclass(frozen=True, slots=True)
class Named:
    """A resolved name: canonical form, entity key (None when no entity), label, and where
    this occurrence of it stands in the text."""

    name: str
    key: str | None
    label: str
    start: int
    end: int

    @property
    def identity(self) -> str:
        return self.key or normalise_text(self.name)


def _mentions(doc: Doc) -> list[Mention]:
    """Entity mentions from claimgraph_entities, or plain spaCy entities without it."""
    if Doc.has_extension("cg_mentions") and doc._.cg_mentions is not None:
        return list(doc._.cg_mentions)
    return [Mention(e.start_char, e.end_char, e.text, e.label_, "") for e in doc.ents]


def _named(doc: Doc, mention: Mention) -> Named:
    entities = doc._.cg_entities if Doc.has_extension("cg_entities") else None
    entity = (entities or {}).get(mention.entity_key)
    if entity is not None:
        return Named(entity.name, entity.key, entity.type, mention.start, mention.end)
    return Named(
        mention.text, mention.entity_key or None, mention.label, mention.start, mention.end
    )


def _token_mention(mentions: list[Mention], token: Token) -> Mention | None:
    for mention in mentions:
        if mention.start <= token.idx < mention.end:
            return mention
    return None


def _proper_chain(token: Token) -> list[Token]:
    """The proper-noun name a token ends ("Iskandar Watut"), stopping at organisation words
    so a title run into a name ("... Defense Commission Iskandar Watut") gives the name."""
    # A chain that ends in an organisation word is the organisation's name ("The Media
    # Research Center"): only a person's chain stops at one.
    org_words = frozenset() if token.lower_ in org_head_words() else org_head_words()
    chain = [token]
    current = token
    while current.i > 0:
        left = current.doc[current.i - 1]
        if _name_conjunction(chain, left):
            # "U.S. Citizenship and Immigration Services", "Customs and Border Protection":
            # one name the recogniser missed, not two
            chain.insert(0, left)
            current = left
            continue
        if (
            left.text == "-"
            and not left.whitespace_
            and current.i > 1
            and not left.doc[current.i - 2].whitespace_
            and left.doc[current.i - 2].text.istitle()  # (not glued text: "McCarthyOcasio")
            and left.doc[current.i - 2].text.isalpha()
        ):
            # "Jean-Yves Le Drian": a given name of two halves joined by a hyphen
            chain[0:0] = [left.doc[current.i - 2], left]
            current = left.doc[current.i - 2]
            continue
        # (an acronym the tagger took for a noun is a name's word too: "TV Line reports")
        acronym = (
            left.text.isupper()
            and left.text.isalpha()
            and 2 <= len(left.text) <= 5
            and left.pos_ == "NOUN"
            and not chain[0].text.isupper()  # (not a headline in capitals: "LIKES TAYLOR SWIFT")
        )
        if left.pos_ != "PROPN" and not acronym or left.text in ",()":
            break
        if _NOT_IN_NAME.search(left.text):
            break  # 'laws,\u2034 Pelosi wrote': a quotation's end glued to a word
        if left.ent_type_ in ("DATE", "TIME") or left.lower_ in _MONTHS and not left.ent_type_:
            break  # "A December Quinnipiac poll": a month is no part of the pollster's name
        if left.lower_ in org_words and _person_after_title(chain):
            break  # "... Defense Commission Iskandar Watut"; not "TV Line", "Media Research Center"
        if left.like_url or "/" in left.text or "@" in left.text:
            break  # "pic.twitter.com/x — Sarah Mimms": a link is no part of a name
        chain.insert(0, left)
        current = left
    while len(chain) > 1 and not chain[0].text[:1].isalpha():
        chain.pop(0)
    return chain


def _name_conjunction(chain: list[Token], left: Token) -> bool:
    """Whether an "and" or "&" before a run of proper nouns nobody recognised joins it to the
    proper noun before it into one name ("U.S. Citizenship and Immigration Services"): never
    between names the recogniser knows ("Jay Town and FBI Special Agent ...", "Senate
    Democrats and House Republicans")."""
    if left.lower_ not in ("and", "&") or left.i == 0:
        return False
    before = left.doc[left.i - 1]
    if before.pos_ != "PROPN" or not before.text[:1].isupper() or before.ent_type_:
        return False
    if any(t.ent_type_ or t.pos_ != "PROPN" or not t.text[:1].isupper() for t in chain):
        return False
    if any(t.lower_ in source_vocabulary().first_name_genders for t in (before, *chain)):
        return False
    # "Castillo and Nui were analyzing ...": a word the recogniser calls a person's name
    # elsewhere in the article is that person, one of two
    people = {e[-1].lower_ for e in left.doc.ents if e.label_ == "PERSON"}
    return not any(t.lower_ in people for t in (before, *chain))


# An acronym in the plural ("PACs", "NGOs", "CEOs") names a kind of thing, never one body.
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
# What no word of a name holds: a comma, a colon or a quotation mark glued to it.
_NOT_IN_NAME = re.compile(r"[,;:\"\u201c\u201d\u2033\u2034\u00ab\u00bb]")
_MONTHS = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september"}
    | {"october", "november", "december", "jan.", "feb.", "aug.", "sept.", "oct.", "nov."}
    | {"dec."}
)
# The last words of organisations' names ("Media Research Center", "TV News HQ"): a chain
# ending in one is no person's name a title was run into.
_ORGANISATION_ENDINGS = frozenset(
    {"center", "centre", "hq", "headquarters", "school", "college", "hospital", "project"}
    | {"fund", "trust", "bank", "association", "society", "alliance", "institution"}
    | {"league", "federation", "caucus", "agency"}
    | {"lab", "laboratory", "program", "programme", "initiative", "company", "inc", "llc"}
)


@derived
def _office_words() -> frozenset[str]:
    """roles.yaml `office_words`: "according to the bureau" is the Bureau of Labor Statistics
    named before."""
    return _words("roles", "office_words")


def _org_noun(head: str) -> bool:
    """A description's noun that refers back to an organisation ("the group", "the ministry";
    "the centre", "the project": a noun that ends organisations' names, held by the name)."""
    vocab = source_vocabulary()
    return (
        head in vocab.generic_org_nouns | org_head_words() | _ORGANISATION_ENDINGS
        or head in vocab.org_synonyms
        or head in _office_words()
    )


def _person_after_title(chain: list[Token]) -> bool:
    """Whether the proper nouns after an organisation word read as a person's name run into a
    title ("... Defense Commission Iskandar Watut"), not as the rest of the organisation's own
    name ("TV Line", "TV News HQ", "Media Research Center"): a name the recogniser calls a
    person, or two words or more that end in no organisation word."""
    last = chain[-1]
    if last.ent_type_ == "PERSON":
        return True
    if last.lower_.rstrip(".") in _ORGANISATION_ENDINGS | _INSTITUTION_WORDS:
        return False
    return len(chain) >= 2


def _name_for(doc: Doc, mentions: list[Mention], token: Token) -> Named | None:
    """The speaker name a head token stands for, if it is a name."""
    mention = _token_mention(mentions, token)
    if (
        mention is not None
        and " " not in mention.text
        and token.pos_ in ("ADJ", "VERB", "ADV")
        and not _capitalised_inside(token)
    ):
        return None  # "Overwhelmed with fear, ..." the recogniser took for a person
    if mention is not None and token.pos_ == "NOUN" and token.is_lower:
        return None  # "this centenarian declares": a common noun the recogniser labelled
    if _PLURAL_ACRONYM.fullmatch(token.text):
        return None  # "Two of the largest Democratic super PACs said": a kind, not a name
    if mention is not None and mention.label in ("GPE", "LOC"):
        named = _named(doc, mention)
        if named.name.startswith("The ") and is_outlet_name(named.name):
            # "The Atlantic reported" the recogniser took for the ocean: the known outlet
            return Named(named.name, named.key, "ORG", named.start, named.end)
    if mention is not None and mention.label in ("GPE", "LOC") and _misread_person(mentions, token):
        return _person_from_chain(doc, mentions, _proper_chain(token))
    if (
        mention is not None
        and " " not in mention.text.strip()
        and (not _capitalised_inside(token) and _written_lower(token) or _mostly_lower(token))
    ):
        return None  # "Groups pushing minimum wage increases ...": a word standing first
    if (
        mention is not None
        and mention.label == "ORG"
        and " " not in mention.text.strip()
        and token.lower_ not in org_head_words()
        and not is_outlet_name(_named(doc, mention).name)  # ("according to The Hill")
    ):
        full = _one_full_name(doc, mentions, token)
        if full is not None:
            return full  # "according to Price" after "Polly Price, a professor of law"
    if mention is not None and alias_key(_named(doc, mention).name) in _diseases():
        return None  # "Now COVID-19 has added urgency": a disease speaks for no one
    if mention is not None and _event_or_programme(_named(doc, mention).name):
        return None  # "The Second Intifada and ... retrained", "Medicare covers": no speaker
    if (
        mention is not None
        and mention.label == "ORG"
        and {token.lemma_.lower(), token.lower_} & source_vocabulary().outlet_nouns
        and mention.start <= token.idx < mention.end
        and not any(
            _names_a_medium(t)
            for t in doc.char_span(mention.start, mention.end, alignment_mode="expand") or []
        )
    ):
        return None  # "Local media reported": a kind of medium the recogniser labelled
    if mention is not None and mention.label == "LAW" and _names_a_law(mention.text):
        return None  # "according to the Constitution of New York State": a law says nothing
    if mention is not None and mention.label == "PRODUCT" and is_outlet_name(mention.text):
        named = _named(doc, mention)  # "local news Channel 9 is calling": the channel, whole
        return Named(named.name, named.key, "ORG", named.start, named.end)
    labelled = mention is not None and mention.label not in ("PERSON", "NORP")
    if (
        (labelled and " " not in mention.text.strip() or mention is None and token.pos_ == "NOUN")
        and not _capitalised_inside(token)
        and {token.lemma_.lower(), token.lower_, token.lower_.rstrip("s")} & _common_source_nouns()
    ):
        # "Interviews with more than 20 scientists ... show": a common noun standing first,
        # which the recogniser labelled here or where it stands first again
        return None
    if (
        mention is not None
        and mention.label != "PERSON"
        and _named(doc, mention).label != "PERSON"
        and " " not in mention.text.strip()
        and any(c.dep_ == "det" and c.lower_ in _INDEFINITE for c in token.children)
    ):
        # "some unknown good Samaritan called him": no organisation's name takes "some" or
        # "a" ("a smiling Secretary Shultz" is still the man)
        return None
    if mention is not None and mention.label in SPEAKER_LABELS:
        named = _named(doc, mention)
        if mention.label != "PERSON" and token.lower_ not in org_head_words():
            # A title run into a name: "... Defense Commission Iskandar Watut".
            chain = _proper_chain(token)
            inside = None
            if chain[0].idx > mention.start:
                inside = doc.char_span(mention.start, chain[0].idx, alignment_mode="expand")
            words = [t.lower_ for t in inside] if inside is not None else []
            if len(chain) >= 2 and any(w in org_head_words() for w in words):
                return _person_from_chain(doc, mentions, chain)
        return named
    if token.pos_ == "NOUN" or not token.text[:1].isalpha():
        # The tagger or tokenizer missed a name the article writes elsewhere: "Trump opined"
        # with "Trump" taken for a noun, '"McCaskill praised' glued to a closing quote.
        known = _known_name(doc, mentions, token)
        if known is not None:
            return known
    if token.pos_ == "PROPN" and token.text[:1].isupper():
        if token.ent_type_ in ("DATE", "TIME", "EVENT"):
            return None  # "re-election in November", "Thanksgiving wasn't always ...": no one
        if _party_tag(token):
            return None  # "Bernie Sanders (I-Vt.)": his party and state, nobody of its own
        if is_name_suffix(token.text) and token.i >= 2 and doc[token.i - 1].text == ",":
            # "District Attorney Paul L. Howard, Jr. said": the name before the suffix
            return _name_for(doc, mentions, doc[token.i - 2])
        vocab = source_vocabulary()
        if token.lower_ in vocab.role_nouns:
            return None  # a capitalised title ("Commander of X") is not a name
        if (
            token.lower_.rstrip(".") in vocab.honorifics
            or token.lower_.rstrip(".") in vocab.title_roles  # "The judge, Col. Tara Osborn"
        ) and token.i + 1 < len(doc):
            # "Mr" cut off its name by a source span: the name after it
            after = doc[token.i + 1]
            after = doc[token.i + 2] if after.text == "." and token.i + 2 < len(doc) else after
            return _name_for(doc, mentions, after) if after.pos_ == "PROPN" else None
        chain = _proper_chain(token)
        titled = the_outlet(" ".join(t.text for t in chain))
        first = chain[0].i
        if (
            titled is None
            and first >= 2
            and doc[first - 1].text == "The"
            and doc[first - 2].lower_ in source_vocabulary().outlet_nouns
        ):
            # "Indian website The Wire reported": a medium's title after its kind keeps "The"
            titled = "The " + " ".join(t.text for t in chain)
        if titled is not None and first and doc[first - 1].lower_ == "the":
            # "The Intercept reported" the recogniser missed: the outlet keeps its "The"
            end = chain[-1].idx + len(chain[-1])
            return Named(titled, None, "ORG", doc[first - 1].idx, end)
        cut = _person_cut_off(doc, mentions, chain)
        if cut is not None:
            return cut
        after = doc[chain[-1].i + 1] if chain[-1].i + 1 < len(doc) else None
        if (
            after is not None
            and after.like_num
            and chain[-1].whitespace_
            and chain[-1].lower_ in source_vocabulary().outlet_name_words
        ):
            # "the U.K.'s Channel 4 reported", "Fox 5": a channel's number is its name's
            start, end = chain[0].idx, after.idx + len(after)
            return Named(_clean(doc[chain[0].i : after.i + 1].text), None, "ORG", start, end)
        if any(t.lower_ in ("and", "&") for t in chain):  # an organisation's name, whole
            start, end = chain[0].idx, chain[-1].idx + len(chain[-1])
            name = _clean(doc[chain[0].i : chain[-1].i + 1].text)
            same = _entity_called(doc, mentions, name)
            return same or Named(name, None, "ORG", start, end)
        if (
            len(chain) == 1
            and (not token.ent_type_ or _no_longer_a_name(doc, mentions, token))
            and not _capitalised_inside(token)
        ):
            return None  # "Overwhelmed with fear, ...", "Press reports that ...": a word
        if (
            mention is not None
            and mention.label in ("LOC", "FAC")
            and chain[0].i > 0
            and doc[chain[0].i - 1].lower_ in _BEFORE_PLACES
        ):
            # "the North doesn't really know ...", "the West believes": a place that speaks,
            # never a person "he" refers to, nor "the mayor of Saint-Denis" (a surname the
            # recogniser took for a place takes no "the" nor "of": "Huelskamp told")
            named = _named(doc, mention)
            return Named(named.name, named.key, mention.label, named.start, named.end)
        if _after_name_of(chain):
            # "Bank of America Merrill Lynch said": the name opens before the "of"
            whole = _organisation_name(doc, mentions, token, chain)
            if whole.start < chain[0].idx:
                return whole
        if token.lower_ in org_head_words() | _INSTITUTION_WORDS | _ORGANISATION_ENDINGS:
            whole = _organisation_name(doc, mentions, token, chain)
            if whole.start < chain[0].idx or whole.end > token.idx + len(token):
                return whole  # "U.S. Department of Justice", not "U.S. Department"
            if len(chain) > 1:
                return whole  # "Planned Parenthood Action Fund" the recogniser missed: no person
        return _person_from_chain(doc, mentions, chain)
    return None


def _person_cut_off(doc: Doc, mentions: list[Mention], chain: list[Token]) -> Named | None:
    """The person whose name opens a run of proper nouns the entity layer cut after it: "Joy
    Behar Slams Bolton, Says ..." (a headline's verb, annotate/entities.py) is Joy Behar."""
    first = _token_mention(mentions, chain[0])
    if first is None or first.start != chain[0].idx or first.end >= chain[-1].idx:
        return None
    named = _named(doc, first)
    if named.label != "PERSON" or _token_mention(mentions, chain[-1]) is not None:
        return None
    after = next((t for t in chain if t.idx >= first.end), None)
    if after is None or after.ent_iob_ != "I":
        return None  # only where the recogniser's name went on and the entity layer cut it
    return Named(named.name, named.key, "PERSON", first.start, first.end)


@derived
def _law_words() -> frozenset[str]:
    """data/entity_types.yaml `law_words`."""
    return frozenset(
        str(w).casefold() for w in load_vocabulary("entity_types").get("law_words") or ()
    )


def _names_a_law(name: str) -> bool:
    """A name the recogniser called a law that reads as one ("the Constitution of New York
    State", "the Affordable Care Act"), not a medium it mislabelled ("the Seacoast Online")."""
    return any(w in _law_words() for w in re.findall(r"[a-z]+", name.casefold()))


def _bare_law_word(speaker: Speaker) -> bool:
    """'"[T]he Constitution requires a process"': one word of `law_words` that no entity
    holds and no given name is ("Bill said" stays a person) is a law, which says nothing."""
    name = (speaker.name or "").strip()
    if speaker.key is not None or " " in name or not name[:1].isupper():
        return False
    word = name.casefold()
    return word in _law_words() and word not in source_vocabulary().first_name_genders


def _names_a_medium(token: Token) -> bool:
    """Whether a word of a medium's phrase names it: a proper noun, but not a people or a
    place ("Latin American news outlets"), a stance ("the anti-Trump press") or a word
    capitalised only by standing first ("Local media reported")."""
    if token.pos_ != "PROPN" or token.ent_type_ in ("GPE", "LOC"):
        return False
    doc = token.doc
    if token.ent_type_ == "NORP":
        # a people's adjective ("Latin American", "Palestinian"), not a name the recogniser
        # called one ("Yonhap news agency")
        ent = next((e for e in doc.ents if e.start <= token.i < e.end), None)
        words = [t.lower_ for t in ent] if ent is not None else [token.lower_]
        if any(_DEMONYM.search(w) for w in words):
            return False
    if token.i >= 2 and doc[token.i - 1].text == "-" and doc[token.i - 2].lower_ in _STANCES:
        return False
    return not (token.is_sent_start and not token.ent_type_ and not _capitalised_inside(token))


_STANCES = frozenset({"anti", "pro", "non"})
_DEMONYM = re.compile(r"(?:an|ese|ish|i|ic|ch|ss|ite|ar)s?$")


def _described_person(
    doc: Doc, mentions: list[Mention], head: Token, phrase: tuple[int, int]
) -> Named | None:
    """The person a description is put beside: "Another Birchwood Cafe regular, masonry
    contractor Carl Kurtz, 62, said" is Carl Kurtz, not the cafe the parse heads the phrase
    with; "One of Biden's top allies, Jim Clyburn, said" is Clyburn, not an unnamed ally. Only
    where the words before the comma end in a common noun (a description, not a name) and a
    full name stands in apposition after it."""
    comma = next((t for t in doc[head.i : head.i + 12] if t.text == ","), None)
    if comma is None or comma.idx >= phrase[1] or comma.i == 0:
        return None
    last = doc[comma.i - 1]
    if not last.is_lower or last.pos_ not in ("NOUN", "ADJ") or last.idx < phrase[0]:
        return None
    # the apposition hangs on the head or, past a quantifier ("One of Biden's top allies,
    # Jim Clyburn"), on what the phrase opens with
    owners = [head, *(t for t in head.ancestors if phrase[0] <= t.idx < phrase[1])]
    for child in (c for owner in owners for c in owner.children):
        if child.dep_ != "appos" or child.idx < comma.idx or child.idx >= phrase[1]:
            continue
        named = _name_for(doc, mentions, child)
        if named is not None and named.label == "PERSON" and len(named.name.split()) >= 2:
            return named
    return None


def _person_after_title_run(
    doc: Doc, mentions: list[Mention], head: Token, phrase: tuple[int, int]
) -> Named | None:
    """ "FBI Special Agent in Charge Johnnie Sharp Jr. said": a capitalised title whose phrase
    ends in a person's name is that person ('FBI Special Agent' was the speaker). Only where
    every word between the title's head and the name is written as a title's ("in Charge"),
    so "a lawyer for Michael Cohen" stays the lawyer."""
    if head.pos_ != "PROPN" or not head.text[:1].isupper():
        return None
    own = [head, *(t for c in head.rights if c.dep_ not in ("conj", "cc") for t in c.subtree)]
    last = max(own, key=lambda t: t.i)
    while last.i > head.i and last.is_punct:
        last = doc[last.i - 1]
    person = next(
        (
            m
            for m in mentions
            if head.idx + len(head) < m.start <= last.idx < m.end
            and m.start < phrase[1]
            and _named(doc, m).label == "PERSON"
        ),
        None,
    )
    if person is None:
        return None
    between = doc.char_span(head.idx + len(head), person.start, alignment_mode="contract")
    if between is None or not all(
        t.text[:1].isupper() or t.lower_ in ("of", "in", "for", "the") for t in between
    ):
        return None
    return _named(doc, person)


def _no_longer_a_name(doc: Doc, mentions: list[Mention], token: Token) -> bool:
    """A one-word name of the recogniser's that the entity layer dropped as an ordinary word
    ("'Nuff said", "Suffice to say": annotate/entities.py) is no name here either."""
    if not Doc.has_extension("cg_mentions") or doc._.cg_mentions is None:
        return False
    if token.ent_iob_ != "B" or (token.i + 1 < len(doc) and doc[token.i + 1].ent_iob_ == "I"):
        return False
    return token.ent_type_ in ("PERSON", "ORG") and _token_mention(mentions, token) is None


def _one_full_name(doc: Doc, mentions: list[Mention], token: Token) -> Named | None:
    """The one person's full name elsewhere in the article that ends in this word, which the
    recogniser took for an organisation here ("according to Price" after "Polly Price, a
    professor of law"): a person's entity, or two or three capitalised words opening with a
    known given name. None when two people share the surname ("Melissa DeRosa", "Giorgio
    DeRosa") or the longer name is an institution's ("the Court": "Supreme Court")."""
    vocab = source_vocabulary()
    titles = vocab.role_nouns | vocab.honorifics | vocab.title_roles.keys()
    institutions = org_head_words() | _INSTITUTION_WORDS | standalone_org_words()
    found: dict[str, Named] = {}
    for other in _written_as(doc, token.lower_):
        if other.i == token.i:
            continue
        chain = _proper_chain(other)
        titled = [k for k, t in enumerate(chain[:-1]) if t.lower_.rstrip(".") in titles]
        chain = chain[titled[-1] + 1 :] if titled else chain
        words = [t.text for t in chain]
        if len(words) < 2 or {w.lower() for w in words} & institutions:
            continue
        mention = _token_mention(mentions, other)
        named = _named(doc, mention) if mention is not None else None
        if named is not None and named.label == "PERSON" and named.key:
            found[named.identity] = named
        elif (
            len(words) <= 3
            and words[0].lower() in vocab.first_name_genders
            and all(w[:1].isupper() and w[1:].isalpha() for w in words)
        ):
            name = " ".join(words)
            found[normalise_text(name)] = Named(name, None, "PERSON", 0, 0)
    if len(found) != 1:
        return None
    named = next(iter(found.values()))
    return Named(named.name, named.key, "PERSON", token.idx, token.idx + len(token))


@derived
def _diseases() -> frozenset[str]:
    """data/entity_types.yaml `diseases`, as alias keys."""
    return frozenset(
        alias_key(str(w)) for w in load_vocabulary("entity_types").get("diseases") or []
    )


def _event_or_programme(name: str) -> bool:
    """An event ("the Second Intifada", "the Great Recession") or a public programme or plan
    ("Medicare", "the Green New Deal") the recogniser labels an organisation or a person:
    never a speaker, nor what "the company" or "the group" refers to (data/entity_types.yaml
    `event_heads`, the last word of the name, and `programmes`, the whole name)."""
    words = re.findall(r"[a-z]+", name.casefold())
    heads, programmes = _events_and_programmes()
    return bool(words) and words[-1] in heads or alias_key(name) in programmes


@derived
def _events_and_programmes() -> tuple[frozenset[str], frozenset[str]]:
    """data/entity_types.yaml `event_heads` (words) and `programmes` (alias keys)."""
    vocab = load_vocabulary("entity_types")
    return (
        frozenset(str(w).casefold() for w in vocab.get("event_heads") or ()),
        frozenset(alias_key(str(w)) for w in vocab.get("programmes") or ()),
    )


def _common_source_nouns() -> frozenset[str]:
    """Common nouns of sources (documents, speech, unnamed sources, groups, roles): one of them
    capitalised only by standing first is no name."""
    vocab = source_vocabulary()
    return (
        vocab.document_nouns
        | vocab.anonymous_heads
        | vocab.group_nouns
        | vocab.role_nouns
        | vocab.exchange_nouns
    )


def _misread_person(mentions: list[Mention], token: Token) -> bool:
    """A person's surname the recogniser took for a place: "Amesh Adalja, a senior scholar
    at ..." (a capitalised word before it, outside any entity, that is a known given name,
    or an apposition after it that describes no place)."""
    chain = _proper_chain(token)
    mention = _token_mention(mentions, token)
    if len(chain) < 2 or mention is None or chain[0].idx >= mention.start:
        return False
    if any(_token_mention(mentions, t) is not None for t in chain if t.idx < mention.start):
        return False
    vocab = source_vocabulary()
    given = chain[0].lower_ in vocab.first_name_genders
    described = any(
        c.dep_ == "appos" and c.pos_ == "NOUN" and c.lemma_.lower() not in _PLACE_NOUNS
        for c in token.children
    )
    return given or described


# What a place is described as ("Waskom, a small town"): a description that is no person's.
_PLACE_NOUNS = frozenset(
    {"town", "city", "state", "county", "village", "country", "region", "province", "district"}
    | {"suburb", "community", "capital", "island", "nation", "area", "neighborhood", "borough"}
)


def _organisation_name(
    doc: Doc, mentions: list[Mention], token: Token, chain: list[Token]
) -> Named:
    """An organisation the recogniser missed, named whole: "the U.S. Department of Justice"
    (its "of" part), "The Hennepin County Attorney's Office" (its owner), never cut to "U.S.
    Department" or "Office"."""
    start, end = chain[0].idx, token.idx + len(token)
    owners = [c for c in token.children if c.dep_ == "poss" and c.pos_ == "PROPN"]
    if owners and owners[0].ent_type_ != "PERSON" and chain[0].i == token.i:
        start = _proper_chain(owners[0])[0].idx
    k = chain[0].i
    if not owners and _after_name_of(chain):
        # "Bank of America Merrill Lynch said": the parse's subject starts after the "of";
        # the name starts at the proper nouns before it (not at a title: "President of")
        k -= 2
        while k and _head_of_name(doc[k - 1]):
            k -= 1
        start = doc[k].idx
    i = token.i + 1
    while i + 1 < len(doc) and doc[i].lower_ in ("of", "for") and doc[i + 1].pos_ == "PROPN":
        j = i + 1
        while j < len(doc) and (
            doc[j].pos_ == "PROPN"
            or doc[j].lower_ == "and"
            and j + 1 < len(doc)
            and doc[j + 1].pos_ == "PROPN"
        ):
            j += 1
        end, i = doc[j - 1].idx + len(doc[j - 1]), j
    name = _clean(doc_text(doc)[start:end])
    same = _entity_called(doc, mentions, name)
    if same is not None:
        return Named(same.name, same.key, same.label, start, end)
    return Named(name, None, "ORG", start, end)


def _party_tag(token: Token) -> bool:
    """A word of a member's party and state ("D-West Virginia", "I-Vt."): the state after a
    party letter and a dash, or the letter before one."""
    doc, i = token.doc, token.i
    if i >= 2 and doc[i - 1].text in ("-", "\u2013") and doc[i - 2].text in ("D", "R", "I"):
        return True
    return token.text in ("D", "R", "I") and i + 1 < len(doc) and doc[i + 1].text in ("-", "\u2013")


def _after_name_of(chain: list[Token]) -> bool:
    """Whether a chain of proper nouns with no title or person in it follows "<Name> of"
    ("America Merrill Lynch" of "Bank of America Merrill Lynch")."""
    k, doc = chain[0].i, chain[0].doc
    if k < 2 or doc[k - 1].lower_ != "of" or not _head_of_name(doc[k - 2]):
        return False
    vocab = source_vocabulary()
    titles = vocab.role_nouns | vocab.honorifics | vocab.title_roles.keys()
    return not any(t.lower_.rstrip(".") in titles or t.ent_type_ == "PERSON" for t in chain)


def _head_of_name(token: Token) -> bool:
    """A capitalised proper noun that may open an organisation's name ("Bank" of "Bank of
    America"), not a title or honorific ("President of ...")."""
    roles = _words("roles", "role_nouns") | _words("roles", "honorifics")
    return (
        token.pos_ == "PROPN"
        and token.text[:1].isupper()
        and token.lower_ not in roles
        and token.ent_type_ not in ("PERSON", "GPE")
    )


def _written_as(doc: Doc, lower: str) -> list[Token]:
    """The document's tokens whose lower-case form is `lower`, in order: several speaker tests
    look a word up across the whole article, and a scan of every token per candidate cost a
    tenth of the annotators' time (an index built once a document, like `cg_word_counts`)."""
    index = doc.user_data.get("cg_lower_index")
    if index is None:
        index = {}
        for t in doc:
            index.setdefault(t.lower_, []).append(t.i)
        doc.user_data["cg_lower_index"] = index
    return [doc[i] for i in index.get(lower, ())]


def _written_lower(token: Token) -> bool:
    """Whether the article writes this word in lower case elsewhere, as a common word."""
    return any(
        t.text == token.lower_ and t.pos_ != "PROPN" for t in _written_as(token.doc, token.lower_)
    )


def _mostly_lower(token: Token) -> bool:
    """A word the article writes in lower case three times at least and three times as often
    as capitalised inside a sentence ("Treason is so narrowly defined" in a piece on treason
    that quotes a tweet's "Arrest for Treason?"): a common word, whatever one quotation does."""
    if not token.text[:1].isupper() or token.text.isupper():
        return False
    counts = token.doc.user_data.get("cg_word_counts")
    if counts is None:  # (once per document: lower-case common words, capitals inside)
        counts = Counter()
        for t in token.doc:
            if t.pos_ != "PROPN" and t.text.islower():
                counts[("lower", t.text)] += 1
            elif not t.is_sent_start:
                counts[("inside", t.text)] += 1
        token.doc.user_data["cg_word_counts"] = counts
    lower, upper = counts[("lower", token.lower_)], counts[("inside", token.text)]
    return lower >= 3 and lower >= 3 * upper


def _capitalised_inside(token: Token) -> bool:
    """Whether a capitalised word is a name by its writing: it stands inside a sentence
    here, or somewhere in the document, rather than capitalised only by standing first."""

    def inside(t: Token) -> bool:
        if t.is_sent_start or t.i == 0 or t.doc[t.i - 1].text[-1:] in "\n\"'\u201c:":
            return False
        # nor the first word of a picture's caption ("Image caption Protesters attacked")
        before = t.doc[max(0, t.i - 8) : t.i].text.rstrip()  # (a span: Doc.text is rebuilt)
        return not any(m.end() == len(before) for m in caption_markers().finditer(before))

    if inside(token):
        return True
    return any(
        t.text == token.text and t.i != token.i and inside(t)
        for t in _written_as(token.doc, token.lower_)
    )


def _known_name(doc: Doc, mentions: list[Mention], token: Token) -> Named | None:
    """The one person or organisation of the article whose name ends in this capitalised
    word (its punctuation aside), or None."""
    bare = token.text.strip(_EDGE + "\"'\u201c\u201d\u2018\u2019([")
    if not bare[:1].isupper() or token.ent_type_ in _NOT_SOURCES:
        return None
    key = alias_key(bare)
    found = {}
    for mention in mentions:
        if mention.label not in ("PERSON", "ORG") or not mention.entity_key:
            continue
        words = mention.text.split()
        if words and alias_key(words[-1]) == key:
            found.setdefault(mention.entity_key, mention)
    if not found:  # "Dennis insists" after "Dennis Prager": the one person with that first name
        for mention in mentions:
            words = mention.text.split()
            if mention.label == "PERSON" and len(words) >= 2 and alias_key(words[0]) == key:
                found.setdefault(mention.entity_key or "", mention)
    if len(found) != 1:
        return None
    named = _named(doc, next(iter(found.values())))
    start = token.idx + token.text.index(bare)
    return Named(named.name, named.key, named.label, start, start + len(bare))


def _person_from_chain(doc: Doc, mentions: list[Mention], chain: list[Token]) -> Named:
    vocab = source_vocabulary()
    titles = vocab.role_nouns | vocab.honorifics | vocab.title_roles.keys()
    titled = [k for k, t in enumerate(chain[:-1]) if t.lower_.rstrip(".") in titles]
    if titled:  # "Governor Walker" signing a post is Walker; "Police Chief Medaria Arradondo"
        chain = chain[titled[-1] + 1 :]
    chain = chain[lead_before_name([t.text for t in chain]) :]
    start, end = chain[0].idx, chain[-1].idx + len(chain[-1])
    full = _surname_match(doc, mentions, chain)
    if full is not None:
        return Named(full.name, full.key, full.label, start, end)
    known = _known_name(doc, mentions, chain[-1]) if len(chain) == 1 else None
    if known is not None:  # "Whether Trump had ..." the recogniser missed: its "Trump"
        return known
    if len(chain) == 1 and not _surname_of_person(mentions, Named(chain[0].text, None, "", 0, 0)):
        full = well_known_name(chain[0].text)  # "— Governor Walker (@GovWalker)"
        if full is not None:
            return Named(full, None, "PERSON", start, end)
    name = "".join(t.text_with_ws for t in chain[:-1]) + chain[-1].text  # ("Jean-Yves")
    return _person_entity(doc, mentions, " ".join(name.split()), start, end)


def _surname_match(doc: Doc, mentions: list[Mention], chain: list[Token]) -> Named | None:
    """'Watut' when NER missed it: the longer name ending in the same words elsewhere."""
    surname = [t.lower_ for t in chain]
    best: list[Token] = []
    for token in doc:
        if token.lower_ != surname[-1] or token.i == chain[-1].i:
            continue
        candidate = _proper_chain(token)
        if (
            len(candidate) > len(best)
            and [t.lower_ for t in candidate[-len(surname) :]] == surname
            and is_name_text(" ".join(t.text for t in candidate))  # not share-button text
        ):
            best = candidate
    vocab = source_vocabulary()
    titles = vocab.role_nouns | vocab.honorifics | vocab.title_roles.keys()
    while len(best) > 1 and best[0].lower_.rstrip(".") in titles:
        best = best[1:]  # "Sen. Jeff Flake" is Jeff Flake
    if len(best) <= len(chain):
        return None
    mention = _token_mention(mentions, best[-1])
    if mention is not None and (
        mention.label == "PERSON" or _named(doc, mention).label == "PERSON"
    ):
        return _named(doc, mention)  # the person's entity, though this mention reads ORG
    named = _named(doc, mention) if mention is not None else None
    words = named.name.lower().split() if named is not None else []
    if (
        named is not None
        and len(chain) < len(words) < min(4, len(best))
        and words[-len(surname) :] == surname
    ):
        # the entity layer's name for that mention, not the words run into it ("Secretary of
        # Agriculture Sonny Perdue" is Sonny Perdue, though the recogniser calls him an ORG)
        return named
    start, end = best[0].idx, best[-1].idx + len(best[-1])
    return _person_entity(doc, mentions, " ".join(t.text for t in best), start, end)


def _entity_called(doc: Doc, mentions: list[Mention], name: str) -> Named | None:
    """The article's entity of a speaker's kind whose canonical name is this name."""
    key = alias_key(name)
    for mention in mentions:
        found = _named(doc, mention)
        if found.key and found.label in SPEAKER_LABELS and alias_key(found.name) == key:
            return found
    return None


def _person_entity(doc: Doc, mentions: list[Mention], name: str, start: int, end: int) -> Named:
    """A person's name the recogniser missed here but not everywhere: its entity's, so one
    person stays one speaker ("Committee Chair Adam Schiff" beside "Adam Schiff")."""
    key = alias_key(name)
    for mention in mentions:
        found = _named(doc, mention)
        if found.label == "PERSON" and found.key and alias_key(found.name) == key:
            return Named(found.name, found.key, "PERSON", start, end)
    return Named(name, None, "PERSON", start, end)


_TITLE_POS = frozenset({"NOUN", "PROPN", "ADJ", "ADP", "DET", "PART", "NUM", "CCONJ"})


def title_before(doc: Doc, name_start: int) -> str | None:
    """A title standing right before a name ("Senator", "member of X's politburo",
    "Hashd commander"): the words back to the clause boundary, if one is a role noun."""
    vocab = source_vocabulary()
    first = doc.char_span(name_start, name_start + 1, alignment_mode="expand")
    if first is None:
        return None
    i = first.start
    while i > 0:
        token = doc[i - 1]
        if "\n" in token.text_with_ws or token.ent_type_ == "PERSON":
            break
        if token.pos_ not in _TITLE_POS and token.text not in "()\u2019'-":
            break
        i -= 1
    words = doc[i : first.start]
    if len(words) and words[-1].pos_ == "ADP":
        return None  # "the communications director of Clinton's campaign": not Clinton's title
    if not any(
        t.lower_ in vocab.role_nouns
        or t.lemma_.lower() in vocab.role_nouns
        or t.lower_.rstrip(".") in vocab.title_roles  # "Sen.", "Gov."
        for t in words
    ):
        return None
    return _clean(words.text) or None


# ---------------------------------------------------------------------------------------------
# Source phrases


@dataclass(slots=True)
class Speaker:
    """What a source phrase resolved to; copied to back-references."""

    name: str | None = None
    key: str | None = None
    label: str | None = None  # PERSON/ORG/... for names; None for descriptions
    anonymous: bool = False
    description: str | None = None
    role: str | None = None
    head: str | None = None  # head noun lemma of a description ("official", "report")
    plural: bool = False
    outlet: bool = False
    title_only: bool = False  # "A leader of X" without a name
    definite: bool = False  # "the official": may refer back to an earlier unnamed source
    via: list[str] = field(default_factory=list)

    @property
    def identity(self) -> str | None:
        if self.anonymous or not self.name:
            return None
        return self.key or normalise_text(self.name)


def _span_text(doc: Doc, span: tuple[int, int]) -> str:
    """The text of a character span, read from its tokens (Doc.text is rebuilt per access)."""
    tokens = doc.char_span(span[0], span[1], alignment_mode="expand")
    return tokens.text if tokens is not None else ""


def _clean(text: str) -> str:
    """Collapse whitespace, drop edge punctuation and unbalanced edge brackets."""
    text = re.sub(r"\s+", " ", text.strip(_EDGE)).strip()
    # a phrase cut after a conjunction ("Lawmakers and"), or opened by a sentence adverb
    # ("Specifically, people"): neither is part of who spoke
    text = re.sub(r"(?:\s+(?:and|or|but|&))+$", "", text)
    # a phrase cut before its relative clause ("voters who", "Networks that"), or after a
    # possessive ("the candidates\u2019"): who spoke is the noun before it
    text = re.sub(r"(?<=\w)\s+(?:who|whom|that|which)$|(?<=s)['\u2019]$", "", text)
    text = re.sub(r"^[A-Z][a-z]+ly,\s+", "", text)
    # ("But others", "And critics": a sentence's conjunction, no part of who spoke)
    text = re.sub(r"^(?:But|And|Yet|So)\s+(?=[a-z])", "", text)
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].strip(_EDGE)
    while text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:].strip(_EDGE)
    while text.endswith("(") or text.startswith(")"):  # ("the producers (")
        text = text.strip("()").strip(_EDGE)
    # a quotation mark opened before the phrase and closed after it ("\u201cTrump\u2019s
    # defenders say ...")
    if text[:1] in '"\u201c' and not any(q in text[1:] for q in '"\u201d'):
        text = text[1:].strip(_EDGE)
    if text[-1:] in '"\u201d' and not any(q in text[:-1] for q in '"\u201c'):
        text = text[:-1].strip(_EDGE)
    return text


def _strip_determiner(text: str) -> str:
    return _DETERMINER.sub("", _clean(text))


def _phrase_head(token: Token, vocab: SourceVocabulary) -> Token:
    """Look through quantifiers: 'a number of eyewitnesses' is headed by 'eyewitnesses'."""
    through = vocab.quantifiers | vocab.looked_through
    for _ in range(3):
        if token.lower_ not in through and token.lemma_.lower() not in through:
            return token
        objects = [g for c in token.children if c.lower_ == "of" for g in c.children]
        if not objects:
            return token
        token = objects[0]
    return token


def _is_plural(token: Token) -> bool:
    return token.tag_ in ("NNS", "NNPS") or token.lower_ in ("police", "they", "them", "we")


def _role_of(doc: Doc, head: Token, named: Named, phrase: tuple[int, int]) -> str | None:
    """A title before the name ("Senator", "member of X politburo") or an apposition after
    it ("Abu Mahdi al-Muhandis, the PMU's second-in-command,")."""
    parts = []
    if phrase[0] < named.start and _reads_as_role(doc, phrase[0], named.start):
        parts.append(_clean(_span_text(doc, (phrase[0], named.start))))
    for child in head.children:
        if child.dep_ == "appos" and child.idx >= named.end and not _token_is_name(child):
            start, end = child.left_edge.idx, child.right_edge.idx + len(child.right_edge)
            if _reads_as_role(doc, start, end):
                parts.append(_clean(_span_text(doc, (start, end))))
    return "; ".join(p for p in parts if p) or None


def _reads_as_role(doc: Doc, start: int, end: int) -> bool:
    """A role has a common noun or a title in it: not just "the" or "Iraq's"."""
    vocab = source_vocabulary()
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None:
        return False
    words = [t for t in span if not t.is_punct]
    if words and all(
        t.lower_.rstrip(".") + "." in vocab.honorifics or t.lower_ in vocab.honorifics
        for t in words
    ):
        return False
    return any(
        t.pos_ == "NOUN"
        or t.lower_ in vocab.role_nouns
        or t.lower_.rstrip(".") in vocab.title_roles
        for t in words
    )


def _titled_name(doc: Doc, mentions: list[Mention], head: Token) -> Speaker | None:
    """'member of X's Defense Commission Iskandar Watut': a title whose phrase ends in a
    person's name is that person, with the title as role."""
    last = head.right_edge
    while last.i > head.i and last.is_punct:
        last = doc[last.i - 1]
    if last.pos_ != "PROPN" or last.i == head.i or last.lower_ in org_head_words():
        return None
    named = _name_for(doc, mentions, last)
    if named is None or named.label != "PERSON":
        return None
    role = _clean(doc[head.left_edge.i : last.i + 1].text[: named.start - head.left_edge.idx])
    return Speaker(
        name=named.name,
        key=named.key,
        label=named.label,
        role=role or None,
        description=_clean(doc[head.left_edge.i : last.i + 1].text),
    )


def _serves_another(mentions: list[Mention], head: Token) -> bool:
    """ "a spokesman for Senator X", "an adviser to the Y Department": a role held for someone
    the phrase names, by a person it does not name."""
    if any(c.dep_ in ("compound", "appos") and c.ent_type_ == "PERSON" for c in head.children):
        return False
    return any(
        c.dep_ == "prep"
        and c.lower_ in ("for", "to")
        and any(_served(mentions, g) for g in c.children)
        for c in head.children
    )


def _served(mentions: list[Mention], token: Token) -> bool:
    """A person or an organisation a role is held for ("for ... Chairman Chuck Grassley", "for
    Rhode Island's Department of Labor"); not a place, and not the place before the holder's
    name ("envoy to Ukraine Kurt Volker", "representative for Iran Brian Hook")."""
    if token.dep_ != "pobj" or token.pos_ != "PROPN":
        return False
    mention = _token_mention(mentions, token)
    doc = token.doc
    vocab = source_vocabulary()
    titles = vocab.role_nouns | vocab.title_roles.keys() | vocab.honorifics
    if mention is not None and _named(doc, mention).label == "PERSON":
        if mention.start <= token.left_edge.idx:
            return True  # "a spokesman for Nunes"
        before = doc.char_span(token.left_edge.idx, mention.start, alignment_mode="contract")
        return any(t.lower_.rstrip(".") in titles for t in before or [])
    chain = _proper_chain(token)
    if (
        len(chain) >= 3
        and chain[-2].lower_ in vocab.first_name_genders
        and not any(t.lower_.rstrip(".") in titles for t in chain)
    ):
        return False  # "to Ukraine Kurt Volker" the recogniser took whole for an organisation
    return token.ent_type_ in ("PERSON", "ORG", "")


def _core_phrase(
    head: Token, start: int | None = None, *, conjuncts: bool = True, clauses: bool = True
) -> str:
    """A noun phrase without what follows its first comma ('A leader of X (PMU)', not
    '..., better known as Y'); from `start` (a character offset) on when given, where the
    parse hangs words before the source phrase on its head; without its conjuncts when
    `conjuncts` is false ("US forces and their European allies" is named "US forces"), nor
    its clauses when `clauses` is false (a name: "Syrian Kurdish forces who control ...")."""
    last = head
    for child in head.rights:
        if child.text == "," or not conjuncts and child.dep_ in ("cc", "conj"):
            break
        if not clauses and child.dep_ in ("relcl", "acl"):
            break
        last = max(last, child.right_edge, key=lambda t: t.i)
    first = head.left_edge.i
    while start is not None and first < head.i and head.doc[first].idx < start:
        first += 1
    return _clean(head.doc[first : last.i + 1].text)


def _token_is_name(token: Token) -> bool:
    return token.pos_ == "PROPN" and token.ent_type_ == "PERSON"


def _pronoun_kind(token: Token) -> str | None:
    lower = token.lower_
    if lower in _RELATIVE_PRONOUNS and token.tag_ in ("WP", "WDT"):
        return "relative"
    if token.pos_ != "PRON":
        return None
    if lower in _DEFINITE:
        return "demonstrative"
    if lower in _PERSON_PRONOUNS:
        return "person"
    if lower in _GROUP_PRONOUNS:
        return "group"
    if lower in _THING_PRONOUNS:
        return "thing"
    return None


def _expletive(token: Token) -> bool:
    """ "It" that stands for a clause ("It's not difficult to imagine how ...", "it is clear
    that ..."), not for an organisation or a document."""
    if token.lower_ != "it":
        return False
    if token.dep_ == "expl":
        return True
    verb = token.head
    if token.dep_ != "nsubj" or (verb.lemma_ != "be" and verb.lower_ not in ("'s", "\u2019s")):
        return False  # ("It\u2019s": the lemmatiser leaves the curly contraction alone)
    complements = [c for c in verb.children if c.dep_ in ("acomp", "attr")]
    clauses = [
        c
        for head in (verb, *complements)
        for c in head.children
        if c.dep_ in ("xcomp", "ccomp", "csubj")
    ]
    return bool(complements and clauses)


# A court case named as a source ("Fleming v. Macomb"): a title, not a speaker.
_CASE_NAME = re.compile(r"\b[A-Z][\w.'’-]*\s+v(?:s)?\.\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*")
_MINOR_TITLE_WORDS = frozenset({"a", "an", "the", "of", "and", "or", "in", "on", "to", "for"})
_NOT_QUANTIFIED = frozenset({"all", "only", "every", "just", "everyone", "many", "everybody"})
# Prepositions of place: "in Michigan created a sense of ..." names where, not who. The
# second set governs places only, never the members of a body ("Democrats on the committee").
_ONLY_PLACE_PREPOSITIONS = frozenset(
    {"inside", "near", "across", "throughout", "within", "outside"}
)
_PLACE_PREPOSITIONS = frozenset({"in", "at", "on"}) | _ONLY_PLACE_PREPOSITIONS


def _no_source(root: Token, head: Token, phrase: tuple[int, int]) -> bool:
    """A phrase that names no source whatever its words: a negated one ("the U.S. and the
    Taliban -- but not the Afghan government -- signed"), a piece of the title of a work that
    runs on past it ("Faking It: The Lies Women Tell About Sex" read as "The Lies Women ...
    Tell"), or a place a preposition governs ("in Michigan created a sense of ...")."""
    negations = [c for c in (*head.children, *root.children) if c.lower_ in ("not", "n't")]
    doc = root.doc
    if any(c.i + 1 < len(doc) and doc[c.i + 1].lower_ not in _NOT_QUANTIFIED for c in negations):
        return True  # ("not all experts agree" is some experts)
    for ent in doc.ents:
        if ent.label_ == "WORK_OF_ART" and ent.start <= root.i < ent.end:
            # two words or more of the title after the phrase, written as a title ("Abrams
            # explained", "Reade told Halper": a name and its cue the recogniser ran together)
            after = [t for t in ent if t.idx >= phrase[1] and t.is_alpha]
            # (or the one noun the phrase's word modifies: "The Tennessee Promise ... is
            # often looked to" cut to "Tennessee")
            head_noun = (
                len(after) == 1
                and root.dep_ == "compound"
                and root.head.i == after[0].i
                and after[0].pos_ in ("PROPN", "NOUN")
            )
            return (len(after) >= 2 or head_noun) and all(
                t.text[:1].isupper() or t.lower_ in _MINOR_TITLE_WORDS for t in after
            )
    preposition = root.head
    if root.dep_ != "pobj" or preposition.lower_ not in _PLACE_PREPOSITIONS:
        return False
    if "\n" in doc_text(doc)[preposition.idx : root.idx]:
        return False  # a parse across a heading ("... in 23 square miles\n\nNew York argues")
    if (
        preposition.idx < phrase[0]
        and preposition.head.pos_ in ("NOUN", "PROPN", "VERB")
        and root.ent_type_ not in ("PERSON", "NORP")
    ):
        # "Tech's day of reckoning on Capitol Hill started with ...": a source span cut to the
        # place inside a phrase about something else names no source
        return True
    if preposition.lower_ in _ONLY_PLACE_PREPOSITIONS:
        # "the men locked inside the Otay Mesa Detention Center want": the men, not the
        # centre; a person the parse hung on one stays
        return root.ent_type_ not in ("PERSON", "NORP")
    # "in", "at", "on" govern members too ("Democrats on the committee are coming from"):
    # only a place, or a phrase that opens with the preposition
    return root.ent_type_ in ("GPE", "LOC", "FAC") or preposition.idx == phrase[0]


_APPOSITION_MARKS = (",", "--", "\u2014", "\u2013")


def _leading_person(
    doc: Doc, mentions: list[Mention], root: Token, phrase: tuple[int, int]
) -> Speaker | None:
    """ "Jason Furman, economic policy professor at Harvard University and former chair of the
    Council of Economic Advisers, warned": the person the phrase opens with, whatever head the
    parse gave it (here "chair", so that the council spoke). Only one person in the phrase."""
    people = [
        m for m in mentions if phrase[0] <= m.start < phrase[1] and _named(doc, m).label == "PERSON"
    ]
    if len(people) != 1 or people[0].start != phrase[0] or root.idx < people[0].end:
        return None
    # (a dash sets the description off too: "Whitus -- the first SWAT officer to enter ...")
    if not doc_text(doc)[people[0].end : phrase[1]].lstrip().startswith(_APPOSITION_MARKS):
        return None
    named = _named(doc, people[0])
    role = _clean(doc_text(doc)[people[0].end : phrase[1]].strip().lstrip("-\u2014\u2013 "))
    return Speaker(
        name=named.name,
        key=named.key,
        label="PERSON",
        role=role or None,
        description=_clean(doc_text(doc)[phrase[0] : phrase[1]]),
    )


_CLAUSE_AFTER_NAME = re.compile(r"\s*,\s*(?:which|who|whose)\b", re.IGNORECASE)


def _named_before_clause(
    doc: Doc, mentions: list[Mention], root: Token, phrase: tuple[int, int]
) -> Speaker | None:
    """ "The SDF, which holds thousands of IS fighters ..., has warned": the name the phrase
    opens with, before its relative clause, whatever word of the clause the parse made the
    head ("IS")."""
    text = doc_text(doc)
    first = next(
        (
            m
            for m in mentions
            if phrase[0] <= m.start < phrase[1]
            and text[phrase[0] : m.start].strip().lower() in ("", "the")
        ),
        None,
    )
    if first is None or root.idx < first.end or not _CLAUSE_AFTER_NAME.match(text, first.end):
        return None
    named = _named(doc, first)
    if named.label not in SPEAKER_LABELS:
        return None
    return Speaker(
        name=named.name,
        key=named.key,
        label=named.label,
        description=_clean(text[phrase[0] : phrase[1]]),
        plural=named.label != "PERSON",
        outlet=named.label == "ORG" and is_outlet_name(named.name),
    )


def _in_proper_name(token: Token) -> bool:
    """A word of a proper name: capitalised, or a short word names hold between capitalised
    ones ("Citizens for Responsibility and Ethics in Washington")."""
    if token.pos_ == "PROPN" and token.text[:1].isupper():
        return True
    return token.lower_ in ("of", "for", "and", "in", "on", "the", "&")


def _organisation_called(
    doc: Doc, mentions: list[Mention], head: Token, phrase: tuple[int, int]
) -> Speaker | None:
    """ "The progressive group Justice Democrats", "the research organization Conflict
    Armament Research": a description that names itself, by the proper nouns that end the
    phrase right after its organisation noun. The name is the speaker, never an earlier
    organisation the description would otherwise go back to."""
    vocab = source_vocabulary()
    words = {head.lower_, head.lemma_.lower()}
    if not words & (vocab.generic_org_nouns | org_head_words() | vocab.outlet_nouns):
        return None
    span = doc.char_span(head.idx, phrase[1], alignment_mode="contract")
    if span is None or len(span) < 2:
        return None
    rest = [t for t in span[1:] if not (t.is_punct and t.i == span.end - 1)]
    if not rest or not all(_in_proper_name(t) for t in rest):
        return None
    if not all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in (rest[0], rest[-1])):
        return None
    start, end = rest[0].idx, rest[-1].idx + len(rest[-1])
    name = _clean(doc_text(doc)[start:end])
    same = next(
        (
            _named(doc, m)
            for m in mentions
            if m.start == start and m.end == end and m.label in SPEAKER_LABELS
        ),
        None,
    ) or _entity_called(doc, mentions, name)
    if same is None and any(t.text[:1].islower() for t in rest):
        # "The government watchdog group Citizens for Responsibility and Ethics in
        # Washington": the name the recogniser found at its start, a place after it
        same = next(
            (
                _named(doc, m)
                for m in mentions
                if m.start == start and m.end <= end and m.label in ("ORG", "NORP")
            ),
            None,
        )
    outlet = bool(words & vocab.outlet_nouns) or is_outlet_name(name)
    if same is not None and same.label != "PERSON":
        return Speaker(
            name=same.name,
            key=same.key,
            label="ORG",
            description=_clean(doc_text(doc)[phrase[0] : phrase[1]]),
            plural=True,
            outlet=outlet,
        )
    if same is not None:
        return None
    return Speaker(
        name=name,
        label="ORG",
        description=_clean(doc_text(doc)[phrase[0] : phrase[1]]),
        head=head.lemma_.lower(),
        plural=True,
        outlet=outlet,
    )


def _unnamed_member(head: Token) -> bool:
    """ "a Democrat is challenging ...", "Some Democrats blame ...": members of a party or
    people, not named: an unnamed source, never the speaker "Democrat"; and "Some
    Twitterists thought": a plural name with "some" names no organisation."""
    if head.ent_type_ != "NORP":
        return (
            head.ent_type_ in ("ORG", "")
            and head.tag_ == "NNPS"
            and any(
                c.dep_ == "det" and c.lower_ in ("some", "many", "several") for c in head.children
            )
        )
    if head.tag_ in ("NNP", "NN") and not head.lower_.endswith("s"):
        # "a Democrat", "one senior Republican on Capitol Hill" (the number a modifier)
        return any(
            c.dep_ in ("det", "nummod") and c.lower_ in ("a", "an", "one", "another")
            for c in head.children
        )
    return any(c.dep_ == "det" and c.lower_ in ("some", "many", "several") for c in head.children)


def _member_named_after(doc: Doc, mentions: list[Mention], head: Token) -> Speaker | None:
    """ "at least one Republican, Sen. John McCain, pledged": a party's or a people's member
    whom the apposition names is that person."""
    if head.ent_type_ != "NORP" or head.lower_.endswith("s"):
        return None
    for child in head.children:
        if child.dep_ != "appos":
            continue
        mention = _token_mention(mentions, child)
        if mention is not None and mention.label == "PERSON":
            named = _named(doc, mention)
            return Speaker(name=named.name, key=named.key, label="PERSON")
    return None


_PEOPLE_DETERMINERS = frozenset({"the", "all", "most", "many", "some", "these", "those"})


def _people_at_large(doc: Doc, mentions: list[Mention], head: Token) -> bool:
    """ "Americans view politics through ...": a people in general, written without "the",
    which the alias table files under its country; the country ("the Americans" of a war
    report, "Washington") stays the speaker elsewhere. So is a people, a faith or a party's
    members the recogniser calls one ("Romans thought", "local Jews said", "Democrats say":
    eval/gold's guideline), but not a body of them ("Senate Democrats")."""
    if head.ent_type_ not in ("NORP", "GPE"):
        return False
    if not head.lower_.endswith("s") or head.lower_.endswith("ss"):
        return False
    mention = _token_mention(mentions, head)
    if mention is None:
        return False
    label = _named(doc, mention).label
    determined = [c for c in head.children if c.dep_ in ("det", "poss", "predet")]
    if determined and not (
        # "The Democrats said", "almost all Democrats": the party's members, as without "the";
        # "the Americans" of a war report (a country's people the alias table files under it)
        # and "its Democrats" stay named
        label == "NORP"
        and all(c.dep_ != "poss" and c.lower_ in _PEOPLE_DETERMINERS for c in determined)
    ):
        return False
    if _DEMONYM.search(head.lower_) and " " not in mention.text.strip() and label != "NORP":
        # ("United States", "the Americans": a name of more than the people)
        return label in ("GPE", "LOC")
    if label != "NORP" or head.ent_type_ != "NORP" or not head.text[:1].isupper():
        return False
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return False
    for child in head.children:
        if child.dep_ == "conj":
            if not _people_at_large(doc, mentions, child):
                return False  # "Senate Democrats and House Republicans said": bodies, named
        elif (child.dep_ == "compound" or child.pos_ == "PROPN") and child not in span:
            return False
    # one word, adjectives before it ("Ancient Greeks"), or a people's name of more words
    # ("Puerto Ricans"), never a body's ("Senate Democrats")
    return all(
        t.pos_ == "ADJ"
        or t.pos_ == "PROPN"
        and t.ent_type_ == "NORP"
        and t.lower_ not in standalone_org_words()
        and t.lower_ not in org_head_words()
        for t in span
        if t.i != head.i
    )


_OPENING_QUOTES = frozenset({'"', "\u201c", "'", "\u2018", "\u00ab"})
_CLOSING_QUOTES = frozenset({'"', "\u201d", "'", "\u2019", "\u00bb"})


@derived
def _work_heads() -> frozenset[str]:
    """data/source_nouns.yaml `work_heads`."""
    return frozenset(
        str(w).casefold() for w in load_vocabulary("source_nouns").get("work_heads") or ()
    )


def _named_work(
    doc: Doc, mentions: list[Mention], head: Token, text: str, conjunct: bool = False
) -> Speaker | None:
    """A document's own name as a source ("The White House's Economic Report of the President
    also acknowledged", "notes Rand's 'U.S.-China Military Scorecard'", "The Consumer Price
    Index ... showed"): the owner its possessive names speaks; without one nobody is named,
    the document is described. None where the head is no work's name (a medium's "Drudge
    Report" or "The Washington Post" is a medium)."""
    if head.pos_ != "PROPN" or not head.text[:1].isupper():
        return None
    if not conjunct and any(c.dep_ == "conj" for c in head.children):
        return None  # ("the Bible and Pete Seeger told us": each conjunct on its own)
    within = _token_mention(mentions, head)
    if within is not None and is_outlet_name(_named(doc, within).name):
        return None
    chain = [head, *(c for c in head.children if c.dep_ == "compound")]
    owners = [c for t in chain for c in t.children if c.dep_ == "poss" and c.pos_ == "PROPN"]
    first, last = min(t.i for t in chain), max(t.i for t in chain)
    # a title the text quotes ("notes Rand's 'U.S.-China Military Scorecard'"), not a name
    # the recogniser mislabels a work ("Vander Plaats, president and CEO of ..., told")
    # ("Medicare for All": the title runs past the name; its relative clause is no part of it)
    edge = max(
        [head, *(c.right_edge for c in head.rights if c.dep_ in ("prep", "compound", "npadvmod"))],
        key=lambda t: t.i,
    )
    start, end = doc[first].idx, max(doc[last].idx + len(doc[last].text), edge.idx + len(edge))
    longer = within is not None and end > within.end  # a title holding a name
    if within is not None:
        start, end = min(start, within.start), max(end, within.end)
    whole = doc_text(doc)
    quoted = (
        whole[:start].rstrip()[-1:] in _OPENING_QUOTES
        and whole[end:].lstrip(" ,.;:")[:1] in _CLOSING_QUOTES
        and start > 0
    )
    label = _named(doc, within).label if within is not None else ""
    if not (
        quoted
        and (owners or label == "WORK_OF_ART" or longer)
        or head.lower_ in _work_heads()
        and label in ("", "WORK_OF_ART", "LAW")
    ):
        return None
    for owner in owners:
        named = _name_for(doc, mentions, owner)
        if named is not None:
            return Speaker(
                name=named.name,
                key=named.key,
                label=named.label,
                description=text,
                head=head.lemma_.lower(),
                plural=named.label != "PERSON",
            )
    return Speaker(description=text, head=head.lemma_.lower())


def _one_name_elsewhere(
    doc: Doc, mentions: list[Mention], conjuncts: list[Token], phrase: tuple[int, int]
) -> Named | None:
    """ "According to Customs and Border Protection" where the recogniser took "Customs" alone:
    two proper nouns joined by "and" are one speaker when the article names that whole run as
    one entity elsewhere ("Customs and Border Protection did not respond"). The run is the
    source phrase's own ("Nui told CNN", whose parse hangs a "Castillo" outside it on "Nui",
    is not the "Castillo and Nui" the recogniser made one name elsewhere)."""
    if len(conjuncts) != 2:
        return None
    first = _proper_chain(conjuncts[0])[0]
    run = doc[first.i : conjuncts[1].i + 1]
    if run.start_char < phrase[0] or run.end_char > phrase[1]:
        return None
    if not all(t.pos_ == "PROPN" and t.text[:1].isupper() or t.lower_ in ("and", "&") for t in run):
        return None
    if sum(t.lower_ in ("and", "&") for t in run) != 1:
        return None
    return _entity_called(doc, mentions, run.text)


def _platform_users(head: Token) -> bool:
    """ "conservative Twitter took great delight in ...": a platform an adjective qualifies is
    a crowd of its users, an unnamed group, not the company."""
    return is_platform_name(head.text) and any(
        c.dep_ == "amod" and c.pos_ == "ADJ" for c in head.children
    )


@derived
def _political_sides() -> frozenset[str]:
    """data/anonymous.yaml `political_sides`."""
    words = load_vocabulary("anonymous").get("political_sides") or ()
    return frozenset(str(w).casefold() for w in words)


def _political_side(head: Token) -> bool:
    """ "The Left has endorsed ...", "the far right says": a side of politics is the people on
    it, an unnamed group, whatever the recogniser makes of the capital (a person "Left" that a
    later "she" was given to), never the right to something ("the right to vote")."""
    if head.lower_ not in _political_sides() or head.pos_ not in ("NOUN", "PROPN"):
        return False
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in head.children):
        return False
    following = head.doc[head.i + 1] if head.i + 1 < len(head.doc) else None
    # (nor a name that opens with it: "the Right to Try program")
    return head.dep_ != "compound" and (following is None or following.lower_ != "to")


def _employer_outlet(doc: Doc, phrase: tuple[int, int], named: Named) -> list[str]:
    """ "Vox's Jen Kirby has explained": the medium a writer speaks through."""
    if named.label != "PERSON" or not phrase[0] <= named.start <= phrase[1]:
        return []
    owner = re.search(
        r"([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*)['\u2019]s\s+$",
        doc_text(doc)[phrase[0] : named.start],
    )
    return [owner.group(1)] if owner and is_outlet_name(owner.group(1)) else []


def _party_member(head: Token) -> bool:
    """ "The Missouri Democrat said", "the Republican added": one member of a people or party,
    written as a description of a person the article named before (like a pronoun), never
    the speaker "Democrat"."""
    if head.ent_type_ != "NORP" or head.tag_ not in ("NNP", "NN") or head.lower_.endswith("s"):
        return False
    return any(c.dep_ == "det" and c.lower_ == "the" for c in head.children) and not any(
        c.dep_ == "conj" for c in head.children
    )


def _with_chamber(token: Token, named: Named) -> Named:
    """ "Senate Democrats said": the recogniser labels only "Democrats"; the chamber written
    before a party's members names a body of them, the speaker (`standalone_org_words`)."""
    if named.label != "NORP" or not token.lower_.endswith("s"):
        return named
    chamber = [
        c
        for c in token.lefts
        if c.dep_ == "compound" and c.text[:1].isupper() and c.lower_ in standalone_org_words()
    ]
    if len(chamber) != 1 or chamber[0].i != token.i - 1:
        return named
    name = f"{chamber[0].text} {named.name}"
    return Named(name, None, "ORG", chamber[0].idx, named.end)


def _member_beside_name(head: Token, conjunct: Token) -> bool:
    """ "said the panel's top Republican, Rep. Doug Collins": the parse may join the name to
    the description with a comma as if two people spoke; a member of a party or people
    described with "the", an owner or a state ("Arizona Republican"), put beside a name with
    no "and", is that person."""
    if conjunct.ent_type_ != "NORP" or conjunct.tag_ not in ("NNP", "NN"):
        return False
    if conjunct.lower_.endswith("s") or any(c.dep_ == "cc" for c in head.children):
        return False
    # ("Rep. Trent Franks, Arizona Republican and member of ...": the member for a state)
    return any(
        c.dep_ in ("det", "poss") or c.dep_ == "compound" and c.ent_type_ == "GPE"
        for c in conjunct.children
    )


def _person_description(head: Token) -> bool:
    """ "the former Republican presidential candidate said" after Romney's quotation, "the
    diplomat added": a description of one person no title holds (roles.yaml
    `person_descriptions`), written like a pronoun for the person just named."""
    lemma = head.lemma_.lower()
    if _is_plural(head) or lemma not in _words("roles", "person_descriptions"):
        return False
    if lemma in source_vocabulary().anonymous_heads:
        return False  # ("the diplomat" after "a Western diplomat said": the unnamed one)
    return any(c.dep_ == "det" and c.lower_ == "the" for c in head.children) and not any(
        c.dep_ in ("conj", "prep", "acl", "relcl") for c in head.children
    )


def _titled_person_in(doc: Doc, mentions: list[Mention], phrase: tuple[int, int]) -> Named | None:
    """The person a place tags in a source phrase: "South Bend, Indiana, Mayor Pete Buttigieg"
    is the mayor, not the city. Only a person named right after a role noun counts."""
    vocab = source_vocabulary()
    for mention in mentions:
        if not phrase[0] <= mention.start < phrase[1]:
            continue
        named = _named(doc, mention)
        if named.label != "PERSON":
            continue
        before = doc.char_span(phrase[0], mention.start, alignment_mode="contract")
        words = [t for t in before or [] if not t.is_punct]
        if words and (
            words[-1].lower_ in vocab.role_nouns
            or words[-1].lower_.rstrip(".") in vocab.title_roles
        ):
            return named
    return None


def _person_organisation(doc: Doc, mentions: list[Mention], head: Token) -> Speaker | None:
    """'the Biden campaign', "Joe Biden's campaign": the organisation "Biden campaign"
    (source_nouns.yaml `person_organisations`), as an analyst names it."""
    lemma = head.lemma_.lower()
    if lemma not in source_vocabulary().person_organisations or _is_plural(head):
        return None
    owners = [c for c in head.children if c.dep_ in ("compound", "poss") and c.pos_ == "PROPN"]
    named = _name_for(doc, mentions, owners[-1]) if owners else None
    if named is None or named.label != "PERSON":
        return None
    name = f"{named.name.split()[-1]} {lemma}"
    return Speaker(name=name, label="ORG", description=_core_phrase(head), head=lemma, plural=True)


def _office_of(head: Token) -> Speaker | None:
    """ "The first lady's office", "the governor's office": the office of an officeholder the
    article names by title only, named as an analyst writes it ("Office of the First Lady")."""
    if head.lemma_.lower() != "office" or _is_plural(head):
        return None
    owners = [c for c in head.children if c.dep_ == "poss"]
    if not owners or owners[0].pos_ != "NOUN" or owners[0].ent_type_:
        return None
    owner = owners[0]
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in owner.children):
        return None
    # the whole title, "of staff" included ("the White House chief of staff's office")
    words = [t.text for t in owner.subtree if t.dep_ not in ("det", "case")]
    if not words or not all(w.isalpha() for w in words):
        return None
    vocab = source_vocabulary()
    titles = vocab.role_nouns | vocab.title_genders.keys() | set(vocab.title_roles.values())
    if owner.lemma_.lower() not in titles and " ".join(words).lower() not in titles:
        return None  # "the company's office" is no officeholder's
    minor = {"of", "the", "and", "for"}
    name = "Office of the " + " ".join(
        w.lower() if w.lower() in minor else w[:1].upper() + w[1:] for w in words
    )
    return Speaker(
        name=name, label="ORG", description=_core_phrase(head), head="office", plural=True
    )


def _conjuncts(token: Token) -> list[Token]:
    return [token, *(c for c in token.children if c.dep_ == "conj")]


def _agent_or_owner(token: Token) -> Token | None:
    """'a study conducted by X', 'X's report', 'a report by X', 'the Mueller report', 'a
    CNN/ORC International poll': the author X."""
    for child in token.children:
        if child.dep_ == "poss":
            return child
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            objects = [g for g in child.children if g.dep_ == "pobj"]
            if objects:
                return objects[0]
        if child.dep_ in ("acl", "relcl"):
            for grand in child.children:
                if grand.dep_ == "agent":
                    objects = [g for g in grand.children if g.dep_ == "pobj"]
                    if objects:
                        return _appositive_name(objects[0])
                if child.dep_ == "relcl" and grand.dep_ == "nsubj" and grand.pos_ == "PROPN":
                    return grand  # "the demands Ryan laid out", "the report X released"
    names = [
        c
        for c in token.children
        if c.dep_ == "compound"
        and (c.pos_ == "PROPN" or c.ent_type_ == "ORG" and c.text.isupper())  # ("The CBO analysis")
        and c.ent_type_ not in _NOT_SOURCES
    ]
    return names[-1] if names else None


def _appositive_name(token: Token) -> Token:
    """'the research organization Conflict Armament Research': the name, not the noun."""
    for child in token.children:
        if child.dep_ in ("appos",) and child.pos_ == "PROPN":
            return child
    if token.pos_ != "PROPN":
        names = [t for t in token.subtree if t.pos_ == "PROPN" and t.dep_ != "compound"]
        if names:
            return names[-1]
    return token


def is_outlet_name(name: str) -> bool:
    """A name that reads as a news outlet (data: outlets.yaml); an agency of government
    ("Central Intelligence Agency") is none, a news agency ("Fars News Agency") is one."""
    vocab = source_vocabulary()
    folded = normalise_text(name)
    if folded in vocab.known_outlets or _WEBSITE.fullmatch(name.strip()):
        return True  # ("LifeNews.com reported": a site that reports is a medium)
    words = re.findall(r"[a-z]+(?:-[a-z]+)*", folded)  # ("Post-Christian America": no post)
    return any(w in vocab.outlet_name_words for w in words) and not _institution(name)


def outlet_of(
    doc: Doc,
    mentions: list[Mention],
    token: Token,
    *,
    addressed: bool,
    within: tuple[int, int] | None = None,
) -> str | None:
    """The outlet a noun phrase names, or None.

    `addressed` is True for something a speaker told or was quoted by: any organisation or
    unlabelled proper name counts there ("told FNA", "told the al-Ahad television network").
    `within`: the source phrase; a name outside it is not the medium's, though the parse
    hangs it on the noun ("Time magazine named Bill and Melinda Gates 'Persons of the Year'").
    """
    vocab = source_vocabulary()
    head = token
    descriptive_head = (
        head.lower_ in vocab.outlet_nouns or head.lemma_.lower() in vocab.outlet_nouns
    )
    # ("told the paper he expects to meet ... before the Senate returns": the parse may hang
    # the reported clause on the noun; nothing in it names the medium)
    clauses = {
        t.i
        for c in head.children
        if c.dep_ in ("relcl", "acl", "ccomp", "advcl")
        for t in c.subtree
    }
    names = [
        t
        for t in head.subtree
        if t.pos_ == "PROPN"
        and t.i not in clauses
        and t.text[:1].isupper()
        and t.lower_ not in vocab.outlet_nouns
        # ("Agencies said ...": a medium's common noun in the plural, first in its sentence)
        and (t.lemma_.lower() not in vocab.outlet_nouns or _capitalised_inside(t))
        and t.ent_type_ not in _NOT_SOURCES
        and (within is None or within[0] <= t.idx < within[1])
    ]
    for token in names[:-1]:  # "NBC's Lester Holt": the medium is NBC
        if token.i > head.i:
            break  # "opponents following the killing of Washington Post columnist X": no medium
        named = _name_for(doc, mentions, token)
        if named is not None and named.label == "ORG" and is_outlet_name(named.name):
            return named.name
    if names and not descriptive_head and head.pos_ == "NOUN":
        return None  # "respond to Trump's tweets", "told a group of Capitol Hill staff"
    if names:
        named = _name_for(doc, mentions, names[-1])
        # ("told Townhall": a known outlet, whatever label the recogniser gives it)
        known = named is not None and normalise_text(named.name) in vocab.known_outlets
        if named is not None and named.label in _NOT_OUTLETS and not descriptive_head and not known:
            return None  # "told Muslims", "told Smith": people, not a medium
        if named is not None and not known and _surname_of_person(mentions, named):
            return None  # "a conversation with Trump", "told Rand Paul": an ORG here, a person elsewhere
        if named is None and names[-1].lower_ in vocab.role_nouns:
            # "talk with the President", "tell the Radical Left Mayor of Minneapolis": a
            # person by title, not a medium
            return None
        name = named.name if named is not None else " ".join(t.text for t in names)
        if descriptive_head or is_outlet_name(name) and not _institution(name):
            return name
        if addressed and not _institution(name):
            return name
        return None
    if descriptive_head:
        # "Arabic-language media", "state television" say which kind of medium; "a news
        # outlet", "the network" name none and are no outlet.
        phrase = doc[head.left_edge.i : head.right_edge.i + 1]
        # A heading the parser ran into the phrase: only the line the head noun stands on.
        breaks = [t.i for t in phrase if "\n" in t.text_with_ws and t.i < head.i]
        if breaks:
            phrase = doc[breaks[-1] + 1 : head.right_edge.i + 1]
        commas = [t.i for t in phrase if t.text == "," and t.i > head.i]
        if commas:  # "social media, often in combination with ...": the medium only
            phrase = doc[phrase.start : commas[0]]
        joined = [t.i for t in phrase if t.dep_ == "cc" and t.head.i == head.i and t.i > head.i]
        if joined:  # "conservative media and Republican politicians": the medium is one kind
            phrase = doc[phrase.start : joined[0]]
        clauses = [c.left_edge.i for c in head.rights if c.dep_ in ("relcl", "acl")]
        if clauses and min(clauses) < phrase.end:  # "the national media who say ..."
            phrase = doc[phrase.start : min(clauses)]
        # what the phrase says of the medium before its noun ("Multiple news outlets at the
        # time" is no named medium: "at the time" says when)
        kind = [t for t in phrase if t.i <= head.i or t.dep_ in ("compound", "amod")]
        if any(
            t.lower_ not in vocab.outlet_nouns | _GENERIC_MEDIUM_WORDS
            and t.lemma_.lower() not in vocab.outlet_nouns  # ("Agencies said": no kind)
            for t in kind
            if t.pos_ in ("ADJ", "NOUN", "PROPN") or "-" in t.text
        ):
            return _strip_determiner(phrase.text)
    return None


def _surname_of_person(mentions: list[Mention], named: Named) -> bool:
    """A one-word name that a person of the article has as surname ("Trump"), or that the
    recogniser labels a person somewhere in the article though an ORG here."""
    key = alias_key(named.name)
    return any(
        m.label == "PERSON"
        and (
            (" " in m.text and alias_key(m.text.split()[-1]) == key)
            or (named.key is not None and m.entity_key == named.key)
        )
        for m in mentions
    )


def _institution(name: str) -> bool:
    """A legislature, court, ministry, committee or agency ("told Congress", "told the
    Senate Intelligence Committee", "wrote to the 5th Circuit Court of Appeals"): whom a
    speaker addressed, never a medium the statement passed through. Names with a word of a
    medium in them ("Fars News Agency") are media."""
    vocab = source_vocabulary()
    order = re.findall(r"[a-z]+", normalise_text(name))
    words = set(order)
    media = vocab.outlet_name_words - {"agency"}
    institutions = org_head_words() | standalone_org_words() | _INSTITUTION_WORDS
    if normalise_text(name) in vocab.known_outlets or not order:
        return False
    if order[-1] in institutions - media - {"agency"}:
        return True  # "National Press Club", "Arizona State University": named by what they are
    if words & media:
        return False
    if len(words) == 1 and words <= standalone_org_words():
        return True
    return bool(words & institutions)


# Words of institutions that entity_types.yaml's org head words do not hold, and of venues
# ("told the Target Center": the arena that hosts a rally is whom officials told).
_INSTITUTION_WORDS = frozenset(
    {"court", "department", "bureau", "board", "senate", "congress", "club", "university"}
    | {"center", "centre", "arena", "stadium", "hospital", "school", "college"}
)


def _anonymity_marked(text: str, vocab: SourceVocabulary) -> bool:
    lowered = normalise_text(text)
    return any(marker in lowered for marker in vocab.anonymity_markers)


_GENERIC_MEDIUM_WORDS = frozenset(
    {"news", "other", "some", "several", "one", "various", "many", "multiple", "numerous"}
    | {"few", "most", "all", "both", "major"}
)
# Who is never a medium a statement passed through: a person, a people, a place.
_NOT_OUTLETS = frozenset({"PERSON", "NORP", "GPE", "LOC", "FAC"})

# Entity types that are never a source of their own: a place, a date, a work, an event.
_NOT_SOURCES = frozenset(
    {
        "GPE",
        "LOC",
        "FAC",
        "DATE",
        "TIME",
        "WORK_OF_ART",
        "EVENT",
        "PRODUCT",
        "LAW",
        "MONEY",
        "PERCENT",
        "QUANTITY",
        "CARDINAL",
        "ORDINAL",
        "LANGUAGE",
    }
)


def _after_caption(doc: Doc, phrase: tuple[int, int]) -> int | None:
    """Where a source phrase goes on after the last picture credit or caption marker in it,
    or None when it holds none."""
    span = doc.char_span(phrase[0], phrase[1], alignment_mode="expand")
    if span is None:
        return None
    found = list(caption_markers().finditer(span.text))
    return span.start_char + found[-1].end() if found else None


def _whose_owner(doc: Doc, mentions: list[Mention], whose: Token) -> str | None:
    """What a "whose" stands for: the noun its relative clause hangs on, by its entity's name
    where it has one ("the Organization of American States, whose observers ...")."""
    clause = next((t for t in whose.ancestors if t.dep_ == "relcl"), None)
    if clause is None:
        return None
    owner = clause.head
    mention = _token_mention(mentions, owner)
    if mention is not None:
        return _named(doc, mention).name
    return _core_phrase(owner) or None


def _whole_person_name(doc: Doc, mentions: list[Mention], phrase: tuple[int, int]) -> Named | None:
    """The person whose name is the whole source phrase, if it is one."""
    text = doc_text(doc)
    start = phrase[0] + len(text[phrase[0] : phrase[1]]) - len(text[phrase[0] : phrase[1]].lstrip())
    end = phrase[0] + len(text[phrase[0] : phrase[1]].rstrip())
    for mention in mentions:
        if mention.start == start and mention.end == end:
            named = _named(doc, mention)
            return named if named.label == "PERSON" and named.key is not None else None
    tokens = doc.char_span(start, end, alignment_mode="contract")
    if tokens is None or len(tokens) != 1 or not tokens[0].text[:1].isupper():
        return None
    # a surname the recogniser missed here, of the one person the article names by it
    people = {
        named.identity: named
        for m in mentions
        if m.text.split()[-1:] == [tokens[0].text]
        and (named := _named(doc, m)).label == "PERSON"
        and named.key is not None
    }
    if len(people) == 1:
        return next(iter(people.values()))
    return _one_full_name(doc, mentions, tokens[0])


def describe_source(
    doc: Doc, mentions: list[Mention], root: Token, phrase: tuple[int, int]
) -> list[Speaker] | str:
    """Resolve a source phrase on its own: speakers, or a back-reference kind to resolve
    against earlier speakers ('person' | 'group' | 'thing' | 'description'). Whatever path
    named it, an event or a public programme ("the Arab Spring", "Medicare") is no speaker:
    the phrase is described."""
    found = _describe_source(doc, mentions, root, phrase)
    if isinstance(found, str):
        return found
    kept = [
        s for s in found if s.name is None or not (_event_or_programme(s.name) or _bare_law_word(s))
    ]
    if len(kept) == len(found):
        return found
    return kept or [Speaker(description=_clean(_span_text(doc, phrase)))]


def _singular_verb(verb: Token) -> bool:
    """Whether a clause's verb (or its first auxiliary) agrees with a singular subject."""
    words = [c for c in verb.children if c.dep_ in ("aux", "auxpass")] + [verb]
    return words[0].tag_ == "VBZ" or words[0].lower_ == "was"


def _describe_source(
    doc: Doc, mentions: list[Mention], root: Token, phrase: tuple[int, int]
) -> list[Speaker] | str:
    vocab = source_vocabulary()
    text = _clean(_span_text(doc, phrase))
    caption = _after_caption(doc, phrase)
    if caption is not None:
        # "Image copyright Anadolu Agency Image caption US forces ... have advised": a
        # picture's credit and caption line run into the sentence; who spoke follows it
        rest = doc.char_span(caption, phrase[1], alignment_mode="expand")
        if rest is None or not rest.text.strip():
            return [Speaker(description=text)]
        return describe_source(doc, mentions, rest.root, (rest.start_char, phrase[1]))
    tokens = doc.char_span(phrase[0], phrase[1], alignment_mode="expand")
    if (
        tokens is not None
        and len(tokens) > 1
        and tokens[0].lower_ in ("who", "which", "that", "whose")
        and tokens[0].i != root.i
    ):
        # "Rosenstein, who confidants said ...": the relative pronoun opens the clause, not
        # the source phrase; "the Organization of American States, whose observers reported"
        # are the organisation's observers, unnamed
        found = describe_source(doc, mentions, root, (tokens[1].idx, phrase[1]))
        owner = _whose_owner(doc, mentions, tokens[0]) if tokens[0].lower_ == "whose" else None
        if owner and not isinstance(found, str):
            for speaker in found:
                if speaker.anonymous and speaker.description:
                    speaker.description = f"{speaker.description} of {owner}"
        return found
    whole = _whole_person_name(doc, mentions, phrase) if root.dep_ == "compound" else None
    if whole is not None:
        # "Trump slams special counsel Robert Mueller Thursday, saying ...": a headline the
        # parse reads as one noun phrase; a source phrase that is all one person's name is
        # that person, not the name its word is hung on
        return [Speaker(name=whole.name, key=whole.key, label="PERSON", description=text)]
    # (a people's adjective too: "a debate in British media" is the media's, never "British")
    modified = root.head if root.dep_ in ("compound", "amod") else None
    if (
        modified is not None
        and modified.pos_ == "NOUN"
        and modified.idx >= phrase[1]
        and not doc_text(doc)[phrase[1] : modified.idx].strip()
    ):
        # "COBOL programmers have aged out": a source phrase cut before its noun names only
        # what modifies it; the source is the whole phrase ("COBOL programmers", unnamed;
        # "British media", an unnamed medium)
        return describe_source(doc, mentions, modified, (phrase[0], modified.idx + len(modified)))
    governor = root.head.head if root.dep_ == "pobj" and root.head.lower_ == "of" else None
    if (
        governor is not None
        and root.ent_type_ in ("GPE", "LOC")
        and phrase[0] <= governor.idx < phrase[1]
        and governor.lemma_.lower() in vocab.role_nouns | vocab.title_roles.keys()
    ):
        # "The Mayor of Boston wants ...": the mayor, not the city
        return describe_source(doc, mentions, governor, phrase)
    kind = _pronoun_kind(root)
    if kind == "relative":
        clause = root.head
        while clause.dep_ == "conj" and clause.head is not clause:
            clause = clause.head  # "..., who sought a meeting ..., and who has said ..."
        antecedent = clause.head if clause.dep_ == "relcl" else None
        if antecedent is None and root.i > 0 and doc[root.i - 1].dep_ == "cc":
            # "Giuliani, who sought a meeting ..., and who has said ...": the parse hangs the
            # second clause on the sentence; it is the first one's antecedent's
            earlier = [
                t
                for t in doc[root.sent.start : root.i]
                if t.lower_ == root.lower_ and t.head.dep_ == "relcl"
            ]
            antecedent = earlier[-1].head.head if earlier else None
        if antecedent is None or antecedent is root:
            return "person"
        if (
            root.lower_ in ("who", "whom")
            and antecedent.dep_ == "pobj"
            and antecedent.ent_type_ != "PERSON"
            and antecedent.head.dep_ == "prep"
            and (
                antecedent.head.head.pos_ in ("NOUN", "PROPN")
                or (  # "Warren, one of the leading contenders who has vowed ...": the one
                    antecedent.head.head.lower_ == "one"
                    and antecedent.tag_ in ("NNS", "NNPS")
                    and _singular_verb(clause)
                )
            )
        ):
            # "Greg Miller, a correspondent for the Washington Post, who contended ...": "who"
            # is the correspondent the parse hung the clause past, not the newspaper
            antecedent = antecedent.head.head
        if antecedent.dep_ == "appos" and antecedent.head.ent_type_ in ("PERSON", "ORG"):
            # "Alexander Vindman, the National Security Council aide who said ...": the one
            # the description stands beside is the speaker, not an unnamed aide
            antecedent = antecedent.head
        party_tag = any(c.text in ("D", "R", "I") for c in antecedent.children)  # "D-N.Y."
        if antecedent.ent_type_ in ("GPE", "LOC") or party_tag:
            # "Chuck Schumer, D-N.Y., who ...", "Bill de Blasio of New York, who ...": the
            # person the place tags, not the place
            before = doc[max(0, antecedent.i - 6) : antecedent.i]
            people = [t for t in before if t.ent_type_ == "PERSON" and t.pos_ == "PROPN"]
            if people:
                antecedent = people[-1]
        span = (antecedent.left_edge.idx, root.idx)
        return describe_source(doc, mentions, antecedent, span)
    if kind == "demonstrative" or kind == "thing" and _expletive(root):
        return [Speaker(description=text)]  # "It's not difficult to imagine ...": nobody
    if kind is not None:
        return kind
    head = _phrase_head(root, vocab)
    if _no_source(root, head, phrase):
        return [Speaker(description=text)]
    case = _CASE_NAME.search(text)
    if case is not None:
        # "Fleming v. Macomb, the Michigan Court of Appeals held": the court, never a party
        # of the case; a case alone ("June Medical Services v. Russo illustrated") is no one
        courts = [
            _named(doc, m)
            for m in mentions
            if phrase[0] + case.end() <= m.start < phrase[1] and m.label == "ORG"
        ]
        if courts:
            return [
                Speaker(
                    name=courts[-1].name,
                    key=courts[-1].key,
                    label="ORG",
                    description=text,
                    plural=True,
                )
            ]
        return [Speaker(description=text)]
    leading = _leading_person(doc, mentions, root, phrase) or _named_before_clause(
        doc, mentions, root, phrase
    )
    if leading is not None:
        return [leading]
    if _party_member(head) or _person_description(head):
        return "person"
    member = _member_named_after(doc, mentions, head)
    if member is not None:
        return [replace(member, description=text)]
    if _platform_users(head):
        return [Speaker(anonymous=True, description=text, head=head.lemma_.lower(), plural=True)]
    at_large = _people_at_large(doc, mentions, head)
    if _unnamed_member(head) or at_large or _political_side(head):
        return [
            Speaker(
                anonymous=True,
                # ("The Democrats said" is listed with "Democrats said", not apart)
                description=re.sub(r"^[Tt]he\s+", "", text) if at_large else text,
                head=head.lemma_.lower(),
                plural=_is_plural(head) or _political_side(head),  # "They say": theirs
            )
        ]
    served = _person_organisation(doc, mentions, head) or _office_of(head)
    if served is not None:
        return [served]
    work = _named_work(doc, mentions, head, text)
    if work is not None:
        return [work]
    speakers = []
    conjuncts = _conjuncts(head)
    whole = _one_name_elsewhere(doc, mentions, conjuncts, phrase)
    if whole is not None:
        return [
            Speaker(
                name=whole.name,
                key=whole.key,
                label=whole.label,
                description=text,
                plural=whole.label != "PERSON",
                outlet=whole.label == "ORG" and is_outlet_name(whole.name),
            )
        ]
    if len(conjuncts) > 1 and _proper_chain(conjuncts[-1])[0].i <= min(c.i for c in conjuncts):
        conjuncts = [conjuncts[-1]]  # "the U.S. Customs and Border Protection": one name
    seen: set[int] = set()
    at_large = False
    for conjunct in conjuncts:
        within = _token_mention(mentions, conjunct)
        if within is not None and id(within) in seen:
            continue  # "Customs and Border Protection": one name, not two speakers
        if within is not None:
            seen.add(id(within))
        if len(conjuncts) > 1 and _named_work(doc, mentions, conjunct, text, True) is not None:
            continue  # "the Bible and Pete Seeger told us": the person, not the book
        if len(conjuncts) > 1 and _member_beside_name(head, conjunct):
            continue  # "the panel's top Republican, Rep. X": X, not a speaker "Republican"
        if len(conjuncts) > 1 and any(
            c.dep_ == "poss" and c.pos_ == "PRON" for c in conjunct.children
        ):
            continue  # "Roosevelt and his New Dealers": his people, no name of their own
        if len(conjuncts) > 1 and _people_at_large(doc, mentions, conjunct):
            at_large = True
            continue  # "Minorities and Democrats living in blue states say": people at large
        named = _name_for(doc, mentions, conjunct)
        if named is None or named.label != "PERSON" or named.key is None:
            named = _person_after_title_run(doc, mentions, conjunct, phrase) or named
        if (
            conjunct.i + 1 < len(doc)
            and doc[conjunct.i + 1].text in ("'", "\u2019")
            and _token_mention(mentions, conjunct) is None
        ):
            # "says Jefferies\u2019 Holz": the owner's possessive, the analyst the speaker
            owned = [c for c in conjunct.children if c.dep_ == "appos"]
            found = _name_for(doc, mentions, owned[0]) if owned else None
            named = found if found is not None and found.label == "PERSON" else named
        if len(conjuncts) == 1:
            named = _described_person(doc, mentions, conjunct, phrase) or named
        if named is None:
            appositions = [c for c in conjunct.children if c.dep_ == "appos"]
            found = [_name_for(doc, mentions, c) for c in appositions]
            named = next(
                (
                    n
                    for n in found
                    if n is not None
                    and (n.label == "PERSON" or n.label == "ORG" and is_outlet_name(n.name))
                ),
                None,
            )  # "Judge Dana Roe", "local news Channel 9": a person or a medium in apposition
        if named is None:
            continue
        if named.label in ("GPE", "LOC") or conjunct.ent_type_ in ("GPE", "LOC", "FAC"):
            named = _titled_person_in(doc, mentions, phrase) or named
        named = _with_chamber(conjunct, named)
        speakers.append(
            Speaker(
                name=named.name,
                key=named.key,
                label=named.label,
                role=None if len(conjuncts) > 1 else _role_of(doc, head, named, phrase),
                description=text,
                plural=_is_plural(conjunct) or named.label in ("ORG", "NORP"),
                outlet=named.label == "ORG" and is_outlet_name(named.name),
                via=_employer_outlet(doc, phrase, named),
            )
        )
    if speakers:
        return speakers
    if at_large:
        return [Speaker(anonymous=True, description=text, head=head.lemma_.lower(), plural=True)]
    called = _organisation_called(doc, mentions, head, phrase)
    if called is not None:
        return [called]
    lemma = head.lemma_.lower()
    lower = head.lower_
    determiners = {c.lower_ for c in head.children if c.dep_ == "det"}
    unnamed = [
        Speaker(
            anonymous=True,
            description=text,
            head=lemma,
            plural=_is_plural(head),
            definite=bool(determiners & _DEFINITE),
        )
    ]
    if (
        lower in vocab.anonymous_heads
        or lemma in vocab.anonymous_heads
        or _anonymity_marked(text, vocab)
    ):
        return unnamed
    if lemma in vocab.document_nouns or lower in vocab.document_nouns:
        author = _agent_or_owner(head)
        if author is not None and is_platform_name(author.text):
            return unnamed  # "Recent Facebook posts show": its users' posts, not Facebook's
        if author is not None:
            named = _name_for(doc, mentions, author)
            if named is not None:
                return [
                    Speaker(
                        name=named.name,
                        key=named.key,
                        label=named.label,
                        description=text,
                        head=lemma,
                        plural=True,
                    )
                ]
        if determiners & _DEFINITE or head.dep_ == "nsubj" and not determiners:
            return "description"
    outlet = outlet_of(doc, mentions, head, addressed=False, within=phrase)
    indefinite = bool(determiners & _INDEFINITE) and not _is_plural(head)
    described = (lemma in vocab.outlet_nouns or lower in vocab.outlet_nouns) and not any(
        _names_a_medium(t) for t in head.subtree if t.idx >= phrase[0]
    )
    last = outlet.split()[-1].casefold() if outlet else ""
    if outlet is not None and described and (last in vocab.outlet_nouns or last == lower):
        # "a Palestinian news agency reported", "Local media also reported", "the anti-Trump
        # press says": a kind of medium, unnamed
        return unnamed
    if outlet is not None:
        return [
            Speaker(
                name=outlet, label="ORG", description=text, head=lemma, plural=True, outlet=True
            )
        ]
    if (lemma in vocab.role_nouns or lower in vocab.role_nouns) and _is_plural(head):
        # "captured ISIL leaders", "senior commanders": a group, never one named person nearby.
        return unnamed
    if (lemma in vocab.role_nouns or lower in vocab.role_nouns) and _serves_another(mentions, head):
        return unnamed  # "A spokesman for ... Chuck Grassley, R-Iowa": unnamed, not Iowa
    if lemma in vocab.role_nouns or lower in vocab.role_nouns:
        titled = _titled_name(doc, mentions, head)
        if titled is not None:
            return [titled]
        if determiners & _DEFINITE:
            return "description"
        return [Speaker(description=text, role=_core_phrase(head), head=lemma, title_only=True)]
    national = any(
        c.dep_ in ("amod", "compound") and (c.ent_type_ in ("NORP", "GPE") or c.pos_ == "PROPN")
        for c in head.children
    )
    if national and head.lower_ in org_head_words() and indefinite:
        return unnamed  # "another pro-Israel lobby group demanded": described, not named
    # ("the Syrian Kurdish group" is a description of the group named before, not a name)
    institution = (
        national
        and head.lower_ in org_head_words()
        and head.lemma_.lower() not in vocab.generic_org_nouns
    )
    if institution or (
        head.pos_ == "PROPN"
        and head.text[:1].isupper()
        and not _PLURAL_ACRONYM.fullmatch(head.text)
        and head.ent_type_ not in _NOT_SOURCES
        and _capitalised_inside(head)
        and not _mostly_lower(head)
        and not determiners & _INDEFINITE  # "some unknown good Samaritan" names no one
    ):
        # A name the entity recogniser missed ("Dolt Jones said"), or an institution named by
        # its country ("the Iraqi army", "the Syrian government"): kept as written. An
        # institution is a group: "he" never refers back to it.
        name = (
            _strip_determiner(_core_phrase(head, phrase[0], conjuncts=False, clauses=False)) or None
        )
        if name and _event_or_programme(name):
            return [Speaker(description=text, head=lemma)]  # ("The Second Intifada and ...")
        same = _entity_called(doc, mentions, name) if name else None
        if same is not None:  # missed here, recognised elsewhere ("The New York Times")
            return [
                Speaker(
                    name=same.name,
                    key=same.key,
                    label=same.label,
                    description=text,
                    plural=same.label != "PERSON",
                    outlet=same.label == "ORG" and is_outlet_name(same.name),
                )
            ]
        return [
            Speaker(
                name=name,
                label="ORG" if institution else None,
                description=text,
                head=lemma,
                plural=institution or _is_plural(head),
            )
        ]
    if (
        head.pos_ == "NOUN"
        and _is_plural(head)
        and all(_may_be_people(c) for c in _conjuncts(head))
    ):
        # "experts say", "economists warned": an unnamed group, flagged like "officials"; not
        # when a thing is coordinated with the head ("flowers and other mementos", "polls and
        # statistics": the "-er" of "flowers" makes no people)
        return unnamed
    # Anything else ("the video", "you", "cherry-picking polls") is described, never named.
    return [Speaker(description=text, head=lemma, plural=_is_plural(head))]


# ---------------------------------------------------------------------------------------------
# Resolution in document order


@dataclass(slots=True)
class _Resolved:
    """An earlier speaker a back-reference may point to; `cue_lemma` lets "the report"
    find whoever "reported"."""

    speaker: Speaker
    position: int
    cue_lemma: str | None = None


# First words of a description of nobody in particular ("Only a stupid person would say"):
# no later "he" or "she" refers back to it.
_GENERIC_OPENINGS = frozenset(
    {"only", "any", "anyone", "anybody", "no", "nobody", "every", "everyone", "whoever"}
)


def _compatible(kind: str, speaker: Speaker) -> bool:
    if kind == "person":
        if speaker.plural or speaker.label not in (None, "PERSON") or speaker.outlet:
            return False
        if speaker.name is None and (speaker.description or "").split(" ", 1)[0].casefold() in (
            _GENERIC_OPENINGS
        ):
            return False
        if (
            speaker.key is None
            and speaker.name
            and (is_outlet_name(speaker.name) or re.search(r"\.(?:com|org|net)\b", speaker.name))
        ):
            return False  # "Townhall.com reports ...": a medium is never "he" or "she"
        if speaker.key is None and len(speaker.name or "") > 1 and (speaker.name or "").isupper():
            return False  # "SAGE said": an acronym the recogniser missed names a body
        return speaker.name is not None or _may_be_a_person(speaker)
    if kind == "group":
        if speaker.name is not None and speaker.label == "PERSON":
            return False
        if speaker.name is not None and speaker.label in ("ORG", "GPE", "FAC", "LOC"):
            return _name_reads_plural(speaker.name) and not speaker.outlet
        return speaker.plural or speaker.label in ("ORG", "NORP", "GPE")
    if kind == "thing":
        return speaker.label in ("ORG", "GPE") or speaker.head is not None and not speaker.anonymous
    return True


@derived
def _singular_words_ending_s() -> frozenset[str]:
    """data/entity_types.yaml `singular_words_ending_s`."""
    words = load_vocabulary("entity_types").get("singular_words_ending_s") or ()
    return frozenset(str(w).casefold() for w in words)


@derived
def _plural_name_words() -> frozenset[str]:
    """data/entity_types.yaml `plural_name_words`."""
    words = load_vocabulary("entity_types").get("plural_name_words") or ()
    return frozenset(str(w).casefold() for w in words)


# Lower-case prepositions inside an organisation's name: its head stands before the first.
_NAME_PREPOSITIONS = frozenset({"of", "on", "for", "in", "at", "to", "from", "against", "without"})


def _name_reads_plural(name: str) -> bool:
    """Whether "they" may stand for a named speaker: a body named by its members ("Senate
    Democrats", "the Syrian Democratic Forces", "the Taliban": `plural_name_words`), not one
    company, agency, country or poll ("Twitter", "the Justice Department", "China": each is
    "it"; a reporter's "they" after them is the people of the sentences between)."""
    words = re.findall(r"[A-Za-z]+", name.replace("\u2019s", "").replace("'s", ""))
    # The head of "Office of Government Ethics" or "National Center on Education Statistics"
    # is the word before the preposition: one office, whatever plural its complement ends in.
    cut = next((i for i, w in enumerate(words) if i and w in _NAME_PREPOSITIONS), None)
    words = words[:cut] if cut is not None else words
    if not words:
        return False
    last = words[-1].casefold()
    if last in _plural_name_words():
        return True
    if last in _singular_words_ending_s():
        return False
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is"))


def _person_genders(
    doc: Doc, mentions: list[Mention], quotes: list[tuple[int, int]]
) -> dict[str, str]:
    """Each person's gender as the article shows it (data/genders.yaml): a gendered title
    before any of their mentions ("Mrs. Clinton", "Congresswoman X"), else their first name,
    else the pronouns the article uses right after naming them. A person with no evidence,
    or evidence both ways, is left out (fits any pronoun)."""
    vocab = source_vocabulary()
    text = doc_text(doc)
    evidence: dict[str, set[str]] = {}
    for mention in mentions:
        if mention.label != "PERSON":
            continue
        named = _named(doc, mention)
        if named.label != "PERSON":
            continue
        found = evidence.setdefault(named.identity, set())
        before = re.search(r"([A-Za-z]+)\.?\s+$", text[max(0, mention.start - 30) : mention.start])
        written = [w.rstrip(".") for w in mention.text.split()]
        if before:
            written.insert(0, before.group(1))
        for as_written in written:
            word = as_written.casefold()
            if word in vocab.capitalised_titles and as_written[:1].islower():
                break  # ("drag queen RuPaul": a description, not a queen)
            if word in vocab.title_genders:
                found.add(vocab.title_genders[word])
            elif word not in vocab.honorifics and word + "." not in vocab.honorifics:
                break
        names = named.name.split()
        first = names[0].casefold() if len(names) >= 2 else None
        if first in vocab.first_name_genders:
            found.add(vocab.first_name_genders[first])
    genders = {key: next(iter(g)) for key, g in evidence.items() if len(g) == 1}
    for key, gender in _pronoun_votes(doc, mentions, quotes, vocab).items():
        if not evidence.get(key):
            genders[key] = gender
    return genders


def _pronoun_votes(
    doc: Doc, mentions: list[Mention], quotes: list[tuple[int, int]], vocab: SourceVocabulary
) -> dict[str, str]:
    """Gender from the article's own pronouns, for people nothing else tells: "Obama's tone in
    his plea" (he or she after the only person named so far in the sentence, outside
    quotations). A gender needs twice the votes of the other."""
    persons = [(m.start, _named(doc, m)) for m in mentions if m.label == "PERSON"]
    votes: dict[str, dict[str, int]] = {}
    for sent in doc.sents:
        inside = [
            (start, named) for start, named in persons if sent.start_char <= start < sent.end_char
        ]
        if not inside:
            continue
        for token in sent:
            gender = vocab.pronoun_genders.get(token.lower_)
            if gender is None or _in_quotation(quotes, token.idx):
                continue
            before = {
                named.identity
                for start, named in inside
                if start < token.idx and named.label == "PERSON"
            }
            if len(before) == 1:
                tally = votes.setdefault(before.pop(), {})
                tally[gender] = tally.get(gender, 0) + 1
    out = {}
    for key, tally in votes.items():
        best = max(tally, key=tally.__getitem__)
        others = sum(n for g, n in tally.items() if g != best)
        if tally[best] >= 2 * others and tally[best] >= 1:
            out[key] = best
    return out


def _gender_of(speaker: Speaker, genders: dict[str, str]) -> str | None:
    """A speaker's gender: the article's evidence for a named person, else a gendered head
    noun or title of a description ("the congresswoman", "his wife")."""
    if speaker.identity is not None and (speaker.identity in genders or speaker.label == "PERSON"):
        return genders.get(speaker.identity)
    vocab = source_vocabulary()
    words = [speaker.head or "", *re.findall(r"[a-z]+", (speaker.role or "").lower())]
    found = {vocab.title_genders[w] for w in words if w in vocab.title_genders}
    return found.pop() if len(found) == 1 else None


def _agrees(gender: str | None, speaker: Speaker, genders: dict[str, str]) -> bool:
    """A gendered pronoun never goes to a person of the other gender."""
    if gender is None:
        return True
    other = _gender_of(speaker, genders)
    return other is None or other == gender


def _may_be_people(head: Token) -> bool:
    """Whether an unnamed plural head may be people, a body of people or their documents
    ("experts", "lawmakers", "groups", "court records"), not things ("trade tensions",
    "temperatures", "inspections", "the regulations"): only those are an anonymous source."""
    vocab = source_vocabulary()
    words = {head.lower_, head.lemma_.lower()}
    known = (
        vocab.anonymous_heads
        | vocab.group_nouns
        | vocab.role_nouns
        | vocab.document_nouns
        | vocab.outlet_nouns
        | vocab.generic_org_nouns
        | org_head_words()
        | vocab.title_genders.keys()
    )
    if words & known:
        return True
    lemma = head.lemma_.lower()
    if lemma in vocab.thing_heads:
        return False  # "economic indicators", "the numbers": things, though they end like people
    if lemma.endswith(("ant", "ent")):
        return len(lemma) > 5 and not lemma.endswith("ment")  # "residents", not "chants"
    return lemma.endswith(_PERSON_SUFFIXES) and not lemma.endswith("ment") and len(lemma) > 4


def _may_be_a_person(speaker: Speaker) -> bool:
    """An unnamed source "he" or "she" may go back to: "a protester", "the official", not a
    document, an outlet, an organisation's common noun, a quotation fragment taken for a
    source, or an unresolved pronoun's own words."""
    if speaker.anonymous or speaker.title_only:
        return True
    vocab = source_vocabulary()
    head = speaker.head
    if head is None or not (speaker.description or "")[:1].isalpha():
        return False
    if head in vocab.document_nouns | vocab.outlet_nouns | vocab.generic_org_nouns:
        return False
    if head in org_head_words():
        return False
    known = vocab.role_nouns | vocab.anonymous_heads | vocab.title_genders.keys()
    return head in known or (
        head.endswith(_PERSON_SUFFIXES)
        and not head.endswith("ment")
        and len(head) > 4
        and head not in vocab.thing_heads
    )


def _owns_subject(token: Token) -> bool:
    """ "Gabbard's primary identity ... is ..., but she also put": the owner of a subject that
    is a thing, not a person ("Smith's lawyer said he": the lawyer's "he")."""
    subject = token.head
    return (
        token.dep_ == "poss"
        and subject.dep_ in ("nsubj", "nsubjpass")
        and subject.pos_ == "NOUN"
        and not _may_be_people(subject)
    )


def _sentence_subject(
    doc: Doc,
    mentions: list[Mention],
    pronoun: Token,
    gender: str | None,
    genders: dict[str, str],
    quotes: list[tuple[int, int]],
) -> Speaker | None:
    """The person a "he" or "she" refers to inside its own sentence: the last person before it
    who is the subject, or owns a subject that is a thing ("Yang's pet issue is basic income,
    which he sees as ..."), of the gender the pronoun asks. Such a person wins over the last
    speaker of earlier sentences (record 4227 gave Gabbard's "she" to the writer quoted before)."""
    start = pronoun.sent.start_char
    line = doc_text(doc).rfind("\n", start, pronoun.idx)
    start = max(start, line + 1)  # (a caption or heading the parse ran into the sentence)
    found = _person_subjects(doc, mentions, pronoun.idx, start, owners=True)
    ancestors = {t.i for t in pronoun.ancestors}
    fitting = [
        r
        for r in found
        if _compatible("person", r.speaker)
        and _agrees(gender, r.speaker, genders)
        and not _in_quotation(quotes, r.position)  # (a quotation's subject is not the writer's)
        and _governs(doc, r.position, ancestors)
    ]
    # the subject of the highest clause ("Walsh denied ... Obama was born ..., before
    # accepting he had ...": the parse hangs the "before" on Obama's clause), then the nearest
    return (
        min(fitting, key=lambda r: (_clause_depth(doc, r.position), -r.position)).speaker
        if fitting
        else None
    )


def _subject_token(doc: Doc, position: int) -> Token | None:
    """The subject a person's mention at `position` is, or owns ("Gabbard's identity")."""
    span = doc.char_span(position, position + 1, alignment_mode="expand")
    token = span[0] if span is not None and len(span) else None
    while token is not None and token.dep_ in ("compound", "poss", "appos"):
        if token.head.i == token.i:
            break
        token = token.head
    return token


def _clause_depth(doc: Doc, position: int) -> int:
    """How deep the clause of the subject at `position` lies in its sentence's tree."""
    token = _subject_token(doc, position)
    return len(list(token.head.ancestors)) if token is not None else 0


def _governs(doc: Doc, position: int, ancestors: set[int]) -> bool:
    """Whether the subject at `position` is the subject of a clause the pronoun stands in
    ("Walsh denied he had suggested Obama was born ..., before accepting he had ...": Walsh's
    clause holds the second "he", Obama's does not)."""
    token = _subject_token(doc, position)
    return token is not None and token.head.i in ancestors


def _person_subjects(
    doc: Doc, mentions: list[Mention], before: int, after: int, owners: bool = False
) -> list[_Resolved]:
    """Person names in subject position: a pronoun may refer to them though they said nothing
    (`owners`: also the owner of a subject that is a thing, see `_owns_subject`)."""
    found = []
    for mention in mentions:
        if not after <= mention.start < before:
            continue
        named = _named(doc, mention)  # the person's entity, though this mention reads ORG
        if named.label != "PERSON" or alias_key(named.name) in _diseases():
            continue  # ("COVID-19" the recogniser called a person is no one "he" refers to)
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None:
            continue
        root = span.root
        # a "compound" hung on a verb is its subject misparsed ("the reason Trump won")
        misparsed = root.dep_ == "compound" and root.head.pos_ in ("VERB", "AUX")
        # a name beside its subject's title ("that military spokesman Col. X identified")
        titled = root.dep_ == "appos" and root.head.dep_ in ("nsubj", "nsubjpass")
        owner = owners and _owns_subject(root)
        if root.dep_ not in ("nsubj", "nsubjpass") and not misparsed and not titled and not owner:
            continue
        speaker = Speaker(name=named.name, key=named.key, label=named.label)
        found.append(_Resolved(speaker, mention.start))
    # a surname the recogniser missed in subject position ("Pelosi earned a laugh when she
    # said"): the article's person of that name
    span = doc.char_span(max(0, after), before, alignment_mode="contract")
    for token in span if span is not None else ():
        if token.dep_ not in ("nsubj", "nsubjpass") and not (owners and _owns_subject(token)):
            continue
        if token.pos_ != "PROPN":
            continue
        if _token_mention(mentions, token) is not None or not token.text[:1].isupper():
            continue
        people = {
            (m.entity_key, _named(doc, m).name)
            for m in mentions
            if m.label == "PERSON"
            and _named(doc, m).label == "PERSON"
            and _named(doc, m).name.split()[-1] == token.text
            and " " in _named(doc, m).name
        }
        if len(people) == 1:
            key, name = next(iter(people))
            found.append(_Resolved(Speaker(name=name, key=key, label="PERSON"), token.idx))
    return found


def _antecedent(
    kind: str,
    history: list[_Resolved],
    extra: list[_Resolved],
    position: int,
    head: str | None,
    plural: bool | None = None,
    gender: str | None = None,
    genders: dict[str, str] | None = None,
    prefer_known: bool = False,
    qualifiers: frozenset[str] = frozenset(),
    marks: frozenset[str] = frozenset(),
    places: tuple[frozenset[str], dict[str, frozenset[str]]] = (frozenset(), {}),
    foreign: frozenset[str] = frozenset(),
) -> Speaker | None:
    """The nearest earlier speaker a back-reference of this kind fits. `prefer_known`: a
    gendered pronoun takes the nearest person known to be of its gender before the nearest
    person of unknown gender ("she said" after "Sen. Claire McCaskill ... Obama"). A
    description fits a speaker's role only with the same office marks (`marks`: "the
    president" is no "former Vice President"), and no state or party of its person's other
    than the description names (`places`: its own, and each person's); `foreign`: none of these
    people ("the president" is no "Ukrainian President", see `_foreign_holders`)."""
    candidates = sorted(
        (
            r
            for r in [*history, *extra]
            if position - _BACK_REFERENCE_WINDOW <= r.position < position
        ),
        key=lambda r: r.position,
        reverse=True,
    )
    if prefer_known and gender is not None:
        for resolved in candidates:
            speaker = resolved.speaker
            if _compatible(kind, speaker) and _gender_of(speaker, genders or {}) == gender:
                return speaker
    for resolved in candidates:
        speaker = resolved.speaker
        if kind == "description":
            if plural is not None and speaker.plural != plural:
                continue
            role = _title_core(speaker.role or "")
            if not _holds_qualifiers(f"{speaker.name or ''} {role}", qualifiers):
                continue  # "The president of Ukraine" is no earlier "President Trump"
            held = places[1].get(speaker.identity or "", frozenset())
            if not _affiliation_fits(places[0], held, strict=False):
                continue  # "the Kentucky senator" is no earlier "Sen. Marco Rubio of Florida"
            if speaker.identity in foreign:
                continue
            if head is not None and head == speaker.head:
                if speaker.name is None and _title_marks(speaker.description) != marks:
                    continue  # "the president" is no earlier "the former vice president"
                return speaker
            if (
                head is not None
                and head == _role_head(speaker.role)
                and _title_marks(speaker.role) == marks
            ):
                return speaker
            if head is not None and resolved.cue_lemma == head and speaker.name is not None:
                return speaker
            continue
        if _compatible(kind, speaker) and _agrees(gender, speaker, genders or {}):
            return speaker
    return None


def _paragraph_subjects(
    doc: Doc, subjects: list[_Resolved], recent: list[_Resolved], position: int
) -> list[_Resolved]:
    """The person subjects (`_person_subjects`) of a pronoun's own paragraph when no recent
    speaker spoke in it: "... a rocket that military spokesman Col. X identified as Iranian
    arms. He also played a clip that he said ..." after an official quoted a paragraph before.
    A speaker of the same paragraph keeps the pronoun as before, and a quotation's pronoun
    is left to the speakers ('Castro died ... "...," he wrote' after a leader's statement)."""
    text = doc_text(doc)
    start = text.rfind("\n", 0, position) + 1
    if any(r.position >= start for r in recent):
        return []
    return [s for s in subjects if start <= s.position < position]


def _salient_person(
    doc: Doc, mentions: list[Mention], position: int, gender: str, genders: dict[str, str]
) -> Speaker | None:
    """ "She supported the NRA" in a piece about Kirsten Gillibrand, a page after another
    woman was quoted: where nobody spoke and no other person was named just before, a
    gendered pronoun is the person of its gender the article is about, when one stands out:
    named at least twice as often as any other person of that gender so far, and at least
    four times. Else None (the nearest that fits decides, as before)."""
    counts: dict[str, int] = {}
    names: dict[str, Named] = {}
    for mention in mentions:
        if mention.start >= position or not mention.entity_key:
            continue
        named = _named(doc, mention)
        if named.label != "PERSON" or genders.get(named.identity) != gender:
            continue
        counts[named.identity] = counts.get(named.identity, 0) + 1
        names.setdefault(named.identity, named)
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    top, n = ranked[0]
    if n < 4 or len(ranked) > 1 and n < 2 * ranked[1][1]:
        return None
    # "just before": the last 400 characters, and the paragraph before the pronoun's own
    text = doc_text(doc)
    line = text.rfind("\n", 0, position)
    while line > 0 and text[line - 1] in "\n \t":
        line -= 1
    since = min(position - _SPEAKER_WINDOW, text.rfind("\n", 0, line) + 1 if line > 0 else 0)
    for mention in mentions:
        if not since <= mention.start < position:
            continue
        near = _named(doc, mention)
        if (
            near.label == "PERSON"
            and near.identity != top
            and genders.get(near.identity)
            in (
                gender,
                None,
            )
        ):
            return None  # someone who may be meant was named just before
    people = [_named(doc, m) for m in mentions]
    others = {n.name.split()[-1] for n in people if n.label == "PERSON" and n.identity != top}
    window = doc.char_span(max(0, since), position, alignment_mode="expand")
    if window is not None and any(t.text in others for t in window):
        return None  # ("Watch how Polumbo 'counters' ...": his surname alone, unrecognised)
    named = names[top]
    return Speaker(name=named.name, key=named.key, label="PERSON")


def _role_head(role: str | None) -> str | None:
    if not role:
        return None
    words = re.findall(r"[\w-]+", role.lower())
    if "of" in words:
        words = words[: words.index("of")]
    return words[-1] if words else None


def _qualifiers(head: Token) -> frozenset[str]:
    """The places, peoples and organisations a description names of its own ("The president
    of Ukraine", "the Ukrainian president", "the Pentagon spokesman"), as words: whoever it
    goes back to must hold them. Only for a role a country holds one of (roles.yaml
    `qualified_roles`): "the mayor of Minneapolis" is the mayor the article titled "Mayor"."""
    roles = _words("roles", "qualified_roles")
    if head.lemma_.lower() not in roles and head.lower_ not in roles:
        if _org_noun(head.lemma_.lower()):
            # "the McCain group", "the Clinton campaign": the organisation holds the name
            return frozenset(
                c.lower_
                for c in head.children
                if c.dep_ in ("compound", "poss") and c.pos_ == "PROPN" and c.i < head.i
            )
        return frozenset()
    found: list[Token] = []
    for child in head.children:
        if child.dep_ in ("amod", "compound", "nmod", "poss") and child.idx < head.idx:
            found.append(child)
        elif child.dep_ == "prep" and child.lower_ in ("of", "for", "in"):
            # (not "from": "the senator from Ohio" is the senator the article titled "Sen.")
            found.extend(g for g in child.children if g.dep_ == "pobj")
    words = set()
    unmarked = _words("roles", "unmarked_qualifiers")
    for token in found:
        for t in token.subtree:
            if t.ent_type_ in ("GPE", "NORP", "ORG", "LOC") and t.text[:1].isupper():
                words.add(t.lower_)
    return frozenset(words - unmarked)


def _office_marks(head: Token) -> frozenset[str]:
    """The words before a description's role noun that make it another office or another time
    ("the former vice president": former, vice; roles.yaml `office_marks`)."""
    titles = source_vocabulary().title_roles
    words = {t.lower_.rstrip(".") for t in head.subtree if t.i < head.i}
    return frozenset(titles.get(w, w) for w in words) & _words("roles", "office_marks")


def _title_marks(title: str | None) -> frozenset[str]:
    """The office marks of a title ("former Vice President": former, vice)."""
    if not title:
        return frozenset()
    return frozenset(_title_words(title, source_vocabulary())) & _words("roles", "office_marks")


@derived
def _us_states() -> dict[str, str]:
    """A US state's abbreviation or postal code (lower case, no final dot) -> its name."""
    roles = load_vocabulary("roles")
    found: dict[str, str] = {}
    for key in ("us_states", "us_state_codes"):
        for short, name in (roles.get(key) or {}).items():
            found[str(short).lower().rstrip(".")] = str(name).lower()
    return found


@derived
def _parties() -> dict[str, str]:
    """A party word or letter -> the party ("gop" and "r" -> republican)."""
    roles = load_vocabulary("roles")
    found = {str(k).lower(): str(v).lower() for k, v in (roles.get("party_letters") or {}).items()}
    words = {w: w for w in _words("roles", "parties")}
    words.update({"democrat": "democratic", "gop": "republican"})
    return {**found, **words}


_AFFILIATION_AFTER_NAME = re.compile(
    r"\s*(?:,\s*|\(\s*)(?P<party>[DRI])\s*-\s*(?P<state>[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)"
    r"|\s+of\s+(?P<place>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)"
)


def _affiliations_in(text: str) -> set[str]:
    """The US states and parties a title or description names, as their names."""
    low = " " + " ".join(re.findall(r"[a-z]+", text.lower())) + " "
    found = {p for w, p in _parties().items() if len(w) > 1 and f" {w} " in low}
    return found | {n for n in _us_states().values() if f" {n} " in low}


def _name_affiliations(
    doc: Doc, mentions: list[Mention], titles: dict[str, list[str]]
) -> dict[str, frozenset[str]]:
    """Per person: the US states and parties the article gives them, in a title ("Oregon
    Democratic Sen.") or after the name ("Mitt Romney of Utah", "McConnell, R-Ky.",
    "(D-CA)"), so "the Kentucky senator" is no Romney."""
    text = doc_text(doc)
    states, parties = _us_states(), _parties()
    found: dict[str, set[str]] = {k: _affiliations_in(" ".join(v)) for k, v in titles.items()}
    for mention in mentions:
        if mention.label != "PERSON":
            continue
        match = _AFFILIATION_AFTER_NAME.match(text, mention.end, mention.end + 40)
        if match is None:
            continue
        named = _named(doc, mention)
        held = found.setdefault(named.identity, set())
        if match.group("party"):
            held.add(parties.get(match.group("party").lower(), ""))
            state = match.group("state").lower().rstrip(".")
            held.add(states.get(state, state))
        else:
            held |= _affiliations_in(match.group("place"))
    return {k: frozenset(v - {""}) for k, v in found.items()}


def _description_affiliations(head: Token) -> frozenset[str]:
    """The US states and parties a person description names ("the New York senator", "the
    Democratic leader", "the senator from Kentucky")."""
    words = [t.text for t in head.subtree if t.i < head.i]
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in ("from", "of"):
            words.extend(t.text for t in child.subtree)
    return frozenset(_affiliations_in(" ".join(words)))


def _affiliation_fits(wanted: frozenset[str], held: frozenset[str], strict: bool) -> bool:
    """Whether a person's states and parties agree with a description's: none of another
    state or party where the article gives theirs; `strict` (a description before the name,
    the weaker guess): every one of them held."""
    if not wanted:
        return True
    if strict:
        return wanted <= held
    for kind in (frozenset(_us_states().values()), frozenset(_parties().values())):
        if wanted & kind and held & kind and not wanted & held & kind:
            return False
    return True


def _foreign_words(title: str | None) -> frozenset[str]:
    """The places, peoples and bodies a title names other than American ones ("Ukrainian
    President": ukrainian; "president of the Police Officers Federation": police, officers,
    federation; "President", "U.S. President", "former Vice President": none)."""
    if not title:
        return frozenset()
    vocab = source_vocabulary()
    plain = (
        vocab.role_nouns
        | vocab.honorifics
        | vocab.title_roles.keys()
        | frozenset(vocab.title_roles.values())
        | _words("roles", "office_marks")
        | _words("roles", "unmarked_qualifiers")
    )
    words = [
        w.lower() for w in re.findall(r"[A-Za-z][\w.]*", _title_core(title)) if w[:1].isupper()
    ]
    return frozenset(w for w in words if w not in plain and w.rstrip(".") not in plain)


def _foreign_holders(
    titles: dict[str, list[str]], head: str, marks: frozenset[str], qualifiers: frozenset[str]
) -> frozenset[str]:
    """For a bare description of a role a country holds one of ("the president"), when the
    article titles a holder only without another country ("President Trump"): the holders it
    titles with another country or body anywhere ("Ukrainian President Volodymyr Zelensky",
    though a quoted "President Zelensky" also stands), whom the description never means."""
    if qualifiers or head not in _words("roles", "qualified_roles"):
        return frozenset()
    vocab = source_vocabulary()
    fits = vocab.role_synonyms.get(head, frozenset({head}))
    fitting = {
        identity: [t for t in held if fits & _title_words(t, vocab) and _title_marks(t) == marks]
        for identity, held in titles.items()
    }
    foreign = frozenset(i for i, held in fitting.items() if any(map(_foreign_words, held)))
    if not any(held and i not in foreign for i, held in fitting.items()):
        return frozenset()
    return foreign


def _title_core(title: str) -> str:
    """The title proper in the words before a name: the capitalised run around its last role
    word ("Ukrainian President", "President of Ukraine"), not the clause the words were taken
    from ("more helpful to the Ukrainians than President")."""
    vocab = source_vocabulary()
    words = title.split()
    roles = vocab.role_nouns | vocab.title_roles.keys()
    found = [i for i, w in enumerate(words) if w.lower().strip(".,") in roles]
    if not found:
        return title
    first = last = found[-1]
    while first > 0 and words[first - 1][:1].isupper():
        first -= 1
    while last + 1 < len(words) and (
        words[last + 1][:1].isupper() or words[last + 1].lower() in ("of", "the", "for")
    ):
        last += 1
    return " ".join(words[first : last + 1])


def _holds_qualifiers(text: str | None, qualifiers: frozenset[str]) -> bool:
    """Whether a title or description names the same places or organisations ("Ukrainian
    President Volodymyr Zelensky" holds "Ukraine": words that share their first five
    letters, or all of a shorter one)."""
    if not qualifiers:
        return True
    words = re.findall(r"[a-z]+", (text or "").lower())

    def same(a: str, b: str) -> bool:
        n = min(5, len(a), len(b))
        return n >= 3 and a[:n] == b[:n]

    return all(any(same(q, w) for w in words) for q in qualifiers)


def _copy(speaker: Speaker) -> Speaker:
    return Speaker(
        name=speaker.name,
        key=speaker.key,
        label=speaker.label,
        anonymous=speaker.anonymous,
        description=speaker.description,
        role=speaker.role,
        head=speaker.head,
        plural=speaker.plural,
        outlet=speaker.outlet,
        via=list(speaker.via),
    )


def _exchange_channel(doc: Doc, mentions: list[Mention], cue_token: Token) -> str | None:
    """'in an interview with X', 'during his conversation with X' in the cue's sentence."""
    vocab = source_vocabulary()
    for token in cue_token.sent:
        if token.lemma_.lower() not in vocab.exchange_nouns:
            continue
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in ("with", "to"):
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        outlet = outlet_of(doc, mentions, obj, addressed=True)
                        if outlet is not None:
                            return outlet
    return None


def _channel(doc: Doc, mentions: list[Mention], relation: Relation) -> str | None:
    """The medium a statement went through: whom it was told to, or the outlet of an
    interview. Only verbs of telling make any organisation addressed a medium ("told FNA");
    "tweeted to Delta" names a recipient (outlets.yaml `addressing_verbs`)."""
    if relation.channel_root is not None:
        telling = doc[relation.cue_token].lemma_.lower() in source_vocabulary().addressing_verbs
        root = doc[relation.channel_root]
        outlet = outlet_of(doc, mentions, root, addressed=telling)
        if outlet is None and telling:
            outlet = _outlet_referred_to(doc, mentions, root)
        if outlet is not None:
            return outlet
    return _exchange_channel(doc, mentions, doc[relation.cue_token])


def _outlet_referred_to(doc: Doc, mentions: list[Mention], token: Token) -> str | None:
    """ "the New York Daily News reports. Sen. Chuck Schumer told the paper ...": a medium's
    noun with "the" and nothing else is the outlet named last before it, nearby."""
    vocab = source_vocabulary()
    if token.lemma_.lower() not in vocab.outlet_nouns and token.lower_ not in vocab.outlet_nouns:
        return None
    if [c.lower_ for c in token.lefts] != ["the"]:
        return None
    for mention in reversed(mentions):
        if token.idx - _BACK_REFERENCE_WINDOW <= mention.start < token.idx:
            named = _named(doc, mention)
            if named.label in ("ORG", "WORK_OF_ART") and is_outlet_name(named.name):
                return named.name
    return None


def _within(span: tuple[int, int], outer: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in outer)


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        folded = normalise_text(name)
        if folded not in seen:
            seen.add(folded)
            out.append(name)
    return out


def resolve_relations(doc: Doc, relations: list[Relation]) -> list[Attribution]:
    """Turn parsed relations into Attributions with speakers, roles and sourcing chains."""
    from claimgraph.annotate.attribution import quote_regions

    mentions = _mentions(doc)
    titles = _name_titles(doc, mentions)
    # (built when a description first asks: most documents never need it)
    described = functools.cache(functools.partial(_name_descriptions, doc, mentions))
    affiliations = _name_affiliations(doc, mentions, titles)
    quotes = quote_regions(doc_text(doc))
    genders = _person_genders(doc, mentions, quotes)
    history: list[_Resolved] = []
    out: list[tuple[Relation, Speaker]] = []
    for relation in relations:
        position = relation.source[0] if relation.source else relation.cue[0]
        if relation.source_root is None or relation.source is None:
            speakers = [Speaker()]
        elif _not_a_statement(doc, relation):
            speakers = [Speaker(description=_clean(_span_text(doc, relation.source)))]
        else:
            root = _source_root(doc, relation)
            found = describe_source(doc, mentions, root, relation.source)
            if isinstance(found, str):
                head_token = _phrase_head(root, source_vocabulary())
                head = head_token.lemma_.lower()
                qualifiers = _qualifiers(head_token) if found == "description" else frozenset()
                marks = _office_marks(head_token) if found == "description" else frozenset()
                places = (
                    _description_affiliations(head_token) if found == "description" else frozenset()
                )
                foreign = (
                    _foreign_holders(titles, head, marks, qualifiers)
                    if found == "description"
                    else frozenset()
                )
                extra = (
                    []
                    if found != "person"
                    else _person_subjects(
                        doc, mentions, position, position - _BACK_REFERENCE_WINDOW
                    )
                )
                if found == "group" and root.lower_ == "we":
                    antecedent = _enclosing_speaker(relation, out)
                elif root.lower_ in _FIRST_PERSON and not _in_quotation(quotes, root.idx):
                    # "I" outside a quotation is the author's own voice: no source named,
                    # never the last person quoted ("When I objected to Dennis's ...").
                    antecedent = None
                else:
                    # "X issued a statement ... Castro died ... , he wrote": a pronoun that
                    # speaks goes back to the last speaker when one spoke just before
                    recent = [r for r in history if position - r.position <= _SPEAKER_WINDOW]
                    gender = source_vocabulary().pronoun_genders.get(root.lower_)
                    person = found == "person"
                    own_sentence = (
                        _sentence_subject(doc, mentions, root, gender, genders, quotes)
                        if person
                        and root.pos_ == "PRON"
                        and gender is not None
                        and not _in_quotation(quotes, root.idx)
                        else None
                    )
                    if own_sentence is not None:
                        # the same person as an earlier speaker keeps what was said of them
                        # there: their role and the medium they spoke through
                        said = [
                            r.speaker
                            for r in history
                            if r.speaker.identity == own_sentence.identity
                        ]
                        own_sentence = said[-1] if said else own_sentence
                    antecedent = (
                        own_sentence
                        or (
                            _antecedent(
                                found,
                                recent,
                                []
                                if relation.kind == "direct"
                                else _paragraph_subjects(doc, extra, recent, position),
                                position,
                                head,
                                None,
                                gender,
                                genders,
                                True,
                            )
                            if person
                            else None
                        )
                        or (
                            _salient_person(doc, mentions, position, gender, genders)
                            if person and gender is not None and not recent
                            else None
                        )
                        or _antecedent(
                            found,
                            history,
                            extra,
                            position,
                            head,
                            None,
                            gender,
                            genders,
                            qualifiers=qualifiers,
                            marks=marks,
                            places=(places, affiliations),
                            foreign=foreign,
                        )
                    )
                if antecedent is None and found == "description":
                    antecedent = _entity_antecedent(
                        doc,
                        mentions,
                        titles,
                        head,
                        position,
                        _spoken(history),
                        qualifiers,
                        marks,
                        (places, affiliations),
                        foreign,
                        quotes,
                        history,
                    ) or _issuer(doc, mentions, head, position)
                    antecedent = antecedent or _organisation_ending(
                        doc, mentions, head_token, position
                    )
                    if antecedent is None and not _is_plural(head_token):
                        antecedent = _described_before(
                            doc, mentions, described, history, head, relation.source
                        )
                speakers = (
                    [_copy(antecedent)]
                    if antecedent
                    else [
                        Speaker(
                            description=_clean(_span_text(doc, relation.source)),
                            head=head if found == "description" else None,
                        )
                    ]
                )
            elif len(found) == 1 and found[0].anonymous and found[0].definite:
                earlier = _antecedent(
                    "description", history, [], position, found[0].head, found[0].plural
                )
                if (earlier is None or not earlier.anonymous) and not found[0].plural:
                    earlier = _described_before(
                        doc, mentions, described, history, found[0].head, relation.source
                    )
                speakers = [_copy(earlier) if earlier else found[0]]
            elif _definite_description(root, found):
                phrase_head = _phrase_head(root, source_vocabulary())
                antecedent = _entity_antecedent(
                    doc,
                    mentions,
                    titles,
                    found[0].head or "",
                    position,
                    _spoken(history),
                    _qualifiers(phrase_head),
                    _office_marks(phrase_head),
                    (_description_affiliations(phrase_head), affiliations),
                    quotes=quotes,
                    history=history,
                )
                if antecedent is None and not found[0].plural:
                    antecedent = _described_before(
                        doc, mentions, described, history, found[0].head, relation.source
                    ) or _issuer(doc, mentions, found[0].head or "", position)
                speakers = [_copy(antecedent)] if antecedent else found
            elif (
                len(found) == 1
                and not found[0].name
                and (found[0].head or "") in source_vocabulary().filed_documents
            ):
                # "Tuesday's motion adds ...": whoever filed it
                issuer = _issuer(doc, mentions, found[0].head or "", position)
                speakers = [issuer] if issuer else found
            else:
                speakers = found
        channel = _channel(doc, mentions, relation)
        for speaker in speakers:
            if channel:
                speaker.via = _dedupe([channel, *speaker.via])
            out.append((relation, speaker))
            history.append(_Resolved(speaker, position, doc[relation.cue_token].lemma_.lower()))
    _link_titles(doc, mentions, out)
    _forward_documents(out)
    _nest_chains(out)
    _propagate_roles(out, titles)
    for cache in ("cg_word_counts", "cg_lower_index"):  # (per-document lookups: never stored)
        doc.user_data.pop(cache, None)
    text = doc_text(doc)
    return [_to_attribution(text, relation, speaker) for relation, speaker in out]


def _spoken(history: list[_Resolved]) -> frozenset[str]:
    """The organisations that have spoken so far in the article."""
    return frozenset(
        r.speaker.identity
        for r in history
        if r.speaker.identity is not None and r.speaker.label == "ORG"
    )


def _not_a_statement(doc: Doc, relation: Relation) -> bool:
    """A relation whose source cannot have spoken: a heading in capitals ("KEY POINTS"), or a
    name modifying the cue noun ("Saturday morning Zoom calls")."""
    root = doc[relation.source_root]  # type: ignore[index]
    cue = doc[relation.cue_token]
    span = doc.char_span(*relation.source, alignment_mode="expand")  # type: ignore[misc]
    source = span.text if span is not None else ""  # (doc.text is rebuilt at each read)
    heading = cue.text.isupper() and len(cue.text) > 1 and source.isupper()
    # ("Trump tweets about X" is Trump's: a person or organisation the recogniser knows stays)
    modifier = root.dep_ == "compound" and root.head.i == cue.i and cue.pos_ == "NOUN"
    if not modifier or root.ent_type_:
        return heading
    mentions = _mentions(doc)
    return _token_mention(mentions, root) is None and _known_name(doc, mentions, root) is None


def _source_root(doc: Doc, relation: Relation) -> Token:
    """The head of the source phrase: the relation's, unless that stands outside the phrase
    (a parse across a byline: "- Jane Roe\\n\\nFormer envoy X told ..." rooted at "Roe"),
    where the phrase's own head is meant."""
    root = doc[relation.source_root]  # type: ignore[index]
    start, end = relation.source  # type: ignore[misc]
    if not start <= root.idx < end:
        span = doc.char_span(start, end, alignment_mode="expand")
        root = span.root if span is not None else root
    # "said Rep. Jamie Raskin\n\nPanel chairs ...": a name the parse hung on the next line's
    # word, rooted at its title; the name's last word is its head
    while (
        root.dep_ == "compound"
        and root.i + 1 < len(doc)
        and doc[root.i + 1].idx < end
        and doc[root.i + 1].head == root.head
        and doc[root.i + 1].pos_ == "PROPN"
        and not start <= root.head.idx < end
    ):
        root = doc[root.i + 1]
    # "President Moon Jae-in said": the parse makes the syllable after the hyphen the subject
    if (
        root.i >= 2
        and root.text.islower()
        and doc[root.i - 1].text == "-"
        and not doc[root.i - 1].whitespace_
        and not doc[root.i - 2].whitespace_
        and doc[root.i - 2].pos_ == "PROPN"
        and start <= doc[root.i - 2].idx
    ):
        root = doc[root.i - 2]
    return root


def _definite_description(root: Token, found: list[Speaker]) -> bool:
    """'the group', 'the paper': one unnamed, unflagged description with a definite article."""
    if len(found) != 1 or found[0].name or found[0].anonymous or not found[0].head:
        return False
    return any(c.dep_ == "det" and c.lower_ == "the" for c in root.children)


def _title_words(title: str, vocab: SourceVocabulary) -> set[str]:
    """The role words of a title, abbreviations spelt out ("Sen." -> senator)."""
    words = {w.rstrip(".") for w in re.findall(r"[\w.-]+", title.lower())}
    return {vocab.title_roles.get(w, w) for w in words}


def _entity_antecedent(
    doc: Doc,
    mentions: list[Mention],
    titles: dict[str, list[str]],
    head: str,
    position: int,
    spoken: frozenset[str] = frozenset(),
    qualifiers: frozenset[str] = frozenset(),
    marks: frozenset[str] = frozenset(),
    places: tuple[frozenset[str], dict[str, frozenset[str]]] = (frozenset(), {}),
    foreign: frozenset[str] = frozenset(),
    quotes: list[tuple[int, int]] | None = None,
    history: list[_Resolved] | None = None,
) -> Speaker | None:
    """'the president', 'the senator', 'the paper', 'the ministry', 'the group': the entity
    named before it in the article that the description fits, the most recent one.

    A person fits a role noun their title holds (titles from anywhere in the article: "the
    president" is "President Donald Trump" though he was never quoted before); an outlet fits
    an outlet noun; an organisation fits a generic noun ("the group", "the monitor") or a
    noun its name holds ("the ministry": "the Ministry of Defence"). A person must also hold
    the places and organisations the description names (`qualifiers`: "The president of
    Ukraine" is no "President Donald Trump"), and be of no other US state or party than it
    names (`places`: "the New York senator" is no "Mitt Romney of Utah"; one named only after
    the description must hold them), and be none of `foreign` (`_foreign_holders`).
    An organisation named only inside a quotation is what someone said, not whom the
    narration refers back to (`quotes`: "the Trump-Pence admin has sought ...," the group
    added' is the group quoted, Planned Parenthood).
    Nothing that fits: None, and the description stays a description.
    """
    vocab = source_vocabulary()
    person_role = (
        head in vocab.role_nouns
        or head in vocab.title_roles.values()
        or head in vocab.role_synonyms
    )
    outlet_noun = head in vocab.outlet_nouns
    org_noun = _org_noun(head)
    if not (person_role or outlet_noun or org_noun):
        return None
    if org_noun and not outlet_noun:
        # "The group also called for ..." in an article where the ADL has spoken: the
        # organisation that spoke, before one the article merely names in between ("Congress")
        for mention in reversed(mentions):
            named = _named(doc, mention)
            if (
                position - _BACK_REFERENCE_WINDOW <= mention.start < position
                and named.label == "ORG"
                and named.identity in spoken
                and not is_outlet_name(named.name)
                and not _institution(named.name)  # a court or an agency is no "group"
                and head in vocab.generic_org_nouns
                and _holds_qualifiers(named.name, qualifiers)
            ):
                return Speaker(name=named.name, key=named.key, label="ORG", plural=True)
        # an organisation that spoke though the recogniser named it nowhere ("Planned
        # Parenthood Action Fund ... tweeted"): before the nearest organisation merely named
        for resolved in reversed(history or []):
            spoke = resolved.speaker
            if (
                position - _BACK_REFERENCE_WINDOW <= resolved.position < position
                and spoke.label == "ORG"
                and spoke.name
                and not spoke.outlet
                and _holds_qualifiers(spoke.name, qualifiers)
                and (
                    head in vocab.generic_org_nouns
                    and not _institution(spoke.name)
                    # "the campaign" after "the Romney campaign said"
                    or head in _office_words()
                    and head in spoke.name.lower().split()
                )
            ):
                return _copy(spoke)
    for mention in reversed(mentions):
        if mention.start >= position:
            continue
        near = mention.start >= position - _BACK_REFERENCE_WINDOW
        named = _named(doc, mention)
        if alias_key(named.name) in _diseases() or _event_or_programme(named.name):
            continue  # "the company said" is no "COVID-19" the recogniser called an organisation
        if named.label == "PERSON" and person_role:  # a title holds anywhere in the article
            if _in_quotation(quotes or [], mention.start):
                continue  # ("because of General Jackass?" Scaramucci asked: a taunt, no title)
            fits = vocab.role_synonyms.get(head, frozenset({head}))
            title = _fitting_title(titles, named.identity, fits, vocab, qualifiers, marks)
            if named.identity in foreign:  # ("the president" is no "Ukrainian President")
                title = None
            held = places[1].get(named.identity, frozenset())
            if title and _affiliation_fits(places[0], held, strict=False):
                return Speaker(name=named.name, key=named.key, label="PERSON", role=title)
        elif (
            # (the recogniser often calls a paper a work: "according to The Telegraph")
            (named.label == "ORG" or outlet_noun and named.label == "WORK_OF_ART")
            and near
            and (outlet_noun or org_noun)
            and not _quoted_words(quotes or [], mention)
        ):
            outlet = is_outlet_name(named.name)
            words = set(re.findall(r"[a-z]+", named.name.lower()))
            named_so = head in words or bool(vocab.org_synonyms.get(head, frozenset()) & words)
            platform = is_platform_name(named.name)  # "a statement on Twitter, the group said"
            if (outlet_noun and outlet) or (
                org_noun
                and not outlet
                and not platform
                and (head in vocab.generic_org_nouns or named_so)
                and _holds_qualifiers(named.name, qualifiers)
            ):
                return Speaker(
                    name=named.name, key=named.key, label="ORG", plural=True, outlet=outlet
                )
    if person_role:
        # Nobody before fits: a lead that says "The president said" before it names him. The
        # first person the article titles so after it is meant.
        fits = vocab.role_synonyms.get(head, frozenset({head}))
        for mention in mentions:
            named = _named(doc, mention)
            if named.label != "PERSON" or mention.start <= position:
                continue
            title = _fitting_title(titles, named.identity, fits, vocab, qualifiers, marks)
            held = places[1].get(named.identity, frozenset())
            if title and _affiliation_fits(places[0], held, strict=True):
                return Speaker(name=named.name, key=named.key, label="PERSON", role=title)
    return None


def _described_before(
    doc: Doc,
    mentions: list[Mention],
    described: Callable[[], dict[str, list[tuple[str, str]]]],
    history: list[_Resolved],
    head: str | None,
    phrase: tuple[int, int],
) -> Speaker | None:
    """ "The aide said" (one, by a description): the person most recently named with a
    description of that head beside their name ("Alexander Vindman, the National Security
    Council aide"), within the back-reference window, the description holding the names this
    one gives ("the Pentagon official" is no "a State Department official"). None, so it stays
    a description, where an unnamed aide spoke before (even before a named one: it is open)."""
    position = phrase[0]
    span = doc.char_span(*phrase, alignment_mode="expand")
    if not head or span is None:
        return None
    if any(
        r.speaker.name is None and r.speaker.head == head
        for r in history
        if position - _BACK_REFERENCE_WINDOW <= r.position < position
    ):
        return None
    names = frozenset(t.lower_ for t in span[1:] if t.pos_ == "PROPN" or t.ent_type_)
    for mention in reversed(mentions):
        if not position - _BACK_REFERENCE_WINDOW <= mention.start < position:
            continue
        named = _named(doc, mention)
        if named.label != "PERSON":
            continue
        for description, its_head in described().get(named.identity, []):
            if its_head == head and _holds_qualifiers(description, names):
                return Speaker(name=named.name, key=named.key, label="PERSON", role=description)
    return None


def _organisation_ending(
    doc: Doc, mentions: list[Mention], head: Token, position: int
) -> Speaker | None:
    """ "the Inspector General testified" after "the Intelligence Community Inspector General":
    a description written like a name (every word capitalised) goes back to the organisation
    named before whose name ends in its words, the nearest."""
    words = [t for t in head.lefts if t.dep_ in ("compound", "amod")] + [head]
    if not all(t.text[:1].isupper() for t in words):
        return None
    if words[0].i == head.sent.start:
        return None  # (capitalised by standing first: "Officials said")
    wanted = [t.lower_ for t in words]
    for mention in reversed(mentions):
        if not position - _BACK_REFERENCE_WINDOW <= mention.start < position:
            continue
        named = _named(doc, mention)
        name = re.findall(r"[\w.'-]+", named.name.lower())
        if named.label == "ORG" and len(name) > len(wanted) and name[-len(wanted) :] == wanted:
            return Speaker(name=named.name, key=named.key, label="ORG", plural=True)
    return None


def _issuer(doc: Doc, mentions: list[Mention], head: str, position: int) -> Speaker | None:
    """'the statement said' after 'X issued a statement': X, who put out a document of that
    name before (the nearest in the article); 'the lawsuit requests' after 'X sued Y': X."""
    vocab = source_vocabulary()
    filed = vocab.filed_documents
    if head not in vocab.document_nouns and head not in filed:
        return None
    before = [t for t in doc if position - _BACK_REFERENCE_WINDOW <= t.idx < position]
    for token in reversed(before):
        filing = token.pos_ == "VERB" and token.lemma_.lower() in filed.get(head, ())
        # ("filed a consumer protection and emotional distress lawsuit": the parse may make
        # the document a conjunct of the verb's object)
        role = token
        while role.dep_ == "conj" and role.head.i != role.i:
            role = role.head
        if not filing and (token.lemma_.lower() != head or role.dep_ not in ("dobj", "nsubjpass")):
            continue
        verb = token if filing else role.head
        if role.dep_ == "nsubjpass" and not filing:  # "a statement was issued by X"
            subjects = [g for c in verb.children if c.dep_ == "agent" for g in c.children]
        else:
            subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        for subject in subjects:
            office = _office_of(subject)
            if office is not None:
                return office
            named = _name_for(doc, mentions, _appositive_name(subject))
            if named is not None and (
                named.label in ("PERSON", "ORG", "NORP", "GPE") or is_outlet_name(named.name)
            ):
                return Speaker(
                    name=named.name,
                    key=named.key,
                    label=named.label,
                    plural=named.label != "PERSON",
                    outlet=is_outlet_name(named.name),
                )
    return None


def _in_quotation(regions: list[tuple[int, int]], position: int) -> bool:
    return any(a <= position < b for a, b in regions)


def _quoted_words(regions: list[tuple[int, int]], mention: Mention) -> bool:
    """Whether a mention stands inside a quotation of someone's words, not inside quotation
    marks around the name alone ('Opponents, including the "Legal Ivory Rights Coalition,"').
    """
    return any(
        a <= mention.start < b and (mention.start - a > 2 or b - mention.end > 3)
        for a, b in regions
    )


def _enclosing_speaker(relation: Relation, done: list[tuple[Relation, Speaker]]) -> Speaker | None:
    """'we' inside a quotation is the quoted speaker's group."""
    for outer, speaker in reversed(done):
        if outer.kind == "direct" and _within(
            relation.cue, [(outer.content[0][0], outer.content[-1][1])]
        ):
            return speaker
    return None


def _link_titles(doc: Doc, mentions: list[Mention], pairs: list[tuple[Relation, Speaker]]) -> None:
    """'A leader of X says ...' followed by '..., Qassem al-Kuraiti told ...': one person; not
    "his spokesman said" (someone's aide, whom the article leaves unnamed) before the next
    person quoted ("his spokesman said ... Margolin said": no spokesman of Margolin's), nor a
    person the article named before an indefinite role ("A Justice Department spokesperson
    declined to comment" is no defendant the article is about)."""
    for i, (relation, speaker) in enumerate(pairs):
        if not speaker.title_only:
            continue
        description = speaker.description or ""
        pronoun = re.match(r"(?i)(?:his|her|their)\s", description)
        owner = re.search(r"(\w+)['\u2019]s\s", description)
        if pronoun or owner and owner.group(1).lower() in source_vocabulary().role_nouns:
            continue  # someone's aide ("the president's personal lawyer"), left unnamed
        if not any(w[:1].isupper() for w in description.split()[1:]):
            continue  # "until a foreign leader agrees": no body named whose role it is
        if re.match(r"(?i)(?:more than|at least|over|nearly|almost|up to)\s", description):
            continue  # "more than one House member pointed out": not one person, nobody named
        for later_relation, later in pairs[i + 1 :]:
            if later_relation.cue[0] - relation.cue[1] > _CATAPHORA_WINDOW:
                break
            if later.label == "PERSON" and later.name:
                # (an indefinite role introduces someone new; "The Vermont independent
                # senator" may well be the Sanders named before)
                known = re.match(r"(?i)(?:an?|one|another)\s", description) is not None and any(
                    m.start < relation.cue[0] and _named(doc, m).identity == later.identity
                    for m in mentions
                )
                if later.role is None and not known:
                    later.role = speaker.role
                    speaker.name, speaker.key, speaker.label = later.name, later.key, later.label
                break


def _forward_documents(pairs: list[tuple[Relation, Speaker]]) -> None:
    """'The report said ...' in a lead before the article says whose report it is ("The HHS
    enrollment report ... found"): the next document of that kind with an author."""
    documents = source_vocabulary().document_nouns
    for i, (relation, speaker) in enumerate(pairs):
        if speaker.name or speaker.anonymous or speaker.head not in documents:
            continue
        if not re.match(r"(?i)the\s", speaker.description or ""):
            continue
        for later_relation, later in pairs[i + 1 :]:
            if later_relation.cue[0] - relation.cue[1] > _BACK_REFERENCE_WINDOW:
                break
            if later.head == speaker.head and later.name and not later.anonymous:
                speaker.name, speaker.key, speaker.label = later.name, later.key, later.label
                break


def _nest_chains(pairs: list[tuple[Relation, Speaker]]) -> None:
    """A statement inside an outlet's report passes through that outlet (and its chain)."""
    for relation, speaker in pairs:
        for outer_relation, outer in pairs:
            if outer_relation is relation or not _within(relation.cue, outer_relation.content):
                continue
            if _within(outer_relation.cue, relation.content):
                continue
            chain = ([outer.name] if outer.outlet and outer.name else []) + outer.via
            speaker.via = _dedupe([*speaker.via, *chain])


def _name_titles(doc: Doc, mentions: list[Mention]) -> dict[str, list[str]]:
    """Titles written before a person's name anywhere in the article, in text order: the
    first is their role; any of them may fit a description ("iconic statesman George Shultz"
    and "Treasury Secretary George Shultz": "the American treasury secretary" is Shultz)."""
    titles: dict[str, list[str]] = {}
    vocab = source_vocabulary()
    name_titles = vocab.role_nouns | vocab.role_synonyms.keys()
    for mention in mentions:
        if mention.label not in ("PERSON", "ORG"):
            continue
        last = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if last is None:
            continue
        named = _name_for(doc, mentions, last[-1])
        if named is None or named.label != "PERSON":
            continue
        title = title_before(doc, named.start)
        first = named.name.split()[0] if " " in named.name else ""
        if not title and first.lower() in name_titles:
            title = first  # a title the recogniser took into the name ("Prince Harry")
        if title and title not in titles.setdefault(named.identity, []):
            titles[named.identity].append(title)
    return titles


def _name_descriptions(doc: Doc, mentions: list[Mention]) -> dict[str, list[tuple[str, str]]]:
    """The descriptions put beside each person's name (`_apposition_after`), in text order."""
    described: dict[str, list[tuple[str, str]]] = {}
    for mention in mentions:
        named = _named(doc, mention)
        if named.label != "PERSON":
            continue
        for found in _apposition_after(doc, named):
            if found not in described.setdefault(named.identity, []):
                described[named.identity].append(found)
    return described


def _apposition_after(doc: Doc, named: Named) -> list[tuple[str, str]]:
    """The descriptions put beside a name, each conjunct apart, with their head nouns
    ("Alexander Vindman, the National Security Council aide and decorated Iraq war veteran,":
    ("the National Security Council aide", "aide"), ("decorated Iraq war veteran", "veteran")):
    a later "the aide said" goes back to him as "the president" goes back to "President Trump".
    Only the head counts ("the city" is no "counsel for the city of New York")."""
    span = doc.char_span(named.start, named.end, alignment_mode="expand")
    if span is None:
        return []
    out = []
    for child in span.root.children:
        if child.dep_ != "appos" or child.idx < named.end or _token_is_name(child):
            continue
        for part in (child, *child.conjuncts):
            if part.pos_ != "NOUN":
                continue
            # the part's own words: its subtree without the conjuncts hanging on it
            tokens = [
                t
                for t in part.subtree
                if t == part
                or not any(a.dep_ in ("conj", "cc") and a.head == part for a in (t, *t.ancestors))
            ]
            tokens = [t for t in tokens if t.dep_ not in ("cc", "punct")]
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
            out.append((_clean(_span_text(doc, (start, end))), part.lemma_.lower()))
    return out


def _fitting_title(
    titles: dict[str, list[str]],
    identity: str,
    fits: frozenset[str],
    vocab: SourceVocabulary,
    qualifiers: frozenset[str] = frozenset(),
    marks: frozenset[str] = frozenset(),
) -> str | None:
    """The first of a person's titles that holds one of these role words (and the places and
    organisations a description names, where it names any) with the description's office
    marks ("the president" is no "former Vice President")."""
    return next(
        (
            t
            for t in titles.get(identity, [])
            if fits & _title_words(t, vocab)
            and _holds_qualifiers(_title_core(t), qualifiers)
            and _title_marks(t) == marks
        ),
        None,
    )


def _propagate_roles(pairs: list[tuple[Relation, Speaker]], titles: dict[str, list[str]]) -> None:
    """A person's title, stated once, applies to every attribution of theirs in the article."""
    roles: dict[str, str] = {}
    for _, speaker in pairs:
        if speaker.identity and speaker.role:
            roles.setdefault(speaker.identity, speaker.role)
    for _, speaker in pairs:
        if speaker.identity and not speaker.role:
            speaker.role = roles.get(speaker.identity) or next(
                iter(titles.get(speaker.identity, [])), None
            )


def _to_attribution(text: str, relation: Relation, speaker: Speaker) -> Attribution:
    start, end = relation.content[0][0], relation.content[-1][1]
    content = " \u2026 ".join(text[a:b] for a, b in relation.content)
    source_text = None
    if relation.source is not None:
        source_text = text[relation.source[0] : relation.source[1]]
    return Attribution(
        kind=relation.kind,
        content=content,
        start=start,
        end=end,
        cue=text[relation.cue[0] : relation.cue[1]],
        cue_start=relation.cue[0],
        cue_end=relation.cue[1],
        source_text=source_text,
        source_start=relation.source[0] if relation.source else None,
        source_end=relation.source[1] if relation.source else None,
        speaker=None if speaker.anonymous else speaker.name,
        speaker_entity_key=None if speaker.anonymous else speaker.key,
        anonymous=speaker.anonymous,
        speaker_description=speaker.description if speaker.anonymous or not speaker.name else None,
        role=speaker.role,
        via=list(speaker.via),
    )
