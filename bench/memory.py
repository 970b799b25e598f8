"""Peak memory of `claimgraph analyze` as the corpus grows: it should stay flat.

    .venv/bin/python bench/memory.py                          # 1k, 5k and 20k documents, --no-link
    .venv/bin/python bench/memory.py --sizes 1000 --link      # also claims and narratives
    .venv/bin/python bench/memory.py --sizes 1000,5000 --engine ray

The engine streams (lazy readers, batched `nlp.pipe`, one transaction per batch), so its peak
resident memory should not grow with the number of documents; this measures it. Each size is a
JSONL file generated under /tmp from the news sample: past its 5,000 articles the records are
repeated with variation (paragraphs rotated and a sentence appended that names the copy), so
every document gets a new content id and none is deduplicated away. Each size runs as its own
`claimgraph analyze` subprocess on a fresh database (the CLI's defaults: the local engine on
every core unless --workers). Two peaks are printed: the driver's, from `os.wait4` (the
kernel's maximum resident set of that process), and the whole process tree's (the driver and
its worker processes summed, sampled every 0.5 s; for --engine ray, Ray's own processes too).
The CPU time (user + sys of the driver and its waited-for children; sys and the minor page
faults apart) is printed too: on a shared machine it, not docs/s, is the cost of a change. `--curve FILE` appends the driver's VmRSS and
VmHWM against the documents stored so far every `--every` seconds, to see the peak's shape.

Annotation runs at a few documents/s per core, so 20k documents take hours on a small machine:
choose sizes with --sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from throughput import _tree_rss_mb  # bench/ is on the path when run as a script

REPO = Path(__file__).resolve().parents[1]
DEFAULT_JSONL = REPO.parent / "shared" / "data" / "news" / "allsides_sample5000.jsonl"
TEXT_KEYS = ("text", "content_original", "content")


def varied(record: dict, copy: int, index: int) -> dict:
    """The record itself for copy 0; later copies get rotated paragraphs and a named sentence."""
    if copy == 0:
        return record
    out = dict(record)
    for key in TEXT_KEYS:
        text = out.get(key)
        if isinstance(text, str) and text.strip():
            paragraphs = [p for p in text.split("\n\n") if p.strip()]
            shift = copy % len(paragraphs)
            paragraphs = paragraphs[shift:] + paragraphs[:shift]
            paragraphs.append(f"This is copy {copy} of item {index}, republished for a scale test.")
            out[key] = "\n\n".join(paragraphs)
            break
    return out


def records(src: Path, size: int) -> Iterator[dict]:
    """`size` records, streaming: the sample, then varied copies of it, round and round."""
    made = 0
    copy = 0
    while made < size:
        with src.open(encoding="utf-8") as fh:
            for line in fh:
                if made >= size:
                    return
                if not line.strip():
                    continue
                yield varied(json.loads(line), copy, made)
                made += 1
        copy += 1


def write_corpus(src: Path, size: int, dst: Path) -> None:
    with dst.open("w", encoding="utf-8") as out:
        for record in records(src, size):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _status_mb(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM of `pid` now, in MB (0 where it is gone)."""
    found = {"VmRSS:": 0.0, "VmHWM:": 0.0}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                words = line.split()
                if words and words[0] in found:
                    found[words[0]] = int(words[1]) / 1024
    except OSError:
        pass
    return found["VmRSS:"], found["VmHWM:"]


def _stored(db: Path) -> int | None:
    """Documents in the store so far (a read-only look; None before the table exists)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def measure(
    jsonl: Path,
    db: Path,
    link: bool,
    engine: str,
    workers: int | None,
    curve: Path | None = None,
    every: float = 20.0,
) -> dict:
    """One `claimgraph analyze` subprocess; its peak RSS from the kernel (os.wait4)."""
    cmd = [
        sys.executable,
        "-m",
        "claimgraph.cli",
        "analyze",
        str(jsonl),
        "--db",
        str(db),
        "--quiet",
        "--link" if link else "--no-link",
        "--engine",
        engine,
        *(["--workers", str(workers)] if workers else []),
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    log = db.with_suffix(".log")
    start = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
        tree = {"peak": 0.0}
        done = threading.Event()

        def sample() -> None:
            last = 0.0
            while not done.wait(0.5):
                tree["peak"] = max(tree["peak"], _tree_rss_mb(proc.pid))
                now = time.perf_counter() - start
                if curve is not None and now - last >= every:
                    last = now
                    rss, hwm = _status_mb(proc.pid)
                    with curve.open("a") as out:
                        out.write(f"{jsonl.stem}\t{now:.0f}\t{_stored(db)}\t{rss:.1f}\t{hwm:.1f}\n")

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"analyze exited {code}:\n{log.read_text()[-3000:]}")
    conn = sqlite3.connect(db)
    docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    conn.close()
    return {
        "docs": docs,
        "seconds": round(seconds, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "sys_s": round(usage.ru_stime, 1),
        "minor_faults": usage.ru_minflt,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "tree_peak_mb": max(tree["peak"], usage.ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated doc counts")
    parser.add_argument("--jsonl", type=Path, default=DEFAULT_JSONL)
    parser.add_argument("--link", action="store_true", help="linking on (claims, narratives)")
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument(
        "--workers", type=int, default=None, help="processes (default: the CLI's, every core)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files in /tmp")
    parser.add_argument(
        "--curve", type=Path, default=None, help="append corpus, s, docs stored, VmRSS, VmHWM (MB)"
    )
    parser.add_argument("--every", type=float, default=20.0, help="seconds between curve rows")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    print(
        f"engine {args.engine}, linking {'on' if args.link else 'off'}; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="cg-memory-", dir="/tmp" if Path("/tmp").is_dir() else None))
    results = []
    try:
        for size in sizes:
            jsonl = tmp / f"news_{size}.jsonl"
            write_corpus(args.jsonl, size, jsonl)
            result = {
                "size": size,
                **measure(
                    jsonl,
                    tmp / f"{size}.db",
                    args.link,
                    args.engine,
                    args.workers,
                    args.curve,
                    args.every,
                ),
            }
            results.append(result)
            print(
                f"{size:7d} articles -> {result['docs']:7d} documents  {result['seconds']:8.1f} s  "
                f"{result['docs'] / result['seconds']:5.2f} docs/s  cpu {result['cpu_s']:8.1f} s "
                f"(sys {result['sys_s']:.1f} s, {result['minor_faults']:,} minor faults)  "
                f"peak RSS driver {result['peak_rss_mb']:7.1f} MB, "
                f"all processes {result['tree_peak_mb']:7.1f} MB",
                flush=True,
            )
            if not args.keep:
                jsonl.unlink()  # the 20k file is ~100 MB
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept: {tmp}")
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(
            f"all processes {first['size']} -> {last['size']}: "
            f"x{last['tree_peak_mb'] / first['tree_peak_mb']:.2f}"
        )
        growth = last["peak_rss_mb"] - first["peak_rss_mb"]
        per_k = growth / max(1, (last["docs"] - first["docs"]) / 1000)
        print(
            f"growth {first['size']} -> {last['size']}: {growth:+.1f} MB "
            f"({per_k:+.2f} MB per 1,000 more documents; "
            f"x{last['peak_rss_mb'] / first['peak_rss_mb']:.2f} for x{last['docs'] / max(1, first['docs']):.1f} documents)"
        )


if __name__ == "__main__":
    main()
