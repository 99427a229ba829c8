# The one chart module: SVG drawn in Python, no JavaScript and no charting library. Colours come from CSS
# classes (s1 ... s12 in calculators.css, a light and a dark set) so that both palettes work; lines also differ by dash
# pattern and marker, so that they are told apart in grey too. Ticks are round numbers written short (1k, 10k,
# 0.5), on whole-number axes whole numbers only. Charts are drawn narrow (480 units) with 14-unit text, so that
# scaled to a phone's width the text stays about 10 px. Every chart has an accessible name (aria-label and <title>).

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from calc.text import integer
from kernel_lab.html import Markup, html, join

__all__ = ["bars", "figure", "heat_map", "line_chart", "svg_open", "tick_label", "ticks"]

Points = Sequence[tuple[float, float]]
MAX_DOTS = 30  # points per series drawn with a marker each
SERIES = 12  # series with a colour of their own (s1 ... s12 in calculators.css)
CHAR = 8.0  # width of a character of chart text, in SVG units (14-unit text)


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
    """Marker of series i at (x, y): shape i mod 4 (circle, square, triangle, diamond), filled for the first four
    series, hollow for the next four, and so on, in series colour s{i mod 12 + 1}. Only whole numbers and numbers
    go into it, so it is written directly: a chart has hundreds of markers, and html() for each was most of the
    comparison's and the effective field's time."""
    cls = f"kl-dot s{i % SERIES + 1:d}{' kl-hollow' if (i // 4) % 2 else ''}"
    shape = i % 4
    if shape == 1:
        return Markup(f'<rect class="{cls}" x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6"/>')
    if shape == 2:
        return Markup(
            f'<path class="{cls}" d="M{x:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 3:.1f} L{x - 4:.1f},{y + 3:.1f} Z"/>'
        )
    if shape == 3:
        d = f"M{x:.1f},{y - 4:.1f} L{x + 4:.1f},{y:.1f} L{x:.1f},{y + 4:.1f} L{x - 4:.1f},{y:.1f} Z"
        return Markup(f'<path class="{cls}" d="{d}"/>')
    return Markup(f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="3.2"/>')


def tick_label(v: float) -> str:
    """A tick value written short: thousands as k, millions as M, billions as G; no trailing zeros.

    >>> [tick_label(v) for v in (0, 0.05, 0.5, 2, 250, 1000, 25_000, 1_500_000, 2e9)]
    ['0', '0.05', '0.5', '2', '250', '1k', '25k', '1.5M', '2G']
    """
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{round(v / size, 6):g}{suffix}"
    return f"{round(v, 9):g}"


def ticks(lo: float, hi: float, *, log: bool = False, base: int = 10, whole: bool = False) -> list[float]:
    """Round tick values between ``lo`` and ``hi``: on a linear axis multiples of a 1-2-5 step (whole numbers
    only when ``whole``), about five of them; on a log axis powers of 2 (``base`` 2, at most nine, thinned) or
    1-2-5 decades (1 and 10s only over more than three decades).

    >>> ticks(0, 0.0357 * 4)
    [0.0, 0.05, 0.1]
    >>> ticks(1, 204.75, whole=True)
    [50.0, 100.0, 150.0, 200.0]
    >>> ticks(0, 3, whole=True)
    [0.0, 1.0, 2.0, 3.0]
    >>> ticks(0.04, 40, log=True)
    [0.1, 1.0, 10.0]
    """
    if log and base == 2:
        exps = list(range(math.ceil(math.log2(lo) - 1e-9), math.floor(math.log2(hi) + 1e-9) + 1))
        every = max(1, math.ceil(len(exps) / 9))
        return [2.0**e for e in exps[::every]]
    if log:
        e0, e1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        steps = (1, 2, 5) if e1 - e0 <= 3 else (1,)
        return [
            m * 10.0**e for e in range(e0, e1 + 1) for m in steps if lo <= m * 10.0**e * (1 + 1e-9) <= hi * 1.000001
        ]
    span = (hi - lo) or abs(hi) or 1.0
    raw = span / 5
    e = math.floor(math.log10(raw))
    step = next(m * 10.0**e for m in (1, 2, 5, 10) if m * 10.0**e >= raw * 0.999)
    if whole:
        step = max(1.0, round(step))
    first = math.ceil(lo / step - 1e-9)
    return [float(round(k * step, 9)) for k in range(first, math.floor(hi / step + 1e-9) + 1)]


def _upper(hi: float, whole: bool = False) -> float:
    """``hi`` raised to the next tick of a 0..hi axis, so that the top grid line is a round number."""
    t = ticks(0, hi, whole=whole)
    step = t[1] - t[0] if len(t) > 1 else (hi or 1.0)
    return math.ceil(hi / step - 1e-9) * step


@dataclass(frozen=True)
class _Frame:
    """A chart's plot area and its two scales, in SVG units; the legend goes below the plot."""

    x0: float
    x1: float
    y0: float
    y1: float
    x_log: bool
    y_log: bool
    width: float = 480.0
    plot_height: float = 240.0
    left: float = 64.0
    right: float = 16.0
    top: float = 16.0
    bottom: float = 52.0
    legend: float = 0.0  # height of the legend rows under the x axis' label

    @property
    def height(self) -> float:
        return self.top + self.plot_height + self.bottom + self.legend

    @property
    def base(self) -> float:
        return self.top + self.plot_height

    def px(self, x: float) -> float:
        f = math.log2 if self.x_log else float
        return self.left + (f(x) - f(self.x0)) / ((f(self.x1) - f(self.x0)) or 1) * (
            self.width - self.left - self.right
        )

    def py(self, y: float) -> float:
        f = math.log10 if self.y_log else float
        y = min(max(y, self.y0), self.y1)
        span = (f(self.y1) - f(self.y0)) or 1
        return self.base - (f(y) - f(self.y0)) / span * self.plot_height


def _grid(frame: _Frame, x_ticks: Sequence[float], y_ticks: Sequence[float]) -> Markup:
    """Axes, horizontal grid lines with their y values, and the x tick labels."""
    f = frame
    base, end = f.base, f.width - f.right
    out = [
        html('<line class="kl-axis" x1="{l}" y1="{b}" x2="{e}" y2="{b}"/>', l=f.left, b=base, e=end),
        html('<line class="kl-axis" x1="{l}" y1="{t}" x2="{l}" y2="{b}"/>', l=f.left, t=f.top, b=base),
    ]
    for y in y_ticks:
        out.append(
            html(
                '<line class="kl-grid" x1="{l}" y1="{y:.1f}" x2="{e}" y2="{y:.1f}"/>'
                '<text class="kl-tick" x="{tx}" y="{ty:.1f}" text-anchor="end">{v}</text>',
                l=f.left,
                e=end,
                y=f.py(y),
                tx=f.left - 6,
                ty=f.py(y) + 5,
                v=tick_label(y),
            )
        )
    for x in x_ticks:
        out.append(
            html(
                '<text class="kl-tick" x="{:.1f}" y="{}" text-anchor="middle">{}</text>',
                f.px(x),
                base + 18,
                integer(round(x)) if f.x_log and x >= 1 else tick_label(x),
            )
        )
    return join(out)


def _legend_layout(names: Sequence[str], width: float) -> tuple[int, float]:
    """Columns of the legend under a chart ``width`` wide, and the width of one."""
    column = 44 + CHAR * max(len(n) for n in names)
    columns = max(1, min(len(names), int((width - 16) // column)))
    return columns, (width - 16) / columns


def _series(frame: _Frame, i: int, name: str, points: Points, dots: bool, columns: int, column: float) -> Markup:
    """Series ``i``: its line, a marker on every point (if ``dots``), and its legend entry under the chart."""
    f, cls = frame, f"kl-line s{i % SERIES + 1} d{i % 5 + 1}"
    path = " ".join(f"{'M' if j == 0 else 'L'}{f.px(x):.1f},{f.py(y):.1f}" for j, (x, y) in enumerate(points))
    lx = 8 + column * (i % columns)
    ly = f.base + f.bottom + 10 + 20 * (i // columns)
    return join(
        [
            html('<path class="{}" d="{}"/>', cls, path),
            *(_marker(i, f.px(x), f.py(y)) for x, y in points if dots),
            html('<line class="{c}" x1="{a}" y1="{y}" x2="{b}" y2="{y}"/>', c=cls, a=lx, b=lx + 28, y=ly),
            _marker(i, lx + 14, ly),
            html('<text class="kl-legend" x="{}" y="{}">{}</text>', lx + 36, ly + 5, name),
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
    x_whole: bool = False,
) -> Markup:
    """An SVG line chart of ``series`` [(name, [(x, y), ...]), ...], its legend below it.

    ``x_log`` puts x on a log2 axis, ``y_log`` y on a log10 axis (points with y <= 0 are left out there).
    ``y_range`` fixes the y axis (values outside it are drawn at its edge); by default it spans 0 (or, on a log
    axis, the decade below the smallest value) to a round number above the largest, so every value is drawn
    where it is. ``markers`` are labelled vertical lines (x, text); ``reference_y`` draws a dashed horizontal
    line (a break-even level, say); ``x_whole``: x is a count (pixels, layers), ticked in whole numbers.
    """
    shown = [(name, [(x, y) for x, y in pts if not (y_log and y <= 0)]) for name, pts in series]
    xs = [x for _, pts in shown for x, _ in pts]
    ys = [y for _, pts in shown for _, y in pts] + ([reference_y] if reference_y is not None else [])
    if not xs:
        return Markup("")
    if y_range is None:
        top = max(ys)
        if y_log:
            y_range = (10.0 ** math.floor(math.log10(min(ys))), 10.0 ** math.ceil(math.log10(top)))
        else:
            y_range = (min(0.0, min(ys)), _upper(top) if top > 0 else 1.0)
    columns, column = _legend_layout([name for name, _ in shown], 480.0)
    rows = math.ceil(len(shown) / columns)
    f = _Frame(min(xs), max(xs), y_range[0], y_range[1], x_log, y_log, legend=20.0 * rows)
    distinct = sorted(set(xs))
    if x_log:
        x_ticks = ticks(f.x0, f.x1, log=True, base=2)
    elif len(distinct) <= 12 and all(x == round(x) for x in distinct):
        x_ticks = distinct
    else:
        x_ticks = ticks(f.x0, f.x1, whole=x_whole)
    y_ticks = ticks(f.y0, f.y1, log=y_log)
    out = [svg_open(f.width, f.height, label, "kl-chart"), _grid(f, x_ticks, y_ticks)]
    if reference_y is not None:
        y = f.py(reference_y)
        out.append(
            html('<line class="kl-ref" x1="{}" y1="{y:.1f}" x2="{}" y2="{y:.1f}"/>', f.left, f.width - f.right, y=y)
        )
    for i, (mx, text) in enumerate(markers):
        # Labels on successive rows, written away from the nearer edge, so that neighbours do not overlap.
        x = f.px(mx)
        right_half = x > (f.left + f.width - f.right) / 2
        out.append(
            html(
                '<line class="kl-marker" x1="{x:.1f}" y1="{t}" x2="{x:.1f}" y2="{b}"/>'
                '<text class="kl-tick kl-halo" x="{tx:.1f}" y="{ty}" text-anchor="{anchor}">{text}</text>',
                x=x,
                t=f.top,
                b=f.base,
                tx=x - 5 if right_half else x + 5,
                ty=f.top + 16 + 18 * i,
                anchor="end" if right_half else "start",
                text=text,
            )
        )
    dots = max(len(pts) for _, pts in shown) <= MAX_DOTS  # beyond, markers would hide the lines
    out += [_series(f, i, name, pts, dots, columns, column) for i, (name, pts) in enumerate(shown)]
    out.append(
        html(
            '<text class="kl-label" x="{}" y="{}" text-anchor="middle">{}</text>'
            '<text class="kl-label" transform="translate(16 {}) rotate(-90)" text-anchor="middle">{}</text></svg>',
            (f.left + f.width - f.right) / 2,
            f.base + 40,
            x_label,
            f.top + f.plot_height / 2,
            y_label,
        )
    )
    return join(out)


def bars(
    rows: Sequence[tuple[str, Sequence[float]]],
    names: Sequence[str],
    label: str,
    *,
    value_text: Callable[[float], str] = lambda v: integer(round(v)),
    caption: str = "",
) -> Markup:
    """Horizontal bar groups on a shared linear scale: one group per row, one bar per entry of ``names``, each
    with its value written by ``value_text`` (whole numbers with separators by default); ``caption`` under it
    (default: ``label``)."""
    top = max((v for _, values in rows for v in values), default=0) or 1
    # Room for the longest row name left of the bars, and for the longest value right of them.
    longest = max((len(value_text(v)) for _, values in rows for v in values), default=1)
    width, left, bar = 480.0, max(60.0, 10.0 + CHAR * max((len(n) for n, _ in rows), default=0)), 16.0
    width = max(width, left + 200.0)
    group = (len(names) + 0.6) * bar
    columns, column = _legend_layout(names, width)
    height = len(rows) * group + 12 + 22 * math.ceil(len(names) / columns)
    out = [svg_open(width, height, label, "kl-bars")]
    for i, (name, values) in enumerate(rows):
        y = 6 + i * group
        out.append(html('<text class="kl-tick" x="4" y="{:.1f}">{}</text>', y + bar * len(names) / 2 + 5, name))
        for j, v in enumerate(values):
            w = (width - left - 12 - CHAR * longest) * v / top
            yy = y + j * bar
            out.append(
                html(
                    '<rect class="kl-bar s{}" x="{}" y="{:.1f}" width="{:.1f}" height="{}"/>'
                    '<text class="kl-tick" x="{:.1f}" y="{:.1f}">{}</text>',
                    j % SERIES + 1,
                    left,
                    yy,
                    w,
                    bar - 3,
                    left + w + 4,
                    yy + bar - 4,
                    value_text(v),
                )
            )
    legend_y = len(rows) * group + 12
    for j, name in enumerate(names):
        x, y = 8 + column * (j % columns), legend_y + 22 * (j // columns)
        out.append(
            html(
                '<rect class="kl-bar s{}" x="{}" y="{}" width="12" height="12"/>'
                '<text class="kl-legend" x="{}" y="{}">{}</text>',
                j % SERIES + 1,
                x,
                y,
                x + 18,
                y + 11,
                name,
            )
        )
    out.append(Markup("</svg>"))
    return figure(join(out), (caption or label) + ".")


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
    # Each square is "M{x:.1f},{y:.1f}h{c:.2f}v{c:.2f}h-{c:.2f}z", from texts formatted once per column and row.
    levels: dict[str, list[str]] = {}
    xs = [f"M{left + j * cell:.1f}," for j in range(max((len(r) for r in cells), default=0))]
    side = f"h{cell:.2f}v{cell:.2f}h-{cell:.2f}z"
    for i, row in enumerate(cells):
        row_end = f"{4 + i * cell:.1f}{side}"
        for j, v in enumerate(row):
            if v > 0:
                levels.setdefault(f"{v / top:.3f}", []).append(xs[j] + row_end)
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
