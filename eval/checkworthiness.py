"""Check-worthiness: our scorer against a TF-IDF + logistic-regression baseline, same folds.

Data (../shared/data/checkworthiness by default): ClaimBuster train (7,976 debate sentences,
two classes) and CLEF CheckThat! 2019 task 1 training (16,421 sentences in 19 debates/speeches).

- ClaimBuster: stratified k-fold CV (the file names no debate): F1 of the positive class at 0.5,
  ROC AUC, average precision.
- CT19: grouped k-fold by debate (`--ct19-folds 19` is leave-one-debate-out). Each fold trains
  on the other debates plus ClaimBuster, as the shipped model is trained, minus every
  ClaimBuster sentence that also occurs in a held-out debate (ClaimBuster carries the 2016
  debates too). Metric: average precision within each debate (`file_name`), mean over debates
  (the official MAP). Published best on the CT19 *test* debates: 0.166; these are the training
  debates, so the figures are not comparable, only the baseline beside ours is.
- News: the shipped scorer on every sentence of examples/*.txt, and the sample's gold
  attribution contents (../shared/gold/seeds.yaml) against the other sentences.

Both models see the same folds, texts and class balancing; the baseline has word 1-2-gram
TF-IDF only, ours adds sentence embeddings and linguistic features.

    .venv/bin/python eval/checkworthiness.py [DATA_DIR] [--cb-folds 5] [--ct19-folds 5] [--pin]
    .venv/bin/python eval/checkworthiness.py --quick --no-news --pin   # the test's own floors

`--pin` writes the reached figures (rounded down to 3 decimals) to eval/floors.yaml as
`checkworthiness_claimbuster_f1`, `checkworthiness_claimbuster_ap`, `checkworthiness_ct19_map` and
`checkworthiness_news_auc` (gold-attribution sentences vs the rest of the sample), keeping every
other line of that shared file.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from floors import pin_floors, read_floors
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score
from sklearn.model_selection import GroupKFold, StratifiedKFold

from claimgraph.link import checkworthiness as cw
from claimgraph.model import normalise_text

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_DATA = SHARED / "data" / "checkworthiness"
EXAMPLES = REPO / "examples"
GOLD = SHARED / "gold" / "seeds.yaml"
FLOORS = REPO / "eval" / "floors.yaml"
PUBLISHED_CT19_MAP = 0.166  # best primary run, CLEF CheckThat! 2019 task 1 (test debates)
SEED = 0
# The quick configuration the test reruns in a few minutes on 2 cores: a stratified 2,000-sentence
# ClaimBuster sample, 3 folds, and the nine shortest CT19 speeches/debates (2,563 sentences,
# 124 check-worthy). Its figures are pinned under their own keys (`checkworthiness_quick_*`).
QUICK: dict[str, object] = {
    "cb_limit": 2000,
    "cb_folds": 3,
    "ct19_folds": 3,
    "ct19_debates": (
        "20160722_trump_acceptance.tsv",
        "20170228_trump_address.tsv",
        "20170315_nashville.tsv",
        "20170601_paris_climate_n.tsv",
        "20170928_trump_tax.tsv",
        "20181010_medicare.tsv",
        "20181112_trump_pelosi.tsv",
        "20182601_trump_world.tsv",
        "20190108_oval_office.tsv",
    ),
}


@dataclass(frozen=True, slots=True)
class Ranking:
    f1: float
    auc: float
    ap: float


@dataclass(frozen=True, slots=True)
class DebateMap:
    map: float
    per_debate: dict[str, float]


@dataclass(slots=True)
class Result:
    cb_baseline: Ranking
    cb_ours: Ranking
    ct_baseline: DebateMap
    ct_ours: DebateMap
    sentences_encoded: int
    encode_seconds: float
    seconds: float
    folds: dict[str, int] = field(default_factory=dict)

    @property
    def ct_wins(self) -> int:
        """Debates where our average precision beats the baseline's."""
        return sum(
            self.ct_ours.per_debate[d] > self.ct_baseline.per_debate[d]
            for d in self.ct_ours.per_debate
        )


def baseline_scores(train: Sequence[str], labels: np.ndarray, test: Sequence[str]) -> np.ndarray:
    """The standard lexical baseline: word 1-2-gram TF-IDF into a logistic regression."""
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vectoriser.fit_transform(train)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000)
    model.fit(x, labels)
    return model.predict_proba(vectoriser.transform(test))[:, 1]


def our_scores(
    train: Sequence[str],
    labels: np.ndarray,
    test: Sequence[str],
    vectors: dict[str, np.ndarray],
) -> np.ndarray:
    """Our scorer trained on the fold, with embeddings looked up, never refitted on test."""
    scorer = cw.train(
        train, labels, None, embeddings=_rows(train, vectors), encoder_name=cw.DEFAULT_ENCODER
    )
    return scorer.score(test, embeddings=_rows(test, vectors))


def _rows(texts: Sequence[str], vectors: dict[str, np.ndarray]) -> np.ndarray:
    return np.stack([vectors[cw.prepare(t)] for t in texts])


def encode_all(texts: Iterable[str], encoder: cw.TextEncoder) -> dict[str, np.ndarray]:
    """Each distinct prepared text encoded once: the encoder is the expensive part."""
    unique = sorted({cw.prepare(t) for t in texts})
    vectors = encoder.encode(unique)
    return dict(zip(unique, vectors, strict=True))


def ranking(labels: np.ndarray, scores: np.ndarray) -> Ranking:
    return Ranking(
        f1=float(f1_score(labels, scores >= 0.5)),
        auc=float(roc_auc_score(labels, scores)),
        ap=float(average_precision_score(labels, scores)),
    )


def _select(data: cw.LabelledSentences, index: Sequence[int]) -> cw.LabelledSentences:
    return cw.LabelledSentences(
        [data.texts[i] for i in index], data.labels[list(index)], [data.groups[i] for i in index]
    )


def stratified_subset(data: cw.LabelledSentences, limit: int | None) -> cw.LabelledSentences:
    """A seeded, class-stratified sample (for quick runs); everything when `limit` is None."""
    if limit is None or limit >= len(data.texts):
        return data
    rng = np.random.default_rng(SEED)
    picked: list[int] = []
    for label in (0, 1):
        pool = np.flatnonzero(data.labels == label)
        share = round(limit * len(pool) / len(data.texts))
        picked.extend(rng.choice(pool, size=share, replace=False).tolist())
    return _select(data, sorted(picked))


def claimbuster_cv(
    cb: cw.LabelledSentences, vectors: dict[str, np.ndarray], folds: int
) -> tuple[Ranking, Ranking]:
    """Stratified k-fold on ClaimBuster: (baseline, ours), scores pooled over folds."""
    base = np.zeros(len(cb.texts))
    ours = np.zeros(len(cb.texts))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for train_idx, test_idx in splitter.split(cb.texts, cb.labels):
        train, test = _select(cb, train_idx), _select(cb, test_idx)
        base[test_idx] = baseline_scores(train.texts, train.labels, test.texts)
        ours[test_idx] = our_scores(train.texts, train.labels, test.texts, vectors)
    return ranking(cb.labels, base), ranking(cb.labels, ours)


def debate_map(data: cw.LabelledSentences, scores: np.ndarray) -> DebateMap:
    """Average precision within each debate, then the mean: the CheckThat! 2019 MAP."""
    groups = np.array(data.groups)
    per = {
        g: float(average_precision_score(data.labels[groups == g], scores[groups == g]))
        for g in sorted(set(data.groups))
    }
    return DebateMap(float(np.mean(list(per.values()))), per)


def ct19_cv(
    ct: cw.LabelledSentences,
    cb: cw.LabelledSentences,
    vectors: dict[str, np.ndarray],
    folds: int,
) -> tuple[DebateMap, DebateMap]:
    """Grouped k-fold by debate; each fold also trains on ClaimBuster minus held-out sentences."""
    base = np.zeros(len(ct.texts))
    ours = np.zeros(len(ct.texts))
    cb_keys = [normalise_text(t) for t in cb.texts]
    splitter = GroupKFold(min(folds, len(set(ct.groups))))
    for train_idx, test_idx in splitter.split(ct.texts, ct.labels, ct.groups):
        test = _select(ct, test_idx)
        held_out = {normalise_text(t) for t in test.texts}
        extra = _select(cb, [i for i, k in enumerate(cb_keys) if k not in held_out])
        own = _select(ct, train_idx)
        texts = own.texts + extra.texts
        labels = np.concatenate([own.labels, extra.labels])
        base[test_idx] = baseline_scores(texts, labels, test.texts)
        ours[test_idx] = our_scores(texts, labels, test.texts, vectors)
    return debate_map(ct, base), debate_map(ct, ours)


def evaluate(
    data_dir: Path = DEFAULT_DATA,
    encoder: cw.TextEncoder | None = None,
    *,
    cb_folds: int = 5,
    ct19_folds: int = 5,
    cb_limit: int | None = None,
    ct19_debates: Sequence[str] | None = None,
) -> Result:
    """Cross-validate baseline and ours on the same folds. Raises FileNotFoundError without data."""
    for name in (cw.CLAIMBUSTER_FILE, cw.CT19_FILE):
        if not (data_dir / name).is_file():
            raise FileNotFoundError(f"{data_dir / name} is missing (see ../shared/data/README.md)")
    started = time.perf_counter()
    cb = stratified_subset(cw.read_claimbuster(data_dir), cb_limit)
    ct = cw.read_ct19(data_dir)
    if ct19_debates is not None:
        wanted = set(ct19_debates)
        ct = _select(ct, [i for i, g in enumerate(ct.groups) if g in wanted])
    encoder = encoder if encoder is not None else cw.load_default_encoder()
    t0 = time.perf_counter()
    vectors = encode_all(cb.texts + ct.texts, encoder)
    encode_seconds = time.perf_counter() - t0
    cb_base, cb_ours = claimbuster_cv(cb, vectors, cb_folds)
    ct_base, ct_ours = ct19_cv(ct, cb, vectors, ct19_folds)
    return Result(
        cb_base,
        cb_ours,
        ct_base,
        ct_ours,
        sentences_encoded=len(vectors),
        encode_seconds=encode_seconds,
        seconds=time.perf_counter() - started,
        folds={"claimbuster": cb_folds, "ct19": min(ct19_folds, len(set(ct.groups)))},
    )


# -- news: the sample corpus ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    document: str
    text: str
    score: float
    gold: bool  # contains a gold attribution content


@dataclass(slots=True)
class NewsResult:
    sentences: list[ScoredSentence]
    gold_contents: list[tuple[str, float]]  # the gold content strings themselves, scored
    gold_missing: list[str]
    seconds: float

    def mean(self, gold: bool) -> float:
        return float(np.mean([s.score for s in self.sentences if s.gold is gold]))

    def share_kept(self, gold: bool, threshold: float = 0.5) -> float:
        return float(np.mean([s.score >= threshold for s in self.sentences if s.gold is gold]))

    @property
    def auc(self) -> float:
        """How well the score ranks gold-attribution sentences above the others."""
        labels = np.array([s.gold for s in self.sentences])
        return float(roc_auc_score(labels, [s.score for s in self.sentences]))


def sample_sentences(examples: Path = EXAMPLES) -> list[tuple[str, str]]:
    """(file name, sentence) for the cleaned bodies of the sample, split as the pipeline does."""
    import spacy

    from claimgraph.annotate import sentences_of
    from claimgraph.annotate.nlp import DEFAULT_MODEL
    from claimgraph.ingest import clean_article, read_paths
    from claimgraph.model import Document

    nlp = spacy.load(DEFAULT_MODEL, exclude=["ner", "lemmatizer"])
    out: list[tuple[str, str]] = []
    for item in read_paths([examples]):
        doc = clean_article(item) if not isinstance(item, Document) else item
        if isinstance(doc, Document):
            name = Path(doc.source).name
            out.extend((name, s.text) for s in sentences_of(nlp(doc.text)))
    return sorted(out, key=lambda pair: pair[0])


def news_report(
    scorer: cw.CheckworthinessScorer, examples: Path = EXAMPLES, gold_path: Path = GOLD
) -> NewsResult:
    """Score every sample sentence; mark those holding a gold attribution content."""
    pairs = sample_sentences(examples)
    gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))["documents"]
    contents = {
        name: [normalise_text(a["text"]) for a in spec.get("attributions", [])]
        for name, spec in gold.items()
    }
    texts = [t for _, t in pairs]
    scorer.score(texts[:2])  # warm-up: model loading is not scoring
    t0 = time.perf_counter()
    scores = scorer.score(texts)
    seconds = time.perf_counter() - t0
    marked: list[ScoredSentence] = []
    found: set[tuple[str, str]] = set()
    for (name, text), score in zip(pairs, scores, strict=True):
        norm = normalise_text(text)
        hits = [c for c in contents.get(name, []) if c in norm]
        found.update((name, c) for c in hits)
        marked.append(ScoredSentence(name, text, float(score), bool(hits)))
    raw = [(n, a["text"]) for n, s in gold.items() for a in s.get("attributions", [])]
    content_scores = scorer.score([t for _, t in raw])
    missing = [t for n, t in raw if (n, normalise_text(t)) not in found]
    return NewsResult(
        marked,
        [(t, float(s)) for (_, t), s in zip(raw, content_scores, strict=True)],
        missing,
        seconds,
    )


# -- output and floors ---------------------------------------------------------------------


def table(result: Result) -> Iterable[str]:
    f = result.folds
    yield (
        f"Check-worthiness, same folds for both models "
        f"({result.sentences_encoded} distinct sentences encoded in {result.encode_seconds:.0f}s, "
        f"{result.sentences_encoded / max(result.encode_seconds, 1e-9):.0f}/s; "
        f"total {result.seconds:.0f}s)"
    )
    yield f"{'model':<34} {'CB F1':>6} {'CB AUC':>6} {'CB AP':>6} {'CT19 MAP':>8}"
    yield f"(ClaimBuster {f['claimbuster']}-fold stratified CV; CT19 {f['ct19']} folds grouped by debate)"
    for name, cb, ct in (
        ("TF-IDF + LR baseline", result.cb_baseline, result.ct_baseline),
        ("ours (MiniLM + TF-IDF + features)", result.cb_ours, result.ct_ours),
    ):
        yield f"{name:<34} {cb.f1:>6.3f} {cb.auc:>6.3f} {cb.ap:>6.3f} {ct.map:>8.3f}"
    yield f"{'best published CT19 (test debates)':<34} {'':>6} {'':>6} {'':>6} {PUBLISHED_CT19_MAP:>8.3f}"
    yield (
        f"CT19: ours beats the baseline in {result.ct_wins} of {len(result.ct_ours.per_debate)} "
        "debates (average precision per debate):"
    )
    for debate, ap in result.ct_ours.per_debate.items():
        yield f"  {debate:<32} baseline {result.ct_baseline.per_debate[debate]:.3f}  ours {ap:.3f}"


def news_table(news: NewsResult, scorer_name: str, top: int = 5) -> Iterable[str]:
    ranked = sorted(news.sentences, key=lambda s: -s.score)
    rate = len(news.sentences) / max(news.seconds, 1e-9)
    yield (
        f"\nNews: the shipped scorer ({scorer_name}) on {len(news.sentences)} sentences of the "
        f"sample in {news.seconds:.2f}s ({rate:.0f} sentences/s, encoder included)"
    )
    for title, rows in (("top", ranked[:top]), ("bottom", ranked[-top:])):
        yield f"{title} {top}:"
        for s in rows:
            yield f"  {s.score:.3f}  {s.document[:3]}  {_clip(s.text)}"
    n_gold = sum(s.gold for s in news.sentences)
    yield (
        f"sentences holding a gold attribution content: {n_gold}, mean {news.mean(True):.3f}, "
        f"{news.share_kept(True):.0%} >= 0.5"
    )
    yield (
        f"other sentences:                              {len(news.sentences) - n_gold}, "
        f"mean {news.mean(False):.3f}, {news.share_kept(False):.0%} >= 0.5"
    )
    yield f"AUC gold-content sentences vs others: {news.auc:.3f}"
    content = [s for _, s in news.gold_contents]
    yield (
        f"gold attribution contents scored on their own: mean {np.mean(content):.3f}, "
        f"{np.mean(np.array(content) >= 0.5):.0%} >= 0.5"
    )
    if news.gold_missing:
        yield f"gold contents not inside one sample sentence: {len(news.gold_missing)}"


def _clip(text: str, width: int = 110) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def floor_values(result: Result, prefix: str = "checkworthiness") -> dict[str, float]:
    """Figures reached, rounded down to 3 decimals: the gate allows 0.01 below them."""
    down = lambda v: math.floor(v * 1000) / 1000  # noqa: E731
    return {
        f"{prefix}_claimbuster_f1": down(result.cb_ours.f1),
        f"{prefix}_claimbuster_ap": down(result.cb_ours.ap),
        f"{prefix}_ct19_map": down(result.ct_ours.map),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cb-folds", type=int, default=5)
    parser.add_argument("--ct19-folds", type=int, default=5, help="19 = leave-one-debate-out")
    parser.add_argument(
        "--quick", action="store_true", help="the test's quick configuration (floors: *_quick_*)"
    )
    parser.add_argument("--no-news", action="store_true", help="skip the sample-corpus report")
    parser.add_argument("--pin", action="store_true", help=f"write our floors to {FLOORS.name}")
    parser.add_argument(
        "--encoder",
        default=cw.DEFAULT_ENCODER,
        help="sentence encoder for the embedding features (e.g. minilm-l6-v2-int8); the floors "
        "are the default encoder's",
    )
    args = parser.parse_args(argv)
    if args.pin and args.encoder != cw.DEFAULT_ENCODER:
        print("refusing to pin: the floors are for the default encoder", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    encoder = cw.load_default_encoder(args.encoder)
    try:
        if args.quick:
            result = evaluate(args.data_dir, encoder, **QUICK)  # type: ignore[arg-type]
        else:
            result = evaluate(
                args.data_dir, encoder, cb_folds=args.cb_folds, ct19_folds=args.ct19_folds
            )
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    for row in table(result):
        print(row)
    values = floor_values(result, "checkworthiness_quick" if args.quick else "checkworthiness")
    if not args.no_news:
        shipped = cw.shipped_for(args.encoder)
        if shipped is None:
            print(
                f"no shipped weights for {args.encoder}: the news report uses the default ones",
                file=sys.stderr,
            )
            shipped = cw.SHIPPED_DIR
            encoder = None
        scorer = cw.CheckworthinessScorer.load(str(shipped), encoder=encoder)
        news = news_report(scorer)
        for row in news_table(news, scorer.name):
            print(row)
        if not args.quick:
            values["checkworthiness_news_auc"] = math.floor(news.auc * 1000) / 1000
    pinned = read_floors()
    print("\nfloors: " + ", ".join(f"{k} {pinned.get(k, float('nan')):.3f}" for k in values))
    if args.pin:
        pin_floors(values)
        print(f"pinned {', '.join(f'{k} = {v:.3f}' for k, v in values.items())} in {FLOORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
