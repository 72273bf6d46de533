"""The Monte Carlo: every input drawn at once, then costs and benefits by year for all draws.

Each cost ingredient is quantity x unit price in base-year dollars, paid in its years by its
payer; each benefit stream is the product of its factors x attribution, phased in by its
ramp, and either accumulated cohort by cohort (graduates keep earning) or kept year by
year at its persistence. Arrays are (years, draws): a year of every draw is one
contiguous row. Present values come from matrix products with the discount factors, one
stream or payer at a time, so a million draws never hold every stream's years at once.

Each input draws from its own random stream, seeded by the run's seed and the input's key:
the same seed gives the same draws, and two scenarios that share an input share its draws
(common random numbers), so their difference is not noise.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.roi.metrics import (
    discount_factors,
    payback_by_year_rows,
    rate_of_return_by_year_rows,
    row_percentiles,
)
from models.roi.projection import Projection
from models.roi.scenario import PAYERS, PERSPECTIVES, Input, Scenario, Stream

#: The documents' "13x over 10 years": the chance of reaching it is reported.
CLAIMED_RATIO = 13.0
#: Draws simulated together. Each chunk's working arrays (a few megabytes each) are reused
#: from the process's heap; a million draws at once need arrays of 80 MB, which the
#: allocator maps fresh from the system for each one, and the page faults cost more than
#: the arithmetic (measured: 1.7 s for a million draws in chunks of 65,536, 2.5 s in one).
CHUNK = 65_536

Values = Mapping[str, np.ndarray | float]


def simulate(
    scenario: Scenario,
    *,
    draws: int = 10_000,
    seed: int = 0,
    target_ratio: float = CLAIMED_RATIO,
) -> Projection:
    """Project a scenario's ten years of costs and benefits over ``draws`` Monte Carlo draws.

    Parameters
    ----------
    scenario
        A checked scenario (``load_scenario("base")``, or ``with_overrides``).
    draws
        Monte Carlo draws. The error of a mean falls as 1 / sqrt(draws): the result's
        ``mc_std_error`` says how large it is.
    seed
        The seed of ``numpy.random.default_rng``; always explicit.
    target_ratio
        The benefit-cost ratio whose chance is reported (13, the documents' claim).

    Returns
    -------
    Projection
        Present values by draw, perspective and rate; the rate of return and payback year
        of the headline perspective; the fan chart; cost and benefit tables.

    Example
    -------
    >>> from models.roi import load_scenario, simulate
    >>> projection = simulate(load_scenario("base"), draws=2_000, seed=1)
    >>> print(projection.summary())  # doctest: +SKIP
    """
    if draws < 1:
        raise ValueError("draws: give at least 1")
    rates = (0.0, *(r for r in scenario.discount_rates if r != 0.0))
    factors = discount_factors(rates, scenario.horizon_years)
    headline_rate = rates.index(scenario.headline_rate)
    inputs = scenario.inputs()
    generators = input_generators(scenario, seed)
    shape = (len(PERSPECTIVES), len(rates), draws)
    benefits, costs = np.empty(shape), np.empty(shape)
    irr, payback = np.empty(draws), np.empty(draws)
    cumulative = np.empty((scenario.horizon_years, draws))
    units = {unit: np.empty(draws) for unit in scenario.units}
    spent = np.zeros(len(scenario.costs))
    yearly_costs = yearly_benefits = 0.0
    # Draws in chunks of at most CHUNK, each input continuing its own stream.
    for start in range(0, draws, CHUNK):
        stop = min(start + CHUNK, draws)
        size = stop - start
        values = _draw(inputs, generators, size)
        totals = present_values(
            scenario,
            values,
            size,
            factors,
            headline=scenario.headline_perspective,
            out=(benefits[:, :, start:stop], costs[:, :, start:stop]),
        )
        net = totals.net
        irr[start:stop] = rate_of_return_by_year_rows(net)
        net *= factors[:, headline_rate, None]
        np.cumsum(net, axis=0, out=cumulative[:, start:stop])
        payback[start:stop] = payback_by_year_rows(cumulative[:, start:stop])
        yearly_costs = yearly_costs + totals.yearly_costs * size
        yearly_benefits = yearly_benefits + totals.yearly_benefits * size
        for i, ingredient in enumerate(scenario.costs):
            amount = np.multiply(values[ingredient.quantity.key], values[ingredient.unit_price.key])
            spent[i] += amount.sum() if np.ndim(amount) else amount * size
        for unit, item in scenario.units.items():
            units[unit][start:stop] = values[item.key]
    fan = row_percentiles(cumulative)
    del cumulative

    tables = {
        "yearly": _yearly(scenario, yearly_costs / draws, yearly_benefits / draws),
        "ingredients": _ingredients(scenario, spent / draws, factors, rates),
        "per_unit": _per_unit(scenario, units, costs[PERSPECTIVES.index("total"), 0]),
        "inputs": inputs_frame(scenario),
    }
    return Projection(
        scenario=scenario.name,
        title=scenario.title,
        draws=draws,
        seed=seed,
        base_year=scenario.base_year,
        horizon_years=scenario.horizon_years,
        rates=rates,
        perspectives=PERSPECTIVES,
        headline_perspective=scenario.headline_perspective,
        headline_rate=scenario.headline_rate,
        target_ratio=target_ratio,
        benefits=benefits,
        costs=costs,
        irr=irr,
        payback=payback,
        fan=fan,
        tables=tables,
    )


def draw_inputs(scenario: Scenario, *, draws: int, seed: int) -> dict[str, np.ndarray | float]:
    """Every input's draws, by key; a fixed input is one number, not a vector."""
    return _draw(scenario.inputs(), input_generators(scenario, seed), draws)


def input_generators(scenario: Scenario, seed: int) -> dict[str, np.random.Generator | float]:
    """Each input's own random stream, from the seed and the input's key (a fixed input:
    its value)."""
    generators: dict[str, np.random.Generator | float] = {}
    for key, item in scenario.inputs().items():
        if item.distribution.is_fixed:
            generators[key] = item.distribution.median
        else:
            generators[key] = np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])
    return generators


def _draw(
    inputs: Mapping[str, Input],
    generators: Mapping[str, np.random.Generator | float],
    size: int,
) -> dict[str, np.ndarray | float]:
    """The next ``size`` draws of every input from its stream (a fixed input: its value)."""
    return {
        key: (
            inputs[key].distribution.sample(generator, size)
            if isinstance(generator, np.random.Generator)
            else generator
        )
        for key, generator in generators.items()
    }


def median_inputs(scenario: Scenario) -> dict[str, float]:
    """Every input at its median: the one-way sensitivities move one input from here."""
    return {key: item.distribution.median for key, item in scenario.inputs().items()}


@dataclass(frozen=True)
class Totals:
    """Present values (perspectives, rates, draws) of benefits and costs; the headline
    perspective's undiscounted net flows (years, draws), if asked for; mean amounts by
    year, stream and payer."""

    benefits: np.ndarray
    costs: np.ndarray
    net: np.ndarray | None
    yearly_costs: np.ndarray
    yearly_benefits: np.ndarray


def present_values(
    scenario: Scenario,
    values: Values,
    draws: int,
    factors: np.ndarray,
    *,
    headline: str | None = None,
    out: tuple[np.ndarray, np.ndarray] | None = None,
) -> Totals:
    """Discount every payer's costs and every stream's benefits, and total them by perspective.

    ``values`` gives each input by key (a number, or one value per draw); ``factors`` is
    (years, rates) from ``discount_factors``. With ``headline`` the net flows of that
    perspective are kept, for the rate of return, payback and fan chart. ``out`` (benefits,
    costs), each (perspectives, rates, draws), receives the present values in place.
    """
    years, rates = factors.shape
    benefit_weights, cost_weights = perspective_weights(scenario)
    k = PERSPECTIVES.index(headline) if headline else None
    net = np.zeros((years, draws)) if headline else None
    if out is None:
        shape = (len(PERSPECTIVES), rates, draws)
        out = (np.zeros(shape), np.zeros(shape))
    benefits, costs = out
    benefits[:] = 0.0
    costs[:] = 0.0
    yearly_costs = np.zeros((len(PAYERS), years))
    yearly_benefits = np.zeros((len(scenario.benefits), years))
    buffer = np.empty((years, draws))

    for p, payer in enumerate(PAYERS):
        schedule, amounts = payer_amounts(scenario, payer, values, draws)
        if not amounts.size:
            continue
        # (rates x years) @ (years x ingredients) @ (ingredients x draws)
        present = _product(_product(factors.T, schedule), amounts)
        for kk in np.flatnonzero(cost_weights[:, p]):
            costs[kk] += present
        if net is not None and cost_weights[k, p]:
            net -= _product(schedule, amounts, out=buffer)
        yearly_costs[p] = _product(schedule, amounts.mean(axis=1)[:, None])[:, 0]

    for s, stream in enumerate(scenario.benefits):
        stream_years(scenario, stream, values, out=buffer)
        present = _product(factors.T, buffer)
        for kk in np.flatnonzero(benefit_weights[:, s]):
            benefits[kk] += present
        if net is not None and benefit_weights[k, s]:
            net += buffer
        yearly_benefits[s] = buffer.mean(axis=1)
    return Totals(benefits, costs, net, yearly_costs, yearly_benefits)


def _product(small: np.ndarray, wide: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """(m x k) @ (k x draws) without BLAS: with k and m of ten or so, a threaded BLAS
    spends more time waking threads than multiplying, and on a busy machine much more."""
    return np.einsum("mk,kn->mn", small, wide, out=out)


def payer_amounts(
    scenario: Scenario, payer: str, values: Values, draws: int
) -> tuple[np.ndarray, np.ndarray]:
    """A payer's ingredients: (years, ingredients) 0/1 schedule and (ingredients, draws)
    amounts a year in base-year dollars; their product is the payer's costs by year."""
    own = [i for i in scenario.costs if i.payer == payer]
    schedule = np.zeros((scenario.horizon_years, len(own)))
    amounts = np.empty((len(own), draws))
    for j, ingredient in enumerate(own):
        schedule[np.asarray(ingredient.years) - 1, j] = 1.0
        amounts[j] = np.multiply(
            values[ingredient.quantity.key], values[ingredient.unit_price.key]
        ) * scenario.price_factor(ingredient.unit_price)
    return schedule, amounts


def stream_years(
    scenario: Scenario, stream: Stream, values: Values, *, out: np.ndarray
) -> np.ndarray:
    """Fill ``out`` (years, draws) with one benefit stream's value in each program year."""
    annual = np.asarray(values[stream.attribution.key], dtype=float)
    for factor in stream.factors.values():
        annual = annual * values[factor.key] * scenario.price_factor(factor)
    keep = values[stream.persistence.key]
    out[:] = 0.0
    if stream.cohorts:
        # Each year's value is a new cohort (graduates): it starts lag_years later and
        # keeps a share `persistence` of itself each further year.
        stock = np.zeros(out.shape[1])
        for t in range(out.shape[0]):
            stock *= keep
            source = t - stream.lag_years
            if source >= 0 and stream.ramp[source]:
                stock += annual * stream.ramp[source]
            out[t] = stock
    else:
        # A year's value is that year's alone; the effect keeps a share `persistence` of
        # itself each year after the first year with any.
        level = None
        for t in range(out.shape[0]):
            if level is None and stream.ramp[t] == 0:
                continue
            level = annual if level is None else level * keep
            out[t] = level * stream.ramp[t]
    return out


def cash_flows(scenario: Scenario, values: Values, draws: int) -> tuple[np.ndarray, np.ndarray]:
    """Costs (payers, years, draws) and benefits (streams, years, draws) in base-year dollars:
    every amount of every year, for inspection and small runs (``simulate`` never holds
    them all)."""
    years = scenario.horizon_years
    costs = np.zeros((len(PAYERS), years, draws))
    for p, payer in enumerate(PAYERS):
        schedule, amounts = payer_amounts(scenario, payer, values, draws)
        costs[p] = _product(schedule, amounts)
    benefits = np.zeros((len(scenario.benefits), years, draws))
    for s, stream in enumerate(scenario.benefits):
        stream_years(scenario, stream, values, out=benefits[s])
    return costs, benefits


def perspective_weights(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Which streams (perspectives x streams) and payers (perspectives x payers) each counts."""
    streams = scenario.benefits
    benefit = np.array(
        [
            [1.0] * len(streams),
            [float(s.receiver == "district") for s in streams],
            [float(s.receiver == "students") for s in streams],
            [float(not s.transfer) for s in streams],
        ]
    )
    cost = np.array(
        [
            [1.0] * len(PAYERS),
            [float(p == "district") for p in PAYERS],
            [float(p == "family") for p in PAYERS],
            [1.0] * len(PAYERS),
        ]
    )
    return benefit, cost


def _yearly(scenario: Scenario, costs: np.ndarray, benefits: np.ndarray) -> pd.DataFrame:
    rows = [
        {"year": t, "kind": kind, "item": item, "mean": float(mean)}
        for kind, items, means in (
            ("benefit", [s.id for s in scenario.benefits], benefits),
            ("cost", PAYERS, costs),
        )
        for item, row in zip(items, means, strict=True)
        for t, mean in enumerate(row, start=1)
    ]
    frame = pd.DataFrame(rows)
    frame.insert(0, "scenario", scenario.name)
    return frame


def inputs_frame(scenario: Scenario) -> pd.DataFrame:
    """Every input: its distribution, median, P10 and P90, price year, source and basis."""
    rows = []
    for key, item in scenario.inputs().items():
        distribution = item.distribution
        rows.append(
            {
                "input": key,
                "distribution": distribution.describe(),
                "p10": distribution.quantile(0.1),
                "median": distribution.median,
                "p90": distribution.quantile(0.9),
                "price_year": item.price_year,
                "basis": item.basis,
                "assumed": item.assumed,
                "source": item.source,
            }
        )
    return pd.DataFrame(rows)


def _ingredients(
    scenario: Scenario, spent: np.ndarray, factors: np.ndarray, rates: tuple[float, ...]
) -> pd.DataFrame:
    """``spent``: each ingredient's mean quantity x unit price a year, in its price year."""
    rows = []
    for ingredient, mean in zip(scenario.costs, spent, strict=True):
        amount = float(mean) * scenario.price_factor(ingredient.unit_price)
        paid = np.asarray(ingredient.years) - 1
        row = {
            "scenario": scenario.name,
            "ingredient": ingredient.id,
            "description": ingredient.description,
            "category": ingredient.category,
            "payer": ingredient.payer,
            "years": ",".join(str(y) for y in ingredient.years),
            "price_year": ingredient.unit_price.price_year,
            "price_source": ingredient.unit_price.source,
            "quantity_source": ingredient.quantity.source,
        }
        for r, rate in enumerate(rates):
            label = "undiscounted" if rate == 0 else f"pv_{round(rate * 100):d}pct"
            row[label] = amount * float(factors[paid, r].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def _per_unit(
    scenario: Scenario, units: Mapping[str, np.ndarray], total_cost: np.ndarray
) -> pd.DataFrame:
    """Each draw's undiscounted total cost over its count of each unit in the horizon."""
    rows = []
    for unit, item in scenario.units.items():
        count = units[unit] * scenario.horizon_years
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(count > 0, total_cost / np.where(count > 0, count, 1.0), np.nan)
        per = np.atleast_1d(per)
        finite = per[np.isfinite(per)]
        quantiles = np.percentile(finite, (10, 50, 90)) if finite.size else np.full(3, np.nan)
        rows.append(
            {
                "scenario": scenario.name,
                "unit": unit,
                "per_year": item.distribution.median,
                "source": item.source,
                "cost_per_unit_p10": float(quantiles[0]),
                "cost_per_unit_p50": float(quantiles[1]),
                "cost_per_unit_p90": float(quantiles[2]),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "unit",
            "per_year",
            "source",
            "cost_per_unit_p10",
            "cost_per_unit_p50",
            "cost_per_unit_p90",
        ],
    )
