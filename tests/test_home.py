"""The home page: its decision guide's times recomputed from the raw samples in timing.json and its memory from
calc, the short answer's stem at a real stem's input, the source article named, and the guide's wording when an
interval contains 1 or is too wide (on synthetic records).

The site is built once for the module (about as long as tests/test_site_build.py's build).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

import calc
from calc.text import nbytes, shape
from kernel_lab import calculators
from scripts.examples import stats
from scripts.examples.render_home import describe, guide
from tests.html_tables import tables

ROOT = Path(__file__).resolve().parents[1]
SEED = Path("/work/shared/seed/000_6b81ef32f9054892.txt")  # the source article, where this checkout has it
TITLE = "How do 7x7 and 3x3 kernel sizes compare in Keras conv2D layers?"
_TAG = re.compile(r"<[^>]+>")
_TIMED = re.compile(
    r"(?P<a>[^.:]+?): (?P<fm>[\d.]+)× the time of (?P<b>.+?) in a forward pass \(95 % interval (?P<fl>[\d.]+)× "
    r"to (?P<fh>[\d.]+)×: (?P<fv>[^)]+)\), (?P<tm>[\d.]+)× in a training step \(95 % interval (?P<tl>[\d.]+)× to "
    r"(?P<th>[\d.]+)×: (?P<tv>[^)]+)\)\."
)


@pytest.fixture(scope="module")
def home(built_site: Path) -> str:
    return (built_site / "index.html").read_text(encoding="utf-8")


def guide_lines(page: str) -> list[tuple[list[str], str]]:
    """Each line of the guide: (its timing group ids, its text without tags)."""
    found = re.search(r'<ul class="kl-guide">(.*?)</ul>', page, re.S)
    assert found, "the page has no decision guide"
    items = re.findall(r'<li data-groups="([^"]+)">(.*?)</li>', found[1], re.S)
    return [(ids.split(), _TAG.sub("", text)) for ids, text in items]


def close(shown: str, value: float) -> bool:
    """The figure as printed equals ``value`` rounded to the digits printed."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(float(shown) - value) <= 0.5 * 10.0**-decimals + 1e-12


def expected_call(r: stats.Ratio) -> str:
    return stats.verdict(r) if r.precise else "too wide to call"


def kept_bytes(layers: list[list[Any]], input_shape: list[int], batch: int) -> int:
    """float32 activations a training step keeps: the input, every layer's output and a SeparableConv2D's depthwise
    output (its output's height × width × its input's channels), whole batch (shapes from calc)."""
    shape: tuple[int | None, ...] = tuple(input_shape)
    elements = math.prod(input_shape)
    for cls, config in layers:
        info = calc.layer_info(cls, config, shape)
        out = tuple(d or 0 for d in info.output_shape)
        if cls == "SeparableConv2D":
            elements += out[0] * out[1] * int(shape[-1] or 0)
        shape = info.output_shape
        elements += math.prod(out)
    return 4 * batch * elements


def test_guide_times_are_the_paired_ratios_of_the_raw_samples(home: str) -> None:
    machine = re.search(r"machine <code>([^<]+)</code>", home)
    assert machine
    record = json.loads((ROOT / "results" / machine[1] / "timing.json").read_text())
    groups = {g["id"]: g for g in record["groups"]}
    lines = guide_lines(home)
    assert len(lines) == 3
    checked = 0
    for ids, text in lines:
        forward, train = (groups[i] for i in ids)
        assert (forward["mode"], train["mode"], forward["batch"], train["batch"]) == ("forward", "train", 8, 8)
        assert f"{shape(train['input_shape'])} → {train['filters']} filters" in text
        assert "batch 8" in text
        names = {describe(v["layers"]): n for n, v in train["variants"].items()}
        for m in _TIMED.finditer(text):
            a, b = names[m["a"].strip()], names[m["b"]]
            for n in (a, b):  # the memory: recomputed from the layers by calc, as stored in the record
                kept = kept_bytes(train["variants"][n]["layers"], train["input_shape"], 8)
                assert kept == train["variants"][n]["computed"]["kept_bytes"]
                assert f"keeps {nbytes(kept)}" in text or f"against {nbytes(kept)}" in text
            for g, key in ((forward, "f"), (train, "t")):
                r = stats.paired_ratio(g["variants"][a]["samples_s"], g["variants"][b]["samples_s"])
                assert close(m[f"{key}m"], r.median) and close(m[f"{key}l"], r.low) and close(m[f"{key}h"], r.high)
                assert m[f"{key}v"].startswith(expected_call(r))
                checked += 1
    assert checked == 8  # four comparisons, forward and training each


def test_stem_row_is_at_a_real_stem_input() -> None:
    head, *rows = tables(calculators.figure("short_answer"))[0]
    stem = dict(zip(head, next(r for r in rows if r[0].startswith("At the stem")), strict=True))
    assert "224 × 224 × 3 → 112 × 112 × 64" in stem["Case"]
    single = calc.conv2d((224, 224, 3), 64, 7, strides=2, padding="same")
    assert single.macs == 118_013_952 == int(stem["7×7 MACs"].replace(",", ""))
    first = calc.conv2d((224, 224, 3), 32, 3, strides=2, padding="same")
    second = calc.conv2d(first.output_shape, 32, 3, padding="same")
    third = calc.conv2d(second.output_shape, 64, 3, padding="same")
    stack = [first, second, third]
    assert int(stem["3×3 stack MACs"].replace(",", "")) == sum(layer.macs or 0 for layer in stack)
    assert int(stem["3×3 stack params"].replace(",", "")) == sum(layer.params for layer in stack)


def test_short_answer_matches_keras() -> None:
    keras = pytest.importorskip("keras")

    def params(input_shape: tuple[int, int, int], specs: list[tuple[int, int, int]]) -> int:
        x = inp = keras.Input(input_shape)
        for filters, k, s in specs:
            x = keras.layers.Conv2D(filters, k, strides=s, padding="same")(x)
        return int(keras.Model(inp, x).count_params())

    head, *rows = tables(calculators.figure("short_answer"))[0]
    mid, stem = (dict(zip(head, r, strict=True)) for r in rows)
    expect = {
        (0, "7×7 params"): params((56, 56, 64), [(64, 7, 1)]),
        (0, "3×3 stack params"): params((56, 56, 64), [(64, 3, 1)] * 3),
        (1, "7×7 params"): params((224, 224, 3), [(64, 7, 2)]),
        (1, "3×3 stack params"): params((224, 224, 3), [(32, 3, 2), (32, 3, 1), (64, 3, 1)]),
    }
    for (i, column), value in expect.items():
        assert int((mid, stem)[i][column].replace(",", "")) == value


def test_home_page_names_and_quotes_the_article(home: str) -> None:
    if SEED.is_file():
        assert f'title: "{TITLE}"' in SEED.read_text(encoding="utf-8")
    assert f"“{TITLE}”" in home or f"&ldquo;{TITLE}&rdquo;" in home or f'"{TITLE}"' in home
    assert 'href="fact-check/"' in home and 'href="speed/"' in home


# --- the wording, on synthetic records ----------------------------------------------------------------------


def _variant(layers: list[list[Any]], kept: int) -> dict[str, Any]:
    return {"layers": layers, "computed": {"kept_bytes": kept}}


def synthetic(ratios: dict[str, tuple[float, float, float]]) -> dict[str, Any]:
    """A timing record with the groups the guide quotes; ``ratios`` by 'SHAPE/MODE/A/B', others 0.5 [0.49, 0.51]."""
    conv = [["Conv2D", {"filters": 8, "kernel_size": 7, "padding": "same"}]]
    variants = {
        "56x56x64": {
            "single": _variant(conv, 200),
            "stacked": _variant([["Conv2D", {"filters": 8, "kernel_size": 3, "padding": "same"}]] * 3, 400),
            "separable": _variant([["SeparableConv2D", {"filters": 8, "kernel_size": 7, "padding": "same"}]], 200),
            "separable_3x3": _variant([["SeparableConv2D", {"filters": 8, "kernel_size": 3}]], 200),
        },
        "stem": {"single": _variant(conv, 100), "stacked": _variant(conv * 2, 300)},
    }
    groups = []
    for name, vs in variants.items():
        pairs = [("stacked", "single")]
        if name != "stem":
            pairs += [("separable", "single"), ("separable", "separable_3x3")]
        for mode in ("forward", "train"):
            rs = []
            for a, b in pairs:
                median, low, high = ratios.get(f"{name}/{mode}/{a}/{b}", (0.5, 0.49, 0.51))
                rs.append({"a": a, "b": b, "median": median, "low": low, "high": high})
            group = {"id": f"{name}/b8/{mode}", "shape": name, "batch": 8, "mode": mode, "rounds": 20}
            where = {"input_shape": [16, 16, 8], "filters": 8, "strides": 1}
            groups.append({**group, **where, "variants": vs, "ratios": rs})
    machine = {"key": "test-machine", "cpu": "Test CPU", "cores": 4}
    return {"machine": machine, "date": "2026-01-02T03:04:05", "groups": groups}


def _sentences(html: str) -> list[re.Match[str]]:
    return [m for _, text in guide_lines(html) for m in _TIMED.finditer(text)]


def test_an_interval_that_contains_one_reads_within_noise() -> None:
    html = guide(synthetic({"56x56x64/forward/stacked/single": (1.0, 0.98, 1.02)}))
    first = _sentences(html)[0]
    assert first["fv"] == "within noise" and first["tv"] == "faster"
    assert "test-machine" in html and "2026-01-02" in html


def test_an_interval_too_wide_gives_no_direction() -> None:
    html = guide(synthetic({"stem/train/stacked/single": (0.8, 0.6, 0.95)}))
    stem = _sentences(html)[1]
    assert stem["tv"].startswith("too wide to call") and "faster" not in stem["tv"]
    assert stem["fv"] == "faster"


def test_describe_counts_runs_and_shows_strides() -> None:
    assert describe([["Conv2D", {"filters": 64, "kernel_size": 3}]] * 3) == "3 × Conv2D 3×3 → 64"
    stem = [
        ["Conv2D", {"filters": 32, "kernel_size": 3, "strides": 2}],
        ["Conv2D", {"filters": 32, "kernel_size": 3}],
        ["Conv2D", {"filters": 64, "kernel_size": 3}],
    ]
    assert describe(stem) == "Conv2D 3×3/2 → 32 + Conv2D 3×3 → 32 + Conv2D 3×3 → 64"
    assert describe([["Conv2D", {"filters": 8, "kernel_size": [1, 7]}]]) == "Conv2D 1×7 → 8"
