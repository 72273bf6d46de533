"""Program costs by the ingredients method, and the benefits the district can observe.

Costs list every resource a year of the program uses (quantity x unit price), including
teachers' time in training, which budgets usually leave out (funding source ``in_kind``).
Benefits are grants awarded, consulting and licensing revenue from other districts, the cost
of each teacher who leaves (negative), and wages students earn in micro-internships.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.synth import schedule
from pipelines.synth.portfolio import EMPLOYERS
from pipelines.synth.truth import Truth

GRANT_SPONSORS = (
    "State Career Technical Education Incentive Grant",
    "Regional Workforce Innovation Fund",
    "Coastal Community Foundation",
    "Aerospace Industry STEM Partnership",
)
CONSULTING_CLIENTS = (
    "Valley Unified School District",
    "Northshore Union High School District",
    "Foothill County Office of Education",
    "Lakeside Joint Unified School District",
)
COST_COLUMNS = [
    "school_year",
    "category",
    "item",
    "quantity",
    "unit",
    "unit_price_usd",
    "funding_source",
    "ingredient_notes",
]


#: The ingredients: category|item|unit|unit price key|funding source|quantity key|notes.
#: Quantities are counted from the simulation each year (see ``_quantities``).
INGREDIENTS = """
personnel|Program coordinator|FTE|coordinator_fte|grant|one|Salary and benefits
personnel|Teacher mentor stipends|team-year|mentor_stipend_per_team|grant|teams|One per team
personnel|Substitute coverage for training days|day|substitute_day|district|days_out|
training|External intensive AI training (40 h)|seat|external_training_seat|grant|champion|
training|Administrator AI training|seat|administrator_training_seat|grant|administrator|
training|Train-the-trainer course (16 h)|seat|train_the_trainer_seat|district|early_adopter|
training|AI certification course (12 h)|seat|certification_seat|district|full_faculty|
training|Teacher time in training|hour|teacher_hour|in_kind|hours|At average hourly salary
technology|AI tool licenses, students|seat-year|student_license|grant|students|
technology|AI tool licenses, teachers|seat-year|teacher_license|district|teachers|
technology|Studio laptops|device|studio_laptop|grant|laptops|Shared studio equipment
facilities|Studio room refit|room|studio_refit|partner|first_year|Screens and network
materials|Studio supplies|team-year|studio_supplies_per_team|district|teams|
evaluation|External evaluation|contract|evaluation|grant|one|Outcomes and ROI study
partnerships|Employer panel coordination|panel|panel_coordination|partner|panels|
stipends|Micro-internship wages|hour|internship_wage|partner|wage_hours|Paid by employers
"""


def _ingredients() -> list[list[str]]:
    rows = [[cell.strip() for cell in line.split("|")] for line in INGREDIENTS.strip().splitlines()]
    return [row[:6] + [row[6] or None] for row in rows]


def _quantities(
    truth: Truth,
    year: int,
    teams: pl.DataFrame,
    memberships: pl.DataFrame,
    training: pl.DataFrame,
    staff: pl.DataFrame,
    internships: pl.DataFrame,
) -> dict[str, float]:
    """What the program used in ``year``: teams, members, trainees, hours, teachers."""
    calendar = schedule.school_year(year)
    members = memberships.filter(pl.col("school_year") == year)
    trained = training.filter(
        (pl.col("start_date") >= calendar.fall_start - dt.timedelta(days=45))
        & (pl.col("start_date") <= calendar.spring_end)
    )
    in_school_time = trained.filter(pl.col("cohort").is_in(["champion", "early_adopter"]))
    teachers = staff.filter(
        (pl.col("staff_classification") == "teacher")
        & (pl.col("hire_date") <= calendar.fall_start + dt.timedelta(days=1))
        & (pl.col("exit_date").is_null() | (pl.col("exit_date") > calendar.spring_end))
    )
    window = (dt.date(year - 1, 7, 1), dt.date(year, 6, 30))
    paid = internships.filter(pl.col("start_date").is_between(*window) & pl.col("paid"))
    first_year = year == truth.calendar.school_year_list[0]
    quantities = {
        "one": 1.0,
        "teams": members["team_id"].n_unique(),
        "students": members["student_unique_id"].n_unique(),
        "days_out": round(float(in_school_time["hours_completed"].sum()) / 8),
        "hours": round(float(trained["hours_completed"].sum())),
        "teachers": teachers.height,
        "laptops": truth.economics.studio_laptops if first_year else 0,
        "first_year": 1 if first_year else 0,
        "panels": len(schedule.QUARTERS),
        "wage_hours": round(float(paid["hours_worked"].sum()), 1),
    }
    quantities.update(dict(trained.group_by("cohort").len().iter_rows()))
    return quantities


def program_costs(
    truth: Truth,
    teams: pl.DataFrame,
    memberships: pl.DataFrame,
    training: pl.DataFrame,
    staff: pl.DataFrame,
    internships: pl.DataFrame,
) -> pl.DataFrame:
    """One row per school year, category and item: the ingredients of the program.

    Items a year did not use (quantity 0) are left out, as a ledger would.
    """
    prices = dict(truth.economics.unit_prices_usd)
    rows = []
    for year in truth.calendar.school_year_list:
        quantities = _quantities(truth, year, teams, memberships, training, staff, internships)
        paid = internships.filter(
            pl.col("start_date").is_between(dt.date(year - 1, 7, 1), dt.date(year, 6, 30))
            & pl.col("paid")
        )
        hours = float(paid["hours_worked"].sum())
        earned = float((paid["hours_worked"] * paid["hourly_wage_usd"]).sum())
        prices["internship_wage"] = round(earned / hours, 2) if hours else 0.0
        for category, item, unit, price_key, funding, quantity_key, notes in _ingredients():
            quantity = float(quantities.get(quantity_key, 0))
            if quantity > 0:
                rows.append(
                    (year, category, item, quantity, unit, float(prices[price_key]), funding, notes)
                )
    return pl.DataFrame(rows, schema=COST_COLUMNS, orient="row").with_columns(
        pl.col("school_year").cast(pl.Int32)
    )


def benefit_observations(
    truth: Truth,
    rng: np.random.Generator,
    staff: pl.DataFrame,
    internships: pl.DataFrame,
    district_number: int,
) -> pl.DataFrame:
    """Grants, consulting contracts, licences, teacher exits (at replacement cost) and wages."""
    economics = truth.economics
    rows = []
    for year in truth.calendar.school_year_list:
        calendar = schedule.school_year(year)
        total = economics.grants_by_year.get(year, 0.0)
        if total > 0:
            # A year's grant money comes as one or two awards.
            parts = (
                [total]
                if rng.random() < 0.5
                else [round(total * 0.6, -3), total - round(total * 0.6, -3)]
            )
            for amount in parts:
                day = calendar.fall_start + dt.timedelta(days=int(rng.integers(0, 90)))
                rows.append(
                    (
                        "grant_awarded",
                        day,
                        float(amount),
                        None,
                        str(rng.choice(GRANT_SPONSORS)),
                        "Award letter",
                    )
                )
        contracts = int(rng.poisson(economics.consulting_contracts_by_year.get(year, 0.0)))
        for _ in range(contracts):
            amount = round(
                float(rng.lognormal(np.log(economics.consulting_contract_mean_usd) - 0.08, 0.4)), -2
            )
            day = calendar.fall_start + dt.timedelta(days=int(rng.integers(30, 280)))
            rows.append(
                (
                    "consulting_revenue",
                    day,
                    amount,
                    None,
                    str(rng.choice(CONSULTING_CLIENTS)),
                    "Signed contract",
                )
            )
        for _ in range(int(rng.poisson(economics.licensing_contracts_by_year.get(year, 0.0)))):
            # A log-normal fee whose mean is the mean fee (mu = log(mean) - sigma^2 / 2).
            fee = rng.lognormal(np.log(economics.licensing_fee_mean_usd) - 0.045, 0.3)
            amount = round(float(fee), -2)
            day = calendar.fall_start + dt.timedelta(days=int(rng.integers(30, 280)))
            rows.append(
                (
                    "licensing_revenue",
                    day,
                    amount,
                    None,
                    str(rng.choice(CONSULTING_CLIENTS)),
                    "License agreement",
                )
            )
    leavers = staff.filter(
        (pl.col("staff_classification") == "teacher") & pl.col("exit_date").is_not_null()
    ).sort("exit_date", "staff_unique_id")
    for staff_id, exit_date in leavers.select("staff_unique_id", "exit_date").iter_rows():
        rows.append(
            (
                "teacher_exit",
                exit_date,
                -float(economics.teacher_replacement_cost_usd),
                staff_id,
                None,
                "HR separation record",
            )
        )
    earned = internships.filter(pl.col("paid") & pl.col("completed")).sort(
        "end_date", "internship_id"
    )
    for employer, end, hours, wage in earned.select(
        "employer_id", "end_date", "hours_worked", "hourly_wage_usd"
    ).iter_rows():
        rows.append(
            (
                "student_employment",
                end,
                round(hours * wage, 2),
                None,
                EMPLOYERS[employer][0],
                "Employer payroll report",
            )
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "benefit_type": pl.String,
            "observed_date": pl.Date,
            "amount_usd": pl.Float64,
            "staff_unique_id": pl.String,
            "counterparty": pl.String,
            "source_document": pl.String,
        },
        orient="row",
    ).sort(
        "observed_date",
        "benefit_type",
        "staff_unique_id",
        "amount_usd",
        "counterparty",
        nulls_last=True,
        maintain_order=True,
    )
    observation_id = pl.format(
        "BO{}{}",
        pl.lit(f"{district_number:02d}"),
        pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(5),
    )
    return frame.select(observation_id.alias("observation_id"), *frame.columns)
