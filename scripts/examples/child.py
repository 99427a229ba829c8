"""One example, run in a process of its own: execute the script, capture what it prints, record every model
whose summary it printed (its Keras config, and each layer as Keras sees it), time each model, and write one
JSON record. TensorFlow is imported here only when the example uses Keras, so the runner's own tests can use
examples that need no TensorFlow at all.

    python -m scripts.examples.child run EXAMPLE.py OUT.json [--repeats N --warmup N --batch N]
    python -m scripts.examples.child peak OUT.json

Progress goes to stderr as lines "@@progress {json}" for the parent's display.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import runpy
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def progress(**fields: Any) -> None:
    print("@@progress " + json.dumps(fields), file=sys.stderr, flush=True)


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def clean_paths(text: str) -> str:
    """Tracebacks name files relative to the repository and to site-packages, not this machine's paths."""
    for site in sorted({p for p in sys.path if p.endswith("site-packages")}, key=len, reverse=True):
        text = text.replace(site + os.sep, "site-packages/")
    return text.replace(str(ROOT) + os.sep, "")


class Tee(io.TextIOBase):
    """Writes to the real stream and keeps a copy."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.copy = stream, io.StringIO()

    def write(self, s: str) -> int:
        self.stream.write(s)
        self.copy.write(s)
        return len(s)

    def flush(self) -> None:
        self.stream.flush()


def quartiles(samples: list[float]) -> dict[str, float]:
    q1, median, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return {"median_s": median, "q1_s": q1, "q3_s": q3, "iqr_s": q3 - q1, "min_s": min(samples)}


def time_calls(fn: Any, warmup: int, repeats: int, label: dict[str, Any]) -> dict[str, Any]:
    """Median and interquartile range of ``repeats`` timed calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for i in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        if i % 5 == 4 or i == repeats - 1:
            progress(**label, repeat=i + 1, repeats=repeats)
    return {**quartiles(samples), "repeats": repeats, "warmup": warmup, "samples_s": samples}


# --- what Keras says about a model --------------------------------------------------------------


def describe_layers(model: Any) -> list[dict[str, Any]]:
    """Each layer as Keras reports it: class, config, inbound layers, output shape, parameters."""
    import keras

    layers = []
    sequential = isinstance(model, keras.Sequential)
    previous = "input"
    if sequential:
        layers.append(
            {
                "name": "input",
                "class_name": "InputLayer",
                "config": {"batch_shape": list(model.inputs[0].shape)},
                "inbound": [],
                "output_shape": list(model.inputs[0].shape)[1:],
                "params": 0,
                "trainable_params": 0,
            }
        )
    for layer in model.layers:
        if sequential:
            inbound = [previous]
        else:
            node = layer._inbound_nodes[0]
            inbound = [t._keras_history.operation.name for t in node.input_tensors]
        trainable = sum(int(v.numpy().size) for v in layer.trainable_weights)
        layers.append(
            {
                "name": layer.name,
                "class_name": type(layer).__name__,
                "config": json.loads(json.dumps(layer.get_config(), default=str)),
                "inbound": inbound,
                "output_shape": list(layer.output.shape)[1:],
                "params": int(layer.count_params()),
                "trainable_params": trainable,
            }
        )
        previous = layer.name
    return layers


def time_model(model: Any, batch: int, warmup: int, repeats: int, index: int, count: int) -> dict[str, Any]:
    """Forward pass at batch 1 and ``batch``, and one SGD training step at ``batch``."""
    import keras
    import tensorflow as tf

    in_shape = tuple(model.inputs[0].shape)[1:]
    out_shape = tuple(model.outputs[0].shape)[1:]
    forward = tf.function(lambda x: model(x, training=False))
    optimizer = keras.optimizers.SGD(learning_rate=1e-3)

    @tf.function  # type: ignore[untyped-decorator]
    def train_step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    gen = tf.random.Generator.from_seed(0)
    timings = {}
    for key, b, fn in (
        ("forward_b1", 1, forward),
        (f"forward_b{batch}", batch, forward),
        (f"train_b{batch}", batch, train_step),
    ):
        x = gen.normal((b, *in_shape))
        args = (x,) if fn is forward else (x, tf.zeros((b, *out_shape)))
        fn(*args)  # trace and compile, not timed
        label = {"model": model.name, "model_index": index, "models": count, "timing": key}
        timings[key] = {"batch": b, **time_calls(lambda fn=fn, args=args: fn(*args).numpy(), warmup, repeats, label)}
    return timings


# --- the two jobs ------------------------------------------------------------------------------


def run_example(path: Path, batch: int, warmup: int, repeats: int) -> dict[str, Any]:
    source = path.read_text(encoding="utf-8")
    summaries: list[tuple[Any, str]] = []
    uses_keras = "keras" in source
    if uses_keras:
        import keras

        original = keras.Model.summary

        def summary(self: Any, *args: Any, **kwargs: Any) -> None:
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                original(self, *args, **kwargs)
            text = buffer.getvalue()
            sys.stdout.write(text)
            summaries.append((self, text))

        keras.Model.summary = summary

    tee = Tee(sys.stdout)
    record: dict[str, Any] = {"error": None}
    started = time.perf_counter()
    progress(stage="build")
    try:
        with contextlib.redirect_stdout(tee):
            runpy.run_path(str(path), run_name="__main__")
    except BaseException as exc:  # the example's failure is data
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != str(path):  # drop this harness's frames
            tb = tb.tb_next
        record["error"] = {
            "type": type(exc).__name__,
            "message": clean_paths(str(exc)),
            "traceback": clean_paths("".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))),
        }
    record["stdout"] = tee.copy.getvalue()
    record["build_s"] = time.perf_counter() - started
    models = []
    if record["error"] is None:
        for i, (model, text) in enumerate(summaries):
            models.append(
                {
                    "name": model.name,
                    "summary": text,
                    "keras_config": json.loads(model.to_json()),  # what calc.summarize reads (check.py)
                    "layers": describe_layers(model),
                    "timings": time_model(model, batch, warmup, repeats, i, len(summaries)),
                }
            )
    record["models"] = models
    if uses_keras:
        import tensorflow as tf

        record["devices"] = [d.device_type + ":" + d.name for d in tf.config.list_physical_devices()]
    record["seconds"] = time.perf_counter() - started
    return record


def peak(size: int, repeats: int) -> dict[str, Any]:
    """Measured peak: a size×size float32 matmul, median of ``repeats`` after two untimed calls."""
    import tensorflow as tf

    gen = tf.random.Generator.from_seed(0)
    a, b = gen.normal((size, size)), gen.normal((size, size))
    matmul = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))
    matmul()
    result = time_calls(lambda: matmul().numpy(), 2, repeats, {"model": "peak matmul", "timing": f"{size}²"})
    flops = 2 * size**3
    return {"size": size, "flops": flops, "gflops": flops / result["median_s"] / 1e9, **result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="job", required=True)
    run = sub.add_parser("run")
    run.add_argument("example", type=Path)
    run.add_argument("out", type=Path)
    run.add_argument("--batch", type=int, default=4)
    run.add_argument("--warmup", type=int, default=2)
    run.add_argument("--repeats", type=int, default=30)
    pk = sub.add_parser("peak")
    pk.add_argument("out", type=Path)
    pk.add_argument("--size", type=int, default=2048)
    pk.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    if args.job == "peak":
        write_json(args.out, peak(args.size, args.repeats))
        return 0
    write_json(args.out, run_example(args.example, args.batch, args.warmup, args.repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
