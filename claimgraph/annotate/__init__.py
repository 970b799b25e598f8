"""Per-document annotation: one spaCy pass fills sentences, entities, attributions and signals.

Nothing here looks at another document, so any engine (a local loop, Ray workers) can run it.

Long documents are parsed in windows: a spaCy parse costs about 3.5 KB of memory per character
(100k characters: +350 MB; 1M: +4 GB), so a document longer than `window_chars` is cut at
paragraph breaks into pieces of at most that size, each parsed as its own Doc, and what each
piece yields is shifted back by the piece's start, so every offset points into the full text.
Documents up to `window_chars` (every normal article) are parsed whole, exactly as before.
What a window cannot see: a surname or acronym whose full form is only in another window stays
a separate entity, and a pronoun whose antecedent is in the previous window stays unresolved.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from claimgraph.annotate.dates import DateMention, date_for_span, estimate_document_date, find_dates
from claimgraph.annotate.doctext import doc_text
from claimgraph.annotate.transcript import add_transcript_attributions, turn_signals
from claimgraph.model import Attribution, Document, Entity, Mention, Sentence, Signal, Skipped

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

# Documents longer than this are parsed in windows of at most this many characters. 50,000
# leaves all but one of 5,000 news articles (allsides sample) whole, and one window's parse
# costs about what a batch of normal articles does (~+175 MB).
DEFAULT_WINDOW_CHARS = 50_000
# Documents parsed together by `nlp.pipe`: every Doc of a batch is alive at once, and the batch
# sets the run's peak. 60 news articles, linking on, one process (session 11): peak RSS 1,254 /
# 1,266 MB with 16, 1,165 / 1,149 with 8, 1,090 / 1,097 with 4, at the same CPU (50-59 s each,
# no trend); the small pipeline gains nothing from bigger batches on a CPU.
PARSE_BATCH = 4
# A document longer than this (after cleaning) is skipped with its size named: its text and
# everything found in it are still held whole in memory until they are stored.
DEFAULT_MAX_CHARS = 5_000_000
# Where a window may end, best first: a paragraph break, a line break, a sentence end, a space.
_SENTENCE_END = re.compile(r"[.!?][\"')\]\u201d\u2019]*\s")


def too_long(document: Document, max_chars: int = DEFAULT_MAX_CHARS) -> Skipped | None:
    """A Skipped naming the document's size when it is over `max_chars`, else None."""
    size = len(document.text)
    if size <= max_chars:
        return None
    return Skipped(
        document.source,
        f"document is {size:,} characters after cleaning, over the {max_chars:,}-character "
        f"limit for one document (--max-chars)",
    )


def _cut(text: str, lo: int, hi: int) -> int:
    """Where to end a window that must end in (lo, hi]: after the last natural break there."""
    at = text.rfind("\n\n", lo, hi)
    if at >= 0:
        return at + 2
    at = text.rfind("\n", lo, hi)
    if at >= 0:
        return at + 1
    last = None
    for last in _SENTENCE_END.finditer(text, lo, hi):  # noqa: B007 - the last one is wanted
        pass
    if last is not None:
        return last.end()
    at = text.rfind(" ", lo, hi)
    return at + 1 if at >= 0 else hi


def text_windows(text: str, size: int = DEFAULT_WINDOW_CHARS) -> Iterator[tuple[int, int]]:
    """(start, end) pieces of at most `size` characters that cover `text`, in order, each ending
    at the last paragraph break of its second half (else a line break, a sentence end, a space;
    a hard cut only in text with none of these)."""
    if size < 1:
        raise ValueError(f"window size must be at least 1 character (got {size})")
    start, n = 0, len(text)
    while n - start > size:
        end = _cut(text, start + size // 2, start + size)
        yield start, end
        start = end
    yield start, n


def _shift_signal(signal: Signal, by: int) -> Signal:
    return dataclasses.replace(
        signal,
        start=None if signal.start is None else signal.start + by,
        end=None if signal.end is None else signal.end + by,
    )


def _shift_attribution(att: Attribution, by: int) -> Attribution:
    def moved(offset: int | None) -> int | None:
        return None if offset is None else offset + by

    return dataclasses.replace(
        att,
        start=att.start + by,
        end=att.end + by,
        cue_start=moved(att.cue_start),
        cue_end=moved(att.cue_end),
        source_start=moved(att.source_start),
        source_end=moved(att.source_end),
        signals=[_shift_signal(g, by) for g in att.signals],
    )


def _merge_entity(entities: dict[str, Entity], entity: Entity) -> None:
    """Add a window's entity; the same key seen in an earlier window gains its spellings."""
    known = entities.get(entity.key)
    if known is None:
        entities[entity.key] = entity
        return
    for spelling in (entity.name, *entity.aliases):
        if spelling != known.name and spelling not in known.aliases:
            known.aliases.append(spelling)


def sentences_of(doc: Doc) -> list[Sentence]:
    """spaCy sentences, trimmed, and never spanning a paragraph break."""
    out: list[Sentence] = []
    text = doc_text(doc)
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        pieces, cursor = [], start
        for brk in _PARAGRAPH_BREAK.finditer(text, start, end):
            pieces.append((cursor, brk.start()))
            cursor = brk.end()
        pieces.append((cursor, end))
        for a, b in pieces:
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append(Sentence(a, b, text[a:b]))
    return out


def reduced_iso(mention: DateMention | None) -> str | None:
    """A date at the precision the text gives it: "2021-07-24", "2017-08" or "2017"."""
    if mention is None or mention.earliest is None:
        return None
    cut = {"day": 10, "month": 7, "year": 4}.get(mention.precision)
    if cut is None or mention.latest is None or mention.earliest[:cut] != mention.latest[:cut]:
        return None
    return mention.earliest[:cut]


def _month_range(month: str | None) -> tuple[str | None, str | None]:
    """ "2019-07" (a date known to the month, from the URL) -> first and last day."""
    if not month or len(month) != 7:
        return None, None
    import calendar

    year, number = int(month[:4]), int(month[5:])
    return f"{month}-01", f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def date_document(document: Document) -> Document:
    """Resolve in-text dates against the publication date (or an estimated range) and date
    each attribution by the date phrase of its own sentence, outside what was said."""
    if document.date:
        document.date_earliest = document.date_latest = document.date
        document.dates = find_dates(document.text, document.date)
    else:
        earliest, latest = _month_range((document.meta or {}).get("date_month"))
        if not earliest:
            earliest, latest = estimate_document_date(document.text)
            document.date_estimated = bool(earliest or latest)
        if earliest or latest:
            document.date_earliest, document.date_latest = earliest, latest
            document.dates = find_dates(
                document.text, earliest, anchor_latest=latest, estimated=True
            )
        else:
            document.dates = find_dates(document.text)
    starts = [s.start for s in document.sentences]
    # Only dates near the attribution can date it: look them up by offset (in their own order),
    # not through every date of the document for every attribution (quadratic in a long text).
    dates = document.dates
    by_start = sorted(range(len(dates)), key=lambda k: dates[k].start)
    date_starts = [dates[k].start for k in by_start]
    for att in document.attributions:
        at = att.cue_start if att.cue_start is not None else att.start
        i = max(0, bisect.bisect_right(starts, at) - 1)
        if not document.sentences:
            break
        sent = document.sentences[i]
        cue_end = att.cue_end if att.cue_end is not None else at
        lo, hi = min(at, sent.start), max(cue_end, sent.end)
        near = sorted(
            by_start[bisect.bisect_left(date_starts, lo) : bisect.bisect_right(date_starts, hi)]
        )
        outside = [dates[k] for k in near if dates[k].end <= att.start or dates[k].start >= att.end]
        att.date = reduced_iso(date_for_span(outside, at, cue_end, sent.start, sent.end))
    return document


def fill_document(document: Document, doc: Doc) -> Document:
    """Copy what the pipeline found on a spaCy Doc onto our plain Document."""
    return fill_windows(document, [(0, doc)])


def fill_windows(document: Document, parts: Iterable[tuple[int, Doc]]) -> Document:
    """Copy what the pipeline found on the Docs of a document's windows (each with the offset
    where its text starts in `document.text`) onto the Document, offsets shifted back; entities
    of one key found in several windows become one. Each Doc is read once and let go, so only
    one window's parse is alive at a time."""
    sentences: list[Sentence] = []
    mentions: list[Mention] = []
    entities: dict[str, Entity] = {}
    attributions: list[Attribution] = []
    signals: list[Signal] = []
    said: dict[int, list[Signal]] = {}  # signals of transcript turns, read per window
    for offset, doc in parts:
        found = sentences_of(doc)
        window_mentions = list(doc._.cg_mentions or [])
        window_attributions = list(doc._.cg_attributions or []) if _has("cg_attributions") else []
        window_signals = list(doc._.cg_signals or []) if _has("cg_signals") else []
        if offset:
            found = [dataclasses.replace(s, start=s.start + offset, end=s.end + offset)
                     for s in found]  # fmt: skip
            window_mentions = [
                dataclasses.replace(m, start=m.start + offset, end=m.end + offset)
                for m in window_mentions
            ]
            window_attributions = [_shift_attribution(a, offset) for a in window_attributions]
            window_signals = [_shift_signal(g, offset) for g in window_signals]
        sentences += found
        mentions += window_mentions
        for entity in (doc._.cg_entities or {}).values():
            _merge_entity(entities, entity)
        attributions += window_attributions
        signals += window_signals
        if document.turns:
            said.update(turn_signals(document, doc, offset))
        del doc
    _key_named_speakers(document.text, attributions, entities, mentions)
    document.sentences = sentences
    document.mentions = mentions
    document.entities = list(entities.values())
    if _has("cg_attributions"):
        document.attributions = attributions
    if _has("cg_signals"):
        document.signals = [*document.signals, *signals]
    # A transcript's speakers are structure, not found by the rules: each turn is attributed
    # (a turn cut by a window boundary gets no hedge or evidence signals).
    add_transcript_attributions(document, signals=said)
    return date_document(document)


def _key_named_speakers(
    text: str,
    attributions: list[Attribution],
    entities: dict[str, Entity],
    mentions: list[Mention],
) -> None:
    """Every named speaker is an entity of its document: one the recogniser missed gets its
    own, with a mention where the source names it, so the corpus merge joins it with the same
    name elsewhere (``claimgraph sources`` listed "Reuters" twice: the entity and the name)."""
    from claimgraph.annotate.entities import (
        acronym_of,
        entity_slug,
        is_personal_role,
        named_speaker_entity,
    )

    keyless = [
        a for a in attributions if a.speaker and not a.anonymous and a.speaker_entity_key is None
    ]
    # a person by what the article says of them: a role ("member of ... Commission Iskandar
    # Watut"), or "he"/"she" resolved to the name
    people = {
        a.speaker
        for a in keyless
        if is_personal_role(a.role)
        or (a.source_text or "").strip().lower() in ("he", "she", "him", "her")
    }
    added = False
    for attribution in keyless:
        name = attribution.speaker or ""
        if attribution.source_start is None or attribution.source_end is None:
            continue
        # as written, whatever its case ("the New York Times" for "The New York Times"), or
        # with a possessive between its words ("Trump's administration" for "Trump
        # administration")
        found = re.search(
            _written_name(name),
            text[attribution.source_start : attribution.source_end],
            re.IGNORECASE,
        )
        if found is None:
            continue  # a name not written in the source phrase: no mention to anchor it
        at, end = attribution.source_start + found.start(), attribution.source_start + found.end()
        entity = entities.get(entity_slug(name))
        if entity is None:
            entity = acronym_of(name, entities.values())
            if entity is not None and name not in entity.aliases:
                entity.aliases.append(name)  # so another document's "SEIU" finds the union
        if entity is None:
            entity = named_speaker_entity(name, person=name in people)
            entities[entity.key] = entity
        if not any(m.start == at and m.entity_key == entity.key for m in mentions):
            mentions.append(Mention(at, end, text[at:end], entity.type, entity.key))
            added = True
    # then every attribution of that name, those resolved from "it" or "the committee" too
    for attribution in keyless:
        name = attribution.speaker or ""
        entity = entities.get(entity_slug(name))
        if entity is None and (entity := acronym_of(name, entities.values())) is not None:
            attribution.speaker = entity.name  # "SEIU said": the union the article named
        if entity is not None:
            attribution.speaker_entity_key = entity.key
    if added:
        mentions.sort(key=lambda m: (m.start, m.end))


def _written_name(name: str) -> str:
    """A pattern for a speaker's name as a source phrase may write it: its words in order,
    each but the last allowed a possessive ("Trump's administration")."""
    words = [re.escape(w) for w in name.split()]
    return r"(?:['\u2019]s)?\s+".join(words) if words else re.escape(name)


def _has(extension: str) -> bool:
    return Doc.has_extension(extension)


def annotate_documents(
    documents: Iterable[Document],
    nlp: Language,
    *,
    batch_size: int = PARSE_BATCH,
    window_chars: int = DEFAULT_WINDOW_CHARS,
) -> Iterator[Document]:
    """Stream documents through the pipeline (batched `nlp.pipe`), in input order.

    Each document's language is detected first (claimgraph.annotate.language): only documents
    in the pipeline's language are parsed by it; the others are split into sentences by a
    language-neutral sentencizer and get no English-only annotations. A document longer than
    `window_chars` (capped at the pipeline's `max_length`) is parsed window by window, so no
    Doc ever holds more than that many characters, whatever the document's length."""
    from claimgraph.annotate.language import language_router

    router = language_router(nlp)
    yield from router.annotate(
        documents, nlp, fill_windows, batch_size=batch_size, window_chars=window_chars
    )
