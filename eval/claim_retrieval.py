"""Evaluate claim retrieval on CLEF CheckThat! 2020 task 2 (tweets -> Snopes verified claims).

    python eval/claim_retrieval.py DATA_DIR [--split dev] [--model NAME] [--fusion auto]

DATA_DIR holds `verified_claims.docs.tsv` and `SPLIT/{tweets.queries.tsv,
tweet-vclaim-pairs.qrels}` (e.g. /work/shared/data/claim_retrieval). Prints MAP@5, MAP@1 and
recall@5 for BM25 alone, dense alone and the hybrid, measured in the same run on the same
index, next to published reference figures, with the model name and timings.

MAP@5 is trectools' get_map(depth=5): per query, the precision at each relevant claim found in
the top 5, summed and divided by the number of relevant claims; averaged over queries that have
gold links.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from floors import pin_floors, read_floors

from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL, load_encoder
from claimgraph.link.retrieval import HybridIndex

REPO = Path(__file__).resolve().parents[1]
FLOORS = REPO / "eval" / "floors.yaml"
FLOOR_KEY = "claim_retrieval_dev_map5"

# Reference figures (MAP@5) for orientation; none of them comes from this code.
REFERENCE = {
    "bm25": "0.727 dev (simple BM25, data README)",
    "dense": "0.783 dev (all-MiniLM-L6-v2 cosine, data README)",
    "hybrid": "0.843 dev (RRF of the two, data README); best CLEF 2020 systems ~0.91-0.93 test",
}


@dataclass(frozen=True)
class Split:
    query_ids: list[str]
    queries: list[str]
    qrels: dict[str, set[str]]


def read_claims(data_dir: Path) -> tuple[list[str], list[str], list[str]]:
    """(ids, claim texts, titles) from verified_claims.docs.tsv (CSV-quoted TSV, header row)."""
    with (data_dir / "verified_claims.docs.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def read_split(data_dir: Path, split: str) -> Split:
    with (data_dir / split / "tweets.queries.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    qrels: dict[str, set[str]] = {}
    for line in (data_dir / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and int(parts[3]) > 0:
            qrels.setdefault(parts[0], set()).add(parts[2])
    return Split([r[0] for r in rows], [r[1] for r in rows], qrels)


def average_precision(ranked: list[str], relevant: set[str], depth: int = 5) -> float:
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:depth]):
        if doc in relevant:
            hits += 1
            total += hits / (i + 1)
    return total / len(relevant)


def metrics(rankings: list[list[str]], split: Split) -> dict[str, float]:
    """MAP@5, MAP@1 and recall@5 over queries with gold links."""
    ap5, ap1, rec5 = [], [], []
    for qid, ranked in zip(split.query_ids, rankings, strict=True):
        relevant = split.qrels.get(qid)
        if not relevant:
            continue
        ap5.append(average_precision(ranked, relevant, 5))
        ap1.append(average_precision(ranked, relevant, 1))
        rec5.append(len(relevant & set(ranked[:5])) / len(relevant))
    n = len(ap5)
    return {"map5": sum(ap5) / n, "map1": sum(ap1) / n, "recall5": sum(rec5) / n, "n": n}


def build_index(
    data_dir: Path, model: str | None, fusion: str = "auto", saved: Path | None = None
) -> tuple[HybridIndex, float]:
    """Index every verified claim (text + title); returns the index and seconds taken.

    With `saved`, an index saved there earlier (same model) is reopened instead of rebuilt,
    and a fresh build is saved there: repeated runs then skip embedding 10k claims.
    """
    encoder = load_encoder(model) if model else None
    if saved is not None and (saved / "index.json").is_file():
        return HybridIndex.load(saved, encoder, fusion=fusion), float("nan")
    ids, texts, titles = read_claims(data_dir)
    started = time.perf_counter()
    index = HybridIndex(encoder, fusion=fusion)
    index.add(ids, texts, titles)
    elapsed = time.perf_counter() - started
    if saved is not None:
        index.save(saved)
    return index, elapsed


def evaluate(
    data_dir: Path,
    split: str = "dev",
    model: str | None = DEFAULT_EMBEDDING_MODEL,
    fusion: str = "auto",
    saved: Path | None = None,
) -> dict[str, object]:
    """Run all three rankers on one index; plain dict of figures and timings."""
    data = read_split(data_dir, split)
    index, index_s = build_index(data_dir, model, fusion, saved)
    results: dict[str, object] = {
        "split": split,
        "model": model,
        "fusion": index.fusion_used,
        "claims": len(index),
        "queries": len(data.queries),
        "index_s": index_s,
        "claims_per_s": len(index) / index_s,
    }
    signals = ["bm25", "dense", "hybrid"] if model else ["bm25"]
    for signal in signals:
        started = time.perf_counter()
        ranked = index.search_many(data.queries, k=5, signal=signal)
        elapsed = time.perf_counter() - started
        results[signal] = metrics([[doc for doc, _ in hits] for hits in ranked], data) | {
            "queries_per_s": len(data.queries) / elapsed
        }
    return results


def format_report(res: dict[str, object]) -> str:
    lines = [
        f"CLEF CheckThat! 2020 task 2, split={res['split']}: {res['queries']} tweets, "
        f"{res['claims']} verified claims",
        f"embedding model: {res['model']}   fusion: {res['fusion']}",
        f"indexing: {res['index_s']:.1f}s ({res['claims_per_s']:.0f} claims/s, BM25 + text and "
        "title vectors)"
        if res["index_s"] == res["index_s"]  # NaN when a saved index was reopened
        else "indexing: reopened a saved index (no timing)",
        "",
        f"{'ranker':<8} {'MAP@5':>6} {'MAP@1':>6} {'R@5':>6} {'q/s':>7}   reference MAP@5",
    ]
    for signal in ("bm25", "dense", "hybrid"):
        m = res.get(signal)
        if isinstance(m, dict):
            lines.append(
                f"{signal:<8} {m['map5']:6.3f} {m['map1']:6.3f} {m['recall5']:6.3f} "
                f"{m['queries_per_s']:7.1f}   {REFERENCE[signal]}"
            )
    return "\n".join(lines)


def read_floor(path: Path = FLOORS, key: str = FLOOR_KEY) -> float | None:
    """Our pinned floor from the shared flat floors file, or None when not pinned yet."""
    return read_floors(path).get(key)


def pin_floor(value: float, path: Path = FLOORS, key: str = FLOOR_KEY) -> None:
    """Pin our one key, rounded down to 3 decimals; other keys stay as they are."""
    pin_floors({key: math.floor(value * 1000) / 1000}, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--split", default="dev")
    parser.add_argument(
        "--model", default=DEFAULT_EMBEDDING_MODEL, help="sentence-transformers model or path"
    )
    parser.add_argument("--fusion", default="auto", choices=["auto", "learned", "rrf"])
    parser.add_argument(
        "--index", type=Path, default=None, help="reuse (or save) the claim index in this folder"
    )
    parser.add_argument("--pin", action="store_true", help=f"pin the hybrid MAP@5 as {FLOOR_KEY}")
    args = parser.parse_args(argv)
    res = evaluate(args.data_dir, args.split, args.model, args.fusion, args.index)
    print(format_report(res))
    floor = read_floor()
    if floor is not None:
        print(f"pinned floor {FLOOR_KEY}: {floor:.3f}")
    if args.pin:
        if args.split != "dev" or args.model != DEFAULT_EMBEDDING_MODEL or args.fusion != "auto":
            print(
                "refusing to pin: the floor is for --split dev with the defaults", file=sys.stderr
            )
            return 2
        hybrid = res["hybrid"]
        assert isinstance(hybrid, dict)
        pin_floor(hybrid["map5"])
        print(f"pinned {FLOOR_KEY} in {FLOORS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
