# Text that would run a script if a page took it for HTML, and models that carry it in every place a model's
# text reaches an output: layer names, a class name calc does not know (echoed in a warning), a config value
# echoed in an error message. Shared by the pytest and the Chromium tests.

from __future__ import annotations

import json
from typing import Any

PAYLOAD = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"


def _layer(class_name: str, name: str, inbound: str | None, **config: Any) -> dict[str, Any]:
    node = {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": [inbound, 0, 0]}}]}
    return {
        "class_name": class_name,
        "name": name,
        "config": {"name": name, **config},
        "inbound_nodes": [node] if inbound else [],
    }


def hostile_model() -> dict[str, Any]:
    """A functional model named with the payload whose layers are named with it, one of them of an unknown class
    whose name is the payload too (the analyzer warns about it, naming it)."""
    inp = {"class_name": "InputLayer", "name": PAYLOAD + "in", "config": {"batch_shape": [None, 16, 16, 3]}}
    conv = _layer("Conv2D", PAYLOAD, PAYLOAD + "in", filters=4, kernel_size=3)
    odd = _layer(SCRIPT, SCRIPT + "odd", PAYLOAD)
    config = {"name": PAYLOAD, "layers": [inp, conv, odd], "input_layers": [[PAYLOAD + "in", 0, 0]],
              "output_layers": [[SCRIPT + "odd", 0, 0]]}  # fmt: skip
    return {"class_name": "Functional", "config": config}


def hostile_json() -> str:
    return json.dumps(hostile_model())


def bad_value_model() -> dict[str, Any]:
    """A model whose Conv2D has the payload as its padding: calc's error message quotes the value."""
    model = hostile_model()
    model["config"]["layers"][1]["config"]["padding"] = PAYLOAD
    return model
