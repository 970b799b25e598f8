"""Document metadata on unseen pages: how many documents get a date and an outlet, and from where.

    .venv/bin/python eval/metadata.py [DATA_DIR] [--limit 1000]

DATA_DIR defaults to ../shared/data. Two sets, read and cleaned exactly as `claimgraph analyze`
reads them (claimgraph.ingest.read_file + clean_article, no NLP):
- news/allsides_sample5000.jsonl: its `date` field is empty, so a date must come from the page
  itself (a date line at the top of the body, the URL path); the share dated is printed by where
  the date came from, with the share whose title still shows mojibake.
- extraction/html/*.html.gz: 181 real article pages (HTML metadata via trafilatura, date lines,
  the URL from ground-truth.json); the share dated, by source.
There is no gold date for either set: this measures coverage, and prints a sample to read.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import sys
import tempfile
from pathlib import Path

from floors import pin_floors

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"


def _documents(paths):
    from claimgraph.ingest import read_file
    from claimgraph.ingest.clean import clean_article
    from claimgraph.model import Skipped

    for path in paths:
        for item in read_file(path):
            if isinstance(item, Skipped):
                continue
            doc = clean_article(item)
            if not isinstance(doc, Skipped):
                yield doc


def news(data_dir: Path, limit: int) -> dict:
    import ftfy

    source = data_dir / "news" / "allsides_sample5000.jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "news.jsonl"
        with source.open(encoding="utf-8") as f, subset.open("w", encoding="utf-8") as out:
            for i, line in enumerate(f):
                if i >= limit:
                    break
                out.write(line)
        docs = list(_documents([subset]))
    by = collections.Counter(
        d.date_source or ("url (month)" if d.meta.get("date_month") else "none") for d in docs
    )
    bad_titles = sum(1 for d in docs if d.title and ftfy.is_bad(d.title))
    return {
        "documents": len(docs),
        "by": by,
        "bad_titles": bad_titles,
        "with_outlet": sum(1 for d in docs if d.outlet),
    }


def extraction(data_dir: Path) -> dict:
    root = data_dir / "extraction"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    from claimgraph.ingest.clean import clean_article
    from claimgraph.model import Article, Skipped

    by: collections.Counter = collections.Counter()
    total = 0
    for page, info in sorted(truth.items()):
        html = gzip.decompress((root / "html" / f"{page}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        doc = clean_article(Article(source=page, html=html, url=info.get("url")))
        if isinstance(doc, Skipped):
            continue
        total += 1
        by[doc.date_source or ("url (month)" if doc.meta.get("date_month") else "none")] += 1
    return {"documents": total, "by": by}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=1000, help="news records read")
    parser.add_argument("--pin", action="store_true", help="pin the dated shares as floors")
    args = parser.parse_args(argv)
    if not (args.data_dir / "news").is_dir() or not (args.data_dir / "extraction").is_dir():
        print(
            f"evaluation data not found under {args.data_dir} (news/, extraction/)", file=sys.stderr
        )
        return 2
    values = {}
    for name, result in (
        ("news", news(args.data_dir, args.limit)),
        ("extraction", extraction(args.data_dir)),
    ):
        n = result["documents"]
        dated = n - result["by"]["none"] - result["by"]["url (month)"]
        print(f"{name}: {n} documents, {dated} dated to the day ({100 * dated / n:.1f}%)")
        for source, count in result["by"].most_common():
            print(f"  {source:12} {count:5} ({100 * count / n:.1f}%)")
        if "bad_titles" in result:
            print(
                f"  titles with mojibake left: {result['bad_titles']}; "
                f"with an outlet: {result['with_outlet']}"
            )
        values[f"metadata_{name}_dated_share"] = int(1000 * dated / n) / 1000
    if args.pin:
        pin_floors(values)
        print(f"pinned {values}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
