"""Tests by intent: every test file belongs to a group (engine, site, runner, browser: markers registered in
pyproject.toml, given by tests/conftest.py's GROUPS by where the file lives), and `pytest -m GROUP` runs that
group's tests and no other."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import GROUPS, groups_of

ROOT = Path(__file__).resolve().parents[1]


def _registered() -> set[str]:
    ini = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    return {line.split(":")[0] for line in ini["markers"]}


def _collected_files() -> list[str]:
    """Every file pytest collects tests from: test_*.py under tests/, and each module of testpaths' packages
    (their doctests)."""
    ini = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    files = []
    for top in ini["testpaths"]:
        pattern = "test_*.py" if top == "tests" else "*.py"
        files += [p.relative_to(ROOT).as_posix() for p in (ROOT / top).rglob(pattern) if "__pycache__" not in p.parts]
    return sorted(files)


def test_every_test_file_has_a_registered_group() -> None:
    files = _collected_files()
    assert "tests/test_site_build.py" in files and "calc/text.py" in files  # the listing finds what pytest does
    assert [f for f in files if not groups_of(f)] == []
    assert {g for f in files for g in groups_of(f)} == _registered() == {"engine", "site", "runner", "browser"}


def test_the_map_names_only_files_and_folders_that_exist() -> None:
    assert [prefix for prefix in GROUPS if prefix != "kernel_lab/" and not (ROOT / prefix).exists()] == []


def test_a_file_in_no_group_is_reported_as_such() -> None:
    assert groups_of("tests/test_not_classified_yet.py") == ()
    assert groups_of("tests/portable/test_new.py") == ("engine",)  # the folder's group
    assert groups_of("tests/portable/test_calculators_fuzz.py") == ("site",)  # the file's own entry wins


def test_pytest_m_selects_one_group() -> None:
    """`pytest -m engine` on an engine file, a site file and calc's doctests keeps the engine file's tests and
    calc's doctests only; `-m site` the other way round."""
    args = ["tests/test_cli.py", "tests/test_stats.py", "calc/text.py"]

    def selected(group: str) -> set[str]:
        cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", group, *args]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}

    assert selected("engine") == {"tests/test_cli.py", "calc/text.py"}
    assert selected("site") == {"tests/test_stats.py"}
    assert selected("runner") == {"tests/test_stats.py"}
