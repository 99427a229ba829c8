# One convolution drawn from calc's numbers, like Dumoulin & Visin's figures ("A guide to convolution arithmetic
# for deep learning") but for any configuration: the input with its padding (TensorFlow's uneven 'same' split
# included), the window of one output unit with its taps (dilation leaves gaps), and the output grid. The reader
# steps the output unit with buttons or the arrow keys; calculators.js only changes the row and column fields.

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import calc
from kernel_lab.html import Markup, escape, html, join

__all__ = ["VIEW", "convolution_diagram"]

VIEW = 21  # cells per side at most: larger inputs are drawn around the window
VIEW_OUT = 11  # output cells per side at most
CELL = 16.0
Span = tuple[int, int]


def _span(first: int, last: int, lo: int, hi: int, n: int = VIEW) -> Span:
    """At most ``n`` consecutive indices of lo..hi that include first..last (a window of at most n pixels)."""
    if hi - lo + 1 <= n:
        return lo, hi
    start = min(max(lo, first - (n - (last - first + 1)) // 2), hi - n + 1)
    return start, start + n - 1


@dataclass(frozen=True)
class _Axis:
    """One axis of the drawing for output index ``i``: calc's Window says that output unit i reads input
    positions i*stride - pad_before + t*dilation, t = 0 .. taps-1, within the dilated extent."""

    taps: tuple[int, ...]
    window: Span  # first and last input position of the window
    shown_in: Span  # input positions drawn (padding has negative ones, or ones past the end)
    shown_out: Span  # output positions drawn

    @classmethod
    def of(cls, window: calc.Window, axis: int, size: int, out: int, i: int) -> _Axis:
        before, after = window.pad_before[axis] or 0, window.pad_after[axis] or 0
        first = i * window.strides[axis] - before
        last = first + window.kernel[axis] - 1
        taps = tuple(range(first, last + 1, window.dilation[axis]))
        return cls(
            taps, (first, last), _span(first, last, -before, size - 1 + after), _span(i, i, 0, out - 1, VIEW_OUT)
        )


def _grid(
    x0: float, y0: float, rows: Span, cols: Span, area: Span | None, marked: dict[tuple[int, int], tuple[str, str]]
) -> Markup:
    """Cells rows × cols drawn from (x0, y0): a padding background, the ``area`` of real positions over it (rows
    and columns 0..area-1; None: all real), grid lines as one path, and the ``marked`` cells with their class and
    what they hold in words, each saying which position it is (data-at="row col") and what it holds (data-say,
    shown by calculators.js when the cell is clicked). Drawn this way, a grid costs a few elements, not one
    per cell."""
    n_rows, n_cols = _cells(rows), _cells(cols)
    out = [
        html('<rect class="kl-px kl-pad" x="{}" y="{}" width="{}" height="{}"/>', x0, y0, n_cols * CELL, n_rows * CELL)
    ]
    h, w = (rows[1] + 1, cols[1] + 1) if area is None else area
    r0, r1, c0, c1 = max(rows[0], 0), min(rows[1], h - 1), max(cols[0], 0), min(cols[1], w - 1)
    if r0 <= r1 and c0 <= c1:
        out.append(
            html(
                '<rect class="kl-px kl-in" x="{}" y="{}" width="{}" height="{}"/>',
                x0 + (c0 - cols[0]) * CELL,
                y0 + (r0 - rows[0]) * CELL,
                (c1 - c0 + 1) * CELL,
                (r1 - r0 + 1) * CELL,
            )
        )
    lines = [f"M{x0:g},{y0 + i * CELL:g}h{n_cols * CELL:g}" for i in range(n_rows + 1)]
    lines += [f"M{x0 + j * CELL:g},{y0:g}v{n_rows * CELL:g}" for j in range(n_cols + 1)]
    out.append(html('<path class="kl-lines" d="{}"/>', "".join(lines)))
    # Written directly (whole numbers, and the texts escaped), as _picks is: a template per cell was a third of
    # the one-layer calculator's time.
    out += [
        Markup(
            f'<rect class="{escape(cls)}" data-at="{r:d} {c:d}" data-say="{escape(say)}" '
            f'x="{x0 + (c - cols[0]) * CELL:.0f}" y="{y0 + (r - rows[0]) * CELL:.0f}" width="{CELL:.0f}" '
            f'height="{CELL:.0f}"/>'
        )
        for (r, c), (cls, say) in sorted(marked.items())
    ]
    return join(out)


def convolution_diagram(info: calc.LayerInfo, height: int, width: int, row: int, col: int) -> Markup:
    """The window of output unit (row, col) of a layer on a ``height`` × ``width`` input, as SVG, with step
    buttons and what it reads in words."""
    return _diagram(info.window, info.output_shape[0], info.output_shape[1], height, width, row, col)


# The drawing depends on the layer's window and sizes only: a change of filters, channels, bias or dtype draws the
# same one again, and the one-layer calculator gets it from here (the drawing was three quarters of its time).
@lru_cache(maxsize=32)
def _diagram(
    w: calc.Window | None, out_h: int | None, out_w: int | None, height: int, width: int, row: int, col: int
) -> Markup:
    if w is None or out_h is None or out_w is None or None in (*w.pad_before, *w.pad_after):
        return Markup('<p class="kl-note">No diagram: this layer has no position-independent window.</p>')
    if max(w.kernel) > VIEW:
        return html(
            '<p class="kl-note">No drawing: the window spans {} × {} input pixels; it is drawn for windows of up to {} '
            "pixels a side.</p>",
            w.kernel[0], w.kernel[1], VIEW,
        )  # fmt: skip
    ys, xs = _Axis.of(w, 0, height, out_h, row), _Axis.of(w, 1, width, out_w, col)
    taps = set(ys.taps)
    marked = {}  # the window's cells: taps, and the gaps dilation leaves between them
    for r in range(ys.window[0], ys.window[1] + 1):
        for c in range(xs.window[0], xs.window[1] + 1):
            inside = 0 <= r < height and 0 <= c < width
            tap = r in taps and c in xs.taps
            what = f"input pixel ({r}, {c})" if inside else f"padding at ({r}, {c}), a zero"
            if tap:
                say = f"{what[0].upper()}{what[1:]}: weight ({ys.taps.index(r)}, {xs.taps.index(c)}) of the kernel."
            else:
                say = f"{what[0].upper()}{what[1:]}: inside the window, skipped by the dilation."
            marked[(r, c)] = (f"kl-px{'' if inside else ' kl-pad'} {'kl-tap' if tap else 'kl-gap'}", say)

    in_x, out_x, top = 10.0, 10.0 + _cells(xs.shown_in) * CELL + 3 * CELL, 30.0
    label = f"Output unit ({row}, {col}) of {out_h} × {out_w} and the input pixels it reads"
    svg = [
        html(
            '<svg class="kl-svg kl-conv" viewBox="0 0 {w:.0f} {h:.0f}" width="{w:.0f}" height="{h:.0f}" role="img" '
            'aria-label="{l}" xmlns="http://www.w3.org/2000/svg"><title>{l}</title>',
            w=out_x + _cells(xs.shown_out) * CELL + 10,
            h=top + max(_cells(ys.shown_in), _cells(ys.shown_out)) * CELL + 10,
            l=label,
        ),
        html('<text class="kl-tick" x="{:.0f}" y="18">input (padding hatched)</text>', in_x),
        html('<text class="kl-tick" x="{:.0f}" y="18">output</text>', out_x),
        _grid(in_x, top, ys.shown_in, xs.shown_in, (height, width), marked),
        html(
            '<rect class="kl-window" x="{:.0f}" y="{:.0f}" width="{:.0f}" height="{:.0f}"/>',
            in_x + (xs.window[0] - xs.shown_in[0]) * CELL,
            top + (ys.window[0] - ys.shown_in[0]) * CELL,
            _cells(xs.window) * CELL,
            _cells(ys.window) * CELL,
        ),
        _grid(out_x, top, ys.shown_out, xs.shown_out, None, {(row, col): ("kl-px kl-out on", _drawn(row, col))}),
        _picks(out_x, top, ys.shown_out, xs.shown_out, row, col),
        Markup("</svg>"),
    ]
    return html(
        '<figure class="kl-figure kl-diagram" data-diagram tabindex="0" aria-label="{}">{}{}'
        '<p class="kl-said" aria-live="polite"></p><figcaption>{}</figcaption></figure>',
        label, join(svg), _buttons(row, col, out_h, out_w), _words(w, height, width, ys, xs, row, col),
    )  # fmt: skip


def _drawn(row: int, col: int) -> str:
    return f"Output unit ({row}, {col}): the one drawn; its window is outlined on the input."


def _picks(x0: float, y0: float, rows: Span, cols: Span, row: int, col: int) -> Markup:
    """A clear cell over each output unit drawn but the current one: clicked, it becomes the drawn one
    (data-pick="row col", read by calculators.js). Only whole numbers go into them, so they are written directly: a
    hundred html() calls would double the time of the one-layer calculator."""
    return Markup(
        "".join(
            f'<rect class="kl-pick" data-pick="{r:d} {c:d}" x="{x0 + (c - cols[0]) * CELL:.0f}" '
            f'y="{y0 + (r - rows[0]) * CELL:.0f}" width="{CELL:.0f}" height="{CELL:.0f}"/>'
            for r in range(rows[0], rows[1] + 1)
            for c in range(cols[0], cols[1] + 1)
            if (r, c) != (row, col)
        )
    )


def _cells(span: Span) -> int:
    return span[1] - span[0] + 1


def _buttons(row: int, col: int, out_h: int, out_w: int) -> Markup:
    """Step buttons; at an edge the one that would leave the output is disabled."""
    steps = (
        ("row", -1, "↑ row", row > 0),
        ("row", 1, "↓ row", row < out_h - 1),
        ("col", -1, "← column", col > 0),
        ("col", 1, "→ column", col < out_w - 1),
    )
    buttons = (
        html(
            '<button type="button" class="kl-button" data-step="{}" data-by="{}"{}>{}</button>',
            name,
            by,
            Markup("" if ok else " disabled"),
            text,
        )
        for name, by, text, ok in steps
    )
    return html('<p class="kl-tools">{}</p>', join(buttons))


def _words(w: calc.Window, height: int, width: int, ys: _Axis, xs: _Axis, row: int, col: int) -> str:
    every = "" if w.dilation == (1, 1) else f", one row in {w.dilation[0]} and one column in {w.dilation[1]} (dilation)"
    padded = (
        height + (w.pad_before[0] or 0) + (w.pad_after[0] or 0),
        width + (w.pad_before[1] or 0) + (w.pad_after[1] or 0),
    )
    edges = ""
    if (_cells(ys.shown_in), _cells(xs.shown_in)) != padded:
        rows, cols = ys.shown_in, xs.shown_in
        edges = f" Drawn around the window: input rows {rows[0]} to {rows[1]}, columns {cols[0]} to {cols[1]}."
    pixels = "pixel" if w.strides[1] == 1 else "pixels"
    return (
        f"Output unit ({row}, {col}) reads input rows {ys.window[0]} to {ys.window[1]} and columns {xs.window[0]} "
        f"to {xs.window[1]}{every}; the next unit along a row starts {w.strides[1]} {pixels} further. Input "
        f"{height} × {width}; padding top {w.pad_before[0]}, bottom {w.pad_after[0]}, left {w.pad_before[1]}, "
        f"right {w.pad_after[1]} (hatched; negative positions and those past the input are padding).{edges} "
        "Step with the buttons, click an output unit, or focus the drawing and use the arrow keys; click a cell "
        "of the window to see what it holds."
    )
