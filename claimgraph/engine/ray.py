"""The Ray engine: the per-document stage on Ray Data workers, writing and linking on the driver.

    claimgraph analyze corpus/ --engine ray                      # a local Ray, one worker per core
    claimgraph analyze corpus/ --engine ray --address ray://head:10001

Why this shape: reading, cleaning, annotating and finding claims need nothing but the document,
so they run as Ray Data batches (a read/clean task per input file, then an actor pool where each
actor loads one spaCy pipeline and the claim stage, and runs the per-document stage of
`claimgraph.engine.run` on its batches: `nlp.pipe`, then claims scored and embedded in one
transformer call). Everything that touches the store or other documents stays on the driver,
in the run loop the local engine uses too (`claimgraph.engine.run.Run`): one writer, one
transaction per batch, narratives by the same `Linker`, fed the vectors the actors computed.
Results stream back in input order
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
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import ray
import ray.data

from claimgraph.annotate import DEFAULT_MAX_CHARS, DEFAULT_WINDOW_CHARS
from claimgraph.annotate.nlp import DEFAULT_MODEL, load_nlp
from claimgraph.engine.run import (
    Existing,
    FileEnd,
    Item,
    Run,
    RunSummary,
    per_document,
    read_file_items,
    tune_malloc,
)
from claimgraph.ingest import expand_paths
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


def _kind(item: Item) -> str:
    if isinstance(item, Document):
        return DOC
    if isinstance(item, Skipped):
        return SKIPPED
    return FILE if isinstance(item, FileEnd) else EXISTING


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
        for item in read_file_items(Path(path), max_chars):
            if isinstance(item, Document):
                key = item.id.encode()
                at = int(np.searchsorted(ids, key))
                if at < len(ids) and ids[at] == key:
                    item = Existing(item.id, item.source)
            rows.append((_kind(item), _pack(item)))
            if len(rows) >= chunk:
                yield _table(rows)
                rows = []
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
        link: Any = None,
    ) -> None:
        tune_malloc()  # before the models load
        import torch

        torch.set_num_threads(1)  # one core per actor: spaCy and the encoder take turns on it
        from claimgraph.link.stage import ClaimStage

        self.window_chars = window_chars
        self.nlp = load_nlp(
            model,
            alias_files=alias_files,
            attribution=attribution,
            attribution_model=attribution_model,
        )
        self.claims = ClaimStage(link) if link is not None else None

    def __call__(self, batch: pa.Table) -> pa.Table:
        """The per-document stage (`claimgraph.engine.run.per_document`) on the batch's
        documents: annotation, then claims with their vectors when linking."""
        kinds = batch.column("kind").to_pylist()
        payloads = batch.column("payload").to_pylist()
        at = [i for i, k in enumerate(kinds) if k == DOC]
        docs = [pickle.loads(payloads[i]) for i in at]
        done = per_document(docs, self.nlp, self.claims, window_chars=self.window_chars)
        for i, doc in zip(at, done, strict=True):
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
    link: Any = None,
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
                "link": link,
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
    ids = sorted(i.encode() for i in store.document_ids())
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
    """Same contract and RunSummary as `claimgraph.engine.local.analyze`, on Ray workers:
    the per-document stage (annotation and claims) on the actors, the run loop here."""
    files = files if files is not None else list(expand_paths(paths))
    summary = RunSummary(model=model_name or model, inputs=len(files))
    with Run(
        store,
        summary,
        command=command,
        linker=linker,
        batch_size=batch_size,
        on_document=on_document,
        on_file=on_file,
    ) as run:
        if files:
            with ray_session(address, workers, object_store_mb) as count, _quiet_ray_data():
                summary.workers = count
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
                    link=linker.settings if linker is not None else None,
                )
                for block in ds.iter_batches(
                    batch_size=None, batch_format="pyarrow", prefetch_batches=1
                ):
                    for payload in block.column("payload").to_pylist():
                        run.take(pickle.loads(payload))
        return run.finish()
