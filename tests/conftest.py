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
