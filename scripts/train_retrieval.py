"""Fit the learned fusion of BM25 and dense scores on CLEF CheckThat! 2020 *train* tweets.

    python scripts/train_retrieval.py /work/shared/data/claim_retrieval [--model NAME]

Builds a `HybridIndex` over the verified claims, takes the candidates and features it computes
for each train tweet (the same code path search uses, so there is no train/serve skew), labels
them with the train qrels and fits a logistic regression. Reports 5-fold cross-validated MAP@5
on train, then writes the weights, fitted on all of train, to
claimgraph/models/claim-fusion-minilm/fusion.json. Dev is never read: it is for reporting.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))  # eval/claim_retrieval.py imports eval/floors.py

from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL  # noqa: E402
from claimgraph.link.retrieval import FEATURES, FUSION_FILE, FusionModel  # noqa: E402


def _eval_module() -> object:
    spec = importlib.util.spec_from_file_location(
        "claim_retrieval", REPO / "eval/claim_retrieval.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standardise, then L2-regularised logistic regression; returns mean, scale, coef, bias."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--model", default=DEFAULT_EMBEDDING_MODEL)
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--out", type=Path, default=FUSION_FILE)
    parser.add_argument("--index", type=Path, default=None, help="reuse (or save) the claim index")
    args = parser.parse_args(argv)

    ev = _eval_module()
    index, _ = ev.build_index(args.data_dir, args.model, fusion="rrf", saved=args.index)  # type: ignore[attr-defined]
    train = ev.read_split(args.data_dir, "train")  # type: ignore[attr-defined]
    cands = index.candidates(train.queries)
    labels = [
        np.array([index.ids[p] in train.qrels.get(q, ()) for p in c.positions], dtype=int)
        for q, c in zip(train.query_ids, cands, strict=True)
    ]
    found = np.mean(
        [lab.any() for q, lab in zip(train.query_ids, labels, strict=True) if q in train.qrels]
    )
    print(f"candidate recall on train: {found:.4f} ({len(FEATURES)} features)")

    # 5-fold CV on train queries: an honest estimate that never touches dev.
    rng = np.random.default_rng(0)
    folds = np.array_split(rng.permutation(len(cands)), 5)
    scores = []
    for held in folds:
        held_set = set(held.tolist())
        fit_idx = [i for i in range(len(cands)) if i not in held_set]
        mean, scale, coef, bias = fit(
            np.concatenate([cands[i].features for i in fit_idx]),
            np.concatenate([labels[i] for i in fit_idx]),
            args.c,
        )
        model = FusionModel(
            args.model, list(FEATURES), mean.tolist(), scale.tolist(), coef.tolist(), bias
        )
        for i in held:
            fused = np.round(model.score(cands[i].features), 6)
            order = np.lexsort((cands[i].positions, -fused))[:5]
            ranked = [index.ids[cands[i].positions[j]] for j in order]
            relevant = train.qrels.get(train.query_ids[i])
            if relevant:
                scores.append(ev.average_precision(ranked, relevant, 5))  # type: ignore[attr-defined]
    cv = float(np.mean(scores))
    print(f"train 5-fold CV MAP@5 (learned fusion): {cv:.4f}")

    mean, scale, coef, bias = fit(
        np.concatenate([c.features for c in cands]), np.concatenate(labels), args.c
    )
    model = FusionModel(
        encoder=args.model,
        features=list(FEATURES),
        mean=[round(float(v), 6) for v in mean],
        scale=[round(float(v), 6) for v in scale],
        coef=[round(float(v), 6) for v in coef],
        intercept=round(bias, 6),
        info={
            "trained_on": "CLEF CheckThat! 2020 task 2 English, train split (800 tweets)",
            "train_cv_map5": round(cv, 4),
            "logistic_c": args.c,
            "depth": index.depth,
            "command": "python scripts/train_retrieval.py DATA_DIR"
            + ("" if args.model == DEFAULT_EMBEDDING_MODEL else f" --model {args.model}"),
        },
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"wrote {args.out}")
    for name, weight in zip(FEATURES, model.coef, strict=True):
        print(f"  {name:<15} {weight:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
