"""The run loop both engines share: the per-document stage, the tally, the single writer.

An engine only decides WHERE the per-document stage runs (this process, worker processes, Ray
actors); everything else is here, once:

- `per_document`: annotate (spaCy and the annotators), then extract, score, date and embed each
  document's claims. Nothing in it looks at another document or the store, so it runs in any
  worker, and the transformer pass of the claim stage runs there too, batched over a chunk of
  documents.
- `Run`: opens the run row, tallies each annotated document, writes batches (one transaction
  each), hands each written batch's claims to the narrative index, and closes the run row with
  its status whatever happened.
- `read_new`: read, clean, size-check and drop what the store already holds, lazily.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any

from spacy.language import Language

from claimgraph.annotate import DEFAULT_WINDOW_CHARS, annotate_documents, too_long
from claimgraph.annotate.language import (
    ENGLISH_ONLY_STAGES,
    is_foreign,
    uses_english_stages,
)
from claimgraph.ingest import read_file
from claimgraph.ingest.clean import clean_article
from claimgraph.ingest.common import scrub
from claimgraph.link.entities import merge_entity
from claimgraph.model import Document, Skipped
from claimgraph.store import Store

# A batch is also written once its documents hold this many characters, so a run of long
# documents does not keep `batch_size` of them (and all found in them) in memory at once.
BATCH_CHARS = 2_000_000
# Documents whose claims are scored and embedded in one transformer call: large enough that
# sentences sorted by length pad little, small enough to stream.
CLAIM_CHUNK = 16


@dataclass(slots=True)
class RunSummary:
    model: str = ""
    inputs: int = 0
    records_read: int = 0
    documents_added: int = 0
    documents_existing: int = 0
    sentences: int = 0
    entities: int = 0
    attributions: int = 0
    claims: int = 0
    narratives: int = 0
    # New claims linked to an imported fact-check (None: no fact-checks imported, or no linking)
    factchecked: int | None = None
    linker: str = "off"
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    # Processes doing the per-document work (annotation and claims): 1 = this process alone.
    workers: int = 1
    # Claims were found on a second thread of each process, beside spaCy.
    claim_thread: bool = False
    # New documents by detected language ("unknown": too little text to tell); documents not in
    # English and non-English sentences of English ones skip the English-only stages.
    languages: dict[str, int] = field(default_factory=dict)
    non_english_documents: int = 0
    non_english_sentences: int = 0

    def count_language(self, doc: Document) -> None:
        """Count one new document's language, and what of it English-only stages skipped."""
        key = doc.language or "unknown"
        self.languages[key] = self.languages.get(key, 0) + 1
        if not uses_english_stages(doc):
            self.non_english_documents += 1
        else:
            self.non_english_sentences += sum(1 for s in doc.sentences if is_foreign(s))

    def language_line(self) -> str:
        """The language mix and what English-only stages skipped, in one line."""
        mix = sorted(self.languages.items(), key=lambda kv: (-kv[1], kv[0]))
        line = "Languages: " + " \u00b7 ".join(f"{code} {n:,}" for code, n in mix)
        stages = ", ".join(ENGLISH_ONLY_STAGES)
        if self.non_english_documents:
            line += (
                f"; {self.non_english_documents:,} non-English document"
                f"{'s' if self.non_english_documents != 1 else ''} stored without "
                f"English-only stages ({stages})"
            )
        if self.non_english_sentences:
            line += (
                f"; {self.non_english_sentences:,} non-English sentence"
                f"{'s' if self.non_english_sentences != 1 else ''} in English documents "
                f"left out of them"
            )
        return line

    @property
    def ok(self) -> bool:
        """False only when nothing at all could be read."""
        return self.records_read > 0 or not self.skipped


@dataclass(slots=True)
class _Counters:
    summary: RunSummary
    seen: set[str] = field(default_factory=set)
    input_rows: list[dict] = field(default_factory=list)
    repeats: list[tuple[str, str]] = field(default_factory=list)  # (document id, other source)
    # The file being read (its name as stored) and the problems that name it, not a record.
    current: str | None = None
    file_problems: list[str] = field(default_factory=list)

    def start_file(self, path: Path | str) -> None:
        self.current = scrub(str(path))
        self.file_problems.clear()

    def skip(self, item: Skipped) -> None:
        """Report a Skipped; one naming the current file itself waits for `end_file`'s row."""
        self.summary.skipped.append(item)
        if item.source == self.current:
            self.file_problems.append(item.reason)
        else:
            self.input_rows.append(
                {"source": item.source, "status": "skipped", "reason": item.reason}
            )

    def end_file(self, path: Path | str, produced: int) -> None:
        """ONE inputs row per file: ok, partial (documents and a problem) or skipped.

        A file that gave documents and then failed (a cut .jsonl.gz, a malformed feed) used to
        get both an ok and a skipped row, which the inputs key refuses.
        """
        source = scrub(str(path))
        reason = "; ".join(dict.fromkeys(self.file_problems)) or None
        self.file_problems.clear()
        self.current = None
        if produced:
            status = "partial" if reason else "ok"
        elif reason:
            status = "skipped"
        else:
            return  # every record was reported on its own row
        self.input_rows.append({"source": source, "status": status, "reason": reason})


def per_document(
    items: Iterable[Item],
    nlp: Language,
    claims: Callable[[list[Document]], Any] | None = None,
    *,
    window_chars: int = DEFAULT_WINDOW_CHARS,
    chunk: int = CLAIM_CHUNK,
    overlap: bool = False,
) -> Iterator[Item]:
    """Annotate each document, then (with a claim stage, `claimgraph.link.stage.ClaimStage`)
    set its claims, scored, dated and embedded, `chunk` documents per transformer call. Other
    items pass through; everything comes out in input order, streaming.

    With `overlap`, a chunk's claims are found on a second thread while the next chunk is
    parsed: the encoder (onnxruntime, which lets go of Python's lock while it runs) then works
    on a second core beside spaCy in the same process, at the memory of one process. At most
    one chunk is in the claim stage, so memory stays bounded; outputs are the same."""
    pending: deque[Item] = deque()

    def documents() -> Iterator[Document]:
        for item in items:
            pending.append(item)
            if isinstance(item, Document):
                yield item

    ready: list[Item] = []
    docs: list[Document] = []
    helper = _ClaimThread(claims) if overlap and claims is not None else None

    def flush() -> Iterator[Item]:
        if helper is not None:
            yield from helper.submit(list(ready), list(docs))
        else:
            if claims is not None and docs:
                claims(docs)
            yield from ready
        ready.clear()
        docs.clear()

    try:
        for doc in annotate_documents(documents(), nlp, window_chars=window_chars):
            while not isinstance(pending[0], Document):
                ready.append(pending.popleft())
            pending.popleft()
            ready.append(doc)
            docs.append(doc)
            if len(docs) >= chunk:
                yield from flush()
        ready.extend(pending)
        pending.clear()
        yield from flush()
        if helper is not None:
            yield from helper.drain()
    finally:
        if helper is not None:
            helper.close()


# glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
# Blocks from this size up are mmapped, and the threshold stays put (see `tune_malloc`).
MMAP_THRESHOLD = 4 * 1024 * 1024


@cache
def tune_malloc() -> None:
    """Set glibc's malloc for a long analyze, once a process: the writer (`Run`, and the CLI
    before it loads the models), each worker process and Ray actor as it loads. One arena for
    every thread (M_ARENA_MAX 1): a second thread otherwise gets an arena of its own that
    keeps what it freed (60 news articles with the claim thread peaked at 1,006 / 1,011 MB,
    944 / 963 MB with one arena). A fixed mmap threshold of 4 MB (M_MMAP_THRESHOLD, which also
    turns off glibc's dynamic one): by default each large mmapped block freed raises the
    threshold, up to 32 MB, so later large buffers come from the heap and fragment it. 1,500
    news articles, one process with the claim thread: peak 1,158 -> 1,118 MB (1,156 -> 1,100
    at 500 articles: a lower level, not a flatter curve); CPU 912 -> 938 s on a busier machine,
    of which system time (the page faults) +4 s. 256 KB went lower still but cost 8-10% more
    CPU (ten times the page faults). Nothing happens where this is not glibc."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_ARENA_MAX, 1)
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError):
        return


class _ClaimThread:
    """The claim stage on one background thread, a chunk at a time, results in input order."""

    def __init__(self, claims: Callable[[list[Document]], Any]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        tune_malloc()
        self.claims = claims
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="claimgraph-claims")
        self.waiting: deque[tuple[Any, list[Item]]] = deque()

    def submit(self, ready: list[Item], docs: list[Document]) -> Iterator[Item]:
        """Hand a chunk over, then yield the chunk before it (its claims done), so the writer
        stores that one while this one's claims are found."""
        done = list(self.drain())
        future = self.executor.submit(self.claims, docs) if docs else None
        self.waiting.append((future, ready))
        yield from done

    def drain(self) -> Iterator[Item]:
        """The items of the chunks handed over, once their claims are done."""
        while self.waiting:
            future, ready = self.waiting.popleft()
            if future is not None:
                future.result()  # the claim stage's error, raised here in the caller
            yield from ready

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


class Run:
    """One `analyze` run in the store: the run row, the tally, batched writes, linking.

    Both engines drive it the same way: `skip`/`existing`/`file_done` for what the reader
    reports, `add` for each annotated document (claims already set when linking), then
    `finish`. Used as a context manager, the run row is closed as failed if anything raised.
    """

    def __init__(
        self,
        store: Store,
        summary: RunSummary,
        *,
        command: str = "analyze",
        linker: Any = None,
        batch_size: int = 32,
        on_document: Callable[[Document], None] | None = None,
        on_file: Callable[[Path], None] | None = None,
    ) -> None:
        tune_malloc()
        self.store = store
        self.summary = summary
        self.counters = _Counters(summary)
        self.linker = linker
        self.batch_size = batch_size
        self.on_document = on_document
        self.on_file = on_file
        recorded = summary.model
        if linker is not None:
            summary.linker = linker.describe()
            recorded = f"{recorded}; embeddings {_encoder_of(linker)}"
        self.batch: list[Document] = []
        self.pending: list[Skipped] = []  # Skipped records of the file not yet ended
        self.chars = 0
        self.status = "failed"
        self.started = time.perf_counter()
        self.run_id = store.start_run(command, recorded)

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        summary = self.summary
        summary.seconds = time.perf_counter() - self.started
        self.store.finish_run(
            self.run_id,
            self.status,
            summary.documents_added,
            summary.documents_existing,
            len(summary.skipped),
        )

    def take(self, item: Item) -> None:
        """One item of the stream, in input order: what the reader reported, or a document."""
        if isinstance(item, Skipped):
            self.pending.append(item)  # a file's own problems are told apart at its FileEnd
        elif isinstance(item, FileEnd):
            self.summary.records_read += item.read
            self.counters.start_file(item.path)
            for skipped in self.pending:
                self.counters.skip(skipped)
            self.pending.clear()
            self.counters.end_file(item.path, item.produced)
            if self.on_file:
                self.on_file(Path(item.path))
        elif isinstance(item, Existing) or item.id in self.counters.seen:
            # already stored, or a repeat within this run: keep its other source
            self.summary.documents_existing += 1
            self.counters.repeats.append((item.id, item.source))
        else:
            self.add(item)

    def add(self, doc: Document) -> None:
        """Tally one annotated document; write the batch when it is full."""
        summary = self.summary
        self.counters.seen.add(doc.id)
        self.batch.append(doc)
        self.chars += len(doc.text)
        summary.sentences += len(doc.sentences)
        summary.entities += len(doc.entities)
        summary.attributions += stored_attributions(doc)
        summary.count_language(doc)
        if self.on_document:
            self.on_document(doc)
        if len(self.batch) >= self.batch_size or self.chars >= BATCH_CHARS:
            self.write()

    def write(self) -> None:
        """One transaction: the batch's documents with everything found in them, claims too."""
        batch, self.batch, self.chars = self.batch, [], 0
        write_batch(batch, self.store, self.run_id, self.summary, self.counters, self.linker)

    def finish(self) -> RunSummary:
        """Write what is left, save the narrative index, link fact-checks, record sources."""
        self.write()
        summary = self.summary
        if self.linker is not None:
            from claimgraph.factchecks.match import match_new_claims

            summary.factchecked = match_new_claims(self.store, self.linker.finish())
            summary.narratives = self.store.counts()["narratives"]
        # The same article found at several sources (a reprint, a mirror): keep every source.
        self.store.add_sources(self.counters.repeats)
        self.status = "done"
        return summary


def write_batch(
    batch: list[Document],
    store: Store,
    run_id: int,
    summary: RunSummary,
    counters: _Counters,
    linker: Any,
) -> None:
    """Store a batch whose claims the per-document stage already set; index the new claims."""
    stored = store.store_documents(batch, run_id, merge=merge_entity)
    mine = [d for d in batch if d.id in stored]
    summary.documents_added += len(mine)
    summary.claims += sum(len(d.claims) for d in mine)
    # Stored by a concurrent run between the skip check and this write: already there, and
    # counted by that run, not this one.
    summary.documents_existing += len(batch) - len(mine)
    for doc in batch:
        if doc.id not in stored:
            summary.sentences -= len(doc.sentences)
            summary.entities -= len(doc.entities)
            summary.attributions -= stored_attributions(doc)
    store.record_inputs(counters.input_rows, run_id)
    counters.input_rows.clear()
    if linker is not None and batch:
        linker.add_written(mine)


def stored_attributions(doc: Document) -> int:
    """How many attribution rows a document stores: one per relation identity (kind, content
    and speaker; `attribution_id`), so two cues found for one relation count once, as the
    store keeps them (the summary said 1,392 where the store held 1,357 on 40 news articles)."""
    from claimgraph.store.database import attribution_id

    return len({attribution_id(doc.id, a) for a in doc.attributions})


@dataclass(frozen=True, slots=True)
class FileEnd:
    """The end of one input file: how many records it gave and how many documents."""

    path: str
    read: int
    produced: int


@dataclass(frozen=True, slots=True)
class Existing:
    """A document already stored (or read earlier in this run): only its source is kept."""

    id: str
    source: str


# What the reader yields, in input order; the per-document stage changes only the Documents.
Item = Document | Skipped | FileEnd | Existing


def read_file_items(path: Path, max_chars: int) -> Iterator[Item]:
    """One file's cleaned documents and Skipped records, then its FileEnd; lazily."""
    read = produced = 0
    for item in read_file(path):
        if isinstance(item, Skipped):
            yield item
            continue
        read += 1
        doc = clean_article(item)
        if not isinstance(doc, Skipped):
            doc = too_long(doc, max_chars) or doc  # too long for any window: its size named
        if isinstance(doc, Skipped):
            yield doc
            continue
        produced += 1
        yield doc
    yield FileEnd(str(path), read, produced)


def read_new(
    paths: Iterable[Path],
    max_chars: int,
    stored: Callable[[list[str]], set[str]],
    chunk: int = 64,
) -> Iterator[Item]:
    """Every file's items, with documents already stored (`stored` answers for a list of ids)
    or read earlier in this run turned into `Existing` before any NLP is spent on them."""
    seen: set[str] = set()
    held: list[Item] = []

    def flush() -> Iterator[Item]:
        known = stored([i.id for i in held if isinstance(i, Document)])
        for item in held:
            if isinstance(item, Document):
                if item.id in known or item.id in seen:
                    item = Existing(item.id, item.source)
                else:
                    seen.add(item.id)
            yield item
        held.clear()

    for path in paths:
        for item in read_file_items(path, max_chars):
            held.append(item)
            if len(held) >= chunk:
                yield from flush()
    yield from flush()


def _encoder_of(linker: Any) -> str:
    """Which encoder, on which back end, makes this run's vectors (runs.model records it: the
    packaged MiniLM runs on onnxruntime or on sentence-transformers, with the same vectors up
    to float noise), without loading one that its files describe."""
    encoder = getattr(getattr(linker, "encoder", None), "inner", None)
    describe = getattr(encoder, "describe", None)
    return str(describe()) if callable(describe) else "?"
