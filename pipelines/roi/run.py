"""The benefit-cost job: resolve the scenarios asked for, build the evidence scenario from the
warehouse, simulate each, and gather the tables the report draws.

A scenario is named (one shipped in ``models/scenarios/``, or ``evidence``) or is a YAML
file of one's own; a file with a mistake is refused with one line naming the file and the
key (exit 2 on the command line).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from models.roi import (
    SCENARIOS,
    BreakEven,
    ClaimedArithmetic,
    Projection,
    Scenario,
    Tornado,
    break_even,
    claimed_arithmetic,
    load_price_index,
    load_scenario_data,
    parse_scenario,
    simulate,
    tornado,
)
from models.roi.evidence import EvidenceScenario, evidence_scenario
from pipelines.errors import InputError
from pipelines.roi.measure import Measurements, measure
from pipelines.warehouse.marts import AsOf

#: The scenario built from the warehouse rather than shipped.
EVIDENCE = "evidence"
#: Every name ``--scenario`` and ``--compare`` accept besides a file.
NAMES = (*SCENARIOS, EVIDENCE)
#: What a board compares by default: the claim, the cautious reading, the district's evidence.
DEFAULT_COMPARISON = ("claimed", "conservative", EVIDENCE)


@dataclass(frozen=True)
class ScenarioRun:
    """One scenario's projection, tornado and break-even values."""

    scenario: Scenario
    projection: Projection
    tornado: Tornado
    break_even: tuple[BreakEven, ...]
    source: str


@dataclass(frozen=True)
class RoiRun:
    """Every scenario of one run, the claim's arithmetic and what the evidence drew on."""

    scenarios: tuple[ScenarioRun, ...]
    claimed: ClaimedArithmetic | None
    evidence: EvidenceScenario | None
    measurements: Measurements | None = field(repr=False)
    run_at: dt.datetime
    as_of: str | None
    draws: int
    seed: int
    discount: float | None
    scenario_sha256: dict[str, str] = field(hash=False)


def run_roi(
    con: duckdb.DuckDBPyConnection | None,
    specs: Sequence[str],
    *,
    draws: int = 100_000,
    seed: int = 0,
    discount: float | None = None,
    as_of: AsOf = None,
    progress: Callable[[str], None] | None = None,
) -> RoiRun:
    """Simulate each scenario of ``specs`` (names or YAML files), in order.

    ``con`` is needed only for the evidence scenario, which reads the marts as of
    ``as_of`` and the newest stored scorecard. ``discount`` makes that rate the headline
    (3% and 7% are kept beside it).
    """
    if draws < 1:
        raise InputError("--draws", f"{draws} draws cannot be simulated", "give at least 1")
    if discount is not None and not 0 <= discount < 1:
        raise InputError(
            "--discount", f"{discount} is not a rate", "give a rate from 0 to 1, e.g. 0.05"
        )
    price_index = load_price_index()
    resolved: list[tuple[Scenario, str, str]] = []
    evidence = measurements = None
    for spec in dict.fromkeys(specs):
        if spec == EVIDENCE:
            if con is None:
                raise InputError(
                    "--scenario evidence", "needs the warehouse", "give --db or run the demo first"
                )
            if progress:
                progress("reading the district's evidence")
            measurements = measure(con, as_of=as_of)
            evidence = evidence_scenario(
                load_scenario_data("base"),
                price_index=price_index,
                figures=measurements.figures,
                costs=measurements.costs,
                benefits=measurements.benefits,
                claims=measurements.claims,
            )
            text = json.dumps(evidence.to_dict(), sort_keys=True, default=str)
            where = (
                f"the warehouse (scorecard run {measurements.scorecard_run_id})"
                if measurements.scorecard_run_id
                else "the warehouse (no scorecard stored)"
            )
            resolved.append((evidence.scenario, _sha(text), where))
        elif spec in SCENARIOS:
            data = load_scenario_data(spec)
            text = yaml.safe_dump(data, sort_keys=True)
            resolved.append(
                (
                    parse_scenario(data, price_index=price_index),
                    _sha(text),
                    f"models/scenarios/{spec}.yaml",
                )
            )
        else:
            resolved.append((*_scenario_file(spec, price_index), spec))
    runs = []
    for scenario, _, source in resolved:
        if discount is not None:
            rates = (discount, *(r for r in scenario.discount_rates if r != discount))
            scenario = dataclasses.replace(scenario, discount_rates=rates)
        if progress:
            progress(f"simulating {scenario.name}")
        runs.append(
            ScenarioRun(
                scenario=scenario,
                projection=simulate(scenario, draws=draws, seed=seed),
                tornado=tornado(scenario),
                break_even=tuple(break_even(scenario, key) for key in break_even_inputs(scenario)),
                source=source,
            )
        )
    claimed = next(
        (claimed_arithmetic(r.scenario) for r in runs if r.scenario.claim is not None), None
    )
    return RoiRun(
        scenarios=tuple(runs),
        claimed=claimed,
        evidence=evidence,
        measurements=measurements,
        run_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        as_of=None if as_of is None else str(as_of),
        draws=draws,
        seed=seed,
        discount=discount,
        scenario_sha256={s.name: sha for s, sha, _ in resolved},
    )


def break_even_inputs(scenario: Scenario) -> list[str]:
    """Each stream's uncertain money factor (a wage premium, a replacement cost, a grant):
    the dollar value at which benefits would equal costs."""
    return [
        factor.key
        for stream in scenario.benefits
        for factor in stream.factors.values()
        if factor.price_year is not None and not factor.distribution.is_fixed
    ]


def _scenario_file(spec: str, price_index) -> tuple[Scenario, str]:
    path = Path(spec)
    if not path.suffix and "/" not in spec:
        raise InputError(
            "--scenario",
            f"no scenario named {spec!r}",
            f"use one of {', '.join(NAMES)} or the path of a scenario YAML file",
        )
    if not path.is_file():
        raise InputError(path, "no such scenario file", "check the path")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = "" if mark is None else f" at line {mark.line + 1}"
        raise InputError(
            path,
            f"not valid YAML{line} ({getattr(error, 'problem', None) or error})",
            "correct the YAML; models/scenarios/base.yaml shows the form",
        ) from error
    try:
        return parse_scenario(data, price_index=price_index), _sha(text)
    except ValueError as error:
        problem, _, fix = str(error).partition("; ")
        raise InputError(
            path, problem, fix or "see models/scenarios/base.yaml for the form"
        ) from error


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
