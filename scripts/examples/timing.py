"""Timings that are evidence: the k×k variants at sizes real networks use, interleaved, compared as paired ratios,
repeated in separate processes and on each Keras backend.

Shapes (``SHAPES``): a stem (224×224×3 → 64, stride 2: ResNet's 7×7 against the 3×3 stack of ResNet-C, He et al.,
"Bag of Tricks", 2019), two mid-network maps (56×56×64 → 64 and 28×28×128 → 128: one 7×7, three 3×3, 1×7 + 7×1,
SeparableConv2D 7×7 and 3×3, one 3×3, a 3×3 with dilation_rate 3 and RepLKNet's 7×7 + 3×3 pair), all 'same', and
the article's own pair (256×256×3, 'valid'). Batches 1, 8 and 32 (the article's pair 1 and 8), a forward pass and
one SGD training step on a mean-squared error, each compiled. Beside them a whole network (``NETWORKS``):
keras.applications' ResNet-50 with its 7×7 stem against the same network with ResNet-C's stem, forward pass.

One measuring process builds every model and goes in rounds: each round takes one sample of every variant of
every group (groups and variants in an order rotated each round), so the variants of a group are timed side by
side and their ratio is paired. A sample lasts at least ``MIN_SAMPLE_S``: calls shorter than ``SAMPLE_S`` are
repeated inside it and the sample is their mean. After ``MIN_ROUNDS`` rounds, groups with a figure not steady or a
ratio not precise (scripts/examples/stats.py) get more rounds, up to ``MAX_ROUNDS`` or the process's time budget.
A 4096² float32 matrix product (the machine's measured peak) and two tiny models (1 and 16 Conv2D 1×1 layers on a
1×1×1 input: the overhead of a call and of a layer) are sampled in every round too.

The stage runs ``RUNS`` such processes for each engine (``ENGINES``: TensorFlow as Keras runs it with
tf.function, TensorFlow with jit_compile=True (XLA), and JAX with jax.jit), each a fresh interpreter started after
the one before has ended, engine by engine (TensorFlow's first). An engine's record pools the rounds of its
processes and keeps each process's median of every ratio (``between_runs``); the interval a verdict uses is the
wider of the pooled bootstrap interval and the range of those medians (stats.combined).

Usage: .venv/bin/python -m scripts.examples.timing [--force] [--budget SECONDS] [--runs N] [--engines a,b]
(python -m scripts.examples runs it too.) Writes results/<machine>/timing.json (TensorFlow), timing-xla.json and
timing-jax.json, each atomically as soon as its processes are done; a process's own samples are kept in
build/timing/ until its record is written, so an interrupted stage goes on where it stopped. An engine is skipped
while this script, stats.py, the versions it runs and the machine are unchanged (unless --force).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import calc
from kernel_lab_mkdocs import stats
from scripts.examples import machine
from scripts.examples.effective_field import write_atomically

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "build" / "timing"

MIN_SAMPLE_S = 0.005
SAMPLE_S = 0.025  # calls shorter than this are repeated inside a sample: short samples jitter (IQR 15-25 % at 5 ms)
MIN_ROUNDS = 5  # per process; RUNS processes pool at least RUNS × MIN_ROUNDS rounds
MAX_ROUNDS = 15
RUNS = 3  # separate processes per engine
BUDGET_S = 1080.0  # the whole stage (18 min): each process adds rounds only within its share of what is left
BATCHES = (1, 8, 32)
MODES = ("forward", "train")
PEAK_SIZE = 4096
RATIOS = (
    ("stacked", "single"),
    ("factorized", "single"),
    ("separable", "single"),
    ("separable", "separable_3x3"),
    ("single", "single_3x3"),
    ("dilated", "single"),
    ("replk", "single"),
)
NETWORK_RATIOS = (("resnet_c", "resnet"),)


# The engines compiled by XLA take several to tens of times TensorFlow's time on this CPU (a first try, loaded
# machine: 56×56×64 → 64, batch 8, JAX's 7×7 training step 2.7 s against TensorFlow's 0.09 s); they time one
# batch, and the peak on a smaller matrix product.
OTHER_BATCHES = (1,)
OTHER_PEAK_SIZE = 1024


@dataclass(frozen=True)
class Engine:
    """How Keras runs: its backend, and for TensorFlow whether tf.function compiles with XLA (jit_compile)."""

    backend: str
    jit_compile: bool
    file: str
    title: str
    batches: tuple[int, ...] | None = None  # the batches timed (None: every shape's); XLA's CPU kernels are slow
    peak_size: int = PEAK_SIZE
    networks: bool = True  # whether the whole networks are timed (compiling ResNet-50 with XLA takes minutes here)


ENGINES = {
    "tensorflow": Engine("tensorflow", False, "timing.json", "TensorFlow, tf.function"),
    "tensorflow-xla": Engine(
        "tensorflow", True, "timing-xla.json", "TensorFlow, tf.function(jit_compile=True)", OTHER_BATCHES,
        OTHER_PEAK_SIZE, networks=False,
    ),
    "jax": Engine("jax", True, "timing-jax.json", "JAX, jax.jit", OTHER_BATCHES, OTHER_PEAK_SIZE, networks=False),
}  # fmt: skip

Layer = tuple[str, dict[str, Any]]


def conv(
    filters: int, kernel_size: int | tuple[int, int], padding: str, strides: int = 1, dilation_rate: int = 1
) -> Layer:
    config: dict[str, Any] = {"filters": filters, "kernel_size": kernel_size, "padding": padding}
    if strides != 1:
        config["strides"] = strides
    if dilation_rate != 1:
        config["dilation_rate"] = dilation_rate
    return ("Conv2D", config)


def separable(filters: int, k: int) -> Layer:
    return ("SeparableConv2D", {"filters": filters, "kernel_size": k, "padding": "same"})


def parallel(*branches: Layer) -> Layer:
    """Layers applied to the same input, their outputs added (keras.layers.Add), then the ReLU."""
    return ("Add", {"branches": [list(b) for b in branches]})


def mid(filters: int) -> dict[str, list[Layer]]:
    return {
        "single": [conv(filters, 7, "same")],
        "stacked": [conv(filters, 3, "same")] * 3,
        "factorized": [conv(filters, (1, 7), "same"), conv(filters, (7, 1), "same")],
        "separable": [separable(filters, 7)],
        "separable_3x3": [separable(filters, 3)],
        "single_3x3": [conv(filters, 3, "same")],
        "dilated": [conv(filters, 3, "same", dilation_rate=3)],
        # RepLKNet (Ding et al., 2022) trains a large kernel beside a small one and merges them for inference
        "replk": [parallel(conv(filters, 7, "same"), conv(filters, 3, "same"))],
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

# Whole networks, forward pass: keras.applications.ResNet50(weights=None) as it is ("resnet": ZeroPadding2D 3 and a
# 7×7/2 Conv2D to 64) and with ResNet-C's stem in place of those two layers ("resnet_c": 3×3/2 → 32, BN, ReLU,
# 3×3 → 32, BN, ReLU, 3×3 → 64; the network's own BN and ReLU follow, as after the 7×7).
NETWORKS = {"resnet50": ((224, 224, 3), (1, 8), ("resnet", "resnet_c"))}

OVERHEAD = {"one_layer": [conv(1, 1, "same")], "sixteen_layers": [conv(1, 1, "same")] * 16}


# --- what calc computes for each variant --------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One convolution (or merge) a training step differentiates: its multiply-adds, elements read and written per
    example, and whether it reads the model's input (then no gradient with respect to its input is computed)."""

    macs: int
    read: int
    written: int
    reads_input: bool


def parts(cls: str, config: dict[str, Any], shape: tuple[int | None, ...]) -> list[calc.LayerInfo]:
    """The convolutions one Keras layer runs, as calc computes them: a SeparableConv2D is a DepthwiseConv2D (no
    bias) followed by a 1×1 Conv2D to ``filters``; any other layer is itself."""
    whole = calc.layer_info(cls, config, shape)
    if cls != "SeparableConv2D":
        return [whole]
    keep = ("kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier")
    depthwise = calc.layer_info(
        "DepthwiseConv2D", {**{k: config[k] for k in keep if k in config}, "use_bias": False}, shape
    )
    pointwise = calc.layer_info(
        "Conv2D", {"filters": config["filters"], "kernel_size": 1, "use_bias": config.get("use_bias", True)},
        depthwise.output_shape,
    )  # fmt: skip
    if (depthwise.macs or 0) + (
        pointwise.macs or 0
    ) != whole.macs or depthwise.params + pointwise.params != whole.params:
        raise AssertionError(f"{cls} {config}: depthwise + pointwise differ from calc's layer")
    return [depthwise, pointwise]


def chain(layers: list[Layer], input_shape: tuple[int, ...]) -> tuple[list[Op], list[int], int, tuple[Any, ...]]:
    """The ops of a chain of layers (an "Add" entry: its branches on the same input, added, then a ReLU), the
    elements of every tensor a training step keeps besides the input (every Keras layer's output and a separable
    layer's depthwise output), the parameters and the output shape."""
    ops: list[Op] = []
    kept: list[int] = []
    params = 0
    shape: tuple[Any, ...] = input_shape

    def run(cls: str, config: dict[str, Any], at: tuple[Any, ...], at_input: bool) -> tuple[Any, ...]:
        nonlocal params
        for n, info in enumerate(parts(cls, config, at)):
            out = math.prod(int(d or 0) for d in info.output_shape)
            ops.append(Op(int(info.macs or 0), math.prod(at), out, at_input and n == 0))
            kept.append(out)
            params += info.params
            at = info.output_shape
        return at

    for cls, config in layers:
        at_input = not ops
        if cls == "Add":
            outs = [run(c, cfg, shape, at_input) for c, cfg in config["branches"]]
            n = math.prod(outs[0])
            ops += [Op(0, n * len(outs), n, False), Op(0, n, n, False)]  # the Add, then the ReLU (Activation)
            kept += [n, n]
            shape = outs[0]
        else:
            shape = run(cls, config, shape, at_input)
    return ops, kept, params, shape


def training_flops(ops: list[Op], batch: int) -> int:
    """FLOPs of one training step, two per multiply-add: every op's forward pass and its weights' gradient, and the
    gradient with respect to its input for every op except those that read the model's input."""
    return 2 * batch * sum(op.macs * (2 if op.reads_input else 3) for op in ops)


def computed(layers: list[Layer], input_shape: tuple[int, ...], batch: int, mode: str) -> dict[str, Any]:
    """calc's figures for the chain over a whole batch: parameters, FLOPs of this mode (``training_flops`` for a
    training step), the float32 activations a training step keeps (the input and ``chain``'s tensors), the bytes a
    forward pass moves at least (each op reads its input and weights and writes its output once), and FLOPs per
    byte."""
    ops, kept, params, shape = chain(layers, input_shape)
    forward_flops = 2 * batch * sum(op.macs for op in ops)
    moved = 4 * (batch * sum(op.read + op.written for op in ops) + params)
    return {
        "params": params,
        "macs_per_example": sum(op.macs for op in ops),
        "flops": forward_flops if mode == "forward" else training_flops(ops, batch),
        "kept_bytes": 4 * batch * (math.prod(input_shape) + sum(kept)),
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

    def raw(self) -> dict[str, Any]:
        return {
            "samples_s": self.samples,
            "sample_calls": self.sample_calls,
            "calls_per_sample": self.calls,
            "peak_bytes": self.peak_bytes,
        }


@dataclass
class Group:
    id: str
    shape: str
    batch: int
    mode: str
    units: dict[str, Unit]
    pairs: tuple[tuple[str, str], ...] = RATIOS

    def needs_more(self) -> bool:
        if any(not stats.spread(u.samples).steady for u in self.units.values()):
            return True
        return any(not r.precise for _, _, r in self.ratios())

    def ratios(self) -> list[tuple[str, str, stats.Ratio]]:
        return [
            (a, b, stats.paired_ratio(self.units[a].samples, self.units[b].samples))
            for a, b in self.pairs
            if a in self.units and b in self.units
        ]


def build_model(layers: list[Layer], input_shape: tuple[int, ...]) -> Any:
    """The chain as a Keras model, ReLU after every layer (after the sum of an "Add" entry's branches)."""
    import keras

    inp = keras.Input(input_shape)
    x = inp
    for cls, config in layers:
        if cls == "Add":
            branches = [getattr(keras.layers, c)(**cfg)(x) for c, cfg in config["branches"]]
            x = keras.layers.Activation("relu")(keras.layers.Add()(branches))
        else:
            x = getattr(keras.layers, cls)(**config, activation="relu")(x)
    return keras.Model(inp, x)


def resnet50(stem: str) -> Any:
    """keras.applications.ResNet50(weights=None), with ResNet-C's stem when ``stem`` is "resnet_c"."""
    import keras

    model = keras.applications.ResNet50(weights=None, input_shape=NETWORKS["resnet50"][0])
    if stem == "resnet":
        return model

    def swap(layer: Any) -> Any:
        if layer.name == "conv1_pad":
            return keras.layers.Identity(name="conv1_pad")
        if layer.name == "conv1_conv":
            return keras.Sequential(
                [
                    keras.layers.Conv2D(32, 3, strides=2, padding="same", name="conv1a"),
                    keras.layers.BatchNormalization(epsilon=1.001e-5, name="conv1a_bn"),
                    keras.layers.Activation("relu", name="conv1a_relu"),
                    keras.layers.Conv2D(32, 3, padding="same", name="conv1b"),
                    keras.layers.BatchNormalization(epsilon=1.001e-5, name="conv1b_bn"),
                    keras.layers.Activation("relu", name="conv1b_relu"),
                    keras.layers.Conv2D(64, 3, padding="same", name="conv1c"),
                ],
                name="conv1_conv",
            )
        return layer.__class__.from_config(layer.get_config())

    return keras.models.clone_model(model, clone_function=swap)


def network_computed(model: Any, batch: int) -> dict[str, Any]:
    """calc's figures for a whole Keras model from its config: parameters, multiply-adds per example (and those of
    its stem, the layer named conv1_conv), forward FLOPs of the batch."""
    summary = calc.summarize(json.loads(model.to_json()))
    macs = int(summary.macs or 0)
    stem = sum(int(r.macs or 0) for r in summary.layers if r.name.startswith("conv1"))
    return {
        "params": summary.params,
        "macs_per_example": macs,
        "stem_macs_per_example": stem,
        "flops": 2 * macs * batch,
        "output_shape": list(model.outputs[0].shape[1:]),
    }


def build_call(model: Any, batch: int, mode: str, seed: int, engine: Engine) -> Callable[[], Any]:
    """A compiled forward pass or SGD training step of the model on random input, ready to call; each call returns
    when its work is done."""
    import keras
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, *model.inputs[0].shape[1:]), dtype=np.float32)
    y = np.zeros((batch, *model.outputs[0].shape[1:]), np.float32)
    if keras.backend.backend() == "jax":
        return jax_call(model, x, y, mode)
    return tf_call(model, x, y, mode, engine.jit_compile)


def tf_call(model: Any, x: Any, y: Any, mode: str, jit_compile: bool) -> Callable[[], Any]:
    import keras
    import tensorflow as tf

    data, target = tf.constant(x), tf.constant(y)
    if mode == "forward":
        return tf.function(lambda: model(data, training=False), jit_compile=jit_compile)  # type: ignore[no-any-return]
    optimizer = keras.optimizers.SGD(learning_rate=1e-3)

    @tf.function(jit_compile=jit_compile)  # type: ignore[untyped-decorator]
    def train_step() -> Any:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(data, training=True) - target))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    return train_step  # type: ignore[no-any-return]


def jax_call(model: Any, x: Any, y: Any, mode: str) -> Callable[[], Any]:
    """jax.jit of Keras's stateless call; a training step is plain SGD (learning rate 1e-3) on the weights it
    returns, fed to the next call. Each call waits for its result (JAX dispatches asynchronously)."""
    import jax
    import jax.numpy as jnp

    data, target = jnp.asarray(x), jnp.asarray(y)
    state = [[v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables]]
    if mode == "forward":
        forward = jax.jit(lambda tv, ntv, d: model.stateless_call(tv, ntv, d, training=False)[0])
        return lambda: forward(*state, data).block_until_ready()

    def loss(tv: Any, ntv: Any) -> Any:
        out, ntv = model.stateless_call(tv, ntv, data, training=True)
        return jnp.mean(jnp.square(out - target)), ntv

    @jax.jit
    def step(tv: Any, ntv: Any) -> Any:
        (value, ntv), grads = jax.value_and_grad(loss, has_aux=True)(tv, ntv)
        return [w - 1e-3 * g for w, g in zip(tv, grads, strict=True)], ntv, value

    def call() -> Any:
        state[0], state[1], value = step(*state)
        return value.block_until_ready()

    return call


def device_peak_bytes(call: Callable[[], Any]) -> int | None:
    """The peak of the first GPU's memory during one call, as TensorFlow reports it; None without a GPU or on another
    backend (TensorFlow tracks no memory on the CPU: get_memory_info('CPU:0') reads zero)."""
    import keras

    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    if not tf.config.list_logical_devices("GPU"):
        return None
    call()  # traced and allocated once, so that the peak is one call's
    tf.config.experimental.reset_memory_stats("GPU:0")
    call()
    return int(tf.config.experimental.get_memory_info("GPU:0")["peak"])


def peak_size(engine: Engine) -> int:
    """The side of the matrices whose product gives an engine's peak (PEAK_SIZE at most)."""
    return min(engine.peak_size, PEAK_SIZE)


def peak_call(engine: Engine) -> Callable[[], Any]:
    import keras
    import numpy as np

    rng = np.random.default_rng(1)
    n = peak_size(engine)
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    if keras.backend.backend() == "jax":
        import jax
        import jax.numpy as jnp

        ja, jb = jnp.asarray(a), jnp.asarray(b)
        matmul = jax.jit(jnp.matmul)
        return lambda: matmul(ja, jb).block_until_ready()
    import tensorflow as tf

    ta, tb = tf.constant(a), tf.constant(b)
    return tf.function(lambda: tf.matmul(ta, tb), jit_compile=engine.jit_compile)  # type: ignore[no-any-return]


def make_groups(engine: Engine, progress: Callable[[str], None]) -> list[Group]:
    """Every group's compiled calls, checked against calc (parameters and output shape) and calibrated."""
    groups = []
    specs = [
        (s, b, m)
        for s, shape in SHAPES.items()
        for b in shape.batches
        if engine.batches is None or b in engine.batches
        for m in MODES
    ]
    for n, (shape_id, batch, mode) in enumerate(specs, 1):
        shape = SHAPES[shape_id]
        units = {}
        for name, layers in shape.variants.items():
            model = build_model(layers, shape.input_shape)
            call = build_call(model, batch, mode, n, engine)
            want = computed(layers, shape.input_shape, batch, mode)
            got = (model.count_params(), list(model.outputs[0].shape[1:]))
            if got != (want["params"], want["output_shape"]):
                raise RuntimeError(f"{shape_id}/{name}: Keras {got}, calc {want['params'], want['output_shape']}")
            units[name] = Unit(name, call, peak_bytes=device_peak_bytes(call))
            units[name].calibrate()
        groups.append(Group(f"{shape_id}/b{batch}/{mode}", shape_id, batch, mode, units))
        progress(f"compiled {n}/{len(specs)} groups ({groups[-1].id})")
    return groups


def make_networks(engine: Engine, progress: Callable[[str], None]) -> tuple[list[Group], dict[str, Any]]:
    """The whole networks' forward passes, compiled and calibrated, and calc's figures for each (checked against
    Keras's parameter count)."""
    groups, figures = [], {}
    for net, (_, batches, variants) in NETWORKS.items() if engine.networks else ():
        models = {name: resnet50(name) for name in variants}
        for name, model in models.items():
            figures[f"{net}/{name}"] = network_computed(model, 1)
            if model.count_params() != figures[f"{net}/{name}"]["params"]:
                raise RuntimeError(f"{net}/{name}: Keras {model.count_params()} parameters, calc differs")
        for batch in (b for b in batches if engine.batches is None or b in engine.batches):
            units = {}
            for name, model in models.items():
                units[name] = Unit(name, build_call(model, batch, "forward", 0, engine))
                units[name].calibrate()
            groups.append(Group(f"{net}/b{batch}/forward", net, batch, "forward", units, NETWORK_RATIOS))
            progress(f"compiled {groups[-1].id}")
    return groups, figures


def overhead_units(engine: Engine) -> dict[str, Unit]:
    units = {}
    for mode in MODES:
        for name, layers in OVERHEAD.items():
            call = build_call(build_model(layers, (1, 1, 1)), 1, mode, 0, engine)
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


# --- one measuring process --------------------------------------------------------------------


def measure(args: argparse.Namespace) -> int:
    """The measuring process (--child ENGINE): time everything and write its samples to --out."""
    engine = ENGINES[args.child]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    if keras.backend.backend() != engine.backend:
        raise RuntimeError(f"Keras runs on {keras.backend.backend()}, not {engine.backend}: set KERAS_BACKEND")
    if engine.backend == "tensorflow":
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")  # the many compiled functions are intended, not accidental retracing
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[timing {args.child} {time.monotonic() - started:4.0f} s] {text}", file=sys.stderr, flush=True)

    load_start = list(os.getloadavg())
    groups = make_groups(engine, say)
    networks, network_figures = make_networks(engine, say)
    peak = Unit("peak", peak_call(engine))
    peak.calibrate()
    overhead = overhead_units(engine)
    rounds = run_rounds(groups + networks, [peak, *overhead.values()], args, say)
    raw = {
        "engine": args.child,
        "inputs": args.inputs,
        "date": machine.fingerprint()["date"],
        "loadavg_start": load_start,
        "loadavg_end": list(os.getloadavg()),
        "rounds": rounds,
        "seconds": round(time.monotonic() - started, 1),
        "peak": peak.raw(),
        "overhead": {name: u.raw() for name, u in overhead.items()},
        "groups": {g.id: {name: u.raw() for name, u in g.units.items()} for g in groups + networks},
        "networks": network_figures,
    }
    write_atomically(args.out, raw)
    return 0


# --- the record: an engine's runs pooled --------------------------------------------------------


def figure(samples: list[float]) -> dict[str, Any]:
    s = stats.spread(samples)
    return {"median_s": s.median, "q1_s": s.q1, "q3_s": s.q3, "samples_s": samples}


def pooled(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One unit's samples over every run (``parts``: its samples from each run), in run order (a group's variants
    stay paired round by round), and each run's samples apart."""
    return {
        "samples_s": [s for p in parts for s in p["samples_s"]],
        "sample_calls": [n for p in parts for n in p["sample_calls"]],
        "calls_per_sample": max(p["calls_per_sample"] for p in parts),
        "runs_samples_s": [p["samples_s"] for p in parts],
        "peak_bytes": parts[0]["peak_bytes"],
    }


def ratio_record(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """A ratio a/b: the median of the pooled per-round ratios, the bootstrap interval over the pooled rounds
    (``within_run``), each run's own median (``between_runs``), and the wider of the two intervals as low/high,
    from which precision and verdict are drawn (stats.combined)."""
    within = stats.paired_ratio(a["samples_s"], b["samples_s"])
    medians = [
        statistics.median(x / y for x, y in zip(ra, rb, strict=True))
        for ra, rb in zip(a["runs_samples_s"], b["runs_samples_s"], strict=True)
    ]
    r = stats.combined(within, medians)
    between = stats.between_runs(within.median, medians)
    return {
        "median": r.median,
        "low": r.low,
        "high": r.high,
        "half_width": r.half_width,
        "precise": r.precise,
        "verdict": stats.verdict(r),
        "within_run": {"low": within.low, "high": within.high, "half_width": within.half_width},
        "between_runs": {"medians": medians, "low": between.low, "high": between.high,
                         "half_width": between.half_width},
        "interval": "between_runs" if (r.low, r.high) != (within.low, within.high) else "within_run",
    }  # fmt: skip


def group_record(gid: str, runs: list[dict[str, Any]], peak_gflops: float) -> dict[str, Any]:
    shape_id, b, mode = gid.split("/")
    batch = int(b[1:])
    names = list(runs[0]["groups"][gid])
    units = {n: pooled([run["groups"][gid][n] for run in runs]) for n in names}
    variants = {}
    network = shape_id in NETWORKS
    for name, u in units.items():
        if network:
            comp = dict(runs[0]["networks"][f"{shape_id}/{name}"])
            comp["flops"] = comp["flops"] * batch
            layers: list[Any] = []
        else:
            layers = SHAPES[shape_id].variants[name]
            comp = computed(layers, SHAPES[shape_id].input_shape, batch, mode)
        fig = figure(u["samples_s"])
        gflops = comp["flops"] / fig["median_s"] / 1e9
        variants[name] = {
            "layers": [[cls, config] for cls, config in layers],
            "calls_per_sample": u["calls_per_sample"],
            "sample_calls": u["sample_calls"],
            **fig,
            "runs_samples_s": u["runs_samples_s"],
            "computed": comp,
            "measured_peak_bytes": u["peak_bytes"],
            "gflops": gflops,
            "fraction_of_peak": gflops / peak_gflops,
        }
    pairs = NETWORK_RATIOS if network else RATIOS
    ratios = [{"a": a, "b": b, **ratio_record(units[a], units[b])} for a, b in pairs if a in units and b in units]
    record: dict[str, Any] = {"id": gid, "shape": shape_id, "batch": batch, "mode": mode}
    if network:
        record["input_shape"] = list(NETWORKS[shape_id][0])
    else:
        shape = SHAPES[shape_id]
        record.update(input_shape=list(shape.input_shape), filters=shape.filters, padding=shape.padding,
                      strides=shape.strides)  # fmt: skip
    return {
        **record,
        "rounds": len(units[names[0]]["samples_s"]),
        "rounds_per_run": [len(s) for s in units[names[0]]["runs_samples_s"]],
        "variants": variants,
        "ratios": ratios,
    }


def overhead_record(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in MODES:
        one = pooled([run["overhead"][f"{mode}/one_layer"] for run in runs])["samples_s"]
        many = pooled([run["overhead"][f"{mode}/sixteen_layers"] for run in runs])["samples_s"]
        per_layer = [(b - a) / 15 for a, b in zip(one, many, strict=True)]
        out[mode] = {
            "call_s": stats.spread(one).median,
            "per_layer_s": stats.spread(per_layer).median,
            "one_layer": figure(one),
            "sixteen_layers": figure(many),
        }
    return out


def engine_record(
    name: str, runs: list[dict[str, Any]], fp: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """An engine's record from its runs (every run measured the same groups)."""
    engine = ENGINES[name]
    peak = figure(pooled([run["peak"] for run in runs])["samples_s"])
    size = peak_size(engine)
    peak_gflops = 2 * size**3 / peak["median_s"] / 1e9
    gids = list(runs[0]["groups"])
    return {
        "about": "Compute-bound timings of the k×k variants, interleaved and paired: scripts/examples/timing.py",
        "backend": engine.backend,
        "jit_compile": engine.jit_compile,
        "engine": name,
        "engine_title": engine.title,
        "method": method(args, engine),
        "inputs": runs[0]["inputs"],
        "machine": fp,
        "date": runs[0]["date"],
        "loadavg_start": runs[0]["loadavg_start"],
        "loadavg_end": runs[-1]["loadavg_end"],
        "rounds": max(sum(run["rounds"] for run in runs), 0),
        "seconds": round(sum(run["seconds"] for run in runs), 1),
        "runs": [{k: run[k] for k in ("date", "loadavg_start", "loadavg_end", "rounds", "seconds")} for run in runs],
        "peak": {**peak, "flops": 2 * size**3, "gflops": peak_gflops},
        "overhead": overhead_record(runs),
        "groups": [group_record(g, runs, peak_gflops) for g in gids if g.split("/")[0] not in NETWORKS],
        "networks": [group_record(g, runs, peak_gflops) for g in gids if g.split("/")[0] in NETWORKS],
    }


def inputs(fp: dict[str, Any], name: str = "tensorflow") -> dict[str, Any]:
    """What an engine's record depends on: this script, stats.py (kernel_lab_mkdocs), the versions it runs and the
    machine."""
    here = Path(__file__)
    digest = hashlib.sha256(here.read_bytes() + Path(stats.__file__).read_bytes()).hexdigest()
    want = {"script_sha256": digest, "tensorflow": fp["tensorflow"], "keras": fp["keras"], "machine": fp["key"]}
    if ENGINES[name].backend == "jax":
        want = {
            **want,
            "engine": name,
            "jax": machine.package_version("jax"),
            "jaxlib": machine.package_version("jaxlib"),
        }
    elif name != "tensorflow":
        want["engine"] = name
    return want


def method(args: argparse.Namespace, engine: Engine) -> dict[str, Any]:
    return {
        "min_sample_s": MIN_SAMPLE_S,
        "sample_s": SAMPLE_S,
        "runs": args.runs,
        "min_rounds": args.min_rounds * args.runs,
        "min_rounds_per_run": args.min_rounds,
        "max_rounds_per_run": args.max_rounds,
        "max_rounds": args.max_rounds * args.runs,
        "budget_s": args.budget,
        "iqr_limit": stats.IQR_LIMIT,
        "half_width_limit": stats.HALF_WIDTH_LIMIT,
        "confidence": stats.CONFIDENCE,
        "bootstrap_resamples": stats.RESAMPLES,
        "peak": f"{peak_size(engine)}×{peak_size(engine)} float32 matmul, sampled every round",
        "batches": list(engine.batches or BATCHES),
        "train_step": "SGD (learning rate 1e-3) on the mean squared error against zeros, compiled",
        "forward": "the model called with training=False, compiled; ReLU after every layer",
        "input": "random normal, float32",
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--force", action="store_true", help="measure even when nothing changed")
    ap.add_argument("--results-dir", type=Path, default=ROOT / "results")
    ap.add_argument("--work-dir", type=Path, default=WORK, help="where each process's samples wait for the record")
    ap.add_argument("--budget", type=float, default=BUDGET_S, help="seconds of rounds for the whole stage")
    ap.add_argument("--runs", type=int, default=RUNS, help="separate processes per engine (at least 2)")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, of: " + ", ".join(ENGINES))
    ap.add_argument("--min-rounds", type=int, default=MIN_ROUNDS, help="per process")
    ap.add_argument("--max-rounds", type=int, default=MAX_ROUNDS, help="per process")
    ap.add_argument("--no-networks", dest="networks", action="store_false", help="leave the whole networks out")
    ap.add_argument("--only", help="shapes to time, comma-separated (a partial record, for trying things)")
    ap.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child", choices=list(ENGINES), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--inputs", type=json.loads, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.runs < 2:
        ap.error("--runs: at least 2 (the spread between runs needs two)")
    return args


# For the stage's own tests (--tiny, handed on to every measuring process): small shapes, a small peak, no network.
TINY = {
    "tiny": Shape(
        (8, 8, 4), 4, "same", 1, (1, 8),
        {"single": [conv(4, 7, "same")], "stacked": [conv(4, 3, "same")] * 3,
         "replk": [parallel(conv(4, 7, "same"), conv(4, 3, "same"))]},
    )
}  # fmt: skip


def restrict(args: argparse.Namespace) -> None:
    global PEAK_SIZE
    if args.tiny:
        SHAPES.clear()
        SHAPES.update(TINY)
        NETWORKS.clear()
        PEAK_SIZE = 256
    if args.only:
        for gone in set(SHAPES) - set(args.only.split(",")):
            del SHAPES[gone]
    if not args.networks:
        NETWORKS.clear()


def child_argv(args: argparse.Namespace, name: str, out: Path, want: dict[str, Any], budget: float) -> list[str]:
    argv = [sys.executable, "-m", "scripts.examples.timing", "--child", name, "--out", str(out),
            "--inputs", json.dumps(want), "--budget", f"{budget:.0f}", "--runs", str(args.runs),
            "--min-rounds", str(args.min_rounds), "--max-rounds", str(args.max_rounds)]  # fmt: skip
    if args.only:
        argv += ["--only", args.only]
    if not args.networks:
        argv.append("--no-networks")
    if args.tiny:
        argv.append("--tiny")
    return argv


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    restrict(args)
    if args.child:
        return measure(args)
    fp = machine.fingerprint()
    started = time.monotonic()
    wants, pending = {}, []
    for name in args.engines.split(","):
        if name not in ENGINES:
            raise SystemExit(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")
        out = args.results_dir / fp["key"] / ENGINES[name].file
        wants[name] = inputs(fp, name)
        if args.only or args.tiny or not args.networks:  # a partial record, for trying things
            wants[name] = {**wants[name], "only": args.only, "tiny": args.tiny, "networks": args.networks}
        if not args.force and stored_inputs(out) == wants[name]:
            print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: up to date")
        else:
            pending.append(name)
    if not pending:
        return 0
    args.work_dir.mkdir(parents=True, exist_ok=True)

    def say(text: str) -> None:
        print(f"[timing {time.monotonic() - started:5.0f} s] {text}", file=sys.stderr, flush=True)

    def raw_path(name: str, i: int) -> Path:
        work: Path = args.work_dir
        return work / f"{fp['key']}-{name}-{i}.json"

    for name in pending:  # a forced run measures anew; otherwise runs kept from an interrupted stage are used
        for i in range(args.runs):
            if args.force or stored_inputs(raw_path(name, i)) != wants[name]:
                raw_path(name, i).unlink(missing_ok=True)

    def finish(name: str) -> None:
        """The engine's record, once all its runs are in; their samples are then deleted."""
        paths = [raw_path(name, j) for j in range(args.runs)]
        if not all(p.exists() for p in paths):
            return
        runs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
        out = args.results_dir / fp["key"] / ENGINES[name].file
        record = engine_record(name, runs, fp, args)
        write_atomically(out, record)
        groups = record["groups"] + record["networks"]
        misses = [g["id"] for g in groups if not all(r["precise"] for r in g["ratios"])]
        say(f"wrote {out} ({args.runs} runs); ratios not precise in: {', '.join(misses) or 'none'}")
        for p in paths:
            p.unlink()

    # engine by engine, TensorFlow's first: each engine's record is written as soon as its own processes are done
    todo = [(i, name) for name in pending for i in range(args.runs) if not raw_path(name, i).exists()]
    for n, (i, name) in enumerate(todo, 1):
        budget = max(0.0, args.budget - (time.monotonic() - started)) / (len(todo) - n + 1)
        say(f"process {n} of {len(todo)}: {ENGINES[name].title}, run {i + 1} of {args.runs} ({budget:.0f} s of rounds)")
        env = dict(os.environ, KERAS_BACKEND=ENGINES[name].backend, TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0")
        code = subprocess.run(
            child_argv(args, name, raw_path(name, i), wants[name], budget), cwd=ROOT, env=env
        ).returncode
        if code != 0 or not raw_path(name, i).exists():
            say(f"the measuring process for {name} ended with status {code}; records kept as they were")
            return 1
        finish(name)
    for name in pending:  # runs all kept from an interrupted stage
        finish(name)
    return 0


def stored_inputs(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["inputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


if __name__ == "__main__":
    raise SystemExit(main())
