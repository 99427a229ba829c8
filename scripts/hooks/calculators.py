# MkDocs hook: the calculators' build-time side.
# - on_config: watch calc/ and site_assets/ under `mkdocs serve`, and load calc afresh on each build.
# - on_files: add the browser runtime to the site: the widget (site_assets/), the five Pyodide files from
#   node_modules/pyodide, and calc itself as a zip built from calc/ (nothing large is committed).
# - on_page_content: replace each `<div data-calc="NAME"></div>` with the form generated from the calculator's
#   signature and its default result rendered by calc, and `<div data-calc-figure="NAME"></div>` with a static
#   figure. Pages without either are returned untouched.

from __future__ import annotations

import hashlib
import importlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import zipfile
from html import escape, unescape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "build" / "site-runtime"  # precompiled stdlib + memory snapshot (scripts/build_site_runtime.mjs)
ASSETS = "assets/kernel-lab"
log = logging.getLogger("mkdocs.hooks.calculators")
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
WIDGET_FILES = ("calc.js", "calc.css", "calc-worker.mjs")

EARLY_TEXT_CHARS = 1200  # text before a page's first calculator below which the worker starts at once
_MARKER = re.compile(r'<div data-calc="(?P<name>[a-z_]+)"(?P<attrs>(?:\s+data-input-[a-z_]+="[^"]*")*)\s*>\s*</div>')
_FIGURE = re.compile(r'<div data-calc-figure="(?P<name>[a-z_]+)"\s*>\s*</div>')
_SIZE = re.compile(r'<span data-shipped-size="(?P<name>[\w.-]+)"></span>')  # a runtime file's size, as built
_ATTR = re.compile(r'data-input-(?P<key>[a-z_]+)="(?P<value>[^"]*)"')

calculators: Any = None
shipped: dict[str, int] = {}  # the Pyodide runtime's files in this build: name -> bytes (for the Methods page)


def on_config(config: Any) -> Any:
    global calculators
    for name in [m for m in sys.modules if m == "calc" or m.startswith("calc.")]:
        del sys.modules[name]
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    calculators = importlib.import_module("calc.calculators")
    for path in (ROOT / "calc", ROOT / "site_assets"):
        if str(path) not in config.watch:
            config.watch.append(str(path))
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    package = calc_zip()
    runtime = fast_runtime(package)
    shipped.clear()
    for name in WIDGET_FILES:
        files.append(File.generated(config, f"{ASSETS}/{name}", abs_src_path=str(ROOT / "site_assets" / name)))
    pyodide = ROOT / "node_modules" / "pyodide"
    for name in PYODIDE_FILES:
        # The precompiled standard library, when there is one, replaces the .py one (the snapshot needs it).
        built = runtime / name if runtime else None
        src = built if built and built.exists() else pyodide / name
        if not src.exists():
            raise FileNotFoundError(f"{src}: run `npm ci` (scripts/setup.sh) to get the Pyodide runtime")
        files.append(File.generated(config, f"{ASSETS}/pyodide/{name}", abs_src_path=str(src)))
        shipped[name] = src.stat().st_size
    for extra in sorted(runtime.glob("*.bin")) if runtime else []:
        files.append(File.generated(config, f"{ASSETS}/pyodide/{extra.name}", abs_src_path=str(extra)))
        shipped[extra.name] = extra.stat().st_size
    files.append(File.generated(config, f"{ASSETS}/calc.zip", content=package))
    return files


def fast_runtime(package: bytes) -> Path | None:
    """build/site-runtime/, (re)built by scripts/build_site_runtime.mjs when Pyodide, calc or the script changed.

    The snapshot holds calc already imported, so it is rebuilt from this build's calc.zip (``package``)
    whenever calc changes (a few seconds under `mkdocs serve`).

    None when it cannot be built (no Node): the site then ships Pyodide's own files and boots normally.
    Set KERNEL_LAB_PLAIN_PYODIDE=1 to skip it (the benchmark's baseline).
    """
    if os.environ.get("KERNEL_LAB_PLAIN_PYODIDE") == "1":
        return None
    script = ROOT / "scripts" / "build_site_runtime.mjs"
    pyodide = ROOT / "node_modules" / "pyodide"
    key = hashlib.sha256(script.read_bytes() + (pyodide / "package.json").read_bytes() + package).hexdigest()
    stamp = RUNTIME / "key.txt"
    if stamp.exists() and stamp.read_text() == key and (RUNTIME / "snapshot.bin").exists():
        return RUNTIME
    node = shutil.which("node")
    if node is None:
        log.info("calculators: node not found; shipping the plain Pyodide runtime (slower start)")
        return None
    log.info("calculators: building the precompiled standard library and memory snapshot (once)")
    shutil.rmtree(RUNTIME, ignore_errors=True)
    RUNTIME.mkdir(parents=True)
    (RUNTIME / "calc.zip").write_bytes(package)
    env = {**os.environ, "TZ": "UTC"}
    cmd = [node, str(script), str(RUNTIME), str(RUNTIME / "calc.zip")]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        log.info("calculators: runtime build failed, shipping the plain runtime:\n%s", done.stderr[-2000:])
        return None
    stamp.write_text(key)
    return RUNTIME


def calc_zip() -> bytes:
    """calc/*.py in a zip with fixed timestamps, so an unchanged calc gives identical bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((ROOT / "calc").glob("*.py")):
            info = zipfile.ZipInfo(f"calc/{path.name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    html = _SIZE.sub(lambda m: shipped_size(m["name"]), html)
    if "data-calc" not in html and "data-browser-bench" not in html:
        return html
    count = 0

    def widget(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        overrides = {m["key"]: unescape(m["value"]) for m in _ATTR.finditer(match["attrs"])}
        # KERNEL_LAB_EARLY_WORKER=1 (a benchmark variant, off by default): when the first calculator is near
        # the top (little text before it, a build-time stand-in for "within the first screen"), the page starts
        # the worker from its head (site_assets/overrides/main.html). Measured here: about 50 ms sooner
        # interactive, but the theme's script evaluation, slowed by the worker's compilation on 2 cores, became
        # a main-thread task twice as long; so calc.js starts the worker, after the theme's scripts.
        early = os.environ.get("KERNEL_LAB_EARLY_WORKER") == "1"
        if early and count == 1 and len(re.sub(r"<[^>]+>", "", html[: match.start()])) < EARLY_TEXT_CHARS:
            page.meta["kl_early_worker"] = early_worker_url(page.url)
        return render_widget(match["name"], f"kl{count}", overrides, Path(config.docs_dir))

    html = _MARKER.sub(widget, html)
    html = html.replace("<div data-browser-bench></div>", browser_bench_table())
    return _FIGURE.sub(lambda m: scroll_region(calculators.figure(m["name"]), m["name"].replace("_", " ")), html)


def scroll_region(html: str, label: str) -> str:
    """``html`` (a wide table) in a box that scrolls sideways on a narrow screen, reachable by keyboard."""
    return f'<div class="kl-scroll" tabindex="0" role="region" aria-label="{escape(label)}">{html}</div>'


def shipped_size(name: str) -> str:
    """The size of a runtime file in this build, in MiB; what a build without it ships instead."""
    if name not in shipped:
        return "(not in this build: see <code>KERNEL_LAB_PLAIN_PYODIDE</code>)"
    return f"{shipped[name] / 2**20:.0f} MiB"


def early_worker_url(page_url: str) -> str:
    """The worker's URL relative to the page: site_assets/overrides/main.html starts it from the head."""
    from mkdocs.utils import get_relative_url

    return get_relative_url(f"{ASSETS}/calc-worker.mjs", page_url)


BENCH_LABELS = {
    "static_paint_ms": "Static result painted (first contentful paint)",
    "interactive_ms": "Interactive, cold: worker ready and first recomputed result",
    "interactive_warm_ms": "Interactive, warm HTTP cache",
    "second_page_ms": "Second calculator page (instant navigation) until recomputed",
    "longest_task_ms": "Longest main-thread task while loading a calculator page",
    "longest_task_home_ms": "Longest main-thread task, home page (no calculator: the theme alone)",
    "roundtrip_layer_ms": "Recompute round trip, one-layer calculator",
    "roundtrip_compare_ms": "Recompute round trip, kernel comparison (with its chart)",
    "roundtrip_analyzer_ms": "Recompute round trip, analyzer on InceptionResNetV2",
    "python_analyzer_ms": "… of which Python in the worker",
}


def browser_bench_table() -> str:
    """benchmarks/browser.json (written by scripts/bench_browser.py) as tables: every figure is recorded."""
    path = ROOT / "benchmarks" / "browser.json"
    if not path.exists():
        return "<p>No browser benchmark recorded yet: run <code>scripts/bench_browser.py</code>.</p>"
    data = json.loads(path.read_text())
    variants = list(data["results"])
    goals = data.get("goals_ms", {})
    head = "".join(f'<th scope="col">{escape(v)}: median [min – max]</th>' for v in variants)
    rows = []
    for key, label in BENCH_LABELS.items():
        cells = []
        for v in variants:
            m = data["results"][v].get(key)
            cells.append("<td>—</td>" if m is None else f"<td>{m['median']:g} [{m['min']:g} – {m['max']:g}]</td>")
        goal = f"≤ {goals[key]:g}" if key in goals else ""
        rows.append(f'<tr><th scope="row">{escape(label)}</th><td>{goal}</td>{"".join(cells)}</tr>')
    m = data["machine"]
    boots = ", ".join(f"{v}: {'/'.join(data['results'][v].get('boot', []))}" for v in variants)
    table = (
        f'<table class="kl-table kl-n1"><caption>Milliseconds; {data["runs"]} runs per variant, each in a fresh '
        "browser profile</caption>"
        f'<thead><tr><th scope="col">Measure</th><th scope="col">Goal</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return (
        scroll_region(table, "browser benchmark")
        + f'<p class="kl-note">Recorded {escape(data["date"])} by <code>scripts/bench_browser.py</code>: '
        f"{escape(data['browser'])}, Pyodide {escape(data['pyodide'])}, {m['cpus']} CPU cores, "
        f"{escape(m['platform'])}; load average before and after: {m['load_average_before'][0]:g} and "
        f"{m['load_average_after'][0]:g} (other jobs shared the machine). Boot path seen: {escape(boots)}.</p>"
    )


def render_widget(name: str, prefix: str, overrides: dict[str, str], docs_dir: Path) -> str:
    """The calculator's form (from its signature) and its default result, as calc renders it."""
    specs = calculators.inputs(name)
    values: dict[str, Any] = {}
    for key, raw in overrides.items():
        # data-input-NAME="@path" reads the value from a file under docs/ (an example model, say).
        values[key] = (docs_dir / raw[1:]).read_text() if raw.startswith("@") else raw
    fields = "".join(_field(spec, prefix, values.get(spec.name, spec.default)) for spec in specs)
    result = calculators.run(name, values) if values else calculators.render(name)
    return (
        f'<div class="kl-calc" data-calc="{name}" data-state="static">'
        f'<form class="kl-form" novalidate aria-label="{escape(name.replace("_", " "))} inputs">{fields}</form>'
        '<p class="kl-status" role="status" aria-live="polite"></p>'
        # Focusable, so that keyboard users can scroll a wide result sideways (axe: scrollable-region-focusable).
        f'<div class="kl-output" data-calc-output aria-live="polite" tabindex="0" role="region" '
        f'aria-label="{escape(name.replace("_", " "))} result">{result}</div></div>'
    )


def _field(spec: Any, prefix: str, value: Any) -> str:
    fid = f"{prefix}-{spec.name}"
    described = f'aria-describedby="{fid}-help {fid}-msg"'
    common = f'id="{fid}" name="{spec.name}" {described}'
    if spec.kind == "bool":
        checked = " checked" if value else ""
        control = f'<input type="checkbox" {common}{checked}>'
    elif spec.kind == "choice":
        options = "".join(
            f'<option value="{escape(c)}"{" selected" if c == value else ""}>{escape(c)}</option>' for c in spec.choices
        )
        control = f"<select {common}>{options}</select>"
    elif spec.kind == "textarea":
        control = f'<textarea {common} rows="6" spellcheck="false">{escape(str(value))}</textarea>'
    elif spec.kind == "file":
        control = f'<input type="file" {common} accept=".keras,.json">'
    else:
        numeric = ' inputmode="numeric"' if spec.kind == "int" else ""
        bounds = f' data-min="{spec.minimum}" data-max="{spec.maximum}"' if spec.kind == "int" else ""
        control = f'<input type="text" {common} value="{escape(str(value))}"{numeric}{bounds} autocomplete="off">'
    return (
        f'<div class="kl-field kl-{spec.kind}"><label for="{fid}">{escape(spec.label)}</label>{control}'
        f'<small class="kl-help" id="{fid}-help">{escape(spec.help)}</small>'
        f'<small class="kl-msg" id="{fid}-msg"></small></div>'
    )
