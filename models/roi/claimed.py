"""The documents' return claim, as arithmetic a board member can follow line by line.

The grant narrative states a year-1 investment ($350,000), a ten-year return ($9.25
million), a multiple ("13x ... conservative") and four benefit streams with annual ranges.
``claimed_arithmetic(scenario)`` works out what those numbers imply of one another: the
multiple the two totals give (26.4x, not 13x), the cost the stated multiple implies
(about $0.71 million), what the streams add to over ten years at full maturity (more
than the total claimed), how many years of full benefits the total needs, and what the
total is worth once discounted, which the documents do not do.

It reads the ``claimed`` scenario: its ``claim`` section (the totals, each with its quote)
and its streams' annual ranges (the product of each stream's factors at their lowest and
highest, times its attribution).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from models.roi.metrics import discount_factors
from models.roi.scenario import Scenario

COLUMNS = ("step", "quantity", "arithmetic", "value", "value_high", "unit", "source")


@dataclass(frozen=True)
class ClaimLine:
    """One step: what is computed, how, the result (a range has ``value_high``), and from what."""

    step: str
    quantity: str
    arithmetic: str
    value: float
    value_high: float | None
    unit: str
    source: str


@dataclass(frozen=True)
class ClaimedArithmetic:
    """The claim's arithmetic. ``implied_multiple`` and ``implied_cost`` are the two numbers
    that do not add up; ``lines`` hold every step."""

    scenario: str
    lines: tuple[ClaimLine, ...]

    def line(self, step: str) -> ClaimLine:
        for line in self.lines:
            if line.step == step:
                return line
        raise KeyError(f"no step {step!r}; the steps are {[line.step for line in self.lines]}")

    @property
    def implied_multiple(self) -> float:
        """The stated return over the stated investment."""
        return self.line("multiple_implied").value

    @property
    def implied_cost(self) -> float:
        """The total cost at which the stated return would be the stated multiple."""
        return self.line("cost_implied").value

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([line.__dict__ for line in self.lines], columns=list(COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "lines": [dict(line.__dict__) for line in self.lines]}

    def summary(self) -> str:
        width = max(len(line.quantity) for line in self.lines)
        return "\n".join(f"{line.quantity.ljust(width)}  {line.arithmetic}" for line in self.lines)

    def __str__(self) -> str:
        return self.summary()


def claimed_arithmetic(scenario: Scenario) -> ClaimedArithmetic:
    """Lay the claimed scenario's arithmetic bare.

    Parameters
    ----------
    scenario
        A scenario with a ``claim`` section (``load_scenario("claimed")``).

    Example
    -------
    >>> arithmetic = claimed_arithmetic(load_scenario("claimed"))  # doctest: +SKIP
    >>> round(arithmetic.implied_multiple, 1), round(arithmetic.implied_cost / 1e6, 2)
    (26.4, 0.71)
    """
    claim = scenario.claim
    if claim is None:
        raise ValueError(
            f"scenario {scenario.name}: no claim section; the claimed scenario has one"
        )
    years = scenario.horizon_years
    investment, total, multiple = claim.investment, claim.total, claim.multiple
    implied = total.value / investment.value
    implied_cost = total.value / multiple.value
    lines = [
        ClaimLine(
            "investment",
            "Year-1 investment",
            _money(investment.value),
            investment.value,
            None,
            "dollars",
            investment.quote,
        ),
        ClaimLine(
            "stated_return",
            f"Projected {years}-year return",
            _money(total.value),
            total.value,
            None,
            "dollars",
            total.quote,
        ),
        ClaimLine(
            "multiple_implied",
            "Return over investment",
            f"{_money(total.value)} / {_money(investment.value)} = {implied:.1f}x",
            implied,
            None,
            "times",
            "arithmetic on the two lines above",
        ),
        ClaimLine(
            "multiple_stated",
            "Multiple the documents state",
            f"{multiple.value:g}x",
            multiple.value,
            None,
            "times",
            multiple.quote,
        ),
        ClaimLine(
            "cost_implied",
            f"Total cost a {multiple.value:g}x return implies",
            f"{_money(total.value)} / {multiple.value:g} = {_money(implied_cost)}: "
            f"{_money(implied_cost - investment.value)} more than the year-1 investment, "
            "in costs the documents do not list",
            implied_cost,
            None,
            "dollars",
            "arithmetic on the return and the stated multiple",
        ),
    ]
    low_sum = high_sum = 0.0
    for stream in scenario.benefits:
        low, high = _annual_range(scenario, stream)
        if high == 0:
            continue
        low_sum += low
        high_sum += high
        sources = "; ".join(dict.fromkeys(f.source for f in stream.factors.values()))
        lines.append(
            ClaimLine(
                f"stream_{stream.id}",
                f"{stream.description} over {years} years at full maturity",
                f"{_range(low, high)} a year x {years} = {_range(low * years, high * years)}",
                low * years,
                high * years if high != low else None,
                "dollars",
                sources,
            )
        )
    lines.append(
        ClaimLine(
            "streams_per_year",
            "The streams added, a year",
            _range(low_sum, high_sum),
            low_sum,
            high_sum,
            "dollars a year",
            "sum of the stream lines",
        )
    )
    excess = low_sum * years / total.value
    lines.append(
        ClaimLine(
            "streams_total",
            f"The streams over {years} years at full maturity",
            f"{_range(low_sum, high_sum)} x {years} = "
            f"{_range(low_sum * years, high_sum * years)} against {_money(total.value)} "
            f"claimed: "
            + (
                f"even the lowest is {excess:.2f} times the claim"
                if excess > 1
                else f"the lowest is {excess:.2f} times the claim"
            ),
            low_sum * years,
            high_sum * years,
            "dollars",
            "arithmetic on the line above",
        )
    )
    middle = (low_sum + high_sum) / 2
    lines += [
        ClaimLine(
            "years_needed_lowest",
            "Years of full benefits the claim needs, lowest values",
            f"{_money(total.value)} / {_money(low_sum)} a year = "
            f"{total.value / low_sum:.1f} years of {years}",
            total.value / low_sum,
            None,
            "years",
            "what must be assumed: years without benefits (a ramp-up) the documents do not state",
        ),
        ClaimLine(
            "years_needed_middle",
            "Years of full benefits the claim needs, middle values",
            f"{_money(total.value)} / {_money(middle)} a year = "
            f"{total.value / middle:.1f} years of {years}",
            total.value / middle,
            None,
            "years",
            "what must be assumed: years without benefits (a ramp-up) the documents do not state",
        ),
    ]
    even = total.value / years
    rates = tuple(r for r in scenario.discount_rates if r > 0)
    factors = discount_factors(rates, years).sum(axis=0)
    for rate, factor in zip(rates, factors, strict=True):
        present = even * factor
        lines.append(
            ClaimLine(
                f"discounted_{round(rate * 100):d}pct",
                f"The return discounted at {rate:.0%} (none is stated)",
                f"{_money(even)} a year for {years} years is worth {_money(present)} today at "
                f"{rate:.0%}: {present / investment.value:.1f}x the year-1 investment",
                present,
                None,
                "dollars",
                "no discount rate is stated; the return is spread evenly over the years "
                "(an assumption), year 1 undiscounted",
            )
        )
    return ClaimedArithmetic(scenario=scenario.name, lines=tuple(lines))


def _annual_range(scenario: Scenario, stream) -> tuple[float, float]:
    low = stream.attribution.distribution.quantile(0.0)
    high = stream.attribution.distribution.quantile(1.0)
    for factor in stream.factors.values():
        scale = scenario.price_factor(factor)
        low *= factor.distribution.quantile(0.0) * scale
        high *= factor.distribution.quantile(1.0) * scale
    return low, high


def _range(low: float, high: float) -> str:
    return _money(low) if low == high else f"{_money(low)}-{_money(high)}"


def _money(value: float) -> str:
    return f"${value:,.0f}"
