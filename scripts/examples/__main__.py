"""Run the Keras examples in examples/ on this machine and store what they printed in results/.

    .venv/bin/python -m scripts.examples            # run what changed, keep the rest
    .venv/bin/python -m scripts.examples --force    # run everything again (says first what, and how long)
    .venv/bin/python -m scripts.examples --accuracy # also train the accuracy stage's networks (about 40 min)
    .venv/bin/python -m scripts.examples sweep_single article_7x7   # only these

Each example runs in its own process (scripts/examples/child.py); this process never imports
TensorFlow. An example is not run again while its source, the TensorFlow and Keras versions and
the machine are unchanged. Every model's parameters and output shapes are checked against calc,
layer by layer; a mismatch, or an example that raises (other than the expected failures), makes
the run exit non-zero naming it, with its traceback in the log, and leaves its previous result
in place. The log is build/examples/run.log. Nothing is timed here. Run without names, the stages
of stages() follow, each skipped while current: the effective receptive field measured in Keras
(scripts/examples/effective_field.py) and the timings (scripts/examples/timing.py: TensorFlow, then
TensorFlow with XLA and JAX, each with the budget given here), so that a forced re-run of
everything fits in 30 minutes on a 2-core machine. The accuracy stage (scripts/examples/accuracy.py,
training on Fashion-MNIST) runs only with --accuracy: its training is outside those 30 minutes.
Run on a new machine, this one command adds that machine's results/<machine>/ beside the others.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
    parser.add_argument("names", nargs="*", help="examples to consider (default: all, and the stages after them)")
    parser.add_argument(
        "--force", action="store_true", help="run even when the stored result is current (says what, and how long)"
    )
    parser.add_argument(
        "--accuracy",
        action="store_true",
        help="also the accuracy stage: train on Fashion-MNIST what is not current (all of it with --force); its "
        "training is outside the 30 minutes of a forced re-run",
    )
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
    started = time.monotonic()
    fp = machine.fingerprint()
    run = Run(args, fp, args.names or names)
    whole = not args.names and args.examples_dir == ROOT / "examples"  # the whole set: the other stages too
    later = stages(args, fp) if whole else []
    if args.force:
        print(plan(run, later, args.results_dir / fp["key"], args.accuracy or not whole))
    elif not run.pending:
        print(f"{len(run.selected)} example(s) up to date for {run.fp['key']} (use --force to run again)")
    if args.dry_run:
        if run.pending and not args.force:
            print(f"would run on {run.fp['key']}: {', '.join(run.pending)}")
        return 3 if run.pending else 0
    status = run.all() if run.pending else 0
    if status or not whole:
        return status
    status = run_stages(later)
    if not args.accuracy:
        print(accuracy_note(args.results_dir / fp["key"], fp))
    if args.force and not status:
        print(total_line(time.monotonic() - started, args.accuracy), file=sys.stderr)
    return status


def total_line(seconds: float, trained: bool) -> str:
    """How long a forced run of everything took, against the goal when it is one (not when it trained)."""
    if trained:
        goal = fmt_seconds(GOAL_S)
        return f"in all: {fmt_seconds(seconds)}, the training included (the goal of {goal} leaves it out)"
    met = "met" if seconds <= GOAL_S else "missed"
    return f"in all: {fmt_seconds(seconds)} (the goal: at most {fmt_seconds(GOAL_S)}; {met})"


# --- the stages after the examples -------------------------------------------------------------------------------

GOAL_S = 30 * 60  # a forced re-run of the examples and of the stages after them but training, on 2 cores (issue 19)
# Seconds a forced run is expected to take where nothing of it is recorded yet: an example (its own process, which
# imports TensorFlow), the effective field, the accuracy stage's training (5 seeds × 5 designs × 3 epochs).
EXAMPLE_S, EFFECTIVE_FIELD_S, ACCURACY_S = 15.0, 60.0, 70 * 60.0
# The timing stages, each given its budget here: (engines, seconds of rounds that the stage's processes share,
# seconds the stage is expected to take). The budget is timing.py's --budget (the measuring code, and so the key
# of its records, is not touched). Each process is given its share of what is left of the budget, counting the
# processes before it; so a stage takes about its budget plus one process's set-up (Python, Keras, building and
# compiling every model), and never less than timing.RUNS processes of set-up and timing.MIN_ROUNDS rounds each.
# From the stored records: TensorFlow (commit c913948, load 0.5-2.4) sets up in about 90 s and a round of every
# group takes about 37 s, so 900 s of rounds take about 1,000 s (its third process still gets its five rounds);
# XLA and JAX (commit 8252cff) set up in about 35 and 40 s, and their fifteen rounds (the most a process runs)
# take 47 and 77 s: all six processes, unbounded, about 600 s; with 480 s of rounds about 530 s.
TIMING_STAGES: tuple[tuple[str, int, float], ...] = (("tensorflow", 900, 1000.0), ("tensorflow-xla,jax", 480, 530.0))


@dataclass(frozen=True)
class Stage:
    """A stage after the examples: what it does, in words; its entry point and arguments; how long a forced run of
    it is expected to take on a 2-core machine, in seconds, and whence that figure."""

    what: str
    main: Callable[[list[str]], int]
    argv: tuple[str, ...]
    expected_s: float
    basis: str
    in_goal: bool = True  # counted in the 30 minutes of a forced re-run (all but the accuracy stage's training)

    def run(self) -> int:
        return self.main(list(self.argv))


def recorded_seconds(path: Path, key: str = "seconds") -> float | None:
    """The seconds a stored record says its run took (None where there is none)."""
    record = store.load_json(path)
    value = record.get(key) if isinstance(record, dict) else None
    return float(value) if isinstance(value, int | float) else None


def accuracy_seconds(path: Path) -> float | None:
    """The accuracy record's training time: the sum of its runs' seconds (None where nothing is stored)."""
    record = store.load_json(path)
    if not isinstance(record, dict) or not isinstance(record.get("variants"), dict):
        return None
    runs = [r for v in record["variants"].values() for r in v.get("runs", [])]
    return float(sum(r.get("seconds", 0) for r in runs)) if runs else None


def stages(args: argparse.Namespace, fp: dict[str, Any]) -> list[Stage]:
    """The stages after the examples, in order: the effective field, the timing stages with their budgets, and the
    accuracy stage when asked for (--accuracy). Each skips itself while current, unless --force."""
    force = ("--force",) if args.force else ()
    results, machine_dir = args.results_dir, args.results_dir / fp["key"]
    field = results / "effective_field.json"
    seconds = recorded_seconds(field)
    found = [
        Stage(
            "the effective receptive field, measured in Keras",
            effective_field.main,
            ("--out", str(field), *force),
            seconds or EFFECTIVE_FIELD_S,
            "its last run" if seconds else "an estimate",
        )
    ]
    for engines, budget, expected in TIMING_STAGES:
        titles = " and on ".join(timing.ENGINES[e].title for e in engines.split(","))
        found.append(
            Stage(
                f"timings on {titles}: {timing.RUNS} processes each, {budget} s of rounds",
                timing.main,
                ("--results-dir", str(results), "--engines", engines, "--budget", str(budget), *force),
                expected,
                "from its budget",
            )
        )
    if args.accuracy:
        seconds = accuracy_seconds(machine_dir / "accuracy.json")
        found.append(
            Stage(
                "the accuracy stage: training on Fashion-MNIST, outside the 30 minutes",
                accuracy.main,
                ("--results-dir", str(results), *force),
                seconds or ACCURACY_S,
                "its last training" if seconds else "an estimate",
                in_goal=False,
            )
        )
    return found


def plan(run: Run, later: Sequence[Stage], machine_dir: Path, accuracy_asked: bool) -> str:
    """What a forced run re-runs, stage by stage, with how long each is expected to take, and the total."""
    previous = [(run.previous[n] or {}).get("seconds") for n in run.selected]
    examples_s = sum(s if isinstance(s, int | float) else EXAMPLE_S for s in previous)
    basis = "their last run" if all(isinstance(s, int | float) for s in previous) else "an estimate"
    rows = [(examples_s, f"the {len(run.selected)} example(s), each in its own process ({basis})")]
    rows += [(s.expected_s, f"{s.what} ({s.basis})") for s in later]
    goal = [s.expected_s for s in later if s.in_goal]
    label = "in all, the training aside" if len(goal) < len(later) else "in all"
    rows.append((examples_s + sum(goal), f"{label} (the goal: at most {fmt_seconds(GOAL_S)})"))
    lines = [f"--force re-runs on {run.fp['key']}; expected on a 2-core machine:"]
    lines += [f"  {fmt_seconds(seconds):>6}  {what}" for seconds, what in rows]
    if not accuracy_asked:
        seconds = accuracy_seconds(machine_dir / "accuracy.json")
        lines.append(
            f"not re-run: the accuracy stage's training, {fmt_seconds(seconds or ACCURACY_S)} "
            f"({'its last training' if seconds else 'an estimate'}); add --accuracy to train"
        )
    return "\n".join(lines)


def run_stages(later: Sequence[Stage], stream: TextIO = sys.stderr) -> int:
    """Run the stages in order, each with its arguments; stop at the first that fails (its exit status). Says how
    long each took against what was expected."""
    for stage in later:
        t = time.monotonic()
        status = stage.run()
        print(
            f"{stage.what}: {fmt_seconds(time.monotonic() - t)} (a forced run: ~{fmt_seconds(stage.expected_s)})",
            file=stream,
        )
        if status:
            return status
    return 0


def accuracy_note(machine_dir: Path, fp: dict[str, Any]) -> str:
    """Whether the stored accuracy record is current for this machine, when the accuracy stage was not asked for."""
    path = machine_dir / "accuracy.json"
    record = store.load_json(path)
    if isinstance(record, dict) and record.get("inputs") == accuracy.inputs(fp):
        return f"{path.name} (the accuracy stage): up to date; train again with --accuracy --force"
    seconds = accuracy_seconds(path)
    return (
        f"{path.name} (the accuracy stage): not current for this machine; train with --accuracy "
        f"(~{fmt_seconds(seconds or ACCURACY_S)})"
    )


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
