"""Summaries of timing samples and the verdicts drawn from them.

A comparison of two variants is a *paired* ratio: both were timed in the same round of the same process, one right
after the other, so round i gives the ratio t_a[i] / t_b[i], and load that changes between rounds changes both.
The ratio quoted is the median of those per-round ratios; its 95 % confidence interval is a percentile bootstrap
over rounds (resampled with a fixed seed, so the same samples always give the same interval).

One process's rounds share that process's state (memory layout, thread placement, what the convolution library
chose when it compiled), so the same timing run again in a fresh process can land outside that interval. The
timing stage therefore runs several processes, pools their rounds, and keeps each process's median ratio; the
spread between runs is the range of those medians (``between_runs``), and the interval a verdict is drawn from is
the wider of the two (``combined``).

Verdicts: a ratio whose whole interval lies below 1 says "a is faster", above 1 "a is slower", and an interval that
contains 1 says "within noise". An interval need not be symmetric about the ratio (a bootstrap interval rarely
is); its *half-width* is half its whole width, as a share of the ratio. Only ratios whose half-width is at most
``HALF_WIDTH_LIMIT`` are precise enough to quote a verdict from; the pages say which are.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CONFIDENCE",
    "HALF_WIDTH_LIMIT",
    "IQR_LIMIT",
    "Ratio",
    "Spread",
    "between_runs",
    "combined",
    "paired_ratio",
    "spread",
    "verdict",
]

CONFIDENCE = 0.95
IQR_LIMIT = 0.10  # a timing figure is steady when its interquartile range is at most 10 % of its median
HALF_WIDTH_LIMIT = 0.05  # a ratio is precise when its interval's half-width (half its width) is at most 5 % of it
RESAMPLES = 2000

FASTER, SLOWER, NOISE = "faster", "slower", "within noise"


@dataclass(frozen=True)
class Spread:
    """Median and quartiles of a list of samples (``statistics.quantiles``, inclusive method)."""

    median: float
    q1: float
    q3: float
    n: int

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def relative_iqr(self) -> float:
        return self.iqr / self.median

    @property
    def steady(self) -> bool:
        return self.relative_iqr <= IQR_LIMIT


@dataclass(frozen=True)
class Ratio:
    """Median of paired ratios a/b with its bootstrap confidence interval [low, high]."""

    median: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width relative to the ratio: 0.05 for an interval 10 % of the ratio wide, wherever
        the ratio sits in it (one end may be more than 5 % from the ratio)."""
        return (self.high - self.low) / 2 / self.median

    @property
    def precise(self) -> bool:
        return self.half_width <= HALF_WIDTH_LIMIT


def spread(samples: Sequence[float]) -> Spread:
    """Median and quartiles; at least two samples."""
    if len(samples) < 2:
        raise ValueError(f"need at least two samples, got {len(samples)}")
    q1, median, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return Spread(median, q1, q3, len(samples))


def paired_ratio(a: Sequence[float], b: Sequence[float], seed: int = 0, resamples: int = RESAMPLES) -> Ratio:
    """Median of a[i] / b[i] and its percentile-bootstrap interval at ``CONFIDENCE``.

    >>> r = paired_ratio([2.0, 2.2, 1.8, 2.0], [1.0, 1.1, 0.9, 1.0])
    >>> r.median, r.low, r.high
    (2.0, 2.0, 2.0)
    """
    if len(a) != len(b):
        raise ValueError(f"paired samples must have equal length, got {len(a)} and {len(b)}")
    if len(a) < 2:
        raise ValueError(f"need at least two pairs, got {len(a)}")
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    rng = random.Random(seed)
    n = len(ratios)
    medians = sorted(statistics.median(rng.choices(ratios, k=n)) for _ in range(resamples))
    tail = (1 - CONFIDENCE) / 2
    low = medians[int(tail * resamples)]
    high = medians[min(resamples - 1, int((1 - tail) * resamples))]
    return Ratio(statistics.median(ratios), low, high, n)


def verdict(r: Ratio) -> str:
    """ "faster" when the whole interval of a/b lies below 1, "slower" above 1, else "within noise"."""
    if r.high < 1:
        return FASTER
    if r.low > 1:
        return SLOWER
    return NOISE


def between_runs(median: float, medians: Sequence[float]) -> Ratio:
    """The spread between runs: the range of the runs' own medians of a ratio, about the pooled ``median``.

    >>> r = between_runs(0.61, [0.60, 0.61, 0.63])
    >>> r.low, r.high, round(r.half_width, 4)
    (0.6, 0.63, 0.0246)
    """
    if len(medians) < 2:
        raise ValueError(f"need at least two runs, got {len(medians)}")
    return Ratio(median, min(medians), max(medians), len(medians))


def combined(within: Ratio, medians: Sequence[float]) -> Ratio:
    """The ratio with the wider of two intervals: the bootstrap interval over the pooled rounds (``within``) and the
    range of the runs' own medians; a tie keeps ``within``. Verdict and precision are drawn from this one.

    >>> combined(Ratio(0.61, 0.605, 0.615, 30), [0.60, 0.61, 0.63])
    Ratio(median=0.61, low=0.6, high=0.63, n=30)
    """
    between = between_runs(within.median, medians)
    if between.high - between.low > within.high - within.low:
        return Ratio(within.median, between.low, between.high, within.n)
    return within
