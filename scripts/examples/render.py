# Stage 5 of the examples pipeline: render the stored results into Markdown for
# docs/examples.md. A page asks for a piece with a marker, an HTML comment such as
# <!-- kernel-lab:example article_7x7 --> or <!-- kernel-lab:sweep -->, and the
# MkDocs hook (scripts/hooks/examples.py) replaces each marker with its piece.
# Only results that match the current example source are shown.

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from scripts.examples import store
from scripts.examples_svg import line_chart

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!-- kernel-lab:([a-z-]+)(?: ([\w-]+))? -->")

SWEEP = {
    "sweep_single": "one k×k",
    "sweep_stacked": "stacked 3×3",
    "sweep_factorized": "k×1 + 1×k",
    "sweep_separable": "separable k×k",
}


class Data:
    """Results of every machine, keeping only those current against the example sources."""

    def __init__(self, root: Path = ROOT) -> None:
        self.examples_dir = root / "examples"
        self.names = store.example_names(self.examples_dir)
        hashes = {n: store.source_hash(self.examples_dir / f"{n}.py") for n in self.names}
        self.machines: dict[str, dict[str, Any]] = {}
        for key, stored in store.load_results(root / "results").items():
            current = {n: r for n, r in stored["examples"].items() if hashes.get(n) == r.get("source_sha256")}
            if current:
                self.machines[key] = {"machine": stored["machine"] or {}, "examples": current}

    def record(self, machine: str, name: str) -> dict[str, Any] | None:
        record: dict[str, Any] | None = self.machines.get(machine, {}).get("examples", {}).get(name)
        return record

    def first(self, name: str) -> dict[str, Any] | None:
        """The example's record from the first machine that has it (calc's figures are the same on every one)."""
        for key in self.machines:
            if (rec := self.record(key, name)) is not None:
                return rec
        return None


# --- formatting -----------------------------------------------------------------------------------


def n_int(v: int | None) -> str:
    return "–" if v is None else f"{v:,}"


def n_sig(v: float | None, digits: int = 3) -> str:
    if v is None:
        return "–"
    if v == 0:
        return "0"
    return f"{v:,.{max(0, digits - 1 - int(f'{abs(v):e}'.split('e')[1]))}f}"


def ms(t: dict[str, Any] | None) -> str:
    return "–" if t is None else f"{n_sig(t['median_s'] * 1e3)} ms"


def shape(s: list[Any] | None) -> str:
    return "–" if s is None else "(" + ", ".join("None" if v is None else str(v) for v in s) + ")"


def field(f: dict[str, Any] | None) -> str:
    return "–" if f is None else "×".join(str(v) for v in f["size"])


def table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> str:
    align = align or ["---"] + ["--:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def fence(text: str, lang: str = "text", title: str | None = None) -> str:
    """A code block as HTML, so that it renders the same whatever code extensions mkdocs.yml enables."""
    head = f'<p class="kl-code-title"><code>{escape(title)}</code></p>\n' if title else ""
    return f'{head}<pre class="kl-code"><code class="language-{lang}">{escape(text.rstrip())}</code></pre>'


# --- the pieces --------------------------------------------------------------------------------


def split_example(path: Path) -> tuple[str, str, str]:
    """(title, text, code) of an example: its docstring is its text, the rest is the code shown."""
    source = path.read_text(encoding="utf-8")
    module = ast.parse(source)
    doc = ast.get_docstring(module) or ""
    code = source
    if module.body and isinstance(module.body[0], ast.Expr) and doc:
        end = module.body[0].end_lineno or 0
        code = "\n".join(source.splitlines()[end:]).strip("\n")
    title, _, text = doc.partition("\n")
    return title.strip(), text.strip(), code


def machine_label(data: Data, key: str) -> str:
    m = data.machines[key]["machine"]
    gpu = ", ".join(g["name"] for g in m.get("gpus") or [])
    return f"{key}" + (f" ({gpu})" if gpu else "")


def render_machines(data: Data) -> str:
    if not data.machines:
        return "!!! warning\n    No results stored yet: run `python -m scripts.examples`."
    keys = list(data.machines)
    fields: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("CPU", lambda m: m.get("cpu")),
        ("cores", lambda m: m.get("cores")),
        ("memory", lambda m: f"{m.get('memory_gib')} GiB"),
        ("OS", lambda m: m.get("os")),
        ("Python", lambda m: m.get("python")),
        ("TensorFlow", lambda m: m.get("tensorflow")),
        ("Keras", lambda m: m.get("keras")),
        ("oneDNN", lambda m: m.get("onednn")),
        ("GPU (driver)", lambda m: ", ".join(f"{g['name']} ({g['driver']})" for g in m.get("gpus") or []) or "none"),
        ("date of the last run", lambda m: m.get("date")),
        (
            "load average (1, 5, 15 min) at start → end",
            lambda m: (
                f"{', '.join(f'{v:.2f}' for v in m.get('loadavg') or [])} → "
                f"{', '.join(f'{v:.2f}' for v in m.get('loadavg_end') or [])}"
            ),
        ),
        (
            "measured peak (float32 matmul)",
            lambda m: (
                f"{n_sig(m['peak']['gflops'])} GFLOP/s ({m['peak']['size']}² matmul, median of {m['peak']['repeats']})"
                if m.get("peak")
                else "–"
            ),
        ),
        (
            "last run",
            lambda m: (
                f"{len(m['last_run']['examples'])} example(s) in {m['last_run']['seconds']:.0f} s"
                + (" (forced)" if m["last_run"].get("forced") else "")
                if m.get("last_run")
                else "–"
            ),
        ),
    ]
    rows = [[label] + [escape(str(get(data.machines[k]["machine"]))) for k in keys] for label, get in fields]
    return table([""] + [f"`{k}`" for k in keys], rows, ["---"] * (len(keys) + 1))


def timings_table(data: Data, name: str, model_index: int = 0) -> str:
    keys = [k for k in data.machines if data.record(k, name)]
    header = ["measurement"]
    for k in keys:
        header += [f"`{k}` median (IQR)", "GFLOP/s", "of peak"]
    first = data.record(keys[0], name) if keys else None
    if not first or not first["models"]:
        return ""
    kinds = list(first["models"][model_index]["timings"])
    rows = []
    for kind in kinds:
        what, _, b = kind.partition("_b")
        row = [f"{'forward pass' if what == 'forward' else 'training step'}, batch {b}"]
        for k in keys:
            rec = data.record(k, name)
            t = rec["models"][model_index]["timings"].get(kind) if rec else None
            if t is None:
                row += ["–", "–", "–"]
                continue
            frac = t.get("fraction_of_peak")
            row += [
                f"{ms(t)} ({n_sig(t['iqr_s'] * 1e3)} ms)",
                n_sig(t.get("gflops")),
                "–" if frac is None else f"{frac:.0%}",
            ]
        rows.append(row)
    return table(header, rows)


def check_table(model: dict[str, Any]) -> str:
    rows = []
    keras_layers = {layer["name"]: layer for layer in model["layers"]}
    for row in model["calc"]["layers"]:
        kl = keras_layers[row["name"]]
        rows.append(
            [
                f"`{row['name']}` ({row['class_name']})",
                shape(kl["output_shape"]),
                n_int(kl["params"]),
                n_int(row["macs"]),
                field(row["receptive_field"]),
            ]
        )
    t = model["calc"]["totals"]
    rows.append(
        ["**total**", shape(model["calc"]["output_shape"]), f"**{n_int(t['params'])}**", f"**{n_int(t['macs'])}**", ""]
    )
    return table(
        ["layer", "output shape (Keras = calc)", "params (Keras = calc)", "MACs (calc)", "receptive field"], rows
    )


def render_source(data: Data, name: str) -> str:
    """An example's text and code, without its results."""
    path = data.examples_dir / f"{name}.py"
    if not path.exists():
        return f"!!! failure\n    No example named `{escape(name)}`."
    title, text, code = split_example(path)
    return "\n\n".join([f"### {title}", text, fence(code, "python", f"examples/{name}.py")])


def render_method(data: Data) -> str:
    rows = []
    for key, stored in data.machines.items():
        runs = {
            (r["run"]["warmup"], r["run"]["repeats"], r["run"]["batch"])
            for r in stored["examples"].values()
            if r.get("run") and r.get("models")
        }
        for warmup, repeats, batch in sorted(runs):
            rows.append([f"`{key}`", f"{warmup} (after the compiling call)", str(repeats), f"1 and {batch}"])
    return table(["machine", "untimed warm-up calls", "timed repeats", "batch sizes"], rows)


def render_example(data: Data, name: str) -> str:
    path = data.examples_dir / f"{name}.py"
    if not path.exists():
        return f"!!! failure\n    No example named `{escape(name)}`."
    title, text, code = split_example(path)
    parts = [f"### {title}", text, fence(code, "python", f"examples/{name}.py")]
    rec = data.first(name)
    if rec is None:
        parts.append("!!! warning\n    No current result for this example: run `python -m scripts.examples`.")
        return "\n\n".join(parts)
    if rec.get("error"):
        parts.append(f"It fails, as expected, with `{rec['error']['type']}`. What Python printed:")
        parts.append(fence(rec["error"]["traceback"], "pytb"))
        return "\n\n".join(parts)
    for i, model in enumerate(rec["models"]):
        parts.append(f"What `model.summary()` printed for `{model['name']}`:")
        parts.append(fence(model["summary"]))
        parts.append(
            f"calc agrees with Keras on every layer's output shape and parameter count "
            f"(the run checks this and fails otherwise), and adds the multiply-accumulates (MACs) "
            f"and the receptive field:\n\n{check_table(model)}"
        )
        parts.append("Measured on each machine:\n\n" + timings_table(data, name, i))
    return "\n\n".join(parts)


# --- the sweep ---------------------------------------------------------------------------------


def sweep_rows(data: Data, machine: str) -> list[dict[str, Any]]:
    """One row per sweep model on one machine: variant, k (from calc's receptive field), widths, figures."""
    rows = []
    for example, variant in SWEEP.items():
        rec = data.record(machine, example)
        for model in rec["models"] if rec else []:
            c_in = model["layers"][0]["config"]["batch_shape"][-1]
            rows.append(
                {
                    "variant": variant,
                    "k": model["calc"]["receptive_field"]["size"][0],
                    "c_in": c_in,
                    "c_out": model["calc"]["output_shape"][-1],
                    "depth": sum(1 for layer in model["layers"] if layer["class_name"] != "InputLayer"),
                    "params": model["calc"]["totals"]["params"],
                    "flops": model["calc"]["totals"]["flops"],
                    "timings": model["timings"],
                    "name": model["name"],
                }
            )
    return rows


def render_sweep(data: Data) -> str:
    keys = [k for k in data.machines if sweep_rows(data, k)]
    if not keys:
        return "!!! warning\n    No current sweep results: run `python -m scripts.examples`."
    by_machine = {k: sweep_rows(data, k) for k in keys}
    base = by_machine[keys[0]]
    batch = next(iter(base))["timings"]
    big = next(kind for kind in batch if kind.startswith("forward_b") and kind != "forward_b1")
    train = next(kind for kind in batch if kind.startswith("train"))
    size = data.first("sweep_single")
    in_hw = size["models"][0]["layers"][0]["config"]["batch_shape"][1:3] if size else None
    parts = []
    widths = sorted({(r["c_in"], r["c_out"]) for r in base}, key=lambda w: (w[0] != 3, w[1]))
    for c_in, c_out in widths:
        parts.append(f"#### {c_in} → {c_out} channels")
        charts = []
        for k in keys:
            rows = [r for r in by_machine[k] if (r["c_in"], r["c_out"]) == (c_in, c_out)]
            series = [
                (v, [(r["k"], r["timings"][big]["median_s"] * 1e3) for r in rows if r["variant"] == v])
                for v in SWEEP.values()
            ]
            charts.append(
                line_chart(
                    f"{c_in}→{c_out} channels, {k}",
                    series,
                    "receptive field k (pixels)",
                    f"forward pass, batch {big.split('_b')[1]} (ms)",
                )
            )
        parts.append(
            '<div class="kl-charts" style="display:flex;flex-wrap:wrap;gap:1rem">' + "".join(charts) + "</div>"
        )
        header = ["k", "variant", "layers", "params", "MFLOPs / example"]
        for k in keys:
            label = f"`{k}`"
            header += [
                f"{label} batch 1",
                f"batch {big.split('_b')[1]}",
                f"train step {train.split('_b')[1]}",
                "GFLOP/s",
                "of peak",
            ]
        table_rows = []
        for r in sorted(
            [r for r in base if (r["c_in"], r["c_out"]) == (c_in, c_out)],
            key=lambda r: (r["k"], list(SWEEP.values()).index(r["variant"])),
        ):
            row = [f"{r['k']}×{r['k']}", r["variant"], str(r["depth"]), n_int(r["params"]), n_sig(r["flops"] / 1e6)]
            for k in keys:
                other = next((o for o in by_machine[k] if o["name"] == r["name"]), None)
                if other is None:
                    row += ["–"] * 5
                    continue
                t = other["timings"]
                frac = t[big].get("fraction_of_peak")
                row += [
                    ms(t["forward_b1"]),
                    ms(t[big]),
                    ms(t[train]),
                    n_sig(t[big].get("gflops")),
                    "–" if frac is None else f"{frac:.0%}",
                ]
            table_rows.append(row)
        parts.append(table(header, table_rows, ["--:", "---"] + ["--:"] * (len(header) - 2)))
    intro = ""
    if in_hw:
        intro = (
            f"Input {in_hw[0]}×{in_hw[1]}, 'valid' padding; times are medians. "
            f"GFLOP/s and the fraction of the machine's measured peak are for the batch-{big.split('_b')[1]} "
            "forward pass, from calc's FLOPs (two per MAC)."
        )
    return "\n\n".join([intro, *parts])


def render_budget(data: Data) -> str:
    rows = []
    for key, stored in data.machines.items():
        m = stored["machine"]
        recs = stored["examples"].values()
        total = sum(r.get("seconds", 0) for r in recs)
        rows.append(
            [
                f"`{key}`",
                str(len(stored["examples"])),
                f"{total:.0f} s",
                f"{m['last_run']['seconds']:.0f} s" if m.get("last_run") else "–",
                str(m.get("last_run", {}).get("forced", "–")),
            ]
        )
    return table(
        ["machine", "examples stored", "sum of their run times", "last run, whole", "last run forced"],
        rows,
    )


RENDERERS = {
    "machines": lambda data, arg: render_machines(data),
    "example": lambda data, arg: render_example(data, arg or ""),
    "example-source": lambda data, arg: render_source(data, arg or ""),
    "method": lambda data, arg: render_method(data),
    "sweep": lambda data, arg: render_sweep(data),
    "budget": lambda data, arg: render_budget(data),
}


def render_markers(markdown: str, data: Data | None = None, extra: dict[str, Any] | None = None) -> str:
    """Replace every <!-- kernel-lab:NAME ARG --> marker with its rendered piece."""
    data = data or Data()
    renderers = {**RENDERERS, **(extra or {})}

    def replace(match: re.Match[str]) -> str:
        fn = renderers.get(match.group(1))
        if fn is None:
            return f"!!! failure\n    Unknown marker `{escape(match.group(1))}`."
        return str(fn(data, match.group(2)))

    return MARKER.sub(replace, markdown)
