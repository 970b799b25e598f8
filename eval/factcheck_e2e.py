"""End-to-end fact-check linking on CLEF CheckThat! 2020 task 2 dev: tweets -> claims -> links.

    python eval/factcheck_e2e.py [--shared ../shared] [--quick] [--pin] [--dump FILE]

What a user does, measured: the dev tweets are analysed as documents (a JSONL file, one tweet
per record, through the same engine and linker as `claimgraph analyze`), the Snopes verified
claims are imported as fact-checks (written to a temporary ClaimReview JSONL and read by the
`claimgraph factchecks import` readers), and `factchecks match` links every claim. A tweet's
ranking is its claims' linked fact-checks merged, best score first (each fact-check once), and
MAP@5 is computed over the tweets as in eval/claim_retrieval.py. Beside it, the direct
retrieval of the same tweets (the whole tweet text as the query of the same fact-check index)
gives the ceiling; the target is end to end >= 0.9 x direct. Also printed: the share of tweets
that gave no claim (they cannot be linked end to end), and the precision and recall of the
confident tier (links passing the calibrated cut-offs) and of the possible matches.

Identical copies of one fact-check (the same text and title once folded, as the index matches
them; about 1 CLEF query in 4 has its fact-check duplicated in the collection) count as one
answer, in the gold and in both rankings: the index ranks the first-indexed copy, and which copy
that is depends on the order of import alone.

--quick runs a fixed subsample (the test gate, about a minute on two cores): 40 tweets and 400
fact-checks (their gold plus random distractors).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claim_retrieval import average_precision, read_claims, read_split
from floors import pin_floors, read_floors

from claimgraph.factchecks.match import (
    CONFIDENT,
    MatchSettings,
    cached_index,
    match_claims,
)
from claimgraph.factchecks.readers import read_factchecks
from claimgraph.factchecks.store import import_records, load_factchecks
from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL, load_encoder
from claimgraph.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FLOORS = REPO / "eval" / "floors.yaml"
URL = "https://clef2020.invalid/"  # stands in for the tweet's and the claim's address
log = logging.getLogger(__name__)


def _prefix(quick: bool) -> str:
    return "factcheck_e2e_quick" if quick else "factcheck_e2e_dev"


def load_task(
    data_dir: Path, quick: bool = False, seed: int = 13
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]], dict[str, set[str]]]:
    """(tweet id, text) with gold, Snopes (id, claim, title), gold per tweet; --quick subsample."""
    split = read_split(data_dir, "dev")
    tweets = [
        (qid, text)
        for qid, text in zip(split.query_ids, split.queries, strict=True)
        if qid in split.qrels
    ]
    claims = list(zip(*read_claims(data_dir), strict=True))
    if quick:
        rng = random.Random(seed)
        tweets = sorted(rng.sample(tweets, 40))
        needed = set().union(*(split.qrels[qid] for qid, _ in tweets))
        others = [c for c in claims if c[0] not in needed]
        keep = needed | {c[0] for c in rng.sample(others, 400 - len(needed))}
        claims = [c for c in claims if c[0] in keep]
    return tweets, claims, {qid: split.qrels[qid] for qid, _ in tweets}


def write_inputs(
    folder: Path, tweets: list[tuple[str, str]], claims: list[tuple[str, str, str]]
) -> tuple[Path, Path]:
    """The tweets as an article JSONL and the Snopes claims as a ClaimReview JSONL."""
    docs = folder / "tweets.jsonl"
    with docs.open("w", encoding="utf-8") as fh:
        for qid, text in tweets:
            record = {"text": text, "url": f"{URL}tweet/{qid}", "outlet": "twitter"}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    reviews = folder / "snopes.jsonl"
    with reviews.open("w", encoding="utf-8") as fh:
        for vid, text, title in claims:
            record = {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "claimReviewed": text,
                "headline": title,
                "url": f"{URL}vclaim/{vid}",
                "author": {"@type": "Organization", "name": "Snopes"},
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return docs, reviews


def analyse(db: Path, docs: Path, model: str) -> None:
    """`claimgraph analyze` with its defaults: claims and narratives linked."""
    from claimgraph.annotate.nlp import DEFAULT_MODEL, load_nlp, model_info
    from claimgraph.engine.local import analyze
    from claimgraph.link.stage import Linker, LinkSettings

    nlp = load_nlp(DEFAULT_MODEL)
    with Store(db) as store:
        analyze(
            [docs],
            store,
            nlp,
            model_name=model_info(nlp).describe(),
            linker=Linker(store, LinkSettings(embedding_model=model)),
        )


def tweet_links(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Per tweet id: the links of its claims (vclaim id, score, tier)."""
    rows = store.query(
        "SELECT d.url AS doc_url, f.url AS fc_url, l.score, l.tier FROM factcheck_links l "
        "JOIN claims c ON c.id = l.claim_id JOIN documents d ON d.id = c.document_id "
        "JOIN factchecks f ON f.id = l.factcheck_id"
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        qid = r["doc_url"].rsplit("/", 1)[-1]
        vid = r["fc_url"].rsplit("/", 1)[-1]
        out.setdefault(qid, []).append(
            {"vclaim": vid, "score": float(r["score"]), "tier": r["tier"]}
        )
    return out


def merged_ranking(links: list[dict[str, Any]]) -> list[str]:
    """A tweet's fact-checks from all its claims, best score first, each once."""
    ranking: list[str] = []
    for lk in sorted(links, key=lambda x: -x["score"]):
        if lk["vclaim"] not in ranking:
            ranking.append(lk["vclaim"])
    return ranking


def run(shared: Path = SHARED, quick: bool = False, model: str = DEFAULT_EMBEDDING_MODEL) -> dict:
    """Analyse, import, match and score; plain dict of figures."""
    data = shared / "data" / "claim_retrieval"
    tweets, claims, gold = load_task(data, quick)
    settings = MatchSettings(embedding_model=model)
    encoder = load_encoder(model)
    with tempfile.TemporaryDirectory(prefix="claimgraph-e2e-") as tmp:
        folder = Path(tmp)
        docs, reviews = write_inputs(folder, tweets, claims)
        db = folder / "e2e.db"
        started = time.perf_counter()
        analyse(db, docs, model)
        analyse_s = time.perf_counter() - started
        with Store(db) as store:
            summary = import_records(store, read_factchecks([reviews]))
            if summary.skipped:
                log.warning("%d Snopes claims not imported", len(summary.skipped))
            started = time.perf_counter()
            match_claims(store, settings, encoder=encoder)
            match_s = time.perf_counter() - started
            links = tweet_links(store)
            docs_by_tweet = {
                r["url"].rsplit("/", 1)[-1]: int(r["n"])
                for r in store.query(
                    "SELECT d.url, COUNT(c.id) AS n FROM documents d "
                    "LEFT JOIN claims c ON c.document_id = d.id GROUP BY d.url"
                )
            }
            factchecks = load_factchecks(store)
            vclaim = {fc["id"]: str(fc["url"]).rsplit("/", 1)[-1] for fc in factchecks}
            index = cached_index(factchecks, encoder, settings)  # the one match used
    # Identical copies of one fact-check (same text and title once folded; about 1 query in 4
    # has its fact-check duplicated in the collection) are one answer: the index ranks the
    # first-indexed copy, and which copy that is depends on the order of import alone.
    one = copies_as_one(index, vclaim)
    gold = {qid: {one.get(v, v) for v in vs} for qid, vs in gold.items()}
    direct = [
        _once([one[vclaim[fid]] for fid, _ in hits])[:5]
        for hits in index.search_many([t for _, t in tweets], k=10)
    ]
    e2e = [
        _once([one.get(v, v) for v in merged_ranking(links.get(qid, []))])[:5] for qid, _ in tweets
    ]
    ap_e2e = [average_precision(r, gold[qid]) for r, (qid, _) in zip(e2e, tweets, strict=True)]
    ap_direct = [
        average_precision(r, gold[qid]) for r, (qid, _) in zip(direct, tweets, strict=True)
    ]
    no_claim = [qid for qid, _ in tweets if not docs_by_tweet.get(qid)]
    tiers = {}
    for tier in (CONFIDENT, "possible"):
        picked = [(qid, lk) for qid, _ in tweets for lk in links.get(qid, []) if lk["tier"] == tier]
        right = sum(one.get(lk["vclaim"], lk["vclaim"]) in gold[qid] for qid, lk in picked)
        found = {qid for qid, lk in picked if one.get(lk["vclaim"], lk["vclaim"]) in gold[qid]}
        tiers[tier] = {
            "links": len(picked),
            "precision": right / len(picked) if picked else 1.0,
            "recall": len(found) / len(tweets),
        }
    map_e2e = sum(ap_e2e) / len(tweets)
    map_direct = sum(ap_direct) / len(tweets)
    return {
        "quick": quick,
        "model": model,
        "tweets": len(tweets),
        "tweets_stored": len(docs_by_tweet),
        "factchecks": len(factchecks),
        "tweets_without_claims": len(no_claim),
        "no_claim_share": len(no_claim) / len(tweets),
        "map5_e2e": map_e2e,
        "map5_direct": map_direct,
        "ratio": map_e2e / map_direct if map_direct else 0.0,
        "map5_e2e_with_claims": (
            sum(ap for ap, (qid, _) in zip(ap_e2e, tweets, strict=True) if qid not in no_claim)
            / max(1, len(tweets) - len(no_claim))
        ),
        "confident_precision": tiers[CONFIDENT]["precision"],
        "confident_recall": tiers[CONFIDENT]["recall"],
        "confident_links": tiers[CONFIDENT]["links"],
        "possible_precision": tiers["possible"]["precision"],
        "possible_recall": tiers["possible"]["recall"],
        "possible_links": tiers["possible"]["links"],
        "analyse_s": analyse_s,
        "match_s": match_s,
    }


def copies_as_one(index: Any, vclaim: dict[str, str]) -> dict[str, str]:
    """Each verified claim -> the one standing for its identical copies: the first-indexed
    copy with the same match-form text and title (the copy the index ranks)."""
    one = {}
    for pos, fid in enumerate(index.ids):
        first = index._first[f"{index.texts[pos]}\x00{index.titles[pos] or ''}"]
        one[vclaim[fid]] = vclaim[index.ids[first]]
    return one


def _once(ranking: list[str]) -> list[str]:
    return list(dict.fromkeys(ranking))


def format_report(res: dict) -> str:
    return "\n".join(
        [
            f"== CLEF 2020 dev end to end{' (quick subsample)' if res['quick'] else ''}: "
            f"{res['tweets']} tweets ({res['tweets_stored']} stored as documents), "
            f"{res['factchecks']} Snopes fact-checks; model {res['model']}",
            f"analyse {res['analyse_s']:.0f}s, match {res['match_s']:.0f}s",
            f"tweets that gave no claim: {res['tweets_without_claims']} "
            f"({res['no_claim_share']:.1%}); they cannot be linked end to end",
            f"MAP@5 end to end {res['map5_e2e']:.3f}   direct {res['map5_direct']:.3f}   "
            f"ratio {res['ratio']:.3f} (target >= 0.9)",
            f"MAP@5 end to end over the tweets that gave claims: {res['map5_e2e_with_claims']:.3f}",
            f"confident tier: precision {res['confident_precision']:.3f} "
            f"recall {res['confident_recall']:.3f} ({res['confident_links']} links; target "
            "precision >= 0.9)",
            f"possible matches: precision {res['possible_precision']:.3f} "
            f"recall {res['possible_recall']:.3f} ({res['possible_links']} links)",
        ]
    )


def floor_values(res: dict) -> dict[str, float]:
    prefix = _prefix(bool(res["quick"]))
    return {
        f"{prefix}_map5": float(res["map5_e2e"]),
        f"{prefix}_ratio": float(res["ratio"]),
        f"{prefix}_confident_precision": float(res["confident_precision"]),
    }


def pinned_floors(res: dict) -> dict[str, float]:
    """A little under the figures: one tweet's worth on the quick subsample, 0.01 on the full."""
    margin = 1 / int(res["tweets"]) if res["quick"] else 0.01
    return {k: math.floor((v - margin) * 1000) / 1000 for k, v in floor_values(res).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--quick", action="store_true", help="the fixed subsample of the test")
    parser.add_argument("--model", default=DEFAULT_EMBEDDING_MODEL)
    parser.add_argument("--pin", action="store_true", help="pin floors a little below the figures")
    parser.add_argument("--dump", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    data = args.shared / "data" / "claim_retrieval"
    if not data.is_dir():
        print(f"missing data folder: {data}", file=sys.stderr)
        return 2
    res = run(args.shared, args.quick, args.model)
    if args.dump:
        args.dump.write_text(json.dumps(res, indent=1), encoding="utf-8")
    print(format_report(res))
    floors = read_floors(FLOORS)
    for key, value in floor_values(res).items():
        pinned = floors.get(key)
        print(f"{key}: {value:.3f}" + (f" (floor {pinned:.3f})" if pinned is not None else ""))
    if args.pin:
        pin_floors(pinned_floors(res), FLOORS)
        print(f"pinned {', '.join(floor_values(res))} in {FLOORS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
