"""Benchmark of the model analyzer (issue 3): figures printed and stored, never asserted.

- calc.summarize on InceptionResNetV2's config (782 layers): goal ≤ 50 ms in CPython;
- Keras's own model_from_json + count_params on the same config, measured in the same run: goal ≥ 100× slower;
- the time to refuse absurd input through the CLI (goal ≤ 2 s each).

Usage: .venv/bin/python -m scripts.bench.analyzer [--repeats N]
Prints the figures and writes benchmarks/analyzer.json,
which the authors' page docs/site-speed.md shows (scripts/bench/report.py).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from scripts.examples import machine

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "benchmarks"


def _stats(seconds: list[float]) -> dict[str, float]:
    q = statistics.quantiles(seconds, n=4) if len(seconds) > 1 else [seconds[0]] * 3
    return {
        "median_ms": statistics.median(seconds) * 1e3,
        "q1_ms": q[0] * 1e3,
        "q3_ms": q[2] * 1e3,
        "min_ms": min(seconds) * 1e3,
        "repeats": len(seconds),
    }


def _time(fn: Any, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _bad_inputs(tmp: Path) -> dict[str, Path]:
    layers = [{"class_name": "InputLayer", "config": {"batch_shape": [None, 32, 32, 3]}}]
    layers += [{"class_name": "ReLU", "config": {"name": f"r{i}"}} for i in range(1_000_000)]
    million = tmp / "million_layers.json"
    million.write_text(json.dumps({"class_name": "Sequential", "config": {"layers": layers}}, separators=(",", ":")))
    bomb = tmp / "bomb.keras"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", b" " * (60 * 2**20))
    bomb.write_bytes(buf.getvalue())
    deep = tmp / "deep.json"
    deep.write_text("[" * 1_000_000 + "]" * 1_000_000)
    huge = tmp / "huge_dims.json"
    seq = {
        "class_name": "Sequential",
        "config": {
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 10**12, 10**12, 3]}},
                {"class_name": "Conv2D", "config": {"name": "c", "filters": 8, "kernel_size": 3}},
            ]
        },
    }
    huge.write_text(json.dumps(seq))
    return {
        "1,000,000 layers (48 MB JSON)": million,
        "zip bomb (60 MB config.json)": bomb,
        "JSON nested 10^6 deep": deep,
        "dimensions of 10^12": huge,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=100)
    ap.add_argument("--keras-repeats", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    import calc

    config_text = keras.applications.InceptionResNetV2(weights=None).to_json()
    config = json.loads(config_text)
    n_layers = len(config["config"]["layers"])
    calc.summarize(config)  # warm-up
    # TensorFlow's and Keras's millions of long-lived objects would make every full garbage collection in
    # this process slow, for both sides; move them out of the collector's sight first.
    gc.collect()
    gc.freeze()
    ours_dict = _time(lambda: calc.summarize(config), args.repeats)
    ours_text = _time(lambda: calc.summarize(config_text), args.repeats)

    def keras_count() -> None:
        keras.models.model_from_json(config_text).count_params()

    keras_count()
    theirs = _time(keras_count, args.keras_repeats)
    ratio = statistics.median(theirs) / statistics.median(ours_text)
    print(
        f"InceptionResNetV2 ({n_layers} layers): "
        f"calc.summarize(dict) median {statistics.median(ours_dict) * 1e3:.1f} ms, "
        f"from JSON text {statistics.median(ours_text) * 1e3:.1f} ms; Keras model_from_json+count_params "
        f"{statistics.median(theirs) * 1e3:.0f} ms: {ratio:.0f}x"
    )

    refusals = refuse_bad_inputs()

    irv: dict[str, Any] = {
        "layers": n_layers,
        "calc_from_dict": _stats(ours_dict),
        "calc_from_json_text": _stats(ours_text),
        "keras_model_from_json_count_params": _stats(theirs),
        "speedup_median": ratio,
    }
    result = {"machine": machine.fingerprint(), "inception_resnet_v2": irv, "refusals_cli_wall": refusals}
    OUT.mkdir(exist_ok=True)
    (OUT / "analyzer.json").write_text(json.dumps(result, indent=1) + "\n")


def refuse_bad_inputs() -> dict[str, dict[str, Any]]:
    """Wall time of the CLI refusing each absurd input (three runs each), with its message."""
    refusals: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in _bad_inputs(Path(tmp)).items():
            runs = []
            message = ""
            for _ in range(3):
                t = time.perf_counter()
                cmd = [sys.executable, "-m", "calc", "summary", path.name]
                r = subprocess.run(cmd, capture_output=True, text=True, cwd=path.parent, timeout=60, check=False)
                runs.append(time.perf_counter() - t)
                message = r.stderr.strip()
                assert r.returncode == 2, (label, r.returncode, r.stderr[-500:])
            refusals[label] = {**_stats(runs), "message": message}
            print(f"refused {label}: median {statistics.median(runs):.2f} s  ({message})")
    return refusals


if __name__ == "__main__":
    main()
