"""`claimgraph report`: the whole analysis as one self-contained HTML file.

The file loads nothing from anywhere (no CDN, no fonts, no images), so it opens from disk,
can be mailed or archived, and prints. Article text is hostile input: every string from the
database goes through Jinja2 autoescaping or markupsafe, only http(s) URLs become links, and a
Content-Security-Policy lets only this module's own inline style and script run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from claimgraph import __version__
from claimgraph.report import svg
from claimgraph.report.data import gather
from claimgraph.report.segments import render_blocks, segment
from claimgraph.store import Store

__all__ = ["build_context", "render_report", "write_report"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def build_context(
    store: Store,
    title: str = "claimgraph report",
    top: int | None = None,
    all_narratives: bool = False,
    full_text: bool = False,
) -> dict[str, Any]:
    """The template's data: what `gather` reads, plus the charts and highlighted texts.

    Compact unless `full_text`: a document shows only the sentences the report links to (with
    their marks), and the long lists their first rows, so a report of a thousand articles
    stays a few megabytes; the full text is one option away."""
    data = gather(store, top=top, all_narratives=all_narratives, compact=not full_text)
    for n in data["narratives"]:
        for share in n["shares"]:
            share["bar"] = svg.bar(share["share"], share["name"], colour=share["colour"])
        n["timeline_svg"] = svg.timeline(n["points"], f"Timeline of “{svg.clip(n['label'], 80)}”")
        nodes, edges = n["graph"]
        n["graph_svg"] = svg.provenance(nodes, edges, f"Provenance of “{svg.clip(n['label'], 80)}”")
    # Every sentence the rest of the report links to stays drawn in compact mode (a document's
    # own list of signals then links only to those).
    rest = {k: v for k, v in data.items() if k != "documents"}
    linked = {int(x) for x in re.findall(r"#s-(\d+)", json.dumps(rest, default=str))}
    for d in data["documents"]:
        blocks = segment(d["text"], d["sentences"], d["spans"])
        if not full_text:
            for g in d["signals"]:
                if g["href"].startswith("#s-") and int(g["href"][3:]) not in linked:
                    g["href"] = None
            blocks = [b for b in blocks if b.sentence_id is not None and b.sentence_id in linked]
            gap = Markup(' <span class="gap">…</span> ')
            parts: list[Markup] = []
            for i, b in enumerate(blocks):
                if i:  # consecutive sentences read on; a skipped stretch shows as …
                    follows = b.sentence_id == blocks[i - 1].sentence_id + 1
                    parts.append(Markup(" ") if follows else gap)
                parts.append(render_blocks([b]))
            d["body"] = Markup("").join(parts)
            d["shown_sentences"] = len({b.sentence_id for b in blocks})
        else:
            d["body"] = render_blocks(blocks)
    data["full_text"] = full_text
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src '{_sha256(css)}'; script-src '{_sha256(js)}'; "
        "base-uri 'none'; form-action 'none'"
    )
    return {
        "data": data,
        "title": title,
        "version": __version__,
        # Our own files, hashed into the CSP: trusted markup, never data.
        "css": Markup(css),
        "js": Markup(js),
        "csp": csp,
    }


def render_report(
    store: Store,
    title: str = "claimgraph report",
    top: int | None = None,
    all_narratives: bool = False,
    full_text: bool = False,
) -> str:
    """The report as one HTML string (narratives told in two documents or more, the `top`
    most spread when given; `all_narratives` adds single-document candidates)."""
    template = _environment().get_template("report.html.j2")
    return template.render(**build_context(store, title, top, all_narratives, full_text))


def write_report(
    store: Store,
    path: str | Path,
    title: str = "claimgraph report",
    top: int | None = None,
    all_narratives: bool = False,
    full_text: bool = False,
) -> Path:
    """Write the report to `path` (folders created as needed); returns the path written."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(store, title, top, all_narratives, full_text), encoding="utf-8")
    return out
