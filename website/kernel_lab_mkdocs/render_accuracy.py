"""The accuracy page's figures, from results/<machine>/accuracy.json (written by scripts/examples/accuracy.py).

Markers: ``accuracy_setup`` (what was trained, how, on what), ``accuracy_table`` (every variant's cost from calc
beside its test accuracy, paired differences against one 7×7 with 95 % intervals and verdicts), ``accuracy_curves``
(test accuracy after each epoch), ``accuracy_fields`` (the effective field of the first block's centre unit before
and after training), ``accuracy_summary`` (one sentence for the home page's answer).

Paired differences: each seed trains every variant from the same initial stem and classifier on the same order of
images, so seed i gives the difference d_i = accuracy(variant, i) − accuracy(reference, i). The figure quoted is
the mean of the d_i, with a 95 % confidence interval from Student's t with n − 1 degrees of freedom (mean ± t ·
sd / √n). The verdict follows the site's rule for timings: "better" or "worse" only when the whole interval lies
on one side of 0, otherwise "within noise".
"""

from __future__ import annotations

import functools
import json
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel_lab.charts import figure, line_chart
from kernel_lab.html import Markup, html, join, scroll_region, table
from kernel_lab_mkdocs import stats
from kernel_lab_mkdocs.store import Data

__all__ = ["FIGURES", "Difference", "load_records", "paired_difference", "t_quantile"]

ROOT = Path(__file__).resolve().parents[2]
CONFIDENCE = stats.CONFIDENCE  # the timings' level
BETTER, WORSE, NOISE = "better", "worse", "within noise"
ORDER = ("7x7", "3x3_stack", "3x3_stack_linear", "3x3_stack_wide", "3x3")


def _t_pdf(x: float, df: int) -> float:
    c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(c - (df + 1) / 2 * math.log1p(x * x / df))


def _t_cdf(t: float, df: int, steps: int = 2000) -> float:
    """P(T ≤ t) for t ≥ 0, by Simpson's rule on the density from 0 to t."""
    h = t / steps
    s = _t_pdf(0, df) + _t_pdf(t, df)
    s += sum((4 if i % 2 else 2) * _t_pdf(i * h, df) for i in range(1, steps))
    return 0.5 + s * h / 3


@functools.cache  # a page asks for the same few quantiles many times
def t_quantile(p: float, df: int) -> float:
    """The p-quantile (p ≥ 0.5) of Student's t with ``df`` degrees of freedom, by bisection.

    >>> round(t_quantile(0.975, 4), 3)
    2.776
    """
    lo, hi = 0.0, 1.0
    while _t_cdf(hi, df) < p:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _t_cdf(mid, df) < p else (lo, mid)
    return (lo + hi) / 2


@dataclass(frozen=True)
class Difference:
    """The paired difference of two variants' test accuracies (a − b, fractions), over the seeds both ran."""

    mean: float
    low: float
    high: float
    n: int
    sd: float

    @property
    def verdict(self) -> str:
        if self.low > 0:
            return BETTER
        if self.high < 0:
            return WORSE
        return NOISE


def paired_difference(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]) -> Difference | None:
    """Mean paired difference of test accuracy (runs of a minus runs of b, matched by seed) with its 95 % interval;
    None with fewer than two common seeds."""
    by_seed = {r["seed"]: r["test_accuracy"] for r in b}
    d = [r["test_accuracy"] - by_seed[r["seed"]] for r in a if r["seed"] in by_seed]
    if len(d) < 2:
        return None
    mean, sd = statistics.fmean(d), statistics.stdev(d)
    half = t_quantile(1 - (1 - CONFIDENCE) / 2, len(d) - 1) * sd / math.sqrt(len(d))
    return Difference(mean, mean - half, mean + half, len(d), sd)


REQUIRED = {"recipe": dict, "variants": dict, "data": dict, "machine": dict, "seeds": list, "reference": str}


def load_records(results_dir: Path = ROOT / "results") -> dict[str, dict[str, Any]]:
    """{machine key: accuracy record} for every results/<key>/accuracy.json; a file that does not parse or lacks
    what the page reads is an error naming it."""
    out: dict[str, dict[str, Any]] = {}
    if not results_dir.is_dir():
        return out
    for path in sorted(results_dir.glob("*/accuracy.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ValueError(f"{path}: not a readable accuracy record ({e})") from e
        problems = [
            k
            for k, kind in REQUIRED.items()
            if not isinstance(record.get(k) if isinstance(record, dict) else None, kind)
        ]
        if not problems:
            for name, v in record["variants"].items():
                if not isinstance(v, dict) or not isinstance(v.get("runs"), list):
                    problems.append(f"variants.{name}.runs")
                elif any(not isinstance(r, dict) or "seed" not in r or "test_accuracy" not in r for r in v["runs"]):
                    problems.append(f"variants.{name}.runs[*].seed/test_accuracy")
        if problems:
            raise ValueError(f"{path}: accuracy record lacks or mistypes {', '.join(problems)}")
        out[path.parent.name] = record
    return out


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f} %"


def _points(x: float, digits: int = 2) -> str:
    """A difference of fractions in percentage points, signed."""
    return f"{100 * x:+.{digits}f}".replace("-", "−")


def _variants(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    got = record["variants"]
    return [(k, got[k]) for k in (*ORDER, *sorted(set(got) - set(ORDER))) if k in got and got[k]["runs"]]


def _accuracies(v: dict[str, Any]) -> list[float]:
    return [r["test_accuracy"] for r in v["runs"]]


def setup(record: dict[str, Any], key: str) -> Markup:
    r, d, m = record["recipe"], record["data"], record["machine"]
    v = record["variants"]
    limits = record.get("limits") or {}
    partial = any(limits.get(k) for k in ("train", "test"))
    return join(
        [
            html(
                "<p>Data: {} ({} classes of 28×28 greyscale images), {} training and {} test images, the split "
                "{}. Network: a stem (Conv2D 3×3, {} filters, stride 2: 28×28 → 14×14), the block under test at "
                "14×14, max pooling, the same block at 7×7, global average pooling and a Dense layer of 10. Every "
                "block ends in a linear convolution and a ReLU. Recipe, the same for every variant and fixed before "
                "the first run: {} with learning rate {}, batch {}, {} epochs over the training images, {}, no "
                "augmentation; nothing was tuned on the test split. Seeds {}: each fixes the initial weights and "
                "the order of the images and is shared by all variants, so differences are paired by seed.</p>",
                d["name"],
                len(d["classes"]),
                f"{d['train']:,}",
                f"{d['test']:,}",
                d["split"],
                record["filters"],
                r["optimizer"],
                r["learning_rate"],
                r["batch_size"],
                r["epochs"],
                r["inputs"],
                ", ".join(str(s) for s in record["seeds"]),
            ),
            html(
                '<p class="kl-note">Trained on {} ({} cores), TensorFlow {}, Keras {} (machine {}); {} runs '
                "stored.{}</p>",
                m["cpu"],
                m["cores"],
                m["tensorflow"],
                m["keras"],
                key,
                sum(len(x["runs"]) for x in v.values()),
                " A test run on a subset of the data, not a result." if partial else "",
            ),
            load_note(record),
        ]
    )


def load_note(record: dict[str, Any]) -> Markup:
    """The load the machine carried while training, from each run's stored load average."""
    loads = [r["loadavg"][0] for v in record["variants"].values() for r in v["runs"] if r.get("loadavg")]
    if not loads:
        return Markup("")
    return html(
        '<p class="kl-note">The machine was shared while these runs trained (1-minute load average {} to {} on '
        "{} cores at the end of each run): the seconds per epoch compare the variants with each other only "
        "roughly, and not with other pages' timings.</p>",
        f"{min(loads):.1f}", f"{max(loads):.1f}", record["machine"]["cores"],
    )  # fmt: skip


def accuracy_table(record: dict[str, Any]) -> Markup:
    ref = record["variants"][record["reference"]]
    rows = []
    for name, v in _variants(record):
        acc = _accuracies(v)
        diff = None if name == record["reference"] else paired_difference(v["runs"], ref["runs"])
        epoch = statistics.median(s for r in v["runs"] for s in r["seconds_per_epoch"])
        if name == record["reference"]:
            against = "reference"
        else:
            against = "–" if diff is None else f"{_points(diff.mean)} ({_points(diff.low)} to {_points(diff.high)})"
        rows.append(
            (
                v["label"],
                f"{v['block_params']:,}",
                f"{v['macs'] / 1e6:.2f} M",
                f"{100 * statistics.fmean(acc):.2f} %",
                f"{100 * statistics.stdev(acc):.2f}" if len(acc) > 1 else "–",
                against,
                "" if diff is None else diff.verdict,
                f"{epoch:.0f} s",
            )
        )
    head = (
        "Block",
        "Block params",
        "MACs / image",
        "Test accuracy",
        "Seed sd (points)",
        f"Against one 7×7 (points, {CONFIDENCE:.0%} interval)",
        "Verdict",
        "Epoch",
    )
    caption = (
        f"Parameters (of one block) and MACs (of the whole network) computed by calc; accuracy (mean of "
        f"{len(ref['runs'])} seeds) and seconds per epoch measured"
    )
    return scroll_region(table(head, rows, caption), "accuracy of every variant")


def noise_note(record: dict[str, Any]) -> Markup:
    """What a difference of the measured size means: the intervals' half-widths against the spread between
    seeds."""
    ref = record["variants"][record["reference"]]
    diffs = [
        (v["label"], d)
        for name, v in _variants(record)
        if name != record["reference"] and (d := paired_difference(v["runs"], ref["runs"])) is not None
    ]
    if not diffs:
        return Markup("")
    sds = [statistics.stdev(_accuracies(v)) for _, v in _variants(record) if len(v["runs"]) > 1]
    halves = [(d.high - d.low) / 2 for _, d in diffs]
    found = [f"{label} ({d.verdict})" for label, d in diffs if d.verdict != NOISE]
    return html(
        "<p>For scale: with {} seeds the 95 % intervals of the paired differences reach {} to {} points either "
        "side of the mean difference (half-width), while one variant's accuracy varies between seeds with a "
        "standard deviation of {} to {} points. A difference smaller than the half-width cannot be told apart "
        "from that spread here. {}</p>",
        len(ref["runs"]), f"{100 * min(halves):.1f}", f"{100 * max(halves):.1f}",
        f"{100 * min(sds):.2f}", f"{100 * max(sds):.2f}",
        "Told apart from one 7×7: " + ", ".join(found) + "." if found else "No variant is told apart from one 7×7.",
    )  # fmt: skip


def curve_note(record: dict[str, Any]) -> Markup:
    """How much the last epoch still added: is the comparison at convergence or after a fixed, short training?"""
    gains = []
    for _, v in _variants(record):
        per_epoch = [r["test_accuracy_per_epoch"] for r in v["runs"] if len(r["test_accuracy_per_epoch"]) > 1]
        if per_epoch:
            gains.append(statistics.fmean(p[-1] - p[-2] for p in per_epoch))
    if not gains:
        return Markup("")
    return html(
        "<p>The last epoch still added {} to {} points of test accuracy (mean over the seeds): none of the "
        "networks has converged, so the table compares the designs after one fixed, short training.</p>",
        f"{100 * min(gains):.1f}", f"{100 * max(gains):.1f}",
    )  # fmt: skip


def field_note(record: dict[str, Any]) -> Markup:
    """Whether training widened or narrowed each block's effective field, from the stored stds."""
    parts = []
    for _, v in _variants(record):
        init = statistics.fmean(statistics.fmean(r["effective_field"]["init"]["std"]) for r in v["runs"])
        trained = statistics.fmean(statistics.fmean(r["effective_field"]["trained"]["std"]) for r in v["runs"])
        word = "about the same" if abs(trained - init) < 0.02 else "wider" if trained > init else "narrower"
        parts.append(html("{}: {} → {} px ({})", v["label"], f"{init:.2f}", f"{trained:.2f}", word))
    return html("<p>From initialisation to the end of training, mean over the seeds: {}.</p>", join(parts, "; "))


def curves(record: dict[str, Any]) -> Markup:
    series = []
    for _, v in _variants(record):
        per_epoch = [r["test_accuracy_per_epoch"] for r in v["runs"]]
        n = min(len(p) for p in per_epoch)
        means = [statistics.fmean(p[e] for p in per_epoch) * 100 for e in range(n)]
        series.append((v["label"], [(e + 1, m) for e, m in enumerate(means)]))
    lo = math.floor(min(y for _, pts in series for _, y in pts)) - 1
    hi = math.ceil(max(y for _, pts in series for _, y in pts)) + 1
    chart = line_chart(
        series, "epoch", "test accuracy (%)", "Test accuracy after each epoch", y_range=(lo, hi), x_whole=True
    )
    return figure(chart, "Test accuracy after each epoch, mean over the seeds (measured).")


def fields(record: dict[str, Any]) -> Markup:
    rows = []
    for _, v in _variants(record):
        init = [statistics.fmean(r["effective_field"]["init"]["std"]) for r in v["runs"]]
        trained = [statistics.fmean(r["effective_field"]["trained"]["std"]) for r in v["runs"]]
        rows.append(
            (
                v["label"],
                f"{v['equal_weights_std']:.2f}",
                f"{statistics.fmean(init):.2f}",
                f"{statistics.fmean(trained):.2f}",
                f"{min(trained):.2f} to {max(trained):.2f}",
            )
        )
    head = (
        "Block",
        "Equal weights (calc)",
        "Measured at initialisation",
        "Measured after training",
        "After training, range over seeds",
    )
    caption = "Effective field of the first block's centre unit: standard deviation in pixels of the block's input"
    out = [scroll_region(table(head, rows, caption), "effective field before and after training")]
    for name in ("7x7", "3x3_stack"):
        v = record["variants"].get(name)
        if not v or not v["runs"]:
            continue
        series = []
        for when, word in (("init", "at initialisation"), ("trained", "after training")):
            profiles = [r["effective_field"][when]["profile"][0] for r in v["runs"]]
            mean = [statistics.fmean(p[i] for p in profiles) for i in range(len(profiles[0]))]
            centre = len(mean) // 2  # the centre unit's own position: 'same' padding keeps the map's size
            window = [(i - centre, m) for i, m in enumerate(mean) if abs(i - centre) <= 5]
            series.append((f"{v['label']}, {word}", window))
        chart = line_chart(
            series, "input row, from the centre unit", "share of the gradient", f"{v['label']}: profile", x_whole=True
        )
        out.append(figure(chart, f"{v['label']}: per-axis profile of the effective field, mean over the seeds."))
    return join(out)


def summary(record: dict[str, Any]) -> Markup:
    """One short sentence for the home page's answer: three 3×3 with ReLU between against one 7×7."""
    ref, stack = record["variants"][record["reference"]], record["variants"].get("3x3_stack")
    d = paired_difference(stack["runs"], ref["runs"]) if stack else None
    if d is None or stack is None:
        return Markup("")
    verdict = "within noise" if d.verdict == NOISE else f"the stack {d.verdict}"
    return html(
        "Trained here on Fashion-MNIST ({} seeds): {} test accuracy for the stack, {} for one 7×7, {}.",
        d.n, _pct(statistics.fmean(_accuracies(stack))), _pct(statistics.fmean(_accuracies(ref))), verdict,
    )  # fmt: skip


def _each(render: Callable[[dict[str, Any], str], Markup]) -> Callable[[Data, str], Markup]:
    """A figure that renders every machine's record (render(record, machine key)), each under its key when
    several machines are stored."""

    def figure_(data: Data, arg: str) -> Markup:
        records = load_records(data.examples_dir.parent / "results")
        if not records:
            return Markup("<p>No training is recorded yet.</p>")
        parts = []
        for key, record in records.items():
            heading = html("<p><strong>{}</strong></p>", key) if len(records) > 1 else Markup("")
            parts.append(heading + render(record, key))
        return join(parts)

    return figure_


FIGURES: dict[str, Callable[[Data, str], Markup]] = {
    "accuracy_setup": _each(setup),
    "accuracy_table": _each(lambda r, _key: accuracy_table(r) + noise_note(r)),
    "accuracy_curves": _each(lambda r, _key: curves(r) + curve_note(r)),
    "accuracy_fields": _each(lambda r, _key: fields(r) + field_note(r)),
    "accuracy_summary": lambda data, arg: next(
        (summary(r) for r in load_records(data.examples_dir.parent / "results").values()), Markup("")
    ),
}
