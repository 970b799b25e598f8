"""Signals a reader should notice: hedges, evidence promised but not shown, confessions of
captives, documented studies, and generalisations passed off as common knowledge.

claimgraph never judges truth; a signal only points at the words that deserve a second look.
Attribution signals (scope ``attribution``) belong to one relation and ride on its
``signals`` list; sentence signals (scope ``sentence``) are in the article's own voice and go
to ``doc._.cg_signals``. Every word list is data: hedges.yaml, evidence.yaml and
generalisations.yaml in claimgraph/data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from claimgraph.annotate.doctext import doc_text
from claimgraph.model import Attribution, Signal, fold_quotes
from claimgraph.vocabulary import derived, load_vocabulary

# How far after a claim a "did not provide more details" still speaks about it.
_FOLLOW_UP_CHARS = 400


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive, whole-word pattern for a phrase list (spaces match any run)."""
    parts = sorted({str(p).strip() for p in phrases if str(p).strip()}, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in parts) or r"(?!)"
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _lower_set(values: Iterable[object] | None) -> frozenset[str]:
    return frozenset(str(v).lower() for v in values or [])


@dataclass(frozen=True, slots=True)
class SignalVocabulary:
    hedge_cues: frozenset[str]
    hedges: re.Pattern[str]
    evidence_nouns: frozenset[str]
    evidence_verbs: frozenset[str]
    shown_verbs: frozenset[str]
    not_provided: re.Pattern[str]
    captive_words: frozenset[str]
    confession_verbs: frozenset[str]
    study_nouns: frozenset[str]
    study_org_words: frozenset[str]
    study_verbs: frozenset[str]
    generalisations: re.Pattern[str]


@derived
def signal_vocabulary() -> SignalVocabulary:
    """hedges.yaml, evidence.yaml and generalisations.yaml, compiled once."""
    hedges = load_vocabulary("hedges")
    evidence = load_vocabulary("evidence")
    promised = evidence.get("promised", {}) or {}
    captive = evidence.get("captive", {}) or {}
    study = evidence.get("study", {}) or {}
    return SignalVocabulary(
        hedge_cues=_lower_set(hedges.get("cue_lemmas")),
        hedges=_phrase_pattern([*(hedges.get("words") or []), *(hedges.get("phrases") or [])]),
        evidence_nouns=_lower_set(promised.get("nouns")),
        evidence_verbs=_lower_set(promised.get("verbs")),
        shown_verbs=_lower_set(evidence.get("shown_verbs")),
        not_provided=_phrase_pattern(evidence.get("not_provided") or []),
        captive_words=_lower_set(captive.get("words")),
        confession_verbs=_lower_set(captive.get("confession_verbs")),
        study_nouns=_lower_set(study.get("nouns")),
        study_org_words=_lower_set(study.get("organisation_words")),
        study_verbs=_lower_set(study.get("verbs")),
        generalisations=_phrase_pattern(load_vocabulary("generalisations").get("phrases") or []),
    )


@dataclass(frozen=True, slots=True)
class Text:
    """A document's text and its quote-folded twin (same length), read once per document:
    spaCy rebuilds Doc.text on every access."""

    raw: str
    folded: str

    @classmethod
    def of(cls, doc: Doc) -> Text:
        raw = doc_text(doc)
        return cls(raw, fold_quotes(raw))


def _span(doc: Doc, start: int, end: int) -> Span | None:
    return doc.char_span(start, end, alignment_mode="expand")


def _token_signal(kind: str, token: Token, scope: str, detail: str | None = None) -> Signal:
    return Signal(kind, token.text, token.idx, token.idx + len(token), scope=scope, detail=detail)


def _matches(pattern: re.Pattern[str], text: Text, start: int, end: int) -> list[tuple[int, int]]:
    """Matches of a phrase pattern in text[start:end], as absolute offsets."""
    return [(m.start(), m.end()) for m in pattern.finditer(text.folded, start, end)]


# ---------------------------------------------------------------------------------------------
# Attribution signals


def _hedges(
    doc: Doc, text: Text, attribution: Attribution, vocab: SignalVocabulary
) -> list[Signal]:
    found: list[Signal] = []
    if attribution.cue_start is not None and attribution.cue_end is not None:
        cue = _span(doc, attribution.cue_start, attribution.cue_end)
        if cue is not None and any(t.lemma_.lower() in vocab.hedge_cues for t in cue):
            found.append(
                Signal(
                    "hedged",
                    attribution.cue or cue.text,
                    attribution.cue_start,
                    attribution.cue_end,
                    scope="attribution",
                    detail="reporting verb keeps its distance",
                )
            )
    regions = [(attribution.start, attribution.end)]
    if attribution.source_start is not None and attribution.cue_end is not None:
        regions.append(
            (
                min(attribution.source_start, attribution.cue_start or attribution.source_start),
                max(attribution.source_end or 0, attribution.cue_end),
            )
        )
    for start, end in regions:
        for a, b in _matches(vocab.hedges, text, start, end):
            found.append(Signal("hedged", text.raw[a:b], a, b, scope="attribution"))
    return found


def _shown(token: Token, vocab: SignalVocabulary) -> bool:
    """'released a video', 'the footage was published': the evidence is out."""
    return any(
        t.lemma_.lower() in vocab.shown_verbs
        for t in (token.head, token.head.head)
        if t.pos_ == "VERB"
    )


def _follow_up(text: Text, after: int, vocab: SignalVocabulary) -> tuple[int, int] | None:
    """'He did not provide more details' within the next sentence or two."""
    window = min(len(text.raw), after + _FOLLOW_UP_CHARS)
    found = _matches(vocab.not_provided, text, after, window)
    return found[0] if found else None


def _evidence(
    text: Text, attribution: Attribution, content: Span, vocab: SignalVocabulary
) -> list[Signal]:
    for token in content:
        lemma = token.lemma_.lower()
        promised = (token.pos_ in ("NOUN", "PROPN") and lemma in vocab.evidence_nouns) or (
            token.pos_ == "VERB" and lemma in vocab.evidence_verbs
        )
        if not promised or _shown(token, vocab):
            continue
        detail = "the article does not show it"
        follow = _follow_up(text, attribution.end, vocab)
        if follow is not None:
            detail = f"the article adds: {text.raw[follow[0] : follow[1]]!r}"
        return [_token_signal("evidence_promised_not_shown", token, "attribution", detail)]
    return []


def _confession(text: Text, content: Span, vocab: SignalVocabulary) -> list[Signal]:
    """'the commanders captured in ... have confessed': a captive's confession."""
    for token in content:
        if token.pos_ != "VERB" or token.lemma_.lower() not in vocab.confession_verbs:
            continue
        # the confessing captives stand before the verb, in its clause
        captive = [
            t
            for t in token.subtree
            if t.i < token.i
            and (t.lemma_.lower() in vocab.captive_words or t.lower_ in vocab.captive_words)
        ]
        if captive:
            subjects = [c.left_edge.idx for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
            start = min([captive[0].idx, *subjects])
            end = token.idx + len(token)
            return [
                Signal("captive_confession", text.raw[start:end], start, end, scope="attribution")
            ]
    return []


def _study(doc: Doc, text: Text, attribution: Attribution, vocab: SignalVocabulary) -> list[Signal]:
    """A study, or a research organisation, that documented or found something."""
    if attribution.cue_start is None or attribution.source_start is None:
        return []
    cue = _span(doc, attribution.cue_start, attribution.cue_end or attribution.cue_start)
    if cue is None or not any(t.lemma_.lower() in vocab.study_verbs for t in cue):
        return []
    source = _span(
        doc, attribution.source_start, attribution.source_end or attribution.source_start
    )
    if source is None:
        return []
    speaker_words = set(re.findall(r"[a-z]+", (attribution.speaker or "").lower()))
    is_study = source.root.lemma_.lower() in vocab.study_nouns or bool(
        speaker_words & vocab.study_org_words
    )
    if not is_study or attribution.speaker is None:
        return []
    start, end = source.start_char, max(source.end_char, attribution.cue_end or 0)
    return [
        Signal(
            "documented_study",
            text.raw[start:end],
            start,
            end,
            scope="attribution",
            detail=f"by {attribution.speaker}",
        )
    ]


def attribution_signals(
    doc: Doc, attribution: Attribution, text: Text | None = None
) -> list[Signal]:
    """Signals that belong to one attribution relation (pass `text` when calling per
    attribution of one document, to read the document's text once)."""
    vocab = signal_vocabulary()
    text = text or Text.of(doc)
    content = _span(doc, attribution.start, attribution.end)
    signals = _hedges(doc, text, attribution, vocab)
    if content is not None:
        signals += _evidence(text, attribution, content, vocab)
        signals += _confession(text, content, vocab)
    signals += _study(doc, text, attribution, vocab)
    return signals


# ---------------------------------------------------------------------------------------------
# Sentence signals: the article's own voice


def find_signals(doc: Doc, attributions: Iterable[Attribution] = ()) -> list[Signal]:
    """Signals in the article's own voice: generalisations, hedges, details not given."""
    vocab = signal_vocabulary()
    text = Text.of(doc)
    reported = []
    for a in attributions:
        reported.append((a.start, a.end))
        if a.source_start is not None and a.cue_end is not None:
            reported.append((min(a.source_start, a.cue_start or a.source_start), a.cue_end))
    signals: list[Signal] = []
    raw, n = text.raw, len(text.raw)
    for a, b in _matches(vocab.generalisations, text, 0, n):
        sentence = _span(doc, a, b)
        detail = sentence.sent.text.strip() if sentence is not None else None
        signals.append(Signal("unsupported_generalisation", raw[a:b], a, b, "sentence", detail))
    for a, b in _matches(vocab.hedges, text, 0, n):
        if not any(s <= a and b <= e for s, e in reported):
            signals.append(
                Signal("hedged", raw[a:b], a, b, "sentence", "in the article's own voice")
            )
    for a, b in _matches(vocab.not_provided, text, 0, n):
        signals.append(Signal("details_not_provided", raw[a:b], a, b, "sentence"))
    signals.sort(key=lambda s: (s.start or 0, s.type))
    return signals


if not Doc.has_extension("cg_signals"):
    Doc.set_extension("cg_signals", default=None)


@Language.component(
    "claimgraph_signals", assigns=["doc._.cg_signals"], requires=["doc._.cg_attributions"]
)
def signals_component(doc: Doc) -> Doc:
    """spaCy component: ``doc._.cg_signals`` = ``find_signals(doc, doc._.cg_attributions)``."""
    attributions = doc._.cg_attributions if Doc.has_extension("cg_attributions") else None
    if attributions is None:  # an attribution stage that did not run finds no signals
        raise ValueError("claimgraph_signals needs claimgraph_attributions before it")
    doc._.cg_signals = find_signals(doc, attributions)
    return doc
