"""The authors' loop: an edit of calc that imports no other module recompiles the site's Python (python.zip) only;
the trimmed standard library (python_stdlib.zip) keeps its bytes and its mtime. Under `mkdocs serve` that compiling
waits until after the build, which ships the edited python.zip as source meanwhile. An edit that imports another
standard-library module rebuilds the library in the build, with that module in it.

Needs Node and node_modules/pyodide. Starts from a copy of build/site-runtime/ (the build's cache), so that it
costs one Pyodide start per runtime build when that cache is current (minutes on a loaded machine otherwise).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from kernel_lab_mkdocs import runtime as hook

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "pyodide").is_dir(),
    reason="needs Node and node_modules/pyodide (npm ci)",
)
EDIT = """

_integer_before_edit = integer


def integer(value: int) -> str:  # noqa: F811  (the authors' loop test's edit)
    return "EDITED " + _integer_before_edit(value)
"""


def _state(runtime: Path, name: str) -> tuple[int, str]:
    path = runtime / name
    return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def _member(runtime: Path, name: str) -> bytes:
    with zipfile.ZipFile(runtime / "python-pyc.zip") as zf:
        return zf.read(name)


def _pyc_names(runtime: Path, module: str) -> list[str]:
    with zipfile.ZipFile(runtime / "python-pyc.zip") as zf:
        return [n for n in zf.namelist() if n.startswith(f"calc/__pycache__/{module}.")]


def test_a_calc_edit_rebuilds_python_zip_and_not_the_standard_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "site-runtime"
    if hook.RUNTIME.is_dir():
        shutil.copytree(hook.RUNTIME, runtime)
    calc = tmp_path / "calc"
    shutil.copytree(ROOT / "calc", calc, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(hook, "RUNTIME", runtime)
    packages = {"calc": calc, "kernel_lab": ROOT / "website" / "kernel_lab"}

    assert hook.fast_runtime(hook.python_zip(packages)) == runtime  # up to date with the sources as they are
    stdlib = _state(runtime, "python_stdlib.zip")
    modules = (runtime / "stdlib-modules.txt").read_text()
    pyc_before = _member(runtime, _pyc_names(runtime, "text")[0])

    assert hook.compiled_python(hook.python_zip(packages)) == runtime / "python-pyc.zip"

    text = calc / "text.py"
    text.write_text(text.read_text() + EDIT)
    edited = hook.python_zip(packages)
    later: list[Any] = []
    assert hook.fast_runtime(edited, later.append) == runtime
    # Under `mkdocs serve` the build does not wait: python.zip ships as source (no bytecode of the edited source
    # yet), and compiling it is left for after the build ...
    assert hook.compiled_python(edited) is None and len(later) == 1
    assert b"EDITED " not in _member(runtime, "calc/text.py")
    assert later[0]() == runtime
    assert hook.compiled_python(edited) == runtime / "python-pyc.zip"
    # python.zip as shipped (python-pyc.zip) holds the edited source and its bytecode, compiled anew ...
    assert b"EDITED " in _member(runtime, "calc/text.py")
    [pyc] = _pyc_names(runtime, "text")
    assert b"EDITED " in _member(runtime, pyc) and _member(runtime, pyc) != pyc_before
    # ... and the standard library was not rebuilt.
    assert _state(runtime, "python_stdlib.zip") == stdlib
    assert (runtime / "stdlib-modules.txt").read_text() == modules

    # An edit that imports a standard-library module the site did not use rebuilds the trimmed library with it.
    # Under `mkdocs serve` too, the build waits for it: the browser could not import colorsys from the old library.
    assert "colorsys.py" not in modules.split()
    text.write_text(text.read_text() + "\nimport colorsys  # noqa: E402\n")
    assert hook.fast_runtime(hook.python_zip(packages), later.append) == runtime
    assert len(later) == 1
    assert hook.compiled_python(hook.python_zip(packages)) == runtime / "python-pyc.zip"
    assert _state(runtime, "python_stdlib.zip") != stdlib
    assert "colorsys.py" in (runtime / "stdlib-modules.txt").read_text().split()
    with zipfile.ZipFile(runtime / "python_stdlib.zip") as zf:
        assert "colorsys.pyc" in zf.namelist()


def test_the_authors_page_table_shows_each_edit_against_its_goal() -> None:
    from kernel_lab_mkdocs.benchmarks import authors_report

    fp = {"date": "2026-12-07", "cpu": "Test CPU", "cores": 2, "python": "3.11.7", "loadavg": [9.5, 9, 9]}
    edits: dict[str, dict[str, Any]] = {
        "docs": {"file": "docs/index.md", "runs": [0.8, 0.9, 1.7], "median_s": 0.9, "min_s": 0.8, "max_s": 1.7},
        "calc": {"file": "calc/text.py", "runs": [3.5, 4.0, 4.2], "median_s": 4.0, "min_s": 3.5, "max_s": 4.2},
    }
    for e in edits.values():
        e["runtime_rebuilt"] = 3 if e["file"].startswith("calc") else 0
        e["cpu_median_s"] = 0.5 if e["file"].startswith("docs") else 2.25
    data = {"machine": fp, "goals_s": {"docs": 1.0, "calc": 3.0}, "first_build_s": 40.0, "edits": edits}
    page = str(authors_report(data))
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    docs_row = next(r for r in rows if "docs/index.md" in r)
    calc_row = next(r for r in rows if "calc/text.py" in r)
    assert ">0.90<" in docs_row and ">0.80–1.70<" in docs_row and "met" in docs_row and "missed" not in docs_row
    assert ">0.50<" in docs_row and ">2.25<" in calc_row
    assert ">4.00<" in calc_row and "<strong>missed</strong>" in calc_row
    assert "load average 9.50" in page and "took 40.0 s" in page
