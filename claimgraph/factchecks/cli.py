"""`claimgraph factchecks ...`: import fact-checks, match the corpus' claims to them, list links.

A Typer sub-app, mounted by claimgraph/cli.py, so the fact-check commands live beside the code
they drive.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from claimgraph.factchecks.match import (
    DEFAULT_MIN_SIMILARITY,
    DEFAULT_POSSIBLE_SIMILARITY,
    DEFAULT_THRESHOLD,
    DEFAULT_TOP_K,
    DEFAULT_WHOLE_DOCUMENT_CHARS,
    MatchSettings,
)
from claimgraph.factchecks.store import ImportSummary
from claimgraph.link.embeddings import DEFAULT_EMBEDDING_MODEL, EncoderLoadError
from claimgraph.store import DEFAULT_DB, Store
from claimgraph.store.factchecks import factchecks_by_format, link_tallies
from claimgraph.terminal import escape  # markup-escaped, control characters stripped

app = typer.Typer(
    name="factchecks",
    help="Fact-checks: import other people's verdicts and find which claims they check.",
    no_args_is_help=True,
)

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="CLAIMGRAPH_DB",
        help="SQLite file, or postgresql://user@host/db for a shared server.",
    ),
]


def _consoles() -> tuple[Console, Console]:
    return Console(), Console(stderr=True)


def _counts(title: str, counts: dict[str, int]) -> str:
    body = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"[bold]{title}[/bold]: {escape(body) or '-'}"


def print_import(summary: ImportSummary, console: Console, err: Console) -> None:
    table = Table(title="claimgraph factchecks import", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("fact-checks read", str(summary.read))
    table.add_row("imported (new)", str(summary.imported))
    table.add_row("already in the database", str(summary.existing))
    table.add_row("repeated in the input", str(summary.repeated))
    table.add_row("skipped", str(len(summary.skipped)))
    console.print(table)
    console.print(_counts("by format", summary.by_format))
    console.print(_counts("by rating", summary.by_rating))
    console.print(_counts("by language", summary.by_language))
    if summary.read and not summary.imported:
        console.print("Nothing new: every fact-check read is already in the database.")
    if summary.skipped:
        reasons: dict[str, int] = {}
        for bad in summary.skipped:
            reasons[bad.reason] = reasons.get(bad.reason, 0) + 1
        skipped = Table(title="skipped", title_justify="left")
        skipped.add_column("source", overflow="fold")
        skipped.add_column("reason", overflow="fold")
        for bad in summary.skipped[:30]:
            skipped.add_row(escape(bad.source), escape(bad.reason))
        if len(summary.skipped) > 30:
            skipped.add_row(f"… {len(summary.skipped) - 30} more", "")
        err.print(skipped)
        err.print(_counts("skipped by reason", reasons))


@app.command("import")
def import_(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders or globs: HTML, JSON-LD, JSONL, CSV.")
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Import fact-checks: ClaimReview (HTML, JSON-LD, CSV), Google Fact Check Tools, EUvsDisinfo."""
    from claimgraph.factchecks.readers import read_factchecks
    from claimgraph.factchecks.store import import_records

    console, err = _consoles()
    with Store(db) as store:
        summary = import_records(store, read_factchecks(paths))
    print_import(summary, console, err)
    if not summary.ok:
        err.print("[red]No fact-check could be read.[/red]")
        raise typer.Exit(1)


@app.command("match")
def match(
    db: DbOption = DEFAULT_DB,
    threshold: Annotated[
        float | None,
        typer.Option(
            help=f"Lowest fused score of a confident link (default {DEFAULT_THRESHOLD} with the "
            "learned fusion of the default model; with other models every link is possible)."
        ),
    ] = None,
    min_similarity: Annotated[
        float | None,
        typer.Option(
            help="Lowest cosine between claim and fact-check of a confident link (default "
            f"{DEFAULT_MIN_SIMILARITY}; the fused score is relative to the other candidates, "
            "the cosine is absolute)."
        ),
    ] = DEFAULT_MIN_SIMILARITY,
    possible_similarity: Annotated[
        float | None,
        typer.Option(
            help="Lowest cosine of any link, a possible match too (default "
            f"{DEFAULT_POSSIBLE_SIMILARITY}; 0 keeps every top-k candidate)."
        ),
    ] = DEFAULT_POSSIBLE_SIMILARITY,
    window_days: Annotated[
        int | None,
        typer.Option(
            help="Only fact-checks within this many days of the claim's date (default: any date)."
        ),
    ] = None,
    top_k: Annotated[
        int, typer.Option(help="Fact-checks kept per claim, confident or possible.")
    ] = DEFAULT_TOP_K,
    whole_document_chars: Annotated[
        int,
        typer.Option(
            help="Documents up to this many characters (posts, headlines) are matched whole: "
            "each of their claims asks with the whole text (0: every claim by its own text)."
        ),
    ] = DEFAULT_WHOLE_DOCUMENT_CHARS,
    embedding_model: Annotated[
        str, typer.Option(help="sentence-transformers model for the dense side.")
    ] = DEFAULT_EMBEDDING_MODEL,
) -> None:
    """Link every claim to the imported fact-checks that check it (replaces earlier links)."""
    from claimgraph.factchecks.match import match_claims
    from claimgraph.factchecks.store import count_factchecks

    console, err = _consoles()
    settings = MatchSettings(
        threshold=threshold,
        min_similarity=min_similarity,
        possible_similarity=possible_similarity,
        top_k=top_k,
        window_days=window_days,
        whole_document_chars=whole_document_chars,
        embedding_model=embedding_model,
    )
    with Store(db) as store:
        n_factchecks = count_factchecks(store)
        n_claims = store.counts()["claims"]
        if not n_factchecks:
            err.print("No fact-checks yet: import some with `claimgraph factchecks import`.")
        console.print(
            f"Matching {n_claims} claims against {n_factchecks} fact-checks "
            f"({escape(embedding_model)}) …"
        )
        try:
            written = match_claims(store, settings)
        except EncoderLoadError as exc:
            err.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(2) from exc
        tallies = link_tallies(store)
        linked, possible = tallies["confident_claims"], tallies["possible_only_claims"]
    console.print(
        f"{written} links written; {linked} of {n_claims} claims have a confident fact-check, "
        f"{possible} more only possible matches."
    )
    if written:
        _print_links(db, 10, console)


def _print_links(db: str, limit: int, console: Console) -> None:
    from claimgraph.factchecks.store import load_links

    with Store(db, read_only=True) as store:
        links = [r for r in load_links(store) if r["rank"] == 1][:limit]
    table = Table(title="best fact-check per claim (highest scores)", title_justify="left")
    for col in ("score", "tier", "claim", "fact-check", "rating", "reviewer", "date"):
        table.add_column(col, overflow="fold")
    for r in links:
        table.add_row(
            f"{r['score']:.2f}",
            "fact-checked" if r["tier"] == "confident" else "possible match",
            escape(r["claim_text"]),
            escape(r["factcheck_text"][:300]),
            escape(r["rating_original"] or r["rating"]),
            escape(r["reviewer"] or ""),
            escape(r["review_date"] or r["claim_date"] or ""),
        )
    console.print(table)


@app.command("list")
def list_(
    db: DbOption = DEFAULT_DB,
    limit: Annotated[int, typer.Option(help="Linked claims to show.")] = 20,
) -> None:
    """Fact-checks in the database by format and rating, and the claims linked to them."""
    console, _ = _consoles()
    with Store(db, read_only=True) as store:
        by_format = factchecks_by_format(store)
        n_links = link_tallies(store)["links"]
    if not by_format:
        console.print("No fact-checks yet: import some with `claimgraph factchecks import`.")
        return
    formats: dict[str, dict[str, int]] = {}
    for r in by_format:
        formats.setdefault(r["format"], {})[r["rating"]] = int(r["n"])
    for fmt, ratings in formats.items():
        console.print(_counts(f"{fmt} ({sum(ratings.values())})", ratings))
    console.print(f"{n_links} claim-to-fact-check links")
    if n_links:
        _print_links(db, limit, console)
