# Test-wide settings. No TensorFlow here: tests/pyodide/run.mjs loads this file
# inside Pyodide too.
#
# Hypothesis runs derandomized and without an example database, so a CI run
# draws the same examples as a local one and writes nothing to the tree.
# No deadline: the same tests run inside Pyodide, several times slower.

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("calc", derandomize=True, database=None, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "calc"))

# TensorFlow's x86 Linux build turns oneDNN on by default only on CPUs with AVX-512-class features; without them its
# reference kernels run, and those refuse some configs Keras accepts (DepthwiseConv2D with unequal strides: "only
# supports equal length strides"), which the cross-check would count as Keras rejecting them. Every machine runs
# the tests with oneDNN on, as the machines with those CPU features do by default (set before TensorFlow loads).
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as `mkdocs build --strict` writes it, built once per session for every test that reads it."""
    import subprocess
    import sys

    dest = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(dest)]
    done = subprocess.run(cmd, cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return dest


# --- groups of tests, by intent ------------------------------------------------------------------
# Every test belongs to one or more groups (markers registered in pyproject.toml), so that an author can run one:
# `pytest -m engine`. A test's groups come from where it lives: the longest entry of GROUPS that its file's path
# (relative to the repository) starts with. tests/test_groups.py checks that every test file has a group.
#   engine   calc's own tests (its doctests, tests/portable) and its cross-checks against Keras
#   site     the plugin, the site's Python (calculators, figures, pages) and the built site
#   runner   the example runner (scripts/examples) and the benchmarks (scripts/bench)
#   browser  the site in real browsers (tests/browser: Chromium, Firefox, WebKit)
ENGINE, SITE, RUNNER, BROWSER = "engine", "site", "runner", "browser"
GROUPS: dict[str, tuple[str, ...]] = {
    "calc/": (ENGINE,),  # doctests
    "website/": (SITE,),  # doctests of kernel_lab and kernel_lab_mkdocs
    "kernel_lab/": (SITE,),  # the same, as tests/pyodide/run.mjs lays them out
    "scripts/": (RUNNER,),
    "tests/browser/": (BROWSER,),
    "tests/portable/": (ENGINE,),  # calc's properties, tables, limits and errors (also run inside Pyodide)
    "tests/portable/test_calculators_fuzz.py": (SITE,),
    "tests/portable/test_hostile_text.py": (ENGINE, SITE),
    "tests/portable/test_limits.py": (ENGINE, SITE),
    "tests/test_cli.py": (ENGINE,),
    "tests/test_cli_messages.py": (ENGINE,),
    "tests/test_convnext_keras.py": (ENGINE,),
    "tests/test_effective_keras.py": (ENGINE,),
    "tests/test_keras_crosscheck.py": (ENGINE,),
    "tests/test_model_keras.py": (ENGINE,),
    "tests/test_packaging.py": (ENGINE,),
    "tests/test_layout.py": (ENGINE, SITE),
    "tests/test_accuracy.py": (RUNNER, SITE),
    "tests/test_examples.py": (RUNNER, SITE),
    "tests/test_timing.py": (RUNNER,),
    "tests/test_authors_loop.py": (SITE,),
    "tests/test_bench_report.py": (SITE,),
    "tests/test_bundle.py": (SITE,),
    "tests/test_calculators.py": (SITE,),
    "tests/test_convnext.py": (SITE,),
    "tests/test_diagram.py": (SITE,),
    "tests/test_factcheck.py": (SITE,),
    "tests/test_figure_errors.py": (SITE,),
    "tests/test_groups.py": (SITE, ENGINE, RUNNER),
    "tests/test_headers.py": (SITE,),
    "tests/test_home.py": (SITE,),
    "tests/test_keras_code.py": (SITE,),
    "tests/test_licences.py": (SITE,),
    "tests/test_plugin.py": (SITE,),
    "tests/test_reader_pages.py": (SITE,),
    "tests/test_render_effective.py": (SITE,),
    "tests/test_site_build.py": (SITE,),
    "tests/test_site_cache.py": (SITE,),
    "tests/test_speed_page.py": (SITE,),
    "tests/test_stats.py": (SITE, RUNNER),
    "tests/test_store_records.py": (SITE,),
    "tests/test_theme_patch.py": (SITE,),
    "tests/test_workflow.py": (SITE,),
}


def groups_of(relative: str) -> tuple[str, ...]:
    """The groups of the tests in a file, by its path relative to the repository ("tests/test_cli.py"); () when
    GROUPS names no entry it starts with."""
    found = [prefix for prefix in GROUPS if relative.startswith(prefix)]
    return GROUPS[max(found, key=len)] if found else ()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            relative = item.path.relative_to(config.rootpath).as_posix()
        except ValueError:  # a file outside the repository
            continue
        for group in groups_of(relative):
            item.add_marker(group)
