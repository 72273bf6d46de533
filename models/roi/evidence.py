"""The ``evidence`` scenario: the base case with every input the district has measured put in.

The base case prices the roadmap with published figures and assumptions. The evidence
scenario keeps its structure and replaces what the district's own records can say:

- **costs** as booked (``costs_by_year``), one ingredient per item and school year, and for
  the years not yet booked each recurring item at its latest year's quantity (75-125% of
  it, an assumption) and price;
- **teacher turnover**: teachers on the roster, trained teachers' measured exit rate, the
  exits training avoided for each of theirs (1 / the scorecard's
  ``teacher_retention_trained`` ratio - 1, its interval the uncertainty, kept signed:
  training that adds exits costs money), and the replacement cost the district books per
  leaver;
- **graduates' earnings**: certified graduates per class, the share employed at follow-up,
  and the scorecard's ``certified_graduate_wage_premium`` (dollars an hour) times an
  assumed year of paid hours;
- **grants and licensing/consulting** revenue as recorded (``benefits_by_year``);
- **units**: team members and certificates of the latest year, and the additional girls
  girls-only teams keep, from the scorecard's ``female_retention_girls_only`` ratio.

Where the records are silent the base value stays, with its basis, so ``assumed`` still
says which numbers nobody measured. Nothing here reads a database: the pipeline hands in
plain frames (``figures``, ``costs``, ``benefits``, ``claims``) and gets back the scenario
and a table of what was measured, from what, with its n.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from models.roi.distributions import Z975
from models.roi.scenario import PriceIndex, Scenario, parse_scenario

#: The scorecard claims the evidence scenario reads.
TEACHER_RETENTION_CLAIM = "teacher_retention_trained"
WAGE_PREMIUM_CLAIM = "certified_graduate_wage_premium"
GIRLS_RETENTION_CLAIM = "female_retention_girls_only"

#: The cost mart's payers, as the scenario's. Teachers' time in training is paid by the
#: district in salaries even when no budget line shows it (``in_kind``); a partner is an
#: employer or other outside organisation; an unstated payer is taken as the district.
PAYER_OF = {
    "district": "district",
    "grant": "grant",
    "partner": "employer",
    "in_kind": "district",
    "family": "family",
    "other": "district",
    "unknown": "district",
}
#: The cost mart's categories, as the scenario's ingredient kinds.
CATEGORY_OF = {
    "personnel": "personnel",
    "stipends": "personnel",
    "training": "training",
    "substitutes": "substitutes",
    "technology": "tools_and_licences",
    "tools_and_licences": "tools_and_licences",
    "materials": "materials",
    "facilities": "facilities",
    "evaluation": "contracts",
    "contracts": "contracts",
    "partnerships": "in_kind",
    "in_kind": "in_kind",
}
#: Benefit observations counted as licensing and consulting revenue.
REVENUE_TYPES = ("consulting_revenue", "licensing_revenue")
#: How far a recurring cost may move from its latest booked quantity in the years not yet
#: booked (an assumption: enrolment and staffing drift; the scenario says so).
PROJECTED_QUANTITY_SPREAD = 0.25
#: A year of paid hours for a young graduate: part-time while studying to full-time.
HOURS_PER_YEAR = {
    "pert": [1000, 1500, 2080],
    "source": "assumption: a year of paid work for a graduate within four years of high "
    "school, from part-time while enrolled (about 20 hours a week) to full-time (2,080 hours)",
    "basis": "assumption",
}

#: Columns of the frames the pipeline hands in.
FIGURE_COLUMNS = ("figure", "school_year", "value", "n", "std_error", "source")
COST_COLUMNS = ("school_year", "category", "item", "quantity", "unit", "unit_price_usd", "payer")
BENEFIT_COLUMNS = ("school_year", "benefit_type", "observations", "amount_usd")
CLAIM_COLUMNS = ("claim_id", "estimate", "ci_lower", "ci_upper", "n", "verdict", "run_id")


@dataclass(frozen=True)
class EvidenceScenario:
    """The evidence scenario and what went into it.

    Attributes
    ----------
    scenario
        The checked scenario, ready for ``simulate``.
    measured
        One row per input the records set: ``input, value, n, basis, source``.
    first_school_year
        The school year counted as program year 1.
    warnings
        Plain sentences on what the records could not give and what was assumed instead.
    """

    scenario: Scenario
    measured: pd.DataFrame = field(repr=False, compare=False, hash=False)
    first_school_year: int | None
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.measured.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "first_school_year": self.first_school_year,
            "measured": self.measured.to_dict(orient="records"),
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        lines = [
            f"evidence scenario: {len(self.measured)} inputs from the district's records"
            + (
                f", program year 1 = school year {self.first_school_year}"
                if self.first_school_year
                else ""
            )
        ]
        for row in self.measured.itertuples():
            n = "" if pd.isna(row.n) else f" (n {row.n})"
            lines.append(f"  {row.input}: {row.value}{n} - {row.source}")
        lines += [f"  note: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def evidence_scenario(
    base: Mapping[str, Any],
    *,
    price_index: PriceIndex,
    figures: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
    benefits: pd.DataFrame | None = None,
    claims: pd.DataFrame | None = None,
) -> EvidenceScenario:
    """Build the evidence scenario from the base case's mapping and the district's records.

    Parameters
    ----------
    base
        The base scenario's mapping, as read from ``models/scenarios/base.yaml``.
    price_index
        The price index; prices of years after its last are taken as of its last year
        (with a warning).
    figures
        Counts and rates from the marts, one per row: ``figure, school_year, value, n,
        std_error, source`` (``teachers_at_risk``, ``teacher_exit_rate_trained``,
        ``teacher_exit_rate``, ``certified_graduates``, ``certified_graduates_employed``,
        ``team_members``, ``certificates_awarded``, ``girls_only_girls_eligible``,
        ``girls_only_girls_returned``).
    costs
        Booked cost ingredients (``costs_by_year``): ``school_year, category, item,
        quantity, unit, unit_price_usd, payer`` and ``price_year``.
    benefits
        Benefit observations by year (``benefits_by_year``): ``school_year, benefit_type,
        observations, amount_usd``.
    claims
        The latest scorecard's estimates: ``claim_id, estimate, ci_lower, ci_upper, n,
        verdict, run_id``.

    Example
    -------
    >>> evidence = evidence_scenario(load_scenario_data("base"), price_index=load_price_index(),
    ...                              figures=figures, costs=costs)  # doctest: +SKIP
    >>> simulate(evidence.scenario, draws=20_000, seed=1)  # doctest: +SKIP
    """
    builder = _Builder(base, price_index, figures, costs, benefits, claims)
    builder.costs()
    builder.teacher_turnover()
    builder.graduate_earnings()
    builder.revenue("grants_attracted", "annual_grants", ("grant_awarded",), "grants awarded")
    builder.revenue(
        "licensing_consulting", "annual_revenue", REVENUE_TYPES, "licensing and consulting revenue"
    )
    builder.units()
    data = builder.data
    data["name"] = "evidence"
    data["title"] = "Evidence"
    data["description"] = (
        "The base case with the district's own records put in: costs as booked, measured "
        "turnover, certificates, graduates' follow-ups and revenue, and the scorecard's "
        "estimates with their intervals as the uncertainty; where the records are silent, "
        "the base value, marked as assumed."
    )
    if builder.unindexed_years:
        years = sorted(builder.unindexed_years)
        last = max(price_index.values)
        span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
        builder.warnings.append(
            f"prices of {span} are taken as {last} dollars: the price index ends in {last} "
            "(extend models/scenarios/price_index.yaml from the same series)"
        )
    scenario = parse_scenario(data, price_index=price_index)
    measured = pd.DataFrame(builder.rows, columns=["input", "value", "n", "basis", "source"])
    measured["n"] = measured["n"].astype("Int64")
    return EvidenceScenario(
        scenario=scenario,
        measured=measured,
        first_school_year=builder.first_year,
        warnings=tuple(dict.fromkeys(builder.warnings)),
    )


class _Builder:
    """Edits a deep copy of the base mapping, one part at a time, noting each measured input."""

    def __init__(self, base, price_index, figures, costs, benefits, claims) -> None:
        self.data = copy.deepcopy(dict(base))
        self.data = {k: v for k, v in self.data.items() if not str(k).startswith("x-")}
        self.price_index = price_index
        self.horizon = int(self.data["horizon_years"])
        self.figures = _frame(figures, FIGURE_COLUMNS)
        self.booked = _frame(costs, COST_COLUMNS)
        self.benefits = _frame(benefits, BENEFIT_COLUMNS)
        self.claims = _frame(claims, CLAIM_COLUMNS)
        self.rows: list[dict[str, Any]] = []
        self.warnings: list[str] = []
        years = [
            int(y)
            for frame in (self.booked, self.benefits)
            for y in frame["school_year"].dropna().unique()
        ]
        self.first_year = min(years) if years else None
        # The last year on the books: a year with costs booked is a year the program ran
        # through; benefits recorded after it (a summer's wages) belong to an unfinished one.
        booked_years = self.booked["school_year"].dropna()
        self.last_year = (
            int(booked_years.max()) if len(booked_years) else (max(years) if years else None)
        )
        self.unindexed_years: set[int] = set()

    # --- helpers -----------------------------------------------------------------------

    def note(self, key: str, entry: Mapping[str, Any], n: Any, shown: str) -> None:
        self.rows.append(
            {
                "input": key,
                "value": shown,
                "n": None if n is None else int(n),
                "basis": entry["basis"],
                "source": entry["source"],
            }
        )

    def count(self, inputs: dict, name: str, prefix: str, row: pd.Series) -> None:
        """Set ``inputs[name]`` to a figure's value, fixed: a count has no sampling error."""
        inputs[name] = {"fixed": float(row["value"]), "source": row["source"], "basis": "measured"}
        self.note(f"{prefix}.{name}", inputs[name], row["n"], _num(row["value"]))

    def rate(self, inputs: dict, name: str, row: pd.Series) -> None:
        """Set ``inputs[name]`` to a measured share: normal with its binomial error."""
        inputs[name] = _normal(row["value"], row["std_error"], row["source"])
        self.note(
            f"benefits.teacher_turnover.factors.{name}",
            inputs[name],
            row["n"],
            f"{row['value']:.3f} (s.e. {row['std_error']:.3f})",
        )

    def figure(self, name: str) -> pd.Series | None:
        """The latest year's row of a figure, or None."""
        rows = self.figures[self.figures["figure"] == name]
        if rows.empty:
            return None
        return rows.sort_values("school_year", na_position="first").iloc[-1]

    def figure_by_year(self, name: str) -> pd.DataFrame:
        rows = self.figures[self.figures["figure"] == name]
        return rows.dropna(subset=["school_year"]).sort_values("school_year")

    def claim(self, claim_id: str) -> pd.Series | None:
        rows = self.claims[self.claims["claim_id"] == claim_id]
        if rows.empty:
            self.warnings.append(
                f"no stored scorecard estimate of {claim_id}: its input stays assumed "
                "(score the claims first)"
            )
            return None
        row = rows.iloc[0]
        if _missing(row["estimate"]) or _missing(row["ci_lower"]) or _missing(row["ci_upper"]):
            self.warnings.append(
                f"the scorecard has no interval for {claim_id} ({row['verdict']}): its input "
                "stays assumed"
            )
            return None
        return row

    def price_year(self, year: int) -> int:
        last = max(self.price_index.values)
        if year > last:
            self.unindexed_years.add(year)
            return last
        return year

    def program_year(self, school_year: int) -> int | None:
        if self.first_year is None:
            return None
        year = int(school_year) - self.first_year + 1
        return year if 1 <= year <= self.horizon else None

    def stream(self, stream_id: str) -> dict[str, Any]:
        return self.data["benefits"][stream_id]

    # --- costs -------------------------------------------------------------------------

    def costs(self) -> None:
        booked = self.booked.dropna(subset=["school_year", "item"])
        if booked.empty:
            self.warnings.append("no costs are booked: the base case's ingredients stand")
            return
        ingredients: dict[str, Any] = {}
        booked = booked.assign(slug=[_slug(i) for i in booked["item"]])
        for row in booked.sort_values(["school_year", "category", "item"]).itertuples():
            year = self.program_year(row.school_year)
            if year is None:
                continue
            ingredient_id = f"{row.slug}_{int(row.school_year)}"
            source = f"costs_by_year {int(row.school_year)}: {row.item} ({_unit(row)})"
            ingredients[ingredient_id] = self.ingredient(
                row,
                f"{row.item}, {int(row.school_year)} (booked)",
                [year],
                {"fixed": float(row.quantity), "source": source, "basis": "measured"},
                source,
            )
            self.note(
                f"costs.{ingredient_id}",
                ingredients[ingredient_id]["quantity"],
                None,
                f"{_num(row.quantity)} x ${_num(row.unit_price_usd)}",
            )
        last_year = int(booked["school_year"].max())
        last_program_year = self.program_year(last_year)
        if last_program_year is not None and last_program_year < self.horizon:
            seen = booked.groupby("slug")["school_year"].nunique()
            latest = booked[booked["school_year"] == last_year]
            single_year = booked["school_year"].nunique() == 1
            for row in latest.itertuples():
                if not single_year and seen[row.slug] < 2:
                    continue  # booked once: a one-off (a refit, a launch), not a running cost
                q = float(row.quantity)
                spread = PROJECTED_QUANTITY_SPREAD
                ingredient_id = f"{row.slug}_projected"
                years = f"{last_program_year + 1}-{self.horizon}"
                ingredients[ingredient_id] = self.ingredient(
                    row,
                    f"{row.item}, years not yet booked (projected)",
                    years if last_program_year + 1 < self.horizon else [self.horizon],
                    {
                        "pert": [q * (1 - spread), q, q * (1 + spread)],
                        "source": (
                            f"costs_by_year {last_year}: {_num(q)} {_unit(row)} booked; "
                            f"assumption: it recurs at {1 - spread:.0%}-{1 + spread:.0%} of that"
                        ),
                        "basis": "assumption",
                    },
                    f"costs_by_year {last_year}: {row.item}",
                )
        self.data["costs"] = ingredients

    def ingredient(self, row, description: str, years, quantity: dict, price_source: str):
        """A booked item as an ingredient: its category, payer, years, quantity and price."""
        return {
            "description": description,
            "category": _category(row.category, self.warnings),
            "payer": _payer(row.payer, self.warnings),
            "years": years,
            "quantity": quantity,
            "unit_price": {
                "fixed": float(row.unit_price_usd),
                "price_year": self.price_year(int(_price_year(row))),
                "source": price_source,
                "basis": "measured",
            },
        }

    # --- benefits ----------------------------------------------------------------------

    def teacher_turnover(self) -> None:
        stream = self.stream("teacher_turnover")
        factors = stream["factors"]
        at_risk = self.figure("teachers_at_risk")
        if at_risk is not None and at_risk["value"] > 0:
            self.count(factors, "teachers", "benefits.teacher_turnover.factors", at_risk)
        claim = self.claim(TEACHER_RETENTION_CLAIM)
        trained_rate = self.figure("teacher_exit_rate_trained")
        if claim is not None and trained_rate is not None and trained_rate["n"] > 0:
            # Trained teachers leave at r; without training they would have left at r /
            # ratio (the scorecard's adjusted ratio), so training avoids r x (1/ratio - 1)
            # exits a teacher. The raw rate of the untrained is not used: they are mostly
            # new hires, who leave more whatever their training.
            self.rate(factors, "exit_rate", trained_rate)
            ratio = float(claim["estimate"])
            avoided = 1.0 / ratio - 1.0
            factors.pop("exit_reduction", None)
            factors["exits_avoided_per_exit"] = {
                "normal": {"estimate": avoided, "std_error": _log_std_error(claim) / ratio},
                "signed": True,
                "source": _claim_source(claim, "trained teachers' exit risk over untrained")
                + "; exits avoided per trained teacher's exit = 1 / ratio - 1",
                "basis": "measured",
            }
            self.note(
                "benefits.teacher_turnover.factors.exits_avoided_per_exit",
                factors["exits_avoided_per_exit"],
                claim["n"],
                f"{avoided:.3f} (1 / ratio {ratio:.3f} - 1)",
            )
            stream["attribution"] = {
                "fixed": 1.0,
                "source": (
                    "assumption: the scorecard's adjusted comparison of trained and untrained "
                    "teachers is taken as training's effect (its interval is the uncertainty; "
                    "why a teacher trained early is not otherwise removed)"
                ),
                "basis": "assumption",
            }
        else:
            overall = self.figure("teacher_exit_rate")
            if overall is not None and overall["n"] > 0:
                self.rate(factors, "exit_rate", overall)
        exits = self.benefits[self.benefits["benefit_type"] == "teacher_exit"]
        exits = exits[exits["observations"] > 0].dropna(subset=["amount_usd"])
        if not exits.empty:
            count = int(exits["observations"].sum())
            per_exit = abs(float(exits["amount_usd"].sum())) / count
            year = int(exits["school_year"].max())
            factors["replacement_cost"] = {
                "fixed": round(per_exit, 2),
                "price_year": self.price_year(year),
                "source": (
                    f"benefits_by_year teacher_exit: the replacement cost the district books "
                    f"per leaver ({count} exits)"
                ),
                "basis": "measured",
            }
            self.note(
                "benefits.teacher_turnover.factors.replacement_cost",
                factors["replacement_cost"],
                count,
                f"${per_exit:,.0f}",
            )

    def graduate_earnings(self) -> None:
        stream = self.stream("graduate_earnings")
        factors = stream["factors"]
        by_class = self.figure_by_year("certified_graduates")
        by_class = by_class[by_class["value"] > 0]
        if not by_class.empty:
            latest = by_class.iloc[-1]
            self.count(factors, "certified_graduates", "benefits.graduate_earnings.factors", latest)
            ramp = self._observed_ramp(by_class, float(latest["value"]))
            if ramp:
                stream["ramp"] = ramp
        employed = self.figure("certified_graduates_employed")
        premium = self.claim(WAGE_PREMIUM_CLAIM)
        if premium is None:
            return
        if employed is None or _missing(employed["std_error"]):
            self.warnings.append(
                "no certified graduate has a follow-up: the wage premium cannot be turned "
                "into earnings; the base case's premium stands"
            )
            return
        estimate = float(premium["estimate"])
        std_error = (float(premium["ci_upper"]) - float(premium["ci_lower"])) / (2 * Z975)
        # Wages are in the dollars of the follow-ups: the latest follow-up year's.
        wage_year = employed["school_year"]
        wage_year = max(self.price_index.values) if _missing(wage_year) else int(wage_year)
        new_factors = {
            "certified_graduates": factors["certified_graduates"],
            "employment": _normal(employed["value"], employed["std_error"], employed["source"]),
            "hours_per_year": dict(HOURS_PER_YEAR),
            "hourly_premium": {
                "normal": {"estimate": estimate, "std_error": std_error},
                "signed": True,
                "price_year": self.price_year(wage_year),
                "source": _claim_source(premium, "certified graduates' hourly wage minus others'"),
                "basis": "measured",
            },
        }
        self.note(
            "benefits.graduate_earnings.factors.employment",
            new_factors["employment"],
            employed["n"],
            f"{employed['value']:.3f} (s.e. {employed['std_error']:.3f})",
        )
        self.note(
            "benefits.graduate_earnings.factors.hourly_premium",
            new_factors["hourly_premium"],
            premium["n"],
            f"${estimate:.2f} an hour (s.e. {std_error:.2f})",
        )
        stream["factors"] = new_factors
        stream["attribution"] = {
            "fixed": 1.0,
            "source": (
                "assumption: the scorecard's adjusted difference between certified and other "
                "graduates is taken as the certificate's effect; motivation it does not adjust "
                "for would make it too large"
            ),
            "basis": "assumption",
        }

    def revenue(self, stream_id: str, factor: str, types: tuple[str, ...], what: str) -> None:
        rows = self.benefits[self.benefits["benefit_type"].isin(types)]
        if rows.empty or self.first_year is None:
            self.warnings.append(f"no {what} recorded: the base case's value stands")
            return
        last = self.last_year
        rows = rows[rows["school_year"] <= last]
        if rows.empty:
            self.warnings.append(f"no {what} recorded by {last}: the base case's value stands")
            return
        first = int(rows["school_year"].min())
        by_year = (
            rows.groupby("school_year")["amount_usd"]
            .sum()
            .reindex(range(first, last + 1), fill_value=0.0)
        )
        low, mean, high = float(by_year.min()), float(by_year.mean()), float(by_year.max())
        source = (
            f"benefits_by_year {', '.join(types)}: {what} in {first}-{last}, "
            f"${low:,.0f} to ${high:,.0f} a year (mean ${mean:,.0f})"
        )
        if low == high:
            spec: dict[str, Any] = {"fixed": mean}
        else:
            spec = {"triangular": [low, mean, high]}
        stream = self.stream(stream_id)
        stream["factors"][factor] = {
            **spec,
            "price_year": self.price_year(last),
            "source": source,
            "basis": "measured",
        }
        self.note(
            f"benefits.{stream_id}.factors.{factor}",
            stream["factors"][factor],
            int(rows["observations"].sum()),
            f"${mean:,.0f} a year",
        )
        # The years before the first record earned nothing; later ones are at full value.
        ramp_start = self.program_year(first)
        if ramp_start is not None:
            stream["ramp"] = [0.0] * (ramp_start - 1) + [1.0]

    def units(self) -> None:
        units = self.data.setdefault("units", {})
        for unit, name in (
            ("participants", "team_members"),
            ("certificates", "certificates_awarded"),
        ):
            latest = self.figure(name)
            if latest is None or latest["value"] <= 0:
                continue
            self.count(units, unit, "units", latest)
        claim = self.claim(GIRLS_RETENTION_CLAIM)
        eligible = self.figure("girls_only_girls_eligible")
        returned = self.figure("girls_only_girls_returned")
        if claim is None or eligible is None or returned is None:
            return
        ratio = float(claim["estimate"])
        kept = float(returned["value"])
        # Girls kept by girls-only teams beyond what mixed teams would have kept:
        # returned x (1 - 1 / ratio); its error from the ratio's, by the delta method.
        additional = kept * (1.0 - 1.0 / ratio)
        std_error = kept / ratio * _log_std_error(claim)
        source = _claim_source(claim, "girls' return, girls-only over mixed teams") + (
            f"; {int(kept)} of {int(eligible['value'])} girls of girls-only teams returned in "
            f"{int(returned['school_year'])}; additional = returned x (1 - 1/ratio)"
        )
        if additional <= 0 and std_error == 0:
            return
        units["additional_girls_retained"] = {
            "normal": {"estimate": additional, "std_error": max(std_error, 1e-9)},
            "source": source,
            "basis": "measured",
        }
        self.note(
            "units.additional_girls_retained",
            units["additional_girls_retained"],
            claim["n"],
            f"{additional:.1f} a year (s.e. {std_error:.1f})",
        )
        if additional <= 0:
            self.warnings.append(
                "girls-only teams kept no more girls than mixed teams in the scorecard's "
                "estimate: the cost per additional girl retained is not defined in most draws"
            )

    def _observed_ramp(self, by_class: pd.DataFrame, mature: float) -> list[float] | None:
        """Each observed class's size over the latest's, from program year 1, then full."""
        if self.first_year is None or mature <= 0:
            return None
        ramp: list[float] = []
        for row in by_class.itertuples():
            # The class graduating in school year Y is program year Y's cohort; the stream's
            # lag puts its earnings in the years after.
            year = self.program_year(int(row.school_year))
            if year is None:
                continue
            while len(ramp) < year - 1:
                ramp.append(0.0)
            ramp.append(min(float(row.value) / mature, 1.0))
        if not ramp:
            return None
        return ramp[: self.horizon] + ([1.0] if len(ramp) < self.horizon else [])


def _frame(frame: pd.DataFrame | None, columns: tuple[str, ...]) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks the columns {missing}; it needs {list(columns)}")
    return frame


def _normal(value: float, std_error: float, source: str) -> dict[str, Any]:
    return {
        "normal": {"estimate": float(value), "std_error": max(float(std_error), 1e-9)},
        "source": source,
        "basis": "measured",
    }


def _log_std_error(claim: pd.Series) -> float:
    return (math.log(float(claim["ci_upper"])) - math.log(float(claim["ci_lower"]))) / (2 * Z975)


def _claim_source(claim: pd.Series, what: str) -> str:
    return (
        f"scorecard run {claim['run_id']}, claim {claim['claim_id']}: {what} "
        f"{float(claim['estimate']):.3g} ({float(claim['ci_lower']):.3g} to "
        f"{float(claim['ci_upper']):.3g}), n {int(claim['n'])}, verdict {claim['verdict']}"
    )


def _payer(payer: Any, warnings: list[str]) -> str:
    key = str(payer).strip().lower() if not _missing(payer) else "unknown"
    if key not in PAYER_OF:
        warnings.append(f"cost payer {payer!r} is not known: taken as the district")
    return PAYER_OF.get(key, "district")


def _category(category: Any, warnings: list[str]) -> str:
    key = str(category).strip().lower()
    if key not in CATEGORY_OF:
        warnings.append(f"cost category {category!r} is not known: counted as contracts")
    return CATEGORY_OF.get(key, "contracts")


def _price_year(row: Any) -> int:
    price_year = getattr(row, "price_year", None)
    return int(row.school_year) if _missing(price_year) else int(price_year)


def _unit(row: Any) -> str:
    unit = getattr(row, "unit", None)
    return "units" if _missing(unit) else str(unit)


def _slug(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "item"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _num(value: Any) -> str:
    value = float(value)
    return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"
