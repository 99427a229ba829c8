"""Run the Keras examples in examples/ on this machine and store what they printed in results/.

    .venv/bin/python -m scripts.examples            # run what changed, keep the rest
    .venv/bin/python -m scripts.examples --force    # run everything again
    .venv/bin/python -m scripts.examples sweep_single article_7x7   # only these

Each example runs in its own process (scripts/examples/child.py); this process never imports
TensorFlow. An example is not run again while its source, the TensorFlow and Keras versions and
the machine are unchanged. Every model's parameters and output shapes are checked against calc,
layer by layer; a mismatch, or an example that raises (other than the expected failures), makes
the run exit non-zero naming it, with its traceback in the log, and leaves its previous result
in place. The log is build/examples/run.log. Nothing is timed here. Run without names, three
more stages follow, each skipped while current: the effective receptive field measured in Keras
(scripts/examples/effective_field.py), the timings (scripts/examples/timing.py, about 20 minutes:
three processes for each of three Keras engines, progress on stderr) and the accuracy trained on
Fashion-MNIST (scripts/examples/accuracy.py,
about 75 minutes; it fetches the data set on first use and resumes where an interrupted run
stopped). Run on a new machine, this one command adds that machine's results/<machine>/ beside the others.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from kernel_lab_mkdocs import store
from scripts.examples import accuracy, check, effective_field, machine, timing

ROOT = Path(__file__).resolve().parents[2]

# Examples that must raise, with the exception they must raise: the article's Inception
# example as written, and the first fix, which still fails one step further.
EXPECTED_FAILING = {
    "inception_0_as_written": "NameError",
    "inception_1_input_defined": "ValueError",
    "inception_2_same_padding": "ValueError",
}


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "?"
    s = max(0, round(s))
    return f"{s // 60}:{s % 60:02d}"


class Progress:
    """One status line: which example and stage, elapsed and remaining time."""

    def __init__(self, stream: TextIO, total: int, expected: dict[str, float | None]) -> None:
        self.stream, self.total, self.expected = stream, total, expected
        self.tty = stream.isatty()
        self.start = time.monotonic()
        self.done_expected = 0.0
        self.last_line = 0.0

    def remaining(self, name: str, example_elapsed: float, done: list[str]) -> float | None:
        pending = [n for n in self.expected if n not in done and n != name]
        if any(self.expected[n] is None for n in pending) or self.expected.get(name) is None:
            return None
        this = max(0.0, (self.expected[name] or 0.0) - example_elapsed)
        return this + sum(self.expected[n] or 0.0 for n in pending)

    def show(self, index: int, name: str, example_start: float, done: list[str], info: dict[str, Any]) -> None:
        now = time.monotonic()
        detail = f" {info['stage']}" if "stage" in info else ""
        rest = self.remaining(name, now - example_start, done)
        line = (
            f"[{index}/{self.total}] {name}{detail}  elapsed {fmt_seconds(now - self.start)}"
            f"  remaining {'~' + fmt_seconds(rest) if rest is not None else '?'}"
        )
        if self.tty:
            self.stream.write("\r\033[K" + line)
            self.stream.flush()
        elif now - self.last_line >= 5 or "stage" in info:
            self.stream.write(line + "\n")
            self.stream.flush()
            self.last_line = now

    def end_line(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")


def run_child(argv: list[str], log: TextIO, on_progress: Any) -> int:
    """Run the child, its stdout and non-progress stderr into the log; return its exit status."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", COLUMNS="200", PYTHONUNBUFFERED="1", PYTHONHASHSEED="0")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts.examples.child", *argv],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("@@progress "):
                on_progress(json.loads(line[len("@@progress ") :]))
            else:
                log.write(line)
        return proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", help="examples to consider (default: all)")
    parser.add_argument("--force", action="store_true", help="run even when the stored result is current")
    parser.add_argument("--examples-dir", type=Path, default=ROOT / "examples")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "results")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "build" / "examples")
    parser.add_argument("--dry-run", action="store_true", help="say what would run and exit (status 3 if anything)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = store.example_names(args.examples_dir)
    unknown = [n for n in args.names if n not in names]
    if unknown:
        print(f"unknown example(s): {', '.join(unknown)}; known: {', '.join(names)}", file=sys.stderr)
        return 2
    run = Run(args, machine.fingerprint(), args.names or names)
    if not run.pending:
        print(f"{len(run.selected)} example(s) up to date for {run.fp['key']} (use --force to run again)")
    if args.dry_run:
        if run.pending:
            print(f"would run on {run.fp['key']}: {', '.join(run.pending)}")
        return 3 if run.pending else 0
    status = run.all() if run.pending else 0
    if not args.names and args.examples_dir == ROOT / "examples":  # the whole set: the other stages too
        force = ["--force"] if args.force else []  # each stage skips itself when current
        out = ["--out", str(args.results_dir / "effective_field.json")]
        status = status or effective_field.main(out + force)
        status = status or timing.main(["--results-dir", str(args.results_dir), *force])
        status = status or accuracy.main(["--results-dir", str(args.results_dir), *force])
    return status


class Run:
    """One run of the examples that are not current (all of ``selected`` with --force) on this machine."""

    def __init__(self, args: argparse.Namespace, fp: dict[str, Any], selected: list[str]) -> None:
        self.args, self.fp, self.selected = args, fp, selected
        self.started = time.monotonic()
        self.machine_dir = args.results_dir / fp["key"]
        self.pending: list[str] = []
        self.keys: dict[str, tuple[str, str]] = {}
        self.previous: dict[str, Any] = {}
        for name in selected:
            sha = store.source_hash(args.examples_dir / f"{name}.py")
            self.keys[name] = (sha, store.cache_key(sha, fp["tensorflow"], fp["keras"], fp["key"]))
            self.previous[name] = store.load_json(self.machine_dir / f"{name}.json")
            if args.force or not self.previous[name] or self.previous[name].get("cache_key") != self.keys[name][1]:
                self.pending.append(name)
        self.failures: list[str] = []
        self.done: list[str] = []
        expected = {n: (self.previous[n] or {}).get("seconds") for n in self.pending}
        self.progress = Progress(sys.stderr, len(self.pending), expected)

    def all(self) -> int:
        """Run the pending examples; the exit status: 1 when any failed."""
        args = self.args
        args.work_dir.mkdir(parents=True, exist_ok=True)
        for leftover in args.work_dir.glob("*.tmp"):  # from a run that was killed
            leftover.unlink()
        log_path = args.work_dir / "run.log"

        def on_signal(signum: int, _frame: Any) -> None:
            raise KeyboardInterrupt(f"signal {signum}")

        signal.signal(signal.SIGTERM, on_signal)
        with log_path.open("w", encoding="utf-8") as log:
            log.write(f"# scripts.examples on {self.fp['key']} at {self.fp['date']}\n# {json.dumps(self.fp)}\n")
            run_info = {"date": self.fp["date"], "loadavg_start": self.fp["loadavg"]}
            for index, name in enumerate(self.pending, 1):
                self.one(index, name, run_info, log)
                self.done.append(name)
            total = self.finish(log)
        print(
            f"ran {len(self.pending)} example(s) in {fmt_seconds(total)} on {self.fp['key']}; log: {log_path}",
            file=sys.stderr,
        )
        if self.failures:
            print(f"FAILED: {', '.join(self.failures)}", file=sys.stderr)
            return 1
        return 0

    def one(self, index: int, name: str, run_info: dict[str, Any], log: TextIO) -> None:
        """Run one example, check it and store its record; a failure keeps the previous record."""
        args = self.args
        out = args.work_dir / f"{name}.out.tmp"
        out.unlink(missing_ok=True)
        t0 = time.monotonic()
        log.write(f"\n# === {name}\n")
        log.flush()
        argv = ["run", str(args.examples_dir / f"{name}.py"), str(out)]
        rc = run_child(argv, log, lambda info: self.progress.show(index, name, t0, self.done, info))
        child = store.load_json(out)
        out.unlink(missing_ok=True)
        self.progress.end_line()
        problem: str | None
        if rc != 0 or child is None:
            problem = f"the example's process ended with status {rc} and no result"
        else:
            problem = judge(name, child)
        if problem:
            self.failures.append(name)
            tb = (child or {}).get("error", {}) or {}
            message = f"FAILED {name}: {problem}\n{tb.get('traceback', '')}"
            log.write(message + "\n")
            print(message, file=sys.stderr)
            return
        record = {
            "example": name,
            "machine": self.fp["key"],
            "source_sha256": self.keys[name][0],
            "cache_key": self.keys[name][1],
            "tensorflow": self.fp["tensorflow"],
            "keras": self.fp["keras"],
            "status": "expected_failure" if name in EXPECTED_FAILING else "ok",
            "run": {**run_info, "loadavg_end": list(os.getloadavg())},
            "seconds": round(time.monotonic() - t0, 2),
            **{k: child[k] for k in ("stdout", "stderr", "warnings", "error", "models", "devices") if k in child},
        }
        store.atomic_write_json(self.machine_dir / f"{name}.json", record, args.work_dir)
        print(f"[{index}/{len(self.pending)}] {name}: {record['status']} in {record['seconds']:.1f} s", file=sys.stderr)

    def finish(self, log: TextIO) -> float:
        """machine.json with this run's fingerprint and summary; the run's length in seconds."""
        total = time.monotonic() - self.started
        last_run = {
            "examples": self.pending,
            "seconds": round(total, 1),
            "failures": self.failures,
            "forced": self.args.force,
        }
        record = {**self.fp, "loadavg_end": list(os.getloadavg()), "last_run": last_run}
        store.atomic_write_json(self.machine_dir / "machine.json", record, self.args.work_dir)
        log.write(f"\n# finished in {total:.1f} s; failures: {self.failures}\n")
        return total


def judge(name: str, child: dict[str, Any]) -> str | None:
    """What is wrong with a child's result, or None. Adds calc's figures to each model on the way."""
    error = child.get("error")
    if name in EXPECTED_FAILING:
        want = EXPECTED_FAILING[name]
        if error is None:
            return f"expected to raise {want}, but it ran"
        if error["type"] != want:
            return f"expected to raise {want}, raised {error['type']}: {error['message']}"
        return None
    if error is not None:
        return f"raised {error['type']}: {error['message']}"
    for model in child["models"]:
        figures = check.check_model(model)
        if figures["mismatches"]:
            return "calc and Keras disagree: " + "; ".join(figures["mismatches"])
        model["calc"] = figures
    return None


if __name__ == "__main__":
    sys.exit(main())
