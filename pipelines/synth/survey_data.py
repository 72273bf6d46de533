"""Pre/post surveys of students and teachers, as item definitions and long-form answers.

Students answer at the start and near the end of each year they are in a team, alongside a
comparison sample of other high-school students; teachers answer before and after their
training. The answers carry the true effects: the gender gap in AI tool use, the expected
skill change by sex, members' confidence gains, and the sandbox's larger confidence gain.
The writers turn these long answers into Qualtrics and Google Forms exports.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.synth import schedule
from pipelines.synth.truth import Truth

COMMENTS = (
    "More time on client projects please",
    "My mentor helped a lot",
    "The panel feedback was useful",
    "Sessions clash with sports practice",
    "I want to learn more about AI ethics",
)
ITEM_SKIP_RATE = 0.03
#: Self-rated learning levels (the competency levels of the assessments), lowest first.
LEARN_LEVELS = ("emerging", "applying", "integrating")
COMMENT_RATE = 0.12


def _round_scale(values: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.clip(np.round(values), low, high).astype(int)


def _times(rng: np.random.Generator, dates: list[dt.date]) -> list[dt.datetime]:
    """A time of day between 07:30 and 21:00 on each date."""
    seconds = rng.integers(7 * 3600 + 1800, 21 * 3600, len(dates))
    return [
        dt.datetime.combine(d, dt.time()) + dt.timedelta(seconds=int(s))
        for d, s in zip(dates, seconds, strict=True)
    ]


def student_respondents(
    truth: Truth, rng: np.random.Generator, memberships: pl.DataFrame, student_years: pl.DataFrame
) -> pl.DataFrame:
    """Who is asked each year: all members, and a sample of other high-school students."""
    members = memberships.group_by("student_unique_id", "school_year").agg(
        start=pl.col("start_date").min(), end=pl.col("end_date").max(), member=pl.lit(True)
    )
    frames = [members]
    for year in truth.calendar.school_year_list:
        calendar = schedule.school_year(year)
        others = student_years.filter(
            (pl.col("school_year") == year)
            & pl.col("grade_level").is_in(["9", "10", "11", "12"])
            & (pl.col("entry_date") <= calendar.fall_start)
            & pl.col("exit_date").is_null()
        ).join(
            members.filter(pl.col("school_year") == year),
            on="student_unique_id",
            how="anti",
            maintain_order="left",
        )
        sample = others.sort("student_unique_id").sample(
            min(truth.effects.comparison_survey_students, others.height),
            seed=int(rng.integers(2**31)),
        )
        frames.append(
            sample.select(
                "student_unique_id",
                "school_year",
                start=pl.lit(calendar.fall_start + dt.timedelta(days=14)),
                end=pl.lit(calendar.spring_end),
                member=pl.lit(False),
            )
        )
    return pl.concat(frames, how="vertical_relaxed").sort("school_year", "student_unique_id")


def student_answers(
    truth: Truth, rng: np.random.Generator, respondents: pl.DataFrame, persons: pl.DataFrame
) -> pl.DataFrame:
    """Long answers of students: one row per respondent, wave and item (NULL = skipped)."""
    effects = truth.effects
    people = respondents.join(
        persons.select("student_unique_id", "sex", "ability"),
        on="student_unique_id",
        maintain_order="left",
    )
    size = people.height
    ability = people["ability"].to_numpy()
    member = people["member"].to_numpy()
    sex = people["sex"].to_numpy()
    confidence = 2.7 + 0.35 * ability + rng.normal(0, 0.7, size)
    learning = 1.5 + 0.4 * ability + rng.normal(0, 0.6, size)
    use_ratio = np.select(
        [sex == "female", sex == "male"],
        [effects.female_ai_tool_use_ratio, 1.0],
        (1 + effects.female_ai_tool_use_ratio) / 2,
    )
    expects = np.select(
        [sex == "female", sex == "male"],
        [effects.female_skill_change_expectation, effects.male_skill_change_expectation],
        (effects.female_skill_change_expectation + effects.male_skill_change_expectation) / 2,
    )
    frames = []
    for wave in ("pre", "post"):
        post = wave == "post"
        gain = (
            np.where(
                member,
                effects.student_confidence_gain_members,
                effects.student_confidence_gain_others,
            )
            if post
            else 0.0
        )
        use_probability = effects.male_ai_tool_use_baseline * use_ratio + (
            effects.program_ai_tool_use_lift * member if post else 0.0
        )
        answers = {
            "S_CONF": _round_scale(confidence + gain + rng.normal(0, 0.4, size), 1, 5).astype(str),
            "S_TOOL": np.where(rng.random(size) < use_probability, "1", "0"),
            "S_SKILL": np.where(rng.random(size) < expects, "1", "0"),
        }
        for item in ("S_LIT", "S_ETH", "S_APP", "S_REL", "S_NAV"):
            growth = (
                np.where(member, effects.learn_level_gain_members, effects.learn_level_gain_others)
                if post
                else 0.0
            )
            level = _round_scale(learning + growth + rng.normal(0, 0.5, size), 1, 3)
            answers[item] = np.array(LEARN_LEVELS, dtype=object)[level - 1]
        satisfaction = _round_scale(3.8 + 0.2 * ability + rng.normal(0, 0.8, size), 1, 5).astype(
            str
        )
        answers["S_SAT"] = np.where(member & post, satisfaction, None)
        comment = np.array(COMMENTS, dtype=object)[rng.integers(0, len(COMMENTS), size)]
        answers["S_COMMENT"] = np.where(rng.random(size) < COMMENT_RATE, comment, None)
        dates = _wave_dates(rng, people, wave)
        frames.append(
            _long(
                rng,
                people.select("student_unique_id", "school_year"),
                answers,
                wave,
                dates,
                "student",
                seen_code=True,
            )
        )
    return _respondents_only(rng, pl.concat(frames), effects.survey_response_rate)


def _wave_dates(rng: np.random.Generator, people: pl.DataFrame, wave: str) -> list[dt.date]:
    """Pre: within ten days of starting; post: in May, before the member's last day."""
    dates = []
    for start, end, year in people.select("start", "end", "school_year").iter_rows():
        if wave == "pre":
            dates.append(start + dt.timedelta(days=int(rng.integers(0, 11))))
        else:
            day = dt.date(year, 5, 1) + dt.timedelta(days=int(rng.integers(0, 21)))
            dates.append(day if day <= end else None)
    return dates


def _long(
    rng: np.random.Generator,
    people: pl.DataFrame,
    answers: dict,
    wave: str,
    dates: list,
    role: str,
    *,
    seen_code: bool,
) -> pl.DataFrame:
    """One row per respondent and item shown; a skipped item is a NULL answer.

    A question not shown (``None`` in ``answers``) gives no row. A shown question left
    unanswered gives a NULL row when the tool records that (``seen_code``: Qualtrics writes
    -99); Google Forms leaves the cell empty, so there it gives no row either.
    """
    id_column = people.columns[0]
    base = people.with_columns(
        wave=pl.lit(wave),
        responded_date=pl.Series(dates, dtype=pl.Date),
        respondent_role=pl.lit(role),
    ).rename({id_column: "respondent_unique_id"})
    frames = []
    for item_id, values in answers.items():
        shown = pl.Series([value is not None for value in values])
        skipped = rng.random(len(values)) < ITEM_SKIP_RATE
        values = [
            None if skip or value is None else str(value)
            for skip, value in zip(skipped, values, strict=True)
        ]
        keep = shown & (pl.Series(~skipped) | seen_code)
        frames.append(
            base.with_columns(
                item_id=pl.lit(item_id), response_value=pl.Series(values, dtype=pl.String)
            ).filter(keep)
        )
    return pl.concat(frames).filter(pl.col("responded_date").is_not_null())


def _respondents_only(
    rng: np.random.Generator, answers: pl.DataFrame, response_rate: float
) -> pl.DataFrame:
    """Keep the people who answered the wave at all, and give them a time of day."""
    keys = ["respondent_unique_id", "school_year", "wave"]
    invited = answers.select(keys).unique().sort(keys)
    responded = invited.filter(pl.Series(rng.random(invited.height) < response_rate))
    responded = responded.join(
        answers.select(*keys, "responded_date").unique(keys), on=keys, maintain_order="left"
    )
    responded = responded.with_columns(
        responded_at=pl.Series(
            _times(rng, responded["responded_date"].to_list()), dtype=pl.Datetime("us")
        )
    )
    return answers.join(
        responded.select(*keys, "responded_at"), on=keys, maintain_order="left"
    ).sort("school_year", "wave", "responded_at", "respondent_unique_id", "item_id")


def teacher_answers(truth: Truth, rng: np.random.Generator, facts: pl.DataFrame) -> pl.DataFrame:
    """Long answers of teachers: before training and, once completed, two weeks after."""
    effects = truth.effects
    people = facts.filter(pl.col("staff_classification") == "teacher").sort("staff_unique_id")
    size = people.height
    skill = people["skill"].to_numpy()
    sex = people["sex"].to_numpy()
    confidence = 2.4 + 0.3 * skill + rng.normal(0, 0.6, size)
    use = 1.8 + 0.4 * skill + rng.normal(0, 0.7, size)
    expects = np.select(
        [sex == "female", sex == "male"],
        [effects.female_skill_change_expectation, effects.male_skill_change_expectation],
        (effects.female_skill_change_expectation + effects.male_skill_change_expectation) / 2,
    )
    sandbox = people["sandbox_included"].to_numpy()
    people = people.with_columns(
        school_year=pl.col("start_date").map_elements(
            schedule.school_year_of, return_dtype=pl.Int32
        )
    )
    frames = []
    for wave in ("pre", "post"):
        post = wave == "post"
        gain = (
            np.where(sandbox, effects.sandbox_confidence_gain, effects.traditional_confidence_gain)
            if post
            else 0.0
        )
        answers = {
            "T_CONF": _round_scale(confidence + gain + rng.normal(0, 0.4, size), 1, 5).astype(str),
            "T_USE": _round_scale(
                use + (effects.teacher_self_use_gain if post else 0.0) + rng.normal(0, 0.4, size),
                1,
                5,
            ).astype(str),
            "T_SKILL": np.where(rng.random(size) < expects, "1", "0"),
            "T_SAT": np.where(
                post, _round_scale(3.6 + rng.normal(0, 0.8, size), 1, 5).astype(str), None
            ),
        }
        if post:
            dates = [
                c + dt.timedelta(days=int(rng.integers(3, 15))) if c else None
                for c in people["completion_date"].to_list()
            ]
        else:
            dates = [
                s - dt.timedelta(days=int(rng.integers(1, 8)))
                for s in people["start_date"].to_list()
            ]
        frames.append(
            _long(
                rng,
                people.select("staff_unique_id", "school_year"),
                answers,
                wave,
                dates,
                "teacher",
                seen_code=False,
            )
        )
    return _respondents_only(rng, pl.concat(frames), effects.survey_response_rate)
