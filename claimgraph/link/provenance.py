"""The provenance graph: who published, quoted, cited and repeated what, and what it rests on.

One model for every surface: `GraphBuilder` makes a `ProvenanceGraph` of nodes (kinds
`document`, `outlet`, `speaker`, `claim`, `narrative`) and relations, each read "source
relation target":

- outlet `publishes` document; outlet `reprints` document (the page says it reprints it);
- document `contains` claim;
- document `cites` outlet (the sourcing chain's outlet nearest the document), outlet `cites`
  outlet (farther from the speaker cites nearer), and the chain's first outlet (or the document
  itself when there is no chain) `quotes` speaker: one chain per attribution, claims or not;
- claim `rests_on` speaker;
- claim `member_of` narrative; a retelling in another document `repeats` the telling before it.

Node ids lead back to the database and to the app: `document:<id>`, `claim:<id>`,
`narrative:<id>`, `outlet:<name>` and `speaker:<key>`, where the key is the read model's one
speaker definition (entity id, `name: X`, `anonymous: D`). Every edge carries `weight`: how many
attributions (quotes, cites) or claims give it. Each claim also gets its `Chain` (speaker, cited
outlets nearest the speaker first, publisher, document): the route a reader follows from the
source to the claim, which the app (serve/layout.py) and the report (report/data.py) lay out
and draw; the GraphML/GEXF export (export/graph.py) writes the nodes and edges through
`to_networkx()`. `build_graph` builds it for the whole corpus, `narrative_graph` for the claims
of one narrative. `trace` answers "what does this narrative (or claim) trace back to?".
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from claimgraph.store import Store
from claimgraph.store.read import read_model, safe_url

NODE_KINDS = ("speaker", "outlet", "document", "claim", "narrative")
RELATIONS = (
    "publishes",
    "reprints",
    "contains",
    "cites",
    "quotes",
    "rests_on",
    "member_of",
    "repeats",
)
ARTICLE_ITSELF = "the article itself"  # how the drawings name a claim's missing speaker


@dataclass(slots=True)
class Node:
    id: str
    kind: str
    key: str  # the id in its own table (speaker key, outlet name, document/claim/narrative id)
    label: str
    claims: int = 0  # claims of the graph that rest on or pass through it
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    relation: str
    weight: int = 0


@dataclass(slots=True)
class Chain:
    """One claim's route, as node ids: speaker (None: the article itself) -> cited outlets
    (nearest the speaker first) -> publisher (None: unknown) -> document -> claim."""

    claim: str
    speaker: str | None
    via: list[str]
    publisher: str | None
    document: str
    row: dict[str, Any]  # claim_id, date, text, document_id, sentence_id


@dataclass(slots=True)
class ProvenanceGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)
    chains: list[Chain] = field(default_factory=list)

    def to_networkx(self) -> nx.MultiDiGraph:
        """The graph for networkx (and GraphML/GEXF): one edge per (source, target, relation),
        keyed by relation."""
        graph = nx.MultiDiGraph()
        for v in self.nodes.values():
            graph.add_node(v.id, kind=v.kind, label=v.label, claims=v.claims, **v.attrs)
        for e in self.edges.values():
            graph.add_edge(e.source, e.target, key=e.relation, relation=e.relation, weight=e.weight)
        return graph

    def as_dict(self) -> dict[str, Any]:
        """Plain nodes and edges (the app's JSON)."""
        return {
            "nodes": [
                {
                    "id": v.id,
                    "kind": v.kind,
                    "key": v.key,
                    "label": v.label,
                    "claims": v.claims,
                    **v.attrs,
                }
                for v in self.nodes.values()
            ],
            "edges": [
                {"source": e.source, "target": e.target, "relation": e.relation, "weight": e.weight}
                for e in self.edges.values()
            ],
        }


def speaker_key(c: dict[str, Any]) -> tuple[str, str, bool]:
    """The speaker an attribution (or claim) rests on, as (key, label, anonymous): the read
    model's one definition (entity id, 'name: X', 'anonymous: D'); key '' when there is none."""
    if c.get("anonymous"):
        desc = c.get("speaker_description") or "unnamed source"
        return c.get("speaker_entity_id") or f"anonymous: {desc}", desc, True
    if c.get("speaker_entity_id"):
        return c["speaker_entity_id"], c.get("speaker") or c["speaker_entity_id"], False
    if c.get("speaker"):
        return f"name: {c['speaker']}", c["speaker"], False
    return "", ARTICLE_ITSELF, False


class GraphBuilder:
    """Builds one ProvenanceGraph from plain rows: documents, then attributions and claims,
    then narratives. Adding a row twice changes nothing."""

    def __init__(self) -> None:
        self.graph = ProvenanceGraph()
        self._publisher: dict[str, str | None] = {}  # document node -> publisher node
        self._attribution: dict[str, tuple[str | None, list[str]]] = {}  # id -> speaker, via

    def _node(self, kind: str, key: str, label: str, **attrs: Any) -> str:
        ident = f"{kind}:{key}"
        if ident not in self.graph.nodes:
            clean = {k: v for k, v in attrs.items() if v is not None}
            self.graph.nodes[ident] = Node(ident, kind, key, label or key, attrs=clean)
        return ident

    def _edge(self, source: str, target: str, relation: str) -> None:
        edge = self.graph.edges.setdefault(
            (source, target, relation), Edge(source, target, relation)
        )
        edge.weight += 1

    def document(
        self,
        doc_id: str,
        title: str | None = None,
        date: str | None = None,
        outlet: str | None = None,
        reprinted_by: str | None = None,
    ) -> str:
        """A document, its publisher (`publishes`) and the outlet it says it reprints from."""
        node = f"document:{doc_id}"
        if node in self._publisher:
            return node
        self._node("document", doc_id, title or doc_id, date=date or None)
        publisher = self._node("outlet", outlet, outlet) if outlet else None
        if publisher:
            self._edge(publisher, node, "publishes")
        if reprinted_by:
            self._edge(self._node("outlet", reprinted_by, reprinted_by), node, "reprints")
        self._publisher[node] = publisher
        return node

    def attribution(self, att: dict[str, Any]) -> tuple[str | None, list[str]]:
        """An attribution's speaker and sourcing chain: document `cites` the outlet nearest it,
        each outlet `cites` the one nearer the speaker, the first `quotes` the speaker."""
        if att["id"] in self._attribution:
            return self._attribution[att["id"]]
        doc = self.document(att["document_id"])
        key, label, anonymous = speaker_key(att)
        speaker = (
            self._node(
                "speaker", key, label, anonymous=anonymous, entity_id=att.get("speaker_entity_id")
            )
            if key
            else None
        )
        via = [self._node("outlet", o, o) for o in att.get("via") or []]
        if speaker:
            self._edge(via[0] if via else doc, speaker, "quotes")
        for nearer, farther in zip(via, via[1:], strict=False):
            self._edge(farther, nearer, "cites")
        if via:
            self._edge(doc, via[-1], "cites")
        self._attribution[att["id"]] = (speaker, via)
        return speaker, via

    def claim(self, claim: dict[str, Any], att: dict[str, Any] | None = None) -> str:
        """A claim (`contains`, `rests_on` its speaker) and its chain."""
        node = f"claim:{claim['id']}"
        if node in self.graph.nodes:
            return node
        doc = self.document(claim["document_id"])
        self._node(
            "claim",
            claim["id"],
            claim["text"],
            date=claim.get("date"),
            sentence_id=claim.get("sentence_id"),
        )
        self._edge(doc, node, "contains")
        speaker, via = self.attribution(att) if att else (None, [])
        if speaker:
            self._edge(node, speaker, "rests_on")
        publisher = self._publisher[doc]
        for passed in dict.fromkeys([speaker, *via, publisher, doc, node]):
            if passed:
                self.graph.nodes[passed].claims += 1
        self.graph.chains.append(
            Chain(
                claim=node,
                speaker=speaker,
                via=via,
                publisher=publisher,
                document=doc,
                row={
                    "claim_id": claim["id"],
                    "date": claim.get("date"),
                    "text": claim["text"],
                    "document_id": claim["document_id"],
                    "sentence_id": claim.get("sentence_id"),
                },
            )
        )
        return node

    def narrative(self, narrative_id: str, label: str, members: list[dict[str, Any]]) -> str:
        """A narrative: its members (`member_of`), earliest first; a retelling in another
        document `repeats` the telling before it."""
        node = self._node("narrative", narrative_id, label)
        ordered = sorted(members, key=lambda c: (c.get("date") or "9999", c["id"]))
        for c in ordered:
            self._edge(f"claim:{c['id']}", node, "member_of")
            self.graph.nodes[node].claims += 1
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if earlier["document_id"] != later["document_id"]:
                self._edge(f"claim:{later['id']}", f"claim:{earlier['id']}", "repeats")
        return node


def build_graph(store: Store) -> ProvenanceGraph:
    """The corpus-wide graph (the GraphML/GEXF export): every document, every attribution
    (quotes with no claim too), every claim, every narrative."""
    reads = read_model(store)
    builder = GraphBuilder()
    for d in reads.graph_documents():
        builder.document(
            d["id"],
            d["title"],
            d["date"],
            d["outlet"],
            json.loads(d["meta"] or "{}").get("reprinted_by"),
        )
    atts = {a["id"]: a for a in store.attributions()}
    for att in atts.values():
        builder.attribution(att)
    by_narrative: dict[str, list[dict[str, Any]]] = {}
    for c in reads.graph_claims():
        builder.claim(c, atts.get(c["attribution_id"] or ""))
        if c["reported"]:
            by_narrative.setdefault(c["reported"], []).append(c)
    for n in reads.narrative_labels():
        builder.narrative(n["id"], n["label"], by_narrative.get(n["id"], []))
    return builder.graph


def narrative_graph(
    claims: Iterable[dict[str, Any]], narrative: dict[str, Any] | None = None
) -> ProvenanceGraph:
    """The graph of one narrative's claims (the app and the report draw it).

    Claim rows need: id, text, date, document_id, document_title, published, publisher,
    sentence_id, attribution_id, speaker, speaker_entity_id, anonymous, speaker_description
    and via; `narrative` (id, label) adds its node, membership and repeats.
    """
    builder = GraphBuilder()
    rows = list(claims)
    for c in rows:
        builder.document(
            c["document_id"], c.get("document_title"), c.get("published"), c.get("publisher")
        )
        att = None
        if speaker_key(c)[0] or c.get("via"):
            att = {
                "id": c.get("attribution_id") or f"claim:{c['id']}",
                "document_id": c["document_id"],
                "speaker": c.get("speaker"),
                "speaker_entity_id": c.get("speaker_entity_id"),
                "anonymous": c.get("anonymous"),
                "speaker_description": c.get("speaker_description"),
                "via": c.get("via") or [],
            }
        builder.claim(c, att)
    if narrative:
        builder.narrative(narrative["id"], narrative["label"], rows)
    return builder.graph


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
