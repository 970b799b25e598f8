"""Canonical entities: every spelling of one real-world thing resolves to one entity.

Why: the same militia appears as "Popular Mobilization Units (PMU)", "Hashd al-Sha'abi" and
"Hashd al-Shaabi"; the same spokesman as "Hashem al-Moussavi" and later "al-Moussavi". Counting
who says what only works once those are one entity. Resolution uses, in order: the alias table
(data, user-extendable), acronym definitions and initials in the same document, and surname
back-references to a full name mentioned in the same document. Cross-document merging by alias
keys happens in the store (see `claimgraph.link.entities`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from claimgraph.annotate.doctext import doc_text
from claimgraph.model import Entity, Mention, entity_slug, fold_quotes
from claimgraph.vocabulary import derived, load_vocabulary

ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
DEFAULT_ALIASES = Path(__file__).resolve().parents[1] / "data" / "aliases.yaml"

_APOSTROPHES = re.compile(r"['`\u02bb\u02bc\u02be\u02bf\u2018\u2019\u00b4]")
# "the", and a demonstrative a heading ran into a name ("How we did this Pew Research Center
# conducted ..."): written in lower case only, so "This American Life" keeps its name.
_ARTICLE_PREFIX = re.compile(r"^(?:(?i:the|an)|a|this|that|these|those)\s+")  # ("an IBD/TIPP poll")
_POSSESSIVE = re.compile(r"['\u2019]s$|(?<=s)['\u2019]$")
# Words an entity span may not end on ("Office of Legal Counsel of"): the span ran on.
_TRAILING_MINOR = re.compile(r"(?:\s+(?:of|and|the|for|in|on|at|to|&))+$", re.IGNORECASE)
# A word glued to the next one's capital ("WarrenWarren", "TrumpSessions"): link-card text run
# into a name. Three lower-case letters before the capital, so "McCain" and "MacArthur" stay.
_GLUED = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")
# A video's running time in page text run into a name ("... for Trump 01:14 Preet Bharara").
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
_NOT_A_NAME = re.compile(r"@|https?:|www\.|\.(?:com|org|net)\b|^\W*$", re.IGNORECASE)
_OUTLET_DOMAIN = re.compile(r"[A-Z][A-Za-z0-9-]*\.(?:com|org|net)$")  # "LifeNews.com", no link
_TRANSLIT_PREFIX = re.compile(r"\b(?:al|el|ul)[-\s]+", re.IGNORECASE)
# The Arabic article assimilated to a following "sun letter", written doubled: "ash-Sha'bi",
# "ad-Dawla", "an-Nusra" are "al-Sha'bi", "al-Dawla", "al-Nusra". Only before a capitalised
# name that repeats the article's consonant, so English ("at-the-time") is left alone.
_SUN_ARTICLE = re.compile(r"\b[AaEe](sh|th|dh|[tdrzsn])-(?=[A-Z])")


_EDGE_QUOTES = frozenset('"\u201c\u201d\u201e\u00ab\u00bb')


def strip_symbols(text: str, start: int) -> tuple[str, int]:
    """A name without the emoji or symbols at its edges ("Working Families Party \U0001f43a",
    a display name copied from a social network; the entity layer and the signature of an
    embedded post both read names through it)."""

    def decoration(ch: str) -> bool:
        return (
            unicodedata.category(ch) in _SYMBOL_CATEGORIES
            or ch.isspace()
            or ch in _EDGE_QUOTES  # ('the "Legal Ivory Rights Coalition,"')
            or ch in _EMOJI_JOINERS
        )

    lead = 0
    while lead < len(text) and decoration(text[lead]):
        lead += 1
    end = len(text)
    while end > lead and decoration(text[end - 1]):
        end -= 1
    return text[lead:end], start + lead


_SYMBOL_CATEGORIES = frozenset({"So", "Sk", "Cs", "Co"})
# What holds an emoji sequence together: the zero-width joiner and the variation selectors.
_EMOJI_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def _fold_sun_article(match: re.Match[str]) -> str:
    after = match.string[match.end() : match.end() + len(match.group(1))]
    return "al-" if after.lower() == match.group(1).lower() else match.group(0)


_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# A possessive before a quoted title the recogniser ran into a name ("Rand's "... Scorecard"").
_POSSESSIVE_TITLE = re.compile(r"(?:['\u2019]s|(?<=s)['\u2019])\s+[\"\u201c\u2018]")
# A possessive inside a name: "Berstein's Ronny Gal" (an employer's analyst), "Hillary's Emails".
_INNER_POSSESSIVE = re.compile(r"(?:['\u2019]s|(?<=s)['\u2019])\s+(?=[A-Z])")
_DOUBLED = re.compile(r"(.)\1+")
# A stock ticker after a company's name, and the price change a quote widget prints after it.
_TICKER = re.compile(r"(?<=\S)\s+[A-Z]{2,5}$")
_QUOTE_CHANGE = re.compile(r",\s*[+\-\u2212]?\d+(?:\.\d+)?%")
# A person's name run on into their place ("Kilkenny of West Virginia"): names hold no "of".
_OF_PLACE = re.compile(r"(?<=[a-z])\s+of\s+(?=[A-Z])")
_ACRONYM = re.compile(r"^[A-Z][A-Z.&]{1,7}$")
_VOWELS = re.compile(r"[AEIOU]")
_MINOR_WORDS = frozenset({"of", "for", "the", "and", "on", "in", "de", "du", "al", "el"})


# A website written as a name ("LifeNews.com"): the medium the bare name also names.
_SITE = re.compile(r"([A-Za-z][\w-]*)\.(?:com|net|org|co\.uk)", re.IGNORECASE)


@lru_cache(maxsize=1 << 15)
def alias_key(text: str) -> str:
    """A spelling-insensitive key: case, diacritics, apostrophes/ayn, al-/el-/ash-, doubled letters.

    "Hashd al-Sha'abi", "Hashd al-Shaabi" and "Hashd al-Sha\u2019abi" share one key. An
    acronym of consonants keeps its doubled letters ("DCCC" is no "D.C.", "CCP" no "CP"):
    they are letters of different words, not a spelling ("HILL", a word in capitals, is
    still "Hill").
    Remembered for the last 32,768 strings: the speaker and entity layers key the same few
    names thousands of times a document (2% of the annotators' time, under a profiler).
    """
    text = fold_quotes(text).strip()
    if _ACRONYM.match(text) and not _VOWELS.search(text):
        return _NON_ALNUM.sub("", text.casefold())
    text = _ARTICLE_PREFIX.sub("", text)
    text = _POSSESSIVE.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text)
    text = _SUN_ARTICLE.sub(_fold_sun_article, text)
    text = _TRANSLIT_PREFIX.sub("al", text)
    text = _NON_ALNUM.sub("", text.casefold())
    return _DOUBLED.sub(r"\1", text)


def _surname_key(token_text: str) -> str:
    key = alias_key(token_text)
    return key[2:] if key.startswith("al") and len(key) > 4 else key


@dataclass(frozen=True, slots=True)
class AliasGroup:
    name: str
    type: str
    aliases: tuple[str, ...]


@dataclass(slots=True)
class AliasTable:
    """The user-extendable alias table, indexed by alias key."""

    groups: list[AliasGroup] = field(default_factory=list)
    by_key: dict[str, AliasGroup] = field(default_factory=dict)

    @classmethod
    def from_groups(cls, groups: Iterable[AliasGroup]) -> AliasTable:
        table = cls()
        for group in groups:
            table.groups.append(group)
            for spelling in (group.name, *group.aliases):
                table.by_key.setdefault(alias_key(spelling), group)
        return table

    def lookup(self, text: str) -> AliasGroup | None:
        return self.by_key.get(alias_key(text))


def read_alias_file(path: str | Path) -> list[AliasGroup]:
    rows = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    groups = []
    for row in rows:
        if not isinstance(row, dict) or "name" not in row:
            raise ValueError(f"{path}: each alias group needs a 'name' (got {row!r})")
        groups.append(
            AliasGroup(
                name=str(row["name"]),
                type=str(row.get("type", "ORG")),
                aliases=tuple(str(a) for a in row.get("aliases") or ()),
            )
        )
    return groups


@cache
def load_alias_table(paths: tuple[str, ...] = (str(DEFAULT_ALIASES),)) -> AliasTable:
    """The seeded table plus any user files; later files add groups, never remove them."""
    groups: list[AliasGroup] = []
    for path in paths:
        groups.extend(read_alias_file(path))
    return AliasTable.from_groups(groups)


@derived
def org_head_words() -> frozenset[str]:
    """Last words that make a name an organisation (data/entity_types.yaml)."""
    words = load_vocabulary("entity_types").get("org_head_words") or ()
    return frozenset(str(w).casefold() for w in words)


@derived
def standalone_org_words() -> frozenset[str]:
    """One-word names of institutions of their own ("the House" is not "the White House")."""
    words = load_vocabulary("entity_types").get("standalone_org_words") or ()
    return frozenset(str(w).casefold() for w in words)


@derived
def _credit_prefix() -> re.Pattern[str]:
    """A photo credit run into the next words ("Getty Democrats outraged by ..." where a
    caption's credit meets a headline): data/entity_types.yaml `credit_prefixes`."""
    vocab = load_vocabulary("entity_types")
    words = [*(vocab.get("credit_prefixes") or []), *(vocab.get("headline_prefixes") or [])]
    alternatives = "|".join(re.escape(str(w)) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"^(?:{alternatives})\s+(?=[A-Z])" if alternatives else r"(?!)")


@derived
def caption_markers() -> re.Pattern[str]:
    """data/entity_types.yaml `caption_markers`: the words a picture's credit or caption
    line opens with on a page ("Image copyright", "Image caption")."""
    words = load_vocabulary("entity_types").get("caption_markers") or []
    alternatives = "|".join(re.escape(str(w)) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b" if alternatives else r"(?!)", re.IGNORECASE)


def _before_caption(doc: Doc, text: str, start: int) -> str:
    """A name up to a caption marker it runs into ("Anadolu Agency" of "Image copyright Anadolu
    Agency Image caption US forces ...")."""
    # the tokens around the name, not `doc.text`, which spaCy rebuilds from every token
    end = start + len(text) + 20
    window = doc.char_span(start, min(end, doc[-1].idx + len(doc[-1])), alignment_mode="expand")
    if window is None:
        return text
    offset = window.start_char
    for marker in caption_markers().finditer(window.text, start - offset, end - offset):
        if offset + marker.start() < start + len(text):
            return text[: max(0, offset + marker.start() - start)].rstrip()
    return text


def _strip_credit(text: str, start: int) -> tuple[str, int]:
    match = _credit_prefix().match(text)
    if match is None or match.end() >= len(text):
        return text, start
    return text[match.end() :], start + match.end()


@derived
def _droppable_org_heads() -> frozenset[str]:
    """data/entity_types.yaml `droppable_org_heads`."""
    words = load_vocabulary("entity_types").get("droppable_org_heads") or ()
    return frozenset(str(w).casefold() for w in words)


@derived
def _share_words() -> frozenset[str]:
    words = load_vocabulary("entity_types").get("share_words") or ()
    return frozenset(str(w).casefold() for w in words)


def is_platform_name(text: str) -> bool:
    """One capitalised word of `share_words` ("Twitter", "Facebook"): a platform, whose posts
    and crowds are its users', not its own (annotate/sourcing.py)."""
    return " " not in text.strip() and text[:1].isupper() and text.casefold() in _share_words()


def is_name_text(text: str) -> bool:
    """Not an e-mail address, a link or a handle, nor a run of share buttons ("Facebook
    Twitter Pinterest"). An outlet written as its domain ("LifeNews.com reported") is a name."""
    if _NOT_A_NAME.search(text) and not _OUTLET_DOMAIN.match(text.strip()):
        return False
    if _PARTY_TAG.fullmatch(text.strip()):
        return False  # "Joe Manchin, D-West Virginia, and ...", "(I-Vt.)": a member's party
    if _photo_credit().search(text):
        return False  # "Justin Sullivan/Getty Images": a picture's credit, nobody in the story
    words = [w.casefold() for w in text.split()]
    if len(words) == 1 and is_name_suffix(words[0]):
        return False  # "Paul L. Howard, Jr. said": the suffix of the name before it
    return not (len(words) >= 2 and all(w in _share_words() for w in words))


@derived
def _photo_credit() -> re.Pattern[str]:
    """A photographer and an agency ("Justin Sullivan/Getty Images", "Mandel Ngan/AFP"):
    data/entity_types.yaml `photo_agencies`."""
    agencies = load_vocabulary("entity_types").get("photo_agencies") or []
    alternatives = "|".join(re.escape(str(a)) for a in agencies)
    return re.compile(rf"\S/\s*(?:{alternatives})\b" if alternatives else r"(?!)")


# A party letter and a state after a member's name ("D-West Virginia", "R-Pa.", "I-Vt.")
_PARTY_TAG = re.compile(r"[DRI]\s?[-\u2013]\s?[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?\.?")


def _cut_glued(doc: Doc, label: str, text: str) -> str:
    """A person's name up to a word glued to the next ("Elizabeth Ann WarrenWarren ..." is
    "Elizabeth Ann Warren"): a link card's text run into the name. Only where the first part
    stands as a word of its own elsewhere in the document, so a brand written in one word
    ("PolitiFact", "WikiLeaks") is left whole."""
    match = _GLUED.search(text) if label == "PERSON" else None
    if match is None or match.start() == 0:
        return text
    left = re.findall(r"[A-Za-z]+$", text[: match.start()])
    if not left or not any(t.text == left[0] for t in doc):
        return text
    return text[: match.start()]


_PERSON_NOUN_END = re.compile(r"(?:ist|or|ian|ar|er|ant)s?$")


_QUESTION_WORDS = frozenset(
    {"will", "would", "can", "could", "did", "does", "do", "should", "is", "was", "has", "have"}
)


def _strip_question_word(ent: Span, text: str, start: int) -> tuple[str, int]:
    """The verb a question opens with, run into a name ("Will Trump's embrace of ... ?")."""
    words = text.split()
    if (
        len(words) < 2
        or words[0].casefold() not in _QUESTION_WORDS
        or not ent[0].is_sent_start
        or not ent.sent.text.rstrip().rstrip("\"'\u201d\u2019").endswith("?")
    ):
        return text, start
    offset = text.index(words[1], len(words[0]))
    return text[offset:], start + offset


def _name_ending_in_s(doc: Doc, ent: Span) -> bool:
    """A company named with its "'s" ("Moody's estimates", "McDonald's said"): an
    organisation's name ending in "'s" with a finite verb right after it, so nothing it
    owns."""
    if ent.label_ != "ORG" or ent.end >= len(doc) or len(ent) < 2:
        return False
    return ent[-1].tag_ == "POS" and doc[ent.end].tag_ in ("VBZ", "VBD", "VBP", "MD")


def _strip_abbreviated_title(ent: Span, text: str, start: int) -> tuple[str, int]:
    """An abbreviated title the recogniser took into a person's name ("A.G. Jeff Sessions"):
    outside the name, where a title before it is read as the person's role."""
    words = text.split()
    if ent.label_ != "PERSON" or len(words) < 3:
        return text, start
    if words[0].casefold().rstrip(".") not in _title_abbreviations():
        return text, start
    offset = text.index(words[1], len(words[0]))
    return text[offset:], start + offset


@derived
def _title_abbreviations() -> frozenset[str]:
    return frozenset(
        str(w).casefold().rstrip(".")
        for w in load_vocabulary("roles").get("title_abbreviations", [])
    )


def _strip_leading_description(doc: Doc, ent, text: str, start: int) -> tuple[str, int]:
    """A common noun the recogniser took into a name: "Scholars Olivier Blanchard",
    "Commentator Harlan Hill", and the portfolio of "Secretary of Agriculture Sonny Perdue"."""
    words = text.split()
    if len(words) < 3 or ent.label_ not in ("PERSON", "ORG"):
        return text, start
    first = words[0].casefold()
    if words[-1].casefold() in org_head_words():
        return text, start
    given = next(
        (k for k, w in enumerate(words[:-1]) if k and w.casefold() in _first_names()), None
    )
    if (
        given is not None
        and given >= 2
        and (_describes_a_person(words[given - 1]) or words[given - 1].casefold() in _parties())
        and _reads_as_person(" ".join(words[given:]))
    ):
        # "University of Pennsylvania Economist Justin Wolfers": an organisation and a role
        # noun before a person's name; the person (the role is read from the words before)
        offset = text.index(words[given], sum(len(w) for w in words[:given]))
        return text[offset:], start + offset
    if not all(w[:1].isupper() for w in words):
        return text, start
    token = doc[ent.start]
    portfolio = re.search(r"\b([A-Za-z]+) of\s+$", doc_text(doc)[max(0, start - 40) : start])
    after_role = portfolio is not None and portfolio.group(1).casefold() in _titles()
    place = any(e.label_ in ("GPE", "LOC", "NORP") and e.text == words[0] for e in doc.ents)
    lead = doc.char_span(start, start + len(words[0]), alignment_mode="expand")
    common = lead is not None and lead[0].pos_ != "PROPN"
    if (
        first not in _first_names()
        and first.rstrip(".") not in _titles()
        and words[1].casefold() in _first_names()
        and _reads_as_person(" ".join(words[1:]))
        and (place or common and ent.label_ == "PERSON")
    ):
        # A word run into a name from before it: "Tell Jennifer Williams" (a heading's verb),
        # "Ukraine Kurt Volker" (the special envoy to Ukraine Kurt Volker).
        offset = text.index(words[1], len(words[0]))
        return text[offset:], start + offset
    describes = token.tag_ == "NNS" or (
        _PERSON_NOUN_END.search(first) is not None
        and first not in _first_names()
        and (ent.label_ == "PERSON" or given == 1)
    )
    if not (after_role or describes):
        return text, start
    cut = given if after_role and given is not None else 1
    offset = text.index(words[cut], sum(len(w) for w in words[:cut]))
    return text[offset:], start + offset


def _strip_common_noun(doc: Doc, ent: Span, text: str, start: int) -> tuple[str, int]:
    """A lower-case common noun the recogniser took into the front of a name ("the website
    Real Clear Politics", "the group Human Rights Watch"): the name starts after it. Name
    particles ("de Blasio", "al-Sadr", "van Gogh") are no nouns and stay."""
    words = text.split()
    if len(words) < 2 or not (words[0].isalpha() and words[0].islower()):
        return text, start
    if not words[1][:1].isupper():
        return text, start
    lead = doc.char_span(start, start + len(words[0]))
    if lead is None or len(lead) != 1 or lead[0].pos_ != "NOUN":
        return text, start
    offset = text.index(words[1], len(words[0]))
    return text[offset:], start + offset


@derived
def _parties() -> frozenset[str]:
    """Party words written before a member's name ("Alabama Republican Jeff Sessions")."""
    return frozenset(str(w).casefold() for w in load_vocabulary("roles").get("parties", []))


def _describes_a_person(word: str) -> bool:
    """A capitalised role noun written before a name ("Economist", "Professor"): a title of
    roles.yaml or a noun of a person's trade ("-ist", "-or", "-ian", ...), no given name."""
    key = word.casefold().rstrip(".,")
    if key in _first_names() or not word[:1].isupper():
        return False
    return key in _titles() or _PERSON_NOUN_END.search(key) is not None


@derived
def _first_names() -> frozenset[str]:
    """Given names (data/genders.yaml), of either gender."""
    names = load_vocabulary("genders").get("first_names") or {}
    return frozenset(str(n).casefold() for group in names.values() for n in group or [])


_GLUED_GIVEN = re.compile(r"[\u2014\u2013\"\u201c\u201d]([A-Z][a-z]+)$")


# The second syllable of a hyphenated given name ("Moon Jae-in", "Park Geun-hye"), which the
# tokenizer splits off and the recogniser leaves out; not an English suffix ("Trump-era").
_HYPHEN_TAIL = re.compile(r"-([a-z]{1,3})(?![\w-])")
_NOT_NAME_TAILS = frozenset({"era", "led", "run", "ism", "ite", "ish", "ian", "ist"})


def hyphen_tail(text: str, end: int) -> int:
    """Where a name ending at ``end`` really ends: past a short hyphenated syllable glued to
    it ("Moon Jae" + "-in"), else ``end``."""
    tail = _HYPHEN_TAIL.match(text, end)
    if tail is None or tail.group(1) in _NOT_NAME_TAILS:
        return end
    return tail.end()


def _with_hyphen_tail(doc: Doc, text: str, start: int) -> str:
    """A person's name of two words or more with the hyphenated syllable the recogniser cut
    off ("Moon Jae-in" recognised as "Moon Jae")."""
    if len(text.split()) < 2:
        return text
    end = hyphen_tail(doc_text(doc), start + len(text))
    return doc_text(doc)[start:end]


_APOSTROPHE_SURNAME = re.compile(r"(?:O|D)['\u2019][A-Z][a-z]+")


def _with_apostrophe_surname(doc: Doc, ent: Span, text: str, start: int) -> str:
    """A given name the recogniser cut before an apostrophe surname ("Bill O\u2019Reilly"
    recognised as "Bill"): the surname after it belongs to the name."""
    if ent.end >= len(doc) or start + len(text) != ent.end_char or not ent[-1].whitespace_:
        return text
    after = doc[ent.end]
    if _APOSTROPHE_SURNAME.fullmatch(after.text) is None or after.ent_type_:
        return text
    return doc_text(doc)[start : after.idx + len(after)]


def _with_given_name(doc: Doc, ent: Span, text: str, start: int) -> tuple[str, int]:
    """A person's name the recogniser began too late ("San Juan Mayor Carmen Yulin Cruz" as
    "Yulin Cruz", "Bryan Carhu Castro Vega" as "Castro Vega"): the one or two capitalised words
    before it that nobody labelled, when the first of them is a known given name and the name
    does not open with one already."""
    if start != ent.start_char or text.split()[0].casefold() in _first_names():
        return text, start
    glued = _GLUED_GIVEN.search(doc[ent.start - 1].text) if ent.start else None
    if glued is not None and glued.group(1).casefold() in _first_names():
        # 'Deal"—Naomi Klein cites': a dash or a quotation mark with no space after it
        # left the given name in the token before
        at = doc[ent.start - 1].idx + glued.start(1)
        return doc_text(doc)[at:start] + text, at
    before: list[Token] = []
    i = ent.start - 1
    while i >= 0 and len(before) < 2:
        token = doc[i]
        if not (token.pos_ == "PROPN" and token.is_alpha and token.text[:1].isupper()):
            break
        if token.ent_type_ or token.is_sent_start or token.text.isupper():
            break
        before.insert(0, token)
        i -= 1
    given = next((t for t in before if t.lower_ in _first_names()), None)
    if given is None and before:
        # "Chicago Mayor Rahm Emanuel": the one capitalised word between a title and the
        # surname is the given name, listed or not
        title = doc[before[-1].i - 1] if before[-1].i else None
        if (
            title is not None
            and title.lower_.rstrip(".") in _titles()
            and before[-1].lower_.rstrip(".") not in _titles()  # ("Vice President Biden")
        ):
            given = before[-1]
    if given is None:
        return text, start
    return doc_text(doc)[given.idx : start] + text, given.idx


@derived
def _medium_words() -> tuple[frozenset[str], frozenset[str]]:
    """outlets.yaml's name words ("News", "Times") and known outlets, folded."""
    vocab = load_vocabulary("outlets")
    return (
        frozenset(str(w).casefold() for w in vocab.get("name_words") or ()),
        frozenset(str(n).casefold() for n in vocab.get("known") or ()),
    )


def _names_a_medium(name: str) -> bool:
    """ "Fox News", "CNN": a name that reads as a news outlet's (outlets.yaml)."""
    words, known = _medium_words()
    folded = name.strip().casefold()
    return folded in known or any(w in words for w in folded.split())


def _capitalised_words(text: str) -> int:
    """How many words the text has, 0 unless every one is capitalised."""
    words = text.split()
    return len(words) if all(w[:1].isupper() for w in words) else 0


def _reads_as_person(name: str) -> bool:
    """Two or three capitalised words starting with a given name ("Lester Holt")."""
    words = _words(name)
    return (
        2 <= len(words) <= 3
        and words[0].casefold() in _first_names()
        and all(w[:1].isupper() for w in words)
        and not any(w.casefold() in org_head_words() for w in words)
    )


def is_personal_role(role: str | None) -> bool:
    """Whether a role names a post a person holds ("member of ... Commission", "spokesman"):
    a title or role noun of data/roles.yaml, not an organisation's description ("a think
    tank")."""
    return bool(role) and any(w in _titles() for w in re.findall(r"[a-z]+", (role or "").lower()))


def acronym_of(name: str, entities: Iterable[Entity]) -> Entity | None:
    """The one organisation of the document whose initials a speaker's acronym is ("SEIU said"
    after "The Service Employees International Union"), for an acronym the recogniser missed."""
    compact = name.replace(".", "")
    if not _ACRONYM.match(name) or len(compact) < 2:
        return None
    found = [
        e
        for e in entities
        if e.type == "ORG"
        and len(words := _words(e.name)) >= 2
        and compact.upper() in (_initials(words), _initials(_without_company_suffix(words)))
    ]
    return found[0] if len(found) == 1 else None


def named_speaker_entity(name: str, person: bool = False) -> Entity:
    """An entity for a speaker named where the recogniser saw none ("Claudia Sahm said", a
    tagger's source): a person when the name reads as one or the article shows one (`person`:
    a role, "he" or "she" resolved to it), else an organisation. Without it the speaker would
    be counted apart from the entity of the same name in other articles."""
    etype = "PERSON" if person or _reads_as_person(name) else "ORG"
    return Entity(key=entity_slug(name), name=name, type=etype, aliases=[])


def _title_before(text: str, start: int) -> str | None:
    """The title word written right before a name ("Sen. Sanders" -> "sen")."""
    match = re.search(r"([A-Za-z]+)\.?\s+$", text[max(0, start - 40) : start])
    word = match.group(1).casefold() if match else None
    return word if word in _titles() else None


def ruler_patterns(table: AliasTable) -> list[dict]:
    """entity_ruler patterns so NER labels every listed spelling consistently."""
    patterns = []
    for group in table.groups:
        for spelling in {group.name, *group.aliases}:
            variants = {spelling, spelling.replace("'", "\u2019")}
            if spelling.lower().startswith("the "):
                variants.add(spelling[4:])
            for variant in variants:
                patterns.append({"label": group.type, "pattern": variant, "id": group.name})
    return patterns


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _strip_article(text: str, start: int) -> tuple[str, int]:
    match = _ARTICLE_PREFIX.match(text)
    if match:
        return text[match.end() :], start + match.end()
    return text, start


@derived
def _the_outlets() -> dict[str, str]:
    """data/outlets.yaml `known` names that open with "The" ("The Hill", "The Atlantic"),
    keyed by the rest."""
    names = [str(n) for n in load_vocabulary("outlets").get("known") or ()]
    return {n[4:].casefold(): n for n in names if n.startswith("The ")}


def the_outlet(name: str) -> str | None:
    """The known outlet a name is without its "The" ("Hill" -> "The Hill"), or None."""
    return _the_outlets().get(name.casefold())


def _the_before(text: str, start: int) -> bool:
    return text[max(0, start - 4) : start].casefold() == "the "


def _titled_the(text: str, start: int) -> bool:
    """A capital "The" right before a name, inside a sentence ("told The Hill")."""
    before = text[max(0, start - 6) : start]
    return before.endswith("The ") and before[:-4].rstrip()[-1:] not in ("", ".", "!", "?", "\n")


def _initials(words: list[str]) -> str:
    letters = []
    for word in words:
        for part in re.split(r"[-\s]+", word):
            if part and part.casefold() not in _MINOR_WORDS and part[0].isalpha():
                letters.append(part[0].upper())
    return "".join(letters)


_COMPANY_SUFFIXES = frozenset(
    {"co", "corp", "inc", "ltd", "llc", "plc", "lp", "llp", "ag", "sa", "nv", "gmbh"}
)


_QUOTED_NICKNAME = re.compile(r"\s[\"']([A-Z][\w.-]*)[\"']\s")


def _without_company_suffix(words: list[str]) -> list[str]:
    """A company's name without the legal form that ends it ("General Motors Co" -> "General
    Motors"), which its initials leave out."""
    if words and words[-1].casefold().strip(".,") in _COMPANY_SUFFIXES:
        return words[:-1]
    return words


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", fold_quotes(text).strip()) if w]


@derived
def _titles() -> frozenset[str]:
    """Titles written before a name, never part of it ("Mr Cohn", "President Trump"): the
    honorifics, role nouns and title abbreviations of claimgraph/data/roles.yaml."""
    roles = load_vocabulary("roles")
    words = [*roles.get("honorifics", []), *roles.get("role_nouns", [])]
    words += roles.get("title_abbreviations", [])
    return frozenset(str(w).casefold().rstrip(".") for w in words)


def _unabbreviated(text: str) -> str:
    """A name without the abbreviated titles and honorifics in front of it ("Sen.", "Mr")."""
    words = _words(text)
    roles = load_vocabulary("roles")
    short = {str(w).casefold().rstrip(".") for w in roles.get("title_abbreviations", [])}
    short |= {str(w).casefold().rstrip(".") for w in roles.get("honorifics", [])}
    k = 0
    while k < len(words) - 1 and words[k].casefold().rstrip(".") in short:
        k += 1
    return " ".join(words[k:])


@derived
def _name_suffixes() -> frozenset[str]:
    """Generational suffixes after a name ("Jr.", "III"): roles.yaml `name_suffixes`."""
    return frozenset(
        str(w).casefold().rstrip(".") for w in load_vocabulary("roles").get("name_suffixes", [])
    )


def is_name_suffix(word: str) -> bool:
    """ "Jr.", "III": a generational suffix, no name of its own."""
    return word.casefold().rstrip(".,") in _name_suffixes()


def lead_before_name(words: list[str]) -> int:
    """How many of a person's name's words ran into it from before and are no part of it: a
    photo credit ("AP Photos Boehner rejects ..."), a party before the given name ("Alabama
    Republican Jeff Sessions")."""
    text = " ".join(words)
    credit = _credit_prefix().match(text)
    if credit is not None and credit.end() < len(text):
        return len(text[: credit.end()].split())
    given = next((k for k, w in enumerate(words[:-1]) if k and w.casefold() in _first_names()), 0)
    return given if given and words[given - 1].casefold() in _parties() else 0


def unsuffixed(words: list[str]) -> list[str]:
    """A name's words without a generational suffix at the end ("W. James Antle III" is
    "Antle" by surname)."""
    if len(words) > 2 and words[-1].casefold().rstrip(".,") in _name_suffixes():
        return words[:-1]
    return words


def _untitled(words: list[str]) -> list[str]:
    """The words of a name without the titles in front of it."""
    k = 0
    while k < len(words) - 1 and words[k].casefold().rstrip(".") in _titles():
        k += 1
    return words[k:]


def _one_of_namesakes(
    spans: list[tuple[int, int, str, str]], uf: _UnionFind, roots: set[int], text: str, i: int
) -> set[int]:
    """A surname two people of the article share ("Sanders": Bernie and Jane): the one who
    bears the same title ("Sen. Sanders" -> "Sen. Bernie Sanders"), else the one the article
    introduced first, whom news convention leaves the bare surname to (an untitled one only:
    "Mrs. Sanders" names neither when neither was introduced with "Mrs.")."""
    title = _title_before(text, spans[i][0])
    firsts: dict[int, int] = {}
    titled: set[int] = set()
    for j, (start, _, surface, label) in enumerate(spans):
        root = uf.find(j)
        if root not in roots or label != "PERSON" or len(_untitled(_words(surface))) < 2:
            continue
        firsts[root] = min(firsts.get(root, start), start)
        words = _words(surface)
        own = words[0].casefold().rstrip(".") if _untitled(words) != words else None
        if title is not None and title in (own, _title_before(text, start)):
            titled.add(root)
    if len(titled) == 1:
        return titled
    if not firsts or title is not None:  # "Mrs. Sanders" is no guess at the first one
        return roots
    first = min(firsts, key=firsts.__getitem__)
    return {first} if firsts[first] < spans[i][0] else roots


@derived
def _first_name_forms() -> dict[str, frozenset[str]]:
    """Short first name -> the formal names it may stand for within one article
    (data/nicknames.yaml: `first_names`, and `document_first_names` where it is ambiguous)."""
    data = load_vocabulary("nicknames")
    forms: dict[str, set[str]] = {}
    for short, formal in (data.get("first_names") or {}).items():
        forms.setdefault(str(short).casefold(), set()).add(str(formal).casefold())
    for short, formals in (data.get("document_first_names") or {}).items():
        forms.setdefault(str(short).casefold(), set()).update(str(f).casefold() for f in formals)
    return {short: frozenset(f) for short, f in forms.items()}


def _may_shorten(short: str, formal: str) -> bool:
    """Whether a first name may be a short form of another ("Steve" of "Stephen")."""
    return formal in _first_name_forms().get(short, frozenset())


def _join_short_first_names(
    spans: list[tuple[int, int, str, str]], uf: _UnionFind, groups: list[AliasGroup | None]
) -> None:
    """One person written with a short and a formal first name in one article ("Steve Castor",
    "Stephen Castor"; "Jim Comey", "James Comey"): the short form joins the one person of the
    article with that surname whose first name it may shorten. Middle names must not differ
    ("George H. W. Bush" is not "George W. Bush")."""
    people: dict[str, list[tuple[int, str, tuple[str, ...]]]] = {}
    for i, (_, _, surface, label) in enumerate(spans):
        words = _untitled(_words(surface))
        if label != "PERSON" or len(words) < 2 or groups[i] or not words[0][:1].isupper():
            continue
        first = words[0].casefold().rstrip(".")
        middle = tuple(alias_key(w) for w in words[1:-1])
        people.setdefault(_surname_key(words[-1]), []).append((i, first, middle))
    for members in people.values():
        for i, first, middle in members:
            roots = {
                uf.find(j)
                for j, other, other_middle in members
                if other != first
                and _may_shorten(first, other)
                and (not middle or not other_middle or middle == other_middle)
            }
            if len(roots) == 1:
                uf.union(next(iter(roots)), i)


def _join_second_surnames(
    spans: list[tuple[int, int, str, str]], uf: _UnionFind, groups: list[AliasGroup | None]
) -> None:
    """ "Claudia Leon" beside "Claudia Leon Ang", "Carmen Yulin Cruz" beside "Carmen Yulin
    Cruz Soto": a person's given name and first surname, where the article also writes the
    name with a second surname, is that person, when exactly one such longer name opens with
    them. (A generational suffix is no surname: "Donald Trump" is no "Donald Trump Jr.")"""
    openings: dict[tuple[str, ...], set[int]] = {}
    for i, (_, _, surface, label) in enumerate(spans):
        words = unsuffixed(_untitled(_words(surface)))
        if (
            label == "PERSON"
            and not groups[i]
            and len(words) in (3, 4)
            and words == _untitled(_words(surface))
        ):
            opening = tuple(alias_key(w) for w in words[:-1])
            openings.setdefault(opening, set()).add(uf.find(i))
    for i, (_, _, surface, label) in enumerate(spans):
        words = _untitled(_words(surface))
        if label != "PERSON" or groups[i] or len(words) < 2:
            continue
        if words[0].casefold() not in _first_names():
            continue
        roots = openings.get(tuple(alias_key(w) for w in words), set()) - {uf.find(i)}
        if len(roots) == 1:
            uf.union(next(iter(roots)), i)


@derived
def _people_by_surname() -> dict[str, tuple[str, str | None]]:
    """Surname key -> (full name, gender) of the well-known people of data/people.yaml."""
    found: dict[str, tuple[str, str | None]] = {}
    for row in load_vocabulary("people").get("people") or []:
        name = str(row["name"])
        surname = str(row.get("surname") or name.split()[-1])
        gender = row.get("gender")
        found[_surname_key(surname)] = (name, str(gender) if gender else None)
    return found


@derived
def _title_genders() -> dict[str, str]:
    """Title word -> gender (data/genders.yaml `titles`)."""
    titles = load_vocabulary("genders").get("titles") or {}
    return {
        str(w).casefold().rstrip("."): str(g) for g, words in titles.items() for w in words or []
    }


def well_known_name(surname: str) -> str | None:
    """The full name of the well-known person (data/people.yaml) with this surname, or None."""
    found = _people_by_surname().get(_surname_key(surname))
    return found[0] if found else None


def _well_known(
    name: str, members: list[int], spans: list[tuple[int, int, str, str]], text: str
) -> str | None:
    """The full name of a well-known person (data/people.yaml) an article names by surname
    alone ("Mr. Trump", "President Obama"), or None: only for a one-word name the recogniser
    calls a person (or an organisation, its common mistake for one: people.yaml leaves out
    surnames that name organisations) or a title calls one, when no other person of the
    article has that surname and no title of the other gender stands before it ("Mrs. Trump"
    is not Donald Trump)."""
    words = _words(name)
    if len(words) != 1:
        return None
    found = _people_by_surname().get(_surname_key(words[0]))
    if found is None:
        return None
    full, gender = found
    titles = [_title_before(text, spans[i][0]) for i in members]
    titles += [w.casefold().rstrip(".") for i in members for w in _words(spans[i][2])[:-1]]
    if not any(spans[i][3] in ("PERSON", "ORG") for i in members) and not any(titles):
        return None  # (an organisation's label: "Trump shrugged" the recogniser called one)
    if gender and any(t and _title_genders().get(t, gender) != gender for t in titles):
        return None
    key = _surname_key(words[0])
    for _, _, surface, label in spans:
        other = _untitled(_words(surface))
        if label == "PERSON" and len(other) >= 2 and _surname_key(other[-1]) == key:
            return None  # the article names someone with that surname in full
    return full


_AND = re.compile(r"\s+(?:and|&)\s+")


def _with_shared_surnames(
    spans: list[tuple[int, int, str, str]], text: str
) -> list[tuple[int, int, str, str]]:
    """ "Bill and Hillary Clinton", "Charles and David Koch": a given name alone, joined by
    "and" to a person's full name, shares its surname ("Bill" is Bill Clinton). Not when the
    article writes that given name with another surname ("Hillary and Donald Trump" in an
    article naming Hillary Clinton)."""
    full = [
        _untitled(_words(surface))
        for _, _, surface, label in spans
        if label == "PERSON" and len(_untitled(_words(surface))) >= 2
    ]
    out = list(spans)
    for i, (start, end, surface, label) in enumerate(spans[:-1]):
        words = _untitled(_words(surface))
        nxt = spans[i + 1]
        if label != "PERSON" or nxt[3] != "PERSON" or len(words) != 1:
            continue
        given = words[0]
        other = _untitled(_words(nxt[2]))
        if (
            given.casefold() not in _first_names()
            or not 2 <= len(other) <= 3
            or other[0].casefold() not in _first_names()
            or _AND.fullmatch(text[end : nxt[0]]) is None
        ):
            continue
        surname = unsuffixed(other)[-1]
        if any(w[0].casefold() == given.casefold() and w[-1] != surname for w in full):
            continue
        out[i] = (start, end, f"{given} {surname}", label)
    return out


def resolve_mentions(
    spans: list[tuple[int, int, str, str]], text: str, table: AliasTable
) -> tuple[list[Mention], dict[str, Entity]]:
    """Cluster (start, end, text, label) entity spans of one document into canonical entities."""
    spans = [s for s in spans if s[3] in ENTITY_LABELS and alias_key(s[2])]
    written = [s[2] for s in spans]  # what each mention shows; `spans` may complete a name
    spans = _with_shared_surnames(spans, text)
    n = len(spans)
    uf = _UnionFind(n)
    keys = [alias_key(s[2]) for s in spans]
    groups = [table.lookup(s[2]) for s in spans]

    # Same key or same alias group: one entity.
    first_by_key: dict[str, int] = {}
    for i, key in enumerate(keys):
        anchor = f"group:{groups[i].name}" if groups[i] else f"key:{key}"
        if anchor in first_by_key:
            uf.union(first_by_key[anchor], i)
        else:
            first_by_key[anchor] = i

    # A site and its name: "LifeNews.com reported ..." and "LifeNews argues ..." are one medium.
    for i, (_, _, surface, _) in enumerate(spans):
        site = _SITE.fullmatch(surface.strip())
        if site is not None:
            bare = f"key:{alias_key(site.group(1))}"
            if bare in first_by_key:
                uf.union(first_by_key[bare], i)

    # Acronyms: "Popular Mobilization Units (PMU)" and a bare "FNA" beside "Fars News Agency".
    long_by_initials: dict[str, set[int]] = {}
    for i, (_, _, surface, _) in enumerate(spans):
        words = _words(surface)
        if len(words) >= 2:
            long_by_initials.setdefault(_initials(words), set()).add(uf.find(i))
            bare = _without_company_suffix(words)
            if len(bare) >= 2 and bare != words:
                # "GM" beside "General Motors Co": the initials of the name, not its "Co"
                long_by_initials.setdefault(_initials(bare), set()).add(uf.find(i))
    for i, (_, _, surface, _) in enumerate(spans):
        compact = surface.replace(".", "")
        if _ACRONYM.match(surface) and len(compact) >= 2:
            roots = long_by_initials.get(compact.upper(), set())
            if len(roots) == 1:
                uf.union(next(iter(roots)), i)
    for match in re.finditer(r"\(([A-Z][A-Z.&]{1,7})\)", text):
        acronym = match.group(1).replace(".", "")
        before = [i for i, s in enumerate(spans) if 0 <= match.start() - s[1] <= 2]
        after = [i for i, s in enumerate(spans) if s[0] >= match.start(1) and s[1] <= match.end(1)]
        for i in before:
            if _initials(_words(spans[i][2])) == acronym:
                for j in after:
                    uf.union(i, j)

    # A nickname the article quotes inside a person's name ('student Tuscany "Nui" Giasolli')
    # is that person when written alone ("Nui said"), whatever label the recogniser gives it.
    nicknames: dict[str, set[int]] = {}
    for i, (_, _, surface, label) in enumerate(spans):
        quoted = _QUOTED_NICKNAME.search(fold_quotes(surface))
        if label == "PERSON" and quoted and len(_words(surface)) >= 3:
            nicknames.setdefault(quoted.group(1).casefold(), set()).add(uf.find(i))
    for i, (_, _, surface, _) in enumerate(spans):
        roots = nicknames.get(surface.strip().casefold(), set())
        if len(roots) == 1:
            uf.union(next(iter(roots)), i)

    # Surname back-references: "al-Moussavi" after "Hashem al-Moussavi", and "Mr Cohn" or
    # "President Trump" (a title is no part of the name) after "Gary Cohn", "Donald Trump".
    full_names: dict[tuple[str, ...], set[int]] = {}
    first_names: dict[str, set[int]] = {}
    for i, (_, _, surface, label) in enumerate(spans):
        words = _untitled(_words(surface))
        if label == "PERSON" and len(words) >= 2 and not groups[i]:
            first_names.setdefault(words[0].casefold(), set()).add(uf.find(i))
            for form in {tuple(words), tuple(unsuffixed(words))}:
                for k in range(1, len(form)):
                    suffix = tuple(_surname_key(w) for w in form[k:])
                    full_names.setdefault(suffix, set()).add(uf.find(i))
    surnames = {
        _untitled(_words(surface))[-1]
        for start, _, surface, label in spans
        if label == "PERSON"
        and (_title_before(text, start) or _untitled(_words(surface)) != _words(surface))
    }
    for i, (_, _, surface, label) in enumerate(spans):
        if groups[i] or label not in {"PERSON", "ORG", "NORP", "GPE"}:
            continue
        words = _untitled(_words(surface))
        if not words or not any(ch.isupper() for ch in words[0]):
            continue
        if len(words) == 1 and the_outlet(words[0]) and _titled_the(text, spans[i][0]):
            continue  # "according to The Hill" is the outlet, not Fiona Hill named later
        roots = {uf.find(r) for r in full_names.get(tuple(_surname_key(w) for w in words), set())}
        given = label == "PERSON" or words[0].casefold() in _first_names()  # "Dennis" as NORP
        if not roots and given and len(words) == 1 and words[0] not in surnames:
            # A first name alone ("Hillary", "Neera") for the one person of the article with it;
            # never a word the article uses as a surname ("President Trump": a title stands
            # before surnames), or a run-in headline's "Trump Paul" takes every "Trump".
            roots = {uf.find(r) for r in first_names.get(words[0].casefold(), set())}
        elif len(words) == 1 and len(roots) == 1:
            # "Hunter" in an article about Hunter Biden that names his mother Neilia Hunter
            # once: a word that is one person's surname and another's given name is the one
            # the article names far more often (twice as often, three times at least)
            namesakes = {uf.find(r) for r in first_names.get(words[0].casefold(), set())}
            namesakes -= roots
            if len(namesakes) == 1:
                sizes = Counter(uf.find(j) for j in range(n))
                other = sizes[next(iter(namesakes))]
                if other >= 3 and other >= 2 * sizes[next(iter(roots))]:
                    roots = namesakes
        if uf.find(i) in roots:  # joined already (its cluster holds a namesake's full name)
            continue
        by_surname = full_names.get(tuple(_surname_key(w) for w in words))
        if len(roots) > 1 and label == "PERSON" and by_surname:  # not a shared first name
            roots = _one_of_namesakes(spans, uf, roots, text, i)
        elif len(roots) > 1 and label == "PERSON" and len(words) == 1:
            # "Kim" beside Kim Jong Un, Kim Jong Il and Kim Yo Jong (a family name written
            # first): the one the article names far more often, if one is
            sizes = Counter(uf.find(j) for j in range(n))
            ranked = sorted(roots, key=lambda r: sizes[r], reverse=True)
            top, second = sizes[ranked[0]], sizes[ranked[1]]
            roots = {ranked[0]} if top >= 3 and top >= 2 * second else roots
        if len(roots) == 1:
            uf.union(next(iter(roots)), i)

    _join_short_first_names(spans, uf, groups)
    _join_second_surnames(spans, uf, groups)

    # Short forms of organisations: "The Journal" after "The Wall Street Journal", "the Court"
    # after "the Supreme Court": the one longer name of the article ending in the same words;
    # and "the Observatory" after "the Syrian Observatory for Human Rights": the words before
    # its "of" or "for" ("the Ministry" of "the Ministry of Defence" when it is the only one).
    org_suffixes: dict[tuple[str, ...], set[int]] = {}
    for i, (_, _, surface, label) in enumerate(spans):
        words = _words(surface)
        if label == "ORG" and len(words) >= 2:
            for k in range(1, len(words)):
                suffix = tuple(alias_key(w) for w in words[k:])
                org_suffixes.setdefault(suffix, set()).add(uf.find(i))
            linker = next((j for j, w in enumerate(words) if w in ("of", "for")), 0)
            for k in range(linker):
                short = tuple(alias_key(w) for w in words[k:linker])
                org_suffixes.setdefault(short, set()).add(uf.find(i))
            last = words[-1].casefold()
            if (
                len(words) >= 3
                and last in _droppable_org_heads()
                or (len(words) == 2 and last == "department" and words[0][:1].isupper())
            ):
                # "Springfield Police" of "the Springfield Police Department": the name
                # without its office word; of two words only a department's ("Justice
                # declined to pursue" after "the Justice Department", "Treasury said")
                short = tuple(alias_key(w) for w in words[:-1])
                org_suffixes.setdefault(short, set()).add(uf.find(i))
    for i, (_, _, surface, label) in enumerate(spans):
        words = _words(surface)
        if groups[i] or not words or not words[0][:1].isupper():
            continue
        if label != "ORG" and words[-1].casefold() not in org_head_words():
            continue  # (an organisation's word the recogniser took for a person: "Observatory")
        if len(words) == 1 and words[0].casefold() in standalone_org_words():
            continue
        roots = {uf.find(r) for r in org_suffixes.get(tuple(alias_key(w) for w in words), set())}
        roots.discard(uf.find(i))
        if len(roots) == 1 and _titled_the(text, spans[i][0]):
            # "told The Hill" is a name of its own, not "Capitol Hill": a short form written
            # with a capital "The" joins only a name the article writes with "the" too
            # ("The Journal", "The Wall Street Journal")
            root = next(iter(roots))
            if not any(uf.find(j) == root and _the_before(text, spans[j][0]) for j in range(n)):
                continue
        if len(roots) == 1:
            uf.union(next(iter(roots)), i)

    clusters: dict[int, list[int]] = {}
    for i in range(n):
        clusters.setdefault(uf.find(i), []).append(i)

    entities: dict[str, Entity] = {}
    mentions: list[Mention] = []
    for members in clusters.values():
        group = next((groups[i] for i in members if groups[i]), None)
        labels = Counter(spans[i][3] for i in members)
        if group:
            name, etype = group.name, group.type
        else:
            # A person's name without the titles before it ("Donald Trump", not "President
            # Trump"; "Bernie Sanders" though the article only wrote "Sen. Bernie Sanders").
            persons = [
                " ".join(_untitled(_words(spans[i][2]))) for i in members if spans[i][3] == "PERSON"
            ]
            # "Sen. Jeff Flake" the recogniser called an ORG: an abbreviated title or an
            # honorific is still no part of the name ("General Motors" keeps its "General").
            pool = persons or [_unabbreviated(spans[i][2]) for i in members]
            # Most words wins; a headline's or dateline's ALL-CAPS spelling loses ties.
            name = max(pool, key=lambda s: (len(_words(s)), not s.isupper(), len(s)))
            name = _strip_article(name, 0)[0]
            # (an organisation's mentions lost their possessive already, but for a name that
            # ends in one: "Moody's estimates")
            name = _tidy_name(name if not persons else _POSSESSIVE.sub("", name))
            titled = the_outlet(name)
            if titled is not None and any(
                spans[i][2].startswith("The ")
                or text[max(0, spans[i][0] - 4) : spans[i][0]] == "The "
                for i in members
            ):
                name = titled  # "according to The Hill": the outlet's own name keeps its "The"
            known = _well_known(name, members, spans, text)
            if known is not None:  # "Mr. Trump" of an article that never writes his first name
                name, persons = known, [known]
            etype = "PERSON" if persons and len(_words(name)) >= 2 else labels.most_common(1)[0][0]
            if etype == "ORG" and _reads_as_person(name):
                etype = "PERSON"  # "Lester Holt", "Justin Wolfers" the recogniser took for an ORG
            if _words(name)[-1].casefold() in org_head_words():
                etype = "ORG"
            if etype == "PERSON" and len(_words(name)) == 1 and name.casefold() in _share_words():
                etype = "ORG"  # "Twitter", "Facebook": a platform, never a person
        key = entity_slug(name)
        entity = entities.get(key)
        if entity is None:
            entity = entities[key] = Entity(key=key, name=name, type=etype, aliases=[])
        for i in members:
            start, end, _, label = spans[i]
            surface = written[i]
            if surface != entity.name and surface not in entity.aliases:
                entity.aliases.append(surface)
            mentions.append(Mention(start, end, surface, label, key))
    mentions.sort(key=lambda m: (m.start, m.end))
    return mentions, entities


@derived
def _weekdays() -> frozenset[str]:
    return frozenset(str(d).casefold() for d in load_vocabulary("timeline").get("weekdays", []))


def _last_words(doc: Doc) -> frozenset[str]:
    """The last word of every person or organisation the recogniser found that does not end
    in a weekday: how the article names them without one."""
    days = _weekdays()
    return frozenset(
        ent[-1].lower_
        for ent in doc.ents
        if ent.label_ in ("PERSON", "ORG") and ent[-1].lower_ not in days
    )


def _before_weekday(text: str, label: str, named: frozenset[str]) -> str:
    """ "President Obama Saturday accused ...": a weekday the recogniser ran into a name, cut
    when the article names the one before it without it ("Obama" elsewhere); "Billy Sunday",
    whom the article never names otherwise, keeps his."""
    words = text.split()
    if label not in ("PERSON", "ORG") or len(words) < 2:
        return text
    if words[-1].casefold() not in _weekdays() or words[-2].casefold() not in named:
        return text
    return text[: text.rindex(words[-1])].rstrip()


def _before_outer_preposition(ent: Span, text: str, start: int) -> str:
    """An organisation's name ends before a preposition the parse hangs outside it: "appealed
    to the Supreme Court for Proposition 8" gave the recogniser 'the Supreme Court for
    Proposition', whose "for" belongs to "appealed"; in "the Syrian Observatory for Human
    Rights" or "the Bureau of Labor Statistics" the preposition hangs on the name's own head.
    Only a verb's preposition counts: in a list ("officials from the FBI and Office of the
    Director of National Intelligence") the parse may hang a name's own "of" on a noun."""
    if ent.label_ != "ORG":
        return text
    for token in ent:
        if token.dep_ == "prep" and not ent.start <= token.head.i < ent.end:
            if token.head.pos_ in ("VERB", "AUX") and start < token.idx < start + len(text):
                return text[: token.idx - start].rstrip()
            break
    return text


# An editor's square brackets inside a quotation ("the [Paul] Ryan budget") and the dash of a
# list or transcript line ("- Jackson") are no part of a name.
_EDITORIAL_MARKS = re.compile(r"[\[\]]")
_LEADING_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015 "


def _tidy_name(name: str) -> str:
    """A name as a reader would write it: "Paul] Ryan" (the recogniser's span of "[Paul] Ryan")
    is "Paul Ryan", "- Jackson" is "Jackson". The mentions keep the article's own spelling."""
    tidy = " ".join(_EDITORIAL_MARKS.sub(" ", name).split()).lstrip(_LEADING_DASHES)
    return tidy or name


def mention_at(doc: Doc, start_char: int, end_char: int) -> Mention | None:
    """The entity mention overlapping a character span, preferring the longest overlap."""
    best: Mention | None = None
    best_overlap = 0
    for mention in doc._.cg_mentions or ():
        overlap = min(end_char, mention.end) - max(start_char, mention.start)
        if overlap > best_overlap:
            best, best_overlap = mention, overlap
    return best


_NAME_BREAK = r"\n|:[ \t]"


def _lines_of(doc: Doc, ent: Span) -> list[Span]:
    """An entity span cut at its line breaks: a name never runs over a line end, where a byline,
    a photo credit or a heading meets the next paragraph ("- Nicholas Wu\\n\\nVolker says",
    "REUTERS/Jim Bourg\\n\\nLawmakers ..."). Nor does the name of a person or a body run over
    a colon ("The Hill: Fauci dismisses ...", a list of outlets' headlines); a work's title
    may ("Star Wars: The Last Jedi")."""
    cut = "\n" if ent.label_ == "WORK_OF_ART" else _NAME_BREAK
    if not re.search(cut, ent.text):
        return [ent]
    pieces = []
    offset = ent.start_char
    for part in re.split(f"({cut})", ent.text):
        if re.fullmatch(cut, part):
            offset += len(part)
            continue
        lead = len(part) - len(part.lstrip())
        piece = doc.char_span(offset + lead, offset + len(part.rstrip()), label=ent.label_)
        if piece is not None and piece.text.strip():
            pieces.append(piece)
        offset += len(part)
    return pieces


def _ensure_extensions() -> None:
    for name in ("cg_mentions", "cg_entities"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


@Language.factory(
    "claimgraph_entities",
    assigns=["doc._.cg_mentions", "doc._.cg_entities"],
    requires=["doc.ents"],
    default_config={"alias_files": []},
)
def make_entity_resolver(nlp: Language, name: str, alias_files: list[str]) -> EntityResolver:
    lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    return EntityResolver(tuple([str(DEFAULT_ALIASES), *alias_files]), lemmatizer)


class Dictionary:
    """The pipeline's own word list: the base forms its lemmatizer looks words up in (WordNet's
    nouns, verbs, adjectives and adverbs in spaCy's English pipelines), read when first asked
    (the lemmatizer's tables load after the components are made). A pipeline without one has
    an empty dictionary, and then no word is taken for an ordinary one."""

    def __init__(self, lemmatizer: object | None = None) -> None:
        self._lemmatizer = lemmatizer
        self._words: dict[str, frozenset[str]] | None = None

    def _read(self) -> dict[str, frozenset[str]]:
        if self._words is None:
            lookups = getattr(self._lemmatizer, "lookups", None)
            words: dict[str, frozenset[str]] = {}
            if lookups is not None and lookups.has_table("lemma_index"):
                table = lookups.get_table("lemma_index")
                for pos in ("noun", "verb", "adj", "adv"):
                    words[pos] = frozenset(str(w) for w in table.get(pos, ()) or ())
            self._words = words
        return self._words

    def parts_of_speech(self, word: str) -> frozenset[str]:
        """The parts of speech the dictionary lists the word under ("dolt" -> noun)."""
        key = word.casefold()
        return frozenset(pos for pos, words in self._read().items() if key in words)


class EntityResolver:
    """spaCy component: sets `doc._.cg_mentions` and `doc._.cg_entities`."""

    def __init__(self, alias_files: tuple[str, ...], lemmatizer: object | None = None) -> None:
        _ensure_extensions()
        self.table = load_alias_table(alias_files)
        self.dictionary = Dictionary(lemmatizer)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        named = _last_words(doc)
        for ent in (piece for whole in doc.ents for piece in _lines_of(doc, whole)):
            text, start = _strip_article(ent.text, ent.start_char)
            text = _before_weekday(text, ent.label_, named)
            text = _before_outer_preposition(ent, text, start)
            text, start = _strip_credit(text, start)
            text = _before_caption(doc, text, start)
            text, start = _strip_question_word(ent, text, start)
            text, start = _strip_common_noun(doc, ent, text, start)
            text, start = _strip_leading_description(doc, ent, text, start)
            text, start = _strip_abbreviated_title(ent, text, start)
            text, start = _strip_leading_verb(doc, ent, text, start, self.dictionary)
            text = _before_headline_verb(doc, ent, text, start, self.dictionary)
            text = _cut_glued(doc, ent.label_, text.rstrip())
            text, start = strip_symbols(text, start)
            if ent.label_ == "PERSON":
                text, start = _with_given_name(doc, ent, text, start)
                text = _with_hyphen_tail(doc, text, start)
                text = _with_apostrophe_surname(doc, ent, text, start)
            ticker = _TICKER.search(text)
            if ticker and _QUOTE_CHANGE.match(doc_text(doc), start + len(text)):
                # "Merck's MRK, +1.79%", "NBC CMCSA, +1.46% affiliate": a market-data widget's
                # ticker run into the company's name
                text = text[: ticker.start()]
            clock = list(_CLOCK.finditer(text))
            if clock and text[clock[-1].end() :].strip():  # "Trump 01:14 Preet Bharara"
                rest = text[clock[-1].end() :]
                start += len(text) - len(rest.lstrip())
                text = rest.strip()
            if _POSSESSIVE.search(text) and not _name_ending_in_s(doc, ent):
                text = _POSSESSIVE.sub("", text)
            text = _TRAILING_MINOR.sub("", text)
            if text.count("(") > text.count(")"):  # "Southern Poverty Law Center (SPLC"
                text = _TRAILING_MINOR.sub("", text[: text.rindex("(")].rstrip())
            if not is_name_text(text):
                continue
            label = ent.label_
            if label == "PERSON" and not any(c.isupper() for c in text):
                continue  # "the former vice president swung back": no person written lower case
            if label == "PERSON" and _names_a_work(doc, ent):
                label = "WORK_OF_ART"  # "in his book, Basic Brown, ...": a title, no person
            titled = _POSSESSIVE_TITLE.search(text) if label in ("PERSON", "ORG") else None
            if titled is not None:
                # "Rand's \u201cU.S.-China Military Scorecard\u201d": the owner; the quoted
                # title is a work of theirs (annotate/sourcing.py), no part of the name
                text = text[: titled.start()]
            inner = _INNER_POSSESSIVE.search(text) if label in ("PERSON", "ORG") else None
            if inner is not None and label == "ORG":
                rest = text[inner.end() :]
                if _reads_as_person(rest) or (
                    # "Fox News' Megyn Kelly": a medium's journalist whose given name is not
                    # listed (not "The Post's Editorial Board": an ordinary word)
                    _names_a_medium(text[: inner.start()])
                    and _capitalised_words(rest) in (2, 3)
                    and not self.dictionary.parts_of_speech(rest.split()[0])
                ):
                    # "Vox's Jen Kirby": a medium's writer, the person (the medium is the
                    # channel, annotate/sourcing.py)
                    start, text, label = start + inner.end(), rest, "PERSON"
                elif rest.casefold() in _share_words():
                    label = "PRODUCT"  # "Swift's Instagram": an account, no organisation
            elif inner is not None:
                rest = text[inner.end() :]
                words = rest.split()
                if len(words) >= 2 and all(w[:1].isupper() for w in words):
                    # "Berstein's Ronny Gal": the analyst
                    start, text = start + inner.end(), rest
                elif len(words) == 1 and any(
                    e.label_ == "PERSON" and e.text.endswith(" " + rest) for e in doc.ents
                ):
                    # "says Jefferies' Holz": the analyst Jared Holz the article named
                    start, text = start + inner.end(), rest
                else:  # "Hillary's Emails": a title, not a person
                    label = "WORK_OF_ART"
            place = _OF_PLACE.search(text) if label == "PERSON" else None
            if place is not None and not any(
                w.casefold().rstrip(".") in _titles() for w in _words(text[: place.start()])
            ):
                # "Kilkenny of West Virginia": a person and where they come from, not
                # "Secretary of State Mike Pompeo"
                text = text[: place.start()]
            spans.append((start, start + len(text), text, label))
        mentions, entities = resolve_mentions(spans, doc_text(doc), self.table)
        doc._.cg_mentions, doc._.cg_entities = _without_ordinary_words(
            doc, mentions, _places_by_description(doc, entities), self.dictionary
        )
        return doc


def _strip_leading_verb(
    doc: Doc, ent: Span, text: str, start: int, dictionary: Dictionary
) -> tuple[str, int]:
    """A headline's or a sentence's verb run into the name after it: "Senators Encourage
    Obama to End ...", "Taking Clinton at her word ...". Only a word the tagger reads as a
    verb and the dictionary lists as one, never a given name, and only where the article names
    the rest on its own elsewhere ("Rush Limbaugh" written whole again stays whole)."""
    words = text.split()
    if len(words) < 2 or ent.label_ != "PERSON" or words[0].casefold() in _first_names():
        return text, start
    lead = doc.char_span(start, start + len(words[0]), alignment_mode="expand")
    if lead is None:
        return text, start
    if lead[0].pos_ in ("VERB", "AUX") and lead[0].tag_.startswith("VB"):
        if "verb" not in dictionary.parts_of_speech(lead[0].lemma_ or words[0]):
            return text, start
    elif not _reads_as_participle(words[0], dictionary):
        return text, start
    offset = text.index(words[1], len(words[0]))
    rest = text[offset:]
    if not rest[:1].isupper() or doc_text(doc).count(text) > 1:
        return text, start
    # (a person, or a country or body: "Defying Israel's claims ..." with Israel named again)
    bare = _POSSESSIVE.sub("", rest)
    if not any(e.label_ in ("PERSON", "GPE", "ORG", "NORP") and e.start_char != ent.start_char
               and bare in e.text for e in doc.ents):  # fmt: skip
        return text, start
    return rest, start + offset


def _reads_as_participle(word: str, dictionary: Dictionary) -> bool:
    """A capitalised "-ing" word the tagger took for a name that is a verb's participle
    ("Defying", "Making", "Running": defy, make, run in the dictionary)."""
    low = word.casefold()
    if not (word[:1].isupper() and low.endswith("ing") and len(low) > 5):
        return False
    stem = low[:-3]
    forms = {stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem}
    return any("verb" in dictionary.parts_of_speech(f) for f in forms)


_WORK_NOUNS = frozenset(
    {"book", "film", "movie", "song", "album", "novel", "memoir", "play", "documentary"}
    | {"essay", "poem", "podcast", "column", "biography", "autobiography", "musical", "opera"}
)


def _names_a_work(doc: Doc, ent: Span) -> bool:
    """A "person" set after a work's noun, as its title ("in his book, Basic Brown, Mrs.
    Brown said ..."): the book, whose name the recogniser read as a person's."""
    i = ent.start - 1
    if i >= 0 and doc[i].text == ",":
        i -= 1
    return i >= 0 and doc[i].lemma_.lower() in _WORK_NOUNS and doc[i].pos_ == "NOUN"


def _before_headline_verb(
    doc: Doc, ent: Span, text: str, start: int, dictionary: Dictionary
) -> str:
    """A headline's verb between two names, all in title case: "Joy Behar Slams Bolton,
    Says ...", "Trump Commemorates Juneteenth In Statement". The person is the name before
    the verb. Only a capitalised word in "-s" whose stem the dictionary lists as a verb, with
    a name's word before and after it, on a line written in title case ("Maxine Waters",
    "Jim Banks said" keep their names: the word ends them, or the line is prose)."""
    words = text.split()
    if ent.label_ != "PERSON" or len(words) < 3:
        return text
    for k, word in enumerate(words[1:-1], start=1):
        if not (word[:1].isupper() and word[1:].islower() and word.endswith("s")):
            continue
        if word.casefold() in _first_names() or not words[k + 1][:1].isupper():
            continue
        stems = {word[:-1], word[:-2]} if word.endswith("es") else {word[:-1]}
        if not any("verb" in dictionary.parts_of_speech(w) for w in stems):
            continue
        if not _title_case(ent.sent):
            return text
        return " ".join(words[:k])
    return text


def _title_case(sent: Span) -> bool:
    """Whether a sentence is written as a headline: most of its longer words capitalised."""
    words = [t.text for t in sent if t.is_alpha and len(t.text) > 3]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words)


_FORCED_CAPITAL_BEFORE = frozenset(":;\"'\u201c\u2018\u2019([\u2014\u2013-*\u2022")


def _in_name_position(doc: Doc, mention: Mention) -> bool:
    """Whether a capital at this mention shows a name: within a sentence, not where any word
    takes one (first in its sentence or line, after a colon, an opening quotation mark or a
    dash) and not after an article ("The Dolt", an epithet)."""
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None or span[0].is_sent_start or span.start == 0:
        return False
    before = doc[max(0, span.start - 8) : span.start].text.rstrip(" \t")
    if not before or before.endswith("\n") or before[-1] in _FORCED_CAPITAL_BEFORE:
        return False
    if any(m.end() == len(before) for m in caption_markers().finditer(before)):
        return False  # "Image caption Protesters gather ...": a caption's first word
    return doc[span.start - 1].lower_ not in ("the", "a", "an")


_PLACE_OF = re.compile(
    r"\b(?:city|town|village|county|township|borough|state|province)\s+of\s+([A-Z][\w'\u2019-]+)"
)


def _places_by_description(doc: Doc, entities: dict[str, Entity]) -> dict[str, Entity]:
    """A one-word "person" the article calls a place ("the city of Waskom" beside "Before
    Waskom passed its initial ordinance, he voiced ...") is a place: never a speaker, never
    what "he" refers to."""
    places = {alias_key(m.group(1)) for m in _PLACE_OF.finditer(doc_text(doc))}
    if not places:
        return entities
    for entity in entities.values():
        if entity.type == "PERSON" and " " not in entity.name and alias_key(entity.name) in places:
            entity.type = "GPE"
    return entities


def _elided(text: str, start: int) -> bool:
    """A word that opens with an apostrophe standing for dropped letters ("'Nuff said")."""
    return (
        start > 0 and text[start - 1] in "'\u2019" and (start == 1 or not text[start - 2].isalnum())
    )


def _without_ordinary_words(
    doc: Doc, mentions: list[Mention], entities: dict[str, Entity], dictionary: Dictionary
) -> tuple[list[Mention], dict[str, Entity]]:
    """Drop one-word "names" that are ordinary words the recogniser labelled because they
    stood first: "Absurd or Stupid?", "Dolt." on a line of its own and "The Dolt was ...",
    "Suffice to say", "'Nuff said". Such a word is no entity, so never a speaker nor what
    "she" refers to. A one-word person is kept when it is a given name or a well-known
    surname, follows a title ("Sen. King"), or stands anywhere in the article where only a
    name would be capitalised; a one-word organisation is dropped only when the dictionary
    knows the word as no noun ("Suffice"), as "the Guardian" or a sentence-first "Apple said"
    are names. A one-word name written all in lower case ("to the max") is none either."""
    by_key: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_key.setdefault(mention.entity_key, []).append(mention)
    text = doc_text(doc)
    dropped = set()
    for key, entity in entities.items():
        words = _words(entity.name)
        own = by_key.get(key, [])
        if len(words) != 1 or entity.type not in ("PERSON", "ORG") or not own:
            continue
        if any(len(_words(m.text)) != 1 for m in own):
            continue  # the name is written longer somewhere: "Taylor" of "Taylor Swift"
        word = words[0].strip(".,'\u2019")
        if word.isupper() or not word[:1].isalpha():
            continue  # an acronym ("NATO")
        if word.islower() or all(_elided(text, m.start) for m in own):
            dropped.add(key)  # "to the max", "'Nuff said": no name is written so
            continue
        if entity.type == "PERSON" and (
            word.casefold() in _first_names()
            or well_known_name(word) is not None
            or any(_title_before(text, m.start) for m in own)
        ):
            continue
        lemmas = {word}
        for m in own:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and span[0].pos_ != "PROPN":
                lemmas.add(span[0].lemma_)  # "Protesters" tagged a noun: "protester"
        kinds = frozenset().union(*(dictionary.parts_of_speech(w) for w in lemmas))
        ordinary = bool(kinds) if entity.type == "PERSON" else bool(kinds) and "noun" not in kinds
        if entity.type == "ORG" and word.endswith("s") and word.casefold() not in lemmas:
            # "Groups that support DACA said", "Videos posted on social media": a plural of a
            # common noun the tagger read as one ("group"), no organisation's name
            plural = {w for w in lemmas if w != word and w.casefold() != word.casefold()}
            ordinary = ordinary or any("noun" in dictionary.parts_of_speech(w) for w in plural)
        if ordinary and not any(_in_name_position(doc, m) for m in own):
            dropped.add(key)
    if not dropped:
        return mentions, entities
    kept = {k: e for k, e in entities.items() if k not in dropped}
    return [m for m in mentions if m.entity_key not in dropped], kept
