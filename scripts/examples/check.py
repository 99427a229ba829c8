# Stage 3 of the examples pipeline: hold what Keras reported for each layer of a
# model against calc. The shapes are propagated by calc itself from the model's
# input through the inbound links, so a wrong rule shows up at the first layer
# where calc and Keras part. Any mismatch of an output shape or a parameter count
# fails the run, naming the model and the layer.

from __future__ import annotations

from typing import Any

import calc


class CheckError(Exception):
    """calc and Keras disagree about a model."""


def _field_dict(field: calc.ReceptiveField | None) -> dict[str, Any] | None:
    if field is None:
        return None
    return {"size": list(field.size), "stride": list(field.stride), "padding": list(field.padding)}


def check_model(model: dict[str, Any]) -> dict[str, Any]:
    """calc's figures for every layer of one model reported by the child, checked against Keras's.

    Returns {"layers": [...], "totals": {...}, "receptive_field": ..., "mismatches": [...]}.
    """
    shapes: dict[str, Any] = {}
    fields: dict[str, calc.ReceptiveField | None] = {}
    rows, mismatches = [], []
    for layer in model["layers"]:
        name, cls = layer["name"], layer["class_name"]
        where = f"{model['name']}/{name} ({cls})"
        if cls == "InputLayer":
            shape = tuple(layer["config"]["batch_shape"][1:])
            info = calc.passthrough(shape, class_name="InputLayer")
            field: calc.ReceptiveField | None = calc.INPUT_FIELD
        else:
            inputs = [shapes[n] for n in layer["inbound"]]
            try:
                arg: Any = inputs if cls in ("Concatenate", "Add", "Subtract", "Multiply", "Average") else inputs[0]
                info = calc.layer_info(cls, layer["config"], arg)
            except calc.CalcError as exc:
                mismatches.append(f"{where}: calc refused the layer: {exc}")
                break
            incoming = [fields[n] for n in layer["inbound"]]
            merged = incoming[0] if len(incoming) == 1 else calc.merge_fields(incoming)[0]
            field = calc.step(merged, info.window)
        shapes[name], fields[name] = info.output_shape, field
        keras_shape = tuple(layer["output_shape"])
        if tuple(info.output_shape) != keras_shape:
            mismatches.append(f"{where}: output shape Keras {keras_shape}, calc {tuple(info.output_shape)}")
        if info.params != layer["params"]:
            mismatches.append(f"{where}: params Keras {layer['params']}, calc {info.params}")
        if info.trainable_params != layer["trainable_params"]:
            mismatches.append(
                f"{where}: trainable params Keras {layer['trainable_params']}, calc {info.trainable_params}"
            )
        rows.append(
            {
                "name": name,
                "class_name": cls,
                "output_shape": list(info.output_shape),
                "params": info.params,
                "macs": info.macs,
                "receptive_field": _field_dict(field),
            }
        )
    last = model["layers"][-1]["name"]
    macs = [r["macs"] for r in rows]
    total_macs = None if any(m is None for m in macs) else sum(macs)
    # A training step: forward, gradient of the weights (as many MACs again) and gradient of the
    # layer's input (as many again), except for layers fed by the model's input, which need none.
    input_names = {layer["name"] for layer in model["layers"] if layer["class_name"] == "InputLayer"}
    fed_by_input = {layer["name"] for layer in model["layers"] if set(layer["inbound"]) & input_names}
    train_macs = None
    if total_macs is not None:
        train_macs = sum((2 if r["name"] in fed_by_input else 3) * (r["macs"] or 0) for r in rows)
    return {
        "layers": rows,
        "totals": {
            "params": sum(r["params"] for r in rows),
            "macs": total_macs,
            "flops": None if total_macs is None else 2 * total_macs,
            "train_flops": None if train_macs is None else 2 * train_macs,
        },
        "output_shape": rows[-1]["output_shape"] if rows else None,
        "receptive_field": _field_dict(fields.get(last)),
        "mismatches": mismatches,
    }


def achieved(timings: dict[str, Any], totals: dict[str, Any], peak_gflops: float | None) -> None:
    """Add achieved GFLOP/s (from calc's FLOPs per example, see check_model) and the fraction of peak."""
    for key, t in timings.items():
        per_example = totals["train_flops"] if key.startswith("train") else totals["flops"]
        if per_example is None:
            t["flops"] = t["gflops"] = t["fraction_of_peak"] = None
            continue
        t["flops"] = per_example * t["batch"]
        t["gflops"] = t["flops"] / t["median_s"] / 1e9
        t["fraction_of_peak"] = None if not peak_gflops else t["gflops"] / peak_gflops
