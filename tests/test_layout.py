"""The tree shows the architecture: calc imports nothing of the site, the site's Python nothing of the build
scripts, and no function of the project is longer than a screen."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "calc": ROOT / "calc",
    "kernel_lab": ROOT / "website" / "kernel_lab",
    "kernel_lab_mkdocs": ROOT / "website" / "kernel_lab_mkdocs",
}
MAX_FUNCTION_LINES = 80


def _imports(folder: Path) -> set[str]:
    """Top-level names of every module imported by the .py files in ``folder``."""
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


# The plugins may use MkDocs (and what it brings: Jinja, Markdown, mkdocstrings' handlers) but never the runner
# (scripts/) or the tests: the site builds from declared packages alone.
PLUGINS_MAY_IMPORT = {
    "calc",
    "kernel_lab",
    "kernel_lab_mkdocs",
    "mkdocs",
    "jinja2",
    "markdown",
    "mkdocstrings_handlers",
}


@pytest.mark.parametrize(
    ("package", "allowed"),
    [("calc", {"calc"}), ("kernel_lab", {"calc", "kernel_lab"}), ("kernel_lab_mkdocs", PLUGINS_MAY_IMPORT)],
)
def test_imports_go_one_way(package: str, allowed: set[str]) -> None:
    project = {"calc", "kernel_lab", "kernel_lab_mkdocs", "scripts", "tests"}
    foreign = {m for m in _imports(PACKAGES[package]) if m not in sys.stdlib_module_names and m != "__future__"}
    assert foreign <= allowed, f"{package} imports {sorted(foreign - allowed)}"
    assert (_imports(PACKAGES[package]) & project) <= allowed


def test_importing_calc_loads_nothing_of_the_site() -> None:
    code = "import sys, calc, calc.text, calc._cli; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert not [m for m in loaded if m.split(".")[0] in ("kernel_lab", "scripts", "tests", "mkdocs", "numpy")]


def _functions(folder: Path) -> list[tuple[str, int]]:
    out = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
                out.append((f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", node.end_lineno - node.lineno + 1))
    return out


@pytest.mark.parametrize("folder", ["calc", "website/kernel_lab", "website/kernel_lab_mkdocs", "scripts"])
def test_no_function_is_longer_than_a_screen(folder: str) -> None:
    functions = _functions(ROOT / folder)
    assert functions
    assert [f for f, lines in functions if lines > MAX_FUNCTION_LINES] == []
