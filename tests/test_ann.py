"""The narrative index's off-heap state: records and vectors on disk, read back exactly; the
neighbour search past `quantise_from` (quantised lists, re-ranked exactly) finds what the graph
finds."""

from __future__ import annotations

import numpy as np
import pytest

from claimgraph.link import ann as ann_module
from claimgraph.link import rows as rows_module
from claimgraph.link.ann import NeighbourIndex
from claimgraph.link.claims import Claim
from claimgraph.link.narratives import NarrativeIndex
from claimgraph.link.rows import IdMap, RowFile, VectorFile


def _topics(n_topics: int, per_topic: int, dim: int = 384, noise: float = 0.03, seed: int = 0):
    """Unit vectors in tight groups around random topics: retellings of the same claim."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_topics, dim)).astype(np.float32)
    vectors = np.repeat(centres, per_topic, axis=0)
    vectors += rng.standard_normal(vectors.shape).astype(np.float32) * noise * np.sqrt(dim)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors, np.repeat(np.arange(n_topics), per_topic)


def test_records_read_back_from_buffer_file_and_cache(monkeypatch) -> None:
    monkeypatch.setattr(rows_module, "_BUFFER", 1000)
    monkeypatch.setattr(rows_module, "_CACHE_ROWS", 50)
    records = RowFile()
    written = [
        (f"clm_{i}", "t\u00e9xt \u201cquoted\u201d " * (i % 7), (i, i + 1), (), i % 3, -1)
        for i in range(3000)
    ]
    for i, record in enumerate(written):
        assert records.append(record) == i
        if i % 100 == 0:  # reads while some rows are still only in the buffer
            assert records.get(i) == record
    records.flush()
    assert len(records) == 3000
    assert all(records.get(i) == written[i] for i in range(0, 3000, 7))
    assert records.get(2999) == written[2999]
    records.close()


def test_id_map_survives_compaction_and_hash_collisions(monkeypatch) -> None:
    monkeypatch.setattr(rows_module, "_RECENT", 64)
    ids = IdMap()
    for row in range(500):
        ids.add(f"clm_{row}", row)
    assert all(row in ids.candidates(f"clm_{row}") for row in range(500))
    assert list(ids.candidates("clm_unknown")) == []
    # Every id under one hash: the map hands back every row, the caller checks each id.
    monkeypatch.setattr(rows_module, "_hash", lambda claim_id: 7)
    clashing = IdMap()
    for row in range(200):
        clashing.add(f"x{row}", row)
    assert sorted(clashing.candidates("x5")) == list(range(200))


def test_vectors_are_written_sparse_and_read_as_float16_values() -> None:
    vectors, _ = _topics(4, 3)
    store = VectorFile(384)
    store.write([0, 1, 2, 7, 8, 30], vectors[:6])
    got = store.read([30, 0, 8])
    assert np.array_equal(got, vectors[[5, 0, 4]].astype(np.float16).astype(np.float32))
    assert store.read([]).shape == (0, 384)
    with pytest.raises(IndexError):
        store.read([31])  # never written, past the file's end: no map of what is not there
    store.close()


def test_reads_past_a_full_cache_keep_their_order_and_see_rewrites(monkeypatch) -> None:
    monkeypatch.setattr(rows_module, "_VECTOR_CACHE_ROWS", 4)
    vectors, _ = _topics(5, 4)
    store = VectorFile(384)
    store.write(list(range(20)), vectors)
    order = [19, 3, 3, 0, 12, 7, 18, 1, 5, 2, 11]  # the cache fills and clears, a row twice
    expected = vectors[order].astype(np.float16).astype(np.float32)
    assert np.array_equal(store.read(order), expected)
    assert np.array_equal(store.read(np.asarray(order)), expected)
    store.write([3], vectors[[0]])  # a row written again is read anew, not from the cache
    assert np.array_equal(store.read([3]), vectors[[0]].astype(np.float16).astype(np.float32))
    store.close()


def _exact_neighbours(vectors: np.ndarray, k: int, floor: float) -> list[set[int]]:
    sims = vectors @ vectors.T
    out = []
    for i, row in enumerate(sims):
        top = np.argsort(-row, kind="stable")[: k + 1]
        out.append({int(j) for j in top if j != i and row[j] >= floor})
    return out


def test_quantised_lists_find_what_an_exact_scan_finds(monkeypatch) -> None:
    monkeypatch.setattr(ann_module, "IVF_LISTS", 32)
    monkeypatch.setattr(ann_module, "IVF_PROBES", 32)  # every list: the codes and the re-rank
    vectors, _ = _topics(400, 6, noise=0.04)
    index = NeighbourIndex(384, quantise_from=1500)
    for start in range(0, len(vectors), 400):
        part = list(range(start, min(start + 400, len(vectors))))
        index.add(part, vectors[part])
        assert index.quantised == (start + 400 >= 1500)
    assert len(index) == len(vectors)
    found = index.search(vectors, 33)
    expected = _exact_neighbours(vectors, 32, 0.5)
    hits = sum(len(expected[i] & set(found[i].tolist())) for i in range(len(vectors)))
    assert hits / sum(map(len, expected)) >= 0.98
    # Re-ranked exactly: the first neighbour of every vector is itself.
    assert (found[:, 0] == np.arange(len(vectors))).mean() >= 0.99
    assert np.array_equal(
        index.get([3, 1000]), vectors[[3, 1000]].astype(np.float16).astype(np.float32)
    )
    index.close()


def test_a_floor_skips_only_candidates_that_cannot_reach_it(monkeypatch) -> None:
    """Past the switch, a caller's floor keeps candidates scored far below it out of the
    re-rank: the neighbours above the floor are still found, the ones far below are not
    returned, and the blocks cover every query in order."""
    monkeypatch.setattr(ann_module, "IVF_LISTS", 32)
    monkeypatch.setattr(ann_module, "IVF_PROBES", 32)
    vectors, _ = _topics(400, 6, noise=0.04)
    index = NeighbourIndex(384, quantise_from=1500)
    index.add(list(range(len(vectors))), vectors)
    assert index.quantised
    unfloored = index.search(vectors, 33)
    floored = index.search(vectors, 33, floor=0.5)
    expected = _exact_neighbours(vectors, 32, 0.5)
    hits = sum(len(expected[i] & set(floored[i].tolist())) for i in range(len(vectors)))
    assert hits / sum(map(len, expected)) >= 0.98
    exact = vectors @ vectors.T
    returned = [exact[i, k] for i in range(len(vectors)) for k in floored[i] if k >= 0]
    assert min(returned) >= 0.5 - 2 * ann_module.SHORTLIST_MARGIN
    assert (unfloored >= 0).sum() == len(vectors) * 33 > (floored >= 0).sum()
    blocks = list(index.search_blocks(vectors, 33, 0.5))
    assert [start for start, _, _ in blocks] == list(
        range(0, len(vectors), ann_module.RERANK_QUERIES)
    )
    assert np.array_equal(np.concatenate([keys for _, keys, _ in blocks]), floored)
    assert all(held.shape == (len(keys), 0) for _, keys, held in blocks)
    index.close()


def test_a_group_is_re_ranked_only_its_best_few_deep(monkeypatch) -> None:
    """With the caller's groups, a group that fills a shortlist has only its `PER_GROUP` best
    re-ranked; its other keys keep their places (nothing farther takes them), and groups of
    one key each change nothing."""
    monkeypatch.setattr(ann_module, "IVF_LISTS", 32)
    monkeypatch.setattr(ann_module, "IVF_PROBES", 32)
    vectors, topics = _topics(40, 50, noise=0.04)  # 50 retellings a topic: a shortlist full
    index = NeighbourIndex(384, quantise_from=1500)
    index.add(list(range(len(vectors))), vectors)
    assert index.quantised
    plain = index.search(vectors, 33, floor=0.5)
    alone = index.search(vectors, 33, floor=0.5, groups=lambda keys: keys)
    assert np.array_equal(plain, alone)
    grouped = index.search(vectors, 33, floor=0.5, groups=lambda keys: topics[keys])
    returned = grouped >= 0
    assert (returned.sum(axis=1) <= ann_module.PER_GROUP).all()
    assert returned.sum(axis=1).mean() >= ann_module.PER_GROUP - 0.5
    assert (topics[grouped[returned]] == np.repeat(topics, returned.sum(axis=1))).all()
    # With the ones held back, they take the k places a full re-rank fills (which members of
    # one topic, all about as near, is a matter of rounding).
    blocks = list(index.search_blocks(vectors, 33, 0.5, groups=lambda keys: topics[keys]))
    held = np.concatenate([h for _, _, h in blocks])
    assert np.array_equal(np.concatenate([keys for _, keys, _ in blocks]), grouped)
    kept = [set(grouped[i][returned[i]].tolist()) for i in range(len(held))]
    spare = [set(held[i][held[i] >= 0].tolist()) for i in range(len(held))]
    assert not any(a & b for a, b in zip(kept, spare, strict=True))
    assert np.mean([len(b) for b in spare]) >= 20  # a topic of 50 fills each shortlist
    both = [a | b for a, b in zip(kept, spare, strict=True)]
    full = [set(plain[i][plain[i] >= 0]) for i in range(len(plain))]
    assert np.mean([len(b) == len(f) for b, f in zip(both, full, strict=True)]) >= 0.95
    assert all(topics[list(b)].tolist() == [topics[i]] * len(b) for i, b in enumerate(both))
    # The few re-ranked are the nearest of the group's approximate best, in exact order.
    exact = vectors @ vectors.T
    for i in range(0, len(vectors), 97):
        keys = grouped[i][grouped[i] >= 0]
        assert keys[0] == i and list(keys) == sorted(keys, key=lambda k: -exact[i, k])
    index.close()


def test_the_graph_is_saved_and_loaded_and_the_lists_are_not(tmp_path, monkeypatch) -> None:
    vectors, _ = _topics(50, 4)
    index = NeighbourIndex(384)
    index.add(list(range(200)), vectors)
    path = str(tmp_path / "ann.usearch")
    index.save(path)
    loaded = NeighbourIndex(384)
    assert not loaded.load(path, 199)  # not the claims it holds
    assert loaded.load(path, 200)
    assert np.array_equal(loaded.search(vectors[:5], 4), index.search(vectors[:5], 4))
    # One query (usearch answers it in another shape) and more neighbours than are indexed.
    assert loaded.search(vectors[7:8], 3).tolist() == index.search(vectors[7:8], 3).tolist()
    assert loaded.search(vectors[7:8], 3)[0, 0] == 7
    small = NeighbourIndex(384)
    small.add([0, 1], vectors[:2])
    assert small.search(vectors[:1], 5).tolist() == [[0, 1]]
    # A loaded graph turning into lists takes its vectors along (they were never on disk).
    monkeypatch.setattr(ann_module, "IVF_LISTS", 8)
    loaded.quantise_from = 300
    more, _ = _topics(30, 4, seed=1)
    loaded.add(list(range(200, 320)), more)
    assert loaded.quantised and len(loaded) == 320
    assert np.allclose(loaded.get([10]), vectors[10], atol=1e-3)
    assert loaded.search(vectors[10:11], 1)[0, 0] == 10
    loaded.save(path)  # the lists are rebuilt by the next run: no stale graph is left
    assert not (tmp_path / "ann.usearch").exists()


class _Vectors:
    name = "test-vectors"
    dim = 384

    def encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError("vectors are passed in")


def _claims(topics: np.ndarray) -> list[Claim]:
    return [
        Claim(
            f"clm_{i}",
            f"doc_{i % 97}",
            f"Soldiers of group {t} attacked the depot {t} near the river on Monday.",
            0,
            60,
            None,
            0.9,
            "test",
        )
        for i, t in enumerate(topics)
    ]


@pytest.mark.parametrize(
    ("quantise_from", "n_topics", "per_topic", "per_group"),
    [(None, 300, 4, 8), (600, 300, 4, 8), (600, 24, 50, 2)],
)
def test_narratives_are_the_same_past_the_switch_to_lists(
    monkeypatch, quantise_from, n_topics, per_topic, per_group
) -> None:
    """The same claims give the same narratives whether their neighbours come from the graph
    or, past `quantise_from`, from the quantised lists re-ranked exactly, also where each
    narrative's retellings fill every shortlist and only `PER_GROUP` of them are re-ranked."""
    monkeypatch.setattr(ann_module, "PER_GROUP", per_group)
    vectors, topics = _topics(n_topics, per_topic, noise=0.02, seed=3)
    claims = _claims(topics)
    anchors = {c.id: [f"group {t}", f"depot {t}"] for c, t in zip(claims, topics, strict=True)}
    monkeypatch.setattr(ann_module, "IVF_LISTS", 16)
    index = NarrativeIndex(_Vectors(), quantise_from=quantise_from)
    for start in range(0, len(claims), 200):
        index.add(claims[start : start + 200], anchors, vectors[start : start + 200])
    assert index._ann.quantised == (quantise_from is not None)
    assert NarrativeIndex.from_settings(index.settings(), _Vectors()).quantise_from == (
        quantise_from
    )
    got = {frozenset(n.claim_ids) for n in index.narratives()}
    expected = {
        frozenset(c.id for c, t in zip(claims, topics, strict=True) if t == topic)
        for topic in range(n_topics)
    }
    assert got == expected
    assert index.row_of("clm_5") == 5 and index.row_of("clm_none") is None
    assert index.narrative_of("clm_5") == index.narrative_of("clm_4")
    index.close()


def test_lists_are_rebuilt_finer_as_the_index_grows(monkeypatch) -> None:
    """Past REBUILD_GROWTH times the size of the last build, the lists are rebuilt with about
    LIST_SIZE vectors each midway to the next rebuild, and still find neighbours."""
    monkeypatch.setattr(ann_module, "IVF_LISTS", 8)
    monkeypatch.setattr(ann_module, "LIST_SIZE", 16)
    monkeypatch.setattr(ann_module, "REBUILD_GROWTH", 4)
    monkeypatch.setattr(ann_module, "TRAIN_MAX", 1000)
    monkeypatch.setattr(ann_module, "_CHUNK", 300)
    vectors, _ = _topics(625, 4, noise=0.02, seed=5)
    index = NeighbourIndex(384, quantise_from=500)
    nlists = []
    for start in range(0, len(vectors), 250):
        part = list(range(start, start + 250))
        index.add(part, vectors[part])
        nlists.append(index._ivf.nlist if index.quantised else 0)
    # Built at 500 for 1,000 (500 x sqrt 4): 1,000 / 16 -> 32 lists (62, rounded down to a
    # power of two); rebuilt at 2,000 for 4,000: 128.
    assert nlists == [0, 32, 32, 32, 32, 32, 32, 128, 128, 128]
    index._ivf.nprobe = 64
    found = index.search(vectors, 5)
    assert (found[:, 0] == np.arange(len(vectors))).mean() >= 0.99
    expected = _exact_neighbours(vectors, 4, 0.5)
    hits = sum(len(expected[i] & set(found[i].tolist())) for i in range(len(vectors)))
    assert hits / sum(map(len, expected)) >= 0.95
    index.close()


def _grouped(per_group: int, monkeypatch, hold: bool = True) -> set[frozenset[str]]:
    """Narratives of 12 topics of 60 interleaved retellings where a pair links only within a
    class of rows (or through a hub class): most of a new claim's nearest cannot link."""
    monkeypatch.setattr(ann_module, "PER_GROUP", per_group)
    monkeypatch.setattr(ann_module, "IVF_LISTS", 16)
    vectors, topics = _topics(12, 60, noise=0.02, seed=5)
    order = np.random.default_rng(1).permutation(len(vectors))
    vectors, topics = vectors[order], topics[order]
    claims = _claims(topics)
    anchors = {c.id: [f"group {t}", f"depot {t}"] for c, t in zip(claims, topics, strict=True)}

    def pair_ok(index: NarrativeIndex, a: int, b: int, cosine: float) -> bool:
        return topics[a] == topics[b] and (a % 6 == b % 6 or a % 6 == 0 or b % 6 == 0)

    monkeypatch.setattr(NarrativeIndex, "_pair_ok", pair_ok)
    if not hold:
        monkeypatch.setattr(NarrativeIndex, "_link_held", lambda *a: None)
    index = NarrativeIndex(_Vectors(), quantise_from=300)
    for start in range(0, len(claims), 100):
        index.add(claims[start : start + 100], anchors, vectors[start : start + 100])
    assert index._ann.quantised
    got = {frozenset(n.claim_ids) for n in index.narratives()}
    index.close()
    return got


def test_held_back_members_are_tested_when_the_nearest_few_cannot_link(monkeypatch) -> None:
    """Where the few members of a candidate re-ranked for a new claim cannot link with it, the
    members held back are tested: the narratives are those of a search that re-ranks all."""
    every = _grouped(10_000, monkeypatch)
    assert _grouped(2, monkeypatch) == every
    assert _grouped(2, monkeypatch, hold=False) != every  # what the held-back ones change
