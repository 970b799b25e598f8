"""Latency of `claimgraph serve`, and keyset pagination at a million claims.

    .venv/bin/python bench/serve_latency.py --db /tmp/news.db [--db examples.db ...] [--million]

For each database (copied first with SQLite's backup API, so a database still being written is
read as one consistent snapshot and never touched): start `claimgraph serve` in a subprocess on
a free loopback port and load it with wrk (Debian's `wrk`; a bounded Python load generator when
wrk is missing) for a fixed time per URL, then print median and p99 latency and requests/s for:
the home page, the narratives list, a full-text search, a semantic search, a typical document
page, and a claims page deep in keyset pagination (90% of the way down the list).

--million builds a synthetic database: a copy of the first --db whose claims are multiplied in
SQL (new ids, random check-worthiness) to at least a million rows, then times the first claims
page, a page 900,000 rows deep, and filtered pages, in process (median of repeated calls),
with EXPLAIN QUERY PLAN, first with the schema's indexes only and then with the composite
indexes this benchmark proposes (PROPOSED_INDEXES). Traffic goes to 127.0.0.1 only, every load
run is bounded in time, and the servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claimgraph.store import Store  # noqa: E402
from claimgraph.store.read import ClaimFilters, ReadModel, encode_cursor  # noqa: E402

# Indexes that make every claims page an index range scan (see the --million figures). They are
# proposals for claimgraph/store/schema.py, created here only on the benchmark's own copy.
PROPOSED_INDEXES = {
    "ix_claims_checkworthiness_id": "claims (checkworthiness, id)",
    "ix_claims_speaker_checkworthiness_id": "claims (speaker_entity_id, checkworthiness, id)",
    "ix_claims_narrative_checkworthiness_id": "claims (narrative_id, checkworthiness, id)",
    "ix_claims_date_sort": "claims (COALESCE(date, ''), id)",  # sort=date (undated last)
}


def snapshot(db: Path, folder: Path) -> Path:
    """A consistent copy of `db` (it may be being written by `claimgraph analyze`)."""
    out = folder / (db.stem + ".copy.db")
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    dst = sqlite3.connect(out)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/api/summary", timeout=5).raise_for_status()
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "server did not start: "
                        + (proc.stderr.read().decode() if proc.stderr else "")
                    ) from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(min(2, connections)),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    pct = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s))\s*$", out, re.M))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses")
    return {
        "p50": _ms(pct["50"]),
        "p99": _ms(pct["99"]),
        "rps": float(rps.group(1)) if rps else 0.0,
    }


def load_python(url: str, seconds: int, connections: int) -> dict[str, float]:
    """A bounded stand-in for wrk: `connections` threads issuing requests for `seconds`."""
    import httpx

    times: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                client.get(url).raise_for_status()
                with lock:
                    times.append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    return {
        "p50": statistics.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "rps": len(times) / seconds,
    }


def pick_urls(db: Path, query: str) -> dict[str, str]:
    """The pages measured, chosen from the data: a typical document, a cursor 90% deep."""
    with Store(db) as store:
        q = ReadModel.open(store)
        try:
            n_docs = q.rows("SELECT COUNT(*) AS n FROM documents")[0]["n"]
            doc = q.rows(
                "SELECT id FROM documents ORDER BY word_count, id LIMIT 1 OFFSET :o",
                {"o": n_docs // 2},
            )[0]["id"]
            n_claims = q.rows("SELECT COUNT(*) AS n FROM claims")[0]["n"]
            deep = q.rows(
                "SELECT checkworthiness, id FROM claims ORDER BY checkworthiness DESC, id DESC "
                "LIMIT 1 OFFSET :o",
                {"o": int(n_claims * 0.9)},
            )[0]
            speaker = q.rows(
                "SELECT e.name FROM claims c JOIN entities e ON e.id = c.speaker_entity_id "
                "GROUP BY e.name ORDER BY COUNT(*) DESC, e.name LIMIT 1"
            )
            outlet = q.rows(
                "SELECT outlet FROM documents WHERE outlet IS NOT NULL GROUP BY outlet "
                "ORDER BY COUNT(*) DESC, outlet LIMIT 1"
            )
        finally:
            q.close()
    cursor = encode_cursor([deep["checkworthiness"], deep["id"]])
    # Pages of issue 14 (a server without them answers 404, and they are skipped).
    extra = {"speakers list": "/speakers"}
    if speaker:
        name = quote(speaker[0]["name"])
        extra["speaker page (by name)"] = f"/speakers/{name}"
        extra["claims.csv of a speaker"] = f"/claims.csv?speaker={name}"
    if outlet:
        extra["outlet page"] = f"/outlets/{quote(outlet[0]['outlet'], safe='')}"
    return {
        "home": "/",
        "narratives list": "/narratives",
        "full-text search": f"/search?q={quote(query)}",
        "semantic search": f"/search?mode=semantic&q={quote(query + ' attack')}",
        "document page": f"/documents/{doc}",
        f"claims page 90% deep ({int(n_claims * 0.9)} rows)": f"/claims?after={cursor}",
        **extra,
    }


def bench_http(db: Path, args: argparse.Namespace) -> None:
    tool = "wrk" if shutil.which("wrk") else "python"
    load = load_wrk if tool == "wrk" else load_python
    urls = pick_urls(db, args.query)
    with Store(db) as store:
        counts = store.counts()
    print(
        f"\n## {db.name}: {counts['documents']} documents, {counts['claims']} claims, "
        f"{counts['narratives']} narratives ({tool}, {args.seconds}s per URL, "
        f"1 and {args.connections} connections)"
    )
    print(f"{'page':44} {'c=1 p50':>9} {'c=1 p99':>9} {'p50':>9} {'p99':>9} {'req/s':>8}")
    with serve(db) as base:
        import httpx

        for name, url in list(urls.items()):  # warm up: the semantic index loads on first use
            r = httpx.get(base + url, timeout=300)
            if r.status_code != 200:
                print(f"{name:44} skipped: {r.status_code} {r.headers.get('content-type')}")
                del urls[name]
        for name, url in urls.items():
            one = load(base + url, args.seconds, 1)
            many = load(base + url, args.seconds, args.connections)
            print(
                f"{name:44} {one['p50']:8.1f}ms {one['p99']:8.1f}ms {many['p50']:8.1f}ms "
                f"{many['p99']:8.1f}ms {many['rps']:8.0f}"
            )


def build_million(source: Path, folder: Path, target: int) -> Path:
    """Copy `source` and multiply its claims (new ids) until there are >= `target`."""
    db = folder / "million.db"
    shutil.copy(source, db)
    conn = sqlite3.connect(db)
    base = conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
    if base == 0:
        raise SystemExit(f"{source} has no claims to multiply")
    copies = -(-target // base) - 1
    columns = [r[1] for r in conn.execute("PRAGMA table_info(claims)")]
    select = ", ".join(
        "'claim_' || printf('%06d', k) || substr(c.id, 6)"
        if col == "id"
        else "abs(random() % 1000000) / 1000000.0"
        if col == "checkworthiness"
        else f"c.{col}"
        for col in columns
    )
    t0 = time.perf_counter()
    with conn:
        conn.execute(
            f"INSERT INTO claims ({', '.join(columns)}) "
            f"WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < {copies}) "
            f"SELECT {select} FROM claims c, k"
        )
    conn.execute("ANALYZE")
    total = conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
    conn.close()
    print(
        f"\n## keyset pagination: {total} claims ({base} x {copies + 1}), built in "
        f"{time.perf_counter() - t0:.0f}s"
    )
    return db


def time_call(fn: Any, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[-1]


def bench_million(db: Path, repeat: int) -> None:
    with Store(db) as store:
        q = ReadModel.open(store)
        total = q.rows("SELECT COUNT(*) AS n FROM claims")[0]["n"]
        deep = q.rows(
            "SELECT checkworthiness, id FROM claims ORDER BY checkworthiness DESC, id DESC "
            "LIMIT 1 OFFSET 900000"
        )[0]
        after = encode_cursor([deep["checkworthiness"], deep["id"]])
        top = (
            "SELECT {col} AS s, COUNT(*) AS n FROM claims WHERE {col} IS NOT NULL "
            "GROUP BY {col} ORDER BY n DESC LIMIT 1"
        )
        dates = q.rows("SELECT MIN(date) AS lo, MAX(date) AS hi FROM claims")[0]
        cases: list[tuple[str, ClaimFilters, str | None]] = [
            ("first page", ClaimFilters(), None),
            ("page 900,000 rows deep", ClaimFilters(), after),
        ]
        for row in q.rows(top.format(col="speaker_entity_id")):
            cases.append(
                (f"speaker filter ({row['n']} claims)", ClaimFilters(speaker=row["s"]), None)
            )
        for row in q.rows(top.format(col="narrative_id")):
            cases.append(
                (f"narrative filter ({row['n']} claims)", ClaimFilters(narrative=row["s"]), None)
            )
        cases.append(
            (
                "hedged, min check-worthiness 0.8",
                ClaimFilters(signal="hedged", min_checkworthiness=0.8),
                None,
            )
        )
        if dates["hi"]:
            month = dates["hi"][:7]
            cases.append(
                (f"date range {month}", ClaimFilters(date_from=month, date_to=month), None)
            )
        cases.append(("sort by date, first page", ClaimFilters(sort="date"), None))
        for label, indexes in (("schema indexes only", False), ("with PROPOSED_INDEXES", True)):
            if indexes:
                with sqlite3.connect(db) as conn:
                    for name, spec in PROPOSED_INDEXES.items():
                        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}")
                    conn.execute("ANALYZE")
                q.close()
                q = ReadModel.open(store)
            print(f"\n### {total} claims, {label} (median / max of {repeat} calls, 50 rows)")
            for name, filters, cursor in cases:
                median, worst = time_call(
                    lambda q=q, f=filters, c=cursor: q.claims(f, c, 50), repeat
                )
                sql, params = q.claim_sql(filters, cursor, 50)
                plan = " | ".join(r["detail"] for r in q.rows("EXPLAIN QUERY PLAN " + sql, params))
                print(f"{name:44} {median:8.1f}ms {worst:8.1f}ms   {plan}")
        q.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", required=True, type=Path)
    parser.add_argument("--seconds", type=int, default=5, help="load time per URL and setting")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--query", default="forces", help="full-text search measured")
    parser.add_argument("--million", action="store_true", help="also the 1M-claim pagination test")
    parser.add_argument("--million-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-http", action="store_true", help="skip the server load runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        folder = Path(tmp)
        copies = [snapshot(db, folder) for db in args.db]
        if not args.no_http:
            for db in copies:
                bench_http(db, args)
        if args.million:
            bench_million(build_million(copies[0], folder, args.million_rows), args.repeat)


if __name__ == "__main__":
    main()
