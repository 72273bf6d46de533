"""Who volunteers for a studio team, how big teams are, and who mentors them.

Volunteers are drawn without replacement with weights ``exp(linear predictor)`` of prior GPA,
sex and grade (``program.selection``): that is the selection that biases naive comparisons.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl

from pipelines.synth import schedule
from pipelines.synth.truth import Truth

MENTOR_PRIORITY = {"champion": 0, "early_adopter": 1, "full_faculty": 2}


def split_sizes(total: int, low: int, high: int, rng: np.random.Generator) -> list[int]:
    """Team sizes in ``low..high`` that add up to ``total`` (as near as possible)."""
    if total <= 0:
        return []
    count = max(1, round(total / ((low + high) / 2)))
    count = min(max(count, math.ceil(total / high)), max(1, total // low))
    sizes = np.full(count, low)
    spare = min(total - low * count, (high - low) * count)
    while spare > 0:
        open_teams = np.flatnonzero(sizes < high)
        sizes[rng.choice(open_teams)] += 1
        spare -= 1
    return sizes.tolist()


class Recruiter:
    """Draws volunteers from a year's eligible high-school students.

    Every eligible student gets a key ``log(weight) + Gumbel noise``; taking the largest keys
    is sampling without replacement with probability proportional to ``weight``.
    """

    def __init__(
        self, truth: Truth, rng: np.random.Generator, pool: pl.DataFrame, info: dict, year: int
    ) -> None:
        self.info = info
        self.year = year
        selection = truth.program.selection
        grade_odds = pool["grade_level"].replace_strict(selection.grade_log_odds, default=0.0)
        log_weight = (
            selection.prior_gpa_log_odds_per_point * (pool["prior_gpa"].fill_null(3.0) - 3.0)
            + selection.female_log_odds * (pool["sex"] == "female").cast(pl.Float64)
            + grade_odds.cast(pl.Float64)
        ).to_numpy()
        order = np.argsort(-(log_weight + rng.gumbel(size=pool.height)), kind="stable")
        self.ids = pool["student_unique_id"].to_numpy()[order]
        self.grades = pool["grade_level"].to_numpy()[order]
        self.female = (pool["sex"] == "female").to_numpy()[order]
        self.available = np.ones(pool.height, dtype=bool)

    def take(
        self, count: int, start: dt.date, *, grade: str | None = None, female_only: bool = False
    ) -> list[str]:
        """Up to ``count`` volunteers enrolled on ``start`` (and for four weeks after)."""
        mask = self.available.copy()
        if grade is not None:
            mask &= self.grades == grade
        if female_only:
            mask &= self.female
        chosen = []
        for index in np.flatnonzero(mask):
            if len(chosen) == count:
                break
            if enrolled_on(self.info, self.ids[index], self.year, start):
                chosen.append(index)
                self.available[index] = False
        return self.ids[chosen].tolist()

    def exclude(self, student_ids: set[str]) -> None:
        self.available &= ~np.isin(self.ids, list(student_ids))


def choose_mentor(
    truth: Truth,
    rng: np.random.Generator,
    staff_facts: pl.DataFrame,
    high_school: str,
    formed: dt.date,
    year: int,
    team_type: str,
    busy: set[str],
) -> str:
    """A trained high-school teacher who stays all year; champions first, then early adopters."""
    calendar = schedule.school_year(year)
    candidates = staff_facts.filter(
        (pl.col("school_id") == high_school)
        & (pl.col("staff_classification") == "teacher")
        & (pl.col("hire_date") <= formed)
        & (pl.col("exit_date").is_null() | (pl.col("exit_date") > calendar.spring_end))
        & ~pl.col("staff_unique_id").is_in(list(busy))
    ).with_columns(
        trained=pl.col("completed") & (pl.col("completion_date") <= formed),
        priority=pl.col("cohort").replace_strict(MENTOR_PRIORITY, default=3),
    )
    if candidates.is_empty():
        raise ValueError(f"no high-school teacher is free to mentor a team formed {formed}")
    if (
        team_type == "girls_only"
        and rng.random() < truth.program.girls_only_female_mentor_probability
    ):
        female = candidates.filter(pl.col("sex") == "female")
        candidates = female if not female.is_empty() else candidates
    best = candidates.sort(~pl.col("trained"), "priority", "staff_unique_id")
    top = best.filter(
        (pl.col("trained") == best["trained"][0]) & (pl.col("priority") == best["priority"][0])
    )
    return str(rng.choice(top["staff_unique_id"].to_numpy()))


def enrolled_on(info: dict, student: str, year: int, day: dt.date) -> bool:
    """True if the student is enrolled on ``day`` and for at least four weeks after."""
    row = info[f"{student}@{year}"]
    exit_date = row["district_exit_date"]
    return row["entry_date"] <= day and (
        exit_date is None or exit_date > day + dt.timedelta(days=28)
    )
