"""What the choice buys: test accuracy and the trained effective receptive field, measured on Fashion-MNIST.

One small network in which only the block under test changes: a stem (Conv2D 3×3, stride 2: 28×28 → 14×14), the
block at 14×14, max pooling, the block again at 7×7, global average pooling, a Dense classifier. Variants of the
block (``VARIANTS``): one Conv2D 7×7; three Conv2D 3×3 with ReLU between; the same three without ReLU between (the
same field, so it isolates what the two extra nonlinearities buy); one Conv2D 3×3 (a smaller field); three 3×3 with
the middle width raised until the block's parameters match the 7×7's ("equal parameters" beside "equal layers").
Every block ends in a linear convolution followed by a ReLU layer, so its pre-activation output can be measured.

One fixed recipe (``RECIPE``), chosen before any run and never tuned on the test split: Adam, batch 128, a few
epochs over the 60,000 training images, no augmentation. Each seed fixes the initial weights (every layer's
initialiser gets its own seed derived from it, so the stem and the classifier start identical across variants)
and the order of the training images; the seeds are shared across variants, so differences are paired by seed.

Per run it stores: seed, test accuracy after every epoch (learning curves), training loss per epoch, seconds per
epoch, and the effective receptive field of the first block's centre unit (Luo et al. 2016: mean |d y / d x| over
the block's input, y the centre unit of each output channel before the ReLU, averaged over channels and
``FIELD_IMAGES`` test images spread evenly over the test split), at initialisation and after training, as a
per-axis profile and std in pixels of the block's input (one such pixel is two image pixels).

Usage: .venv/bin/python -m scripts.examples.accuracy [--force] [--out PATH]
(python -m scripts.examples runs it too, after the timings.) Writes results/<machine>/accuracy.json atomically
after every run, so an interrupted run resumes where it stopped and loses nothing. Skipped while the experiment
(the functions that build, train and measure, and the constants they read) and the TensorFlow/Keras versions are
unchanged. About 70 min on 2 CPU cores when nothing else runs. Fetches the data on first use
(scripts/examples/fashion_mnist.py).
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import calc
from kernel_lab_mkdocs import store
from scripts.examples import fashion_mnist, machine
from scripts.examples.effective_field import _std  # the effective-field page's std of a profile

ROOT = Path(__file__).resolve().parents[2]

FILTERS = 16
SEEDS = (0, 1, 2, 3, 4)
LEARNING_RATE = 1e-3
BATCH_SIZE = 128
EPOCHS = 3
RECIPE: dict[str, Any] = {
    "optimizer": "Adam",
    "learning_rate": LEARNING_RATE,
    "batch_size": BATCH_SIZE,
    "epochs": EPOCHS,
    "loss": "sparse categorical cross-entropy (from logits)",
    "inputs": "pixel values divided by 255",
    "augmentation": "none",
}
FIELD_IMAGES = 256  # test images the effective field is averaged over (every k-th of the test split)
REFERENCE = "7x7"  # the variant every other one is compared with

Layer = tuple[str, dict[str, Any]]


def conv(kernel_size: int, activation: str = "linear", filters: int = FILTERS) -> Layer:
    return ("Conv2D", {"filters": filters, "kernel_size": kernel_size, "padding": "same", "activation": activation})


def wide_filters() -> int:
    """The middle width of the three-3×3 block whose parameters come closest to one 7×7's (computed by calc)."""
    target = block_params([conv(7)])
    return min(range(FILTERS, 4 * FILTERS), key=lambda w: abs(block_params(wide_block(w)) - target))


def wide_block(width: int) -> list[Layer]:
    return [conv(3, "relu", width), conv(3, "relu", width), conv(3)]


VARIANTS: dict[str, dict[str, Any]] = {
    "7x7": {"label": "one 7×7", "layers": [conv(7)]},
    "3x3_stack": {"label": "three 3×3, ReLU between", "layers": [conv(3, "relu"), conv(3, "relu"), conv(3)]},
    "3x3_stack_linear": {"label": "three 3×3, no ReLU between", "layers": [conv(3), conv(3), conv(3)]},
    "3x3": {"label": "one 3×3", "layers": [conv(3)]},
}


def variants() -> dict[str, dict[str, Any]]:
    """Every variant with its block's layers; the equal-parameter stack's width is computed, not typed."""
    width = wide_filters()
    wide = {"label": f"three 3×3, ReLU between, {width} filters inside", "layers": wide_block(width)}
    return {**VARIANTS, "3x3_stack_wide": wide}


def network(block: list[Layer]) -> list[Layer]:
    """The whole network, layer by layer, as (Keras class, config)."""
    return [
        ("Conv2D", {"filters": FILTERS, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "relu"}),
        *block,
        ("ReLU", {}),
        ("MaxPooling2D", {"pool_size": 2}),
        *block,
        ("ReLU", {}),
        ("GlobalAveragePooling2D", {}),
        ("Dense", {"units": 10}),
    ]


def block_params(block: list[Layer]) -> int:
    shape: tuple[int | None, ...] = (14, 14, FILTERS)
    total = 0
    for cls, config in block:
        info = calc.layer_info(cls, config, shape)
        total, shape = total + info.params, info.output_shape
    return total


def figures(layers: list[Layer]) -> dict[str, Any]:
    """calc's parameters and MACs of the whole network and of its first block, on a 28×28×1 input."""
    shape: tuple[int | None, ...] = (28, 28, 1)
    params = macs = 0
    for cls, config in layers:
        info = calc.layer_info(cls, config, shape)
        params, macs, shape = params + info.params, macs + (info.macs or 0), info.output_shape
    return {"params": params, "macs": macs}


def equal_weights_std(block: list[Layer]) -> float:
    """The block's effective-field std for equal weights and no nonlinearity (calc), in pixels of its input."""
    shape: tuple[int | None, ...] = (64, 64, FILTERS)
    infos = []
    for cls, config in block:
        infos.append(calc.layer_info(cls, config, shape))
        shape = infos[-1].output_shape
    return float(calc.effective_receptive_field(infos).std[0])


# --- the experiment: these functions and the constants above are what the stored runs depend on ---------------


def build_model(block: list[Layer], seed: int) -> tuple[Any, Any]:
    """(the whole model, the first block as its own model). Layer n's initialiser is seeded with seed·1000 + n, so
    the stem and the classifier start identical in every variant of one seed."""
    import keras

    def make(n: int, cls: str, config: dict[str, Any]) -> Any:
        extra = {}
        if cls in ("Conv2D", "Dense"):
            extra = {"kernel_initializer": keras.initializers.GlorotUniform(seed=seed * 1000 + n)}
        return getattr(keras.layers, cls)(**config, **extra)

    def block_model(offset: int, size: int, name: str) -> Any:
        inp = keras.Input((size, size, FILTERS))
        x = inp
        for i, (cls, config) in enumerate(block):
            x = make(offset + i, cls, config)(x)
        return keras.Model(inp, x, name=name)

    stem_cls, stem_config = network(block)[0]
    inp = keras.Input((28, 28, 1))
    x = make(0, stem_cls, stem_config)(inp)
    first = block_model(100, 14, "block_14x14")
    x = keras.layers.ReLU()(first(x))
    x = keras.layers.MaxPooling2D(pool_size=2)(x)
    x = keras.layers.ReLU()(block_model(200, 7, "block_7x7")(x))
    x = keras.layers.GlobalAveragePooling2D()(x)
    out = make(999, "Dense", {"units": 10})(x)
    model = keras.Model(inp, out)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=RECIPE["learning_rate"]),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model, first


def effective_field(model: Any, block: Any, images: Any) -> dict[str, Any]:
    """The block's centre unit's effective field: mean |d y_c / d x| over images and output channels c, x the
    block's input (the stem's output for these images), summed over input channels, normalised to sum 1; its
    per-axis profiles and std in pixels of the block's input."""
    import numpy as np
    import tensorflow as tf

    stem = model.layers[1]
    x = tf.convert_to_tensor(stem(images))
    total = np.zeros(x.shape[1:3], dtype="float64")
    for c in range(FILTERS):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = block(x)
            h, w = y.shape[1], y.shape[2]
            centre = tf.reduce_sum(y[:, h // 2, w // 2, c])
        g = tape.gradient(centre, x)
        total += tf.reduce_sum(tf.abs(g), axis=[0, 3]).numpy()
    m = total / total.sum() if total.sum() > 0 else total
    profiles = [m.sum(axis=1), m.sum(axis=0)]
    return {
        "profile": [[round(float(v), 6) for v in p] for p in profiles],
        "std": [round(_std(p), 4) for p in profiles],
    }


def train_one(block: list[Layer], seed: int, data: dict[str, Any], progress: Any) -> dict[str, Any]:
    """One variant trained with one seed: the run's record."""
    import keras
    import numpy as np

    keras.utils.set_random_seed(seed)
    model, first = build_model(block, seed)
    x_train, y_train, x_test, y_test = data["x_train"], data["y_train"], data["x_test"], data["y_test"]
    field_images = x_test[:: max(1, len(x_test) // FIELD_IMAGES)][:FIELD_IMAGES]  # every class
    at_init = effective_field(model, first, field_images)
    order = np.random.default_rng(seed)
    losses, accuracies, seconds = [], [], []
    for epoch in range(RECIPE["epochs"]):
        perm = order.permutation(len(x_train))
        t = time.perf_counter()
        history = model.fit(
            x_train[perm], y_train[perm], batch_size=RECIPE["batch_size"], epochs=1, shuffle=False, verbose=0
        )
        seconds.append(round(time.perf_counter() - t, 2))
        losses.append(round(float(history.history["loss"][-1]), 5))
        _, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
        accuracies.append(round(float(accuracy), 5))
        progress(epoch + 1, accuracies[-1])
    return {
        "seed": seed,
        "test_accuracy": accuracies[-1],
        "final_train_loss": losses[-1],
        "epochs": RECIPE["epochs"],
        "test_accuracy_per_epoch": accuracies,
        "train_loss_per_epoch": losses,
        "seconds_per_epoch": seconds,
        "keras_params": int(model.count_params()),
        "effective_field": {"init": at_init, "trained": effective_field(model, first, field_images)},
    }


# --- the stage --------------------------------------------------------------------------------------------------


def experiment_hash() -> str:
    """Hash of what the runs depend on: the experiment's functions' source and the constants they read."""
    parts = [inspect.getsource(f) for f in (conv, wide_block, network, build_model, effective_field, train_one)]
    parts.append(json.dumps([FILTERS, RECIPE, FIELD_IMAGES, fashion_mnist.ARRAYS_SHA256, fashion_mnist.SPLIT_SEED]))
    parts.append(json.dumps({k: v["layers"] for k, v in variants().items()}, sort_keys=True))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def inputs(fp: dict[str, Any]) -> dict[str, Any]:
    return {
        "experiment": experiment_hash(),
        "tensorflow": fp["tensorflow"],
        "keras": fp["keras"],
        "machine": fp["key"],
    }


def skeleton(fp: dict[str, Any], how_split: str, seeds: tuple[int, ...]) -> dict[str, Any]:
    """The record before any run: what was trained, how, on what, with calc's figures for every variant."""
    out: dict[str, Any] = {
        "inputs": inputs(fp),
        "machine": {k: fp[k] for k in ("key", "cpu", "cores", "os", "python", "tensorflow", "keras", "gpus")},
        "recipe": RECIPE,
        "seeds": list(seeds),
        "filters": FILTERS,
        "reference": REFERENCE,
        "field_images": FIELD_IMAGES,
        "data": {
            "name": "Fashion-MNIST",
            "source": f"npm {fashion_mnist.PACKAGE}",
            "integrity": fashion_mnist.INTEGRITY,
            "arrays_sha256": fashion_mnist.ARRAYS_SHA256,
            "classes": list(fashion_mnist.CLASSES),
            "split": how_split,
            "train": 70000 - 10 * fashion_mnist.TEST_PER_CLASS,
            "test": 10 * fashion_mnist.TEST_PER_CLASS,
        },
        "network": network([("BLOCK", {})]),
        "variants": {},
    }
    for name, v in variants().items():
        out["variants"][name] = {
            "label": v["label"],
            "block": v["layers"],
            **figures(network(v["layers"])),
            "block_params": block_params(v["layers"]),
            "equal_weights_std": round(equal_weights_std(v["layers"]), 4),
            "runs": [],
        }
    return out


def load_data(data_dir: Path, limit_train: int | None, limit_test: int | None) -> tuple[dict[str, Any], str]:
    """The training and test arrays (pixels / 255, a channel axis added) and how they were split."""
    images, labels = fashion_mnist.load(data_dir)
    parts = fashion_mnist.split(labels)
    train, test = parts["train"], parts["test"]
    if limit_train:  # every k-th image, so that a small subset still holds every class
        train = train[:: max(1, len(train) // limit_train)][:limit_train]
    if limit_test:
        test = test[:: max(1, len(test) // limit_test)][:limit_test]
    x = images.astype("float32")[..., None] / 255.0
    data = {"x_train": x[train], "y_train": labels[train], "x_test": x[test], "y_test": labels[test]}
    return data, parts["how"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--force", action="store_true", help="train again even when the stored runs are current")
    ap.add_argument("--out", type=Path, help="where to write (default results/<machine>/accuracy.json)")
    ap.add_argument("--results-dir", type=Path, default=ROOT / "results")
    ap.add_argument("--data-dir", type=Path, default=fashion_mnist.CACHE_DIR, help="where the data set is kept")
    ap.add_argument("--seeds", type=int, default=len(SEEDS), help="how many of the seeds to run (tests: 1)")
    ap.add_argument("--variants", nargs="*", help="only these variants (tests)")
    ap.add_argument("--limit-train", type=int, help="train on the first N training images only (tests)")
    ap.add_argument("--limit-test", type=int, help="test on the first N test images only (tests)")
    args = ap.parse_args(argv)
    fp = machine.fingerprint()
    out = args.out or args.results_dir / fp["key"] / "accuracy.json"
    work = ROOT / "build" / "examples"
    seeds = SEEDS[: args.seeds]
    stored = store.load_json(out)
    current = isinstance(stored, dict) and stored.get("inputs") == inputs(fp) and not args.force
    names = args.variants or list(variants())
    unknown = [n for n in names if n not in variants()]
    if unknown:
        print(f"unknown variant(s): {', '.join(unknown)}; known: {', '.join(variants())}", file=sys.stderr)
        return 2
    todo = [
        (seed, name)
        for seed in seeds
        for name in names
        if not (current and any(r["seed"] == seed for r in stored["variants"][name]["runs"]))
    ]
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    if not todo:
        print(f"{shown}: up to date")
        return 0
    try:
        data, how = load_data(args.data_dir, args.limit_train, args.limit_test)
    except fashion_mnist.DataError as e:
        print(f"accuracy stage: {e}\nNothing was written; {shown} is unchanged.", file=sys.stderr)
        return 1
    if not current and isinstance(stored, dict) and stored.get("variants"):
        changed = [k for k, v in inputs(fp).items() if (stored.get("inputs") or {}).get(k) != v]
        keep = work / f"accuracy.{fp['key']}.previous.json"
        store.atomic_write_json(keep, stored, work)  # nothing stored is lost: the old runs are kept aside
        why = "--force" if args.force else f"changed: {', '.join(changed)}"
        print(f"{shown}: stored runs are not current ({why}); training anew, the old record kept in {keep}")
    record = stored if current else skeleton(fp, how, seeds)
    record["limits"] = {"train": args.limit_train, "test": args.limit_test}
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    started = time.perf_counter()
    epochs = RECIPE["epochs"]
    for n, (seed, name) in enumerate(todo, 1):
        t = time.perf_counter()

        def progress(epoch: int, accuracy: float, n: int = n, name: str = name, seed: int = seed) -> None:
            done = (n - 1) * epochs + epoch
            per = (time.perf_counter() - started) / done
            left = per * (len(todo) * epochs - done)
            print(
                f"[{n}/{len(todo)}] {name} seed {seed}: epoch {epoch}/{epochs}, test accuracy {accuracy:.4f}"
                f"  (elapsed {(time.perf_counter() - started) / 60:.1f} min, about {left / 60:.0f} min left)",
                file=sys.stderr,
                flush=True,
            )

        run = train_one(variants()[name]["layers"], seed, data, progress)
        want = record["variants"][name]["params"]
        if run["keras_params"] != want:
            print(f"calc and Keras disagree on {name}'s parameters: {want} vs {run['keras_params']}", file=sys.stderr)
            return 1
        run["seconds"] = round(time.perf_counter() - t, 1)
        run["loadavg"] = [round(v, 2) for v in os.getloadavg()]
        runs = [r for r in record["variants"][name]["runs"] if r["seed"] != seed] + [run]
        record["variants"][name]["runs"] = sorted(runs, key=lambda r: r["seed"])
        store.atomic_write_json(out, record, work)
    print(f"{shown}: {len(todo)} run(s) in {(time.perf_counter() - started) / 60:.1f} min", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
