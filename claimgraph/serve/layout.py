"""The app's layout of the one provenance graph (link/provenance.narrative_graph): columns by
node kind, rows by weight, a link per node (speaker, outlet or document page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

WIDTH, ROW, COLUMN, BOX = 960, 34, 240, 200
LEGEND = {
    "speaker": "said by",
    "cited": "cited outlets",
    "publisher": "published by",
    "document": "document",
}


def node_href(v: dict[str, Any]) -> str | None:
    """Where a click on a node goes: the speaker's, outlet's or document's page."""
    if v["kind"] == "speaker":
        return f"/speakers/{quote(v['speaker'], safe='')}" if v.get("speaker") else None
    if v["kind"] == "publisher":
        return f"/outlets/{quote(v['key'], safe='')}"
    if v["kind"] == "cited":
        return "/claims?" + f"via={quote(v['key'], safe='')}"
    return f"/documents/{quote(v['key'], safe='')}"


def lay_out(graph: dict[str, Any], narrative: dict[str, Any]) -> dict[str, Any]:
    """Pixel positions for the SVG template, and the chains with node labels."""
    kinds = [k for k in graph["kinds"] if k in LEGEND]  # claims are listed, not drawn
    nodes = {v["id"]: dict(v) for v in graph["nodes"] if v["kind"] in LEGEND}
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
                **e,
                "x1": nodes[e["source"]]["x"] + BOX,
                "y1": nodes[e["source"]]["y"] + 10,
                "x2": nodes[e["target"]]["x"],
                "y2": nodes[e["target"]]["y"] + 10,
            }
            for e in graph["edges"]
            if e["source"] in nodes and e["target"] in nodes
        ],
        "chains": [
            {
                **ch,
                "href": f"/documents/{ch['document_id']}#s-{ch['sentence_id']}",
                "path": [nodes[p]["label"] for p in ch["path"] if p in nodes],
            }
            for ch in graph["chains"]
        ],
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
