"""Evaluate fact-check matching (claimgraph.factchecks.match) and choose its default threshold.

    python eval/factcheck_matching.py [--shared ../shared] [--quick] [--pin] [--model NAME]

Two tasks, each run through the matcher's own index (`match.build_index`: claim text plus
headline-or-summary, the default encoder and learned fusion):

(a) EUvsDisinfo. The fact-checks are all 10,892 cases of the cknabs scrape (their titles:
    the claim as EUvsDisinfo words it). The queries are the kalkun scrape's summaries of the
    same cases (the claim as retold at length), joined to their case through the publication
    URL and date (cknabs_publications.csv); rows that join to no case or to several are left
    out. A case repeated under another URL with the same title counts as the same case.
(b) CLEF CheckThat! 2020 task 2 dev: tweets against the 10,375 Snopes verified claims.

Each task's queries are split in two by a hash of their gold: for the "present" half the gold
fact-check is in the index, for the "absent" half it is removed (with its same-title copies).
precision@1 and recall@5 are measured on the present half. The top-1 scores of present-correct,
present-incorrect and absent queries show where a threshold separates "this was checked" from
"nothing matches"; the threshold table gives, per threshold, the precision of kept top-1 links
over both halves and the share of present queries still linked; the cosine table does the
same for the matcher's cosine floor (`min_similarity`) on top of the default threshold.

--quick runs a fixed subsample (the test gate, under two minutes on two cores): 100 queries
and 300 cases for EUvsDisinfo, 30 tweets and 200 claims for CLEF.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from floors import pin_floors, read_floors

from claimgraph.factchecks.match import (
    DEFAULT_MIN_SIMILARITY,
    DEFAULT_THRESHOLD,
    MatchSettings,
    build_index,
    search,
)
from claimgraph.factchecks.readers import read_factchecks
from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL, load_encoder

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FLOORS = REPO / "eval" / "floors.yaml"
KEYS = {
    ("euvsdisinfo", False): "factcheck_euvsdisinfo",
    ("clef", False): "factcheck_clef_dev",
    ("euvsdisinfo", True): "factcheck_quick_euvsdisinfo",
    ("clef", True): "factcheck_quick_clef",
}
THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]
COSINES = [round(0.3 + 0.05 * i, 2) for i in range(11)]


@dataclass
class Task:
    """Fact-checks to index and queries with their gold ids (plain data)."""

    name: str
    factchecks: list[dict[str, object]]
    queries: list[str]
    gold: list[set[str]]  # per query: ids that count as the right fact-check
    absent: list[bool] = field(default_factory=list)  # per query: gold removed from the index


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _url_key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").casefold()


def _half(key: str) -> bool:
    """Deterministic coin: is this query's gold removed from the index?"""
    return hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 1


def euvsdisinfo_task(data_dir: Path) -> Task:
    """Queries = kalkun summaries; fact-checks = cknabs case titles (see the module doc)."""
    cases = [
        {
            "id": fc.id,
            "claim_text": fc.claim_text,
            "title": fc.title,
            "summary": fc.summary,
            "url": fc.url,
            "date": fc.claim_date,
        }
        for fc in read_factchecks([data_dir / "cknabs_posts.csv"])
        if not hasattr(fc, "reason")
    ]
    by_url = {c["url"]: c for c in cases}
    same_title: dict[str, set[str]] = {}
    for c in cases:
        same_title.setdefault(_norm(str(c["claim_text"])), set()).add(str(c["id"]))
    publications: dict[str, set[str]] = {}
    with (data_dir / "cknabs_publications.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            publications.setdefault(_url_key(r["publication"]), set()).add(r["id"])
    queries: dict[tuple[str, str], None] = {}
    with (data_dir / "kalkun_full_dataset.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            day, month, year = r["date"].split(".")
            iso = f"{year}-{month}-{day}"
            found = [
                u
                for u in publications.get(_url_key(r["source"]), ())
                if u in by_url and by_url[u]["date"] == iso
            ]
            text = " ".join(r["summary"].split())
            if len(found) == 1 and text:
                queries[(text, found[0])] = None
    task = Task("euvsdisinfo", cases, [], [])
    for text, url in queries:
        gold = same_title[_norm(str(by_url[url]["claim_text"]))]
        task.queries.append(text)
        task.gold.append(set(gold))
        task.absent.append(_half(url))
    return task


def clef_task(data_dir: Path, split: str = "dev") -> Task:
    """Tweets (queries) against Snopes verified claims (claim text + title)."""
    with (data_dir / "verified_claims.docs.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    factchecks = [{"id": r[0], "claim_text": r[1], "title": r[2], "summary": None} for r in rows]
    with (data_dir / split / "tweets.queries.tsv").open(encoding="utf-8", newline="") as fh:
        tweets = list(csv.reader(fh, delimiter="\t"))[1:]
    qrels: dict[str, set[str]] = {}
    for line in (data_dir / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and int(parts[3]) > 0:
            qrels.setdefault(parts[0], set()).add(parts[2])
    task = Task("clef", factchecks, [], [])
    for tweet_id, text in tweets:
        if tweet_id in qrels:
            task.queries.append(text)
            task.gold.append(qrels[tweet_id])
            task.absent.append(_half("|".join(sorted(qrels[tweet_id]))))
    return task


def subsample(task: Task, n_queries: int, n_factchecks: int, seed: int = 13) -> Task:
    """A fixed random subset: n queries, their gold, and distractors up to n fact-checks."""
    rng = random.Random(seed)
    picked = sorted(rng.sample(range(len(task.queries)), min(n_queries, len(task.queries))))
    needed = set().union(*(task.gold[i] for i in picked))
    others = [fc for fc in task.factchecks if fc["id"] not in needed]
    keep_ids = needed | {
        str(fc["id"]) for fc in rng.sample(others, max(0, n_factchecks - len(needed)))
    }
    return Task(
        task.name,
        [fc for fc in task.factchecks if fc["id"] in keep_ids],
        [task.queries[i] for i in picked],
        [task.gold[i] for i in picked],
        [task.absent[i] for i in picked],
    )


def _quantiles(values: list[float]) -> str:
    if not values:
        return "-"
    v = sorted(values)
    q = [v[min(len(v) - 1, int(p * len(v)))] for p in (0.1, 0.25, 0.5, 0.75, 0.9)]
    return " ".join(f"{x:.3f}" for x in q)


def evaluate(task: Task, model: str = DEFAULT_EMBEDDING_MODEL) -> dict[str, object]:
    """Index (minus the absent half's gold), search, and score; plain dict of figures."""
    removed = set().union(*(g for g, a in zip(task.gold, task.absent, strict=True) if a))
    factchecks = [fc for fc in task.factchecks if fc["id"] not in removed]
    started = time.perf_counter()
    settings = MatchSettings(embedding_model=model)
    index = build_index(factchecks, load_encoder(model), settings)
    index_s = time.perf_counter() - started
    started = time.perf_counter()
    found = search(index, task.queries, k=5)
    hits = [[(fid, score) for fid, score, _ in row] for row in found]
    # the links `factchecks match` writes (top 3): score, cosine and whether it is right
    links = [
        [
            [score, cos if cos is not None else 1.0, fid in task.gold[i]]
            for fid, score, cos in row[:3]
        ]
        for i, row in enumerate(found)
    ]
    cosine = {i: row[0][2] if row else 0.0 for i, row in enumerate(found)}
    search_s = time.perf_counter() - started
    present = [i for i, a in enumerate(task.absent) if not a and not (task.gold[i] & removed)]
    absent = [i for i, a in enumerate(task.absent) if a]
    correct = {i for i in present if hits[i] and hits[i][0][0] in task.gold[i]}
    top = {i: hits[i][0][1] if hits[i] else 0.0 for i in range(len(task.queries))}
    p1 = len(correct) / len(present)
    r5 = sum(1 for i in present if task.gold[i] & {h for h, _ in hits[i]}) / len(present)
    table = []
    for t in THRESHOLDS:
        kept_right = sum(1 for i in correct if top[i] >= t)
        kept = sum(1 for i in present + absent if top[i] >= t)
        table.append(
            {
                "threshold": t,
                "precision": kept_right / kept if kept else 1.0,
                "recall": kept_right / len(present),
                "absent_linked": sum(1 for i in absent if top[i] >= t) / max(1, len(absent)),
            }
        )
    # the cosine floor, on top of the default threshold
    cosine_table = []
    for c in COSINES:
        kept_right = sum(1 for i in correct if top[i] >= DEFAULT_THRESHOLD and cosine[i] >= c)
        kept = sum(1 for i in present + absent if top[i] >= DEFAULT_THRESHOLD and cosine[i] >= c)
        cosine_table.append(
            {
                "threshold": c,
                "precision": kept_right / kept if kept else 1.0,
                "recall": kept_right / len(present),
                "absent_linked": sum(
                    1 for i in absent if top[i] >= DEFAULT_THRESHOLD and cosine[i] >= c
                )
                / max(1, len(absent)),
            }
        )
    for row in table + cosine_table:
        p, r = row["precision"], row["recall"]
        row["f1"] = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "task": task.name,
        "model": model,
        "fusion": index.fusion_used,
        "factchecks": len(factchecks),
        "queries": len(task.queries),
        "present": len(present),
        "absent": len(absent),
        "p1": p1,
        "r5": r5,
        "scores_correct": [top[i] for i in sorted(correct)],
        "scores_incorrect": [top[i] for i in present if i not in correct],
        "scores_absent": [top[i] for i in absent],
        "cosine_correct": [cosine[i] for i in sorted(correct)],
        "cosine_incorrect": [cosine[i] for i in present if i not in correct],
        "cosine_absent": [cosine[i] for i in absent],
        "thresholds": table,
        "cosine_floors": cosine_table,
        "links": links,
        "present_ids": present,
        "index_s": index_s,
        "search_s": search_s,
    }


TIER_THRESHOLDS = [round(0.4 + 0.05 * i, 2) for i in range(10)]
TIER_COSINES = [round(0.4 + 0.05 * i, 2) for i in range(9)]
TARGET_PRECISION = 0.9


def tier_figures(
    res: dict[str, object], threshold: float, min_cosine: float, possible_cosine: float = 0.0
) -> dict[str, float]:
    """Precision and recall of each tier of the links `factchecks match` writes (top 3 per query).

    As the matcher labels them: the best link is confident when its fused score reaches
    `threshold` and its cosine `min_cosine`; every other link is possible (if its cosine reaches
    `possible_cosine`). Precision is over the links of queries whose fact-check is indexed
    (`precision`) and over both halves (`precision_all`: a floor, since a query whose fact-check
    was removed often finds a near-duplicate check, counted wrong); recall is the share of
    present queries whose right fact-check is among the tier's links.
    """
    present = set(res["present_ids"])  # type: ignore[call-overload]
    counts = {"confident": [0, 0, set(), 0, 0], "possible": [0, 0, set(), 0, 0]}
    for i, row in enumerate(res["links"]):  # type: ignore[arg-type]
        for rank, (score, cos, right) in enumerate(row):
            sure = rank == 0 and score >= threshold and cos >= min_cosine
            if cos < possible_cosine and not sure:
                continue
            c = counts["confident" if sure else "possible"]
            c[3] += 1
            c[4] += int(bool(right))
            if i in present:
                c[0] += 1
                c[1] += int(bool(right))
                if right:
                    c[2].add(i)
    out: dict[str, float] = {}
    for tier, (n, right, found, n_all, right_all) in counts.items():
        out[f"{tier}_links"] = n_all
        out[f"{tier}_precision"] = right / n if n else 1.0
        out[f"{tier}_precision_all"] = right_all / n_all if n_all else 1.0
        out[f"{tier}_recall"] = len(found) / max(1, len(present))
    both = counts["confident"][2] | counts["possible"][2]
    out["any_recall"] = len(both) / max(1, len(present))
    return out


def calibrate(results: list[dict[str, object]]) -> tuple[float, float, list[dict[str, float]]]:
    """The confident tier's (threshold, cosine): precision >= 0.9 on every task, best mean
    recall (ties: the lower cut-offs). Returns the pair and the whole grid."""
    grid = []
    for t in TIER_THRESHOLDS:
        for c in TIER_COSINES:
            row: dict[str, float] = {"threshold": t, "min_cosine": c}
            for res in results:
                fig = tier_figures(res, t, c)
                row[f"{res['task']}_precision"] = fig["confident_precision"]
                row[f"{res['task']}_recall"] = fig["confident_recall"]
            grid.append(row)
    tasks = [str(res["task"]) for res in results]
    ok = [r for r in grid if all(r[f"{k}_precision"] >= TARGET_PRECISION for k in tasks)]
    if not ok:
        ok = grid
    best = max(ok, key=lambda r: (sum(r[f"{k}_recall"] for k in tasks), -r["threshold"]))
    return best["threshold"], best["min_cosine"], grid


def format_tiers(results: list[dict[str, object]], threshold: float, min_cosine: float) -> str:
    lines = [
        f"tiers at threshold {threshold} and cosine {min_cosine} (top 3 links per query, the "
        "best one confident if it passes both; precision and recall over queries with their "
        "fact-check indexed, 'all queries' counts the other half's links too, as wrong):"
    ]
    for res in results:
        fig = tier_figures(res, threshold, min_cosine)
        lines.append(
            f"  {res['task']:<12} confident: precision {fig['confident_precision']:.3f} "
            f"(all queries {fig['confident_precision_all']:.3f}) recall "
            f"{fig['confident_recall']:.3f} ({fig['confident_links']} links)   possible: "
            f"precision {fig['possible_precision']:.3f} recall {fig['possible_recall']:.3f} "
            f"({fig['possible_links']} links)   either: recall {fig['any_recall']:.3f}"
        )
    return "\n".join(lines)


def format_report(res: dict[str, object]) -> str:
    lines = [
        f"== {res['task']}: {res['queries']} queries ({res['present']} with their fact-check "
        f"indexed, {res['absent']} without), {res['factchecks']} fact-checks indexed",
        f"model {res['model']}, fusion {res['fusion']}; indexing {res['index_s']:.0f}s, "
        f"search {res['search_s']:.0f}s",
        f"precision@1 {res['p1']:.3f}   recall@5 {res['r5']:.3f}",
        "top-1 score quantiles (10% 25% 50% 75% 90%):",
        f"  correct   (n={len(res['scores_correct'])}): {_quantiles(res['scores_correct'])}",
        f"  incorrect (n={len(res['scores_incorrect'])}): {_quantiles(res['scores_incorrect'])}",
        f"  absent    (n={len(res['scores_absent'])}): {_quantiles(res['scores_absent'])}",
        "top-1 cosine quantiles (10% 25% 50% 75% 90%):",
        f"  correct   : {_quantiles(res['cosine_correct'])}",
        f"  incorrect : {_quantiles(res['cosine_incorrect'])}",
        f"  absent    : {_quantiles(res['cosine_absent'])}",
        "threshold  precision  recall  f1     absent linked",
    ]
    for row in res["thresholds"]:  # type: ignore[union-attr]
        lines.append(
            f"  {row['threshold']:.2f}     {row['precision']:.3f}      {row['recall']:.3f}   "
            f"{row['f1']:.3f}  {row['absent_linked']:.3f}"
        )
    lines.append(f"min cosine (with threshold {DEFAULT_THRESHOLD}): precision recall f1 absent")
    for row in res["cosine_floors"]:  # type: ignore[union-attr]
        lines.append(
            f"  {row['threshold']:.2f}     {row['precision']:.3f}      {row['recall']:.3f}   "
            f"{row['f1']:.3f}  {row['absent_linked']:.3f}"
        )
    return "\n".join(lines)


def run(
    shared: Path = SHARED, quick: bool = False, model: str = DEFAULT_EMBEDDING_MODEL
) -> list[dict[str, object]]:
    data = shared / "data"
    eu = euvsdisinfo_task(data / "euvsdisinfo")
    clef = clef_task(data / "claim_retrieval")
    if quick:
        eu, clef = subsample(eu, 100, 300), subsample(clef, 30, 200)
    return [evaluate(eu, model), evaluate(clef, model)]


def floor_values(results: list[dict[str, object]], quick: bool) -> dict[str, float]:
    out = {}
    for res in results:
        key = KEYS[(str(res["task"]), quick)]
        out[f"{key}_p1"] = float(res["p1"])  # type: ignore[arg-type]
        out[f"{key}_r5"] = float(res["r5"])  # type: ignore[arg-type]
    return out


def pinned_floors(results: list[dict[str, object]], quick: bool) -> dict[str, float]:
    """Floors a little below the measured figures: 0.01 on the full run; on the small quick
    subsample, one query's worth (a single flipped query must not fail the gate)."""
    out = {}
    for res in results:
        key = KEYS[(str(res["task"]), quick)]
        margin = 1 / int(res["present"]) if quick else 0.01  # type: ignore[call-overload]
        for metric in ("p1", "r5"):
            value = float(res[metric]) - margin  # type: ignore[arg-type]
            out[f"{key}_{metric}"] = math.floor(value * 100 if quick else value * 1000) / (
                100 if quick else 1000
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--quick", action="store_true", help="the fixed subsample of the test")
    parser.add_argument(
        "--pin", action="store_true", help="pin floors a little below the figures measured"
    )
    parser.add_argument("--dump", type=Path, help="also write the results (scores too) as JSON")
    parser.add_argument(
        "--model",
        default=DEFAULT_EMBEDDING_MODEL,
        help="embedding model of the matcher (e.g. minilm-l6-v2-int8); the floors are the "
        "default model's",
    )
    parser.add_argument(
        "--results", type=Path, help="report on results an earlier --dump wrote (no new run)"
    )
    args = parser.parse_args(argv)
    if args.pin and args.model != DEFAULT_EMBEDDING_MODEL:
        print("refusing to pin: the floors are the default embedding model's", file=sys.stderr)
        return 2
    if args.results:
        results = json.loads(args.results.read_text(encoding="utf-8"))
    else:
        results = run(args.shared, args.quick, args.model)
    if args.dump:
        args.dump.write_text(json.dumps(results, indent=1), encoding="utf-8")
    for res in results:
        print(format_report(res))
        print()
    print(f"matcher default threshold: {DEFAULT_THRESHOLD}")
    print(format_tiers(results, DEFAULT_THRESHOLD, DEFAULT_MIN_SIMILARITY))
    threshold, min_cosine, grid = calibrate(results)
    print(f"confident tier calibrated for precision >= {TARGET_PRECISION} on every task:")
    tasks = [str(res["task"]) for res in results]
    print("  threshold cosine  " + "  ".join(f"{k} P / R" for k in tasks))
    for row in grid:
        if row["min_cosine"] in (0.4, 0.5, 0.6, 0.7) or row is grid[-1]:
            cells = "  ".join(
                f"{row[f'{k}_precision']:.3f} / {row[f'{k}_recall']:.3f}" for k in tasks
            )
            print(f"  {row['threshold']:.2f}      {row['min_cosine']:.2f}    {cells}")
    print(
        f"  loosest cut-offs with precision >= {TARGET_PRECISION} where a fact-check exists: "
        f"threshold {threshold}, cosine {min_cosine} (not adopted by itself: it cannot see the "
        "links of claims no fact-check addresses, whose share the 'all queries' figure shows)"
    )
    print(format_tiers(results, threshold, min_cosine))
    values = floor_values(results, args.quick)
    floors = read_floors(FLOORS)
    for key, value in values.items():
        pinned = floors.get(key)
        print(f"{key}: {value:.3f}" + (f" (floor {pinned:.3f})" if pinned is not None else ""))
    if args.pin:
        pin_floors(pinned_floors(results, args.quick), FLOORS)
        print(f"pinned {', '.join(values)} in {FLOORS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
