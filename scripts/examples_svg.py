# SVG line charts drawn in Python for the examples pages: no JavaScript, no
# charting library. A chart is inline <svg> with a <title>, axis labels, a
# legend, and lines told apart by dash pattern and marker as well as colour.

from __future__ import annotations

import math
from html import escape

# Material's palette, distinguishable in grey too thanks to the dashes and markers.
STYLES = [
    ("#1e88e5", "", "circle"),
    ("#e53935", "6 3", "square"),
    ("#43a047", "2 3", "triangle"),
    ("#8e24aa", "8 3 2 3", "diamond"),
    ("#fb8c00", "4 2", "circle"),
]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 3:.1f} L{x - 4:.1f},{y + 3:.1f} Z" fill="{colour}"/>'
    if shape == "diamond":
        d = f"M{x:.1f},{y - 4:.1f} L{x + 4:.1f},{y:.1f} L{x:.1f},{y + 4:.1f} L{x - 4:.1f},{y:.1f} Z"
        return f'<path d="{d}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{colour}"/>'


def _log_ticks(lo: float, hi: float) -> list[float]:
    ticks = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0**e
            if lo <= v <= hi:
                ticks.append(v)
    return ticks


def _tick_label(v: float) -> str:
    return f"{v:g}" if v >= 0.01 else f"{v:.0e}"


def line_chart(
    title: str,
    series: list[tuple[str, list[tuple[float, float]]]],
    x_label: str,
    y_label: str,
    width: int = 420,
    height: int = 280,
) -> str:
    """A log-y line chart; ``series`` is [(name, [(x, y), ...]), ...] with y > 0."""
    points = [p for _, pts in series for p in pts if p[1] > 0]
    if not points:
        return ""
    left, right, top, bottom = 56, 12, 28, 64
    xs = sorted({p[0] for p in points})
    ylo, yhi = min(p[1] for p in points), max(p[1] for p in points)
    ylo, yhi = ylo / 1.3, yhi * 1.3
    x0, x1 = xs[0], xs[-1] if xs[-1] != xs[0] else xs[0] + 1

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def py(y: float) -> float:
        return top + (math.log(yhi) - math.log(y)) / (math.log(yhi) - math.log(ylo)) * (height - top - bottom)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kl-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{width / 2:.0f}" y="16" text-anchor="middle" font-size="12" font-weight="bold" '
        f'fill="currentColor">{escape(title)}</text>',
        '<g stroke="currentColor" stroke-opacity="0.15">'
        + "".join(
            f'<line x1="{left}" x2="{width - right}" y1="{py(t):.1f}" y2="{py(t):.1f}"/>' for t in _log_ticks(ylo, yhi)
        )
        + "</g>",
        '<g font-size="10" fill="currentColor">'
        + "".join(
            f'<text x="{left - 4}" y="{py(t) + 3:.1f}" text-anchor="end">{_tick_label(t)}</text>'
            for t in _log_ticks(ylo, yhi)
        )
        + "".join(f'<text x="{px(x):.1f}" y="{height - bottom + 14}" text-anchor="middle">{x:g}</text>' for x in xs)
        + "</g>",
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - bottom}" stroke="currentColor"/>',
        f'<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" stroke="currentColor"/>',
        f'<text x="{(left + width - right) / 2:.0f}" y="{height - bottom + 30}" text-anchor="middle" '
        f'font-size="11" fill="currentColor">{escape(x_label)}</text>',
        f'<text transform="translate(14 {(top + height - bottom) / 2:.0f}) rotate(-90)" text-anchor="middle" '
        f'font-size="11" fill="currentColor">{escape(y_label)}</text>',
    ]
    legend_y = height - 14
    legend_x = left
    for i, (name, pts) in enumerate(series):
        colour, dash, shape = STYLES[i % len(STYLES)]
        good = [(x, y) for x, y in pts if y > 0]
        if good:
            path = " ".join(f"{'M' if j == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for j, (x, y) in enumerate(good))
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.8"{dash_attr}/>')
            out.extend(_marker(shape, px(x), py(y), colour) for x, y in good)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}" '
            f'stroke-width="1.8"{dash_attr}/>' + _marker(shape, legend_x + 9, legend_y, colour)
        )
        out.append(
            f'<text x="{legend_x + 22}" y="{legend_y + 4}" font-size="10" fill="currentColor">{escape(name)}</text>'
        )
        legend_x += 26 + 6 * len(name)
    out.append("</svg>")
    return "".join(out)
