"""The linking stage the engine runs around each write batch: claims, their dates, narratives.

Claims are extracted per document (they only need that document) and written with it, so a
killed run never leaves a document without its claims. Narratives are cross-document: the
index lives in memory during a run, takes each batch's claims, and is saved with the
assignments at the end; a run that stopped before saving leaves claims whose `narrative_id` is
NULL, and the next run adds those first. Nothing already assigned is recomputed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from claimgraph.link.claims import DEFAULT_THRESHOLD as CLAIM_THRESHOLD
from claimgraph.link.claims import Claim, RuleScorer, Scorer, extract_claims
from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL, Encoder, load_encoder
from claimgraph.link.narratives import DEFAULT_THRESHOLD as NARRATIVE_THRESHOLD
from claimgraph.link.narratives import NarrativeIndex
from claimgraph.link.vectors import pack, read_vectors, write_vectors
from claimgraph.model import Document
from claimgraph.store import Store
from claimgraph.store import narratives as stored_narratives
from claimgraph.store.database import StaleLinkState

STATE_KEY = "narrative_index"


class CachedEncoder:
    """Embed each text once per batch: the check-worthiness scorer and the narrative index ask
    for the same claims' vectors."""

    def __init__(self, encoder: Encoder) -> None:
        self.inner = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vector in zip(
                missing, self.inner.encode(missing, batch_size=batch_size), strict=True
            ):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._cache[t] for t in texts])

    def seed(self, texts: list[str], vectors: np.ndarray) -> None:
        """Vectors computed elsewhere (a worker's claim stage) for these texts."""
        for text, vector in zip(texts, vectors, strict=True):
            self._cache[text] = vector

    def clear(self) -> None:
        self._cache.clear()


@dataclass(slots=True)
class LinkSettings:
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    claim_threshold: float | None = CLAIM_THRESHOLD  # None: checkability decides, the score ranks
    narrative_threshold: float = NARRATIVE_THRESHOLD


def load_scorer(encoder: Any) -> Scorer:
    """The shipped check-worthiness model; the transparent rule scorer only when none ships.

    The scorer's name is recorded on every claim (`claims.scored_by`), so results always say
    what made them.
    """
    try:
        from claimgraph.link.checkworthiness import (
            CheckworthinessScorer,
            _same_encoder,
            shipped_encoder_name,
        )
    except ImportError:
        return RuleScorer()
    trained_with = shipped_encoder_name()
    if _same_encoder(str(getattr(encoder, "name", "")), trained_with):
        return CheckworthinessScorer.load(encoder=encoder)
    # Another model for matching (e.g. a multilingual one): the scorer keeps the encoder its
    # weights were trained with, loaded on its own; both names are recorded on every claim.
    return CheckworthinessScorer.load()


def date_claims(doc: Document, claims: list[Claim]) -> list[Claim]:
    """A claim's date is when it was told: when its source said it, where the text reports
    that (the attribution's date), else the document's publication date, else none (an
    undated retelling). Dates of events inside the claim ("a record set in 1947") are what
    it is about, not when it was told, so they never date it. Precision follows the text."""
    for claim in claims:
        date = None
        if claim.attribution_index is not None:
            date = doc.attributions[claim.attribution_index].date
        if date is None and doc.date:
            date = doc.date
        claim.date = date
        claim.date_precision = {10: "day", 7: "month", 4: "year"}.get(len(date)) if date else None
    return claims


class Linker:
    """Holds the models and the narrative index for one run."""

    def __init__(
        self, store: Store, settings: LinkSettings | None = None, encoder: Encoder | None = None
    ) -> None:
        self.settings = settings or LinkSettings()
        self.store = store
        self.encoder = CachedEncoder(encoder or load_encoder(self.settings.embedding_model))
        self.scorer = load_scorer(self.encoder)
        self.added: dict[str, None] = {}  # claim ids this run indexed (ordered set)
        self._load()

    def _load(self) -> None:
        """The stored narratives (settings from link_state, claims and keys from the store's
        tables, the neighbour index from its file or rebuilt from claim_vectors), then the
        claims stored but never indexed: those of a run stopped before it saved, of a schema
        migration, or, after a lost race, this run's own."""
        settings, self._revision = self.store.link_state_revision(STATE_KEY)
        if settings is not None:
            self.index = NarrativeIndex.from_settings(settings, self.encoder)
        else:
            self.index = NarrativeIndex(self.encoder, threshold=self.settings.narrative_threshold)
        self._new_rows: dict[str, tuple[int, list[str]]] = {}
        rows = stored_narratives.indexed_claims(self.store)
        if rows:
            ids = [r["id"] for r in rows]
            self.index.restore(
                [_claim_from_row(r) for r in rows],
                {r["id"]: json.loads(r["anchors"] or "[]") for r in rows},
                stored_narratives.narrative_ids_of(rows),
                vectors=lambda: read_vectors(self.store, ids, model=self.encoder.name)[1],
                ann_path=stored_narratives.ann_path(self.store),
            )
        pending = self.store.unlinked_claims()
        if pending:
            claims = [_claim_from_row(r) for r in pending]
            # Vectors stored by an earlier run are used as they are: nothing is re-embedded.
            have, vectors, _ = read_vectors(
                self.store, [c.id for c in claims], model=self.encoder.name
            )
            if have:
                text = {c.id: c.text for c in claims}
                self.encoder.seed([text[i] for i in have], vectors)
            self._add(claims)
            self.encoder.clear()

    def describe(self) -> str:
        return (
            f"claims scored by {getattr(self.scorer, 'name', '?')}; embeddings {self.encoder.name}"
        )

    def claims(self, docs: list[Document]) -> None:
        """Extract, score and date each document's claims (set on `doc.claims`)."""
        for doc in docs:
            doc.claims = date_claims(
                doc, extract_claims(doc, self.scorer, threshold=self.settings.claim_threshold)
            )

    def add_written(self, docs: list[Document]) -> None:
        """Give the claims of documents just written to the narrative index."""
        self._add([c for d in docs for c in d.claims])
        self.encoder.clear()

    def _add(self, claims: list[Claim]) -> None:
        if not claims:
            return
        ids = [c.id for c in claims]
        # The claim stage embedded these texts: the cache hands the same vectors back.
        vectors = np.asarray(self.encoder.encode([c.text for c in claims]), dtype=np.float32)
        write_vectors(self.store, ids, vectors, self.encoder.name)
        anchors = stored_narratives.claim_anchors(self.store, ids)
        before = len(self.index)
        self.index.add(claims, anchors, vectors)
        for claim in claims:
            self.added[claim.id] = None
            row = self.index.row_of(claim.id)
            if row is not None and row >= before:
                self._new_rows[claim.id] = (row, anchors.get(claim.id, []))

    def save(self, tries: int = 5) -> None:
        """Save what changed (candidates touched, merges, new claims' keys), then the neighbour
        index file; if another run saved first, reload, re-add this run's claims (they are
        stored, still without a narrative) and save again."""
        for attempt in range(tries):
            changed = self.index.changed()
            if not changed and not self._new_rows and self._revision and attempt == 0:
                return
            touched = set(changed)
            reported = self.index.narratives(only=touched)
            assignments = {cid: nid for nid, cids in changed.items() for cid in cids}
            sums = {}
            for narrative in reported:
                total = self.index.centroid_sum(narrative.id)
                if total is not None:
                    sums[narrative.id] = (pack(total[0]), total[1])
            try:
                self._revision = self.store.save_narratives(
                    STATE_KEY,
                    self.index.settings(),
                    reported,
                    assignments,
                    expected_revision=self._revision,
                    merged=self.index.merges(),
                    touched=touched,
                    index_rows=self._new_rows,
                    sums=sums,
                )
            except StaleLinkState:
                if attempt == tries - 1:
                    raise
                self._load()
                continue
            path = stored_narratives.ann_path(self.store)
            if path:
                self.index.save_ann(path)
            self.index.clear_touched()
            self.index.merged.clear()
            self._new_rows = {}
            return

    def finish(self) -> int | None:
        """Save the narrative index, then link this run's claims to the imported fact-checks
        (if any: None when there are none); returns how many have a confident link (possible
        matches are not counted as fact-checked). `claimgraph factchecks match` redoes all."""
        from claimgraph.factchecks.match import match_claims
        from claimgraph.factchecks.store import count_factchecks

        self.save()
        if not self.added or not count_factchecks(self.store):
            return None
        match_claims(self.store, claim_ids=list(self.added))
        linked = 0
        ids = list(self.added)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join(f":c{i}" for i in range(len(chunk)))
            linked += self.store.query(
                "SELECT COUNT(DISTINCT claim_id) AS n FROM factcheck_links "
                f"WHERE tier = 'confident' AND claim_id IN ({marks})",
                {f"c{i}": c for i, c in enumerate(chunk)},
            )[0]["n"]
        return linked


def _claim_from_row(row: dict[str, Any]) -> Claim:
    return Claim(
        id=row["id"],
        document_id=row["document_id"],
        text=row["text"],
        start=row["start_char"],
        end=row["end_char"],
        attribution_index=None,
        checkworthiness=row["checkworthiness"],
        scored_by=row["scored_by"],
        date=row["date"],
        date_precision=row["date_precision"],
        anonymous=bool(row["anonymous"]),
        hedged=bool(row["hedged"]),
        evidence_not_shown=bool(row["evidence_not_shown"]),
        speaker=row["speaker"],
        speaker_entity_key=row["speaker_entity_id"],
        outlet=row["outlet"] or row.get("document_outlet"),
        signal_types=json.loads(row["signal_types"] or "[]"),
    )
