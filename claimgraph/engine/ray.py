"""The Ray engine: the per-document stage on Ray Data workers, writing and linking on the driver.

    claimgraph analyze corpus/ --engine ray                      # a local Ray, one worker per core
    claimgraph analyze corpus/ --engine ray --address ray://head:10001

Why this shape: reading, cleaning and annotating need nothing but the document, so they run as
Ray Data batches (a read/clean task per input file, then an actor pool where each actor loads one
spaCy pipeline and annotates batches with `nlp.pipe`). Everything that touches the store or other
documents stays on the driver, exactly as in the local engine: one writer, one transaction per
batch, claims and narratives by the same `Linker`. Results stream back in input order
(`preserve_order`), so a run stores the same rows the local engine stores, and Ray Data's
streaming executor keeps memory bounded (small batches, a capped object store, one batch
prefetched).

Already-stored documents are skipped before annotation: the driver hands the workers a sorted
array of the ids in the store (20 bytes a document, read zero-copy from the object store), so
resumes and re-runs stay cheap. Input paths (and `--aliases` files) must be readable by the
workers: on one machine they are; on a cluster use a shared filesystem. The cluster's nodes
need claimgraph and the spaCy pipeline installed, like the driver.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import ray
import ray.data

from claimgraph.annotate import (
    DEFAULT_MAX_CHARS,
    DEFAULT_WINDOW_CHARS,
    annotate_documents,
    too_long,
)
from claimgraph.annotate.nlp import DEFAULT_MODEL, load_nlp
from claimgraph.engine.local import RunSummary, _Counters, _write
from claimgraph.ingest import expand_paths, read_file
from claimgraph.ingest.clean import clean_article
from claimgraph.link.stage import Linker
from claimgraph.model import Document, Skipped
from claimgraph.store import Store

# Row kinds flowing from the workers to the driver, in input order.
DOC = "doc"  # a cleaned (then annotated) Document
SKIPPED = "skipped"  # a Skipped input: unreadable file, line or record, or nothing left to keep
EXISTING = "existing"  # (document id, source) of a document already in the store
FILE = "file"  # (path, records read, documents produced): the end of one input file

DEFAULT_OBJECT_STORE_MB = 512
BLOCK_BYTES = 64 * 1024
_SCHEMA = pa.schema([("kind", pa.string()), ("payload", pa.large_binary())])


def _table(rows: list[tuple[str, bytes]]) -> pa.Table:
    return pa.table({"kind": [k for k, _ in rows], "payload": [p for _, p in rows]}, schema=_SCHEMA)


def _pack(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def read_clean(
    batch: dict[str, np.ndarray],
    known: Any,
    chunk: int = 16,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Iterator[pa.Table]:
    """Read and clean the batch's files (a task on a worker), dropping stored documents.

    `known` is an ObjectRef to a sorted byte-string array of stored ids (or None). Rows come out
    in chunks so one large JSONL file feeds every annotation actor while it is still being read.
    """
    ids = ray.get(known) if known is not None else np.array([], dtype="S1")
    rows: list[tuple[str, bytes]] = []
    for path in batch["path"]:
        read = produced = 0
        for item in read_file(Path(path)):
            if isinstance(item, Skipped):
                rows.append((SKIPPED, _pack(item)))
                continue
            read += 1
            doc = clean_article(item)
            if not isinstance(doc, Skipped):
                doc = too_long(doc, max_chars) or doc  # too long for any window: its size named
            if isinstance(doc, Skipped):
                rows.append((SKIPPED, _pack(doc)))
                continue
            produced += 1
            key = doc.id.encode()
            at = int(np.searchsorted(ids, key))
            if at < len(ids) and ids[at] == key:
                rows.append((EXISTING, _pack((doc.id, doc.source))))
            else:
                rows.append((DOC, _pack(doc)))
            if len(rows) >= chunk:
                yield _table(rows)
                rows = []
        rows.append((FILE, _pack((str(path), read, produced))))
    if rows:
        yield _table(rows)


class Annotator:
    """One Ray actor: loads the spaCy pipeline once, then annotates every batch it is given."""

    def __init__(
        self,
        model: str,
        alias_files: tuple[str, ...],
        attribution: str | None = None,
        attribution_model: str | None = None,
        window_chars: int = DEFAULT_WINDOW_CHARS,
    ) -> None:
        self.window_chars = window_chars
        self.nlp = load_nlp(
            model,
            alias_files=alias_files,
            attribution=attribution,
            attribution_model=attribution_model,
        )

    def __call__(self, batch: pa.Table) -> pa.Table:
        kinds = batch.column("kind").to_pylist()
        payloads = batch.column("payload").to_pylist()
        at = [i for i, k in enumerate(kinds) if k == DOC]
        docs = [pickle.loads(payloads[i]) for i in at]
        for i, doc in zip(
            at, annotate_documents(docs, self.nlp, window_chars=self.window_chars), strict=True
        ):
            payloads[i] = _pack(doc)
        return _table(list(zip(kinds, payloads, strict=True)))


def _ray_temp_root() -> str:
    """Ray's unix sockets need a short path: /tmp where it exists, not a long $TMPDIR."""
    return "/tmp" if Path("/tmp").is_dir() else tempfile.gettempdir()


@contextmanager
def ray_session(
    address: str | None = None,
    workers: int | None = None,
    object_store_mb: int = DEFAULT_OBJECT_STORE_MB,
) -> Iterator[int]:
    """Join a Ray cluster (`address`) or start a private local one; yields the worker count.

    A local Ray stays on the loopback address with no dashboard, no usage reporting, a capped
    object store and a temporary folder removed afterwards. One CPU slot is added for the
    read/clean tasks (half a slot each), so `workers` annotation actors can all run.
    """
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR}
    if ray.is_initialized():  # the caller manages Ray (a notebook, a test): use it, leave it
        yield workers or max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
        return
    temp_dir = None
    if address:
        ray.init(address=address, **quiet)
        count = workers or max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
    else:
        count = workers or os.cpu_count() or 1
        temp_dir = tempfile.mkdtemp(prefix="claimgraph-ray-", dir=_ray_temp_root())
        ray.init(
            address="local",  # a private Ray: never a cluster found through RAY_ADDRESS or /tmp/ray
            num_cpus=count + 1,
            object_store_memory=object_store_mb * 1024 * 1024,
            include_dashboard=False,
            _temp_dir=temp_dir,
            _node_ip_address="127.0.0.1",
            **quiet,
        )
    try:
        yield count
    finally:
        ray.shutdown()
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)


def build_dataset(
    files: list[Path],
    known: Any,
    *,
    model: str,
    alias_files: tuple[str, ...],
    workers: int,
    annotate_batch: int = 16,
    attribution: str | None = None,
    attribution_model: str | None = None,
    window_chars: int = DEFAULT_WINDOW_CHARS,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> ray.data.Dataset:
    """files -> read/clean tasks -> annotation actor pool, order preserved, quiet."""
    items = [{"path": str(p)} for p in files]
    ds = ray.data.from_items(items, override_num_blocks=max(1, min(len(items), 1000)))
    # Ray Data gathers a task's output into blocks of up to 128 MB by default: one JSONL file
    # would then reach the actors as a single block (one actor does it all, nothing streams).
    # Small blocks let each chunk of documents go to the next free actor and on to the writer.
    ds.context.target_max_block_size = BLOCK_BYTES
    ds = ds.map_batches(
        read_clean,
        batch_size=1,
        batch_format="numpy",
        fn_kwargs={"known": known, "max_chars": max_chars},
        num_cpus=0.5,  # not 1: differing resources keep it apart from the actor stage (no fusion)
    )
    with warnings.catch_warnings():  # Ray 2.60 has no named parameter for max_restarts yet
        warnings.filterwarnings("ignore", message=".*ray_remote_args.*is deprecated")
        ds = ds.map_batches(
            Annotator,
            batch_size=annotate_batch,
            batch_format="pyarrow",
            fn_constructor_kwargs={
                "model": model,
                "alias_files": tuple(alias_files),
                "attribution": attribution,
                "attribution_model": attribution_model,
                "window_chars": window_chars,
            },
            compute=ray.data.ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=2),
            num_cpus=1,
            # Ray could not restart these actors anyway (their arguments live in the object
            # store; it logs an error saying so). A lost worker fails the run; a re-run resumes.
            max_restarts=0,
        )
    ctx = ds.context  # this dataset's own copy: nothing global is changed
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    ctx.enable_auto_log_stats = False
    ctx.print_on_execution_start = False
    return ds


@contextmanager
def _quiet_ray_data(level: int = logging.ERROR) -> Iterator[None]:
    """Ray Data logs its plan and timings at INFO/WARNING; the CLI prints its own summary."""
    logger = logging.getLogger("ray.data")
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)


def stored_ids(store: Store) -> np.ndarray:
    """The ids already in the store, sorted, as fixed-width bytes (compact; binary-searchable)."""
    ids = sorted(r["id"].encode() for r in store.query("SELECT id FROM documents"))
    return np.array(ids, dtype="S") if ids else np.array([], dtype="S1")


def analyze(
    paths: Iterable[str | Path],
    store: Store,
    *,
    model: str = DEFAULT_MODEL,
    alias_files: tuple[str, ...] = (),
    attribution: str | None = None,
    attribution_model: str | None = None,
    window_chars: int = DEFAULT_WINDOW_CHARS,
    max_chars: int = DEFAULT_MAX_CHARS,
    model_name: str | None = None,
    batch_size: int = 32,
    command: str = "analyze",
    on_document: Callable[[Document], None] | None = None,
    on_file: Callable[[Path], None] | None = None,
    files: list[Path] | None = None,
    linker: Linker | None = None,
    address: str | None = None,
    workers: int | None = None,
    object_store_mb: int = DEFAULT_OBJECT_STORE_MB,
) -> RunSummary:
    """Same contract and RunSummary as `claimgraph.engine.local.analyze`, on Ray workers."""
    started = time.perf_counter()
    files = files if files is not None else list(expand_paths(paths))
    summary = RunSummary(model=model_name or model, inputs=len(files))
    if linker is not None:
        summary.linker = linker.describe()
    counters = _Counters(summary)
    run_id = store.start_run(command, summary.model)
    status = "failed"
    try:
        if files:
            with ray_session(address, workers, object_store_mb) as count, _quiet_ray_data():
                known = ray.put(stored_ids(store))
                ds = build_dataset(
                    files,
                    known,
                    model=model,
                    alias_files=alias_files,
                    workers=count,
                    attribution=attribution,
                    attribution_model=attribution_model,
                    window_chars=window_chars,
                    max_chars=max_chars,
                )
                _drain(ds, store, run_id, counters, batch_size, on_document, on_file, linker)
        if linker is not None:
            summary.factchecked = linker.finish()
            summary.narratives = store.counts()["narratives"]
        store.add_sources(counters.repeats)
        status = "done"
    finally:
        summary.seconds = time.perf_counter() - started
        store.finish_run(
            run_id,
            status,
            summary.documents_added,
            summary.documents_existing,
            len(summary.skipped),
        )
    return summary


def _drain(
    ds: ray.data.Dataset,
    store: Store,
    run_id: int,
    counters: _Counters,
    batch_size: int,
    on_document: Callable[[Document], None] | None,
    on_file: Callable[[Path], None] | None,
    linker: Linker | None,
) -> None:
    """The single writer: consume the workers' rows in order and write them as local does."""
    summary = counters.summary
    batch: list[Document] = []
    pending: list[Skipped] = []  # Skipped rows of the file whose FILE row has not come yet
    for block in ds.iter_batches(batch_size=None, batch_format="pyarrow", prefetch_batches=1):
        for kind, payload in zip(
            block.column("kind").to_pylist(), block.column("payload").to_pylist(), strict=True
        ):
            item = pickle.loads(payload)
            if kind == SKIPPED:
                pending.append(item)  # a file's own problems are told apart at its FILE row
            elif kind == FILE:
                path, read, produced = item
                summary.records_read += read
                counters.start_file(path)
                for skipped in pending:
                    counters.skip(skipped)
                pending.clear()
                counters.end_file(path, produced)
                if on_file:
                    on_file(Path(path))
            elif kind == EXISTING or item.id in counters.seen:
                doc_id, source = item if kind == EXISTING else (item.id, item.source)
                summary.documents_existing += 1
                counters.repeats.append((doc_id, source))
            else:
                doc: Document = item
                counters.seen.add(doc.id)
                batch.append(doc)
                summary.sentences += len(doc.sentences)
                summary.entities += len(doc.entities)
                summary.attributions += len(doc.attributions)
                summary.count_language(doc)
                if on_document:
                    on_document(doc)
                if len(batch) >= batch_size:
                    _write(batch, store, run_id, summary, counters, linker)
                    batch = []
    _write(batch, store, run_id, summary, counters, linker)
