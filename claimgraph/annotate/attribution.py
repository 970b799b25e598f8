"""Attribution relations: who says what, in which words.

A relation has three spans, as in PolNeAR: the source (who), the cue (the reporting words)
and the content (what is reported). They are found with general patterns of English news
attribution over a spaCy parse:

- a reporting verb governing a clause ("X said that ...", "X claimed to have seen ..."),
- a reporting verb next to a quotation ('"...," X said', 'X said on Wednesday: "..."'),
- a relay verb ("X quoted Y as saying ...": Y speaks, X is the channel),
- a source phrase ("according to X, ...").

The verbs, phrases and nouns come from ``claimgraph/data/cues.yaml``; this module holds no
vocabulary of its own. Speakers, roles, anonymity and sourcing chains are resolved in
``sourcing.py``; hedges and evidence signals in ``signals.py``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from claimgraph.annotate.doctext import doc_text
from claimgraph.annotate.signals import Text, attribution_signals
from claimgraph.annotate.sourcing import resolve_relations
from claimgraph.model import Attribution
from claimgraph.posts import POST_DATE, POST_HANDLE
from claimgraph.vocabulary import derived, in_effect, load_vocabulary, use_dirs, user_dirs

# Double quotation marks, opening or closing. Typographic closers also open quotes in
# sloppily typed text, so pairing is by alternation within a paragraph.
_DOUBLE_QUOTES = frozenset('"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033')
_CLAUSE_DEPS = frozenset({"ccomp", "parataxis"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
# Dependencies through which a verb inherits the subject of its governor ("..., saying").
_INHERIT_DEPS = frozenset({"advcl", "xcomp", "conj", "pcomp", "prep"})
_CLAUSE_MODIFIERS = frozenset({"prep", "npadvmod", "advmod", "dative", "dobj", "prt", "agent"})
_FLOATING = frozenset(
    {"both", "all", "each", "alone", "too", "also", "themselves", "himself", "herself"}
)
_FIRST_SECOND = frozenset({"i", "we", "you"})
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP"})
_TRIM_CHARS = " \t\r\n\u00a0.,;:-\u2013\u2014"
_MIN_DIRECT_COVER = 0.6
_COLON = re.compile(r"[ \t]*:[ \t]*")
_SPLIT = re.compile(r"[ \t]*[,:]?[ \t]*")
_SENTENCE_END = re.compile(r"[^.!?\n]*[.!?]")
_TAIL = re.compile(r"[ \t]*[.!?]?")


@dataclass(frozen=True, slots=True)
class Cues:
    """The cue vocabulary, split by how each cue finds its content."""

    clause_verbs: frozenset[str]
    speech_verbs: frozenset[str]
    cognition_verbs: frozenset[str]
    quotation_verbs: frozenset[str]  # (with document_verbs: cues only next to a quotation)
    infinitive_verbs: frozenset[str]
    phrasal: dict[str, frozenset[str]]
    relay_verbs: frozenset[str]
    object_verbs: dict[str, tuple[str, ...]]
    source_phrases: tuple[tuple[str, ...], ...]
    discourse_markers: frozenset[str] = frozenset()  # "that said": no source speaks
    # "the motion reads": verb -> the nouns besides documents' that may be its subject
    document_verbs: dict[str, frozenset[str]] = field(default_factory=dict)
    any_verb: frozenset[str] = frozenset()  # every lemma above: most tokens are none of them


@derived
def load_cues() -> Cues:
    """Read cues.yaml once; users extend the file, not this code."""
    data = load_vocabulary("cues")
    verbs = set()
    for key in ("speech_verbs", "cognition_verbs", "evidential_verbs"):
        verbs.update(w.lower() for w in data.get(key, []))
    cues = Cues(
        clause_verbs=frozenset(verbs),
        speech_verbs=frozenset(w.lower() for w in data.get("speech_verbs", [])),
        cognition_verbs=frozenset(w.lower() for w in data.get("cognition_verbs", [])),
        quotation_verbs=frozenset(w.lower() for w in data.get("quotation_only_verbs", [])),
        infinitive_verbs=frozenset(w.lower() for w in data.get("infinitive_content", [])),
        phrasal={k.lower(): frozenset(v) for k, v in (data.get("phrasal_verbs") or {}).items()},
        relay_verbs=frozenset(w.lower() for w in data.get("relay_verbs", [])),
        object_verbs={
            k.lower(): tuple(str(d).lower() for d in v)
            for k, v in (data.get("object_verbs") or {}).items()
        },
        source_phrases=tuple(
            tuple(p.lower().split()) for p in sorted(data.get("source_phrases", []), key=len)
        ),
        discourse_markers=frozenset(
            " ".join(str(p).lower().split()) for p in data.get("discourse_markers") or []
        ),
        document_verbs={
            str(k).lower(): frozenset(str(w).lower() for w in v or [])
            for k, v in (data.get("document_verbs") or {}).items()
        },
    )
    return replace(
        cues,
        quotation_verbs=cues.quotation_verbs | frozenset(cues.document_verbs),
        any_verb=cues.clause_verbs
        | cues.relay_verbs
        | cues.quotation_verbs
        | frozenset(cues.document_verbs)
        | frozenset(cues.object_verbs)
        | frozenset(cues.phrasal),
    )


@dataclass(slots=True)
class Relation:
    """A relation as found in the parse, before its speaker and chain are resolved.

    Spans are (start, end) character offsets into ``doc.text``; ``content`` may have several
    fragments (a quotation split by its cue). ``channel_root`` is the token of an outlet or
    person the statement was given to or relayed by ("told FNA", "Skypress quoted ...").
    """

    kind: str
    content: list[tuple[int, int]]
    cue: tuple[int, int]
    source: tuple[int, int] | None
    cue_token: int
    source_root: int | None = None
    channel_root: int | None = None
    # What found it: "verb", "phrase" ("according to"), "post" (an embedded post's signature),
    # "signed" (a quotation signed with a dash), "nominal" ("X's comments that"), "listed"
    # (a line of a list of outlets' words, "Newsweek: ...") or "model".
    rule: str = "verb"


# ---------------------------------------------------------------------------------------------
# Quotations


_PAIRS = ("''", "``")
_OPENERS = frozenset("\u201c\u201e\u00ab")
_CLOSERS = frozenset("\u201d\u00bb")


def _marks(line: str) -> Iterator[tuple[int, int, str]]:
    """Double quotation marks in a line as (start, end, kind), kind 'open' | 'close' |
    'straight'; two apostrophes or backticks ('' ``) count as one mark, as in wire copy."""
    i = 0
    while i < len(line):
        pair = line[i : i + 2]
        if pair in ("''", "``"):
            yield i, i + 2, "open" if pair == "``" else "straight"
            i += 2
            continue
        ch = line[i]
        if ch in _OPENERS:
            yield i, i + 1, "open"
        elif ch in _CLOSERS:
            yield i, i + 1, "close"
        elif ch in _DOUBLE_QUOTES:
            yield i, i + 1, "straight"
        i += 1


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Spans of double-quoted passages (outermost only), quote marks included; see
    ``_quote_regions``. Cached: the rules, the tagger's features and the signals all ask for
    the same text's regions."""
    return list(_quote_regions(text))


@functools.lru_cache(maxsize=8)
def _quote_regions(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of double-quoted passages (outermost only), quote marks included.

    Typographic quotes nest (a quotation may quote a name: "... members of the "Islamic
    State" organization"); straight quotes alternate. A closing mark with nothing open opens
    a quotation (sloppy typing). A quotation left open at the end of a line runs to the end
    of that line: the news convention for quotations spanning paragraphs.
    """
    regions: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        stack: list[tuple[str, int]] = []
        for start, end, kind in _marks(line):
            closes = stack and (
                (kind == "close" and stack[-1][0] != "straight")
                or (kind == "straight" and stack[-1][0] == "straight")
            )
            if closes:
                opened = stack.pop()[1]
                if not stack:
                    regions.append((pos + opened, pos + end))
            else:
                stack.append(("straight" if kind == "straight" else "open", start))
        if stack and line[stack[0][1] + 1 :].strip():
            regions.append((pos + stack[0][1], pos + len(line.rstrip())))
        pos += len(line) + 1
    return tuple(r for r in regions if r[1] - r[0] > 2)


def _quote_interior(text: str, region: tuple[int, int]) -> tuple[int, int]:
    """The quoted words without the marks and without a trailing comma inside them."""
    start, end = region
    while start < end and (text[start] in _DOUBLE_QUOTES or text[start : start + 2] in _PAIRS):
        start += 2 if text[start : start + 2] in _PAIRS else 1
    while end > start and (text[end - 1] in _DOUBLE_QUOTES or text[end - 2 : end] in _PAIRS):
        end -= 2 if text[end - 2 : end] in _PAIRS else 1
    while end > start and text[end - 1] in " ,\u00a0":
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


# ---------------------------------------------------------------------------------------------
# Spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding whitespace and clause punctuation, keeping quote marks."""
    while start < end and text[start] in _TRIM_CHARS:
        start += 1
    while end > start and text[end - 1] in _TRIM_CHARS:
        end -= 1
    return start, end


def _subtree_span(text: str, token: Token) -> tuple[int, int]:
    return _trim(text, token.left_edge.idx, token.right_edge.idx + len(token.right_edge))


def _strip_complementiser(text: str, head: Token, span: tuple[int, int]) -> tuple[int, int]:
    """Drop a leading 'that': the content is the clause itself. 'whether' and 'if' stay: "asked
    whether the tests were safe" reports a question, and without them the content would read
    as the assertion "the tests were safe"."""
    for child in head.children:
        if child.dep_ == "mark" and child.idx == span[0] and child.lower_ == "that":
            return _trim(text, child.idx + len(child), span[1])
    return span


def _chars_covered(span: tuple[int, int], regions: list[tuple[int, int]]) -> int:
    return sum(max(0, min(span[1], r[1]) - max(span[0], r[0])) for r in regions)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# ---------------------------------------------------------------------------------------------
# Cues


def _is_cue_verb(token: Token, cues: Cues) -> bool:
    lemma = token.lemma_.lower()
    if lemma not in cues.any_verb:
        return False
    verbal = token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB")
    # the tagger sometimes calls a verb a noun ("agencies report that ..."): trust the parse
    # when it gave the word a subject
    noun_as_verb = token.pos_ == "NOUN" and any(c.dep_ == "nsubj" for c in token.children)
    if not verbal and not noun_as_verb:
        return False
    if lemma in cues.phrasal:
        return any(c.dep_ == "prt" and c.lower_ in cues.phrasal[lemma] for c in token.children)
    if lemma in cues.document_verbs:
        return _document_subject(token, cues.document_verbs[lemma])
    return (
        lemma in cues.clause_verbs
        or lemma in cues.relay_verbs
        or lemma in cues.quotation_verbs
        or lemma in cues.object_verbs
    )


def _verb_subject(verb: Token) -> Token | None:
    """The verb's subject, active or passive, if the parse gave it one."""
    return next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)


def _document_subject(verb: Token, nouns: frozenset[str]) -> bool:
    """Whether a verb of a document's words ("reads") has a document for its subject ("the
    network's motion to dismiss", "the letter"), not a person ("she read the report")."""
    from claimgraph.annotate.sourcing import source_vocabulary

    subject = _verb_subject(verb)
    if subject is None or subject.pos_ != "NOUN":
        return False
    vocab = source_vocabulary()
    lemma = subject.lemma_.lower()
    return lemma in nouns or lemma in vocab.document_nouns or lemma in vocab.filed_documents


def _cue_span(token: Token) -> tuple[int, int]:
    """The reporting verb, with its particle ("pointed out")."""
    end = token.idx + len(token)
    for child in token.children:
        if child.dep_ == "prt" and child.i == token.i + 1:
            end = child.idx + len(child)
    return token.idx, end


def _subject(
    token: Token, cues: Cues | None = None, regions: Sequence[tuple[int, int]] = ()
) -> Token | None:
    """The subject of a cue verb; a participle ('..., saying') inherits its governor's.

    A participle the parser hung inside the reported clause or quotation ('He noted that X
    were flying ..., adding "..."') takes the subject of the cue verb above it instead.
    """
    current = token
    for _ in range(5):
        subjects = [c for c in current.children if c.dep_ in _SUBJECT_DEPS]
        subjects = [s for s in subjects if not _behind_colon(token, s)]
        if subjects:
            if current is not token and cues is not None:
                above = _governing_cue(current, cues, token, regions)
                if above is not None:
                    return _subject(above)
            if current is not token and _main_clause_participle(token, current):
                main = [c for c in current.head.children if c.dep_ in _SUBJECT_DEPS]
                if main:
                    return main[-1]
            return subjects[-1]
        if current is token and token.tag_ in _FINITE_TAGS:
            above = _coordinated_cue(token, cues, regions) if cues is not None else None
            return _subject(above) if above is not None else _stranded_subject(token)
        if current.dep_ not in _INHERIT_DEPS or current.head is current:
            return None
        current = current.head
        if current.pos_ not in ("VERB", "AUX", "ADP"):
            return None
    return None


def _coordinated_cue(cue: Token, cues: Cues, regions: Sequence[tuple[int, int]]) -> Token | None:
    """'X said that A were no closer ..., and reiterated he is ...': a cue verb the parser
    coordinated with the verb of another cue's object clause is coordinated with that cue
    (whose subject speaks), unless that verb reports speech itself ("... that officials
    denied it and claimed ...")."""
    verb = cue.head
    if cue.dep_ != "conj" or verb.dep_ != "ccomp" or _is_cue_verb(verb, cues):
        return None
    above = verb.head
    if above.i >= verb.i or not _is_cue_verb(above, cues):
        return None
    return above if _same_quotation(above, cue, regions) else None


def _main_clause_participle(participle: Token, verb: Token) -> bool:
    """'X championed the overhaul passed last year, saying ...': a participle after a comma
    that the parser hung on the verb of an object clause belongs to the main clause (whose
    subject speaks), not to that clause's subject ("the overhaul", "his wife")."""
    if participle.tag_ != "VBG" or verb.dep_ != "ccomp" or verb.head == verb:
        return False
    if participle.i == 0 or participle.doc[participle.i - 1].text != ",":
        return False
    main = verb.head
    # The main clause stands before the participle ("... was critical of X, saying on
    # Twitter, "Israel is ..."" parsed with the quotation as the main clause is left alone).
    return main.pos_ in ("VERB", "AUX") and participle.head == verb and main.i < participle.i


def _behind_colon(cue: Token, subject: Token) -> bool:
    """'It goes on to say: "sources said ..."': a subject after a colon or quote mark is
    the quotation's own, not the cue's."""
    if subject.i < cue.i:
        return False
    between = cue.doc[cue.i + 1 : subject.i]
    return any(t.text == ":" or t.text in _DOUBLE_QUOTES or t.text in _PAIRS for t in between)


def _stranded_subject(token: Token) -> Token | None:
    """A finite cue the parser left without a subject ('after Commander of X affiliated to Y
    said ...'): take a true coordination's subject, else the last subject between the
    cue and its governor."""
    governor = token.head
    if governor is token:
        return None
    lo, hi = sorted((governor.i, token.i))
    doc = token.doc
    if token.dep_ == "conj" and any(doc[i].dep_ == "cc" for i in range(lo + 1, hi)):
        return next((c for c in reversed(list(governor.children)) if c.dep_ in _SUBJECT_DEPS), None)
    stranded = [
        doc[i]
        for i in range(lo + 1, hi)
        if doc[i].dep_ in ("nsubj", "nsubjpass") and lo < doc[i].head.i < hi
    ]
    return stranded[-1] if stranded else None


def _governing_cue(
    verb: Token, cues: Cues, cue: Token, regions: Sequence[tuple[int, int]]
) -> Token | None:
    """The cue verb a participle really belongs to, when the parser attached it to a verb
    inside a reported clause or inside a quotation the participle is not part of."""
    current = verb
    while current.dep_ in ("ccomp", "conj") and current.head is not current:
        current = current.head
        if _is_cue_verb(current, cues) and _same_quotation(current, cue, regions):
            return current
    if _in_regions(verb.idx, regions) and not _in_regions(cue.idx, regions):
        before = [
            t
            for t in verb.subtree
            if t.i < cue.i and _is_cue_verb(t, cues) and not _in_regions(t.idx, regions)
        ]
        return before[-1] if before else None
    return None


def _in_regions(position: int, regions: Sequence[tuple[int, int]]) -> bool:
    return any(a <= position < b for a, b in regions)


def _same_quotation(a: Token, b: Token, regions: Sequence[tuple[int, int]]) -> bool:
    """Both outside quotations, or both inside the same one."""
    return [r for r in regions if r[0] <= a.idx < r[1]] == [
        r for r in regions if r[0] <= b.idx < r[1]
    ]


def _source_span(text: str, subject: Token, avoid: list[tuple[int, int]]) -> tuple[int, int]:
    """The subject's phrase: all subjects of its verb (a name and its title may both hang
    there), cut where it would run into the cue or content."""
    verb = subject.head
    subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS]
    same_side = [s for s in subjects if (s.i < verb.i) == (subject.i < verb.i)]
    if subject.dep_ not in _SUBJECT_DEPS:
        same_side = [subject]
    start = min(s.left_edge.idx for s in same_side)
    end = max(_phrase_end(s) for s in same_side)
    for a, b in avoid:
        if a <= subject.idx < b:
            continue
        if a < end and b > start:
            if a > subject.idx:
                end = min(end, a)
            elif b <= subject.idx:
                start = max(start, b)
    # ("Business Insider: Fauci dismisses ...": a label before a colon is no part of it)
    colon = text.rfind(": ", start, subject.idx)
    if colon >= 0:
        start = colon + 2
    return _trim(text, start, end)


def _phrase_end(head: Token) -> int:
    """Where a source phrase ends: before a relative clause set off by a comma (", who has
    long argued ...") and before a floating quantifier ("X and Y both")."""
    end = head.idx + len(head)
    for child in head.rights:
        if child.lower_ in _FLOATING:
            break
        if (
            child.dep_ == "relcl"
            and child.left_edge.i > 0
            and child.doc[child.left_edge.i - 1].text == ","
        ):
            break
        end = max(end, child.right_edge.idx + len(child.right_edge))
    return end


def _clause_start(token: Token) -> int:
    """Where a cue's own clause starts: at its subject when that stands before it in its
    sentence ("Mr. Obama said"), else at the cue."""
    subject = _subject(token)
    if subject is not None and subject.i < token.i and subject.sent == token.sent:
        return min(token.idx, subject.left_edge.idx)
    return token.idx


def _adjacent_quote(
    text: str, token: Token, regions: list[tuple[int, int]], used: set[tuple[int, int]]
) -> tuple[int, int] | None:
    """A quotation right before the cue's clause, or right after the cue (', adding "...').

    Only spaces, commas, colons and dashes may stand between; the cue's own clause (its
    subject, time and place phrases) may stand between the cue and a preceding quote.
    """
    clause_start = _clause_start(token)
    # after: the cue, then its right-hand non-clausal modifiers, then ':' or ',' then quote
    after_end = token.idx + len(token)
    for child in token.rights:
        extent = (child.left_edge.idx, child.right_edge.idx + len(child.right_edge))
        if child.dep_ in _CLAUSE_MODIFIERS and not any(_overlaps(extent, r) for r in regions):
            after_end = max(after_end, extent[1])
    for region in regions:
        if region in used:
            continue
        gap_after = text[after_end : region[0]]
        if region[0] >= after_end and len(gap_after) <= 3 and not gap_after.strip(" ,:\u2014-"):
            return region
        gap_before = text[region[1] : clause_start]
        if region[1] <= clause_start and len(gap_before) <= 3 and not gap_before.strip(" ,"):
            return region
    return None


def _opening_piece(
    text: str,
    token: Token,
    first: tuple[int, int],
    regions: list[tuple[int, int]],
    used: set[tuple[int, int]],
) -> tuple[int, int] | None:
    """The first half of a quotation the cue interrupts ('"By locking in China," Mr. Obama
    said, "it now allowed me ..."'), when the content found is the half after the cue: a quote
    that ends on a comma right before the cue's clause."""
    if first[0] < token.idx:
        return None
    clause_start = _clause_start(token)
    for region in regions:
        if region in used or region[1] > clause_start or region == first:
            continue
        gap = text[region[1] : clause_start]
        inner = _quote_interior(text, region)
        if (
            len(gap) <= 3
            and not gap.strip(" ,")
            and text[inner[1] : region[1]].lstrip().startswith(",")
        ):
            return region
    return None


def _colon_paragraph(text: str, token: Token) -> tuple[int, int] | None:
    """'X reports: ...' with nothing else in the sentence: the content is the paragraph, or
    the quotation that opens right after the colon, up to its closing mark ('Franklin
    replied: 'A republic, if you can keep it.' Our responsibility is ...': what follows the
    quotation is the writer's, or the speaker quoting him)."""
    _, cue_end = _cue_span(token)
    m = _COLON.match(text, cue_end)
    if not m:
        return None
    start = m.end()
    para_end = text.find("\n", start)
    para_end = len(text) if para_end < 0 else para_end
    close = _quotation_close(text, start, para_end)
    span = _trim(text, start, close if close is not None else para_end)
    return span if span[1] > span[0] else None


# What closes a quotation that opens with each mark: a closing single mark must not stand
# between letters (an apostrophe: "Franklin's"), nor a straight one.
_CLOSING_AFTER = {
    "\u201c": re.compile("\u201d"),
    '"': re.compile('"'),
    "\u2018": re.compile("\u2019(?!\\w)"),
    "'": re.compile("(?<=[\\w.,!?])'(?!\\w)"),
}


def _quotation_close(text: str, start: int, end: int) -> int | None:
    """The end (after the mark) of a quotation opening at `start`, when it closes before
    `end` and something follows it there; else None."""
    close = _closing_mark(text, start, end)
    return close if close is not None and text[close:end].strip() else None


def _closing_mark(text: str, start: int, end: int) -> int | None:
    """Where the quotation that opens at `start` closes (after its mark), before `end`; None
    when no quotation opens there or it does not close."""
    closing = _CLOSING_AFTER.get(text[start : start + 1])
    m = closing.search(text, start + 1, end) if closing is not None else None
    return m.end() if m is not None else None


def _clausal_content(text: str, token: Token, cues: Cues) -> tuple[Token, tuple[int, int]] | None:
    """The clause a cue verb governs: right-hand complements first, else a preceding one."""
    lemma = token.lemma_.lower()
    deps = set(_CLAUSE_DEPS)
    if lemma in cues.infinitive_verbs:
        deps.add("xcomp")
    complements = [c for c in token.children if c.dep_ in deps]
    right = [c for c in complements if c.i > token.i]
    left = [c for c in complements if c.i < token.i]
    chosen = right or left
    if not chosen:
        return None
    head = chosen[0]
    start = min(c.left_edge.idx for c in chosen)
    end = max(c.right_edge.idx + len(c.right_edge) for c in chosen)
    span = _strip_complementiser(text, head, _close_quotation(text, _trim(text, start, end)))
    return (head, span) if span[1] > span[0] else None


# A straight single quotation mark opens after a space or a bracket and before a word ("an
# 'intentional act'"); between letters it is an apostrophe ("doesn't").
_SINGLE_OPENS = re.compile(r"(?:^|(?<=[\s(\[\u2014]))'(?=\w)")
_SINGLE_CLOSES = re.compile(r"(?<=[\w.,!?])'(?!\w)")


def _open_mark(inner: str) -> str | None:
    """The closing marks that may end a quotation a passage opens and does not close (a
    regex alternative): curly or straight, double, paired apostrophes (wire copy's ''...'') or
    single. Sloppy typing closes a curly double quotation with a single mark, too."""
    if inner.count("\u201c") + inner.count("\u201e") > inner.count("\u201d"):
        return "[\u201d\u2019\"']"
    paired = inner.count("''") + inner.count("``")
    if paired % 2 == 1:
        return "''"
    single = inner.replace("''", "").replace("``", "")
    if single.count('"') % 2 == 1:
        return '["\u201d]'
    if single.count("\u2018") > len(re.findall(r"\u2019(?!\w)", single)):
        return "[\u2019']"
    if len(_SINGLE_OPENS.findall(single)) > len(_SINGLE_CLOSES.findall(single)):
        return "['\u2019]"
    return None


def _close_quotation(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """Keep the closing mark of a quotation the content opened (marked "property of X", an
    'intentional act.'): a content is never cut inside a quotation it started."""
    start, end = span
    closer = _open_mark(text[start:end])
    if closer is None:
        return span
    closing = re.match(rf"[.,!?]?(?:{closer})", text[end : end + 3])
    return (start, end + closing.end()) if closing else span


def _after_dateline(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A content opening a wire story's lead starts after its dateline ("WASHINGTON (AP) \u2014
    The economy grew ..., the department said"): the place and agency are not what was said.
    The ingest patterns are read lazily: importing ingest loads the page extractors."""
    from claimgraph.ingest.metadata import after_dateline
    from claimgraph.ingest.vocab import default_vocabulary

    start, end = span
    cut = after_dateline(text, start, default_vocabulary())
    return _trim(text, cut, end) if start < cut < end else span


def _interrupted_clause(text: str, token: Token, cues: Cues) -> tuple[int, int] | None:
    """'The nominee, he said, watched ...' / '..., police said.': a parenthetical cue the
    parser hung on the reported clause; the content is that clause around it."""
    opening = _opening_as_clause(text, token, cues)
    if opening is not None:
        return opening
    head = token.head
    if token.dep_ not in ("parataxis", "advcl") or head is token or _is_cue_verb(head, cues):
        return None
    doc = token.doc
    before = doc[token.left_edge.i - 1] if token.left_edge.i > 0 else None
    if before is None or before.text not in (",", "\u2014", "-"):
        return None
    end = head.right_edge.idx + len(head.right_edge)
    closing = (
        token.left_edge.i > head.i
        and any(c.dep_ == "nsubj" for c in token.children)
        and all(c.lower_ == "as" for c in token.children if c.dep_ == "mark")
        and not any(c.dep_ == "dobj" for c in token.children)
    )
    if closing and all(t.is_punct for t in doc[token.right_edge.i + 1 : head.right_edge.i + 1]):
        # a clause with its own speaker closes the sentence ("The economy grows, as the
        # minister said."): the content stops before it; a participle ("..., calling X Y")
        # or a clause of its own ("..., even though they disclosed X") is left as it was
        end = before.idx
    span = _trim(text, head.left_edge.idx, end)
    return span if span[1] - span[0] > len(token) + 10 else None


def _opening_as_clause(text: str, token: Token, cues: Cues) -> tuple[int, int] | None:
    """'As CBN News reported in 2019, the group's leaders admitted ...': a clause opening with
    "as" that names its speaker reports the main clause after its comma. Why a rule: the
    tagger finds this cue in some trainings and not in others. A verb with an object of its
    own says that ("As Clinton talked about bringing communities together, Trump ...")."""
    doc = token.doc
    if token.dep_ != "advcl" or not any(
        c.dep_ == "mark" and c.lower_ == "as" and c.i == token.left_edge.i for c in token.children
    ):
        return None
    if _object_content(text, token, cues) is not None:
        return None
    head, first, last = token.head, token.left_edge, token.right_edge
    if (
        head.i <= last.i
        or not first.is_sent_start
        and first.i > 0
        and not doc[first.i - 1].is_punct
    ):
        return None
    after = doc[last.i + 1] if last.i + 1 < len(doc) else None
    if after is None or after.text not in (",", "\u2014", "-"):
        return None
    span = _trim(text, after.idx + len(after), head.right_edge.idx + len(head.right_edge))
    return span if span[1] - span[0] > 10 else None


def _object_content(text: str, token: Token, cues: Cues) -> tuple[tuple[int, int], int] | None:
    """The noun phrase or infinitive a stance verb governs, and where its cue ends ("called
    for" takes its preposition)."""
    for slot in cues.object_verbs.get(token.lemma_.lower(), ()):
        if slot in ("dobj", "xcomp"):
            heads = [c for c in token.children if c.dep_ == slot and c.i > token.i]
            if not heads:
                continue
            # a complement after the object belongs with it: "called the move arbitrary"
            tail = [c for c in token.children if c.dep_ in ("oprd", "xcomp") and c.i > heads[0].i]
            last = max([heads[0], *tail], key=lambda t: t.right_edge.i).right_edge
            span = _trim(text, heads[0].left_edge.idx, last.idx + len(last))
            return (span, token.idx + len(token)) if span[1] > span[0] else None
        for child in token.children:
            if child.dep_ in ("prep", "prt") and child.lower_ == slot and child.i > token.i:
                objects = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
                if objects:
                    span = _subtree_span(text, objects[0])
                    return span, child.idx + len(child)
    return None


def _as_saying(token: Token) -> Token | None:
    """The 'saying' in 'quoted Y as saying'."""
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "as":
            for grand in child.children:
                if grand.dep_ in ("pcomp", "pobj") and grand.lemma_.lower() in ("say", "write"):
                    return grand
        if child.dep_ in ("advcl", "xcomp") and child.lemma_.lower() == "say":
            return child
    return None


def _snap_to_quotes(
    text: str, span: tuple[int, int], regions: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """Decide direct vs indirect: content that is mostly quoted becomes the quotation(s)."""
    inside = [r for r in regions if _overlaps(span, r)]
    covered = _chars_covered(span, inside)
    begins_quoted = bool(inside) and not text[span[0] : inside[0][0]].strip()
    if begins_quoted and covered >= _MIN_DIRECT_COVER * (span[1] - span[0]):
        return "direct", [_quote_interior(text, r) for r in inside], inside
    return "indirect", [span], []


def _continuations(
    text: str,
    last: tuple[int, int],
    regions: list[tuple[int, int]],
    clause_end: int,
    signed: Callable[[tuple[int, int]], bool] = lambda _r: False,
) -> list[tuple[int, int]]:
    """Quotations that continue a direct quote after its cue: the rest of a quotation split
    by the cue ('"A," said X, "B."') and following quotations alone in their sentences
    ('"A," she said. "B."'), same paragraph. A quotation that ``signed`` says has a cue of
    its own ('"A," said X. "B," said Y.') is not a continuation, and neither is what follows it."""
    found: list[tuple[int, int]] = []
    if last[1] > clause_end:
        return found
    pos = clause_end
    split = _SPLIT.match(text, pos)
    after = split.end() if split else pos
    following = [r for r in regions if r[0] == after]
    if following:
        found.append(following[0])
        pos = following[0][1]
    else:
        sentence_end = _SENTENCE_END.match(text, pos)
        if not sentence_end:
            return found
        pos = sentence_end.end()
    for region in regions:
        if region[0] < pos:
            continue
        gap = text[pos : region[0]]
        if "\n" in gap or gap.strip() or signed(region):
            break
        found.append(region)
        pos = region[1]
        tail = _TAIL.match(text, pos)
        pos = tail.end() if tail else pos
    return found


def _paragraph(text: str, position: int) -> tuple[int, int]:
    """The line holding a position: no relation part crosses a line break."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end < 0 else end


def _clip(span: tuple[int, int], bounds: tuple[int, int]) -> tuple[int, int]:
    return max(span[0], bounds[0]), min(span[1], bounds[1])


def _content_of(
    text: str,
    token: Token,
    cues: Cues,
    regions: list[tuple[int, int]],
    used: set[tuple[int, int]],
) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]] | None:
    """Kind, content fragments and quotation regions a cue verb governs."""
    lemma = token.lemma_.lower()
    bounds = _paragraph(text, token.idx)
    # a cue inside a quotation reports inside it: it never takes the whole quotation
    outside = [r for r in regions if not r[0] <= token.idx < r[1]]
    found = None
    if lemma not in cues.quotation_verbs:
        saying = _as_saying(token) if lemma in cues.relay_verbs else None
        found = (saying is not None and _clausal_content(text, saying, cues)) or _clausal_content(
            text, token, cues
        )
    if found:
        span = _trim(text, *_clip(found[1], bounds))
        if span[1] > span[0]:
            return _snap_to_quotes(text, span, outside)
    region = _adjacent_quote(text, token, outside, used)
    if region is not None and bounds[0] <= region[0] and region[1] <= bounds[1]:
        return "direct", [_quote_interior(text, region)], [region]
    if lemma in cues.quotation_verbs:
        return None
    interrupted = _interrupted_clause(text, token, cues)
    if interrupted is not None:
        return _snap_to_quotes(text, interrupted, outside)
    if lemma in cues.object_verbs and lemma not in cues.clause_verbs:
        return None
    paragraph = _colon_paragraph(text, token)
    if paragraph is None:
        return None
    return _snap_to_quotes(text, paragraph, outside)


def _verb_relations(
    doc: Doc, text: str, cues: Cues, regions: list[tuple[int, int]]
) -> list[Relation]:
    relations: list[Relation] = []
    used_quotes: set[tuple[int, int]] = set()
    consumed: set[int] = set()
    for token in doc:
        if token.i in consumed or not _is_cue_verb(token, cues):
            continue
        lemma = token.lemma_.lower()
        cue = _cue_span(token)
        source_token = _subject(token, cues, regions)
        channel: Token | None
        if lemma in cues.relay_verbs:
            # "X quoted Y as saying ...": Y speaks, X relays.
            saying = _as_saying(token)
            objects = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
            if saying is None or not objects:
                continue
            consumed.add(saying.i)
            channel = source_token
            if objects[0].dep_ == "nsubjpass":
                agents = [c for c in token.children if c.dep_ == "agent"]
                channel = next(iter(agents[0].children), None) if agents else None
            source_token = objects[0]
            as_token = saying.head if saying.head.lower_ == "as" else saying
            cue = (as_token.idx, saying.idx + len(saying))
        elif lemma == "tell":
            channel = next((c for c in token.children if c.dep_ in ("dative", "dobj")), None)
        else:
            channel = _to_phrase(token)
        found = _content_of(text, token, cues, regions, used_quotes)
        if found is None and lemma in cues.object_verbs:
            obj = _object_content(text, token, cues)
            if obj is not None:
                found = ("indirect", [_clip(obj[0], _paragraph(text, token.idx))], [])
                cue = (cue[0], max(cue[1], obj[1]))
        if found is None or source_token is None:
            continue
        if _speaker_hedge(token, source_token, cues, _in_regions(token.idx, regions)):
            continue
        kind, content, quotes = found
        bounds = _paragraph(text, token.idx)
        source = _trim(
            text, *_clip(_source_span(text, source_token, [*content, cue, *quotes]), bounds)
        )
        if source[1] <= source[0]:
            continue
        if kind == "direct":
            before = _opening_piece(text, token, quotes[0], regions, used_quotes)
            if before is not None:
                quotes = [before, *quotes]
                content = [_quote_interior(text, before), *content]
            more = _continuations(
                text,
                quotes[-1],
                regions,
                max(cue[1], source[1]),
                partial(_signed, doc, cues, len(text)),
            )
            quotes = quotes + more
            content = content + [_quote_interior(text, r) for r in more]
            used_quotes.update(quotes)
        content = [c for c in content if c[1] > c[0]]
        if not content:
            continue
        relations.append(
            Relation(
                kind=kind,
                content=content,
                cue=cue,
                source=source,
                cue_token=token.i,
                source_root=source_token.i,
                channel_root=None if channel is None else channel.i,
            )
        )
    return relations


def _signed(doc: Doc, cues: Cues, text_end: int, region: tuple[int, int]) -> bool:
    """Whether a quotation has a reporting verb of its own right after it, in its sentence
    ('"...," said Klobuchar', '"...," Klobuchar said')."""
    after = doc.char_span(region[1], min(region[1] + 200, text_end), alignment_mode="expand")
    if after is None:
        return False
    for token in after[:6]:
        if "\n" in token.text or token.text in ".!?" or token.is_sent_start and not token.is_quote:
            return False
        if _is_cue_verb(token, cues):
            return True
    return False


def _speaker_hedge(token: Token, subject: Token, cues: Cues, quoted: bool) -> bool:
    """'I think', 'you know', 'we want', and inside a quotation 'like I said': a speaker
    speaking in their own voice, not an attribution of its own."""
    if subject.lower_ not in _FIRST_SECOND:
        return False
    lemma = token.lemma_.lower()
    stance = lemma in cues.object_verbs and lemma not in cues.clause_verbs
    return quoted or lemma in cues.cognition_verbs or stance


def _to_phrase(token: Token) -> Token | None:
    """The addressee in 'said to X' / 'confirmed to X'."""
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ == "to":
            objects = [g for g in child.children if g.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _phrase_relations(doc: Doc, text: str, cues: Cues) -> list[Relation]:
    """'According to X, ...': the phrase's object is the source, the rest of the sentence
    the content."""
    relations: list[Relation] = []
    lowers = [t.lower_ for t in doc]
    for phrase in cues.source_phrases:
        n = len(phrase)
        for i in range(len(doc) - n + 1):
            if tuple(lowers[i : i + n]) != phrase:
                continue
            last = doc[i + n - 1]
            objects = [c for c in last.children if c.dep_ == "pobj"]
            if not objects:
                continue
            source_token = objects[0]
            sent = doc[i].sent
            phrase_start = doc[i].idx
            phrase_end = source_token.right_edge.idx + len(source_token.right_edge)
            before = _trim(text, sent.start_char, phrase_start)
            after = _trim(text, phrase_end, sent.end_char)
            content = before if before[1] - before[0] >= after[1] - after[0] else after
            if content[1] - content[0] < 3:
                continue
            relations.append(
                Relation(
                    rule="phrase",
                    kind="indirect",
                    content=[content],
                    cue=(doc[i].idx, last.idx + len(last)),
                    source=_subtree_span(text, source_token),
                    cue_token=i,
                    source_root=source_token.i,
                )
            )
    return relations


# An embedded post as pages print it once its markup is gone: the post's text, then its
# signature line "— Name (@handle) March 6, 2016" (Twitter/X embeds; a Mastodon-style
# "@user@host" handle too).
_POST_SIGNATURE = re.compile(
    r"(?P<dash>[\u2014\u2013\u2015]|--?)[ \t]*(?P<name>[^\s@()\u2014\u2013\u2015][^\n@()\u2014\u2013\u2015]{0,78}?)"
    rf"[ \t]*{POST_HANDLE}[ \t]*(?P<date>{POST_DATE})"
)
_TRAILING_LINKS = re.compile(r"(?:\s*(?:https?://\S+|pic\.twitter\.com/\S+))+\s*$")


def _display_name(text: str, start: int, end: int) -> tuple[int, int]:
    """A post's display name without the emoji and symbols people put around it ("Working
    Families Party \U0001f43a"), which would keep the name from being recognised."""
    from claimgraph.annotate.entities import strip_symbols

    name, start = strip_symbols(text[start:end], start)
    return start, start + len(name)


def _embedded_post_relations(doc: Doc, text: str) -> list[Relation]:
    """Embedded posts: the signature's name is the source of the post's text before it.

    The dash is the cue (there is no reporting verb); the content runs from the start of the
    post's line to the signature, without the links a post ends with.
    """
    relations = []
    for match in _POST_SIGNATURE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        body = text[line_start : match.start()]
        body = _TRAILING_LINKS.sub("", body.rstrip())
        lead = len(body) - len(body.lstrip())
        start, end = line_start + lead, line_start + len(body)
        if end - start < 3 or not any(ch.isalpha() for ch in text[start:end]):
            continue
        cue = doc.char_span(match.start("dash"), match.end("dash"), alignment_mode="expand")
        name = _display_name(text, match.start("name"), match.end("name"))
        source = doc.char_span(*name, alignment_mode="expand")
        if cue is None or source is None or not len(cue) or not len(source):
            continue
        relations.append(
            Relation(
                rule="post",
                kind="direct",
                content=[(start, end)],
                cue=(match.start("dash"), match.end("dash")),
                source=name,
                cue_token=cue[0].i,
                source_root=source[-1].i,
            )
        )
    return relations


# A line that gives an outlet's words after its name and a colon ("Newsweek: Dr. Fauci
# dismisses ...", "The Hill: \"...\""), as articles about coverage list headlines and quotes.
_OUTLET_LINE = re.compile(
    r"^[ \t]*(?P<name>(?:The )?[A-Z][\w.&'\u2019-]*(?:[ \t]+(?:of[ \t]+)?[A-Z][\w.&'\u2019-]*){0,5})"
    r"(?P<colon>:)[ \t]+(?P<body>\S[^\n]{15,})$",
    re.MULTILINE,
)


def _outlet_lines(doc: Doc, text: str) -> list[Relation]:
    """Lines of a list of what outlets wrote, each "Outlet: words": the outlet is the source,
    the colon the cue, the rest of the line the content. Only in a list: the line before ends
    with a colon ("For example:") or a line next to it has the same form, and only names that
    read as outlets (sourcing.is_outlet_name), written in mixed case ("BREAKING NEWS:" is a
    banner). Anything else with a colon after a name is left alone."""
    from claimgraph.annotate.sourcing import is_outlet_name

    found = [
        m
        for m in _OUTLET_LINE.finditer(text)
        if is_outlet_name(m.group("name")) and not m.group("name").isupper()
    ]
    lines = [text.count("\n", 0, m.start()) for m in found]
    relations = []
    for k, match in enumerate(found):
        before = text[: match.start()].rstrip()
        listed = before.endswith(":")
        # a neighbour two lines away at most (a blank line between paragraphs)
        listed = listed or any(
            abs(lines[k] - lines[j]) <= 2 for j in (k - 1, k + 1) if 0 <= j < len(found)
        )
        if not listed:
            continue
        cue = doc.char_span(match.start("colon"), match.end("colon"), alignment_mode="expand")
        source = doc.char_span(match.start("name"), match.end("name"), alignment_mode="expand")
        if cue is None or source is None or not len(cue) or not len(source):
            continue
        body = (match.start("body"), match.end("body"))
        content = _quote_interior(text, body) if _whole_quotation(text, *body) else body
        relations.append(
            Relation(
                rule="listed",
                kind="direct" if content != body else "indirect",
                content=[_trim(text, *content)],
                cue=(match.start("colon"), match.end("colon")),
                source=(match.start("name"), match.end("name")),
                cue_token=cue[0].i,
                source_root=source[-1].i,
            )
        )
    return relations


# A line of sentences signed with a dash and a name, its quotation marks lost in scraping.
_SIGNED_LINE = re.compile(
    r"^(?P<body>[^\n]{12,}?[.!?\u2026])(?=[ \t\u00a0]*(?:[\u2014\u2013\u2015]|--)[ \t\u00a0]*[A-Z][^\n]{0,60}$)",
    re.MULTILINE,
)
_SIGNED = re.compile(r"[ \t\u00a0]*(?P<dash>[\u2014\u2013\u2015]|--)[ \t\u00a0]*(?=[A-Z])")


def _signature_name(doc: Doc, text: str, first: Token) -> Token | None:
    """The last token of the name signing a quotation after its dash: a PERSON entity, or a
    line that holds nothing but two to five capitalised words ("― Karen Bobadilla.", names
    the entity recogniser often misses in such lists)."""
    if first.ent_type_ == "PERSON":
        name = first
        while name.i + 1 < len(doc) and doc[name.i + 1].ent_iob_ == "I":
            name = doc[name.i + 1]
        if "\n" not in text[first.idx : name.idx]:
            return name
    line = text[first.idx : _paragraph(text, first.idx)[1]].strip(" .\u00a0\t")
    words = line.split()
    if not 2 <= len(words) <= 5 or not all(w[:1].isupper() and w.isalpha() for w in words):
        return None
    end = first.idx + len(line)
    last = doc.char_span(first.idx, end, alignment_mode="contract")
    return last[-1] if last is not None and len(last) else None


def _signed_quotations(
    doc: Doc, text: str, regions: list[tuple[int, int]], found: list[Relation]
) -> list[Relation]:
    """'"... the vivid colors God gave us." – Nancy Reagan': a quotation signed with a dash
    and a person's name (quoted in a post or an epigraph); the dash is the cue. In text that
    lost its quotation marks, a line of sentences signed the same way is one."""
    taken = [r.cue for r in found]
    signed: list[tuple[tuple[int, int], re.Match[str]]] = []
    for region in regions:
        match = _SIGNED.match(text, region[1])
        if match is not None:
            signed.append((_quote_interior(text, region), match))
    for line in _SIGNED_LINE.finditer(text):
        body = _trim(text, line.start(), line.end("body"))
        if any(_overlaps(body, r) for r in regions) or len(text[body[0] : body[1]].split()) < 4:
            continue
        match = _SIGNED.match(text, line.end("body"))
        signature = text[match.end() : _paragraph(text, match.end())[1]] if match else ""
        # only a name, perhaps with a place or an outlet ("Neil Herness, San Marcos, Calif."),
        # never a sentence: "ALBUQUERQUE, N.M. — April Gomez hopes ..." is a dateline
        words = [w.strip(",.;()[]") for w in signature.split()]
        if match is not None and len(words) <= 8 and all(w[:1].isupper() for w in words if w):
            signed.append((body, match))
    relations = []
    for inner, match in signed:
        if any(_overlaps((match.start("dash"), match.end("dash")), t) for t in taken):
            continue
        after = doc.char_span(match.end(), match.end() + 1, alignment_mode="expand")
        if after is None or not len(after):
            continue
        name = _signature_name(doc, text, after[0])
        if name is None:
            continue
        cue = doc.char_span(match.start("dash"), match.end("dash"), alignment_mode="expand")
        if cue is None or not len(cue) or inner[1] - inner[0] < 3:
            continue
        relations.append(
            Relation(
                rule="signed",
                kind="direct",
                content=[inner],
                cue=(match.start("dash"), match.end("dash")),
                source=(after[0].idx, name.idx + len(name)),
                cue_token=cue[0].i,
                source_root=name.i,
            )
        )
    return relations


@derived
def _speech_nouns() -> frozenset[str]:
    """data/source_nouns.yaml `speech_nouns`: "his assertion that ...", "X's comments that"."""
    return frozenset(
        str(w).lower() for w in load_vocabulary("source_nouns").get("speech_nouns", [])
    )


def _nominal_relations(doc: Doc, text: str, found: list[Relation]) -> list[Relation]:
    """'Mr. Fehrnstrom's comments earlier this week that X', "Obama's announcement that X",
    "Trump's comments in a tweet that X": a speech noun owned by its speaker, then a "that"
    clause (the content). The cue is the speech noun nearest the clause; nouns without an
    owner ("the claim that ...") name nobody and are left alone."""
    nouns = _speech_nouns()
    taken = [r.cue for r in found]
    relations = []
    for that in doc:
        if that.lower_ != "that" or that.dep_ != "mark" or that.head.i < that.i:
            continue
        cue = owner = None
        for token in reversed(doc[max(that.sent.start, that.i - 9) : that.i]):
            if token.pos_ in ("VERB", "AUX") or (token.is_punct and token.text not in "\u2019'"):
                break
            if token.lemma_.lower() in nouns or token.lower_ in nouns:
                cue = cue or token
                owners = [c for c in token.children if c.dep_ == "poss"]
                if owners:
                    owner = owners[0]
                    break
        if cue is None or owner is None or owner.pos_ not in ("PROPN", "PRON"):
            continue
        span = (cue.idx, cue.idx + len(cue))
        if any(_overlaps(span, t) for t in taken):
            continue
        verb = that.head
        end = verb.right_edge.idx + len(verb.right_edge)
        content = _trim(text, that.idx + len(that), end)
        start = owner.left_edge.idx
        source_end = max(
            (t.idx + len(t) for t in owner.subtree if t.dep_ != "case"), default=owner.idx
        )
        if content[1] - content[0] < 3:
            continue
        relations.append(
            Relation(
                rule="nominal",
                kind="indirect",
                content=[content],
                cue=span,
                source=(start, source_end),
                cue_token=cue.i,
                source_root=owner.i,
            )
        )
    return relations


def find_relations(doc: Doc) -> list[Relation]:
    """All attribution relations in a parsed document, in text order, unresolved."""
    cues = load_cues()
    text = doc_text(doc)
    regions = quote_regions(text)
    relations = _verb_relations(doc, text, cues, regions) + _phrase_relations(doc, text, cues)
    relations += _embedded_post_relations(doc, text)
    relations += _outlet_lines(doc, text)
    relations += _signed_quotations(doc, text, regions, relations)
    relations += _nominal_relations(doc, text, relations)
    relations.sort(key=lambda r: (r.cue[0], r.content[0][0]))
    return relations


EXTRACTORS = ("rules", "model", "hybrid")


def _noun_root(span: Span) -> int:
    """The token a tagged source phrase names its speaker by: the span's root, or the object
    of a preposition the span starts with when the parse hung the name on it ("Unlike X,
    Rev. Samuel Rodriguez, president of ..., said")."""
    root = span.root
    if root.pos_ == "ADP":
        objects = [c for c in root.children if c.dep_ == "pobj" and c.i < span.end]
        if objects:
            return objects[-1].i
    return root.i


def _grown_fragment(doc: Doc, span: tuple[int, int], cue: Token) -> tuple[int, int]:
    """The phrase a one-word tagger content opens: the tagger often stops a content after its
    first word when that word is a determiner or a pronoun ("in support of the | sanctions on
    Burma's rulers", "confronted him | with remarks he had made"), which leaves a content that
    says nothing. A determiner grows to its noun's phrase, an object pronoun of the cue to the
    rest of the cue's phrase, within the sentence; anything else stays as found."""
    piece = doc.char_span(*span, alignment_mode="expand")
    words = [t for t in piece if not t.is_punct] if piece is not None else []
    if len(words) != 1 or words[0].pos_ not in ("DET", "PRON"):
        return span
    word = words[0]
    if word.dep_ in ("det", "poss", "predet") and word.head.i > word.i:
        last = word.head.right_edge
    elif word.head.i == cue.i and word.dep_ in ("dobj", "dative") and cue.i < word.i:
        last = cue.right_edge
    else:
        return span
    last = doc[min(last.i, word.sent.end - 1)]
    while last.i > word.i and (last.is_punct or last.is_space):
        last = doc[last.i - 1]
    return word.idx, last.idx + len(last.text)


def _uninverted(doc: Doc, found, cue: Token):  # noqa: ANN001, ANN202 - tagger.SpanRelation
    """The tagger's source and content swapped back where the parse says so: in a clause
    reported before an inverted cue ("Pursuit of witnesses risks backfiring, warned a member of
    the defense team") it can take the clause for the source and the speaker for the content.
    The spans tell, even where the parse misreads the clause: the source, just before the cue
    and a comma, holds a verb outside any relative clause (a speaker's phrase does not: "Smith,
    who has worked on it, warned"; "companies, including X, declared"), and the content is a
    noun phrase with no verb, attached to the cue after it. Then that noun phrase is the
    source and the clause the content."""
    source = doc.char_span(*found.source, alignment_mode="expand")
    content = doc.char_span(*found.content, alignment_mode="expand")
    if source is None or content is None or not (source.end <= cue.i < content.start):
        return found
    if doc[source.end : cue.i].text.strip() != ",":
        return found
    inside = range(source.start, source.end)
    clause = any(
        t.pos_ in ("VERB", "AUX")
        and t.dep_ != "prep"  # "including", "following"
        and not any(a.dep_ == "relcl" and a.i in inside for a in (t, *t.ancestors))
        for t in source
    )
    subject = next(
        (
            t
            for t in content
            if t.head.i == cue.i
            and t.dep_ in ("nsubj", "nsubjpass", "dobj")
            and t.pos_ in ("NOUN", "PROPN")
        ),
        None,
    )
    if not clause or subject is None or any(t.pos_ in ("VERB", "AUX") for t in content):
        return found
    speaker = doc[subject.left_edge.i : subject.right_edge.i + 1]
    return replace(
        found,
        source=(speaker.start_char, speaker.end_char),
        content=(source.start_char, source.end_char),
    )


def _near_sentence(doc: Doc, source: tuple[int, int], cue: Token) -> bool:
    """Whether a source span starts in the cue's sentence or the one next to it (a parse may
    split a sentence at an abbreviation or a quotation)."""
    span = doc.char_span(source[0], source[1], alignment_mode="expand")
    if span is None or not len(span):
        return True
    first, own = span[0].sent, cue.sent
    if first.start == own.start:
        return True
    if first.start < own.start:
        return first.end == own.start
    return own.end == first.start


_ANONYMITY_REQUEST = re.compile(
    r"(?:not\s+)?to\s+(?:remain|be|stay|go)\s+(?:unnamed|anonymous|unidentified|named|identified)\b",
    re.IGNORECASE,
)


def tagged_relations(doc: Doc, spans: dict[str, list[tuple[int, int]]]) -> list[Relation]:
    """Relations from the trained tagger's spans (see ``tagger.py``), in our conventions:
    a content without its complementiser and quotation marks, split around an interrupting
    cue or source; direct when mostly inside quotation marks; no noun phrase cut at its edges
    (``_whole_phrases``) and an indirect one run on to its clause's verb (``_whole_clause``).
    Those two: PolNeAR dev content exact F1 of the tagger alone 55.8 -> 56.9 (degraded 47.8
    -> 48.8), of the hybrid 57.6 -> 58.2 (degraded 49.6 -> 50.4)."""
    from claimgraph.annotate.tagger import relations_from, strip_content

    text = doc_text(doc)
    regions = quote_regions(text)
    cues = load_cues()
    bare = _bare(text)  # (the parse of text without commas misplaces clauses)
    relations = []
    for found in relations_from(text, spans):
        # A relation needs what was said and who said it: an implicit source ("it was
        # reported that") is left to the rules, which resolve it from the parse.
        if found.content is None or found.source is None:
            continue
        cue_span = doc.char_span(*found.cue, alignment_mode="expand")
        if cue_span is None or not len(cue_span):
            continue
        cue_token = cue_span.root
        if _a_reader_reading(cue_token, cues):
            continue
        if not _near_sentence(doc, found.source, cue_token):
            continue  # a cue paired with a source sentences away ("China signalled ... Mr
            # Trump is now unlikely to change his mind": "change" is no saying of China's)
        found = _uninverted(doc, found, cue_token)
        if found.source is not None:
            found = replace(found, source=_after_glued_dash(text, found.source))
        source_root = None
        if found.source is not None:
            source_span = doc.char_span(*found.source, alignment_mode="expand")
            source_root = (
                _noun_root(source_span) if source_span is not None and len(source_span) else None
            )
            subject = (
                _subject_around_place(doc, source_root, cue_token)
                or (None if bare else _subject_around_clause(doc, source_root, cue_token))
                or _as_clause_subject(doc, found.cue, found.source, cue_token)
                or _subject_around_possessive(doc, found.source, cue_token)
            )
            if subject is not None:
                found = replace(found, source=subject)
                source_root = doc.char_span(*subject, alignment_mode="expand").root.i
        whole = _grown_fragment(doc, strip_content(text, found.content), cue_token)
        if not any(ch.isalnum() for ch in text[whole[0] : whole[1]]):
            continue
        if _ANONYMITY_REQUEST.match(text, whole[0], whole[1]):
            continue  # "an agent told Townhall, who asked to remain unnamed": a condition of
            # the source's, not something it said
        direct = _chars_covered(whole, regions) >= _MIN_DIRECT_COVER * (whole[1] - whole[0])
        content = [whole]
        if direct:
            # A quotation interrupted by its cue ('"We won," the coach said, "and ..."') is its
            # quoted pieces; reported speech around a cue ("who he said were") stays whole.
            pieces = [found.content]
            for hole in sorted(s for s in (found.cue, found.source) if s is not None):
                pieces = [
                    part
                    for p in pieces
                    for part in (
                        ((p[0], hole[0]), (hole[1], p[1]))
                        if p[0] < hole[0] and hole[1] < p[1]
                        else (p,)
                    )
                ]
            content = [strip_content(text, p) for p in pieces]
            content = [c for c in content if any(ch.isalnum() for ch in text[c[0] : c[1]])]
        kind = "direct" if direct else "indirect"
        if cue_token.lemma_.lower() == "tell":
            channel = next((c for c in cue_token.children if c.dep_ in ("dative", "dobj")), None)
        else:
            channel = _to_phrase(cue_token)
        relations.append(
            Relation(
                rule="model",
                kind=kind,
                content=content,
                cue=found.cue,
                source=found.source,
                cue_token=cue_token.i,
                source_root=source_root,
                channel_root=None if channel is None else channel.i,
            )
        )
    if relations:
        # edges the tagger draws inside a phrase or before its clause's verb (see below)
        chunks = [(c.start, c.end) for c in doc.noun_chunks]
        relations = [replace(r, content=_whole_phrases(doc, r, chunks)) for r in relations]
        relations = [replace(r, content=_whole_clause(doc, r)) for r in relations]
    return relations


def _kept_alone(doc: Doc, rule: Relation, bare: bool = False) -> bool:
    """Whether a rule relation the tagger did not find stays in the hybrid.

    Kept: the constructions the tagger rarely sees ("according to", signed quotations,
    embedded posts, speech nouns), a quotation with its verb, and any verb of saying
    (cues.yaml ``speech_verbs``, ``relay_verbs``): among them the inner links of chains ("the
    agency reported that the commander said ..."), which the tagger, trained mostly on single
    links, misses. Left out: verbs of thought and evidence and the rest ("plans to", "find
    themselves", "know", "prove" with a clause), which were right 4 times in 49 on PolNeAR dev
    and are stances more often than reports. In bare text (``_bare``) no verb relation of the
    rules stays alone: they read a parse of text without its punctuation, and the tagger was
    trained on such copies (degraded PolNeAR dev exact F1 69.6 / 66.0 / 49.4 -> 70.5 / 66.8 /
    49.6)."""
    if rule.rule != "verb":
        return True
    if bare:
        return False
    if rule.kind == "direct":
        return True
    cues = load_cues()
    lemma = doc[rule.cue_token].lemma_.lower()
    return lemma in cues.speech_verbs or lemma in cues.relay_verbs


def _fuller(
    text: str, rule: Relation, tagged: Relation, bare: bool = False
) -> list[tuple[int, int]]:
    """The rule's content, or the tagger's where it starts where the rule's does and carries
    on to the end of a sentence or holds more than an object alone: an object with its
    complement ("described Clinton as 'a lifetime politician' who ...", where the rule stops at
    "Clinton"; "blasted Romney for not releasing his returns") or a second clause.

    In ``bare`` text (see ``_bare``) the tagger's content wherever it holds the rule's: the
    rules draw edges at commas and quotation marks, which such text lacks, and the tagger was
    trained on copies without them (PolNeAR dev stripped of both: content exact F1 45.9 ->
    48.5; the ordinary dev has no bare article, so it is unchanged)."""
    mine, theirs = rule.content, tagged.content
    if len(mine) == 1 == len(theirs):
        (a, b), (c, d) = mine[0], theirs[0]
        if bare and c <= a and b <= d:
            return theirs
        rest = text[b:d]
        inside = [x for x in (rule.cue, rule.source, tagged.cue, tagged.source) if x is not None]
        if (
            c == a
            and d > b
            and not _whole_quotation(text, a, b)
            and any(ch.isalnum() for ch in rest)
            and (_ENDS_A_SENTENCE.search(rest) or len(text[a:b].split()) <= _BARE_OBJECT_WORDS)
            and not any(_overlaps((b, d), x) for x in inside)
        ):
            return [(a, d)]
    return mine


def _whole_quotation(text: str, start: int, end: int) -> bool:
    """Whether a content is one quotation, from its opening mark to its closing one: what
    follows it is not the speaker's ('replied: 'A republic, if you can keep it.' Our
    responsibility is ...')."""
    return _closing_mark(text, start, end) == end


def _bare(text: str) -> bool:
    """Text as scraped pages and wire feeds sometimes come: no double quotation marks at all
    and hardly a comma (fewer than one in 400 characters; edited prose has one in 60 to 120),
    over enough text to tell (a sentence alone may have no comma to lose)."""
    return (
        len(text) >= _BARE_MIN_CHARS
        and text.count(",") * 400 < len(text)
        and not any(q in text for q in '"\u201c\u201d')
    )


_BARE_MIN_CHARS = 600
# A rule content this short is an object alone ("blasted Romney", "urged him"); the tagger's
# content from the same word carries its complement ("Romney for not releasing his returns").
_BARE_OBJECT_WORDS = 4
_ENDS_A_SENTENCE = re.compile(r"[.!?][\"'”’)]*\s*$")


# Words before a cue verb that PolNeAR's cues take ("has not yet said", "was also asked"): on
# PolNeAR train 96% of auxiliaries, 97% of passive auxiliaries and 98% of negations before a
# cue verb are in its cue. Adverbs too, but not "when" or "why" ("when asked": out).
_CUE_LEFT_DEPS = frozenset({"aux", "auxpass", "neg", "advmod"})
_CUE_HEADS = frozenset({"VERB", "AUX", "ADJ", "NOUN"})
_OPENING_MARKS = " \t\u00a0\"'\u201c\u2018"


def _cue_edges(doc: Doc, relation: Relation) -> Relation:
    """The cue with PolNeAR's edges: the auxiliaries, negation and adverbs just before its
    verb ("has repeatedly criticized", "did not say"), and a preposition between it and its
    content ("expressed disdain for | the deal", "spoke about | ..."), which PolNeAR puts in the
    cue (on train 65 of 69 "for", 54 of 60 "about" before a content). Nothing that overlaps the
    source or the content is taken. On PolNeAR dev cue exact F1 68.4 -> 69.1, degraded 66.8
    -> 67.4, train (first 200 articles) 72.9 -> 73.5."""
    span = doc.char_span(*relation.cue, alignment_mode="expand")
    if span is None or not len(span):
        return relation
    start, end = relation.cue
    heads = {t.i for t in span if t.pos_ in _CUE_HEADS}
    i = span.start - 1
    while i >= 0 and (
        doc[i].is_space  # a no-break space between words is a token of its own
        or (
            doc[i].dep_ in _CUE_LEFT_DEPS
            and doc[i].tag_ != "WRB"
            and doc[i].lower_ != "to"
            and doc[i].head.i > i
            and doc[i].head.i in heads
        )
    ):
        i -= 1
    i += 1
    while i < span.start and doc[i].is_space:
        i += 1
    taken = [x for x in (relation.source, *relation.content) if x is not None]
    if i < span.start and not any(_overlaps((doc[i].idx, start), x) for x in taken):
        start = doc[i].idx
    after_cue = span.end
    while after_cue < len(doc) and doc[after_cue].is_space:
        after_cue += 1
    if after_cue < len(doc):
        prep = doc[after_cue]
        after = prep.idx + len(prep)
        opens = relation.content[0][0]
        if (
            prep.pos_ == "ADP"
            and prep.dep_ in ("prep", "agent", "prt")
            and after <= opens
            and not doc_text(doc)[after:opens].strip(_OPENING_MARKS)
            and not (relation.source is not None and _overlaps(relation.source, (prep.idx, after)))
        ):
            end = after
    return relation if (start, end) == relation.cue else replace(relation, cue=(start, end))


def _whole_phrases(
    doc: Doc, relation: Relation, chunks: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The tagger's content with no noun phrase cut at its edges: the tagger starts or stops a
    content inside one ("Politico story" for "a Politico story", "the plan's" for "the plan's
    costs", "as wealthy as Mr." for "... Mr. Trump"), which PolNeAR never does. An edge moves
    to the phrase's first or last word, not over a line break, the cue or the source."""
    text = doc_text(doc)
    avoid = [x for x in (relation.cue, relation.source) if x is not None]

    def free(a: int, b: int) -> bool:
        return "\n" not in text[a:b] and not any(_overlaps((a, b), x) for x in avoid)

    grown = []
    for start, end in relation.content:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            grown.append((start, end))
            continue
        first, last = span.start, span.end - 1
        for a, b in chunks:
            if a < first < b:
                while a < first and (doc[a].is_punct or doc[a].is_space):
                    a += 1
                if doc[a].idx < start and free(doc[a].idx, start):
                    start = doc[a].idx
            if a <= last < b - 1:
                while b - 1 > last and (doc[b - 1].is_punct or doc[b - 1].is_space):
                    b -= 1
                edge = doc[b - 1].idx + len(doc[b - 1])
                if edge > end and free(end, edge):
                    end = edge
        grown.append((start, end))
    return grown


def _whole_clause(doc: Doc, relation: Relation) -> list[tuple[int, int]]:
    """The tagger's reported clause run on to the head its words hang on: the tagger stops an
    indirect content before the verb of its own clause ("that he | wouldn't make it out of
    Iowa", "it | must be considered", "to | stand with justice", "how those experiences have
    | shaped her career"). Where a word of the content has its head after the content, the
    content ends where that head's phrase ends, within the sentence, not over a line break,
    the cue or the source."""
    if relation.kind == "direct":
        return relation.content
    *before, (start, end) = relation.content
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return relation.content
    heads = [t.head for t in span if t.head.i >= span.end and not t.is_punct]
    if not heads:
        return relation.content
    last = doc[max(h.right_edge.i for h in heads)]
    while last.i >= span.end and (last.is_punct or last.is_space):
        last = doc[last.i - 1]
    edge = min(last.idx + len(last), span[-1].sent.end_char)
    avoid = [x for x in (relation.cue, relation.source) if x is not None]
    if edge <= end or "\n" in doc_text(doc)[end:edge]:
        return relation.content
    if any(_overlaps((end, edge), x) for x in avoid):
        return relation.content
    return [*before, (start, edge)]


def combine(doc: Doc, rules: list[Relation], tagged: list[Relation]) -> list[Relation]:
    """Hybrid: the tagger decides which verbs report speech; the rules resolve who spoke.

    - A cue both found keeps the rule relation (its source span carries the roles and
      appositions the speaker resolution reads, "Hashem al-Moussavi, a member of ...", and its
      content our claim conventions) with the tagger's cue span, which follows PolNeAR's
      edges ("did not say", "told reporters") more often (on PolNeAR dev 1,061 of 1,208 cues
      exact against the rules' 947).
    - A rule relation the tagger did not find stays only where ``_kept_alone`` says.
    - The tagger adds the relations whose cue no rule found, but not a quotation the rules
      gave to another cue.

    PolNeAR dev exact F1 (Source / Cue / Content) is in docs/attribution.md."""
    out: list[Relation] = []
    text = doc_text(doc)
    bare = _bare(text)
    for rule in rules:
        agree = next((t for t in tagged if _overlaps(t.cue, rule.cue)), None)
        if agree is not None:
            content = _fuller(text, rule, agree, bare)
            out.append(replace(rule, cue=agree.cue, content=content))
        elif _kept_alone(doc, rule, bare):
            out.append(rule)
    quoted = [c for r in out if r.kind == "direct" for c in r.content]
    out += [
        t
        for t in tagged
        if not any(_overlaps(t.cue, r.cue) for r in rules)
        # a quotation the rules gave to its own cue ('"...," said Lopez') is no cue's outside
        # its sentences: a retrained tagger paired "endorsing" a sentence back with it (a cue
        # beside it, '"...," insists Rep. Waters', stays: the rules may have paired it wrong)
        and not (
            t.kind == "direct"
            and any(
                _overlaps(c, q) and not _in_sentences_of(doc, t.cue, q)
                for c in t.content
                for q in quoted
            )
        )
    ]
    out = [_cue_edges(doc, r) for r in out]
    out.sort(key=lambda r: (r.cue[0], r.content[0][0]))
    return out


def _a_reader_reading(verb: Token, cues: Cues) -> bool:
    """Whether a tagger's cue is a verb of a document's words ("read") said of a reader: one
    with an object ("She read the report", "to read him the riot act") or a person for its
    subject. A document's words ("The statement read: ...") stay the tagger's, whatever the
    document (the rules ask for the nouns of cues.yaml ``document_verbs``)."""
    if verb.lemma_.lower() not in cues.document_verbs:
        return False
    if any(c.dep_ in ("dobj", "dative") for c in verb.children):
        return True
    subject = _verb_subject(verb)
    return subject is not None and (subject.pos_ == "PRON" or subject.ent_type_ == "PERSON")


def _in_sentences_of(doc: Doc, inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    """Whether the span ``inner`` starts in a sentence that the span ``outer`` touches."""
    span = doc.char_span(outer[0], outer[1], alignment_mode="expand")
    if span is None or not len(span):
        return True
    return span[0].sent.start_char <= inner[0] < span[-1].sent.end_char


def _in_discourse_marker(doc: Doc, cue: tuple[int, int] | None) -> bool:
    """Whether a cue is a word of a discourse marker opening its sentence before a comma
    ("That said, analysts paid close attention to ...": `discourse_markers` in cues.yaml):
    the writer turning to another point, which neither extractor may read as a source."""
    if cue is None:
        return False
    span = doc.char_span(cue[0], cue[1], alignment_mode="expand")
    if span is None:
        return False
    sentence = span[0].sent
    words: list[str] = []
    for token in sentence:
        if token.text == ",":
            break
        if not token.is_punct:
            words.append(token.lower_)
        if len(words) > 5:
            return False
    else:
        return False
    return token.i > span[-1].i and " ".join(words) in load_cues().discourse_markers


def _subject_around_place(doc: Doc, root: int | None, cue: Token) -> tuple[int, int] | None:
    """A tagger source that is only the place in its cue's subject ("a woman in Limon,
    Colorado, reported" tagged "Colorado"): the subject phrase, whose head is the speaker.
    None for any other source."""
    if root is None or doc[root].ent_type_ not in ("GPE", "LOC"):
        return None
    subject = _verb_subject(cue)
    if subject is None or subject.pos_ != "NOUN" or doc[root] not in subject.subtree:
        return None
    return _trim(
        doc_text(doc), subject.left_edge.idx, subject.right_edge.idx + len(subject.right_edge)
    )


def _after_glued_dash(text: str, source: tuple[int, int]) -> tuple[int, int]:
    """A tagger source run on from a title across a dash ('the headline "..."\u2014Sarah
    Miller cites' tagged 'Plan"\u2014Sarah Miller'): the words after the last dash."""
    a, b = source
    cut = max(text.rfind(d, a, b) for d in ("\u2014", "\u2013"))
    if cut <= a or text[cut - 1].isspace() or text[cut + 1 : cut + 2].isspace():
        return source  # a spaced dash sets off an apposition ("Rep. Smith \u2014 a Democrat")
    if not any(ch.isalpha() for ch in text[cut + 1 : b]):
        return source
    return _trim(text, cut + 1, b)


def _subject_around_clause(doc: Doc, root: int | None, cue: Token) -> tuple[int, int] | None:
    """A tagger source inside a clause that qualifies its cue's subject ("Chuck Schumer,
    D-N.Y., who had called for the testimony to be public, welcomed" tagged "public"): the
    subject phrase before that clause, whose head is the speaker. None for any other source."""
    subject = _verb_subject(cue)
    if root is None or subject is None or root == subject.i:
        return None
    token = doc[root]
    while token.i != subject.i and token.head.i != token.i:
        head = token.head
        if token.dep_ == "conj":
            return None  # a parse that ran phrases together ('... respond to it," Fox's motion')
        own = head == subject or head.dep_ == "appos" and head.head == subject
        verb = token.pos_ in ("VERB", "AUX") and token.i != root  # a clause, not a misparse
        if token.dep_ in ("relcl", "acl") and own and verb:
            if token.left_edge.i <= subject.i:
                return None
            first = subject.left_edge
            while first.is_punct and first.i < subject.i:
                first = doc[first.i + 1]  # a closing quotation mark the parse hung on it
            span = _trim(doc_text(doc), first.idx, token.left_edge.idx)
            return span if span[1] > span[0] else None
        token = head
    return None


def _subject_around_possessive(
    doc: Doc, source: tuple[int, int], verb: Token
) -> tuple[int, int] | None:
    """A tagger source cut after a possessive inside its cue's subject ("National
    Geographic's own writeup of Fauci's remarks characterizes" tagged "'s remarks", which
    made Fauci the speaker): the subject phrase. None for any other source."""
    span = doc.char_span(*source, alignment_mode="expand")
    if span is None or not len(span) or span[0].dep_ != "case":
        return None
    subject = next(
        (
            c
            for c in verb.children
            if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ in ("NOUN", "PROPN")
        ),
        None,
    )
    if subject is None or subject in span:
        return None
    first = subject.left_edge
    while first.i < subject.i and first.dep_ in ("advmod", "punct", "cc"):
        first = doc[first.i + 1]  # ("Even National Geographic's ...")
    start, end = first.idx, subject.right_edge.idx + len(subject.right_edge)
    if not (start <= source[0] and source[1] <= end):
        return None
    return _trim(doc_text(doc), start, end)


def _as_clause_subject(
    doc: Doc, cue: tuple[int, int], source: tuple[int, int], verb: Token
) -> tuple[int, int] | None:
    """ "As CBN News reported in 2019, the group's leaders admitted ...": the tagger pairs the
    cue of an "as" clause with the main clause's subject after it, but the clause names its
    own speaker before the cue. None unless the tagger's source stands after the cue and
    apart from it (an inverted "..., added Rep. Clyburn" keeps its source)."""
    text = doc_text(doc)
    if source[0] < cue[1] or not text[cue[1] : source[0]].strip():
        return None
    if verb.dep_ != "advcl" or not any(
        c.dep_ == "mark" and c.lower_ == "as" and c.i < verb.i for c in verb.children
    ):
        return None
    subject = next(
        (
            c
            for c in verb.children
            if c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i and c.pos_ in ("PROPN", "NOUN")
        ),
        None,
    )
    if subject is None:
        return None
    return _trim(text, subject.left_edge.idx, subject.right_edge.idx + len(subject.right_edge))


def find_attributions(
    doc: Doc,
    spans: dict[str, list[tuple[int, int]]] | None = None,
    extractor: str = "rules",
    producer: str | None = None,
) -> list[Attribution]:
    """Attribution relations with speakers, roles, anonymity, sourcing chains and signals.

    ``extractor``: "rules" (the parse patterns), "model" (the tagger's ``spans``) or "hybrid"
    (every rule relation, and the tagger's where no rule found the cue; see ``combine``). Each
    attribution records what produced it (``Attribution.extractor``: "rules" or
    "model:<folder>")."""
    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown attribution extractor {extractor!r}; choose {EXTRACTORS}")
    if extractor != "rules" and spans is None:
        raise ValueError(f"the {extractor!r} extractor needs the tagger's spans")
    rules = find_relations(doc) if extractor != "model" else []
    tagged = tagged_relations(doc, spans) if spans is not None and extractor != "rules" else []
    if extractor == "hybrid":
        relations = combine(doc, rules, tagged)
    elif extractor == "model":
        # the hybrid's cue edges (``_cue_edges``): tagger alone, PolNeAR dev cue 68.8 -> 69.5
        relations = [_cue_edges(doc, r) for r in tagged]
    else:
        relations = rules
    text = doc_text(doc)
    relations = [
        replace(
            r,
            content=[_after_dateline(text, _close_quotation(text, c)) for c in r.content],
            # ("SAN ANTONIO, Texas (Reuters) - ... Michael Bloomberg told": no "San Antonio")
            source=_after_dateline(text, r.source) if r.source else None,
        )
        for r in relations
        if not _in_discourse_marker(doc, r.cue)
    ]
    attributions = resolve_relations(doc, relations)
    signals_text = Text.of(doc)
    model_name = producer or "model"
    for attribution in attributions:
        attribution.signals = attribution_signals(doc, attribution, signals_text)
    # a relation both found is the rules' (their speaker and content), with the tagger's cue edges
    by_cue = {r.cue: r for r in relations}
    for attribution in attributions:
        relation = by_cue.get((attribution.cue_start or 0, attribution.cue_end or 0))
        if attribution.extractor is None:
            found = relation is not None and relation.rule == "model"
            attribution.extractor = (
                model_name
                if found
                else "rules"
                if relation is not None or extractor == "rules"
                else None
            )
        if relation is not None:
            attribution.reports = what_it_reports(doc, relation)
    return attributions


STATEMENT, POSITION, ACT = "statement", "position", "act"
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
_COMPLEMENTISERS = frozenset({"that", "whether", "if", "how", "why", "what", "when", "who"})


def what_it_reports(doc: Doc, relation: Relation) -> str:
    """Whether a relation reports a statement, a position or an act (`Attribution.reports`).

    A statement is what a fact-checker checks against its source: a quotation, or a clause
    after a cue of saying, thinking or showing (cues.yaml's clause, relay and quotation verbs,
    a speech or document noun, "according to"). A position is a stance or a speech act whose
    content is a thing or an intent ("endorsed Cruz", "called for a probe", "declined to
    comment": cues.yaml's object verbs, or any cue of saying without a clause), or a clause
    after a verb no list names. An act is the rest: PolNeAR counts "unveiled a plan" and
    "released the photos" as attributions, and the trained tagger finds them; a reader of
    `sources` wants them apart. Rules relations are statements or positions by construction."""
    if relation.kind == "direct" or relation.rule in ("phrase", "post", "signed", "listed"):
        return STATEMENT
    cue = doc.char_span(*relation.cue, alignment_mode="expand")
    lemmas = {t.lemma_.lower() for t in cue} if cue is not None else set()
    saying = bool(lemmas & _saying_words())
    if _clausal(doc, relation.content):
        return STATEMENT if saying or relation.rule == "nominal" else POSITION
    if saying or lemmas & frozenset(load_cues().object_verbs) or relation.rule == "nominal":
        return POSITION
    return ACT


@derived
def _saying_words() -> frozenset[str]:
    """Cue lemmas of saying, thinking or showing: cues.yaml's clause, relay, quotation-only and
    phrasal verbs, and the nouns that name something said or issued ("statement", "tweet")."""
    from claimgraph.annotate.sourcing import source_vocabulary

    cues = load_cues()
    # (a document's "reads" says something only beside a quotation, a direct relation: "the
    # reaction reads as a belief that ..." the tagger finds is no saying)
    quoting = cues.quotation_verbs - frozenset(cues.document_verbs)
    verbs = cues.clause_verbs | cues.relay_verbs | quoting | frozenset(cues.phrasal)
    return verbs | source_vocabulary().document_nouns


_COMPLETE = frozenset({"dobj", "attr", "acomp", "xcomp", "ccomp", "oprd", "nsubjpass"})


def _nothing_missing(verb: Token) -> bool:
    """Whether a clause has its object or complement (or is passive): no gap a relative
    clause leaves for the noun it hangs on."""
    return any(c.dep_ in _COMPLETE for c in verb.children)


def _clausal(doc: Doc, content: list[tuple[int, int]]) -> bool:
    """Whether content is a clause (a verb with its subject inside it, or an opening "that",
    "whether", "how"...), not a noun phrase or an infinitive. A relative clause inside a noun
    phrase ("a plan that would cut taxes") does not make it one."""
    for start, end in content:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        first = next((t for t in span if not t.is_punct), span[0])
        if first.lower_ in _COMPLEMENTISERS and first.dep_ in ("mark", "advmod", "nsubj"):
            return True
        for token in span:
            head = token.head
            inside = span.start <= head.i < span.end
            # (a relative clause is no clause of its own, nor one hanging on a noun of the
            # content; one the parser hung on the cue's noun is, when nothing is missing from
            # it: "the claim Russian intelligence planned to release ...", not "a report
            # lawmakers will use as the basis ...", whose verb lacks its object)
            relative = head.dep_ == "relcl" or (
                head.dep_ == "acl"
                and (span.start <= head.head.i < span.end or not _nothing_missing(head))
            )
            if token.dep_ in _SUBJECTS and inside and not relative:
                return True
    return False


if not Doc.has_extension("cg_attributions"):
    Doc.set_extension("cg_attributions", default=None)


class AttributionComponent:
    """spaCy component: ``doc._.cg_attributions``, by the rules, the trained tagger or both.

    The tagger runs once per batch of documents (``pipe``), which is what makes it affordable."""

    def __init__(
        self, extractor: str = "hybrid", model_path: str | None = None, pipeline: str = ""
    ) -> None:
        if extractor not in EXTRACTORS:
            raise ValueError(f"unknown attribution extractor {extractor!r}; choose {EXTRACTORS}")
        self.extractor = extractor
        self.model_path = model_path
        self.tagger = None
        if extractor != "rules":
            from claimgraph.annotate.tagger import AttributionTagger

            self.tagger = AttributionTagger.load(model_path)
            if pipeline:
                self.tagger.check_pipeline(pipeline)

    def describe(self) -> str:
        """What finds attributions, in a few words: recorded on every run (runs.model)."""
        if self.tagger is None:
            return "rules (claimgraph/data/cues.yaml)"
        rules = "rules + " if self.extractor == "hybrid" else ""
        return f"{self.extractor}: {rules}tagger {self.tagger.describe()}"

    @property
    def producer(self) -> str:
        return "rules" if self.tagger is None else f"model:{self.tagger.path.name}"

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """`nlp.to_disk` keeps the vocabularies the pipeline reads (shipped ones with the
        user's `--vocab` folders merged) in `vocab/`, so a saved pipeline reads the same words
        wherever it is loaded."""
        folder = Path(path) / "vocab"
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in in_effect().items():
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            (folder / f"{name}.yaml").write_text(text, encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> AttributionComponent:
        """`spacy.load` of a saved pipeline: its vocabularies become this process's user
        folder (the registry is process-wide, as `--vocab` is)."""
        folder = Path(path) / "vocab"
        if folder.is_dir():
            use_dirs(dict.fromkeys([*user_dirs(), str(folder)]))
        return self

    def _fill(self, docs: list[Doc]) -> None:
        tagged = self.tagger.predict(docs) if self.tagger is not None else [None] * len(docs)
        for doc, spans in zip(docs, tagged, strict=True):
            doc._.cg_attributions = find_attributions(doc, spans, self.extractor, self.producer)

    def __call__(self, doc: Doc) -> Doc:
        self._fill([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                self._fill(batch)
                yield from batch
                batch = []
        if batch:
            self._fill(batch)
            yield from batch


DEFAULT_EXTRACTOR = "hybrid"


@Language.factory(
    "claimgraph_attributions",
    assigns=["doc._.cg_attributions"],
    requires=["token.dep", "token.lemma", "doc.sents"],
    default_config={"extractor": DEFAULT_EXTRACTOR, "model_path": None},
)
def make_attributions(
    nlp: Language, name: str, extractor: str, model_path: str | None
) -> AttributionComponent:
    """``nlp.add_pipe("claimgraph_attributions", config={"extractor": "rules"})``."""
    return AttributionComponent(extractor, model_path, pipeline_name(nlp))


def pipeline_name(nlp: Language) -> str:
    """ "en_core_web_sm 3.8.0": the pipeline whose features a tagger was trained on."""
    meta = nlp.meta
    return f"{meta.get('lang', '?')}_{meta.get('name', '?')} {meta.get('version', '?')}"
