"""Timings that are evidence: the k×k variants at sizes real networks use, interleaved, compared as paired ratios.

Shapes (``SHAPES``): a stem (224×224×3 → 64, stride 2: ResNet's 7×7 against the 3×3 stack of ResNet-C, He et al.,
"Bag of Tricks", 2019), two mid-network maps (56×56×64 → 64 and 28×28×128 → 128: one 7×7, three 3×3, 1×7 + 7×1,
SeparableConv2D 7×7 and 3×3, one 3×3), all 'same', and the article's own pair (256×256×3, 'valid'). Batches 1, 8 and 32
(the article's pair 1 and 8), a forward pass and one SGD training step on a mean-squared error, each compiled with
tf.function. Every model is built in this one process; the run goes in rounds, and each round takes one sample of
every variant of every group (groups and variants in an order rotated each round), so the variants of a group are
timed side by side and their ratio is paired. A sample lasts at least ``MIN_SAMPLE_S``: calls shorter than
``SAMPLE_S`` are repeated inside it and the sample is their mean. After ``MIN_ROUNDS`` rounds, groups with a figure
not steady or a ratio not precise (scripts/examples/stats.py) get more rounds, up to ``MAX_ROUNDS`` or the time budget.
A 4096² float32 matrix product (the machine's measured peak) and two tiny models (1 and 16 Conv2D 1×1 layers on a
1×1×1 input: the overhead of a call and of a layer) are sampled in every round too.

Usage: .venv/bin/python -m scripts.examples.timing [--force] [--budget SECONDS] [--min-rounds N]
(python -m scripts.examples runs it too.) Writes results/<machine>/timing.json atomically; skipped while this
script, stats.py, TensorFlow, Keras and the machine are unchanged (unless --force).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import calc
from scripts.examples import machine, stats
from scripts.examples.effective_field import write_atomically

ROOT = Path(__file__).resolve().parents[2]

MIN_SAMPLE_S = 0.005
SAMPLE_S = 0.025  # calls shorter than this are repeated inside a sample: short samples jitter (IQR 15-25 % at 5 ms)
MIN_ROUNDS = 15
MAX_ROUNDS = 40
BUDGET_S = 600.0  # sampling stops adding rounds after this long (the whole forced run stays under 15 minutes)
BATCHES = (1, 8, 32)
MODES = ("forward", "train")
PEAK_SIZE = 4096
RATIOS = (
    ("stacked", "single"),
    ("factorized", "single"),
    ("separable", "single"),
    ("separable", "separable_3x3"),
    ("single", "single_3x3"),
)

Layer = tuple[str, dict[str, Any]]


def conv(filters: int, kernel_size: int | tuple[int, int], padding: str, strides: int = 1) -> Layer:
    config: dict[str, Any] = {"filters": filters, "kernel_size": kernel_size, "padding": padding}
    if strides != 1:
        config["strides"] = strides
    return ("Conv2D", config)


def separable(filters: int, k: int) -> Layer:
    return ("SeparableConv2D", {"filters": filters, "kernel_size": k, "padding": "same"})


def mid(filters: int) -> dict[str, list[Layer]]:
    return {
        "single": [conv(filters, 7, "same")],
        "stacked": [conv(filters, 3, "same")] * 3,
        "factorized": [conv(filters, (1, 7), "same"), conv(filters, (7, 1), "same")],
        "separable": [separable(filters, 7)],
        "separable_3x3": [separable(filters, 3)],
        "single_3x3": [conv(filters, 3, "same")],
    }


@dataclass(frozen=True)
class Shape:
    input_shape: tuple[int, int, int]
    filters: int
    padding: str
    strides: int
    batches: tuple[int, ...]
    variants: dict[str, list[Layer]]


SHAPES = {
    "stem": Shape(
        (224, 224, 3), 64, "same", 2, BATCHES,
        {"single": [conv(64, 7, "same", 2)],
         "stacked": [conv(32, 3, "same", 2), conv(32, 3, "same"), conv(64, 3, "same")]},
    ),
    "56x56x64": Shape((56, 56, 64), 64, "same", 1, BATCHES, mid(64)),
    "28x28x128": Shape((28, 28, 128), 128, "same", 1, BATCHES, mid(128)),
    "article": Shape(
        (256, 256, 3), 64, "valid", 1, (1, 8),
        {"single": [conv(64, 7, "valid")],
         "stacked": [conv(32, 3, "valid"), conv(32, 3, "valid"), conv(64, 3, "valid")]},
    ),
}  # fmt: skip

OVERHEAD = {"one_layer": [conv(1, 1, "same")], "sixteen_layers": [conv(1, 1, "same")] * 16}


# --- what calc computes for each variant --------------------------------------------------------


def computed(layers: list[Layer], input_shape: tuple[int, ...], batch: int, mode: str) -> dict[str, Any]:
    """calc's figures for the chain over a whole batch: parameters, FLOPs of this mode (two per multiply-add; a
    training step adds the weight gradients and, except for the first layer, the input gradients), the float32
    activations a training step keeps (input, every layer's output, a separable layer's depthwise output) and the
    bytes a forward pass moves at least (each layer reads its input and weights and writes its output once), and
    FLOPs per byte."""
    infos: list[calc.LayerInfo] = []
    shape: tuple[int | None, ...] = input_shape
    for cls, config in layers:
        infos.append(calc.layer_info(cls, config, shape))
        shape = infos[-1].output_shape
    macs = [int(i.macs or 0) for i in infos]
    outs = [int(i.activation_elements or 0) for i in infos]
    ins = [math.prod(input_shape), *outs[:-1]]
    # A SeparableConv2D also writes its depthwise output, out_h·out_w·C_in·depth_multiplier, and reads it back: kept
    # for the backward pass, moved twice.
    inner = 0
    for (cls, config), info, before in zip(
        layers, infos, [input_shape, *(i.output_shape for i in infos)], strict=False
    ):
        if cls == "SeparableConv2D":
            h, w = info.output_shape[0] or 0, info.output_shape[1] or 0
            inner += h * w * int(before[-1] or 0) * int(config.get("depth_multiplier", 1))
    params = sum(i.params for i in infos)
    forward_flops = 2 * sum(macs) * batch
    train_flops = 2 * batch * sum(m * (2 if n == 0 else 3) for n, m in enumerate(macs))
    moved = 4 * (batch * (sum(ins) + sum(outs) + 2 * inner) + params)
    return {
        "params": params,
        "macs_per_example": sum(macs),
        "flops": forward_flops if mode == "forward" else train_flops,
        "kept_bytes": 4 * batch * (math.prod(input_shape) + sum(outs) + inner),
        "moved_bytes": moved,
        "intensity": forward_flops / moved,
        "output_shape": list(shape),
    }


# --- the units timed --------------------------------------------------------------------------


@dataclass
class Unit:
    """One thing timed: a compiled call and its samples (seconds per call)."""

    name: str
    call: Callable[[], Any]
    calls: int = 1
    samples: list[float] = field(default_factory=list)
    sample_calls: list[int] = field(default_factory=list)
    peak_bytes: int | None = None  # device memory at its peak during one call, where TensorFlow tracks it

    def calibrate(self) -> None:
        self.call()
        self.call()
        t = time.perf_counter()
        self.call()
        one = time.perf_counter() - t
        self.calls = max(1, math.ceil(SAMPLE_S / one)) if one < SAMPLE_S else 1

    def sample(self) -> None:
        """``calls`` calls, and more if they took under MIN_SAMPLE_S (a call can get faster after calibration)."""
        call, n = self.call, 0
        call()  # untimed: caches and threads as this call leaves them, not as the unit before left them
        t = time.perf_counter()
        while n < self.calls or time.perf_counter() - t < MIN_SAMPLE_S:
            call()
            n += 1
        self.samples.append((time.perf_counter() - t) / n)
        self.sample_calls.append(n)


@dataclass
class Group:
    id: str
    shape: str
    batch: int
    mode: str
    units: dict[str, Unit]

    def needs_more(self) -> bool:
        if any(not stats.spread(u.samples).steady for u in self.units.values()):
            return True
        return any(not r.precise for _, _, r in self.ratios())

    def ratios(self) -> list[tuple[str, str, stats.Ratio]]:
        return [
            (a, b, stats.paired_ratio(self.units[a].samples, self.units[b].samples))
            for a, b in RATIOS
            if a in self.units and b in self.units
        ]


def build_call(layers: list[Layer], input_shape: tuple[int, ...], batch: int, mode: str, seed: int) -> Any:
    """A compiled forward pass or SGD training step of the chain (ReLU after every layer), with its inputs bound."""
    import keras
    import tensorflow as tf

    inp = keras.Input(input_shape)
    x = inp
    for cls, config in layers:
        x = getattr(keras.layers, cls)(**config, activation="relu")(x)
    model = keras.Model(inp, x)
    gen = tf.random.Generator.from_seed(seed)
    data = gen.normal((batch, *input_shape))
    if mode == "forward":
        forward = tf.function(lambda: model(data, training=False))
        return model, forward
    target = tf.zeros((batch, *model.outputs[0].shape[1:]))
    optimizer = keras.optimizers.SGD(learning_rate=1e-3)

    @tf.function  # type: ignore[untyped-decorator]
    def train_step() -> Any:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(data, training=True) - target))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    return model, train_step


def device_peak_bytes(call: Callable[[], Any]) -> int | None:
    """The peak of the first GPU's memory during one call, as TensorFlow reports it; None without a GPU (TensorFlow
    tracks no memory on the CPU: get_memory_info('CPU:0') reads zero)."""
    import tensorflow as tf

    if not tf.config.list_logical_devices("GPU"):
        return None
    call()  # traced and allocated once, so that the peak is one call's
    tf.config.experimental.reset_memory_stats("GPU:0")
    call()
    return int(tf.config.experimental.get_memory_info("GPU:0")["peak"])


def peak_call() -> Callable[[], Any]:
    import tensorflow as tf

    gen = tf.random.Generator.from_seed(1)
    a, b = gen.normal((PEAK_SIZE, PEAK_SIZE)), gen.normal((PEAK_SIZE, PEAK_SIZE))
    return tf.function(lambda: tf.matmul(a, b))  # type: ignore[no-any-return]


def make_groups(progress: Callable[[str], None]) -> list[Group]:
    """Every group's compiled calls, checked against calc (parameters and output shape) and calibrated."""
    groups = []
    specs = [(s, b, m) for s, shape in SHAPES.items() for b in shape.batches for m in MODES]
    for n, (shape_id, batch, mode) in enumerate(specs, 1):
        shape = SHAPES[shape_id]
        units = {}
        for name, layers in shape.variants.items():
            model, call = build_call(layers, shape.input_shape, batch, mode, seed=n)
            want = computed(layers, shape.input_shape, batch, mode)
            got = (model.count_params(), list(model.outputs[0].shape[1:]))
            if got != (want["params"], want["output_shape"]):
                raise RuntimeError(f"{shape_id}/{name}: Keras {got}, calc {want['params'], want['output_shape']}")
            units[name] = Unit(name, call, peak_bytes=device_peak_bytes(call))
            units[name].calibrate()
        groups.append(Group(f"{shape_id}/b{batch}/{mode}", shape_id, batch, mode, units))
        progress(f"compiled {n}/{len(specs)} groups ({groups[-1].id})")
    return groups


def overhead_units() -> dict[str, Unit]:
    units = {}
    for mode in MODES:
        for name, layers in OVERHEAD.items():
            _, call = build_call(layers, (1, 1, 1), 1, mode, seed=0)
            units[f"{mode}/{name}"] = Unit(f"{mode}/{name}", call)
            units[f"{mode}/{name}"].calibrate()
    return units


# --- the rounds -------------------------------------------------------------------------------


def one_round(r: int, groups: list[Group], extra: list[Unit]) -> None:
    """One sample of every unit; the order of groups and of variants inside each is rotated by the round."""
    for unit in extra:
        unit.sample()
    for g in groups[r % len(groups) :] + groups[: r % len(groups)]:
        units = list(g.units.values())
        for unit in units[r % len(units) :] + units[: r % len(units)]:
            unit.sample()


def run_rounds(groups: list[Group], extra: list[Unit], args: argparse.Namespace, say: Callable[[str], None]) -> int:
    """MIN_ROUNDS rounds of everything, then more rounds of the groups that still miss; the rounds run."""
    started = time.monotonic()
    r = 0
    todo = groups
    while todo and r < args.max_rounds:
        t = time.monotonic()
        one_round(r, todo, extra)
        r += 1
        spent = time.monotonic() - started
        if r >= args.min_rounds:
            todo = [g for g in groups if g.needs_more()]
            if spent + (time.monotonic() - t) > args.budget:
                break
        rest = (args.min_rounds - r) * (time.monotonic() - t) if r < args.min_rounds else None
        load = os.getloadavg()[0]
        say(
            f"round {r}: {len(todo)} group(s) to go, elapsed {spent:.0f} s"
            + (f", about {rest:.0f} s to the first {args.min_rounds} rounds" if rest is not None else "")
            + f", load {load:.2f}"
        )
    return r


# --- the record -------------------------------------------------------------------------------


def figure(samples: list[float]) -> dict[str, Any]:
    s = stats.spread(samples)
    return {"median_s": s.median, "q1_s": s.q1, "q3_s": s.q3, "samples_s": samples}


def group_record(g: Group, peak_gflops: float) -> dict[str, Any]:
    shape = SHAPES[g.shape]
    variants = {}
    for name, unit in g.units.items():
        comp = computed(shape.variants[name], shape.input_shape, g.batch, g.mode)
        fig = figure(unit.samples)
        gflops = comp["flops"] / fig["median_s"] / 1e9
        variants[name] = {
            "layers": [[cls, config] for cls, config in shape.variants[name]],
            "calls_per_sample": unit.calls,
            "sample_calls": unit.sample_calls,
            **fig,
            "computed": comp,
            "measured_peak_bytes": unit.peak_bytes,
            "gflops": gflops,
            "fraction_of_peak": gflops / peak_gflops,
        }
    ratios = [
        {"a": a, "b": b, "median": r.median, "low": r.low, "high": r.high, "half_width": r.half_width,
         "precise": r.precise, "verdict": stats.verdict(r)}
        for a, b, r in g.ratios()
    ]  # fmt: skip
    return {
        "id": g.id,
        "shape": g.shape,
        "input_shape": list(shape.input_shape),
        "filters": shape.filters,
        "padding": shape.padding,
        "strides": shape.strides,
        "batch": g.batch,
        "mode": g.mode,
        "rounds": len(next(iter(g.units.values())).samples),
        "variants": variants,
        "ratios": ratios,
    }


def overhead_record(units: dict[str, Unit]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in MODES:
        one, many = units[f"{mode}/one_layer"], units[f"{mode}/sixteen_layers"]
        call = stats.spread(one.samples).median
        per_layer = [(b - a) / 15 for a, b in zip(one.samples, many.samples, strict=True)]
        out[mode] = {
            "call_s": call,
            "per_layer_s": stats.spread(per_layer).median,
            "one_layer": figure(one.samples),
            "sixteen_layers": figure(many.samples),
        }
    return out


def inputs(fp: dict[str, Any]) -> dict[str, Any]:
    """What the record depends on: this script, stats.py, TensorFlow, Keras and the machine."""
    here = Path(__file__)
    digest = hashlib.sha256(here.read_bytes() + here.with_name("stats.py").read_bytes()).hexdigest()
    return {"script_sha256": digest, "tensorflow": fp["tensorflow"], "keras": fp["keras"], "machine": fp["key"]}


def method(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "min_sample_s": MIN_SAMPLE_S,
        "sample_s": SAMPLE_S,
        "min_rounds": args.min_rounds,
        "max_rounds": args.max_rounds,
        "budget_s": args.budget,
        "iqr_limit": stats.IQR_LIMIT,
        "half_width_limit": stats.HALF_WIDTH_LIMIT,
        "confidence": stats.CONFIDENCE,
        "bootstrap_resamples": stats.RESAMPLES,
        "peak": f"{PEAK_SIZE}×{PEAK_SIZE} float32 matmul, sampled every round",
        "train_step": "SGD (learning rate 1e-3) on the mean squared error against zeros, tf.function",
        "forward": "model(x, training=False) in a tf.function; ReLU after every layer",
        "input": "random normal, float32",
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--force", action="store_true", help="measure even when nothing changed")
    ap.add_argument("--results-dir", type=Path, default=ROOT / "results")
    ap.add_argument("--budget", type=float, default=BUDGET_S, help="seconds of rounds after which none is added")
    ap.add_argument("--min-rounds", type=int, default=MIN_ROUNDS)
    ap.add_argument("--max-rounds", type=int, default=MAX_ROUNDS)
    ap.add_argument("--only", help="shapes to time, comma-separated (a partial record, for trying things)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    fp = machine.fingerprint()
    out = args.results_dir / fp["key"] / "timing.json"
    want = inputs(fp)
    if not args.force and out.exists():
        try:
            if json.loads(out.read_text(encoding="utf-8"))["inputs"] == want:
                print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: up to date")
                return 0
        except (ValueError, KeyError, TypeError):
            pass
    if args.only:
        keep = set(args.only.split(","))
        for gone in set(SHAPES) - keep:
            del SHAPES[gone]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # the many compiled functions are intended, not accidental retracing
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[timing {time.monotonic() - started:5.0f} s] {text}", file=sys.stderr, flush=True)

    load_start = list(os.getloadavg())
    groups = make_groups(say)
    peak = Unit("peak", peak_call())
    peak.calibrate()
    overhead = overhead_units()
    rounds = run_rounds(groups, [peak, *overhead.values()], args, say)
    peak_fig = figure(peak.samples)
    peak_gflops = 2 * PEAK_SIZE**3 / peak_fig["median_s"] / 1e9
    record = {
        "about": "Compute-bound timings of the k×k variants, interleaved and paired: scripts/examples/timing.py",
        "method": method(args),
        "inputs": want if not args.only else {**want, "only": args.only},
        "machine": fp,
        "date": fp["date"],
        "loadavg_start": load_start,
        "loadavg_end": list(os.getloadavg()),
        "rounds": rounds,
        "seconds": round(time.monotonic() - started, 1),
        "peak": {**peak_fig, "flops": 2 * PEAK_SIZE**3, "gflops": peak_gflops},
        "overhead": overhead_record(overhead),
        "groups": [group_record(g, peak_gflops) for g in groups],
    }
    write_atomically(out, record)
    misses = [g["id"] for g in record["groups"] if not all(r["precise"] for r in g["ratios"])]
    say(f"wrote {out} ({rounds} rounds); ratios not precise in: {', '.join(misses) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
