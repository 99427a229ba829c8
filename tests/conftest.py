# Test-wide settings. No TensorFlow here: tests/pyodide/run.mjs loads this file
# inside Pyodide too.
#
# Hypothesis runs derandomized and without an example database, so a CI run
# draws the same examples as a local one and writes nothing to the tree.
# No deadline: the same tests run inside Pyodide, several times slower.

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("calc", derandomize=True, database=None, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "calc"))
