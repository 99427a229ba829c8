"""What the kernel-lab plugin keeps between rebuilds under `mkdocs serve` (the same plugin instance) is never stale:
an edit of calc changes a calculator's default result and a figure calc computes (also one made by the plugin's own
modules, which import calc when they load); an edit of a stored run under results/ changes the figure made from it;
an edit of a page alone makes none of them again.

Runs MkDocs as `mkdocs serve` does (one process, the plugin kept, a new config per rebuild) on a copy of the project
with two small pages and Pyodide's own runtime (no Node), in a subprocess, so that the edits touch neither the
working tree nor this process's modules.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = """\
site_name: Cache test
theme:
  name: material
plugins:
  - kernel-lab:
      runtime: plain
      licences: false
      csp: false
      headers: false
"""
PAGES = {
    # kernel_compare's default result: calc's figures, written by calc.text.integer
    "calculator.md": '# Calculator\n\n<div data-calc="kernel_compare"></div>\n',
    # convnext: made by kernel_lab_mkdocs.convnext, which imports calc at its top; example_machines: results/
    "figures.md": (
        '# Figures\n\nParameters: <span data-figure="convnext" data-arg="params_large"></span>.\n\n'
        '<div data-figure="example_machines"></div>\n'
    ),
}
EDIT = """

_integer_before_edit = integer


def integer(value: int) -> str:  # noqa: F811  (the cache test's edit)
    return "EDITED " + _integer_before_edit(value)
"""
# In the copy: build, then apply each step's edit and rebuild, as `mkdocs serve` does; after the first build, count
# the calls of the figure made from results/ (the registry as the plugin imported it), and print each build's pages.
DRIVER = """
import json, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config

def config():
    return load_config(config_file="mkdocs.yml", site_dir="site")

first = config()
first.plugins.on_startup(command="serve", dirty=False)
build(first)
figures = sys.modules["kernel_lab_mkdocs.figures"]
made = figures.FIGURES["example_machines"]
calls = []
figures.FIGURES["example_machines"] = lambda *a: calls.append(1) or made(*a)
out = []
for step in [None, *sys.argv[1:]]:
    if step:  # "PATH+=TEXT" appends, "PATH=TEXT" replaces
        path, text = step.split("=", 1)
        if path.endswith("+"):
            path, text = path[:-1], Path(path[:-1]).read_text() + text
        Path(path).write_text(text)
    if out:
        build(config())
    pages = {p: Path("site", p.removesuffix(".md"), "index.html").read_text() for p in ("calculator.md", "figures.md")}
    out.append({"pages": pages, "calls": len(calls)})
print(json.dumps(out))
"""


def _project(dest: Path) -> None:
    for folder in ("calc", "website", "results", "examples", "benchmarks", "docs/assets"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    (dest / "mkdocs.yml").write_text(CONFIG)
    for name, text in PAGES.items():
        (dest / "docs" / name).write_text(text)


def test_rebuilds_make_what_an_edit_touched_and_nothing_stale(tmp_path: Path) -> None:
    _project(tmp_path)
    machine = tmp_path / "results" / "amd-epyc-2c" / "machine.json"
    stored = json.loads(machine.read_text())
    assert stored["cpu"] != "Cache Test CPU"
    edited_machine = json.dumps({**stored, "cpu": "Cache Test CPU"}, indent=1)
    steps = [
        "docs/figures.md+=\n\nAn edit of the page.\n",  # 1: a page
        f"{machine.relative_to(tmp_path)}={edited_machine}",  # 2: a stored run
        f"calc/text.py+={EDIT}",  # 3: calc (last: the plugin then imports the figures' registry afresh)
    ]
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(tmp_path / "website")]),
    }
    cmd = [sys.executable, "-c", DRIVER, *steps]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    builds = json.loads(done.stdout.splitlines()[-1])
    first, page_edit, results_edit, calc_edit = builds

    # The page's edit shows; no figure was made again (the registry's figure not called), the pages otherwise same.
    assert "An edit of the page." in page_edit["pages"]["figures.md"]
    assert page_edit["calls"] == 0
    assert page_edit["pages"]["calculator.md"] == first["pages"]["calculator.md"]

    # The stored run's edit reaches the figure made from it, made once more; the calculator's page is as it was.
    assert "Cache Test CPU" not in page_edit["pages"]["figures.md"]
    assert "Cache Test CPU" in results_edit["pages"]["figures.md"]
    assert results_edit["calls"] == 1
    assert results_edit["pages"]["calculator.md"] == first["pages"]["calculator.md"]

    # calc's edit reaches the calculator's default result and the figure of the plugin's own module.
    assert "EDITED " not in results_edit["pages"]["calculator.md"] + results_edit["pages"]["figures.md"]
    assert "EDITED " in calc_edit["pages"]["calculator.md"]
    convnext = calc_edit["pages"]["figures.md"].split("Parameters: ", 1)[1].split(".", 1)[0]
    assert convnext.startswith("EDITED ")
    assert "Cache Test CPU" in calc_edit["pages"]["figures.md"]


def test_every_figure_says_what_it_reads() -> None:
    """A figure missing from figures.INPUTS would be made on every build (never stale, but slow): each is listed,
    with stamps the plugin makes."""
    from kernel_lab_mkdocs import figures

    assert set(figures.INPUTS) == set(figures.FIGURES)
    named = {name for inputs in figures.INPUTS.values() if inputs for name in inputs}
    assert named <= {"results", "examples", "benchmarks", "docs"}
    assert figures.INPUTS["shipped_size"] is None  # made from the build's own runtime
