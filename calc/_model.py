# The model analyzer: a Keras model config (model.to_json(), the config.json of
# a .keras archive, or the archive itself) to a per-layer table of shapes,
# parameters, MACs and receptive fields, without TensorFlow.
#
# The graph is walked node by node in topological order (Kahn's algorithm, no
# recursion over layers), so depth and size are bounded by explicit limits,
# not by Python's stack.

from __future__ import annotations

import array
import io
import itertools
import json
import os
import re
import stat
import sys
import zipfile
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from math import prod, sqrt
from typing import Any

from calc._effective import variance_step
from calc._errors import CalcError, UnsupportedError
from calc._receptive import INPUT_FIELD, ReceptiveField, merge_fields, step
from calc._registry import MULTI_INPUT, layer_info

__all__ = [
    "MAX_CALLS",
    "MAX_CONFIG_BYTES",
    "MAX_LAYERS",
    "LayerRow",
    "ModelError",
    "Summary",
    "load_config",
    "summarize",
]

MAX_CONFIG_BYTES = 50 * 1024 * 1024
MAX_LAYERS = 100_000
# Layer calls in all, nested models' layers once per call of the model: the work grows with calls, not layers.
MAX_CALLS = 100_000
MAX_NESTING = 32
# Pyodide's stack gives out between 4,000 and 8,000 levels; Keras configs use a few dozen.
MAX_JSON_DEPTH = 1000
# Largest size accepted on one axis of the model input: TensorFlow's kernels index with int32.
MAX_INPUT_DIM = 2**31 - 1
FLOPS_CONVENTION = "FLOPs = 2 × MACs (one multiply and one add per MAC; bias adds, activations and pooling not counted)"

_MODELS = ("Functional", "Sequential", "Model")

Shape = tuple[int | None, ...]
Ref = tuple[str, int, int]  # (layer name, node index, tensor index), as in keras_history
Shapes = list[Shape] | None  # input_shape overrides, one per model input
Rows = tuple[list["LayerRow"], list["Tensor"]]


class ModelError(CalcError):
    """The model config cannot be read or analysed; the message names the problem and where."""


@dataclass(slots=True)
class Tensor:
    shape: Shape | None  # without the batch axis; None when unknown
    field: ReceptiveField | None  # receptive field from the model input; None when undefined
    # Twelve times the variance of the effective field (equal weights), per axis, exact; None when undefined.
    var12: tuple[int, int] | None = None


@dataclass(slots=True)
class LayerRow:
    """One layer of the model (a layer called several times is one row, as in Keras's summary).

    ``effective_std`` is the standard deviation, in input pixels per axis (rows, cols), of the effective receptive
    field with equal weights (see :func:`calc.effective_receptive_field`): sqrt(sum_l (k_l^2 - 1)/12 * (d_l*j_l)^2)
    over the layers from the model input. None where the receptive field is undefined, and past a merge whose inputs
    differ in spread or are not aligned (the summary's warnings name it): a merge's profile is a mixture of its
    inputs' profiles, weighted by the branches' weights, which equal weights do not fix. Inputs with one centre and one
    variance keep that variance in any mixture, so such a merge keeps it.
    """

    name: str
    class_name: str
    inbound: list[str]
    output_shape: Shape | None
    params: int | None
    trainable_params: int | None
    macs: int | None
    activation_elements: int | None
    receptive_field: ReceptiveField | None
    supported: bool = True
    effective_std: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        rf = self.receptive_field
        std = self.effective_std
        return {
            "name": self.name,
            "class_name": self.class_name,
            "inbound": list(self.inbound),
            "output_shape": None if self.output_shape is None else [None, *self.output_shape],
            "params": self.params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": None
            if self.params is None or self.trainable_params is None
            else self.params - self.trainable_params,
            "macs": self.macs,
            "activation_elements": self.activation_elements,
            "receptive_field": None
            if rf is None
            else {"size": list(rf.size), "stride": list(rf.stride), "padding": list(rf.padding)},
            "supported": self.supported,
            "effective_std": None if std is None else list(std),
        }


@dataclass(slots=True)
class Summary:
    """Result of :func:`summarize`: rows in Keras's layer order, totals, and what could not be counted."""

    name: str
    class_name: str
    layers: list[LayerRow]
    warnings: list[str] = field(default_factory=list)
    partial: bool = False

    @property
    def params(self) -> int:
        return sum(r.params or 0 for r in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(r.trainable_params or 0 for r in self.layers)

    @property
    def macs(self) -> int | None:
        """Sum over every call of every layer; None when some layer's MACs depend on an unknown size."""
        total = 0
        for r in self.layers:
            if r.macs is None:
                if r.supported:
                    return None
            else:
                total += r.macs
        return total

    def totals(self) -> dict[str, Any]:
        macs = self.macs
        return {
            "params": self.params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.params - self.trainable_params,
            "macs": macs,
            "flops": None if macs is None else 2 * macs,
            "flops_convention": FLOPS_CONVENTION,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "class_name": self.class_name,
            "layers": [r.to_dict() for r in self.layers],
            "totals": self.totals(),
            "partial": self.partial,
            "warnings": list(self.warnings),
        }


# --- reading the config -------------------------------------------------------------------------


def _read_zip(data: bytes | str | os.PathLike[str], where: str) -> bytes:
    """config.json of a .keras archive, read in memory with its expanded size capped."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
            try:
                info = archive.getinfo("config.json")
            except KeyError:
                raise ModelError(f"{where}: .keras archive has no config.json") from None
            if info.file_size > MAX_CONFIG_BYTES:
                raise ModelError(f"{where}: config.json expands to {info.file_size} bytes (limit {MAX_CONFIG_BYTES})")
            with archive.open(info) as member:
                raw = member.read(MAX_CONFIG_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError) as e:
        if isinstance(e, CalcError):
            raise
        raise ModelError(f"{where}: not a readable .keras archive ({type(e).__name__}: {e})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ModelError(f"{where}: config.json expands past {MAX_CONFIG_BYTES} bytes")
    return raw


_KEEP = b'"[]{}'
_DROP = bytes(set(range(256)) - set(_KEEP))
_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def nested_deeper_than(text: bytes, limit: int) -> bool:
    """Whether arrays and objects in JSON text nest more than ``limit`` deep (brackets in strings do not count).

    Checked before parsing because in Pyodide the json module's C recursion overflows the
    JavaScript stack (a fatal error, not a RecursionError) at a few thousand levels.

    Examples:
        >>> text = b'{"a": [1, [2, "]]]\\\\"], "\\"["], "b": {}}'
        >>> nested_deeper_than(text, 2), nested_deeper_than(text, 3)
        (True, False)
    """
    # Drop escaped backslashes, then escaped quotes, then every byte but quotes and brackets.
    kept = text.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _DROP)
    brackets = kept.replace(b'""', b"")  # strings without brackets: every quote next to its partner
    if b'"' in brackets:  # some string holds a bracket: cut the strings out properly
        brackets = b"".join(kept.split(b'"')[::2])
    if brackets.count(b"[") + brackets.count(b"{") <= limit:
        return False
    # As signed bytes, an opening bracket is +1 and a closing one -1; the running sum is the depth.
    return max(itertools.accumulate(array.array("b", brackets.translate(_DEPTH_STEP))), default=0) > limit


def _parse_json(text: str | bytes, where: str) -> Any:
    if len(text) > MAX_CONFIG_BYTES:
        raise ModelError(f"{where}: {len(text)} bytes of JSON (limit {MAX_CONFIG_BYTES})")
    # CPython's json raises RecursionError near 1,000 levels by itself; Pyodide's would crash first.
    if sys.platform == "emscripten" and nested_deeper_than(
        text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text, MAX_JSON_DEPTH
    ):
        raise ModelError(f"{where}: JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ModelError(f"{where}: malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except UnicodeDecodeError:
        raise ModelError(f"{where}: not UTF-8 text") from None
    except RecursionError:
        raise ModelError(f"{where}: JSON nested too deeply") from None
    except ValueError:  # Python reads integers of at most sys.get_int_max_str_digits() digits (4,300)
        raise ModelError(
            f"{where}: a number in the JSON has more than {sys.get_int_max_str_digits()} digits; "
            "no Keras config holds one"
        ) from None


def load_config(source: str | bytes | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """The model config as a dict, from a dict, JSON text, bytes of JSON or of a .keras zip, or a file path."""
    if isinstance(source, Mapping):
        config: Any = source
        where = "config"
    elif isinstance(source, bytes):
        where = "input"
        config = _parse_json(_read_zip(source, where) if source[:2] == b"PK" else source, where)
    elif isinstance(source, str) and source.lstrip()[:1] in ("{", "["):
        config = _parse_json(source, "JSON")
    elif isinstance(source, (str, os.PathLike)):
        where = os.fspath(source)
        try:
            regular = stat.S_ISREG(os.stat(where).st_mode)
            if not regular:  # a device or a pipe (/dev/urandom, /dev/zero): read up to the limit, no more
                with open(where, "rb") as f:
                    raw = f.read(MAX_CONFIG_BYTES + 1)
                if len(raw) > MAX_CONFIG_BYTES:
                    raise ModelError(f"{where}: not a regular file, and more than {MAX_CONFIG_BYTES} bytes read")
                if raw[:2] == b"PK":
                    raw = _read_zip(raw, where)
            elif zipfile.is_zipfile(where):
                raw = _read_zip(where, where)
            elif (size := os.path.getsize(where)) > MAX_CONFIG_BYTES:
                raise ModelError(f"{where}: {size} bytes (limit {MAX_CONFIG_BYTES})")
            else:
                with open(where, "rb") as f:
                    raw = f.read(MAX_CONFIG_BYTES + 1)  # the file may have grown since
        except OSError as e:
            raise ModelError(f"{where}: cannot read ({e.strerror or type(e).__name__})") from None
        if raw[:2] == b"PK":
            raise ModelError(f"{where}: truncated or damaged .keras archive")
        config = _parse_json(raw, where)
    else:
        raise ModelError(f"source: expected a path, JSON text, bytes or a dict, got {type(source).__name__}")
    if not isinstance(config, dict):
        raise ModelError("config: top level is not a JSON object, so not a Keras model")
    return config


# --- walking the graph --------------------------------------------------------------------------


def _tensor_refs(value: Any) -> list[tuple[Ref, Any]]:
    """keras_history references (and their recorded shapes) inside a Keras 3 node's args, in order."""
    stack = [value]
    found = []
    while stack:
        v = stack.pop()
        if type(v) is dict:
            if v.get("class_name") == "__keras_tensor__":
                cfg = v.get("config")
                if type(cfg) is not dict:
                    raise ModelError(f"malformed tensor {str(v)[:80]}")
                found.append((_ref(cfg.get("keras_history")), cfg.get("shape")))
            else:
                stack.extend(reversed(list(v.values())))
        elif type(v) is list:
            stack.extend(reversed(v))
    return found


def _ref(hist: Any) -> Ref:
    if type(hist) in (list, tuple) and len(hist) >= 3:
        name, node, index = hist[0], hist[1], hist[2]
        if type(name) is str and type(node) is int and type(index) is int and node >= 0 and index >= 0:
            return (name, node, index)
    raise ModelError(f"malformed tensor reference {str(hist)[:80]}")


def _node_inputs(node: Any, name: str, k: int) -> list[tuple[Ref, Any]]:
    """Input references of one inbound node: Keras 3 ({"args": ...}) or Keras 2 ([[name, i, j, kwargs], ...])."""
    try:
        if type(node) is dict:
            return _tensor_refs(node.get("args", []))
        if type(node) is list:
            return [(_ref(item), None) for item in node]
    except ModelError as e:
        raise ModelError(f"layer '{name}' node {k}: {e}") from None
    raise ModelError(f"layer '{name}' node {k}: inbound node is neither an object nor a list")


def _shape_of(value: Any, where: str) -> Shape:
    """A batch shape [None, d1, ...] from the config, without its batch axis."""
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        raise ModelError(f"{where}: expected a batch shape like [null, 224, 224, 3], got {str(value)[:80]}")
    dims = tuple(value[1:])
    for d in dims:
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or not 0 < d <= MAX_INPUT_DIM):
            raise ModelError(f"{where}: size {str(d)[:40]} is not an integer in 1..{MAX_INPUT_DIM}")
    return dims


def _input_tensor(shape: Shape) -> Tensor:
    return Tensor(shape, INPUT_FIELD, (0, 0)) if len(shape) == 3 else Tensor(shape, None)


def _std(var12: tuple[int, int] | None) -> tuple[float, float] | None:
    return None if var12 is None else (sqrt(var12[0] / 12), sqrt(var12[1] / 12))


def _nodes(
    by_name: Mapping[str, Mapping[str, Any]], order: Sequence[str], ends: Sequence[Ref], where: str
) -> tuple[dict[tuple[str, int], list[Ref]], dict[Ref, Any]]:
    """A functional model's call graph: (layer, node index) -> input refs (InputLayers have one node and no
    inputs), and the shapes Keras recorded for those inputs; every ref checked to exist, ``ends`` (the model's
    inputs and outputs) included."""
    nodes: dict[tuple[str, int], list[Ref]] = {}
    recorded: dict[Ref, Any] = {}
    for name in order:
        entry = by_name[name]
        if entry.get("class_name") == "InputLayer":
            nodes[(name, 0)] = []
            continue
        inbound = entry.get("inbound_nodes", [])
        if not isinstance(inbound, list):
            raise ModelError(f"layer '{name}': inbound_nodes is not a list")
        for k, node in enumerate(inbound):
            pairs = _node_inputs(node, name, k)
            if not pairs:
                raise ModelError(f"layer '{name}' node {k}: has no input tensors")
            nodes[(name, k)] = [r for r, _ in pairs]
            for r, shape in pairs:
                recorded.setdefault(r, shape)
    for (name, k), refs in nodes.items():
        for r in refs:
            if r[0] not in by_name:
                raise ModelError(f"layer '{name}' node {k}: input refers to unknown layer '{r[0]}'")
            if (r[0], r[1]) not in nodes:
                raise ModelError(f"layer '{name}' node {k}: input refers to missing node {r[1]} of '{r[0]}'")
    for r in ends:
        if (r[0], r[1]) not in nodes:
            raise ModelError(f"{where}: model input/output refers to unknown layer or node '{r[0]}'[{r[1]}]")
    return nodes, recorded


class _Walker:
    def __init__(self) -> None:
        self.layer_count = 0
        self.call_count = 0
        self.warnings: list[str] = []
        self.partial = False

    def count(self, n: int) -> None:
        self.layer_count += n
        if self.layer_count > MAX_LAYERS:
            raise ModelError(f"model has more than {MAX_LAYERS} layers")

    def calls(self, n: int, where: str, busiest: tuple[str, int] | None = None) -> None:
        """Counts ``n`` more layer calls; ``busiest``: the layer called most often here, and how often."""
        self.call_count += n
        if self.call_count > MAX_CALLS:
            most = f" (layer '{busiest[0]}' is called {busiest[1]} times)" if busiest and busiest[1] > 1 else ""
            raise ModelError(f"{where}: more than {MAX_CALLS} layer calls in all{most}")

    # A model (Functional or Sequential) applied to input tensors: rows and output tensors.
    def model(
        self, config: Mapping[str, Any], inputs: Sequence[Tensor] | None, override: Shapes, depth: int, where: str
    ) -> Rows:
        if depth > MAX_NESTING:
            raise ModelError(f"{where}: models nested more than {MAX_NESTING} deep")
        cls = config.get("class_name")
        cfg = config.get("config")
        if not isinstance(cfg, dict) or not isinstance(cfg.get("layers"), list):
            raise ModelError(f"{where}: not a Keras model (no config.layers list)")
        if cls == "Sequential":
            return self.sequential(cfg, inputs, override, depth, where)
        return self.functional(cfg, inputs, override, depth, where)

    def sequential(
        self, cfg: Mapping[str, Any], inputs: Sequence[Tensor] | None, override: Shapes, depth: int, where: str
    ) -> Rows:
        entries = cfg["layers"]
        self.count(len(entries))
        self.calls(len(entries), where)
        rows: list[LayerRow] = []
        if inputs is not None:
            tensor = inputs[0]
        else:
            _check_override(override, 1, where)
            shape = None if override is None else override[0]
            if shape is None:
                first = entries[0] if entries else {}
                first_cfg = first.get("config", {}) if isinstance(first, dict) else {}
                for key, holder in (
                    ("batch_shape", first_cfg),
                    ("batch_input_shape", first_cfg),
                    ("build_input_shape", cfg),
                ):
                    if isinstance(holder, dict) and holder.get(key) is not None:
                        shape = _shape_of(holder[key], f"{where}: {key}")
                        break
                else:
                    raise ModelError(f"{where}: Sequential model without an input shape; pass input_shape")
            tensor = _input_tensor(shape)
        previous: list[str] = []
        auto: dict[str, int] = {}  # unnamed layers get Keras' own names
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise ModelError(f"{where}: layers[{i}] is not an object")
            if entry.get("class_name") == "InputLayer":
                continue
            name = _layer_name(entry, f"{where}: layers[{i}]", auto)
            row, outs = self.apply(entry, name, [tensor], depth)
            row.inbound = previous
            rows.append(row)
            previous = [name]
            tensor = outs[0]
        return rows, [tensor]

    def functional(
        self, cfg: Mapping[str, Any], inputs: Sequence[Tensor] | None, override: Shapes, depth: int, where: str
    ) -> Rows:
        entries = cfg["layers"]
        self.count(len(entries))
        by_name: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for i, entry in enumerate(entries):
            name = entry.get("name") if type(entry) is dict else None
            if type(name) is not str or not name:
                if not isinstance(entry, dict):
                    raise ModelError(f"{where}: layers[{i}] is not an object")
                name = _layer_name(entry, f"{where}: layers[{i}]")
            if name in by_name:
                raise ModelError(f"{where}: two layers are named '{name}'")
            by_name[name] = entry
            order.append(name)

        input_refs = _refs_list(cfg.get("input_layers"), f"{where}: input_layers")
        output_refs = _refs_list(cfg.get("output_layers"), f"{where}: output_layers")
        if inputs is not None and len(inputs) != len(input_refs):
            raise ModelError(f"{where}: model takes {len(input_refs)} inputs, called with {len(inputs)}")
        _check_override(override, len(input_refs), where)
        overrides = {} if override is None else dict(zip(input_refs, override, strict=True))

        # Counted before the graph is built: its inbound nodes are the calls.
        calls = Counter({n: len(e["inbound_nodes"]) if _non_empty_list(e.get("inbound_nodes")) else 1
                         for n, e in by_name.items()})  # fmt: skip
        if calls:
            self.calls(calls.total(), where, calls.most_common(1)[0])
        nodes, recorded = _nodes(by_name, order, (*input_refs, *output_refs), where)
        topo = _topological(nodes, where)

        tensors: dict[Ref, Tensor] = {}
        given = dict(zip(input_refs, inputs or (), strict=False))
        rows: dict[str, LayerRow] = {}
        for name, k in topo:
            entry = by_name[name]
            if entry.get("class_name") == "InputLayer":
                ref = (name, 0, 0)
                if ref in given:
                    tensors[ref] = given[ref]
                else:
                    shape = overrides[ref] if ref in overrides else _input_layer_shape(entry, name)
                    tensors[ref] = _input_tensor(shape)
                inp = tensors[ref]
                rows[name] = LayerRow(name, "InputLayer", [], inp.shape, 0, 0, 0, None, inp.field)
                rows[name].effective_std = _std(inp.var12)
                continue
            refs = nodes[(name, k)]
            ins = []
            for r in refs:
                t = tensors.get(r)
                if t is None:
                    raise ModelError(f"layer '{name}' node {k}: input '{r[0]}' has no output {r[2]}")
                if t.shape is None and override is None and recorded.get(r) is not None:
                    t = Tensor(_shape_of(recorded[r], f"layer '{name}' input shape"), None)
                ins.append(t)
            row, outs = self.apply(entry, name, ins, depth)
            for j, t in enumerate(outs):
                tensors[(name, k, j)] = t
            inbound = list(dict.fromkeys(r[0] for r in refs))
            if name in rows:  # a layer called again: its MACs add up, its weights do not
                first = rows[name]
                first.macs = None if first.macs is None or row.macs is None else first.macs + row.macs
                first.inbound += [i for i in inbound if i not in first.inbound]
            else:
                row.inbound = inbound
                rows[name] = row
        outputs = []
        for r in output_refs:
            if r not in tensors:
                raise ModelError(f"{where}: output '{r[0]}' has no output {r[2]}")
            outputs.append(tensors[r])
        return [rows[n] for n in order if n in rows], outputs

    def apply(
        self, entry: Mapping[str, Any], name: str, ins: list[Tensor], depth: int
    ) -> tuple[LayerRow, list[Tensor]]:
        cls = entry.get("class_name")
        cfg = entry.get("config")
        if not isinstance(cls, str) or not isinstance(cfg, dict):
            raise ModelError(f"layer '{name}': missing class_name or config")
        frozen = cfg.get("trainable") is False
        if cls in _MODELS or isinstance(cfg.get("layers"), list):
            rows, outs = self.model(entry, ins, None, depth + 1, f"layer '{name}'")
            params = sum(r.params or 0 for r in rows)
            trainable = 0 if frozen else sum(r.trainable_params or 0 for r in rows)
            macs: int | None = 0
            for r in rows:
                if r.macs is None and r.supported:
                    macs = None
                    break
                macs = (macs or 0) + (r.macs or 0)
            shape = outs[0].shape if outs else None
            out = outs[0]
            row = LayerRow(
                name, cls, [], shape, params, trainable, macs, _elements(shape), out.field, True, _std(out.var12)
            )
            return row, outs
        if any(t.shape is None for t in ins):
            self.partial = True
            self.warnings.append(f"layer '{name}' ({cls}): input shape unknown, so its figures are too")
            return LayerRow(name, cls, [], None, None, None, None, None, None, False), [Tensor(None, None)]
        shapes: Any = [t.shape for t in ins] if cls in MULTI_INPUT else ins[0].shape
        try:
            info = layer_info(cls, cfg, shapes)
        except CalcError as e:
            if isinstance(e, UnsupportedError):
                self.partial = True
                self.warnings.append(f"layer '{name}' ({cls}): unsupported by calc, not counted ({e})")
                return LayerRow(name, cls, [], None, None, None, None, None, None, False), [Tensor(None, None)]
            raise ModelError(f"layer '{name}': {e}") from None
        if cls in MULTI_INPUT:
            field_, aligned = merge_fields([t.field for t in ins])
            if not aligned:
                self.warnings.append(
                    f"merge '{name}' ({cls}): receptive fields of its inputs are not aligned "
                    "(their strides or centres differ); the largest is reported"
                )
            var = self.merged_variance(name, cls, ins, field_, aligned)
        else:
            field_, var = ins[0].field, ins[0].var12
        if field_ is not None and var is not None and info.window is not None:
            var = variance_step(var, info.window, field_.stride)  # the jump before this layer
        field_ = step(field_, info.window)
        if field_ is None or len(info.output_shape) != 3:
            field_, var = None, None
        trainable = 0 if frozen else info.trainable_params
        row = LayerRow(
            name, cls, [], info.output_shape, info.params, trainable, info.macs, info.activation_elements, field_
        )
        row.effective_std = _std(var)
        return row, [Tensor(info.output_shape, field_, var)]

    def merged_variance(
        self, name: str, cls: str, ins: list[Tensor], field_: ReceptiveField | None, aligned: bool
    ) -> tuple[int, int] | None:
        """The effective field's variance after a merge: kept when every input has the same one and their fields
        share a known centre (a mixture of profiles with one centre and one variance has that variance, whatever
        the branches' weights); otherwise None, with a warning where the inputs' variances were known."""
        spreads = {t.var12 for t in ins}
        if field_ is None or None in spreads:
            return None  # undefined upstream: said there, or the receptive field is undefined too
        known = aligned and None not in field_.start
        if known and len(spreads) == 1:
            return ins[0].var12
        if known:
            stds = sorted({"×".join(f"{x:.2f}" for x in _std(v) or ()) for v in spreads})
            why = f"its inputs' effective fields differ in spread (std {', '.join(stds)} px)"
        else:
            why = "its inputs' receptive fields are not aligned, or their centres are unknown"
        self.warnings.append(
            f"merge '{name}' ({cls}): effective-field std not given for it or the layers it feeds: {why}, "
            "and a merge's profile depends on its branches' weights"
        )
        return None


def _topological(nodes: dict[tuple[str, int], list[Ref]], where: str) -> list[tuple[str, int]]:
    """Nodes in an order where each comes after its inputs.

    Keras writes layers in such an order already, so that order is checked first and kept; otherwise
    Kahn's algorithm sorts the nodes, and what is left over lies on a cycle.
    """
    seen: set[tuple[str, int]] = set()
    for n, refs in nodes.items():
        for r in refs:
            if (r[0], r[1]) not in seen:
                break
        else:
            seen.add(n)
            continue
        break
    else:
        return list(nodes)
    users: dict[tuple[str, int], list[tuple[str, int]]] = {n: [] for n in nodes}
    waiting = {}
    for n, refs in nodes.items():
        deps = {(r[0], r[1]) for r in refs}
        waiting[n] = len(deps)
        for d in deps:
            users[d].append(n)
    ready = deque(n for n in nodes if waiting[n] == 0)
    topo: list[tuple[str, int]] = []
    while ready:
        n = ready.popleft()
        topo.append(n)
        for u in users[n]:
            waiting[u] -= 1
            if waiting[u] == 0:
                ready.append(u)
    if len(topo) != len(nodes):
        stuck = sorted({n[0] for n, w in waiting.items() if w > 0})
        raise ModelError(f"{where}: cyclic inbound references among layers {', '.join(stuck[:5])}")
    return topo


def _non_empty_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value)


def _elements(shape: Shape | None) -> int | None:
    return None if shape is None or None in shape else prod(shape)  # type: ignore[arg-type]


def _layer_name(entry: Mapping[str, Any], where: str, auto: dict[str, int] | None = None) -> str:
    """The layer's name. Without one, in a Sequential model (``auto``: the names given so far), the name Keras
    gives a new layer in a fresh session: its class in snake case, then _1, _2, ... (conv2d, conv2d_1, re_lu)."""
    name = entry.get("name")
    if name is None and isinstance(entry.get("config"), dict):
        name = entry["config"].get("name")
    if name is None and auto is not None and isinstance(entry.get("class_name"), str):
        prefix = _snake_case(entry["class_name"])
        count = auto.get(prefix, 0)
        auto[prefix] = count + 1
        return prefix if count == 0 else f"{prefix}_{count}"
    if not isinstance(name, str) or not name:
        raise ModelError(f"{where}: layer without a name")
    return name


def _snake_case(class_name: str) -> str:
    """Keras' keras.src.utils.naming.to_snake_case: 'Conv2D' -> 'conv2d', 'ReLU' -> 're_lu',
    'BatchNormalization' -> 'batch_normalization'."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _input_layer_shape(entry: Mapping[str, Any], name: str) -> Shape:
    cfg = entry.get("config", {})
    for key in ("batch_shape", "batch_input_shape"):
        if isinstance(cfg, dict) and cfg.get(key) is not None:
            return _shape_of(cfg[key], f"layer '{name}': {key}")
    raise ModelError(f"layer '{name}': InputLayer without batch_shape")


def _refs_list(value: Any, where: str) -> list[Ref]:
    """input_layers / output_layers: one [name, i, j] or a list of them."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ModelError(f"{where}: expected [name, node, tensor] references")
    try:
        return [_ref(v) for v in value]
    except ModelError as e:
        raise ModelError(f"{where}: {e}") from None


def parse_shape(text: str) -> tuple[int | None, ...]:
    """'224,224,3' (or 'None,None,3') to a shape tuple, for the CLI's --input-shape and the analyzer."""
    try:
        return tuple(None if p.strip().lower() in ("none", "?") else int(p) for p in text.split(","))
    except ValueError:
        shown = text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"
        raise ModelError(f"input_shape: expected comma-separated integers like 224,224,3, got {shown!r}") from None


def _check_override(override: Shapes, inputs: int, where: str) -> None:
    if override is not None and len(override) != inputs:
        given = f"{len(override)} shape{'s' if len(override) > 1 else ''}"
        raise ModelError(
            f"{where}: input_shape gives {given}, but the model has {inputs} input{'s' if inputs > 1 else ''} "
            "(separate one shape per input with ';', in the model's input order)"
        )


def _override(input_shape: Any) -> Shapes:
    """One shape per model input: '224,224,3', or '224,224,3; 10' for two inputs; or a tuple, or a list of them."""
    if input_shape is None:
        return None
    if isinstance(input_shape, str):
        shapes: list[Any] = [parse_shape(part) for part in input_shape.split(";")]
    elif (
        isinstance(input_shape, (list, tuple))
        and input_shape
        and all(isinstance(s, (list, tuple)) for s in input_shape)
    ):
        shapes = list(input_shape)
    else:
        shapes = [input_shape]
    for s in shapes:
        if not isinstance(s, (list, tuple)):
            raise ModelError(f"input_shape: expected a tuple of sizes, got {type(s).__name__}")
    return [_shape_of([None, *s], "input_shape") for s in shapes]


def summarize(
    source: str | bytes | os.PathLike[str] | Mapping[str, Any],
    input_shape: Sequence[int | None] | Sequence[Sequence[int | None]] | str | None = None,
) -> Summary:
    """Per-layer shapes, parameters, MACs and receptive fields of a Keras model, without TensorFlow.

    Parameters:
        source: a path to a ``.keras`` file or a JSON file, JSON text, bytes of either, or a parsed dict
            (``json.loads(model.to_json())``).
        input_shape: replaces the model input's shape (without the batch axis), e.g. ``(224, 224, 3)``,
            for models built with ``None`` dimensions; for a model with several inputs, one shape per input in
            the model's input order: a list of tuples, or a string such as ``"224,224,3; 10"``.

    Returns:
        A :class:`Summary`; ``.to_dict()`` gives the JSON form.

    Raises:
        ModelError: the source is not a readable Keras model, or a layer's config is impossible.

    Examples:
        >>> cfg = {"class_name": "Sequential", "config": {"layers": [
        ...     {"class_name": "InputLayer", "config": {"batch_shape": [None, 256, 256, 3]}},
        ...     {"class_name": "Conv2D", "config": {"name": "c7", "filters": 64, "kernel_size": [7, 7]}}]}}
        >>> s = summarize(cfg)
        >>> s.layers[0].output_shape, s.params, s.layers[0].receptive_field.size
        ((250, 250, 64), 9472, (7, 7))
    """
    config = load_config(source)
    override = _override(input_shape)
    walker = _Walker()
    try:
        rows, _ = walker.model(config, None, override, 0, "model")
    except RecursionError:
        raise ModelError("model: nested too deeply") from None
    name = config.get("config", {}).get("name")
    return Summary(
        name if isinstance(name, str) else "model",
        str(config.get("class_name")),
        rows,
        walker.warnings,
        walker.partial,
    )
