"""The one highlighter: annotation spans over a document's text cut into flat segments.

Quotes, claims, signal triggers and speaker spans overlap and nest freely (a hedge inside a quote
inside a claim), while HTML elements must nest properly. So the text is cut at every span and
sentence boundary; each piece carries the set of spans covering it, and pieces are grouped by
the sentence they fall in (one element per sentence, id `s-<sentence_id>`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """One annotation over `text[start:end]`: CSS classes and a human explanation."""

    start: int
    end: int
    classes: tuple[str, ...]
    note: str = ""


@dataclass(slots=True)
class Part:
    """A run of text covered by exactly the same spans."""

    text: str
    classes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class Block:
    """The parts inside one sentence (or between sentences when `sentence_id` is None)."""

    sentence_id: int | None
    parts: list[Part] = field(default_factory=list)


def segment(text: str, sentences: list[tuple[int, int, int]], spans: list[Span]) -> list[Block]:
    """Cut `text` into sentence blocks of non-overlapping parts.

    `sentences` are (id, start, end); spans outside the text are clipped, empty ones dropped.
    Concatenating every part's text gives back `text` exactly.
    """
    n = len(text)
    clipped = [
        Span(max(0, s.start), min(n, s.end), s.classes, s.note)
        for s in spans
        if s.start is not None and s.end is not None and min(n, s.end) > max(0, s.start)
    ]
    sents = sorted((max(0, a), min(n, b), sid) for sid, a, b in sentences if min(n, b) > max(0, a))
    cuts = {0, n}
    starts_at: dict[int, list[int]] = {}
    ends_at: dict[int, list[int]] = {}
    for i, s in enumerate(clipped):
        cuts.update((s.start, s.end))
        starts_at.setdefault(s.start, []).append(i)
        ends_at.setdefault(s.end, []).append(i)
    for a, b, _sid in sents:
        cuts.update((a, b))
    sent_starts = [a for a, _b, _sid in sents]
    ordered = sorted(cuts)
    active: dict[int, Span] = {}
    blocks: list[Block] = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        for i in ends_at.get(a, ()):
            active.pop(i, None)
        for i in starts_at.get(a, ()):
            active[i] = clipped[i]
        k = bisect.bisect_right(sent_starts, a) - 1
        sid = sents[k][2] if k >= 0 and a < sents[k][1] else None
        covering = [active[i] for i in sorted(active)]
        classes = tuple(sorted({c for s in covering for c in s.classes}))
        notes = tuple(dict.fromkeys(s.note for s in covering if s.note))
        if not blocks or blocks[-1].sentence_id != sid:
            blocks.append(Block(sid))
        parts = blocks[-1].parts
        if parts and parts[-1].classes == classes and parts[-1].notes == notes:
            parts[-1].text += text[a:b]
        else:
            parts.append(Part(text[a:b], classes, notes))
    return blocks


def paragraphs(
    text_: str,
    sentences: list[dict[str, Any]],
    claims: list[dict[str, Any]],
    attributions: list[dict[str, Any]],
    signals: list[dict[str, Any]],
) -> list[list[dict[str, Any]]]:
    """The body as paragraphs of sentences, each cut (by `segment`) into pieces that carry the
    marks (claim, quote, cue, signal) covering them; a line break between sentences starts a
    new paragraph. The app's document page draws these."""
    spans: list[Span] = []
    for c in claims:
        spans.append(
            Span(c["start_char"], c["end_char"], ("claim",), f"claim {c['checkworthiness']:.2f}")
        )
    for a in attributions:
        who = a["speaker"] or (a["speaker_description"] or "unnamed") + " (anonymous)"
        spans.append(Span(a["start_char"], a["end_char"], ("quote",), f"{a['kind']} · {who}"))
        if a.get("cue_start") is not None and a.get("cue_end") is not None:
            spans.append(Span(a["cue_start"], a["cue_end"], ("cue",), f"cue: {a['cue']}"))
    for g in signals:
        if g["start_char"] is not None and g["end_char"] is not None:
            spans.append(Span(g["start_char"], g["end_char"], ("signal",), g["type"]))
    blocks = segment(text_, [(s["id"], s["start_char"], s["end_char"]) for s in sentences], spans)
    out: list[list[dict[str, Any]]] = [[]]
    for block in blocks:
        if block.sentence_id is None:
            gap = "".join(p.text for p in block.parts)
            if "\n" in gap and out[-1]:
                out.append([])
            if gap.strip():
                piece = {"text": gap.strip(), "marks": [], "notes": []}
                out[-1].append({"id": None, "segments": [piece]})
            continue
        out[-1].append(
            {
                "id": block.sentence_id,
                "segments": [
                    {"text": p.text, "marks": list(p.classes), "notes": list(p.notes)}
                    for p in block.parts
                ],
            }
        )
    return [p for p in out if p]
