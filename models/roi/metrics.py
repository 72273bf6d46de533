"""What a ten-year projection is worth: present values, ratios, payback and return, by draw.

Timing: the amounts of program year t fall at the start of that year, so year 1 is not
discounted and year t is divided by (1 + r)^(t - 1). A budget vote is about money spent
now; the year-1 investment is at face value.

Every function takes arrays whose first axis is the Monte Carlo draw and works on all
draws at once. ``Projection`` holds one run's draws and gives its tables.

References
----------
Boardman, Greenberg, Vining and Weimer (2018), "Cost-Benefit Analysis: Concepts and
Practice", 5th ed., ch. 6 (discounting) and ch. 11 (Monte Carlo sensitivity analysis).
Washington State Institute for Public Policy (2023), "Benefit-Cost Technical
Documentation": benefits and costs by perspective, Monte Carlo over the inputs, and the
chance that benefits exceed costs as the headline of risk.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

#: The percentiles reported for every measure and drawn in the fan chart.
PERCENTILES = (10, 25, 50, 75, 90)
#: The measures of each perspective and discount rate.
MEASURES = ("benefits", "costs", "npv", "benefit_cost_ratio", "roi_pct")
#: The search range of the internal rate of return (-99% to 1,000% a year).
IRR_RANGE = (-0.99, 10.0)
#: Halvings of that range (to 1.1 percentage points), then Newton steps inside it.
BISECTIONS = 10
NEWTON_STEPS = 3


def discount_factors(rates: tuple[float, ...], years: int) -> np.ndarray:
    """(years, rates): what one dollar of program year t is worth today at each rate.

    Example: ``discount_factors((0.0, 0.03), 3)[:, 1]`` is 1, 1/1.03, 1/1.03^2.
    """
    t = np.arange(years, dtype=float)[:, None]
    return (1.0 + np.asarray(rates, dtype=float)[None, :]) ** -t


def internal_rate_of_return(flows: np.ndarray) -> np.ndarray:
    """The rate at which each draw's net flows have a present value of zero.

    Parameters
    ----------
    flows
        (draws, years) net amounts, year 1 first (not discounted).

    Returns
    -------
    One rate per draw; NaN where the flows do not change sign between -99% and 1,000% (all
    gains, all losses, or a rate outside that range).

    Notes
    -----
    Bisection on the present value, for every draw at once (Horner's rule in
    x = 1 / (1 + r)), down to a bracket 1.1 percentage points wide, then three Newton
    steps held inside it. Flows that change sign more than once can have several rates;
    this finds one of them.
    """
    flows = np.atleast_2d(np.asarray(flows, dtype=float))
    return rate_of_return_by_year_rows(np.ascontiguousarray(flows.T))


def rate_of_return_by_year_rows(flows: np.ndarray) -> np.ndarray:
    """``internal_rate_of_return`` for (years, draws) flows, the layout of the simulation."""
    draws = flows.shape[1]
    rate = np.full(draws, np.nan)
    value_low = _present_value(flows, np.full(draws, IRR_RANGE[0]))
    value_high = _present_value(flows, np.full(draws, IRR_RANGE[1]))
    rate[value_low == 0] = IRR_RANGE[0]
    valid = np.flatnonzero(np.sign(value_low) * np.sign(value_high) < 0)
    if not valid.size:
        return rate
    flows = flows[:, valid]
    sign_low = np.sign(value_low[valid]).astype(np.float32)
    # Bisection in single precision (half the memory to stream through; a sign is all it
    # needs), keeping each draw's rate in [low, low + width] where the value changes sign.
    narrow = flows.astype(np.float32)
    low = np.full(valid.size, IRR_RANGE[0], dtype=np.float32)
    width = IRR_RANGE[1] - IRR_RANGE[0]
    for _ in range(BISECTIONS):
        width /= 2
        middle = low + np.float32(width)
        np.copyto(low, middle, where=_present_value(narrow, middle) * sign_low > 0)
    del narrow
    # Newton steps in double precision from the bracket's middle, held inside it.
    bracket_low = low.astype(float)
    found = bracket_low + width / 2
    for _ in range(NEWTON_STEPS):
        value, slope = _value_and_slope(flows, found)
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(slope != 0, value / slope, 0.0)
        found = np.clip(found - step, bracket_low, bracket_low + width)
    rate[valid] = found
    return rate


def payback_year(cumulative: np.ndarray) -> np.ndarray:
    """The first program year from which cumulative net value stays at or above zero.

    ``cumulative`` is (draws, years); NaN where it ends the horizon below zero.
    """
    return payback_by_year_rows(np.asarray(cumulative, dtype=float).T)


def payback_by_year_rows(cumulative: np.ndarray) -> np.ndarray:
    """``payback_year`` for (years, draws) cumulative values."""
    holds = np.logical_and.accumulate(cumulative[::-1] >= 0, axis=0)[::-1]
    first = np.argmax(holds, axis=0).astype(float) + 1
    return np.where(holds[-1], first, np.nan)


def row_percentiles(matrix: np.ndarray, percentiles=PERCENTILES) -> np.ndarray:
    """(percentiles, rows): each row's percentiles, as ``np.percentile``'s linear method.

    Sorts ``matrix`` in place along its rows: numpy's vectorized sort is faster than the
    selection ``np.percentile`` uses (0.15 s against 0.26 s for ten rows of a million).
    """
    matrix.sort(axis=1)
    position = (matrix.shape[1] - 1) * np.asarray(percentiles, dtype=float) / 100
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, matrix.shape[1] - 1)
    weight = position - below
    return (matrix[:, below] * (1 - weight) + matrix[:, above] * weight).T


def _present_value(flows: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Present value of (years, draws) flows at one rate per draw (Horner's rule in
    x = 1 / (1 + r)), in the flows' precision."""
    x = 1 / (1 + rates)
    value = flows[-1].copy()
    for t in range(flows.shape[0] - 2, -1, -1):
        value *= x
        value += flows[t]
    return value


def _value_and_slope(flows: np.ndarray, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Present value and its derivative in r: dV/dr = dV/dx x (-x^2), x = 1 / (1 + r)."""
    x = 1.0 / (1.0 + rates)
    value = flows[-1].copy()
    slope = np.zeros_like(value)
    for t in range(flows.shape[0] - 2, -1, -1):
        slope *= x
        slope += value
        value *= x
        value += flows[t]
    return value, slope * -(x * x)


@dataclass(frozen=True)
class Projection:
    """One scenario's Monte Carlo: every draw's present values, and the tables they give.

    Attributes
    ----------
    scenario, title
        The scenario's name and title.
    draws, seed
        How many draws, from which seed (``numpy.random.default_rng``).
    rates
        0 (the undiscounted, "nominal" sum in base-year dollars) then the scenario's
        discount rates.
    perspectives
        The perspectives of ``benefits`` and ``costs`` (``scenario.PERSPECTIVES``).
    benefits, costs
        (perspectives, rates, draws) present values.
    headline_perspective, headline_rate
        Whose totals and which rate the payback year, the rate of return and the fan chart
        use.
    irr, payback
        Per draw: the internal rate of return and the payback year (NaN: none within the
        horizon) of the headline perspective.
    fan
        (percentiles, years): cumulative net value at the headline rate by program year.
    base_year, horizon_years
        The dollars' year and the years counted.
    target_ratio
        The ratio whose chance is reported (13, the documents' claim).
    tables
        Small frames made during the run: ``yearly`` (mean amount by year, stream and
        payer), ``ingredients`` (mean cost of each ingredient), ``per_unit`` (cost per
        participant, certificate, additional girl retained) and ``inputs`` (every input's
        distribution, source and basis).
    """

    scenario: str
    title: str
    draws: int
    seed: int
    base_year: int
    horizon_years: int
    rates: tuple[float, ...]
    perspectives: tuple[str, ...]
    headline_perspective: str
    headline_rate: float
    target_ratio: float
    benefits: np.ndarray = field(repr=False, compare=False)
    costs: np.ndarray = field(repr=False, compare=False)
    irr: np.ndarray = field(repr=False, compare=False)
    payback: np.ndarray = field(repr=False, compare=False)
    fan: np.ndarray = field(repr=False, compare=False)
    tables: Mapping[str, pd.DataFrame] = field(repr=False, compare=False, hash=False)

    def values(self, measure: str, perspective: str | None = None, rate: float | None = None):
        """Every draw's value of one measure (``MEASURES``, ``irr``, ``payback_year``)."""
        if measure == "irr":
            return self.irr
        if measure == "payback_year":
            return self.payback
        k = self.perspectives.index(perspective or self.headline_perspective)
        r = self.rates.index(self.headline_rate if rate is None else rate)
        benefits, costs = self.benefits[k, r], self.costs[k, r]
        if measure == "benefits":
            return benefits
        if measure == "costs":
            return costs
        if measure == "npv":
            return benefits - costs
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(costs > 0, benefits / np.where(costs > 0, costs, 1.0), np.nan)
        if measure == "benefit_cost_ratio":
            return ratio
        if measure == "roi_pct":
            return (ratio - 1.0) * 100.0
        raise KeyError(f"no measure {measure!r}; use one of {MEASURES + ('irr', 'payback_year')}")

    @cached_property
    def _summary_frame(self) -> pd.DataFrame:
        rows = []
        for perspective in self.perspectives:
            for rate in self.rates:
                for measure in MEASURES:
                    rows.append(
                        _describe(
                            self.values(measure, perspective, rate), perspective, rate, measure
                        )
                    )
        for measure in ("irr", "payback_year"):
            rows.append(_describe(self.values(measure), self.headline_perspective, None, measure))
        frame = pd.DataFrame(rows)
        frame.insert(0, "scenario", self.scenario)
        return frame

    def to_frame(self) -> pd.DataFrame:
        """One row per perspective, discount rate and measure.

        Columns: ``scenario, perspective, discount_rate`` (0 is the undiscounted sum; empty
        for the rate of return and the payback year), ``measure, mean, p10, p25, p50, p75,
        p90, mc_std_error`` (the Monte Carlo error of the mean), ``defined`` (the share of
        draws where the measure exists: a ratio needs costs, a payback year a break-even).
        """
        return self._summary_frame.copy()

    def probability_frame(self) -> pd.DataFrame:
        """Per perspective and rate: the chance benefits exceed costs, and that the ratio
        reaches ``target_ratio``."""
        rows = []
        for perspective in self.perspectives:
            for rate in self.rates:
                npv = self.values("npv", perspective, rate)
                ratio = self.values("benefit_cost_ratio", perspective, rate)
                rows.append(
                    {
                        "scenario": self.scenario,
                        "perspective": perspective,
                        "discount_rate": rate,
                        "p_benefits_exceed_costs": float(np.mean(npv > 0)),
                        "p_ratio_reaches_target": float(
                            np.mean(np.nan_to_num(ratio) >= self.target_ratio)
                        ),
                        "target_ratio": self.target_ratio,
                    }
                )
        return pd.DataFrame(rows)

    def fan_frame(self) -> pd.DataFrame:
        """Plot-ready: one row per program year, cumulative net value at the headline rate
        (P10, P25, P50, P75, P90 over draws)."""
        frame = pd.DataFrame(self.fan.T, columns=[f"p{p}" for p in PERCENTILES])
        frame.insert(0, "year", np.arange(1, self.horizon_years + 1))
        frame.insert(0, "scenario", self.scenario)
        frame["perspective"] = self.headline_perspective
        frame["discount_rate"] = self.headline_rate
        return frame

    def yearly_frame(self) -> pd.DataFrame:
        """Mean amount by program year: each benefit stream and each payer's costs."""
        return self.tables["yearly"].copy()

    def ingredients_frame(self) -> pd.DataFrame:
        """Each cost ingredient: category, payer, mean undiscounted and discounted totals."""
        return self.tables["ingredients"].copy()

    def per_unit_frame(self) -> pd.DataFrame:
        """Undiscounted total cost per participant, certificate and additional girl retained."""
        return self.tables["per_unit"].copy()

    def inputs_frame(self) -> pd.DataFrame:
        """Every input: distribution, median, P10, P90, source and basis (``assumed``)."""
        return self.tables["inputs"].copy()

    @property
    def headline(self) -> dict[str, float]:
        """The numbers a board sees first, for the headline perspective and rate."""
        npv = self.values("npv")
        ratio = self.values("benefit_cost_ratio")
        return {
            "npv_p50": float(np.median(npv)),
            "npv_p10": float(np.percentile(npv, 10)),
            "npv_p90": float(np.percentile(npv, 90)),
            "benefit_cost_ratio_p50": float(np.nanmedian(ratio)),
            "p_benefits_exceed_costs": float(np.mean(npv > 0)),
            "p_ratio_reaches_target": float(np.mean(np.nan_to_num(ratio) >= self.target_ratio)),
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything but the draws, in plain Python types."""
        return {
            "scenario": self.scenario,
            "title": self.title,
            "draws": self.draws,
            "seed": self.seed,
            "base_year": self.base_year,
            "horizon_years": self.horizon_years,
            "rates": list(self.rates),
            "headline_perspective": self.headline_perspective,
            "headline_rate": self.headline_rate,
            "target_ratio": self.target_ratio,
            "headline": self.headline,
            "summary": self.to_frame().to_dict(orient="records"),
            "probabilities": self.probability_frame().to_dict(orient="records"),
            "fan": self.fan_frame().to_dict(orient="records"),
        }

    def summary(self) -> str:
        """The headline perspective's totals, undiscounted and at each rate, side by side."""
        frame = self._summary_frame
        own = frame[frame.perspective == self.headline_perspective]
        lines = [
            f"{self.title} ({self.scenario}): {self.horizon_years} years, {self.base_year} "
            f"dollars, {self.headline_perspective} perspective, {self.draws:,} draws "
            f"(seed {self.seed}); median [P10, P90]"
        ]
        header = ["measure"] + [_rate_label(r) for r in self.rates]
        rows = [header]
        for measure in MEASURES:
            cells = [measure.replace("_", " ")]
            for rate in self.rates:
                row = own[(own.measure == measure) & (own.discount_rate == rate)].iloc[0]
                cells.append(_cell(measure, row))
            rows.append(cells)
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        for row in rows:
            lines.append(
                "  ".join(
                    [row[0].ljust(widths[0])]
                    + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
                )
            )
        head = self.headline
        irr = own[own.measure == "irr"].iloc[0]
        payback = own[own.measure == "payback_year"].iloc[0]
        lines.append(
            f"chance benefits exceed costs at {self.headline_rate:.0%}: "
            f"{head['p_benefits_exceed_costs']:.0%}; chance the ratio reaches "
            f"{self.target_ratio:g}x: {head['p_ratio_reaches_target']:.0%}"
        )
        lines.append(
            f"internal rate of return: {_pct(irr.p50)} [{_pct(irr.p10)}, {_pct(irr.p90)}] "
            f"(defined in {irr.defined:.0%} of draws); payback year: "
            + (
                f"{payback.p50:.0f} (P10-P90 {_year(payback.p10)}-{_year(payback.p90)} among "
                f"the {payback.defined:.0%} of draws that break even)"
                if payback.defined >= 0.5
                else f"none within {self.horizon_years} years in most draws "
                f"({payback.defined:.0%} break even)"
            )
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _describe(values: np.ndarray, perspective: str, rate: float | None, measure: str) -> dict:
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    row: dict[str, Any] = {
        "perspective": perspective,
        "discount_rate": rate,
        "measure": measure,
    }
    if finite.size:
        quantiles = row_percentiles(finite[None, :].copy())[:, 0]
        row["mean"] = float(finite.mean())
        row.update({f"p{p}": float(q) for p, q in zip(PERCENTILES, quantiles, strict=True)})
        row["mc_std_error"] = (
            float(finite.std(ddof=1) / math.sqrt(finite.size)) if finite.size > 1 else 0.0
        )
    else:
        row.update({"mean": math.nan, **{f"p{p}": math.nan for p in PERCENTILES}})
        row["mc_std_error"] = math.nan
    row["defined"] = finite.size / values.size if values.size else 0.0
    return row


def _rate_label(rate: float) -> str:
    return "undiscounted" if rate == 0 else f"at {rate:.0%}"


def _cell(measure: str, row: pd.Series) -> str:
    if measure == "benefit_cost_ratio":
        return f"{row.p50:.2f}x [{row.p10:.2f}, {row.p90:.2f}]"
    if measure == "roi_pct":
        return f"{row.p50:,.0f}% [{row.p10:,.0f}, {row.p90:,.0f}]"
    return f"{short_money(row.p50)} [{short_money(row.p10)}, {short_money(row.p90)}]"


def short_money(value: float) -> str:
    """Dollars for a table cell: $1.23M, $456K, $789 (a dash when not finite)."""
    if not math.isfinite(value):
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e6:
        return f"{sign}${value / 1e6:,.2f}M"
    if value >= 1e3:
        return f"{sign}${value / 1e3:,.0f}K"
    return f"{sign}${value:,.0f}"


def _pct(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:.1%}"


def _year(value: float) -> str:
    return "never" if not math.isfinite(value) else f"{value:.0f}"
