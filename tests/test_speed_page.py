"""The "Time is not FLOPs" page shows the stored timing records: every ratio, interval and verdict on it is recomputed
here from the raw samples in results/<machine>/timing.json, and every FLOPs ratio from calc."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import calc
from scripts.examples import stats

ROOT = Path(__file__).resolve().parent.parent
SHOWN = re.compile(
    r'<span class="kl-ratio" data-verdict="(?P<verdict>[^"]+)">'
    r"(?P<median>[\d.]+)× \((?P<low>[\d.]+)×–(?P<high>[\d.]+)×\)"
)


def records() -> dict[str, dict[str, Any]]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted((ROOT / "results").glob("*/timing.json"))}


def flops(layers: list[list[Any]], input_shape: list[int]) -> int:
    """Forward multiply-adds of a chain, from calc's per-layer figures."""
    shape: tuple[int | None, ...] = tuple(input_shape)
    total = 0
    for cls, config in layers:
        info = calc.layer_info(cls, config, shape)
        total += int(info.macs or 0)
        shape = info.output_shape
    return total


def test_every_ratio_on_the_page_is_recomputed_from_the_samples(built_site: Path) -> None:
    page = (built_site / "speed" / "index.html").read_text(encoding="utf-8")
    shown = [m.groupdict() for m in SHOWN.finditer(page)]
    expected = []
    for rec in records().values():
        for shape in ("56x56x64", "28x28x128", "stem", "article"):  # the page's order of tables
            for g in (g for g in rec["groups"] if g["shape"] == shape):
                for r in g["ratios"]:
                    a, b = (g["variants"][n]["samples_s"] for n in (r["a"], r["b"]))
                    expected.append(stats.paired_ratio(a, b))
    inline = 2  # the two ratios quoted in the prose come first
    assert len(shown) == len(expected) + inline
    for got, want in zip(shown[inline:], expected, strict=True):
        digits = 2 if want.low >= 0.1 else 3
        assert (got["median"], got["low"], got["high"]) == tuple(
            f"{v:.{digits}f}" for v in (want.median, want.low, want.high)
        )
        assert got["verdict"] == stats.verdict(want)


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
    from scripts.examples import render_timing
    from scripts.examples.store import Data

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
