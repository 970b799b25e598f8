"""Transcript turns -> attributions of kind `transcript`: the speaker is the source of the turn.

A turn's label ("HOLT", "Lester Holt", "SEN. WARREN") is resolved to an entity, in order: the
alias table (claimgraph/data/aliases.yaml), an entity of the document whose name or alias has
the same alias key, the one PERSON of the document whose surname it is ("HOLT" and "Lester
Holt"), else a new PERSON entity named by the label (an ALL-CAPS label title-cased: "Holt"; a
title before the name is the attribution's role: "SEN. WARREN" is Warren, role "Sen.").
The label becomes a mention of that entity (what NER made of it is replaced). A label that names
a part, not a person ("MODERATOR", "Q", "SPEAKER 2": data/transcripts.yaml) gets no entity: the
attribution carries it as `speaker_description`, never merged across documents.

Attributions the rules find inside a turn (the speaker quoting someone) stay as they are; the
claims stage takes the nearest identified source for a nested span (claimgraph.link.claims).
"""

from __future__ import annotations

import bisect
import dataclasses
import re

from spacy.tokens import Doc

from claimgraph.annotate.entities import alias_key, entity_slug, load_alias_table
from claimgraph.annotate.signals import Text, attribution_signals
from claimgraph.model import Attribution, Document, Entity, Mention, Sentence, Signal, Turn
from claimgraph.vocabulary import derived, load_vocabulary

_WORD = re.compile(r"[^\W\d_]+")
_NUMBERING = re.compile(r"[\s#]*\d+$")
_HONORIFIC = re.compile(
    r"^(Mr|Mrs|Ms|Miss|Dr|Sen|Senator|Rep|Gov|Governor|Prof|Rev|Gen|President|Secretary)\.?\s+",
    re.IGNORECASE,
)
_COURTESY = frozenset({"mr", "mrs", "ms", "miss"})


@derived
def generic_speakers() -> frozenset[str]:
    """Labels that name a part, not a person (data/transcripts.yaml)."""
    words = load_vocabulary("transcripts").get("generic_speakers") or []
    return frozenset(str(w).casefold() for w in words)


def display_name(label: str) -> str:
    """An ALL-CAPS label title-cased for display ("O'ROURKE" -> "O'Rourke"); others as written."""
    label = " ".join(label.split()).rstrip(":")
    if any(ch.islower() for ch in label):
        return label
    return _WORD.sub(lambda m: m.group(0).capitalize(), label.lower())


def split_honorific(name: str) -> tuple[str, str | None]:
    """("Sen. Bernie Sanders") -> ("Bernie Sanders", "Sen."); "Mr."/"Ms." are dropped, not roles.

    A lone honorific with a surname keeps it ("Mr. Schwab" -> "Schwab")."""
    match = _HONORIFIC.match(name)
    if match is None or not name[match.end() :].strip():
        return name, None
    word = match.group(1)
    rest = name[match.end() :].strip()
    return rest, (None if word.casefold() in _COURTESY else match.group(0).strip())


def is_generic(label: str) -> bool:
    """Whether a label names a part ("MODERATOR", "Speaker 2") rather than someone."""
    bare = _NUMBERING.sub("", " ".join(label.split())).strip(" .").casefold()
    return not bare or bare in generic_speakers()


def _surname(name: str) -> str:
    words = name.split()
    return alias_key(words[-1]) if words else ""


def _resolve(name: str, entities: list[Entity]) -> Entity:
    """The document's entity for a speaker name, or a new one (module doc: the order)."""
    group = load_alias_table().lookup(name)
    if group is not None:
        key = alias_key(group.name)
        for entity in entities:
            if alias_key(entity.name) == key:
                return entity
        return Entity(key=entity_slug(group.name), name=group.name, type=group.type)
    key = alias_key(name)
    for entity in entities:
        if key and key in {alias_key(entity.name), *(alias_key(a) for a in entity.aliases)}:
            return entity
    if len(name.split()) == 1:
        persons = [
            e
            for e in entities
            if e.type == "PERSON" and len(e.name.split()) >= 2 and _surname(e.name) == key
        ]
        if len(persons) == 1:
            return persons[0]
    return Entity(key=entity_slug(name), name=name, type="PERSON")


def _in_labels(start: int, end: int, labels: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in labels)


def turn_signals(document: Document, doc: Doc, offset: int = 0) -> dict[int, list[Signal]]:
    """The attribution signals (hedges, evidence) of each speaker turn that lies whole in `doc`,
    the parse of `document.text[offset:offset + len(doc.text)]` (one window of a long text);
    keyed by the turn's start, offsets into the whole text."""
    if not doc.has_annotation("DEP"):
        return {}
    shared = Text.of(doc)
    end = offset + len(shared.raw)
    found: dict[int, list[Signal]] = {}
    for turn in document.turns:
        if not turn.speaker or not (offset <= turn.start and turn.end <= end):
            continue
        local = Attribution(
            kind="transcript",
            content=shared.raw[turn.start - offset : turn.end - offset],
            start=turn.start - offset,
            end=turn.end - offset,
        )
        found[turn.start] = [
            dataclasses.replace(
                g,
                start=None if g.start is None else g.start + offset,
                end=None if g.end is None else g.end + offset,
            )
            for g in attribution_signals(doc, local, shared)
        ]
    return found


def add_transcript_attributions(
    document: Document, doc: Doc | None = None, signals: dict[int, list[Signal]] | None = None
) -> Document:
    """Give every turn with a speaker its attribution, speaker entity and label mention.

    The turn's content gets the attribution signals (hedges, evidence) an article's quote gets:
    `signals` from `turn_signals` per window, or computed here from `doc`, the parse of the
    whole text. The article's own-voice hedge signals inside a turn are dropped, since the turn
    is not the article's voice.
    """
    if document.turns:
        # Every turn, speaker or not, with its timecodes: stored in documents.meta["turns"].
        document.meta["turns"] = [
            {
                "speaker": t.speaker,
                "start_char": t.start,
                "end_char": t.end,
                "timecode": t.timecode,
                "timecode_end": t.timecode_end,
            }
            for t in document.turns
        ]
    turns = [t for t in document.turns if t.speaker and t.label_start is not None]
    if not turns:
        return document
    text = document.text
    labels = [(t.label_start, t.label_end) for t in turns]
    # What NER made of the labels is replaced by the speakers resolved here.
    mentions = [m for m in document.mentions if not _in_labels(m.start, m.end, labels)]  # type: ignore[arg-type]
    used = {m.entity_key for m in mentions}
    entities = [e for e in document.entities if e.key in used]
    by_key = {e.key: e for e in entities}
    attributions: list[Attribution] = []
    for turn in turns:
        assert turn.speaker is not None and turn.label_start is not None
        label_end = turn.label_end if turn.label_end is not None else turn.label_start
        name, role = split_honorific(display_name(turn.speaker))
        entity = None
        if not is_generic(turn.speaker):
            entity = _resolve(name, entities)
            if entity.key not in by_key:
                entities.append(entity)
                by_key[entity.key] = entity
            written = text[turn.label_start : label_end]
            if written != entity.name and written not in entity.aliases:
                entity.aliases.append(written)
            mentions.append(Mention(turn.label_start, label_end, written, entity.type, entity.key))
        attributions.append(_attribution(text, turn, label_end, name, entity, role))
    mentions.sort(key=lambda m: (m.start, m.end))
    document.sentences = split_at_labels(document.sentences, turns, text)
    document.mentions = mentions
    document.entities = entities
    if signals is None and doc is not None:
        signals = turn_signals(document, doc)
    for att in attributions:
        att.signals = list((signals or {}).get(att.start, []))
    spans = [(a.start, a.end) for a in attributions]
    document.signals = [
        g
        for g in document.signals
        if not (
            g.type == "hedged"
            and g.scope == "sentence"
            and g.start is not None
            and any(a <= g.start < b for a, b in spans)
        )
    ]
    for att in document.attributions:
        _clip_label(att, turns)
    document.attributions = [*document.attributions, *attributions]
    return document


def split_at_labels(sentences: list[Sentence], turns: list[Turn], text: str) -> list[Sentence]:
    """Sentences cut at speaker labels: "TODD:" is a sentence of its own, never the start of
    what Todd said, so no sentence-based claim (own voice included) carries a label."""
    starts = [t.label_start for t in turns]
    out: list[Sentence] = []
    for sentence in sentences:
        i = bisect.bisect_left(starts, sentence.start)
        pieces, cursor = [], sentence.start
        while i < len(turns) and (starts[i] or 0) < sentence.end:
            turn = turns[i]
            label_start = turn.label_start or 0
            label_end = turn.label_end if turn.label_end is not None else label_start
            pieces.append((cursor, label_start))
            pieces.append((label_start, min(label_end + 1, turn.start)))  # with its colon
            cursor = max(cursor, turn.start)
            i += 1
        if not pieces:
            out.append(sentence)
            continue
        pieces.append((cursor, sentence.end))
        for a, b in pieces:
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append(Sentence(a, b, text[a:b], sentence.language))
    return out


def _clip_label(att: Attribution, turns: list[Turn]) -> None:
    """A relation the rules found whose content starts in a speaker label ("TODD: Secretary,
    voters ..., they tell ...") starts after it: the label is never part of what was said."""
    for turn in turns:
        if turn.label_start is not None and turn.label_start <= att.start < turn.start < att.end:
            cut = turn.start - att.start
            att.content = att.content[cut:]
            att.start = turn.start
            return


def _attribution(
    text: str, turn: Turn, label_end: int, name: str, entity: Entity | None, role: str | None
) -> Attribution:
    return Attribution(
        kind="transcript",
        content=text[turn.start : turn.end],
        start=turn.start,
        end=turn.end,
        source_text=text[turn.label_start : label_end],
        source_start=turn.label_start,
        source_end=label_end,
        speaker=entity.name if entity else None,
        speaker_entity_key=entity.key if entity else None,
        speaker_description=None if entity else name,
        role=role,
        timecode=turn.timecode,
        timecode_end=turn.timecode_end,
        extractor="transcript",
        reports="statement",  # a speaker's turn: what they said
    )
