"""One scenario's Monte Carlo as a result: every draw's present values, rate of return and
payback year, and the tables and summary they give (percentiles by perspective, discount
rate and measure; the fan chart's cumulative net value by year)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from models.roi.metrics import PERCENTILES, row_percentiles

#: The measures of each perspective and discount rate.
MEASURES = ("benefits", "costs", "npv", "benefit_cost_ratio", "roi_pct")


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
