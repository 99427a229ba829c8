"""Timing statistics on synthetic samples: paired ratios, their intervals and the verdicts drawn from them."""

from __future__ import annotations

import random
import statistics

import pytest

from kernel_lab_mkdocs import stats


def noisy(base: float, n: int, spread: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [base * (1 + rng.uniform(-spread, spread)) for _ in range(n)]


def test_spread_of_known_samples() -> None:
    s = stats.spread([1.0, 2.0, 3.0, 4.0, 5.0])
    assert (s.median, s.q1, s.q3, s.n) == (3.0, 2.0, 4.0, 5)
    assert s.relative_iqr == pytest.approx(2 / 3)
    assert not s.steady
    assert stats.spread([100.0, 101.0, 102.0, 103.0]).steady  # IQR 1.5 on a median of 101.5


def test_identical_pairs_give_an_exact_ratio() -> None:
    r = stats.paired_ratio([3.0] * 10, [2.0] * 10)
    assert (r.median, r.low, r.high, r.half_width) == (1.5, 1.5, 1.5, 0.0)
    assert stats.verdict(r) == "slower"


def test_pairing_cancels_load_shared_by_both_variants() -> None:
    """The machine's speed swings 2× from round to round; a is always 0.8× b in the same round. Unpaired medians
    would spread with the load; the paired ratio does not."""
    load = [1 + (i % 5) / 4 for i in range(20)]
    a = [0.8 * x for x in load]
    b = list(load)
    r = stats.paired_ratio(a, b)
    assert r.median == pytest.approx(0.8) and r.low == pytest.approx(0.8) and r.high == pytest.approx(0.8)
    assert stats.verdict(r) == "faster" and r.precise
    assert not stats.spread(b).steady  # each figure alone is not steady


def test_interval_straddling_one_is_within_noise() -> None:
    a, b = noisy(1.0, 12, 0.3, 1), noisy(1.0, 12, 0.3, 2)
    r = stats.paired_ratio(a, b)
    assert r.low < 1 < r.high
    assert stats.verdict(r) == "within noise"
    assert not r.precise


def test_a_real_difference_is_found_and_its_interval_contains_the_truth() -> None:
    a, b = noisy(0.9, 30, 0.02, 3), noisy(1.0, 30, 0.02, 4)
    r = stats.paired_ratio(a, b)
    assert r.low <= 0.9 <= r.high
    assert stats.verdict(r) == "faster" and r.precise


def test_interval_is_deterministic_and_widens_with_noise() -> None:
    quiet = stats.paired_ratio(noisy(1.2, 20, 0.01, 5), noisy(1.0, 20, 0.01, 6))
    loud = stats.paired_ratio(noisy(1.2, 20, 0.2, 5), noisy(1.0, 20, 0.2, 6))
    assert quiet == stats.paired_ratio(noisy(1.2, 20, 0.01, 5), noisy(1.0, 20, 0.01, 6))
    assert loud.half_width > 5 * quiet.half_width
    assert quiet.precise and not loud.precise


def test_coverage_of_the_bootstrap_interval() -> None:
    """Over many synthetic experiments with a known ratio, the 95 % interval contains it most of the time (the
    percentile bootstrap of a median on 20 pairs is a little narrow; 85 % is the floor accepted here)."""
    hits = 0
    trials = 200
    for t in range(trials):
        rng = random.Random(t)
        b = [rng.lognormvariate(0, 0.1) for _ in range(20)]
        a = [0.7 * y * rng.lognormvariate(0, 0.05) for y in b]
        r = stats.paired_ratio(a, b, seed=t, resamples=400)
        hits += r.low <= 0.7 <= r.high
    assert hits / trials >= 0.85


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="equal length"):
        stats.paired_ratio([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="two pairs"):
        stats.paired_ratio([1.0], [1.0])
    with pytest.raises(ValueError, match="two samples"):
        stats.spread([1.0])


def test_median_is_of_the_per_round_ratios() -> None:
    a, b = [1.0, 4.0, 9.0], [1.0, 2.0, 3.0]
    assert stats.paired_ratio(a, b).median == statistics.median([1.0, 2.0, 3.0])


def test_spread_between_runs_widens_the_interval_and_changes_the_verdict() -> None:
    """Each process's rounds agree closely (narrow bootstrap interval below 1), but the processes' medians straddle
    1: the interval used is the runs' range, the verdict is "within noise" and the ratio is not precise."""
    within = stats.Ratio(0.98, 0.975, 0.985, 30)
    assert stats.verdict(within) == "faster" and within.precise
    used = stats.combined(within, [0.96, 0.98, 1.03])
    assert (used.median, used.low, used.high) == (0.98, 0.96, 1.03)
    assert stats.verdict(used) == "within noise"
    assert used.half_width == pytest.approx(0.035 / 0.98)
    wide_runs = stats.combined(within, [0.90, 0.98, 1.0])
    assert not wide_runs.precise  # half-width 0.05 / 0.98 > 5 %


def test_the_wider_interval_wins_either_way() -> None:
    within = stats.Ratio(0.6, 0.58, 0.63, 30)
    assert stats.combined(within, [0.6, 0.61, 0.605]) == within  # the runs agree better than the rounds
    between = stats.between_runs(0.6, [0.6, 0.61, 0.605])
    assert (between.low, between.high, between.n) == (0.6, 0.61, 3)
    with pytest.raises(ValueError, match="two runs"):
        stats.between_runs(0.6, [0.6])


def test_precision_is_judged_by_the_half_width_not_by_either_end() -> None:
    """A bootstrap interval is rarely symmetric: 0.92×–1.00× about 1.00× reaches 8 % below the ratio and 0 % above;
    its half-width is 4 %, and that is what the limit applies to (the pages say "half-width")."""
    r = stats.Ratio(1.0, 0.92, 1.0, 20)
    assert r.half_width == pytest.approx(0.04)
    assert r.precise
    assert not stats.Ratio(1.0, 0.89, 1.0, 20).precise  # half-width 5.5 %
