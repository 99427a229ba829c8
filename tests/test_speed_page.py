"""The "Time is not FLOPs" page shows the stored timing records: every ratio, interval and verdict on it is recomputed
here from the raw samples in results/<machine>/timing.json, and every FLOPs ratio from calc."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

import calc
from calc.text import percent
from kernel_lab_mkdocs import stats
from scripts.examples import timing

ROOT = Path(__file__).resolve().parent.parent
SHOWN = re.compile(
    r'<span class="kl-ratio" data-verdict="(?P<verdict>[^"]+)" '
    r'data-ratio="(?P<engine>[^":]+):(?P<group>[^"]+)/(?P<a>[^/"]+)/(?P<b>[^/"]+)">'
    r"(?P<median>[\d.]+)× \((?P<low>[\d.]+)×–(?P<high>[\d.]+)×\)"
)
SHAPES = ("56x56x64", "28x28x128", "stem", "article")


def records(name: str = "timing.json") -> dict[str, dict[str, Any]]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted((ROOT / "results").glob(f"*/{name}"))}


def flops(layers: list[list[Any]], input_shape: list[int]) -> int:
    """Forward multiply-adds of a chain, from calc's per-layer figures."""
    shape: tuple[int | None, ...] = tuple(input_shape)
    total = 0
    for cls, config in layers:
        info = calc.layer_info(cls, config, shape)
        total += int(info.macs or 0)
        shape = info.output_shape
    return total


def recomputed(group: dict[str, Any], a: str, b: str) -> tuple[stats.Ratio, stats.Ratio, list[float]]:
    """From the raw samples: the bootstrap over the pooled rounds, each process's median, and the interval used."""
    va, vb = group["variants"][a], group["variants"][b]
    within = stats.paired_ratio(va["samples_s"], vb["samples_s"])
    medians = [
        statistics.median([x / y for x, y in zip(ra, rb, strict=True)])
        for ra, rb in zip(va["runs_samples_s"], vb["runs_samples_s"], strict=True)
    ]
    return within, stats.combined(within, medians), medians


def texts(r: stats.Ratio) -> tuple[str, ...]:
    digits = 2 if r.low >= 0.1 else 3
    return tuple(f"{v:.{digits}f}" for v in (r.median, r.low, r.high))


def test_every_ratio_on_the_page_is_recomputed_from_the_samples(built_site: Path) -> None:
    """Each ratio shown (on any engine) names its group; its figures and verdict follow from that group's samples,
    with the wider of the pooled interval and the spread between runs. Every TensorFlow ratio of the four shapes and
    every other engine's ratio is shown."""
    page = (built_site / "speed" / "index.html").read_text(encoding="utf-8")
    files = {name: engine.file for name, engine in timing.ENGINES.items()}
    shown = set()
    for m in SHOWN.finditer(page):
        rec = next(iter(records(files[m["engine"]]).values()))
        group = next(g for g in rec["groups"] + rec.get("networks", []) if g["id"] == m["group"])
        _, used, _ = recomputed(group, m["a"], m["b"])
        assert (m["median"], m["low"], m["high"]) == texts(used), m.group(0)
        assert m["verdict"] == stats.verdict(used)
        shown.add((m["engine"], m["group"], m["a"], m["b"]))
    for engine, file in files.items():
        for rec in records(file).values():
            for g in rec["groups"]:
                for r in g["ratios"]:
                    if engine == "tensorflow" and g["shape"] not in SHAPES:
                        continue
                    assert (engine, g["id"], r["a"], r["b"]) in shown


def test_within_and_between_runs_are_shown_beside_each_ratio(built_site: Path) -> None:
    """Beside every TensorFlow ratio: the pooled bootstrap interval and the range of the processes' medians, each
    with its half-width, recomputed here."""
    page = (built_site / "speed" / "index.html").read_text(encoding="utf-8")
    for rec in records().values():
        for g in (g for g in rec["groups"] if g["shape"] in SHAPES):
            for r in g["ratios"]:
                within, _, medians = recomputed(g, r["a"], r["b"])
                between = stats.between_runs(within.median, medians)
                for iv, extra in ((within, ""), (between, f", {len(medians)} runs")):
                    d = 2 if iv.low >= 0.1 else 3
                    half = percent(iv.half_width, digits=2)
                    cell = f"<td>{iv.low:.{d}f}×–{iv.high:.{d}f}× (half-width {half}){extra}</td>"
                    assert cell in page, (g["id"], r["a"], r["b"], cell)


def test_separable_training_flops_on_the_page_count_the_pointwise_input_gradient(built_site: Path) -> None:
    """At 56 × 56 × 64 → 64 a SeparableConv2D 7×7 training step does (2·depthwise + 3·pointwise) / (2·Conv2D 7×7)
    = 0.0462 of the FLOPs; it was shown as 0.036× while the pointwise input gradient was left out."""
    page = (built_site / "speed" / "index.html").read_text(encoding="utf-8")
    d, p, c = 56 * 56 * 64 * 49, 56 * 56 * 64 * 64, 56 * 56 * 64 * 64 * 49
    assert f"<td>{(2 * d + 3 * p) / (2 * c):.3f}×</td>" == "<td>0.046×</td>"
    assert "<td>0.046×</td>" in page


def test_flops_ratios_are_calcs(built_site: Path) -> None:
    """The stack's forward FLOPs over the single layer's at 56 × 56 × 64: 3·9/49 with 'same' padding."""
    page = (built_site / "speed" / "index.html").read_text(encoding="utf-8")
    rec = next(iter(records().values()))
    g = next(g for g in rec["groups"] if g["id"] == "56x56x64/b1/forward")
    stacked = flops(g["variants"]["stacked"]["layers"], g["input_shape"])
    single = flops(g["variants"]["single"]["layers"], g["input_shape"])
    assert stacked / single == 27 / 49
    assert f"<td>{27 / 49:.2f}×</td>" in page


def test_measured_device_memory_is_shown_where_a_machine_has_it(tmp_path: Path) -> None:
    """A GPU machine's record carries the measured peak of each training step; the memory table adds a column for it
    and keeps calc's computed figures beside it; a CPU-only set says nothing was measured."""
    from kernel_lab_mkdocs import render_timing
    from kernel_lab_mkdocs.store import Data

    rec = next(iter(records().values()))
    (tmp_path / "results" / "cpu").mkdir(parents=True)
    (tmp_path / "results" / "cpu" / "timing.json").write_text(json.dumps(rec))
    memory = render_timing.FIGURES["timing_memory"]
    cpu_only = str(memory(Data(tmp_path), "32"))
    assert "no machine measured here tracks device memory" in cpu_only and "(measured)" not in cpu_only
    gpu = json.loads(json.dumps(rec))
    for g in gpu["groups"]:
        for n, v in g["variants"].items():
            v["measured_peak_bytes"] = 3 * 2**20 if n == "single" else None
    (tmp_path / "results" / "gpu").mkdir()
    (tmp_path / "results" / "gpu" / "timing.json").write_text(json.dumps(gpu))
    both = str(memory(Data(tmp_path), "32"))
    assert "Peak device memory on gpu (measured)" in both and "on cpu (measured)" not in both
    assert both.count("<td>3 MiB</td>") == 3  # the single layer of each shape timed at batch 32


WORDED = re.compile(
    r'<span class="kl-ratio" data-verdict="[^"]+" data-ratio="(?P<engine>[^":]+):(?P<group>[^"]+)/(?P<a>[^/"]+)/'
    r'(?P<b>[^/"]+)">[^<]*?\), (?P<word>[^<]+)</span>'
)


def test_each_ratio_says_its_verdict_and_whether_it_is_precise(built_site: Path) -> None:
    """The word after a ratio is its verdict (faster or slower whenever the whole interval lies on one side of 1, as
    the page's rule says), with "not precise" where the half-width is over the limit; an imprecise ratio that lies
    below 1 was called "interval too wide to judge" beside a sentence calling the stack faster."""
    page = (built_site / "speed" / "index.html").read_text(encoding="utf-8")
    files = {name: engine.file for name, engine in timing.ENGINES.items()}
    found = list(WORDED.finditer(page))
    assert found
    for m in found:
        rec = next(iter(records(files[m["engine"]]).values()))
        group = next(g for g in rec["groups"] + rec.get("networks", []) if g["id"] == m["group"])
        _, used, _ = recomputed(group, m["a"], m["b"])
        half = (used.high - used.low) / (2 * used.median)
        assert m["word"] == stats.verdict(used) + ("" if half <= stats.HALF_WIDTH_LIMIT else ", not precise"), m[0]


def _flops_and_times(shape: str, a: str, b: str) -> list[tuple[str, float, float]]:
    """(group, FLOPs ratio computed by calc, measured time ratio) of a/b in every TensorFlow group of a shape."""
    out = []
    for rec in records().values():
        for g in (g for g in rec["groups"] if g["shape"] == shape):
            r = next(r for r in g["ratios"] if (r["a"], r["b"]) == (a, b))
            va, vb = g["variants"][a], g["variants"][b]
            out.append((g["id"], va["computed"]["flops"] / vb["computed"]["flops"], r["median"]))
    return out


def test_what_the_page_says_of_time_against_flops_holds_in_the_stored_record() -> None:
    """The prose of Time is not FLOPs, checked against the record it describes: a larger depthwise kernel costs more
    time than its share of FLOPs in every group; in the forward pass the factorized and separable layers' times fall
    less than their FLOPs; at the stem the stack needs several times the FLOPs and about twice the time."""
    for shape in ("56x56x64", "28x28x128"):
        for gid, flops_ratio, time_ratio in _flops_and_times(shape, "separable", "separable_3x3"):
            assert time_ratio > flops_ratio, gid
        for variant in ("factorized", "separable"):
            for gid, flops_ratio, time_ratio in _flops_and_times(shape, variant, "single"):
                assert "/forward" not in gid or time_ratio > flops_ratio, (variant, gid)
                assert variant != "separable" or time_ratio > flops_ratio, gid
    for gid, flops_ratio, time_ratio in _flops_and_times("stem", "stacked", "single"):
        assert flops_ratio >= 3 and 1.75 <= time_ratio <= 2.5, gid
