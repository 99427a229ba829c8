# HTML and SVG building blocks for the calculators: tables, numbers, and two
# drawings (the receptive-field diagram and a line chart). Strings in, strings
# out; colours come from CSS classes so that light and dark palettes both work.

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from math import log2

__all__ = ["esc", "fmt_bytes", "fmt_int", "fmt_shape", "line_chart", "table"]

Cell = str | int | float | None


_SPECIAL = re.compile(r"[&<>\"']")


def esc(value: object) -> str:
    text = str(value)
    return escape(text, quote=True) if _SPECIAL.search(text) else text


def fmt_int(n: int | None) -> str:
    """12345678 -> '12,345,678'; None -> 'unknown'."""
    return "unknown" if n is None else f"{n:,}"


def fmt_shape(shape: Sequence[int | None]) -> str:
    """(56, 56, 64) -> '56 × 56 × 64'; None shown as '?'."""
    return " × ".join("?" if d is None else str(d) for d in shape)


def fmt_bytes(n: int | None) -> str:
    """Bytes in binary units with three significant digits: 802816 -> '784 KiB'."""
    if n is None:
        return "unknown"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{n:,} B" if unit == "B" else f"{value:.3g} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def table(
    head: Sequence[str], rows: Iterable[Sequence[Cell]], caption: str = "", numeric_from: int = 1, cls: str = ""
) -> str:
    """A plain HTML table; the first cell of a row is its header, cells from column ``numeric_from`` on are
    right-aligned numbers (by the table's ``kl-nN`` class, to keep big tables small).

    Cells are escaped, except strings that start with '<' (already HTML from this module).
    """
    out = [f'<table class="kl-table kl-n{numeric_from}{" " + cls if cls else ""}">']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{esc(h)}</th>' for h in head) + "</tr></thead><tbody>")
    for row in rows:
        out.append(
            f'<tr><th scope="row">{_cell(row[0])}</th><td>' + "</td><td>".join(map(_cell, row[1:])) + "</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _cell(cell: Cell) -> str:
    if cell is None:
        return "—"
    if isinstance(cell, str):
        return cell if cell.startswith("<") else esc(cell)
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int):
        return f"{cell:,}"
    return f"{cell:.3g}"


def svg_open(width: float, height: float, label: str, cls: str) -> str:
    return (
        f'<svg class="kl-svg {cls}" viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
        f'role="img" aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg">'
    )


def line_chart(
    series: Sequence[tuple[str, str, Sequence[tuple[float, float]]]],
    x_label: str,
    y_label: str,
    label: str,
    markers: Sequence[tuple[float, str]] = (),
    y_max: float | None = None,
    reference_y: float | None = None,
) -> str:
    """An SVG line chart with a log2 x axis and a linear y axis starting at 0.

    ``series`` is (name, css class, points); ``markers`` are vertical lines (x, text);
    ``reference_y`` draws a dashed horizontal line (the break-even level).
    """
    width, height = 640.0, 300.0
    left, right, top, bottom = 56.0, 150.0, 16.0, 44.0
    xs = [x for _, _, pts in series for x, _ in pts]
    lo, hi = log2(min(xs)), log2(max(xs))
    top_y = y_max if y_max is not None else max(y for _, _, pts in series for _, y in pts)
    top_y = top_y if top_y > 0 else 1.0

    def px(x: float) -> float:
        return left + (log2(x) - lo) / (hi - lo or 1) * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - min(y, top_y) / top_y * (height - top - bottom)

    out = [svg_open(width, height, label, "kl-chart")]
    out.append(
        f'<line class="kl-axis" x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}"/>'
        f'<line class="kl-axis" x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}"/>'
    )
    for i in range(5):
        y = top_y * i / 4
        out.append(
            f'<line class="kl-grid" x1="{left}" y1="{py(y):.1f}" x2="{width - right}" y2="{py(y):.1f}"/>'
            f'<text class="kl-tick" x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.3g}</text>'
        )
    x = 2 ** int(lo)
    while x <= 2**hi:
        if x >= 2**lo:
            out.append(
                f'<text class="kl-tick" x="{px(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">{x:g}</text>'
            )
        x *= 2
    if reference_y is not None:
        out.append(
            f'<line class="kl-ref" x1="{left}" y1="{py(reference_y):.1f}" x2="{width - right}" '
            f'y2="{py(reference_y):.1f}"/>'
        )
    for i, (mx, text) in enumerate(markers):
        # Labels on successive rows, written leftwards of their line, so that neighbours do not overlap.
        out.append(
            f'<line class="kl-marker" x1="{px(mx):.1f}" y1="{top}" x2="{px(mx):.1f}" y2="{height - bottom}"/>'
            f'<text class="kl-tick" x="{px(mx) - 4:.1f}" y="{top + 30 + 14 * i}" text-anchor="end">{esc(text)}</text>'
        )
    for i, (name, cls, pts) in enumerate(series):
        path = " ".join(f"{'M' if j == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for j, (x, y) in enumerate(pts))
        out.append(f'<path class="kl-line {cls}" d="{path}"/>')
        ly = top + 14 + 18 * i
        out.append(
            f'<line class="kl-line {cls}" x1="{width - right + 10}" y1="{ly - 4}" x2="{width - right + 30}" '
            f'y2="{ly - 4}"/><text class="kl-legend" x="{width - right + 36}" y="{ly}">{esc(name)}</text>'
        )
    out.append(
        f'<text class="kl-label" x="{(left + width - right) / 2}" y="{height - 8}" text-anchor="middle">'
        f"{esc(x_label)}</text>"
        f'<text class="kl-label" transform="translate(14 {(top + height - bottom) / 2}) rotate(-90)" '
        f'text-anchor="middle">{esc(y_label)}</text></svg>'
    )
    return "".join(out)
