"""Long documents: parsed in windows with offsets into the full text, bounded by a size limit.

Why: one spaCy Doc costs about 3.5 KB per character, so a 1M-character document took 4 GB and
one over spaCy's max_length crashed the run (E088). The limits are lowered here to keep the
tests fast; the same code paths run at the defaults.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from claimgraph.annotate import (
    DEFAULT_WINDOW_CHARS,
    annotate_documents,
    text_windows,
    too_long,
)
from claimgraph.model import Document

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _sample_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]


def _long_text(copies: int) -> str:
    """The sample's articles, one after another, `copies` times: real paragraphs, long text."""
    return "\n\n".join(t.strip() for _ in range(copies) for t in _sample_texts())


def _check_offsets(doc: Document) -> None:
    text = doc.text
    assert doc.sentences
    for s in doc.sentences:
        assert s.text == text[s.start : s.end]
    for m in doc.mentions:
        assert m.text == text[m.start : m.end]
    starts = [s.start for s in doc.sentences]
    for a in doc.attributions:
        span = text[a.start : a.end]
        # A content split by its cue ("..., who he said were ...") is its pieces joined by " … ".
        pieces = a.content.split(" \u2026 ")
        assert span.startswith(pieces[0]) and span.endswith(pieces[-1]), (a.content, span)
        assert len(pieces) > 1 or a.content == span
        if a.cue is not None:
            assert a.cue == text[a.cue_start : a.cue_end]
            # The cue sits inside one stored sentence.
            assert any(s.start <= a.cue_start and a.cue_end <= s.end for s in doc.sentences)
        if a.source_text is not None and a.source_start is not None:
            assert a.source_text == text[a.source_start : a.source_end]
        for g in a.signals:
            if g.start is not None:
                assert g.text == text[g.start : g.end]
    for g in doc.signals:
        if g.start is not None:
            assert g.text == text[g.start : g.end]
    assert starts == sorted(starts)


def test_windows_cover_the_text_and_end_at_paragraph_breaks():
    text = _long_text(3)
    spans = list(text_windows(text, 4_000))
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a == b for (_, a), (b, _) in zip(spans, spans[1:], strict=False))
    assert all(0 < end - start <= 4_000 for start, end in spans)
    # Every cut but the last is right after a line break, nearly all after a paragraph break.
    cuts = [end for _, end in spans[:-1]]
    assert all(text[end - 1] == "\n" for end in cuts)
    assert sum(text[end - 2 : end] == "\n\n" for end in cuts) >= 0.8 * len(cuts)
    # Without line breaks: after a sentence end.
    prose = " ".join(["The minister said the talks would resume on Monday."] * 40)
    assert all(prose[end - 2 : end] == ". " for _, end in list(text_windows(prose, 300))[:-1])
    assert list(text_windows("short", 4_000)) == [(0, 5)]
    # No break at all: a hard cut, still covering everything.
    assert list(text_windows("x" * 25, 10)) == [(0, 10), (10, 20), (20, 25)]
    with pytest.raises(ValueError, match="window size"):
        list(text_windows("x", 0))


def test_long_document_parsed_in_windows_keeps_offsets_and_findings(nlp, sample_docs):
    copies = 10
    text = _long_text(copies)
    assert len(text) > 150_000
    window = 12_000
    assert len(list(text_windows(text, window))) >= 14
    doc = next(
        annotate_documents([Document(id="long", source="long.txt", text=text)], nlp,
                           window_chars=window)
    )  # fmt: skip
    _check_offsets(doc)
    # Windows end at paragraph breaks, so the attributions of each copy of each article are
    # found again: at least 90% of copies x what the articles parsed alone give.
    alone = Counter(a.content for d in sample_docs.values() for a in d.attributions)
    found = Counter(a.content for a in doc.attributions)
    expected = sum(n * copies for n in alone.values())
    matched = sum(min(found[c], n * copies) for c, n in alone.items())
    assert matched >= 0.9 * expected, (matched, expected)
    # Entities are per document: one entity per key, however many windows mention it.
    keys = [e.key for e in doc.entities]
    assert len(keys) == len(set(keys))
    assert {m.entity_key for m in doc.mentions} <= set(keys)
    fars = [m for m in doc.mentions if m.entity_key == "fars-news-agency"]
    assert (
        len(fars)
        >= copies
        * sum(
            1
            for d in sample_docs.values()
            for m in d.mentions
            if m.entity_key == "fars-news-agency"
        )
        * 0.9
    )


def test_normal_articles_are_parsed_whole_exactly_as_before(nlp, sample_docs):
    """The default window is longer than any sample article, so nothing about them changes:
    parsing with a window far larger than the text gives the same document, field for field."""
    from claimgraph.ingest import read_paths
    from claimgraph.ingest.clean import clean_article

    cleaned = [clean_article(a) for a in read_paths([EXAMPLES])]
    docs = [d for d in cleaned if isinstance(d, Document)]
    assert max(len(d.text) for d in docs) < DEFAULT_WINDOW_CHARS
    whole = {Path(d.source).name: d for d in annotate_documents(docs, nlp, window_chars=10**6)}
    assert set(whole) == set(sample_docs)
    for name, doc in sample_docs.items():
        # Claims are the linking stage's, which other tests run on the shared sample documents.
        mine = {k: v for k, v in whole[name].to_dict().items() if k != "claims"}
        shared = {k: v for k, v in doc.to_dict().items() if k != "claims"}
        assert mine == shared, name


def test_document_over_the_limit_is_skipped_with_its_size_and_the_run_completes(nlp, tmp_path):
    from claimgraph.engine.local import analyze
    from claimgraph.store import Store

    folder = tmp_path / "in"
    folder.mkdir()
    small = _sample_texts()[0]
    (folder / "a_small.txt").write_text(small, encoding="utf-8")
    big = _long_text(2)
    (folder / "b_big.txt").write_text(big, encoding="utf-8")
    (folder / "c_small.txt").write_text(_sample_texts()[1], encoding="utf-8")
    limit = 20_000
    assert len(big) > limit > len(small)
    with Store(tmp_path / "x.db") as store:
        summary = analyze([folder], store, nlp, model_name="test", max_chars=limit)
        rows = {Path(r["source"]).name: r for r in store.query("SELECT * FROM inputs")}
        stored = store.query("SELECT source FROM documents")
    assert summary.documents_added == 2
    assert {Path(r["source"]).name for r in stored} == {"a_small.txt", "c_small.txt"}
    [skipped] = summary.skipped
    assert Path(skipped.source).name == "b_big.txt"
    assert (
        "20,000-character limit" in skipped.reason and "characters after cleaning" in skipped.reason
    )
    assert rows["b_big.txt"]["status"] == "skipped"
    assert "20,000" in rows["b_big.txt"]["reason"]
    assert rows["a_small.txt"]["status"] == "ok"


def test_too_long_names_the_size():
    doc = Document(id="d", source="s.txt", text="x" * 1_234)
    assert too_long(doc, 1_234) is None
    skipped = too_long(doc, 1_000)
    assert skipped is not None and skipped.source == "s.txt"
    assert "1,234 characters" in skipped.reason and "1,000-character limit" in skipped.reason


def test_document_longer_than_spacy_max_length_no_longer_crashes(nlp, tmp_path):
    """A document over spaCy's max_length raised E088 and lost the batch in flight (it was
    5M characters; lowered here so the test runs in seconds). Windows never exceed it."""
    from claimgraph.engine.local import analyze
    from claimgraph.store import Store

    text = _long_text(2)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_text(text, encoding="utf-8")
    (folder / "short.txt").write_text(_sample_texts()[2], encoding="utf-8")
    saved = nlp.max_length
    nlp.max_length = 15_000
    try:
        assert len(text) > nlp.max_length
        with pytest.raises(ValueError, match="E088"):  # what a whole-document parse does
            nlp(text)
        with Store(tmp_path / "x.db") as store:
            summary = analyze([folder], store, nlp, model_name="test")
            sentences = store.query("SELECT COUNT(*) AS n FROM sentences")[0]["n"]
    finally:
        nlp.max_length = saved
    assert summary.documents_added == 2 and not summary.skipped
    assert sentences > 100
