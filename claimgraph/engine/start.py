"""From `analyze`'s options to a running engine, once for the command line and the Python API.

`claimgraph analyze` and `api.analyze` take the same options; this module turns them into the
same run (how many processes, which pipeline, pool and linker, how they are described), so the
two surfaces cannot drift apart: each only reports errors and progress its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from claimgraph.annotate import DEFAULT_MAX_CHARS, DEFAULT_WINDOW_CHARS
from claimgraph.annotate.nlp import DEFAULT_MODEL
from claimgraph.engine.local import (
    WorkerPool,
    WorkerSettings,
    choose_workers,
    claim_thread_fits,
)
from claimgraph.engine.run import RunSummary, tune_malloc
from claimgraph.model import Document
from claimgraph.store import Store

ENGINES = ("local", "ray")


@dataclass(frozen=True, slots=True)
class AnalyzeOptions:
    """The options of `claimgraph analyze` (see its --help), with the same defaults."""

    model: str = DEFAULT_MODEL
    alias_files: tuple[str, ...] = ()
    engine: str = "local"
    address: str | None = None
    workers: int | None = None
    attribution: str | None = None
    attribution_model: str | None = None
    link: bool = True
    embedding_model: str | None = None  # None: the default encoder
    batch_size: int = 32
    window_chars: int = DEFAULT_WINDOW_CHARS
    max_chars: int = DEFAULT_MAX_CHARS
    vocab: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"Unknown engine {self.engine!r}; choose local or ray.")

    def worker_settings(self) -> WorkerSettings:
        return WorkerSettings(
            model=self.model,
            alias_files=self.alias_files,
            attribution=self.attribution,
            attribution_model=self.attribution_model,
            window_chars=self.window_chars,
        )


@dataclass(slots=True)
class Analysis:
    """A run ready to go: the processes chosen, the pipeline (here or in a pool), the linker,
    and what each is, as the run row and the command line name them."""

    options: AnalyzeOptions
    files: list[Path]
    store: Store
    workers: int
    why: str  # why that many processes (local engine)
    info: Any  # claimgraph.annotate.nlp.ModelInfo of the pipeline that runs
    language: str  # its language detection, described
    nlp: Any = None  # the pipeline, when this process runs it
    pool: WorkerPool | None = None
    linker: Any = None  # claimgraph.link.stage.Linker, or None without linking
    settings: WorkerSettings = field(default_factory=lambda: WorkerSettings(model=DEFAULT_MODEL))

    def describe(self) -> list[tuple[str, str]]:
        """(label, text) lines saying what runs, in the order the command line prints them."""
        lines = [("Using spaCy pipeline", f"{self.info.name} {self.info.version}")]
        if self.info.attribution:
            lines.append(("Attribution", self.info.attribution))
        lines.append(("Language detection", self.language))
        if self.linker is not None:
            lines.append(("Linking", self.linker.describe()))
            lines.append(("Embedding model", self.linker.encoder.inner.describe()))
        if self.options.engine == "local":
            plural = "es" if self.workers != 1 else ""
            line = f"{self.workers} process{plural} ({self.why})"
            if self.linker is not None and claim_thread_fits(self.workers):
                each = " in each" if self.workers > 1 else ""
                line += f"; claims on a second thread{each}, beside spaCy"
            lines.append(("Workers", line))
        return lines

    def run(
        self,
        *,
        command: str = "analyze",
        on_file: Callable[[Path], None] | None = None,
        on_document: Callable[[Document], None] | None = None,
    ) -> RunSummary:
        """Read, annotate, link and store every file with the chosen engine."""
        o = self.options
        common: dict[str, Any] = {
            "model_name": self.info.describe(),
            "batch_size": o.batch_size,
            "command": command,
            "files": self.files,
            "on_file": on_file,
            "on_document": on_document,
            "linker": self.linker,
            "window_chars": o.window_chars,
            "max_chars": o.max_chars,
        }
        if o.engine == "ray":  # imported here: Ray takes seconds to import
            from claimgraph.engine.ray import analyze as ray_analyze

            return ray_analyze(
                self.files, self.store, model=o.model, alias_files=o.alias_files,
                address=o.address, workers=o.workers, attribution=o.attribution,
                attribution_model=o.attribution_model, **common,
            )  # fmt: skip
        from claimgraph.engine.local import analyze as local_analyze

        return local_analyze(
            self.files, self.store, self.nlp, workers=self.workers,
            worker_settings=self.settings, pool=self.pool, **common,
        )  # fmt: skip


def load_pipeline(options: AnalyzeOptions, files: list[Path]) -> tuple[int, str, Any]:
    """The number of processes and why, and the pipeline when this process runs it (None when
    worker processes load their own: ~340 MB saved here). Called before the store is opened,
    so a missing model or bad vocabulary fails before any file is written."""
    from claimgraph.annotate.nlp import load_nlp

    tune_malloc()  # before the models load: the whole run allocates under its settings
    if options.vocab:
        from claimgraph.vocabulary import use_dirs

        use_dirs([Path(v) for v in options.vocab])
    count, why = choose_workers(files, options.workers) if options.engine == "local" else (1, "")
    if count > 1:
        return count, why, None
    nlp = load_nlp(
        options.model,
        alias_files=options.alias_files,
        attribution=options.attribution,
        attribution_model=options.attribution_model,
    )
    return count, why, nlp


@contextmanager
def analysis(
    options: AnalyzeOptions,
    files: list[Path],
    store: Store,
    loaded: tuple[int, str, Any] | None = None,
) -> Iterator[Analysis]:
    """The run's linker and pool (closed on exit) around the pipeline of `load_pipeline`
    (`loaded`, or loaded here). With Ray the workers load their own pipeline: this process's
    copy only names it, and is dropped."""
    from claimgraph.annotate.language import language_router
    from claimgraph.annotate.nlp import model_info
    from claimgraph.link.stage import Linker, LinkSettings

    count, why, nlp = loaded if loaded is not None else load_pipeline(options, files)
    settings = options.worker_settings()
    with ExitStack() as stack:
        linker = None
        if options.link:
            chosen = (
                LinkSettings()
                if options.embedding_model is None
                else LinkSettings(embedding_model=options.embedding_model)
            )
            linker = Linker(store, chosen)
            settings = replace(
                settings, link=linker.settings, claim_thread=claim_thread_fits(count)
            )
        pool = None
        if nlp is None:
            pool = stack.enter_context(WorkerPool(count, settings))
            info, language = pool.info, pool.language
        else:
            info, language = model_info(nlp), language_router(nlp).describe()
            if options.engine == "ray":
                nlp = None
        yield Analysis(
            options=options, files=files, store=store, workers=count, why=why, info=info,
            language=language, nlp=nlp, pool=pool, linker=linker, settings=settings,
        )  # fmt: skip
