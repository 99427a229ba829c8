"""The Keras code and the commands the calculators show (kernel_lab.code), run for real: for random calculator
inputs, the script in the page's ``data-calc-code`` element, executed with Keras, builds ``model`` (and, for the
comparisons, ``models``) with exactly the parameters and output shapes the page shows; the ``python -m calc``
command in ``data-calc-command``, run in a shell, prints the same figures. Inputs the one-layer calculator refuses
are counted, and Keras must refuse them too.

Run time: about 20 s on 2 cores (Keras builds each model without running it).
"""

from __future__ import annotations

import ast
import json
import os
import random
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import calc
from kernel_lab import code
from kernel_lab.calculators import LAYER_CLASSES, inputs, render, run
from kernel_lab.forms import InputError
from tests.hostile import PAYLOAD, SCRIPT

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
SEED = 20260513
LAYER_CASES = 200  # accepted one-layer inputs whose code is run
COMPARE_CASES = 20  # kernel comparisons and Inception modules each
CLI_CASES = 20  # one-layer commands run in a shell


class _Page(HTMLParser):
    """A calculator's result: its tables (caption, rows of cell texts), its text, and the text of every
    ``<code>`` inside a ``data-calc-code`` or ``data-calc-command`` element."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self.blocks: dict[str, list[str]] = {"data-calc-code": [], "data-calc-command": []}
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._block = ""
        self._code: list[str] | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "table":
            self.tables.append(([], []))
        elif tag == "tr":
            self.tables[-1][1].append([])
        elif tag in ("td", "th", "caption"):
            self._cell = []
        elif tag == "div" and names & set(self.blocks):
            self._block = (names & set(self.blocks)).pop()
        elif tag == "code" and self._block:
            self._code = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "caption") and self._cell is not None:
            text = "".join(self._cell).strip()
            (self.tables[-1][0] if tag == "caption" else self.tables[-1][1][-1]).append(text)
            self._cell = None
        elif tag == "code" and self._code is not None:
            self.blocks[self._block].append("".join(self._code))
            self._code = None
        elif tag == "div":
            self._block = ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for sink in (self._cell, self._code):
            if sink is not None:
                sink.append(data)

    def records(self, index: int = 0) -> list[dict[str, str]]:
        head, *rows = self.tables[index][1]
        return [dict(zip(head, row, strict=True)) for row in rows]

    def caption(self, index: int = 0) -> str:
        return self.tables[index][0][0]

    def one(self, kind: str) -> str:
        assert len(self.blocks[kind]) == 1, self.blocks
        return self.blocks[kind][0]


def number(text: str) -> int:
    return int(text.replace(",", ""))


def shape(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split(" × "))


@pytest.fixture(scope="module")
def keras() -> Any:
    return pytest.importorskip("keras")


def execute(keras: Any, script: str) -> dict[str, Any]:
    """The script's globals after running it as an imported module would run (no summary printed)."""
    namespace: dict[str, Any] = {"__name__": "kernel_lab_generated"}
    exec(compile(script, "<data-calc-code>", "exec"), namespace)
    assert isinstance(namespace["model"], keras.Model)
    return namespace


def output_shape(model: Any) -> tuple[int, ...]:
    return tuple(model.output.shape[1:])


# --- one layer ----------------------------------------------------------------------------------------------------


def _layer_values(rng: random.Random) -> dict[str, Any]:
    """Random one-layer inputs inside the form's bounds, small enough for Keras to build at once; groups
    mostly divide the channels and filters (Conv2D refuses them otherwise)."""
    channels, filters = rng.choice((1, 2, 3, 4, 6, 8, 12)), rng.choice((1, 2, 3, 4, 6, 8, 12))
    divisors = [g for g in range(1, 5) if channels % g == 0 and filters % g == 0]
    return {
        "class_name": rng.choice(LAYER_CLASSES),
        "height": rng.randint(1, 20),
        "width": rng.randint(1, 20),
        "channels": channels,
        "filters": filters,
        "kernel_height": rng.randint(1, 7),
        "kernel_width": rng.randint(1, 7),
        "strides": rng.choice((1, 1, 2, 3, 4)),
        "padding": rng.choice(("valid", "same")),
        "dilation_rate": rng.choice((1, 1, 1, 2, 3)),
        "groups": rng.choice(divisors) if rng.random() < 0.8 else rng.randint(1, 4),
        "depth_multiplier": rng.choice((1, 1, 2, 3)),
        "use_bias": rng.random() < 0.5,
        "dtype": rng.choice(tuple(calc.DTYPE_BYTES)),
    }


def _layer_config(values: dict[str, Any]) -> dict[str, Any]:
    """The Keras arguments of the layer ``values`` describe, derived here independently of the calculator."""
    takes = calc.layer_arguments(values["class_name"])
    config = {
        "pool_size" if "pool_size" in takes else "kernel_size": (values["kernel_height"], values["kernel_width"]),
        "strides": values["strides"],
        "padding": values["padding"],
    }
    config.update({k: values[k] for k in ("filters", "dilation_rate", "groups", "depth_multiplier", "use_bias")})
    return {k: v for k, v in config.items() if k in takes}


def _layer_cases() -> Iterator[tuple[dict[str, Any], str | None]]:
    """(values, the calculator's result or None where it refuses them), until LAYER_CASES were accepted."""
    rng = random.Random(SEED)
    accepted = 0
    while accepted < LAYER_CASES:
        values = _layer_values(rng)
        try:
            result: str | None = render("layer", **values)
            accepted += 1
        except InputError:
            result = None
        yield values, result


def test_one_layer_code_builds_what_the_page_shows(keras: Any) -> None:
    counts = {"accepted": 0, "refused": 0}
    classes = set()
    for i, (values, result) in enumerate(_layer_cases()):
        if result is None:  # the calculator refuses: Keras must refuse the same layer
            counts["refused"] += 1
            config = _layer_config(values)
            script = code.layer_script(values["class_name"], (values["height"], values["width"], values["channels"]),
                                       config, values["dtype"])  # fmt: skip
            with pytest.raises(ValueError):
                execute(keras, script)
            continue
        counts["accepted"] += 1
        classes.add(values["class_name"])
        page = _Page(result)
        figures = {r["Figure"]: r["Value"] for r in page.records()}
        model = execute(keras, page.one("data-calc-code"))["model"]
        assert model.count_params() == number(figures["Parameters"]), (values, figures)
        assert output_shape(model) == shape(figures["Output shape"]), (values, figures)
        assert type(model.layers[-1]).__name__ == values["class_name"]
        if i % 50 == 49:
            keras.backend.clear_session()
    assert counts["accepted"] == LAYER_CASES and counts["refused"] > 20, counts
    assert classes == set(LAYER_CLASSES)


FORM_ARGUMENTS = {"pool_size", "kernel_size", "strides", "padding", "filters", "dilation_rate", "groups",
                  "depth_multiplier", "use_bias"}  # fmt: skip


def test_one_layer_script_passes_only_what_the_class_takes() -> None:
    for class_name in LAYER_CLASSES:
        result = _Page(render("layer", class_name=class_name, height=9, width=9, channels=4, filters=4, strides=1))
        tree = ast.parse(result.one("data-calc-code"))
        call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).endswith(class_name))
        given = {k.arg for k in call.keywords} - {"dtype"}
        assert given == set(calc.layer_arguments(class_name)) & FORM_ARGUMENTS, class_name


def test_one_layer_command_prints_what_the_page_shows() -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    results = [r for _, r in _layer_cases() if r is not None][:: LAYER_CASES // CLI_CASES]
    assert len(results) == CLI_CASES
    for result in results:
        page = _Page(result)
        command = page.one("data-calc-command")
        assert command.startswith("python -m calc layer ")
        done = subprocess.run(["sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (command, done.stderr)
        printed = json.loads(done.stdout)
        figures = {r["Figure"]: r["Value"] for r in page.records()}
        assert printed["params"] == number(figures["Parameters"]), command
        assert tuple(printed["output_shape"][1:]) == shape(figures["Output shape"]), command
        assert printed["macs"] == number(figures["MACs"]), command


# --- kernel comparison and Inception ---------------------------------------------------------------------------


def test_kernel_compare_code_builds_each_variant_the_page_shows(keras: Any) -> None:
    rng = random.Random(SEED + 1)
    for _ in range(COMPARE_CASES):
        k = rng.choice((3, 5, 7, 9, 11, 13))
        per_layer = [rng.randint(1, 16) for _ in range(max(1, (k - 1) // 2))]
        values = {
            "kernel_size": k,
            "input_shape": f"{rng.randint(1, 16)}, {rng.randint(1, 16)}, {rng.randint(1, 16)}",
            "filters": ", ".join(map(str, per_layer if rng.random() < 0.5 else per_layer[-1:])),
            "strides": rng.choice((1, 1, 2, 3)),
            "use_bias": rng.random() < 0.5,
        }
        page = _Page(render("kernel_compare", **values))
        built = execute(keras, page.one("data-calc-code"))
        rows = page.records()
        assert list(built["models"]) == [r["Variant"] for r in rows], values
        assert built["model"] is built["models"][rows[0]["Variant"]]
        out = shape(page.caption().split(", output ")[1])
        for row, model in zip(rows, built["models"].values(), strict=True):
            assert model.count_params() == number(row["Params"]), (values, row)
            assert len(model.layers) - 1 == number(row["Layers"]), (values, row)
            assert output_shape(model) == out, (values, row)
        keras.backend.clear_session()


def test_inception_code_builds_both_modules_the_page_shows(keras: Any) -> None:
    rng = random.Random(SEED + 2)
    names = ("filters_1x1", "filters_3x3_reduce", "filters_3x3", "filters_5x5_reduce", "filters_5x5", "pool_proj")
    for _ in range(COMPARE_CASES):
        values = {"size": rng.randint(1, 12), "in_channels": rng.randint(1, 16)}
        values.update({name: rng.randint(1, 16) for name in names})
        page = _Page(render("inception", **values))
        built = execute(keras, page.one("data-calc-code"))
        total = next(r for r in page.records() if r["Branch"] == "total")
        shown = re.search(r"Output: naive ([0-9 ×]+), with 1×1 reductions ([0-9 ×]+)\.", "".join(page.text))
        assert shown is not None
        models = built["models"]
        assert list(models) == ["naive", "with 1×1 reductions"] and built["model"] is models["naive"]
        assert models["naive"].count_params() == number(total["Naive params"]), values
        assert models["with 1×1 reductions"].count_params() == number(total["Reduced params"]), values
        assert output_shape(models["naive"]) == shape(shown[1]), values
        assert output_shape(models["with 1×1 reductions"]) == shape(shown[2]), values
        keras.backend.clear_session()


# --- analyzer: the command ------------------------------------------------------------------------------------------


def _summary_json(command: str, folder: Path) -> dict[str, Any]:
    """Run an analyzer command (with --format json added) in ``folder``, with calc importable."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(["sh", "-c", command + " --format json"], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, (command, done.stderr)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _page_params(markup: str) -> int:
    found = re.search(r"parameters <strong>([0-9,]+)</strong>", markup)
    assert found is not None
    return number(found[1])


def test_analyzer_command_summarizes_the_same_model(keras: Any, tmp_path: Path) -> None:
    image, extra = keras.Input((None, None, 3)), keras.Input((5,))
    x = keras.layers.GlobalMaxPooling2D()(keras.layers.Conv2D(4, 3)(image))
    model = keras.Model([image, extra], keras.layers.Concatenate()([x, extra]))
    (tmp_path / "model.json").write_text(model.to_json())
    model.save(tmp_path / "model.keras")
    pasted = run("analyzer", {"source": model.to_json(), "input_shape": " 20 20 3 ; 5"})
    command = _Page(pasted).one("data-calc-command")
    assert command == "python -m calc summary model.json --input-shape '20,20,3;5'"
    assert "Save the JSON as model.json" in "".join(_Page(pasted).text)
    assert _summary_json(command, tmp_path)["totals"]["params"] == _page_params(pasted)
    dropped = run("analyzer", {"model_file": (tmp_path / "model.keras").read_bytes(), "input_shape": "20,20,3;5"})
    command = _Page(dropped).one("data-calc-command")
    assert command == "python -m calc summary model.keras --input-shape '20,20,3;5'"
    assert _summary_json(command, tmp_path)["totals"]["params"] == _page_params(dropped)
    assert "data-calc-command" not in run("analyzer", {})  # no model, no command


# --- values reach the code as literals ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [PAYLOAD, SCRIPT, "it's", 'say "x"', "a\\b\n'\"", "\x1b[2J", "same"])
def test_text_reaches_code_as_a_literal(text: str) -> None:
    assert ast.literal_eval(code._literal(text)) == text
    assert shlex.split(code.summary_command(text)) == ["python", "-m", "calc", "summary", text]
    assert shlex.split(code._cli_word("padding", text))[0].partition("=")[2] in (text, json.dumps(text))


def test_only_known_classes_and_whole_numbers_reach_the_code() -> None:
    config = {"filters": 4, "kernel_size": (3, 3)}
    for bad_class in ("Conv2D(1, 1)(x) or __import__('os').system('x') and Conv2D", "Dense ", "os"):
        with pytest.raises(ValueError):
            code.layer_script(bad_class, (8, 8, 3), config)
        with pytest.raises(ValueError):
            code.layer_command(bad_class, (8, 8, 3), config)
    for bad_shape in ((8, 8, "3"), (8, 8, True), (8, 8, 0), (8.0, 8, 3)):
        with pytest.raises(ValueError):
            code.layer_script("Conv2D", bad_shape, config)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        code.layer_script("Conv2D", (8, 8, 3), {"filters": 4.5, "kernel_size": 3})
    with pytest.raises(ValueError):
        code.summary_panel("application", None, "VGG16().save('x'); import os")


def test_every_configuration_calculator_shows_code_with_a_copy_button() -> None:
    for name in ("layer", "kernel_compare", "inception"):
        result = render(name)
        block = result[result.index("<div data-calc-code>") :]
        assert block.startswith('<div data-calc-code><pre><code class="language-python">')
        assert '<button type="button" class="kl-button" data-copy-code>Copy code</button>' in block
        assert ("data-calc-command" in result) == (name == "layer")
        assert {s.name for s in inputs(name)}  # the calculator has a form
