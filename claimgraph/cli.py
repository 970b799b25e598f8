"""The `claimgraph` command line (Typer + Rich)."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from claimgraph import __version__
from claimgraph.annotate import DEFAULT_MAX_CHARS, DEFAULT_WINDOW_CHARS
from claimgraph.annotate.attribution import DEFAULT_EXTRACTOR
from claimgraph.annotate.nlp import DEFAULT_MODEL, ModelNotAvailable
from claimgraph.annotate.tagger import TaggerNotAvailable
from claimgraph.engine.local import RunSummary
from claimgraph.engine.start import AnalyzeOptions, analysis, load_pipeline
from claimgraph.export import FORMATS
from claimgraph.factchecks.cli import app as factchecks_app
from claimgraph.ingest import expand_paths
from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL, EncoderLoadError
from claimgraph.link.provenance import factcheck_links
from claimgraph.link.provenance import trace as trace_ref
from claimgraph.link.stage import LinkSettings
from claimgraph.store import DEFAULT_DB, Store
from claimgraph.store.read import read_model
from claimgraph.terminal import escape  # markup-escaped and stripped of control characters
from claimgraph.vocabulary import VocabularyError

# What loading a pipeline or a worker's models raises for a user's bad option: named, exit 2.
_LOAD_ERRORS = (ModelNotAvailable, TaggerNotAvailable, VocabularyError, ValueError)

app = typer.Typer(
    name="claimgraph",
    help="Turn a pile of articles into a queryable graph of claims, speakers, sources and evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
err = Console(stderr=True)
app.add_typer(factchecks_app, name="factchecks")

REPORT_TOP = 100  # narratives a report draws by default: it stays readable at 1,000 articles
DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="CLAIMGRAPH_DB",
        help="SQLite file, or postgresql://user@host/db for a shared server.",
    ),
]


def _version(value: bool) -> None:
    if value:
        console.print(f"claimgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """claimgraph: what is claimed, who says it, on whose word, with what evidence."""


def _no_such_file(db: str) -> bool:
    """No claimgraph store at `db` yet (a missing SQLite file, or a server database without
    our tables); nothing is created by asking."""
    from claimgraph.store import database

    return not database.store_exists(db)


def print_summary(summary: RunSummary, store: Store) -> None:
    table = Table(title="claimgraph analyze", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    pipeline, _, extractor = summary.model.partition("; attribution ")
    table.add_row("model", escape(pipeline))
    if extractor:
        table.add_row("attribution", escape(extractor))
    table.add_row("input files", str(summary.inputs))
    table.add_row("articles read", str(summary.records_read))
    table.add_row("documents added", str(summary.documents_added))
    table.add_row("already in the database", str(summary.documents_existing))
    table.add_row("sentences (new)", str(summary.sentences))
    table.add_row("entities (new docs)", str(summary.entities))
    table.add_row("attributions (new)", str(summary.attributions))
    table.add_row("claims (new)", str(summary.claims))
    table.add_row("narratives (corpus)", str(summary.narratives))
    if summary.factchecked is not None:
        table.add_row("new claims fact-checked", f"{summary.factchecked} of {summary.claims}")
    table.add_row("skipped", str(len(summary.skipped)))
    table.add_row("seconds", f"{summary.seconds:.1f}")
    console.print(table)
    if summary.languages:
        console.print(escape(summary.language_line()))
    totals = store.counts()
    console.print(
        "database: "
        + ", ".join(f"{v} {k}" for k, v in totals.items() if k != "furniture")
        + f" [dim]({escape(store.display_url)})[/dim]"
    )
    if summary.documents_existing and not summary.documents_added:
        console.print("Nothing new: every document read is already in the database.")
    if summary.skipped:
        skipped = Table(title="skipped inputs", title_justify="left")
        skipped.add_column("source", overflow="fold")
        skipped.add_column("reason", overflow="fold")
        for item in summary.skipped[:50]:
            skipped.add_row(escape(item.source), escape(item.reason))
        if len(summary.skipped) > 50:
            skipped.add_row(f"… {len(summary.skipped) - 50} more", "see the `inputs` table")
        err.print(skipped)


@app.command()
def analyze(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs to read.")],
    db: DbOption = DEFAULT_DB,
    model: Annotated[
        str, typer.Option(help="spaCy pipeline (package name or path).")
    ] = DEFAULT_MODEL,
    aliases: Annotated[
        list[Path] | None, typer.Option("--aliases", help="Extra alias table (YAML); repeatable.")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Documents written per transaction.")] = 32,
    link: Annotated[
        bool, typer.Option("--link/--no-link", help="Also extract claims and update narratives.")
    ] = True,
    embedding_model: Annotated[
        str, typer.Option(help="sentence-transformers model for claims and narratives.")
    ] = DEFAULT_EMBEDDING_MODEL,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    engine: Annotated[
        str, typer.Option(help="local (this process) or ray (Ray Data workers; see --address).")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(
            envvar="CLAIMGRAPH_RAY_ADDRESS",
            help="Ray cluster for --engine ray (ray://host:10001, auto); default: a local Ray.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes annotating and finding claims (default: every CPU core, one for an "
            "input under 512 KB; 1: this process alone). A process with two cores to itself "
            "finds claims on a second thread while spaCy parses. With --engine ray: Ray workers.",
        ),
    ] = None,
    window_chars: Annotated[
        int,
        typer.Option(
            min=1_000,
            max=1_000_000,
            help="Documents longer than this many characters are parsed in windows of it "
            "(cut at paragraph breaks), so memory stays bounded.",
        ),
    ] = DEFAULT_WINDOW_CHARS,
    max_chars: Annotated[
        int,
        typer.Option(min=1, help="Skip (and report) a document longer than this many characters."),
    ] = DEFAULT_MAX_CHARS,
    attribution: Annotated[
        str,
        typer.Option(
            help="What finds attributions: hybrid (the rules and the trained tagger), model "
            "(the tagger alone) or rules (cues.yaml patterns alone)."
        ),
    ] = DEFAULT_EXTRACTOR,
    vocab: Annotated[
        list[Path] | None,
        typer.Option(
            "--vocab",
            help="A folder of vocabulary files (NAME.yaml) merged over claimgraph/data/NAME.yaml; "
            "repeatable (or CLAIMGRAPH_VOCAB).",
        ),
    ] = None,
    attribution_model: Annotated[
        Path | None,
        typer.Option(
            help="A trained attribution tagger folder (scripts/train_attribution.py); "
            "default: the one shipped in claimgraph/models/."
        ),
    ] = None,
) -> None:
    """Read articles (text, HTML, JSONL, WARC, RSS/Atom) and store what they claim and cite."""
    files = list(expand_paths(paths))
    if not files:
        err.print(f"[red]No input files found in {escape(' '.join(paths))}[/red]")
        raise typer.Exit(2)
    try:
        options = AnalyzeOptions(
            model=model, alias_files=tuple(str(a) for a in aliases or ()), engine=engine,
            address=address, workers=workers, attribution=attribution,
            attribution_model=str(attribution_model) if attribution_model else None, link=link,
            embedding_model=embedding_model, batch_size=batch_size, window_chars=window_chars,
            max_chars=max_chars, vocab=tuple(str(v) for v in vocab or ()),
        )  # fmt: skip
        loaded = load_pipeline(options, files)  # before the store: a bad model writes nothing
    except _LOAD_ERRORS as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    with Store(db) as store, ExitStack() as stack:
        try:
            ready = stack.enter_context(analysis(options, files, store, loaded))
        except (*_LOAD_ERRORS, EncoderLoadError) as exc:
            err.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(2) from exc
        (_, pipeline), *rest = ready.describe()
        console.print(f"Using spaCy pipeline [bold]{escape(pipeline)}[/bold]")
        for label, text in rest:
            console.print(f"{label}: {escape(text)}")
        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[docs]} documents"),
            TimeElapsedColumn(),
            console=err,
            disable=quiet or not sys.stderr.isatty(),
            transient=True,
        )
        with progress:
            task = progress.add_task("analysing", total=len(files), docs=0)
            summary = ready.run(
                command="analyze " + " ".join(paths),
                on_file=lambda _p: progress.advance(task),
                on_document=lambda _d: progress.update(
                    task, docs=progress.tasks[0].fields["docs"] + 1
                ),
            )
        print_summary(summary, store)
    if not summary.ok:
        err.print("[red]Nothing could be read.[/red]")
        raise typer.Exit(1)


def _id_column(table: Table, ids: list[str], name: str = "id") -> None:
    """Ids are never wrapped or cut (they are typed back into other commands): the column is
    as wide as the longest, and the titles beside it give way."""
    width = max([len(name), *(len(i) for i in ids)])
    table.add_column(name, no_wrap=True, min_width=width, max_width=width)


def _text_column(table: Table, name: str, width: int = 48) -> None:
    """Titles and names are cut with an ellipsis instead of wrapping the row."""
    table.add_column(name, no_wrap=True, overflow="ellipsis", max_width=width)


def _clip(text: str, width: int) -> str:
    """`text` cut to `width` characters with an ellipsis (rich may not shrink a column)."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _number_column(table: Table, name: str) -> None:
    table.add_column(name, justify="right", no_wrap=True, min_width=len(name))


def _show_corpus(store: Store, limit: int | None = None) -> None:
    totals = store.counts()
    console.print(", ".join(f"{v} {k}" for k, v in totals.items()))
    rows = read_model(store).document_overview(limit=limit)
    shown = (
        f" (first {len(rows)} of {totals['documents']})" if len(rows) < totals["documents"] else ""
    )
    table = Table(title="documents" + shown, title_justify="left")
    ids = [r["id"] for r in rows]
    _id_column(table, ids)
    # What the id, date and figures leave of the terminal goes to the title and the outlet.
    spare = console.width - max([2, *map(len, ids)]) - 10 - 28 - 3 * 8 - 1
    title_w, outlet_w = max(12, spare * 2 // 3), max(8, spare // 3)
    _text_column(table, "title", title_w)
    table.add_column("date", no_wrap=True, min_width=10)
    _text_column(table, "outlet", outlet_w)
    for col in ("sentences", "attrib.", "anon.", "signals"):
        _number_column(table, col)
    for r in rows:
        table.add_row(
            r["id"],
            escape(_clip(r["title"] or "", title_w)),
            escape(r["date"] or ""),
            escape(_clip(r["outlet"] or "", outlet_w)),
            str(r["sentences"]),
            str(r["attributions"]),
            str(r["anonymous_attributions"]),
            str(r["signals"]),
        )
    console.print(table)


def _show_document(store: Store, doc: dict) -> None:
    console.rule(escape(doc["title"] or doc["id"]))
    for key in (
        "id",
        "date",
        "date_source",
        "outlet",
        "outlet_source",
        "byline",
        "url",
        "language",
    ):
        if doc.get(key):
            console.print(f"[bold]{key}[/bold]: {escape(str(doc[key]))}")
    console.print(f"[bold]sources[/bold]: {escape(', '.join(doc['sources']))}")
    console.print()
    console.print(escape(doc["text"]))
    console.print()
    if doc["furniture"]:
        console.print("[bold]removed page furniture[/bold]")
        for f in doc["furniture"]:
            console.print(f"  [dim]{escape(f['reason'])}[/dim]: {escape(f['text'][:100])}")
    sigs = [g for g in doc["signals"] if g["attribution_id"] is None]
    if sigs:
        console.print("[bold]signals[/bold]")
        for g in sigs:
            console.print(
                f"  {escape(g['type'])}: {escape(g['text'])}"
                + (f" ({escape(g['detail'])})" if g["detail"] else "")
            )
    ents = Table(title="entities", title_justify="left")
    for col in ("name", "type", "mentions"):
        ents.add_column(col)
    for e in doc["entities"]:
        ents.add_row(escape(e["name"]), escape(e["type"]), str(e["mentions"]))
    console.print(ents)
    # A transcript turn's timecodes (documents.meta["turns"]), shown with its attribution.
    timecodes = {
        t["start_char"]: " - ".join(x for x in (t.get("timecode"), t.get("timecode_end")) if x)
        for t in (doc["meta"] or {}).get("turns") or []
        if isinstance(t, dict) and t.get("timecode")
    }
    if doc["attributions"]:
        atts = Table(title="attributions", title_justify="left", show_lines=True)
        for col in ("kind", "speaker", "role", "via", "content", "signals"):
            atts.add_column(col, overflow="fold")
        for a in doc["attributions"]:
            speaker = a["speaker"] or (
                f"[anonymous] {a['speaker_description'] or ''}"
                if a["anonymous"]
                else a["speaker_description"] or "?"
            )
            when = timecodes.get(a["start_char"]) if a["kind"] == "transcript" else None
            reports = f" ({a['reports']})" if a["reports"] and a["reports"] != "statement" else ""
            atts.add_row(
                escape(a["kind"] + reports + (f" {when}" if when else "")),
                escape(speaker),
                escape(a["role"] or ""),
                escape(" > ".join(a["via"])),
                escape(a["content"]),
                escape(", ".join(g["type"] for g in a["signals"])),
            )
        console.print(atts)
    claim_ids = read_model(store).claim_ids("document_id", doc["id"])
    _print_factchecks(factcheck_links(store, claim_ids) if claim_ids else [])


@app.command()
def show(
    doc: Annotated[
        str | None, typer.Argument(help="Document id, id prefix or part of its source path.")
    ] = None,
    db: DbOption = DEFAULT_DB,
    limit: Annotated[
        int | None, typer.Option(help="Documents listed in the corpus summary (default: all).")
    ] = None,
) -> None:
    """Show one document's cleaned text and annotations, or a summary of the corpus."""
    with Store(db, read_only=True) as store:
        if doc is None:
            _show_corpus(store, limit)
            return
        doc_id = store.find_document(doc)
        if doc_id is None:
            err.print(f"[red]No single document matches {escape(doc)!r}.[/red]")
            raise typer.Exit(1)
        loaded = store.load_document(doc_id)
        assert loaded is not None
        _show_document(store, loaded)


@app.command()
def sources(
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option(help="Rows per table.")] = 30,
) -> None:
    """Speakers and outlets across the corpus: attributions, anonymous share, signals."""
    with Store(db, read_only=True) as store:
        found = read_model(store).sources(limit=limit)

    def signal_text(sig: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(sig.items()))

    table = Table(title="speakers", title_justify="left")
    _text_column(table, "speaker", 40)
    for col in ("attributions", "statements", "direct", "documents"):
        _number_column(table, col)
    table.add_column("signals", ratio=1, min_width=12)
    for r in found["speakers"][:limit]:
        name = f"[anonymous] {r['name']}" if r["anonymous"] else r["name"]
        table.add_row(
            escape(name),
            str(r["attributions"]),
            str(r["statements"]),
            str(r["direct"]),
            str(r["documents"]),
            signal_text(r["signals"]),
        )
    console.print(table)
    table = Table(title="outlets cited (sourcing chains)", title_justify="left")
    _text_column(table, "outlet", 40)
    for col in ("attributions", "documents", "anonymous share"):
        _number_column(table, col)
    table.add_column("signals", ratio=1, min_width=12)
    for r in found["outlets"][:limit]:
        table.add_row(
            escape(r["name"]),
            str(r["attributions"]),
            str(r["documents"]),
            f"{r['anonymous_share']:.0%}",
            signal_text(r["signals"]),
        )
    console.print(table)
    table = Table(title="publishing outlets", title_justify="left")
    _text_column(table, "outlet", 40)
    _number_column(table, "documents")
    for r in found["publishers"][:limit]:
        table.add_row(escape(r["name"]), str(r["documents"]))
    console.print(table)


@app.command()
def narratives(
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option(help="How many to list.")] = 30,
    all_: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also single-document candidates (by default only narratives told "
            "in two documents or more).",
        ),
    ] = False,
) -> None:
    """Narratives: the same claim told again across documents, most spread first."""
    with Store(db, read_only=True) as store:
        reads = read_model(store)
        rows = reads.narratives(limit=limit, all_=all_).items
        counts = reads.narrative_counts()
        reviewed = {r["id"]: reads.reviews(reads.claim_ids("narrative_id", r["id"])) for r in rows}
    if not rows:
        if counts["candidates"] and not all_:
            console.print(
                f"No narrative is told in two documents yet; {counts['candidates']} "
                "single-document candidates (`claimgraph narratives --all` lists them)."
            )
        else:
            console.print("No narratives yet: analyse documents with linking on (the default).")
        return
    hidden = (
        f"; {counts['candidates']} single-document candidates not shown (--all)"
        if counts["candidates"] and not all_
        else ""
    )
    console.print(
        f"[bold]{counts['spread']} narratives told in two documents or more[/bold]{hidden} "
        "(most spread first; `claimgraph trace ID` follows one back)"
    )
    for r in rows:
        seen = (
            " … ".join(dict.fromkeys(d for d in (r["first_seen"], r["last_seen"]) if d))
            or "undated"
        )
        console.print()
        candidate = " · [dim]single-document candidate[/dim]" if r["candidate"] else ""
        console.print(
            f"[bold]{r['id']}[/bold]  {r['claims']} claims · {r['documents']} documents · "
            f"{escape(seen)} · "
            f"anonymous {r['anonymous_share']:.0%} · hedged {r['hedged_share']:.0%} · "
            f"evidence not shown {r['evidence_not_shown_share']:.0%}{candidate}"
        )
        console.print(f"  “{escape(r['label'])}”")
        if r["speakers"]:
            console.print(f"  [dim]speakers:[/dim] {escape(', '.join(r['speakers']))}")
        if r["outlets"]:
            console.print(f"  [dim]outlets:[/dim] {escape(', '.join(r['outlets']))}")
        for claim_id, rv in reviewed[r["id"]].items():
            console.print(
                f"  [bold]your review[/bold] of {claim_id}: "
                f"{escape(rv['rating_original'] or rv['rating'])} ({escape(rv['reviewer'])})"
            )


@app.command()
def relink(
    db: DbOption = DEFAULT_DB,
    embedding_model: Annotated[
        str | None,
        typer.Option(
            help="Encoder for claims without a stored vector (default: the model most stored "
            "vectors were made with)."
        ),
    ] = None,
) -> None:
    """Regroup every stored claim into narratives with this version's rules (stored vectors,
    nothing re-embedded): an older database gets the current grouping."""
    from claimgraph.link.stage import relink as regroup
    from claimgraph.store import narratives as stored_narratives

    with Store(db) as store:
        before = read_model(store).narrative_counts()
        models = stored_narratives.vector_models(store)
        model = embedding_model or (models[0][0] if models else DEFAULT_EMBEDDING_MODEL)
        try:
            claims = regroup(store, LinkSettings(embedding_model=model))
        except EncoderLoadError as exc:
            err.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(2) from exc
        after = read_model(store).narrative_counts()
    console.print(
        f"Regrouped {claims} claims with {escape(model)}: narratives told in two documents or "
        f"more {before['spread']} -> {after['spread']}, single-document candidates "
        f"{before['candidates']} -> {after['candidates']}."
    )


@app.command()
def trace(
    ref: Annotated[
        str, typer.Argument(help="Narrative or claim: id, id prefix, or words of its label.")
    ],
    db: DbOption = DEFAULT_DB,
    limit: Annotated[
        int | None, typer.Option(help="Tellings listed, earliest first (default: all).")
    ] = None,
) -> None:
    """Trace a narrative or claim back: earliest tellings (undated last), and the sources it
    rests on."""
    with Store(db, read_only=True) as store:
        found = trace_ref(store, ref)
    if found is None:
        err.print(f"[red]No narrative or claim matches {escape(ref)!r}.[/red]")
        raise typer.Exit(1)
    console.rule(f"{found.kind} {found.id}")
    console.print(f"[bold]{escape(found.label)}[/bold]")
    console.print(
        f"{len(found.occurrences)} claim(s) in {len({o['document_id'] for o in found.occurrences})} document(s)"
    )

    def counts(title: str, pairs: list[tuple[str, int]]) -> None:
        if pairs:
            console.print(
                f"[bold]{title}[/bold]: " + "; ".join(f"{escape(k)} ({v})" for k, v in pairs)
            )

    counts("rests on named speakers", found.speakers)
    counts("rests on anonymous sources", found.anonymous_sources)
    counts("through outlets", found.outlets)
    counts("published by", found.publishers)
    counts("signals", found.signals)
    _print_factchecks(found.factchecks)
    console.print()
    shown = found.occurrences[:limit] if limit else found.occurrences
    for i, o in enumerate(shown, 1):
        who = o["speaker"] or (
            f"[anonymous] {o['speaker_description']}" if o["anonymous"] else "the article itself"
        )
        chain = " > ".join(
            [who, *o["via"], o["publisher"] or o["document_title"] or o["document_id"]]
        )
        console.print(f"{i}. [bold]{escape(o['date'] or 'undated')}[/bold]  {escape(chain)}")
        console.print(f"   “{escape(o['text'])}”")
        where = o["document_url"] or f"{o['document_source']} @{o['start']}-{o['end']}"
        console.print(
            f"   [dim]{escape(where)}"
            + (f" · {escape(', '.join(o['signals']))}" if o["signals"] else "")
            + "[/dim]"
        )
        if o["review"]:
            rv = o["review"]
            console.print(
                f"   [bold]your review[/bold]: {escape(rv['rating_original'] or rv['rating'])} "
                f"({escape(rv['reviewer'])}, {escape(rv['reviewed_at'][:10])})"
            )
    if len(shown) < len(found.occurrences):
        console.print(f"[dim]… {len(found.occurrences) - len(shown)} more (--limit)[/dim]")


def _print_factchecks(links: list[dict]) -> None:
    """Fact-checks already published about these claims (imported with `factchecks import`):
    confident links as fact-checked, then the other candidates as possible matches, so a check
    found below the cut-offs is shown, labelled, rather than hidden."""
    if not links:
        return
    confident = [lk for lk in links if lk.get("tier", "confident") == "confident"]
    possible = [lk for lk in links if lk.get("tier", "confident") != "confident"]
    if confident:
        console.print(f"[bold]fact-checked already[/bold]: {len(confident)} fact-check(s) match")
        for lk in confident[:10]:
            _print_factcheck(lk, f"fact-checked · score {lk['score']:.2f}")
    if possible:
        console.print(
            f"[bold]possible matches[/bold]: {len(possible)} fact-check(s) below the confident "
            "cut-offs; read them before relying on them"
        )
        for lk in possible[:5]:
            _print_factcheck(lk, f"possible match (score {lk['score']:.2f})")


def _print_factcheck(lk: dict, label: str) -> None:
    verdict = lk["rating_original"] or lk["rating"]
    when = escape(lk["review_date"] or "undated")
    console.print(
        f"  [bold]{escape(lk['rating'])}[/bold] ({escape(str(verdict))}) · "
        f"{escape(lk['reviewer'] or '?')} · {when} · {label}"
    )
    console.print(f"    “{escape(lk['factcheck_text'])}”")
    console.print(f"    [dim]matches: {escape(lk['claim_text'])}[/dim]")
    if lk["url"]:
        console.print(f"    [dim]{escape(lk['url'])}[/dim]")


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[
        str, typer.Option(help="Address to listen on; the default is this machine only.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Another name the app may be reached by (Host header), besides --host, "
            "127.0.0.1, localhost and ::1; repeatable; '*' allows any.",
        ),
    ] = None,
) -> None:
    """Browse the database in a local web app (pages, and their JSON twins under /api)."""
    import uvicorn

    from claimgraph.serve.app import LOCAL_HOSTS, create_app

    if _no_such_file(db):
        err.print(f"[red]No database at {escape(db)}: run `claimgraph analyze` first.[/red]")
        raise typer.Exit(2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(
            f"[yellow]Listening on {escape(host)}: anyone who can reach it can read the "
            "database (there is no login).[/yellow]"
        )
    import torch

    # One thread per query encoding (semantic search): the server's parallelism is its
    # concurrent requests, and torch's spinning thread team makes each query ~5x slower on a
    # busy 2-core machine.
    torch.set_num_threads(1)
    where = f"[{host}]" if ":" in host else host
    console.print(escape(f"claimgraph serve: http://{where}:{port}/ (Ctrl-C stops it)"))
    hosts = [*LOCAL_HOSTS, host, *(allowed_host or [])]
    uvicorn.run(create_app(db, allowed_hosts=hosts), host=host, port=port, log_level="warning")


@app.command()
def report(
    out: Annotated[
        Path, typer.Option("-o", "--out", help="HTML file to write (self-contained).")
    ] = Path("report.html"),
    db: DbOption = DEFAULT_DB,
    top: Annotated[
        int,
        typer.Option(help="Narratives drawn, most spread first (0: every one)."),
    ] = REPORT_TOP,
    all_: Annotated[
        bool, typer.Option("--all", help="Also single-document candidate narratives.")
    ] = False,
    full_text: Annotated[
        bool,
        typer.Option(
            "--full-text", help="Every document's whole text (default: its marked sentences)."
        ),
    ] = False,
) -> None:
    """Write the whole analysis as one self-contained HTML file (opens from disk, prints)."""
    import time

    from claimgraph.report import write_report

    if _no_such_file(db):
        err.print(f"[red]No database at {escape(db)}: run `claimgraph analyze` first.[/red]")
        raise typer.Exit(2)
    started = time.perf_counter()
    with Store(db, read_only=True) as store:
        written = write_report(
            store, out, top=top or None, all_narratives=all_, full_text=full_text
        )
    size = written.stat().st_size
    console.print(
        f"{escape(str(written))}: {size / 1024:.0f} KiB in {time.perf_counter() - started:.1f} s"
    )


@app.command()
def export(
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")
    ] = "jsonl",
    db: DbOption = DEFAULT_DB,
    raw_csv: Annotated[
        bool,
        typer.Option(
            "--raw-csv",
            help="CSV cells exactly as stored: no ' before cells starting with = + - @ "
            "(which a spreadsheet would run as formulas).",
        ),
    ] = False,
) -> None:
    """Write the database's contents for other tools (one file per kind)."""
    if fmt not in FORMATS:
        err.print(f"[red]Unknown format {escape(fmt)!r}; choose from {', '.join(FORMATS)}.[/red]")
        raise typer.Exit(2)
    with Store(db, read_only=True) as store:
        if fmt in ("csv", "all"):
            written = FORMATS[fmt](store, out, raw_csv=raw_csv)
        else:
            written = FORMATS[fmt](store, out)
    for name, n in written.items():
        unit = "nodes and edges" if name.endswith((".graphml", ".gexf")) else "rows"
        console.print(f"{out / name}: {n} {'reviews' if name.endswith('.jsonld') else unit}")


@app.command()
def review(
    claim: Annotated[str, typer.Argument(help="Claim id or a unique prefix of it.")],
    rating: Annotated[
        str | None,
        typer.Option(
            "--rating", help="Your verdict in your words (False, Misleading, Half True, ...)."
        ),
    ] = None,
    reviewer: Annotated[
        str | None, typer.Option("--reviewer", help="Who reviewed it (person or organisation).")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Where the fact-check is published.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note on the verdict.")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Withdraw the claim's review.")] = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Mark a claim as reviewed (exported as ClaimReview JSON-LD), or withdraw the review."""
    from claimgraph.review import AmbiguousClaim, ClaimNotFound, mark_reviewed, remove_review

    if not remove and not (rating and reviewer):
        err.print("[red]Give --rating and --reviewer (or --remove to withdraw a review).[/red]")
        raise typer.Exit(2)
    with Store(db) as store:
        try:
            if remove:
                removed = remove_review(store, claim)
                console.print(f"{removed}: review removed" if removed else "No review to remove.")
                return
            row = mark_reviewed(
                store, claim, rating=rating or "", reviewer=reviewer or "", url=url, note=note
            )
        except (ClaimNotFound, AmbiguousClaim) as exc:
            err.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(1) from None
    console.print(
        f"{row['claim_id']}: [bold]{row['rating']}[/bold] ({escape(row['rating_original'])!r}) "
        f"by {escape(row['reviewer'])}"
    )
    if row["rating"] == "unrated":
        err.print(
            f"[yellow]{escape(row['rating_original'])!r} is not on the rating scale: stored as "
            "unrated with your words kept (extend claimgraph/data/ratings.yaml).[/yellow]"
        )


if __name__ == "__main__":
    app()
