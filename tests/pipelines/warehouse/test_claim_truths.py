"""Every claim of the program's documents has a truth in the synthetic district, and the
marts recover it.

For each truth preset (``realistic``: effects real but smaller than claimed; ``claims_true``:
every effect as the documents claim; ``null``: no effect anywhere) a large district (four
districts of ~3,500 students) is generated, ingested and built. Each claim's truth is then
estimated from the marts with a simple adjusted comparison (a regression on the mart's
covariates; the project's real estimators live in ``models``), and the truth must lie in
its 99% interval. Where students or teachers select into the treatment, the naive
comparison is shown to be off by more than the adjusted one.

Slow (about two minutes a preset): CI runs them after ``make test``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from pipelines.ingest import ingest_plan, plan_ingest
from pipelines.synth import generate_district, load_truth
from pipelines.warehouse.marts import build_marts, load_mart

pytestmark = pytest.mark.slow

PRESETS = ("realistic", "claims_true", "null")
DISTRICTS = 4
SEED = 20240801
#: How sure an interval is: the truth must lie within the 99% interval of each estimate.
Z = 2.576


@dataclass(frozen=True)
class Estimate:
    """An adjusted estimate with its 99% interval, and the naive comparison beside it."""

    value: float
    lower: float
    upper: float
    naive: float
    n: int

    def covers(self, truth: float) -> bool:
        return self.lower <= truth <= self.upper


@dataclass(frozen=True)
class District:
    preset: str
    truth: object
    marts: dict[str, pd.DataFrame]


@pytest.fixture(scope="module", params=PRESETS)
def district(request, tmp_path_factory) -> District:
    preset = request.param
    folder = tmp_path_factory.mktemp(f"claims_{preset}")
    truth = load_truth(preset)
    generate_district(folder / "exports", seed=SEED, truth=truth, districts=DISTRICTS)
    districts = sorted(p for p in (folder / "exports").iterdir() if p.is_dir())
    plan = [replace(f, district_id=f.path.parent.name) for f in plan_ingest(districts)]
    db = folder / "claims.duckdb"
    ingest_plan(plan, db=db)
    with duckdb.connect(str(db)) as con:
        build_marts(con)
        names = (
            "student_years",
            "teachers",
            "survey_pairs",
            "graduate_outcomes",
            "teacher_learn_levels",
        )
        marts = {name: load_mart(con, name).frame for name in names}
    return District(preset, truth, marts)


# --- estimators: one per claim, each reading only marts -----------------------------------


def _ratio_of_exp(fit, term: str, naive: float, n: int) -> Estimate:
    """exp of a log-link coefficient with its interval."""
    value, se = fit.params[term], fit.bse[term]
    return Estimate(math.exp(value), math.exp(value - Z * se), math.exp(value + Z * se), naive, n)


def _coefficient(fit, term: str, naive: float, n: int) -> Estimate:
    value, se = fit.params[term], fit.bse[term]
    return Estimate(value, value - Z * se, value + Z * se, naive, n)


def _risk_ratio(frame: pd.DataFrame, outcome: str, treated: str, covariates: str) -> Estimate:
    """Risk ratio of a binary outcome by a log-link (Poisson, robust errors) regression."""
    data = frame.assign(
        **{outcome: frame[outcome].astype(float), treated: frame[treated].astype(float)}
    )
    naive = data[data[treated] == 1][outcome].mean() / data[data[treated] == 0][outcome].mean()
    formula = f"{outcome} ~ {treated}" + (f" + {covariates}" if covariates else "")
    fit = smf.glm(formula, data, family=sm.families.Poisson()).fit(cov_type="HC1")
    return _ratio_of_exp(fit, treated, naive, len(data))


def female_retention_girls_only(marts) -> Estimate:
    """Girls' return next year, girls-only over mixed teams, among girls who could return."""
    years = marts["student_years"]
    girls = years[(years.eligible_to_return == True) & (years.entry_sex == "female")]  # noqa: E712
    girls = girls.assign(
        girls_only=girls.team_type == "girls_only", returned=girls.returned_next_year
    )
    return _risk_ratio(girls, "returned", "girls_only", "entry_prior_gpa + C(grade_level)")


def near_peer_knowledge_retention(marts) -> Estimate:
    """Share of the knowledge gain kept at the retention test, near-peer over teacher-only:
    the kept gain regressed on the gain in each arm (no intercept), adjusted for GPA."""
    years = marts["student_years"].dropna(
        subset=["knowledge_pre_percent", "knowledge_post_percent", "knowledge_retention_percent"]
    )
    data = pd.DataFrame(
        {
            "kept": years.knowledge_retention_percent - years.knowledge_pre_percent,
            "gain_near_peer": (years.knowledge_post_percent - years.knowledge_pre_percent)
            * (years.knowledge_instruction_mode == "near_peer"),
            "gain_teacher_only": (years.knowledge_post_percent - years.knowledge_pre_percent)
            * (years.knowledge_instruction_mode == "teacher_only"),
            "gpa": years.prior_gpa - years.prior_gpa.mean(),
        }
    )
    fit = smf.ols("kept ~ 0 + gain_near_peer + gain_teacher_only + gpa", data).fit(cov_type="HC1")
    near, teacher = fit.params["gain_near_peer"], fit.params["gain_teacher_only"]
    covariance = fit.cov_params()
    ratio = near / teacher
    log_se = math.sqrt(
        covariance.loc["gain_near_peer", "gain_near_peer"] / near**2
        + covariance.loc["gain_teacher_only", "gain_teacher_only"] / teacher**2
        - 2 * covariance.loc["gain_near_peer", "gain_teacher_only"] / (near * teacher)
    )
    naive_fit = smf.ols("kept ~ 0 + gain_near_peer + gain_teacher_only", data).fit()
    naive = naive_fit.params["gain_near_peer"] / naive_fit.params["gain_teacher_only"]
    return Estimate(
        ratio, ratio * math.exp(-Z * log_se), ratio * math.exp(Z * log_se), naive, len(data)
    )


def graduated_exposure_competency(marts) -> tuple[Estimate, Estimate]:
    """Share of LEARN pillars proficient right after training, graduated and sink-or-swim."""
    teachers = marts["teachers"].dropna(subset=["post_training_proficient_share"])
    arms = []
    for model in ("graduated", "sink_or_swim"):
        shares = teachers[teachers.exposure_model == model].post_training_proficient_share
        mean, se = shares.mean(), shares.std() / math.sqrt(len(shares))
        arms.append(Estimate(mean, mean - Z * se, mean + Z * se, mean, len(shares)))
    return tuple(arms)


def sandbox_confidence_gain(marts) -> Estimate:
    """Rise in teachers' AI confidence (1-5), sandbox minus traditional training, within the
    full-faculty course, where the sandbox was assigned."""
    pairs = marts["survey_pairs"]
    pairs = pairs[(pairs.respondent_role == "teacher") & (pairs.construct == "ai_confidence")]
    data = pairs[pairs.paired].merge(
        marts["teachers"], left_on="respondent_unique_id", right_on="staff_unique_id"
    )
    naive = data.groupby("sandbox_included").change.mean()
    faculty = data[data.cohort == "full_faculty"].assign(
        sandbox=lambda d: d.sandbox_included.astype(float), pre=lambda d: d.pre_score
    )
    fit = smf.ols("change ~ sandbox + pre", faculty).fit(cov_type="HC1")
    return _coefficient(fit, "sandbox", naive[True] - naive[False], len(faculty))


def champion_adoption_speed(marts) -> Estimate:
    """Mean days from training to a first AI lesson, mandate over champion support: adopters
    of the full-faculty course (the naive comparison adds the early adopters, who all had
    champion support and trained at another time)."""
    teachers = marts["teachers"]
    adopters = teachers[teachers.first_lesson_status == "observed"].assign(
        days=lambda t: (
            (
                pd.to_datetime(t.first_ai_lesson_date) - pd.to_datetime(t.training_completion_date)
            ).dt.days
        )
    )
    routes = adopters[adopters.adoption_route.isin(["mandate", "champion_network"])]
    naive = routes.groupby("adoption_route").days.mean()
    faculty = routes[routes.cohort == "full_faculty"]
    days = faculty.groupby("adoption_route").days
    means, counts = days.mean(), days.size()
    ratio = means["mandate"] / means["champion_network"]
    # Waits are near exponential: the log of a mean has a standard error of 1 / sqrt(n).
    log_se = math.sqrt(1 / counts["mandate"] + 1 / counts["champion_network"])
    return Estimate(
        ratio,
        ratio * math.exp(-Z * log_se),
        ratio * math.exp(Z * log_se),
        naive["mandate"] / naive["champion_network"],
        int(counts.sum()),
    )


def train_the_trainer_scale(marts) -> Estimate:
    """Teachers a champion trains a month through the cascade, over what the outside course
    trained a month per champion seat (one per seat over the champion months)."""
    teachers = marts["teachers"]
    champions = teachers[teachers.cohort == "champion"]
    champion_months = (
        pd.to_datetime(champions.training_completion_date).max()
        - pd.to_datetime(champions.training_start_date).min()
    ).days / 30.4375
    cascade = teachers[teachers.cohort == "early_adopter"].assign(
        start=lambda t: pd.to_datetime(t.training_start_date)
    )
    per_trainer = cascade.groupby(["district_id", "trainer_staff_unique_id"]).start.agg(
        ["size", "min", "max"]
    )
    per_trainer = per_trainer[per_trainer["size"] >= 2]
    months = (per_trainer["max"] - per_trainer["min"]).dt.days / 30.4375
    rates = (per_trainer["size"] - 1) / months
    ratio = rates.mean() * champion_months
    se = rates.std() / math.sqrt(len(rates)) * champion_months
    return Estimate(ratio, ratio - Z * se, ratio + Z * se, ratio, len(rates))


def after_action_review_speedup(marts) -> Estimate:
    """Rate at which competency develops with after-action reviews over without: proficiency
    at the year's last assessment by a complementary log-log model with the weeks in the
    program as exposure (proficient by week w with probability 1 - exp(-rate * w))."""
    years = marts["student_years"].dropna(
        subset=["competency_proficient", "after_action_reviews", "competency_weeks_in_program"]
    )
    years = years[years.competency_weeks_in_program > 0]
    data = pd.DataFrame(
        {
            "proficient": years.competency_proficient.astype(float),
            "reviews": years.after_action_reviews.astype(float),
            "gpa": years.prior_gpa,
            "log_weeks": np.log(years.competency_weeks_in_program),
        }
    )
    link = sm.families.links.CLogLog()
    family = sm.families.Binomial(link=link)
    fit = smf.glm("proficient ~ reviews + gpa", data, family=family, offset=data.log_weeks).fit()
    naive_fit = smf.glm("proficient ~ reviews", data, family=family, offset=data.log_weeks).fit()
    return _ratio_of_exp(fit, "reviews", math.exp(naive_fit.params["reviews"]), len(data))


def early_failure_long_term_adoption(marts) -> Estimate:
    """Adopters still using AI a year after their first AI lesson, trained with early
    failure normalised over without."""
    teachers = marts["teachers"].dropna(
        subset=["using_ai_a_year_after_first_lesson", "early_failure_normalised"]
    )
    return _risk_ratio(
        teachers.assign(using=teachers.using_ai_a_year_after_first_lesson),
        "using",
        "early_failure_normalised",
        "",
    )


def female_ai_tool_use_ratio(marts) -> Estimate:
    """Girls' use of AI tools over boys' in the first school year's baseline survey."""
    years = marts["student_years"]
    first = years[
        (years.school_year == years.school_year.min()) & years.sex.isin(["female", "male"])
    ]
    first = first.dropna(subset=["ai_tool_use_pre"])
    return _risk_ratio(
        first.assign(female=first.sex == "female", uses=first.ai_tool_use_pre), "uses", "female", ""
    )


def certified_wage_premium(marts) -> Estimate:
    """Log hourly wage of certified graduates over others, adjusted for prior GPA, which
    drives both the certificate and the wage (errors clustered by graduate)."""
    outcomes = marts["graduate_outcomes"].dropna(subset=["hourly_wage_usd", "prior_gpa"])
    data = outcomes.assign(
        log_wage=np.log(outcomes.hourly_wage_usd),
        certified=outcomes.certificate_earned.astype(float),
        graduate=pd.factorize(outcomes.district_id + outcomes.student_unique_id)[0],
    )
    clusters = {"groups": data.graduate}
    naive = smf.ols("log_wage ~ certified + C(months_after_graduation)", data).fit(
        cov_type="cluster", cov_kwds=clusters
    )
    fit = smf.ols("log_wage ~ certified + prior_gpa + C(months_after_graduation)", data).fit(
        cov_type="cluster", cov_kwds=clusters
    )
    return _coefficient(fit, "certified", naive.params["certified"], len(data))


def trained_exit_hazard_ratio(marts) -> Estimate:
    """Teachers' yearly exit rate, trained by the start of the school year over not yet,
    by a Poisson model of teacher-years with the year's own rate."""
    teachers = marts["teachers"]
    rows = []
    for year in sorted(marts["student_years"].school_year.unique()):
        start, end = dt.date(year - 1, 8, 1), dt.date(year, 7, 31)
        hired = pd.to_datetime(teachers.hire_date).dt.date.fillna(dt.date(1900, 1, 1))
        exited = pd.to_datetime(teachers.exit_date).dt.date
        present = (hired < start) & (exited.isna() | (exited >= start))
        completed = pd.to_datetime(teachers.training_completion_date).dt.date
        rows.append(
            pd.DataFrame(
                {
                    "year": year,
                    "trained": (completed.notna() & (completed < start))[present].astype(float),
                    "exited": (exited.notna() & (exited <= end))[present].astype(float),
                }
            )
        )
    data = pd.concat(rows)
    return _risk_ratio(data, "exited", "trained", "C(year)")


def student_learn_gain(marts) -> Estimate:
    """Rise in students' self-rated LEARN level (1-3, mean of the pillars), members over
    non-members, adjusted for the level before and GPA. Levels are rounded and capped, so
    the rise shows smaller than the latent gain: only its sign is the truth's."""
    pairs = marts["survey_pairs"]
    learn = pairs[
        (pairs.respondent_role == "student")
        & pairs.construct.str.startswith("learn_")
        & pairs.paired
    ]
    per_student = (
        learn.rename(columns={"respondent_unique_id": "student_unique_id"})
        .groupby(["district_id", "student_unique_id", "school_year"])[["pre_score", "change"]]
        .mean()
    )
    years = marts["student_years"].set_index(["district_id", "student_unique_id", "school_year"])
    data = per_student.join(years[["is_member", "prior_gpa"]], how="inner").assign(
        member=lambda d: d.is_member.astype(float)
    )
    naive = data[data.member == 1].change.mean() - data[data.member == 0].change.mean()
    fit = smf.ols("change ~ member + pre_score + prior_gpa", data).fit(cov_type="HC1")
    return _coefficient(fit, "member", naive, len(data))


def teacher_self_use_gain(marts) -> Estimate:
    """Rise in teachers' own use of AI (1-5) from before to after training."""
    pairs = marts["survey_pairs"]
    use = pairs[
        (pairs.respondent_role == "teacher") & (pairs.construct == "ai_tool_use") & pairs.paired
    ]
    mean, se = use.change.mean(), use.change.std() / math.sqrt(len(use))
    return Estimate(mean, mean - Z * se, mean + Z * se, mean, len(use))


def educator_learn_growth(marts) -> Estimate:
    """Educators' LEARN level rank per year since training, end-of-term assessments of
    trained teachers; ranks are rounded and capped, so only the sign is the truth's."""
    levels = marts["teacher_learn_levels"]
    levels = levels[
        (levels.assessment_occasion == "end_of_term") & (levels.months_since_training >= 0)
    ].assign(years=lambda d: d.months_since_training / 12)
    fit = smf.ols("level_rank ~ years + C(pillar)", levels).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(levels.staff_unique_id)[0]}
    )
    return _coefficient(fit, "years", fit.params["years"], len(levels))


def _sign_matches(estimate: Estimate, truth: float) -> bool:
    """Zero truth: the interval covers zero. Otherwise the interval is on the truth's side."""
    if truth == 0:
        return estimate.covers(0.0)
    return estimate.lower > 0 if truth > 0 else estimate.upper < 0


# --- the truth of each claim under the preset, and the claim it is tested against ---------


@dataclass(frozen=True)
class ClaimTruth:
    """A claim's estimator, where the preset's truth of it is, and what the documents claim
    (which a realistic district must be able to refute; None where none is tested)."""

    claim_id: str
    estimate: Callable[[dict], Estimate]
    truth: Callable[[object], float]
    claimed: float | None = None


RECOVERED = (
    ClaimTruth(
        "female_retention_girls_only",
        female_retention_girls_only,
        lambda t: t.program.female_retention_ratio_girls_only,
        claimed=5.0,
    ),
    ClaimTruth(
        "near_peer_knowledge_retention",
        near_peer_knowledge_retention,
        lambda t: t.effects.near_peer_knowledge_retention_ratio,
        claimed=2.0,
    ),
    ClaimTruth(
        "sandbox_confidence_gain",
        sandbox_confidence_gain,
        lambda t: t.effects.sandbox_confidence_gain - t.effects.traditional_confidence_gain,
    ),
    ClaimTruth(
        "champion_adoption_speed",
        champion_adoption_speed,
        lambda t: t.effects.champion_adoption_speed_ratio,
        claimed=3.0,
    ),
    ClaimTruth(
        "after_action_review_speedup",
        after_action_review_speedup,
        lambda t: t.effects.after_action_review_speedup,
        claimed=1.4,
    ),
    ClaimTruth(
        "early_failure_long_term_adoption",
        early_failure_long_term_adoption,
        lambda t: t.effects.early_failure_normalised_adoption_ratio,
        claimed=3.0,
    ),
    ClaimTruth(
        "female_ai_tool_use_gap",
        female_ai_tool_use_ratio,
        lambda t: t.effects.female_ai_tool_use_ratio,
    ),
    ClaimTruth(
        "trained_teacher_retention",
        trained_exit_hazard_ratio,
        lambda t: t.staff.trained_exit_hazard_ratio,
    ),
)

#: Truths whose outcome is a rounded, capped level: the marts recover their sign.
SIGNED = (
    ClaimTruth(
        "student_learn_gain",
        student_learn_gain,
        lambda t: t.effects.learn_level_gain_members - t.effects.learn_level_gain_others,
    ),
    ClaimTruth(
        "teacher_self_use_gain", teacher_self_use_gain, lambda t: t.effects.teacher_self_use_gain
    ),
    ClaimTruth(
        "educator_learn_growth",
        educator_learn_growth,
        lambda t: t.effects.educator_learn_growth_per_year,
    ),
)


@pytest.mark.parametrize("claim", RECOVERED, ids=lambda c: c.claim_id)
def test_the_marts_recover_the_truth_of(district, claim):
    estimate = claim.estimate(district.marts)
    assert estimate.covers(claim.truth(district.truth)), estimate
    if district.preset == "realistic" and claim.claimed is not None:
        assert not estimate.covers(claim.claimed), f"cannot refute {claim.claimed}: {estimate}"


@pytest.mark.parametrize("claim", SIGNED, ids=lambda c: c.claim_id)
def test_the_marts_recover_the_direction_of(district, claim):
    estimate = claim.estimate(district.marts)
    assert _sign_matches(estimate, claim.truth(district.truth)), estimate


def test_graduated_exposure_competency(district):
    graduated, sink_or_swim = graduated_exposure_competency(district.marts)
    assert graduated.covers(district.truth.effects.graduated_exposure_proficiency), graduated
    assert sink_or_swim.covers(district.truth.effects.sink_or_swim_proficiency), sink_or_swim


def test_train_the_trainer_scale(district):
    # Not a sample: the cascade follows the truth's schedule, moved to school days, so the
    # rate is within a few percent of the truth rather than within a sampling interval.
    estimate = train_the_trainer_scale(district.marts)
    truth = district.truth.rollout.train_the_trainer_scale_up_ratio
    assert estimate.value == pytest.approx(truth, rel=0.15), estimate
    if district.preset == "realistic":
        assert estimate.upper < 10.0, estimate  # claimed: "10x scale-up speed"


def test_certified_graduates_wage_premium_needs_the_gpa_adjustment(district):
    estimate = certified_wage_premium(district.marts)
    assert estimate.covers(district.truth.graduates.certified_wage_premium), estimate
    # Abler students both earn certificates and earn more: the naive gap overstates.
    assert estimate.naive > estimate.value, estimate
