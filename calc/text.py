"""Text for people: the one formatter set (numbers, shapes, bytes, receptive fields) and the CLI's tables.

Every figure the CLI, the calculators and the pages print goes through these functions, so that a value
reads the same everywhere. ``UNKNOWN`` ("?") marks a value that depends on something unknown (a size left
as None); ``NONE`` ("—") marks a figure that does not apply (no receptive field after Flatten, say).
Nothing else in calc imports this module: it is the outermost layer, beside the CLI.

Examples:
    >>> integer(12345678), shape((56, 56, 64)), nbytes(802816), significant(0.012345)
    ('12,345,678', '56 × 56 × 64', '784 KiB', '0.0123')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calc._model import LayerRow, Summary

__all__ = [
    "NONE",
    "UNKNOWN",
    "cell",
    "effective_std",
    "integer",
    "keras_shape",
    "markdown_table",
    "markdown_text",
    "milliseconds",
    "nbytes",
    "pair",
    "percent",
    "printable",
    "ratio",
    "shape",
    "significant",
    "text_table",
]

UNKNOWN = "?"
NONE = "—"


def integer(n: int | None) -> str:
    """12345678 -> '12,345,678'; None -> '?'."""
    return UNKNOWN if n is None else f"{n:,}"


def significant(v: float | None, digits: int = 3) -> str:
    """A float with ``digits`` significant digits and thousands separators: 1234.5 -> '1,234' (3 digits: '1,230'
    would hide that it was rounded, so whole digits are kept); 0.012345 -> '0.0123'; None -> '?'."""
    if v is None:
        return UNKNOWN
    if v == 0:
        return "0"
    return f"{v:,.{max(0, digits - 1 - int(f'{abs(v):e}'.split('e')[1]))}f}"


def milliseconds(seconds: float | None) -> str:
    """A time given in seconds, in milliseconds to three significant digits; None -> '?'.

    Examples:
        >>> milliseconds(0.0123456), milliseconds(1.8943), milliseconds(None)
        ('12.3 ms', '1,894 ms', '?')
    """
    return UNKNOWN if seconds is None else f"{significant(seconds * 1e3)} ms"


def ratio(v: float | None, decimals: int = 2) -> str:
    """How many times one figure is another: 3.0496 -> '3.05×'; with ``decimals=0``, 114.3 -> '114×'; None -> '?'.

    Examples:
        >>> ratio(3.0496), ratio(114.3, 0), ratio(None)
        ('3.05×', '114×', '?')
    """
    return UNKNOWN if v is None else f"{v:,.{decimals}f}×"


def percent(fraction: float | None, digits: int | None = None) -> str:
    """A fraction as a whole percentage: 0.4271 -> '43%'; with ``digits``, to that many significant digits (small
    shares would round away): 0.0117 -> '1.2%'; None (nothing to compare with) -> '—'.

    Examples:
        >>> percent(0.4271), percent(1.0), percent(None), percent(0.0117, digits=2)
        ('43%', '100%', '—', '1.2%')
    """
    if fraction is None:
        return NONE
    return f"{fraction:.0%}" if digits is None else f"{significant(100 * fraction, digits)}%"


def shape(dims: Sequence[int | None] | None) -> str:
    """(56, 56, 64) -> '56 × 56 × 64' (a shape without its batch axis); an unknown size reads '?'."""
    if dims is None:
        return UNKNOWN
    return " × ".join(UNKNOWN if d is None else str(d) for d in dims)


def keras_shape(dims: Sequence[int | None] | None) -> str:
    """A shape the way Keras's model.summary() prints it, batch axis included: (None, 56, 56, 64)."""
    if dims is None:
        return UNKNOWN
    return "(" + ", ".join("None" if d is None else str(d) for d in (None, *dims)) + ")"


def pair(v: Sequence[Any] | None) -> str:
    """A per-axis figure (height, width): '7' when both agree, '7×5' when not; '?' for unknown parts."""
    if v is None:
        return NONE
    a, b = (UNKNOWN if x is None else str(x) for x in v)
    return a if a == b else f"{a}×{b}"


def effective_std(std: Sequence[float] | None) -> str | None:
    """The effective field's standard deviation per axis, in pixels to two decimals: '1.41' when both axes
    agree, '1.41×2.00' when not; None where it is not defined (after unaligned merges, without a window).

    Examples:
        >>> effective_std((2 ** 0.5, 2 ** 0.5)), effective_std((1.0, 2.0)), effective_std(None)
        ('1.41', '1.00×2.00', None)
    """
    if std is None:
        return None
    return pair([f"{v:.2f}" for v in std])


def nbytes(n: int | None) -> str:
    """Bytes in binary units with three significant digits: 802816 -> '784 KiB'; under 1 KiB in bytes."""
    if n is None:
        return UNKNOWN
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{n:,} B" if unit == "B" else f"{value:.3g} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def cell(value: object) -> str:
    """Any table cell as text: None -> '—', booleans 'yes'/'no', integers with separators, floats to 3 digits."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return integer(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


# --- the CLI's model tables ------------------------------------------------------------------------------------

HEADERS = (
    "Layer (type)",
    "Output Shape",
    "Param #",
    "MACs",
    "Receptive field (size / stride / padding)",
    "Effective std",
    "Connected to",
)


def _field(row: LayerRow) -> str:
    rf = row.receptive_field
    if rf is None:
        return NONE
    return f"{pair(rf.size)} / {pair(rf.stride)} / {pair(rf.padding)}"


def _cells(row: LayerRow) -> tuple[str, ...]:
    return (
        f"{row.name} ({row.class_name})",
        keras_shape(row.output_shape),
        integer(row.params),
        integer(row.macs),
        _field(row),
        effective_std(row.effective_std) or NONE,
        ", ".join(row.inbound) or NONE,
    )


def _footer(summary: Summary) -> list[str]:
    t = summary.totals()
    lines = [
        f"Total params: {integer(t['params'])}",
        f"Trainable params: {integer(t['trainable_params'])}",
        f"Non-trainable params: {integer(t['non_trainable_params'])}",
        f"MACs: {integer(t['macs'])}",
        f"FLOPs: {integer(t['flops'])} ({t['flops_convention']})",
    ]
    if summary.partial:
        lines.append("PARTIAL: some layers could not be counted (see warnings)")
    lines += [f"warning: {w}" for w in summary.warnings]
    return lines


def printable(text: str) -> str:
    r"""Control characters (a terminal's escape sequences, say) and format characters (right-to-left overrides)
    from a model's names shown as escapes.

    Examples:
        >>> printable("conv\x1b]0;title\x07 \u202eevil")
        'conv\\x1b]0;title\\x07 \\u202eevil'
    """
    if text.isprintable():  # nearly every name: no character to look at one by one
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def text_table(summary: Summary) -> str:
    """A box-drawn table in the manner of Keras's model.summary()."""
    rows = [tuple(map(printable, _cells(r))) for r in summary.layers]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEADERS)]
    right = {2, 3}

    def line(cells: tuple[str, ...]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "│ " + " │ ".join(parts) + " │"

    def rule(left: str, mid: str, end: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + end

    title = printable(f'Model: "{summary.name}" ({summary.class_name})')
    out = [title, rule("┌", "┬", "┐"), line(HEADERS), rule("├", "┼", "┤")]
    out += [line(r) for r in rows]
    out.append(rule("└", "┴", "┘"))
    out += [" " + printable(f) for f in _footer(summary)]
    return "\n".join(out)


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|~"})


def markdown_text(text: str) -> str:
    """Text that Markdown shows as it is: Markdown punctuation backslash-escaped (no links, emphasis or code
    from a layer's name), then ``&``, ``<`` and ``>`` as entities (no HTML), line breaks as spaces.

    Examples:
        >>> markdown_text("<img src=x onerror=alert(1)> [a](javascript:x) | *b*")
        '&lt;img src=x onerror=alert(1)&gt; \\\\[a\\\\](javascript:x) \\\\| \\\\*b\\\\*'
    """
    from html import escape

    return escape(" ".join(printable(text).split()).translate(_MARKDOWN_SPECIAL), quote=False)


def markdown_table(summary: Summary) -> str:
    """A GitHub-flavoured Markdown table, totals and warnings below it; every name is shown as text."""
    out = [
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---", "---", "---:", "---:", "---", "---:", "---"]) + "|",
    ]
    out += ["| " + " | ".join(markdown_text(c) for c in _cells(r)) + " |" for r in summary.layers]
    out.append("")
    out += [f"- {markdown_text(f)}" for f in _footer(summary)]
    return "\n".join(out)
