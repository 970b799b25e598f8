"""What the report shows, read from the store as plain data (no HTML here).

Everything is read with a handful of corpus-wide queries (portable SQL in the read model, store/read/report.py:
no rowid, no FTS), then grouped in Python, so a report costs the same few queries whatever the
corpus size. Every figure keeps the anchors (`#s-<sentence_id>`) of the sentences it counts.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from claimgraph.link.provenance import ARTICLE_ITSELF, narrative_graph
from claimgraph.report.segments import Span
from claimgraph.report.svg import clip, period
from claimgraph.store import Store
from claimgraph.store.read import read_model, safe_url
from claimgraph.store.read.narratives import MIN_DOCUMENTS_SHOWN

# What each signal type tells a reader; printed in the legend and in every trigger's tooltip.
SIGNAL_MEANINGS: dict[str, str] = {
    "self_label": "The page gives itself a credibility badge (e.g. 'Fact checked') that no "
    "independent review stands behind.",
    "reprint_notice": "The piece says it is reprinted: the original publisher and its "
    "sourcing may differ from the page read.",
    "hedged": "The wording keeps its distance ('claimed', 'reportedly', 'it is likely'): the "
    "claim is reported, not asserted as established.",
    "evidence_promised_not_shown": "Evidence (documents, footage, photos) is said to exist, "
    "but the article does not show it.",
    "captive_confession": "The claim rests on what captured or detained people are said to "
    "have confessed.",
    "documented_study": "The claim rests on a named study or research organisation that "
    "documented it: a source a reader can check.",
    "unsupported_generalisation": "A sweeping statement presented as common knowledge, with "
    "no source given.",
    "details_not_provided": "The article itself says no further details were given.",
}
UNKNOWN_SIGNAL = "A signal found by claimgraph (see docs/schema.md, table `signals`)."
MAX_LINKS = 25  # sentence links listed per table row; the count is always the full figure
# A compact report (the default) lists the first LIST_CAP speakers, outlets, signal
# occurrences and anonymous sources (the full lists: `claimgraph sources`, the exports, the
# app), with COMPACT_LINKS sentence links per row.
LIST_CAP = 100
COMPACT_LINKS = 5


def meaning(signal_type: str) -> str:
    return SIGNAL_MEANINGS.get(signal_type, UNKNOWN_SIGNAL)


def slug(value: str) -> str:
    """A CSS-class/anchor-safe token from data (never trusted as-is in markup)."""
    return re.sub(r"[^a-z0-9_-]+", "-", (value or "").casefold()).strip("-") or "x"


def anchor(prefix: str, value: str) -> str:
    """A stable element id for a name of any spelling (hashed: names hold any character)."""
    return f"{prefix}-{hashlib.sha1(value.encode('utf-8')).hexdigest()[:10]}"


def sentence_href(sentence_id: int | None, document_id: str) -> str:
    return f"#s-{int(sentence_id)}" if sentence_id is not None else f"#doc-{document_id}"


def _bool(value: Any) -> bool:
    """0/1 on SQLite, a real boolean on PostgreSQL."""
    return bool(int(value)) if isinstance(value, str) and value.isdigit() else bool(value)


def _json_list(value: str | None) -> list[Any]:
    try:
        loaded = json.loads(value or "[]")
    except ValueError:
        return []
    return loaded if isinstance(loaded, list) else []


def _json_dict(value: str | None) -> dict[str, Any]:
    try:
        loaded = json.loads(value or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def gather(
    store: Store, top: int | None = None, all_narratives: bool = False, compact: bool = False
) -> dict[str, Any]:
    """Everything the report shows, as plain dicts and lists: narratives told in two documents
    or more (all with `all_narratives`), the `top` most spread of them when given. `compact`
    keeps the long lists (speakers, outlets, signal occurrences, anonymous sources) to their
    first LIST_CAP rows, each saying how many there are, so a large corpus stays readable."""
    reads = read_model(store)
    rows = reads.report_rows()
    docs = rows["documents"]
    doc_by_id = {d["id"]: d for d in docs}
    entity_names = {r["id"]: r["name"] for r in rows["entities"]}
    sentences = rows["sentences"]
    atts = store.attributions()
    via_rows = rows["via"]
    signals = rows["signals"]
    claims = rows["claims"]
    narratives = rows["narratives"]
    furniture = rows["furniture"]
    doc_sources = rows["document_sources"]
    factchecks = rows["factchecks"]
    reviews = {r["claim_id"]: r for r in rows["reviews"]}

    via_names: dict[str, list[str]] = defaultdict(list)
    for v in via_rows:
        via_names[v["attribution_id"]].append(v["entity_name"] or v["outlet"])
    att_by_id = {a["id"]: a for a in atts}
    reported = {n["id"]: n for n in narratives}
    candidates = sum(1 for n in narratives if int(n["documents"] or 0) < MIN_DOCUMENTS_SHOWN)
    drawn = [
        n for n in narratives if all_narratives or int(n["documents"] or 0) >= MIN_DOCUMENTS_SHOWN
    ]
    drawn = drawn[:top] if top else drawn
    for c in claims:
        for flag in ("anonymous", "hedged", "evidence_not_shown"):
            c[flag] = _bool(c[flag])
        c["signal_types"] = [str(t) for t in _json_list(c["signal_types"])]
        c["href"] = sentence_href(c["sentence_id"], c["document_id"])
        c["narrative"] = c["narrative_id"] if c["narrative_id"] in reported else None
        c["review"] = reviews.get(c["id"])

    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in claims:
        if c["narrative"]:
            members[c["narrative"]].append(c)
    speakers_table, outlets_table, publishers = _sources(store, atts, via_names, docs, entity_names)
    totals = {
        "speakers": len(speakers_table),
        "outlets": len(outlets_table),
        "publishers": len(publishers),
    }
    if compact:
        speakers_table = speakers_table[:LIST_CAP]
        outlets_table = outlets_table[:LIST_CAP]
        publishers = publishers[:LIST_CAP]
        for r in (*speakers_table, *outlets_table, *publishers):
            r["links"] = r["links"][:COMPACT_LINKS]
    speaker_anchor = {(r["name"], r["anonymous"]): r["anchor"] for r in speakers_table}
    outlet_anchor = {r["name"]: r["anchor"] for r in outlets_table}
    fc_by_claim: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in factchecks:
        f["safe_url"] = safe_url(f["url"])
        fc_by_claim[f["claim_id"]].append(f)

    context = _Context(
        doc_by_id=doc_by_id,
        att_by_id=att_by_id,
        via_names=via_names,
        entity_names=entity_names,
        speaker_anchor=speaker_anchor,
        outlet_anchor=outlet_anchor,
        fc_by_claim=fc_by_claim,
        compact=compact,
    )
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "overview": _overview(docs, sentences, atts, signals, claims, narratives),
        "signal_types": _signal_index(signals, doc_by_id, LIST_CAP if compact else None),
        "totals": totals,
        "anonymous_total": sum(1 for a in atts if a["anonymous"] and a["document_id"] in doc_by_id),
        "anonymous": [
            {
                "description": a["speaker_description"] or "unnamed source",
                "content": a["content"],
                "document_title": doc_by_id[a["document_id"]]["title"] or a["document_id"],
                "href": sentence_href(a["sentence_id"], a["document_id"]),
            }
            for a in atts
            if a["anonymous"] and a["document_id"] in doc_by_id
        ][: LIST_CAP if compact else None],
        "narratives": [
            _narrative(n, members.get(n["id"], []), fc_by_claim, context) for n in drawn
        ],
        "narratives_left_out": {
            "candidates": 0 if all_narratives else candidates,
            "beyond_top": len(narratives) - len(drawn) - (0 if all_narratives else candidates),
        },
        "speakers": speakers_table,
        "outlets": outlets_table,
        "publishers": publishers,
        "documents": _documents(
            docs, sentences, atts, signals, claims, furniture, doc_sources, reported, context
        ),
    }


class _Context:
    """Lookups shared by the narrative and document builders."""

    def __init__(self, **kwargs: Any) -> None:
        self.doc_by_id: dict[str, dict[str, Any]] = kwargs["doc_by_id"]
        self.att_by_id: dict[str, dict[str, Any]] = kwargs["att_by_id"]
        self.via_names: dict[str, list[str]] = kwargs["via_names"]
        self.entity_names: dict[str, str] = kwargs["entity_names"]
        self.speaker_anchor: dict[tuple[str, bool], str] = kwargs["speaker_anchor"]
        self.outlet_anchor: dict[str, str] = kwargs["outlet_anchor"]
        self.fc_by_claim: dict[str, list[dict[str, Any]]] = kwargs.get("fc_by_claim", {})
        self.compact: bool = kwargs.get("compact", False)

    def speaker_name(self, att: dict[str, Any]) -> str:
        """The name `Store.sources()` gives this attribution's speaker."""
        return (
            self.entity_names.get(att["speaker_entity_id"] or "")
            or att["speaker"]
            or att["speaker_description"]
            or "?"
        )

    def publisher(self, doc_id: str) -> str:
        """The publishing outlet; the document's title in quotes when the outlet is unknown."""
        doc = self.doc_by_id[doc_id]
        return doc["outlet"] or f"“{clip(doc['title'] or doc['id'], 60)}”"


def _span(dated: Iterable[tuple[Any, str, str]]) -> dict[str, Any] | None:
    """The earliest and latest of some dated things, each end with the link to its source."""
    rows = [(pr[0], pr[1], href, what) for pr, href, what in dated if pr]
    if not rows:
        return None
    first = min(rows, key=lambda t: (t[0], t[2]))
    last = max(rows, key=lambda t: (t[1], t[2]))
    return {
        "earliest": {"date": first[0].isoformat(), "href": first[2], "what": first[3]},
        "latest": {"date": last[1].isoformat(), "href": last[2], "what": last[3]},
    }


def _overview(
    docs: list[dict[str, Any]],
    sentences: list[dict[str, Any]],
    atts: list[dict[str, Any]],
    signals: list[dict[str, Any]],
    claims: list[dict[str, Any]],
    narratives: list[dict[str, Any]],
) -> dict[str, Any]:
    anonymous = sum(1 for a in atts if a["anonymous"])
    published = _span(
        (period(d["date"]), f"#doc-{d['id']}", f"publication of {d['title'] or d['id']}")
        for d in docs
    )
    # When the claims were said, as the texts report it ("In 2001, he advised ..."): apart from
    # the publication span, which a reader takes for the corpus's own.
    said = _span((period(c["date"]), c["href"], clip(c["text"], 80)) for c in claims)
    by_type = Counter(g["type"] for g in signals)
    return {
        "documents": len(docs),
        "sentences": len(sentences),
        "attributions": len(atts),
        "anonymous": anonymous,
        "anonymous_share": anonymous / len(atts) if atts else 0.0,
        "claims": len(claims),
        # As the CLI and the app count them: told in two documents or more; the rest are
        # single-document candidates, counted apart.
        "narratives": sum(1 for n in narratives if (n.get("documents") or 0) >= 2),
        "candidates": sum(1 for n in narratives if (n.get("documents") or 0) < 2),
        "signals": len(signals),
        "signals_by_type": [
            {"type": t, "count": n, "anchor": f"signals-{slug(t)}"}
            for t, n in by_type.most_common()
        ],
        "published": published,
        "said": said,
    }


def _signal_index(
    signals: list[dict[str, Any]], doc_by_id: dict[str, dict[str, Any]], cap: int | None = None
) -> list[dict[str, Any]]:
    """Per signal type: what it means, the words that triggered it, and where."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in signals:
        grouped[g["type"]].append(g)
    out = []
    for signal_type, rows in sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        triggers = Counter(" ".join((g["text"] or "").split()) for g in rows)
        out.append(
            {
                "type": signal_type,
                "class": f"sig-{slug(signal_type)}",
                "anchor": f"signals-{slug(signal_type)}",
                "meaning": meaning(signal_type),
                "count": len(rows),
                "triggers": triggers.most_common(),
                "occurrences": [
                    {
                        "text": g["text"],
                        "detail": g["detail"],
                        "scope": g["scope"],
                        "document_title": doc_by_id[g["document_id"]]["title"] or g["document_id"],
                        "href": sentence_href(g["sentence_id"], g["document_id"]),
                    }
                    for g in rows
                    if g["document_id"] in doc_by_id
                ][:cap],
            }
        )
    return out


def _sources(
    store: Store,
    atts: list[dict[str, Any]],
    via_names: dict[str, list[str]],
    docs: list[dict[str, Any]],
    entity_names: dict[str, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Store.sources() figures, each row with the sentences it counts."""
    found = read_model(store).sources()
    speaker_links: dict[tuple[str, bool], list[str]] = defaultdict(list)
    outlet_links: dict[str, list[str]] = defaultdict(list)
    for a in atts:
        href = sentence_href(a["sentence_id"], a["document_id"])
        if a["speaker_entity_id"] or a["anonymous"] or a["speaker"]:
            name = (
                entity_names.get(a["speaker_entity_id"] or "")
                or a["speaker"]
                or a["speaker_description"]
                or "?"
            )
            speaker_links[(name, bool(a["anonymous"]))].append(href)
        for outlet in dict.fromkeys(via_names.get(a["id"], [])):
            outlet_links[outlet].append(href)
    used: set[str] = set()

    def unique(prefix: str, key: str) -> str:
        base = ident = anchor(prefix, key)
        n = 1
        while ident in used:
            n += 1
            ident = f"{base}-{n}"
        used.add(ident)
        return ident

    speakers = []
    for r in found["speakers"]:
        anon = bool(r["anonymous"])
        links = speaker_links.get((r["name"], anon)) or speaker_links.get((r["name"], not anon), [])
        speakers.append(
            {
                **r,
                "anonymous": anon,
                "anchor": unique("speaker", f"{anon}:{r['name']}"),
                "links": list(dict.fromkeys(links))[:MAX_LINKS],
            }
        )
    outlets = [
        {
            **r,
            "anchor": unique("outlet", r["name"]),
            "links": list(dict.fromkeys(outlet_links.get(r["name"], [])))[:MAX_LINKS],
        }
        for r in found["outlets"]
    ]
    doc_links: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        if d["outlet"]:
            doc_links[d["outlet"]].append(f"#doc-{d['id']}")
    publishers = [
        {**r, "anchor": unique("publisher", r["name"]), "links": doc_links.get(r["name"], [])}
        for r in found["publishers"]
    ]
    return speakers, outlets, publishers


def _narrative(
    n: dict[str, Any],
    members: list[dict[str, Any]],
    fc_by_claim: dict[str, list[dict[str, Any]]],
    ctx: _Context,
) -> dict[str, Any]:
    members = sorted(
        members,
        key=lambda c: (
            c["date"] is None,
            c["date"] or "",
            ctx.doc_by_id[c["document_id"]]["source"] or "",
            c["start_char"] or 0,
        ),
    )
    points = []
    rows: list[dict[str, Any]] = []
    for c in members:
        doc = ctx.doc_by_id[c["document_id"]]
        when = c["date"] or doc["date"]
        att = ctx.att_by_id.get(c["attribution_id"] or "")
        who = (
            ("anonymous: " + (att["speaker_description"] or "unnamed source"))
            if att and att["anonymous"]
            else (ctx.speaker_name(att) if att else "the article itself")
        )
        row = c["outlet"] or ctx.publisher(c["document_id"])
        points.append(
            {
                "row": row,
                "date": when,
                "href": c["href"],
                "label": f"{when or 'undated'} · {row} · {who}: {clip(c['text'], 140)}",
            }
        )
        rows.append(
            {
                **c,
                "when": when,
                "who": who,
                "via": ctx.via_names.get(c["attribution_id"] or "", []),
                "document_title": doc["title"] or doc["id"],
                "factchecks": fc_by_claim.get(c["id"], []),
            }
        )
    total = len(members) or 1
    label_claim = next((c for c in members if c["id"] == n["label_claim_id"]), None)

    def first_with(day: str | None) -> str | None:
        found = next((r for r in rows if day and r["when"] and r["when"].startswith(day)), None)
        return found["href"] if found else None

    return {
        "id": n["id"],
        "anchor": f"n-{slug(n['id'])}",
        "label": n["label"],
        "label_href": label_claim["href"] if label_claim else (rows[0]["href"] if rows else None),
        "claims": int(n["claims"] or 0),
        "documents": int(n["documents"] or 0),
        "first_seen": n["first_seen"],
        "first_href": first_with(n["first_seen"]),
        "last_seen": n["last_seen"],
        "last_href": first_with(n["last_seen"]),
        "outlets": [str(o) for o in _json_list(n["outlets"])],
        "speakers": [str(s) for s in _json_list(n["speakers"])],
        "cohesion": n["cohesion"],
        "shares": [
            {
                "name": name,
                "share": float(n[column] or 0.0),
                "count": sum(1 for c in members if c[flag]),
                "total": len(members),
                "colour": colour,
            }
            for name, column, flag, colour in (
                ("anonymous", "anonymous_share", "anonymous", "#c0392b"),
                ("hedged", "hedged_share", "hedged", "#E69F00"),
                ("evidence not shown", "evidence_not_shown_share", "evidence_not_shown", "#CC79A7"),
            )
        ],
        "share_base": total,
        "points": points,
        "graph": _graph(members, ctx),
        "members": rows,
        "factchecks": [f for r in rows for f in r["factchecks"]],
    }


LAYERS = {"speaker": 0, "cited": 1, "publisher": 2, "claim": 3}


def _graph(
    members: list[dict[str, Any]], ctx: _Context
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The report's drawing of the one provenance graph (link/provenance.narrative_graph):
    each claim's chain, speaker -> outlets cited -> publisher -> claim. Documents are not drawn
    (each claim links to its sentence), so publisher -> document -> claim is drawn publisher ->
    claim; an outlet both cited and publishing is drawn in both layers."""
    rows = []
    for c in members:
        doc = ctx.doc_by_id[c["document_id"]]
        att = ctx.att_by_id.get(c["attribution_id"] or "")
        rows.append(
            {
                **c,
                "speaker": (ctx.speaker_name(att) if att else None),
                "speaker_entity_id": att["speaker_entity_id"] if att else None,
                "anonymous": bool(att and att["anonymous"]),
                "speaker_description": att["speaker_description"] if att else None,
                "via": ctx.via_names.get(att["id"], []) if att else [],
                "publisher": ctx.publisher(c["document_id"]),
                "document_title": doc["title"] or doc["id"],
                "published": doc["date"],
            }
        )
    graph = narrative_graph(rows)
    claim_rows = {c["id"]: c for c in members}
    nodes: dict[str, dict[str, Any]] = {}

    def drawn(layer: str, node_id: str | None) -> str:
        ident = f"{layer}|{node_id or ''}"
        if ident in nodes:
            return ident
        v = graph.nodes.get(node_id or "")
        label = v.label if v else ARTICLE_ITSELF
        node: dict[str, Any] = {"id": ident, "label": label, "layer": LAYERS[layer]}
        if layer == "speaker":
            anonymous = bool(v and v.attrs.get("anonymous"))
            node["kind"] = "anonymous" if anonymous else "speaker"
            node["label"] = f"anonymous: {label}" if anonymous else label
            key = (label, anonymous)
            node["href"] = "#" + ctx.speaker_anchor[key] if key in ctx.speaker_anchor else None
            node["title"] = node["label"]
        elif layer == "cited":
            node["kind"] = "outlet"
            anchor_ = ctx.outlet_anchor.get(label)
            node["href"] = "#" + anchor_ if anchor_ else None
            node["title"] = f"cited outlet: {label}"
        elif layer == "publisher":
            node["kind"] = "publisher"
            node["href"] = None
            node["title"] = f"published by {label}"
        else:
            c = claim_rows[v.key if v else ""]
            doc = ctx.doc_by_id[c["document_id"]]
            node["kind"] = "claim"
            node["href"] = c["href"]
            node["title"] = f"{c['date'] or doc['date'] or 'undated'}: {c['text']}"
        nodes[ident] = node
        return ident

    edges: list[tuple[str, str]] = []
    for ch in graph.chains:
        path = [drawn("speaker", ch.speaker), *(drawn("cited", o) for o in ch.via)]
        if ch.publisher:
            path.append(drawn("publisher", ch.publisher))
        path.append(drawn("claim", ch.claim))
        path = list(dict.fromkeys(path))
        edges.extend(zip(path, path[1:], strict=False))
    return list(nodes.values()), list(dict.fromkeys(edges))


def _documents(
    docs: list[dict[str, Any]],
    sentences: list[dict[str, Any]],
    atts: list[dict[str, Any]],
    signals: list[dict[str, Any]],
    claims: list[dict[str, Any]],
    furniture: list[dict[str, Any]],
    doc_sources: list[dict[str, Any]],
    reported: dict[str, dict[str, Any]],
    ctx: _Context,
) -> list[dict[str, Any]]:
    by_doc: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for name, rows in (
        ("sentences", sentences),
        ("attributions", atts),
        ("signals", signals),
        ("claims", claims),
        ("furniture", furniture),
        ("sources", doc_sources),
    ):
        for r in rows:
            by_doc[r["document_id"]][name].append(r)
    out = []
    for d in docs:
        parts = by_doc[d["id"]]
        spans: list[Span] = []
        for a in parts["attributions"]:
            who = (
                f"anonymous source: {a['speaker_description'] or 'unnamed'}"
                if a["anonymous"]
                else ctx.speaker_name(a)
            )
            via = ctx.via_names.get(a["id"], [])
            note = (
                f"{a['kind']} quote · {who}"
                + (f" ({a['role']})" if a["role"] else "")
                + (f" · via {' > '.join(via)}" if via else "")
                + (f" · cue “{a['cue']}”" if a["cue"] else "")
                + (f" · said {a['date']}" if a["date"] else "")
            )
            classes = ("q", f"q-{slug(a['kind'])}") + (("anon",) if a["anonymous"] else ())
            spans.append(Span(a["start_char"], a["end_char"], classes, note))
            if a["source_start"] is not None and a["source_end"] is not None:
                spans.append(
                    Span(a["source_start"], a["source_end"], ("spk",), f"source as written: {who}")
                )
        for c in parts["claims"]:
            narrative = reported.get(c["narrative_id"] or "")
            note = (
                f"claim · check-worthiness {float(c['checkworthiness'] or 0):.2f}"
                + (f" · dated {c['date']}" if c["date"] else "")
                + (f" · narrative: {clip(narrative['label'], 80)}" if narrative else "")
                # checked already, whether or not the claim's narrative is big enough to report
                + "".join(
                    f" · fact-checked: {f['rating']} ({f['reviewer'] or '?'}): "
                    f"{clip(f['title'] or f['claim_text'], 80)}"
                    for f in ctx.fc_by_claim.get(c["id"], [])
                )
            )
            spans.append(Span(c["start_char"], c["end_char"], ("claim",), note))
        seen_signals: set[tuple[str, int, int]] = set()
        notices = []
        for g in parts["signals"]:
            if g["start_char"] is None or g["end_char"] is None:
                notices.append(
                    {**g, "meaning": meaning(g["type"]), "class": f"sig-{slug(g['type'])}"}
                )
                continue
            key = (g["type"], g["start_char"], g["end_char"])
            if key in seen_signals:
                continue
            seen_signals.add(key)
            # (compact: the legend explains each signal type once, not every tooltip)
            explained = "" if ctx.compact else f"{meaning(g['type'])} "
            note = f"signal {g['type']}: {explained}Triggered by “{g['text']}”" + (
                f" ({g['detail']})" if g["detail"] else ""
            )
            spans.append(
                Span(g["start_char"], g["end_char"], ("sig", f"sig-{slug(g['type'])}"), note)
            )
        meta = _json_dict(d["meta"])
        out.append(
            {
                "id": d["id"],
                "anchor": f"doc-{d['id']}",
                "title": d["title"] or d["id"],
                "date": d["date"],
                "date_source": d["date_source"],
                "date_earliest": d["date_earliest"],
                "date_latest": d["date_latest"],
                "date_estimated": _bool(d["date_estimated"]),
                "url": d["url"],
                "safe_url": safe_url(d["url"]),
                "outlet": d["outlet"],
                "outlet_source": d["outlet_source"],
                "authors": [str(a) for a in _json_list(d["authors"])],
                "byline": d["byline"],
                "language": d["language"],
                "source": d["source"],
                "sources": [r["source"] for r in parts["sources"]],
                "word_count": d["word_count"],
                "meta": {k: v for k, v in meta.items() if isinstance(v, (str, int, float))},
                "text": d["text"] or "",
                "sentences": [
                    (s["id"], s["start_char"], s["end_char"]) for s in parts["sentences"]
                ],
                "spans": spans,
                "notices": notices,
                "signals": _unique_signals(parts["signals"], d["id"]),
                "attributions": len(parts["attributions"]),
                "claims": len(parts["claims"]),
                "furniture": parts["furniture"],
            }
        )
    return out


def _unique_signals(rows: list[dict[str, Any]], document_id: str) -> list[dict[str, Any]]:
    """A document's signals, once per trigger (one hedge can qualify two attributions)."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for g in rows:
        key = (g["type"], g["start_char"], g["end_char"], g["text"], g["detail"])
        out.setdefault(
            key,
            {
                **g,
                "meaning": meaning(g["type"]),
                "class": f"sig-{slug(g['type'])}",
                "href": sentence_href(g["sentence_id"], document_id),
            },
        )
    return list(out.values())
