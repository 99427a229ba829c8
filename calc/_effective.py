# Effective receptive field (Luo, Li, Urtasun & Zemel, "Understanding the Effective Receptive Field in
# Deep Convolutional Neural Networks", NeurIPS 2016), computed exactly for equal weights:
#   with every tap weighing the same and no nonlinearity, d y_centre / d x_i is the number of paths from
#   the central output unit to input pixel i. Per axis, that count is the convolution of every layer's
#   taps: layer l has k_l taps spaced by g_l = d_l * j_l (its dilation times the jump before it).
#   As a polynomial: P(z) = prod_l B_k(z^g),  B_k(u) = 1 + u + ... + u^(k-1).
#   Variances add:  sigma^2 = sum_l (k_l^2 - 1)/12 * g_l^2   (a uniform on k points spaced g).
#
# Speed: the factors commute, and a product Q of powers of a few factors F (each with F(0) = 1) obeys
# p·Q' = q·Q with p = prod F and q = sum_F n_F F' prod_(other F) (the log-derivative, times p), so
#   (i + 1) f_(i+1) = sum_j q_j f_(i-j) - sum_(j>=1) p_j (i + 1 - j) f_(i+1-j),   f_0 = 1,
# gives its coefficients in O(length * terms of p and q) integer operations instead of O(length * layers).
# The factors are written either as the boxes B_k(z^g) or as B_k(z^g) = (1 - z^(kg))/(1 - z^g), whichever
# makes p and q sparser. Two ways to use it, the one estimated cheaper is taken:
#   "whole":  one recurrence over every distinct (k, g) (few distinct factors, many layers each);
#   "groups": one recurrence per gap g (a polynomial in z^g), then the groups convolved directly.
# Both are exact; the work grows with the length of the field times the size of its counts, so fields whose
# counts would exceed MAX_COUNT_BITS are refused rather than left to run for minutes.

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import prod, sqrt

from calc._args import Pair
from calc._errors import CalcError, NoEffectiveFieldError
from calc._layers import LayerInfo, Window

__all__ = [
    "MAX_COUNT_BITS",
    "MAX_PROFILE_SIZE",
    "EffectiveField",
    "axis_counts",
    "central_width",
    "effective_receptive_field",
    "taps",
    "variance_step",
]

# Longest profile listed, per axis, in input pixels (a 1,000-layer 3×3 chain needs 2,001).
MAX_PROFILE_SIZE = 2**16
# Largest exact profile, per axis: pixels × bits of the largest count (the total number of paths), 4 MiB.
# A 1,000-layer 3×3 chain takes 2,001 × 1,586 bits; 1,000 3×3 layers halving the size every 100 take 324 Mbit.
MAX_COUNT_BITS = 2**25

Counts = tuple[int, ...]
Profile = tuple[float, ...]


@dataclass(frozen=True, slots=True)
class EffectiveField:
    """Effective receptive field of a chain's central output unit with equal weights, per axis (rows, cols).

    Attributes:
        counts: Per axis, the number of paths from the output unit to each input pixel of its theoretical
            receptive field, first pixel first: exact integers, one per pixel (so ``len(counts[a])`` is the
            receptive field size). Their sum is the product of the layers' tap counts.
        profile: ``counts`` divided by their sum: floats summing to 1 (up to rounding).
        std: Standard deviation of the profile in input pixels: ``sqrt(sum_l (k_l**2 - 1)/12 * (d_l*j_l)**2)``.
        width_50: The central width holding half the weight: the smallest window of whole pixels, centred on
            the field (so of the field's parity: odd for an odd field, even for an even one), whose counts
            sum to at least 50 % of the total.
        width_90: The same for 90 %.

    Examples:
        >>> import calc
        >>> three = [calc.conv2d((32, 32, 16), 16, 3)] * 3
        >>> f = calc.effective_receptive_field(three)
        >>> f.counts[0]
        (1, 3, 6, 7, 6, 3, 1)
        >>> round(f.std[0], 3), f.width_50, f.width_90
        (1.414, (3, 3), (5, 5))
        >>> centre_row = f.map()[3]
        >>> round(centre_row[3], 4) == round((7 / 27) ** 2, 4)
        True
    """

    counts: tuple[Counts, Counts]
    profile: tuple[Profile, Profile]
    std: tuple[float, float]
    width_50: Pair
    width_90: Pair

    @property
    def size(self) -> Pair:
        """Receptive field size per axis: the length of each profile."""
        return (len(self.counts[0]), len(self.counts[1]))

    def map(self) -> tuple[Profile, ...]:
        """The 2-D map for drawing: ``map()[i][j] = profile[0][i] * profile[1][j]`` (rows by cols), summing to 1.

        It holds ``size[0] * size[1]`` floats: for a large field, bin the two profiles and multiply the bins instead.
        """
        rows, cols = self.profile
        return tuple(tuple(r * c for c in cols) for r in rows)

    def width(self, percent: int) -> Pair:
        """The central width (see ``width_50``) holding at least ``percent`` % of the weight, per axis."""
        return (central_width(self.counts[0], percent), central_width(self.counts[1], percent))


def taps(window: Window, axis: int) -> int:
    """Number of taps of a window along an axis: (extent - 1)/dilation + 1.

    Examples:
        >>> taps(Window((5, 3), (1, 1), (0, 0), (0, 0), (2, 1)), 0)
        3
    """
    extent, d = window.kernel[axis], window.dilation[axis]
    if extent < 1 or d < 1 or (extent - 1) % d:
        raise CalcError(f"Window: kernel extent {extent} is not dilation*(k - 1) + 1 for dilation {d}")
    return (extent - 1) // d + 1


def variance_step(var12: Pair, window: Window, jump: Pair) -> Pair:
    """Twelve times the effective field's variance after one more layer, exact, per axis:
    12·sigma^2 += (k^2 - 1)·(d·j)^2 with k taps, dilation d and the jump j before the layer.

    Examples:
        >>> variance_step((0, 0), Window((7, 7), (1, 1), (0, 0), (0, 0)), (1, 1))  # 12 * 4
        (48, 48)
    """
    k0, k1 = taps(window, 0), taps(window, 1)
    g0, g1 = window.dilation[0] * jump[0], window.dilation[1] * jump[1]
    return (var12[0] + (k0 * k0 - 1) * g0 * g0, var12[1] + (k1 * k1 - 1) * g1 * g1)


# --- integer polynomials (dicts {power: coefficient}, or lists of coefficients lowest power first) -----------------

Poly = dict[int, int]
Terms = list[tuple[int, int]]  # (power, coefficient), nonzero, increasing powers


def _multiply(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for i, x in a.items():
        for j, y in b.items():
            out[i + j] = out.get(i + j, 0) + x * y
    return {i: c for i, c in out.items() if c}


def _derivative(a: Poly) -> Poly:
    return {i - 1: i * c for i, c in a.items() if i}


def _recurrence(factors: Sequence[tuple[Poly, int]]) -> tuple[Terms, Terms]:
    """p (without its p_0 = 1) and q of p·Q' = q·Q for Q = prod F^n over the (F, n) given."""
    p: Poly = {0: 1}
    for poly, _ in factors:
        p = _multiply(p, poly)
    q: Poly = {}
    for i, (poly, n) in enumerate(factors):
        term = {j: n * c for j, c in _derivative(poly).items()}
        for j, (other, _) in enumerate(factors):
            if j != i:
                term = _multiply(term, other)
        for j, c in term.items():
            q[j] = q.get(j, 0) + c
    return sorted((j, c) for j, c in p.items() if j), sorted((j, c) for j, c in q.items() if c)


def _forms(factors: Counter[tuple[int, int]], limit: int = 4096) -> tuple[Terms, Terms] | None:
    """The sparser of the two recurrences for Q = prod B_k(z^g)^n over the ((k, g), n) given, leaving out a form
    whose p could have more than ``limit`` terms; None when both could (then factors are applied one by one)."""
    candidates = []
    # p = prod B_k(z^g): at most prod k terms, and at most its degree + 1.
    if min(prod(k for k, _ in factors), sum((k - 1) * g for k, g in factors) + 1) <= limit:
        candidates.append(_recurrence([({t * g: 1 for t in range(k)}, n) for (k, g), n in factors.items()]))
    # B_k(z^g)^n = (1 - z^(kg))^n (1 - z^g)^(-n): exponents e with their net powers (some cancel);
    # p = prod (1 - z^e): at most 2^|E| terms, and at most sum e + 1.
    net: Counter[int] = Counter()
    for (k, g), n in factors.items():
        net[k * g] += n
        net[g] -= n
    ring = [e for e, n in net.items() if n]
    if min(2 ** min(len(ring), 64), sum(ring) + 1) <= limit:
        candidates.append(_recurrence([({0: 1, e: -1}, net[e]) for e in ring]))
    return min(candidates, key=lambda pq: len(pq[0]) + len(pq[1])) if candidates else None


def _box_filter(x: Sequence[int], k: int, g: int) -> list[int]:
    """x convolved with k equal taps spaced g: out_i = x_i + out_(i-g) - x_(i-kg), a running sum."""
    n = len(x)
    out = [0] * (n + (k - 1) * g)
    for i in range(len(out)):
        acc = x[i] if i < n else 0
        if i >= g:
            acc += out[i - g]
        if 0 <= i - k * g < n:
            acc -= x[i - k * g]
        out[i] = acc
    return out


def _expand(factors: Counter[tuple[int, int]]) -> list[int]:
    """Coefficients of prod B_k(z^g)^n: by the recurrence, or factor by factor where it would be costly."""
    forms = _forms(factors)
    if forms is not None:
        return _solve(*forms, _span(factors))
    counts = [1]
    for (k, g), n in factors.items():
        for _ in range(n):
            counts = _box_filter(counts, k, g)
    return counts


def _solve(p: Terms, q: Terms, length: int) -> list[int]:
    """The first ``length`` coefficients by the recurrence; Q is symmetric (a product of symmetric factors),
    so half are computed and mirrored."""
    f = [0] * length
    f[0] = 1
    for i in range((length - 1) // 2):
        acc = 0
        for j, c in q:
            if j > i:
                break
            acc += c * f[i - j]
        m = i + 1
        for j, c in p:
            if j > m:
                break
            acc -= c * (m - j) * f[m - j]
        f[m] = acc // m  # exact: f_(i+1) is an integer
    for i in range((length + 1) // 2, length):
        f[i] = f[length - 1 - i]
    return f


def _span(factors: Counter[tuple[int, int]]) -> int:
    return 1 + sum((k - 1) * g * n for (k, g), n in factors.items())


def axis_counts(layers: Iterable[tuple[int, int]], method: str | None = None) -> list[int]:
    """Path counts along one axis for layers given as (taps k, gap g): the coefficients of prod_l B_k(z^g).

    ``method`` forces "whole" or "groups" (see the module's comment); by default the cheaper is estimated.

    >>> axis_counts([(3, 1), (3, 1), (3, 1)])
    [1, 3, 6, 7, 6, 3, 1]
    >>> axis_counts([(2, 1), (3, 2)])  # a 2-pixel window at stride 2, then 3 taps: 6 equal pixels
    [1, 1, 1, 1, 1, 1]
    """
    factors: Counter[tuple[int, int]] = Counter((k, g) for k, g in layers if k > 1)
    if not factors:
        return [1]
    length = _span(factors)
    by_gap: dict[int, Counter[tuple[int, int]]] = {}
    for (k, g), n in factors.items():
        by_gap.setdefault(g, Counter())[(k, 1)] = n
    groups = sorted(by_gap.items(), key=lambda item: -_span(item[1]))
    # Estimated big-integer operations of "groups": each group's recurrence (a few terms per coefficient), then
    # the convolutions (the field so far times the next group's terms).
    cost_groups, so_far = 0, 0
    for g, group in groups:
        span = _span(group)  # terms of the group, a polynomial in z^g
        cost_groups += span * 8 + 2 * so_far * span
        so_far += (span - 1) * g + (0 if so_far else 1)
    # "whole": at most 2 (D + 1) terms per coefficient, D = sum over distinct (k, g) of (k - 1) g, the degree of
    # p written with boxes; p and q are only built when that bound could win.
    degree = sum((k - 1) * g for k, g in factors)
    if method == "whole" or len(groups) == 1:
        return _expand(factors)
    if method is None and length * 2 * (degree + 1) < cost_groups:
        whole = _forms(factors, cost_groups // (2 * length))
        if whole is not None and length * (len(whole[0]) + len(whole[1])) <= cost_groups:
            return _solve(*whole, length)
    counts: list[int] = []
    for g, group in groups:
        dense = _expand(group)
        if not counts:
            counts = [0] * ((len(dense) - 1) * g + 1)
            counts[::g] = dense
            continue
        out = [0] * (len(counts) + (len(dense) - 1) * g)
        for t, c in enumerate(dense):
            offset = t * g
            for i, v in enumerate(counts):
                if v:
                    out[offset + i] += c * v
        counts = out
    return counts


def central_width(counts: Sequence[int], percent: int) -> int:
    """Smallest window centred on the profile, in whole pixels and of the profile's parity, whose counts
    sum to at least ``percent`` % of the total (exact: 100·sum >= percent·total).

    Examples:
        >>> central_width([1, 3, 6, 7, 6, 3, 1], 50), central_width([1, 3, 6, 7, 6, 3, 1], 90)
        (3, 5)
    """
    if not 0 <= percent <= 100:
        raise CalcError(f"effective field: percent must be in 0..100, got {percent}")
    n = len(counts)
    need = percent * sum(counts)
    lo, hi = (n - 1) // 2, n // 2  # the centre pixel (odd n) or the two central ones (even n)
    held = counts[lo] + (counts[hi] if hi != lo else 0)
    while 100 * held < need:
        lo, hi = lo - 1, hi + 1
        held += counts[lo] + counts[hi]
    return hi - lo + 1


def _std(counts: Sequence[int]) -> float:
    # var = (N·S2 - S1^2)/N^2, S1 = sum c_i·i, S2 = sum c_i·i^2: exact integers, one rounding at the end.
    n = sum(counts)
    s1 = sum(i * c for i, c in enumerate(counts))
    s2 = sum(i * i * c for i, c in enumerate(counts))
    return sqrt((n * s2 - s1 * s1) / (n * n))


def _axis_layers(items: Sequence[LayerInfo | Window | None]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Per axis, (taps, gap) of each layer; refuses chains that have no effective field."""
    if not items:
        raise NoEffectiveFieldError("effective field: the chain is empty; give at least one layer")
    jump = [1, 1]
    size = [1, 1]
    axes: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
    for index, item in enumerate(items):
        window = item.window if isinstance(item, LayerInfo) else item
        name = item.class_name if isinstance(item, LayerInfo) else "Window" if isinstance(item, Window) else "None"
        if not isinstance(window, Window):
            raise NoEffectiveFieldError(
                f"effective field: layer {index} ({name}) has no position-independent window, "
                "so its output units have no effective field",
                name,
                index,
            )
        for a in (0, 1):
            k, g = taps(window, a), window.dilation[a] * jump[a]
            axes[a].append((k, g))
            size[a] += (k - 1) * g
            jump[a] *= window.strides[a]
    for a in (0, 1):
        axis = ("rows", "cols")[a]
        if size[a] > MAX_PROFILE_SIZE:
            raise NoEffectiveFieldError(
                f"effective field: the receptive field is {size[a]} pixels along {axis}; "
                f"profiles are listed up to {MAX_PROFILE_SIZE} pixels"
            )
        bits = size[a] * prod(k for k, _ in axes[a]).bit_length()  # every count is at most the total
        if bits > MAX_COUNT_BITS:
            raise NoEffectiveFieldError(
                f"effective field: the exact path counts along {axis} would take {bits} bits ({size[a]} pixels × "
                f"{bits // size[a]}-bit counts); calc lists up to {MAX_COUNT_BITS} bits"
            )
    return axes


def effective_receptive_field(layers: Iterable[LayerInfo | Window | None]) -> EffectiveField:
    """Effective receptive field of a chain's central output unit, with equal weight on every tap.

    Parameters:
        layers: The chain in input-to-output order, as for :func:`calc.receptive_field`: ``LayerInfo``
            items (or bare ``Window``s). A layer's k taps are spaced by its dilation times the jump (product
            of the strides) before it; pooling windows count as equal taps; depthwise and separable layers
            count their spatial kernel; padding, cropping and channels change nothing.

    Returns:
        An :class:`EffectiveField`: exact path counts, the normalised profile, its standard deviation and its
        central 50 % and 90 % widths per axis (rows, cols).

    Raises:
        NoEffectiveFieldError: the chain is empty, a layer has no position-independent window (strided
            Conv2DTranspose, UpSampling2D, global pooling, ...), or the field is longer than
            ``MAX_PROFILE_SIZE`` on an axis.

    One 7×7 layer: seven equal taps, std 2 px. Three 3×3: 1 3 6 7 6 3 1 (÷ 27), std sqrt(2) px.

    Examples:
        >>> import calc
        >>> seven = calc.effective_receptive_field([calc.conv2d((32, 32, 16), 16, 7)])
        >>> seven.counts[1], seven.std
        ((1, 1, 1, 1, 1, 1, 1), (2.0, 2.0))
        >>> three = calc.effective_receptive_field([calc.conv2d((32, 32, 16), 16, 3)] * 3)
        >>> three.counts[1], [round(s, 4) for s in three.std]
        ((1, 3, 6, 7, 6, 3, 1), [1.4142, 1.4142])
    """
    axes = _axis_layers(list(layers))
    counts: list[Counts] = []
    for a in (0, 1):
        if a == 1 and axes[1] == axes[0]:
            counts.append(counts[0])
        else:
            counts.append(tuple(axis_counts(axes[a])))
    profiles: list[Profile] = []
    stds: list[float] = []
    for a in (0, 1):
        if a == 1 and counts[1] is counts[0]:
            profiles.append(profiles[0])
            stds.append(stds[0])
            continue
        total = prod(k for k, _ in axes[a])  # each layer multiplies the number of paths by its taps
        profiles.append(tuple(c / total for c in counts[a]))
        stds.append(_std(counts[a]))
    return EffectiveField(
        (counts[0], counts[1]),
        (profiles[0], profiles[1]),
        (stds[0], stds[1]),
        (central_width(counts[0], 50), central_width(counts[1], 50)),
        (central_width(counts[0], 90), central_width(counts[1], 90)),
    )
