"""JSONL export: one file per kind, one object per line, stable field names (documented in
docs/schema.md), so the results load with pandas.read_json(lines=True) or jq."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from claimgraph.store import Store
from claimgraph.store.read import read_model


def _write(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def document_rows(store: Store) -> Iterable[dict[str, Any]]:
    for doc_id in store.document_ids():
        doc = store.load_document(doc_id)
        if doc is None:
            continue
        yield {
            "id": doc["id"],
            "source": doc["source"],
            "sources": doc["sources"],
            "title": doc["title"],
            "date": doc["date"],
            "date_source": doc["date_source"],
            "date_earliest": doc["date_earliest"],
            "date_latest": doc["date_latest"],
            "date_estimated": doc["date_estimated"],
            "url": doc["url"],
            "outlet": doc["outlet"],
            "authors": doc["authors"],
            "language": doc["language"],
            "text": doc["text"],
            "signals": [
                {
                    "type": g["type"],
                    "text": g["text"],
                    "scope": g["scope"],
                    "start": g["start_char"],
                    "end": g["end_char"],
                    "detail": g["detail"],
                }
                for g in doc["signals"]
                if g["attribution_id"] is None
            ],
            "removed": doc["furniture"],
        }


def attribution_rows(store: Store) -> Iterable[dict[str, Any]]:
    for a in store.attributions():
        yield {
            "id": a["id"],
            "document_id": a["document_id"],
            "kind": a["kind"],
            "speaker": a["speaker"],
            "speaker_entity_id": a["speaker_entity_id"],
            "anonymous": a["anonymous"],
            "speaker_description": a["speaker_description"],
            "role": a["role"],
            "cue": a["cue"],
            "content": a["content"],
            "source_text": a["source_text"],
            "via": a["via"],
            "signals": [{"type": g["type"], "text": g["text"]} for g in a["signals"]],
            "start": a["start_char"],
            "end": a["end_char"],
            "date": a["date"],
            "timecode": a["timecode"],
            "timecode_end": a["timecode_end"],
            "extractor": a["extractor"],
            "reports": a["reports"],
        }


def claim_rows(store: Store) -> Iterable[dict[str, Any]]:
    for c in read_model(store).export_claims():
        yield {
            "id": c["id"],
            "document_id": c["document_id"],
            "attribution_id": c["attribution_id"],
            "text": c["text"],
            "checkworthiness": c["checkworthiness"],
            "scored_by": c["scored_by"],
            "date": c["date"],
            "date_precision": c["date_precision"],
            "narrative_id": c["reported"],
            "anonymous": bool(c["anonymous"]),
            "hedged": bool(c["hedged"]),
            "evidence_not_shown": bool(c["evidence_not_shown"]),
            "start": c["start_char"],
            "end": c["end_char"],
        }


def narrative_rows(store: Store) -> Iterable[dict[str, Any]]:
    members: dict[str, list[dict[str, Any]]] = {}
    reads = read_model(store)
    for r in reads.narrative_members():
        members.setdefault(r["narrative_id"], []).append(r)
    for n in reads.export_narratives():
        rows = members.get(n["id"], [])
        yield {
            "id": n["id"],
            "label": n["label"],
            "claim_ids": [r["id"] for r in rows],
            "document_ids": list(dict.fromkeys(r["document_id"] for r in rows)),
            "outlets": json.loads(n["outlets"] or "[]"),
            "speakers": json.loads(n["speakers"] or "[]"),
            "first_seen": n["first_seen"],
            "last_seen": n["last_seen"],
            "anonymous_share": n["anonymous_share"],
            "hedged_share": n["hedged_share"],
            "evidence_not_shown_share": n["evidence_not_shown_share"],
        }


def export_jsonl(store: Store, out_dir: str | Path) -> dict[str, int]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {
        "documents.jsonl": _write(out / "documents.jsonl", document_rows(store)),
        "entities.jsonl": _write(out / "entities.jsonl", store.entities()),
        "attributions.jsonl": _write(out / "attributions.jsonl", attribution_rows(store)),
        "claims.jsonl": _write(out / "claims.jsonl", claim_rows(store)),
        "narratives.jsonl": _write(out / "narratives.jsonl", narrative_rows(store)),
    }
