"""The plain data types every stage shares.

Offsets (`start`, `end`) are character offsets into `Document.text`, the cleaned body, so every
figure claimgraph shows can point back at the exact sentence it came from. Everything here is a
plain dataclass: stages take them in and hand them out, and the store maps them to tables.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

# Quote and apostrophe variants folded to ASCII before hashing and matching: the same article
# copied through different CMSs differs mostly in these.
_QUOTE_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_WS = re.compile(r"\s+")


_SPACE_MAP = str.maketrans(dict.fromkeys("\u00a0\u2007\u2009\u202f\u2002\u2003", " "))


def fold_spaces(text: str) -> str:
    """No-break, thin and figure spaces to plain spaces, one for one (offsets do not move)."""
    return text.translate(_SPACE_MAP)


def fold_quotes(text: str) -> str:
    """Fold typographic quotes, dashes and no-break spaces to ASCII (length-preserving)."""
    return text.translate(_QUOTE_MAP)


def normalise_text(text: str) -> str:
    """Case-, quote- and whitespace-insensitive form used for ids and matching."""
    text = unicodedata.normalize("NFKC", text)
    return _WS.sub(" ", fold_quotes(text)).strip().casefold()


_APOSTROPHES = re.compile(r"['`\u02bb\u02bc\u02be\u02bf\u2018\u2019\u00b4]")


def entity_slug(name: str) -> str:
    """A readable, stable entity id from a canonical name ("fars-news-agency"). Here, not in
    the annotator, so the linker can key names without importing spaCy."""
    text = unicodedata.normalize("NFKD", fold_quotes(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _APOSTROPHES.sub("", text)
    return re.sub(r"[^0-9a-z]+", "-", text).strip("-") or "entity"


def content_id(title: str | None, text: str, prefix: str = "doc") -> str:
    """A stable id from normalised content: the same article read twice gets the same id."""
    digest = hashlib.sha1(normalise_text(f"{title or ''}\n{text}").encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:16]}"


@dataclass(slots=True)
class Turn:
    """One speaker's turn in a transcript or subtitle file, with offsets into the text it is in.

    The text holds each turn as a paragraph `LABEL: utterance` (just the utterance when no
    speaker is given), so `label_start:label_end` is the speaker as written and `start:end` what
    they said; the annotate stage makes it an Attribution of kind `transcript`.
    """

    speaker: str | None  # the label as written ("HOLT", "Lester Holt"); None when not given
    start: int  # the utterance, without the label
    end: int
    label_start: int | None = None
    label_end: int | None = None
    timecode: str | None = None  # when it starts: "00:01:02.500" (subtitles), as given otherwise
    timecode_end: str | None = None


@dataclass(slots=True)
class Article:
    """One article as a reader found it, before cleaning.

    `source` names where it came from (a path, plus `#line`/`#record` locators for
    container formats) so a skipped or odd record can be reported by name.
    """

    source: str
    text: str | None = None
    html: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None
    outlet: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Speaker turns of a transcript or subtitle file (offsets into `text`); empty for articles.
    turns: list[Turn] = field(default_factory=list)


@dataclass(slots=True)
class Skipped:
    """An input that could not be read; reported by name, never silently dropped."""

    source: str
    reason: str


@dataclass(slots=True)
class Signal:
    """Something a reader should notice, with the words that triggered it.

    `scope` is `document` (a self-applied badge, a reprint notice), `sentence` or
    `attribution`. Offsets are None for things found outside the cleaned body.
    """

    type: str
    text: str
    start: int | None = None
    end: int | None = None
    scope: str = "document"
    detail: str | None = None


@dataclass(slots=True)
class Removed:
    """A piece of page furniture taken out of the body, kept so the cleaning can be audited."""

    text: str
    reason: str


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    text: str
    # ISO 639-1 when the detector is confident; None for short sentences, names and numbers.
    language: str | None = None


@dataclass(slots=True)
class Mention:
    """A named-entity mention in the body, tied to its canonical entity by `entity_key`."""

    start: int
    end: int
    text: str
    label: str
    entity_key: str


@dataclass(slots=True)
class Entity:
    """A canonical entity: one real-world thing with every spelling it was written in.

    `key` is the normalised form of the canonical name; it is stable across documents, so
    the store can merge the same entity found in different articles.
    """

    key: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EntityMerge:
    """Which corpus entity one document's entity is (`None`: a new one), the fuller name that
    entity now takes, if any, and the spellings (with their keys) to remember it by.

    Decided by `claimgraph.link.entities.merge_entity`, applied by the store inside the write
    transaction, so two runs writing at once decide on the same corpus."""

    entity_id: str | None
    name: str | None
    aliases: tuple[tuple[str, str], ...]


class EntityLookup(Protocol):
    """What the corpus knows of its entities, as the merge decision reads it (the store answers
    from the open transaction)."""

    def ids_by_key(self, keys: Sequence[str]) -> list[str]:
        """The entity of every stored alias row with one of `keys`, in stored order."""
        ...

    def entity(self, entity_id: str) -> tuple[str, str] | None:
        """The stored entity's name and type."""
        ...

    def mentioned_as(self, entity_id: str, text: str) -> bool:
        """Whether a stored document mentions the entity written exactly as `text`."""
        ...


EntityMerger = Callable[[Entity, EntityLookup], EntityMerge]


@dataclass(slots=True)
class Attribution:
    """Who said what, on whose word: one attribution relation in one document."""

    kind: str  # "direct" | "indirect" | "transcript" (a speaker's turn in a transcript)
    content: str
    start: int  # content span
    end: int
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    source_text: str | None = None
    source_start: int | None = None
    source_end: int | None = None
    speaker: str | None = None  # canonical name, or None when anonymous/unresolved
    speaker_entity_key: str | None = None
    anonymous: bool = False
    speaker_description: str | None = None
    role: str | None = None
    via: list[str] = field(default_factory=list)  # outlets/media, nearest first
    signals: list[Signal] = field(default_factory=list)
    # When it was said, as reduced-precision ISO 8601 ("2021-07-24", "2017-08", "2017").
    date: str | None = None
    # Where in the recording a transcript turn starts and ends ("00:01:02.500"); None otherwise.
    timecode: str | None = None
    timecode_end: str | None = None
    # What found it: "rules", "model:<folder>" (the trained tagger), "transcript"
    extractor: str | None = None
    # What it reports (`claimgraph.annotate.attribution.what_it_reports`): "statement" (the
    # source says, writes or thinks the content: a quotation, or a clause after a cue of
    # saying), "position" (a stance or speech act with a thing or an intent for content:
    # "endorsed Cruz", "declined to comment"), or "act" (something the source did that
    # PolNeAR-style annotation also counts: "unveiled a plan"). None: not classified.
    reports: str | None = None


@dataclass(slots=True)
class Document:
    """A cleaned, annotated article: the unit every per-document stage works on."""

    id: str
    source: str
    text: str
    title: str | None = None
    date: str | None = None
    date_source: str | None = None  # "metadata" | "header" | "byline" | "date_line" | "url" | None
    # The publication date as a range: equal to `date` when known, an estimate (flagged) when
    # the document is undated and its text supports one; never a guessed exact day.
    date_earliest: str | None = None
    date_latest: str | None = None
    date_estimated: bool = False
    url: str | None = None
    outlet: str | None = None
    outlet_source: str | None = None  # "metadata" | "header" | "dateline"
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    byline: str | None = None
    signals: list[Signal] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    dates: list[Any] = field(default_factory=list)  # claimgraph.annotate.dates.DateMention
    claims: list[Any] = field(default_factory=list)  # claimgraph.link.claims.Claim
    meta: dict[str, Any] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)  # a transcript's speaker turns (see Turn)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
