"""A Doc's text, built once per Doc.

spaCy's `Doc.text` joins every token's text, one Python Token object each, on every read: a
dozen functions reading it per document (and `_employer_outlet` once per candidate speaker)
cost about a sixth of claimgraph's annotation time on news (cProfile, 40 articles). Read it
through `doc_text` instead; the copy lives in `doc.user_data` (not written by DocBin unless
asked) and goes with the Doc.
"""

from __future__ import annotations

from spacy.tokens import Doc

_KEY = "claimgraph.text"


def doc_text(doc: Doc) -> str:
    """`doc.text`, read from the tokens the first time only (a Doc's text never changes)."""
    text = doc.user_data.get(_KEY)
    if text is None:
        text = doc.user_data[_KEY] = doc.text
    return text
