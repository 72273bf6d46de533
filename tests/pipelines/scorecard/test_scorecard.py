"""The scorecard on the synthetic district: every claim scored, stored, and read back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from models.scorecard import load_registry
from models.scorecard.verdict import VERDICTS
from pipelines.cli import main
from pipelines.scorecard import read_claim_estimates, run_scorecard, store_scorecard

JSON_FIELDS = {
    "id",
    "verdict",
    "claimed",
    "estimate",
    "ci_lower",
    "ci_upper",
    "n",
    "method",
    "mde",
    "p_value_adjusted",
    "evidence_tier",
}


@pytest.fixture(scope="module")
def scored(synthetic_warehouse):
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        return run_scorecard(con)


@pytest.fixture
def warehouse_copy(synthetic_warehouse, tmp_path) -> Path:
    """A copy of the synthetic warehouse a test may write to."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(synthetic_warehouse.db, copy)
    return copy


def by_id(run) -> dict:
    return {e.claim_id: e for e in run.scorecard.estimates}


def test_every_claim_of_the_registry_gets_a_known_verdict(scored):
    estimates = by_id(scored)
    assert set(estimates) == set(load_registry().ids)
    assert {e.verdict for e in estimates.values()} <= set(VERDICTS)


def test_every_effect_claim_carries_its_n_interval_and_method(scored):
    for claim_id in (
        "female_retention_girls_only",
        "near_peer_knowledge_retention",
        "champion_adoption_speed",
        "after_action_review_speedup",
    ):
        estimate = by_id(scored)[claim_id]
        assert estimate.n > 0 and estimate.method != "none", estimate
        assert estimate.ci_lower < estimate.estimate < estimate.ci_upper, estimate
        assert estimate.mde is not None and estimate.p_value_adjusted is not None


def test_the_realistic_district_does_not_support_five_times_the_girls(scored):
    # Its truth is a ratio of 1.6: whatever the verdict, 5x is not "consistent".
    assert by_id(scored)["female_retention_girls_only"].verdict != "consistent"


def test_a_naive_comparison_stands_beside_the_adjusted_one(scored):
    estimate = by_id(scored)["champion_adoption_speed"]
    assert estimate.naive_estimate is not None
    assert estimate.naive_method != estimate.method


def test_the_milestones_are_census_counts_without_intervals(scored):
    champions = by_id(scored)["milestone_champions_month_3"]
    assert (champions.estimate, champions.ci_lower, champions.verdict) == (20.0, None, "consistent")


def test_the_ten_year_return_is_left_to_the_benefit_cost_model(scored):
    estimate = by_id(scored)["ten_year_return"]
    assert estimate.verdict == "untestable"
    assert "benefit-cost model" in estimate.verdict_reason


def test_the_benefit_streams_carry_an_estimate_and_interval_for_the_benefit_cost_model(scored):
    retention = by_id(scored)["teacher_retention_trained"]
    premium = by_id(scored)["certified_graduate_wage_premium"]
    for estimate in (retention, premium):
        assert estimate.ci_lower < estimate.estimate < estimate.ci_upper, estimate
    # About 850 teacher-years cannot tell a 12% cut in exits from none.
    assert retention.verdict == "inconclusive" and retention.clusters < retention.n
    assert premium.verdict == "descriptive" and premium.claimed is None


def test_a_stored_scorecard_reads_back_with_its_state(scored, warehouse_copy):
    with duckdb.connect(str(warehouse_copy)) as con:
        run_id = store_scorecard(con, scored)
        stored = read_claim_estimates(con)
    assert set(stored.run_id) == {run_id}
    assert len(stored) == len(scored.scorecard.estimates)
    assert stored.as_of_batch_id.iloc[0] == scored.as_of_batch_id
    versions = json.loads(stored.package_versions.iloc[0])
    assert "statsmodels" in versions


def test_the_command_prints_json_with_the_stable_fields(warehouse_copy):
    result = CliRunner().invoke(
        main,
        [
            "claims",
            "--db",
            str(warehouse_copy),
            "--format",
            "json",
            "--claim",
            "milestone_students_month_6",
        ],
    )
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert set(record) >= JSON_FIELDS
    assert (record["id"], record["verdict"]) == ("milestone_students_month_6", "consistent")
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM results.claim_estimates").fetchone() == (1,)


def test_an_unknown_claim_is_one_line_and_exit_2(warehouse_copy):
    result = CliRunner().invoke(
        main, ["claims", "--db", str(warehouse_copy), "--claim", "ten_times_better"]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --claim: no claim 'ten_times_better' in the registry; "
        "see `outcomes claims --list` for the claims' ids"
    ]


def test_the_audit_lists_the_documents_contradictions():
    result = CliRunner().invoke(main, ["claims", "--audit", "--format", "json"])
    assert result.exit_code == 0, result.output
    rules = {f["rule"] for f in json.loads(result.stdout) if not f["consistent"]}
    assert {"students_served", "return_multiple", "seats_for_students"} <= rules


def test_student_effect_claims_are_told_by_attendance_tier(scored):
    tiers = by_id(scored)["after_action_review_speedup"].dose_response
    assert [t.tier for t in tiers] == ["low", "moderate", "high"]
    assert sum(t.n for t in tiers) == by_id(scored)["after_action_review_speedup"].n


def test_a_tier_with_few_members_is_inconclusive_whatever_its_estimate(scored):
    for estimate in scored.scorecard.estimates:
        for tier in estimate.dose_response:
            if 0 < tier.n < load_registry().claim(estimate.claim_id).minimum_n:
                assert tier.verdict == "inconclusive", (estimate.claim_id, tier)


def test_fidelity_without_guest_mentor_records_says_what_is_missing(scored):
    guests = by_id(scored)["fidelity_guest_mentors"]
    assert guests.verdict == "untestable"
    assert "no source kind records guest mentor sessions" in guests.verdict_reason


def test_a_level_with_no_comparison_earns_no_evidence_tier(scored):
    assert by_id(scored)["portfolios_at_standard"].evidence_tier is None


def test_the_dose_response_is_stored_beside_the_claims(scored, warehouse_copy):
    from pipelines.scorecard import read_dose_response

    with duckdb.connect(str(warehouse_copy)) as con:
        store_scorecard(con, scored)
        tiers = read_dose_response(con)
    assert set(tiers.claim_id) == {
        "female_retention_girls_only",
        "near_peer_knowledge_retention",
        "after_action_review_speedup",
    }
    assert list(tiers[tiers.claim_id == "after_action_review_speedup"].tier) == [
        "low",
        "moderate",
        "high",
    ]


def test_the_solutions_design_is_checked_team_by_team_and_internship_by_internship(scored):
    teams, internships = (
        by_id(scored)["teams_of_ten_to_twelve"],
        by_id(scored)["internships_ten_to_twenty_hours"],
    )
    assert teams.design == internships.design == "census"
    assert 0 <= teams.estimate <= 1 and 0 <= internships.estimate <= 1
    assert internships.n > 0


def test_a_scorecard_as_of_an_earlier_batch_records_that_state(warehouse_copy):
    result = CliRunner().invoke(
        main,
        ["claims", "--db", str(warehouse_copy), "--as-of", "20", "--claim",
         "milestone_champions_month_3", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        stored = read_claim_estimates(con)
    assert (stored.as_of.iloc[0], stored.as_of_batch_id.iloc[0]) == ("20", 20)


def test_a_bad_as_of_is_one_line_and_exit_2(warehouse_copy):
    result = CliRunner().invoke(main, ["claims", "--db", str(warehouse_copy), "--as-of", "banana"])
    assert result.exit_code == 2
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith("error: --as-of: 'banana' is neither a batch id nor a date")
    )
