"""The app's layout of the one provenance graph (link/provenance.narrative_graph): a column per
step of the claims' chains (speaker, cited outlets, publisher, document), rows by weight, a link
per node (speaker, outlet or document page). An outlet both cited and publishing is drawn once
in each column; a claim with no speaker starts at "the article itself"."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from claimgraph.link.provenance import ARTICLE_ITSELF, ProvenanceGraph

WIDTH, ROW, COLUMN, BOX = 960, 34, 240, 200
LEGEND = {
    "speaker": "said by",
    "cited": "cited outlets",
    "publisher": "published by",
    "document": "document",
}
ARTICLE = "speaker:"  # the drawn node for claims with no speaker


def node_href(v: dict[str, Any]) -> str | None:
    """Where a click on a node goes: the speaker's, outlet's or document's page."""
    if v["kind"] == "speaker":
        return f"/speakers/{quote(v['speaker'], safe='')}" if v.get("speaker") else None
    if v["kind"] == "publisher":
        return f"/outlets/{quote(v['key'], safe='')}"
    if v["kind"] == "cited":
        return "/claims?" + f"via={quote(v['key'], safe='')}"
    return f"/documents/{quote(v['key'], safe='')}"


def _drawn(graph: ProvenanceGraph, column: str, node_id: str) -> dict[str, Any]:
    if node_id == ARTICLE:
        return {"kind": column, "key": "", "label": ARTICLE_ITSELF, "speaker": None}
    v = graph.nodes[node_id]
    out = {"kind": column, "node": v.id, "key": v.key, "label": v.label, **v.attrs}
    if column == "speaker":
        out["speaker"] = v.key
    return out


def lay_out(graph: ProvenanceGraph, narrative: dict[str, Any]) -> dict[str, Any]:
    """Pixel positions for the SVG template, and the chains with node labels."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], int] = {}
    chains = []
    for ch in graph.chains:
        steps = [("speaker", ch.speaker or ARTICLE), *(("cited", o) for o in ch.via)]
        if ch.publisher:
            steps.append(("publisher", ch.publisher))
        steps.append(("document", ch.document))
        path = []
        for column, node_id in steps:
            drawn = f"{column}|{node_id}"
            if drawn not in nodes:
                nodes[drawn] = {"id": drawn, "claims": 0, **_drawn(graph, column, node_id)}
            if drawn not in path:
                nodes[drawn]["claims"] += 1
                path.append(drawn)
        for a, b in zip(path, path[1:], strict=False):
            edges[(a, b)] = edges.get((a, b), 0) + 1
        chains.append(
            {
                **ch.row,
                "href": f"/documents/{ch.row['document_id']}#s-{ch.row['sentence_id']}",
                "path": [nodes[p]["label"] for p in path],
            }
        )
    kinds = list(LEGEND)
    heights = []
    for i, kind in enumerate(kinds):
        members = sorted(
            (v for v in nodes.values() if v["kind"] == kind),
            key=lambda v: (-v["claims"], v["label"]),
        )
        for j, v in enumerate(members):
            v["x"], v["y"] = 10 + i * COLUMN, 40 + j * ROW
            v["short"] = v["label"] if len(v["label"]) <= 30 else v["label"][:29] + "…"
            v["href"] = node_href(v)
        heights.append(len(members))
    return {
        "narrative": {k: narrative[k] for k in ("id", "label", "claims", "documents")},
        "columns": [
            {"kind": k, "label": LEGEND[k], "x": 10 + i * COLUMN} for i, k in enumerate(kinds)
        ],
        "legend": [{"kind": k, "label": LEGEND[k]} for k in kinds],
        "nodes": list(nodes.values()),
        "edges": [
            {
                "source": a,
                "target": b,
                "claims": w,
                "x1": nodes[a]["x"] + BOX,
                "y1": nodes[a]["y"] + 10,
                "x2": nodes[b]["x"],
                "y2": nodes[b]["y"] + 10,
            }
            for (a, b), w in edges.items()
        ],
        "chains": chains,
        "graph": graph.as_dict(),
        "width": WIDTH,
        "height": 60 + max(heights or [1]) * ROW,
    }


def timeline(months: list[dict[str, Any]], width: int = 720, height: int = 120) -> dict[str, Any]:
    """Bars of claims per month for the SVG timeline on narrative, speaker and outlet pages."""
    if not months:
        return {"bars": [], "width": width, "height": height}
    peak = max(m["claims"] for m in months)
    step = max(4, min(60, (width - 20) // len(months)))
    bars = []
    for i, m in enumerate(months):
        h = max(2, round((height - 30) * m["claims"] / peak))
        bars.append({**m, "x": 10 + i * step, "y": height - 20 - h, "w": max(2, step - 2), "h": h})
    return {"bars": bars, "width": max(width, 20 + step * len(months)), "height": height}
