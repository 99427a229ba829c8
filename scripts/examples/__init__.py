"""The examples pipeline: the Keras scripts in examples/, run for real on this machine, checked against calc,
stored in results/ and rendered into the Examples and Fact-check pages.

- ``machine``: who is running (the fingerprint and the key of its results; the benchmarks record it too);
- ``child``: one example in a process of its own, the only place TensorFlow is imported;
- ``check``: calc against what Keras reported, layer by layer, through calc.summarize;
- ``store``: the results files, written atomically, and which of them are current;
- ``__main__``: the runner, ``python -m scripts.examples [--force] [NAME ...]``;
- ``render``: the Examples page's figures; ``factcheck`` (with the prose in ``claims.toml``): the Fact-check
  page's numbers and verdicts. website/kernel_lab_mkdocs/examples.py puts both into the pages.
"""
