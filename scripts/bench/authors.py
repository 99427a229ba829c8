"""The authors' loop: how long `mkdocs serve` takes to rebuild after an edit of docs/ and after an edit of calc/,
as mkdocs reports it ("Documentation built in N seconds"), several edits each; writes benchmarks/authors.json.

It works on a copy of the project's tracked files in a temporary folder (node_modules linked, the runtime cache
build/site-runtime/ copied), so that its edits never touch the working tree: mkdocs serve on a free localhost
port, one build to start, then each edit appends a line (a paragraph to docs/index.md; a comment to calc/text.py,
which changes python.zip but not the modules it imports), waits for the rebuild's report and for mkdocs's
"Reloading browsers", notes the CPU time the server and its Node children used (from /proc, so Linux only), and
stops the server at the end. An edit of calc leaves compiling the site's Python for the browser until after the
rebuild (the page ships it as source meanwhile): the benchmark then also waits for that and notes how long it took
after the rebuild and its CPU time, apart from the rebuild's.

    python -m scripts.bench.authors [--edits 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from typing import Any

from scripts.examples import machine

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "benchmarks"
GOALS_S = {"docs": 1.0, "calc": 3.0}  # issue 23: what an author should wait after saving
EDITS = {  # what each kind of edit appends, and to which file
    "docs": ("docs/index.md", "\n\nAn authors' loop edit, number {n}.\n"),
    "calc": ("calc/text.py", "\n# An authors' loop edit, number {n}.\n"),
}
BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")
RUNTIME_LINE = "calculators: compiling the site's Python"
DEFERRED_LINE = "calculators: the site's Python ships as source"  # compiled after the build (mkdocs serve)
COMPILED_LINE = "kernel-lab: the site's Python compiled after the build"

__all__ = ["measure"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _copy_project(dest: Path) -> None:
    """The working tree's files (tracked, and new ones git does not ignore), node_modules linked, the runtime cache
    copied."""
    cmd = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listed = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    if (ROOT / "build" / "site-runtime").is_dir():
        shutil.copytree(ROOT / "build" / "site-runtime", dest / "build" / "site-runtime")


class Server:
    """`mkdocs serve` in ``project``, its log read line by line on a thread."""

    def __init__(self, project: Path) -> None:
        env = {
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "PYTHONPATH": os.pathsep.join([str(project), str(project / "website")]),  # before the .pth's paths
        }
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/"
        cmd = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
        self.proc = subprocess.Popen(
            cmd, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: Queue[str] = Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip())

    def wait_build(self, timeout: float) -> tuple[float, list[str]]:
        """The next "Documentation built in N seconds" (N) and mkdocs's lines up to its "Reloading browsers"."""
        seen: list[str] = []
        built = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError("mkdocs serve stopped:\n" + "\n".join(seen)) from None
                continue
            seen.append(line)
            m = BUILT.search(line)
            if m:
                built = float(m[1])
            if "Serving on" in line and built is not None:
                return built, seen  # the first build
            if "Reloading browsers" in line and built is not None:
                return built, seen
        raise TimeoutError("no rebuild reported:\n" + "\n".join(seen))

    def wait_line(self, text: str, seen: list[str], timeout: float) -> None:
        """Until mkdocs logs a line with ``text`` (or has logged it among ``seen``)."""
        deadline = time.monotonic() + timeout
        while not any(text in s for s in seen):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {text!r} logged:\n" + "\n".join(seen))
            try:
                seen.append(self.lines.get(timeout=1))
            except Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError("mkdocs serve stopped:\n" + "\n".join(seen)) from None

    def cpu_seconds(self) -> float:
        """CPU time of the server and of the children it has waited for (Node's runtime builds), in seconds."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=10)  # until the log's end
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _summary(samples: list[float]) -> dict[str, Any]:
    return {"median_s": statistics.median(samples), "min_s": min(samples), "max_s": max(samples), "runs": samples}


def measure(edits: int, timeout: float = 900) -> dict[str, Any]:
    """Each kind of edit ``edits`` times, interleaved; the first build's time too."""
    with tempfile.TemporaryDirectory(prefix="kernel-lab-authors-") as tmp:
        project = Path(tmp)
        _copy_project(project)
        server = Server(project)
        try:
            first, _ = server.wait_build(timeout)
            samples: dict[str, list[float]] = {kind: [] for kind in EDITS}
            cpu: dict[str, list[float]] = {kind: [] for kind in EDITS}
            runtime_rebuilt: dict[str, int] = {kind: 0 for kind in EDITS}
            deferred: dict[str, int] = {kind: 0 for kind in EDITS}
            # A build that left compiling the site's Python for after it: how long that took after the build, and
            # its CPU time (waited for before the next edit, so that it is not counted in the next edit's build).
            after: dict[str, list[float]] = {kind: [] for kind in EDITS}
            cpu_after: dict[str, list[float]] = {kind: [] for kind in EDITS}
            for n in range(edits):
                for kind, (name, line) in EDITS.items():
                    time.sleep(2)  # a separate change for the watcher
                    before = server.cpu_seconds()
                    with (project / name).open("a", encoding="utf-8") as f:
                        f.write(line.format(n=n))
                    seconds, seen = server.wait_build(timeout)
                    samples[kind].append(seconds)
                    cpu[kind].append(round(server.cpu_seconds() - before, 2))
                    built = time.monotonic()
                    runtime_rebuilt[kind] += any(RUNTIME_LINE in s for s in seen)
                    note = ""
                    if any(DEFERRED_LINE in s for s in seen):
                        deferred[kind] += 1
                        server.wait_line(COMPILED_LINE, seen, timeout)
                        time.sleep(0.2)  # Node reaped, its CPU time in the server's
                        after[kind].append(round(time.monotonic() - built, 2))
                        cpu_after[kind].append(round(server.cpu_seconds() - before - cpu[kind][-1], 2))
                        note = f"; compiled {after[kind][-1]:.2f} s later, CPU {cpu_after[kind][-1]:.2f} s"
                    print(f"{kind} edit {n + 1}: {seconds:.2f} s, CPU {cpu[kind][-1]:.2f} s{note}", flush=True)
        finally:
            server.stop()
    return {
        "machine": machine.fingerprint(),
        "goals_s": GOALS_S,
        "first_build_s": first,
        "edits": {
            kind: {
                **_summary(samples[kind]),
                "cpu_median_s": statistics.median(cpu[kind]),
                "cpu_runs": cpu[kind],
                "file": EDITS[kind][0],
                "runtime_rebuilt": runtime_rebuilt[kind],
                "runtime_deferred": deferred[kind],
                "compiled_after_s": after[kind],
                "compiled_after_cpu_s": cpu_after[kind],
            }
            for kind in EDITS
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edits", type=int, default=5, help="edits of each kind (default 5)")
    ap.add_argument("--quick", action="store_true", help="2 edits of each kind, and write nothing")
    args = ap.parse_args()
    result = measure(2 if args.quick else args.edits)
    print(json.dumps(result["edits"], indent=1))
    if not args.quick:
        OUT.mkdir(exist_ok=True)
        (OUT / "authors.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
