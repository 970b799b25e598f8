"""Action frames: which kind of act a claim reports (supply, transport, withdraw, ...).

Sentence embeddings of claims about one conflict are dominated by its parties: "US aircraft
airdrop weapons to ISIS" and "US helicopters move ISIS leaders" share their actors and most of
their words, and all-MiniLM-L6-v2 puts them closer together than two retellings of either one.
A narrative is one act told again, so the narrative index also compares the act itself: each
claim gets the action classes of `claimgraph/data/actions.yaml` found in its words, and the
index scores a shared act between claims about the same parties (see
`claimgraph.link.narratives`). Matching is on word forms, not a parse, so it costs nothing next
to the encoder and behaves the same on every backend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from claimgraph.link.claims import lemma_forms
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
        """The action classes a text names, in the vocabulary's order."""
        words = _WORD.findall(text.lower())
        found: set[str] = set()
        for i, word in enumerate(words):
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
