"""Write the analyzer's keras.applications configs (docs/assets/models/applications/NAME.json.gz) with Keras.

Each model is built with weights=None at its default input size; its config is kept without what changes no
figure calc gives (initializers, regularizers, constraints, dtype policies, module paths, build configs), and
the build stops if calc's summary of the compact config differs from that of the full one or from Keras's own
parameter count. Run it again after a Keras upgrade:
    .venv/bin/python -m scripts.make_application_configs
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import calc
from kernel_lab.applications import APPLICATIONS, CONFIG_FOLDER

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

OUT = Path(__file__).resolve().parents[1] / "docs" / CONFIG_FOLDER
DROP = {"module", "registered_name", "build_config", "compile_config", "dtype", "optional", "sparse", "ragged"}
DROP_SUFFIXES = ("_initializer", "_regularizer", "_constraint")


def compact(value: Any) -> Any:
    """``value`` without the keys that change none of calc's figures."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if k not in DROP and not k.endswith(DROP_SUFFIXES)}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


def write(name: str) -> tuple[int, int]:
    import keras

    model = getattr(keras.applications, name)(weights=None)
    full = json.loads(model.to_json())
    small = compact(full)
    figures = calc.summarize(full).to_dict()
    if calc.summarize(small).to_dict() != figures:
        raise SystemExit(f"{name}: calc's summary changed when the config was compacted")
    if figures["totals"]["params"] != model.count_params() or figures["partial"]:
        raise SystemExit(f"{name}: calc counts {figures['totals']['params']}, Keras {model.count_params()}")
    data = gzip.compress(json.dumps(small, separators=(",", ":")).encode(), compresslevel=9, mtime=0)
    (OUT / f"{name}.json.gz").write_bytes(data)
    keras.backend.clear_session()
    return len(data), model.count_params()


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    total = 0
    for name in APPLICATIONS:
        size, params = write(name)
        total += size
        print(f"{name}: {size:,} bytes compressed, {params:,} parameters", flush=True)
    print(f"{len(APPLICATIONS)} models, {total:,} bytes in all -> {OUT}")
