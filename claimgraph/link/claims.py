"""Claims: the check-worthy assertions of a document, each tied to its exact span and source.

A claim is either an attribution's content (someone is reported to have said it) or a sentence
of the body that no attribution covers (the article says it in its own voice). Decisions, and
why:

- **One claim per sentence.** A multi-sentence quotation is split at the document's sentence
  boundaries. Matching and clustering compare propositions; a three-sentence quote embedded
  whole blurs its claims together, and a fact-checker checks one sentence at a time (as in
  ClaimBuster and CLEF CheckThat!). Each piece keeps the quote's attribution.
- **Nested attributions give one claim, from the nearest identified source.** "Fars reports:
  he reiterated that X" yields X on his word, via Fars, not a second copy of X on Fars's word.
  An inner relation whose source is neither a resolved entity nor an anonymous human source
  ("the presence of US forces shows that X", "this indicates that X") is an evidential phrase
  inside the outer claim, so the outer claim is kept instead. An outer claim that says more
  than its inner relation's frame (at least `MIN_WORDS` words outside it) is kept as well.
- **Scores.** A check-worthiness scorer (any object with ``score(texts) -> scores in [0, 1]``)
  scores every candidate of a document in one batch. Without one, `RuleScorer` is used and
  every claim says so in ``scored_by``; it does not pretend to judge check-worthiness, it keeps
  every declarative statement and ranks the specific (names, numbers) above the vague.
- **Stances are not claims.** A relation whose cue is a stance verb ("called for a probe",
  "are planning to leave": ``object_verbs`` in cues.yaml that are not verbs of saying) reports
  a position, not an assertion: it yields no claim, and it neither covers its sentence nor
  splits a claim around it.
- **Page furniture is never a claim** (`is_page_furniture`): a sign-up form, a gallery caption,
  an embed prompt or a "Write to X at ..." line the cleaner could not take because it sat
  inside a long line (data/checkable.yaml's furniture_sentences, and furniture.yaml's strict
  groups matched against the whole sentence). This holds for reported speech too: a form's
  "By signing up you agree to receive email newsletters" misread as a quotation is nobody's
  assertion.
- **Reported speech is always a claim.** An attribution's content is an assertion someone is on
  record for, which is exactly what a fact-checker traces, so every one is kept (its score still
  ranks it). Dropping some by a score learnt on debate transcripts would also bias the
  anonymous/hedged/evidence shares narratives report.
- **Every checkable own-voice sentence is a claim; the score ranks, it does not decide.** A
  sentence no attribution claims (none touches it, or the ones that do yield no claim: a
  stance, a content under `MIN_WORDS` words) is a claim when `checkable` says so: at least
  `MIN_WORDS` words, not a heading, byline or post signature (no closing punctuation and every
  content word capitalised: "Editorial Board, New York Times"), not a question unless it
  carries a figure ("Fifteen million new jobs?"
  repeats a number someone can check), not filler (data/checkable.yaml: "Thank you, Senator.",
  "Let's talk about issues."). Until issue 16 a 0.5 check-worthiness threshold decided: on
  CheckThat! 2019 debates it dropped most of the missed check-worthy sentences (208 of 243),
  statements a user would search for. The rules were chosen on the CheckThat! 2019 training
  labels (eval/claim_coverage.py; a finite-verb test would need the parse the claim stage does
  not keep and cost recall on "Thousands of jobs leaving Michigan."); the gold sample is a
  regression test only. Only candidates that pass are scored, so the encoder embeds no
  fragment, question or greeting. Pass `threshold` to drop own-voice claims below a score
  (the old behaviour).
- **Dates** (``date``, ``date_precision``) are left None here: the timeline stage fills them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from claimgraph.model import Attribution, Document, fold_quotes, normalise_text
from claimgraph.posts import POST_DATE, POST_HANDLE
from claimgraph.vocabulary import derived, load_vocabulary

# None: no score floor for own-voice claims (checkability decides, the score ranks); a float
# restores the old behaviour of dropping own-voice sentences scored below it.
DEFAULT_THRESHOLD: float | None = None
MIN_WORDS = 4  # fewer words cannot say who did what: a heading, a fragment, an aside
RULE_SCORER_NAME = "rule-specificity-v1"

# Signal types (claimgraph.annotate.signals) that make a claim's footing worth a second look.
HEDGED = "hedged"
EVIDENCE_NOT_SHOWN = "evidence_promised_not_shown"

_WORD = re.compile(r"[^\W_]+(?:['\u2019.-][^\W_]+)*")
_EDGE = " \t\r\n\u00a0\"'\u2018\u2019\u201c\u201d\u201e\u00ab\u00bb,;:-\u2013\u2014"
_NUMBER = re.compile(r"\d")
_QUOTE_MARKS = frozenset("\"'\u2018\u2019\u201c\u201d\u201e\u00ab\u00bb")
# A figure someone can look up: a digit, a number word or a share.
_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half"
    r"|twice|double|triple|percent|per cent)\b",
    re.IGNORECASE,
)
# A line that is only an embedded post's signature ("Donald J. Trump (@realDonaldTrump) May 9,
# 2018"): the post's source and date (claimgraph.annotate.attribution), no assertion.
_SIGNATURE = re.compile(rf"^\W*[^()\n]{{1,80}}{POST_HANDLE}\s*{POST_DATE}\W*$")
# "Kyle Smith, National Review": a name, a comma, an outlet; every word capitalised.
_BYLINE = re.compile(
    r"^[A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,4}, (?:the )?"
    r"[A-Z][\w.'\u2019&-]*(?: (?:of |the |and |for )?[A-Z][\w.'\u2019&-]*){0,6}$"
)
# A picture's credit: capitalised names joined by "/" ("Jake Nicol/The Wall Street Journal"),
# with no closing punctuation.
_CREDIT = re.compile(
    r"[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,4}"
    r"(?: ?/ ?[A-Z][\w.'&-]*(?: (?:of |the |and |for )?[A-Z][\w.'&-]*){0,6})+"
)
_SPACES = re.compile(r"\s+")
# Openers stripped before the filler test: "And thank you", "Well, let's talk".
_OPENERS = re.compile(r"^(?:[\W_]+|(?:and|so|well|but|oh|now|look)\b[\s,]*)+", re.IGNORECASE)


@derived
def stance_verbs() -> frozenset[str]:
    """Lemmas of cues.yaml's stance verbs (object_verbs that are not verbs of saying)."""
    data = load_vocabulary("cues")
    saying = {
        str(w).lower()
        for key in ("speech_verbs", "cognition_verbs", "evidential_verbs")
        for w in data.get(key) or []
    }
    return frozenset(str(k).lower() for k in data.get("object_verbs") or {}) - saying


@derived
def _filler_pattern() -> re.Pattern[str]:
    """data/checkable.yaml's filler openings as one whole-word pattern anchored at the start."""
    phrases = [str(p).lower() for p in load_vocabulary("checkable").get("filler_openings") or []]
    if not phrases:
        return re.compile(r"(?!)")  # matches nothing
    alternatives = "|".join(
        re.escape(p).replace("'", "['\u2019]") for p in sorted(phrases, key=len, reverse=True)
    )
    return re.compile(rf"(?:{alternatives})(?![\w'\u2019-])")


@derived
def _furniture_sentence() -> re.Pattern[str]:
    """data/checkable.yaml's furniture_sentences as one pattern, searched in a sentence."""
    patterns = [str(p) for p in load_vocabulary("checkable").get("furniture_sentences") or []]
    if not patterns:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@derived
def _furniture_lines() -> tuple[int, tuple[re.Pattern[str], ...]]:
    """data/furniture.yaml's strict groups (furniture wherever it stands) and its word limit."""
    from claimgraph.ingest.vocab import default_vocabulary  # the cleaner's compiled patterns

    vocab = default_vocabulary()
    return vocab.furniture_max_words, tuple(g.pattern for g in vocab.furniture if g.strict)


def is_page_furniture(text: str) -> bool:
    """Whether a sentence is text the site prints around articles, not the article's.

    Why here as well as in the cleaner: the cleaner judges whole lines and never takes a line
    over furniture.yaml's max_words, so a page read as one long line keeps its sign-up form
    ("... Zimbabwe Please enter a valid email address."), its gallery captions ("Hide Caption
    17 of 22 Photos: ...") and its "Write to X at x@wsj.com" inside the body. A sentence is
    furniture when it holds one of data/checkable.yaml's furniture_sentences or is, whole, a
    line furniture.yaml's strict groups remove wherever it stands, or a picture's credit
    ("Jake Nicol/The Wall Street Journal").
    """
    folded = _SPACES.sub(" ", fold_quotes(text)).strip()
    if _furniture_sentence().search(folded) or _CREDIT.fullmatch(folded.strip(_EDGE)):
        return True
    max_words, patterns = _furniture_lines()
    if len(folded.split()) > max_words:
        return False
    line = folded.rstrip(" *:")
    return any(p.fullmatch(line) for p in patterns)


def is_question(text: str) -> bool:
    """Whether the sentence ends with a question mark (closing quotes and brackets aside)."""
    return text.rstrip(_EDGE + ".)]").endswith("?")


def is_heading(text: str) -> bool:
    """A shouted heading or a byline, not a statement: no closing punctuation, and either no
    lower-case letter at all ("CORONAVIRUS: WHAT TO KNOW") or a name, a comma and a title-case
    outlet ("Editorial Board, New York Times"). A title-case headline ("ISIS Commanders
    Evacuated By US Helicopters") says something and stays."""
    stripped = text.strip(_EDGE)
    if not stripped or stripped[-1] in ".!?\u2026":
        return False
    if not any(ch.islower() for ch in stripped):
        return any(ch.isalpha() for ch in stripped)
    return _BYLINE.match(stripped) is not None


def checkable(text: str) -> bool:
    """Whether a sentence asserts something a fact-checker could check (module doc).

    Cheap on purpose: it runs before the scorer so fragments, bare questions and filler are
    never embedded; a sentence with a figure is never filler.
    """
    if _word_count(text) < MIN_WORDS or _SIGNATURE.match(text) or is_heading(text):
        return False
    if is_page_furniture(text):
        return False  # furniture with a figure ("Hide Caption 3 of 12") is still furniture
    has_figure = bool(_FIGURE.search(text))
    if is_question(text):
        return has_figure
    if has_figure:
        return True
    opening = _OPENERS.sub("", text.lower(), count=1)
    return _filler_pattern().match(opening) is None


def lemma_forms(word: str) -> set[str]:
    """Candidate lemmas of an inflected English verb ("planning" -> "plan", "hoped" -> "hope")."""
    forms = {word}
    for suffix in ("ing", "ed", "es", "s", "d"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            forms.update({stem, stem + "e"})
            if len(stem) > 2 and stem[-1] == stem[-2]:
                forms.add(stem[:-1])  # planned, planning
            if suffix in ("ed", "es") and stem.endswith("i"):
                forms.add(stem[:-1] + "y")  # denied, denies
    return forms


def is_stance(attribution: Attribution) -> bool:
    """Whether the relation's cue is a stance verb: it reports a position, not a claim."""
    words = re.findall(r"[a-z]+", (attribution.cue or "").lower())
    verbs = stance_verbs()
    return any(lemma_forms(w) & verbs for w in words)


class Scorer(Protocol):
    """What `extract_claims` needs from a check-worthiness scorer."""

    def score(self, texts: Sequence[str]) -> Sequence[float]: ...


@dataclass(frozen=True, slots=True)
class RuleScorer:
    """The fallback when no trained scorer is given: a transparent rule, not a model.

    A text scores 0 when it cannot be a factual assertion (a question, or under `MIN_WORDS`
    words); otherwise 0.5, plus up to 0.5 for specifics a fact-checker can look up: numbers
    and capitalised words past the first (names, places, organisations). At the default
    threshold it keeps every declarative statement; the score only ranks them.
    """

    name: str = RULE_SCORER_NAME

    def score(self, texts: Sequence[str]) -> list[float]:
        return [_rule_score(t) for t in texts]


def _rule_score(text: str) -> float:
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS or is_question(text):
        return 0.0
    specifics = {w for w in words[1:] if w[:1].isupper() or _NUMBER.search(w)}
    return 0.5 + 0.25 * min(len(specifics), 2)


@dataclass(slots=True)
class Claim:
    """One check-worthy assertion, with the span it comes from and the word it rests on."""

    id: str  # stable: hash of document id + span
    document_id: str
    text: str
    start: int  # offsets into Document.text
    end: int
    attribution_index: int | None  # into Document.attributions; None = the article's own voice
    checkworthiness: float
    scored_by: str  # the scorer's name, or RULE_SCORER_NAME: results must say what made them
    date: str | None = None  # filled by the timeline stage
    date_precision: str | None = None
    anonymous: bool = False
    hedged: bool = False
    evidence_not_shown: bool = False
    speaker: str | None = None
    speaker_entity_key: str | None = None
    via: list[str] = field(default_factory=list)
    outlet: str | None = None
    # Other attributions with exactly this content ("A and B report that ..."), and every
    # signal type on the claim's footing (captive_confession, documented_study, ...).
    other_attribution_indices: list[int] = field(default_factory=list)
    signal_types: list[str] = field(default_factory=list)
    # The claim's sentence embedding, set by the claim stage (claimgraph.link.stage) where the
    # document is annotated, so the writer's narrative index never embeds it again.
    vector: Any = None
    # Who does what to whom, parsed from its text by the claim stage
    # (claimgraph.link.frames.Frame); None: not parsed (it names no entity, or was stored).
    frame: Any = None


def claim_id(document_id: str, start: int, end: int) -> str:
    """Stable id: the same span of the same document is the same claim on every run."""
    digest = hashlib.sha1(f"{document_id}:{start}:{end}".encode()).hexdigest()
    return f"claim_{digest[:16]}"


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    attribution: int | None
    others: list[int] = field(default_factory=list)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding spaces, clause punctuation and unpaired quotation marks.

    A quotation mark at an edge stays when the span itself opens or closes it (`marked
    "property of the US government"` keeps its closing mark); apostrophes are not pairs.
    """
    while True:
        before = (start, end)
        while start < end and text[start] in _EDGE and text[start] not in _QUOTE_MARKS:
            start += 1
        while end > start and text[end - 1] in _EDGE and text[end - 1] not in _QUOTE_MARKS:
            end -= 1
        if start < end and text[start] in _QUOTE_MARKS and not _closed(text[start:end]):
            start += 1
        if end > start and text[end - 1] in _QUOTE_MARKS and not _opened(text[start:end]):
            end -= 1
        if (start, end) == before:
            return start, end


def _closed(span: str) -> bool:
    """Whether the quotation mark opening `span` is closed inside it."""
    mark, rest = span[0], span[1:]
    if mark == '"':
        return rest.count('"') % 2 == 1
    return mark in "\u201c\u201e\u00ab" and any(q in rest for q in "\u201d\u00bb\u201c")


def _opened(span: str) -> bool:
    """Whether the quotation mark closing `span` was opened inside it."""
    mark, rest = span[-1], span[:-1]
    if mark == '"':
        return rest.count('"') % 2 == 1
    return any(q in rest for q in "\u201c\u201e\u00ab\u2018")


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _sentence_pieces(doc: Document, start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) at the document's sentence boundaries, trimmed, empties dropped."""
    bounds = [(s.start, s.end) for s in doc.sentences if s.start < end and s.end > start]
    if not bounds:
        bounds = [(start, end)]
    pieces = []
    for s_start, s_end in bounds:
        a, b = _trim(doc.text, max(start, s_start), min(end, s_end))
        if a < b:
            pieces.append((a, b))
    return pieces


def _identified(attribution: Attribution) -> bool:
    """A source that is someone: a resolved entity or an anonymous human source."""
    return attribution.anonymous or attribution.speaker_entity_key is not None


def _frame(attribution: Attribution) -> tuple[int, int]:
    """The whole relation: source, cue and content."""
    starts = [attribution.start]
    ends = [attribution.end]
    for s, e in (
        (attribution.source_start, attribution.source_end),
        (attribution.cue_start, attribution.cue_end),
    ):
        if s is not None and e is not None:
            starts.append(s)
            ends.append(e)
    return min(starts), max(ends)


def _says_more(doc: Document, outer: _Candidate, inner: Attribution) -> bool:
    """Whether the outer piece has at least MIN_WORDS words outside the inner relation."""
    f_start, f_end = _frame(inner)
    rest = doc.text[outer.start : max(outer.start, f_start)] + " " + doc.text[f_end : outer.end]
    return _word_count(rest) >= MIN_WORDS


def _attribution_candidates(doc: Document) -> list[_Candidate]:
    """Sentence pieces of attribution contents, with nested relations resolved (module doc)."""
    by_span: dict[tuple[int, int], _Candidate] = {}
    for index, attribution in enumerate(doc.attributions):
        if is_stance(attribution):
            continue
        for span in _sentence_pieces(doc, attribution.start, attribution.end):
            if _word_count(doc.text[span[0] : span[1]]) < MIN_WORDS:
                continue
            if span in by_span:
                held = by_span[span]
                current = doc.attributions[held.attribution]  # type: ignore[index]
                if _identified(attribution) and not _identified(current):
                    held.others.append(held.attribution)  # type: ignore[arg-type]
                    held.attribution = index
                else:
                    held.others.append(index)
            else:
                by_span[span] = _Candidate(span[0], span[1], index)
    candidates = list(by_span.values())
    dropped: set[int] = set()
    for i, outer in enumerate(candidates):
        for j, inner in enumerate(candidates):
            if i == j or not (outer.start <= inner.start and inner.end <= outer.end):
                continue
            inner_attr = doc.attributions[inner.attribution]  # type: ignore[index]
            if not _identified(inner_attr):
                dropped.add(j)
            elif not _says_more(doc, outer, inner_attr):
                dropped.add(i)
    return [c for k, c in enumerate(candidates) if k not in dropped]


_TERMINAL = frozenset(".!?\u2026\"'\u2019\u201d\u00bb)]:;")


def _cut_short(text: str, end: int, next_start: int) -> bool:
    """A sentence with no closing punctuation, continued in the same line by the next one: a
    fragment of a sentence the parser split ("Also in October, Spokesman of Iraq's Kata'ib")."""
    return text[end - 1 : end] not in _TERMINAL and "\n" not in text[end:next_start]


def _own_voice_candidates(doc: Document, claimed: list[_Candidate]) -> list[_Candidate]:
    """Checkable body sentences that no attribution claims.

    A sentence an attribution touches (source, cue or content) is left to it, unless that
    attribution yields no claim at all and no claim overlaps the sentence: "He said no." gives
    no reported claim (too short), so the sentence is judged in the article's own voice instead
    of vanishing; "Fars reported:" before a quoted paragraph stays the frame of its claims.
    """
    with_claims = {i for c in claimed for i in (c.attribution, *c.others)}
    frames = [(i, *_frame(a)) for i, a in enumerate(doc.attributions) if not is_stance(a)]
    out = []
    for k, sentence in enumerate(doc.sentences):
        following = doc.sentences[k + 1] if k + 1 < len(doc.sentences) else None
        if following is not None and _cut_short(doc.text, sentence.end, following.start):
            continue
        touching = {i for i, s, e in frames if s < sentence.end and sentence.start < e}
        if touching & with_claims or (
            touching and any(c.start < sentence.end and sentence.start < c.end for c in claimed)
        ):
            continue
        a, b = _trim(doc.text, _after_dateline(doc.text, sentence.start), sentence.end)
        if a < b and checkable(doc.text[a:b]):
            out.append(_Candidate(a, b, None))
    return out


def _after_dateline(text: str, start: int) -> int:
    """A sentence opening a line after its dateline ("WASHINGTON (AP) \u2014 The group ...")
    starts after it: the claim is what the wire said, not where it was filed. The ingest
    patterns are read lazily: importing ingest loads the page extractors."""
    from claimgraph.ingest.metadata import after_dateline
    from claimgraph.ingest.vocab import default_vocabulary

    return after_dateline(text, start, default_vocabulary())


def _signal_types(doc: Document, candidate: _Candidate) -> list[str]:
    """Signal types on the claim's footing: its attribution's, or own-voice sentence signals."""
    if candidate.attribution is not None:
        types = {s.type for s in doc.attributions[candidate.attribution].signals}
        for other in candidate.others:
            types.update(s.type for s in doc.attributions[other].signals)
    else:
        types = {
            s.type
            for s in doc.signals
            if s.scope == "sentence"
            and s.start is not None
            and s.end is not None
            and candidate.start <= s.start
            and s.end <= candidate.end
        }
    return sorted(types)


def _candidates(doc: Document) -> list[_Candidate]:
    """Every span of `doc` that may become a claim, in text order (module doc)."""
    reported = [
        c
        for c in _attribution_candidates(doc)
        if _rule_score(doc.text[c.start : c.end]) > 0
        and not is_page_furniture(doc.text[c.start : c.end])
    ]
    ordered = sorted(
        reported + _own_voice_candidates(doc, reported),
        key=lambda c: (c.start, c.end, c.attribution is None),
    )
    # A page that prints a passage twice (a wire story's lead repeated under its dateline)
    # tells it once: the later copy is no second telling, in a narrative or a trace.
    seen: set[tuple[str, str | None]] = set()
    kept = []
    for c in ordered:
        said_by = None if c.attribution is None else doc.attributions[c.attribution].speaker
        key = (" ".join(normalise_text(doc.text[c.start : c.end]).casefold().split()), said_by)
        if key not in seen:
            seen.add(key)
            kept.append(c)
    return kept


def extract_claims(
    doc: Document, scorer: Scorer | None = None, *, threshold: float | None = DEFAULT_THRESHOLD
) -> list[Claim]:
    """The document's claims in text order; see the module docstring for what is kept and why.

    Only the candidates are scored (one batch): sentences that fail `checkable` never reach
    the scorer, nor its encoder.
    """
    return extract_claims_batch([doc], scorer, threshold=threshold)[0]


def extract_claims_batch(
    docs: Sequence[Document],
    scorer: Scorer | None = None,
    *,
    threshold: float | None = DEFAULT_THRESHOLD,
) -> list[list[Claim]]:
    """`extract_claims` for several documents with ONE scorer call over all their candidates.

    Why: the trained scorer embeds each candidate with a transformer, which runs several times
    faster on one large batch (sorted by length, little padding) than on one document's few
    sentences at a time. Each document's claims are exactly what `extract_claims` gives it.
    """
    found = [_candidates(doc) for doc in docs]
    texts = [
        doc.text[c.start : c.end] for doc, cands in zip(docs, found, strict=True) for c in cands
    ]
    active: Scorer = scorer if scorer is not None else RuleScorer()
    scored_by = str(getattr(active, "name", type(active).__name__))
    scores = [float(s) for s in active.score(texts)] if texts else []
    if len(scores) != len(texts):
        raise ValueError(f"scorer {scored_by!r} returned {len(scores)} scores for {len(texts)}")
    out: list[list[Claim]] = []
    at = 0
    for doc, cands in zip(docs, found, strict=True):
        out.append(
            _build(
                doc,
                cands,
                texts[at : at + len(cands)],
                scores[at : at + len(cands)],
                scored_by,
                threshold,
            )  # fmt: skip
        )
        at += len(cands)
    return out


def _build(
    doc: Document,
    candidates: list[_Candidate],
    texts: list[str],
    scores: list[float],
    scored_by: str,
    threshold: float | None,
) -> list[Claim]:
    """The claims of one document from its scored candidates."""
    claims = []
    for candidate, text, score in zip(candidates, texts, scores, strict=True):
        signals = _signal_types(doc, candidate)
        attribution = (
            None if candidate.attribution is None else doc.attributions[candidate.attribution]
        )
        anonymous = bool(attribution and attribution.anonymous)
        hedged = HEDGED in signals
        not_shown = EVIDENCE_NOT_SHOWN in signals
        if attribution is None and threshold is not None and score < threshold:
            continue
        claims.append(
            Claim(
                id=claim_id(doc.id, candidate.start, candidate.end),
                document_id=doc.id,
                text=text,
                start=candidate.start,
                end=candidate.end,
                attribution_index=candidate.attribution,
                checkworthiness=score,
                scored_by=scored_by,
                anonymous=anonymous,
                hedged=hedged,
                evidence_not_shown=not_shown,
                speaker=attribution.speaker if attribution else None,
                speaker_entity_key=attribution.speaker_entity_key if attribution else None,
                via=list(attribution.via) if attribution else [],
                outlet=doc.outlet,
                other_attribution_indices=sorted(candidate.others),
                signal_types=signals,
            )
        )
    return claims
