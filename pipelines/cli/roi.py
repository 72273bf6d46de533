"""``outcomes roi``: the ten-year return, claimed against projected, with its uncertainty."""

from __future__ import annotations

import json

import click

from pipelines.cli.build import AS_OF_OPTION
from pipelines.cli.options import DB_OPTION, console, reports_errors
from pipelines.cli.tables import FORMAT_OPTION, print_rows

#: The comparison's rows: (measure, label). Money at the headline rate unless it says so.
ROWS = (
    ("benefits", "benefits"),
    ("costs", "costs"),
    ("npv", "net present value"),
    ("benefit_cost_ratio", "benefit-cost ratio"),
    ("roi_pct", "return on investment"),
)
#: Whose gains and losses, besides the headline's: (perspective, label).
PERSPECTIVES = (
    ("district", "district budget"),
    ("students", "students"),
    ("society", "society (no transfers)"),
)
#: Cost per unit rows: (unit, label).
UNITS = (
    ("participants", "cost per participant-year"),
    ("certificates", "cost per certificate"),
    ("additional_girls_retained", "cost per additional girl retained"),
)
#: Tornado bars shown for each scenario.
TORNADO_BARS = 5


@click.command()
@DB_OPTION
@AS_OF_OPTION
@FORMAT_OPTION
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="NAME|FILE",
    help="A scenario to project (repeatable): claimed, conservative, base, optimistic, "
    "evidence (from the warehouse and the stored scorecard), or a scenario YAML file.",
)
@click.option(
    "--compare",
    metavar="A,B,...",
    default=None,
    help="Scenarios to show side by side (default: claimed,conservative,evidence).",
)
@click.option("--draws", default=100_000, show_default=True, help="Monte Carlo draws per scenario.")
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same draws).")
@click.option(
    "--discount",
    type=float,
    default=None,
    metavar="RATE",
    help="Headline discount rate, e.g. 0.05 (default: each scenario's first, 3%); 3% and 7% "
    "are shown beside it.",
)
@click.option(
    "--no-store", is_flag=True, help="Do not write the results to the warehouse (results.roi_*)."
)
@reports_errors
def roi(db, as_of, output_format, scenarios, compare, draws, seed, discount, no_store) -> None:
    """Project the program's ten-year benefits and costs, scenario by scenario.

    Each scenario (models/scenarios/*.yaml) prices the program's ingredients and its four
    benefit streams, every input with a distribution and its source; a Monte Carlo over
    them gives present values at 0%, 3% and 7%, the benefit-cost ratio, the chance that
    benefits exceed costs and that the ratio reaches the documents' 13x, one-way
    sensitivities and break-even values. `claimed` is the documents' arithmetic laid bare;
    `evidence` is the base case with the district's booked costs, measured counts and the
    stored scorecard's estimates put in. Results go to the warehouse (results.roi_*) for
    the board report.

    Example: outcomes roi

    Example: outcomes roi --compare claimed,base,evidence --draws 200000 --discount 0.05

    Example: outcomes roi --scenario my_district.yaml --format json
    """
    from pipelines.roi import DEFAULT_COMPARISON

    specs = list(scenarios)
    if compare:
        specs += [s.strip() for s in compare.split(",") if s.strip()]
    specs = specs or list(DEFAULT_COMPARISON)
    run, run_id, where = _run(db, as_of, specs, draws, seed, discount, store=not no_store)
    if output_format == "json":
        click.echo(json.dumps(_json(run, run_id), indent=2, default=_plain))
        return
    if output_format == "csv":
        frames = [r.projection.to_frame() for r in run.scenarios]
        import pandas as pd

        frame = pd.concat(frames, ignore_index=True)
        print_rows("roi", list(frame.columns), frame.itertuples(index=False), "csv")
        return
    _print_comparison(run)
    if run.claimed is not None:
        console.print()
        console.print("[bold]The claim's own arithmetic[/bold]")
        click.echo(run.claimed.summary())
    if run.evidence is not None:
        _print_evidence(run)
    for scenario_run in run.scenarios:
        if scenario_run.scenario.claim is None:
            _print_sensitivity(scenario_run)
    console.print(where)


def _run(db, as_of, specs, draws, seed, discount, *, store: bool):
    from pipelines.roi import run_roi, store_roi
    from pipelines.warehouse.connection import connect, connect_read_only, resolve_db_path

    needs_warehouse = "evidence" in specs
    con = None
    if needs_warehouse or store:
        con = connect(db) if store else connect_read_only(db)
    try:
        with console.status("projecting") as status:
            run = run_roi(
                con,
                specs,
                draws=draws,
                seed=seed,
                discount=discount,
                as_of=as_of,
                progress=status.update,
            )
            run_id = store_roi(con, run) if store else None
    finally:
        if con is not None:
            con.close()
    names = ", ".join(r.scenario.name for r in run.scenarios)
    where = f"projected {names} ({draws:,} draws, seed {seed})" + (
        f" -> results.roi_* run {run_id} in {resolve_db_path(db)}" if store else ""
    )
    return run, run_id, where


def _print_comparison(run) -> None:
    first = run.scenarios[0].projection
    rate = first.headline_rate
    title = (
        f"Ten-year return, {first.base_year} dollars, {first.headline_perspective} "
        f"perspective: median [P10, P90] over {run.draws:,} draws"
    )
    names = [r.scenario.name for r in run.scenarios]
    rows: list[list[str]] = []
    for measure, label in ROWS:
        rates = (0.0, rate) if measure in ("benefits", "costs") else (rate,)
        for each in rates:
            suffix = " undiscounted" if each == 0 else f" at {each:.0%}"
            cells = [label + suffix]
            for scenario_run in run.scenarios:
                cells.append(_cell(scenario_run.projection, measure, each))
            rows.append(cells)
    for perspective, label in PERSPECTIVES:
        rows.append(
            [f"net present value at {rate:.0%}, {label}"]
            + [_cell(r.projection, "npv", rate, perspective) for r in run.scenarios]
        )
    rows.append(
        ["chance benefits exceed costs"]
        + [f"{r.projection.headline['p_benefits_exceed_costs']:.0%}" for r in run.scenarios]
    )
    rows.append(
        [f"chance the ratio reaches {first.target_ratio:g}x"]
        + [f"{r.projection.headline['p_ratio_reaches_target']:.0%}" for r in run.scenarios]
    )
    rows.append(["payback year (median)"] + [_payback(r.projection) for r in run.scenarios])
    rows.append(["internal rate of return"] + [_irr(r.projection) for r in run.scenarios])
    for unit, label in UNITS:
        rows.append([label] + [_per_unit(r.projection, unit) for r in run.scenarios])
    rows.append(["inputs assumed"] + [_assumed(r.scenario) for r in run.scenarios])
    print_rows(title, ["measure", *names], rows, right_aligned=names)


def _print_evidence(run) -> None:
    evidence = run.evidence
    measured = evidence.measured
    costs = measured[measured["input"].str.startswith("costs.")]
    other = measured[~measured["input"].str.startswith("costs.")]
    console.print()
    console.print("[bold]What the evidence scenario took from the district's records[/bold]")
    if len(costs):
        console.print(
            f"  costs: {len(costs)} ingredients as booked (costs_by_year), from school year "
            f"{evidence.first_school_year}; recurring items carried forward to year "
            f"{evidence.scenario.horizon_years}"
        )
    rows = [
        (row.input, row.value, "" if row.n is None or row.n != row.n else row.n, row.source)
        for row in other.itertuples()
    ]
    print_rows("measured inputs", ("input", "value", "n", "source"), rows)
    for warning in evidence.warnings:
        console.print(f"  [yellow]note[/yellow]: {warning}")


def _print_sensitivity(scenario_run) -> None:
    from models.roi.projection import short_money

    frame = scenario_run.tornado.to_frame().head(TORNADO_BARS)
    console.print()
    console.print(
        f"[bold]{scenario_run.scenario.name}: what moves the net present value most[/bold] "
        "(each input at its P10 and P90, the others at their medians)"
    )
    for row in frame.itertuples():
        console.print(
            f"  {_short(row.input)}: {short_money(row.at_low)} to "
            f"{short_money(row.at_high)} ({row.basis})"
        )
    for value in scenario_run.break_even:
        console.print(f"  break-even {_short(value.input)}: {value.reason}")


def _cell(projection, measure: str, rate: float, perspective: str | None = None) -> str:
    from models.roi.projection import short_money

    frame = projection.to_frame()
    row = frame[
        (frame.perspective == (perspective or projection.headline_perspective))
        & (frame.measure == measure)
        & (frame.discount_rate == rate)
    ].iloc[0]
    show = {"benefit_cost_ratio": _ratio, "roi_pct": _pct}.get(measure, short_money)
    return f"{show(row.p50)} [{show(row.p10)}, {show(row.p90)}]"


def _per_unit(projection, unit: str) -> str:
    frame = projection.per_unit_frame()
    row = frame[frame.unit == unit]
    if row.empty or row.iloc[0].cost_per_unit_p50 != row.iloc[0].cost_per_unit_p50:
        return "not defined"
    row = row.iloc[0]
    return (
        f"${row.cost_per_unit_p50:,.0f} [${row.cost_per_unit_p10:,.0f}, "
        f"${row.cost_per_unit_p90:,.0f}]"
    )


def _summary_row(projection, measure: str):
    """The projection's own summary of the rate of return or the payback year (its median
    is among the draws where the measure exists; ``defined`` says how many those are)."""
    summary = projection.to_frame()
    return summary[summary.measure == measure].iloc[0]


def _payback(projection) -> str:
    payback = _summary_row(projection, "payback_year")
    if payback.defined < 0.5:
        return f"none in {projection.horizon_years} years ({payback.defined:.0%} pay back)"
    return f"year {int(payback.p50)}"


def _irr(projection) -> str:
    irr = _summary_row(projection, "irr")
    if irr.defined < 0.5:
        return f"undefined in {1 - irr.defined:.0%} of draws"
    return f"{irr.p50:.1%}"


def _assumed(scenario) -> str:
    inputs = scenario.inputs()
    assumed = sum(1 for i in inputs.values() if i.assumed)
    return f"{assumed} of {len(inputs)}"


def _short(key: str) -> str:
    return key.replace("benefits.", "").replace(".factors.", ".").replace("costs.", "cost ")


def _ratio(value: float) -> str:
    return "-" if value != value else f"{value:.2f}x"


def _pct(value: float) -> str:
    return "-" if value != value else f"{value:,.0f}%"


def _json(run, run_id) -> dict:
    return {
        "run_id": run_id,
        "draws": run.draws,
        "seed": run.seed,
        "discount": run.discount,
        "as_of": run.as_of,
        "scenarios": [
            {
                **r.projection.to_dict(),
                "source": r.source,
                "tornado": r.tornado.to_frame().to_dict(orient="records"),
                "break_even": [b.to_dict() for b in r.break_even],
                "per_unit": r.projection.per_unit_frame().to_dict(orient="records"),
                "inputs": r.projection.inputs_frame().to_dict(orient="records"),
            }
            for r in run.scenarios
        ],
        "claimed_arithmetic": None if run.claimed is None else run.claimed.to_dict(),
        "evidence": None if run.evidence is None else run.evidence.to_dict(),
    }


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    return str(value)
