"""The Python API: the same operations as the command line, as plain functions.

from claimgraph import api
docs = api.analyse_paths(["examples/"])          # in memory, nothing stored
summary = api.analyze(["examples/"], db="claimgraph.db")
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from claimgraph.annotate import annotate_documents
from claimgraph.annotate.nlp import DEFAULT_MODEL, load_nlp, model_info
from claimgraph.engine.local import RunSummary
from claimgraph.engine.local import analyze as _analyze
from claimgraph.export import FORMATS
from claimgraph.ingest import read_paths
from claimgraph.ingest.clean import clean_article
from claimgraph.model import Document, Skipped
from claimgraph.store import DEFAULT_DB, Store

__all__ = ["DEFAULT_DB", "DEFAULT_MODEL", "Store", "analyse_paths", "analyze", "export", "load_nlp"]


def analyse_paths(
    paths: Iterable[str | Path], *, model: str = DEFAULT_MODEL, alias_files: tuple[str, ...] = ()
) -> list[Document]:
    """Read, clean and annotate articles in memory; nothing is stored. Unreadable inputs are
    dropped here (use `analyze` to get them reported)."""
    nlp = load_nlp(model, alias_files=alias_files)
    cleaned = (clean_article(a) for a in read_paths(paths) if not isinstance(a, Skipped))
    return list(annotate_documents((d for d in cleaned if isinstance(d, Document)), nlp))


def analyze(
    paths: Iterable[str | Path],
    db: str | Path = DEFAULT_DB,
    *,
    model: str = DEFAULT_MODEL,
    alias_files: tuple[str, ...] = (),
) -> RunSummary:
    """Analyse articles into a database (created or migrated as needed)."""
    nlp = load_nlp(model, alias_files=alias_files)
    with Store(db) as store:
        return _analyze(paths, store, nlp, model_name=model_info(nlp).describe())


def export(db: str | Path, out_dir: str | Path, fmt: str = "jsonl") -> dict[str, int]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    with Store(db) as store:
        return FORMATS[fmt](store, out_dir)
