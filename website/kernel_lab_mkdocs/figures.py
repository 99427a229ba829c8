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
    render,
    render_accuracy,
    render_effective,
    render_home,
    render_timing,
)
from kernel_lab_mkdocs.runtime import Runtime
from scripts.examples import stats, timing
from scripts.examples.store import Data

__all__ = ["FIGURES", "Figure", "Sources"]

log = logging.getLogger("mkdocs.plugins.kernel_lab.figures")  # under "mkdocs.": --strict fails on its warnings


class Sources:
    """What figures are made from, for one build: the stored runs (read when a figure first asks), the project's
    folder (results/, benchmarks/, examples/) and this build's runtime (``None`` in a build without one)."""

    def __init__(self, root: Path, runtime: Runtime | None = None) -> None:
        self.root = root
        self.runtime = runtime
        self._data: Data | None = None

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
        """kernel_lab.calculators as imported now (a rebuild under `mkdocs serve` imports it afresh)."""
        return importlib.import_module("kernel_lab.calculators")


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


def shipped_size(sources: Sources, name: str) -> Markup:
    """The size of a runtime file in this build, in MiB; what a build without it ships instead."""
    shipped = sources.runtime.shipped if sources.runtime else {}
    if name not in shipped:
        return Markup("(not in this build: see the plugin's <code>runtime</code> option)")
    return html("{:.1f} MiB", shipped[name] / 2**20)


def _listed(values: Iterable[int]) -> str:
    """(1, 8, 32) -> '1, 8 and 32'."""
    *head, last = [integer(v) for v in values]
    return f"{', '.join(head)} and {last}" if head else last


# How the example timings are taken (scripts/examples/timing.py) and judged (stats.py), for the Methods page.
TIMING_METHOD: dict[str, str] = {
    "iqr": percent(stats.IQR_LIMIT),  # a timing is steady when its IQR is at most this fraction of its median
    "half_width": percent(stats.HALF_WIDTH_LIMIT),  # a ratio is precise when its interval's half-width is at most this
    "confidence": percent(stats.CONFIDENCE),  # the confidence level of a ratio's interval
    "batches": _listed(timing.BATCHES),
    "article_batches": _listed(timing.SHAPES["article"].batches),
    "sample": milliseconds(timing.SAMPLE_S),  # calls shorter than this are repeated inside a sample
    "min_sample": milliseconds(timing.MIN_SAMPLE_S),
    "min_rounds": integer(timing.MIN_ROUNDS),
    "max_rounds": integer(timing.MAX_ROUNDS),
    "runs": integer(timing.RUNS),  # separate measuring processes per engine
    "other_batches": _listed(timing.OTHER_BATCHES),  # the batches timed on the XLA-compiled engines
    "overhead_layers": _listed(len(layers) for layers in timing.OVERHEAD.values()),
    "peak": f"{integer(timing.PEAK_SIZE)}×{integer(timing.PEAK_SIZE)}",
}


def timing_method(sources: Sources, name: str) -> Markup:
    """A setting of the example timings, or a threshold they are judged by, from the constants the code applies,
    by the marker's data-arg (a key of TIMING_METHOD)."""
    if name not in TIMING_METHOD:
        raise ValueError(f"timing_method: data-arg must be one of {', '.join(TIMING_METHOD)}, not {name!r}")
    return html("{}", TIMING_METHOD[name])


FIGURES: dict[str, Figure] = {
    "short_answer": _calculator_figure("short_answer"),
    "effective_field_table": _calculator_figure("effective_field_table"),
    "effective_field_maps": _calculator_figure("effective_field_maps", scroll=False),
    **{name: _plain(f) for name, f in benchmarks.FIGURES.items()},  # docs/site-speed.md, docs/authors.md
    **{name: _plain(f) for name, f in convnext.FIGURES.items()},  # ConvNeXtTiny (docs/large-kernels.md)
    **{
        name: _stored(f)
        for module in (render, render_accuracy, render_effective, render_home, render_timing)
        for name, f in module.FIGURES.items()
    },
    "fact_check": _stored(factcheck.claims),
    "shipped_size": shipped_size,
    "timing_method": timing_method,
}
