# The one chart module: SVG drawn in Python, no JavaScript and no charting library. Colours come from CSS
# classes (s1, s2, ... in calc.css) so that both palettes work; lines also differ by dash pattern and marker,
# so that they are told apart in grey too. Every chart has an accessible name (aria-label and <title>).

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kernel_lab.html import Markup, html, join

__all__ = ["bars", "figure", "heat_map", "line_chart", "svg_open"]

Points = Sequence[tuple[float, float]]
MAX_DOTS = 30  # points per series drawn with a marker each


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


def figure(content: Markup, caption: Markup | str) -> Markup:
    """``content`` (a chart, a drawing) with its caption below it, as every figure of the site is shown.

    >>> figure(Markup("<svg></svg>"), "Paths from <x>")
    Markup('<figure class="kl-figure"><svg></svg><figcaption>Paths from &lt;x&gt;</figcaption></figure>')
    """
    return html('<figure class="kl-figure">{}<figcaption>{}</figcaption></figure>', content, caption)


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


@dataclass(frozen=True)
class _Frame:
    """A chart's plot area and its two scales, in SVG units."""

    x0: float
    x1: float
    y0: float
    y1: float
    x_log: bool
    y_log: bool
    width: float = 640.0
    height: float = 300.0
    left: float = 60.0
    right: float = 160.0
    top: float = 16.0
    bottom: float = 44.0

    def px(self, x: float) -> float:
        f = math.log2 if self.x_log else float
        return self.left + (f(x) - f(self.x0)) / ((f(self.x1) - f(self.x0)) or 1) * (
            self.width - self.left - self.right
        )

    def py(self, y: float) -> float:
        f = math.log10 if self.y_log else float
        y = min(max(y, self.y0), self.y1)
        span = (f(self.y1) - f(self.y0)) or 1
        return self.height - self.bottom - (f(y) - f(self.y0)) / span * (self.height - self.top - self.bottom)


def _grid(frame: _Frame, x_ticks: Sequence[float]) -> Markup:
    """Axes, horizontal grid lines with their y values, and the x tick labels."""
    f = frame
    base, end = f.height - f.bottom, f.width - f.right
    out = [
        html('<line class="kl-axis" x1="{l}" y1="{b}" x2="{e}" y2="{b}"/>', l=f.left, b=base, e=end),
        html('<line class="kl-axis" x1="{l}" y1="{t}" x2="{l}" y2="{b}"/>', l=f.left, t=f.top, b=base),
    ]
    for y in _ticks(f.y0, f.y1, f.y_log, 10):
        out.append(
            html(
                '<line class="kl-grid" x1="{l}" y1="{y:.1f}" x2="{e}" y2="{y:.1f}"/>'
                '<text class="kl-tick" x="{tx}" y="{ty:.1f}" text-anchor="end">{v:.3g}</text>',
                l=f.left,
                e=end,
                y=f.py(y),
                tx=f.left - 6,
                ty=f.py(y) + 4,
                v=y,
            )
        )
    for x in x_ticks:
        out.append(
            html('<text class="kl-tick" x="{:.1f}" y="{}" text-anchor="middle">{:g}</text>', f.px(x), base + 16, x)
        )
    return join(out)


def _series(frame: _Frame, i: int, name: str, points: Points, dots: bool) -> Markup:
    """Series ``i``: its line, a marker on every point (if ``dots``), and its legend entry."""
    f, cls = frame, f"kl-line s{i + 1}"
    path = " ".join(f"{'M' if j == 0 else 'L'}{f.px(x):.1f},{f.py(y):.1f}" for j, (x, y) in enumerate(points))
    lx, ly = f.width - f.right + 10, f.top + 10 + 18 * i
    return join(
        [
            html('<path class="{}" d="{}"/>', cls, path),
            *(_marker(i, f.px(x), f.py(y)) for x, y in points if dots),
            html('<line class="{c}" x1="{a}" y1="{y}" x2="{b}" y2="{y}"/>', c=cls, a=lx, b=lx + 24, y=ly),
            _marker(i, lx + 12, ly),
            html('<text class="kl-legend" x="{}" y="{}">{}</text>', lx + 30, ly + 4, name),
        ]
    )


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
    shown = [(name, [(x, y) for x, y in pts if not (y_log and y <= 0)]) for name, pts in series]
    xs = [x for _, pts in shown for x, _ in pts]
    ys = [y for _, pts in shown for _, y in pts]
    if not xs:
        return Markup("")
    if y_range is None:
        y_range = (min(ys) / 1.3, max(ys) * 1.3) if y_log else (0.0, max(ys) if max(ys) > 0 else 1.0)
    legend = 50.0 + 6.5 * max(len(name) for name, _ in shown)  # room for the longest series name
    f = _Frame(min(xs), max(xs), y_range[0], y_range[1], x_log, y_log, width=480.0 + legend, right=legend)
    distinct = sorted(set(xs))
    x_ticks = (
        _ticks(f.x0, f.x1, True, 2) if x_log else distinct if len(distinct) <= 12 else _ticks(f.x0, f.x1, False, 10)
    )
    out = [svg_open(f.width, f.height, label, "kl-chart"), _grid(f, x_ticks)]
    if reference_y is not None:
        y = f.py(reference_y)
        out.append(
            html('<line class="kl-ref" x1="{}" y1="{y:.1f}" x2="{}" y2="{y:.1f}"/>', f.left, f.width - f.right, y=y)
        )
    for i, (mx, text) in enumerate(markers):
        # Labels on successive rows, written leftwards of their line, so that neighbours do not overlap.
        out.append(
            html(
                '<line class="kl-marker" x1="{x:.1f}" y1="{t}" x2="{x:.1f}" y2="{b}"/>'
                '<text class="kl-tick" x="{tx:.1f}" y="{ty}" text-anchor="end">{text}</text>',
                x=f.px(mx),
                t=f.top,
                b=f.height - f.bottom,
                tx=f.px(mx) - 4,
                ty=f.top + 30 + 14 * i,
                text=text,
            )
        )
    dots = max(len(pts) for _, pts in shown) <= MAX_DOTS  # beyond, markers would hide the lines
    out += [_series(f, i, name, pts, dots) for i, (name, pts) in enumerate(shown)]
    out.append(
        html(
            '<text class="kl-label" x="{}" y="{}" text-anchor="middle">{}</text>'
            '<text class="kl-label" transform="translate(14 {}) rotate(-90)" text-anchor="middle">{}</text></svg>',
            (f.left + f.width - f.right) / 2,
            f.height - 8,
            x_label,
            (f.top + f.height - f.bottom) / 2,
            y_label,
        )
    )
    return join(out)


def bars(rows: Sequence[tuple[str, Sequence[int]]], names: Sequence[str], label: str) -> Markup:
    """Horizontal bar groups on a shared linear scale: one group per row, one bar per entry of ``names``."""
    from calc.text import integer

    top = max((v for _, values in rows for v in values), default=0) or 1
    # Room for the longest row name (about 7 units a character) left of the bars.
    width, left, bar = 640.0, max(60.0, 8.0 + 7.0 * max((len(n) for n, _ in rows), default=0)), 12.0
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
    return figure(join(out), label + ".")


MAX_HEAT_CELLS = 32  # cells per side; larger maps are summed into bins of whole pixels (also keeps them quick)


def _bins(values: Sequence[float], step: int) -> list[float]:
    """``values`` summed in bins of ``step`` whole pixels."""
    return [math.fsum(values[i : i + step]) for i in range(0, len(values), step)]


def outer_binned(rows: Sequence[float], cols: Sequence[float]) -> tuple[list[list[float]], int]:
    """The outer product rows × cols (a separable map, as an effective field with equal weights is), summed into
    square bins, at most MAX_HEAT_CELLS per side, without forming the full product: a bin's sum is the product
    of the two axes' bin sums. Returns the cells and the bin width in pixels.

    Examples:
        >>> outer_binned([0.25, 0.5, 0.25], [0.5, 0.5])
        ([[0.125, 0.125], [0.25, 0.25], [0.125, 0.125]], 1)
    """
    step = max(1, math.ceil(max(len(rows), len(cols)) / MAX_HEAT_CELLS))
    return [[a * b for b in _bins(cols, step)] for a in _bins(rows, step)], step


def heat_map(values: Sequence[Sequence[float]], label: str, top: float | None = None, step: int = 1) -> Markup:
    """A square-celled heat map of non-negative ``values`` (rows by columns, at most MAX_HEAT_CELLS per side):
    one hue, its opacity the value's share of ``top`` (by default the largest value; give maps drawn side by side
    the same one), so that it reads in both palettes; a legend gives the scale. ``step`` says how many pixels a
    cell sums, per side (see outer_binned)."""
    if max(len(values), max((len(r) for r in values), default=0)) > MAX_HEAT_CELLS:
        raise ValueError(f"heat_map: at most {MAX_HEAT_CELLS} cells per side; bin the values first")
    cells = [list(r) for r in values]
    top = top or max((v for row in cells for v in row), default=0.0) or 1.0
    rows, cols = len(cells), len(cells[0]) if cells else 0
    cell = max(3.0, min(24.0, 320.0 / max(rows, cols, 1)))
    left, legend_h = 8.0, 40.0
    width, height = max(left * 2 + cols * cell, 240.0), rows * cell + legend_h + 8
    out = [svg_open(width, height, label, "kl-heat")]
    # Cells of one opacity share one path (a square per cell): a few hundred elements instead of thousands.
    levels: dict[str, list[str]] = {}
    square = "M{:.1f},{:.1f}h{c:.2f}v{c:.2f}h-{c:.2f}z"
    for i, row in enumerate(cells):
        for j, v in enumerate(row):
            if v > 0:
                levels.setdefault(f"{v / top:.3f}", []).append(square.format(left + j * cell, 4 + i * cell, c=cell))
    for opacity, squares in levels.items():
        out.append(html('<path class="kl-cell s1" fill-opacity="{}" d="{}"/>', opacity, "".join(squares)))
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
    return figure(join(out), label + ".")
