"""Attribution extraction scored on PolNeAR: source, cue and content spans.

Data: PolNeAR v1.0 (Newell et al., LREC 2018), ``DATA_DIR/SPLIT/text/*.txt`` with BRAT gold in
``DATA_DIR/SPLIT/attributions/<article>_<annotator>.ann``; DATA_DIR defaults to
../shared/data/polnear. Several annotators labelled some articles: each article is scored
against one of them, the first .ann file in sorted order.

    .venv/bin/python eval/attribution.py [DATA_DIR] [--split dev] [--limit N] [--speed] [--pin]
        [--degrade] [--extractors rules,model,hybrid] [--tagger MODEL_DIR]

Matching, per span kind (Source, Cue, Content), per article:
- A gold span is the envelope (first start, last end) of its fragments, since PolNeAR splits
  a content around an interrupting cue; ours is the envelope of our fragments likewise. Both
  are trimmed of surrounding whitespace and of the punctuation ``.,;:`` at their edges.
- Spans are deduplicated per article and kind (two relations sharing one source phrase give
  one Source span; "A and B said" gives one Source span, as in PolNeAR).
- PolNeAR's conventions are applied to our output before matching, and nothing else: a
  content includes its complementiser ("that ...") and the quotation marks around a direct
  quotation (with a comma just inside them); we keep both out of ``Attribution.content``.
- Exact: the trimmed envelopes are equal. Overlap: they share at least one character;
  gold and predicted spans are paired one-to-one, greedily by largest overlap.
- Precision = matched predicted / predicted; recall = matched gold / gold; F1 their harmonic
  mean; counts are summed over all articles (micro average).

textacy's ``direct_quotations`` is scored the same way on the same parses, on whole articles
and paragraph by paragraph. Published figures are PolNeAR *test* exact-match F1 (CofeNet paper);
ours are on train/dev (the test split is kept apart), so compare them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from floors import pin_floors, read_floors

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "polnear"
FLOORS = REPO / "eval" / "floors.yaml"
FLOOR_MARGIN = 0.005  # the gate allows half a point below the pinned figure
KINDS = ("Source", "Cue", "Content")
PUBLISHED = {
    "CofeNet (published, test)": (0.832, 0.753, 0.729),
    "BERT-CRF (published, test)": (0.822, 0.749, 0.710),
    "rule-based (published, test)": (0.107, 0.228, 0.056),
}

_T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t")
_E_LINE = re.compile(r"^(E\d+)\t(.+)$")
_EDGE = " \t\r\n\u00a0.,;:"
_QUOTES = '"\u201c\u201d\u201e\u00ab\u00bb'

Span = tuple[int, int]


@dataclass(slots=True)
class Article:
    name: str
    text: str
    gold: dict[str, set[Span]]


@dataclass(slots=True)
class Counts:
    tp_pred: int = 0
    tp_gold: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp_pred += other.tp_pred
        self.tp_gold += other.tp_gold
        self.pred += other.pred
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.tp_pred / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Scores:
    """Counts per (match, kind), match in {"exact", "overlap"}."""

    counts: dict[tuple[str, str], Counts] = field(
        default_factory=lambda: {(m, k): Counts() for m in ("exact", "overlap") for k in KINDS}
    )

    def f1(self, match: str, kind: str) -> float:
        return self.counts[(match, kind)].f1


# ---------------------------------------------------------------------------------------------
# Data


def trim(text: str, span: Span) -> Span:
    start, end = span
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def read_gold(ann: str, text: str) -> dict[str, set[Span]]:
    """Gold Source/Cue/Content envelopes of every relation in one BRAT file."""
    spans: dict[str, tuple[str, Span]] = {}
    relations: list[dict[str, str]] = []
    for line in ann.splitlines():
        if m := _T_LINE.match(line):
            pieces = [tuple(map(int, p.split())) for p in m.group(3).split(";")]
            spans[m.group(1)] = (m.group(2), (pieces[0][0], pieces[-1][1]))
        elif m := _E_LINE.match(line):
            relations.append(dict(part.split(":", 1) for part in m.group(2).split()))
    gold: dict[str, set[Span]] = {k: set() for k in KINDS}
    for relation in relations:
        for kind in KINDS:
            ref = relation.get(kind)
            if ref in spans:
                span = trim(text, spans[ref][1])
                if span[1] > span[0]:
                    gold[kind].add(span)
    return gold


def load_articles(data_dir: Path, split: str, limit: int | None = None) -> list[Article]:
    """One gold file per article: the first annotator's, in sorted order."""
    text_dir, ann_dir = data_dir / split / "text", data_dir / split / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise FileNotFoundError(
            f"PolNeAR {split} split not found under {data_dir} (expected {text_dir} and {ann_dir})"
        )
    first: dict[str, Path] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        first.setdefault(ann.stem.rsplit("_", 1)[0], ann)
    articles = []
    for name, ann in sorted(first.items())[:limit]:
        text = (text_dir / f"{name}.txt").read_text(encoding="utf-8")
        articles.append(Article(name, text, read_gold(ann.read_text(encoding="utf-8"), text)))
    return articles


# ---------------------------------------------------------------------------------------------
# Predictions in PolNeAR's conventions


def polnear_content(text: str, start: int, end: int) -> Span:
    """Our content with the quotation marks and the complementiser PolNeAR includes."""
    mark = re.search(rf"(?:[{_QUOTES}]|''|``)$", text[max(0, start - 2) : start])
    if mark:
        start -= len(mark.group())
        close = re.match(rf"[,.!?]?(?:[{_QUOTES}]|'')", text[end : end + 3])
        if close:
            end += close.end()
    window = max(0, start - 8)
    if m := re.search(r"\bthat,?\s+$", text[window:start], re.IGNORECASE):
        start = window + m.start()
    return start, end


def ours(doc_attributions: Iterable, text: str) -> dict[str, set[Span]]:
    found: dict[str, set[Span]] = {k: set() for k in KINDS}
    for a in doc_attributions:
        if a.source_start is not None:
            found["Source"].add(trim(text, (a.source_start, a.source_end)))
        if a.cue_start is not None:
            found["Cue"].add(trim(text, (a.cue_start, a.cue_end)))
        found["Content"].add(trim(text, polnear_content(text, a.start, a.end)))
    return {k: {s for s in v if s[1] > s[0]} for k, v in found.items()}


def textacy_spans(doc, offset: int = 0) -> dict[str, set[Span]]:
    """textacy's direct quotations of one parsed text, as character spans."""
    from textacy.extract.triples import direct_quotations

    text = doc.text
    found: dict[str, set[Span]] = {k: set() for k in KINDS}
    try:
        triples = list(direct_quotations(doc))
    except ValueError:  # textacy bails out on unbalanced quotation marks: nothing found
        triples = []
    for triple in triples:
        for kind, tokens in (("Source", triple.speaker), ("Cue", triple.cue)):
            if tokens:
                start = min(t.idx for t in tokens)
                end = max(t.idx + len(t) for t in tokens)
                found[kind].add(_shift(trim(text, (start, end)), offset))
        content = triple.content
        found["Content"].add(_shift(trim(text, (content.start_char, content.end_char)), offset))
    return found


def _shift(span: Span, offset: int) -> Span:
    return span[0] + offset, span[1] + offset


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, paragraph) for each non-empty line block."""
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        if m.group().strip():
            yield m.start(), m.group()


# ---------------------------------------------------------------------------------------------
# Scoring


def match(gold: set[Span], pred: set[Span]) -> tuple[Counts, Counts]:
    """Exact and overlap counts for one article and span kind."""
    exact = len(gold & pred)
    pairs = sorted(
        (
            (min(g[1], p[1]) - max(g[0], p[0]), g, p)
            for g in gold
            for p in pred
            if min(g[1], p[1]) > max(g[0], p[0])
        ),
        reverse=True,
    )
    used_g: set[Span] = set()
    used_p: set[Span] = set()
    for _, g, p in pairs:
        if g not in used_g and p not in used_p:
            used_g.add(g)
            used_p.add(p)
    n_gold, n_pred = len(gold), len(pred)
    return Counts(exact, exact, n_pred, n_gold), Counts(len(used_p), len(used_g), n_pred, n_gold)


def score(pairs: Iterable[tuple[dict[str, set[Span]], dict[str, set[Span]]]]) -> Scores:
    scores = Scores()
    for gold, pred in pairs:
        for kind in KINDS:
            exact, overlap = match(gold[kind], pred[kind])
            scores.counts[("exact", kind)].add(exact)
            scores.counts[("overlap", kind)].add(overlap)
    return scores


@dataclass(slots=True)
class Result:
    split: str
    articles: int
    relations: int
    ours: Scores  # the default extractor (what `claimgraph analyze` runs)
    textacy_article: Scores | None
    textacy_paragraph: Scores | None
    seconds: float
    systems: dict[str, Scores] = field(default_factory=dict)  # every extractor scored
    default: str = "hybrid"
    degraded: bool = False


# Scraped text often loses these: commas, quotation marks and apostrophes (--degrade).
_DEGRADE = frozenset(",\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb")


def degrade(article: Article) -> Article:
    """The article as scraped text often comes: commas, quotation marks and apostrophes gone.
    Gold offsets are mapped onto the shorter text (and trimmed again)."""
    text = article.text
    new_index, kept = [], 0
    for ch in text:
        new_index.append(kept)
        kept += ch not in _DEGRADE
    new_index.append(kept)
    new_text = "".join(ch for ch in text if ch not in _DEGRADE)
    gold = {
        kind: {
            span
            for s, e in spans
            if (span := trim(new_text, (new_index[s], new_index[e])))[1] > span[0]
        }
        for kind, spans in article.gold.items()
    }
    return Article(article.name, new_text, gold)


def evaluate(
    data_dir: Path = DEFAULT_DATA,
    split: str = "dev",
    limit: int | None = None,
    *,
    with_textacy: bool = True,
    nlp=None,
    extractors: tuple[str, ...] = ("rules", "model", "hybrid"),
    degraded: bool = False,
    tagger_path: str | None = None,
) -> Result:
    """Parse the split once; score each attribution extractor on the same parses (and textacy).

    The tagger runs once over the texts; "rules", "model" and "hybrid" then differ only in which
    relations ``find_attributions`` keeps. ``degraded``: score the degraded copy instead."""
    from claimgraph.annotate.attribution import DEFAULT_EXTRACTOR, find_attributions
    from claimgraph.annotate.nlp import load_nlp

    articles = load_articles(data_dir, split, limit)
    if degraded:
        articles = [degrade(a) for a in articles]
    nlp = nlp or load_nlp(stages=())
    started = time.perf_counter()
    docs = list(nlp.pipe(a.text for a in articles))
    tagged: list = [None] * len(docs)
    if any(e != "rules" for e in extractors):
        from claimgraph.annotate.tagger import AttributionTagger

        tagged = AttributionTagger.load(tagger_path).predict(docs)
    seconds = time.perf_counter() - started
    systems: dict[str, Scores] = {}
    for extractor in extractors:
        systems[extractor] = score(
            (a.gold, ours(find_attributions(d, spans, extractor), a.text))
            for a, d, spans in zip(articles, docs, tagged, strict=True)
        )
    if tagged[0] is not None:
        systems["tagger spans (no pairing)"] = score(
            (a.gold, {k: set(v) for k, v in spans.items()})
            for a, spans in zip(articles, tagged, strict=True)
        )
    ta = tp = None
    if with_textacy:
        ta = score((a.gold, textacy_spans(d)) for a, d in zip(articles, docs, strict=True))
        para_preds = []
        for article in articles:
            merged: dict[str, set[Span]] = {k: set() for k in KINDS}
            pieces = list(paragraphs(article.text))
            for (offset, _), doc in zip(pieces, nlp.pipe(p for _, p in pieces), strict=True):
                for kind, spans in textacy_spans(doc, offset).items():
                    merged[kind] |= spans
            para_preds.append((article.gold, merged))
        tp = score(para_preds)
    relations = sum(len(a.gold["Cue"]) for a in articles)
    default = DEFAULT_EXTRACTOR if DEFAULT_EXTRACTOR in systems else extractors[0]
    return Result(
        split,
        len(articles),
        relations,
        systems[default],
        ta,
        tp,
        seconds,
        systems,
        default,
        degraded,
    )


def measure_speed(texts: list[str], model: str | None = None) -> dict[str, float]:
    """Documents per second: raw spaCy nlp.pipe vs the full claimgraph pipeline, same texts;
    plus the seconds spent in the attribution and signal components alone."""
    import spacy

    from claimgraph.annotate.nlp import DEFAULT_MODEL, load_nlp
    from claimgraph.annotate.signals import find_signals

    model = model or DEFAULT_MODEL
    raw = spacy.load(model)
    full = load_nlp(model)
    for nlp in (raw, full):  # warm up
        list(nlp.pipe(texts[:2]))
    t0 = time.perf_counter()
    list(raw.pipe(texts))
    t_raw = time.perf_counter() - t0
    t0 = time.perf_counter()
    list(full.pipe(texts))
    t_full = time.perf_counter() - t0
    parsed = list(load_nlp(model, stages=()).pipe(texts))
    component = full.get_pipe("claimgraph_attributions")
    t0 = time.perf_counter()
    for doc in component.pipe(parsed):
        find_signals(doc, doc._.cg_attributions)
    t_ours = time.perf_counter() - t0
    return {
        "docs": len(texts),
        "raw_docs_per_s": len(texts) / t_raw,
        "full_docs_per_s": len(texts) / t_full,
        "ratio": t_raw / t_full,
        "attribution_seconds": t_ours,
        "attribution_share_of_raw": t_ours / t_raw,
    }


# ---------------------------------------------------------------------------------------------
# Floors and report


def floor_keys(match_kind: str, kind: str, split: str = "dev", degraded: bool = False) -> str:
    extra = "degraded_" if degraded else ""
    return f"attribution_{split}_{extra}{match_kind}_f1_{kind.lower()}"


def table(result: Result) -> list[str]:
    rows = [
        f"PolNeAR {result.split}{' DEGRADED (no commas, quotes, apostrophes)' if result.degraded else ''}: "
        f"{result.articles} articles (first annotator each), "
        f"{result.relations} gold cues; pipeline {result.seconds:.1f}s",
        "",
        f"{'system':32} {'span':8} {'exact P / R / F1':>22} {'overlap P / R / F1':>22}",
    ]
    systems = [
        (f"claimgraph {name}{' (default)' if name == result.default else ''}", scores)
        for name, scores in result.systems.items()
    ]
    if result.textacy_article:
        systems.append(("textacy direct_quotations, article", result.textacy_article))
    if result.textacy_paragraph:
        systems.append(("textacy direct_quotations, paragraph", result.textacy_paragraph))
    for name, scores in systems:
        for kind in KINDS:
            cells = []
            for m in ("exact", "overlap"):
                c = scores.counts[(m, kind)]
                cells.append(f"{100 * c.precision:5.1f} /{100 * c.recall:5.1f} /{100 * c.f1:5.1f}")
            rows.append(f"{name[:32]:32} {kind:8} {cells[0]:>22} {cells[1]:>22}")
    rows.append("")
    for name, (s, c, t) in PUBLISHED.items():
        rows.append(
            f"{name:32} exact F1 Source {100 * s:.1f} / Cue {100 * c:.1f} / Content {100 * t:.1f}"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--no-textacy", action="store_true", help="skip the textacy baseline")
    parser.add_argument("--speed", action="store_true", help="also time raw spaCy vs claimgraph")
    parser.add_argument("--pin", action="store_true", help=f"write our F1 floors to {FLOORS.name}")
    parser.add_argument(
        "--degrade", action="store_true", help="score a copy without commas, quotes, apostrophes"
    )
    parser.add_argument("--extractors", default="rules,model,hybrid", help="comma-separated")

    parser.add_argument(
        "--tagger", default=None, help="attribution model folder (default: shipped)"
    )
    args = parser.parse_args(argv)
    try:
        result = evaluate(
            args.data_dir,
            args.split,
            args.limit,
            with_textacy=not args.no_textacy,
            extractors=tuple(args.extractors.split(",")),
            degraded=args.degrade,
            tagger_path=args.tagger,
        )
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    for row in table(result):
        print(row)
    if args.speed:
        texts = [a.text for a in load_articles(args.data_dir, args.split, args.limit)]
        speed = measure_speed(texts)
        print(
            f"\nspeed on {speed['docs']} articles: raw spaCy {speed['raw_docs_per_s']:.1f} docs/s, "
            f"claimgraph pipeline {speed['full_docs_per_s']:.1f} docs/s "
            f"(throughput ratio {speed['ratio']:.2f}); attribution + signal components alone "
            f"{speed['attribution_seconds']:.2f}s = {100 * speed['attribution_share_of_raw']:.1f}% of raw parse time"
        )
    values = {
        floor_keys(m, k, args.split, args.degrade): math.floor(result.ours.f1(m, k) * 1000) / 1000
        for m in ("exact", "overlap")
        for k in KINDS
    }
    pinned = read_floors()
    if any(key in pinned for key in values):
        print(
            "\npinned floors: " + ", ".join(f"{k}={pinned[k]:.3f}" for k in values if k in pinned)
        )
    if args.pin:
        if args.limit is not None:
            print("refusing to pin floors from a --limit run", file=sys.stderr)
            return 2
        # Floors only go up: a figure below its pinned floor leaves the floor as it is.
        lower = {k: v for k, v in values.items() if k in pinned and v < pinned[k]}
        for key, value in lower.items():
            print(f"kept {key}={pinned[key]:.3f} (measured {value:.3f})")
        pin_floors({k: v for k, v in values.items() if k not in lower})
        print(f"pinned {len(values) - len(lower)} floors in {FLOORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
