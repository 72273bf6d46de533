"""Graduate follow-ups: what graduates do some months after high school.

Districts follow their graduates with a survey and, for those who do not answer, a match
against the state's wage and postsecondary records. Every graduate of the simulated years
(members and others) is followed at ``graduates.followup_months`` while the date falls in
the simulated years. The hourly wage carries the true premium of AI-Ready Certificate
holders, ``graduates.certified_wage_premium`` (log points), on top of selection: wages rise
with the latent ability that also drives prior GPA and volunteering, so a naive comparison
of certified graduates with the others overstates the premium.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.synth.truth import Truth

#: Hourly wage bands the state match reports (upper bounds in US dollars), lowest first.
WAGE_BANDS = (
    (15.0, "usd_under_15"),
    (20.0, "usd_15_to_20"),
    (25.0, "usd_20_to_25"),
    (30.0, "usd_25_to_30"),
    (float("inf"), "usd_30_and_over"),
)


def months_after(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def wage_band(wage: float) -> str:
    return next(code for bound, code in WAGE_BANDS if wage < bound)


def graduate_followups(
    truth: Truth,
    rng: np.random.Generator,
    student_years: pl.DataFrame,
    persons: pl.DataFrame,
    criteria: pl.DataFrame,
) -> pl.DataFrame:
    """One row per graduate per follow-up that reached them (survey or state match)."""
    graduates_truth = truth.graduates
    horizon = dt.date(truth.calendar.school_year_list[-1], 6, 30)
    certified = set(criteria.filter(pl.col("awarded"))["student_unique_id"])
    graduates = (
        student_years.filter(pl.col("exit_reason") == "graduated")
        .select("student_unique_id", "school_year", "exit_date")
        .join(persons.select("student_unique_id", "ability"), on="student_unique_id")
        .sort("school_year", "student_unique_id")
    )
    rows = []
    for student, year, graduated_on, ability in graduates.iter_rows():
        holder = student in certified
        enrol_share = np.clip(
            graduates_truth.enrolled_share + graduates_truth.enrolled_per_ability_sd * ability,
            0.05,
            0.95,
        )
        enrolled = bool(rng.random() < enrol_share)
        person_wage = rng.normal(0, graduates_truth.wage_sd_log)
        for months in graduates_truth.followup_months:
            day = months_after(graduated_on, months) + dt.timedelta(days=int(rng.integers(0, 21)))
            draw = rng.random(5)
            if day > horizon:
                continue
            if draw[0] < graduates_truth.survey_response_rate:
                source = "survey"
            elif draw[1] < graduates_truth.state_match_rate:
                source = "state_data_match"
            else:
                continue
            still_enrolled = enrolled and months <= 48
            employed = bool(
                draw[2]
                < (
                    graduates_truth.employed_share_enrolled
                    if still_enrolled
                    else graduates_truth.employed_share_not_enrolled
                )
            )
            wage = band = ai_role = None
            if employed:
                log_wage = (
                    np.log(graduates_truth.base_hourly_wage_usd)
                    + graduates_truth.wage_log_per_ability_sd * ability
                    + graduates_truth.wage_growth_per_year * months / 12
                    + (graduates_truth.certified_wage_premium if holder else 0.0)
                    + person_wage
                    + rng.normal(0, 0.05)
                )
                value = max(graduates_truth.minimum_wage_usd, float(np.exp(log_wage)))
                band = wage_band(value)
                if source == "survey":
                    ai_share = graduates_truth.ai_related_role_share * (
                        graduates_truth.certified_ai_related_role_ratio if holder else 1.0
                    )
                    ai_role = bool(draw[3] < ai_share)
                    if draw[4] >= graduates_truth.band_only_share:
                        wage, band = round(value, 2), None
            rows.append(
                (student, year, months, day, source, still_enrolled, employed, wage, band, ai_role)
            )
    return pl.DataFrame(
        rows,
        schema={
            "student_unique_id": pl.String,
            "graduation_school_year": pl.Int32,
            "months_after_graduation": pl.Int64,
            "followup_date": pl.Date,
            "response_source": pl.String,
            "enrolled_postsecondary": pl.Boolean,
            "employed": pl.Boolean,
            "hourly_wage_usd": pl.Float64,
            "hourly_wage_band": pl.String,
            "ai_related_role": pl.Boolean,
        },
        orient="row",
    ).sort("followup_date", "student_unique_id")
