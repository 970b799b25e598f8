"""The provenance graph as GraphML and GEXF, for Gephi, Cytoscape, yEd, igraph and networkx.

The graph is the one the app and the report draw (claimgraph.link.provenance: `build_graph` over
the whole corpus, converted with `to_networkx()`): documents, outlets, speakers (named with or
without an entity, or anonymous), claims and narratives joined by publishes / reprints /
contains / quotes / cites / rests_on / repeats / member_of, each edge with a `weight`
(docs/export.md). Both formats are strict about attribute values, so the graph is cleaned
first: no None or empty text (the attribute is left out), lists and dicts as JSON text, one type
per attribute name (mixed ones become text), no characters XML 1.0 forbids. Every node has
`label` and `kind`, every edge `relation` and `label` (= relation), so Gephi shows and colours
them without setup. Node ids stay the model's (`document:doc_…`, `outlet:Fars News Agency`,
`speaker:ent_…`, `speaker:anonymous: a senior official`) so a node leads back to the database;
GraphML edges get unique ids `e0`, `e1`, … (GEXF numbers them and keeps that id as the
`networkx_key` attribute).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from claimgraph.link.provenance import build_graph
from claimgraph.store import Store

GRAPHML = "provenance.graphml"
GEXF = "provenance.gexf"
GRAPH_FORMATS = ("graphml", "gexf")

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SCALARS = (bool, int, float, str)
# Names the writers treat specially (GEXF's edge `type` must be directed/undirected, `start` and
# `end` make a graph dynamic): an attribute so named is kept under name + "_".
_RESERVED_NODE = frozenset({"id", "pid", "start", "end", "spells", "viz"})
_RESERVED_EDGE = frozenset({"id", "key", "type", "start", "end", "spells", "viz"})


def xml_safe(value: str) -> str:
    """Drop the characters XML 1.0 cannot hold (control characters pasted from web pages)."""
    return _XML_ILLEGAL.sub("", value)


def _clean_value(value: Any) -> bool | int | float | str | None:
    if value is None or value == "":
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        value = value.item()
    if isinstance(value, list | tuple | set | frozenset | dict):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return xml_safe(json.dumps(items, ensure_ascii=False, default=str))
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, _SCALARS):
        return value
    return xml_safe(str(value))


def _clean_attrs(attrs: dict[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    out = {}
    for key, value in attrs.items():
        clean = _clean_value(value)
        if clean is not None:
            name = xml_safe(str(key))
            out[f"{name}_" if name in reserved else name] = clean
    return out


def _unify_types(records: Iterable[dict[str, Any]]) -> None:
    """One type per attribute name: where values of a key differ in type, all become text."""
    records = list(records)
    types: dict[str, set[type]] = defaultdict(set)
    for attrs in records:
        for key, value in attrs.items():
            types[key].add(type(value))
    mixed = {key for key, seen in types.items() if len(seen) > 1}
    for attrs in records:
        for key in mixed & attrs.keys():
            value = attrs[key]
            attrs[key] = str(value).lower() if isinstance(value, bool) else str(value)


def exportable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the graph that GraphML and GEXF writers (and Gephi) accept as it is."""
    out = nx.MultiDiGraph()
    ids = {node: xml_safe(str(node)) for node in graph.nodes}
    for node, attrs in graph.nodes(data=True):
        clean = _clean_attrs(attrs, _RESERVED_NODE)
        clean.setdefault("kind", str(node).split(":", 1)[0])
        clean.setdefault("label", ids[node])
        out.add_node(ids[node], **clean)
    for i, (u, v, key, attrs) in enumerate(graph.edges(keys=True, data=True)):
        clean = _clean_attrs(attrs, _RESERVED_EDGE)
        relation = str(clean.get("relation", key))
        clean["relation"] = relation
        clean["label"] = relation
        out.add_edge(ids[u], ids[v], key=f"e{i}", **clean)
    _unify_types(attrs for _, attrs in out.nodes(data=True))
    _unify_types(attrs for *_, attrs in out.edges(keys=True, data=True))
    return out


def _write(graph: nx.MultiDiGraph, out: Path, fmt: str) -> tuple[str, int]:
    if fmt == "graphml":
        nx.write_graphml(graph, out / GRAPHML, encoding="utf-8")
        return GRAPHML, graph.number_of_nodes() + graph.number_of_edges()
    if fmt == "gexf":
        nx.write_gexf(graph, out / GEXF, encoding="utf-8", version="1.2draft")
        return GEXF, graph.number_of_nodes() + graph.number_of_edges()
    raise ValueError(f"unknown graph format {fmt!r}; choose from {', '.join(GRAPH_FORMATS)}")


def export_graph(
    store: Store, out_dir: str | Path, formats: Iterable[str] = GRAPH_FORMATS
) -> dict[str, int]:
    """Write the provenance graph once per format (built once); returns nodes + edges per file."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    graph = exportable(build_graph(store).to_networkx())
    return dict(_write(graph, out, fmt) for fmt in formats)


def export_graphml(store: Store, out_dir: str | Path) -> dict[str, int]:
    return export_graph(store, out_dir, ("graphml",))


def export_gexf(store: Store, out_dir: str | Path) -> dict[str, int]:
    return export_graph(store, out_dir, ("gexf",))
