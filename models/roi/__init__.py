"""The ten-year benefit-cost model: scenarios, Monte Carlo, sensitivities, the claim laid bare.

- ``models.roi.scenario``: a scenario's costs (ingredients, by payer) and benefit streams,
  every input with its distribution, source and basis; ``with_overrides`` for measured
  values;
- ``models.roi.distributions``: fixed, uniform, triangular, PERT, lognormal, normal,
  empirical;
- ``models.roi.simulate``: the vectorized Monte Carlo (``simulate``);
- ``models.roi.metrics``: present values at 0%, 3% and 7%, NPV, ratio, ROI, payback year,
  internal rate of return, by draw;
- ``models.roi.projection``: the ``Projection`` result, one run's draws and their tables;
- ``models.roi.sensitivity``: the tornado and break-even values;
- ``models.roi.claimed``: the documents' arithmetic as lines a board member can follow;
- ``models.roi.evidence``: the ``evidence`` scenario, the base case with the district's
  measured costs, counts, revenue and the scorecard's estimates put in.

The scenarios ship in ``models/scenarios/`` (``claimed``, ``conservative``, ``base``,
``optimistic``) with the price index (CPI-U) that brings prices to one year;
``load_scenario(name)`` reads one.
"""

from __future__ import annotations

from importlib import resources

import yaml

from models.roi.claimed import ClaimedArithmetic, claimed_arithmetic
from models.roi.metrics import internal_rate_of_return, payback_year
from models.roi.projection import Projection
from models.roi.scenario import (
    PAYERS,
    PERSPECTIVES,
    STREAMS,
    Input,
    PriceIndex,
    Scenario,
    parse_price_index,
    parse_scenario,
)
from models.roi.sensitivity import BreakEven, Tornado, break_even, tornado
from models.roi.simulate import simulate

#: The scenarios shipped with the package, in the order a comparison shows them.
SCENARIOS = ("claimed", "conservative", "base", "optimistic")


def load_price_index() -> PriceIndex:
    """The CPI-U table shipped in ``models/scenarios/price_index.yaml``."""
    return parse_price_index(yaml.load(_package_text("price_index.yaml"), Loader=yaml.CSafeLoader))


def load_scenario_data(name: str) -> dict:
    """The mapping of one of the package's scenarios, as its YAML file reads (unchecked).

    The evidence scenario starts from the base case's mapping and replaces what the
    district has measured (``models.roi.evidence``).
    """
    if name not in SCENARIOS:
        raise ValueError(f"scenario {name!r}: not shipped; use one of {', '.join(SCENARIOS)}")
    return yaml.load(_package_text(f"{name}.yaml"), Loader=yaml.CSafeLoader)


def load_scenario(name: str, *, price_index: PriceIndex | None = None) -> Scenario:
    """One of the package's scenarios (``SCENARIOS``), checked.

    A scenario file of one's own is read by the command line, which passes its mapping to
    ``parse_scenario``.
    """
    data = load_scenario_data(name)
    try:
        return parse_scenario(data, price_index=price_index or load_price_index())
    except ValueError as error:
        raise ValueError(f"scenario {name}: {error}") from error


def _package_text(filename: str) -> str:
    return resources.files("models").joinpath("scenarios", filename).read_text(encoding="utf-8")


__all__ = [
    "PAYERS",
    "PERSPECTIVES",
    "SCENARIOS",
    "STREAMS",
    "BreakEven",
    "ClaimedArithmetic",
    "Input",
    "PriceIndex",
    "Projection",
    "Scenario",
    "Tornado",
    "break_even",
    "claimed_arithmetic",
    "internal_rate_of_return",
    "load_price_index",
    "load_scenario",
    "load_scenario_data",
    "parse_price_index",
    "parse_scenario",
    "payback_year",
    "simulate",
    "tornado",
]
