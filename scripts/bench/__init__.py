"""Benchmarks: figures printed and stored as JSON under benchmarks/, never asserted in tests.

- ``python -m scripts.bench.calc_speed``: calc's per-layer functions, and the receptive and effective field of
  1,000-layer chains;
- ``python -m scripts.bench.analyzer``: the analyzer on InceptionResNetV2 against Keras's own parser, and the time
  the CLI takes to refuse absurd input;
- ``python -m scripts.bench.browser``: the calculators in headless Chromium, the site as built against the theme as
  shipped and against plain Pyodide, on localhost; a first and a second visit over emulated networks from hosts
  that do and do not compress (scripts/bench/hosts.py), with the bytes sent; every calculator page cold.

Each records the machine's fingerprint (scripts/examples/machine.py), as the examples do. report.py renders the
records as the tables of the authors' page docs/site-speed.md (figure markers bench_calc, bench_analyzer and
browser_bench).
"""
