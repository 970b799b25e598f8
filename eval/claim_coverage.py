"""Claim coverage: do the sentences fact-checkers checked become claims?

Data (../shared/data by default): CLEF CheckThat! 2019 task 1 training
(`checkworthiness/CT19-T1-Training.csv`, 16,421 lines of 19 US debates and speeches, 440
labelled check-worthy). Each debate becomes one document, its lines in order, one paragraph per
line (text only, no speaker), written as JSONL to a temporary folder and run through the same
path as `claimgraph analyze` (linking on, the default models). A line *becomes a claim* when a
stored claim's span overlaps it.

Prints, per run:
- coverage: the share of check-worthy lines that become claims (issue 16: 59% before);
- claims per line, over all lines: a claim for every line is not the answer, filler ("Thank
  you.", "Lester, that's right.") and bare questions should not be claims;
- the share of non-check-worthy lines that become claims.

    .venv/bin/python eval/claim_coverage.py [DATA_DIR] [--debates N] [--pin] [--embedding-model M]

`--debates N` takes the N shortest debates (the gate test's quick configuration); `--pin`
writes the reached coverage, rounded down, to eval/floors.yaml under `claim_coverage_ct19` (all
debates) or `claim_coverage_quick_ct19` (with --debates), keeping every other line.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from floors import pin_floors, read_floors

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
CT19 = Path("checkworthiness") / "CT19-T1-Training.csv"
URL_PREFIX = "ct19://"
FLOOR_KEY = "claim_coverage_ct19"
QUICK_FLOOR_KEY = "claim_coverage_quick_ct19"
# `claimgraph analyze` itself (linking on, the default), in this interpreter's environment.
CLAIMGRAPH = [sys.executable, "-c", "from claimgraph.cli import app; app()"]
QUICK_DEBATES = 3  # the gate test: the three shortest debates (288 lines, 39 check-worthy)


@dataclass(slots=True)
class Debate:
    """One CT19 debate or speech: its lines in order and their check-worthiness labels."""

    name: str
    lines: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Coverage:
    """What became a claim, over all lines of the debates analysed."""

    debates: int
    lines: int
    positives: int
    positives_claimed: int
    negatives_claimed: int
    claims: int
    unmatched_lines: int  # lines not found in the stored text (cleaning changed or dropped them)
    seconds: float
    scored_by: list[str]

    @property
    def coverage(self) -> float:
        return self.positives_claimed / self.positives if self.positives else 0.0

    @property
    def claims_per_line(self) -> float:
        return self.claims / self.lines if self.lines else 0.0

    @property
    def negative_share(self) -> float:
        negatives = self.lines - self.positives
        return self.negatives_claimed / negatives if negatives else 0.0


def read_debates(data_dir: Path, limit: int | None = None) -> list[Debate]:
    """The CT19 debates in file order of their lines; `limit` keeps the N shortest."""
    path = data_dir / CT19
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the CheckThat! 2019 training file")
    debates: dict[str, Debate] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: (r["file_name"], int(r["line_number"])))
    for row in rows:
        debate = debates.setdefault(row["file_name"], Debate(row["file_name"]))
        debate.lines.append(" ".join(row["text"].split()))
        debate.labels.append(int(row["label"]))
    ordered = sorted(debates.values(), key=lambda d: d.name)
    if limit is not None:
        ordered = sorted(ordered, key=lambda d: (len(d.lines), d.name))[:limit]
    return ordered


def write_jsonl(debates: list[Debate], path: Path) -> None:
    """One JSONL record per debate: lines as paragraphs, the debate named by its URL."""
    with path.open("w", encoding="utf-8") as out:
        for debate in debates:
            record = {
                "url": URL_PREFIX + debate.name,
                "text": "\n\n".join(line for line in debate.lines if line),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def locate_lines(text: str, lines: list[str]) -> list[tuple[int, int] | None]:
    """Each line's span in the stored text, searched in order; None where cleaning lost it."""
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for line in lines:
        at = text.find(line, cursor) if line else -1
        if at < 0:
            spans.append(None)
            continue
        spans.append((at, at + len(line)))
        cursor = at + len(line)
    return spans


def measure(db: Path | str, debates: list[Debate], seconds: float) -> Coverage:
    """Count, per line, whether a stored claim's span overlaps it."""
    from claimgraph.store import Store

    by_url = {URL_PREFIX + d.name: d for d in debates}
    positives = positives_claimed = negatives_claimed = claims = unmatched = lines = 0
    scored_by: set[str] = set()
    with Store(db) as store:
        for row in store.query("SELECT id, url, text FROM documents"):
            debate = by_url.get(row["url"])
            if debate is None:
                continue
            spans = [
                (r["start_char"], r["end_char"])
                for r in store.query(
                    "SELECT start_char, end_char FROM claims WHERE document_id = :d",
                    {"d": row["id"]},
                )
            ]
            claims += len(spans)
            scored_by.update(
                r["scored_by"]
                for r in store.query(
                    "SELECT DISTINCT scored_by FROM claims WHERE document_id = :d",
                    {"d": row["id"]},
                )
            )
            for span, label in zip(
                locate_lines(row["text"], debate.lines), debate.labels, strict=True
            ):
                lines += 1
                positives += label
                if span is None:
                    unmatched += 1
                    continue
                hit = any(s < span[1] and span[0] < e for s, e in spans)
                if hit and label:
                    positives_claimed += 1
                elif hit:
                    negatives_claimed += 1
    return Coverage(
        debates=len(debates),
        lines=lines,
        positives=positives,
        positives_claimed=positives_claimed,
        negatives_claimed=negatives_claimed,
        claims=claims,
        unmatched_lines=unmatched,
        seconds=seconds,
        scored_by=sorted(scored_by),
    )


def evaluate(
    data_dir: Path,
    limit: int | None = None,
    workdir: Path | None = None,
    embedding_model: str | None = None,
) -> Coverage:
    """Write the debates as JSONL, analyse them into a fresh database, measure coverage
    (`embedding_model`: analyze's --embedding-model, else its default)."""
    debates = read_debates(data_dir, limit)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        jsonl = Path(tmp) / "ct19.jsonl"
        # An explicit SQLite URL: the eval's own scratch file, whatever store the caller uses
        # (the test suite's PostgreSQL pass maps bare paths to server databases).
        db = f"sqlite:///{Path(tmp) / 'ct19.db'}"
        write_jsonl(debates, jsonl)
        start = time.perf_counter()
        model = ["--embedding-model", embedding_model] if embedding_model else []
        run = subprocess.run(
            [*CLAIMGRAPH, "analyze", str(jsonl), "--db", db, "--quiet", *model],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        if run.returncode != 0:
            raise RuntimeError(
                f"claimgraph analyze failed ({run.returncode}): {run.stderr[-2000:]}"
            )
        return measure(db, debates, seconds)


def report(result: Coverage) -> str:
    return "\n".join(
        [
            f"CT19 training: {result.debates} debates, {result.lines} lines, "
            f"{result.positives} check-worthy ({result.unmatched_lines} lines not found in the "
            f"stored text); analysed in {result.seconds:.0f} s; scored by "
            f"{', '.join(result.scored_by) or '-'}",
            f"coverage (check-worthy lines that became claims): {result.coverage:.3f} "
            f"({result.positives_claimed}/{result.positives})",
            f"claims per line: {result.claims_per_line:.3f} ({result.claims} claims)",
            f"non-check-worthy lines that became claims: {result.negative_share:.3f} "
            f"({result.negatives_claimed}/{result.lines - result.positives})",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--debates", type=int, default=None, help="the N shortest debates only")
    parser.add_argument("--pin", action="store_true", help="pin the coverage in eval/floors.yaml")
    parser.add_argument(
        "--embedding-model",
        default=None,
        help="analyze's --embedding-model (e.g. minilm-l6-v2-int8; its own check-worthiness "
        "weights score the claims); the floors are the default model's",
    )
    args = parser.parse_args(argv)
    if args.pin and args.embedding_model:
        parser.error("--pin pins the default embedding model's coverage")
    if args.pin and args.debates not in (None, QUICK_DEBATES):
        parser.error(f"--pin pins the full run or --debates {QUICK_DEBATES} (the gate's subset)")
    if not (args.data_dir / CT19).is_file():
        print(f"missing {args.data_dir / CT19}: pass the shared data folder", file=sys.stderr)
        return 2
    result = evaluate(args.data_dir, args.debates, embedding_model=args.embedding_model)
    print(report(result))
    key = QUICK_FLOOR_KEY if args.debates else FLOOR_KEY
    floor = read_floors().get(key)
    if floor is not None and args.debates in (None, QUICK_DEBATES):
        verdict = "holds" if result.coverage >= floor else "FALLS BELOW"
        print(f"floor {key}: {floor:.3f} ({verdict})")
    if args.pin:
        value = math.floor(result.coverage * 1000) / 1000
        pin_floors({key: value})
        print(f"pinned {key}: {value:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
