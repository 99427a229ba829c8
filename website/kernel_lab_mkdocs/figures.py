"""The one registry of figures: every ``<div data-figure="NAME" data-arg="ARG"></div>`` in a page becomes
``FIGURES[NAME](sources, ARG)``, HTML made by the site's one escaping writer (kernel_lab.html).

Each figure takes the same two arguments: :class:`Sources`, what figures are made from (the stored runs under
results/, read once per build; the benchmarks under benchmarks/; this build's runtime), and the marker's data-arg
(empty when absent). Where a figure's code lives:

- kernel_lab.calculators: the calculators' static figures (computed by calc, as in the browser);
- render, render_accuracy, render_effective, render_home, render_timing, factcheck: the stored runs;
- benchmarks: the benchmark records; convnext: ConvNeXtTiny analysed by calc;
- here: figures about this build itself (shipped_size) and the timing method.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from calc.text import integer, milliseconds, percent
from kernel_lab.html import Markup, html, scroll_region
from kernel_lab_mkdocs import (
    benchmarks,
    convnext,
    factcheck,
    options,
    render,
    render_accuracy,
    render_effective,
    render_home,
    render_timing,
    stats,
)
from kernel_lab_mkdocs.runtime import Runtime
from kernel_lab_mkdocs.store import Data

__all__ = ["FIGURES", "INPUTS", "Figure", "Sources"]

log = logging.getLogger("mkdocs.plugins.kernel_lab.figures")  # under "mkdocs.": --strict fails on its warnings


class Sources:
    """What figures are made from, for one build: the stored runs (read when a figure first asks), the project's
    folder (results/, benchmarks/, examples/) and this build's runtime (``None`` in a build without one)."""

    def __init__(self, root: Path, runtime: Runtime | None = None, calculators: str = "kernel_lab.calculators") -> None:
        self.root = root
        self.runtime = runtime
        self.calculators_module = calculators
        self._data: Data | None = None
        self._made: dict[str, Any] = {}

    @property
    def data(self) -> Data:
        """Every machine's stored results, read once; each record left out is a warning naming its file."""
        if self._data is None:
            self._data = Data(self.root)
            for problem in self._data.dropped:
                log.warning("stored result left out: %s", problem)
        return self._data

    @property
    def calculators(self) -> Any:
        """The calculators' module (the plugin's calculators option) as imported now (a rebuild under `mkdocs serve`
        imports it afresh)."""
        return importlib.import_module(self.calculators_module)

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """What ``make`` returns, made once per build: an analysis several figures quote (ConvNeXtTiny)."""
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]


Figure = Callable[[Sources, str], Markup]


def _stored(figure: Callable[[Data, str], Markup]) -> Figure:
    return lambda sources, arg: figure(sources.data, arg)


def _plain(figure: Callable[[str], Markup]) -> Figure:
    return lambda sources, arg: figure(arg)


def _calculator_figure(name: str, scroll: bool = True) -> Figure:
    def figure(sources: Sources, arg: str) -> Markup:
        out: Markup = sources.calculators.figure(name)
        return scroll_region(out, name.replace("_", " ")) if scroll else out

    return figure


def _convnext(sources: Sources, arg: str) -> Markup:
    """ConvNeXtTiny's figure or one of its numbers, the model analysed once per build (a page quotes it often)."""
    return convnext.figure(arg, variants=sources.once("convnext", convnext.analyse))


def shipped_size(sources: Sources, name: str) -> Markup:
    """The size of a runtime file in this build, in MiB; what a build without it ships instead."""
    shipped = sources.runtime.shipped if sources.runtime else {}
    if name not in shipped:
        return Markup("(not in this build: see the plugin's <code>runtime</code> option)")
    return html("{:.1f} MiB", shipped[name] / 2**20)


def _listed(values: Iterable[object]) -> str:
    """(1, 8, 32) -> '1, 8 and 32'; words are listed as they are."""
    *head, last = [integer(v) if isinstance(v, int) else str(v) for v in values]
    return f"{', '.join(head)} and {last}" if head else last


def _timing_method(sources: Sources) -> dict[str, str]:
    """How the example timings were taken, from the timing record the pages show (the first machine's; its own
    ``method``, groups and overhead models), and the thresholds they are judged by (stats.py, which the pages
    apply)."""
    data = sources.data
    if not data.timings:
        raise ValueError("timing_method: no timing record under results/ (python -m scripts.examples.timing)")
    record = next(iter(data.timings.values()))
    method = record["method"]
    xla = next(iter(data.engine_timings.get("timing-xla.json", {}).values()), None)
    return {
        "iqr": percent(stats.IQR_LIMIT),  # a timing is steady when its IQR is at most this fraction of its median
        "half_width": percent(stats.HALF_WIDTH_LIMIT),  # a ratio is precise when its half-width is at most this
        "confidence": percent(stats.CONFIDENCE),  # the confidence level of a ratio's interval
        "batches": _listed(method["batches"]),
        "article_batches": _listed(sorted({g["batch"] for g in record["groups"] if g["shape"] == "article"})),
        "sample": milliseconds(method["sample_s"]),  # calls shorter than this are repeated inside a sample
        "min_sample": milliseconds(method["min_sample_s"]),
        "min_rounds": integer(method["min_rounds_per_run"]),
        "max_rounds": integer(method["max_rounds_per_run"]),
        "runs": integer(method["runs"]),  # separate measuring processes per engine
        # the batches timed on the XLA-compiled engines
        "other_batches": _listed(xla["method"]["batches"]) if xla else "(no XLA record)",
        # the overhead models, by the names the record gives them ("one_layer", "sixteen_layers")
        "overhead_layers": _listed(
            name.split("_")[0] for name in record["overhead"]["forward"] if name not in ("call_s", "per_layer_s")
        ),
        "peak": method["peak"].split(" ")[0],  # "4096×4096 float32 matmul, ..."
    }


TIMING_METHOD = ("iqr", "half_width", "confidence", "batches", "article_batches", "sample", "min_sample",
                 "min_rounds", "max_rounds", "runs", "other_batches", "overhead_layers", "peak")  # fmt: skip


def timing_method(sources: Sources, name: str) -> Markup:
    """A setting of the example timings, from the record the pages show, or a threshold they are judged by, by the
    marker's data-arg (one of TIMING_METHOD)."""
    if name not in TIMING_METHOD:
        raise ValueError(f"timing_method: data-arg must be one of {', '.join(TIMING_METHOD)}, not {name!r}")
    return html("{}", _timing_method(sources)[name])


FIGURES: dict[str, Figure] = {
    "short_answer": _calculator_figure("short_answer"),
    "effective_field_table": _calculator_figure("effective_field_table"),
    "effective_field_maps": _calculator_figure("effective_field_maps", scroll=False),
    **{name: _plain(f) for name, f in benchmarks.FIGURES.items()},  # docs/site-speed.md, docs/authors.md
    "convnext": _convnext,  # ConvNeXtTiny (docs/large-kernels.md)
    **{name: _plain(f) for name, f in options.FIGURES.items()},  # the plugins' options (docs/authors.md)
    **{
        name: _stored(f)
        for module in (render, render_accuracy, render_effective, render_home, render_timing)
        for name, f in module.FIGURES.items()
    },
    "fact_check": _stored(factcheck.claims),
    "shipped_size": shipped_size,
    "timing_method": timing_method,
}

# What each figure reads besides the Python it is made by (calc, kernel_lab and kernel_lab_mkdocs, whose change
# makes every figure anew), by the names of the plugin's stamps of folders: "results", "examples", "benchmarks",
# "docs" (docs/' data files: the applications' configs). Under `mkdocs serve` a figure is made again when one of
# them changed; None: made from the build itself, every time.
_STORED = ("results", "examples", "docs")
INPUTS: dict[str, tuple[str, ...] | None] = {
    **dict.fromkeys(("short_answer", "effective_field_table", "effective_field_maps", "convnext"), ("docs",)),
    **dict.fromkeys(benchmarks.FIGURES, ("benchmarks",)),
    **dict.fromkeys(options.FIGURES, ()),
    **dict.fromkeys(
        (
            name
            for module in (render, render_accuracy, render_effective, render_home, render_timing)
            for name in module.FIGURES
        ),
        _STORED,
    ),
    "fact_check": _STORED,
    "timing_method": _STORED,
    "shipped_size": None,
}
