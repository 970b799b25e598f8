"""Nearest-neighbour search for the narrative index, in memory that stays flat as it grows.

Up to `IVF_FROM` vectors the index is usearch's HNSW graph in memory (float16, about 0.8 KB a
vector): exact enough that the sample's and the judged news sample's narratives come out the
same as an exact scan (bench/linking.py checks ARI against one). Past it, the graph would grow by
that much per claim, a gigabyte at 20,000 articles, so the index turns into faiss's
`IndexIVFPQ`: 48-byte product-quantised codes in inverted lists (about 60 bytes a vector in
all), trained once on the vectors indexed so far. Its approximate distances only shortlist:
the `RERANK` best are re-ranked exactly on the float16 vectors read back from disk
(`claimgraph.link.rows.VectorFile`), so the link test always sees the same cosines.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from claimgraph.link.rows import VectorFile

ANN_THREADS = 1
ANN_CONNECTIVITY = 16
ANN_EXPANSION_ADD = 64
ANN_EXPANSION_SEARCH = 64
# When the in-memory graph gives way to the quantised lists (vectors indexed).
IVF_FROM = 65_536
IVF_LISTS = 1024
IVF_PROBES = 96
IVF_CODE_BYTES = 48
RERANK = 256


class NeighbourIndex:
    """Keys (the index's rows) and their unit vectors, written to a `VectorFile` as they are
    added: the float16 values read back train the quantiser and re-rank its shortlists."""

    def __init__(self, dim: int, directory: str | None = None) -> None:
        self.dim = dim
        self._file = VectorFile(dim, directory)
        self._graph: Any = None  # usearch Index, up to IVF_FROM
        self._ivf: Any = None  # faiss IndexIVFPQ, past it
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def quantised(self) -> bool:
        return self._ivf is not None

    def _new_graph(self) -> Any:
        from usearch.index import Index

        return Index(
            ndim=self.dim,
            metric="cos",
            dtype="f16",
            connectivity=ANN_CONNECTIVITY,
            expansion_add=ANN_EXPANSION_ADD,
            expansion_search=ANN_EXPANSION_SEARCH,
        )

    @staticmethod
    def import_libraries() -> None:
        """Import usearch and faiss now (a benchmark's base memory then counts them)."""
        import faiss  # noqa: F401
        import usearch.index  # noqa: F401

    @property
    def memory_usage(self) -> int:
        """Bytes the search structure holds in memory (the graph, or the quantised lists)."""
        if self._ivf is not None:
            lists = self._ivf.invlists
            codes = sum(lists.list_size(i) for i in range(lists.nlist))
            return codes * (lists.code_size + 8) + self._ivf.quantizer.ntotal * self.dim * 4
        return 0 if self._graph is None else int(self._graph.memory_usage)

    def _vectors_of(self, keys: Sequence[int]) -> np.ndarray:
        return self._file.read([int(k) for k in keys])

    def add(self, keys: Sequence[int], vectors: np.ndarray) -> None:
        """Index new keys (ascending) with their unit vectors."""
        if not len(keys):
            return
        ids = np.asarray(keys, dtype=np.int64)
        self._file.write([int(k) for k in ids], vectors)
        if self._ivf is None and self._count + len(ids) >= IVF_FROM:
            self._to_ivf(ids)
        elif self._ivf is not None:
            self._ivf.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        else:
            if self._graph is None:
                self._graph = self._new_graph()
            self._graph.add(ids.astype(np.uint64), vectors, threads=ANN_THREADS)
        self._count += len(ids)

    def _to_ivf(self, new: np.ndarray) -> None:
        """Train the quantiser on every vector indexed so far and move them all over."""
        import faiss

        faiss.omp_set_num_threads(ANN_THREADS)
        old = np.asarray([] if self._graph is None else self._graph.keys, dtype=np.int64)
        old.sort()
        for i in range(0, len(old), 8192):  # a graph loaded from its file: vectors to disk
            part = old[i : i + 8192]
            self._file.write([int(k) for k in part], self._graph.get(part.astype(np.uint64)))
        keys = np.concatenate([old, new])
        vectors = np.vstack(
            [self._vectors_of(keys[i : i + 8192]) for i in range(0, len(keys), 8192)]
        )
        index = faiss.IndexIVFPQ(
            faiss.IndexFlatIP(self.dim),
            self.dim,
            IVF_LISTS,
            IVF_CODE_BYTES,
            8,
            faiss.METRIC_INNER_PRODUCT,
        )
        index.cp.seed = 1234  # the same vectors train the same quantiser
        index.pq.cp.seed = 1234
        index.train(vectors)
        index.add_with_ids(vectors, keys)
        index.nprobe = IVF_PROBES
        self._ivf, self._graph = index, None

    def close(self) -> None:
        self._file.close()

    def search(self, vectors: np.ndarray, k: int) -> np.ndarray:
        """The k nearest keys of each vector (rows of -1 where fewer are indexed)."""
        k = min(k, self._count)
        out = np.full((len(vectors), k), -1, dtype=np.int64)
        if not k:
            return out
        if self._ivf is None:
            found = self._graph.search(vectors, k, threads=ANN_THREADS)
            keys = np.asarray(found.keys, dtype=np.int64).reshape(len(vectors), -1)
            out[:, : keys.shape[1]] = keys
            counts = np.asarray(found.counts).reshape(-1)
            for i, n in enumerate(counts):
                out[i, int(n) :] = -1
            return out
        _, shortlist = self._ivf.search(np.ascontiguousarray(vectors, dtype=np.float32), RERANK)
        for i, row in enumerate(shortlist):
            candidates = row[row >= 0]
            if not len(candidates):
                continue
            exact = self._vectors_of(candidates) @ vectors[i]
            order = np.argsort(-exact, kind="stable")[:k]
            out[i, : len(order)] = candidates[order]
        return out

    def get(self, keys: Sequence[int]) -> np.ndarray:
        """Vectors as the graph stores them (float16 values); past IVF_FROM, from disk."""
        if self._ivf is None and self._graph is not None:
            got = self._graph.get(np.asarray(keys, dtype=np.uint64))
            return np.asarray(got, dtype=np.float32).reshape(len(keys), self.dim)
        return self._vectors_of(keys)

    def save(self, path: str) -> None:
        """Write the graph (usearch format) for the next run; the quantised lists are not saved
        (a run past IVF_FROM rebuilds them from the stored vectors), so a stale file goes."""
        if self._ivf is None:
            (self._graph or self._new_graph()).save(path)
        else:
            Path(path).unlink(missing_ok=True)

    def load(self, path: str, keys: int) -> bool:
        """Take a saved graph when it holds exactly `keys` vectors of this size."""
        from usearch.index import Index

        try:
            graph = Index.restore(path)
        except Exception:  # noqa: BLE001 - unreadable: the caller rebuilds
            return False
        if graph is None or len(graph) != keys or graph.ndim != self.dim:
            return False
        self._graph, self._ivf, self._count = graph, None, keys
        return True
