"""Benchmarks: figures printed and stored under benchmarks/ (shown on the Methods page), never asserted in tests.

- ``python -m scripts.bench.calc``: calc's per-layer functions and a 1,000-layer receptive-field walk;
- ``python -m scripts.bench.analyzer``: the analyzer on InceptionResNetV2 against Keras's own parser, and the time
  the CLI takes to refuse absurd input;
- ``python -m scripts.bench.browser``: the calculators in headless Chromium, the site as built against the theme as
  shipped and against plain Pyodide.

Each records the machine's fingerprint (scripts/examples/machine.py), as the examples do.
"""
