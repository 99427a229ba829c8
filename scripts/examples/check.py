"""calc against what Keras reported for each layer of a model.

calc.summarize, the one model walker, reads the model's Keras config as the child recorded it
(``model.to_json()``); every layer's output shape and parameter counts must then equal those Keras
reported for it. Any mismatch, or a layer calc refuses, fails the run, naming the model and the layer.
"""

from __future__ import annotations

from typing import Any

import calc


def _field(field: calc.ReceptiveField | None) -> dict[str, Any] | None:
    if field is None:
        return None
    return {"size": list(field.size), "stride": list(field.stride), "padding": list(field.padding)}


def _compare(where: str, keras: dict[str, Any], row: calc.LayerRow) -> list[str]:
    """What Keras and calc disagree about in one layer."""
    out = []
    if row.output_shape is None or tuple(row.output_shape) != tuple(keras["output_shape"]):
        shape = None if row.output_shape is None else tuple(row.output_shape)
        out.append(f"{where}: output shape Keras {tuple(keras['output_shape'])}, calc {shape}")
    if row.params != keras["params"]:
        out.append(f"{where}: params Keras {keras['params']}, calc {row.params}")
    if row.trainable_params != keras["trainable_params"]:
        out.append(f"{where}: trainable params Keras {keras['trainable_params']}, calc {row.trainable_params}")
    return out


def _row(keras: dict[str, Any], row: calc.LayerRow | None) -> dict[str, Any]:
    """One layer as the pages show it: calc's figures; a Sequential model's input has no row in calc's summary
    (nor in Keras's), and is the image itself."""
    if row is None:
        shape = keras["config"]["batch_shape"][1:]
        return {
            "name": keras["name"],
            "class_name": "InputLayer",
            "output_shape": list(shape),
            "params": 0,
            "macs": 0,
            "receptive_field": _field(calc.INPUT_FIELD),
        }
    return {
        "name": row.name,
        "class_name": row.class_name,
        "output_shape": None if row.output_shape is None else list(row.output_shape),
        "params": row.params,
        "macs": row.macs,
        "receptive_field": _field(row.receptive_field),
    }


def check_model(model: dict[str, Any]) -> dict[str, Any]:
    """calc's figures for every layer of one model reported by the child, checked against Keras's.

    Returns {"layers": [...], "totals": {...}, "output_shape": ..., "receptive_field": ..., "mismatches": [...]},
    the layers in the order Keras reported them.
    """
    try:
        summary = calc.summarize(model["keras_config"])
    except calc.CalcError as exc:
        return {
            "layers": [],
            "totals": {},
            "output_shape": None,
            "receptive_field": None,
            "mismatches": [f"{model['name']}: calc refused the model: {exc}"],
        }
    by_name = {row.name: row for row in summary.layers}
    rows, mismatches = [], []
    for layer in model["layers"]:
        where = f"{model['name']}/{layer['name']} ({layer['class_name']})"
        row = by_name.get(layer["name"])
        if row is None and layer["class_name"] != "InputLayer":
            mismatches.append(f"{where}: not in calc's summary")
            continue
        if row is not None and not row.supported:
            mismatches.append(f"{where}: calc refused the layer: {'; '.join(summary.warnings)}")
        elif row is not None:
            mismatches += _compare(where, layer, row)
        rows.append(_row(layer, row))
    last = rows[-1] if rows else {}
    return {
        "layers": rows,
        "totals": totals(rows),
        "output_shape": last.get("output_shape"),
        "receptive_field": last.get("receptive_field"),
        "mismatches": mismatches,
    }


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Parameters, MACs and FLOPs (two per MAC) of the model; MACs unknown when any layer's are."""
    macs = [r["macs"] for r in rows]
    total_macs = None if any(m is None for m in macs) else sum(macs)
    return {
        "params": sum(r["params"] or 0 for r in rows),
        "macs": total_macs,
        "flops": None if total_macs is None else 2 * total_macs,
    }
