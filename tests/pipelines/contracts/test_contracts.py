"""The contracts in data/schemas load, agree with each other and keep the privacy rules."""

from __future__ import annotations

import re

import duckdb
import pytest

from pipelines.contracts import (
    SCHEMA_DIR,
    ContractError,
    header_key,
    load_contracts,
    load_order,
)
from pipelines.ingest.columns import infer_kind
from pipelines.sql_text import quote_ident

#: Columns that hold a person's name or e-mail wherever they appear.
NAME_AND_EMAIL_COLUMNS = {"first_name", "middle_name", "last_surname", "electronic_mail_address"}


@pytest.fixture(scope="module")
def contracts():
    return load_contracts(SCHEMA_DIR)


def all_columns(contracts):
    return [(kind, column) for kind, c in contracts.items() for column in c.columns]


def test_every_contract_file_loads(contracts):
    assert set(contracts) == {path.stem for path in SCHEMA_DIR.glob("*.yaml")}


def test_kind_equals_file_name(contracts):
    for kind, contract in contracts.items():
        assert contract.path.name == f"{kind}.yaml"


def test_load_order_puts_students_before_session_attendance(contracts):
    order = load_order(contracts)
    assert order.index("students") < order.index("session_attendance")


def test_load_order_puts_staff_before_teams_before_memberships(contracts):
    order = load_order(contracts)
    assert order.index("staff") < order.index("studio_teams") < order.index("team_memberships")


def test_pseudonymized_columns_are_varchar(contracts):
    for kind, column in all_columns(contracts):
        if column.is_pseudonymized:
            assert column.type == "varchar", f"{kind}.{column.name}"


def test_names_and_emails_are_dropped(contracts):
    named = [(k, c) for k, c in all_columns(contracts) if c.name in NAME_AND_EMAIL_COLUMNS]
    assert named, "no contract declares a name or e-mail column"
    for kind, column in named:
        assert column.privacy == "direct_identifier", f"{kind}.{column.name}"
        assert column.handling == "drop", f"{kind}.{column.name}"


def test_foreign_keys_point_to_existing_columns(contracts):
    for kind, column in all_columns(contracts):
        if column.references:
            target = contracts[column.referenced_kind]
            assert column.referenced_column in target.column_names, f"{kind}.{column.name}"


def test_foreign_keys_point_to_the_leading_column_of_a_primary_key(contracts):
    # Ingestion checks that some loaded row holds the referenced id. A kind kept one row
    # per entity and year (the yearly rosters) leads its key with the entity's id.
    for kind, column in all_columns(contracts):
        if column.references:
            target = contracts[column.referenced_kind]
            assert target.primary_key[0] == column.referenced_column, f"{kind}.{column.name}"


def test_foreign_keys_and_their_targets_are_pseudonymized_alike(contracts):
    # A pseudonymized id only joins to another pseudonymized id.
    for kind, column in all_columns(contracts):
        if column.references:
            target = contracts[column.referenced_kind].column(column.referenced_column)
            assert column.is_pseudonymized == target.is_pseudonymized, f"{kind}.{column.name}"


def test_header_spellings_name_one_column_per_kind(contracts):
    for kind, contract in contracts.items():
        owner: dict[str, str] = {}
        for column in contract.columns:
            for header in {header_key(h) for h in (column.name, *column.aliases)}:
                assert owner.setdefault(header, column.name) == column.name, (
                    f"{kind}: header {header!r} names both {owner[header]} and {column.name}"
                )


def test_a_header_of_a_kinds_own_columns_is_inferred_as_that_kind(contracts):
    for kind, contract in contracts.items():
        assert infer_kind(contracts, list(contract.column_names), f"{kind}.csv") == kind


def test_allowed_values_are_lowercase_codes(contracts):
    # Ingestion lower-cases and trims a file's codes before it compares them.
    for kind, column in all_columns(contracts):
        for value in column.allowed or ():
            assert re.fullmatch(r"[a-z0-9_]+", value), f"{kind}.{column.name}: {value!r}"


def test_row_rules_are_valid_sql_over_the_typed_columns(contracts):
    for kind, contract in contracts.items():
        with duckdb.connect() as con:
            typed = ", ".join(
                f"{quote_ident(c.name)} {c.sql_type}" for c in contract.stored_columns
            )
            con.execute(f"CREATE TABLE typed ({typed})")
            for rule in contract.row_rules:
                sql = f"SELECT count(*) FROM typed WHERE COALESCE(({rule.failing_when}), false)"
                assert con.execute(sql).fetchone() == (0,), f"{kind}: {rule.name}"


#: One bad row per row rule of the program's kinds: (kind, rule) -> the values that break it.
BAD_ROWS = {
    ("staff", "exit_not_before_hire"): {"hire_date": "2020-08-15", "exit_date": "2019-06-30"},
    ("studio_teams", "disbanded_not_before_formed"): {
        "formed_date": "2024-09-03",
        "disbanded_date": "2024-06-01",
    },
    ("team_memberships", "end_not_before_start"): {
        "start_date": "2024-09-03",
        "end_date": "2024-09-01",
    },
    ("team_memberships", "exit_reason_needs_end_date"): {"exit_reason": "lost_interest"},
    ("mentorship_pairs", "mentor_is_not_mentee"): {
        "mentor_student_unique_id": "a1",
        "mentee_student_unique_id": "a1",
    },
    ("client_projects", "delivered_not_before_brief"): {
        "brief_received_date": "2024-10-01",
        "delivered_date": "2024-09-30",
    },
    ("client_projects", "signoff_date_needs_signoff"): {"signoff_date": "2024-12-01"},
    ("micro_internships", "end_not_before_start"): {
        "start_date": "2025-06-10",
        "end_date": "2025-06-09",
    },
    ("teacher_training", "completion_not_before_start"): {
        "start_date": "2023-08-14",
        "completion_date": "2023-08-01",
    },
    ("knowledge_assessments", "score_not_above_max"): {"score": 101, "max_score": 100},
}


@pytest.mark.parametrize(("kind", "rule_name"), sorted(BAD_ROWS))
def test_row_rule_holds_back_its_bad_row_and_passes_an_empty_one(contracts, kind, rule_name):
    contract = contracts[kind]
    (rule,) = [r for r in contract.row_rules if r.name == rule_name]
    columns = contract.stored_columns
    with duckdb.connect() as con:
        typed = ", ".join(f"{quote_ident(c.name)} {c.sql_type}" for c in columns)
        con.execute(f"CREATE TABLE typed ({typed})")
        bad = BAD_ROWS[(kind, rule_name)]
        con.execute(
            "INSERT INTO typed VALUES (" + ", ".join("?" for _ in columns) + ")",
            [bad.get(c.name) for c in columns],
        )
        con.execute("INSERT INTO typed DEFAULT VALUES")
        sql = f"SELECT count(*) FROM typed WHERE COALESCE(({rule.failing_when}), false)"
        assert con.execute(sql).fetchone() == (1,)


def test_direct_identifier_without_handling_is_rejected(tmp_path):
    (tmp_path / "broken.yaml").write_text(
        "kind: broken\n"
        "version: 1\n"
        "title: Broken\n"
        "description: A contract with an identifier that says nothing about its handling.\n"
        "grain: one row per student\n"
        "primary_key: [student_unique_id]\n"
        "columns:\n"
        "  - name: student_unique_id\n"
        "    type: varchar\n"
        "    required: true\n"
        "    privacy: direct_identifier\n"
        "    description: The student's number.\n",
        encoding="utf-8",
    )
    with pytest.raises(ContractError, match="handling"):
        load_contracts(tmp_path)
