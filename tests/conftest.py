"""Shared fixtures: the sample corpus analysed once per test session, in memory and on disk."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ["COLUMNS"] = "200"  # Rich tables: no folding inside the strings tests look for

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"
GOLD_PATH = SHARED / "gold" / "seeds.yaml"
# eval/ holds scripts, not a package; tests import them (and their shared eval/floors.py) by name.
sys.path.insert(0, str(REPO / "eval"))


@pytest.fixture(scope="session")
def gold() -> dict:
    """The acceptance spec; the sample ships in examples/, the spec lives in ../shared."""
    return yaml.safe_load(GOLD_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def nlp():
    from claimgraph.annotate.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def sample_docs(nlp) -> dict:
    """File name -> Document, produced by the whole per-document pipeline."""
    from claimgraph.annotate import annotate_documents
    from claimgraph.ingest import read_paths
    from claimgraph.ingest.clean import clean_article
    from claimgraph.model import Document

    cleaned = [clean_article(a) for a in read_paths([EXAMPLES])]
    docs = [d for d in cleaned if isinstance(d, Document)]
    assert len(docs) == 5, cleaned
    return {Path(d.source).name: d for d in annotate_documents(docs, nlp)}


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory, nlp) -> Path:
    """The sample analysed into a fresh SQLite database by the default engine."""
    from claimgraph.annotate.nlp import model_info
    from claimgraph.engine.local import analyze
    from claimgraph.store import Store

    db = tmp_path_factory.mktemp("db") / "sample.db"
    with Store(db) as store:
        summary = analyze([EXAMPLES], store, nlp, model_name=model_info(nlp).describe())
    assert summary.documents_added == 5
    return db
