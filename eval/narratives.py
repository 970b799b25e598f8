"""Narrative clustering scored on EUvsDisinfo: do claims grouped together share a theme?

Data: ``DATA_DIR/cknabs_posts.csv`` (EUvsDisinfo cases, 2015-2021; DATA_DIR defaults to
../shared/data/euvsdisinfo). Each case's title is one claim, dated by the case. Cases are added
to a `NarrativeIndex` oldest first, as a newsroom would meet them, with the library's default
settings; only the threshold varies in the sweep.

    .venv/bin/python eval/narratives.py [DATA_DIR] [--limit 2000] [--seed 0] [--cache FILE] [--model M]

Ground truth. EUvsDisinfo groups cases by *keywords* (``issue`` in the other scrape is the
newsletter number, a grouping by week, not theme). A case has several keywords, from generic
frames ("Conspiracy theory", 1,386 cases) to specific stories ("MH17", "Sergei Skripal"). For
the single-label scores each case takes its most specific keyword: the rarest of its keywords
used by at least MIN_SUPPORT cases (ties by name); cases with none are left out of them.
Keywords name themes, which are broader than narratives (one theme holds many different claims),
so completeness and adjusted Rand stay low by construction; homogeneity, purity and pair
precision say whether what we group belongs together.

Scores, over the cases scored:
- purity, homogeneity, completeness, V-measure, adjusted Rand (ARI) against the single label,
  every candidate narrative counted (a singleton is its own cluster);
- pair precision: of all pairs of cases put in one narrative, the share that have a keyword in
  common (multi-label, no single-label choice needed); random pairs: `baseline`;
- coverage: share of cases that sit in a reported narrative (two claims or more).
A second table, the pair curve, gives P(two cases share a keyword | their cosine), raw and
centred: the threshold principle reads off it. Last, the cases pairing the US with ISIS/Daesh
(the sample corpus's theme): how many narratives they form and what those say.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval"))

from claimgraph.link.claims import Claim  # noqa: E402
from claimgraph.link.narratives import (  # noqa: E402
    DEFAULT_MIN_ANCHOR_OVERLAP,
    DEFAULT_THRESHOLD,
    NarrativeIndex,
    anchors_of,
)

DEFAULT_DATA = REPO.parent / "shared" / "data" / "euvsdisinfo"
MIN_SUPPORT = 20  # a keyword names a theme when at least this many cases carry it
SWEEP = (0.45, 0.50, 0.55, 0.60)
OVERLAPS = (0.34, 0.5, 0.67)
JUDGED = REPO / "eval" / "gold" / "narratives_news_judged.yaml"
QUICK_LIMIT = 600  # the gate's subsample (tests/test_eval_narratives.py)
FULL_LIMIT = 2000  # the default run: 2,000 random cases plus every US-ISIS case
FLOOR_KEYS = {
    FULL_LIMIT: "narratives_euvsdisinfo_pair_precision",
    QUICK_LIMIT: "narratives_quick_euvsdisinfo_pair_precision",
}
JUDGED_KEY = "narratives_news_one_story"
_ISIS = re.compile(r"\b(ISIS|ISIL|Daesh|Islamic State|IS)\b")
_US = re.compile(
    r"\b(US|USA|U\.S\.|United States|America|American|Americans|Washington|Pentagon|CIA)\b"
)


@dataclass(slots=True)
class Case:
    id: str
    date: str
    title: str
    keywords: frozenset[str]
    countries: frozenset[str]
    outlet: str | None
    label: str | None = None

    @property
    def us_isis(self) -> bool:
        """The sample's theme: the US paired with ISIS/Daesh in the claim or its tags."""
        isis = bool(_ISIS.search(self.title)) or "Daesh" in self.keywords
        us = bool(_US.search(self.title)) or "US" in self.countries
        return isis and us


def _split(field: str) -> frozenset[str]:
    return frozenset(k.strip() for k in field.split("+") if k.strip())


def load_cases(data_dir: Path) -> list[Case]:
    """All cases with a title, each labelled with its most specific well-used keyword."""
    path = data_dir / "cknabs_posts.csv"
    if not path.is_file():
        raise SystemExit(f"EUvsDisinfo cases not found: {path} (pass the data folder)")
    with path.open(encoding="utf-8", newline="") as handle:
        cases = [
            Case(
                id=row["id"],
                date=row["date"],
                title=" ".join(row["title"].split()),
                keywords=_split(row["keywords"]),
                countries=_split(row["countries"]),
                outlet=next(iter(sorted(_split(row["outlets"]))), None),
            )
            for row in csv.DictReader(handle)
            if row["title"].strip()
        ]
    support = Counter(k for c in cases for k in c.keywords)
    for case in cases:
        themes = [k for k in case.keywords if support[k] >= MIN_SUPPORT]
        case.label = min(themes, key=lambda k: (support[k], k)) if themes else None
    return cases


def choose(cases: list[Case], limit: int | None, seed: int) -> list[Case]:
    """A random subsample plus every US-ISIS case, oldest first (ties by id)."""
    if limit is not None and limit < len(cases):
        rng = np.random.default_rng(seed)
        picked = set(rng.choice(len(cases), size=limit, replace=False).tolist())
        cases = [c for i, c in enumerate(cases) if i in picked or c.us_isis]
    return sorted(cases, key=lambda c: (c.date, c.id))


def as_claim(case: Case) -> Claim:
    digest = hashlib.sha1(case.id.encode()).hexdigest()[:16]
    return Claim(
        id=f"claim_{digest}",
        document_id=case.id,
        text=case.title,
        start=0,
        end=len(case.title),
        attribution_index=None,
        checkworthiness=1.0,
        scored_by="euvsdisinfo-case",
        date=case.date,
        date_precision="day",
        outlet=case.outlet,
    )


class CachedEncoder:
    """The real encoder, run once over all texts; sweeps then look vectors up."""

    def __init__(self, name: str, vectors: dict[str, np.ndarray]) -> None:
        self.name = name
        self._vectors = vectors
        self.dim = len(next(iter(vectors.values())))

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._vectors[t] for t in texts])


def embed(texts: Sequence[str], cache: Path | None, model: str | None = None) -> CachedEncoder:
    from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL, load_encoder

    encoder = load_encoder(model or DEFAULT_EMBEDDING_MODEL)
    unique = sorted(set(texts))
    key = hashlib.sha1(("\n".join(unique) + encoder.name).encode()).hexdigest()
    if cache is not None and cache.is_file():
        stored = np.load(cache)
        if str(stored["key"]) == key:
            return CachedEncoder(encoder.name, dict(zip(unique, stored["vectors"], strict=True)))
    vectors = encoder.encode(unique)
    if cache is not None:
        np.savez(cache, key=key, vectors=vectors)
    return CachedEncoder(encoder.name, dict(zip(unique, vectors, strict=True)))


@dataclass(slots=True)
class Scores:
    threshold: float
    overlap: float
    purity: float
    homogeneity: float
    completeness: float
    v_measure: float
    ari: float
    pair_precision: float
    pairs: int
    coverage: float
    narratives: int
    seconds: float


def anchors(cases: list[Case], cache: Path | None) -> dict[str, frozenset[str]]:
    """Each case's anchoring entities, found by the library's own entity pipeline (spaCy NER,
    the alias table and the canonical-entity resolver) on its title; their mentions' spans
    are kept for `roles`."""
    import json

    from claimgraph.annotate.nlp import load_nlp

    key = hashlib.sha1("\n".join(c.title for c in cases).encode()).hexdigest()
    if cache is not None and cache.is_file():
        stored = json.loads(cache.read_text())
        if stored.get("key") == key and "mentions" in stored:
            _MENTIONS[key] = {k: [tuple(m) for m in v] for k, v in stored["mentions"].items()}
            return {k: frozenset(v) for k, v in stored["anchors"].items()}
    nlp = load_nlp(stages=())
    out: dict[str, frozenset[str]] = {}
    mentions: dict[str, list[tuple[str, int, int]]] = {}
    for case, doc in zip(cases, nlp.pipe([c.title for c in cases], batch_size=64), strict=True):
        claim = as_claim(case)
        out[claim.id] = anchors_of(claim, doc._.cg_mentions or ())
        mentions[claim.id] = [
            (m.entity_key, m.start, m.end)
            for m in sorted(doc._.cg_mentions or (), key=lambda m: m.start)
            if m.entity_key in out[claim.id]
        ]
    _MENTIONS[key] = mentions
    if cache is not None:
        cache.write_text(
            json.dumps(
                {
                    "key": key,
                    "anchors": {k: sorted(v) for k, v in out.items()},
                    "mentions": mentions,
                }
            )
        )
    return out


_MENTIONS: dict[str, dict[str, list[tuple[str, int, int]]]] = {}


def roles(cases: list[Case]) -> dict[str, Any]:
    """Who does what to whom in each title naming an anchor (`claim_roles`: a parse of the
    title, as `claimgraph relink` parses a stored claim); `anchors` must have run first."""
    from claimgraph.link.frames import claim_roles

    key = hashlib.sha1("\n".join(c.title for c in cases).encode()).hexdigest()
    return claim_roles([as_claim(c) for c in cases], _MENTIONS[key])


def cluster(
    cases: list[Case],
    encoder: CachedEncoder,
    anchored: dict[str, frozenset[str]],
    threshold: float,
    overlap: float = DEFAULT_MIN_ANCHOR_OVERLAP,
    use_actions: bool = True,
    framed: dict[str, Any] | None = None,
) -> tuple[list[str], NarrativeIndex]:
    """Each case's narrative id, from the default index with these settings (`framed`: each
    title's roles, `roles`)."""
    index = NarrativeIndex(
        encoder, threshold=threshold, min_anchor_overlap=overlap, use_actions=use_actions
    )
    claims = [as_claim(c) for c in cases]
    index.add(claims, anchored, roles=framed)
    return [index.narrative_of(c.id) or "" for c in claims], index


def score(
    cases: list[Case], assigned: list[str], threshold: float, overlap: float, seconds: float
) -> Scores:
    from sklearn import metrics

    scored = [(c.label, a) for c, a in zip(cases, assigned, strict=True) if c.label]
    truth, pred = [t for t, _ in scored], [p for _, p in scored]
    h, c, v = metrics.homogeneity_completeness_v_measure(truth, pred)
    table = metrics.cluster.contingency_matrix(truth, pred)
    groups: dict[str, list[Case]] = defaultdict(list)
    for case, narrative in zip(cases, assigned, strict=True):
        groups[narrative].append(case)
    pairs = agree = grouped = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        grouped += len(members)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs += 1
                agree += bool(a.keywords & b.keywords)
    return Scores(
        threshold=threshold,
        overlap=overlap,
        purity=float(table.max(axis=0).sum() / table.sum()),
        homogeneity=h,
        completeness=c,
        v_measure=v,
        ari=float(metrics.adjusted_rand_score(truth, pred)),
        pair_precision=agree / pairs if pairs else float("nan"),
        pairs=pairs,
        coverage=grouped / len(cases),
        narratives=sum(1 for m in groups.values() if len(m) >= 2),
        seconds=seconds,
    )


def baseline(cases: list[Case], rng: np.random.Generator, n: int = 200_000) -> float:
    """P(two random cases share a keyword)."""
    a = rng.integers(0, len(cases), n)
    b = rng.integers(0, len(cases), n)
    keep = a != b
    return float(
        np.mean(
            [
                bool(cases[i].keywords & cases[j].keywords)
                for i, j in zip(a[keep], b[keep], strict=True)
            ]
        )
    )


def pair_curve(
    cases: list[Case], encoder: CachedEncoder, centre: bool
) -> list[tuple[float, float, int]]:
    """(bin start, P(share a keyword), pairs) by cosine bin over all pairs of cases."""
    vectors = encoder.encode([c.title for c in cases]).astype(np.float64)
    if centre:
        vectors = vectors - vectors.mean(axis=0)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    names = sorted({k for c in cases for k in c.keywords})
    column = {k: i for i, k in enumerate(names)}
    incidence = np.zeros((len(cases), len(names)), dtype=np.float32)
    for row, case in enumerate(cases):
        for k in case.keywords:
            incidence[row, column[k]] = 1.0
    upper = np.triu_indices(len(cases), 1)
    sims = (vectors @ vectors.T)[upper]
    share = ((incidence @ incidence.T) > 0)[upper]
    curve = []
    for lo in np.arange(0.2, 1.0, 0.05):
        mask = (sims >= lo) & (sims < lo + 0.05)
        if mask.sum() >= 20:
            curve.append((float(lo), float(share[mask].mean()), int(mask.sum())))
    return curve


def us_isis_report(cases: list[Case], index: NarrativeIndex, top: int = 8) -> list[str]:
    ours = {as_claim(c).id for c in cases if c.us_isis}
    lines = [f"US-ISIS cases: {len(ours)}"]
    touched = [n for n in index.narratives() if ours & set(n.claim_ids)]
    inside = sum(len(ours & set(n.claim_ids)) for n in touched)
    lines.append(
        f"  in a narrative: {inside} ({inside / max(len(ours), 1):.0%}), across {len(touched)} "
        f"narratives; members that are US-ISIS cases, pooled: "
        f"{inside / max(sum(len(n.claim_ids) for n in touched), 1):.0%}"
    )
    touched.sort(key=lambda n: -len(ours & set(n.claim_ids)))
    for n in touched[:top]:
        k = len(ours & set(n.claim_ids))
        lines.append(
            f"  {k:>3}/{len(n.claim_ids):<3} {n.first_seen}..{n.last_seen}  {n.label[:90]}"
        )
    return lines


def default_scores(
    data_dir: Path,
    limit: int | None,
    seed: int = 0,
    cache: Path | None = None,
    anchor_cache: Path | None = None,
) -> Scores:
    """The scores at the library's default settings (what the floors hold)."""
    cases = choose(load_cases(data_dir), limit, seed)
    encoder = embed([c.title for c in cases], cache)
    anchored = anchors(cases, anchor_cache)
    framed = roles(cases)
    t0 = time.perf_counter()
    assigned, _ = cluster(cases, encoder, anchored, DEFAULT_THRESHOLD, framed=framed)
    return score(
        cases, assigned, DEFAULT_THRESHOLD, DEFAULT_MIN_ANCHOR_OVERLAP, time.perf_counter() - t0
    )


def judged_share(path: Path = JUDGED) -> tuple[float, int, int] | None:
    """(share judged one story, narratives judged, cross-document narratives found), or None
    while the file is missing or a verdict is still '?'."""
    import yaml

    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text())
    verdicts = [n["verdict"] for n in data["narratives"]]
    if not verdicts or any(v not in ("one story", "mixed") for v in verdicts):
        return None
    return sum(v == "one story" for v in verdicts) / len(verdicts), len(verdicts), data["found"]


def judged_sample(path: Path = JUDGED) -> str:
    """The judged news sample's figure: share of drawn cross-document narratives that tell one
    story (eval/sample_narratives.py draws them; the verdicts are a reader's), and the same
    share without page furniture (bylines, credits, promos: identical lines, one story)."""
    import yaml

    if not path.is_file():
        return f"judged sample: {path} not found"
    data = yaml.safe_load(path.read_text())
    drawn = data["narratives"]
    one = sum(n["verdict"] == "one story" for n in drawn)
    real = [n for n in drawn if not n.get("furniture")]
    real_one = sum(n["verdict"] == "one story" for n in real)
    how = (
        "every one judged"
        if len(drawn) == data["found"]
        else f"{len(drawn)} drawn with seed {data['seed']}"
    )
    return (
        f"judged news sample ({data['articles']} articles, {data['found']} cross-document "
        f"narratives found, {how}): one story "
        f"{one}/{len(drawn)} = {one / max(len(drawn), 1):.3f}; without page furniture "
        f"({len(drawn) - len(real)} drawn) {real_one}/{len(real)} = "
        f"{real_one / max(len(real), 1):.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=FULL_LIMIT, help="random cases (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None, help="npz file for the vectors")
    parser.add_argument(
        "--anchor-cache", type=Path, default=None, help="JSON file for the cases' entities"
    )
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument(
        "--model",
        default=None,
        help="embedding model (e.g. minilm-l6-v2-int8; default: linking's); the floors are "
        "the default model's",
    )
    parser.add_argument(
        "--thresholds", default=",".join(f"{t:g}" for t in SWEEP), help="cosine thresholds"
    )
    parser.add_argument(
        "--overlaps", default=",".join(f"{o:g}" for o in OVERLAPS), help="anchor overlaps"
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="write the default settings' pair precision (and the judged share) to floors.yaml",
    )
    args = parser.parse_args(argv)
    if args.pin and args.model:
        parser.error("--pin pins the default embedding model's figures")
    thresholds = [float(t) for t in args.thresholds.split(",") if t.strip()]
    overlaps = [float(o) for o in args.overlaps.split(",") if o.strip()]

    import torch

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    cases = choose(load_cases(args.data_dir), args.limit or None, args.seed)
    encoder = embed([c.title for c in cases], args.cache, args.model)
    anchored = anchors(cases, args.anchor_cache)
    framed = roles(cases)
    labelled = sum(1 for c in cases if c.label)
    with_anchor = sum(1 for v in anchored.values() if v)
    print(
        f"{len(cases)} cases ({labelled} with a theme keyword, {with_anchor} naming an entity), "
        f"encoder {encoder.name}, embedded in {time.perf_counter() - started:.0f}s"
    )
    print(
        f"random pairs sharing a keyword (baseline): {baseline(cases, np.random.default_rng(0)):.3f}"
    )
    print("\nP(share a keyword | cosine bin)")
    for lo, p, n in pair_curve(cases, encoder, centre=False):
        print(f"  {lo:.2f}  {p:.2f} ({n})")

    header = (
        "  thr   overlap acts  purity  homog  compl  V      ARI    pairP  pairs   cover  narr  s"
    )
    print("\nsweep (default settings; threshold and anchor overlap varied)\n" + header)
    default_index = None
    chosen = None
    runs = [(t, o, True) for o in overlaps for t in thresholds]
    runs.append((DEFAULT_THRESHOLD, DEFAULT_MIN_ANCHOR_OVERLAP, False))
    for threshold, overlap, acts in runs:
        t0 = time.perf_counter()
        assigned, index = cluster(cases, encoder, anchored, threshold, overlap, acts, framed)
        s = score(cases, assigned, threshold, overlap, time.perf_counter() - t0)
        default = (
            acts
            and abs(threshold - DEFAULT_THRESHOLD) < 1e-9
            and abs(overlap - DEFAULT_MIN_ANCHOR_OVERLAP) < 1e-9
        )
        mark = " <- default" if default else ""
        if default:
            default_index, chosen = index, s
        print(
            f"  {s.threshold:.2f}  {s.overlap:.2f}    {'yes' if acts else 'no ':<4}  "
            f"{s.purity:.3f}  {s.homogeneity:.3f}  {s.completeness:.3f}  {s.v_measure:.3f}  "
            f"{s.ari:.3f}  {s.pair_precision:.3f}  {s.pairs:<6}  {s.coverage:.3f}  "
            f"{s.narratives:<4}  {s.seconds:.1f}{mark}"
        )
    if default_index is not None and chosen is not None:
        print()
        print("\n".join(us_isis_report(cases, default_index)))
        print(
            f"\nEUvsDisinfo at the default settings: keyword pair precision "
            f"{chosen.pair_precision:.3f}, coverage {chosen.coverage:.3f}, "
            f"purity {chosen.purity:.3f}, ARI {chosen.ari:.3f}"
        )
    print(judged_sample())
    if args.pin and chosen is not None:
        from floors import pin_floors

        limit = args.limit or None
        values = {}
        if limit in FLOOR_KEYS:
            values[FLOOR_KEYS[limit]] = chosen.pair_precision
        judged = judged_share()
        if judged is not None:
            values[JUDGED_KEY] = judged[0]
        pin_floors(values)
        print("pinned " + ", ".join(f"{k} {v:.3f}" for k, v in values.items()))
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
