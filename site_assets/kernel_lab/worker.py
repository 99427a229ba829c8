# The browser worker's entry point (site_assets/calc-worker.mjs calls ``handle``): a JSON request in, a JSON
# answer out, so that nothing but strings and a file's bytes cross between JavaScript and Python.

from __future__ import annotations

import json
from typing import Any

import calc
from kernel_lab.calculators import CALCULATORS, inputs, run
from kernel_lab.forms import InputError

__all__ = ["handle"]


def _file_bytes(data: Any) -> Any:
    """A dropped file's bytes: Pyodide passes a Uint8Array as a JsProxy, which has ``to_bytes``."""
    if hasattr(data, "to_bytes") and not isinstance(data, int):
        return data.to_bytes()
    return data


def handle(message: str, data: Any = None) -> str:
    """JSON {"name", "inputs"} in; {"ok": true, "html": ...} or {"ok": false, "field": ..., "message": ...} out.

    ``data``, when given, is the bytes of a dropped file, passed as the calculator's file input.

    >>> json.loads(handle('{"name": "layer", "inputs": {"filters": "x"}}'))["field"]
    'filters'
    """
    try:
        request = json.loads(message)
    except ValueError:
        request = None
    if not isinstance(request, dict) or not isinstance(request.get("inputs", {}), dict):
        return json.dumps({"ok": False, "field": "", "message": "malformed request: expected {name, inputs}"})
    try:
        name = request.get("name")
        if not isinstance(name, str):
            raise InputError("", f"no calculator named {name!r}")
        raw = dict(request.get("inputs", {}))
        if data is not None:
            spec = next((s for s in inputs(name) if s.kind == "file"), None) if name in CALCULATORS else None
            if spec is not None:
                raw[spec.name] = _file_bytes(data)
        return json.dumps({"ok": True, "html": str(run(name, raw))})
    except InputError as e:
        return json.dumps({"ok": False, "field": e.field, "message": str(e)})
    except calc.CalcError as e:
        return json.dumps({"ok": False, "field": "", "message": str(e)})
