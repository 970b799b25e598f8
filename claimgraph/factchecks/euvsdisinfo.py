"""EUvsDisinfo case exports -> FactCheck (format `euvsdisinfo`).

Each EUvsDisinfo case is a pro-Kremlin disinformation claim that the EEAS East StratCom Task
Force documented and disproved, so every case is rated `false` with `rating_original`
"disinformation". The case text (title, summary) is English whatever the outlet's language;
`language` is therefore `en`, and the outlets' languages go to `extra.languages`. The case
date is when the disinformation was published: it is the `claim_date` (the scrapes carry no
date of the review itself).

Two scrapes are read (see ../shared/data/euvsdisinfo/README.md):

- kalkun/euvsdisinfo-scraper (`issue;date;outlet;language;...;title;summary;disproof`,
  semicolon-separated, dates day first): the claim, summary and disproof. It has no case URL,
  so the outlet's publication URL stands in for it in the id; scraper duplicates collapse.
- cknabs/EUvsDisinfo `posts.csv` (`date,id,title,countries,keywords,languages,outlets`): every
  case with its URL on euvsdisinfo.eu. When `publications.csv` (or `cknabs_publications.csv`)
  sits beside it, each case also gets its publication links in `extra.publications`.
  `publications.csv` alone holds no claims and is reported as such.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from claimgraph.factchecks.model import BadRecord, FactCheck, iso_date, text_or_none

FORMAT = "euvsdisinfo"
REVIEWER = "EUvsDisinfo (EEAS East StratCom Task Force)"
RATING_ORIGINAL = "disinformation"

KALKUN = ["issue", "date", "outlet", "language", "origin", "reported by", "keywords", "source"]
CKNABS_POSTS = ["date", "id", "title", "countries", "keywords", "languages", "outlets"]
CKNABS_PUBLICATIONS = ["id", "publication", "archive"]


def layout(header: list[str]) -> str | None:
    """`kalkun`, `cknabs-posts`, `cknabs-publications`, or None."""
    names = [h.strip().lower() for h in header]
    if names[: len(KALKUN)] == KALKUN and "title" in names:
        return "kalkun"
    if set(CKNABS_POSTS) <= set(names):
        return "cknabs-posts"
    if names == CKNABS_PUBLICATIONS:
        return "cknabs-publications"
    return None


def _split(value: str | None, sep: str) -> list[str]:
    return [p.strip() for p in (value or "").split(sep) if p.strip()]


def _case(
    claim_text: str | None,
    where: str,
    *,
    date: str | None,
    outlets: list[str],
    url: str | None = None,
    key: str | None = None,
    summary: str | None = None,
    extra: dict[str, object],
) -> FactCheck | BadRecord:
    if claim_text is None:
        return BadRecord(where, "no claim text (the case has no title)")
    if summary is not None and summary.casefold().rstrip(". ") == claim_text.casefold().rstrip(
        ". "
    ):
        summary = None  # most early cases repeat the title as the summary
    return FactCheck(
        claim_text=claim_text,
        format=FORMAT,
        source=where,
        rating="false",
        rating_original=RATING_ORIGINAL,
        claimant=", ".join(outlets) or None,
        reviewer=REVIEWER,
        claim_date=iso_date(date),
        url=url,
        key=key,
        summary=summary,
        language="en",
        extra={k: v for k, v in extra.items() if v not in (None, "", [])},
    )


def read_kalkun(
    rows: Iterator[list[str]], header: list[str], source: str
) -> Iterator[FactCheck | BadRecord]:
    names = [h.strip().lower() for h in header]
    row_no = 0
    try:
        for row_no, row in enumerate(rows, 1):
            where = f"{source}#{row_no}"
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                yield BadRecord(where, f"{len(row)} fields where the header has {len(names)}")
                continue
            r = dict(zip(names, row, strict=True))
            publication = text_or_none(r.get("source"))
            yield _case(
                text_or_none(r.get("title")) or text_or_none(r.get("summary")),
                where,
                date=r.get("date"),
                outlets=[o for o in [text_or_none(r.get("outlet"))] if o],
                key=publication,
                summary=text_or_none(r.get("summary")),
                extra={
                    "disproof": (r.get("disproof") or "").strip(),
                    "publication_url": publication,
                    "languages": _split(r.get("language"), ","),
                    "countries": _split(r.get("origin"), ","),
                    "keywords": _split(r.get("keywords"), ","),
                    "reported_by": text_or_none(r.get("reported by")),
                    "issue": text_or_none(r.get("issue")),
                },
            )
    except csv.Error as exc:
        yield BadRecord(f"{source}#{row_no + 1}", f"malformed CSV, rest of file skipped ({exc})")


def _publications(posts_path: Path | None) -> dict[str, list[dict[str, str]]]:
    """Publication links per case URL from the publications file beside posts.csv, if any."""
    if posts_path is None:
        return {}
    for name in ("cknabs_publications.csv", "publications.csv"):
        path = posts_path.with_name(name)
        if path.is_file():
            break
    else:
        return {}
    links: dict[str, list[dict[str, str]]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r.get("id") and r.get("publication"):
                    link = {"url": r["publication"].strip()}
                    if (r.get("archive") or "").strip():
                        link["archive"] = r["archive"].strip()
                    links.setdefault(r["id"].strip(), []).append(link)
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}  # enrichment only: the cases themselves still import
    return links


def read_cknabs_posts(
    rows: Iterator[list[str]], header: list[str], source: str, path: Path | None = None
) -> Iterator[FactCheck | BadRecord]:
    names = [h.strip().lower() for h in header]
    publications = _publications(path)
    row_no = 0
    try:
        for row_no, row in enumerate(rows, 1):
            where = f"{source}#{row_no}"
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                yield BadRecord(where, f"{len(row)} fields where the header has {len(names)}")
                continue
            r = dict(zip(names, row, strict=True))
            url = text_or_none(r.get("id"))
            yield _case(
                text_or_none(r.get("title")),
                where,
                date=r.get("date"),
                outlets=_split(r.get("outlets"), "+"),
                url=url,
                extra={
                    "languages": _split(r.get("languages"), "+"),
                    "countries": _split(r.get("countries"), "+"),
                    "keywords": _split(r.get("keywords"), "+"),
                    "publications": publications.get(url or "", []),
                },
            )
    except csv.Error as exc:
        yield BadRecord(f"{source}#{row_no + 1}", f"malformed CSV, rest of file skipped ({exc})")
