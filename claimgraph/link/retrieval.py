"""Hybrid claim retrieval: "where else has this been said, and has it been fact-checked?"

Two views of each indexed claim are scored against a query and fused:

- lexical: BM25 (bm25s) over the claim text and its title together, Snowball-stemmed, English
  stopwords removed. Catches names, numbers and rare words that embeddings blur.
- dense: cosine between sentence embeddings (see `embeddings.py`) of the query and of the claim
  text and, separately, its title, found with an approximate-nearest-neighbour index (usearch,
  HNSW) so the dense side of a search costs about log N and linking N claims about N log N.
  The lexical side scores through bm25s' sparse matrix: its cost follows the postings of the
  query's words, plus one N-float score vector per query (fine to about a million claims).

Fusion is either reciprocal-rank fusion (no training, any encoder) or a small logistic model over
rank and score features learned on CLEF CheckThat! 2020 train tweets for the default encoder
(`claimgraph/models/claim-fusion-minilm/`, trained by `scripts/train_retrieval.py`). With
`fusion="auto"` the learned model is used when it was trained for the index's encoder, else RRF;
`HybridIndex.fusion_used` says which.

Candidates are the union of the top `depth` (50) of BM25 and of each dense field, plus exact
copies of any of them; fusion re-scores only those.

Matching form: before scoring, texts are folded (typographic and double quotes to one form,
whitespace collapsed). The same claim copied through different CMSs then scores identically,
and ties are broken by insertion order, so the first-indexed copy of a duplicated claim ranks
first (a stable, explainable rule; in the CLEF data about 1 in 4 queries has its fact-check
duplicated in the collection).

Incremental adds: usearch grows in place. bm25s has no incremental add, so the lexical index is
rebuilt from the stored token lists lazily, at the first search after one or more adds (linear
in the corpus' tokens: about 1-2 s for 10k claims on 2 cores). Batch adds between searches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from claimgraph.link.embeddings import Encoder, shipped_variants
from claimgraph.model import fold_quotes

FUSION_DIR = Path(__file__).resolve().parents[1] / "models" / "claim-fusion-minilm"
FUSION_FILE = FUSION_DIR / "fusion.json"

# --------------------------------------------------------------------------------------------
# Query cleaning (tweets)

_GLUED_URL = re.compile(r"(?<=\w)(?=(?:https?://|pic\.twitter\.com/))", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|pic\.twitter\.com/|www\.)\S*", re.IGNORECASE)
# An embedded tweet's sign-off: "— Display Name (@handle) January 6, 2020".
_SIGNOFF = re.compile(
    r"[\u2014\u2013-]\s*([^\u2014\u2013()]{0,80}?)\s*\(@(\w+)\)\s*"
    r"(?:[A-Z][a-z]+\.? \d{1,2}, \d{4})?"
)
_MENTION = re.compile(r"@(\w+)")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])"
)
_SPACES = re.compile(r"\s+")


def _split_words(token: str) -> str:
    """Hashtags and handles carry words: #ImpeachTrump -> "Impeach Trump"."""
    return _CAMEL.sub(" ", token.replace("_", " ")).strip()


def clean_query(text: str) -> str:
    """Strip tweet furniture so a tweet reads like the claim it carries.

    Drops URLs (including pic.twitter.com links glued to the previous word) and the date and
    handle of an embedded tweet's sign-off, but keeps the author's display name (who said it
    is often part of the claim). Hashtags and @mentions become their words. Harmless on news
    text, and idempotent.
    """
    text = _GLUED_URL.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _SIGNOFF.sub(lambda m: f" {m.group(1)} ", text)
    text = _MENTION.sub(lambda m: _split_words(m.group(1)), text)
    text = _HASHTAG.sub(lambda m: " " + _split_words(m.group(1)), text)
    return _SPACES.sub(" ", text).strip()


def match_form(text: str) -> str:
    """The form texts are scored in: quotes folded to one kind, whitespace collapsed."""
    return _SPACES.sub(" ", fold_quotes(text).replace('"', "'")).strip()


# --------------------------------------------------------------------------------------------
# Lexical side


@cache
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """BM25 tokens: lower-cased words of 2+ characters, English stopwords out, Snowball stems."""
    import bm25s

    if not texts:
        return []
    return bm25s.tokenize(
        list(texts),
        stopwords="en",
        stemmer=_stemmer().stemWords,  # type: ignore[attr-defined]
        return_ids=False,
        show_progress=False,
    )


# --------------------------------------------------------------------------------------------
# Fusion


FEATURES: tuple[str, ...] = (
    "bm25_rel",  # BM25 score / best BM25 score for this query
    "bm25_rank",  # 1 / log2(1 + rank), rank censored at depth + 1
    "cos_text",
    "cos_text_gap",  # cosine minus the best cosine for this query
    "cos_text_rank",
    "cos_title",
    "cos_title_gap",
    "cos_title_rank",
)


@dataclass(frozen=True)
class FusionModel:
    """Logistic weights over `FEATURES` (standardised), and the encoder they were fitted for."""

    encoder: str
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    info: dict[str, object] = field(default_factory=dict)

    def score(self, x: np.ndarray) -> np.ndarray:
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        logit = z @ np.asarray(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-logit))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = FUSION_FILE) -> FusionModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if list(data["features"]) != list(FEATURES):
            raise ValueError(f"{path}: fusion features {data['features']} != {list(FEATURES)}")
        return cls(**data)


def _shipped_fusion(encoder_name: str, depth: int) -> FusionModel | None:
    """The shipped weights fitted for this encoder and candidate depth, if any: the default
    folder, or a sibling `claim-fusion-minilm-*` fitted on another shipped encoder."""
    for path in (folder / FUSION_FILE.name for folder in shipped_variants(FUSION_DIR)):
        if not path.is_file():
            continue
        model = FusionModel.load(path)
        fitted_depth = model.info.get("depth", depth)
        if model.encoder.casefold() == encoder_name.casefold() and fitted_depth == depth:
            return model
    return None


# --------------------------------------------------------------------------------------------
# The index


@dataclass(frozen=True)
class Candidates:
    """Per query: candidate positions and their feature rows (plain data, for training)."""

    positions: np.ndarray  # int64, insertion positions of candidate docs
    features: np.ndarray  # float32 [n, len(FEATURES)]; empty columns when no encoder
    bm25: np.ndarray  # raw BM25 score per candidate
    dense: np.ndarray  # mean of text and title cosine per candidate (0 without encoder)


def _rank_weight(rank: np.ndarray) -> np.ndarray:
    return 1.0 / np.log2(1.0 + rank)


def _ranks_within(scores: np.ndarray, reference: np.ndarray, depth: int) -> np.ndarray:
    """1 + how many of the top-`depth` reference scores beat each score, censored at depth+1.

    Ties share the better rank, so identical claims get identical features.
    """
    ref = np.sort(reference)[::-1][:depth]
    better = np.searchsorted(-ref, -scores, side="left")
    rank = better + 1.0
    if len(ref) == depth:
        rank[scores < ref[-1]] = depth + 1.0
    return rank


class HybridIndex:
    """BM25 + ANN dense vectors over claims, fused; see the module docstring."""

    def __init__(
        self,
        encoder: Encoder | None,
        *,
        fusion: str = "auto",
        depth: int = 50,
        rrf_k: int = 60,
        bm25_k1: float = 1.5,
        bm25_b: float = 0.75,
        clean_queries: bool = True,
        connectivity: int = 16,
        expansion_search: int = 128,
    ) -> None:
        if fusion not in ("auto", "learned", "rrf"):
            raise ValueError(f"fusion must be 'auto', 'learned' or 'rrf', not {fusion!r}")
        self.encoder = encoder
        self.depth = depth
        self.rrf_k = rrf_k
        self.bm25_k1 = bm25_k1
        self.bm25_b = bm25_b
        self.clean_queries = clean_queries
        self.connectivity = connectivity
        self.expansion_search = max(expansion_search, 2 * depth)
        self.fusion = fusion
        self.fusion_model: FusionModel | None = None
        if encoder is not None and fusion in ("auto", "learned"):
            self.fusion_model = _shipped_fusion(encoder.name, depth)
            if fusion == "learned" and self.fusion_model is None:
                raise ValueError(
                    f"no learned fusion for encoder {encoder.name!r} at depth {depth}; train one with "
                    "scripts/train_retrieval.py or use fusion='rrf'"
                )
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.titles: list[str | None] = []
        self._pos: dict[str, int] = {}
        self._tokens: list[list[str]] = []
        self._bm25: object | None = None
        self._first: dict[str, int] = {}  # match-form text+title -> first position
        self._copies: dict[int, list[int]] = {}  # first position -> later identical copies
        self._vectors: dict[str, object] = {}  # "text"/"title" -> usearch Index

    # -- settings and size -------------------------------------------------------------------

    @property
    def fusion_used(self) -> str:
        if self.encoder is None:
            return "bm25"
        return "learned" if self.fusion_model is not None else "rrf"

    def __len__(self) -> int:
        return len(self.ids)

    def settings(self) -> dict[str, object]:
        return {
            "fusion": self.fusion,
            "depth": self.depth,
            "rrf_k": self.rrf_k,
            "bm25_k1": self.bm25_k1,
            "bm25_b": self.bm25_b,
            "clean_queries": self.clean_queries,
            "connectivity": self.connectivity,
            "expansion_search": self.expansion_search,
        }

    # -- adding ------------------------------------------------------------------------------

    def _new_vector_index(self) -> object:
        from usearch.index import Index

        assert self.encoder is not None
        return Index(
            ndim=self.encoder.dim,
            metric="cos",
            dtype="f32",
            connectivity=self.connectivity,
            expansion_search=self.expansion_search,
        )

    def add(self, ids: list[str], texts: list[str], titles: list[str | None] | None = None) -> None:
        """Index claims; `titles` (e.g. a fact-check's headline) are scored as a second field."""
        if titles is None:
            titles = [None] * len(texts)
        if not len(ids) == len(texts) == len(titles):
            raise ValueError("ids, texts and titles must have the same length")
        seen = set(self._pos)
        for doc_id in ids:
            if doc_id in seen:
                raise ValueError(f"duplicate id {doc_id!r}")
            seen.add(doc_id)
        if not ids:
            return
        start = len(self.ids)
        texts_m = [match_form(t) for t in texts]
        titles_m = [match_form(t) if t else None for t in titles]
        for offset, (doc_id, text, title) in enumerate(zip(ids, texts_m, titles_m, strict=True)):
            pos = start + offset
            self._pos[doc_id] = pos
            key = f"{text}\x00{title or ''}"
            first = self._first.setdefault(key, pos)
            if first != pos:
                self._copies.setdefault(first, []).append(pos)
        self.ids.extend(ids)
        self.texts.extend(texts_m)
        self.titles.extend(titles_m)
        self._tokens.extend(
            tokenize([f"{a} {b or ''}" for a, b in zip(texts_m, titles_m, strict=True)])
        )
        self._bm25 = None  # rebuilt lazily at the next search
        if self.encoder is not None:
            self._add_vectors(start, texts_m, titles_m)

    def _embed_unique(self, texts: list[str]) -> np.ndarray:
        """Embed each distinct text once, so identical texts get bit-identical vectors."""
        assert self.encoder is not None
        unique = list(dict.fromkeys(texts))
        vectors = self.encoder.encode(unique)
        where = {t: i for i, t in enumerate(unique)}
        return vectors[[where[t] for t in texts]]

    def _add_vectors(self, start: int, texts: list[str], titles: list[str | None]) -> None:
        # A missing title is scored as the text again, so every doc has both fields.
        fields = {"text": texts, "title": [ti or te for te, ti in zip(texts, titles, strict=True)]}
        keys = np.arange(start, start + len(texts), dtype=np.uint64)
        for name, values in fields.items():
            if name not in self._vectors:
                self._vectors[name] = self._new_vector_index()
            # One thread: a multi-threaded HNSW build is not reproducible (the same claims
            # could return different neighbours run to run); the build is cheap next to embedding.
            self._vectors[name].add(keys, self._embed_unique(values), threads=1)  # type: ignore[attr-defined]

    def _lexical(self) -> object:
        if self._bm25 is None:
            import bm25s

            bm25 = bm25s.BM25(k1=self.bm25_k1, b=self.bm25_b)
            bm25.index(self._tokens, show_progress=False)
            self._bm25 = bm25
        return self._bm25

    # -- searching ---------------------------------------------------------------------------

    def _prepare(self, query: str) -> str:
        return match_form(clean_query(query) if self.clean_queries else query)

    def candidates(self, queries: list[str]) -> list[Candidates]:
        """Candidates and fusion features for each query (what training and search share)."""
        if not self.ids:
            return [
                Candidates(np.zeros(0, np.int64), np.zeros((0, 0), np.float32), *[np.zeros(0)] * 2)
                for _ in queries
            ]
        prepared = [self._prepare(q) for q in queries]
        bm25 = self._lexical()
        tokens = tokenize(prepared)
        depth = min(self.depth, len(self.ids))
        dense_hits: dict[str, list[np.ndarray]] = {}
        qvecs = None
        if self.encoder is not None:
            qvecs = self.encoder.encode(prepared)
            for name, index in self._vectors.items():
                matches = index.search(qvecs, depth)  # type: ignore[attr-defined]
                # usearch answers one query with Matches, several with BatchMatches.
                per_query = [matches] if len(queries) == 1 else list(matches)
                dense_hits[name] = [np.asarray(m.keys, np.int64) for m in per_query]
        out: list[Candidates] = []
        for i, toks in enumerate(tokens):
            scores = (
                np.round(np.asarray(bm25.get_scores(toks), np.float32), 5)  # type: ignore[attr-defined]
                if toks
                else np.zeros(len(self.ids), np.float32)
            )
            lex_top = np.argsort(-scores, kind="stable")[:depth]
            lex_top = lex_top[scores[lex_top] > 0]
            pool = set(lex_top.tolist())
            for hits in dense_hits.values():
                pool.update(hits[i].tolist())
            for p in list(pool):  # identical copies travel together
                first = self._first[f"{self.texts[p]}\x00{self.titles[p] or ''}"]
                pool.add(first)
                pool.update(self._copies.get(first, ()))
            positions = np.array(sorted(pool), np.int64)
            out.append(self._featurise(positions, scores, lex_top, dense_hits, qvecs, i, depth))
        return out

    def _featurise(
        self,
        positions: np.ndarray,
        scores: np.ndarray,
        lex_top: np.ndarray,
        dense_hits: dict[str, list[np.ndarray]],
        qvecs: np.ndarray | None,
        i: int,
        depth: int,
    ) -> Candidates:
        s = scores[positions]
        best = float(scores.max()) if len(scores) else 0.0
        bm25_rank = (
            _ranks_within(s, scores[lex_top], depth)
            if len(lex_top)
            else np.full(len(s), depth + 1.0)
        )
        cols = [s / best if best > 0 else np.zeros_like(s), _rank_weight(bm25_rank)]
        dense = np.zeros(len(positions), np.float32)
        if qvecs is not None:
            for name in ("text", "title"):
                index = self._vectors[name]
                pool = np.union1d(positions, dense_hits[name][i])
                vecs = np.asarray(index.get(pool.astype(np.uint64)), np.float32)  # type: ignore[attr-defined]
                # Rounded: BLAS may sum identical rows in different orders (1e-8 noise),
                # which would split ties between identical claims.
                sims = np.round(vecs @ qvecs[i], 6)
                top = sims[np.isin(pool, dense_hits[name][i])]
                cand = sims[np.searchsorted(pool, positions)]
                ceiling = float(top.max()) if len(top) else float(cand.max())
                cols += [cand, cand - ceiling, _rank_weight(_ranks_within(cand, top, depth))]
                dense += cand / 2.0
        return Candidates(
            positions, np.stack(cols, axis=1).astype(np.float32), s.astype(np.float32), dense
        )

    def _fuse(self, cand: Candidates) -> np.ndarray:
        if self.encoder is None:
            return cand.bm25
        if self.fusion_model is not None:
            return self.fusion_model.score(cand.features)
        # RRF over BM25 and the mean dense cosine (both fields), ranks among the candidates.
        total = np.zeros(len(cand.positions))
        for signal in (cand.bm25, cand.dense):
            rank = _ranks_within(signal, signal, len(signal))
            total += 1.0 / (self.rrf_k + rank)
        return total

    def search_many(
        self, queries: list[str], k: int = 10, *, signal: str = "hybrid"
    ) -> list[list[tuple[str, float]]]:
        """Top `k` (id, score) per query; `signal` "bm25" or "dense" ranks by one side only.

        Scores are fused scores (learned: a 0-1 match probability as fitted on CLEF train
        tweets; rrf: reciprocal-rank sums), comparable within one query.
        """
        if signal not in ("hybrid", "bm25", "dense"):
            raise ValueError(f"signal must be 'hybrid', 'bm25' or 'dense', not {signal!r}")
        if signal == "dense" and self.encoder is None:
            raise ValueError("this index has no encoder, so no dense signal")
        results = []
        for cand in self.candidates(queries):
            if signal == "bm25":
                fused = cand.bm25.astype(np.float64)
            elif signal == "dense":
                fused = cand.dense.astype(np.float64)
            else:
                fused = np.asarray(self._fuse(cand), np.float64)
            # Round away float noise so identical claims tie; ties keep insertion order.
            order = np.lexsort((cand.positions, -np.round(fused, 6)))[:k]
            results.append([(self.ids[cand.positions[j]], float(fused[j])) for j in order])
        return results

    def search(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        return self.search_many([query], k)[0]

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: str | Path) -> None:
        """Write docs, settings and vectors; BM25 is rebuilt from the docs on load."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": 1,
            "encoder": self.encoder.name if self.encoder else None,
            "dim": self.encoder.dim if self.encoder else None,
            "settings": self.settings(),
        }
        (directory / "index.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        with (directory / "docs.jsonl").open("w", encoding="utf-8") as fh:
            for doc_id, text, title in zip(self.ids, self.texts, self.titles, strict=True):
                fh.write(json.dumps({"id": doc_id, "text": text, "title": title}) + "\n")
        for name, index in self._vectors.items():
            index.save(str(directory / f"{name}.usearch"))  # type: ignore[attr-defined]

    @classmethod
    def load(
        cls, directory: str | Path, encoder: Encoder | None, fusion: str | None = None
    ) -> HybridIndex:
        """Reopen a saved index; `encoder` must be the model its vectors were made with.

        `fusion` overrides the saved fusion setting (it is a query-time choice).
        """
        from usearch.index import Index

        directory = Path(directory)
        meta = json.loads((directory / "index.json").read_text(encoding="utf-8"))
        saved = meta["encoder"]
        given = encoder.name if encoder else None
        if saved != given:
            raise ValueError(
                f"index at {directory} was built with encoder {saved!r}, not {given!r}"
            )
        settings = dict(meta["settings"])
        if fusion is not None:
            settings["fusion"] = fusion
        index = cls(encoder, **settings)
        docs = [
            json.loads(line)
            for line in (directory / "docs.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        # Re-add without the encoder (vectors come from disk), then attach the saved vectors.
        index.encoder = None
        index.add([d["id"] for d in docs], [d["text"] for d in docs], [d["title"] for d in docs])
        index.encoder = encoder
        if encoder is not None:
            for name in ("text", "title"):
                vectors = Index.restore(str(directory / f"{name}.usearch"))
                if vectors is None or len(vectors) != len(docs):
                    raise ValueError(f"{directory / name}.usearch is missing or incomplete")
                vectors.expansion_search = index.expansion_search
                index._vectors[name] = vectors
        return index
