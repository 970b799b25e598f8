"""Action frames: which kind of act a claim reports (supply, transport, withdraw, ...).

Sentence embeddings of claims about one conflict are dominated by its parties: "US aircraft
airdrop weapons to ISIS" and "US helicopters move ISIS leaders" share their actors and most of
their words, and all-MiniLM-L6-v2 puts them closer together than two retellings of either one.
A narrative is one act told again, so the narrative index also compares the act itself: each
claim gets the action classes of `claimgraph/data/actions.yaml` found in its words, and the
index scores a shared act between claims about the same parties (see
`claimgraph.link.narratives`). Matching is on word forms, not a parse, so it costs nothing next
to the encoder and behaves the same on every backend.

**Who does what to whom** (`Frame`, `claim_roles`) comes from a parse of the claim's own text:
the subject of its main verb (the agent of a passive) is its actor, the direct object (the
subject of a passive) its target, and the verb's lemma its predicate; a verb of saying with a
clause under it ("Obama told reporters that ...") hands over to that clause, since the one
who relays an assertion is not its actor. So do verbs of perception and evidence and the
evidence nouns they present (`claimgraph/data/frames.yaml`: "we saw packages dropped from an
aircraft" asserts the drop, "cameras recorded helicopters transferring fighters" the transfer,
"we have evidence that a helicopter landed" the landing), since state media and witnesses
retell an act inside them. The predicates also hold a phrasal verb with its particle ("take
out"), the verb of a purpose clause ("landed ... to take out the leaders") and of the means
("assisting ISIS by transporting jihadists"), and `ActionVocabulary.acts_of` reads the acts
they name: two retellings tell one act with other verbs ("dropped" / "airdropped": supply).
The parse is of the claim text alone, by the
pipeline's tagger and parser (no entity recogniser), so a claim gets the same frame when
`analyze` extracts it (the claim stage, `parse_frames`) and when `claimgraph relink` or
eval/sample_narratives.py regroups a stored claim. Only claims naming an entity are parsed
(the others never link): about 2 ms a claim on one core.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from claimgraph.link.claims import lemma_forms
from claimgraph.model import entity_slug
from claimgraph.vocabulary import derived, load_vocabulary

PARTICLE_GAP = 3  # words allowed between a phrasal verb and its particle ("take ISIS leaders away")
_WORD = re.compile(r"[a-z]+(?:[-'][a-z]+)*")


def _base_forms(word: str, irregular: dict[str, str]) -> set[str]:
    """Candidate base forms of an inflected English word ("dropped" -> "drop", "took" -> "take")."""
    forms = lemma_forms(word)
    if word in irregular:
        forms.add(irregular[word])
    return forms


@dataclass(frozen=True, slots=True)
class ActionVocabulary:
    """Action classes as data: verbs, phrasal verbs and nouns per class."""

    classes: tuple[str, ...]
    verbs: dict[str, frozenset[str]]  # base form -> classes
    phrasal: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # verb -> ((particle, class),)
    nouns: dict[tuple[str, ...], frozenset[str]]  # word sequence -> classes
    irregular: dict[str, str]
    longest_noun: int  # words in the longest noun phrase
    position: dict[str, int]  # class -> its column in `vector`

    @classmethod
    def from_data(cls, data: dict) -> ActionVocabulary:
        verbs: dict[str, set[str]] = {}
        phrasal: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        nouns: dict[tuple[str, ...], set[str]] = {}
        raw = data.get("classes") or {}
        for name, spec in raw.items():
            spec = spec or {}
            for verb in spec.get("verbs") or []:
                verbs.setdefault(str(verb).lower(), set()).add(name)
            for phrase in spec.get("phrasal") or []:
                head, *particle = str(phrase).lower().split()
                if particle:
                    phrasal.setdefault(head, []).append((tuple(particle), name))
            for noun in spec.get("nouns") or []:
                nouns.setdefault(tuple(_WORD.findall(str(noun).lower())), set()).add(name)
        return cls(
            classes=tuple(raw),
            verbs={k: frozenset(v) for k, v in verbs.items()},
            phrasal={k: tuple(v) for k, v in phrasal.items()},
            nouns={k: frozenset(v) for k, v in nouns.items()},
            irregular={
                str(k).lower(): str(v).lower() for k, v in (data.get("irregular") or {}).items()
            },
            longest_noun=max((len(k) for k in nouns), default=1),
            position={name: i for i, name in enumerate(raw)},
        )

    def find(self, text: str) -> list[str]:
        """The action classes a text names, in the vocabulary's order. A hyphenated word
        whose last part is an act's noun names it too ("counter-cyberattack" as "counter
        cyberattack": the last part is the compound's head)."""
        words = _WORD.findall(text.lower())
        found: set[str] = set()
        for i, word in enumerate(words):
            if "-" in word:
                found.update(self.nouns.get((word.rsplit("-", 1)[1],), ()))
            for base in _base_forms(word, self.irregular):
                found.update(self.verbs.get(base, ()))
                for parts, name in self.phrasal.get(base, ()):
                    window = words[i + 1 : i + 2 + PARTICLE_GAP]
                    if parts[0] in window:
                        at = window.index(parts[0])
                        if tuple(window[at : at + len(parts)]) == parts:
                            found.add(name)
            for size in range(1, self.longest_noun + 1):
                found.update(self.nouns.get(tuple(words[i : i + size]), ()))
        return [c for c in self.classes if c in found]

    def acts_of(self, predicates: Iterable[str]) -> frozenset[str]:
        """The action classes a frame's predicate lemmas name: "drop" and "airdrop" both
        supply, "take out" transport; two retellings tell one act with other verbs."""
        found: set[str] = set()
        for predicate in predicates:
            head, *particle = predicate.split()
            base = self.irregular.get(head, head)
            found.update(self.verbs.get(base, ()))
            found.update(n for parts, n in self.phrasal.get(base, ()) if parts == tuple(particle))
        return frozenset(found)

    def vector(self, text: str) -> np.ndarray:
        """Unit indicator vector over the classes (zeros when the text names no act)."""
        out = np.zeros(len(self.classes))
        found = self.find(text)
        if found:
            out[[self.position[c] for c in found]] = 1.0 / np.sqrt(len(found))
        return out


@derived
def default_actions() -> ActionVocabulary:
    """The shipped vocabulary (claimgraph/data/actions.yaml), read once per process."""
    return ActionVocabulary.from_data(load_vocabulary("actions"))


# ---------------------------------------------------------------------------------------------
# Who does what to whom: a claim's frame, from a parse of its text

# Dependents that belong to a noun phrase's core: "US aircraft", "Trump's decision", "the
# agent, Peter Strzok", "President Donald Trump". Conjuncts that are nouns join it too ("she
# and Mr Trump").
_CORE = frozenset({"compound", "poss", "appos", "flat", "nmod", "amod", "nn"})
_TARGET = frozenset({"dobj", "dative", "nsubjpass", "oprd", "attr"})
# Predicates too general to tell two assertions apart ("is", "has", "did").
LIGHT_PREDICATES = frozenset({"be", "have", "do"})
PARSE_BATCH = 64


@dataclass(frozen=True, slots=True)
class Frame:
    """Who does what to whom in a claim, from its parse: character spans of its main verb's
    actor(s) and target(s) in the claim text, and the lemmas of that verb (with the verbs
    joined to it: "decided to kill", "won and lost") or, for a verbless claim, of its head
    noun."""

    actors: tuple[tuple[int, int], ...] = ()
    targets: tuple[tuple[int, int], ...] = ()
    predicates: tuple[str, ...] = ()


def _core(token: Any, out: set[int]) -> None:
    out.add(token.i)
    for child in token.children:
        if child.dep_ in _CORE or (child.dep_ == "conj" and child.tag_.startswith("NN")):
            _core(child, out)


@derived
def _speech_lemmas() -> frozenset[str]:
    """Verbs of saying (data/cues.yaml): their clause, not their subject, is the assertion."""
    words = load_vocabulary("cues").get("speech_verbs") or []
    return frozenset(str(w).lower() for w in words) | {"say", "tell"}


@dataclass(frozen=True, slots=True)
class HandOver:
    """Words whose complement, not themselves, is what a claim asserts (data/frames.yaml)."""

    speech: frozenset[str]  # verbs of saying (data/cues.yaml)
    evidential: frozenset[str]  # verbs of perception and evidence: "saw", "recorded"
    evidence: frozenset[str]  # nouns: "evidence", "footage", "allegation"
    presenting: frozenset[str]  # verbs that only present such nouns: "collect", "raise"


@derived
def hand_over_words() -> HandOver:
    """data/frames.yaml, with the verbs of saying and the evidential verbs of data/cues.yaml."""
    frames = load_vocabulary("frames")
    cues = load_vocabulary("cues")

    def words(data: Mapping[str, Any], key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data.get(key) or [])

    return HandOver(
        _speech_lemmas(),
        words(frames, "evidential_verbs") | words(cues, "evidential_verbs"),
        words(frames, "evidence_nouns"),
        words(frames, "presenting_verbs"),
    )


def _lemma(token: Any) -> str:
    """A token's lemma, computed for this token alone when the parse left it unset.

    `parse_frames` runs the pipeline without its attribute ruler and lemmatizer: a frame reads
    the lemmas of a few words of a claim, and those two components, run on every word, were
    a third of the parse's CPU. Both work word by word: the ruler's patterns test one word or
    two neighbours, by form, tag and dependency only, and the rule lemmatizer is a function of
    a word's form, part of speech and morphology (what the ruler sets). So the ruler's matches
    on a word's neighbourhood, then the lemmatizer, give the lemma the whole pipeline gives."""
    if token.lemma == 0:
        _rule(token)
        if token.lemma == 0:  # kept on the word, as the lemmatizer does, for the next read
            token.lemma_ = _parser().get_pipe("lemmatizer").lemmatize(token)[0]
    return str(token.lemma_)


def _rule(token: Any) -> None:
    """Set what the attribute ruler sets on this one word (part of speech, morphology, and a
    lemma for a few forms): its patterns' matches on the word and its two neighbours that
    fall on it, applied in the ruler's order (a later rule takes precedence)."""
    from spacy.tokens._retokenize import set_token_attrs

    ruler = _parser().get_pipe("attribute_ruler")
    doc, i = token.doc, token.i
    lo = max(0, i - 1)
    window = doc[lo : min(len(doc), i + 2)]
    matches = sorted(
        (int(ruler.vocab.strings[key]), start, end)
        for key, start, end in ruler.matcher(window, allow_missing=True, as_spans=False)
    )
    for attr_id, start, end in matches:
        if window[start:end][ruler.indices[attr_id]].i == i:
            set_token_attrs(token, ruler.attrs[attr_id])


def _spaces_ruled(doc: Any) -> Any:
    """The doc, with the attribute ruler run on all of it when it holds whitespace tokens:
    the only words whose tag and dependency (which frames read) the ruler changes."""
    if any(t.is_space for t in doc):
        _parser().get_pipe("attribute_ruler")(doc)
    return doc


def _is_verb(token: Any) -> bool:
    return bool(token.tag_.startswith("VB"))


def _clause_on(noun: Any) -> Any | None:
    """A verb describing what a noun does or undergoes: "helicopters *transferring* fighters",
    "packages *dropped*"."""
    return next((c for c in noun.children if c.dep_ == "acl" and _is_verb(c)), None)


def _through_prepositions(head: Any) -> Any | None:
    """The verb under a head's preposition: "of ISIS *parading* weapons", "about *moving*
    fighters"; not under "as" ("was seen as an effort to deepen ties" is a judgement)."""
    for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ != "as"):
        for word in prep.children:
            if word.dep_ == "pcomp" and _is_verb(word):
                return word
            if word.dep_ == "pobj" and (verb := _clause_on(word)) is not None:
                return verb
    return None


def _carried(noun: Any) -> Any | None:
    """The verb of what an evidence noun (or a list of them) is evidence of: "evidence that a
    helicopter *landed*" (a clause with its own subject or "that"), "footage *showing* ...",
    "videos of supplies *airdropped*"; not a participle that only describes the noun ("videos
    *posted* online")."""
    for word in (noun, *noun.conjuncts):
        for child in word.children:
            if (
                child.dep_ in ("acl", "ccomp")
                and _is_verb(child)
                and (
                    child.tag_ == "VBG"
                    or any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in child.children)
                )
            ):
                return child
        if (verb := _through_prepositions(word)) is not None:
            return verb
    return None


def _handed_over(root: Any, words: HandOver) -> Any | None:
    """The clause a claim's main word hands its assertion to, or None: a verb of saying's
    clause, a verb of perception's complement ("saw that X", "saw X dropped", "watched as X",
    "emerged of X doing"), or what an evidence noun it presents is evidence of."""
    lemma = _lemma(root).lower()
    children = list(root.children)
    if lemma in words.speech and (clause := next((c for c in children if c.dep_ == "ccomp"), None)):
        return clause
    if lemma in words.evidential:
        for child in children:
            if child.dep_ in ("ccomp", "xcomp") and _is_verb(child):
                return child
        for child in children:
            marks = {c.lower_ for c in child.children if c.dep_ == "mark"}
            if (
                child.dep_ == "advcl"
                and marks & {"as", "when", "while"}
                and (child.tag_ == "VBG" or any(c.dep_ == "nsubj" for c in child.children))
            ):  # "watched as X banned", "filmed the aircraft while dropping": not "as stated"
                return child
        for child in children:
            if (
                child.dep_ in ("dobj", "nsubjpass")
                and _lemma(child).lower() not in words.evidence  # "watch videos posted by ..."
                and (verb := _clause_on(child)) is not None
            ):
                return verb
        if (verb := _through_prepositions(root)) is not None:
            return verb
    if not (
        lemma in words.evidential
        or lemma in words.presenting
        or lemma in LIGHT_PREDICATES
        or not _is_verb(root)
    ):
        return None
    nouns = [root] if not _is_verb(root) else []
    nouns += [c for c in children if c.dep_ in ("nsubj", "nsubjpass", "dobj", "attr")]
    for noun in nouns:
        if _lemma(noun).lower() in words.evidence and (verb := _carried(noun)) is not None:
            return verb
    return None


def _verb_lemmas(verb: Any) -> list[str]:
    """A verb's lemma, and with its particle where it has one ("take", "take out"), so that a
    phrasal verb's act (data/actions.yaml) can be read from the predicates."""
    lemma = _lemma(verb).lower()
    particles = [c.lower_ for c in verb.children if c.dep_ == "prt"]
    return [lemma] + [f"{lemma} {p}" for p in particles[:1]]


def frame_of(doc: Any) -> Frame:
    """The frame of a parsed claim (a spaCy Doc of its text): its first sentence's root, or
    the clause a verb of saying, of perception or an evidence noun hands it over to."""
    root = next(iter(doc.sents)).root
    words = hand_over_words()
    for _ in range(3):  # "he said she saw them drop X": drop
        inner = _handed_over(root, words)
        if inner is None:
            break
        root = inner
    actors: set[int] = set()
    targets: set[int] = set()
    predicates: set[str] = set()
    if (
        root.dep_ == "acl"
        and _lemma(root.head).lower() not in words.evidence
        and not any(c.dep_ in ("nsubj", "nsubjpass") for c in root.children)
    ):  # "helicopters transferring" (the actor), "packages dropped" (the target)
        _core(root.head, targets if root.tag_ == "VBN" else actors)
    if root.tag_.startswith("VB"):
        predicates.update(_verb_lemmas(root))
        for child in root.children:
            if child.dep_ in ("xcomp", "conj") and child.tag_.startswith("VB"):
                predicates.update(_verb_lemmas(child))
            elif child.dep_ == "advcl" and any(c.tag_ == "TO" for c in child.children):
                # what it was done for: "landed in Fallujah to take out the leaders"
                predicates.update(_verb_lemmas(child))
            elif child.dep_ == "prep" and child.lower_ == "by":
                # how it was done: "is assisting the Islamic State by transporting jihadists"
                for means in child.children:
                    if means.dep_ == "pcomp" and means.tag_.startswith("VB"):
                        predicates.update(_verb_lemmas(means))
            if _lemma(root) == "be" and child.dep_ in ("attr", "acomp"):
                predicates.add(_lemma(child).lower())
    else:  # a verbless claim ("Trump's order to kill Soleimani"): its head noun says it
        predicates.add(_lemma(root).lower())
        if root.tag_.startswith("NN"):
            _core(root, actors)
    heads = [root] + [c for c in root.children if c.dep_ in ("xcomp", "conj")]
    for head in heads:
        for child in head.children:
            if child.dep_ == "nsubj" and head is root:
                _core(child, actors)
            elif child.dep_ == "agent":  # "was opened by agent Peter Strzok"
                for word in child.children:
                    if word.dep_ == "pobj":
                        _core(word, actors)
            elif child.dep_ in _TARGET:
                _core(child, targets)
            elif child.dep_ == "acl" and head is root:  # "the order to kill X"
                for word in child.children:
                    if word.dep_ == "dobj":
                        _core(word, targets)

    def spans(indices: set[int]) -> tuple[tuple[int, int], ...]:
        return tuple((doc[i].idx, doc[i].idx + len(doc[i])) for i in sorted(indices))

    return Frame(spans(actors), spans(targets - actors), tuple(sorted(predicates)))


@derived
def _parser() -> Any:
    """The pipeline's tagger and parser (and attribute ruler and lemmatizer, which
    `parse_frames` leaves to `_lemma`), without its entity recogniser: loaded once per
    process, only where a claim is parsed."""
    import spacy

    from claimgraph.annotate.nlp import DEFAULT_MODEL

    return spacy.load(DEFAULT_MODEL, exclude=["ner", "senter"])


# One parse at a time: the claim stage may run on a second thread (claimgraph.engine.run)
# while the writer parses a stored claim's frame, and a spaCy pipeline and its memory zones
# are not shared between threads.
_PARSING = threading.Lock()


def parse_frames(texts: Sequence[str]) -> list[Frame]:
    """Each claim text's frame (`frame_of`), parsed in batches inside a spaCy memory zone, so
    a long run keeps none of the words it met."""
    if not texts:
        return []
    with _PARSING:
        return _parse(texts)


def _parse(texts: Sequence[str]) -> list[Frame]:
    nlp = _parser()
    with nlp.memory_zone():
        parsed = nlp.pipe(texts, batch_size=PARSE_BATCH, disable=["attribute_ruler", "lemmatizer"])
        return [frame_of(_spaces_ruled(doc)) for doc in parsed]


@dataclass(frozen=True, slots=True)
class Roles:
    """A claim's frame in canonical entities: the actors and targets among its anchors, and
    its predicates (light verbs left out)."""

    actors: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()
    predicates: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, list[str]]:
        return {
            "actors": sorted(self.actors),
            "targets": sorted(self.targets),
            "predicates": sorted(self.predicates),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Iterable[str]] | None) -> Roles:
        data = data or {}
        return cls(
            frozenset(data.get("actors") or ()),
            frozenset(data.get("targets") or ()),
            frozenset(data.get("predicates") or ()),
        )


def roles_of(frame: Frame, mentions: Iterable[tuple[str, int, int]]) -> Roles:
    """Which of a claim's entity mentions (entity key, start, end in the claim text) are its
    actors and which its targets: those overlapping the frame's spans."""

    def inside(spans: tuple[tuple[int, int], ...]) -> Iterator[str]:
        for key, start, end in mentions:
            if any(start < e and s < end for s, e in spans):
                yield key

    mentions = list(mentions)
    actors = frozenset(inside(frame.actors))
    return Roles(
        actors,
        frozenset(inside(frame.targets)) - actors,
        frozenset(frame.predicates) - LIGHT_PREDICATES,
    )


def claim_roles(
    claims: Sequence[Any], mentions: Mapping[str, Sequence[tuple[str, int, int]]]
) -> dict[str, Roles]:
    """Roles of the claims that name an anchor (`mentions`: claim id -> its anchors' entity
    keys and spans in the claim text); a claim's `frame` is used where the claim stage set it,
    else its text is parsed now (a stored claim: relink, evaluation)."""
    named = [c for c in claims if mentions.get(c.id)]
    missing = [c for c in named if getattr(c, "frame", None) is None]
    parsed = dict(
        zip((c.id for c in missing), parse_frames([c.text for c in missing]), strict=True)
    )
    return {c.id: roles_of(parsed.get(c.id) or c.frame, mentions[c.id]) for c in named}


# ---------------------------------------------------------------------------------------------
# When: a claim that dates its act by the day


@derived
def _day_pattern() -> re.Pattern[str]:
    """Words of claimgraph/data/timeline.yaml that date an act by the day it happened: a
    weekday ("denied the claims Friday"; not "Super Tuesday"), a day named from the telling
    ("yesterday", "last night") or a count of days or weeks back ("two weeks ago")."""
    raw = load_vocabulary("timeline")
    weekdays = "|".join(re.escape(str(d)) for d in raw["weekdays"])
    weekdays += "|" + "|".join(re.escape(str(d).upper()) for d in raw["weekdays"])
    prefixes = "".join(rf"(?<!{re.escape(str(p))} )" for p in raw["weekday_name_prefixes"])
    relative = "|".join(
        re.escape(str(k)).replace(r"\ ", r"\s+")
        for k in sorted(raw["relative_days"], key=len)[::-1]
    )
    numbers = "|".join(re.escape(str(k)) for k in raw["numbers"]) + r"|\d+"
    return re.compile(
        rf"{prefixes}\b(?:{weekdays})\b"
        rf"|\b(?i:{relative})\b"
        rf"|\b(?i:(?:{numbers})\s+(?:days?|weeks?)\s+ago)\b"
    )


def dates_its_day(text: str) -> bool:
    """Whether a claim dates what it tells by the day ("The White House denied the claims
    Friday", "took the reins two weeks ago"): an event of that day, which a claim told more
    than a week away retells only by telling the same act (`claimgraph.link.narratives`)."""
    return bool(_day_pattern().search(text))


# ---------------------------------------------------------------------------------------------
# How much: a result split between two sides


@derived
def _split_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """claimgraph/data/figures.yaml as two patterns: a split ("46 percent to 45 percent",
    "28-24", not after "from" or "between") and a tie ("tied ... at 46")."""
    raw = load_vocabulary("figures")
    number = r"(\d+(?:\.\d+)?)"
    units = sorted((str(u) for u in raw["split_units"]), key=len, reverse=True)
    unit = r"(?:\s*(?:" + "|".join(re.escape(u).replace(r"\ ", r"\s+") for u in units) + r"))?"
    ties = "|".join(re.escape(str(w)) for w in raw["tie_words"])
    split = re.compile(
        rf"(?<![\w.,])(?<!from )(?<!between ){number}{unit}\s*(?:to|-|\u2013|\u2014)\s*"
        rf"{number}{unit}(?![\w.,]*\d)",
        re.IGNORECASE,
    )
    tie = re.compile(rf"\b(?:{ties})\b(?:\s+\S+){{0,3}}?\s+at\s+{number}", re.IGNORECASE)
    return split, tie


def result_splits(text: str) -> frozenset[frozenset[str]]:
    """The results split between two sides that a claim states, each as the set of its two
    figures ("46 percent to 45 percent" -> {46, 45}; "tied at 46" -> {46}): two claims that
    both state one and share none tell two results (`claimgraph.link.narratives`)."""
    split, tie = _split_patterns()
    found = {frozenset((a, b)) for a, b in split.findall(text)}
    found |= {frozenset((n,)) for n in tie.findall(text)}
    return frozenset(found)


# ---------------------------------------------------------------------------------------------
# Pieces cut out of a sentence after its verb


@derived
def _cut_off_pattern() -> re.Pattern[str]:
    """A name (up to five capitalised words) right before a preposition of data/frames.yaml
    `cut_off_prepositions`, at the start of a claim ("NATO preparing for war" is no such piece)."""
    words = load_vocabulary("frames").get("cut_off_prepositions") or []
    prepositions = "|".join(re.escape(str(w).lower()) for w in words) or r"(?!)"
    name = r"[A-Z][\w.'\u2019-]*"
    return re.compile(rf"^[\W_]*(?:{name}\s+){{0,4}}{name}\s+(?:{prepositions})\s")


def starts_as_cut_off_object(text: str) -> bool:
    """Whether a claim starts like the object of a verb it lost ("North Korea from testing
    ballistic missiles", "Romney as an enemy of women's rights"); `claimgraph.link.narratives`
    also asks that it have no verb of its own."""
    return bool(_cut_off_pattern().match(text))


@derived
def _cut_off_end() -> re.Pattern[str]:
    """A claim's last word in data/frames.yaml `cut_off_endings`, or a dash, comma or opening
    bracket at its end."""
    words = load_vocabulary("frames").get("cut_off_endings") or []
    endings = "|".join(re.escape(str(w).lower()) for w in words) or r"(?!)"
    return re.compile(rf"(?:\b(?:{endings})|[-\u2013\u2014(,:;])[\W_]*$", re.IGNORECASE)


def ends_cut_off(text: str) -> bool:
    """Whether a claim stops before its sentence does ("... as 'former executive' and"): it
    ends on a word of data/frames.yaml `cut_off_endings` or a dash, without a full stop."""
    stripped = text.rstrip()  # an ellipsis ("...", as titles are shortened) ends with "."
    return not stripped.endswith((".", "?", "!", '"', "\u201d", "\u2026")) and bool(
        _cut_off_end().search(stripped)
    )


# ---------------------------------------------------------------------------------------------
# Names that stand for one actor in a narrative


@derived
def _one_anchor() -> dict[str, str]:
    """Entity key -> the key it counts as (data/anchors.yaml `one_anchor`, names slugged as
    entity keys are: "Moscow" -> "moscow" -> "russia")."""
    raw = load_vocabulary("anchors").get("one_anchor") or {}
    table = {entity_slug(str(name)): entity_slug(str(actor)) for name, actor in raw.items()}
    # A well-known person's lone surname (data/people.yaml, whose surnames are each one
    # person's) counts as the person: a store made before surnames were resolved across
    # documents keeps "Obama" apart from "Barack Obama".
    for row in load_vocabulary("people").get("people") or []:
        name = str(row.get("name") or "")
        surname = str(row.get("surname") or name.split()[-1] if name else "")
        if surname and surname != name:
            table.setdefault(entity_slug(surname), entity_slug(name))
    return table


def one_anchor(key: str) -> str:
    """The anchor an entity key counts as when claims are compared for a narrative: a capital
    for its state ("Moscow had interfered" / "Russia interfered"), a people's adjective for its
    country; any other key is itself."""
    return _one_anchor().get(key, key)


@derived
def _doubting_verbs() -> frozenset[str]:
    return frozenset(str(w).lower() for w in load_vocabulary("frames").get("doubting_verbs") or [])


def doubts(predicates: Iterable[str]) -> bool:
    """Whether a claim's main verb doubts what it introduces (data/frames.yaml
    `doubting_verbs`: "questioned the conclusion that Moscow had meddled"): a negative
    polarity, like "did not"."""
    verbs = _doubting_verbs()
    return any(p in verbs for p in predicates)
