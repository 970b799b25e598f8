"""Per-document annotation: one spaCy pass fills sentences, entities, attributions and signals.

Nothing here looks at another document, so any engine (a local loop, Ray workers) can run it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from claimgraph.annotate.dates import DateMention, date_for_span, estimate_document_date, find_dates
from claimgraph.annotate.transcript import add_transcript_attributions
from claimgraph.model import Document, Sentence

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def sentences_of(doc: Doc) -> list[Sentence]:
    """spaCy sentences, trimmed, and never spanning a paragraph break."""
    out: list[Sentence] = []
    text = doc.text
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


def date_document(document: Document) -> Document:
    """Resolve in-text dates against the publication date (or an estimated range) and date
    each attribution by the date phrase of its own sentence, outside what was said."""
    if document.date:
        document.date_earliest = document.date_latest = document.date
        document.dates = find_dates(document.text, document.date)
    else:
        earliest, latest = estimate_document_date(document.text)
        if earliest or latest:
            document.date_earliest, document.date_latest = earliest, latest
            document.date_estimated = True
            document.dates = find_dates(
                document.text, earliest, anchor_latest=latest, estimated=True
            )
        else:
            document.dates = find_dates(document.text)
    starts = [s.start for s in document.sentences]
    for att in document.attributions:
        at = att.cue_start if att.cue_start is not None else att.start
        i = max(0, bisect.bisect_right(starts, at) - 1)
        if not document.sentences:
            break
        sent = document.sentences[i]
        outside = [m for m in document.dates if m.end <= att.start or m.start >= att.end]
        cue_end = att.cue_end if att.cue_end is not None else at
        att.date = reduced_iso(date_for_span(outside, at, cue_end, sent.start, sent.end))
    return document


def fill_document(document: Document, doc: Doc) -> Document:
    """Copy what the pipeline found on a spaCy Doc onto our plain Document."""
    document.sentences = sentences_of(doc)
    document.mentions = list(doc._.cg_mentions or [])
    document.entities = list((doc._.cg_entities or {}).values())
    if Doc.has_extension("cg_attributions"):
        document.attributions = list(doc._.cg_attributions or [])
    if Doc.has_extension("cg_signals"):
        document.signals = [*document.signals, *(doc._.cg_signals or [])]
    # A transcript's speakers are structure, not found by the rules: each turn is attributed.
    add_transcript_attributions(document, doc)
    return date_document(document)


def annotate_documents(
    documents: Iterable[Document], nlp: Language, *, batch_size: int = 16
) -> Iterator[Document]:
    """Stream documents through the pipeline (batched `nlp.pipe`), in input order.

    Each document's language is detected first (claimgraph.annotate.language): only documents
    in the pipeline's language are parsed by it; the others are split into sentences by a
    language-neutral sentencizer and get no English-only annotations."""
    from claimgraph.annotate.language import language_router

    router = language_router(nlp)
    yield from router.annotate(documents, nlp, fill_document, batch_size=batch_size)
