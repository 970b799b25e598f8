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
    docs = store.query("SELECT id, title, date, outlet, meta FROM documents")
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
    claims = store.query(
        "SELECT c.id, c.document_id, c.attribution_id, c.text, c.date, c.narrative_id, "
        "n.id AS reported FROM claims c LEFT JOIN narratives n ON n.id = c.narrative_id"
    )
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
    for narrative in store.query("SELECT id, label FROM narratives"):
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
    """Imported fact-checks linked to these claims, one row per fact-check: confident links
    first (the claim is fact-checked), then possible matches, each tier best score first."""
    best: dict[str, dict[str, Any]] = {}
    for start in range(0, len(claim_ids), 500):
        chunk = claim_ids[start : start + 500]
        names = {f"c{i}": cid for i, cid in enumerate(chunk)}
        rows = store.query(
            "SELECT l.claim_id, l.factcheck_id, l.score, l.rank, l.tier, l.claim_text, "
            "l.factcheck_text, f.rating, f.rating_original, f.reviewer, f.review_date, f.url, f.title "
            "FROM factcheck_links l JOIN factchecks f ON f.id = l.factcheck_id "
            f"WHERE l.claim_id IN ({', '.join(':' + k for k in names)})",
            names,
        )
        for r in rows:
            r["score"] = float(r["score"])
            key = (r["tier"] == "confident", r["score"])
            have = best.get(r["factcheck_id"])
            if have is None or key > (have["tier"] == "confident", have["score"]):
                best[r["factcheck_id"]] = r
    return sorted(best.values(), key=lambda r: (r["tier"] != "confident", -r["score"]))


def resolve_ref(store: Store, ref: str) -> tuple[str, str] | None:
    """A narrative or claim by id, id prefix, or words of its label/text."""
    for kind, table in (("narrative", "narratives"), ("claim", "claims")):
        rows = store.query(
            f"SELECT id FROM {table} WHERE id = :r OR id LIKE :p", {"r": ref, "p": f"{ref}%"}
        )
        if len(rows) == 1:
            return kind, rows[0]["id"]
    rows = store.query(
        "SELECT id FROM narratives WHERE LOWER(label) LIKE LOWER(:q) ORDER BY claims DESC",
        {"q": f"%{ref}%"},
    )
    if rows:
        return "narrative", rows[0]["id"]
    rows = store.query(  # LOWER: PostgreSQL's LIKE is case-sensitive, SQLite's is not
        "SELECT id FROM claims WHERE LOWER(text) LIKE LOWER(:q)", {"q": f"%{ref}%"}
    )
    if rows:
        return "claim", rows[0]["id"]
    return None


def trace(store: Store, ref: str) -> Trace | None:
    found = resolve_ref(store, ref)
    if found is None:
        return None
    kind, ident = found
    if kind == "narrative":
        label = store.query("SELECT label FROM narratives WHERE id = :i", {"i": ident})[0]["label"]
        rows = store.query("SELECT id FROM claims WHERE narrative_id = :i", {"i": ident})
        claim_ids = [r["id"] for r in rows]
    else:
        label = store.query("SELECT text FROM claims WHERE id = :i", {"i": ident})[0]["text"]
        claim_ids = [ident]
    atts = {a["id"]: a for a in store.attributions()}
    result = Trace(kind=kind, id=ident, label=label)
    speakers: Counter[str] = Counter()
    anonymous: Counter[str] = Counter()
    outlets: Counter[str] = Counter()
    publishers: Counter[str] = Counter()
    signals: Counter[str] = Counter()
    for claim_id in claim_ids:
        c = store.query(
            "SELECT c.*, d.title, d.outlet AS publisher, d.date AS published, d.source, s.text AS sentence "
            "FROM claims c JOIN documents d ON d.id = c.document_id "
            "LEFT JOIN sentences s ON s.id = c.sentence_id WHERE c.id = :i",
            {"i": claim_id},
        )[0]
        att = atts.get(c["attribution_id"] or "")
        via = att["via"] if att else []
        speaker = (att["speaker"] if att and not att["anonymous"] else None) if att else None
        description = att["speaker_description"] if att and att["anonymous"] else None
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
                "publisher": c["publisher"],
                "speaker": speaker,
                "anonymous": bool(description),
                "speaker_description": description,
                "via": via,
                "signals": json.loads(c["signal_types"] or "[]"),
                "sentence": c["sentence"],
                "start": c["start_char"],
                "end": c["end_char"],
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
