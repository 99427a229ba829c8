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
