"""Checks compiled from a contract: one per rule, in a stable order."""

from pipelines.contracts import load_contracts
from pipelines.ingest.validate.checks import compile_checks


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
