"""The effective receptive field of real Keras models, measured the way Luo et al. (NeurIPS 2016) measure it.

For each model: |d y / d x|, y the central output unit's channel 0 (pre-activation: the last layer is linear), x the
input image (3 channels, |gradient| summed over them), averaged over TRIALS random initialisations (each with a
batch of BATCH random normal inputs), then normalised to sum 1. Biases start at zero, as Keras starts them. 'valid'
padding on an input exactly the size of the theoretical receptive field, so the output is one unit and its whole
field lies inside the image. Beside each measured map: calc's exact field for equal weights
(calc.effective_receptive_field), the same layers' path counts.

(a) The article's question: one 7×7 Conv2D against three stacked 3×3, linear and with ReLU between layers, with
    Keras's default initialiser (glorot_uniform) and with he_normal. One layer has no ReLU between layers, so its
    linear and ReLU runs are the same network (measured anyway, as a control).
(b) One k×k Conv2D, (k - 1)/2 stacked 3×3, factorized (1×k then k×1) and SeparableConv2D k×k, for k = 5, 7, 9, 11,
    linear and with ReLU, glorot_uniform.

Usage: .venv/bin/python -m scripts.examples.effective_field [--force] [--trials N]
(python -m scripts.examples runs it too, after the examples.)
Writes results/effective_field.json atomically; skipped when the script and the TensorFlow version are unchanged
(unless --force). About 50 s on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import calc

ROOT = Path(__file__).resolve().parents[2]

OUT = ROOT / "results" / "effective_field.json"
TRIALS = 100
BATCH = 8
FILTERS = 16
IN_CHANNELS = 3
INITIALIZERS = ("glorot_uniform", "he_normal")
ACTIVATIONS = ("linear", "relu")
SWEEP_KERNELS = (5, 7, 9, 11)

Layer = tuple[str, dict[str, Any]]


def conv(kernel_size: int | tuple[int, int]) -> Layer:
    return ("Conv2D", {"filters": FILTERS, "kernel_size": kernel_size})


def architectures(k: int) -> dict[str, list[Layer]]:
    """The four ways to cover a k×k field compared in (b)."""
    return {
        "single": [conv(k)],
        "stacked": [conv(3)] * ((k - 1) // 2),
        "factorized": [conv((1, k)), conv((k, 1))],
        "separable": [("SeparableConv2D", {"filters": FILTERS, "kernel_size": k})],
    }


def runs() -> list[dict[str, Any]]:
    """Every measurement: an id, its group, the layers, activation and initialiser."""
    out = []
    for name, layers in (("7x7", [conv(7)]), ("3x3_stack", [conv(3)] * 3)):
        for initializer in INITIALIZERS:
            for activation in ACTIVATIONS:
                out.append(
                    {"id": f"article/{name}/{activation}/{initializer}", "group": "article", "architecture": name,
                     "k": 7, "activation": activation, "initializer": initializer, "layers": layers}
                )  # fmt: skip
    for k in SWEEP_KERNELS:
        for name, layers in architectures(k).items():
            for activation in ACTIVATIONS:
                out.append(
                    {"id": f"sweep/k{k}/{name}/{activation}", "group": "sweep", "architecture": name, "k": k,
                     "activation": activation, "initializer": "glorot_uniform", "layers": layers}
                )  # fmt: skip
    return out


def infos(layers: list[Layer], size: tuple[int, int]) -> list[calc.LayerInfo]:
    """calc's LayerInfo for each layer on a (size, IN_CHANNELS) input."""
    out: list[calc.LayerInfo] = []
    shape: tuple[int | None, ...] = (*size, IN_CHANNELS)
    for cls, config in layers:
        out.append(calc.layer_info(cls, config, shape))
        shape = out[-1].output_shape
    return out


def field_size(layers: list[Layer]) -> tuple[int, int]:
    """Theoretical receptive field of the chain (calc), the input size used: one output unit."""
    field = calc.receptive_field(infos(layers, (512, 512)))
    assert field is not None
    return field.size


def seeds(run_id: str, trials: int) -> list[int]:
    """One seed per trial, fixed by the run's id (adding runs changes no other run's seeds)."""
    return [zlib.crc32(f"{run_id}:{t}".encode()) for t in range(trials)]


def build(layers: list[Layer], size: tuple[int, int], activation: str) -> Any:
    """The chain as a Keras model; ReLU after every layer but the last (the output unit is a pre-activation)."""
    import keras

    inp = keras.Input((*size, IN_CHANNELS))
    x = inp
    for i, (cls, config) in enumerate(layers):
        last = i == len(layers) - 1
        x = getattr(keras.layers, cls)(**config, activation="linear" if last else activation)(x)
    return keras.Model(inp, x)


def initialise(model: Any, initializer: str, seed: int) -> None:
    """Every kernel drawn afresh from ``initializer`` (a Keras name, or "ones"), biases zero."""
    import keras
    import numpy as np

    for n, w in enumerate(model.weights):
        if "bias" in w.path:
            w.assign(np.zeros(w.shape, dtype="float32"))
        elif initializer == "ones":
            w.assign(np.ones(w.shape, dtype="float32"))
        else:
            kind = {"glorot_uniform": keras.initializers.GlorotUniform, "he_normal": keras.initializers.HeNormal}
            w.assign(kind[initializer](seed=seed * 16 + n)(w.shape))


def gradient_map(model: Any, x: Any) -> Any:
    """sum over the batch of |d y_b / d x_b|, y_b the central output unit's channel 0 of example b, summed over
    the input channels: an (H, W) array. Examples do not interact, so one gradient of the sum gives them all."""
    import tensorflow as tf

    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x)
        h, w = y.shape[1], y.shape[2]
        total = tf.reduce_sum(y[:, h // 2, w // 2, 0])
    g = tape.gradient(total, x)
    return tf.reduce_sum(tf.abs(g), axis=[0, 3]).numpy()


def measure(
    layers: list[Layer], activation: str, initializer: str, trial_seeds: list[int], batch: int = BATCH
) -> dict[str, Any]:
    """The normalised mean |gradient| map of the chain over the given trials, and its per-axis profile and std."""
    import numpy as np

    size = field_size(layers)
    model = build(layers, size, activation)
    total = np.zeros(size, dtype="float64")
    for seed in trial_seeds:
        initialise(model, initializer, seed)
        x = np.random.default_rng(seed).standard_normal((batch, *size, IN_CHANNELS)).astype("float32")
        total += gradient_map(model, x)
    m = total / total.sum()
    profiles = [m.sum(axis=1), m.sum(axis=0)]
    return {"size": list(size), "map": m, "profile": profiles, "std": [_std(p) for p in profiles]}


def _std(p: Any) -> float:
    i = range(len(p))
    mean = math.fsum(float(p[j]) * j for j in i)
    return math.sqrt(max(math.fsum(float(p[j]) * (j - mean) ** 2 for j in i), 0.0))


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def inputs() -> dict[str, str | None]:
    """What the results depend on: this script and TensorFlow (read without importing it)."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    tf_version = None
    for name in ("tensorflow", "tensorflow-cpu"):
        try:
            tf_version = importlib.metadata.version(name)
            break
        except importlib.metadata.PackageNotFoundError:
            continue
    return {"script_sha256": digest, "tensorflow": tf_version}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def write_atomically(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, ensure_ascii=False)
            f.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp's file is private; results are for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="measure even when the inputs are unchanged")
    ap.add_argument("--trials", type=int, default=TRIALS, help=f"random initialisations per model (default {TRIALS})")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write (default results/effective_field.json)")
    args = ap.parse_args(argv)
    want = {**inputs(), "trials": args.trials}
    if not args.force and args.out.exists():
        try:
            if json.loads(args.out.read_text())["inputs"] == want:
                print(f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: up to date")
                return 0
        except (ValueError, KeyError, TypeError):
            pass

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    started = time.perf_counter()
    todo = runs()
    results = []
    for n, run in enumerate(todo, 1):
        t = time.perf_counter()
        trial_seeds = seeds(run["id"], args.trials)
        got = measure(run["layers"], run["activation"], run["initializer"], trial_seeds)
        exact = calc.effective_receptive_field(infos(run["layers"], tuple(got["size"])))
        results.append(
            {
                **{k: v for k, v in run.items() if k != "layers"},
                "layers": [[cls, config] for cls, config in run["layers"]],
                "input_size": got["size"],
                "trials": args.trials,
                "batch": BATCH,
                "seeds": trial_seeds,
                "map": [[_round(v) for v in row] for row in got["map"].tolist()],
                "profile": [[_round(float(v)) for v in p] for p in got["profile"]],
                "std": [_round(s) for s in got["std"]],
                "computed": {"counts": [list(c) for c in exact.counts], "std": [_round(s) for s in exact.std]},
            }
        )
        print(
            f"[{n:2d}/{len(todo)}] {run['id']:36s} std measured {got['std'][0]:.3f}×{got['std'][1]:.3f} px, "
            f"equal weights {exact.std[0]:.3f}×{exact.std[1]:.3f} px  ({time.perf_counter() - t:.1f} s)",
            flush=True,
        )
    data = {
        "about": "Effective receptive fields measured as in Luo et al. (NeurIPS 2016); see "
        "scripts/examples/effective_field.py",
        "method": {
            "gradient": "|d y / d x|, y = channel 0 of the central output unit (pre-activation), summed over the "
            "input's channels, averaged over trials × batch, normalised to sum 1",
            "input": f"random normal, {IN_CHANNELS} channels, 'valid' padding, input size = receptive field size",
            "filters": FILTERS,
            "biases": "zero (Keras's default)",
            "relu": "after every layer but the last",
            "computed": "calc.effective_receptive_field: path counts with equal weights",
            "seeds": "zlib.crc32(f'{id}:{trial}'): kernels drawn with seed*16 + weight index, inputs with "
            "numpy.random.default_rng(seed)",
        },
        "inputs": want,
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__, "calc": "this repository"},
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "seconds": round(time.perf_counter() - started, 1),
        "runs": results,
    }
    write_atomically(args.out, data)
    print(f"wrote {args.out} ({data['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
