# The browser worker's entry point (website/assets/python-worker.mjs calls ``handle``): a JSON request in, a JSON
# answer out, so that nothing but strings and a file's bytes cross between JavaScript and Python.

from __future__ import annotations

import json
from typing import Any

import calc
from kernel_lab.analyzer import DOWNLOADS, layers_file, whole_table
from kernel_lab.calculators import CALCULATORS, inputs, run
from kernel_lab.forms import InputError, coerce

__all__ = ["handle"]


def _file_bytes(data: Any) -> Any:
    """A dropped file's bytes: Pyodide passes a Uint8Array as a JsProxy, which has ``to_bytes``."""
    if hasattr(data, "to_bytes") and not isinstance(data, int):
        return data.to_bytes()
    return data


def handle(message: Any, data: Any = None) -> str:
    """JSON {"name", "inputs"} in; {"ok": true, "html": ...} or {"ok": false, "field": ..., "message": ...} out.

    In the worker ``message`` is that object itself, a JsProxy (converted here with ``to_py``): a pasted model's
    JSON is then never written into a request's JSON and parsed out of it again (728 kB for InceptionResNetV2).

    ``data``, when given, is the bytes of a dropped file, passed as the calculator's file input. The name
    "analyzer.csv" (or "analyzer.json") asks for the analyzer's whole table as a file: {"ok": true, "text": ...};
    "analyzer.table" for it as HTML, for the page to sort or show whole: {"ok": true, "html": ...}.

    >>> json.loads(handle('{"name": "layer", "inputs": {"filters": "x"}}'))["field"]
    'filters'
    """
    if hasattr(message, "to_py"):
        request = message.to_py()
    else:
        try:
            request = json.loads(message)
        except (TypeError, ValueError):
            request = None
    if not isinstance(request, dict) or not isinstance(request.get("inputs", {}), dict):
        return json.dumps({"ok": False, "field": "", "message": "malformed request: expected {name, inputs}"})
    try:
        name = request.get("name")
        if not isinstance(name, str):
            raise InputError("", f"no calculator named {name!r}")
        raw = dict(request.get("inputs", {}))
        calculator, dot, kind = name.partition(".")
        if dot and (calculator != "analyzer" or kind not in (*DOWNLOADS, "table")):
            raise InputError("", f"no download named {name!r}")
        if data is not None:
            spec = (
                next((s for s in inputs(calculator) if s.kind == "file"), None) if calculator in CALCULATORS else None
            )
            if spec is not None:
                raw[spec.name] = _file_bytes(data)
                if not raw[spec.name]:
                    raise InputError(spec.name, f"{spec.label}: the file is empty (0 bytes), so it holds no model")
        if dot:
            values = {spec.name: coerce(spec, raw[spec.name]) for spec in inputs(calculator) if spec.name in raw}
            if kind == "table":
                return json.dumps({"ok": True, "html": str(whole_table(values))})
            return json.dumps({"ok": True, "text": layers_file(kind, values)})
        return json.dumps({"ok": True, "html": str(run(name, raw))})
    except InputError as e:
        return json.dumps({"ok": False, "field": e.field, "message": str(e)})
    except calc.CalcError as e:
        return json.dumps({"ok": False, "field": "", "message": str(e)})
