"""The stored results: results/<machine key>/<example>.json, one file per example and machine, and machine.json
with the latest fingerprint; which of them are current against the examples' sources (:class:`Data`).

Every write is atomic: the data go to a temporary file outside results/ (same file system) and os.replace puts
them in place, so a killed run leaves either the previous file or the new one, never half of one.

Every record is checked on load against what the pages read from it (:data:`SHAPES`). A record that is not JSON
or has the wrong shape is a :class:`RecordError` naming its file: the examples' and timings' records are left out
and listed in ``Data.dropped`` (the examples hook warns about each, so ``mkdocs build --strict`` fails), the
shared effective-field record stops the build.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

# Bump when the way examples are run or recorded changes: every cached result is then stale.
# 2: each model's Keras config is recorded, and calc.summarize checks it.
# 3: no timings (the timing stage measures speed); the warnings raised and what went to stderr are recorded.
METHOD_VERSION = 3


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_key(source_sha256: str, tensorflow: str | None, keras: str | None, machine: str) -> str:
    """Hash of what decides a result: the example's source, the TF/Keras versions, the machine, the method."""
    text = json.dumps([METHOD_VERSION, source_sha256, tensorflow, keras, machine])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def atomic_write_json(path: Path, data: Any, work_dir: Path) -> None:
    work_dir.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=work_dir, prefix=path.stem + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class RecordError(ValueError):
    """A stored result that cannot be used: unreadable, not JSON, or not the shape the pages read. The message
    starts with the file's path."""


Shape = dict[str, Any]  # key -> type (or types), or a nested Shape for a dict, or [Shape] for a list of dicts
_MODEL: Shape = {"name": str, "layers": list, "calc": dict, "keras_config": dict}
_TIMING_GROUP: Shape = {"id": str, "variants": dict, "ratios": list}
_EFFECTIVE_RUN: Shape = {"id": str, "group": str, "k": int, "layers": list, "profile": list, "std": list, "map": list}
# What the pages read from each kind of record.
SHAPES: dict[str, Shape] = {
    "example": {"example": str, "source_sha256": str, "status": str, "machine": str, "models": [_MODEL]},
    "machine": {"key": str, "cpu": str, "cores": int},
    "timing": {"groups": [_TIMING_GROUP], "method": dict, "machine": dict, "date": str},
    "effective_field": {
        "runs": [_EFFECTIVE_RUN], "method": dict, "machine": dict, "versions": dict, "date": str,
    },
}  # fmt: skip


def _check(value: Any, shape: Shape, where: str) -> None:
    if not isinstance(value, dict):
        raise RecordError(f"{where}: expected an object, found {type(value).__name__}")
    for key, kind in shape.items():
        if key not in value:
            raise RecordError(f"{where}: no {key!r}")
        item = value[key]
        if isinstance(kind, list):
            if not isinstance(item, list):
                raise RecordError(f"{where}.{key}: expected a list, found {type(item).__name__}")
            for i, element in enumerate(item):
                _check(element, kind[0], f"{where}.{key}[{i}]")
        elif isinstance(kind, dict):
            _check(item, kind, f"{where}.{key}")
        elif not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            raise RecordError(f"{where}.{key}: expected {kind.__name__}, found {type(item).__name__}")


def read_record(path: Path, kind: str) -> dict[str, Any]:
    """The record at ``path``, checked against ``SHAPES[kind]``; RecordError (naming the file) when it is unusable.

    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "timing.json"
    >>> _ = bad.write_text('{"groups": [{"id": "a"}], "method": {}, "machine": {}, "date": "d"}')
    >>> read_record(bad, "timing")
    Traceback (most recent call last):
    ...
    kernel_lab_mkdocs.store.RecordError: .../timing.json: groups[0]: no 'variants'
    """
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise RecordError(f"{path}: cannot be read ({e.strerror or type(e).__name__})") from None
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise RecordError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}); truncated?") from None
    except ValueError as e:  # an integer longer than Python reads
        raise RecordError(f"{path}: not usable JSON ({e})") from None
    try:
        _check(record, SHAPES[kind], "")
    except RecordError as e:
        raise RecordError(f"{path}: {str(e).removeprefix(': ').removeprefix('.')}") from None
    checked: dict[str, Any] = record
    return checked


def load_effective_field(path: Path) -> dict[str, Any] | None:
    """The shared effective-field record (results/effective_field.json), checked; None when there is none yet."""
    return read_record(path, "effective_field") if path.exists() else None


def example_names(examples_dir: Path) -> list[str]:
    return sorted(p.stem for p in examples_dir.glob("*.py") if not p.name.startswith("_"))


STAGE_RECORDS = ("machine", "timing", "accuracy")  # results/<machine>/ files that are not examples' records


def load_results(results_dir: Path, dropped: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """{machine key: {"machine": fingerprint, "examples": {name: record}}} for every machine stored. The other
    stages' files beside them (``STAGE_RECORDS``: timing.json, accuracy.json ...) are not examples' records. A record
    that is unusable is left out, and what is wrong with it (its file named) is appended to ``dropped``."""
    out: dict[str, dict[str, Any]] = {}
    if not results_dir.is_dir():
        return out
    errors = dropped if dropped is not None else []
    for machine_dir in sorted(p for p in results_dir.iterdir() if p.is_dir()):
        machine = None
        if (machine_dir / "machine.json").exists():
            try:
                machine = read_record(machine_dir / "machine.json", "machine")
            except RecordError as e:
                errors.append(str(e))
        examples = {}
        for p in sorted(machine_dir.glob("*.json")):
            if p.stem.startswith(STAGE_RECORDS):
                continue
            try:
                rec = read_record(p, "example")
            except RecordError as e:
                errors.append(str(e))
                continue
            if rec["example"] != p.stem:
                errors.append(f"{p}: records example {rec['example']!r}, not {p.stem!r}")
                continue
            examples[p.stem] = rec
        out[machine_dir.name] = {"machine": machine, "examples": examples}
    return out


def load_timings(results_dir: Path, name: str = "timing.json", dropped: list[str] | None = None) -> dict[str, Any]:
    """{machine key: timing record} for every machine with a results/<key>/timing.json (written by the timing
    stage, scripts/examples/timing.py; ``name`` another engine's record, such as timing-jax.json). An unusable
    record is left out, and what is wrong with it (its file named) appended to ``dropped``."""
    if not results_dir.is_dir():
        return {}
    out = {}
    for machine_dir in sorted(p for p in results_dir.iterdir() if p.is_dir()):
        if not (machine_dir / name).exists():
            continue
        try:
            out[machine_dir.name] = read_record(machine_dir / name, "timing")
        except RecordError as e:
            (dropped if dropped is not None else []).append(str(e))
    return out


def stale_results(results_dir: Path, examples_dir: Path) -> list[str]:
    """Stored results that no longer match an example's source (or whose example is gone), as 'machine/example'."""
    current = {name: source_hash(examples_dir / f"{name}.py") for name in example_names(examples_dir)}
    stale = []
    for key, stored in load_results(results_dir).items():
        for name, record in stored["examples"].items():
            if current.get(name) != record.get("source_sha256"):
                stale.append(f"{key}/{name}")
    return stale


class Data:
    """Results of every machine, keeping only those current against the example sources, and every machine's
    timing record (``timings``), read once for all the pages of a build."""

    def __init__(self, root: Path) -> None:
        self.examples_dir = root / "examples"
        self.names = example_names(self.examples_dir)
        hashes = {n: source_hash(self.examples_dir / f"{n}.py") for n in self.names}
        self.machines: dict[str, dict[str, Any]] = {}
        self.dropped: list[str] = []  # what is wrong with each record left out, its file named
        for key, stored in load_results(root / "results", self.dropped).items():
            current = {n: r for n, r in stored["examples"].items() if hashes.get(n) == r.get("source_sha256")}
            if current:
                self.machines[key] = {"machine": stored["machine"] or {}, "examples": current}
        self.timings = load_timings(root / "results", dropped=self.dropped)
        # the other engines' timing records (Keras on JAX, TensorFlow with XLA): {file name: {machine key: record}}
        self.engine_timings = {
            n: load_timings(root / "results", n, self.dropped) for n in ("timing-xla.json", "timing-jax.json")
        }

    def record(self, machine: str, name: str) -> dict[str, Any] | None:
        record: dict[str, Any] | None = self.machines.get(machine, {}).get("examples", {}).get(name)
        return record

    def first(self, name: str) -> dict[str, Any] | None:
        """The example's record from the first machine that has it (calc's figures are the same on every one)."""
        for key in self.machines:
            if (rec := self.record(key, name)) is not None:
                return rec
        return None
