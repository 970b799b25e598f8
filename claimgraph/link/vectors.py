"""Claim vectors, stored once and reused: narratives, fact-check matching and semantic search.

Embedding is the expensive step of linking (MiniLM runs at a few hundred sentences/s on a CPU),
so each claim is encoded once, when its document is linked, and kept in `claim_vectors` as a
float32 blob. Readers load them into an in-memory usearch index; the PostgreSQL store may
serve the same query with pgvector instead (`Store.nearest_claims`, where available).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sqlalchemy import func, select

from claimgraph.store import schema as s

_BATCH = 5000  # rows per IN (...) query: far below SQLite's and PostgreSQL's parameter limits


class TextEncoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def pack(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def unpack(blob: bytes, dim: int | None = None) -> np.ndarray:
    vector = np.frombuffer(blob, dtype="<f4")
    if dim is not None and vector.shape[0] != dim:
        raise ValueError(f"stored vector has {vector.shape[0]} values, expected {dim}")
    return vector


def write_vectors(store: Any, ids: Sequence[str], vectors: np.ndarray, model: str) -> int:
    """Store vectors of claims that have none yet (idempotent); returns how many were added."""
    if len(ids) == 0:
        return 0
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.shape[0] != len(ids):
        raise ValueError(f"{len(ids)} ids but {vectors.shape[0]} vectors")
    rows = {cid: vec for cid, vec in zip(ids, vectors, strict=True)}
    added = 0
    # Store.writing() queues concurrent writers (PostgreSQL advisory lock / SQLite BEGIN IMMEDIATE).
    writing = store.writing() if hasattr(store, "writing") else store.engine.begin()
    with writing as conn:
        keys = list(rows)
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start : start + _BATCH]
            have = {
                r[0]
                for r in conn.execute(
                    select(s.claim_vectors.c.claim_id).where(s.claim_vectors.c.claim_id.in_(chunk))
                )
            }
            fresh = [
                {
                    "claim_id": cid,
                    "model": model,
                    "dim": int(rows[cid].shape[0]),
                    "vector": pack(rows[cid]),
                }
                for cid in chunk
                if cid not in have
            ]
            if fresh:
                conn.execute(s.claim_vectors.insert(), fresh)
                if getattr(store, "pgvector", False):
                    store.fill_embeddings(conn, fresh)  # mirror into the pgvector column
                added += len(fresh)
    return added


def read_vectors(
    store: Any, ids: Iterable[str] | None = None, model: str | None = None
) -> tuple[list[str], np.ndarray, str | None]:
    """Stored vectors (all, or those of `ids`), in a stable order, and the model that made them.

    Vectors of two models never mix: with `model` unset, the most common model is used.
    """
    table = s.claim_vectors
    with store.engine.connect() as conn:
        if model is None:
            counted = conn.execute(
                select(table.c.model, func.count())
                .group_by(table.c.model)
                .order_by(func.count().desc(), table.c.model)
            ).first()
            if counted is None:
                return [], np.zeros((0, 0), dtype=np.float32), None
            model = str(counted[0])
        query = select(table.c.claim_id, table.c.vector).where(table.c.model == model)
        out_ids: list[str] = []
        out_vecs: list[np.ndarray] = []
        if ids is None:
            for cid, blob in conn.execute(query.order_by(table.c.claim_id)):
                out_ids.append(cid)
                out_vecs.append(unpack(blob))
        else:
            wanted = list(dict.fromkeys(ids))
            found: dict[str, np.ndarray] = {}
            for start in range(0, len(wanted), _BATCH):
                chunk = wanted[start : start + _BATCH]
                for cid, blob in conn.execute(query.where(table.c.claim_id.in_(chunk))):
                    found[cid] = unpack(blob)
            out_ids = [c for c in wanted if c in found]
            out_vecs = [found[c] for c in out_ids]
    if not out_vecs:
        return [], np.zeros((0, 0), dtype=np.float32), model
    return out_ids, np.vstack(out_vecs).astype(np.float32), model


@dataclass(slots=True)
class Hit:
    claim_id: str
    score: float  # cosine similarity


class ClaimSearch:
    """Semantic search over stored claim vectors with an in-memory usearch (HNSW) index.

    On a PostgreSQL store with pgvector, `from_store` keeps no index in memory: each search asks
    the server's HNSW index (`Store.nearest_claims`).
    """

    def __init__(
        self, ids: list[str], vectors: np.ndarray, encoder: TextEncoder, store: Any = None
    ) -> None:
        from usearch.index import Index

        self.ids = ids
        self.encoder = encoder
        self.model = encoder.name
        self._store = store  # set: pgvector serves the search
        self._index = Index(ndim=int(encoder.dim), metric="cos", dtype="f32")
        if ids and store is None:
            if vectors.shape[1] != encoder.dim:
                raise ValueError(
                    f"stored vectors have {vectors.shape[1]} dimensions; {encoder.name} makes "
                    f"{encoder.dim}"
                )
            self._index.add(np.arange(len(ids), dtype=np.uint64), vectors)

    @classmethod
    def from_store(cls, store: Any, encoder: TextEncoder | None = None) -> ClaimSearch:
        """Load every stored vector; the query encoder must be the model that made them."""
        if getattr(store, "pgvector", False):
            return cls._from_pgvector(store, encoder)
        if getattr(store, "dialect", "sqlite") == "postgresql":
            from claimgraph.store.postgres import warn_fallback

            warn_fallback()
        ids, vectors, model = read_vectors(store, model=encoder.name if encoder else None)
        if encoder is None:
            from claimgraph.link.embeddings import load_encoder

            if model is None:
                raise LookupError("no claim vectors stored yet: run `claimgraph analyze` first")
            encoder = load_encoder(model)
        return cls(ids, vectors, encoder)

    @classmethod
    def _from_pgvector(cls, store: Any, encoder: TextEncoder | None) -> ClaimSearch:
        """Only the ids (for len()) come to memory; the vectors stay on the server."""
        table = s.claim_vectors
        with store.engine.connect() as conn:
            if encoder is None:
                counted = conn.execute(
                    select(table.c.model)
                    .group_by(table.c.model)
                    .order_by(func.count().desc(), table.c.model)
                ).first()
                if counted is None:
                    raise LookupError("no claim vectors stored yet: run `claimgraph analyze` first")
                from claimgraph.link.embeddings import load_encoder

                encoder = load_encoder(str(counted[0]))
            ids = [
                r[0]
                for r in conn.execute(
                    select(table.c.claim_id)
                    .where(table.c.model == encoder.name)
                    .order_by(table.c.claim_id)
                )
            ]
        return cls(ids, np.zeros((0, 0), dtype=np.float32), encoder, store=store)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str, k: int = 10) -> list[Hit]:
        if not self.ids or not query.strip():
            return []
        vector = np.asarray(self.encoder.encode([query]), dtype=np.float32)[0]
        if self._store is not None:
            found_pg = self._store.nearest_claims(vector, min(k, len(self.ids)), model=self.model)
            return [Hit(cid, score) for cid, score in found_pg]
        found = self._index.search(vector, min(k, len(self.ids)))
        return [
            Hit(self.ids[int(key)], float(1.0 - dist))
            for key, dist in zip(found.keys, found.distances, strict=True)
        ]
