"""The district's students over the simulated school years, and their yearly rosters.

Every student is one row of the *persons* frame: fixed demographics, a latent ``ability``
(standard normal, never written to a file) that drives prior GPA and every outcome, the
grade index in the first simulated year (TK = 0, K = 1, grade 12 = 13; later entrants have
negative values), the district entry date, and the district exit date when they leave
before graduating. The roster of a school year is derived from it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.synth import names, schedule
from pipelines.synth.truth import GRADES, Truth

#: Grade index of grade 12 (TK is 0).
LAST_GRADE_INDEX = len(GRADES) - 1
#: TK is a half-size grade: California admits only the older four-year-olds.
TK_RELATIVE_SIZE = 0.5


def simulate_persons(truth: Truth, rng: np.random.Generator, district_number: int) -> pl.DataFrame:
    """Every student who is enrolled at some time during the simulated years.

    Parameters
    ----------
    truth
        The district's truth (size, demographic shares, mobility, GPA model).
    rng
        Random generator for this concern only.
    district_number
        1 for ``d01``; it prefixes the student numbers so districts never share one.
    """
    district = truth.district
    years = truth.calendar.school_year_list
    first_year = years[0]
    weights = np.array([TK_RELATIVE_SIZE] + [1.0] * LAST_GRADE_INDEX)
    per_grade = np.round(district.students * weights / weights.sum()).astype(int)

    # The students enrolled when the first simulated year starts.
    initial_grade = np.repeat(np.arange(len(GRADES)), per_grade)
    entered_grade = np.where(
        rng.random(len(initial_grade)) < 0.75,
        np.minimum(initial_grade, rng.integers(0, 2, len(initial_grade))),
        rng.integers(0, np.maximum(initial_grade, 1) + 1),
    )
    entered_grade = np.minimum(entered_grade, initial_grade)
    initial_entry = _entry_dates(
        rng, first_year - (initial_grade - entered_grade), mid_year=entered_grade > 1
    )
    grade_first = [initial_grade]
    entry = [initial_entry]

    # Each later year a TK class and the K children who skipped TK arrive in August.
    for offset, year in enumerate(years[1:], start=1):
        tk = np.full(per_grade[0], -offset)
        k = np.full(per_grade[1] - per_grade[0], 1 - offset)
        arrivals = np.concatenate([tk, k])
        grade_first.append(arrivals)
        entry.append(np.full(len(arrivals), np.datetime64(schedule.school_year(year).fall_start)))

    # Movers into the district, any grade K-12, at any time of year, balance the leavers.
    movers_per_year = round(district.students * district.annual_student_exit_rate)
    for offset, year in enumerate(years):
        calendar = schedule.school_year(year)
        grade_now = rng.integers(1, LAST_GRADE_INDEX + 1, movers_per_year)
        grade_first.append(grade_now - offset)
        entry.append(
            schedule.random_dates(
                rng,
                calendar.fall_start,
                calendar.spring_end - dt.timedelta(days=30),
                movers_per_year,
            )
        )

    grade_index_first = np.concatenate(grade_first)
    entry_date = np.concatenate(entry).astype("datetime64[D]")
    size = len(grade_index_first)
    sex = rng.choice(list(district.sex), size=size, p=list(district.sex.values()))
    race = rng.choice(
        list(district.race_ethnicity), size=size, p=list(district.race_ethnicity.values())
    )
    first_name, last_name = names.fake_names(rng, sex)
    serials = rng.permutation(size) + 1
    frame = pl.DataFrame(
        {
            "student_unique_id": [f"{district_number:02d}{s:06d}" for s in serials],
            "first_name": first_name.astype(str),
            "last_surname": last_name.astype(str),
            "sex": sex,
            "race_ethnicity": race,
            "economically_disadvantaged": rng.random(size)
            < district.economically_disadvantaged_share,
            "english_learner": rng.random(size) < district.english_learner_share,
            "special_education": rng.random(size) < district.special_education_share,
            "ability": rng.standard_normal(size),
            "grade_index_first": grade_index_first,
            "birth_date": _birth_dates(rng, first_year, grade_index_first),
            "entry_date": entry_date,
            "school_choice": rng.random(size),
        }
    )
    exit_date = _district_exit_dates(rng, truth, grade_index_first, entry_date)
    frame = frame.with_columns(pl.Series("district_exit_date", exit_date, dtype=pl.Date))
    frame = frame.with_columns(
        electronic_mail_address=names.email_addresses(
            frame["first_name"], frame["last_surname"], frame["student_unique_id"], "students"
        )
    )
    return frame.sort("student_unique_id")


def _entry_dates(
    rng: np.random.Generator, entry_year: np.ndarray, mid_year: np.ndarray
) -> np.ndarray:
    """First school day of ``entry_year``, or a random day that year for movers."""
    starts = np.array(
        [np.datetime64(schedule.school_year(int(y)).fall_start) for y in entry_year],
        dtype="datetime64[D]",
    )
    offsets = rng.integers(0, 250, len(entry_year)).astype("timedelta64[D]")
    return np.where(mid_year, starts + offsets, starts)


def _birth_dates(
    rng: np.random.Generator, first_year: int, grade_index_first: np.ndarray
) -> np.ndarray:
    """Birthdays that fit the grade: a TK child is 4 on 1 September of the first fall."""
    age_on_cutoff = grade_index_first + 4
    cutoff_year = first_year - 1 - age_on_cutoff
    cutoff = np.array(
        [np.datetime64(f"{int(y):04d}-09-01") for y in cutoff_year], dtype="datetime64[D]"
    )
    return cutoff - rng.integers(0, 365, len(cutoff)).astype("timedelta64[D]")


def _district_exit_dates(
    rng: np.random.Generator,
    truth: Truth,
    grade_index_first: np.ndarray,
    entry_date: np.ndarray,
) -> np.ndarray:
    """Date each student leaves the district before graduating (NaT if they do not).

    Leaving is a yearly hazard while enrolled: the year of leaving is geometric from the
    first enrolled year, and the day is uniform within that school year, after entry.
    """
    years = np.array(truth.calendar.school_year_list)
    first_year = years[0]
    entry_year = np.array(
        [schedule.school_year_of(d) for d in entry_date.astype(dt.date)], dtype=int
    )
    first_enrolled = np.maximum(entry_year, first_year)
    graduation_year = first_year + (LAST_GRADE_INDEX - grade_index_first)
    years_until_exit = rng.geometric(truth.district.annual_student_exit_rate, len(entry_date))
    exit_year = first_enrolled + years_until_exit - 1
    leaves = (exit_year <= years[-1]) & (exit_year <= graduation_year)
    calendars = {int(y): schedule.school_year(int(y)) for y in years}
    result = np.full(len(entry_date), np.datetime64("NaT"), dtype="datetime64[D]")
    for year, calendar in calendars.items():
        chosen = leaves & (exit_year == year)
        earliest = np.maximum(
            np.datetime64(calendar.fall_start) + np.timedelta64(1, "D"),
            entry_date[chosen] + np.timedelta64(14, "D"),
        )
        latest = np.datetime64(calendar.spring_end) - np.timedelta64(1, "D")
        span = np.maximum((latest - earliest).astype(int), 1)
        result[chosen] = earliest + (rng.random(chosen.sum()) * span).astype("timedelta64[D]")
    return result


def enrolled_student_years(
    truth: Truth, persons: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """One row per student per school year they are enrolled in (any part of the year).

    Columns: the persons' columns plus ``school_year``, ``grade_index``, ``grade_level``,
    ``school_id``, ``prior_gpa`` and ``exit_date`` (leaving or graduation in that year).
    """
    years = truth.calendar.school_year_list
    first_year = years[0]
    frames = []
    for year in years:
        calendar = schedule.school_year(year)
        grade_index = pl.col("grade_index_first") + (year - first_year)
        enrolled = persons.filter(
            grade_index.is_between(0, LAST_GRADE_INDEX)
            & (pl.col("entry_date") <= calendar.spring_end)
            & (
                pl.col("district_exit_date").is_null()
                | (pl.col("district_exit_date") >= calendar.fall_start)
            )
        ).with_columns(school_year=pl.lit(year, dtype=pl.Int32), grade_index=grade_index)
        graduating = pl.col("grade_index") == LAST_GRADE_INDEX
        leaving = pl.col("district_exit_date") <= calendar.spring_end
        enrolled = enrolled.with_columns(
            exit_date=pl.when(leaving)
            .then(pl.col("district_exit_date"))
            .when(graduating)
            .then(pl.lit(calendar.spring_end))
            .otherwise(None),
            exit_reason=pl.when(leaving)
            .then(pl.lit("left_district"))
            .when(graduating)
            .then(pl.lit("graduated"))
            .otherwise(None),
        )
        frames.append(enrolled)
    years_frame = pl.concat(frames)
    years_frame = years_frame.with_columns(
        grade_level=pl.col("grade_index").map_elements(lambda i: GRADES[i], return_dtype=pl.String),
        school_id=_school_expression(truth),
    )
    return years_frame.with_columns(prior_gpa=_prior_gpa(truth, years_frame, rng))


def _school_expression(truth: Truth) -> pl.Expr:
    """School of each student-year: the schools serving the grade, split by weight."""
    expression = pl.lit(None, dtype=pl.String)
    for grade_index, grade in enumerate(GRADES):
        serving = [s for s in truth.district.schools if grade in s.grades]
        if not serving:
            continue
        weights = np.array([s.weight for s in serving])
        bounds = np.cumsum(weights / weights.sum())
        chosen = pl.lit(serving[-1].school_id)
        for school, bound in reversed(list(zip(serving[:-1], bounds[:-1], strict=True))):
            chosen = (
                pl.when(pl.col("school_choice") < bound)
                .then(pl.lit(school.school_id))
                .otherwise(chosen)
            )
        expression = (
            pl.when(pl.col("grade_index") == grade_index).then(chosen).otherwise(expression)
        )
    return expression


def _prior_gpa(truth: Truth, student_years: pl.DataFrame, rng: np.random.Generator) -> pl.Series:
    """Cumulative GPA before the year, for grades 7-12 (younger students have none).

    It tracks latent ability closely, with a little year-to-year wobble, and is lower for
    economically disadvantaged students, as it is in district data.
    """
    district = truth.district
    wobble = pl.Series(rng.normal(0.0, 0.3, student_years.height))
    gpa = (
        (
            district.gpa_mean
            + district.gpa_sd * (0.92 * student_years["ability"] + wobble)
            + district.gpa_disadvantaged_shift
            * student_years["economically_disadvantaged"].cast(pl.Float64)
        )
        .clip(0.0, 4.3)
        .round(2)
    )
    has_gpa = student_years["grade_index"] >= GRADES.index("7")
    return pl.select(pl.when(has_gpa).then(gpa).otherwise(None)).to_series().alias("prior_gpa")


def roster_frame(student_years: pl.DataFrame) -> pl.DataFrame:
    """The ``students`` kind: one row per enrolled student per school year."""
    return student_years.select(
        "school_year",
        "student_unique_id",
        "first_name",
        "last_surname",
        "electronic_mail_address",
        "school_id",
        "grade_level",
        "birth_date",
        "sex",
        "race_ethnicity",
        "economically_disadvantaged",
        "english_learner",
        "special_education",
        "prior_gpa",
        "entry_date",
        "exit_date",
    ).sort("school_year", "student_unique_id")
