"""Inline SVG charts for the report, laid out in Python (no JavaScript library, no network).

Every string that comes from the data is escaped (markupsafe), every link is an in-page anchor,
and the output is well-formed XML, so the charts open anywhere and print as vectors.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
# Okabe-Ito: distinguishable with colour-vision deficiencies and in greyscale print.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")
CHAR_W = 6.4  # average glyph width at font-size 11 (sans-serif), to fit labels


def _e(value: object) -> str:
    return str(escape(value))


def _href(value: str | None) -> str | None:
    """Only in-page anchors become links inside charts."""
    return value if value and value.startswith("#") else None


def clip(text: str, chars: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= chars else text[: max(1, chars - 1)].rstrip() + "…"


def period(iso: str | None) -> tuple[date, date] | None:
    """A reduced-precision ISO date ("2017", "2017-08", "2017-08-31") as the days it can mean."""
    if not iso:
        return None
    try:
        parts = [int(p) for p in iso.strip()[:10].split("-")]
        if len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            nxt = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
        day = date(parts[0], parts[1], parts[2])
        return day, day
    except (ValueError, IndexError):
        return None


def _svg(width: float, height: float, body: list[str], label: str, cls: str) -> Markup:
    return Markup(
        f'<svg xmlns="{SVG_NS}" class="{_e(cls)}" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_e(label)}">'
        f"<title>{_e(label)}</title>" + "".join(body) + "</svg>"
    )


def _link(href: str | None, inner: str) -> str:
    href = _href(href)
    return f'<a href="{_e(href)}">{inner}</a>' if href else inner


def bar(share: float, label: str, width: int = 120, colour: str = "#D55E00") -> Markup:
    """A horizontal share bar (0..1), with the exact share in its tooltip."""
    share = min(1.0, max(0.0, float(share or 0.0)))
    body = [
        f'<rect x="0" y="1" width="{width}" height="10" fill="#eeeeee" stroke="#999999" '
        'stroke-width="0.5"/>',
        f'<rect x="0" y="1" width="{share * width:.1f}" height="10" fill="{colour}"/>',
    ]
    return _svg(width, 12, body, f"{label}: {share:.0%}", "bar")


def timeline(points: list[dict[str, Any]], title: str) -> Markup:
    """Occurrences over time, one row per outlet.

    Each point: `row` (outlet), `date` (reduced ISO or None), `href` (#s-N), `label` (tooltip).
    Day-precise dates are dots; a month or year is a bar over the days it can mean; undated
    occurrences sit in their own band at the right, never at an invented date.
    """
    rows = list(dict.fromkeys(p["row"] for p in points))
    label_w, plot_w, row_h, top, axis_h = 190, 460, 22, 8, 30
    undated = [p for p in points if period(p.get("date")) is None]
    band_w = 110 if undated else 0
    periods = [period(p.get("date")) for p in points]
    dated = [pr for pr in periods if pr is not None]
    width = label_w + plot_w + band_w + 40
    height = top + row_h * max(1, len(rows)) + axis_h
    body: list[str] = []
    x0, x1 = label_w + 10, label_w + plot_w - 10
    first = lo = min((a for a, _b in dated), default=None)
    last = hi = max((b for _a, b in dated), default=None)
    if lo is not None and hi is not None and lo == hi:  # one day: centre it
        lo, hi = lo - timedelta(days=15), hi + timedelta(days=15)
    span_days = max(1, (hi - lo).days) if lo and hi else 1

    def x_of(day: date) -> float:
        assert lo is not None
        return x0 + (day - lo).days / span_days * (x1 - x0)

    for i, row in enumerate(rows):
        y = top + i * row_h + row_h / 2
        colour = PALETTE[i % len(PALETTE)]
        body.append(
            f'<line x1="{label_w}" y1="{y:.1f}" x2="{width - 40}" y2="{y:.1f}" '
            'stroke="#dddddd" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{label_w - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{colour}">{_e(clip(row, 27))}<title>{_e(row)}</title></text>'
        )
    axis_y = top + row_h * max(1, len(rows)) + 4
    body.append(
        f'<line x1="{label_w}" y1="{axis_y}" x2="{width - 40}" y2="{axis_y}" stroke="#555555"/>'
    )
    if first is not None and last is not None:
        ticks = [first, last]
        years = list(range(first.year + 1, last.year + 1))
        step = max(1, len(years) // 6 + (len(years) % 6 > 0)) if len(years) > 6 else 1
        ticks += [date(y, 1, 1) for y in years[::step]]
        placed: list[float] = []
        for tick in sorted(set(ticks)):
            tx = x_of(tick)
            if any(abs(tx - p) < 62 for p in placed):
                continue
            placed.append(tx)
            text = tick.isoformat() if tick in (first, last) else str(tick.year)
            body.append(
                f'<line x1="{tx:.1f}" y1="{axis_y}" x2="{tx:.1f}" y2="{axis_y + 4}" '
                'stroke="#555555"/>'
                f'<text x="{tx:.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="10" '
                f'fill="#333333">{_e(text)}</text>'
            )
    else:
        body.append(
            f'<text x="{(x0 + x1) / 2:.0f}" y="{axis_y + 16}" text-anchor="middle" '
            'font-size="10" fill="#777777">no dated occurrence</text>'
        )
    if undated:
        bx = label_w + plot_w
        body.append(
            f'<rect x="{bx}" y="{top}" width="{band_w}" height="{row_h * max(1, len(rows))}" '
            'fill="#f4f4f4"/>'
            f'<text x="{bx + band_w / 2:.0f}" y="{axis_y + 16}" text-anchor="middle" '
            'font-size="10" fill="#333333">undated</text>'
        )
    used: dict[tuple[int, int], int] = defaultdict(int)
    for p, pr in zip(points, periods, strict=True):
        i = rows.index(p["row"])
        colour = PALETTE[i % len(PALETTE)]
        y = top + i * row_h + row_h / 2
        tip = f"<title>{_e(p['label'])}</title>"
        if pr is None:
            k = used[(i, -1)]
            used[(i, -1)] += 1
            cx = label_w + plot_w + 10 + (k * 11) % max(11, band_w - 20)
            mark = (
                f'<circle cx="{cx:.1f}" cy="{y:.1f}" r="5" fill="{colour}" fill-opacity="0.55" '
                f'stroke="{colour}">{tip}</circle>'
            )
        else:
            start, end = pr
            xs, xe = x_of(start), x_of(end)
            k = used[(i, round(xs))]
            used[(i, round(xs))] += 1
            dy = (k % 3 - 1) * 5 if k else 0
            if start == end:
                mark = (
                    f'<circle cx="{xs + (k // 3) * 4:.1f}" cy="{y + dy:.1f}" r="5" '
                    f'fill="{colour}" stroke="#ffffff">{tip}</circle>'
                )
            else:
                w = max(8.0, xe - xs)
                mark = (
                    f'<rect x="{xs:.1f}" y="{y + dy - 4:.1f}" width="{w:.1f}" height="8" rx="3" '
                    f'fill="{colour}" fill-opacity="0.6" stroke="{colour}">{tip}</rect>'
                )
        body.append(_link(p.get("href"), mark))
    return _svg(width, height + 6, body, title, "timeline")


LAYER_TITLES = ("speakers", "through outlets", "published by", "claims")
LAYER_WIDTHS = (170, 150, 150, 300)
NODE_STYLE = {
    "publisher": ("#fff3cd", "#b08800", ""),
    "outlet": ("#fff3cd", "#b08800", ""),
    "speaker": ("#e8f0fe", "#1a73e8", ""),
    "anonymous": ("#fde2e1", "#c0392b", ' stroke-dasharray="4 2"'),
    "claim": ("#f1f3f4", "#5f6368", ""),
}


def _order_layers(layers: dict[int, list[str]], edges: list[tuple[str, str]]) -> None:
    """Barycentre sweeps: put each node near the nodes it is linked to (fewer crossings)."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    keys = sorted(layers)
    for _ in range(3):
        for sweep in (keys[1:], list(reversed(keys[:-1]))):
            for layer in sweep:
                pos = {n: i for k in keys if k != layer for i, n in enumerate(layers[k])}
                current = {n: i for i, n in enumerate(layers[layer])}

                def weight(
                    node: str, pos: dict[str, int] = pos, cur: dict[str, int] = current
                ) -> tuple[float, int]:
                    linked = [pos[m] for m in neighbours[node] if m in pos]
                    return (sum(linked) / len(linked) if linked else cur[node], cur[node])

                layers[layer].sort(key=weight)


def provenance(nodes: list[dict[str, Any]], edges: list[tuple[str, str]], title: str) -> Markup:
    """A layered provenance graph: speakers -> cited outlets -> publishers -> claims.

    Each node: `id`, `label`, `layer` (0-3), `kind` (publisher, outlet, speaker, anonymous,
    claim), optional `href` (#anchor) and `title` (tooltip). Anonymous sources are drawn dashed
    and red, so what rests on nobody in particular stands out.
    """
    by_id = {n["id"]: n for n in nodes}
    edges = [(a, b) for a, b in dict.fromkeys(edges) if a in by_id and b in by_id]
    layers: dict[int, list[str]] = defaultdict(list)
    for n in nodes:
        layers[int(n["layer"])].append(n["id"])
    if not layers:
        return _svg(
            200, 30, ['<text x="4" y="18" font-size="11">no sources</text>'], title, "graph"
        )
    _order_layers(layers, edges)
    present = sorted(layers)
    gap, row_h, top = 46, 26, 22
    xs: dict[int, float] = {}
    x = 4.0
    for layer in present:
        xs[layer] = x
        x += LAYER_WIDTHS[layer] + gap
    width = x - gap + 4
    tallest = max(len(layers[k]) for k in present)
    height = top + tallest * row_h + 8
    at: dict[str, tuple[float, float]] = {}
    body: list[str] = []
    for layer in present:
        offset = (tallest - len(layers[layer])) * row_h / 2
        body.append(
            f'<text x="{xs[layer]:.0f}" y="12" font-size="10" font-weight="bold" '
            f'fill="#555555">{_e(LAYER_TITLES[layer])}</text>'
        )
        for i, node_id in enumerate(layers[layer]):
            at[node_id] = (xs[layer], top + offset + i * row_h)
    for a, b in edges:
        (ax, ay), (bx, by) = at[a], at[b]
        la, lb = int(by_id[a]["layer"]), int(by_id[b]["layer"])
        if la > lb:
            (ax, ay), (bx, by), la = (bx, by), (ax, ay), lb
        sx, sy = ax + LAYER_WIDTHS[la], ay + (row_h - 6) / 2
        tx, ty = bx, by + (row_h - 6) / 2
        mid = (sx + tx) / 2
        body.append(
            f'<path d="M{sx:.1f},{sy:.1f} C{mid:.1f},{sy:.1f} {mid:.1f},{ty:.1f} {tx:.1f},{ty:.1f}" '
            'fill="none" stroke="#9aa0a6" stroke-width="1.2"/>'
        )
    for node_id, (nx_, ny) in at.items():
        node = by_id[node_id]
        layer = int(node["layer"])
        w = LAYER_WIDTHS[layer]
        fill, stroke, dash = NODE_STYLE.get(node.get("kind", "claim"), NODE_STYLE["claim"])
        label = clip(node["label"], int((w - 10) / CHAR_W))
        tip = node.get("title") or node["label"]
        shape = (
            f"<title>{_e(tip)}</title>"
            f'<rect x="{nx_:.1f}" y="{ny:.1f}" width="{w}" height="{row_h - 6}" rx="4" '
            f'fill="{fill}" stroke="{stroke}"{dash}/>'
            f'<text x="{nx_ + 5:.1f}" y="{ny + 14:.1f}" font-size="11" fill="#202124">'
            f"{_e(label)}</text>"
        )
        body.append(_link(node.get("href"), f'<g class="node">{shape}</g>'))
    return _svg(width, height, body, title, "graph")
