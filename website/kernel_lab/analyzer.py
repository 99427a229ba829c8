# The model analyzer: a Keras model (pasted JSON, a dropped .keras file, or one of the keras.applications models
# shipped with the site) as a per-layer table, a chart of where its parameters and MACs sit, and the figures a
# reader can sort and download (calculators.js does the sorting and the downloads from the table itself).

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import calc
from calc.text import cell as cell_text
from calc.text import effective_std, integer, nbytes, printable
from calc.text import shape as shape_text
from kernel_lab.applications import APPLICATIONS
from kernel_lab.charts import bars
from kernel_lab.code import summary_panel
from kernel_lab.forms import Input, InputError, int_list
from kernel_lab.html import Markup, html, join, table

__all__ = ["DOWNLOADS", "HEAVIEST", "MAX_TABLE_ROWS", "SHOWN_ROWS", "analyzer", "layers_file", "whole_table"]

HEAVIEST = 5  # layers marked as the heaviest, by MACs
MAX_TABLE_ROWS = 2000  # rows in the page: every keras.applications model fits (NASNetLarge, the largest)
SHOWN_ROWS = 100  # rows in a result; the page asks for the others (whole_table) when the reader sorts or wants all
DOWNLOADS = ("csv", "json")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as the start of a formula
MAX_GZIP_BYTES = 64 << 20  # a compressed config is read up to this size, uncompressed (no gzip bombs)
HEAD = (
    "Layer", "Class", "Output shape", "Params", "MACs", "MACs rank", "Activations (float32)", "Receptive field",
    "Jump", "Effective std",
)  # fmt: skip
RANK = HEAD.index("MACs rank")


def analyzer(
    application: Annotated[
        str, Input("keras.applications model", "Or pick one of Keras's own models", choices=("", *APPLICATIONS))
    ] = "",
    source: Annotated[str, Input("Model JSON", "model.to_json() output, or drop a .keras file", kind="textarea")] = "",
    input_shape: Annotated[
        str, Input("Input shape", "Optional, without the batch axis, e.g. 224, 224, 3; one per input, split by ;")
    ] = "",
    model_file: Annotated[
        bytes, Input("Model file", "A .keras file; read in the page, never uploaded", kind="file")
    ] = b"",
) -> Markup:
    """Per-layer table of a Keras model: shapes, parameters, MACs, activation memory and receptive fields."""
    read = _summary(application, source, input_shape, model_file)
    if read is None:
        return Markup('<p class="kl-summary">Pick a model, paste a model JSON or drop a <code>.keras</code> file.</p>')
    field, shapes, summary = read
    command = summary_panel(field, shapes, application)
    return _totals(summary) + _chart(summary.layers) + _tools() + _table(summary.layers) + command


def layers_file(kind: str, values: Mapping[str, Any]) -> str:
    """The analyzer's table, every layer of it (the page shows at most ``MAX_TABLE_ROWS``), as CSV or JSON text,
    for the typed form ``values``; the texts are the table's, names shown as in the page.

    Cells that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage return) start
    with an apostrophe in the CSV, as OWASP's advice on CSV injection has it.

    >>> from kernel_lab.analyzer import layers_file
    >>> cfg = ('{"class_name": "Sequential", "config": {"layers": [{"class_name": "InputLayer", "config": '
    ...        '{"batch_shape": [null, 8, 8, 3]}}, {"class_name": "ReLU", "config": {"name": "=1+1"}}]}}')
    >>> layers_file("csv", {"source": cfg}).splitlines()[1].split(",")[:2]
    ["'=1+1", 'ReLU']
    """
    if kind not in DOWNLOADS:
        raise InputError("", f"no download of kind {kind!r}")
    read = _summary(**values)
    if read is None:
        raise InputError("source", "no model to download: pick one, paste its JSON or drop a .keras file")
    rows = [tuple(map(cell_text, cells)) for cells in _cells(read[2].layers)]
    if kind == "json":
        return json.dumps([dict(zip(HEAD, row, strict=True)) for row in rows], indent=1, ensure_ascii=False)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEAD)
    writer.writerows(tuple(_inert_formula(c) for c in row) for row in rows)
    return out.getvalue()


def whole_table(values: Mapping[str, Any]) -> Markup:
    """The analyzer's table with every layer (up to ``MAX_TABLE_ROWS``) for the typed form ``values``, for the page
    to sort or show whole: a result holds only its first ``SHOWN_ROWS`` rows; the others come written ``hidden``."""
    read = _summary(**values)
    if read is None:
        raise InputError("source", "no model: pick one, paste its JSON or drop a .keras file")
    return _table(read[2].layers, whole=True)


def _inert_formula(text: str) -> str:
    return "'" + text if text[:1] in FORMULA_STARTS else text


def _summary(
    application: str = "", source: str = "", input_shape: str = "", model_file: bytes = b""
) -> tuple[str, list[tuple[int, ...]] | None, calc.Summary] | None:
    """(the field the model came from, the input shapes given, its summary), or None when there is no model."""
    field = "application" if application else "model_file" if model_file else "source"
    if application and not model_file:
        raise InputError("application", f"{application}: its config was not loaded; pick it again")
    data: str | bytes = _gunzipped(model_file, field) if model_file else source
    if not data or (isinstance(data, str) and not data.strip()):
        return None
    if isinstance(data, str) and data.lstrip()[:1] not in ("{", "["):
        # Never a path: pasted text is JSON or nothing (calc.load_config reads other strings as file names).
        raise InputError(
            field,
            f"not a model's JSON (it starts with {data.strip()[:20]!r}; model.to_json()'s output starts with '{{'): "
            "paste all of it, or drop the file (a path typed here is not read)",
        )
    shapes = None
    if input_shape.strip():
        shapes = [tuple(int_list("input_shape", part)) for part in input_shape.split(";")]
    try:
        summary = _summarized(data, shapes)
    except calc.CalcError as e:
        raise InputError(field, str(e)) from None
    return field, shapes, summary


def _gunzipped(data: bytes, field: str) -> bytes:
    """``data``, decompressed when it is gzip (the shipped configs, or a reader's .json.gz)."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            out = f.read(MAX_GZIP_BYTES + 1)
    except (OSError, EOFError) as e:
        raise InputError(field, f"not a readable gzip file ({e})") from None
    if len(out) > MAX_GZIP_BYTES:
        raise InputError(field, f"more than {MAX_GZIP_BYTES} bytes once decompressed")
    return out


def _totals(summary: calc.Summary) -> Markup:
    t = summary.totals()
    out = html(
        '<p class="kl-summary">{} layers; parameters <strong>{}</strong> (trainable {}, non-trainable {}); MACs '
        "<strong>{}</strong> (FLOPs = 2 × MACs = {}).</p>",
        len(summary.layers), integer(t["params"]), integer(t["trainable_params"]), integer(t["non_trainable_params"]),
        integer(t["macs"]), integer(t["flops"]),
    )  # fmt: skip
    if summary.partial:
        out += Markup('<p class="kl-note">Partial result: some layers could not be analysed (see the warnings).</p>')
    if summary.warnings:
        out += html(
            '<ul class="kl-warnings">{}</ul>', join(html("<li>{}</li>", printable(w)) for w in summary.warnings)
        )
    return out


def _ranks(rows: Sequence[calc.LayerRow]) -> list[int | None]:
    """Each layer's rank by MACs (1 = most); None for layers without MACs."""
    order = sorted((i for i, r in enumerate(rows) if r.macs), key=lambda i: -(rows[i].macs or 0))
    ranks: list[int | None] = [None] * len(rows)
    for rank, i in enumerate(order, start=1):
        ranks[i] = rank
    return ranks


def _cells(rows: Sequence[calc.LayerRow], ranks: Sequence[int | None] | None = None) -> list[tuple[Any, ...]]:
    """One row of table cells per layer (``ranks``: each layer's rank by MACs among all of the model's, when
    ``rows`` are only the first); names and classes with their control and bidirectional-override characters shown
    as escapes (as the CLI shows them), so that no name reverses the text around it."""
    cells = []
    for row, rank in zip(rows, _ranks(rows) if ranks is None else ranks[: len(rows)], strict=True):
        rf = row.receptive_field
        memory = None if row.activation_elements is None else row.activation_elements * calc.DTYPE_BYTES["float32"]
        cells.append(
            (
                printable(row.name), printable(row.class_name), _shape(row.output_shape), row.params, row.macs, rank,
                nbytes(memory) if memory is not None else None,
                None if rf is None else _pair(rf.size), None if rf is None else _pair(rf.stride),
                effective_std(row.effective_std),
            )
        )  # fmt: skip
    return cells


def _table(rows: Sequence[calc.LayerRow], whole: bool = False) -> Markup:
    """The per-layer table: its first SHOWN_ROWS rows and a button for the others (the page then asks for the
    whole table); ``whole``: every row up to MAX_TABLE_ROWS, those after the first SHOWN_ROWS hidden."""
    ranks = _ranks(rows)
    count = min(len(rows), MAX_TABLE_ROWS)
    kept = count if whole else min(count, SHOWN_ROWS)
    cells = _cells(rows[:kept], ranks)
    marks = ["kl-heavy" if c[RANK] is not None and c[RANK] <= HEAVIEST else "" for c in cells]
    caption = f"Per-layer figures (MACs: one per multiply-add; the {HEAVIEST} layers with the most MACs are marked)"
    if len(rows) > MAX_TABLE_ROWS:
        caption += (
            f"; the page holds the first {integer(MAX_TABLE_ROWS)} of {integer(len(rows))} layers, in the model's "
            "order (the downloads hold every layer)"
        )
    out = table(
        HEAD, cells, caption, numeric_from=3, cls="kl-wide kl-sortable", row_classes=marks, shown=SHOWN_ROWS,
        total=count,
    )  # fmt: skip
    if count > SHOWN_ROWS and not whole:
        more = f"Show all {integer(count)} layers"
        less = f"Show the first {SHOWN_ROWS} only"
        out += html(
            '<p class="kl-more">{} of {} layers shown; sorting orders all of them. '
            '<button type="button" class="kl-button" data-show-rows data-more="{}" data-less="{}" '
            'aria-expanded="false">{}</button></p>',
            SHOWN_ROWS, integer(count), more, less, more,
        )  # fmt: skip
    return out


TOP_LAYERS = 10  # layers the chart shows: those with the most MACs


def _chart(rows: Sequence[calc.LayerRow]) -> Markup:
    """The layers with the most MACs, each with its share of the model's MACs and of its parameters."""
    params = sum(r.params or 0 for r in rows)
    macs = sum(r.macs or 0 for r in rows)
    if not rows or not params or not macs:
        return Markup("")
    heavy = sorted((r for r in rows if r.macs), key=lambda r: -(r.macs or 0))[:TOP_LAYERS]
    shares = [(r.name, (100 * (r.macs or 0) / macs, 100 * (r.params or 0) / params)) for r in heavy]
    rest = 100 * (macs - sum(r.macs or 0 for r in heavy)) / macs
    label = f"The {len(heavy)} layers with the most MACs: their share of the model's MACs and parameters"
    caption = (
        f"{label}; the other {len(rows) - len(heavy)} layers do {rest:.1f} % of the MACs. The table below sorts by "
        "any column"
    )
    return bars(shares, ("% of the MACs", "% of the parameters"), label, value_text=_share, caption=caption)


def _share(v: float) -> str:
    return f"{v:.1f} %" if v >= 0.05 or v == 0 else "< 0.1 %"


def _tools() -> Markup:
    return Markup(
        '<p class="kl-tools"><button type="button" class="kl-button" data-download="csv">Download CSV</button>'
        '<button type="button" class="kl-button" data-download="json">Download JSON</button></p>'
    )


_last_model: list[Any] = [None, None]  # (source, parsed config) of the last model: one entry


def _parsed(source: str | bytes) -> Any:
    """The model's config, parsed once per source: changing only the input shape does not parse it again."""
    if _last_model[0] is not source and _last_model[0] != source:
        _last_model[:] = [None, calc.load_config(source)]
        _last_model[0] = source
    return _last_model[1]


_last_summary: list[Any] = [None, None, None]  # (parsed config, input shapes, summary) of the last one: one entry


def _summarized(source: str | bytes, shapes: list[tuple[int, ...]] | None) -> calc.Summary:
    """The model's summary for these input shapes, made once: after a result, the page asks for the whole table
    (to sort it, or show every row) with the same inputs, and a download asks with them too."""
    config = _parsed(source)
    key = None if shapes is None else tuple(shapes)
    if _last_summary[0] is not config or _last_summary[1] != key:
        _last_summary[:] = [config, key, calc.summarize(config, input_shape=shapes)]
    return _last_summary[2]  # type: ignore[no-any-return]


def _shape(shape: Any) -> str:
    """An output shape without the batch axis; several for multi-output layers."""
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, tuple)):
        return ", ".join(_shape(s) for s in shape)
    return shape_text(shape) if isinstance(shape, (list, tuple)) and shape else "—"


def _pair(value: Sequence[Any]) -> str:
    return f"{value[0]} × {value[1]}"
