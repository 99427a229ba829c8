"""The home page: the answer block first (id="answer", at most 150 words, three situations), every number in it
and in the sections that explain it recomputed here from hand arithmetic, calc or the stored records; the form
that opens the comparison calculator with the reader's own values; the rule K < 40C/18 checked by brute force;
the short answer's stem at a real stem's input; the source article named.

The site is built once for the session (tests/conftest.py's built_site). Where the answer sits on a screen is
checked in Chromium (tests/browser/test_home_browser.py).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import calc
from calc.text import nbytes
from kernel_lab import calculators
from kernel_lab_mkdocs import stats
from kernel_lab_mkdocs.render_home import stack_rule
from tests.html_tables import tables
from tests.test_reader_pages import article_text

ROOT = Path(__file__).resolve().parents[1]
SEED = Path("/work/shared/seed/000_6b81ef32f9054892.txt")  # the source article, where this checkout has it
TITLE = "How do 7x7 and 3x3 kernel sizes compare in Keras conv2D layers?"
MAX_WORDS = 150
KERNEL_NAME = re.compile(r"\d+×\d+")  # 3×3 names a kernel: vocabulary, not a figure
NAMES = re.compile(r"ResNet-\d+|Inception-v\d")  # network names


@pytest.fixture(scope="module")
def home(built_site: Path) -> str:
    return (built_site / "index.html").read_text(encoding="utf-8")


class _Element(HTMLParser):
    """The HTML of the element with a given id, nested elements included."""

    def __init__(self, element_id: str) -> None:
        super().__init__(convert_charrefs=False)
        self.element_id, self.depth, self.start, self.end = element_id, 0, -1, -1
        self.tag = ""

    def _offset(self) -> int:
        line, col = self.getpos()
        return sum(len(x) for x in self.rawdata.splitlines(keepends=True)[: line - 1]) + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.start < 0 and dict(attrs).get("id") == self.element_id:
            self.start, self.tag, self.depth = self._offset(), tag, 1
        elif self.start >= 0 and self.end < 0 and tag == self.tag:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.start >= 0 and self.end < 0 and tag == self.tag:
            self.depth -= 1
            if self.depth == 0:
                self.end = self._offset() + len(f"</{tag}>")


def element(page: str, element_id: str) -> str:
    parser = _Element(element_id)
    parser.feed(page)
    assert parser.end > parser.start >= 0, f"no element with id {element_id!r}"
    return page[parser.start : parser.end]


def section(page: str, heading_id: str) -> str:
    """The HTML from the h2 with this id to the next h2 or <details>."""
    start = page.index(f'<h2 id="{heading_id}"')
    ends = [i for i in (page.find("<h2", start + 1), page.find("<details", start)) if i > 0]
    return page[start : min(ends)]


def facts_shown(fragment: str) -> list[tuple[str, str]]:
    """(name, text) of every traced number in ``fragment``."""
    return re.findall(r'<span class="kl-num" data-fact="([a-z_0-9]+)">([^<]*)</span>', fragment)


def untraced_digits(fragment: str) -> list[str]:
    """Digits in the text of ``fragment`` outside traced numbers, code (Keras names), charts (drawn from calc),
    kernel and network names."""
    fragment = re.sub(
        r'<span class="kl-num"[^>]*>[^<]*</span>|<code>.*?</code>|<svg.*?</svg>', " ", fragment, flags=re.S
    )
    text = article_text("<article>" + fragment + "</article>")
    text = NAMES.sub("", KERNEL_NAME.sub("", text))
    return re.findall(r"\S*\d\S*", text)


def shown_value(text: str) -> float:
    """The number a fact's text shows: '0.55×' -> 0.55, '6%' -> 0.06, '3.86 billion' -> 3.86e9, '24.5 MiB' ->
    bytes."""
    units = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "billion": 1e9}
    number, _, unit = text.replace(",", "").rstrip("×").partition(" ")
    if number.endswith("%"):
        return float(number[:-1]) / 100
    return float(number) * units.get(unit, 1)


def close(text: str, value: float) -> bool:
    """The figure as printed equals ``value`` rounded to the digits printed (and to 3 significant digits for a
    size in bytes, as calc.text.nbytes prints it)."""
    number = text.replace(",", "").rstrip("×").split(" ")[0].rstrip("%")
    decimals = len(number.split(".")[1]) if "." in number else 0
    scale = shown_value(text) / float(number) if float(number) else 1.0
    return abs(shown_value(text) - value) <= 0.5 * 10.0**-decimals * scale + 1e-12


# --- what each number must be, computed here ---------------------------------------------------------------------


def _timing() -> dict[str, Any]:
    machine = sorted(p for p in (ROOT / "results").iterdir() if (p / "timing.json").is_file())[0]
    record: dict[str, Any] = json.loads((machine / "timing.json").read_text())
    return record


def _measured_ratio(group_id: str, a: str, b: str) -> float:
    """The paired ratio's median, recomputed from the raw samples of the stored timing record."""
    group = next(g for g in _timing()["groups"] if g["id"] == group_id)
    return stats.paired_ratio(group["variants"][a]["samples_s"], group["variants"][b]["samples_s"]).median


def _resnet50() -> tuple[int, int]:
    """ResNet-50's MACs per image and its stem's, by calc from keras.applications' config."""
    path = ROOT / "docs" / "assets" / "models" / "applications" / "ResNet50.json.gz"
    summary = calc.summarize(json.loads(gzip.decompress(path.read_bytes()))).to_dict()
    stems = [row for row in summary["layers"] if row["class_name"] == "Conv2D" and row["output_shape"][1] == 112]
    assert len(stems) == 1
    return summary["totals"]["macs"], stems[0]["macs"]


def _effective(architecture: str) -> float:
    runs = json.loads((ROOT / "results" / "effective_field.json").read_text())["runs"]
    run = next(
        r
        for r in runs
        if r["group"] == "article"
        and r["architecture"] == architecture
        and (r["activation"], r["initializer"]) == ("relu", "glorot_uniform")
    )
    return float(run["std"][0])


def _kept(group_id: str, variant: str) -> int:
    group = next(g for g in _timing()["groups"] if g["id"] == group_id)
    return int(group["variants"][variant]["computed"]["kept_bytes"])


STEM_7 = 112 * 112 * 64 * 7 * 7 * 3  # MACs of 7×7/2 → 64 on 224 × 224 × 3, 'same'
STEM_C = 112 * 112 * (32 * 3 * 3 * 3 + 32 * 3 * 3 * 32 + 64 * 3 * 3 * 32)  # 3×3/2 → 32, 3×3 → 32, 3×3 → 64
EXPECTED: dict[str, Any] = {
    # 56 × 56 × 64 → 64, bias on: three 3×3 layers against one 7×7 layer
    "mid_weights": lambda: 3 * (9 * 64 * 64 + 64) / (49 * 64 * 64 + 64),
    "mid_macs": lambda: 3 * 9 / 49,
    "mid_time": lambda: _measured_ratio("56x56x64/b8/forward", "stacked", "single"),
    "mid_train_time": lambda: _measured_ratio("56x56x64/b8/train", "stacked", "single"),
    "mid_shape": lambda: 56 * 56 * 64,
    "stem_macs": lambda: STEM_C / STEM_7,
    "stem_time": lambda: _measured_ratio("stem/b8/forward", "stacked", "single"),
    "stem_field": lambda: 3 + 2 * 2 + 2 * 2,  # the 3×3 layers after the stride-2 one step 2 pixels
    "stem_stride": lambda: 2,
    "stem_nonlinearities": lambda: 3 - 1,
    "resnet_macs": lambda: _resnet50()[0],
    "resnet_stem_share": lambda: STEM_7 / _resnet50()[0],
    "resnet_swap": lambda: (STEM_C - STEM_7) / _resnet50()[0],
    # SeparableConv2D 7×7 → 64: depthwise 49 and pointwise 64 MACs per input channel and position
    "separable_vs_conv": lambda: (49 * 64 + 64 * 64) / (49 * 64 * 64),
    "separable_vs_3x3": lambda: (49 * 64 + 64 * 64) / (9 * 64 + 64 * 64),
    "separable_time": lambda: _measured_ratio("56x56x64/b8/forward", "separable", "single"),
    "separable_3x3_time": lambda: _measured_ratio("56x56x64/b8/forward", "separable", "separable_3x3"),
    "separable_3x3_train_time": lambda: _measured_ratio("56x56x64/b8/train", "separable", "separable_3x3"),
    "rule_a": lambda: 9,
    "rule_b": lambda: 9 + 9,
    "rule_c": lambda: 49,
    "rule_gap": lambda: 49 - 9,
    "rule_ratio": lambda: 40 / 18,
    "one_channel_stack": lambda: 3 * 3 * 3,
    "std_single": lambda: math.sqrt((7**2 - 1) / 12),  # variances add: (k² − 1)/12 per layer
    "std_stack": lambda: math.sqrt(3 * (3**2 - 1) / 12),
    "std_stack_sqrt_paths": lambda: math.sqrt(
        sum(math.sqrt(c) * (i - 3) ** 2 for i, c in enumerate((1, 3, 6, 7, 6, 3, 1)))
        / sum(math.sqrt(c) for c in (1, 3, 6, 7, 6, 3, 1))
    ),
    "std_single_measured": lambda: _effective("7x7"),
    "std_stack_measured": lambda: _effective("3x3_stack"),
    "kept_stack": lambda: _kept("56x56x64/b8/train", "stacked"),
    "kept_single": lambda: _kept("56x56x64/b8/train", "single"),
    "kept_ratio": lambda: (1 + 3) / (1 + 1),  # the input and three outputs against the input and one
    "batch": lambda: 8,
}


# --- the answer ---------------------------------------------------------------------------------------------------


def test_the_answer_comes_first_and_is_short(home: str) -> None:
    answer = element(home, "answer")
    article = home.split("<article", 1)[1]
    before = article_text("<article" + article[: article.index(answer)] + "</article>")
    assert before == "7×7 or stacked 3×3? ¶"  # only the page's title comes before it
    words = article_text("<article>" + answer + "</article>").split()
    assert len(words) <= MAX_WORDS, len(words)
    situations = re.findall(r"<li><strong>(.*?)</strong>", answer, re.S)[:3]  # then the accuracy line
    assert "inside a network" in situations[0].lower() and "stacked 3×3" in situations[0]
    assert "stem" in situations[1] and "one 7×7" in situations[1]
    assert "depthwise" in situations[2]


def test_no_interval_in_the_answer(home: str) -> None:
    text = article_text("<article>" + element(home, "answer") + "</article>")
    assert not re.search(r"interval|95 %|confidence|±|\d× to \d", text), text


ACCURACY = re.compile(
    r"Trained here on Fashion-MNIST \((?P<seeds>\d+) seeds\): (?P<stack>[\d.]+) % test accuracy for the stack, "
    r"(?P<single>[\d.]+) % for one 7×7"
)


def accuracy_line(answer: str) -> tuple[str, str]:
    """(the answer without its accuracy sentence, that sentence's text); its numbers are checked against
    results/<machine>/accuracy.json by test_the_accuracy_sentence_is_the_stored_training."""
    text = article_text("<article>" + answer + "</article>")
    found = ACCURACY.search(text)
    if not found:
        return answer, ""
    item = re.search(r"<li>(?:(?!</li>).)*Fashion-MNIST.*?</li>", answer, re.S)
    assert item
    return answer.replace(item[0], ""), found[0]


def test_the_accuracy_sentence_is_the_stored_training(home: str) -> None:
    _, sentence = accuracy_line(element(home, "answer"))
    if not sentence:
        pytest.skip("no accuracy sentence in the answer yet")
    m = ACCURACY.search(sentence)
    assert m
    record = json.loads(next((ROOT / "results").glob("*/accuracy.json")).read_text())
    runs = {v: [r["test_accuracy"] for r in record["variants"][v]["runs"]] for v in ("3x3_stack", "7x7")}
    assert int(m["seeds"]) == len(runs["7x7"]) == len(runs["3x3_stack"])
    assert close(m["stack"], 100 * sum(runs["3x3_stack"]) / len(runs["3x3_stack"]))
    assert close(m["single"], 100 * sum(runs["7x7"]) / len(runs["7x7"]))


def test_every_number_of_the_answer_and_its_reasons_is_traced(home: str) -> None:
    answer, _ = accuracy_line(element(home, "answer"))
    parts = [answer, section(home, "why"), section(home, "the-stem-in-the-whole-network")]
    assert untraced_digits(parts[0]) == []  # in the answer itself, no number at all outside traced ones
    assert untraced_digits(parts[1]) == []
    shown = [f for part in parts for f in facts_shown(part)]
    assert len({name for name, _ in shown}) >= 20
    for name, text in shown:
        expected = EXPECTED[name]()
        if name == "mid_shape":
            assert text == "56 × 56 × 64"
        elif name.startswith("kept_") and name != "kept_ratio":
            assert text == nbytes(expected)
        else:
            assert close(text, expected), (name, text, expected)


def test_every_traced_number_on_the_page_is_known(home: str) -> None:
    for name, text in facts_shown(home):
        assert name in EXPECTED and text != "not measured yet", name


@pytest.mark.parametrize("page", ["parameters/index.html", "effective-field/index.html"])
def test_the_numbers_other_pages_quote_from_the_answer_are_right(built_site: Path, page: str) -> None:
    shown = facts_shown((built_site / page).read_text(encoding="utf-8"))
    assert shown
    for name, text in shown:
        assert close(text, EXPECTED[name]()), (page, name, text)


def test_the_stem_says_what_the_stack_sees_and_why_it_was_adopted(home: str) -> None:
    stem = article_text("<article>" + section(home, "the-stem-in-the-whole-network") + "</article>")
    assert "11 × 11 pixels, not 7×7" in stem
    assert "Published, not measured here" in stem and "0.2% improvement" in stem  # Bag of Tricks, quoted
    assert "ResNet-50" in stem and "keras.applications" in stem


def test_the_answer_opens_the_comparison_with_the_readers_values(built_site: Path, home: str) -> None:
    answer = element(home, "answer")
    form = re.search(r'<form [^>]*method="get" action="([^"]+)"[^>]*>(.*?)</form>', answer, re.S)
    assert form, "no form in the answer"
    target = built_site / form[1] / "index.html"
    assert 'data-calc="kernel_compare"' in target.read_text(encoding="utf-8")
    names = re.findall(r'<input [^>]*name="([^"]+)"', form[2])
    fields = {spec.name for spec in calculators.inputs("kernel_compare")}
    assert "input_shape" in names and "filters" in names and set(names) <= fields
    for name in names:  # each labelled
        fid = re.search(rf'id="([^"]+)" name="{name}"', form[2])
        assert fid and f'<label for="{fid[1]}">' in form[2]


# --- the rule -----------------------------------------------------------------------------------------------------


def _weights(c: int, k: int, kernel: int, layers: int) -> int:
    """Weights (no bias) of ``layers`` kernel×kernel Conv2D, C → K → ... → K, by calc."""
    total, channels = 0, c
    for _ in range(layers):
        total += calc.conv2d((9, 9, channels), k, kernel, padding="same", use_bias=False).params
        channels = k
    return total


@pytest.mark.parametrize("c", [1, 2, 3, 9, 18, 64, 100])
def test_the_stack_has_fewer_weights_exactly_below_the_rule(c: int) -> None:
    rule = stack_rule()
    for k in range(1, 3 * c + 3):
        fewer = _weights(c, k, 3, 3) < _weights(c, k, 7, 1)
        assert fewer == (k * rule["b"] < rule["gap"] * c), (c, k)
    assert (rule["gap"], rule["b"]) == (40, 18)


# --- the cost table (kept, folded) ------------------------------------------------------------------------------


def test_stem_row_is_at_a_real_stem_input() -> None:
    head, *rows = tables(calculators.figure("short_answer"))[0]
    stem = dict(zip(head, next(r for r in rows if r[0].startswith("At the stem")), strict=True))
    assert "224 × 224 × 3 → 112 × 112 × 64" in stem["Case"]
    assert int(stem["7×7 MACs"].replace(",", "")) == STEM_7
    assert int(stem["3×3 stack MACs"].replace(",", "")) == STEM_C
    params = (3 * 3 * 3 * 32 + 32) + (3 * 3 * 32 * 32 + 32) + (3 * 3 * 32 * 64 + 64)
    assert int(stem["3×3 stack params"].replace(",", "")) == params


def test_short_answer_matches_keras() -> None:
    keras = pytest.importorskip("keras")

    def params(input_shape: tuple[int, int, int], specs: list[tuple[int, int, int]]) -> int:
        x = inp = keras.Input(input_shape)
        for filters, k, s in specs:
            x = keras.layers.Conv2D(filters, k, strides=s, padding="same")(x)
        return int(keras.Model(inp, x).count_params())

    head, *rows = tables(calculators.figure("short_answer"))[0]
    mid, stem = (dict(zip(head, r, strict=True)) for r in rows)
    expect = {
        (0, "7×7 params"): params((56, 56, 64), [(64, 7, 1)]),
        (0, "3×3 stack params"): params((56, 56, 64), [(64, 3, 1)] * 3),
        (1, "7×7 params"): params((224, 224, 3), [(64, 7, 2)]),
        (1, "3×3 stack params"): params((224, 224, 3), [(32, 3, 2), (32, 3, 1), (64, 3, 1)]),
    }
    for (i, column), value in expect.items():
        assert int((mid, stem)[i][column].replace(",", "")) == value


def test_home_page_names_and_quotes_the_article(home: str) -> None:
    if SEED.is_file():
        assert f'title: "{TITLE}"' in SEED.read_text(encoding="utf-8")
    assert f"“{TITLE}”" in home or f"&ldquo;{TITLE}&rdquo;" in home or f'"{TITLE}"' in home
    assert 'href="fact-check/"' in home and 'href="speed/"' in home


# --- the helpers, on small cases ----------------------------------------------------------------------------------


def test_untraced_digits_finds_typed_numbers_only() -> None:
    fragment = (
        '<p>A 7×7 <code>Conv2D</code>, ResNet-50, <span class="kl-num" data-fact="x">0.55×</span> and 12 typed.</p>'
    )
    assert untraced_digits(fragment) == ["12"]


def test_close_reads_the_digits_printed() -> None:
    assert close("0.55×", 0.5519) and not close("0.55×", 0.556)
    assert close("6%", 0.062) and not close("6%", 0.066)
    assert close("3.86 billion", 3.857e9) and not close("3.86 billion", 3.87e9)


def test_without_records_only_the_measured_facts_are_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kernel_lab_mkdocs import render_effective, render_home
    from kernel_lab_mkdocs.store import Data

    monkeypatch.setattr(render_effective, "RESULTS", tmp_path / "results" / "effective_field.json")
    empty = Data(tmp_path)
    assert 'data-fact="mid_time">not measured yet<' in str(render_home.fact(empty, "mid_time"))
    assert 'data-fact="mid_weights">0.55×<' in str(render_home.fact(empty, "mid_weights"))
    assert set(render_home.facts(empty)) | render_home.MEASURED == set(EXPECTED)
    with pytest.raises(KeyError):
        render_home.fact(empty, "no_such_fact")
