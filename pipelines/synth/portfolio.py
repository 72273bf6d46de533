"""Client projects, employer panel scores, micro-internships and AI-Ready Certificates.

Teams take eight-week briefs from local employers back to back; quarterly employer panels
score each member's portfolio on four components with reviewer severity and noise; members
in grades 11-12 may take a paid micro-internship; the certificate is awarded by the rules of
the solution text, applied to what the simulation produced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.synth import schedule
from pipelines.synth.sessions import member_years
from pipelines.synth.truth import PORTFOLIO_COMPONENTS, Truth

#: Fictional local employers: id -> (name, sector).
EMPLOYERS = {
    "EMP-AER-01": ("Skyline Aerostructures", "aerospace"),
    "EMP-AER-02": ("Mesa Avionics Lab", "aerospace"),
    "EMP-AER-03": ("Coastal Launch Systems", "aerospace"),
    "EMP-TEC-01": ("Brightline Software", "technology"),
    "EMP-TEC-02": ("Harborview Data Co.", "technology"),
    "EMP-TEC-03": ("Redwood Robotics", "technology"),
    "EMP-TEC-04": ("Tidepool Cloud Services", "technology"),
    "EMP-ENT-01": ("Pixel Harbor Studios", "entertainment"),
    "EMP-ENT-02": ("Sunset Sound Stage", "entertainment"),
    "EMP-ENT-03": ("Lantern Games", "entertainment"),
    "EMP-PRO-01": ("Canyon Legal Partners", "professional_services"),
    "EMP-PRO-02": ("Oakridge Accounting Group", "professional_services"),
    "EMP-PRO-03": ("Summit Marketing Collective", "professional_services"),
    "EMP-PUB-01": ("City Library Foundation", "public_sector"),
}
SECTOR_WEIGHTS = {
    "aerospace": 0.2,
    "technology": 0.35,
    "entertainment": 0.2,
    "professional_services": 0.2,
    "public_sector": 0.05,
}
BRIEF_TITLES = (
    "Customer FAQ assistant",
    "Inventory forecasting prototype",
    "Image tagging for an archive",
    "Meeting-notes summariser",
    "Accessibility audit with AI tools",
    "Social media content planner",
    "Maintenance log classifier",
    "Onboarding guide generator",
    "Survey comment analysis",
    "Scheduling optimiser",
)


@dataclass(frozen=True)
class PortfolioSimulation:
    client_projects: pl.DataFrame
    panel_scores: pl.DataFrame
    micro_internships: pl.DataFrame
    certificates: pl.DataFrame
    #: every member-year with each certificate criterion (awarded or not)
    certificate_criteria: pl.DataFrame
    #: reviewer_id -> employer_id and true severity
    reviewers: pl.DataFrame


def client_projects(
    truth: Truth, rng: np.random.Generator, sessions: pl.DataFrame, district_number: int
) -> pl.DataFrame:
    """Back-to-back briefs: each spans ``project_weeks`` of a team's sessions in one year."""
    program = truth.program
    sector_of = {e: s for e, (_, s) in EMPLOYERS.items()}
    rows = []
    for (team_id, school_year), group in sessions.sort("session_date", "team_id").group_by(
        ["team_id", "school_year"], maintain_order=True
    ):
        dates = group["session_date"].to_list()
        for first in range(0, len(dates) - program.project_weeks + 1, program.project_weeks):
            sector = str(rng.choice(list(SECTOR_WEIGHTS), p=list(SECTOR_WEIGHTS.values())))
            employer = str(rng.choice([e for e, s in sector_of.items() if s == sector]))
            received = dates[first]
            due = dates[first + program.project_weeks - 1]
            delivered = rng.random() < program.project_delivered_rate
            delivered_date = max(received, due + dt.timedelta(days=int(rng.integers(-3, 8))))
            signed = delivered and rng.random() < program.client_signoff_rate
            rows.append(
                {
                    "project_id": f"P{district_number:02d}{len(rows) + 1:04d}",
                    "team_id": team_id,
                    "employer_id": employer,
                    "employer_name": EMPLOYERS[employer][0],
                    "employer_sector": sector,
                    "brief_title": str(rng.choice(BRIEF_TITLES)),
                    "brief_received_date": received,
                    "due_date": due,
                    "delivered_date": delivered_date if delivered else None,
                    "client_signed_off": signed,
                    "signoff_date": delivered_date + dt.timedelta(days=int(rng.integers(2, 15)))
                    if signed
                    else None,
                    "school_year": school_year,
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("delivered_date").cast(pl.Date), pl.col("signoff_date").cast(pl.Date)
    )


def reviewer_pool(truth: Truth, rng: np.random.Generator, district_number: int) -> pl.DataFrame:
    """Employer reviewers, each with a true severity (added to every score they give)."""
    count = truth.panel.reviewers
    employers = list(EMPLOYERS)
    return pl.DataFrame(
        {
            "reviewer_id": [f"RV{district_number:02d}{i + 1:03d}" for i in range(count)],
            "employer_id": [employers[i % len(employers)] for i in range(count)],
            "severity": rng.normal(0.0, truth.panel.reviewer_severity_sd, count),
        }
    )


def panel_scores(
    truth: Truth,
    rng: np.random.Generator,
    memberships: pl.DataFrame,
    persons: pl.DataFrame,
    reviewers: pl.DataFrame,
) -> pl.DataFrame:
    """Scores of every member on the day of each quarterly panel while they are a member.

    Score = base quality + ability effect + student effect + growth with quarters reviewed
    + component offset + reviewer severity + noise, in half points, clipped to 0..10.
    """
    panel = truth.panel
    dates = pl.DataFrame(
        [
            (year, quarter, schedule.school_year(year).panel_date(quarter))
            for year in truth.calendar.school_year_list
            for quarter in schedule.QUARTERS
        ],
        schema={"school_year": pl.Int32, "quarter": pl.String, "scored_date": pl.Date},
        orient="row",
    )
    reviewed = (
        memberships.join(dates, on="school_year", maintain_order="left")
        .filter(pl.col("scored_date").is_between(pl.col("start_date"), pl.col("end_date")))
        .select("student_unique_id", "team_id", "school_year", "quarter", "scored_date")
        .unique(["student_unique_id", "school_year", "quarter"], keep="first")
        .sort("student_unique_id", "scored_date")
        .with_columns(quarters_before=pl.int_range(pl.len()).over("student_unique_id"))
    )
    students = reviewed["student_unique_id"].unique().sort()
    effects = pl.DataFrame(
        {
            "student_unique_id": students,
            "student_effect": rng.normal(0, panel.student_effect_sd, students.len()),
        }
    )
    reviewed = reviewed.join(effects, on="student_unique_id", maintain_order="left").join(
        persons.select("student_unique_id", "ability"),
        on="student_unique_id",
        maintain_order="left",
    )
    # Each team's panel in a quarter: reviewers_per_student distinct reviewers.
    panels = (
        reviewed.select("team_id", "school_year", "quarter")
        .unique()
        .sort("school_year", "quarter", "team_id")
    )
    picks = np.argsort(rng.random((panels.height, reviewers.height)), axis=1)[
        :, : panel.reviewers_per_student
    ]
    assignments = panels.with_columns(
        reviewer_index=pl.Series(picks.tolist(), dtype=pl.List(pl.Int64))
    ).explode("reviewer_index")
    reviewer_rows = reviewers.with_row_index("reviewer_index").with_columns(
        pl.col("reviewer_index").cast(pl.Int64)
    )
    assignments = assignments.join(reviewer_rows, on="reviewer_index", maintain_order="left").drop(
        "reviewer_index"
    )
    components = pl.DataFrame(
        {
            "component": list(PORTFOLIO_COMPONENTS),
            "component_offset": [panel.component_offsets[c] for c in PORTFOLIO_COMPONENTS],
        }
    )
    scores = (
        reviewed.join(assignments, on=["team_id", "school_year", "quarter"], maintain_order="left")
        .join(components, how="cross", maintain_order="left_right")
        .sort("school_year", "quarter", "team_id", "student_unique_id", "reviewer_id", "component")
    )
    growth = (pl.col("quarters_before") * panel.growth_per_quarter).clip(
        upper_bound=panel.max_growth
    )
    quality = (
        panel.base_quality
        + panel.ability_effect * pl.col("ability")
        + pl.col("student_effect")
        + growth
        + pl.col("component_offset")
        + pl.col("severity")
    )
    noise = pl.Series(rng.normal(0.0, panel.score_noise_sd, scores.height))
    step = panel.score_step
    return scores.with_columns(score=((quality + noise) / step).round() * step).select(
        "student_unique_id",
        "team_id",
        "school_year",
        "quarter",
        portfolio_id=pl.format("PF-{}-{}", "student_unique_id", "school_year"),
        reviewer_id="reviewer_id",
        employer_id="employer_id",
        component="component",
        score=pl.col("score").clip(0.0, 10.0),
        scored_date="scored_date",
    )


def micro_internships(
    truth: Truth, rng: np.random.Generator, memberships: pl.DataFrame, district_number: int
) -> pl.DataFrame:
    """Paid 10-20 hour internships for some grade 11-12 members, in spring or summer."""
    program = truth.program
    candidates = (
        member_years(memberships)
        .filter(pl.col("grade_level").is_in(["11", "12"]))
        .unique(["student_unique_id", "school_year"], keep="first")
        .sort("school_year", "student_unique_id")
    )
    chosen = candidates.filter(pl.Series(rng.random(candidates.height) < program.internship_rate))
    size = chosen.height
    starts = []
    for year in chosen["school_year"].to_list():
        window_start = dt.date(year, 2, 1)
        starts.append(window_start + dt.timedelta(days=int(rng.integers(0, 150))))
    completed = rng.random(size) < program.internship_completion_rate
    low, high = program.internship_hours
    hours = np.where(completed, rng.uniform(low, high, size), rng.uniform(2, low - 1, size))
    hours = np.round(hours * 2) / 2
    paid = rng.random(size) < 0.97
    wage_low, wage_high = program.internship_wage_usd
    wage = np.round(rng.uniform(wage_low, wage_high, size) * 4) / 4
    employers = np.array(list(EMPLOYERS))[rng.integers(0, len(EMPLOYERS), size)]
    weeks = np.ceil(hours / 4).astype(int)
    return pl.DataFrame(
        {
            "internship_id": [f"MI{district_number:02d}{i + 1:04d}" for i in range(size)],
            "student_unique_id": chosen["student_unique_id"],
            "employer_id": employers,
            "start_date": pl.Series(starts, dtype=pl.Date),
            "end_date": pl.Series(
                [s + dt.timedelta(weeks=int(w)) for s, w in zip(starts, weeks, strict=True)],
                dtype=pl.Date,
            ),
            "hours_worked": hours,
            "paid": paid,
            "hourly_wage_usd": pl.Series(np.where(paid, wage, np.nan)).fill_nan(None),
            "completed": completed,
        }
    )


def certificate_criteria(
    truth: Truth,
    rng: np.random.Generator,
    memberships: pl.DataFrame,
    projects: pl.DataFrame,
    scores: pl.DataFrame,
    pairs: pl.DataFrame,
) -> pl.DataFrame:
    """Every member-year with each AI-Ready Certificate rule evaluated.

    Rules (solution text): a full year in a team (fall and spring, not leaving early);
    at least ``min_client_projects`` signed-off client projects delivered while a member;
    portfolio score (mean of the latest panel of the year) at least ``min_portfolio_score``;
    AI tool proficiency across project types (at least ``min_project_types`` sectors); for
    grades 11-12, mentoring a younger member; and a completed reflection narrative.
    """
    rules = truth.program.certificate
    years = (
        memberships.group_by("student_unique_id", "school_year")
        .agg(
            grade_level=pl.col("grade_level").first(),
            has_fall=(pl.col("term") == "fall").any(),
            has_spring=(pl.col("term") == "spring").any(),
            finished=pl.col("exit_reason")
            .filter(pl.col("term") == "spring")
            .is_in(["completed_term", "graduated"])
            .all(),
        )
        .sort("school_year", "student_unique_id")
    )
    signed = projects.filter(pl.col("client_signed_off"))
    done = (
        memberships.join(
            signed.select("team_id", "delivered_date", "employer_sector", "project_id"),
            on="team_id",
            maintain_order="left",
        )
        .filter(pl.col("delivered_date").is_between(pl.col("start_date"), pl.col("end_date")))
        .group_by("student_unique_id", "school_year")
        .agg(
            client_projects_completed=pl.col("project_id").n_unique(),
            project_types_demonstrated=pl.col("employer_sector").n_unique(),
        )
    )
    latest = (
        scores.filter(
            pl.col("scored_date")
            == pl.col("scored_date").max().over("student_unique_id", "school_year")
        )
        .group_by("student_unique_id", "school_year")
        .agg(portfolio_score=pl.col("score").mean().round(2))
    )
    mentors = pairs.select(
        pl.col("mentor_student_unique_id").alias("student_unique_id"), "school_year"
    ).unique()
    mentees = pairs.select(
        pl.col("mentee_student_unique_id").alias("student_unique_id"), "school_year"
    ).unique()
    criteria = (
        years.join(done, on=["student_unique_id", "school_year"], how="left", maintain_order="left")
        .join(latest, on=["student_unique_id", "school_year"], how="left", maintain_order="left")
        .join(
            mentors.with_columns(is_mentor=pl.lit(True)),
            on=["student_unique_id", "school_year"],
            how="left",
            maintain_order="left",
        )
        .join(
            mentees.with_columns(is_mentee=pl.lit(True)),
            on=["student_unique_id", "school_year"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.col("client_projects_completed").fill_null(0).cast(pl.Int64),
            pl.col("project_types_demonstrated").fill_null(0).cast(pl.Int64),
            full_year=pl.col("has_fall") & pl.col("has_spring") & pl.col("finished"),
            mentorship_participation=pl.col("is_mentor").fill_null(False)
            | pl.col("is_mentee").fill_null(False),
            mentorship_required=pl.col("grade_level").is_in(["11", "12"]),
            # The narrative is written in spring: a member gone by then has none.
            reflection_narrative_completed=pl.Series(
                rng.random(years.height) < truth.program.reflection_narrative_rate
            )
            & pl.col("has_spring"),
        )
    )
    mentoring_ok = ~pl.col("mentorship_required") | pl.col("is_mentor").fill_null(False)
    return criteria.with_columns(
        awarded=pl.col("full_year")
        & (pl.col("client_projects_completed") >= rules.min_client_projects)
        & (pl.col("portfolio_score").fill_null(0.0) >= rules.min_portfolio_score)
        & (pl.col("project_types_demonstrated") >= rules.min_project_types)
        & mentoring_ok
        & pl.col("reflection_narrative_completed")
    ).drop("is_mentor", "is_mentee", "has_fall", "has_spring", "finished")


def certificates(criteria: pl.DataFrame) -> pl.DataFrame:
    """The ``certificates`` kind: awarded certificates, dated the day before school ends."""
    awarded_on = {
        y: schedule.school_year(y).spring_end - dt.timedelta(days=1)
        for y in criteria["school_year"].unique()
    }
    return criteria.filter(pl.col("awarded")).select(
        "student_unique_id",
        "school_year",
        certificate_type=pl.lit("ai_ready"),
        awarded_date=pl.col("school_year").replace_strict(awarded_on, return_dtype=pl.Date),
        client_projects_completed="client_projects_completed",
        portfolio_score="portfolio_score",
        project_types_demonstrated="project_types_demonstrated",
        mentorship_participation="mentorship_participation",
        reflection_narrative_completed="reflection_narrative_completed",
    )


def memberships_with_reflection(memberships: pl.DataFrame, criteria: pl.DataFrame) -> pl.DataFrame:
    """The ``team_memberships`` kind: each term row with its member-year's reflection status."""
    return memberships.join(
        criteria.select("student_unique_id", "school_year", "reflection_narrative_completed"),
        on=["student_unique_id", "school_year"],
        how="left",
        maintain_order="left",
    )
