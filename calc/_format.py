# Text renderings of a model Summary: a table that reads like Keras's
# model.summary() with the extra columns, and a Markdown table.

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calc._model import LayerRow, Summary

__all__ = ["markdown_table", "text_table"]

HEADERS = (
    "Layer (type)",
    "Output Shape",
    "Param #",
    "MACs",
    "Receptive field (size / stride / padding)",
    "Connected to",
)


def _num(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"


def _shape(row: LayerRow) -> str:
    if row.output_shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in (None, *row.output_shape)) + ")"


def _field(row: LayerRow) -> str:
    rf = row.receptive_field
    if rf is None:
        return "-"

    def axis(v: tuple[int | None, int | None]) -> str:
        return str(v[0]) if v[0] == v[1] else f"{v[0]}×{v[1]}"

    return f"{axis(rf.size)} / {axis(rf.stride)} / {axis(rf.padding)}".replace("None", "?")


def _cells(row: LayerRow) -> tuple[str, ...]:
    return (
        f"{row.name} ({row.class_name})",
        _shape(row),
        _num(row.params),
        _num(row.macs),
        _field(row),
        ", ".join(row.inbound) or "-",
    )


def _footer(summary: Summary) -> list[str]:
    t = summary.totals()
    lines = [
        f"Total params: {_num(t['params'])}",
        f"Trainable params: {_num(t['trainable_params'])}",
        f"Non-trainable params: {_num(t['non_trainable_params'])}",
        f"MACs: {_num(t['macs'])}",
        f"FLOPs: {_num(t['flops'])} ({t['flops_convention']})",
    ]
    if summary.partial:
        lines.append("PARTIAL: some layers could not be counted (see warnings)")
    lines += [f"warning: {w}" for w in summary.warnings]
    return lines


def text_table(summary: Summary) -> str:
    """A box-drawn table in the manner of Keras's model.summary()."""
    rows = [_cells(r) for r in summary.layers]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEADERS)]
    right = {2, 3}

    def line(cells: tuple[str, ...]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "│ " + " │ ".join(parts) + " │"

    def rule(left: str, mid: str, end: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + end

    out = [f'Model: "{summary.name}" ({summary.class_name})', rule("┌", "┬", "┐"), line(HEADERS), rule("├", "┼", "┤")]
    out += [line(r) for r in rows]
    out.append(rule("└", "┴", "┘"))
    out += [" " + f for f in _footer(summary)]
    return "\n".join(out)


def markdown_table(summary: Summary) -> str:
    """A GitHub-flavoured Markdown table, totals and warnings below it."""

    def esc(s: str) -> str:
        return s.replace("|", "\\|")

    out = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join(["---", "---", "---:", "---:", "---", "---"]) + "|"]
    out += ["| " + " | ".join(esc(c) for c in _cells(r)) + " |" for r in summary.layers]
    out.append("")
    out += [f"- {esc(f)}" for f in _footer(summary)]
    return "\n".join(out)
