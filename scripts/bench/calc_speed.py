"""Benchmark of calc's per-layer functions and receptive-field walk: figures printed and stored, never asserted.

- each per-layer function and ``calc.layer_info`` on a Keras config dict: time per call, goal ≤ 5 µs in CPython;
- ``calc.receptive_field`` over a 1,000-layer chain: goal ≤ 5 ms;
- ``calc.effective_receptive_field`` over a 1,000-layer chain of 3×3 layers: goal ≤ 50 ms (issue 9).

Each figure is the median and interquartile range over many repeats; one repeat times a batch of calls
(as ``timeit`` does) and divides by the batch size. A figure that misses its goal is profiled (cProfile),
and the functions that took the most time are printed and stored beside it.

Usage: .venv/bin/python -m scripts.bench.calc_speed [--repeats N] [--quick]
Prints the figures and writes benchmarks/calc.json,
which the authors' page docs/site-speed.md shows (scripts/bench/report.py).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import calc
from scripts.examples import machine

ROOT = Path(__file__).resolve().parents[2]

OUT = ROOT / "benchmarks"
LAYER_GOAL_US = 5.0
CHAIN_LENGTH = 1000
CHAIN_GOALS_MS = {"receptive_field": 5.0, "effective_receptive_field": 50.0}

# A Conv2D config as Keras 3 writes it in model.to_json(): lists for tuples, and keys calc ignores.
_INIT = {
    "module": "keras.initializers",
    "class_name": "GlorotUniform",
    "config": {"seed": None},
    "registered_name": None,
}
CONV2D_CONFIG: dict[str, Any] = {
    "name": "conv1",
    "trainable": True,
    "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None},
    "filters": 64,
    "kernel_size": [7, 7],
    "strides": [2, 2],
    "padding": "same",
    "data_format": "channels_last",
    "dilation_rate": [1, 1],
    "groups": 1,
    "activation": "relu",
    "use_bias": True,
    "kernel_initializer": _INIT,
    "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None},
    "kernel_regularizer": None,
    "bias_regularizer": None,
    "activity_regularizer": None,
    "kernel_constraint": None,
    "bias_constraint": None,
}
BN_CONFIG: dict[str, Any] = {
    "name": "bn",
    "axis": -1,
    "momentum": 0.99,
    "epsilon": 0.001,
    "center": True,
    "scale": True,
}

# (label, zero-argument call): typical arguments, the way a model summary calls them.
CALLS: list[tuple[str, Callable[[], Any]]] = [
    ("conv2d", partial(calc.conv2d, (224, 224, 3), 64, 7, strides=2, padding="same")),
    ("conv2d (groups, dilation)", partial(calc.conv2d, (56, 56, 64), 64, 3, dilation_rate=2, groups=4)),
    ("depthwise_conv2d", partial(calc.depthwise_conv2d, (112, 112, 32), 3, padding="same")),
    ("separable_conv2d", partial(calc.separable_conv2d, (64, 64, 32), 64, 3, padding="same")),
    ("conv2d_transpose", partial(calc.conv2d_transpose, (16, 16, 32), 16, 3, strides=2, padding="same")),
    ("max_pooling2d", partial(calc.max_pooling2d, (112, 112, 64), 3, 2, "same")),
    ("average_pooling2d", partial(calc.average_pooling2d, (35, 35, 192), 3, 1, "same")),
    ("global_pooling2d", partial(calc.global_pooling2d, (7, 7, 512))),
    ("zero_padding2d", partial(calc.zero_padding2d, (224, 224, 3), 3)),
    ("cropping2d", partial(calc.cropping2d, (28, 28, 3), ((2, 2), (4, 4)))),
    ("up_sampling2d", partial(calc.up_sampling2d, (16, 16, 8), 2)),
    ("dense", partial(calc.dense, (25088,), 4096)),
    ("flatten", partial(calc.flatten, (7, 7, 512))),
    ("reshape", partial(calc.reshape, (7, 7, 512), (-1,))),
    ("batch_normalization", partial(calc.batch_normalization, (56, 56, 64))),
    ("layer_normalization", partial(calc.layer_normalization, (197, 768))),
    ("normalization", partial(calc.normalization, (224, 224, 3))),
    ("prelu", partial(calc.prelu, (32, 32, 16), [1, 2])),
    ("passthrough", partial(calc.passthrough, (56, 56, 64), "ReLU")),
    ("elementwise_merge", partial(calc.elementwise_merge, [(56, 56, 256), (56, 56, 256)])),
    ("concatenate", partial(calc.concatenate, [(35, 35, 64), (35, 35, 64), (35, 35, 96), (35, 35, 32)])),
    ("resizing", partial(calc.resizing, (180, 180, 3), 160, 160)),
    ("center_crop", partial(calc.center_crop, (256, 256, 3), 224, 224)),
    ("random_crop", partial(calc.random_crop, (256, 256, 3), 224, 224)),
    ("group_normalization", partial(calc.group_normalization, (56, 56, 64), 32)),
    ("unit_normalization", partial(calc.unit_normalization, (49, 768))),
    ("layer_info Conv2D (Keras config)", partial(calc.layer_info, "Conv2D", CONV2D_CONFIG, (224, 224, 3))),
    ("layer_info BatchNormalization", partial(calc.layer_info, "BatchNormalization", BN_CONFIG, (56, 56, 64))),
    ("layer_info Add", partial(calc.layer_info, "Add", {"name": "add"}, [(56, 56, 256), (56, 56, 256)])),
    (
        "layer_info Conv2D, channels_first",
        partial(calc.layer_info, "Conv2D", {**CONV2D_CONFIG, "data_format": "channels_first"}, (3, 224, 224)),
    ),
]


def chain_of(length: int, stride_every: int = 100) -> list[calc.LayerInfo]:
    """``length`` 3×3 'same' convolutions on 1024×1024, every ``stride_every``-th with stride 2 (with 100, 1024
    halves to 1 by the end of 1,000 layers; 0: all stride 1)."""
    layers = []
    shape: tuple[int | None, ...] = (1024, 1024, 16)
    for n in range(1, length + 1):
        strided = stride_every and n % stride_every == 0
        info = calc.conv2d(shape, 16, 3, strides=2 if strided else 1, padding="same")
        layers.append(info)
        shape = info.output_shape
    return layers


def per_call(fn: Callable[[], Any], repeats: int, target_s: float = 0.002) -> list[float]:
    """Seconds per call, one figure per repeat; each repeat runs a batch sized to take about ``target_s``."""
    fn()
    batch = 1
    while True:
        t = time.perf_counter()
        for _ in range(batch):
            fn()
        if time.perf_counter() - t >= target_s / 2 or batch >= 1 << 20:
            break
        batch *= 2
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(batch):
            fn()
        out.append((time.perf_counter() - t) / batch)
    return out


def stats(seconds: list[float], scale: float) -> dict[str, Any]:
    q1, _, q3 = statistics.quantiles(seconds, n=4)
    return {
        "median": statistics.median(seconds) * scale,
        "q1": q1 * scale,
        "q3": q3 * scale,
        "min": min(seconds) * scale,
        "repeats": len(seconds),
    }


def profile(fn: Callable[[], Any], calls: int, top: int = 6) -> list[dict[str, Any]]:
    """The functions with the most own time over ``calls`` calls of ``fn``."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    st = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in st.stats.items():  # type: ignore[attr-defined]
        where = Path(filename)
        label = f"{where.parent.name}/{where.name}:{line}({name})" if line else name
        rows.append({"function": label, "calls": ncalls, "own_s": tottime, "cumulative_s": cumtime})
    rows.sort(key=lambda r: -r["own_s"])
    return rows[:top]


def per_layer(repeats: int) -> dict[str, Any]:
    """Each call of CALLS, in µs per call; those that miss the goal profiled."""
    layers: dict[str, Any] = {}
    for label, fn in CALLS:
        figure = stats(per_call(fn, repeats), 1e6)
        if figure["median"] > LAYER_GOAL_US:
            figure["profile"], figure["profile_calls"] = profile(fn, 20_000), 20_000
        layers[label] = figure
        mark = "" if figure["median"] <= LAYER_GOAL_US else "  MISSES the goal"
        print(f"{label:36s} median {figure['median']:6.2f} µs  IQR {figure['q1']:.2f}–{figure['q3']:.2f}{mark}")
    return layers


def chains(repeats: int) -> dict[str, Any]:
    """The receptive and the effective field of a CHAIN_LENGTH-layer chain, in ms per call; those that miss
    their goal profiled. The effective field's chain has no strides: with them its field would pass the 2^16
    pixels calc lists."""
    strided, plain = chain_of(CHAIN_LENGTH), chain_of(CHAIN_LENGTH, stride_every=0)
    rf, erf = calc.receptive_field(strided), calc.effective_receptive_field(plain)
    assert rf is not None
    runs: dict[str, tuple[Callable[[], Any], str, dict[str, Any]]] = {
        "receptive_field": (
            partial(calc.receptive_field, strided),
            "3×3 'same' convolutions, every 100th with stride 2",
            {"size": rf.size, "stride": rf.stride, "padding": rf.padding},
        ),
        "effective_receptive_field": (
            partial(calc.effective_receptive_field, plain),
            "3×3 'same' convolutions, stride 1",
            {"size": erf.size, "std": erf.std},
        ),
    }
    out: dict[str, Any] = {}
    for name, (fn, chain, field) in runs.items():
        figure = stats(per_call(fn, repeats, target_s=0.02), 1e3)
        goal = CHAIN_GOALS_MS[name]
        if figure["median"] > goal:
            figure["profile"], figure["profile_calls"] = profile(fn, 200), 200
        out[name] = {**figure, "chain": chain, "field": field}
        mark = "" if figure["median"] <= goal else "  MISSES the goal"
        print(
            f"{name} over {CHAIN_LENGTH} layers ({chain}): median {figure['median']:.3f} ms  "
            f"IQR {figure['q1']:.3f}–{figure['q3']:.3f}  (field {field['size'][0]} px){mark}"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=200, help="repeats per figure (default 200)")
    ap.add_argument("--quick", action="store_true", help="20 repeats, and write nothing")
    args = ap.parse_args()
    repeats = 20 if args.quick else args.repeats

    layers, walks = per_layer(repeats), chains(repeats)
    missed = [label for label, v in {**layers, **walks}.items() if "profile" in v]
    for label in missed:
        print(f"profile of {label}:")
        for r in {**layers, **walks}[label]["profile"]:
            print(f"  {r['own_s'] * 1e3:8.1f} ms own  {r['calls']:8d} calls  {r['function']}")
    if args.quick:
        return

    result: dict[str, Any] = {
        "machine": machine.fingerprint(),
        "goals": {"per_layer_us": LAYER_GOAL_US, "chain_ms": CHAIN_GOALS_MS, "chain_length": CHAIN_LENGTH},
        "per_call_us": layers,
        "chains_ms": walks,
        "missed_goals": missed,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "calculators.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
