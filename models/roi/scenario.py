"""A benefit-cost scenario: every cost and benefit input, its distribution and its source.

A scenario is data. Costs are ingredients (Levin and McEwan's ingredients method): each a
quantity times a unit price, in the years the program pays it, with its category, who pays
it (district, grant, employer, family), and the year its price is in. Benefits are four
streams, each a product of factors (exits avoided x replacement cost; certified graduates x
employment x annual premium; ...) times the share due to the program (attribution),
phased in by a ramp and kept or lost from year to year (persistence). Every input names its
source and its basis: a seed document, a published study, the district's data, a measured
value, or an assumption said plainly.

``parse_scenario(mapping, price_index=...)`` checks a scenario's mapping (as read from
``models/scenarios/<name>.yaml``) and fails with one ``ValueError`` naming the key and the
fix. ``Scenario.with_overrides({...})`` replaces inputs with measured values, which is how
the ``evidence`` scenario is built from ``base``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from models.roi.distributions import KINDS, Distribution, parse_distribution

#: Who pays a cost.
PAYERS = ("district", "grant", "employer", "family")
#: Who receives a benefit.
RECEIVERS = ("district", "students")
#: Whose gains and losses a total counts. ``total`` adds every cost and benefit as the
#: program's documents do; ``district`` is the district's budget (what it pays, what it
#: saves or receives); ``students`` what graduates gain against what families pay;
#: ``society`` every cost and every benefit except transfers (a grant or a licence fee
#: moves money from one budget to another and creates none).
PERSPECTIVES = ("total", "district", "students", "society")
#: The benefit streams every scenario states (a stream it does not count has attribution 0).
STREAMS = ("teacher_turnover", "graduate_earnings", "grants_attracted", "licensing_consulting")
#: Kinds of ingredient (Levin et al. 2018, "Economic Evaluation in Education", ch. 3).
CATEGORIES = (
    "personnel",
    "training",
    "substitutes",
    "contracts",
    "tools_and_licences",
    "materials",
    "facilities",
    "in_kind",
)
#: Where a number comes from.
BASES = ("seed", "study", "district", "measured", "assumption")
#: The units costs are reported per.
UNITS = ("participants", "certificates", "additional_girls_retained")

NON_NEGATIVE = (0.0, math.inf)
SHARE = (0.0, 1.0)

_TOP_KEYS = {
    "name",
    "title",
    "description",
    "horizon_years",
    "base_year",
    "discount_rates",
    "headline_perspective",
    "costs",
    "benefits",
    "units",
    "claim",
}
_INPUT_KEYS = {"source", "basis", "price_year", "note", "signed"}
_COST_KEYS = {"description", "category", "payer", "years", "quantity", "unit_price", "source"}
_STREAM_KEYS = {
    "description",
    "receiver",
    "transfer",
    "factors",
    "ramp",
    "attribution",
    "persistence",
    "cohorts",
    "lag_years",
}
_CLAIM_KEYS = {"document", "investment", "total", "multiple"}


@dataclass(frozen=True)
class PriceIndex:
    """Price levels by year (CPI-U) and their source, to bring prices to one base year."""

    name: str
    source: str
    values: Mapping[int, float] = field(hash=False)

    def factor(self, price_year: int, base_year: int) -> float:
        """What one dollar of ``price_year`` is worth in ``base_year`` dollars."""
        return self.values[base_year] / self.values[price_year]


@dataclass(frozen=True)
class Input:
    """One uncertain number of a scenario: where it sits, what it may be, where it comes from.

    ``price_year`` is set for money: the value is in that year's dollars and is brought to
    the scenario's base year with the price index. ``signed`` marks a benefit factor that
    may be below zero: a measured effect whose interval reaches harm (exits added rather
    than avoided) is kept whole rather than cut off at zero, which would flatter it.
    """

    key: str
    distribution: Distribution
    source: str
    basis: str
    price_year: int | None = None
    note: str | None = None
    signed: bool = False

    @property
    def assumed(self) -> bool:
        return self.basis == "assumption"


@dataclass(frozen=True)
class Ingredient:
    """One cost ingredient: quantity x unit price, paid in ``years`` by ``payer``."""

    id: str
    description: str
    category: str
    payer: str
    years: tuple[int, ...]
    quantity: Input
    unit_price: Input


@dataclass(frozen=True)
class Stream:
    """One benefit stream.

    Its value in program year t at full maturity is the product of its factors times its
    attribution; ``ramp[t]`` phases it in. With ``cohorts`` (graduates' earnings) each
    year's value is a new cohort that keeps earning, ``lag_years`` later, in every later
    year, kept at ``persistence`` a year; without, a year's value is that year's alone,
    and ``persistence`` is the share of the effect kept each year after the first.
    """

    id: str
    description: str
    receiver: str
    transfer: bool
    factors: Mapping[str, Input] = field(hash=False)
    ramp: tuple[float, ...]
    attribution: Input
    persistence: Input
    cohorts: bool = False
    lag_years: int = 0


@dataclass(frozen=True)
class ClaimedFigure:
    value: float
    quote: str


@dataclass(frozen=True)
class Claim:
    """The documents' own totals, each with its quote (the ``claimed`` scenario only)."""

    document: str
    investment: ClaimedFigure
    total: ClaimedFigure
    multiple: ClaimedFigure


@dataclass(frozen=True)
class Scenario:
    """A checked scenario. Build with ``parse_scenario``; change with ``with_overrides``."""

    name: str
    title: str
    description: str
    horizon_years: int
    base_year: int
    discount_rates: tuple[float, ...]
    headline_perspective: str
    costs: tuple[Ingredient, ...]
    benefits: tuple[Stream, ...]
    units: Mapping[str, Input] = field(hash=False)
    price_index: PriceIndex
    claim: Claim | None = None

    @property
    def headline_rate(self) -> float:
        """The discount rate of the headline numbers: the first one the scenario lists."""
        return self.discount_rates[0]

    def inputs(self) -> dict[str, Input]:
        """Every input by its key, costs first, in the scenario's order."""
        found: dict[str, Input] = {}
        for ingredient in self.costs:
            found[ingredient.quantity.key] = ingredient.quantity
            found[ingredient.unit_price.key] = ingredient.unit_price
        for stream in self.benefits:
            for factor in stream.factors.values():
                found[factor.key] = factor
            found[stream.attribution.key] = stream.attribution
            found[stream.persistence.key] = stream.persistence
        for unit in self.units.values():
            found[unit.key] = unit
        return found

    def stream(self, stream_id: str) -> Stream:
        for stream in self.benefits:
            if stream.id == stream_id:
                return stream
        raise KeyError(f"no stream {stream_id!r}; the streams are {list(STREAMS)}")

    def price_factor(self, item: Input) -> float:
        """What one unit of ``item`` is worth in base-year dollars (1 for a count or share)."""
        if item.price_year is None:
            return 1.0
        return self.price_index.factor(item.price_year, self.base_year)

    def with_overrides(
        self,
        overrides: Mapping[str, Input | Mapping[str, Any]],
        *,
        name: str | None = None,
        title: str | None = None,
    ) -> Scenario:
        """A copy with some inputs replaced, checked as the scenario file would be.

        This is how measured values enter: pipelines read the warehouse and the scorecard
        and pass numbers; the model does the rest. An input not overridden keeps its value
        and its basis, so ``assumed`` still says which numbers nobody measured.

        Parameters
        ----------
        overrides
            Key (as in ``inputs()``: ``benefits.teacher_turnover.attribution``,
            ``costs.champion_course.quantity``, ``units.certificates``) to the new input:
            an ``Input``, or its scenario-file form with its source and basis, e.g.
            ``{"normal": {"estimate": 0.04, "std_error": 0.015}, "source": "scorecard run
            12, claim teacher_retention", "basis": "measured"}``.
        name, title
            The new scenario's name and title (by default the old ones).

        Example
        -------
        >>> evidence = base.with_overrides(
        ...     {"units.certificates": {"fixed": 41, "source": "mart.certificates, 2025",
        ...                             "basis": "measured"}},
        ...     name="evidence",
        ... )  # doctest: +SKIP
        """
        known = self.inputs()
        replaced: dict[str, Input] = {}
        for key, value in overrides.items():
            if key not in known:
                raise ValueError(
                    f"{key}: no such input in scenario {self.name!r}; the inputs are "
                    f"{', '.join(known)}"
                )
            old = known[key]
            if isinstance(value, Input):
                replaced[key] = dataclasses.replace(value, key=key)
            else:
                replaced[key] = _input(
                    value, key, _bounds_of(key), self._years(), factor=_is_factor(key)
                )
            if old.price_year is not None and replaced[key].price_year is None:
                raise ValueError(f"{key}: the input replaced is in dollars; give a price_year")
            if old.price_year is None and replaced[key].price_year is not None:
                raise ValueError(f"{key}: the input replaced is not money; drop the price_year")

        def swap(item: Input) -> Input:
            return replaced.get(item.key, item)

        costs = tuple(
            dataclasses.replace(c, quantity=swap(c.quantity), unit_price=swap(c.unit_price))
            for c in self.costs
        )
        benefits = tuple(
            dataclasses.replace(
                s,
                factors={k: swap(v) for k, v in s.factors.items()},
                attribution=swap(s.attribution),
                persistence=swap(s.persistence),
            )
            for s in self.benefits
        )
        return dataclasses.replace(
            self,
            name=name or self.name,
            title=title or self.title,
            costs=costs,
            benefits=benefits,
            units={k: swap(v) for k, v in self.units.items()},
        )

    def _years(self) -> tuple[int, ...]:
        return tuple(self.price_index.values)


def parse_price_index(data: Any) -> PriceIndex:
    """Check a price index's mapping (``models/scenarios/price_index.yaml``)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("values"), Mapping):
        raise ValueError("price_index: expected a mapping with values: {year: level}")
    values = {}
    for year, level in data["values"].items():
        if not isinstance(year, int) or not _is_number(level) or level <= 0:
            raise ValueError(
                f"price_index.values.{year}: give a year and a positive level, e.g. 2024: 313.689"
            )
        values[year] = float(level)
    return PriceIndex(
        name=str(data.get("name", "price index")), source=str(data.get("source", "")), values=values
    )


def parse_scenario(data: Any, *, price_index: PriceIndex) -> Scenario:
    """Check a scenario's mapping and turn it into a ``Scenario``.

    Every mistake raises one ``ValueError`` whose message starts with the key
    (``benefits.graduate_earnings.factors.annual_premium.pert``) and says how to fix it.
    """
    if not isinstance(data, Mapping):
        raise ValueError("scenario: expected a mapping of name, costs, benefits, ...")
    # Keys starting "x-" hold shared definitions for YAML anchors (a price used by several
    # ingredients); the ingredients that refer to them carry the values.
    data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    _unknown(data, _TOP_KEYS, "scenario")
    for key in ("name", "horizon_years", "base_year", "discount_rates", "costs", "benefits"):
        if key not in data:
            raise ValueError(f"{key}: missing; every scenario states it")
    name = data["name"]
    if not isinstance(name, str) or not name:
        raise ValueError("name: give the scenario a name")
    horizon = data["horizon_years"]
    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 1 <= horizon <= 50:
        raise ValueError("horizon_years: give a whole number of years from 1 to 50")
    base_year = data["base_year"]
    if base_year not in price_index.values:
        raise ValueError(
            f"base_year: {base_year!r} is not in the price index ({_span(price_index)}); "
            "give one of its years"
        )
    rates = data["discount_rates"]
    if (
        not isinstance(rates, list)
        or not rates
        or not all(_is_number(r) and 0 <= r < 1 for r in rates)
    ):
        raise ValueError("discount_rates: give a list of rates from 0 to 1, e.g. [0.03, 0.07]")
    headline = data.get("headline_perspective", "total")
    if headline not in PERSPECTIVES:
        raise ValueError(f"headline_perspective: use one of {', '.join(PERSPECTIVES)}")
    years = tuple(price_index.values)

    costs = data["costs"]
    if not isinstance(costs, Mapping) or not costs:
        raise ValueError("costs: give at least one ingredient, by id")
    ingredients = tuple(
        _ingredient(entry, str(key), horizon, years) for key, entry in costs.items()
    )

    benefits = data["benefits"]
    if not isinstance(benefits, Mapping):
        raise ValueError(f"benefits: give the streams {', '.join(STREAMS)} by id")
    for key in benefits:
        if key not in STREAMS:
            raise ValueError(
                f"benefits.{key}: unknown stream; the streams are {', '.join(STREAMS)}"
            )
    for key in STREAMS:
        if key not in benefits:
            raise ValueError(
                f"benefits.{key}: the stream is missing; state it (with attribution 0 to "
                "count nothing)"
            )
    streams = tuple(_stream(benefits[key], key, horizon, years) for key in STREAMS)

    units_data = data.get("units") or {}
    if not isinstance(units_data, Mapping):
        raise ValueError(f"units: give counts per year of {', '.join(UNITS)}")
    units = {}
    for key, entry in units_data.items():
        if key not in UNITS:
            raise ValueError(f"units.{key}: unknown unit; use {', '.join(UNITS)}")
        units[key] = _input(entry, f"units.{key}", NON_NEGATIVE, years)

    claim = _claim(data["claim"]) if "claim" in data else None
    return Scenario(
        name=name,
        title=str(data.get("title", name)),
        description=str(data.get("description", "")).strip(),
        horizon_years=horizon,
        base_year=base_year,
        discount_rates=tuple(float(r) for r in rates),
        headline_perspective=headline,
        costs=ingredients,
        benefits=streams,
        units=units,
        price_index=price_index,
        claim=claim,
    )


def _ingredient(entry: Any, key: str, horizon: int, years: tuple[int, ...]) -> Ingredient:
    where = f"costs.{key}"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: give description, category, payer, years, quantity, unit_price")
    _unknown(entry, _COST_KEYS, where)
    for name in ("category", "payer", "years", "quantity", "unit_price"):
        if name not in entry:
            raise ValueError(f"{where}.{name}: missing; every ingredient states it")
    if entry["category"] not in CATEGORIES:
        raise ValueError(f"{where}.category: use one of {', '.join(CATEGORIES)}")
    if entry["payer"] not in PAYERS:
        raise ValueError(f"{where}.payer: use one of {', '.join(PAYERS)}")
    unit_price = _input(entry["unit_price"], f"{where}.unit_price", NON_NEGATIVE, years)
    if unit_price.price_year is None:
        raise ValueError(f"{where}.unit_price.price_year: missing; give the year the price is in")
    return Ingredient(
        id=key,
        description=str(entry.get("description", key)),
        category=entry["category"],
        payer=entry["payer"],
        years=_program_years(entry["years"], f"{where}.years", horizon),
        quantity=_input(entry["quantity"], f"{where}.quantity", NON_NEGATIVE, years),
        unit_price=unit_price,
    )


def _stream(entry: Any, key: str, horizon: int, years: tuple[int, ...]) -> Stream:
    where = f"benefits.{key}"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: give receiver, factors, ramp, attribution, persistence")
    _unknown(entry, _STREAM_KEYS, where)
    for name in ("receiver", "factors", "ramp", "attribution", "persistence"):
        if name not in entry:
            raise ValueError(f"{where}.{name}: missing; every stream states it")
    if entry["receiver"] not in RECEIVERS:
        raise ValueError(f"{where}.receiver: use one of {', '.join(RECEIVERS)}")
    factors = entry["factors"]
    if not isinstance(factors, Mapping) or not factors:
        raise ValueError(f"{where}.factors: give at least one factor, by name")
    ramp = entry["ramp"]
    if (
        not isinstance(ramp, list)
        or not 1 <= len(ramp) <= horizon
        or not all(_is_number(r) and 0 <= r <= 1 for r in ramp)
    ):
        raise ValueError(
            f"{where}.ramp: give the share of full value (0 to 1) in each program year from "
            f"year 1, at most {horizon} of them; the last is kept for the years after"
        )
    lag = entry.get("lag_years", 0)
    if not isinstance(lag, int) or isinstance(lag, bool) or not 0 <= lag < horizon:
        raise ValueError(f"{where}.lag_years: give a whole number of years from 0 to {horizon - 1}")
    for flag in ("transfer", "cohorts"):
        if not isinstance(entry.get(flag, False), bool):
            raise ValueError(f"{where}.{flag}: give true or false")
    padded = [float(r) for r in ramp] + [float(ramp[-1])] * (horizon - len(ramp))
    return Stream(
        id=key,
        description=str(entry.get("description", key)),
        receiver=entry["receiver"],
        transfer=entry.get("transfer", False),
        factors={
            str(name): _input(spec, f"{where}.factors.{name}", NON_NEGATIVE, years, factor=True)
            for name, spec in factors.items()
        },
        ramp=tuple(padded),
        attribution=_input(entry["attribution"], f"{where}.attribution", SHARE, years),
        persistence=_input(entry["persistence"], f"{where}.persistence", SHARE, years),
        cohorts=entry.get("cohorts", False),
        lag_years=lag,
    )


def _input(
    entry: Any,
    key: str,
    bounds: tuple[float, float],
    years: tuple[int, ...],
    *,
    factor: bool = False,
) -> Input:
    if not isinstance(entry, Mapping):
        raise ValueError(
            f"{key}: give a distribution with its source and basis, e.g. "
            "{fixed: 20, source: 'roadmap: Cohort 1 (Champions) | 20 teachers', basis: seed}"
        )
    extra = {k: v for k, v in entry.items() if k not in _INPUT_KEYS}
    unknown = sorted(k for k in extra if k not in KINDS)
    if unknown:
        raise ValueError(
            f"{key}.{unknown[0]}: unknown key; an input has one distribution "
            f"({', '.join(KINDS)}) and {', '.join(sorted(_INPUT_KEYS))}"
        )
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{key}.source: missing; say where the number comes from")
    basis = entry.get("basis")
    if basis not in BASES:
        raise ValueError(f"{key}.basis: use one of {', '.join(BASES)}")
    price_year = entry.get("price_year")
    if price_year is not None and price_year not in years:
        raise ValueError(
            f"{key}.price_year: {price_year!r} is not in the price index ({years[0]}-{years[-1]});"
            " give one of its years"
        )
    if not extra:
        raise ValueError(f"{key}: give a distribution, e.g. fixed: 20 or pert: [low, mode, high]")
    signed = entry.get("signed", False)
    if not isinstance(signed, bool):
        raise ValueError(f"{key}.signed: give true or false")
    if signed and not factor:
        raise ValueError(
            f"{key}.signed: only a benefit stream's factor may be below zero; drop signed"
        )
    if signed:
        bounds = (-math.inf, bounds[1])
    return Input(
        key=key,
        distribution=parse_distribution(extra, key, bounds=bounds),
        source=source.strip(),
        basis=basis,
        price_year=price_year,
        note=entry.get("note"),
        signed=signed,
    )


def _claim(entry: Any) -> Claim:
    if not isinstance(entry, Mapping):
        raise ValueError("claim: give document, investment, total and multiple")
    _unknown(entry, _CLAIM_KEYS, "claim")
    figures = {}
    for name in ("investment", "total", "multiple"):
        figure = entry.get(name)
        if (
            not isinstance(figure, Mapping)
            or not _is_number(figure.get("value"))
            or figure["value"] <= 0
            or not isinstance(figure.get("quote"), str)
        ):
            raise ValueError(f"claim.{name}: give {{value: a positive number, quote: '...'}}")
        figures[name] = ClaimedFigure(float(figure["value"]), figure["quote"])
    return Claim(document=str(entry.get("document", "")), **figures)


def _program_years(value: Any, key: str, horizon: int) -> tuple[int, ...]:
    """``all``, a list of years, or a range ``"2-10"``, as program years 1..horizon."""
    if value == "all":
        return tuple(range(1, horizon + 1))
    if isinstance(value, str) and "-" in value:
        first, _, last = value.partition("-")
        if first.strip().isdigit() and last.strip().isdigit():
            value = list(range(int(first), int(last) + 1))
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in value)
    ):
        raise ValueError(f"{key}: give 'all', a range such as '2-10', or a list such as [1]")
    if min(value) < 1 or max(value) > horizon or len(set(value)) != len(value):
        raise ValueError(f"{key}: give program years from 1 to {horizon}, each once")
    return tuple(sorted(value))


def _is_factor(key: str) -> bool:
    return key.startswith("benefits.") and ".factors." in key


def _bounds_of(key: str) -> tuple[float, float]:
    return SHARE if key.endswith((".attribution", ".persistence")) else NON_NEGATIVE


def _unknown(entry: Mapping, allowed: set[str], where: str) -> None:
    unknown = sorted(str(k) for k in entry if k not in allowed)
    if unknown:
        raise ValueError(
            f"{where}.{unknown[0]}: unknown key; the keys are {', '.join(sorted(allowed))}"
        )


def _span(index: PriceIndex) -> str:
    years = sorted(index.values)
    return f"{years[0]}-{years[-1]}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
