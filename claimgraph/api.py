"""The Python API: the same operations as the command line, as plain functions.

from claimgraph import api
docs = api.analyse_paths(["examples/"])          # in memory, nothing stored
summary = api.analyze(["examples/"], db="claimgraph.db")
with api.read("claimgraph.db") as reads:          # the read model the CLI, app and report use
    reads.speaker("Qassem al-Kuraiti")["claims_list"]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from claimgraph.annotate import DEFAULT_MAX_CHARS, DEFAULT_WINDOW_CHARS, annotate_documents
from claimgraph.annotate.nlp import DEFAULT_MODEL, load_nlp
from claimgraph.engine.local import RunSummary
from claimgraph.engine.start import AnalyzeOptions, analysis, load_pipeline
from claimgraph.export import FORMATS
from claimgraph.ingest import expand_paths, read_paths
from claimgraph.ingest.clean import clean_article
from claimgraph.link.stage import LinkSettings
from claimgraph.model import Document, Skipped
from claimgraph.store import DEFAULT_DB, Store
from claimgraph.store.read import ReadModel

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_MODEL",
    "Store",
    "analyse_paths",
    "analyze",
    "export",
    "import_factchecks",
    "load_nlp",
    "match_factchecks",
    "read",
    "report",
]


def analyse_paths(
    paths: Iterable[str | Path],
    *,
    model: str = DEFAULT_MODEL,
    alias_files: tuple[str, ...] = (),
    attribution: str | None = None,
) -> list[Document]:
    """Read, clean and annotate articles in memory; nothing is stored. Unreadable inputs are
    dropped here (use `analyze` to get them reported). `attribution`: "hybrid" (default),
    "model" or "rules", as `claimgraph analyze --attribution`."""
    nlp = load_nlp(model, alias_files=alias_files, attribution=attribution)
    cleaned = (clean_article(a) for a in read_paths(paths) if not isinstance(a, Skipped))
    return list(annotate_documents((d for d in cleaned if isinstance(d, Document)), nlp))


def analyze(
    paths: Iterable[str | Path],
    db: str | Path = DEFAULT_DB,
    *,
    model: str = DEFAULT_MODEL,
    alias_files: tuple[str, ...] = (),
    engine: str = "local",
    address: str | None = None,
    workers: int | None = None,
    attribution: str | None = None,
    attribution_model: str | None = None,
    link: bool = True,
    embedding_model: str | None = None,
    batch_size: int = 32,
    window_chars: int = DEFAULT_WINDOW_CHARS,
    max_chars: int = DEFAULT_MAX_CHARS,
    vocab: tuple[str, ...] = (),
) -> RunSummary:
    """Analyse articles into a database (created or migrated as needed), as `claimgraph
    analyze` does with the same options (claimgraph.engine.start runs both): claims and
    narratives linked unless `link=False`, every core unless `workers` says (one process for
    an input under 512 KB), vocabulary folders from `vocab`.

    `engine="ray"` runs the per-document work on Ray (a local Ray, or the cluster at
    `address`) and stores exactly what the local engine stores."""
    options = AnalyzeOptions(
        model=model, alias_files=tuple(alias_files), engine=engine, address=address,
        workers=workers, attribution=attribution, attribution_model=attribution_model,
        link=link, embedding_model=embedding_model, batch_size=batch_size,
        window_chars=window_chars, max_chars=max_chars, vocab=tuple(str(v) for v in vocab),
    )  # fmt: skip
    files = list(expand_paths(paths))
    loaded = load_pipeline(options, files)  # before the store: a bad model writes nothing
    with Store(db) as store, analysis(options, files, store, loaded) as ready:
        return ready.run()


def export(
    db: str | Path, out_dir: str | Path, fmt: str = "jsonl", raw_csv: bool = False
) -> dict[str, int]:
    """Write the database for other tools: fmt is jsonl, csv, graphml, gexf, claimreview or
    all; returns what was written per file (rows, nodes + edges, reviews). CSV cells that a
    spreadsheet would run as formulas get a leading `'` unless `raw_csv`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    with Store(db, read_only=True) as store:
        if fmt in ("csv", "all"):
            return FORMATS[fmt](store, out_dir, raw_csv=raw_csv)
        return FORMATS[fmt](store, out_dir)


def report(
    db: str | Path,
    out: str | Path = "report.html",
    top: int | None = 100,
    all_narratives: bool = False,
    full_text: bool = False,
) -> Path:
    """Write the self-contained HTML report of a database (as `claimgraph report`: the `top`
    most spread narratives, None for all); returns the file written."""
    from claimgraph.report import write_report

    with Store(db, read_only=True) as store:
        return write_report(store, out, top=top, all_narratives=all_narratives, full_text=full_text)


@contextmanager
def read(db: str | Path = DEFAULT_DB) -> Iterator[ReadModel]:
    """The read model over a database opened read-only: the speakers, narratives, claims,
    documents and searches every surface shows, as plain dicts."""
    with Store(db, read_only=True) as store:
        reads = ReadModel.open(store)
        try:
            yield reads
        finally:
            reads.close()


def import_factchecks(paths: Iterable[str | Path], db: str | Path = DEFAULT_DB) -> Any:
    """Import fact-check files (ClaimReview HTML/JSON-LD/CSV, Google Fact Check Tools,
    EUvsDisinfo); returns the ImportSummary (imported, existing, skipped with reasons)."""
    from claimgraph.factchecks import import_records, read_factchecks

    with Store(db) as store:
        return import_records(store, read_factchecks(paths))


def match_factchecks(
    db: str | Path = DEFAULT_DB,
    *,
    threshold: float | None = None,
    min_similarity: float | None = None,
    window_days: int | None = None,
    top_k: int = 3,
    embedding_model: str | None = None,
) -> int:
    """Link the database's claims to its fact-checks (replacing earlier links); returns the
    number of links written. Unset settings take the matcher's defaults."""
    from claimgraph.factchecks import MatchSettings, match_claims

    settings = MatchSettings(threshold=threshold, window_days=window_days, top_k=top_k)
    if min_similarity is not None:
        settings.min_similarity = min_similarity
    if embedding_model:
        settings.embedding_model = embedding_model
    with Store(db) as store:
        return match_claims(store, settings)


def relink(db: str | Path = DEFAULT_DB, embedding_model: str | None = None) -> int:
    """Regroup every stored claim into narratives with this version's rules (as `claimgraph
    relink`: stored vectors, nothing re-embedded); returns how many claims were regrouped."""
    from claimgraph.link.stage import relink as regroup
    from claimgraph.store.narratives import vector_models

    with Store(db) as store:
        models = vector_models(store)
        model = embedding_model or (models[0][0] if models else None)
        return regroup(store, LinkSettings(embedding_model=model) if model else None)
