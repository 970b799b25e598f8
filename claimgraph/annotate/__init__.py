"""Per-document annotation: one spaCy pass fills sentences, entities, attributions and signals.

Nothing here looks at another document, so any engine (a local loop, Ray workers) can run it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

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


def fill_document(document: Document, doc: Doc) -> Document:
    """Copy what the pipeline found on a spaCy Doc onto our plain Document."""
    document.sentences = sentences_of(doc)
    document.mentions = list(doc._.cg_mentions or [])
    document.entities = list((doc._.cg_entities or {}).values())
    if Doc.has_extension("cg_attributions"):
        document.attributions = list(doc._.cg_attributions or [])
    if Doc.has_extension("cg_signals"):
        document.signals = [*document.signals, *(doc._.cg_signals or [])]
    return document


def annotate_documents(
    documents: Iterable[Document], nlp: Language, *, batch_size: int = 16
) -> Iterator[Document]:
    """Stream documents through the pipeline (batched `nlp.pipe`), in input order."""
    pairs = ((d.text, d) for d in documents)
    for doc, document in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield fill_document(document, doc)
