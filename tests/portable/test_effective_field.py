"""calc.effective_receptive_field and the analyzer's effective_std.

With equal weights and no nonlinearity, the effective field of a chain's central output unit is the number of
paths from it to each input pixel (Luo et al., NeurIPS 2016). The expected counts below are worked out by hand
(each layer's k taps spaced by dilation × the jump before it, convolved), or by a direct convolution written here
(one layer at a time), never read off calc. Portable: calc, pytest and Hypothesis only.
"""

from __future__ import annotations

from math import comb, fsum, isclose, prod, sqrt
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import calc
from calc import EffectiveField, LayerInfo, NoEffectiveFieldError, Window
from calc._effective import MAX_COUNT_BITS, MAX_PROFILE_SIZE, axis_counts, central_width, variance_step
from tests.strategies import window_chains

IMAGE = (64, 64, 8)


def conv(k: int | tuple[int, int], **kw: Any) -> LayerInfo:
    return calc.conv2d(IMAGE, 8, k, **kw)


def field(*layers: LayerInfo | Window) -> EffectiveField:
    return calc.effective_receptive_field(list(layers))


def over(counts: tuple[int, ...], total: int) -> tuple[float, ...]:
    return tuple(c / total for c in counts)


# --- hand-derived profiles ----------------------------------------------------------------------------------------


def test_three_3x3_layers() -> None:
    # Per axis (1 + z + z^2)^3 = 1 + 3z + 6z^2 + 7z^3 + 6z^4 + 3z^5 + z^6: 27 paths in all.
    f = field(conv(3), conv(3), conv(3))
    assert f.counts == ((1, 3, 6, 7, 6, 3, 1), (1, 3, 6, 7, 6, 3, 1))
    assert f.profile[0] == pytest.approx(over((1, 3, 6, 7, 6, 3, 1), 27), rel=1e-15)
    # sigma^2 = 3 * (3^2 - 1)/12 = 2
    assert f.std == pytest.approx((sqrt(2), sqrt(2)), rel=1e-15)
    # centred widths: 1 pixel holds 7/27 < 1/2, 3 hold 19/27 >= 1/2; 3 hold 19/27 < 0.9, 5 hold 25/27 >= 0.9
    assert (f.width_50, f.width_90) == ((3, 3), (5, 5))
    assert f.size == (7, 7)


def test_one_7x7_layer() -> None:
    # Seven equal taps; sigma^2 = (7^2 - 1)/12 = 4; widths: 3/7 < 1/2 <= 5/7, 5/7 < 0.9 <= 7/7.
    f = field(conv(7))
    assert f.counts == ((1,) * 7, (1,) * 7)
    assert f.profile == ((1 / 7,) * 7, (1 / 7,) * 7)
    assert f.std == (2.0, 2.0)
    assert (f.width_50, f.width_90) == ((5, 5), (7, 7))


def test_stride_2_then_3x3() -> None:
    # Taps 3 at gap 1, then 3 at gap 2 (the jump after a stride of 2): (1 + z + z^2)(1 + z^2 + z^4).
    # Pixel p collects the pairs (a, b) with a + 2b = p, a, b in 0..2: p=0: (0,0); 1: (1,0); 2: (2,0), (0,1);
    # 3: (1,1); 4: (2,1), (0,2); 5: (1,2); 6: (2,2).
    f = field(conv(3, strides=2), conv(3))
    assert f.counts[0] == (1, 1, 2, 1, 2, 1, 1)
    assert f.size == calc.receptive_field([conv(3, strides=2), conv(3)]).size  # type: ignore[union-attr]
    # sigma^2 = (9 - 1)/12 * 1^2 + (9 - 1)/12 * 2^2 = 10/3
    assert f.std[0] == pytest.approx(sqrt(10 / 3), rel=1e-15)
    # 50 %: 1 pixel holds 1/9, 3 hold (2 + 1 + 2)/9; 90 %: 5 hold 7/9, 7 hold 9/9
    assert (f.width_50[0], f.width_90[0]) == (3, 7)


def test_dilation_2() -> None:
    # One 3×3 at dilation 2: three taps two pixels apart; the pixels between are never read.
    assert field(conv(3, dilation_rate=2)).counts[0] == (1, 0, 1, 0, 1)
    # Two of them: (1 + z^2 + z^4)^2 = 1 + 2z^2 + 3z^4 + 2z^6 + z^8.
    two = field(conv(3, dilation_rate=2), conv(3, dilation_rate=2))
    assert two.counts[0] == (1, 0, 2, 0, 3, 0, 2, 0, 1)
    assert two.std[0] == pytest.approx(sqrt(2 * 8 / 12 * 4), rel=1e-15)
    # Rows dilated, cols not: each axis has its own taps.
    mixed = field(conv(3, dilation_rate=(2, 1)))
    assert mixed.counts == ((1, 0, 1, 0, 1), (1, 1, 1))


def test_pooling_then_conv() -> None:
    # A 2×2 pooling window at stride 2 (taps 0, 1), then 3 taps at gap 2 (0, 2, 4): every pixel 0..5 once,
    # six equal taps; sigma^2 = (2^2 - 1)/12 + (3^2 - 1)/12 * 2^2 = 35/12 = (6^2 - 1)/12.
    for pool in (calc.max_pooling2d(IMAGE, 2), calc.average_pooling2d(IMAGE, 2)):
        f = field(pool, conv(3))
        assert f.counts == ((1,) * 6, (1,) * 6)
        assert f.std[0] == pytest.approx(sqrt(35 / 12), rel=1e-15)
        # even field: centred widths are even; 2/6 < 1/2 <= 4/6
        assert (f.width_50, f.width_90) == ((4, 4), (6, 6))
    # 3×3 pooling at stride 2 then 3×3: taps 0..2 and 0, 2, 4: 1 1 2 1 2 1 1 as for the strided conv.
    assert field(calc.max_pooling2d(IMAGE, 3, strides=2), conv(3)).counts[0] == (1, 1, 2, 1, 2, 1, 1)


def test_depthwise_separable_and_transpose_count_their_spatial_kernel() -> None:
    assert field(calc.depthwise_conv2d(IMAGE, 5)).counts[0] == (1,) * 5
    assert field(calc.separable_conv2d(IMAGE, 16, 3), calc.separable_conv2d(IMAGE, 16, 3)).counts[1] == (1, 2, 3, 2, 1)
    # Conv2DTranspose at stride 1 has a fixed window: its kernel's taps, dilated like a convolution's.
    transpose = calc.conv2d_transpose(IMAGE, 4, 3, dilation_rate=2)
    assert field(transpose).counts[0] == (1, 0, 1, 0, 1)
    # A depthwise layer may combine strides and dilation: 2 taps at gap 3, then 2 taps at gap 2 (jump 2).
    strided = calc.depthwise_conv2d(IMAGE, 2, strides=2, dilation_rate=3)
    assert field(strided, calc.depthwise_conv2d(IMAGE, 2)).counts[0] == (1, 0, 1, 1, 0, 1)


def test_factorized_equals_square_kernel() -> None:
    # 1×k then k×1: rows get k taps from the second layer, cols from the first; the same field as one k×k.
    for k in (3, 5, 7):
        f = field(conv((1, k)), conv((k, 1)))
        assert f.counts == ((1,) * k, (1,) * k) == field(conv(k)).counts


def test_padding_cropping_and_channels_change_nothing() -> None:
    plain = field(conv(3), conv(5))
    wrapped = field(
        calc.zero_padding2d(IMAGE, 3),
        calc.conv2d(IMAGE, 3, 3, padding="same"),
        calc.cropping2d(IMAGE, ((1, 2), (0, 3))),
        calc.center_crop(IMAGE, 60, 50),
        calc.batch_normalization(IMAGE),
        calc.passthrough(IMAGE, "ReLU"),
        calc.conv2d((64, 64, 1), 128, 5, padding="same"),
    )
    assert wrapped == plain


def test_even_kernels() -> None:
    # 2×2: two taps; centred widths are even: 2 pixels hold everything.
    two = field(conv(2))
    assert (two.counts[0], two.profile[0], two.std[0], two.width_50[0]) == ((1, 1), (0.5, 0.5), 0.5, 2)
    # (1 + z)^2 = 1 2 1, then a 4×4: (1 2 1)(1 1 1 1) = 1 3 4 4 3 1 (16 paths); 8/16 >= 1/2 in 2, 14/16 < 0.9 in 4
    f = field(conv(2), conv(2), conv(4))
    assert f.counts[0] == (1, 3, 4, 4, 3, 1)
    assert (f.width_50[0], f.width_90[0]) == (2, 6)


def test_map_is_outer_product() -> None:
    f = field(conv((3, 5)), conv(3))
    m = f.map()
    assert len(m) == 5 and all(len(row) == 7 for row in m)
    assert f.counts == ((1, 2, 3, 2, 1), (1, 2, 3, 3, 3, 2, 1))
    assert m[2][3] == pytest.approx(3 / 9 * 3 / 15, rel=1e-15)
    assert fsum(fsum(row) for row in m) == pytest.approx(1.0, abs=1e-15)


def test_thousand_layer_chain_is_exact() -> None:
    # (1 + u + u^2)^n: the coefficient of u^i is sum_j C(n, j) C(n - j, i - 2j) (j of the n factors give u^2,
    # i - 2j give u).
    n = 1000
    f = field(*[conv(3)] * n)
    counts = f.counts[0]
    assert len(counts) == 2 * n + 1 and sum(counts) == 3**n
    for i in (0, 1, 2, 3, 17, 999, 1000, 1500, 2000):
        assert counts[i] == sum(comb(n, j) * comb(n - j, i - 2 * j) for j in range(i // 2 + 1)), i
    assert f.std[0] == pytest.approx(sqrt(n * 8 / 12), rel=1e-14)


# --- properties ---------------------------------------------------------------------------------------------------


@st.composite
def dilated_chains(draw: st.DrawFn) -> list[Window]:
    """Chains of up to 7 windows with dilation: taps 1..6, dilation 1..3, strides 1..3 per axis."""
    chain = []
    for _ in range(draw(st.integers(1, 7))):
        k = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
        d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        pad = (draw(st.integers(-2, 3)), draw(st.integers(-2, 3)))
        chain.append(Window((d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1), s, pad, pad, d))
    return chain


def _direct(chain: list[Window], axis: int) -> list[int]:
    """Path counts by convolving one layer at a time: layer l adds its taps t = 0..k-1 at offsets t * d * jump."""
    counts, jump = [1], 1
    for w in chain:
        k, d = (w.kernel[axis] - 1) // w.dilation[axis] + 1, w.dilation[axis]
        out = [0] * (len(counts) + (k - 1) * d * jump)
        for t in range(k):
            for i, c in enumerate(counts):
                out[i + t * d * jump] += c
        counts, jump = out, jump * w.strides[axis]
    return counts


def _variance_sum(chain: list[Window], axis: int) -> int:
    """12 sigma^2 = sum_l (k_l^2 - 1) (d_l j_l)^2."""
    total, jump = 0, 1
    for w in chain:
        k, d = (w.kernel[axis] - 1) // w.dilation[axis] + 1, w.dilation[axis]
        total += (k * k - 1) * (d * jump) ** 2
        jump *= w.strides[axis]
    return total


@given(dilated_chains())
def test_counts_equal_direct_convolution(chain: list[Window]) -> None:
    f = calc.effective_receptive_field(chain)
    for a in (0, 1):
        direct = _direct(chain, a)
        assert list(f.counts[a]) == direct
        # Both ways calc can take (one recurrence over every factor, or one per gap then convolved) agree.
        layers, jump = [], 1
        for w in chain:
            layers.append(((w.kernel[a] - 1) // w.dilation[a] + 1, w.dilation[a] * jump))
            jump *= w.strides[a]
        assert axis_counts(layers, "whole") == axis_counts(layers, "groups") == direct


@given(
    st.lists(
        st.tuples(st.sampled_from([2, 3, 3, 3, 5, 7, 31]), st.sampled_from([1, 1, 2, 4, 3])),
        min_size=1,
        max_size=60,
    )
)
def test_deep_chains_of_repeated_layers(layers: list[tuple[int, int]]) -> None:
    # Many layers sharing a few (taps, gap) pairs: where the recurrences do the work; against the direct convolution.
    chain = [Window((g * (k - 1) + 1, 1), (1, 1), (0, 0), (0, 0), (g, 1)) for k, g in layers]
    direct = _direct(chain, 0)
    assert axis_counts(layers) == axis_counts(layers, "whole") == axis_counts(layers, "groups") == direct


@given(st.one_of(dilated_chains(), window_chains.filter(bool)))
def test_profile_properties(chain: list[Window]) -> None:
    rf = calc.receptive_field(chain)
    assert rf is not None
    assume(max(rf.size) <= 5000)
    f = calc.effective_receptive_field(chain)
    assert f.size == rf.size  # one entry per pixel of the theoretical field
    for a in (0, 1):
        counts, profile = f.counts[a], f.profile[a]
        n = sum(counts)
        assert n == prod((w.kernel[a] - 1) // w.dilation[a] + 1 for w in chain)  # each layer multiplies paths by k
        assert counts == counts[::-1] and profile == profile[::-1]  # every factor is symmetric, so is the product
        assert counts[0] == counts[-1] == 1  # one path to each corner of the field
        assert isclose(fsum(profile), 1.0, abs_tol=1e-12)
        # Variances add: 12 (N S2 - S1^2) = N^2 * sum (k^2 - 1)(d j)^2, exactly.
        s1 = sum(i * c for i, c in enumerate(counts))
        s2 = sum(i * i * c for i, c in enumerate(counts))
        assert 12 * (n * s2 - s1 * s1) == n * n * _variance_sum(chain, a)
        assert isclose(f.std[a], sqrt(_variance_sum(chain, a) / 12), rel_tol=1e-12)
        # The widths: centred (same parity as the field), enough weight, and the next narrower not enough.
        for percent, width in ((50, f.width_50[a]), (90, f.width_90[a])):
            size = len(counts)
            assert (size - width) % 2 == 0 and 1 <= width <= size
            edge = (size - width) // 2
            assert 100 * sum(counts[edge : size - edge]) >= percent * n
            if width > 2:
                assert 100 * sum(counts[edge + 1 : size - edge - 1]) < percent * n
    assert f.width(50) == f.width_50 and f.width(90) == f.width_90


@given(dilated_chains())
def test_variance_step_is_the_profiles_variance(chain: list[Window]) -> None:
    # The analyzer's O(1)-per-layer variance (12 sigma^2, exact) against the exact profile's std.
    var12, jump = (0, 0), (1, 1)
    for w in chain:
        var12 = variance_step(var12, w, jump)
        jump = (jump[0] * w.strides[0], jump[1] * w.strides[1])
    f = calc.effective_receptive_field(chain)
    assert var12 == (_variance_sum(chain, 0), _variance_sum(chain, 1))
    assert f.std == pytest.approx((sqrt(var12[0] / 12), sqrt(var12[1] / 12)), rel=1e-12)


def test_central_width_percent_range() -> None:
    assert central_width([1, 2, 1], 0) == 1 and central_width([1, 2, 1], 100) == 3
    with pytest.raises(calc.CalcError):
        central_width([1, 2, 1], 101)


# --- chains without an effective field ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chain", "names"),
    [
        ([], "empty"),
        ([conv(3), calc.conv2d_transpose(IMAGE, 4, 3, strides=2)], "layer 1 (Conv2DTranspose)"),
        ([calc.up_sampling2d(IMAGE, 2), conv(3)], "layer 0 (UpSampling2D)"),
        ([conv(3), conv(3), calc.global_pooling2d(IMAGE, keepdims=True)], "layer 2 (GlobalAveragePooling2D)"),
        ([conv(3), None], "layer 1 (None)"),
        ([calc.resizing(IMAGE, 32, 32)], "layer 0 (Resizing)"),
    ],
)
def test_no_effective_field(chain: list[Any], names: str) -> None:
    with pytest.raises(NoEffectiveFieldError) as info:
        calc.effective_receptive_field(chain)
    message = str(info.value)
    assert names in message and "\n" not in message
    assert isinstance(info.value, calc.CalcError)


def test_error_names_layer_and_index() -> None:
    with pytest.raises(NoEffectiveFieldError) as info:
        calc.effective_receptive_field([conv(3), conv(3), calc.up_sampling2d(IMAGE)])
    assert (info.value.layer, info.value.index) == ("UpSampling2D", 2)


def test_too_long_a_field_is_refused() -> None:
    # 3 taps at jumps 1, 4, 16, ...: the field grows past MAX_PROFILE_SIZE (2^16) at 9 layers: 1 + 2 (4^9 - 1)/3.
    chain = [Window((3, 3), (4, 4), (0, 0), (0, 0))] * 9
    size = 1 + 2 * (4**9 - 1) // 3
    assert size > MAX_PROFILE_SIZE
    with pytest.raises(NoEffectiveFieldError, match=f"{size} pixels along rows"):
        calc.effective_receptive_field(chain)
    assert calc.effective_receptive_field(chain[:8]).size == (1 + 2 * (4**8 - 1) // 3,) * 2


def test_too_large_counts_are_refused() -> None:
    # 3,000 3×3 layers: 6,001 pixels, each count below 3^3000 (4,755 bits): 28.5 Mbit, under MAX_COUNT_BITS;
    # 4,000 layers: 8,001 × 6,340 bits = 50.7 Mbit, over it.
    assert 6001 * (3**3000).bit_length() <= MAX_COUNT_BITS < 8001 * (3**4000).bit_length()
    with pytest.raises(NoEffectiveFieldError, match="8001 pixels × 6340-bit counts"):
        calc.effective_receptive_field([Window((3, 3), (1, 1), (0, 0), (0, 0))] * 4000)


def test_window_whose_extent_does_not_fit_its_dilation() -> None:
    with pytest.raises(calc.CalcError, match="kernel extent 4"):
        calc.effective_receptive_field([Window((4, 3), (1, 1), (0, 0), (0, 0), (2, 1))])


def test_window_dilation_is_set_by_the_layers() -> None:
    assert conv(3, dilation_rate=(2, 3)).window == Window((5, 7), (1, 1), (0, 0), (0, 0), (2, 3))
    assert calc.max_pooling2d(IMAGE, 3).window.dilation == (1, 1)  # type: ignore[union-attr]
    assert calc.separable_conv2d(IMAGE, 8, 3, dilation_rate=2).window.dilation == (2, 2)  # type: ignore[union-attr]
    assert calc.conv2d_transpose(IMAGE, 8, 3, strides=2).window is None


# --- the analyzer -------------------------------------------------------------------------------------------------


def _layer(cls: str, name: str, inbound: list[str], **config: Any) -> dict[str, Any]:
    tensors = [{"class_name": "__keras_tensor__", "config": {"keras_history": [i, 0, 0]}} for i in inbound]
    args = [tensors] if cls in ("Add", "Concatenate", "Average") else tensors
    return {"class_name": cls, "name": name, "config": {"name": name, **config}, "inbound_nodes": [{"args": args}]}


def _model(*layers: dict[str, Any], output: str) -> dict[str, Any]:
    inp = {"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [None, 64, 64, 3]}, "inbound_nodes": []}
    return {"class_name": "Functional", "config": {"name": "m", "layers": [inp, *layers],
            "input_layers": [["in", 0, 0]], "output_layers": [[output, 0, 0]]}}  # fmt: skip


def _conv(name: str, inbound: str, k: int, **config: Any) -> dict[str, Any]:
    return _layer("Conv2D", name, [inbound], **{"filters": 4, "kernel_size": k, **config})


def test_analyzer_chain_std() -> None:
    # sigma^2 by hand: c1 3×3: 8/12; c2 3×3 at dilation 2: + 8/12 * 2^2 = 40/12; pool 2×2 stride 2: + 3/12 = 43/12;
    # c3 3×3 after a jump of 2: + 8/12 * 2^2 = 75/12 = 25/4, std 2.5. The ReLU and Flatten change nothing / end it.
    s = calc.summarize(
        _model(
            _conv("c1", "in", 3),
            _conv("c2", "c1", 3, dilation_rate=2),
            _layer("MaxPooling2D", "pool", ["c2"], pool_size=2),
            _layer("ReLU", "relu", ["pool"]),
            _conv("c3", "relu", 3),
            _layer("Flatten", "flat", ["c3"]),
            output="flat",
        )
    )
    std = {r.name: r.effective_std for r in s.layers}
    assert std["in"] == (0.0, 0.0)
    assert std["c1"] == pytest.approx((sqrt(8 / 12),) * 2, rel=1e-15)
    assert std["c2"] == pytest.approx((sqrt(40 / 12),) * 2, rel=1e-15)
    assert std["pool"] == std["relu"] == pytest.approx((sqrt(43 / 12),) * 2, rel=1e-15)
    assert std["c3"] == pytest.approx((2.5, 2.5), rel=1e-15)
    assert std["flat"] is None  # no receptive field past Flatten
    assert s.to_dict()["layers"][5]["effective_std"] == pytest.approx([2.5, 2.5], rel=1e-15)
    assert not s.warnings
    # The same as the exact profile's std of the same chain.
    chain = [conv(3), conv(3, dilation_rate=2), calc.max_pooling2d(IMAGE, 2), conv(3)]
    assert calc.effective_receptive_field(chain).std == pytest.approx(std["c3"], rel=1e-12)


def test_analyzer_merge_of_different_spreads_is_none_with_a_warning() -> None:
    # A residual block: c0's output added to itself after two more 3×3 layers (std sqrt(8/12) against sqrt(2)).
    s = calc.summarize(
        _model(
            _conv("c0", "in", 3, padding="same"),
            _conv("c1", "c0", 3, padding="same"),
            _conv("c2", "c1", 3, padding="same"),
            _layer("Add", "add", ["c0", "c2"]),
            _conv("c3", "add", 3, padding="same"),
            output="c3",
        )
    )
    std = {r.name: r.effective_std for r in s.layers}
    assert std["c2"] == pytest.approx((sqrt(2),) * 2, rel=1e-15)
    assert std["add"] is None and std["c3"] is None
    assert s.to_dict()["layers"][4]["effective_std"] is None
    (warning,) = s.warnings
    assert "merge 'add' (Add)" in warning and "effective-field std not given" in warning
    assert "0.82×0.82" in warning and "1.41×1.41" in warning  # sqrt(8/12) and sqrt(2), the inputs' stds


def test_analyzer_merge_of_equal_spreads_keeps_it() -> None:
    # Two branches of the same shape (a 5×5 each) from one input: one centre, one variance; any mixture keeps it.
    # Then a 3×3: sigma^2 = (25 - 1)/12 + 8/12 = 32/12.
    s = calc.summarize(
        _model(
            _conv("a", "in", 5, padding="same"),
            _conv("b", "in", 5, padding="same", filters=8),
            _layer("Concatenate", "cat", ["a", "b"], axis=-1),
            _conv("c", "cat", 3, padding="same"),
            output="c",
        )
    )
    std = {r.name: r.effective_std for r in s.layers}
    assert std["cat"] == pytest.approx((sqrt(2),) * 2, rel=1e-15)
    assert std["c"] == pytest.approx((sqrt(32 / 12),) * 2, rel=1e-15)
    assert not s.warnings


def test_analyzer_merge_of_misaligned_inputs_is_none_with_a_warning() -> None:
    # Same spread (a 3×3 each) but 'valid' against 'same' padding: centres differ by one pixel. The shapes are made
    # to agree by padding the 'valid' branch back to 64×64.
    s = calc.summarize(
        _model(
            _conv("a", "in", 3, padding="same"),
            _conv("v", "in", 3),
            _layer("ZeroPadding2D", "pad", ["v"], padding=[[2, 0], [2, 0]]),
            _layer("Add", "add", ["a", "pad"]),
            output="add",
        )
    )
    assert {r.name: r.effective_std for r in s.layers}["add"] is None
    assert any("merge 'add' (Add): effective-field std not given" in w and "not aligned" in w for w in s.warnings)
