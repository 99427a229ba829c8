"""Bad input to the model analyzer: a named error with one line saying what and where; never a traceback or a hang."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

import calc
from calc._model import MAX_CONFIG_BYTES, MAX_LAYERS

ROOT = Path(__file__).resolve().parents[2]


def _conv(name: str, inbound: list[str], **config: Any) -> dict[str, Any]:
    node = [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": [i, 0, 0]}} for i in inbound]}]
    return {"class_name": "Conv2D", "name": name, "config": {"name": name, "filters": 4, "kernel_size": 3, **config},
            "inbound_nodes": node if inbound else []}  # fmt: skip


def _functional(*layers: dict[str, Any], output: str = "c2") -> dict[str, Any]:
    inp = {"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [None, 16, 16, 3]}, "inbound_nodes": []}
    return {"class_name": "Functional", "config": {"name": "m", "layers": [inp, *layers],
            "input_layers": [["in", 0, 0]], "output_layers": [[output, 0, 0]]}}  # fmt: skip


def _sequential(n: int, **first: Any) -> dict[str, Any]:
    inp = {"class_name": "InputLayer", "config": {"batch_shape": [None, 32, 32, 3], **first}}
    layers = [{"class_name": "ReLU", "config": {"name": f"r{i}"}} for i in range(n)]
    return {"class_name": "Sequential", "config": {"name": "s", "layers": [inp, *layers]}}


def _zip(member: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(member, data)
    return buf.getvalue()


GOOD = _functional(_conv("c1", ["in"]), _conv("c2", ["c1"]))


def test_good_model_for_reference() -> None:
    s = calc.summarize(GOOD)
    assert s.layers[-1].output_shape == (12, 12, 4)
    assert s.params == (3 * 3 * 3 * 4 + 4) + (3 * 3 * 4 * 4 + 4)


DANGLING = _functional(_conv("c1", ["in"]), _conv("c2", ["ghost"]))
TOO_BIG_KERNEL = _functional(_conv("c1", ["in"]), _conv("c2", ["c1"], kernel_size=20))
BAD_KERNEL = _functional(_conv("c1", ["in"]), _conv("c2", ["c1"], kernel_size="big"))
NO_INPUT = {"class_name": "Sequential", "config": {"layers": [{"class_name": "ReLU", "config": {"name": "r"}}]}}

BAD: dict[str, tuple[Any, str]] = {
    "malformed JSON": ('{"class_name": "Functional", "config": {', "malformed JSON at line 1"),
    "not UTF-8": (b'{"a": "\xff"}', "not UTF-8"),
    "JSON array": ("[1, 2, 3]", "not a JSON object"),
    "not a model": ('{"hello": "world"}', "not a Keras model"),
    "layers not a list": ({"class_name": "Functional", "config": {"layers": 3}}, "not a Keras model"),
    "dangling reference": (DANGLING, "layer 'c2' node 0: input refers to unknown layer 'ghost'"),
    "cycle": (_functional(_conv("c1", ["c2"]), _conv("c2", ["c1"])), "cyclic inbound references among layers c1, c2"),
    "duplicate names": (_functional(_conv("c2", ["in"]), _conv("c2", ["in"])), "two layers are named 'c2'"),
    "missing output": (_functional(_conv("c1", ["in"]), output="nope"), "'nope'"),
    "impossible layer": (TOO_BIG_KERNEL, "layer 'c2': Conv2D: kernel_size"),
    "bad kernel": (BAD_KERNEL, "layer 'c2': Conv2D: kernel_size"),
    "absurd dimension": (_sequential(1, batch_shape=[None, 10**12, 10**12, 3]), "not an integer in 1..2147483647"),
    "negative dimension": (_sequential(1, batch_shape=[None, -5, 32, 3]), "not an integer in 1..2147483647"),
    "no input shape": (NO_INPUT, "without an input shape"),
    "deep JSON": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "truncated .keras": (_zip("config.json", json.dumps(GOOD).encode())[:-30], ".keras archive"),
    "zip without config": (_zip("model.weights.h5", b"x"), "has no config.json"),
    "zip bomb": (_zip("config.json", b" " * (MAX_CONFIG_BYTES + 10)), "expands to"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD)
def test_bad_input_raises_model_error(case: str) -> None:
    source, expected = BAD[case]
    with pytest.raises(calc.ModelError) as info:
        calc.summarize(source)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_too_many_layers() -> None:
    with pytest.raises(calc.ModelError, match=f"more than {MAX_LAYERS} layers"):
        calc.summarize(_sequential(MAX_LAYERS + 1))


def test_bad_input_shape_override() -> None:
    with pytest.raises(calc.ModelError, match="input_shape"):
        calc.summarize(GOOD, input_shape="a,b")
    with pytest.raises(calc.ModelError, match="Conv2D: kernel_size"):
        calc.summarize(GOOD, input_shape=(4, 4, 3))  # the second 3×3 'valid' convolution has nothing left


def test_unknown_layer_is_reported_not_counted_as_zero() -> None:
    model = _functional(_conv("c1", ["in"]), _conv("c2", ["c1"]))
    model["config"]["layers"][1]["class_name"] = "FancyConv"
    s = calc.summarize(model)
    assert s.partial
    assert any("'c1' (FancyConv)" in w and "unsupported" in w for w in s.warnings)
    row = s.layers[1]
    assert (row.params, row.macs, row.supported) == (None, None, False)
    assert s.to_dict()["layers"][1]["params"] is None


def test_missing_file() -> None:
    with pytest.raises(calc.ModelError, match="cannot read"):
        calc.summarize(ROOT / "no-such-model.keras")
