"""Full-text search over sentences, stemmed: "airdrop" also finds "airdropped"/"airdropping".

The sentence index (FTS5 on SQLite, tsvector with the `simple` configuration on PostgreSQL) is
the store's and does not stem; so each bare word of the query becomes the prefix query of its
Snowball stem (PyStemmer) on both, and inflections match without rebuilding the index.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import Stemmer

from claimgraph.store.read.common import ReadBase

# A quoted phrase, a parenthesis, or a run of anything else that is not a space.
TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
OPERATORS = {"AND", "OR", "NOT", "NEAR"}
MIN_STEM = 3  # shorter stems as prefixes would match too much ("a*")
# Semantic hits below this cosine similarity are not shown (the list used to be always full).
SEMANTIC_FLOOR = 0.35


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stem_query(query: str) -> str:
    """The query with each bare word (letters only, not an operator, not in a phrase, not
    already a prefix) replaced by `stem*`; everything else is kept as the user wrote it."""
    out = []
    for token in TOKEN.findall(query):
        if token in OPERATORS or not token.isalpha() or not token.isascii():
            out.append(token)
            continue
        stem = _stemmer().stemWord(token.lower())
        out.append(f"{stem}*" if len(stem) >= MIN_STEM else token)
    return " ".join(out)


class SearchRead(ReadBase):
    """Sentence search for the app and the CLI."""

    def search_text(self, q: str, limit: int = 20, stem: bool = True) -> list[dict[str, Any]]:
        """Full text over sentences (FTS syntax; SearchSyntaxError on a malformed query)."""
        query = stem_query(q) if stem else q
        hits = self.store.search_sentences(query, limit=limit)
        return [
            {
                "sentence_id": h["id"],
                "document_id": h["document_id"],
                "document_title": h["title"],
                "snippet": h["snippet"],
                "text": h["text"],
                "href": f"/documents/{h['document_id']}#s-{h['id']}",
            }
            for h in hits
        ]
