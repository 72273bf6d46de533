"""The uncertain inputs of a benefit-cost scenario: what each may be, drawn in bulk.

A scenario gives every input as one distribution: ``fixed``, ``uniform``, ``triangular``,
``pert``, ``lognormal``, ``normal`` (from an estimate and its standard error, a 95%
interval, or a P10 and P90) or ``empirical`` (draws made elsewhere, such as bootstrap
replicates). Each is a frozen dataclass that checks its parameters when it is built,
draws a whole vector at once from a ``numpy.random.Generator`` and gives its quantiles in
closed form, so the one-way sensitivities need no sampling. ``bounds`` cut a draw off at
the edges of what the quantity can be (a share between 0 and 1, a cost not below 0).

``parse_distribution(spec, key)`` reads the scenario file's form (``{pert: [low, mode,
high]}``, ``{normal: {estimate: 0.05, std_error: 0.02}}``, a bare number for a fixed
value) and fails with one ``ValueError`` naming the key and the fix.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

#: z of the 90th percentile of the standard normal: P10 and P90 lie this many standard
#: deviations either side of the median.
Z90 = float(stats.norm.ppf(0.9))
#: z of the 97.5th percentile: a 95% interval is this many standard errors either side.
Z975 = float(stats.norm.ppf(0.975))
#: The PERT weight of the mode (Malcolm et al. 1959; Vose 2008, "Risk Analysis", 3rd ed.).
PERT_WEIGHT = 4.0

#: Slices of probability in the quantile table PERT draws come from.
QUANTILE_TABLE_SIZE = 65_536

KINDS = ("fixed", "uniform", "triangular", "pert", "lognormal", "normal", "empirical")


@dataclass(frozen=True)
class Distribution:
    """What an input may be. Subclasses give ``sample`` and ``quantile``."""

    bounds: tuple[float, float] = (-math.inf, math.inf)

    kind = "distribution"

    @property
    def is_fixed(self) -> bool:
        return False

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws, cut off at ``bounds``."""
        values = self._sample(rng, size)
        # A distribution with a stated range was checked to lie inside its bounds when it
        # was built; only the unbounded ones need cutting off (a pass over every draw).
        if _stated_range(self) is None and np.isfinite(self.bounds).any():
            np.clip(values, *self.bounds, out=values)
        return values

    def quantile(self, q: float) -> float:
        """The value below which a share ``q`` of draws fall (after ``bounds``)."""
        return float(np.clip(self._quantile(q), *self.bounds))

    @property
    def median(self) -> float:
        return self.quantile(0.5)

    def describe(self) -> str:
        raise NotImplementedError

    def _sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError

    def _quantile(self, q: float) -> float:
        raise NotImplementedError


@dataclass(frozen=True)
class Fixed(Distribution):
    value: float = 0.0

    kind = "fixed"

    @property
    def is_fixed(self) -> bool:
        return True

    def _sample(self, rng, size):
        return np.full(size, self.value)

    def _quantile(self, q):
        return self.value

    def describe(self) -> str:
        return f"{_fmt(self.value)}"


@dataclass(frozen=True)
class Uniform(Distribution):
    low: float = 0.0
    high: float = 1.0

    kind = "uniform"

    def _sample(self, rng, size):
        return rng.uniform(self.low, self.high, size)

    def _quantile(self, q):
        return self.low + q * (self.high - self.low)

    def describe(self) -> str:
        return f"uniform {_fmt(self.low)} to {_fmt(self.high)}"


@dataclass(frozen=True)
class Triangular(Distribution):
    low: float = 0.0
    mode: float = 0.5
    high: float = 1.0

    kind = "triangular"

    def _sample(self, rng, size):
        return rng.triangular(self.low, self.mode, self.high, size)

    def _quantile(self, q):
        low, mode, high = self.low, self.mode, self.high
        width = high - low
        split = (mode - low) / width
        if q <= split:
            return low + math.sqrt(q * width * (mode - low))
        return high - math.sqrt((1 - q) * width * (high - mode))

    def describe(self) -> str:
        return f"triangular {_fmt(self.low)} / {_fmt(self.mode)} / {_fmt(self.high)}"


@dataclass(frozen=True)
class Pert(Distribution):
    """Beta-PERT: a beta distribution on [low, high] whose mean is (low + 4 mode + high) / 6.

    Less weight in the tails than the triangular with the same three points, which suits
    an expert's "most likely" value.
    """

    low: float = 0.0
    mode: float = 0.5
    high: float = 1.0

    kind = "pert"

    @property
    def shapes(self) -> tuple[float, float]:
        width = self.high - self.low
        alpha = 1 + PERT_WEIGHT * (self.mode - self.low) / width
        beta = 1 + PERT_WEIGHT * (self.high - self.mode) / width
        return alpha, beta

    def _sample(self, rng, size):
        # Inverse transform through a table of the quantile function at the middles of
        # 65,536 equal slices of probability: a draw picks a slice at random. Several
        # times faster than numpy's beta sampler; the table's distribution is within
        # 1/131,072 of the exact one everywhere (Kolmogorov distance), far below the
        # Monte Carlo error of a million draws (about 1/1,000).
        table = _pert_table(self.low, self.high, *self.shapes)
        return table[rng.integers(0, QUANTILE_TABLE_SIZE, size, dtype=np.uint16)]

    def _quantile(self, q):
        return self.low + (self.high - self.low) * float(stats.beta.ppf(q, *self.shapes))

    def describe(self) -> str:
        return f"PERT {_fmt(self.low)} / {_fmt(self.mode)} / {_fmt(self.high)}"


@dataclass(frozen=True)
class LogNormal(Distribution):
    """exp(normal(mu, sigma)): a positive quantity whose uncertainty is multiplicative."""

    mu: float = 0.0
    sigma: float = 1.0

    kind = "lognormal"

    def _sample(self, rng, size):
        return rng.lognormal(self.mu, self.sigma, size)

    def _quantile(self, q):
        return math.exp(self.mu + self.sigma * float(stats.norm.ppf(q)))

    def describe(self) -> str:
        return f"lognormal, P10 {_fmt(self._quantile(0.1))}, P90 {_fmt(self._quantile(0.9))}"


@dataclass(frozen=True)
class Normal(Distribution):
    mean: float = 0.0
    sd: float = 1.0

    kind = "normal"

    def _sample(self, rng, size):
        return rng.normal(self.mean, self.sd, size)

    def _quantile(self, q):
        return self.mean + self.sd * float(stats.norm.ppf(q))

    def describe(self) -> str:
        return f"normal {_fmt(self.mean)} ± {_fmt(self.sd)} (s.e.)"


@dataclass(frozen=True)
class Empirical(Distribution):
    """Draws made elsewhere (bootstrap replicates, a posterior), resampled with replacement."""

    values: tuple[float, ...] = ()

    kind = "empirical"

    def _sample(self, rng, size):
        return rng.choice(np.asarray(self.values, dtype=float), size=size, replace=True)

    def _quantile(self, q):
        return float(np.quantile(np.asarray(self.values, dtype=float), q))

    def describe(self) -> str:
        return f"empirical, {len(self.values)} values"


@functools.lru_cache(maxsize=256)
def _pert_table(low: float, high: float, alpha: float, beta: float) -> np.ndarray:
    # The beta quantile function at the slices' middles, by inverting its distribution
    # function on a fine grid (beta.ppf solves for each point and is a hundred times slower).
    grid = np.linspace(0.0, 1.0, QUANTILE_TABLE_SIZE + 1)
    cdf = stats.beta.cdf(grid, alpha, beta)
    middles = (np.arange(QUANTILE_TABLE_SIZE) + 0.5) / QUANTILE_TABLE_SIZE
    return low + (high - low) * np.interp(middles, cdf, grid)


def parse_distribution(
    spec: Any, key: str, *, bounds: tuple[float, float] = (-math.inf, math.inf)
) -> Distribution:
    """Read one input's distribution from its scenario-file form.

    Parameters
    ----------
    spec
        A number (fixed), or a mapping with exactly one of ``KINDS`` as key:
        ``fixed: v``; ``uniform: [low, high]``; ``triangular`` or ``pert: [low, mode,
        high]``; ``lognormal: {p10, p90}`` or ``{median, sigma}``; ``normal: {estimate,
        std_error}``, ``{ci_lower, ci_upper}`` (a 95% interval) or ``{p10, p90}``;
        ``empirical: [v, ...]``.
    key
        Where the input sits in the scenario, for the error message.
    bounds
        The values the quantity can take; a distribution reaching past them is cut off
        there, one lying wholly outside them is refused.

    Example
    -------
    >>> parse_distribution({"pert": [0, 0.05, 0.2]}, "attribution").quantile(0.5) > 0.05
    True
    """
    if isinstance(spec, bool):
        raise ValueError(f"{key}: a yes/no is not a number; give a value or a distribution")
    if isinstance(spec, (int, float)):
        return _checked(Fixed(bounds=bounds, value=float(spec)), key)
    if not isinstance(spec, Mapping) or len(spec) != 1:
        raise ValueError(
            f"{key}: give a number or one distribution, e.g. {{pert: [low, mode, high]}} "
            f"(one of {', '.join(KINDS)})"
        )
    ((kind, params),) = spec.items()
    if kind not in KINDS:
        raise ValueError(f"{key}: unknown distribution {kind!r}; use one of {', '.join(KINDS)}")
    reader = {
        "fixed": _fixed,
        "uniform": _uniform,
        "triangular": _three_point,
        "pert": _three_point,
        "lognormal": _lognormal,
        "normal": _normal,
        "empirical": _empirical,
    }[kind]
    return _checked(reader(kind, params, f"{key}.{kind}", bounds), f"{key}.{kind}")


def normal_from_estimate(
    estimate: float,
    *,
    std_error: float | None = None,
    ci: tuple[float, float] | None = None,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> Normal:
    """A normal sampling distribution from an estimate and its standard error or 95% interval
    (the standard error read back as the interval's width over 2 x 1.96)."""
    if std_error is None:
        if ci is None:
            raise ValueError("give std_error or ci")
        std_error = (ci[1] - ci[0]) / (2 * Z975)
    return Normal(bounds=bounds, mean=float(estimate), sd=float(std_error))


def _checked(distribution: Distribution, key: str) -> Distribution:
    """Refuse a distribution that reaches values the quantity cannot take.

    One with a stated range (fixed, uniform, triangular, PERT, empirical) must lie inside
    ``bounds``; an unbounded one (normal, lognormal) is cut off at them, unless nearly all
    of it lies outside.
    """
    low, high = distribution.bounds
    lowest, highest = _stated_range(distribution) or (low, high)
    if lowest < low:
        raise ValueError(
            f"{key}: {_fmt(lowest)} is below {_fmt(low)}, which this quantity cannot be; "
            f"give values of at least {_fmt(low)}"
        )
    if highest > high:
        raise ValueError(
            f"{key}: {_fmt(highest)} is above {_fmt(high)}, which this quantity cannot be; "
            f"give values of at most {_fmt(high)}"
        )
    if distribution._quantile(0.9995) < low or distribution._quantile(0.0005) > high:
        raise ValueError(
            f"{key}: nearly every value lies outside what this quantity can be "
            f"({_fmt(low)} to {_fmt(high)}); give values in that range"
        )
    return distribution


def _stated_range(distribution: Distribution) -> tuple[float, float] | None:
    """The lowest and highest value of a bounded distribution; None for an unbounded one."""
    if isinstance(distribution, Fixed):
        return distribution.value, distribution.value
    if isinstance(distribution, (Uniform, Triangular, Pert)):
        return distribution.low, distribution.high
    if isinstance(distribution, Empirical):
        return min(distribution.values), max(distribution.values)
    return None


def _numbers(params: Any, count: int, key: str, names: str) -> list[float]:
    if (
        not isinstance(params, Sequence)
        or isinstance(params, str)
        or len(params) != count
        or not all(_is_number(v) for v in params)
    ):
        raise ValueError(f"{key}: give {count} numbers [{names}]")
    values = [float(v) for v in params]
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{key}: give finite numbers [{names}]")
    return values


def _fields(params: Any, key: str, choices: tuple[tuple[str, ...], ...]) -> dict[str, float]:
    wanted = " or ".join("{" + ", ".join(c) + "}" for c in choices)
    if not isinstance(params, Mapping):
        raise ValueError(f"{key}: give {wanted}")
    for names in choices:
        if set(params) == set(names):
            if not all(_is_number(params[n]) and math.isfinite(params[n]) for n in names):
                raise ValueError(f"{key}: give finite numbers for {', '.join(names)}")
            return {n: float(params[n]) for n in names}
    raise ValueError(f"{key}: got {sorted(params)}; give {wanted}")


def _fixed(kind, params, key, bounds):
    if not _is_number(params):
        raise ValueError(f"{key}: give one number")
    return Fixed(bounds=bounds, value=float(params))


def _uniform(kind, params, key, bounds):
    low, high = _numbers(params, 2, key, "low, high")
    if not low < high:
        raise ValueError(
            f"{key}: low {_fmt(low)} must be below high {_fmt(high)}; "
            "give [low, high], or use fixed for one value"
        )
    return Uniform(bounds=bounds, low=low, high=high)


def _three_point(kind, params, key, bounds):
    low, mode, high = _numbers(params, 3, key, "low, mode, high")
    if not low < high:
        raise ValueError(
            f"{key}: low {_fmt(low)} must be below high {_fmt(high)}; give [low, mode, high] "
            "in increasing order, or use fixed for one value"
        )
    if not low <= mode <= high:
        raise ValueError(
            f"{key}: the mode {_fmt(mode)} lies outside [{_fmt(low)}, {_fmt(high)}]; "
            "give [low, mode, high] in increasing order"
        )
    cls = Triangular if kind == "triangular" else Pert
    return cls(bounds=bounds, low=low, mode=mode, high=high)


def _lognormal(kind, params, key, bounds):
    values = _fields(params, key, (("p10", "p90"), ("median", "sigma")))
    if "p10" in values:
        p10, p90 = values["p10"], values["p90"]
        if p10 <= 0:
            raise ValueError(f"{key}: p10 {_fmt(p10)} must be above 0 (a lognormal is positive)")
        if not p10 < p90:
            raise ValueError(f"{key}: p10 {_fmt(p10)} is not below p90 {_fmt(p90)}; swap them")
        mu = (math.log(p10) + math.log(p90)) / 2
        sigma = (math.log(p90) - math.log(p10)) / (2 * Z90)
    else:
        if values["median"] <= 0:
            raise ValueError(f"{key}: the median must be above 0 (a lognormal is positive)")
        if values["sigma"] <= 0:
            raise ValueError(f"{key}: sigma must be above 0; use fixed for one value")
        mu, sigma = math.log(values["median"]), values["sigma"]
    return LogNormal(bounds=bounds, mu=mu, sigma=sigma)


def _normal(kind, params, key, bounds):
    values = _fields(
        params, key, (("estimate", "std_error"), ("ci_lower", "ci_upper"), ("p10", "p90"))
    )
    if "std_error" in values:
        if values["std_error"] <= 0:
            raise ValueError(f"{key}: std_error must be above 0; use fixed for one value")
        return Normal(bounds=bounds, mean=values["estimate"], sd=values["std_error"])
    low_name, high_name = ("ci_lower", "ci_upper") if "ci_lower" in values else ("p10", "p90")
    low, high = values[low_name], values[high_name]
    if not low < high:
        raise ValueError(
            f"{key}: {low_name} {_fmt(low)} is not below {high_name} {_fmt(high)}; swap them"
        )
    z = Z975 if low_name == "ci_lower" else Z90
    return Normal(bounds=bounds, mean=(low + high) / 2, sd=(high - low) / (2 * z))


def _empirical(kind, params, key, bounds):
    if (
        not isinstance(params, Sequence)
        or isinstance(params, str)
        or len(params) < 2
        or not all(_is_number(v) and math.isfinite(v) for v in params)
    ):
        raise ValueError(f"{key}: give a list of at least two finite numbers (the draws)")
    return Empirical(bounds=bounds, values=tuple(float(v) for v in params))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fmt(value: float) -> str:
    if math.isinf(value):
        return "infinity" if value > 0 else "-infinity"
    return f"{value:,.6g}"
