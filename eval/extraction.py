"""Main-text extraction on real pages: our HTML path against plain trafilatura.

Data: the 181 pages of scrapinghub/article-extraction-benchmark (`html/*.html.gz` and
`ground-truth.json` with each page's `articleBody`), read from ../shared/data/extraction by
default. Metric, as the benchmark's evaluate.py defines it: 4-gram shingles of `\\w+` tokens per
page; per-page TP/FP/FN normalised to sum 1; precision and recall averaged over pages; F1 is the
harmonic mean of the two averages.

    .venv/bin/python eval/extraction.py [DATA_DIR] [--worst 10] [--pin]

`--pin` writes the floor (our F1 - 0.005) to eval/floors.yaml under `extraction_f1`, keeping every
other key and comment in that file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import trafilatura
from floors import pin_floors, read_floors

from claimgraph.ingest import clean_article, read_file
from claimgraph.model import Article, Document

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "extraction"
FLOORS = REPO / "eval" / "floors.yaml"
FLOOR_KEY = "extraction_f1"
FLOOR_MARGIN = 0.005
# From the benchmark's README (F1 on these 181 pages).
PUBLISHED = {"trafilatura 2.0.0 (published)": 0.958, "readability.js (published)": 0.947}

_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def page_scores(true: str, pred: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page, as the benchmark computes them."""
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    seconds: float


def score(rows: list[tuple[float, float, float]], seconds: float) -> Score:
    precisions = [_precision(*r) for r in rows if r[0] + r[1] > 0]
    recalls = [_recall(*r) for r in rows if r[0] + r[2] > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return Score(p, r, 2 * p * r / (p + r) if p + r else 0.0, seconds)


def our_text(path: Path) -> str:
    """The body our pipeline keeps for one page: HTML reader + clean_article."""
    for item in read_file(path):
        if isinstance(item, Article):
            doc = clean_article(item)
            return doc.text if isinstance(doc, Document) else ""
    return ""


def baseline_text(path: Path) -> str:
    """Plain trafilatura, as the benchmark runs it."""
    with gzip.open(path, "rt", encoding="utf8") as fh:
        return trafilatura.extract(fh.read(), include_comments=False) or ""


@dataclass(frozen=True, slots=True)
class Result:
    pages: int
    ours: Score
    baseline: Score
    per_page: list[tuple[str, float, float]]  # (page id, our F1-ish, baseline F1-ish)


def _run(
    extractor: Callable[[Path], str], pages: list[tuple[str, Path]], truth: dict[str, str]
) -> tuple[list[tuple[float, float, float]], float]:
    start = time.perf_counter()
    rows = [page_scores(truth[key], extractor(path)) for key, path in pages]
    return rows, time.perf_counter() - start


def load(data_dir: Path) -> tuple[list[tuple[str, Path]], dict[str, str]]:
    """(page id, html path) pairs and the ground-truth bodies; says clearly what is missing."""
    truth_file = data_dir / "ground-truth.json"
    if not truth_file.is_file():
        raise FileNotFoundError(
            f"no {truth_file}: pass the extraction benchmark folder (default {DEFAULT_DATA})"
        )
    truth = {k: v.get("articleBody", "") for k, v in json.loads(truth_file.read_text()).items()}
    pages = sorted((p.name.split(".")[0], p) for p in (data_dir / "html").glob("*.html.gz"))
    missing = set(truth) - {key for key, _ in pages}
    if missing:
        raise FileNotFoundError(f"{len(missing)} pages of ground-truth.json have no html file")
    return pages, truth


def evaluate(data_dir: Path = DEFAULT_DATA, limit: int | None = None) -> Result:
    """Score our HTML path and plain trafilatura on the same pages in one run."""
    pages, truth = load(Path(data_dir))
    pages = pages[:limit] if limit else pages
    ours, ours_s = _run(our_text, pages, truth)
    base, base_s = _run(baseline_text, pages, truth)
    per_page = [
        (key, 1 - o[1] - o[2], 1 - b[1] - b[2])
        for (key, _), o, b in zip(pages, ours, base, strict=True)
    ]
    return Result(len(pages), score(ours, ours_s), score(base, base_s), per_page)


def pin_floor(key: str, value: float, path: Path = FLOORS) -> None:
    pin_floors({key: value}, path)


def table(result: Result) -> Iterable[str]:
    yield f"Main-text extraction, {result.pages} pages (4-gram shingle F1, benchmark metric)"
    yield f"{'extractor':<34} {'precision':>9} {'recall':>7} {'F1':>6} {'pages/s':>8}"
    for name, s in (
        ("claimgraph (reader + clean_article)", result.ours),
        ("trafilatura 2.3.1 baseline", result.baseline),
    ):
        rate = result.pages / s.seconds if s.seconds else 0.0
        yield f"{name:<34} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {rate:>8.1f}"
    for name, f1 in PUBLISHED.items():
        yield f"{name:<34} {'':>9} {'':>7} {f1:>6.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages we lose most on")
    parser.add_argument("--pin", action="store_true", help=f"write {FLOOR_KEY} to {FLOORS.name}")
    args = parser.parse_args(argv)
    try:
        result = evaluate(args.data_dir, args.limit)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    for row in table(result):
        print(row)
    if args.worst:
        print("\npages where our cleaning loses most against the baseline (shingle TP share):")
        worst = sorted(result.per_page, key=lambda r: r[1] - r[2])[: args.worst]
        for key, ours, base in worst:
            print(f"  {key[:16]}  ours {ours:.3f}  baseline {base:.3f}")
    floor = read_floors().get(FLOOR_KEY)
    if floor is not None:
        print(f"\npinned floor {FLOOR_KEY} = {floor:.3f}")
    if args.pin:
        value = math.floor((result.ours.f1 - FLOOR_MARGIN) * 1000) / 1000
        pin_floor(FLOOR_KEY, value)
        print(f"pinned {FLOOR_KEY} = {value:.3f} in {FLOORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
