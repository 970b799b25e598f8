"""Train the shipped check-worthiness weights from the full ClaimBuster + CT19 training data.

Deterministic: the same data, encoder and library versions give the same weights. The
cross-validated figures come from eval/checkworthiness.py, which trains the same recipe per fold.

    .venv/bin/python scripts/train_checkworthiness.py [DATA_DIR] [--out claimgraph/models/checkworthiness]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np
import sklearn

from claimgraph.link import checkworthiness as cw

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "checkworthiness"
MODEL_NAME = "checkworthiness-lr-v1"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=cw.SHIPPED_DIR)
    parser.add_argument("--encoder", default=cw.DEFAULT_ENCODER)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    files = [args.data_dir / cw.CLAIMBUSTER_FILE, args.data_dir / cw.CT19_FILE]
    for path in files:
        if not path.is_file():
            print(f"{path} is missing (see ../shared/data/README.md)", file=sys.stderr)
            return 2
    cb, ct = cw.read_claimbuster(args.data_dir), cw.read_ct19(args.data_dir)
    texts = cb.texts + ct.texts
    labels = np.concatenate([cb.labels, ct.labels])
    encoder = cw.load_default_encoder(args.encoder)
    started = time.perf_counter()
    embeddings = encoder.encode([cw.prepare(t) for t in texts])
    encoded = time.perf_counter() - started
    training = {
        "data": {
            path.name: {"sha256": sha256(path), "sentences": n, "positive": int(y.sum())}
            for path, n, y in (
                (files[0], len(cb.texts), cb.labels),
                (files[1], len(ct.texts), ct.labels),
            )
        },
        "source": "utaresearch/claimbuster-spotter (GPL-3.0 repository), see MODEL_CARD.md",
        "model": "LogisticRegression(C=1, class_weight=balanced) on TF-IDF 1-2-grams "
        "(min_df=2) + sentence embedding + linguistic features",
        "scikit_learn": sklearn.__version__,
    }
    scorer = cw.train(
        texts,
        labels,
        encoder,
        embeddings=embeddings,
        name=MODEL_NAME,
        encoder_name=args.encoder,
        training=training,
    )
    scorer.save(args.out)
    size = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
    print(
        f"trained {scorer.name} on {len(texts)} sentences ({int(labels.sum())} positive); "
        f"encoded in {encoded:.0f}s, total {time.perf_counter() - started:.0f}s; "
        f"{len(scorer.vocabulary)} terms; wrote {args.out} ({size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
