"""The default engine: read, clean, skip what is stored, annotate, write — streaming in batches.

Memory stays flat with corpus size: inputs are read lazily, documents flow through `nlp.pipe`
and are written in batches, each in its own transaction, so a killed run loses at most the
batch in flight and a re-run picks up where it stopped (stored ids are skipped before NLP).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from claimgraph.annotate import (
    DEFAULT_MAX_CHARS,
    DEFAULT_WINDOW_CHARS,
    annotate_documents,
    too_long,
)
from claimgraph.annotate.language import (
    ENGLISH_ONLY_STAGES,
    claims_in_english,
    is_foreign,
    uses_english_stages,
)
from claimgraph.ingest import expand_paths, read_file
from claimgraph.ingest.clean import clean_article
from claimgraph.ingest.common import scrub
from claimgraph.link.stage import Linker
from claimgraph.model import Document, Skipped
from claimgraph.store import Store


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


def _clean_stream(
    paths: list[Path], counters: _Counters, on_file: Callable[[Path], None] | None
) -> Iterator[Document]:
    summary = counters.summary
    for path in paths:
        produced = 0
        counters.start_file(path)
        for item in read_file(path):
            if isinstance(item, Skipped):
                counters.skip(item)
                continue
            summary.records_read += 1
            doc = clean_article(item)
            if isinstance(doc, Skipped):
                counters.skip(doc)
                continue
            produced += 1
            yield doc
        counters.end_file(path, produced)
        if on_file:
            on_file(path)


def _only_new(
    docs: Iterable[Document], store: Store, counters: _Counters, chunk: int = 64
) -> Iterator[Document]:
    """Drop documents already stored (or seen earlier in this run) before the expensive NLP."""
    buffer: list[Document] = []

    def flush() -> Iterator[Document]:
        existing = store.existing_ids(d.id for d in buffer)
        for doc in buffer:
            if doc.id in existing or doc.id in counters.seen:
                counters.summary.documents_existing += 1
                counters.repeats.append((doc.id, doc.source))
            else:
                counters.seen.add(doc.id)
                yield doc
        buffer.clear()

    for doc in docs:
        buffer.append(doc)
        if len(buffer) >= chunk:
            yield from flush()
    if buffer:
        yield from flush()


def _write(
    batch: list[Document],
    store: Store,
    run_id: int,
    summary: RunSummary,
    counters: _Counters,
    linker: Linker | None,
) -> None:
    """One transaction per batch: documents with everything found in them, claims included."""
    if linker is not None and batch:
        claims_in_english(linker.claims, batch)
    stored = store.store_documents(batch, run_id)
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
            summary.attributions -= len(doc.attributions)
    store.record_inputs(counters.input_rows, run_id)
    counters.input_rows.clear()
    if linker is not None and batch:
        linker.add_written(mine)


# A batch is also written once its documents hold this many characters, so a run of long
# documents does not keep `batch_size` of them (and all found in them) in memory at once.
_BATCH_CHARS = 2_000_000


def _within_limit(
    docs: Iterable[Document], max_chars: int, counters: _Counters
) -> Iterator[Document]:
    """Skip (and report, with its size) each document longer than `max_chars` after cleaning,
    before anything else holds it: the one input that no windowing can make affordable."""
    whole_files: set[str] = set()  # single-document files skipped for their size

    def settle() -> None:
        # The file's own row says "partial" (it produced a document); nothing of it was kept.
        for row in counters.input_rows:
            if row["source"] in whole_files and row["status"] == "partial":
                row["status"] = "skipped"

    for doc in docs:
        settle()
        skipped = too_long(doc, max_chars)
        if skipped is None:
            yield doc
            continue
        if counters.current is not None and skipped.source == counters.current:
            whole_files.add(counters.current)
        counters.skip(skipped)
    settle()


def analyze(
    paths: Iterable[str | Path],
    store: Store,
    nlp: Language,
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
) -> RunSummary:
    """Read, clean, annotate and store; with a `linker`, also claims and narratives.

    Memory is bounded per document too: a document longer than `window_chars` is parsed in
    windows of that size, and one longer than `max_chars` is skipped with its size named."""
    started = time.perf_counter()
    files = files if files is not None else list(expand_paths(paths))
    summary = RunSummary(model=model_name, inputs=len(files))
    if linker is not None:
        summary.linker = linker.describe()
    counters = _Counters(summary)
    run_id = store.start_run(command, model_name)
    status = "failed"
    try:
        cleaned = _within_limit(_clean_stream(files, counters, on_file), max_chars, counters)
        stream = _only_new(cleaned, store, counters)
        batch: list[Document] = []
        chars = 0
        for doc in annotate_documents(stream, nlp, window_chars=window_chars):
            batch.append(doc)
            chars += len(doc.text)
            summary.sentences += len(doc.sentences)
            summary.entities += len(doc.entities)
            summary.attributions += len(doc.attributions)
            summary.count_language(doc)
            if on_document:
                on_document(doc)
            if len(batch) >= batch_size or chars >= _BATCH_CHARS:
                _write(batch, store, run_id, summary, counters, linker)
                batch, chars = [], 0
        _write(batch, store, run_id, summary, counters, linker)
        if linker is not None:
            summary.factchecked = linker.finish()
            summary.narratives = store.counts()["narratives"]
        # The same article found at several sources (a reprint, a mirror): keep every source.
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
