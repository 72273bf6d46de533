"""The shape of the truth: one frozen dataclass per section of ``truth.yaml``.

Field names are the YAML keys; ``truth.py`` reads the YAML into these classes and checks
the values. Where a value is derived from others (the number of teachers, the true female
retention in girls-only teams), a property computes it, so it cannot disagree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
from dataclasses import dataclass
from typing import Any

GRADES = ("tk", "k", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
HIGH_SCHOOL_GRADES = ("9", "10", "11", "12")
PORTFOLIO_COMPONENTS = (
    "project_archive",
    "process_documentation",
    "reflection_narrative",
    "skill_demonstrations",
)


class TruthError(ValueError):
    """A truth file has an unknown key, a value of the wrong type, or an impossible value."""


@dataclass(frozen=True)
class School:
    school_id: str
    name: str
    grades: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class DistrictTruth:
    name: str
    students: int
    students_per_teacher: float
    administrators_per_1000_students: float
    counselors_per_1000_students: float
    support_staff_per_1000_students: float
    schools: tuple[School, ...]
    race_ethnicity: dict[str, float]
    sex: dict[str, float]
    economically_disadvantaged_share: float
    english_learner_share: float
    special_education_share: float
    annual_student_exit_rate: float
    gpa_mean: float
    gpa_sd: float
    gpa_disadvantaged_shift: float
    female_teacher_share: float

    @property
    def teachers(self) -> int:
        """Teachers the district employs at any one time."""
        return round(self.students / self.students_per_teacher)

    @property
    def high_school(self) -> School:
        """The (first) school serving grades 9-12, where the studio teams run."""
        for school in self.schools:
            if "12" in school.grades:
                return school
        raise TruthError("district.schools: no school serves grade 12")


@dataclass(frozen=True)
class CalendarTruth:
    first_school_year: int
    school_years: int
    program_start: dt.date
    session_weekdays: tuple[str, ...]
    session_minutes: int

    @property
    def school_year_list(self) -> tuple[int, ...]:
        return tuple(range(self.first_school_year, self.first_school_year + self.school_years))


@dataclass(frozen=True)
class TrainingWave:
    start_month: int
    end_month: int
    hours: float
    model: str
    count: int = 0


@dataclass(frozen=True)
class StudentWave:
    month: int
    students: int
    girls_only_teams: int


@dataclass(frozen=True)
class RolloutTruth:
    administrators: TrainingWave
    champions: TrainingWave
    early_adopters: TrainingWave
    full_faculty: TrainingWave
    completion_rate: dict[str, float]
    champions_high_school_share: float
    early_adopters_high_school_share: float
    year1_waves: tuple[StudentWave, ...]
    students_by_year: dict[int, int]
    girls_only_team_share: float
    full_faculty_deferred_share: float
    train_the_trainer_scale_up_ratio: float

    @property
    def trainees_per_trainer_month(self) -> float:
        """Teachers each champion trains per month in the train-the-trainer cascade.

        The outside provider trains ``champions.count`` teachers over the champion months;
        ``count`` champions leading in parallel train ``ratio`` times as many per month.
        """
        champion_months = self.champions.end_month - self.champions.start_month + 1
        return self.train_the_trainer_scale_up_ratio / champion_months


@dataclass(frozen=True)
class SelectionTruth:
    prior_gpa_log_odds_per_point: float
    female_log_odds: float
    grade_log_odds: dict[str, float]


@dataclass(frozen=True)
class CertificateTruth:
    min_client_projects: int
    min_portfolio_score: float
    min_project_types: int


@dataclass(frozen=True)
class ProgramTruth:
    team_size_min: int
    team_size_max: int
    girls_only_female_mentor_probability: float
    selection: SelectionTruth
    female_retention_mixed: float
    female_retention_ratio_girls_only: float
    male_retention: float
    other_retention: float
    mid_year_quit_rate: float
    attendance: dict[str, float]
    project_weeks: int
    project_delivered_rate: float
    client_signoff_rate: float
    after_action_review_team_share: float
    reflection_narrative_rate: float
    internship_rate: float
    internship_hours: tuple[float, float]
    internship_wage_usd: tuple[float, float]
    internship_completion_rate: float
    certificate: CertificateTruth

    @property
    def female_retention_girls_only(self) -> float:
        return self.female_retention_mixed * self.female_retention_ratio_girls_only


@dataclass(frozen=True)
class PanelTruth:
    reviewers_per_student: int
    reviewers: int
    reviewer_severity_sd: float
    score_noise_sd: float
    base_quality: float
    ability_effect: float
    student_effect_sd: float
    growth_per_quarter: float
    max_growth: float
    component_offsets: dict[str, float]
    score_step: float


@dataclass(frozen=True)
class EffectsTruth:
    knowledge_retention_teacher_only: float
    near_peer_knowledge_retention_ratio: float
    knowledge_pre_mean: float
    knowledge_gain_mean: float
    knowledge_comparison_students: int
    graduated_exposure_proficiency: float
    sink_or_swim_proficiency: float
    sandbox_confidence_gain: float
    traditional_confidence_gain: float
    full_faculty_sandbox_share: float
    mandate_days_to_first_lesson: float
    champion_adoption_speed_ratio: float
    voluntary_days_to_first_lesson: float
    never_adopt_share: float
    early_failure_normalised_share: float
    stop_using_share: float
    early_failure_normalised_adoption_ratio: float

    @property
    def stop_using_share_normalised(self) -> float:
        """Share of adopters with early-failure normalisation who stop within a year."""
        kept = (1 - self.stop_using_share) * self.early_failure_normalised_adoption_ratio
        return 1 - kept

    after_action_review_speedup: float
    weeks_to_competency_median: float
    female_ai_tool_use_ratio: float
    male_ai_tool_use_baseline: float
    program_ai_tool_use_lift: float
    female_skill_change_expectation: float
    male_skill_change_expectation: float
    student_confidence_gain_members: float
    student_confidence_gain_others: float
    learn_level_gain_members: float
    learn_level_gain_others: float
    teacher_self_use_gain: float
    educator_learn_growth_per_year: float
    mentor_learn_growth_ratio: float
    survey_response_rate: float
    comparison_survey_students: int


@dataclass(frozen=True)
class StaffTruth:
    annual_teacher_exit_rate: float
    trained_exit_hazard_ratio: float
    annual_other_staff_exit_rate: float


@dataclass(frozen=True)
class EconomicsTruth:
    teacher_replacement_cost_usd: float
    grants_by_year: dict[int, float]
    consulting_contracts_by_year: dict[int, float]
    consulting_contract_mean_usd: float
    licensing_contracts_by_year: dict[int, float]
    licensing_fee_mean_usd: float
    year1_cost_claimed_usd: float
    unit_prices_usd: dict[str, float]
    studio_laptops: int


@dataclass(frozen=True)
class GraduatesTruth:
    followup_months: tuple[int, ...]
    survey_response_rate: float
    state_match_rate: float
    band_only_share: float
    enrolled_share: float
    enrolled_per_ability_sd: float
    employed_share_enrolled: float
    employed_share_not_enrolled: float
    base_hourly_wage_usd: float
    minimum_wage_usd: float
    wage_log_per_ability_sd: float
    wage_growth_per_year: float
    wage_sd_log: float
    certified_wage_premium: float
    ai_related_role_share: float
    certified_ai_related_role_ratio: float


@dataclass(frozen=True)
class MessTruth:
    duplicate_row_rate: float
    missing_required_rate: float
    out_of_range_scores: int
    unknown_student_scores: int
    late_corrections: int
    left_district_mid_year_rate: float

    @property
    def injects_defects(self) -> bool:
        return any(
            value > 0
            for value in (
                self.duplicate_row_rate,
                self.missing_required_rate,
                self.out_of_range_scores,
                self.unknown_student_scores,
                self.late_corrections,
            )
        )


@dataclass(frozen=True)
class Truth:
    """Everything the synthetic district is generated from (see ``truth.yaml``)."""

    district: DistrictTruth
    calendar: CalendarTruth
    rollout: RolloutTruth
    program: ProgramTruth
    panel: PanelTruth
    effects: EffectsTruth
    staff: StaffTruth
    economics: EconomicsTruth
    graduates: GraduatesTruth
    mess: MessTruth

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-friendly values (dates as ISO text), in the shape of ``truth.yaml``."""
        return _plain(dataclasses.asdict(self))

    def scaled_to(self, students: int) -> Truth:
        """The same district with ``students`` students; program counts scale with it."""
        if students < 200:
            raise TruthError(f"students: {students} is too few for a TK-12 district (min 200)")
        factor = students / self.district.students

        def count(value: float) -> int:
            return max(1, round(value * factor))

        rollout = self.rollout
        scaled_rollout = dataclasses.replace(
            rollout,
            champions=dataclasses.replace(rollout.champions, count=count(rollout.champions.count)),
            early_adopters=dataclasses.replace(
                rollout.early_adopters, count=count(rollout.early_adopters.count)
            ),
            year1_waves=tuple(
                dataclasses.replace(
                    wave,
                    students=max(self.program.team_size_min, count(wave.students)),
                    girls_only_teams=round(wave.girls_only_teams * factor),
                )
                for wave in rollout.year1_waves
            ),
            students_by_year={
                year: max(self.program.team_size_min, count(value))
                for year, value in rollout.students_by_year.items()
            },
        )
        effects = dataclasses.replace(
            self.effects,
            knowledge_comparison_students=count(self.effects.knowledge_comparison_students),
            comparison_survey_students=count(self.effects.comparison_survey_students),
        )
        return dataclasses.replace(
            self,
            district=dataclasses.replace(self.district, students=students),
            rollout=scaled_rollout,
            panel=dataclasses.replace(self.panel, reviewers=max(4, count(self.panel.reviewers))),
            effects=effects,
        )


def _plain(value: Any) -> Any:
    if isinstance(value, dict | types.MappingProxyType):
        return {str(k) if isinstance(k, dt.date) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
