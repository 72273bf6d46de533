"""Clean data is consistent: keys unique, every foreign key resolves, rules hold."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines.contracts import SCHEMA_DIR, header_key, load_contract
from pipelines.synth import load_truth, simulate_district
from pipelines.synth.kinds import KIND_COLUMNS, SIS_HEADERS

#: Primary keys of the contract plan (the students roster is one file per school year).
PRIMARY_KEYS = {
    "students": ("school_year", "student_unique_id"),
    "staff": ("staff_unique_id",),
    "studio_teams": ("team_id",),
    "team_memberships": ("student_unique_id", "team_id", "school_year", "term"),
    "session_attendance": ("student_unique_id", "team_id", "session_date"),
    "mentorship_pairs": (
        "mentor_student_unique_id",
        "mentee_student_unique_id",
        "team_id",
        "school_year",
    ),
    "client_projects": ("project_id",),
    "panel_scores": ("student_unique_id", "school_year", "quarter", "reviewer_id", "component"),
    "micro_internships": ("internship_id",),
    "certificates": ("student_unique_id", "school_year", "certificate_type"),
    "teacher_training": ("staff_unique_id", "cohort"),
    "teacher_adoption": ("staff_unique_id", "event_type", "event_date"),
    "competency_assessments": ("assessment_id",),
    "knowledge_assessments": ("assessment_id",),
    "program_costs": ("school_year", "category", "item"),
    "benefit_observations": ("observation_id",),
    "graduate_followups": ("student_unique_id", "months_after_graduation"),
}
#: (kind, column) -> (referenced kind, referenced column), from the contract plan.
FOREIGN_KEYS = {
    ("session_attendance", "student_unique_id"): ("students", "student_unique_id"),
    ("session_attendance", "team_id"): ("studio_teams", "team_id"),
    ("studio_teams", "mentor_staff_unique_id"): ("staff", "staff_unique_id"),
    ("team_memberships", "student_unique_id"): ("students", "student_unique_id"),
    ("team_memberships", "team_id"): ("studio_teams", "team_id"),
    ("mentorship_pairs", "mentor_student_unique_id"): ("students", "student_unique_id"),
    ("mentorship_pairs", "mentee_student_unique_id"): ("students", "student_unique_id"),
    ("mentorship_pairs", "team_id"): ("studio_teams", "team_id"),
    ("client_projects", "team_id"): ("studio_teams", "team_id"),
    ("panel_scores", "student_unique_id"): ("students", "student_unique_id"),
    ("panel_scores", "team_id"): ("studio_teams", "team_id"),
    ("micro_internships", "student_unique_id"): ("students", "student_unique_id"),
    ("certificates", "student_unique_id"): ("students", "student_unique_id"),
    ("teacher_training", "staff_unique_id"): ("staff", "staff_unique_id"),
    ("teacher_training", "trainer_staff_unique_id"): ("staff", "staff_unique_id"),
    ("teacher_adoption", "staff_unique_id"): ("staff", "staff_unique_id"),
    ("competency_assessments", "assessor_staff_unique_id"): ("staff", "staff_unique_id"),
    ("knowledge_assessments", "student_unique_id"): ("students", "student_unique_id"),
    ("knowledge_assessments", "team_id"): ("studio_teams", "team_id"),
    ("benefit_observations", "staff_unique_id"): ("staff", "staff_unique_id"),
    ("graduate_followups", "student_unique_id"): ("students", "student_unique_id"),
}


@pytest.fixture(scope="module")
def district():
    return simulate_district(load_truth(), seed=14)


def test_every_kind_of_the_plan_is_simulated(district):
    assert set(district.kinds) == set(PRIMARY_KEYS)
    assert all(district.kinds[kind].height > 0 for kind in PRIMARY_KEYS)


def test_primary_keys_are_unique(district):
    for kind, key in PRIMARY_KEYS.items():
        frame = district.kinds[kind]
        assert frame.select(key).is_duplicated().sum() == 0, kind
        assert frame.select(key).null_count().sum_horizontal().item() == 0, kind


def test_every_foreign_key_resolves(district):
    for (kind, column), (target, target_column) in FOREIGN_KEYS.items():
        values = district.kinds[kind][column].drop_nulls().unique()
        known = district.kinds[target][target_column].unique()
        missing = values.filter(~values.is_in(known.implode()))
        assert missing.is_empty(), f"{kind}.{column}: {missing.head(3).to_list()}"


def test_dates_are_in_order(district):
    checks = [
        ("team_memberships", "start_date", "end_date"),
        ("mentorship_pairs", "start_date", "end_date"),
        ("client_projects", "brief_received_date", "delivered_date"),
        ("micro_internships", "start_date", "end_date"),
        ("teacher_training", "start_date", "completion_date"),
        ("studio_teams", "formed_date", "disbanded_date"),
        ("staff", "hire_date", "exit_date"),
        ("students", "entry_date", "exit_date"),
    ]
    for kind, first, last in checks:
        frame = district.kinds[kind].drop_nulls([first, last])
        assert (frame[last] >= frame[first]).all(), f"{kind}: {last} before {first}"


def test_certificates_are_awarded_exactly_by_the_rules(district):
    criteria = district.internal["certificate_criteria"]
    rules = district.truth.program.certificate
    passes = (
        criteria["full_year"]
        & (criteria["client_projects_completed"] >= rules.min_client_projects)
        & (criteria["portfolio_score"].fill_null(0) >= rules.min_portfolio_score)
        & (criteria["project_types_demonstrated"] >= rules.min_project_types)
        & (~criteria["mentorship_required"] | criteria["mentorship_participation"])
        & criteria["reflection_narrative_completed"]
    )
    awarded = district.kinds["certificates"].select("student_unique_id", "school_year")
    expected = criteria.filter(passes).select("student_unique_id", "school_year")
    assert awarded.sort(pl.all()).equals(expected.sort(pl.all()))
    assert 0 < awarded.height < criteria.height


def _contracts():
    return [load_contract(path) for path in sorted(SCHEMA_DIR.glob("*.yaml"))]


def test_clean_data_meets_every_contract_written_so_far(district):
    for contract in _contracts():
        if contract.kind not in district.kinds:
            continue
        frame = district.kinds[contract.kind]
        names = contract.header_names()
        for column in KIND_COLUMNS[contract.kind]:
            header = SIS_HEADERS.get(contract.kind, {}).get(column, column)
            if column not in ("last_surname", "electronic_mail_address"):
                assert names.get(header_key(header)) == column, (contract.kind, header)
        for column in contract.stored_columns:
            if column.name not in frame.columns:
                assert not column.required, (contract.kind, column.name)
                continue
            values = frame[column.name]
            if column.required:
                assert values.null_count() == 0, (contract.kind, column.name)
            if column.allowed is not None:
                texts = set(values.drop_nulls().cast(pl.String).str.to_lowercase())
                assert texts <= set(column.allowed), (
                    contract.kind,
                    column.name,
                    texts - set(column.allowed),
                )
            if column.minimum is not None:
                assert (values.drop_nulls() >= column.minimum).all(), (contract.kind, column.name)
            if column.maximum is not None:
                assert (values.drop_nulls() <= column.maximum).all(), (contract.kind, column.name)
        connection = duckdb.connect()
        connection.register("rows", frame.to_arrow())
        for rule in contract.row_rules:
            failing = connection.execute(
                f"SELECT count(*) FROM rows WHERE COALESCE(({rule.failing_when}), false)"
            ).fetchone()[0]
            assert failing == 0, (contract.kind, rule.name)
