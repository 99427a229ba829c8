# Effective receptive field (Luo, Li, Urtasun & Zemel, "Understanding the Effective Receptive Field in
# Deep Convolutional Neural Networks", NeurIPS 2016), computed exactly for equal weights:
#   with every tap weighing the same and no nonlinearity, d y_centre / d x_i is the number of paths from
#   the central output unit to input pixel i. Per axis, that count is the convolution of every layer's
#   taps: layer l has k_l taps spaced by g_l = d_l * j_l (its dilation times the jump before it).
#   As a polynomial: P(z) = prod_l B_k(z^g),  B_k(u) = 1 + u + ... + u^(k-1).
#   Variances add:  sigma^2 = sum_l (k_l^2 - 1)/12 * g_l^2   (a uniform on k points spaced g).
#
# Speed: the factors commute, so layers are grouped by gap g; a group Q(u) = prod_k B_k(u)^(n_k) is
# expanded by the linear recurrence that follows from p Q' = q Q with p = prod_k B_k (distinct k) and
# q = sum_k n_k B_k' prod_(k' != k) B_k' (or the same with B_k = (1 - u^k)/(1 - u), whichever is sparser):
#   (i + 1) f_(i+1) = sum_j q_j f_(i-j) - sum_(j>=1) p_j (i + 1 - j) f_(i+1-j),   f_0 = 1,
# O(length * terms) integer operations instead of O(length * layers). Groups are then convolved.

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import prod, sqrt

from calc._args import Pair
from calc._errors import CalcError, NoEffectiveFieldError
from calc._layers import LayerInfo, Window

__all__ = [
    "MAX_PROFILE_SIZE",
    "EffectiveField",
    "axis_counts",
    "central_width",
    "effective_receptive_field",
    "taps",
    "variance_step",
]

# Longest profile listed, per axis: 2**20 input pixels (a 1,000-layer 3×3 chain needs 2,001).
MAX_PROFILE_SIZE = 2**20

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
        """The 2-D map for drawing: ``map()[i][j] = profile[0][i] * profile[1][j]`` (rows by cols), summing to 1."""
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


# --- integer polynomials (lists of coefficients, lowest power first) ---------------------------------------


def _multiply(a: Sequence[int], b: Sequence[int]) -> list[int]:
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return out


def _derivative(a: Sequence[int]) -> list[int]:
    return [i * a[i] for i in range(1, len(a))] or [0]


def _add(a: Sequence[int], b: Sequence[int]) -> list[int]:
    n = max(len(a), len(b))
    return [(a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0) for i in range(n)]


def _sparse(a: Sequence[int]) -> list[tuple[int, int]]:
    return [(j, c) for j, c in enumerate(a) if c]


def _recurrence(factors: Sequence[tuple[list[int], int]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Sparse p and q with p·Q' = q·Q for Q = prod F^n over the (F, n) given (each F with F(0) = 1):
    p = prod F,  q = sum_F n·F'·prod_(other F) (the log-derivative sum n F'/F, times p)."""
    p = [1]
    for poly, _ in factors:
        p = _multiply(p, poly)
    q = [0]
    for i, (poly, n) in enumerate(factors):
        term = [n * c for c in _derivative(poly)]
        for j, (other, _) in enumerate(factors):
            if j != i:
                term = _multiply(term, other)
        q = _add(q, term)
    return _sparse(p), _sparse(q)


def _box_power(group: Counter[int]) -> list[int]:
    """Coefficients of Q(u) = prod_k B_k(u)^(n_k), B_k(u) = 1 + u + ... + u^(k-1), every k >= 2."""
    length = 1 + sum((k - 1) * n for k, n in group.items())
    # Two ways to write p·Q' = q·Q: with the boxes themselves (dense, short for small k), or with
    # B_k = (1 - u^k)/(1 - u), i.e. Q = prod_k (1 - u^k)^(n_k) · (1 - u)^(-N) (a few terms for any k).
    dense = _recurrence([([1] * k, n) for k, n in group.items()])
    ring = _recurrence([([1] + [0] * (k - 1) + [-1], n) for k, n in group.items()] + [([1, -1], -sum(group.values()))])
    p_terms, q_terms = min(dense, ring, key=lambda pq: len(pq[0]) + len(pq[1]))
    p_terms = p_terms[1:]  # p_0 = 1 is the left-hand side's (i + 1) f_(i+1)
    f = [0] * length
    f[0] = 1
    half = (length - 1) // 2  # Q is symmetric (a product of symmetric factors): compute half, mirror
    for i in range(half):
        acc = 0
        for j, c in q_terms:
            if j > i:
                break
            acc += c * f[i - j]
        m = i + 1
        for j, c in p_terms:
            if j > m:
                break
            acc -= c * (m - j) * f[m - j]
        f[m] = acc // m  # exact: f_(i+1) is an integer
    for i in range(half + 1, length):
        f[i] = f[length - 1 - i]
    return f


def axis_counts(layers: Iterable[tuple[int, int]]) -> list[int]:
    """Path counts along one axis for layers given as (taps k, gap g): the coefficients of prod_l B_k(z^g).

    Examples:
        >>> axis_counts([(3, 1), (3, 1), (3, 1)])
        [1, 3, 6, 7, 6, 3, 1]
        >>> axis_counts([(2, 1), (3, 2)])  # a 2-pixel window at stride 2, then 3 taps: 6 equal pixels
        [1, 1, 1, 1, 1, 1]
    """
    groups: dict[int, Counter[int]] = {}
    for k, g in layers:
        if k > 1:
            groups.setdefault(g, Counter())[k] += 1
    # Each group is a polynomial in z^g; convolve them, the one with the most terms first.
    spread = sorted(
        ([(t * g, c) for t, c in enumerate(_box_power(group))] for g, group in groups.items()), key=len, reverse=True
    )
    if not spread:
        return [1]
    counts = [0] * (spread[0][-1][0] + 1)
    for offset, c in spread[0]:
        counts[offset] = c
    for terms in spread[1:]:
        out = [0] * (len(counts) + terms[-1][0])
        for offset, c in terms:
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
        if size[a] > MAX_PROFILE_SIZE:
            raise NoEffectiveFieldError(
                f"effective field: the receptive field is {size[a]} pixels along {('rows', 'cols')[a]}; "
                f"profiles are listed up to {MAX_PROFILE_SIZE} pixels"
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
