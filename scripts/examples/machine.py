"""Who is running: a fingerprint of the machine, read from /proc, the platform module and package metadata (never
by importing TensorFlow, so that a fully cached run of the examples stays fast), and a stable key for the machine's
results in results/. The examples and the benchmarks (scripts/bench/) record the same fingerprint.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown cpu"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def memory_gib() -> float | None:
    match = re.search(r"MemTotal:\s+(\d+) kB", _read("/proc/meminfo"))
    return round(int(match.group(1)) / 2**20, 1) if match else None


def os_name() -> str:
    match = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', _read("/etc/os-release"), re.M)
    return f"{match.group(1) if match else platform.system()} (kernel {platform.release()})"


def gpus() -> list[dict[str, str]]:
    """NVIDIA GPUs as nvidia-smi names them, with the driver version; empty without one."""
    if not shutil.which("nvidia-smi"):
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    rows = [line.split(",", 1) for line in out.strip().splitlines() if "," in line]
    return [{"name": name.strip(), "driver": driver.strip()} for name, driver in rows]


def package_version(*names: str) -> str | None:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def versions() -> dict[str, str | None]:
    return {
        "python": platform.python_version(),
        "tensorflow": package_version("tensorflow", "tensorflow-cpu"),
        "keras": package_version("keras"),
    }


def onednn_setting() -> str:
    value = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    # TensorFlow 2.9+ turns the oneDNN optimisations on by default on x86 Linux.
    return f"TF_ENABLE_ONEDNN_OPTS={value}" if value is not None else "default (on for x86 Linux builds)"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def machine_key(cpu: str, n_cores: int, accelerators: list[dict[str, str]]) -> str:
    """Stable key for the results of one machine: CPU model, usable cores, accelerator(s)."""
    cpu = re.sub(r"\((r|tm)\)|\b(processor|cpu|\d+-core)\b|@.*$", " ", cpu, flags=re.I)
    parts = [slug(cpu), f"{n_cores}c"] + [slug(g["name"]) for g in accelerators]
    return "-".join(p for p in parts if p)


def fingerprint() -> dict[str, Any]:
    cpu, n, accelerators = cpu_model(), cores(), gpus()
    return {
        "key": machine_key(cpu, n, accelerators),
        "cpu": cpu,
        "cores": n,
        "memory_gib": memory_gib(),
        "os": os_name(),
        "machine": platform.machine(),
        **versions(),
        "onednn": onednn_setting(),
        "gpus": accelerators,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
