"""Real claim sentences from ../shared/data for the benchmarks (read in place, never copied).

Sources: CLEF CheckThat! 2020 verified claims, their Snopes titles and the tweets; ClaimBuster and
CheckThat! 2019 debate sentences; EUvsDisinfo case titles and summary sentences; sentences of the
AllSides news sample. Every text is put in HybridIndex's match form (tweet furniture cleaned,
quotes folded) so the benchmark's lookup encoder sees exactly the text the index asks about, and
kept only if the pipeline's own rule would keep it as a claim (4+ words, not a question).
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
MAX_WORDS = 80  # longer "sentences" are splitting accidents (tables, lists), not claims
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"\u201c\u2018'])")


def _sentences(text: str) -> list[str]:
    """A cheap regex split: good enough for sampling sentences, not for extraction."""
    return [s for p in text.split("\n") for s in _SENTENCE_END.split(p.strip()) if s]


def _tsv_column(path: Path, column: int) -> Iterator[str]:
    with path.open(encoding="utf-8") as fh:
        next(fh, None)  # header
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) > column:
                yield parts[column]


def _raw(data: Path) -> Iterator[tuple[str, str]]:
    """(source, text) for every candidate sentence, source by source."""
    csv.field_size_limit(1 << 30)
    retrieval = data / "claim_retrieval"
    for text in _tsv_column(retrieval / "verified_claims.docs.tsv", 1):
        yield "clef_vclaim", text
    for text in _tsv_column(retrieval / "verified_claims.docs.tsv", 2):
        yield "clef_title", text
    for split in ("train", "dev"):
        for text in _tsv_column(retrieval / split / "tweets.queries.tsv", 1):
            yield "clef_tweet", text
    worthy = data / "checkworthiness"
    for row in json.loads((worthy / "claimbuster_train.json").read_text(encoding="utf-8")):
        yield "claimbuster", row["text"]
    with (worthy / "CT19-T1-Training.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield "checkthat19", row["text"]
    eu = data / "euvsdisinfo"
    with (eu / "kalkun_full_dataset.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            yield "euvsdisinfo_title", row["title"]
            for sentence in _sentences(row["summary"] or ""):
                yield "euvsdisinfo_summary", sentence
    with (eu / "cknabs_posts.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield "euvsdisinfo_title", row["title"]
    with (data / "news" / "allsides_sample5000.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            article = json.loads(line)
            for sentence in _sentences(article.get("content_original") or ""):
                yield "news", sentence


def load_real_claims(
    data: Path = DEFAULT_DATA, limit: int = 0, seed: int = 0
) -> list[tuple[str, str]]:
    """Distinct real claim texts as (source, text), shuffled with `seed`, at most `limit` (0: all).

    Shuffled so that any prefix mixes the sources as the whole does (news sentences are most).
    """
    from claimgraph.link.claims import RuleScorer
    from claimgraph.link.retrieval import clean_query, match_form

    if not (data / "claim_retrieval").is_dir():
        raise SystemExit(f"data folder {data} not found (expected ../shared/data)")
    scorer = RuleScorer()
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for source, raw in _raw(data):
        text = match_form(clean_query(raw))
        if not text or text in seen or len(text.split()) > MAX_WORDS:
            continue
        seen.add(text)
        out.append((source, text))
    keep = [t for t, s in zip(out, scorer.score([t for _, t in out]), strict=True) if s > 0]
    random.Random(seed).shuffle(keep)
    return keep[:limit] if limit else keep
