"""The examples pipeline: stored results are current, the runner caches, fails loudly and writes atomically,
calc's check catches a disagreement with Keras, and the pages' numbers come from the stored data.

No TensorFlow in this process: the runner tests use tiny example scripts that do not import Keras.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from html import escape as html_escape
from pathlib import Path
from typing import Any

import markdown
import pytest
from mkdocs.exceptions import PluginError
from mkdocs.structure.toc import get_toc

from kernel_lab_mkdocs import render, store
from kernel_lab_mkdocs.plugin import table_of_contents
from kernel_lab_mkdocs.store import Data
from scripts.examples import __main__ as runner
from scripts.examples import accuracy, check, effective_field, timing
from scripts.examples.machine import machine_key
from tests.site_plugin import page_content

ROOT = Path(__file__).resolve().parent.parent
RESULTS, EXAMPLES = ROOT / "results", ROOT / "examples"


# --- the committed results ------------------------------------------------------------------------


def test_committed_results_match_the_example_sources() -> None:
    assert store.stale_results(RESULTS, EXAMPLES) == []


def test_every_example_has_a_committed_result() -> None:
    stored = store.load_results(RESULTS)
    assert stored, "no results committed"
    have = {name for machine in stored.values() for name in machine["examples"]}
    assert set(store.example_names(EXAMPLES)) <= have


def test_a_changed_source_makes_its_result_stale(tmp_path: Path) -> None:
    (tmp_path / "ex").mkdir()
    script = tmp_path / "ex" / "one.py"
    script.write_text("print('a')\n")
    # A whole record (the store reads only records of the stored shape): no models, as an expected failure has.
    record = {
        "example": "one",
        "source_sha256": store.source_hash(script),
        "status": "ok",
        "machine": "m",
        "models": [],
    }
    (tmp_path / "res" / "m").mkdir(parents=True)
    (tmp_path / "res" / "m" / "one.json").write_text(json.dumps(record))
    assert store.stale_results(tmp_path / "res", tmp_path / "ex") == []
    script.write_text("print('b')\n")
    assert store.stale_results(tmp_path / "res", tmp_path / "ex") == ["m/one"]


def test_machine_key_is_a_slug_of_cpu_cores_and_accelerator() -> None:
    assert machine_key("AMD EPYC 7B13 64-Core Processor", 2, []) == "amd-epyc-7b13-2c"
    key = machine_key("Intel(R) Xeon(R) Platinum 8480+ @ 2.0GHz", 16, [{"name": "NVIDIA H100 80GB"}])
    assert key == "intel-xeon-platinum-8480-16c-nvidia-h100-80gb"


# --- calc against what Keras reported --------------------------------------------------------------


def _stored_model(example: str) -> dict[str, Any]:
    for machine in store.load_results(RESULTS).values():
        if example in machine["examples"]:
            return copy.deepcopy(machine["examples"][example]["models"][0])
    pytest.skip(f"no stored result for {example}")


@pytest.mark.parametrize("example", ["article_7x7", "article_3x3_stack", "inception_3_fixed"])
def test_calc_agrees_with_the_layers_keras_reported(example: str) -> None:
    model = _stored_model(example)
    figures = check.check_model(model)
    assert figures["mismatches"] == []
    assert figures == model["calc"]  # the stored figures are what the check computes today


def test_a_wrong_parameter_count_is_a_mismatch_naming_the_layer() -> None:
    model = _stored_model("article_7x7")
    conv = next(layer for layer in model["layers"] if layer["class_name"] == "Conv2D")
    conv["params"] += 1
    (problem,) = check.check_model(model)["mismatches"]
    assert f"{model['name']}/{conv['name']} (Conv2D): params" in problem


def test_a_wrong_output_shape_is_a_mismatch() -> None:
    model = _stored_model("inception_3_fixed")
    concat = next(layer for layer in model["layers"] if layer["class_name"] == "Concatenate")
    concat["output_shape"][-1] += 1
    problems = check.check_model(model)["mismatches"]
    assert any(f"/{concat['name']} (Concatenate): output shape" in p for p in problems)


# --- the article's code as written ----------------------------------------------------------------

AS_WRITTEN = {"article_7x7_as_written": "article_7x7", "article_3x3_stack_as_written": "article_3x3_stack"}
ARTICLE = ROOT.parent / "shared" / "seed" / "000_6b81ef32f9054892.txt"


def _stored(example: str) -> dict[str, Any]:
    for machine in store.load_results(RESULTS).values():
        if example in machine["examples"]:
            return copy.deepcopy(machine["examples"][example])
    pytest.skip(f"no stored result for {example}")


@pytest.mark.parametrize("written", AS_WRITTEN)
def test_the_article_code_as_written_runs_and_its_warning_is_recorded(written: str) -> None:
    rec = _stored(written)
    assert rec["status"] == "ok" and rec["error"] is None
    (warning,) = rec["warnings"]
    assert warning["category"] == "UserWarning"
    assert "`input_shape`" in warning["message"]
    source = (EXAMPLES / f"{written}.py").read_text().splitlines()
    assert "input_shape=(256, 256, 3)" in source[warning["example_line"] - 1]  # the example's own line
    assert warning["example_code"] == source[warning["example_line"] - 1].strip()
    assert warning["filename"].startswith("site-packages/keras/")  # paths cleaned
    assert "input_shape" in warning["text"] and str(ROOT) not in json.dumps(rec)
    assert _stored(AS_WRITTEN[written])["warnings"] == []  # the modern form raises none


@pytest.mark.parametrize("written", AS_WRITTEN)
def test_the_article_code_as_written_builds_what_the_modern_form_builds(written: str) -> None:
    (old,), (new,) = _stored(written)["models"], _stored(AS_WRITTEN[written])["models"]

    def params(summary: str) -> list[str]:
        """The summary's parameter column and its totals, as Keras printed them."""
        rows = [line.split("│")[-2].strip() for line in summary.splitlines() if line.startswith("│")]
        return rows + [line for line in summary.splitlines() if "params:" in line]

    assert params(old["summary"]) == params(new["summary"])
    assert [(x["class_name"], x["output_shape"], x["params"]) for x in old["layers"]] == [
        (x["class_name"], x["output_shape"], x["params"]) for x in new["layers"]
    ]
    assert old["calc"]["totals"] == new["calc"]["totals"] and old["calc"]["mismatches"] == []


@pytest.mark.parametrize("number, written", [(0, "article_7x7_as_written"), (1, "article_3x3_stack_as_written")])
def test_the_as_written_examples_are_the_article_code_verbatim(number: int, written: str) -> None:
    if not ARTICLE.exists():
        pytest.skip("the article is not in this checkout")
    blocks = re.findall(r"```python\n(.*?)```", ARTICLE.read_text(), re.S)
    _, _, code = render.split_example(EXAMPLES / f"{written}.py")
    assert code + "\n" == blocks[number]


# --- the runner on a tiny example set ------------------------------------------------------------


def run(tmp: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.examples",
            f"--examples-dir={tmp / 'ex'}",
            f"--results-dir={tmp / 'res'}",
            f"--work-dir={tmp / 'work'}",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def results_of(tmp: Path) -> dict[str, Any]:
    (machine,) = (tmp / "res").iterdir()
    return {p.stem: json.loads(p.read_text()) for p in machine.glob("*.json")}


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    (tmp_path / "ex").mkdir()
    (tmp_path / "ex" / "good.py").write_text('"""Good\n\nPrints a line."""\nprint("hello from good")\n')
    (tmp_path / "ex" / "bad.py").write_text('def f():\n    raise RuntimeError("boom")\n\nf()\n')
    return tmp_path


def test_a_failing_example_fails_the_run_and_the_others_are_kept(fake: Path) -> None:
    proc = run(fake)
    assert proc.returncode == 1
    assert "FAILED: bad" in proc.stderr
    log = (fake / "work" / "run.log").read_text()
    assert "RuntimeError: boom" in log and "line 2, in f" in log
    stored = results_of(fake)
    assert set(stored) == {"good", "machine"}
    assert stored["good"]["stdout"] == "hello from good\n"
    assert stored["good"]["status"] == "ok"


def test_warnings_and_stderr_are_recorded_with_the_example_line(fake: Path) -> None:
    (fake / "ex" / "bad.py").write_text(
        'import sys\nimport warnings\n\nwarnings.warn("careful", FutureWarning)\nprint("to stderr", file=sys.stderr)\n'
    )
    assert run(fake).returncode == 0
    rec = results_of(fake)["bad"]
    (warning,) = rec["warnings"]
    assert warning["category"] == "FutureWarning" and warning["message"] == "careful"
    assert warning["example_line"] == warning["lineno"] == 4
    assert warning["example_code"] == 'warnings.warn("careful", FutureWarning)'
    assert warning["text"].endswith(': FutureWarning: careful\n  warnings.warn("careful", FutureWarning)\n')
    assert rec["stderr"] == "to stderr\n"
    assert "to stderr" in (fake / "work" / "run.log").read_text()  # passed on to the log as well
    assert results_of(fake)["good"]["warnings"] == [] and results_of(fake)["good"]["stderr"] == ""


def test_unchanged_examples_are_not_run_again_and_force_runs_them(fake: Path) -> None:
    (fake / "ex" / "bad.py").unlink()
    assert run(fake).returncode == 0
    first = results_of(fake)["good"]
    again = run(fake)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert results_of(fake)["good"]["run"]["date"] == first["run"]["date"]
    time.sleep(1.1)  # the date has a resolution of one second
    forced = run(fake, "--force")
    assert forced.returncode == 0
    assert results_of(fake)["good"]["run"]["date"] != first["run"]["date"]


def test_a_changed_example_is_run_again_and_only_it(fake: Path) -> None:
    (fake / "ex" / "bad.py").write_text('print("fixed")\n')
    assert run(fake).returncode == 0
    (fake / "ex" / "bad.py").write_text('print("changed")\n')
    proc = run(fake)
    assert proc.returncode == 0
    log = (fake / "work" / "run.log").read_text()
    assert "=== bad" in log and "=== good" not in log
    assert results_of(fake)["bad"]["stdout"] == "changed\n"


def test_a_regression_keeps_the_previous_good_result(fake: Path) -> None:
    (fake / "ex" / "bad.py").unlink()
    assert run(fake).returncode == 0
    before = (next((fake / "res").iterdir()) / "good.json").read_bytes()
    (fake / "ex" / "good.py").write_text('raise ValueError("now broken")\n')
    proc = run(fake)
    assert proc.returncode == 1 and "good" in proc.stderr
    assert (next((fake / "res").iterdir()) / "good.json").read_bytes() == before


def test_examples_can_be_selected_by_name(fake: Path) -> None:
    proc = run(fake, "good")
    assert proc.returncode == 0
    assert set(results_of(fake)) == {"good", "machine"}
    assert run(fake, "nosuch").returncode == 2


def test_a_killed_run_leaves_no_half_written_file(fake: Path) -> None:
    (fake / "ex" / "bad.py").unlink()
    assert run(fake).returncode == 0
    (fake / "ex" / "slow.py").write_text("import time\ntime.sleep(60)\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts.examples", f"--examples-dir={fake / 'ex'}",
         f"--results-dir={fake / 'res'}", f"--work-dir={fake / 'work'}", "--force"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while "=== slow" not in (fake / "work" / "run.log").read_text():
        assert time.monotonic() < deadline, "the runner never reached the slow example"
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    machine_dir = next((fake / "res").iterdir())
    names = sorted(p.name for p in machine_dir.iterdir())
    assert names == ["good.json", "machine.json"]
    for p in machine_dir.iterdir():
        json.loads(p.read_text())


def test_an_interrupted_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "res" / "x.json"
    store.atomic_write_json(target, {"v": 1}, tmp_path / "work")

    def broken_dump(obj: Any, f: Any, **kwargs: Any) -> None:
        f.write('{"v": ')
        raise KeyboardInterrupt

    monkeypatch.setattr(json, "dump", broken_dump)
    with pytest.raises(KeyboardInterrupt):
        store.atomic_write_json(target, {"v": 2}, tmp_path / "work")
    assert json.loads(target.read_text()) == {"v": 1}
    assert list((tmp_path / "work").iterdir()) == []


def test_a_cached_run_takes_no_tensorflow_and_little_time() -> None:
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scripts.examples", "--dry-run"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    elapsed = time.monotonic() - start
    if "up to date" not in proc.stdout:
        pytest.skip("the stored results are not current for this machine; the cached path is not taken")
    assert "tensorflow" not in proc.stderr
    assert elapsed < 10  # generous: the budget (3 s) is measured by hand, not in a test


# --- the stages after the examples, with stubs in place of Keras ---------------------------------------------


def _clock(text: str) -> float:
    """'16:40' -> 1000.0 seconds."""
    minutes, seconds = text.split(":")
    return 60.0 * int(minutes) + int(seconds)


def test_a_forced_run_says_what_it_reruns_and_how_long_each_stage_takes() -> None:
    """--force --dry-run prints the plan without importing TensorFlow: the examples, the effective field, a timing
    stage for every engine, each with its expected time; the total is the sum of the rows and within 30 minutes;
    the accuracy stage's training is named as not re-run."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scripts.examples", "--force", "--dry-run"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    assert "tensorflow" not in proc.stderr  # importtime lists every module imported: none of TensorFlow
    lines = proc.stdout.splitlines()
    rows = [m for m in (re.fullmatch(r"\s+(\d+:\d\d)  (.*)", line) for line in lines) if m]
    times, whats = [_clock(m[1]) for m in rows], [m[2] for m in rows]
    assert len(rows) == 5  # examples, effective field, two timing stages, the total
    assert "example(s)" in whats[0] and "effective receptive field" in whats[1]
    titles = re.findall(r"^timings on (.*?): \d+ processes", "\n".join(whats[2:4]), re.M)
    engines = [e for t in titles for e in t.split(" and on ")]
    assert sorted(engines) == sorted(e.title for e in timing.ENGINES.values())
    assert whats[-1].startswith("in all")
    assert times[-1] == pytest.approx(sum(times[:-1]), abs=len(times))  # rounded to the second, row by row
    assert times[-1] <= 30 * 60
    assert any(line.startswith("not re-run: the accuracy stage's training") for line in lines)


def test_each_timing_stage_gets_a_budget_and_every_engine_is_timed_once(tmp_path: Path) -> None:
    args = runner.parse_args(["--force", f"--results-dir={tmp_path}"])
    found = runner.stages(args, {"key": "m"})
    timed = [s for s in found if s.main is timing.main]
    engines = [e for s in timed for e in s.argv[s.argv.index("--engines") + 1].split(",")]
    assert sorted(engines) == sorted(timing.ENGINES)
    for stage in timed:
        budget = float(stage.argv[stage.argv.index("--budget") + 1])
        assert 0 < budget <= stage.expected_s  # the processes' set-up comes on top of the rounds' budget
        assert "--force" in stage.argv and str(tmp_path) in stage.argv
    assert [s.main for s in found] == [effective_field.main, timing.main, timing.main]  # no training unless asked
    with_training = runner.stages(runner.parse_args(["--accuracy"]), {"key": "m"})
    assert with_training[-1].main is accuracy.main and not with_training[-1].in_goal
    assert "--force" not in with_training[-1].argv


def test_the_stages_run_in_order_and_stop_at_the_first_failure() -> None:
    called: list[tuple[str, list[str]]] = []

    def stub(name: str, status: int) -> Any:
        def main(argv: list[str]) -> int:
            called.append((name, argv))
            return status

        return main

    stages = [
        runner.Stage("first", stub("first", 0), ("--a",), 1.0, "an estimate"),
        runner.Stage("second", stub("second", 4), ("--b", "2"), 1.0, "an estimate"),
        runner.Stage("third", stub("third", 0), (), 1.0, "an estimate"),
    ]
    report = io.StringIO()
    assert runner.run_stages(stages, report) == 4
    assert called == [("first", ["--a"]), ("second", ["--b", "2"])]
    assert report.getvalue().splitlines()[0].startswith("first: 0:00")


def test_a_forced_run_ends_with_its_whole_time_against_the_goal() -> None:
    assert runner.total_line(25 * 60 + 54.4, False) == "in all: 25:54 (the goal: at most 30:00; met)"
    assert runner.total_line(30 * 60 + 1, False) == "in all: 30:01 (the goal: at most 30:00; missed)"
    assert runner.total_line(99 * 60, True) == "in all: 99:00, the training included (the goal of 30:00 leaves it out)"


def test_a_cached_run_calls_each_stage_and_trains_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the examples current, main() goes on to the stages (stubs here): the effective field, then TensorFlow's
    timings, then XLA's and JAX's, each with its budget; the accuracy stage only with --accuracy."""
    from scripts.examples import machine

    if runner.Run(runner.parse_args([]), machine.fingerprint(), store.example_names(EXAMPLES)).pending:
        pytest.skip("the stored results are not current for this machine; main() would run the examples")
    called: list[tuple[str, list[str]]] = []

    def stub(name: str) -> Any:
        def main(argv: list[str]) -> int:
            called.append((name, argv))
            return 0

        return main

    for module in (effective_field, timing, accuracy):
        monkeypatch.setattr(module, "main", stub(module.__name__))
    assert runner.main([]) == 0
    names = [name.rsplit(".", 1)[1] for name, _ in called]
    assert names == ["effective_field", "timing", "timing"]
    assert all("--budget" in argv and "--force" not in argv for name, argv in called if name.endswith("timing"))
    called.clear()
    assert runner.main(["--accuracy"]) == 0
    assert [name.rsplit(".", 1)[1] for name, _ in called] == ["effective_field", "timing", "timing", "accuracy"]


# --- the pages -------------------------------------------------------------------------------------


def markdown_page(page: str) -> markdown.Markdown:
    """A Markdown converter for a page under docs/, with the extensions of mkdocs.yml that shape its headings."""
    extensions = ["toc", "attr_list", "md_in_html", "tables", "admonition"]
    return markdown.Markdown(extensions=extensions, extension_configs={"toc": {"permalink": True}})


def render_page(page: str, root: Path = ROOT) -> tuple[str, Any]:
    """A page through Markdown and the examples hook, with the results under ``root``: (HTML, table of contents)."""
    text = markdown_page(page).convert((ROOT / "docs" / page).read_text())
    html, fake = page_content(text, page, root)
    return html, fake.toc


def test_the_examples_page_renders_every_marker_with_current_data() -> None:
    text, toc = render_page("examples.md")
    assert "data-figure" not in text
    assert 'class="admonition' not in text  # no warning: every example has a current result
    assert text.count("<svg") >= 5
    for name in ("article_7x7", "article_7x7_as_written", "inception_3_fixed"):
        model = _stored_model(name)
        assert model["summary"].splitlines()[2].replace("&", "&amp;") in text
    assert "NameError: name &#x27;x&#x27; is not defined" in text
    titles = [link.title for section in toc.items[0].children for link in section.children]
    assert "One 7×7 convolution" in titles and "Inception module, corrected" in titles


def test_the_article_code_is_shown_beside_its_modern_form_with_its_warning() -> None:
    text, _ = render_page("examples.md")
    assert text.count("As the article wrote it") == text.count("Modernised (our rewrite)") == len(AS_WRITTEN)
    for written, modern in AS_WRITTEN.items():
        (warning,) = _stored(written)["warnings"]
        first_line = warning["text"].splitlines()[0]
        assert html_escape(first_line) in text  # the warning, as Python prints it
        assert f"examples/{written}.py</code>" in text and f"examples/{modern}.py</code>" in text
        assert html_escape("-    keras.layers.Conv2D(") in text  # the change, line by line
    assert "Both forms build the same model" in text
    assert text.count('href="speed.md"') >= 1  # speed is on its own page
    assert "GFLOP/s" not in text and "median" not in text  # and not on this one


def test_each_example_says_first_what_came_of_it_and_folds_the_listings() -> None:
    """On a phone the page reads as titles and results: under each example's title the first paragraph is what came
    of it (the error it stops with, or what it builds), from its stored record; every listing (code, printed output,
    traceback, diff) and every table is inside a folded <details>, and none is lost (the tests above find them)."""
    text, _ = render_page("examples.md")
    body = text.split('<h2 id="the-articles-examples"', 1)[1].split('<h2 id="kernel-size-sweep"', 1)[0]
    blocks = re.split(r"<h3 [^>]*>", body)[1:]
    examples = [*AS_WRITTEN, "inception_0_as_written", "inception_1_input_defined"]
    examples += ["inception_2_same_padding", "inception_3_fixed"]
    assert len(blocks) == len(examples)  # one title each; a pair (as written, modernised) under one
    for block in blocks:
        first = re.search(r"<p[ >].*?</p>", block, re.S)
        assert first and first[0].startswith('<p class="kl-example-result"><strong>Result:</strong>'), block[:300]
        assert block.index("kl-example-result") < block.index("<details")
    for name in ("inception_0_as_written", "inception_1_input_defined", "inception_2_same_padding"):
        error = _stored(name)["error"]
        assert html_escape(f"{error['type']}: {error['message'].partition('. ')[0].removesuffix('.')}") in body
    fixed = _stored("inception_3_fixed")["models"][0]
    assert f"{fixed['calc']['totals']['params']:,} parameters" in body
    depth = 0
    for tag in re.finditer(r"<(/?)(details|pre|table)\b", text):
        if tag[2] == "details":
            depth += -1 if tag[1] else 1
        elif not tag[1]:
            assert depth > 0, text[max(0, tag.start() - 200) : tag.start()]


def test_the_sweep_shows_calc_figures_for_every_model() -> None:
    html = render.sweep(Data(ROOT))
    models = [m for name in render.SWEEP for m in _stored(name)["models"]]
    widths = {(m["layers"][0]["config"]["batch_shape"][-1], m["calc"]["output_shape"][-1]) for m in models}
    assert html.count("<svg") == 2 * len(widths)  # parameters and MACs, for each channel width
    for model in models:
        assert f"<td>{model['calc']['totals']['macs']:,}</td>" in html


def test_an_unknown_example_stops_the_build() -> None:
    with pytest.raises(PluginError, match="nosuch"):
        page_content('<div data-figure="example" data-arg="nosuch"></div>', "x.md")


@pytest.mark.parametrize("page", ["index.md", "methods.md", "examples.md", "authors.md"])
def test_the_table_of_contents_of_a_page_is_the_one_markdown_makes(page: str) -> None:
    """The plugin rebuilds a page's table of contents from its HTML: for Markdown's own headings, the same."""
    md = markdown_page(page)
    html = md.convert((ROOT / "docs" / page).read_text())

    def tree(links: Any) -> list[Any]:
        return [(link.title, link.id, link.level, tree(link.children)) for link in links]

    assert tree(table_of_contents(html, page)) == tree(get_toc(md.toc_tokens))


def test_results_of_two_machines_are_shown_side_by_side(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(EXAMPLES, tmp_path / "examples")
    first = next(p for p in RESULTS.iterdir() if p.is_dir())
    shutil.copytree(first, tmp_path / "results" / first.name)
    other = tmp_path / "results" / "other-gpu-16c"
    shutil.copytree(first, other)
    for path in other.glob("*.json"):
        record = json.loads(path.read_text())
        record["machine" if "example" in record else "key"] = "other-gpu-16c"
        if "example" not in record:
            record["cpu"] = "Other CPU"
        path.write_text(json.dumps(record))
    data = Data(tmp_path)
    assert list(data.machines) == sorted([first.name, "other-gpu-16c"])
    page, _ = render_page("examples.md", tmp_path)
    one, _ = render_page("examples.md")
    assert f'<th scope="col"><code>{first.name}</code></th>' in page
    assert '<th scope="col"><code>other-gpu-16c</code></th>' in page and "Other CPU" in page
    assert page.count("<svg") == one.count("<svg")  # calc's figures are the same on every machine: shown once
    shown = data.first("article_7x7")
    assert shown is not None  # each summary names the machine it was printed on
    assert f"(<code>{shown['machine']}</code>, Keras {shown['keras']})" in page
