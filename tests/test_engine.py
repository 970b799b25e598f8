"""The local engine's worker processes store what one process stores; the shared run loop.

Issue 13: the per-document stage (annotation, then claims scored and embedded) runs in worker
processes with `workers` > 1, and claims are no longer extracted in the write step.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from test_ray import assert_same_tables, dump

from claimgraph.annotate.nlp import DEFAULT_MODEL, model_info
from claimgraph.engine import local
from claimgraph.engine.run import Existing, FileEnd, per_document, read_new
from claimgraph.link.embeddings import LazyEncoder, load_encoder
from claimgraph.link.stage import Linker, embedding_text
from claimgraph.model import Document, Skipped
from claimgraph.store import Store

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """examples/ plus a reprint of one example and an empty file."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in EXAMPLES.iterdir():
        shutil.copy(path, folder / path.name)
    shutil.copy(EXAMPLES / "002_133a9d732627dffb.txt", folder / "zz_reprint.txt")
    (folder / "empty.txt").write_text("")
    return folder


def test_worker_processes_store_what_one_process_stores(corpus, nlp, tmp_path):
    summaries, linkers = {}, {}
    for name, workers in (("one", 1), ("two", 2)):
        with Store(tmp_path / f"{name}.db") as store:
            linker = linkers[name] = Linker(store)
            settings = local.WorkerSettings(model=DEFAULT_MODEL, link=linker.settings)
            summaries[name] = local.analyze(
                [corpus],
                store,
                nlp if workers == 1 else None,
                model_name=model_info(nlp).describe(),
                linker=linker,
                workers=workers,
                worker_settings=settings,
            )
    expected, got = dump(tmp_path / "one.db"), dump(tmp_path / "two.db")
    assert_same_tables(expected, got)
    assert len(expected["claims"]) > 20 and len(expected["claim_vectors"]) == len(
        expected["claims"]
    )
    one, two = summaries["one"], summaries["two"]
    assert (one.workers, two.workers) == (1, 2)
    assert (two.documents_added, two.documents_existing, two.claims) == (
        one.documents_added,
        one.documents_existing,
        one.claims,
    )
    assert two.documents_added == 5 and two.documents_existing == 1
    # the workers embedded every claim: the writer never loaded the encoder (~260 MB)
    assert isinstance(linkers["two"].encoder.inner, LazyEncoder)
    assert not linkers["two"].encoder.inner.loaded and linkers["one"].encoder.inner.loaded


def test_a_pool_describes_the_pipeline_its_workers_run(nlp):
    """The writer of a pool run need not load a pipeline to name it in the run row."""
    with local.WorkerPool(1, local.WorkerSettings(model=DEFAULT_MODEL)) as pool:
        assert pool.info.describe() == model_info(nlp).describe()
        assert "claimgraph_attributions" in pool.info.components
        assert pool.language


def test_claims_are_found_in_the_per_document_stage_with_their_vectors(nlp, tmp_path):
    """Claims come out of the per-document stage already scored and embedded, so the writer's
    narrative index embeds nothing again; other items pass through in order."""
    files = sorted(EXAMPLES.iterdir())[:2]
    with Store(tmp_path / "s.db") as store:
        linker = Linker(store, encoder=load_encoder())
        items = list(read_new(files, 5_000_000, lambda ids: set()))
        out = list(per_document(items, nlp, linker.stage))
    assert [type(i) for i in out] == [type(i) for i in items]
    assert [type(i) for i in out] == [Document, FileEnd, Document, FileEnd]
    docs = [i for i in out if isinstance(i, Document)]
    claims = [c for d in docs for c in d.claims]
    assert claims and all(c.vector is not None and c.vector.shape == (384,) for c in claims)
    # the vectors are the encoder's own for each claim text (one pass served both uses)
    again = linker.encoder.inner.encode([embedding_text(c.text) for c in claims[:5]])
    for claim, vector in zip(claims, again, strict=False):
        assert abs(float(claim.vector @ vector) - 1.0) < 1e-5


def test_read_new_marks_stored_and_repeated_documents_before_any_nlp(corpus):
    files = sorted(corpus.iterdir())
    first = [i for i in read_new(files, 5_000_000, lambda ids: set()) if isinstance(i, Document)]
    stored = {first[0].id}
    items = list(read_new(files, 5_000_000, lambda ids: stored & set(ids)))
    existing = [i for i in items if isinstance(i, Existing)]
    # the stored one, and the reprint of example 002 (same text, read later in the run)
    assert len(existing) == 2 and existing[0].id == first[0].id
    assert any(Path(e.source).name == "zz_reprint.txt" for e in existing)
    assert sum(isinstance(i, FileEnd) for i in items) == len(files)
    assert [Path(i.source).name for i in items if isinstance(i, Skipped)] == ["empty.txt"]


def test_workers_default_to_every_core_unless_the_input_is_small(tmp_path, monkeypatch):
    monkeypatch.setattr(local, "default_workers", lambda: 4)
    small = tmp_path / "small.jsonl"
    small.write_text("x" * 1000)
    assert local.choose_workers([small])[0] == 1
    assert local.choose_workers([small], 3) == (3, "--workers 3")
    big = tmp_path / "big.jsonl"
    big.write_text("x" * local.SMALL_INPUT_BYTES)
    count, why = local.choose_workers([small, big])
    assert count == 4 and "every core" in why
    packed = tmp_path / "packed.jsonl.gz"  # compressed input counts four times its size
    packed.write_bytes(b"x" * (local.SMALL_INPUT_BYTES // 4 + 1))
    assert local.choose_workers([packed])[0] == 4


def test_a_worker_that_cannot_load_its_models_stops_the_pool_with_its_error(tmp_path) -> None:
    """Raised in the pool's initializer, a load error made the pool start a new worker, which
    failed the same way, for ever (`analyze --workers 2` with a missing tagger hung). Now the
    error reaches the caller and the workers are gone."""
    from claimgraph.annotate.tagger import TaggerNotAvailable

    settings = local.WorkerSettings(model=DEFAULT_MODEL, attribution_model=str(tmp_path / "none"))
    with pytest.raises(TaggerNotAvailable, match="attribution model not found"):
        local.WorkerPool(2, settings)


def test_the_python_api_stores_what_the_cli_stores_linking_by_default(corpus, tmp_path):
    """`api.analyze` mirrors `claimgraph analyze`: claims, vectors and narratives unless
    `link=False` (it had linked nothing, and ignored `workers` on the local engine)."""
    from typer.testing import CliRunner

    from claimgraph import api
    from claimgraph.cli import app

    result = CliRunner().invoke(app, ["analyze", str(corpus), "--db", str(tmp_path / "cli.db")])
    assert result.exit_code == 0, result.output
    summary = api.analyze([corpus], tmp_path / "api.db")
    cli, python = dump(tmp_path / "cli.db"), dump(tmp_path / "api.db")
    cli.pop("runs"), python.pop("runs")  # the command line and the times differ
    assert_same_tables(cli, python)
    assert summary.claims == len(python["claims"]) > 20
    assert len(python["claim_vectors"]) == len(python["claims"]) and python["narratives"]

    bare = api.analyze([corpus], tmp_path / "bare.db", link=False, workers=1)
    tables = dump(tmp_path / "bare.db")
    assert bare.workers == 1 and tables["documents"] and not tables["claims"]


def test_claims_on_a_second_thread_store_what_one_thread_stores(corpus, nlp, tmp_path):
    """A process finds claims on a second thread while spaCy parses the next chunk (this
    process, or each worker): the rows are those of a run that does both in turn."""
    summaries = {}
    for name, thread in (("inline", False), ("thread", True), ("worker", True)):
        with Store(tmp_path / f"{name}.db") as store:
            linker = Linker(store)
            pool = None
            if name == "worker":
                settings = local.WorkerSettings(
                    model=DEFAULT_MODEL, link=linker.settings, claim_thread=True
                )
                pool = local.WorkerPool(1, settings)
            with pool or contextlib.nullcontext():
                summaries[name] = local.analyze(
                    [corpus],
                    store,
                    nlp if pool is None else None,
                    model_name=model_info(nlp).describe(),
                    linker=linker,
                    claim_thread=thread,
                    pool=pool,
                )
    assert [summaries[n].claim_thread for n in ("inline", "thread", "worker")] == [
        False,
        True,
        True,
    ]
    expected = dump(tmp_path / "inline.db")
    for name in ("thread", "worker"):
        assert_same_tables(expected, dump(tmp_path / f"{name}.db"))
    assert len(expected["claims"]) > 20


def test_the_claim_thread_keeps_input_order_and_raises_its_error_in_the_run(nlp):
    """Chunks come back in input order, each with its claims set, and an error of the claim
    stage stops the run where it happened instead of being lost on the thread."""
    docs = [
        Document(id=f"d{i}", source=f"s{i}", text=f"The mayor said the bridge {i} was closed.")
        for i in range(5)
    ]
    items = [x for d in docs for x in (d, FileEnd(d.source, 1, 1))]
    seen: list[str] = []

    def claims(chunk: list[Document]) -> None:
        seen.extend(d.id for d in chunk)
        for doc in chunk:
            doc.claims = []  # set here, read by the caller after the chunk is done

    out = list(per_document(items, nlp, claims, chunk=2, overlap=True))
    assert [getattr(i, "id", getattr(i, "path", None)) for i in out] == [
        getattr(i, "id", getattr(i, "path", None)) for i in items
    ]
    assert seen == [d.id for d in docs]

    def failing(chunk: list[Document]) -> None:
        if any(d.id == "e2" for d in chunk):
            raise RuntimeError("claim stage broke on e2")

    fresh = [
        Document(id=f"e{i}", source=f"t{i}", text=f"The mayor said the road {i} was closed.")
        for i in range(5)
    ]
    stream = [x for d in fresh for x in (d, FileEnd(d.source, 1, 1))]
    got = []
    with pytest.raises(RuntimeError, match="broke on e2"):
        for item in per_document(stream, nlp, failing, chunk=2, overlap=True):
            got.append(item)
    # the chunk before the failing one came out whole; nothing of or after it did
    assert [i.id for i in got if isinstance(i, Document)] == ["e0", "e1"]


def test_the_summary_counts_the_attribution_rows_the_store_keeps(tmp_path):
    """Two cues found for one relation (same content, same speaker) are one row in the
    store; the run's summary says what the store holds, not what the extractors returned."""
    from claimgraph.engine.run import Run, RunSummary
    from claimgraph.model import Attribution

    text = "The agency blames the mill and ordered that the stacks be monitored."
    content = "the stacks be monitored"
    start = text.index(content)
    twice = [
        Attribution(
            kind="indirect",
            content=content,
            start=start,
            end=start + len(content),
            cue=cue,
            cue_start=text.index(cue),
            cue_end=text.index(cue) + len(cue),
            source_text="The agency",
            source_start=0,
            source_end=10,
            speaker_description="The agency",
            anonymous=True,
        )
        for cue in ("blames", "ordered")
    ]
    doc = Document(id="doc_twice", source="t.txt", text=text, attributions=twice)
    with Store(tmp_path / "s.db") as store:
        with Run(store, RunSummary(model="test")) as run:
            run.take(doc)
            summary = run.finish()
        rows = store.query("SELECT COUNT(*) AS n FROM attributions")[0]["n"]
    assert rows == 1 and summary.attributions == 1


def test_the_writer_never_drops_what_the_claim_thread_embedded(nlp, tmp_path):
    """The writer (main thread) indexes written claims while the claim thread embeds the next
    chunk. They shared one cache, which the writer cleared: a chunk's vectors vanished between
    the claim thread's encode and its read, and a 1,500-article run died with a KeyError at
    about 650 documents. Now the writer's cache is its own: what the stage embedded stays."""
    from claimgraph.annotate import annotate_documents
    from claimgraph.link.entities import merge_entity
    from claimgraph.link.stage import LinkSettings

    class Counting:
        def __init__(self, inner: LazyEncoder) -> None:
            self.inner, self.name, self.texts = inner, inner.name, 0

        @property
        def dim(self) -> int:
            return self.inner.dim

        def encode(self, texts: list[str], batch_size: int = 64):
            self.texts += len(texts)
            return self.inner.encode(texts, batch_size=batch_size)

    text = (
        "The mayor said the bridge over the river would close for repairs in May. "
        "Officials said the work would cost four million dollars."
    )
    docs = list(annotate_documents([Document(id="w1", source="w1.txt", text=text)], nlp))
    with Store(tmp_path / "w.db") as store:
        counting = Counting(LazyEncoder(LinkSettings().embedding_model))
        linker = Linker(store, encoder=counting)
        linker.claims(docs)
        assert docs[0].claims
        store.write_documents(docs, merge=merge_entity)
        pending = ["The council said the tunnel would open next year."]
        linker.stage.encoder.encode(pending)  # the claim thread, mid-chunk
        before = counting.texts
        linker.add_written(docs)  # the writer, meanwhile
        linker.stage.encoder.encode(pending)  # the claim thread reads its vectors back
        assert counting.texts == before
