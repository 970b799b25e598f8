"""Linking: claims (per document, `ClaimStage`) and narratives (across documents, `Linker`).

Claims only need their own document, so `ClaimStage` runs in the per-document stage, wherever
the engine annotates (this process, worker processes, Ray actors): it extracts, scores and
dates each document's claims and embeds them, one transformer call over a chunk of documents,
each claim embedded once (`embedding_text`) for the scorer, the narrative index and the stored
vector alike. Claims are written with their document, so a killed run never leaves a document
without its claims. Narratives are cross-document: the
index lives in memory during a run, takes each batch's claims, and is saved with the
assignments at the end; a run that stopped before saving leaves claims whose `narrative_id` is
NULL, and the next run adds those first. Nothing already assigned is recomputed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from claimgraph.annotate.language import claims_in_english
from claimgraph.link.claims import DEFAULT_THRESHOLD as CLAIM_THRESHOLD
from claimgraph.link.claims import Claim, RuleScorer, Scorer, extract_claims_batch
from claimgraph.link.embeddings import (
    DEFAULT_EMBEDDING_MODEL,
    CachedEncoder,
    Encoder,
    LazyEncoder,
)
from claimgraph.link.frames import Roles, claim_roles, parse_frames
from claimgraph.link.narratives import ANCHOR_LABELS, NarrativeIndex
from claimgraph.link.narratives import DEFAULT_THRESHOLD as NARRATIVE_THRESHOLD
from claimgraph.link.vectors import pack, read_vectors, write_vectors
from claimgraph.model import Document
from claimgraph.store import Store
from claimgraph.store import narratives as stored_narratives
from claimgraph.store.database import StaleLinkState

STATE_KEY = "narrative_index"
# Sentences per MiniLM forward pass in the claim stage: 32 is as fast as 64 on CPU, and the
# attention buffers of a batch of long sentences peak ~200 MB lower (1,679 news claims:
# +340 MB at 32, +550 MB at 64, +180 MB but a third slower at 16).
ENCODE_BATCH = 32
# New claims between two saves of a run's narratives: what a save writes (assignments, the
# touched candidates, the new claims' keys) is held until then, so a long run saves as it goes
# and its memory does not grow with the corpus (bench/memory.py --link).
SAVE_EVERY = 20_000
LOAD_PAGE = 20_000  # stored claims read at a time when a run starts
PENDING_PAGE = 2_000  # claims never linked (a relink: every claim) added at a time


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
        from claimgraph.link.checkworthiness import CheckworthinessScorer, shipped_for
    except ImportError:
        return RuleScorer()
    folder = shipped_for(str(getattr(encoder, "name", "")))
    if folder is not None:
        return CheckworthinessScorer.load(str(folder), encoder=encoder)
    # Another model for matching (e.g. a multilingual one): the scorer keeps the encoder its
    # weights were trained with, loaded on its own (when it first scores); both names are
    # recorded on every claim.
    from claimgraph.link.checkworthiness import shipped_encoder_name

    return CheckworthinessScorer.load(encoder=LazyEncoder(shipped_encoder_name()))


def embedding_text(text: str) -> str:
    """The form of a claim's text that is embedded: NFKC with straight quotes, as the
    check-worthiness scorer was trained on. One vector per claim serves the scorer, the
    narrative index and the stored vector (a quarter of news claims carry curly quotes; they
    were embedded twice, once in each form)."""
    try:
        from claimgraph.link.checkworthiness import prepare
    except ImportError:  # no trained scorer installed: the text as it is
        return text
    return prepare(text)


class _PrimedScorer:
    """The check-worthiness scorer, with the chunk's claims embedded ONCE before it scores
    them (the scorer finds the vectors in the cache when it shares the stage's encoder)."""

    def __init__(self, scorer: Scorer, cache: CachedEncoder) -> None:
        self.inner = scorer
        self.name = getattr(scorer, "name", type(scorer).__name__)
        self.cache = cache

    def score(self, texts: list[str]) -> Any:
        self.cache.encode([embedding_text(t) for t in texts], batch_size=ENCODE_BATCH)
        return self.inner.score(texts)


class ClaimStage:
    """Per-document linking work: each document's claims, extracted, scored, dated and embedded
    (`Claim.vector`), for a chunk of documents at a time. Picklable settings, so a worker
    process or a Ray actor builds its own from `LinkSettings`. The encoder loads when it first
    embeds (`load` loads it now): the writer of a run whose workers embed never holds it."""

    def __init__(
        self,
        settings: LinkSettings | None = None,
        encoder: Encoder | LazyEncoder | None = None,
    ):
        self.settings = settings or LinkSettings()
        self.encoder = CachedEncoder(encoder or LazyEncoder(self.settings.embedding_model))
        self.scorer = load_scorer(self.encoder)
        self._primed = _PrimedScorer(self.scorer, self.encoder)

    def load(self) -> None:
        """Load the encoders now (before a timed run, or before torch's threads are set)."""
        for encoder in (self.encoder.inner, getattr(self.scorer, "encoder", None)):
            if isinstance(encoder, LazyEncoder):
                encoder.load()

    def describe(self) -> str:
        return (
            f"claims scored by {getattr(self.scorer, 'name', '?')}; embeddings {self.encoder.name}"
        )

    def __call__(self, docs: list[Document]) -> None:
        """Set `doc.claims` on each (English) document, with every claim's vector."""
        claims_in_english(self._extract, docs)

    def _extract(self, docs: list[Document]) -> None:
        try:
            found = extract_claims_batch(
                docs, self._primed, threshold=self.settings.claim_threshold
            )
            for doc, claims in zip(docs, found, strict=True):
                doc.claims = date_claims(doc, claims)
            frame_claims(docs)
            texts = [embedding_text(c.text) for claims in found for c in claims]
            vectors = self.encoder.encode(texts)  # cache hits: embedded while scoring
            for claim, vector in zip((c for claims in found for c in claims), vectors, strict=True):
                claim.vector = vector
        finally:
            self.encoder.clear()


def frame_claims(docs: list[Document]) -> None:
    """Parse who does what to whom in each claim that names an entity the narratives could
    anchor on (`claimgraph.link.frames`; `Claim.frame`), one batch for the chunk: the same
    parse of the same text `claimgraph relink` makes of a stored claim."""
    named = []
    for doc in docs:
        spans = [(m.start, m.end) for m in doc.mentions if m.label in ANCHOR_LABELS]
        for claim in doc.claims:
            if any(claim.start <= s and e <= claim.end for s, e in spans):
                named.append(claim)
    for claim, frame in zip(named, parse_frames([c.text for c in named]), strict=True):
        claim.frame = frame


def date_claims(doc: Document, claims: list[Claim]) -> list[Claim]:
    """A claim's date is when it was told: when its source said it, where the text reports
    that (the attribution's date), else the document's publication date, else none (an
    undated retelling). Dates of events inside the claim ("a record set in 1947") are what
    it is about, not when it was told, so they never date it. Precision follows the text."""
    for claim in claims:
        date = None
        if claim.attribution_index is not None:
            date = doc.attributions[claim.attribution_index].date
        if date and doc.date and _after(date, doc.date):
            # Said after the article reporting it was published: the date the text gave is
            # the event's ("will visit in 2020"), not the statement's.
            date = None
        if date is None and doc.date:
            date = doc.date
        claim.date = date
        claim.date_precision = {10: "day", 7: "month", 4: "year"}.get(len(date)) if date else None
    return claims


def _after(date: str, published: str) -> bool:
    """Whether an ISO date (day, month or year) falls after another, compared at the
    precision both have ("2020" is after "2019-05-03"; "2019" is not)."""
    n = min(len(date), len(published))
    return date[:n] > published[:n]


class Linker:
    """Holds the models and the narrative index for one run."""

    def __init__(
        self,
        store: Store,
        settings: LinkSettings | None = None,
        encoder: Encoder | LazyEncoder | None = None,
    ) -> None:
        self.settings = settings or LinkSettings()
        self.store = store
        self.stage = ClaimStage(self.settings, encoder)
        # A cache of its own over the same model: the writer seeds and clears this one while
        # the claim thread (`per_document(..., overlap=True)`) fills and reads the stage's; one
        # shared dict lost a chunk's vectors between its encode and its read (a KeyError).
        self.encoder = CachedEncoder(self.stage.encoder.inner)
        self.scorer = self.stage.scorer
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
        self._new_rows: dict[str, tuple[int, list[str], dict[str, Any] | None]] = {}
        # A page of stored claims at a time, then their vectors a page at a time when the
        # neighbour index must be rebuilt: a run starting on a large store never holds them all.
        shared = stored_narratives.shared_narrative_ids(self.store)
        for rows in stored_narratives.indexed_claim_pages(self.store, LOAD_PAGE):
            self.index.restore_rows(
                [_claim_from_row(r) for r in rows],
                {r["id"]: json.loads(r["anchors"] or "[]") for r in rows},
                stored_narratives.narrative_ids_of(rows),
                {r["id"]: Roles.from_json(json.loads(r["roles"])) for r in rows if r["roles"]},
                shared=shared,
            )
        del shared
        self.index.restore_neighbours(stored_narratives.ann_path(self.store), self._stored_vectors)
        self._restored = len(self.index)  # rows past it are this run's (`added`)
        pending = self.store.unlinked_claims()
        # A page of claims at a time, in the order they were stored (a relink's whole store:
        # all at once, its vectors, parses and mentions held together, took 4 GB at 4,000
        # articles), each page whole documents, as a run adds them.
        for page in _pages(pending, PENDING_PAGE):
            claims = [_claim_from_row(r) for r in page]
            # Vectors stored by an earlier run are used as they are: nothing is re-embedded.
            have, vectors, _ = read_vectors(
                self.store, [c.id for c in claims], model=self.encoder.name
            )
            if have:
                text = {c.id: c.text for c in claims}
                self.encoder.seed([text[i] for i in have], vectors)
            self._add(claims)
            self.encoder.clear()
        del pending

    def _stored_vectors(self) -> Iterator[tuple[list[int], np.ndarray]]:
        """The stored vectors of the index's anchored rows, a page at a time, in key order."""
        rows = [r for r in range(len(self.index)) if self.index.searchable(r)]
        for start in range(0, len(rows), LOAD_PAGE):
            page = rows[start : start + LOAD_PAGE]
            ids = self.index.claim_ids_of(page)
            have, vectors, _ = read_vectors(self.store, ids, model=self.encoder.name)
            if len(have) != len(ids):
                missing = sorted(set(ids) - set(have))[:3]
                raise ValueError(f"claims indexed without a stored vector: {missing}")
            yield page, vectors

    def describe(self) -> str:
        return self.stage.describe()

    def claims(self, docs: list[Document]) -> None:
        """Extract, score, date and embed each document's claims here (set on `doc.claims`):
        the claim stage, for a caller that annotated the documents itself."""
        self.stage(docs)

    def add_written(self, docs: list[Document]) -> None:
        """Give the claims of documents just written to the narrative index; vectors the claim
        stage computed are used as they are (nothing is embedded twice)."""
        claims = [c for d in docs for c in d.claims]
        known = [c for c in claims if c.vector is not None]
        if known:
            self.encoder.seed([c.text for c in known], np.vstack([c.vector for c in known]))
        self._add(claims)
        self.encoder.clear()
        if len(self._new_rows) >= SAVE_EVERY:
            self.save(final=False)

    @property
    def added(self) -> list[str]:
        """The claims this run indexed, in the order it added them."""
        return self.index.claim_ids_of(range(self._restored, len(self.index)))

    def _add(self, claims: list[Claim]) -> None:
        if not claims:
            return
        ids = [c.id for c in claims]
        # The claim stage embedded these texts: the cache hands the same vectors back.
        vectors = np.asarray(self.encoder.encode([c.text for c in claims]), dtype=np.float32)
        write_vectors(self.store, ids, vectors, self.encoder.name)
        mentions = stored_narratives.claim_mentions(self.store, ids)
        anchors = {cid: sorted({m[0] for m in found}) for cid, found in mentions.items()}
        # A narrative lists its speakers as the corpus names them, not as each article wrote
        # them ("Martin Dempsey" and "Martin E. Dempsey" are one speaker), and compares them by
        # the corpus's entity (as a relink, reading the claims back, does).
        known = stored_narratives.speakers(self.store, ids)
        as_stored = []
        for c in claims:
            entity, name = known.get(c.id, (None, None))
            as_stored.append(replace(c, speaker_entity_key=entity, speaker=name or c.speaker))
        claims = as_stored
        # Who does what to whom: the claim stage's parse, or (a stored claim) one made now.
        roles = claim_roles(claims, mentions)
        before = len(self.index)
        self.index.add(claims, anchors, vectors, roles)
        for claim in claims:
            row = self.index.row_of(claim.id)
            if row is not None and row >= before:
                known = roles.get(claim.id)
                self._new_rows[claim.id] = (
                    row,
                    anchors.get(claim.id, []),
                    None if known is None else known.to_json(),
                )

    def save(self, tries: int = 5, final: bool = True) -> None:
        """Save what changed (candidates touched, merges, new claims' keys), then (`final`) the
        neighbour index file; if another run saved first, reload, re-add this run's claims
        (they are stored, still without a narrative) and save again. A save along the way
        leaves the file as it was: a run stopped after it rebuilds the index from the store."""
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
            if path and final:
                self.index.save_ann(path)
            self.index.clear_touched()
            self.index.merged.clear()
            self._new_rows = {}
            return

    def finish(self) -> list[str]:
        """Save the narrative index; returns the claims this run indexed (the engine links
        them to the imported fact-checks: linking across documents knows nothing of those)."""
        self.save()
        return self.added


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


def relink(store: Store, settings: LinkSettings | None = None) -> int:
    """Regroup every stored claim into narratives with this version's rules: the groupings
    are dropped, then a fresh index takes the claims in the order their documents were
    stored, from their stored vectors (a claim without one is embedded). Link rules improve
    between versions, and a store keeps the links its runs made: this is how an older
    database gets the new grouping. Returns how many claims were regrouped."""
    claims = stored_narratives.forget_narratives(store, STATE_KEY)
    linker = Linker(store, settings)  # loading re-adds every claim the index lacks
    linker.save()
    return claims


def _pages(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Rows in pages of about `size`, a document's rows never split across two."""
    page: list[dict[str, Any]] = []
    for row in rows:
        if len(page) >= size and row["document_id"] != page[-1]["document_id"]:
            yield page
            page = []
        page.append(row)
    if page:
        yield page
