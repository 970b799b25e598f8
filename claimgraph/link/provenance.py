"""The provenance graph: who published, quoted, cited and repeated what, and what it rests on.

Nodes are documents, outlets, speakers (named entities or anonymous sources, as described) and
claims; edges are `publishes`, `reprints`, `contains`, `quotes`, `cites`, `rests_on`, `repeats`
and `member_of`. It is built from the store with networkx, so it can be exported to
GraphML/GEXF for Gephi or queried in Python; `trace` answers "what does this narrative (or
claim) trace back to?".
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from claimgraph.store import Store
from claimgraph.store.read import read_model, safe_url


def _speaker_node(att: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    if att["speaker_entity_id"]:
        return f"speaker:{att['speaker_entity_id']}", {
            "kind": "speaker",
            "label": att["speaker"],
            "anonymous": False,
        }
    if att["anonymous"]:
        desc = att["speaker_description"] or "unnamed source"
        return f"source:{desc.casefold()}", {"kind": "speaker", "label": desc, "anonymous": True}
    return None


def build_graph(store: Store) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    reads = read_model(store)
    docs = reads.graph_documents()
    for d in docs:
        graph.add_node(
            f"document:{d['id']}",
            kind="document",
            label=d["title"] or d["id"],
            date=d["date"] or "",
        )
        if d["outlet"]:
            graph.add_node(f"outlet:{d['outlet']}", kind="outlet", label=d["outlet"])
            graph.add_edge(
                f"outlet:{d['outlet']}",
                f"document:{d['id']}",
                key="publishes",
                relation="publishes",
            )
        reprinted = json.loads(d["meta"] or "{}").get("reprinted_by")
        if reprinted:
            graph.add_node(f"outlet:{reprinted}", kind="outlet", label=reprinted)
            graph.add_edge(
                f"outlet:{reprinted}", f"document:{d['id']}", key="reprints", relation="reprints"
            )
    atts = {a["id"]: a for a in store.attributions()}
    for att in atts.values():
        doc_node = f"document:{att['document_id']}"
        speaker = _speaker_node(att)
        chain = [f"outlet:{o}" for o in att["via"]]
        for node in chain:
            graph.add_node(node, kind="outlet", label=node.split(":", 1)[1])
        if speaker:
            graph.add_node(speaker[0], **speaker[1])
            # The speaker's words reach the document through the chain, nearest outlet first.
            first = chain[0] if chain else doc_node
            graph.add_edge(first, speaker[0], key="quotes", relation="quotes")
        for nearer, farther in zip(chain, chain[1:], strict=False):
            graph.add_edge(farther, nearer, key="cites", relation="cites")
        if chain:
            graph.add_edge(doc_node, chain[-1], key="cites", relation="cites")
    claims = reads.graph_claims()
    by_narrative: dict[str, list[dict[str, Any]]] = {}
    for c in claims:
        node = f"claim:{c['id']}"
        graph.add_node(node, kind="claim", label=c["text"], date=c["date"] or "")
        graph.add_edge(f"document:{c['document_id']}", node, key="contains", relation="contains")
        att = atts.get(c["attribution_id"] or "")
        speaker = _speaker_node(att) if att else None
        if speaker:
            graph.add_edge(node, speaker[0], key="rests_on", relation="rests_on")
        if c["reported"]:
            by_narrative.setdefault(c["reported"], []).append(c)
    for narrative in reads.narrative_labels():
        n_node = f"narrative:{narrative['id']}"
        graph.add_node(n_node, kind="narrative", label=narrative["label"])
        members = sorted(
            by_narrative.get(narrative["id"], []), key=lambda c: (c["date"] or "9999", c["id"])
        )
        for c in members:
            graph.add_edge(f"claim:{c['id']}", n_node, key="member_of", relation="member_of")
        # A retelling in another document repeats the earliest telling before it.
        for earlier, later in zip(members, members[1:], strict=False):
            if earlier["document_id"] != later["document_id"]:
                graph.add_edge(
                    f"claim:{later['id']}",
                    f"claim:{earlier['id']}",
                    key="repeats",
                    relation="repeats",
                )
    return graph


GRAPH_KINDS = ("speaker", "cited", "publisher", "document", "claim")


def speaker_key(c: dict[str, Any]) -> tuple[str, str, bool]:
    """The speaker a claim rests on, as (key, label, anonymous): the read model's one
    definition (entity id, 'name: X', 'anonymous: D'), or the article itself."""
    if c.get("anonymous"):
        desc = c.get("speaker_description") or "unnamed source"
        return c.get("speaker_entity_id") or f"anonymous: {desc}", desc, True
    if c.get("speaker_entity_id"):
        return c["speaker_entity_id"], c.get("speaker") or c["speaker_entity_id"], False
    if c.get("speaker"):
        return f"name: {c['speaker']}", c["speaker"], False
    return "", "the article itself", False


def narrative_graph(claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The one provenance graph of a set of claims (a narrative): speaker -> cited outlets
    (nearest the speaker first) -> publisher -> document -> claim, one chain per claim, as
    plain nodes and weighted edges; each surface (app, report) lays it out and draws it, and
    chooses which kinds to draw.

    Claim rows need: id, text, date, document_id, document_title, published, publisher,
    sentence_id, speaker, speaker_entity_id, anonymous, speaker_description and via.
    """
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], int] = {}
    chains = []

    def node(kind: str, key: str, label: str, **extra: Any) -> str:
        ident = f"{kind}:{key.casefold() if kind not in ('document', 'claim') else key}"
        if ident not in nodes:
            nodes[ident] = {
                "id": ident,
                "kind": kind,
                "key": key,
                "label": label,
                "claims": 0,
                **extra,
            }
        nodes[ident]["claims"] += 1
        return ident

    for c in claims:
        key, label, anonymous = speaker_key(c)
        path = [node("speaker", key or "article", label, anonymous=anonymous, speaker=key or None)]
        path += [node("cited", o, o) for o in c.get("via") or []]
        if c.get("publisher"):
            path.append(node("publisher", c["publisher"], c["publisher"]))
        path.append(
            node(
                "document",
                c["document_id"],
                c.get("document_title") or c["document_id"],
                date=c.get("published"),
            )
        )
        for a, b in zip(path, path[1:], strict=False):
            if a != b:
                edges[(a, b)] = edges.get((a, b), 0) + 1
        claim = node(
            "claim", c["id"], c["text"], date=c.get("date"), sentence_id=c.get("sentence_id")
        )
        edges[(path[-1], claim)] = 1
        chains.append(
            {
                "claim_id": c["id"],
                "date": c.get("date"),
                "text": c["text"],
                "document_id": c["document_id"],
                "sentence_id": c.get("sentence_id"),
                "path": path,
            }
        )
    return {
        "kinds": list(GRAPH_KINDS),
        "nodes": list(nodes.values()),
        "edges": [{"source": a, "target": b, "claims": w} for (a, b), w in edges.items()],
        "chains": chains,
    }


@dataclass(slots=True)
class Trace:
    """What a narrative or claim rests on, earliest telling first."""

    kind: str  # "narrative" | "claim"
    id: str
    label: str
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    speakers: list[tuple[str, int]] = field(default_factory=list)
    anonymous_sources: list[tuple[str, int]] = field(default_factory=list)
    outlets: list[tuple[str, int]] = field(default_factory=list)
    publishers: list[tuple[str, int]] = field(default_factory=list)
    signals: list[tuple[str, int]] = field(default_factory=list)
    factchecks: list[dict[str, Any]] = field(default_factory=list)  # best link per fact-check


def factcheck_links(store: Store, claim_ids: list[str]) -> list[dict[str, Any]]:
    """Imported fact-checks linked to these claims, one entry per fact-check (its best link,
    and every claim it was linked to): confident links first (the claim is fact-checked),
    then possible matches, each tier best score first."""
    return read_model(store).factcheck_links(claim_ids)


def resolve_ref(store: Store, ref: str) -> tuple[str, str] | None:
    """A narrative or claim by id, id prefix, or words of its label/text."""
    return read_model(store).resolve_ref(ref)


def trace(store: Store, ref: str) -> Trace | None:
    found = resolve_ref(store, ref)
    if found is None:
        return None
    kind, ident = found
    reads = read_model(store)
    label, claim_ids = reads.trace_head(kind, ident)
    reviews = reads.reviews(claim_ids)
    result = Trace(kind=kind, id=ident, label=label)
    speakers: Counter[str] = Counter()
    anonymous: Counter[str] = Counter()
    outlets: Counter[str] = Counter()
    publishers: Counter[str] = Counter()
    signals: Counter[str] = Counter()
    for c in reads.trace_claims(claim_ids):
        has_att = c["attribution_id"] is not None and c["att_anonymous"] is not None
        via = c["via"]
        speaker = c["att_speaker"] if has_att and not c["att_anonymous"] else None
        description = c["speaker_description"] if has_att and c["att_anonymous"] else None
        if speaker:
            speakers[speaker] += 1
        if description:
            anonymous[description] += 1
        for outlet in via:
            outlets[outlet] += 1
        if c["publisher"]:
            publishers[c["publisher"]] += 1
        for sig in json.loads(c["signal_types"] or "[]"):
            signals[sig] += 1
        result.occurrences.append(
            {
                "claim_id": c["id"],
                "text": c["text"],
                "date": c["date"],
                "document_id": c["document_id"],
                "document_title": c["title"],
                "document_source": c["source"],
                "document_url": safe_url(c["document_url"]),
                "publisher": c["publisher"],
                "speaker": speaker,
                "anonymous": bool(description),
                "speaker_description": description,
                "via": via,
                "signals": json.loads(c["signal_types"] or "[]"),
                "sentence": c["sentence"],
                "start": c["start_char"],
                "end": c["end_char"],
                "review": reviews.get(c["id"]),
            }
        )
    result.occurrences.sort(
        key=lambda o: (o["date"] is None, o["date"] or "", o["document_source"], o["start"])
    )
    result.speakers = speakers.most_common()
    result.anonymous_sources = anonymous.most_common()
    result.outlets = outlets.most_common()
    result.publishers = publishers.most_common()
    result.signals = signals.most_common()
    result.factchecks = factcheck_links(store, claim_ids) if claim_ids else []
    return result
