"""What an attribution reports (statement, position or act) against a reader's judgments.

Gold: eval/gold/news_reports_judged.yaml (13 unseen articles of the AllSides news sample, 309
attributions as `analyze` stored them in session 16, each judged by one reader: OK, NA for "not
an attribution", or the error it has), against whose rows the label was written, and
eval/gold/news_reports_heldout.yaml (12 other articles, 246 rows, a second reader who never saw
the label). They hold only record indexes, urls, sha1s, cue offsets in the cleaned text and
codes: the texts are read from the shared data file, cleaned as `analyze` cleans them, and
checked against the stored sha1s.

    .venv/bin/python eval/reports.py [--data ../shared/data/news/allsides_sample5000.jsonl]
        [--gold FILE] [--pin]

Each judged row is matched to today's attribution whose cue overlaps it; the table gives, per
class of `Attribution.reports`, the rows, the share judged fully right and the share judged no
attribution. The floors: the share of statements that are attributions
(`reports_statement_attribution`) and the share of acts that are not
(`reports_act_not_attribution`): what the label is for. Rows no attribution matches any more
are counted apart ("unmatched"); one judged no attribution is kept out of the statements as
an act is, so it counts with the acts in `reports_act_not_attribution` (else dropping a
non-attribution the label had marked would lower the floor that rewards marking it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml
from floors import pin_floors, read_floors

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_DATA = SHARED / "data" / "news" / "allsides_sample5000.jsonl"
DEFAULT_GOLD = REPO / "eval" / "gold" / "news_reports_judged.yaml"
HELDOUT_GOLD = REPO / "eval" / "gold" / "news_reports_heldout.yaml"
FLOOR_KEYS = ("reports_statement_attribution", "reports_act_not_attribution")
GOLDS = {DEFAULT_GOLD: "reports_", HELDOUT_GOLD: "reports_heldout_"}  # gold -> its keys' prefix
CLASSES = ("statement", "position", "act", "unmatched")


class DataMissing(Exception):
    pass


def cleaned_texts(data: Path, articles: list[dict]) -> dict[int, str]:
    """Record index -> the cleaned text `analyze` annotates, each checked against the gold."""
    from claimgraph.ingest.clean import clean_article
    from claimgraph.ingest.jsonl import article_from_record
    from claimgraph.model import Document

    if not data.exists():
        raise DataMissing(f"needs {data}: the ../shared news data is not beside the repo")
    wanted = {a["index"]: a for a in articles}
    texts = {}
    with data.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i not in wanted:
                continue
            record = json.loads(line)
            gold = wanted[i]
            raw = record.get("content_original") or ""
            if record.get("url") != gold["url"] or _sha1(raw) != gold["sha1"]:
                raise ValueError(f"record {i} is not the judged article (url or sha1 differs)")
            doc = clean_article(article_from_record(record, f"{data}#L{i + 1}"))
            if not isinstance(doc, Document) or _sha1(doc.text) != gold["text_sha1"]:
                raise ValueError(f"record {i} cleans to another text than was judged")
            texts[i] = doc.text
    return texts


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def evaluate(data: Path, gold: Path) -> dict[str, Counter]:
    """Class of reports -> Counter of the reader's codes (OK, NA, other)."""
    from claimgraph.annotate.nlp import load_nlp

    articles = yaml.safe_load(gold.read_text(encoding="utf-8"))["articles"]
    texts = cleaned_texts(data, articles)
    nlp = load_nlp()
    table: dict[str, Counter] = defaultdict(Counter)
    order = [a["index"] for a in articles]
    for article, doc in zip(articles, nlp.pipe(texts[i] for i in order), strict=True):
        found = [
            (a.cue_start, a.cue_end, a.reports)
            for a in doc._.cg_attributions
            if a.cue_start is not None
        ]
        for row in article["rows"]:
            start, end = row["cue"]
            reports = next((r for a, b, r in found if a < end and start < b), None)
            code = row["code"] if row["code"] in ("OK", "NA") else "other"
            table[reports or "unmatched"][code] += 1
    return table


def report(table: dict[str, Counter], prefix: str = "reports_") -> dict[str, float]:
    print(f"{'reports':12}{'rows':>6}{'fully right':>13}{'not an attribution':>20}")
    for name in CLASSES:
        c = table.get(name, Counter())
        n = sum(c.values())
        if n:
            print(f"{name:12}{n:>6}{c['OK'] / n:>13.1%}{c['NA'] / n:>20.1%}")
    rows = sum(sum(c.values()) for c in table.values())
    right = sum(c["OK"] for c in table.values())
    print(f"{'all':12}{rows:>6}{right / max(rows, 1):>13.1%}")
    statement, act = table.get("statement", Counter()), table.get("act", Counter())
    dropped = table.get("unmatched", Counter())["NA"]  # non-attributions no longer reported
    keys = [prefix + k.removeprefix("reports_") for k in FLOOR_KEYS]
    return {
        keys[0]: 1 - statement["NA"] / max(sum(statement.values()), 1),
        keys[1]: (act["NA"] + dropped) / max(sum(act.values()) + dropped, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--gold", type=Path, default=None, help="one file (default: both)")
    parser.add_argument("--pin", action="store_true", help="write our floors to eval/floors.yaml")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    golds = {args.gold: GOLDS.get(args.gold, "other_")} if args.gold else GOLDS
    values: dict[str, float] = {}
    for gold, prefix in golds.items():
        try:
            table = evaluate(args.data, gold)
        except DataMissing as exc:
            print(f"reports: {exc}", file=sys.stderr)
            return 2
        print(f"\nwhat attributions report, on {gold.name} (judged rows, cue overlap)")
        found = report(table, prefix)
        for key, value in found.items():
            print(f"{key:40}{value:.3f}")
        values.update(found)
    print(f"{time.perf_counter() - started:.1f}s")
    pinned = read_floors()
    if any(k in pinned for k in values):
        print("pinned floors: " + ", ".join(f"{k}={pinned[k]:.3f}" for k in values if k in pinned))
    if args.pin and args.gold is None:
        pin_floors({k: math.floor(v * 1000) / 1000 for k, v in values.items()})
        print("pinned.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
