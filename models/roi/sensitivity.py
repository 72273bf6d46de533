"""Which inputs move the answer, and how far one must move before the program pays.

``tornado`` sets every uncertain input in turn at its P10 and at its P90, the others at
their medians, and reports the net present value (or the benefit-cost ratio) at each: the
bars of a tornado chart, widest first. ``break_even`` finds by root finding the value of one
input at which benefits equal costs with the others at their medians, such as the annual
wage premium per certified graduate the program needs.

Both are deterministic: they evaluate the model at chosen values, not over draws. The
median scenario's NPV is not the median of the Monte Carlo's NPVs (a product of medians is
not the median of a product), and both are reported.

References
----------
Boardman et al. (2018), "Cost-Benefit Analysis", 5th ed., ch. 11: partial (one-way)
sensitivity analysis and break-even values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from models.roi.metrics import discount_factors
from models.roi.scenario import PERSPECTIVES, Scenario
from models.roi.simulate import median_inputs, present_values

_MEASURES = ("npv", "benefit_cost_ratio")


def evaluate(
    scenario: Scenario,
    values: Mapping[str, np.ndarray | float],
    *,
    perspective: str | None = None,
    rate: float | None = None,
    measure: str = "npv",
) -> np.ndarray:
    """The measure at given input values (one per key, numbers or equal-length vectors)."""
    if measure not in _MEASURES:
        raise ValueError(f"measure {measure!r}: use one of {', '.join(_MEASURES)}")
    rate = scenario.headline_rate if rate is None else rate
    perspective = perspective or scenario.headline_perspective
    if perspective not in PERSPECTIVES:
        raise ValueError(f"perspective {perspective!r}: use one of {', '.join(PERSPECTIVES)}")
    sizes = {np.size(v) for v in values.values()} - {1}
    if len(sizes) > 1:
        raise ValueError("values: give numbers or vectors of one length")
    n = sizes.pop() if sizes else 1
    totals = present_values(scenario, values, n, discount_factors((rate,), scenario.horizon_years))
    k = PERSPECTIVES.index(perspective)
    b, c = totals.benefits[k, 0], totals.costs[k, 0]
    if measure == "npv":
        return b - c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c > 0, b / np.where(c > 0, c, 1.0), np.nan)


@dataclass(frozen=True)
class Tornado:
    """One-way sensitivities: each uncertain input at its P10 and P90, widest swing first.

    ``base`` is the measure with every input at its median. ``to_frame()`` is plot-ready:
    one row per input with ``low_value``, ``high_value`` (the input's P10 and P90),
    ``at_low``, ``at_high`` (the measure there) and ``swing``.
    """

    scenario: str
    measure: str
    perspective: str
    rate: float
    base: float
    rows: tuple[Mapping[str, Any], ...] = field(hash=False)

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(list(self.rows))
        frame.insert(0, "scenario", self.scenario)
        frame["measure"] = self.measure
        frame["base"] = self.base
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "measure": self.measure,
            "perspective": self.perspective,
            "rate": self.rate,
            "base": self.base,
            "rows": [dict(r) for r in self.rows],
        }

    def summary(self, top: int = 10) -> str:
        lines = [
            f"{self.measure} ({self.perspective}, at {self.rate:.0%}) with every input at its "
            f"median: {_show(self.measure, self.base)}; each input at its P10 and P90:"
        ]
        width = max((len(r["input"]) for r in self.rows[:top]), default=5)
        for row in self.rows[:top]:
            lines.append(
                f"  {row['input'].ljust(width)}  {_show(self.measure, row['at_low'])} to "
                f"{_show(self.measure, row['at_high'])}  ({row['basis']})"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def tornado(
    scenario: Scenario,
    *,
    perspective: str | None = None,
    rate: float | None = None,
    measure: str = "npv",
) -> Tornado:
    """Move each uncertain input to its P10 and its P90 with the others at their medians.

    All 2k + 1 evaluations run as one vectorized pass. Fixed inputs have no bar.

    Example
    -------
    >>> tornado(load_scenario("base")).to_frame().head()  # doctest: +SKIP
    """
    rate = scenario.headline_rate if rate is None else rate
    perspective = perspective or scenario.headline_perspective
    inputs = {k: v for k, v in scenario.inputs().items() if not v.distribution.is_fixed}
    medians = median_inputs(scenario)
    n = 1 + 2 * len(inputs)
    values: dict[str, np.ndarray | float] = dict(medians)
    for i, (key, item) in enumerate(inputs.items()):
        column = np.full(n, medians[key])
        column[1 + 2 * i] = item.distribution.quantile(0.1)
        column[2 + 2 * i] = item.distribution.quantile(0.9)
        values[key] = column
    if not inputs:
        values = {k: np.full(1, v) for k, v in medians.items()}
    result = evaluate(scenario, values, perspective=perspective, rate=rate, measure=measure)
    rows = []
    for i, (key, item) in enumerate(inputs.items()):
        at_low, at_high = float(result[1 + 2 * i]), float(result[2 + 2 * i])
        rows.append(
            {
                "input": key,
                "low_value": item.distribution.quantile(0.1),
                "median_value": medians[key],
                "high_value": item.distribution.quantile(0.9),
                "at_low": at_low,
                "at_high": at_high,
                "swing": abs(at_high - at_low),
                "basis": item.basis,
                "source": item.source,
            }
        )
    rows.sort(key=lambda r: -r["swing"])
    return Tornado(
        scenario=scenario.name,
        measure=measure,
        perspective=perspective,
        rate=rate,
        base=float(result[0]),
        rows=tuple(rows),
    )


@dataclass(frozen=True)
class BreakEven:
    """The value of one input at which benefits equal costs, the others at their medians.

    ``value`` is None when no value in the input's range makes them equal; ``reason`` says
    which side it stays on.
    """

    scenario: str
    input: str
    perspective: str
    rate: float
    median: float
    value: float | None
    npv_at_median: float
    source: str
    reason: str

    @property
    def ratio_to_median(self) -> float | None:
        """How many times the input's median the break-even value is."""
        if self.value is None or self.median == 0:
            return None
        return self.value / self.median

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.to_dict()])

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "input": self.input,
            "perspective": self.perspective,
            "discount_rate": self.rate,
            "median": self.median,
            "break_even": self.value,
            "ratio_to_median": self.ratio_to_median,
            "npv_at_median": self.npv_at_median,
            "source": self.source,
            "reason": self.reason,
        }

    def summary(self) -> str:
        return f"{self.input}: {self.reason}"

    def __str__(self) -> str:
        return self.summary()


def break_even(
    scenario: Scenario,
    key: str,
    *,
    perspective: str | None = None,
    rate: float | None = None,
) -> BreakEven:
    """The value of input ``key`` at which the NPV is zero, every other input at its median.

    Brent's method on the NPV as a function of that input, bracketed from the input's
    lowest possible value upwards (doubling up to 2^60 times its median, or 1 for a share).

    Example
    -------
    >>> break_even(load_scenario("base"),
    ...            "benefits.graduate_earnings.factors.annual_premium")  # doctest: +SKIP
    """
    inputs = scenario.inputs()
    if key not in inputs:
        raise ValueError(f"{key}: no such input; the inputs are {', '.join(inputs)}")
    item = inputs[key]
    rate = scenario.headline_rate if rate is None else rate
    perspective = perspective or scenario.headline_perspective
    medians = median_inputs(scenario)

    def npv(x: float) -> float:
        values = {**medians, key: x}
        return float(evaluate(scenario, values, perspective=perspective, rate=rate)[0])

    low, high = item.distribution.bounds
    low = max(low, 0.0)
    at_median = npv(medians[key])
    at_low = npv(low)
    top = high if math.isfinite(high) else max(abs(medians[key]), 1.0)
    at_top = npv(top)
    doublings = 0
    while math.isinf(high) and np.sign(at_top) == np.sign(at_low) and doublings < 60:
        top *= 2
        at_top = npv(top)
        doublings += 1
    common = {
        "scenario": scenario.name,
        "input": key,
        "perspective": perspective,
        "rate": rate,
        "median": medians[key],
        "npv_at_median": at_median,
        "source": item.source,
    }
    if at_low == 0:
        return BreakEven(**common, value=low, reason=f"benefits equal costs at {_num(low)}")
    if np.sign(at_top) == np.sign(at_low):
        side = "exceed" if at_low > 0 else "fall short of"
        # Searched up to 2^60 times the median when the input has no upper bound: no value
        # a reader could mean, so the message says "any value" rather than quote it.
        span = (
            f"from {_num(low)} to {_num(top)}"
            if math.isfinite(high)
            else f"of at least {_num(low)}"
        )
        return BreakEven(
            **common,
            value=None,
            reason=(
                f"benefits {side} costs whatever its value {span} "
                f"(NPV at its median {_money(at_median)})"
            ),
        )
    value = float(optimize.brentq(npv, low, top, xtol=1e-9, rtol=1e-12))
    times = value / medians[key] if medians[key] else math.nan
    return BreakEven(
        **common,
        value=value,
        reason=(
            f"benefits equal costs at {_num(value)} (its median is {_num(medians[key])}; "
            f"{times:.2f} times it), with every other input at its median"
        ),
    )


def _show(measure: str, value: float) -> str:
    return f"{value:.2f}x" if measure == "benefit_cost_ratio" else _money(value)


def _money(value: float) -> str:
    if not math.isfinite(value):
        return "—"
    return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"


def _num(value: float) -> str:
    return f"{value:,.6g}"
