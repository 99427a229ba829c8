# The one chart module: SVG drawn in Python, no JavaScript and no charting library. Colours come from CSS
# classes (s1, s2, ... in calc.css) so that both palettes work; lines also differ by dash pattern and marker,
# so that they are told apart in grey too. Every chart has an accessible name (aria-label and <title>).

from __future__ import annotations

import math
from collections.abc import Sequence

from kernel_lab.html import Markup, html, join

__all__ = ["bars", "heat_map", "line_chart", "svg_open"]

Points = Sequence[tuple[float, float]]


def svg_open(width: float, height: float, label: str, cls: str) -> Markup:
    """The opening of an inline SVG figure with role img and ``label`` as its accessible name."""
    return html(
        '<svg class="kl-svg {}" viewBox="0 0 {:g} {:g}" width="{:g}" height="{:g}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>',
        cls,
        width,
        height,
        width,
        height,
        label,
        label,
    )


def _marker(i: int, x: float, y: float) -> Markup:
    """Marker shape i (circle, square, triangle, diamond) of series class s{i+1} at (x, y)."""
    cls = f"kl-dot s{i + 1}"
    shape = i % 4
    if shape == 1:
        return html('<rect class="{}" x="{:.1f}" y="{:.1f}" width="6" height="6"/>', cls, x - 3, y - 3)
    if shape == 2:
        return html(
            '<path class="{}" d="M{:.1f},{:.1f} L{:.1f},{:.1f} L{:.1f},{:.1f} Z"/>',
            cls, x, y - 4, x + 4, y + 3, x - 4, y + 3,
        )  # fmt: skip
    if shape == 3:
        return html(
            '<path class="{}" d="M{:.1f},{:.1f} L{:.1f},{:.1f} L{:.1f},{:.1f} L{:.1f},{:.1f} Z"/>',
            cls, x, y - 4, x + 4, y, x, y + 4, x - 4, y,
        )  # fmt: skip
    return html('<circle class="{}" cx="{:.1f}" cy="{:.1f}" r="3.2"/>', cls, x, y)


def _ticks(lo: float, hi: float, log: bool, base: int) -> list[float]:
    """Tick values: powers of ``base`` (log2) or 1-2-5 decades (log10) on a log axis, five steps on a linear one."""
    if not log:
        return [lo + (hi - lo) * i / 4 for i in range(5)]
    if base == 2:
        return [2.0**e for e in range(math.ceil(math.log2(lo)), math.floor(math.log2(hi)) + 1)]
    out = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        out += [m * 10.0**e for m in (1, 2, 5) if lo <= m * 10.0**e <= hi]
    return out


def line_chart(
    series: Sequence[tuple[str, Points]],
    x_label: str,
    y_label: str,
    label: str,
    *,
    x_log: bool = False,
    y_log: bool = False,
    y_range: tuple[float, float] | None = None,
    markers: Sequence[tuple[float, str]] = (),
    reference_y: float | None = None,
) -> Markup:
    """An SVG line chart of ``series`` [(name, [(x, y), ...]), ...].

    ``x_log`` puts x on a log2 axis, ``y_log`` y on a log10 axis (points with y <= 0 are left out there).
    ``y_range`` fixes the y axis (values above it are drawn at the top); by default it spans 0 (or the
    smallest value, on a log axis) to the largest. ``markers`` are labelled vertical lines (x, text);
    ``reference_y`` draws a dashed horizontal line (a break-even level, say).
    """
    width, height = 640.0, 300.0
    left, right, top, bottom = 60.0, 160.0, 16.0, 44.0
    pts = [(x, y) for _, s in series for x, y in s if not (y_log and y <= 0)]
    if not pts:
        return Markup("")
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    x0, x1 = min(xs), max(xs)
    if y_range is not None:
        y0, y1 = y_range
    elif y_log:
        y0, y1 = min(ys) / 1.3, max(ys) * 1.3
    else:
        y0, y1 = 0.0, max(ys) if max(ys) > 0 else 1.0
    fx = math.log2 if x_log else float
    fy = math.log10 if y_log else float

    def px(x: float) -> float:
        return left + (fx(x) - fx(x0)) / ((fx(x1) - fx(x0)) or 1) * (width - left - right)

    def py(y: float) -> float:
        y = min(max(y, y0), y1)
        return height - bottom - (fy(y) - fy(y0)) / ((fy(y1) - fy(y0)) or 1) * (height - top - bottom)

    out = [svg_open(width, height, label, "kl-chart")]
    out.append(
        html(
            '<line class="kl-axis" x1="{}" y1="{}" x2="{}" y2="{}"/><line class="kl-axis" x1="{}" y1="{}" x2="{}" '
            'y2="{}"/>',
            left,
            height - bottom,
            width - right,
            height - bottom,
            left,
            top,
            left,
            height - bottom,
        )
    )
    for y in _ticks(y0, y1, y_log, 10):
        out.append(
            html(
                '<line class="kl-grid" x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}"/>'
                '<text class="kl-tick" x="{}" y="{:.1f}" text-anchor="end">{:.3g}</text>',
                left,
                py(y),
                width - right,
                py(y),
                left - 6,
                py(y) + 4,
                y,
            )
        )
    x_ticks = (
        _ticks(x0, x1, x_log, 2) if x_log else sorted(set(xs)) if len(set(xs)) <= 12 else _ticks(x0, x1, False, 10)
    )
    for x in x_ticks:
        out.append(
            html(
                '<text class="kl-tick" x="{:.1f}" y="{}" text-anchor="middle">{:g}</text>',
                px(x),
                height - bottom + 16,
                x,
            )
        )
    if reference_y is not None:
        out.append(
            html(
                '<line class="kl-ref" x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}"/>',
                left,
                py(reference_y),
                width - right,
                py(reference_y),
            )
        )
    for i, (mx, text) in enumerate(markers):
        # Labels on successive rows, written leftwards of their line, so that neighbours do not overlap.
        out.append(
            html(
                '<line class="kl-marker" x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{}"/>'
                '<text class="kl-tick" x="{:.1f}" y="{}" text-anchor="end">{}</text>',
                px(mx),
                top,
                px(mx),
                height - bottom,
                px(mx) - 4,
                top + 30 + 14 * i,
                text,
            )
        )
    for i, (name, points) in enumerate(series):
        cls = f"kl-line s{i + 1}"
        good = [(x, y) for x, y in points if not (y_log and y <= 0)]
        path = " ".join(f"{'M' if j == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for j, (x, y) in enumerate(good))
        out.append(html('<path class="{}" d="{}"/>', cls, path))
        out += [_marker(i, px(x), py(y)) for x, y in good]
        ly = top + 14 + 18 * i
        out.append(
            html(
                '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/>{}<text class="kl-legend" x="{}" y="{}">{}</text>',
                cls,
                width - right + 10,
                ly - 4,
                width - right + 34,
                ly - 4,
                _marker(i, width - right + 22, ly - 4),
                width - right + 40,
                ly,
                name,
            )
        )
    out.append(
        html(
            '<text class="kl-label" x="{}" y="{}" text-anchor="middle">{}</text>'
            '<text class="kl-label" transform="translate(14 {}) rotate(-90)" text-anchor="middle">{}</text></svg>',
            (left + width - right) / 2,
            height - 8,
            x_label,
            (top + height - bottom) / 2,
            y_label,
        )
    )
    return join(out)


def bars(rows: Sequence[tuple[str, Sequence[int]]], names: Sequence[str], label: str) -> Markup:
    """Horizontal bar groups on a shared linear scale: one group per row, one bar per entry of ``names``."""
    from calc.text import integer

    top = max((v for _, values in rows for v in values), default=0) or 1
    width, left, bar = 640.0, 60.0, 12.0
    group = (len(names) + 1) * bar
    height = len(rows) * group + 30
    out = [svg_open(width, height, label, "kl-bars")]
    for i, (name, values) in enumerate(rows):
        y = 10 + i * group
        out.append(html('<text class="kl-tick" x="4" y="{:.1f}">{}</text>', y + bar + 4, name))
        for j, v in enumerate(values):
            w = (width - left - 140) * v / top
            yy = y + j * bar
            out.append(
                html(
                    '<rect class="kl-bar s{}" x="{}" y="{:.1f}" width="{:.1f}" height="{}"/>'
                    '<text class="kl-tick" x="{:.1f}" y="{:.1f}">{}</text>',
                    j + 1,
                    left,
                    yy,
                    w,
                    bar - 2,
                    left + w + 4,
                    yy + bar - 3,
                    integer(v),
                )
            )
    x = left
    for j, name in enumerate(names):
        out.append(
            html(
                '<rect class="kl-bar s{}" x="{}" y="{}" width="10" height="10"/>'
                '<text class="kl-legend" x="{}" y="{}">{}</text>',
                j + 1,
                x,
                height - 14,
                x + 14,
                height - 5,
                name,
            )
        )
        x += 30 + 7 * len(name)
    out.append(Markup("</svg>"))
    return html('<figure class="kl-figure">{}<figcaption>{}.</figcaption></figure>', join(out), label)


MAX_HEAT_CELLS = 64  # cells per side; larger maps are summed into bins of whole pixels


def _binned(values: Sequence[Sequence[float]]) -> tuple[list[list[float]], int]:
    """``values`` summed into at most MAX_HEAT_CELLS bins per side; the bin width in pixels."""
    n = max(len(values), len(values[0]) if values else 0)
    step = max(1, math.ceil(n / MAX_HEAT_CELLS))
    rows = math.ceil(len(values) / step)
    cols = math.ceil(len(values[0]) / step) if values else 0
    out = [[0.0] * cols for _ in range(rows)]
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            out[i // step][j // step] += v
    return out, step


def heat_map(values: Sequence[Sequence[float]], label: str, top: float | None = None) -> Markup:
    """A square-celled heat map of non-negative ``values`` (rows by columns): one hue, its opacity the value's
    share of ``top`` (by default the largest value; give maps drawn side by side the same one), so that it
    reads in both palettes; a legend gives the scale."""
    cells, step = _binned(values)
    top = top or max((v for row in cells for v in row), default=0.0) or 1.0
    rows, cols = len(cells), len(cells[0]) if cells else 0
    cell = max(3.0, min(24.0, 320.0 / max(rows, cols, 1)))
    left, legend_h = 8.0, 40.0
    width, height = max(left * 2 + cols * cell, 240.0), rows * cell + legend_h + 8
    out = [svg_open(width, height, label, "kl-heat")]
    for i, row in enumerate(cells):
        for j, v in enumerate(row):
            if v > 0:
                out.append(
                    html(
                        '<rect class="kl-cell s1" x="{:.1f}" y="{:.1f}" width="{:.2f}" height="{:.2f}" '
                        'fill-opacity="{:.3f}"/>',
                        left + j * cell,
                        4 + i * cell,
                        cell,
                        cell,
                        v / top,
                    )
                )
    y = rows * cell + 16
    for k in range(6):
        out.append(
            html(
                '<rect class="kl-cell s1 kl-edge" x="{:.1f}" y="{:.1f}" width="14" height="10" fill-opacity="{:.1f}"/>',
                left + 16 * k,
                y,
                k / 5,
            )
        )
    per = "" if step == 1 else f" per {step} × {step} pixels"
    out.append(
        html(
            '<text class="kl-tick" x="{:.1f}" y="{:.1f}">0 to {:.3g}{}</text></svg>',
            left + 100,
            y + 9,
            top,
            per,
        )
    )
    return html('<figure class="kl-figure">{}<figcaption>{}.</figcaption></figure>', join(out), label)
