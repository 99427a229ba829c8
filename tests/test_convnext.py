"""ConvNeXtTiny with 7×7 and 3×3 depthwise kernels (kernel_lab_mkdocs/convnext.py, docs/large-kernels.md): the figures
against hand-derived arithmetic, the config surgery, and every marker of the page."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from calc.text import integer, pair
from kernel_lab_mkdocs import convnext
from kernel_lab_mkdocs.markers import Marker, substitute
from tests.html_tables import tables

ROOT = Path(__file__).resolve().parents[1]
# ConvNeXtTiny (Liu et al. 2022): blocks per stage, channels per stage, output side per stage on a 224 input.
DEPTHS, WIDTHS, SIDES = (3, 3, 9, 3), (96, 192, 384, 768), (56, 28, 14, 7)


@pytest.fixture(scope="module")
def variants() -> tuple[convnext.Variant, convnext.Variant]:
    return convnext.analyse()


@pytest.fixture(scope="module")
def facts(variants: tuple[convnext.Variant, convnext.Variant]) -> dict[str, str]:
    return convnext.facts(*variants)


def _depthwise_params(k: int) -> int:
    return sum(d * w * (k * k + 1) for d, w in zip(DEPTHS, WIDTHS, strict=True))  # k² weights + 1 bias a channel


def _depthwise_macs(k: int) -> int:
    return sum(d * s * s * w * k * k for d, w, s in zip(DEPTHS, WIDTHS, SIDES, strict=True))


def test_depthwise_figures_are_the_hand_derived_sums(facts: dict[str, str]) -> None:
    assert _depthwise_params(7) == 3 * 96 * 50 + 3 * 192 * 50 + 9 * 384 * 50 + 3 * 768 * 50 == 331_200
    assert facts["depthwise_params_large"] == integer(3 * 96 * 50 + 3 * 192 * 50 + 9 * 384 * 50 + 3 * 768 * 50)
    assert facts["depthwise_params_small"] == integer(3 * 96 * 10 + 3 * 192 * 10 + 9 * 384 * 10 + 3 * 768 * 10)
    assert facts["depthwise_macs_large"] == integer(
        3 * 56 * 56 * 96 * 49 + 3 * 28 * 28 * 192 * 49 + 9 * 14 * 14 * 384 * 49 + 3 * 7 * 7 * 768 * 49
    )
    assert facts["depthwise_macs_small"] == integer(_depthwise_macs(3))
    # Only the depthwise layers differ: what the large kernels cost is their difference.
    assert facts["params_extra"] == integer(_depthwise_params(7) - _depthwise_params(3))
    assert facts["macs_extra"] == integer(_depthwise_macs(7) - _depthwise_macs(3))
    assert facts["depthwise_layers"] == integer(sum(DEPTHS))


def test_pointwise_figures_are_the_hand_derived_sums(facts: dict[str, str]) -> None:
    # Two Dense layers a block, C -> 4C -> C, with biases; applied at every pixel.
    params = sum(d * ((w * 4 * w + 4 * w) + (4 * w * w + w)) for d, w in zip(DEPTHS, WIDTHS, strict=True))
    macs = sum(d * s * s * 8 * w * w for d, w, s in zip(DEPTHS, WIDTHS, SIDES, strict=True))
    assert facts["pointwise_params_large"] == facts["pointwise_params_small"] == integer(params)
    assert facts["pointwise_macs_large"] == facts["pointwise_macs_small"] == integer(macs)


def test_kinds_add_up_to_calcs_totals(variants: tuple[convnext.Variant, convnext.Variant]) -> None:
    """Opening up the nested stem and downsampling models loses and adds nothing."""
    for v in variants:
        assert sum(v.by_kind("params").values()) == v.summary.params
        assert sum(v.by_kind("macs").values()) == v.summary.macs
        assert v.count(convnext.STEM) == 1 and v.count(convnext.DOWNSAMPLING) == len(DEPTHS) - 1
    assert [v.kernel_size for v in variants] == [(7, 7), (3, 3)]


def _field(k: int, stages: int) -> int:
    """Stem 4×4 stride 4 (jump 4), then per stage its blocks' (k − 1)·jump and a 2×2 stride-2 downsampling."""
    size, jump = 4, 4
    for i in range(stages):
        if i:
            size, jump = size + jump, jump * 2
        size += DEPTHS[i] * (k - 1) * jump
    return size


def test_stage_fields_are_hand_derived(variants: tuple[convnext.Variant, convnext.Variant]) -> None:
    large, small = variants
    assert [s.receptive_field.size[0] for s in large.stages] == [_field(7, n) for n in (1, 2, 3, 4)]
    assert [s.receptive_field.size[0] for s in small.stages] == [_field(3, n) for n in (1, 2, 3, 4)]
    assert _field(7, 4) == 4 + 3 * 6 * 4 + 4 + 3 * 6 * 8 + 8 + 9 * 6 * 16 + 16 + 3 * 6 * 32 == 1688
    assert [s.output_shape for s in large.stages] == [(s, s, w) for s, w in zip(SIDES, WIDTHS, strict=True)]
    # The chain's field at the end equals the one calc's model summary gives the last block (shortcuts included).
    for v in variants:
        last = [leaf.row for leaf, kind in v.leaves if kind != convnext.HEAD][-1]
        assert last.receptive_field is not None and v.stages[-1].receptive_field.size == last.receptive_field.size
    # Spreads add as variances: per axis sum (k² − 1)/12 · jump²; the stem's 4 taps at jump 1 first.
    var = (16 - 1) / 12 + 3 * (49 - 1) / 12 * 4**2
    assert large.stages[0].effective_std[0] == pytest.approx(var**0.5)


def test_figure_shows_calcs_numbers(facts: dict[str, str]) -> None:
    params, macs, stages = tables(convnext.figure())
    rows = {row[0]: row for row in params[1:]}
    assert rows[convnext.DEPTHWISE][2:] == [
        facts["depthwise_params_large"],
        facts["depthwise_params_share_large"],
        facts["depthwise_params_small"],
        facts["depthwise_params_share_small"],
    ]
    assert rows["total"][2] == facts["params_large"] and rows["total"][4] == facts["params_small"]
    assert {row[0]: row for row in macs[1:]}["total"][2] == facts["macs_large"]
    assert stages[-1][2:4] == [pair((_field(7, 4),) * 2), pair((_field(3, 4),) * 2)]


def test_every_marker_of_the_page_resolves(facts: dict[str, str]) -> None:
    text = (ROOT / "docs" / "large-kernels.md").read_text()

    def figure(marker: Marker) -> str:
        assert marker.name == "convnext"
        return str(convnext.FIGURES[marker.name](marker.arg))

    page = substitute(text, "large-kernels.md", {"figure": figure})
    assert "data-figure" not in page
    assert f"hold\n{integer(_depthwise_params(7))} parameters" in page
    assert facts["params_small"] in page and facts["macs_small"] in page


def test_surgery_changes_only_the_depthwise_kernels() -> None:
    config = convnext.load()
    before = copy.deepcopy(config)
    small = convnext.with_depthwise_kernel(config, 3)
    assert config == before  # the original is left alone
    changed = []
    for a, b in zip(convnext.layer_entries(config), convnext.layer_entries(small), strict=True):
        if a != b:
            changed.append(b["config"]["name"])
            assert {**a["config"], "kernel_size": [3, 3]} == b["config"]
    assert len(changed) == sum(DEPTHS) and all(name.endswith("_depthwise_conv") for name in changed)


def _sequential(layer: dict[str, Any]) -> dict[str, Any]:
    return {
        "class_name": "Sequential",
        "config": {
            "name": "plain",
            "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [None, 32, 32, 8]}}, layer],
        },
    }


@pytest.mark.parametrize(
    "layer",
    [
        {"class_name": "Conv2D", "config": {"name": "c", "filters": 8, "kernel_size": [7, 7], "groups": 1}},
        {"class_name": "Conv2D", "config": {"name": "c", "filters": 8, "kernel_size": [7, 7], "groups": 4}},
        {"class_name": "Dense", "config": {"name": "d", "units": 8}},
    ],
)
def test_surgery_refuses_a_model_without_depthwise_layers(layer: dict[str, Any]) -> None:
    with pytest.raises(convnext.NoDepthwiseError, match=r"^plain: no depthwise layer \(DepthwiseConv2D, or Conv2D"):
        convnext.with_depthwise_kernel(_sequential(layer), 3)
    assert issubclass(convnext.NoDepthwiseError, ValueError)


def test_surgery_takes_depthwise_conv2d_layers() -> None:
    layer = {"class_name": "DepthwiseConv2D", "config": {"name": "dw", "kernel_size": [7, 7], "padding": "same"}}
    small = convnext.with_depthwise_kernel(_sequential(layer), 3)
    assert small["config"]["layers"][1]["config"] == {"name": "dw", "kernel_size": [3, 3], "padding": "same"}


def test_unknown_fact_stops_the_build() -> None:
    with pytest.raises(KeyError):
        convnext.figure("no_such_number")
