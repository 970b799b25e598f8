"""Narratives: the same claim told again across documents, grouped incrementally.

`NarrativeIndex` is an online "leader" clustering of claim embeddings. Each claim, in the order
it arrives, joins the narrative whose centroid is most similar to it, if that similarity reaches
`threshold`; otherwise it starts a new candidate narrative. Nothing already assigned is ever
revisited, so adding documents costs one search per new claim, a narrative keeps its id as it
grows (the id is derived from its first claim), and adding documents one at a time gives exactly
what adding them in one call does (a call is the same claims, in the same order).

Similarity is measured after **centring**: the running mean of every claim the index has seen
is subtracted from the claim and from the centroids before the cosine is taken. What every
claim in a collection shares (in a collection about Russia and the West, "the West"; in one
about the US and ISIS, "the US helps ISIS") says nothing about which narrative a claim belongs
to, just as a word in every document says nothing in TF-IDF. On EUvsDisinfo (eval/narratives.py)
centring gives the same pairwise theme agreement as raw cosine at about 1.6 times the coverage.
The mean moves as claims arrive; centroids are re-centred on the fly, assignments are not.

The default threshold (0.45) was chosen on EUvsDisinfo, not on the sample: it lies on the plateau
of adjusted Rand index against the cases' themes, where three in four pairs of claims this
similar share a theme keyword (eval/narratives.py prints the sweep). A candidate is reported as a
narrative once it holds `min_claims` claims from at least `min_documents` documents. The default
asks for two claims from any documents: a claim an article makes twice, in a quote and again on
a newspaper's word, is already a narrative worth showing; `document_ids` shows how far it spread.

Tried and left out: embedding claims with their named entities masked, alone or mixed with the
full-text embedding, lowered theme agreement on EUvsDisinfo at every coverage (the entities are
what most narratives there are about); so did plain cosine without centring.

**Actions.** With all-MiniLM-L6-v2, claims that differ in their action but share their actors
("US aircraft drop supplies to ISIS" / "US helicopters move ISIS leaders") are no further apart
than retellings of one action: once centred, the sample's retellings of one act score from -0.2
to 0.4 with each other, and retellings of the other act up to 0.26. So each claim also carries
the action classes its words name (claimgraph.link.frames, `data/actions.yaml`: supply,
transport, withdraw, attack, ...), and a cluster's score gains `action_weight` times the share
of its members that name the claim's action, but only where the plain (uncentred) cosine to the
cluster's centroid is at least `action_gate`, that is where both are about the same parties.
The bonus is conjunctive on purpose: added as plain extra dimensions, actions alone merged
unrelated EUvsDisinfo claims that merely share a verb class (keyword pair precision 0.755 ->
0.375). With the gate, EUvsDisinfo pays about nine points of keyword pair precision at equal
threshold (0.755 -> 0.661, coverage 0.78 -> 0.80: keywords name themes, so splitting a theme by
act or joining two themes' retellings of one act is not rewarded by them), while its US-ISIS
cases form purer narratives (pooled share 21% -> 37%; "U.S evacuated ISIS leaders ..." 7 of 10
-> 11 of 11). Claims naming no listed act are clustered on their text alone, as before.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from claimgraph.link.claims import Claim
from claimgraph.link.frames import ActionVocabulary, default_actions

DEFAULT_THRESHOLD = 0.45
# The action bonus (see the module docstring): a cluster's score gains ACTION_WEIGHT times the
# share of its members naming the claim's action, where the plain cosine to its centroid is at
# least ACTION_GATE. eval/narratives.py sweeps both on EUvsDisinfo (--action-weights/-gates).
DEFAULT_ACTION_WEIGHT = 0.75
DEFAULT_ACTION_GATE = 0.5
DEFAULT_MIN_CLAIMS = 2
DEFAULT_MIN_DOCUMENTS = 1
# Up to this many candidate narratives, the nearest centroid is found exactly; past it, an
# approximate (usearch HNSW) index proposes `ANN_CANDIDATES` that are then scored exactly.
EXACT_SEARCH_LIMIT = 20_000
ANN_CANDIDATES = 32
STATE_VERSION = 1
_EPS = 1e-6


class Encoder(Protocol):
    """What the index needs from claimgraph.link.embeddings.Encoder."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(slots=True)
class Narrative:
    """A claim told again: its members, who told it, where, when, and on what footing."""

    id: str
    label: str  # the text of its most central claim
    label_claim_id: str
    claim_ids: list[str]
    document_ids: list[str]
    outlets: list[str]
    speakers: list[str]
    first_seen: str | None
    last_seen: str | None
    anonymous_share: float  # share of its claims resting on an anonymous source
    hedged_share: float
    evidence_not_shown_share: float
    cohesion: float  # mean cosine of its claims to their centroid: how tight the grouping is


@dataclass(slots=True)
class _Member:
    """What a narrative keeps of each claim (plain data, so the index can be persisted)."""

    claim_id: str
    document_id: str
    text: str
    outlet: str | None
    speaker: str | None
    date: str | None
    anonymous: bool
    hedged: bool
    evidence_not_shown: bool

    @classmethod
    def of(cls, claim: Claim) -> _Member:
        return cls(
            claim.id,
            claim.document_id,
            claim.text,
            claim.outlet,
            claim.speaker,
            claim.date,
            claim.anonymous,
            claim.hedged,
            claim.evidence_not_shown,
        )


@dataclass(slots=True)
class _Cluster:
    id: str
    members: list[_Member] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)


def narrative_id(first_claim_id: str) -> str:
    """A narrative is named after the claim that started it, so its id never changes."""
    return "narr_" + hashlib.sha1(first_claim_id.encode()).hexdigest()[:16]


def _pack(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f8").tobytes()).decode("ascii")


def _unpack(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8").copy()


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, _EPS)


class NarrativeIndex:
    """Incremental narrative clustering over claims; see the module docstring for the method."""

    def __init__(
        self,
        encoder: Encoder,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        min_claims: int = DEFAULT_MIN_CLAIMS,
        min_documents: int = DEFAULT_MIN_DOCUMENTS,
        centre: bool = True,
        exact_search_limit: int = EXACT_SEARCH_LIMIT,
        action_weight: float = DEFAULT_ACTION_WEIGHT,
        action_gate: float = DEFAULT_ACTION_GATE,
        actions: ActionVocabulary | None = None,
    ) -> None:
        self.encoder = encoder
        self.action_weight = float(action_weight)
        self.action_gate = float(action_gate)
        self.actions = actions or default_actions()
        self.centre = bool(centre)  # False: plain cosine (kept to measure what centring buys)
        self.threshold = float(threshold)
        self.min_claims = int(min_claims)
        self.min_documents = int(min_documents)
        self.exact_search_limit = int(exact_search_limit)
        self._text_dim = int(encoder.dim)
        extra = len(self.actions.classes) if self.action_weight > 0 else 0
        self._dim = self._text_dim + extra
        self._zero = np.zeros(self._text_dim)
        self._act = np.zeros((0, self._dim - self._text_dim), dtype=np.float32)
        self._total = np.zeros(self._dim)  # sum of every claim vector seen: the running mean
        self._seen = 0
        self._clusters: list[_Cluster] = []
        self._sums = np.zeros((0, self._dim))  # row i: sum of cluster i's member vectors
        self._counts = np.zeros(0)
        # Row i: cluster i's centroid (float32) and its squared norm, updated one row per claim,
        # so finding the nearest narrative is one (clusters x dim) product and nothing is rebuilt.
        self._cent = np.zeros((0, self._text_dim), dtype=np.float32)
        self._square = np.zeros(0, dtype=np.float32)
        self._of_claim: dict[str, int] = {}
        self._ann: Any = None  # usearch index over centred centroids, built past the limit

    # ---------------------------------------------------------------------------------------
    # Adding claims

    def add(self, claims: Iterable[Claim]) -> None:
        """Assign new claims in order; claims already in the index are ignored (idempotent)."""
        fresh: list[Claim] = []
        seen: set[str] = set()
        for claim in claims:
            if claim.id not in self._of_claim and claim.id not in seen:
                fresh.append(claim)
                seen.add(claim.id)
        if not fresh:
            return
        vectors = np.asarray(self.encoder.encode([c.text for c in fresh]), dtype=np.float64)
        if vectors.shape != (len(fresh), self._text_dim):
            raise ValueError(
                f"encoder returned {vectors.shape}, expected ({len(fresh)}, {self._text_dim})"
            )
        vectors = self._with_actions([c.text for c in fresh], vectors)
        for claim, vector in zip(fresh, vectors, strict=True):
            self._assign(claim, vector)

    def _with_actions(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """Text embeddings with each claim's action indicator (unit, or zeros) appended: summed
        into a cluster, those columns count how many of its members name each action."""
        if self._dim == self._text_dim:
            return vectors
        acts = np.array([self.actions.vector(t) for t in texts]).reshape(len(texts), -1)
        return np.hstack([vectors, acts])

    def _assign(self, claim: Claim, vector: np.ndarray) -> None:
        self._total += vector
        self._seen += 1
        text, action = vector[: self._text_dim], vector[self._text_dim :]
        mean = self._total[: self._text_dim] / self._seen if self.centre else self._zero
        query = text - mean
        norm = float(np.linalg.norm(query))
        best = None
        if norm > _EPS and self._clusters:
            best = self._nearest(query / norm, mean, text, action)
        if best is None:
            best = len(self._clusters)
            self._clusters.append(_Cluster(narrative_id(claim.id)))
            self._grow(best + 1)
        cluster = self._clusters[best]
        cluster.members.append(_Member.of(claim))
        cluster.vectors.append(vector)
        self._sums[best] += vector
        self._counts[best] += 1
        self._set_centroid(best)
        self._of_claim[claim.id] = best
        self._index_centroid(best, mean)

    def _grow(self, size: int) -> None:
        """Room for `size` clusters (capacity doubles, so adding stays linear)."""
        if size > len(self._counts):
            capacity = max(size, 2 * len(self._counts), 64)
            sums = np.zeros((capacity, self._dim))
            sums[: len(self._counts)] = self._sums
            counts = np.zeros(capacity)
            counts[: len(self._counts)] = self._counts
            cent = np.zeros((capacity, self._text_dim), dtype=np.float32)
            cent[: len(self._cent)] = self._cent
            square = np.zeros(capacity, dtype=np.float32)
            square[: len(self._square)] = self._square
            act = np.zeros((capacity, self._dim - self._text_dim), dtype=np.float32)
            act[: len(self._act)] = self._act
            self._sums, self._counts, self._cent, self._square = sums, counts, cent, square
            self._act = act

    def _set_centroid(self, row: int) -> None:
        centroid = self._sums[row] / self._counts[row]
        text = centroid[: self._text_dim]
        self._cent[row] = text
        self._square[row] = text @ text
        self._act[row] = centroid[self._text_dim :]  # share of members naming each action

    def _centred(self, rows: np.ndarray | slice, mean: np.ndarray) -> np.ndarray:
        text = self._sums[rows, : self._text_dim] / self._counts[rows, None]
        return _unit(text - mean)

    def _nearest(
        self, query: np.ndarray, mean: np.ndarray, raw: np.ndarray, action: np.ndarray
    ) -> int | None:
        """The cluster most similar to the claim, if >= threshold: the centred cosine of the
        text, plus `action_weight` times the share of the cluster naming the claim's action
        when the plain cosine says both are about the same parties (>= `action_gate`)."""
        if len(self._clusters) <= self.exact_search_limit:
            candidates: np.ndarray | slice = slice(0, len(self._clusters))
        else:
            candidates = self._ann_candidates(query, mean)
        # cos(q, c - m) = (q.c - q.m) / |c - m|, without building the centred matrix: one
        # product of the centroids with [q, m] gives both q.c and c.m (and, with the claim's
        # plain vector as a third column, the plain cosine the action bonus is gated on), so
        # the centroid matrix is read once per claim: that read is what a claim costs.
        acting = self.action_weight > 0 and bool(action.any())
        columns = [query, mean, raw] if acting else [query, mean]
        dots = self._cent[candidates] @ np.stack(columns, axis=1).astype(np.float32)
        square = self._square[candidates]
        norms = np.sqrt(np.maximum(square - 2 * dots[:, 1] + float(mean @ mean), _EPS))
        scores = (dots[:, 0] - float(query @ mean)) / norms
        if acting:
            plain = dots[:, 2] / np.sqrt(np.maximum(square, _EPS))
            shared = self._act[candidates] @ action.astype(np.float32)
            scores = scores + self.action_weight * shared * (plain >= self.action_gate)
        top = int(np.argmax(scores))  # first of equals: the older narrative wins a tie
        if scores[top] < self.threshold:
            return None
        return top if isinstance(candidates, slice) else int(candidates[top])

    def _ann_candidates(self, query: np.ndarray, mean: np.ndarray) -> np.ndarray:
        if self._ann is None:
            self._build_ann(mean)
        matches = self._ann.search(query.astype(np.float32), ANN_CANDIDATES)
        return np.sort(np.asarray(matches.keys, dtype=np.int64))

    def _build_ann(self, mean: np.ndarray) -> None:
        from usearch.index import Index

        self._ann = Index(ndim=self._text_dim, metric="cos", dtype="f32")
        keys = np.arange(len(self._clusters), dtype=np.int64)
        rows = slice(0, len(self._clusters))
        self._ann.add(keys, self._centred(rows, mean).astype(np.float32))

    def _index_centroid(self, row: int, mean: np.ndarray) -> None:
        """Keep the approximate index (when in use) in step with a changed centroid."""
        if self._ann is None:
            if len(self._clusters) > self.exact_search_limit:
                self._build_ann(mean)
            return
        if row in self._ann:
            self._ann.remove(row)
        self._ann.add(row, self._centred(slice(row, row + 1), mean)[0].astype(np.float32))

    # ---------------------------------------------------------------------------------------
    # Reading narratives

    def narrative_of(self, claim_id: str) -> str | None:
        """The id of the narrative (or candidate) a claim was assigned to."""
        row = self._of_claim.get(claim_id)
        return None if row is None else self._clusters[row].id

    def narratives(
        self, *, min_claims: int | None = None, min_documents: int | None = None
    ) -> list[Narrative]:
        """Candidates big enough to report (the index's settings unless given), largest first."""
        claims = self.min_claims if min_claims is None else min_claims
        documents = self.min_documents if min_documents is None else min_documents
        out = [
            self._describe(i)
            for i, c in enumerate(self._clusters)
            if len(c.members) >= claims and len({m.document_id for m in c.members}) >= documents
        ]
        out.sort(key=lambda n: (-len(n.document_ids), -len(n.claim_ids), n.id))
        return out

    def _describe(self, row: int) -> Narrative:
        cluster = self._clusters[row]
        members = cluster.members
        vectors = np.vstack(cluster.vectors)[:, : self._text_dim]  # label and cohesion: text
        total = vectors.sum(axis=0)
        # Most central: highest mean cosine to the other members (first of equals).
        others = (vectors @ total - np.einsum("ij,ij->i", vectors, vectors)) / max(
            len(members) - 1, 1
        )
        # Rounded first: in a two-claim narrative both score the same, and float noise from
        # encoding in other batches must not flip which one labels it (first of equals wins).
        central = members[int(np.argmax(np.round(others, 5)))]
        dates = sorted(m.date for m in members if m.date)
        n = len(members)
        return Narrative(
            id=cluster.id,
            label=central.text,
            label_claim_id=central.claim_id,
            claim_ids=[m.claim_id for m in members],
            document_ids=_unique(m.document_id for m in members),
            outlets=_unique(m.outlet for m in members if m.outlet),
            speakers=_unique(m.speaker for m in members if m.speaker),
            first_seen=dates[0] if dates else None,
            last_seen=dates[-1] if dates else None,
            anonymous_share=sum(m.anonymous for m in members) / n,
            hedged_share=sum(m.hedged for m in members) / n,
            evidence_not_shown_share=sum(m.evidence_not_shown for m in members) / n,
            cohesion=float(np.mean(_unit(vectors) @ _unit(total))),
        )

    def __len__(self) -> int:
        return len(self._of_claim)

    # ---------------------------------------------------------------------------------------
    # Persistence

    def state(self) -> dict[str, Any]:
        """Everything needed to carry on later, as JSON-ready plain data."""
        return {
            "version": STATE_VERSION,
            "encoder": self.encoder.name,
            "dim": self._text_dim,
            "threshold": self.threshold,
            "min_claims": self.min_claims,
            "min_documents": self.min_documents,
            "centre": self.centre,
            "action_weight": self.action_weight,
            "action_gate": self.action_gate,
            "action_classes": list(self.actions.classes) if self._dim > self._text_dim else [],
            "seen": self._seen,
            "total": _pack(self._total[: self._text_dim]),
            "clusters": [
                {
                    "id": c.id,
                    "members": [
                        asdict(m) | {"vector": _pack(v[: self._text_dim])}
                        for m, v in zip(c.members, c.vectors, strict=True)
                    ],
                }
                for c in self._clusters
            ],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], encoder: Encoder) -> NarrativeIndex:
        """Rebuild an index saved by `state`; the encoder must be the one that made it."""
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported narrative state version {state.get('version')!r}")
        if state["encoder"] != encoder.name or int(state["dim"]) != int(encoder.dim):
            raise ValueError(
                f"narratives were built with encoder {state['encoder']!r} ({state['dim']} dims), "
                f"not {encoder.name!r} ({encoder.dim}): re-run them with that model"
            )
        index = cls(
            encoder,
            threshold=state["threshold"],
            min_claims=state["min_claims"],
            min_documents=state["min_documents"],
            centre=state["centre"],
            # A state saved before action frames existed gets them now: the vectors kept are
            # the text embeddings, and the frames are re-derived from the member texts.
            action_weight=state.get("action_weight", DEFAULT_ACTION_WEIGHT),
            action_gate=state.get("action_gate", DEFAULT_ACTION_GATE),
        )
        index._seen = int(state["seen"])
        index._total = np.zeros(index._dim)
        sums, counts = [], []
        for row, raw in enumerate(state["clusters"]):
            cluster = _Cluster(raw["id"])
            for member in raw["members"]:
                fields = {k: v for k, v in member.items() if k != "vector"}
                cluster.members.append(_Member(**fields))
                index._of_claim[fields["claim_id"]] = row
            texts = [m.text for m in cluster.members]
            text_vectors = np.array([_unpack(m["vector"]) for m in raw["members"]])
            cluster.vectors = list(index._with_actions(texts, text_vectors))
            index._total += np.sum(cluster.vectors, axis=0)
            index._clusters.append(cluster)
            sums.append(np.sum(cluster.vectors, axis=0))
            counts.append(float(len(cluster.vectors)))
        index._grow(len(sums))
        for row, (total, count) in enumerate(zip(sums, counts, strict=True)):
            index._sums[row] = total
            index._counts[row] = count
            index._set_centroid(row)
        return index


def _unique(values: Iterable[str]) -> list[str]:
    """Distinct values in order of first appearance."""
    return list(dict.fromkeys(values))


def group_claims(claims: Sequence[Claim], encoder: Encoder, **settings: Any) -> list[Narrative]:
    """One-shot convenience: the narratives of `claims` with the default (or given) settings."""
    index = NarrativeIndex(encoder, **settings)
    index.add(claims)
    return index.narratives()
