"""estimate_effect on the synthetic district: the certified graduates' wage premium."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from models.effects import estimate_effect
from pipelines.synth import load_truth
from pipelines.warehouse.marts import load_mart


@pytest.fixture(scope="module")
def wages(synthetic_warehouse):
    """One row per surveyed follow-up with a wage: log hourly wage, certificate, prior GPA."""
    with duckdb.connect(str(synthetic_warehouse.db), read_only=True) as con:
        frame = load_mart(con, "graduate_outcomes").frame
    frame = frame[frame.hourly_wage_usd.notna() & frame.prior_gpa.notna()].copy()
    frame["log_wage"] = np.log(frame.hourly_wage_usd)
    frame["certified"] = frame.certificate_earned.astype(int)
    return frame


def test_adjusting_for_prior_gpa_recovers_the_districts_certified_wage_premium(wages):
    truth = load_truth(None).graduates.certified_wage_premium
    result = estimate_effect(
        wages,
        treatment="certified",
        outcome="log_wage",
        covariates=["prior_gpa"],
        estimand="ATT",
        cluster="student_unique_id",
    )
    term = result.term("ATT")
    assert term.ci_lower < truth < term.ci_upper


def test_the_naive_wage_gap_overstates_the_premium(wages):
    truth = load_truth(None).graduates.certified_wage_premium
    naive = estimate_effect(
        wages,
        treatment="certified",
        outcome="log_wage",
        covariates=["prior_gpa"],
        method="difference",
        cluster="student_unique_id",
    )
    adjusted = estimate_effect(
        wages,
        treatment="certified",
        outcome="log_wage",
        covariates=["prior_gpa"],
        method="regression",
        estimand="ATT",
        cluster="student_unique_id",
    )
    # Graduates with higher prior GPA both earn more and certify more often.
    assert naive.estimate > adjusted.estimate
    assert adjusted.term("ATT").ci_lower < truth < adjusted.term("ATT").ci_upper
