"""Speakers on real news: attributions found, and found with the right canonical speaker.

Gold: eval/gold/news_speakers.yaml (32 articles of the AllSides news sample, 390 attribution
relations, labelled by hand; see eval/gold/README.md), and eval/gold/news_speakers_heldout.yaml
(10 more articles, 112 relations, annotated blind after session 17's speaker rules were
written; floors of its own, `speakers_heldout_*`). The gold holds only record indexes,
urls, sha1s, offsets and labels: the texts are read from the shared data file, and each
article's sha1 is checked so a changed file is caught rather than scored against wrong offsets.

    .venv/bin/python eval/speakers.py [--data ../shared/data/news/allsides_sample5000.jsonl]
        [--gold eval/gold/news_speakers.yaml | eval/gold/news_speakers_heldout.yaml
         | eval/gold/news_speakers_heldout2.yaml | eval/gold/news_speakers_heldout3.yaml
         | eval/gold/news_speakers_heldout4.yaml]
        [--attribution rules|model|hybrid] [--worst N]
        [--corpus-errors] [--pin]

The pipeline runs on the raw ``content_original`` (no cleaning), so offsets align with the gold.

Scores (micro-averaged over all articles):
- attribution recall: gold relations whose cue overlaps a predicted cue.
- speaker accuracy ("found with the right speaker"): gold relations whose cue overlaps a
  predicted cue whose speaker is right. Names are compared case-insensitively after folding
  titles (Mr./Mrs./Ms./Dr./President/Sen./Rep./...), a leading "the", possessive 's, and
  punctuation; a gold relation's ``also`` names count as right too. An anonymous gold
  relation is right when the prediction is anonymous or has no speaker (or names one of
  ``also``).
- precision: predicted attributions whose cue overlaps a gold cue / predicted.
- non-speakers: predicted speaker strings matching no gold speaker (nor ``also`` name) of
  that article; those in the gold's ``not_speakers`` list are counted apart.
- fragmentation: for each gold speaker of an article, the distinct predicted speaker strings
  of the relations found for it (1 is ideal); the table gives the mean and the gold
  speakers with more than one.
- corpus names ("found with the right speaker, corpus names"): the same score with each
  speaker named as `claimgraph sources` names it once the 32 articles are one corpus: every
  document's entities merged in index order by the store's own decision
  (`claimgraph.link.entities.merge_entity`), so "Mr. Trump" of an article that never writes
  the first name is "Donald Trump" when other articles write it in full. The per-document
  score cannot see that merge; both are printed and pinned.

Worst examples (wrong or missing speakers) are printed with a 60-character context window to
the terminal only; nothing of the article text is written to any file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from floors import pin_floors, read_floors

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_DATA = SHARED / "data" / "news" / "allsides_sample5000.jsonl"
DEFAULT_GOLD = REPO / "eval" / "gold" / "news_speakers.yaml"
# A second set, annotated blind after the speaker rules of session 17 were written: its own floors
HELDOUT_GOLD = REPO / "eval" / "gold" / "news_speakers_heldout.yaml"
# A third, annotated blind in session 18 once the second was being read for fixes
HELDOUT2_GOLD = REPO / "eval" / "gold" / "news_speakers_heldout2.yaml"
# A fourth, annotated blind at the end of session 18 (records 2600-2999)
HELDOUT3_GOLD = REPO / "eval" / "gold" / "news_speakers_heldout3.yaml"
# A fifth, annotated blind at the start of session 19 (records 1600-1999)
HELDOUT4_GOLD = REPO / "eval" / "gold" / "news_speakers_heldout4.yaml"
FLOOR_KEYS = (
    "speakers_news_found_right_speaker",
    "speakers_news_attribution_recall",
    "speakers_news_found_right_speaker_corpus",
)

_TITLES = [
    *("mr", "mrs", "ms", "miss", "dr", "prof", "president", "vice", "former"),
    *("sen", "senator", "rep", "representative", "gov", "governor", "secretary", "rev"),
]
_TITLE_RE = re.compile(
    r"^(?:(?:" + "|".join(sorted(set(_TITLES), key=len, reverse=True)) + r")\b\.?\s+)+"
)


class DataMissing(Exception):
    """The data, the gold's agreement with it, or a pipeline part is missing: exit 2."""


def fold(name: str | None) -> str:
    """A speaker name reduced for comparison: lower case, no titles, no 'the', no punctuation,
    no one-letter initials."""
    if not name:
        return ""
    text = name.casefold().replace("\u2019", "'").strip()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"^the\s+", "", text)
    text = _TITLE_RE.sub("", text)
    words = re.sub(r"[^\w\s]", " ", text).split()
    # middle initials: "Donald J. Trump" is "Donald Trump"
    return " ".join([w for w in words if len(w) > 1] or words)


@dataclass
class GoldRelation:
    cue: tuple[int, int]
    cue_text: str
    source: tuple[int, int] | None
    source_text: str | None
    speaker: str | None
    anonymous: bool
    description: str | None = None
    also: list[str] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        return {fold(n) for n in [self.speaker, *self.also] if n}

    @property
    def label(self) -> str:
        return self.speaker or f"(anonymous: {self.description})"


@dataclass
class GoldArticle:
    index: int
    url: str
    sha1: str
    relations: list[GoldRelation]
    not_speakers: list[str]
    text: str = ""


def load_gold(path: Path) -> list[GoldArticle]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    articles = []
    for art in data["articles"]:
        relations = [
            GoldRelation(
                cue=tuple(r["cue"]),
                cue_text=r["cue_text"],
                source=tuple(r["source"]) if r.get("source") else None,
                source_text=r.get("source_text"),
                speaker=r.get("speaker"),
                anonymous=bool(r.get("anonymous")),
                description=r.get("description"),
                also=list(r.get("also") or []),
            )
            for r in art["attributions"]
        ]
        articles.append(
            GoldArticle(
                index=int(art["index"]),
                url=art["url"],
                sha1=art["sha1"],
                relations=relations,
                not_speakers=list(art.get("not_speakers") or []),
            )
        )
    return articles


def attach_texts(articles: list[GoldArticle], data: Path) -> None:
    """Read each article's content_original from the JSONL; check url and sha1."""
    if not data.is_file():
        raise DataMissing(
            f"news data not found: {data} (the AllSides sample lives in ../shared/data/news; "
            "pass --data PATH)"
        )
    wanted = {a.index: a for a in articles}
    with data.open(encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i in wanted:
                record = json.loads(line)
                art = wanted[i]
                text = record.get("content_original") or ""
                if record.get("url") != art.url:
                    raise DataMissing(f"record {i} is {record.get('url')!r}, gold says {art.url!r}")
                digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
                if digest != art.sha1:
                    raise DataMissing(
                        f"record {i} ({art.url}) changed: sha1 {digest} != {art.sha1}"
                    )
                art.text = text
    missing = [a.index for a in articles if not a.text]
    if missing:
        raise DataMissing(f"records {missing} not found in {data}")


def check_offsets(articles: list[GoldArticle]) -> list[str]:
    """Problems where the text at the gold offsets differs from cue_text/source_text."""
    problems = []
    for art in articles:
        for r in art.relations:
            if art.text[r.cue[0] : r.cue[1]] != r.cue_text:
                problems.append(
                    f"{art.index} cue {r.cue}: {art.text[r.cue[0] : r.cue[1]]!r} != {r.cue_text!r}"
                )
            if r.source and art.text[r.source[0] : r.source[1]] != r.source_text:
                problems.append(f"{art.index} source {r.source}: != {r.source_text!r}")
    return problems


@dataclass
class Predicted:
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    speaker: str | None
    anonymous: bool
    description: str | None
    key: str | None = None  # the speaker's entity in its document, when it has one


class CorpusEntities:
    """The corpus's entities as the store keeps them, over plain dicts: an `EntityLookup` the
    store's merge decision reads, and the application of each decision (as
    `claimgraph.store.entities.resolve_entities` applies it in the write transaction)."""

    def __init__(self) -> None:
        self.entities: dict[str, tuple[str, str]] = {}
        self.alias_rows: list[tuple[str, str, str]] = []  # (entity id, alias, alias key)
        self.mentions: set[tuple[str, str]] = set()

    def ids_by_key(self, keys: list[str] | tuple[str, ...]) -> list[str]:
        wanted = set(keys)
        return [i for i, _, k in self.alias_rows if k in wanted]

    def entity(self, entity_id: str) -> tuple[str, str] | None:
        return self.entities.get(entity_id)

    def mentioned_as(self, entity_id: str, text: str) -> bool:
        return (entity_id, text) in self.mentions

    def add_document(self, entities: dict, surfaces: dict[str, set[str]]) -> dict[str, str]:
        """Merge one document's entities (key -> Entity); `surfaces` are the spellings its
        mentions wrote per entity key. Returns the document key -> corpus id mapping."""
        from claimgraph.link.entities import merge_entity

        mapping = {}
        for ent in entities.values():
            decision = merge_entity(ent, self)
            entity_id = decision.entity_id
            if entity_id is None:
                entity_id, n = ent.key, 1
                while entity_id in self.entities:
                    n += 1
                    entity_id = f"{ent.key}-{n}"
                self.entities[entity_id] = (ent.name, ent.type)
            elif decision.name is not None:
                self.entities[entity_id] = (decision.name, self.entities[entity_id][1])
            known = {a for i, a, _ in self.alias_rows if i == entity_id}
            self.alias_rows += [
                (entity_id, alias, key)
                for alias, key in dict.fromkeys(decision.aliases)
                if alias not in known
            ]
            mapping[ent.key] = entity_id
        for key, texts in surfaces.items():
            if key in mapping:
                self.mentions.update((mapping[key], t) for t in texts)
        return mapping


def corpus_view(
    predictions: list[list[Predicted]], mappings: list[dict[str, str]], corpus: CorpusEntities
) -> list[list[Predicted]]:
    """Each prediction with its speaker named as the corpus names its entity at the end."""
    out = []
    for preds, mapping in zip(predictions, mappings, strict=True):
        row = []
        for p in preds:
            entity_id = mapping.get(p.key or "")
            name = corpus.entities[entity_id][0] if entity_id else p.speaker
            row.append(
                Predicted(p.cue, p.source, name if p.speaker else None, p.anonymous, p.description)
            )
        out.append(row)
    return out


def predict(
    articles: list[GoldArticle], attribution: str | None
) -> tuple[list[list[Predicted]], list[list[Predicted]]]:
    """Predicted attributions per article: speakers as each document names them, and as the
    corpus of all the articles names them."""
    from claimgraph.annotate.nlp import load_nlp

    try:
        nlp = load_nlp(attribution=attribution) if attribution else load_nlp()
    except Exception as exc:  # a missing spaCy model or attribution tagger: say which
        if not type(exc).__name__.endswith("NotAvailable"):
            raise
        raise DataMissing(str(exc)) from exc
    out = []
    corpus = CorpusEntities()
    mappings = []
    for doc in nlp.pipe([a.text for a in articles]):
        preds = []
        for att in doc._.cg_attributions or []:
            cue = (att.cue_start, att.cue_end) if att.cue_start is not None else None
            src = (att.source_start, att.source_end) if att.source_start is not None else None
            preds.append(
                Predicted(
                    cue,
                    src,
                    att.speaker,
                    bool(att.anonymous),
                    att.speaker_description,
                    att.speaker_entity_key,
                )
            )
        out.append(preds)
        surfaces: dict[str, set[str]] = defaultdict(set)
        for mention in doc._.cg_mentions or []:
            surfaces[mention.entity_key].add(mention.text)
        mappings.append(corpus.add_document(doc._.cg_entities or {}, surfaces))
    return out, corpus_view(out, mappings, corpus)


def _part_of(short: str, full: str) -> bool:
    """'trump' of 'donald trump', 'journal' of 'wall street journal'."""
    words = short.split()
    return bool(words) and short != full and set(words) <= set(full.split())


def _overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def speaker_right(gold: GoldRelation, pred: Predicted) -> bool:
    if gold.anonymous and (pred.anonymous or not pred.speaker):
        return True
    return bool(pred.speaker) and fold(pred.speaker) in gold.names


@dataclass
class Result:
    articles: int = 0
    gold: int = 0
    found: int = 0
    right: int = 0
    predicted: int = 0
    predicted_matched: int = 0
    no_speaker: int = 0  # gold named, found, prediction has no speaker
    wrong_speaker: int = 0  # gold named, found, prediction names someone else
    partial_name: int = 0  # of wrong_speaker: a part of the gold name ("Trump", "Journal")
    anon_named: int = 0  # gold anonymous, prediction names someone
    non_speakers: Counter = field(default_factory=Counter)
    listed_non_speakers: Counter = field(default_factory=Counter)
    fragments: list[int] = field(default_factory=list)
    fragmented: list[tuple[int, str, list[str]]] = field(default_factory=list)
    errors: list[tuple[int, GoldRelation, Predicted | None]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def accuracy(self) -> float:
        return self.right / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.predicted_matched / self.predicted if self.predicted else 0.0


def score(articles: list[GoldArticle], predictions: list[list[Predicted]]) -> Result:
    res = Result(articles=len(articles))
    for art, preds in zip(articles, predictions, strict=True):
        res.gold += len(art.relations)
        res.predicted += len(preds)
        res.predicted_matched += sum(
            any(_overlaps(p.cue, g.cue) for g in art.relations) for p in preds
        )
        by_speaker: dict[str, set[str]] = defaultdict(set)
        for g in art.relations:
            cands = [p for p in preds if _overlaps(p.cue, g.cue)]
            if not cands:
                res.errors.append((art.index, g, None))
                continue
            res.found += 1
            best = next((p for p in cands if speaker_right(g, p)), None)
            if best is not None:
                res.right += 1
            else:
                p = cands[0]
                res.errors.append((art.index, g, p))
                if g.anonymous:
                    res.anon_named += 1
                elif p.speaker:
                    res.wrong_speaker += 1
                    if any(_part_of(fold(p.speaker), name) for name in g.names):
                        res.partial_name += 1
                else:
                    res.no_speaker += 1
            if g.speaker:
                for p in cands:
                    if p.speaker:
                        by_speaker[g.speaker].add(p.speaker)
        gold_names = set().union(*(g.names for g in art.relations)) if art.relations else set()
        listed = {fold(s) for s in art.not_speakers}
        for p in preds:
            if p.speaker and fold(p.speaker) not in gold_names:
                res.non_speakers[p.speaker] += 1
                if fold(p.speaker) in listed:
                    res.listed_non_speakers[p.speaker] += 1
        for name, strings in by_speaker.items():
            res.fragments.append(len(strings))
            if len(strings) > 1:
                res.fragmented.append((art.index, name, sorted(strings)))
    return res


def _context(text: str, span: tuple[int, int], width: int = 60) -> str:
    mid = (span[0] + span[1]) // 2
    start = max(0, mid - width // 2)
    return text[start : start + width].replace("\n", " ")


def report(res: Result, articles: list[GoldArticle], worst: int) -> None:
    texts = {a.index: a.text for a in articles}
    frag = sum(res.fragments) / len(res.fragments) if res.fragments else 0.0
    print(f"\n{'measure':<44}{'value':>10}")
    rows = [
        ("articles", f"{res.articles}"),
        ("gold attributions", f"{res.gold}"),
        ("predicted attributions", f"{res.predicted}"),
        ("attribution recall (cue overlap)", f"{res.recall:.3f}"),
        ("found with the right speaker", f"{res.accuracy:.3f}"),
        ("  speaker right among found", f"{res.right / res.found if res.found else 0:.3f}"),
        ("precision (predicted cue overlaps gold)", f"{res.precision:.3f}"),
        ("found, named gold, no predicted speaker", f"{res.no_speaker}"),
        ("found, named gold, wrong speaker", f"{res.wrong_speaker}"),
        ("  of them part of the right name", f"{res.partial_name}"),
        ("found, anonymous gold, a name predicted", f"{res.anon_named}"),
        ("non-speaker strings predicted (distinct)", f"{len(res.non_speakers)}"),
        ("non-speaker predictions", f"{sum(res.non_speakers.values())}"),
        ("  of them on the not_speakers lists", f"{sum(res.listed_non_speakers.values())}"),
        ("speaker strings per gold speaker (mean)", f"{frag:.2f}"),
        ("gold speakers with >1 predicted string", f"{len(res.fragmented)}"),
    ]
    for name, value in rows:
        print(f"{name:<44}{value:>10}")
    if res.non_speakers:
        print("\nnon-speakers (predicted speaker matching no gold speaker of the article):")
        print("  " + ", ".join(f"{n!r} x{c}" for n, c in res.non_speakers.most_common(40)))
    if res.fragmented:
        print("\nfragmented speakers (article: gold -> predicted strings):")
        for index, name, strings in res.fragmented[:20]:
            print(f"  {index}: {name} -> {strings}")
    if worst:
        print(
            f"\nworst examples (first {worst} of {len(res.errors)} misses; context to terminal only):"
        )

        def kind(error: tuple[int, GoldRelation, Predicted | None]) -> int:
            _, g, p = error
            return 3 if p is None else (0 if p.speaker else 1 if not g.anonymous else 2)

        for index, g, p in sorted(res.errors, key=kind)[:worst]:
            got = "NOT FOUND" if p is None else (p.speaker or f"(none; anonymous={p.anonymous})")
            ctx = _context(texts[index], g.cue)
            print(f"  {index} gold={g.label!r} pred={got!r}  ...{ctx}...")


def evaluate(
    data: Path, gold: Path, attribution: str | None
) -> tuple[Result, Result, list[GoldArticle]]:
    """Scores per document and with corpus names, and the articles."""
    articles = load_gold(gold)
    attach_texts(articles, data)
    problems = check_offsets(articles)
    if problems:
        raise DataMissing("gold offsets do not match the data:\n" + "\n".join(problems[:10]))
    per_document, corpus = predict(articles, attribution)
    return score(articles, per_document), score(articles, corpus), articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--attribution", choices=("rules", "model", "hybrid"), default=None)
    parser.add_argument("--worst", type=int, default=25, help="misses to print (0: none)")
    parser.add_argument(
        "--corpus-errors", action="store_true", help="also list the misses with corpus names"
    )
    parser.add_argument("--pin", action="store_true", help="write our floors to eval/floors.yaml")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        res, corpus, articles = evaluate(args.data, args.gold, args.attribution)
    except DataMissing as exc:
        print(f"speakers: {exc}", file=sys.stderr)
        return 2
    print(f"speakers on {args.gold.name}: attribution={args.attribution or 'default'}")
    print("\n== per document: each article's speakers as the article alone names them ==")
    report(res, articles, args.worst)
    print("\n== corpus names: the articles as one corpus, speakers as `sources` names them ==")
    report(corpus, articles, args.worst if args.corpus_errors else 0)
    print(f"\n{time.perf_counter() - started:.1f}s")
    values = {
        FLOOR_KEYS[0]: res.accuracy,
        FLOOR_KEYS[1]: res.recall,
        FLOOR_KEYS[2]: corpus.accuracy,
    }
    prefix = floor_prefix(args.gold)
    values = {k.replace("speakers_news_", prefix): v for k, v in values.items()}
    pinned = read_floors()
    if any(k in pinned for k in values):
        print("pinned floors: " + ", ".join(f"{k}={pinned[k]:.3f}" for k in values if k in pinned))
    if args.pin:
        if prefix == "":
            print(f"refusing to pin floors for {args.gold} (no floors of its own)", file=sys.stderr)
            return 1
        if args.attribution is not None:
            print(
                "refusing to pin floors from an --attribution run (floors are for the default)",
                file=sys.stderr,
            )
            return 1
        pin_floors(values)
        print(f"pinned {len(values)} floors in eval/floors.yaml")
    return 0


def floor_prefix(gold: Path) -> str:
    """The floor keys' prefix of a gold file ("" for one that has none)."""
    known = {
        DEFAULT_GOLD.resolve(): "speakers_news_",
        HELDOUT_GOLD.resolve(): "speakers_heldout_",
        HELDOUT2_GOLD.resolve(): "speakers_heldout2_",
        HELDOUT3_GOLD.resolve(): "speakers_heldout3_",
        HELDOUT4_GOLD.resolve(): "speakers_heldout4_",
    }
    return known.get(gold.resolve(), "")


if __name__ == "__main__":
    sys.exit(main())
