"""The one result form every estimator returns."""

from __future__ import annotations

import pytest

import models
from models.results import TIDY_COLUMNS, Result, Term


@pytest.fixture
def risk_ratio() -> Result:
    return Result(
        method="log interval",
        estimand="risk ratio of girls-only to mixed",
        n=120,
        terms=(
            Term("risk_ratio", 1.6, 0.2, 1.1, 2.3, 0.012, extra=(("claimed", 5.0),)),
            Term("risk_difference", 0.25, 0.08, 0.09, 0.41, 0.002),
        ),
        warnings=("12 treated cases outside common support were dropped",),
        headline="risk_ratio",
    )


def test_the_tidy_form_starts_with_the_six_columns_and_keeps_extras_after(risk_ratio):
    frame = risk_ratio.to_frame()
    assert list(frame.columns) == [*TIDY_COLUMNS, "claimed"]
    assert frame.term.tolist() == ["risk_ratio", "risk_difference"]


def test_the_headline_term_is_the_scalar_estimate(risk_ratio):
    assert risk_ratio.estimate == 1.6
    assert risk_ratio.term("risk_difference").ci_upper == 0.41


def test_a_summary_shows_the_n_the_method_the_interval_and_the_warnings(risk_ratio):
    text = risk_ratio.summary()
    assert text.splitlines()[0] == (
        "risk ratio of girls-only to mixed — log interval (n = 120; 95% intervals)"
    )
    assert "[1.1, 2.3]" in text and "0.012" in text
    assert text.splitlines()[-1].startswith("warning: 12 treated cases")


def test_a_summary_shows_the_extra_columns_after_the_six(risk_ratio):
    header, first, second = risk_ratio.summary().splitlines()[1:4]
    assert header.split()[-1] == "claimed"
    assert first.endswith("5") and not second.endswith("5")


def test_a_term_the_data_cannot_bound_shows_dashes_not_numbers():
    result = Result("exact", "share", 3, (Term("share", 0.67),), warnings=("only 3 cases",))
    assert "—" in result.summary() and result.estimate is None


def test_results_are_frozen_and_their_dict_is_plain(risk_ratio):
    with pytest.raises(AttributeError):
        risk_ratio.n = 5
    assert risk_ratio.to_dict()["terms"][0]["claimed"] == 5.0


def test_compare_lines_results_up_side_by_side(risk_ratio):
    naive = Result(
        "difference", "risk ratio", 150, (Term("risk_ratio", 2.1),), headline="risk_ratio"
    )
    table = models.compare({"naive": naive, "adjusted": risk_ratio})
    assert table.result.tolist() == ["naive", "adjusted", "adjusted"]
    assert table.n.tolist() == [150, 120, 120]


def test_a_headline_that_is_not_a_term_is_refused():
    with pytest.raises(ValueError, match="headline 'ate' is not one of the terms"):
        Result("m", "e", 1, (Term("att", 0.1),), headline="ate")
