"""Link the corpus' claims to imported fact-checks: "has it been checked already?"

Each claim (table `claims`) is a query against a hybrid index (BM25 + sentence embeddings,
fused by the model learned on CLEF CheckThat! 2020; see `claimgraph/link/retrieval.py`) of
every fact-check: its claim text, and as a second field its headline, or the case summary when
there is no headline (EUvsDisinfo cases). A claim keeps its best `top_k` fact-checks (whose
cosine reaches `possible_similarity`), each labelled with a tier; the links replace the claim's
earlier ones, so matching again gives the same table.

Tiers. Cut-offs that drop links hide right fact-checks: on debate sentences that became claims
(issue 16) the old cut-offs took MAP@5 from 0.67 to 0.40. So nothing found is dropped for its
score: a link that passes both cut-offs below (fused score >= threshold, cosine >=
min_similarity) is `confident`, shown as fact-checked; the other top-k candidates are
`possible`, shown as "possible match (score ...)" for a person to read. The confident cut-offs
are calibrated for precision >= 0.9 with `eval/factcheck_matching.py`, which prints each
tier's precision and recall (top-3 links per query, over queries with and without their
fact-check indexed) and the grid it calibrates on. Full run (below), defaults 0.6 / 0.5, best
link only: confident precision 0.990 (EUvsDisinfo) and 0.955 (CLEF dev) on queries whose
fact-check is indexed, recall 0.896 and 0.703; counting the links of the half whose fact-check
was removed as wrong, 0.734 and 0.660 (a floor: those often find a near-duplicate check). Looser
cut-offs keep >= 0.9 on the first measure (0.4 / 0.4: 0.982 and 0.920, recall 0.923 and 0.758)
but drop the second to 0.624 and 0.556, so the defaults stay. Possible matches: precision 0.09
and 0.11, and they hold the right check for another 9% and 24% of queries (either tier: recall
0.985 and 0.945), which the old cut-offs hid.

Short documents (`whole_document_chars`, default 600). A social post or a headline is one
statement: its claims all ask the index with the whole text (recorded on the link as
`claim_text`), since a sentence cut from a tweet loses what it is about. `eval/factcheck_e2e.py`
on CLEF 2020 dev (197 tweets analysed, 10,375 Snopes fact-checks imported): end-to-end MAP@5
0.865 against 0.871 for direct retrieval of the tweets (ratio 0.994; 0.811 when each claim
asked with its own text), confident tier precision 0.918, recall 0.640. Longer documents,
articles and transcripts, are matched claim by claim.

Threshold. With the learned fusion the score is a 0-1 match probability (fitted on CLEF train
tweets) that saturates near 0.8. The default, 0.6, was chosen with `eval/factcheck_matching.py`
(full run: EUvsDisinfo, 1,904 case summaries against 9,840 case titles; CLEF 2020 dev, 197
tweets against 10,275 Snopes claims; half of the queries have their fact-check removed). Correct
first hits score 0.73-0.80 (10%-90%, EUvsDisinfo) and 0.75-0.83 (CLEF, above its lowest
decile); first hits of queries whose fact-check is absent have a median of 0.38-0.39. F1 of the
kept first hits over both halves is flat from 0.60 to 0.70 (EUvsDisinfo 0.81-0.83, CLEF 0.66)
and collapses above 0.75; 0.70 sits right under the correct matches' lowest decile, so 0.60
keeps a margin for news sentences, which are worded unlike either data set (EUvsDisinfo at
0.60: precision 0.73, recall 0.90; CLEF: 0.62, 0.71). "Absent" queries often still find a
near-duplicate of their fact-check (EUvsDisinfo and Snopes repeat claims), so the precision
figures are a floor. Links are candidates for a person to read, ranked, which is why recall is
worth a few points of precision here.

Cosine floor (`min_similarity`, default 0.5). The learned fusion's features are relative to a
query's other candidates, so a claim that no fact-check addresses still gets a confident-looking
best hit (on the sample, "all 11 ISIS commanders ... were killed" scored 0.84 against a Snopes
check of a California festival bombing, cosine 0.55). The best absolute cosine between the claim
and the fact-check's text or second field is therefore also required. On the same full run, with
the 0.6 threshold: CLEF F1 0.663 -> 0.681 at 0.50 (precision 0.62 -> 0.66, recall 0.71 ->
0.70) and lower with higher floors (0.55: recall 0.64); EUvsDisinfo 0.807 -> 0.809 (its
"absent" first hits are mostly near-duplicate cases, cosine median 0.66, so higher floors
trade recall for little). Correct first hits have cosine 0.69-0.98 (EUvsDisinfo, 10%-90%) and
0.53-0.82 (CLEF). With another encoder the fusion falls back to
reciprocal-rank sums, whose scale says nothing absolute, so no threshold applies unless one is
given.

Recency window (`window_days`, default none). Claims recirculate for years, and an old
fact-check of the same claim is exactly what "already checked" means, so by default every
fact-check counts. With a window of N days a fact-check counts for a claim only when the
claim's date lies within N days of the fact-check's span, from the date of the telling it
checked (`claim_date`) to its review (`review_date`): a check can address a claim made
before the review, or one made within the window around it, not a telling years later that
merely sounds alike. A claim's date is its own (`claims.date`, which may be a month or a
year: the whole period counts), else its document's. Claims or fact-checks without any date
are kept: nothing says they are out of the window.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimgraph.factchecks.store import load_claims, load_factchecks, replace_links
from claimgraph.link.embeddings import (
    DEFAULT_EMBEDDING_MODEL,
    CachedEncoder,
    Encoder,
    load_encoder,
)
from claimgraph.link.retrieval import FEATURES, HybridIndex

DEFAULT_THRESHOLD = 0.6
DEFAULT_MIN_SIMILARITY = 0.5
DEFAULT_POSSIBLE_SIMILARITY = 0.3
DEFAULT_TOP_K = 3
DEFAULT_WHOLE_DOCUMENT_CHARS = 600
CONFIDENT, POSSIBLE = "confident", "possible"
METHOD = "hybrid"
_CHUNK = 256  # claims per search call
log = logging.getLogger(__name__)


@dataclass(slots=True)
class MatchSettings:
    """How claims are matched to fact-checks (recorded on every link, `method`)."""

    threshold: float | None = None  # confident tier; None: DEFAULT_THRESHOLD if learned fusion
    min_similarity: float | None = DEFAULT_MIN_SIMILARITY  # confident tier's cosine; None: none
    possible_similarity: float | None = DEFAULT_POSSIBLE_SIMILARITY  # any link's cosine floor
    top_k: int = DEFAULT_TOP_K
    window_days: int | None = None
    whole_document_chars: int = DEFAULT_WHOLE_DOCUMENT_CHARS  # shorter documents: matched whole
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    fusion: str = "auto"
    depth: int = 50

    def threshold_for(self, fusion_used: str) -> float | None:
        """The confident tier's fused-score cut-off; None: no confident tier (another model's
        fused scores are rank sums, calibrated for nothing, so all its links are possible)."""
        if self.threshold is not None:
            return self.threshold
        return DEFAULT_THRESHOLD if fusion_used == "learned" else None

    def tier(self, threshold: float | None, score: float, cosine: float | None) -> str:
        """`confident` when the link passes both calibrated cut-offs, else `possible`."""
        if threshold is None or score < threshold:
            return POSSIBLE
        if self.min_similarity is not None and cosine is not None and cosine < self.min_similarity:
            return POSSIBLE
        return CONFIDENT


def second_field(fc: dict[str, Any]) -> str | None:
    """What is indexed beside the claim text: the headline, else the summary."""
    claim = (fc.get("claim_text") or "").strip().casefold()
    for key in ("title", "summary"):
        value = (fc.get(key) or "").strip()
        if value and value.casefold() != claim:
            return value
    return None


def factcheck_text(fc: dict[str, Any]) -> str:
    """The fact-check side as matched (stored on the link)."""
    extra = second_field(fc)
    return f"{fc['claim_text']} | {extra}" if extra else fc["claim_text"]


def build_index(
    factchecks: list[dict[str, Any]], encoder: Encoder | None, settings: MatchSettings
) -> HybridIndex:
    """A hybrid index of fact-checks (id, claim text, headline or summary)."""
    cached = CachedEncoder(encoder) if encoder is not None else None
    index = HybridIndex(cached, fusion=settings.fusion, depth=settings.depth)  # type: ignore[arg-type]
    index.add(
        [fc["id"] for fc in factchecks],
        [fc["claim_text"] for fc in factchecks],
        [second_field(fc) for fc in factchecks],
    )
    if cached is not None:
        cached.clear()  # the index holds the vectors now
    return index


def cache_root() -> Path:
    """Where built fact-check indexes are kept: $CLAIMGRAPH_CACHE, else the XDG cache folder."""
    explicit = os.environ.get("CLAIMGRAPH_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "claimgraph"


def index_key(factchecks: list[dict[str, Any]], encoder: Encoder, settings: MatchSettings) -> str:
    """Digest of what the index is built from: the same fact-checks, model and settings give
    the same index, so it is built once and reused by every later match."""
    digest = hashlib.sha256()
    digest.update(json.dumps([encoder.name, settings.fusion, settings.depth]).encode())
    for fc in factchecks:
        digest.update(json.dumps([fc["id"], fc["claim_text"], second_field(fc)]).encode())
    return digest.hexdigest()[:32]


def cached_index(
    factchecks: list[dict[str, Any]],
    encoder: Encoder,
    settings: MatchSettings,
    root: Path | None = None,
) -> HybridIndex:
    """The fact-check index from the cache, or built and saved there.

    Embedding every fact-check is the slow part of matching (tens of thousands of texts); new
    claims arrive with every `analyze`, the fact-check set changes only on import. A cache that
    cannot be written is not an error: the index is then built for this call only.
    """
    folder = (root or cache_root()) / "factcheck-index" / index_key(factchecks, encoder, settings)
    if (folder / "index.json").exists():
        try:
            return HybridIndex.load(folder, encoder)
        except (OSError, ValueError) as exc:
            log.warning("rebuilding the fact-check index: cached copy unreadable (%s)", exc)
    index = build_index(factchecks, encoder, settings)
    scratch = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
        index.save(scratch)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(scratch, folder)  # atomic: a reader never sees half an index
    except OSError as exc:
        if not (folder / "index.json").exists():  # (a concurrent run that cached it first is fine)
            log.warning("fact-check index not cached in %s: %s", folder.parent, exc)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return index


# --------------------------------------------------------------------------------------------
# Recency window


def date_span(value: str | None) -> tuple[dt.date, dt.date] | None:
    """`2017` -> the year, `2017-08` -> the month, `2017-08-05` -> the day; None if unparsable."""
    if not value:
        return None
    parts = value[:10].split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        month = int(parts[1])
        if len(parts) == 2:
            return dt.date(year, month, 1), dt.date(
                year, month, calendar.monthrange(year, month)[1]
            )
        day = dt.date(year, month, int(parts[2]))
    except (ValueError, IndexError):
        return None
    return day, day


def in_window(claim_date: str | None, fc: dict[str, Any], days: int | None) -> bool:
    """Does this fact-check count for a claim of this date? (See the module docstring.)"""
    if days is None:
        return True
    claim = date_span(claim_date)
    spans = [date_span(fc.get("claim_date")), date_span(fc.get("review_date"))]
    known = [sp for sp in spans if sp is not None]
    if claim is None or not known:
        return True
    start = min(sp[0] for sp in known) - dt.timedelta(days=days)
    end = max(sp[1] for sp in known) + dt.timedelta(days=days)
    return claim[0] <= end and claim[1] >= start


# --------------------------------------------------------------------------------------------
# Matching


def method_of(index: HybridIndex, settings: MatchSettings, threshold: float | None) -> str:
    return json.dumps(
        {
            "method": METHOD,
            "fusion": index.fusion_used,
            "model": index.encoder.name if index.encoder is not None else None,
            "fields": "claim_text + title|summary",
            "threshold": threshold,
            "min_similarity": settings.min_similarity,
            "possible_similarity": settings.possible_similarity,
            "top_k": settings.top_k,
            "window_days": settings.window_days,
            "whole_document_chars": settings.whole_document_chars,
            "depth": settings.depth,
        },
        sort_keys=True,
    )


def search(
    index: HybridIndex, queries: list[str], k: int
) -> list[list[tuple[str, float, float | None]]]:
    """Top `k` per query as (fact-check id, fused score, cosine), best first.

    The cosine is the query's best absolute similarity to the fact-check's text or its second
    field (None without an encoder). The fused score is relative to the query's other
    candidates (BM25 over the best BM25, cosine gaps, ranks), so some fact-check always looks
    good to a query that has no real match; the cosine says how close it actually is.
    """
    ranked = index.search_many(queries, k=k)
    if index.encoder is None:
        return [[(fid, score, None) for fid, score in hits] for hits in ranked]
    cols = [FEATURES.index("cos_text"), FEATURES.index("cos_title")]
    out = []
    for hits, cand in zip(ranked, index.candidates(queries), strict=True):
        best = cand.features[:, cols].max(axis=1) if len(cand.positions) else []
        cosine = {index.ids[p]: float(c) for p, c in zip(cand.positions, best, strict=True)}
        out.append([(fid, score, cosine.get(fid)) for fid, score in hits])
    return out


def query_text(claim: dict[str, Any]) -> str:
    """What a claim asks the index: its own text, or the whole text of a short document.

    A post or a headline is read as one statement, and a fact-checker checks it whole: a
    sentence cut from a tweet ("This is what they don't show you.") finds nothing, the tweet
    finds its check. On CLEF 2020 dev (197 tweets, 434 claims, 10,275 Snopes claims) matching
    each claim's own text gave MAP@5 0.681 end to end against 0.889 for the tweets searched
    directly; the claim with its sentence 0.726, the claim and the tweet merged by best score
    0.799, the tweet for every claim of it 0.881 (confident precision 0.80 -> 0.96). News
    articles (1,700 characters and more in the news sample) keep claim-level queries.
    """
    return claim.get("document_text") or claim["text"]


def rank_claims(
    index: HybridIndex,
    claims: list[dict[str, Any]],
    factchecks: dict[str, dict[str, Any]],
    settings: MatchSettings,
) -> dict[str, list[tuple[str, float, str]]]:
    """Per claim id: its top-k (fact-check id, score, tier), best first.

    Nothing found is hidden behind the cut-offs: the best `top_k` candidates (in the window,
    cosine at least `possible_similarity`) are all kept, each labelled `confident` or `possible`.
    The claims of one short document share one query (`query_text`), searched once.
    """
    threshold = settings.threshold_for(index.fusion_used)
    floor = settings.possible_similarity if index.encoder is not None else None
    # A window filters after ranking, so look deeper than top_k for in-window candidates.
    k = settings.top_k if settings.window_days is None else max(settings.top_k, settings.depth)
    queries = list(dict.fromkeys(query_text(c) for c in claims))
    hits_of: dict[str, list[tuple[str, float, float | None]]] = {}
    for i in range(0, len(queries), _CHUNK):
        chunk = queries[i : i + _CHUNK]
        hits_of.update(zip(chunk, search(index, chunk, k), strict=True))
    kept: dict[str, list[tuple[str, float, str]]] = {}
    for claim in claims:
        good = [
            (fid, score, settings.tier(threshold, score, cosine))
            for fid, score, cosine in hits_of[query_text(claim)]
            if (floor is None or cosine is None or cosine >= floor)
            and in_window(claim["date"], factchecks[fid], settings.window_days)
        ][: settings.top_k]
        # only the best candidate can be confident: the runners-up of a claim whose best
        # fact-check is right are mostly other checks that merely sound alike (CLEF dev:
        # precision 0.96 for best links, 0.80 with the runners-up above the cut-offs)
        kept[claim["id"]] = [
            (fid, score, tier if rank == 0 else POSSIBLE)
            for rank, (fid, score, tier) in enumerate(good)
        ]
    return kept


def match_claims(
    store: Any,
    settings: MatchSettings | None = None,
    claim_ids: Iterable[str] | None = None,
    encoder: Encoder | None = None,
) -> int:
    """Match claims (all, or `claim_ids`) against every fact-check and replace their links.

    Returns the number of links written. Without fact-checks nothing is loaded and the
    claims' links are cleared. `encoder` overrides loading `settings.embedding_model`.
    """
    settings = settings or MatchSettings()
    ids = None if claim_ids is None else list(dict.fromkeys(claim_ids))
    claims = load_claims(store, ids, settings.whole_document_chars)
    factchecks = load_factchecks(store) if claims else []
    if not claims or not factchecks:
        return replace_links(store, ids, [])
    if encoder is None:
        encoder = load_encoder(settings.embedding_model)
    index = cached_index(factchecks, encoder, settings)
    by_id = {fc["id"]: fc for fc in factchecks}
    ranked = rank_claims(index, claims, by_id, settings)
    method = method_of(index, settings, settings.threshold_for(index.fusion_used))
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    links = [
        {
            "claim_id": claim["id"],
            "factcheck_id": fid,
            "score": round(float(score), 6),
            "rank": rank,
            "claim_sentence_id": claim["sentence_id"],
            "claim_text": query_text(claim),
            "factcheck_text": factcheck_text(by_id[fid]),
            "method": method,
            "linked_at": stamp,
            "tier": tier,
        }
        for claim in claims
        for rank, (fid, score, tier) in enumerate(ranked.get(claim["id"], []), 1)
    ]
    return replace_links(store, ids, links)


def match_new_claims(store: Any, claim_ids: list[str]) -> int | None:
    """Link a run's new claims to the imported fact-checks (None when none are imported);
    returns how many have a confident link (possible matches are not counted as
    fact-checked). `claimgraph factchecks match` redoes all claims."""
    from claimgraph.factchecks.store import count_factchecks
    from claimgraph.store.factchecks import count_confident

    if not claim_ids or not count_factchecks(store):
        return None
    match_claims(store, claim_ids=claim_ids)
    return count_confident(store, claim_ids)
