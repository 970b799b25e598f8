"""The default engine: read, clean, skip what is stored, annotate and find claims, write.

Memory stays flat with corpus size: inputs are read lazily, documents flow through `nlp.pipe`
and are written in batches, each in its own transaction, so a killed run loses at most the
batch in flight and a re-run picks up where it stopped (stored ids are skipped before NLP).

With `workers` > 1 the per-document stage (annotation, then claims: extraction, the
check-worthiness scorer's and the narrative index's embeddings) runs in that many worker
processes, each with its own pipeline and encoder and one torch thread (one process alone runs
torch on one thread too), so the encoder and spaCy never fight over a core; this process
reads, writes and keeps the narrative index. A bounded number of chunks is in flight, and
results are taken in input order, so a run stores what a one-process run stores. The run loop itself (`claimgraph.engine.run`) is the Ray
engine's too.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language

from claimgraph.annotate import DEFAULT_MAX_CHARS, DEFAULT_WINDOW_CHARS
from claimgraph.engine.run import (
    BATCH_CHARS,
    CLAIM_CHUNK,
    FileEnd,
    Item,
    Run,
    RunSummary,
    _Counters,
    per_document,
    read_new,
    tune_malloc,
    write_batch,
)
from claimgraph.ingest import expand_paths
from claimgraph.link.stage import Linker
from claimgraph.model import Document, Skipped
from claimgraph.store import Store

__all__ = [
    "BATCH_CHARS",
    "RunSummary",
    "_Counters",
    "_write",
    "analyze",
    "choose_workers",
    "claim_thread_fits",
    "default_workers",
]


def default_workers() -> int:
    """Every core this process may use (its CPU affinity, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# Inputs smaller than this run in one process by default: a worker takes seconds to load its
# pipeline and encoder, about what one process needs for a few dozen articles (~6 KB each).
SMALL_INPUT_BYTES = 512 * 1024


def choose_workers(files: list[Path], requested: int | None = None) -> tuple[int, str]:
    """How many processes a run uses, and why: what was asked for, else every core, unless
    the input is too small to repay starting workers (compressed files count four times)."""
    cores = default_workers()
    if requested:
        return requested, f"--workers {requested}"
    size = 0
    for path in files:
        try:
            weight = 4 if path.suffix in (".gz", ".bz2", ".xz", ".zst") else 1
            size += weight * path.stat().st_size
        except OSError:
            continue
        if size >= SMALL_INPUT_BYTES:
            return cores, f"every core of {cores}"
    if cores > 1:
        return 1, f"small input ({size // 1024:,} KB): one process; --workers N for more"
    return 1, "one core"


def claim_thread_fits(workers: int) -> bool:
    """Whether each process doing the per-document work finds claims on a second thread
    (`per_document`'s `overlap`): when every process has a second core for its encoder."""
    return default_workers() >= 2 * max(1, workers)


def _write(
    batch: list[Document],
    store: Store,
    run_id: int,
    summary: RunSummary,
    counters: _Counters,
    linker: Linker | None,
) -> None:
    """Claims for a batch annotated elsewhere (if it has none yet), then `write_batch`."""
    if linker is not None and batch and not any(d.claims for d in batch):
        linker.claims(batch)
    write_batch(batch, store, run_id, summary, counters, linker)


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """What a worker process needs to build its own per-document stage (all picklable)."""

    model: str
    alias_files: tuple[str, ...] = ()
    attribution: str | None = None
    attribution_model: str | None = None
    link: Any = None  # claimgraph.link.stage.LinkSettings, or None without linking
    window_chars: int = DEFAULT_WINDOW_CHARS
    claim_thread: bool = False  # claims on a second thread of each worker (`claim_thread_fits`)


_WORKER: dict[str, Any] = {}


def _start_worker(settings: WorkerSettings) -> None:
    """A worker's models, loaded once. A failure is kept for `_ready` to hand back: raised
    here, it would make the pool start a new worker, which fails the same way, for ever."""
    try:
        _load_worker(settings)
    except Exception as exc:  # noqa: BLE001 - any load error is the caller's to report
        _WORKER["error"] = exc


def _load_worker(settings: WorkerSettings) -> None:
    """The spaCy pipeline and, when linking, the claim stage."""
    tune_malloc()  # before the models load
    import torch

    torch.set_num_threads(1)  # one core per worker: the other workers have the others
    from claimgraph.annotate.nlp import load_nlp
    from claimgraph.link.stage import ClaimStage

    _WORKER["nlp"] = load_nlp(
        settings.model,
        alias_files=settings.alias_files,
        attribution=settings.attribution,
        attribution_model=settings.attribution_model,
    )
    _WORKER["claims"] = ClaimStage(settings.link) if settings.link is not None else None
    _WORKER["window_chars"] = settings.window_chars
    _WORKER["overlap"] = settings.claim_thread and settings.link is not None


def _work(chunk: list[Item]) -> list[Item]:
    return list(
        per_document(
            chunk,
            _WORKER["nlp"],
            _WORKER["claims"],
            window_chars=_WORKER["window_chars"],
            overlap=_WORKER["overlap"],
        )
    )


# Claim chunks in one task of a worker with a claim thread: its claims overlap the parse of
# the task's next chunk, so all but the last chunk of a task overlap.
THREADED_TASK_CHUNKS = 4


def _ready(_: int) -> int:
    if "error" in _WORKER:
        raise _WORKER["error"]
    return os.getpid()


def _describe(_: int) -> tuple[Any, str]:
    """What the worker's pipeline is (`ModelInfo`) and its language detection, as the run
    row and the CLI name them: the caller need not load a pipeline of its own to say so."""
    from claimgraph.annotate.language import language_router
    from claimgraph.annotate.nlp import model_info

    nlp = _WORKER["nlp"]
    return model_info(nlp), language_router(nlp).describe()


class WorkerPool:
    """`count` worker processes that run the per-document stage on chunks of the stream.

    Started (and their models loaded) when built, so a caller can time the work alone; used as
    a context manager it is closed on exit. `settings` must match the pipeline the caller
    describes in the run row.
    """

    def __init__(self, count: int, settings: WorkerSettings) -> None:
        self.count = count
        self.settings = settings
        # spawn, not fork: a forked copy of a process that ran torch can hang in its thread pool
        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(count, initializer=_start_worker, initargs=(settings,))
        # every worker has loaded its models once each answered (a worker takes one at a time);
        # a worker that could not load them raises its error here (a missing model, a bad
        # vocabulary), and the pool is closed
        try:
            self._pool.map(_ready, range(count), chunksize=1)
        except BaseException:
            self._pool.terminate()
            self._pool.join()
            raise
        # the pipeline the workers run (claimgraph.annotate.nlp.ModelInfo) and its language
        # detection, described by one of them
        self.info, self.language = self._pool.apply(_describe, (0,))

    def run(self, items: Iterable[Item], chunk: int = CLAIM_CHUNK) -> Iterator[Item]:
        """The per-document stage over `items`, in input order; at most 2 tasks per worker
        in flight, so memory does not grow with the corpus."""
        if self.settings.claim_thread and self.settings.link is not None:
            chunk *= THREADED_TASK_CHUNKS
        in_flight: deque[Any] = deque()
        held: list[Item] = []
        docs = 0
        for item in items:
            held.append(item)
            docs += isinstance(item, Document)
            if docs >= chunk:
                in_flight.append(self._pool.apply_async(_work, (held,)))
                held, docs = [], 0
                while len(in_flight) >= 2 * self.count:
                    yield from in_flight.popleft().get()
        if held:
            in_flight.append(self._pool.apply_async(_work, (held,)))
        while in_flight:
            yield from in_flight.popleft().get()

    def close(self) -> None:
        self._pool.close()
        self._pool.join()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self._pool.terminate()
        self.close()


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    """One process is one core: torch (the encoder, the tagger) runs on one thread while spaCy
    waits, then the caller's setting is restored. On a loaded 2-core machine torch's second
    thread spun against other jobs: 30 articles with linking took 2.28 s of CPU a document
    with two threads, 1.04 s with one, and less wall time too."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def _pool_for(
    workers: int, pool: WorkerPool | None, settings: WorkerSettings | None
) -> Iterator[WorkerPool | None]:
    if pool is not None or workers <= 1:
        yield pool
        return
    if settings is None:
        raise ValueError("workers > 1 needs worker_settings (the pipeline each worker loads)")
    with WorkerPool(workers, settings) as made:
        yield made


def analyze(
    paths: Iterable[str | Path],
    store: Store,
    nlp: Language | None,
    *,
    model_name: str,
    batch_size: int = 32,
    command: str = "analyze",
    on_document: Callable[[Document], None] | None = None,
    on_file: Callable[[Path], None] | None = None,
    files: list[Path] | None = None,
    linker: Linker | None = None,
    window_chars: int = DEFAULT_WINDOW_CHARS,
    max_chars: int = DEFAULT_MAX_CHARS,
    workers: int = 1,
    worker_settings: WorkerSettings | None = None,
    pool: WorkerPool | None = None,
    claim_thread: bool | None = None,
) -> RunSummary:
    """Read, clean, annotate and store; with a `linker`, also claims and narratives.

    `workers` > 1 (or a started `pool`) runs annotation and claims in worker processes, built
    from `worker_settings`; otherwise `nlp` runs them here. Memory is bounded per document
    too: a document longer than `window_chars` is parsed in windows of that size, and one
    longer than `max_chars` is skipped with its size named. In one process, a run's claims are
    found on a second thread beside spaCy when a second core is free (`claim_thread`: None
    decides so; the rows stored are the same either way); in workers, `worker_settings`
    says so."""
    files = files if files is not None else list(expand_paths(paths))
    summary = RunSummary(model=model_name, inputs=len(files))
    if worker_settings is not None and linker is not None and worker_settings.link is None:
        raise ValueError("worker_settings.link must carry the linker's settings")
    with Run(
        store,
        summary,
        command=command,
        linker=linker,
        batch_size=batch_size,
        on_document=on_document,
        on_file=on_file,
    ) as run:
        items = read_new(files, max_chars, lambda ids: store.existing_ids(ids) if ids else set())
        with _pool_for(workers, pool, worker_settings) as active:
            if active is not None:
                summary.workers = active.count
                summary.claim_thread = active.settings.claim_thread and linker is not None
                stream = active.run(items)
            else:
                if nlp is None:
                    raise ValueError("one-process analyze needs the spaCy pipeline (nlp)")
                stage = linker.stage if linker is not None else None
                if stage is not None:
                    stage.load()  # before torch's thread count is set for this run
                if claim_thread is None:
                    claim_thread = claim_thread_fits(workers)
                summary.claim_thread = bool(claim_thread and stage is not None)
                stream = per_document(
                    items, nlp, stage, window_chars=window_chars, overlap=summary.claim_thread
                )
            with _one_torch_thread() if active is None else nullcontext():
                for item in stream:
                    run.take(item)
        return run.finish()


__all__ += ["FileEnd", "Skipped", "WorkerPool", "WorkerSettings"]
