"""The stored results: results/<machine key>/<example>.json, one file per example and machine, and machine.json
with the latest fingerprint; which of them are current against the examples' sources (:class:`Data`).

Every write is atomic: the data go to a temporary file outside results/ (same file system) and os.replace puts
them in place, so a killed run leaves either the previous file or the new one, never half of one.
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


def example_names(examples_dir: Path) -> list[str]:
    return sorted(p.stem for p in examples_dir.glob("*.py") if not p.name.startswith("_"))


def load_results(results_dir: Path) -> dict[str, dict[str, Any]]:
    """{machine key: {"machine": fingerprint, "examples": {name: record}}} for every machine stored. Other files
    beside them (the timing stage's timing.json) are not examples' records and are left out."""
    out: dict[str, dict[str, Any]] = {}
    if not results_dir.is_dir():
        return out
    for machine_dir in sorted(p for p in results_dir.iterdir() if p.is_dir()):
        machine = load_json(machine_dir / "machine.json")
        examples = {
            p.stem: rec
            for p in sorted(machine_dir.glob("*.json"))
            if (rec := load_json(p)) is not None and rec.get("example") == p.stem
        }
        out[machine_dir.name] = {"machine": machine, "examples": examples}
    return out


def load_timings(results_dir: Path, name: str = "timing.json") -> dict[str, dict[str, Any]]:
    """{machine key: timing record} for every machine with a readable results/<key>/timing.json (written by the
    timing stage, scripts/examples/timing.py; ``name`` another engine's record, such as timing-jax.json)."""
    if not results_dir.is_dir():
        return {}
    found = {p.name: load_json(p / name) for p in sorted(results_dir.iterdir()) if p.is_dir()}
    return {k: v for k, v in found.items() if isinstance(v, dict) and v.get("groups")}


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
        for key, stored in load_results(root / "results").items():
            current = {n: r for n, r in stored["examples"].items() if hashes.get(n) == r.get("source_sha256")}
            if current:
                self.machines[key] = {"machine": stored["machine"] or {}, "examples": current}
        self.timings = load_timings(root / "results")
        # the other engines' timing records (Keras on JAX, TensorFlow with XLA): {file name: {machine key: record}}
        self.engine_timings = {n: load_timings(root / "results", n) for n in ("timing-xla.json", "timing-jax.json")}

    def record(self, machine: str, name: str) -> dict[str, Any] | None:
        record: dict[str, Any] | None = self.machines.get(machine, {}).get("examples", {}).get(name)
        return record

    def first(self, name: str) -> dict[str, Any] | None:
        """The example's record from the first machine that has it (calc's figures are the same on every one)."""
        for key in self.machines:
            if (rec := self.record(key, name)) is not None:
                return rec
        return None
