"""One example, run in a process of its own: execute the script, capture what it prints and the warnings it raises,
record every model whose summary it printed (its Keras config, and each layer as Keras sees it), and write one
JSON record. Nothing is timed here (the timing stage, scripts/examples/timing.py, measures speed). TensorFlow is
imported here only when the example uses Keras, so the runner's own tests can use examples that need no
TensorFlow at all.

    python -m scripts.examples.child run EXAMPLE.py OUT.json

Progress goes to stderr as lines "@@progress {json}" for the parent's display.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import linecache
import os
import runpy
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
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


# --- what the example says besides its output ---------------------------------------------------


def warning_recorder(path: Path, into: list[dict[str, Any]]) -> Callable[..., None]:
    """A ``warnings.showwarning`` that records each warning: its category and message, where Python attributes it
    (``filename:lineno``, often inside Keras), the text Python would print, and the example's own line that led
    to it (the innermost frame of the example's file on the stack when the warning was raised)."""

    def show(message: Any, category: type[Warning], filename: str, lineno: int, *_: Any) -> None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != str(path):
            frame = frame.f_back  # type: ignore[assignment]
        line = None if frame is None else frame.f_lineno
        into.append(
            {
                "category": category.__name__,
                "message": clean_paths(str(message)),
                "filename": clean_paths(filename),
                "lineno": lineno,
                "text": clean_paths(warnings.formatwarning(message, category, filename, lineno)),
                "example_line": line,
                "example_code": None if line is None else linecache.getline(str(path), line).strip(),
            }
        )

    return show


@contextlib.contextmanager
def captured_stderr(into: list[str]) -> Iterator[None]:
    """Everything written to file descriptor 2 meanwhile (Python's sys.stderr and what native code logs), kept in
    ``into`` (paths cleaned) and passed on to the real stderr afterwards, so the runner's log still has it."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            data = tmp.read()
            sys.stderr.buffer.write(data)
            sys.stderr.flush()
            into.append(clean_paths(data.decode("utf-8", errors="replace")))


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


# --- the run ------------------------------------------------------------------------------------


def record_summaries(summaries: list[tuple[Any, str]]) -> None:
    """Make ``keras.Model.summary`` print as before and also keep (model, text) for each call."""
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


def run_script(path: Path) -> dict[str, Any]:
    """Run the script as ``__main__``: what it printed on stdout and stderr, its warnings, its error or None."""
    tee = Tee(sys.stdout)
    caught: list[dict[str, Any]] = []
    stderr: list[str] = []
    error = None
    try:
        with (
            captured_stderr(stderr),
            warnings.catch_warnings(record=True),  # Python's filters as they are; restored afterwards
            contextlib.redirect_stdout(tee),
        ):
            warnings.showwarning = warning_recorder(path, caught)
            runpy.run_path(str(path), run_name="__main__")
    except BaseException as exc:  # the example's failure is data
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != str(path):  # drop this harness's frames
            tb = tb.tb_next
        error = {
            "type": type(exc).__name__,
            "message": clean_paths(str(exc)),
            "traceback": clean_paths("".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))),
        }
    return {"error": error, "stdout": tee.copy.getvalue(), "stderr": "".join(stderr), "warnings": caught}


def run_example(path: Path) -> dict[str, Any]:
    uses_keras = "keras" in path.read_text(encoding="utf-8")
    summaries: list[tuple[Any, str]] = []
    if uses_keras:
        record_summaries(summaries)
    started = time.perf_counter()
    progress(stage="build")
    record = run_script(path)
    models = []
    if record["error"] is None:
        for model, text in summaries:
            models.append(
                {
                    "name": model.name,
                    "summary": text,
                    "keras_config": json.loads(model.to_json()),  # what calc.summarize reads (check.py)
                    "layers": describe_layers(model),
                }
            )
    record["models"] = models
    if uses_keras:
        import tensorflow as tf

        record["devices"] = [d.device_type + ":" + d.name for d in tf.config.list_physical_devices()]
    record["seconds"] = time.perf_counter() - started
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="job", required=True)
    run = sub.add_parser("run")
    run.add_argument("example", type=Path)
    run.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    write_json(args.out, run_example(args.example))
    return 0


if __name__ == "__main__":
    sys.exit(main())
