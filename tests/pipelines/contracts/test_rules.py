"""Checks compiled from a contract: one per rule, in a stable order."""

import duckdb

from pipelines.contracts import Column, load_contracts
from pipelines.contracts.rules import RULES, RULES_BY_NAME, compile_checks, rule_words


def test_session_attendance_compiles_to_the_expected_checks():
    checks = compile_checks(load_contracts()["session_attendance"])
    assert [c.check_id for c in checks] == [
        "student_unique_id:not_null",
        "student_unique_id:foreign_key",
        "team_id:not_null",
        "team_id:foreign_key",
        "session_date:not_null",
        "session_date:castable",
        "attendance_status:not_null",
        "attendance_status:in_set",
        "minutes_attended:castable",
        "minutes_attended:between",
        "student_unique_id+team_id+session_date:unique",
    ]


def test_required_check_reads_the_text_as_written():
    checks = {c.check_id: c for c in compile_checks(load_contracts()["session_attendance"])}
    assert checks["session_date:not_null"].failing_sql == '"session_date__text" IS NULL'
    assert checks["minutes_attended:between"].failing_sql == (
        '"minutes_attended" IS NOT NULL AND ("minutes_attended" < 0 OR "minutes_attended" > 90)'
    )


def test_every_contract_compiles():
    for contract in load_contracts().values():
        assert compile_checks(contract)[-1].rule == "unique"


def test_every_rule_checks_either_columns_or_the_whole_contract():
    for rule in RULES:
        assert (rule.of_column is None) != (rule.of_contract is None), rule.name


def test_a_rule_with_an_expectation_says_how_to_build_it():
    for rule in RULES:
        assert (rule.expectation is None) == (rule.expectation_arguments is None), rule.name


def test_checks_name_rules_of_the_registry():
    for contract in load_contracts().values():
        assert {check.rule for check in compile_checks(contract)} <= set(RULES_BY_NAME)


def test_dictionary_words_come_from_the_rules_in_their_order():
    column = Column(
        "score",
        "double",
        "Score.",
        allowed=("1", "2"),
        minimum=0,
        maximum=1_000_000_000,
        pattern=r"\d",
        references="students.student_unique_id",
    )
    assert rule_words(column) == (
        r"`1`, `2`; 0 to 1000000000; matches `\d`; must exist in `students.student_unique_id`"
    )


def test_a_column_stating_no_rule_has_no_words():
    assert rule_words(Column("note", "varchar", "Free text.")) == ""


def test_a_value_checks_reason_quotes_the_cell_as_the_file_wrote_it():
    checks = {c.check_id: c for c in compile_checks(load_contracts()["session_attendance"])}
    reason_sql = checks["minutes_attended:between"].reason_sql
    with duckdb.connect() as con:
        reason = con.execute(
            f"SELECT {reason_sql} FROM (SELECT ' 95 ' AS minutes_attended__text)"
        ).fetchone()[0]
    assert reason == "minutes_attended: ' 95 ' is outside the allowed range 0 to 90; correct it"
