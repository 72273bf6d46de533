"""mart.team_fidelity: the program held against its plan, team by team and year by year."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.warehouse.marts import load_team_fidelity


@pytest.fixture(scope="module")
def fidelity(synthetic_warehouse):
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        return load_team_fidelity(con).frame


def test_every_team_year_with_a_session_has_a_row(fidelity, synthetic_warehouse):
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        expected = con.execute(
            "SELECT count(DISTINCT (team_id, _school_year)) FROM core.session_attendance"
        ).fetchone()[0]
    assert len(fidelity) == expected


def test_sessions_held_never_exceed_the_plan(fidelity):
    assert (fidelity.sessions_held <= fidelity.planned_sessions).all()


def test_holiday_weeks_do_not_count_as_sessions_missed(fidelity):
    # The synthetic teams meet every week the school is in session, winter break aside:
    # weeks spanned from first to last session are more than the weeks planned.
    spanned = (fidelity.last_session_date - fidelity.first_session_date).dt.days // 7 + 1
    assert (spanned > fidelity.planned_sessions).any()
    assert fidelity.sessions_held_share.min() == 1.0


def test_panels_and_briefs_are_counted_within_the_quarters_a_team_met(fidelity):
    assert (fidelity.quarters_with_panel <= fidelity.quarters_active).all()
    assert (fidelity.quarters_with_brief <= fidelity.quarters_active).all()
    assert fidelity.quarters_active.between(1, 4).all()


def test_attendance_is_a_share_of_the_records(fidelity):
    assert fidelity.attendance_rate.between(0, 1).all()
    assert (fidelity.attended_sessions <= fidelity.student_sessions).all()
