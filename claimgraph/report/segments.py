"""HTML for highlighted text; the cutting itself is the read model's (store/read/segments.py)."""

from __future__ import annotations

from markupsafe import Markup, escape

from claimgraph.store.read.segments import Block, Part, Span, segment

__all__ = ["Block", "Part", "Span", "render_blocks", "segment"]


def render_blocks(blocks: list[Block]) -> Markup:
    """HTML for highlighted text: every piece of text escaped, sentence ids unique."""
    out: list[str] = []
    seen: set[int] = set()
    for block in blocks:
        inner = "".join(_render_part(p) for p in block.parts)
        if block.sentence_id is None:
            out.append(inner)
            continue
        anchor = "" if block.sentence_id in seen else f' id="s-{int(block.sentence_id)}"'
        seen.add(block.sentence_id)
        out.append(f'<span class="s"{anchor}>{inner}</span>')
    return Markup("".join(out))


def _render_part(part: Part) -> str:
    if not part.classes:
        return str(escape(part.text))
    title = f' title="{escape(chr(10).join(part.notes))}"' if part.notes else ""
    return f'<mark class="{escape(" ".join(part.classes))}"{title}>{escape(part.text)}</mark>'
