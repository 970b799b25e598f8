"""Peak memory and time of `claimgraph analyze` on hostile inputs, beside a normal run.

    .venv/bin/python bench/hostile.py                         # 1M and 5M chars, 200k lines
    .venv/bin/python bench/hostile.py --sizes 300000 --lines 20000   # a quicker look

Cases, each one `claimgraph analyze --no-link` subprocess on a fresh SQLite database:
- baseline: 60 news articles (the first 60 of ../shared/data/news/allsides_sample5000.jsonl);
- one long document of each of `--sizes` characters (default 1M and 5M): real articles of the
  same file joined into one text, one JSONL record;
- a document over the per-document limit (`--max-chars` default, 5M) between six normal
  articles: it must be skipped with its size named, and the six stored (it used to crash the
  run with spaCy's E088 and lose the batch in flight);
- a JSONL file of `--lines` lines (default 200,000): short valid records plus 1% corrupt lines
  (bad JSON, a list, no text, a number for text, invalid UTF-8); every valid record must be
  stored, every corrupt line reported.
Without ../shared/data the article text is synthetic (generated paragraphs); the output says
which. Peak RSS comes from `os.wait4` (the kernel's maximum resident set of that child), and the
table prints each case's difference and ratio to the baseline. The target: a long document's
peak within 300 MB of the baseline's. The 5M case takes about 15 minutes on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_JSONL = REPO.parent / "shared" / "data" / "news" / "allsides_sample5000.jsonl"
TEXT_KEYS = ("text", "content_original", "content")
TARGET_MB = 300


def news_records(src: Path) -> Iterator[dict]:
    """The news sample's records with text, round and round (for texts longer than it)."""
    while True:
        with src.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                record = json.loads(line)
                if any(isinstance(record.get(k), str) and record[k].strip() for k in TEXT_KEYS):
                    yield record


def synthetic_records(seed: int = 7) -> Iterator[dict]:
    """Generated articles when the news sample is absent: attributions, names, dates."""
    rng = random.Random(seed)
    people = ["Maria Lopez", "Ahmed Karimi", "John Carter", "Li Wei", "Olena Shevchenko"]
    bodies = ["the Interior Ministry", "the city council", "the United Nations", "Reuters"]
    verbs = ["said", "told reporters", "claimed", "denied", "confirmed"]
    i = 0
    while True:
        i += 1
        paragraphs = []
        for _ in range(rng.randint(6, 14)):
            who, body, verb = rng.choice(people), rng.choice(bodies), rng.choice(verbs)
            n = rng.randint(2, 900)
            paragraphs.append(
                f'"{n} people were moved from the area overnight," {who} of {body} {verb} on '
                f"Tuesday, March {rng.randint(1, 28)}, 2021. Officials, who spoke on condition "
                f"of anonymity, said the figure could not be independently verified. "
                f"According to {body}, the convoy left before dawn and reached the border "
                f"crossing {rng.randint(2, 40)} kilometres away."
            )
        yield {"title": f"Synthetic report {i}", "text": "\n\n".join(paragraphs)}


def article_text(record: dict) -> str:
    for key in TEXT_KEYS:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def long_text(records: Iterator[dict], size: int) -> str:
    """Articles (title, then body) joined by paragraph breaks until `size` characters."""
    parts, total = [], 0
    while total < size:
        record = next(records)
        part = f"{record.get('title') or ''}\n\n{article_text(record)}"
        parts.append(part)
        total += len(part) + 2
    return "\n\n".join(parts)[:size]


def write_long(path: Path, text: str) -> None:
    record = {"title": f"Long document of {len(text):,} characters", "text": text}
    record.update(outlet="bench", date="2021-03-01")
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


def write_articles(path: Path, records: Iterator[dict], count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            record = next(records)
            text = article_text(record)
            out.write(json.dumps({**record, "text": text}, ensure_ascii=False) + "\n")


def write_over_limit(path: Path, records: Iterator[dict], size: int) -> None:
    """Three articles, one document of `size` characters, three more articles."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(7):
            if i == 3:
                record = {"title": f"Over the limit: {size:,} characters"}
                record["text"] = long_text(records, size)
            else:
                source = next(records)
                record = {"title": source.get("title"), "text": article_text(source)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


_CORRUPT = [
    b'{"title": "cut off", "text": "This line ends in the mid',
    b'["a", "list", "not", "a", "record"]',
    b'{"title": "no text at all"}',
    b'{"title": "a number", "text": 42}',
    b'{"title": "bad bytes", "text": "\xff\xfe\x00 caf\xe9"}',
]


def write_lines(path: Path, lines: int) -> int:
    """`lines` JSONL lines, 1% corrupt; returns how many valid records were written."""
    valid = 0
    places = ["Mosul", "Basra", "Kirkuk", "Erbil", "Najaf", "Tikrit"]
    with path.open("wb") as out:
        for i in range(lines):
            if i % 100 == 99:
                out.write(_CORRUPT[(i // 100) % len(_CORRUPT)] + b"\n")
                continue
            record = {
                "title": f"Notice {i}",
                "text": f"Police in {places[i % len(places)]} reported {i} arrivals at the "
                f"checkpoint on Monday, officials said.",
                "date": "2021-03-01",
            }
            out.write(json.dumps(record).encode("utf-8") + b"\n")
            valid += 1
    return valid


def measure(source: Path, db: Path) -> dict:
    """One `claimgraph analyze --no-link` subprocess; its peak RSS from the kernel (wait4)."""
    cmd = [sys.executable, "-m", "claimgraph.cli", "analyze", str(source), "--db", str(db)]
    cmd += ["--quiet", "--no-link"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    log = db.with_suffix(".log")
    start = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    out = {"code": code, "seconds": seconds, "peak_mb": usage.ru_maxrss / 1024}
    if code != 0:
        out["error"] = log.read_text(errors="replace")[-2000:]
        return out
    conn = sqlite3.connect(db)
    out["docs"] = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    out["sentences"] = conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
    out["chars"] = conn.execute("SELECT COALESCE(MAX(LENGTH(text)), 0) FROM documents").fetchone()[
        0
    ]
    out["skipped"] = [
        (r[0], r[1])
        for r in conn.execute("SELECT source, reason FROM inputs WHERE status = 'skipped'")
    ]
    conn.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000000,5000000", help="long-document characters")
    parser.add_argument("--lines", type=int, default=200_000, help="JSONL lines (0: none)")
    parser.add_argument("--over", type=int, default=5_500_000, help="over-limit case (0: none)")
    parser.add_argument("--jsonl", type=Path, default=DEFAULT_JSONL)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    real = args.jsonl.is_file()
    source = (
        f"real text: {args.jsonl.name}"
        if real
        else f"SYNTHETIC text ({args.jsonl} not found: generated paragraphs)"
    )
    print(
        f"{source}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )

    def records() -> Iterator[dict]:
        return news_records(args.jsonl) if real else synthetic_records()

    tmp = Path(tempfile.mkdtemp(prefix="cg-hostile-"))
    rows: list[tuple[str, dict, str]] = []
    try:
        cases: list[tuple[str, Path, str]] = []
        path = tmp / "baseline.jsonl"
        write_articles(path, records(), 60)
        cases.append(("60 articles (baseline)", path, "60 stored"))
        for size in sizes:
            path = tmp / f"long_{size}.jsonl"
            write_long(path, long_text(records(), size))
            cases.append((f"1 document, {size:,} chars", path, "1 stored"))
        if args.over:
            path = tmp / "over.jsonl"
            write_over_limit(path, records(), args.over)
            cases.append((f"{args.over:,} chars + 6 articles", path, "6 stored, 1 skipped"))
        if args.lines:
            path = tmp / "lines.jsonl"
            valid = write_lines(path, args.lines)
            cases.append((f"{args.lines:,}-line JSONL, 1% corrupt", path, f"{valid:,} stored"))
        for name, path, expect in cases:
            print(f"running: {name} ({path.stat().st_size / 1e6:.1f} MB file) ...", flush=True)
            result = measure(path, tmp / f"{path.stem}.db")
            rows.append((name, result, expect))
            if result["code"]:
                print(f"  FAILED (exit {result['code']}):\n{result['error']}", flush=True)
            else:
                print(
                    f"  {result['seconds']:.1f} s, peak RSS {result['peak_mb']:.0f} MB, "
                    f"{result['docs']:,} documents, {result['sentences']:,} sentences, "
                    f"{len(result['skipped'])} skipped",
                    flush=True,
                )
                for src, reason in result["skipped"][:3]:
                    print(f"    skipped {Path(src).name}: {reason}", flush=True)
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    base = rows[0][1]
    print()
    print(
        f"{'case':38} {'expected':>22} {'stored':>9} {'skipped':>8} {'seconds':>8} "
        f"{'peak MB':>8} {'vs base':>8} {'ratio':>6}"
    )
    for name, r, expect in rows:
        if r["code"]:
            print(f"{name:38} {expect:>22} FAILED exit {r['code']}, peak {r['peak_mb']:.0f} MB")
            continue
        diff = r["peak_mb"] - base["peak_mb"]
        print(
            f"{name:38} {expect:>22} {r['docs']:>9,} {len(r['skipped']):>8,} "
            f"{r['seconds']:>8.1f} {r['peak_mb']:>8.0f} {diff:>+8.0f} "
            f"{r['peak_mb'] / base['peak_mb']:>6.2f}"
        )
    long_rows = [(n, r) for n, r, _ in rows[1 : 1 + len(sizes)] if not r["code"]]
    if long_rows and not base["code"]:
        worst = max(r["peak_mb"] - base["peak_mb"] for _, r in long_rows)
        verdict = "within" if worst <= TARGET_MB else "OVER"
        print(
            f"long documents: worst {worst:+.0f} MB vs baseline, {verdict} the {TARGET_MB} MB target"
        )


if __name__ == "__main__":
    main()
