"""Nearest-neighbour search for the narrative index, in memory that stays flat as it grows.

By default the index is usearch's HNSW graph in memory (float16, about 0.8 KB a vector):
close enough to an exact scan that the narratives come out the same (bench/linking.py: ARI
1.000 against exact neighbours at 10k). It grows by that much per anchored claim, about
19 MB per 1,000 news articles.

Past `quantise_from` vectors (set by the narrative index: 16,384 by default) the graph gives
way to faiss's `IndexIVFPQFastScan`: 96-byte product-quantised codes (192 sub-vectors of 4
bits, scanned with SIMD lookups) in inverted lists, about 110 bytes a vector, trained on the
vectors indexed so far. Its approximate scores only shortlist; the `RERANK` best are re-ranked
exactly on the float16 vectors read back from disk (`claimgraph.link.rows.VectorFile`), so the
link test always sees the same cosines, and a caller's floor keeps candidates scored far below
it out of the re-rank (`SHORTLIST_MARGIN`), as do the caller's groups (the narrative index's
candidates): past the first `PER_GROUP` of a group, its members are not read back. It finds
slightly fewer of the pairs that link than the graph: on the 42,082 claims of 1,000 news
articles (1,000 queries, 1,024 lists), 0.982 of the neighbours at cosine 0.5 or more among the
33 nearest, at 128 lists probed (48-byte codes re-ranking 256: 0.981, with twice the reads;
docs/performance.md). Its search scans a fixed number of codes up to `MAX_LISTS` lists, then a
share of all of them, so past half a million vectors its time per claim grows.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from claimgraph.link.rows import VectorFile

ANN_THREADS = 1
ANN_CONNECTIVITY = 16
ANN_EXPANSION_ADD = 64
ANN_EXPANSION_SEARCH = 64
IVF_LISTS = 1024  # lists at the first build; more as it grows (LIST_SIZE a list)
LIST_SIZE = 64
MAX_LISTS = 4096
IVF_PROBES = 128
IVF_SUBVECTORS = 192  # 4 bits each: 96 bytes a code
RERANK = 128
# Fast-scan scores fall below the exact cosine by 0.026 on average (1st percentile 0.08) on
# news claims' vectors, 0.044 (0.11) on bench/linking.py's synthetic ones: a candidate scored
# this far under a caller's floor is not re-ranked (docs/performance.md, session 14).
SHORTLIST_MARGIN = 0.12
RERANK_QUERIES = 32  # queries re-ranked together (their shortlists read from disk at once)
# With a caller's groups (the narrative index's candidates), at most this many of one group's
# members are re-ranked for a query: a retelling of a narrative of 200 claims finds them all in
# its shortlist, and testing the nearest few decides whether it joins (docs/performance.md,
# session 15).
PER_GROUP = 8
REBUILD_GROWTH = 8
TRAIN_MAX = 32_768
_CHUNK = 8192


class NeighbourIndex:
    """Keys (the index's rows) and their unit vectors, written to a `VectorFile` as they are
    added: the float16 values read back train the quantiser and re-rank its shortlists."""

    def __init__(
        self, dim: int, quantise_from: int | None = None, directory: str | None = None
    ) -> None:
        self.dim = dim
        self.quantise_from = quantise_from  # None: the graph, whatever the size
        self._file = VectorFile(dim, directory)
        self._graph: Any = None  # usearch Index, until quantised
        self._ivf: Any = None  # faiss IndexIVFPQFastScan, once quantised
        self._quantiser: Any = None
        self._keys = array("q")  # every key indexed (8 bytes each: what a rebuild re-adds)
        self._count = 0
        self._built_at = 0  # keys when the lists were last built

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
            import faiss

            lists = faiss.downcast_InvertedLists(self._ivf.invlists)  # codes in blocks of 32
            sizes = [lists.list_size(i) for i in range(lists.nlist)]
            blocks = sum(-(-n // lists.n_per_block) for n in sizes)
            centroids = self._ivf.quantizer.ntotal * self.dim * 4
            return blocks * lists.block_size + 8 * sum(sizes) + centroids
        return 0 if self._graph is None else int(self._graph.memory_usage)

    def _vectors_of(self, keys: Sequence[int] | np.ndarray) -> np.ndarray:
        return self._file.read(keys)

    def add(self, keys: Sequence[int], vectors: np.ndarray) -> None:
        """Index new keys (ascending) with their unit vectors."""
        if not len(keys):
            return
        ids = np.asarray(keys, dtype=np.int64)
        self._keep(ids, vectors)
        limit = self.quantise_from
        if self._ivf is None:
            due = limit is not None and self._count >= limit
        else:
            due = self._count >= REBUILD_GROWTH * self._built_at
        if due:
            self._build_lists()
        elif self._ivf is not None:
            self._ivf.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        else:
            if self._graph is None:
                self._graph = self._new_graph()
            self._graph.add(ids.astype(np.uint64), vectors, threads=ANN_THREADS)

    def _keep(self, keys: Sequence[int], vectors: np.ndarray) -> None:
        """Record new keys and write their vectors to disk (every mode re-reads them there)."""
        self._file.write([int(k) for k in keys], vectors)
        self._keys.extend(int(k) for k in keys)
        self._count += len(keys)

    def add_pages(self, pages: Iterable[tuple[Sequence[int], np.ndarray]], total: int) -> None:
        """Index `total` keys given a page at a time (a store's, when a run starts): to disk
        first, then the lists built once over all of them (or each page into the graph)."""
        quantise = self.quantise_from is not None and self._count + total >= self.quantise_from
        for keys, vectors in pages:
            if not quantise:
                self.add(keys, vectors)
                continue
            self._keep(keys, vectors)
        if quantise:
            self._build_lists()

    def _build_lists(self) -> None:
        """(Re)build the quantised lists over every key: about `LIST_SIZE` vectors a list when
        the index is midway (geometrically) to its next rebuild (up to `MAX_LISTS` lists), so
        a search's `IVF_PROBES` lists hold about the same number of codes at any size up to
        half a million vectors (the time per claim stays flat); rebuilt each time the index
        has grown `REBUILD_GROWTH` times. Trained on at most
        `TRAIN_MAX` vectors drawn with a fixed seed, read back from disk; added in chunks, so
        the build holds one chunk of float32 vectors at a time."""
        import faiss

        faiss.omp_set_num_threads(ANN_THREADS)
        if self._graph is not None:  # a graph loaded from its file: its vectors to disk first
            old = np.sort(np.asarray(self._graph.keys, dtype=np.int64))
            for i in range(0, len(old), _CHUNK):
                part = old[i : i + _CHUNK]
                self._file.write([int(k) for k in part], self._graph.get(part.astype(np.uint64)))
        keys = np.frombuffer(self._keys, dtype=np.int64)
        # Sized for the middle of their life (they serve until the index has grown
        # REBUILD_GROWTH times): lists sized for the build alone held 488 vectors each at 1M.
        middle = int(len(keys) * np.sqrt(REBUILD_GROWTH))
        lists = max(IVF_LISTS, 1 << int(np.log2(max(1, middle // LIST_SIZE))))
        lists = min(lists, MAX_LISTS)  # centroids scanned exactly: 4,096 x 384 floats, 6 MB
        self._quantiser = faiss.IndexFlatIP(self.dim)  # kept alive beside the index using it
        index = faiss.IndexIVFPQFastScan(
            self._quantiser, self.dim, lists, IVF_SUBVECTORS, 4, faiss.METRIC_INNER_PRODUCT
        )
        index.cp.niter = 10  # k-means of at most 32,768 vectors into 4,096 lists: seconds
        index.cp.seed = index.pq.cp.seed = 1234  # the same vectors train the same quantiser
        # A few points a list and a code book are enough here (faiss would warn otherwise).
        index.cp.min_points_per_centroid = index.pq.cp.min_points_per_centroid = 1
        sample = keys
        if len(keys) > TRAIN_MAX:
            sample = np.sort(np.random.default_rng(1234).choice(keys, TRAIN_MAX, replace=False))
        index.train(self._vectors_of(sample))
        for i in range(0, len(keys), _CHUNK):
            part = keys[i : i + _CHUNK]
            index.add_with_ids(self._vectors_of(part), part.copy())
        index.nprobe = IVF_PROBES
        self._ivf, self._graph, self._built_at = index, None, len(keys)

    def close(self) -> None:
        self._file.close()

    def search(
        self,
        vectors: np.ndarray,
        k: int,
        floor: float | None = None,
        groups: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> np.ndarray:
        """The k nearest keys of each vector (rows of -1 where fewer are indexed or, with
        `floor` or `groups`, where fewer were re-ranked: see `search_blocks`)."""
        out = np.full((len(vectors), min(k, self._count)), -1, dtype=np.int64)
        for start, keys, _ in self.search_blocks(vectors, k, floor, groups):
            out[start : start + len(keys)] = keys
        return out

    def search_blocks(
        self,
        vectors: np.ndarray,
        k: int,
        floor: float | None = None,
        groups: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """`search`, a block of queries at a time: (first query, their k nearest keys, the keys
        held back by `groups`). Once quantised, a block is `RERANK_QUERIES` queries whose
        shortlists were just re-ranked on vectors read from disk, which the file still caches
        while the caller reads its neighbours' vectors. With `floor`, a candidate whose
        approximate score is below `floor - SHORTLIST_MARGIN` is not re-ranked (it cannot
        reach `floor`), so a key of the k nearest with a cosine under `floor` may be missing.

        With `groups` (keys -> the group each belongs to, asked as each block is re-ranked),
        only the `PER_GROUP` best of a group by approximate score are re-ranked. The others
        still count among the k nearest by their approximate score: those that would be among
        them are returned apart, held back (-1 elsewhere), for a caller that needs them after
        all, and the keys returned are the re-ranked ones that would be. The graph returns all
        k and holds none back."""
        k = min(k, self._count)
        none = np.full((len(vectors), 0), -1, dtype=np.int64)
        if not k or not len(vectors):
            yield 0, np.full((len(vectors), k), -1, dtype=np.int64), none
            return
        if self._ivf is None:
            yield 0, self._graph_search(vectors, k), none
            return
        scores, shortlist = self._ivf.search(
            np.ascontiguousarray(vectors, dtype=np.float32), RERANK
        )
        if floor is not None:
            shortlist[scores < floor - SHORTLIST_MARGIN] = -1
        for start in range(0, len(shortlist), RERANK_QUERIES):
            block = shortlist[start : start + RERANK_QUERIES]
            queries = vectors[start : start + len(block)]
            if groups is None:
                yield start, self._rerank(block, queries, k)[0], none[: len(block)]
            else:
                approximate = scores[start : start + len(block)]
                yield start, *self._rerank_groups(block, approximate, queries, k, groups)

    def _rerank_groups(
        self,
        block: np.ndarray,
        approximate: np.ndarray,
        queries: np.ndarray,
        k: int,
        groups: Callable[[np.ndarray], np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest of each shortlist when only the first `PER_GROUP` of each group are
        re-ranked: the k best of the exact scores and, for the rest, the approximate ones;
        (the re-ranked keys among them, best first; the others, held back)."""
        dropped = _past_per_group(block, groups)
        kept = np.where(dropped, -1, block)
        keys, exact = self._rerank(kept, queries, block.shape[1])
        out = np.full((len(block), k), -1, dtype=np.int64)
        held = np.full((len(block), k), -1, dtype=np.int64)
        for j in range(len(block)):
            ranked = exact[j][keys[j] >= 0]
            spare = approximate[j][dropped[j]]
            scores = np.concatenate([ranked, spare])
            if not len(scores):
                continue
            kth = np.sort(scores)[::-1][min(k, len(scores)) - 1]
            near = min(int((ranked >= kth).sum()), k)
            out[j, :near] = keys[j][:near]
            hold = block[j][dropped[j] & (approximate[j] >= kth)][: k - near]
            held[j, : len(hold)] = hold
        return out, held

    def _graph_search(self, vectors: np.ndarray, k: int) -> np.ndarray:
        out = np.full((len(vectors), k), -1, dtype=np.int64)
        found = self._graph.search(vectors, k, threads=ANN_THREADS)
        if hasattr(found, "counts"):  # BatchMatches: k slots a query, `counts` of them real
            keys = np.asarray(found.keys, dtype=np.int64).reshape(len(vectors), -1)
            counts = np.asarray(found.counts).reshape(-1)
        else:  # one query: Matches, only the keys found
            keys = np.asarray(found.keys, dtype=np.int64).reshape(1, -1)
            counts = np.array([keys.shape[1]])
        out[:, : keys.shape[1]] = keys
        for i, n in enumerate(counts):
            out[i, int(n) :] = -1
        return out

    def _rerank(
        self, block: np.ndarray, queries: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The k best of each shortlist by exact cosine on the stored vectors, and their
        cosines (-inf where none); the block's queries share many candidates, so each vector
        is read once for all of them."""
        out = np.full((len(block), k), -1, dtype=np.int64)
        cosines = np.full((len(block), k), -np.inf, dtype=np.float32)
        valid = block >= 0
        unique, where = np.unique(block[valid], return_inverse=True)
        if not len(unique):
            return out, cosines
        table = self._vectors_of(unique)
        at = np.full(block.shape, -1, dtype=np.int64)
        at[valid] = where
        for j, (row, ok) in enumerate(zip(block, valid, strict=True)):
            if not ok.any():
                continue
            exact = table[at[j][ok]] @ queries[j]
            order = np.argsort(-exact, kind="stable")[:k]
            out[j, : len(order)] = row[ok][order]
            cosines[j, : len(order)] = exact[order]
        return out, cosines

    def get(self, keys: Sequence[int]) -> np.ndarray:
        """Vectors as the graph stores them (float16 values); once quantised, from disk."""
        if self._ivf is None and self._graph is not None:
            got = self._graph.get(np.asarray(keys, dtype=np.uint64))
            return np.asarray(got, dtype=np.float32).reshape(len(keys), self.dim)
        return self._vectors_of(keys)

    def save(self, path: str) -> None:
        """Write the graph (usearch format) for the next run; the quantised lists are not saved
        (a run past `quantise_from` rebuilds them from the stored vectors), so a stale file goes."""
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
        self._keys = array("q", sorted(int(k) for k in graph.keys))
        return True


def _past_per_group(block: np.ndarray, groups: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Which keys of a block of shortlists (best first, -1 for none) come after the first
    `PER_GROUP` of their group in their shortlist."""
    valid = block >= 0
    dropped = np.zeros(block.shape, dtype=bool)
    if not valid.any():
        return dropped
    query = np.broadcast_to(np.arange(len(block))[:, None], block.shape)[valid]
    group = np.asarray(groups(block[valid]), dtype=np.int64)
    key = query * (int(group.max()) + 1) + group
    order = np.argsort(key, kind="stable")  # shortlist order kept within a group
    ordered = key[order]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    position = np.arange(len(ordered))
    rank = np.empty(len(ordered), dtype=np.int64)
    rank[order] = position - np.maximum.accumulate(np.where(first, position, 0))
    dropped[valid] = rank >= PER_GROUP
    return dropped
