"""Small cells are not published, and no total gives a hidden one away."""

from __future__ import annotations

import pandas as pd

from reports.suppression import share_range, suppress, suppress_estimates


def cells(*rows) -> pd.DataFrame:
    """(school_year, gender, value, numerator, n) rows of a count or share by gender."""
    return pd.DataFrame(rows, columns=["school_year", "gender", "value", "numerator", "n"])


def counts(*rows, by: str | None = "gender") -> pd.DataFrame:
    """A count of people by gender, as published with the default threshold of 11."""
    return suppress(cells(*rows), threshold=11, people=True, kind="count", by=by)


def test_a_count_below_the_threshold_is_suppressed_with_its_n():
    out = counts((2025, "female", 8, None, 8), (2025, "male", 40, None, 40), by=None)
    assert out["shown"].tolist() == ["suppressed", "40"]
    assert out["n"].isna().tolist() == [True, False]
    assert out["note"].iloc[0] == "suppressed: fewer than 11"


def test_a_count_of_no_one_is_published_as_zero():
    # Month 1 of the roadmap: no champion trained yet. A zero names no one, and showing it
    # "suppressed" would suggest a hidden handful.
    out = counts((2025, "female", 0, None, 0), (2025, "male", 40, None, 40), by=None)
    assert out["shown"].tolist() == ["0", "40"]
    assert not out["suppressed"].any()


def test_a_zero_is_never_the_cell_hidden_beside_a_suppressed_one():
    out = counts(
        (2025, "female", 8, None, 8),
        (2025, "male", 40, None, 40),
        (2025, "non_binary", 0, None, 0),
    )
    assert out["suppressed"].tolist() == [True, True, False]
    assert out["shown"].iloc[2] == "0"


def test_a_lone_suppressed_cell_takes_the_smallest_other_with_it():
    # Girls 8, boys 40, non-binary 15: with the total published, hiding only the 8 would
    # let anyone subtract; the 15 goes too.
    out = counts(
        (2025, "female", 8, None, 8),
        (2025, "male", 40, None, 40),
        (2025, "non_binary", 15, None, 15),
    )
    assert out["suppressed"].tolist() == [True, False, True]
    assert out["note"].iloc[2] == "suppressed: would reveal a suppressed cell through the total"


def test_two_suppressed_cells_need_no_third():
    out = counts((2025, "a", 5, None, 5), (2025, "b", 6, None, 6), (2025, "c", 50, None, 50))
    assert out["suppressed"].tolist() == [True, True, False]


def test_each_school_year_is_protected_on_its_own():
    out = counts(
        (2024, "female", 9, None, 9),
        (2024, "male", 30, None, 30),
        (2025, "female", 20, None, 20),
        (2025, "male", 30, None, 30),
    )
    assert out["suppressed"].tolist() == [True, True, False, False]


def test_a_share_of_a_handful_is_shown_as_a_range():
    # 3 of 50 girls: "6%" would name three people; below 22% (11 of 50) does not.
    assert share_range(3, 50, 11) == "below 22%"
    assert share_range(45, 50, 11) == "above 78%"
    assert share_range(25, 50, 11) is None


def test_a_share_shown_as_a_range_loses_its_exact_value_but_keeps_its_n():
    out = suppress(
        cells((2025, None, 0.06, 3, 50)), threshold=11, people=True, kind="share", by=None
    )
    assert out["shown"].iloc[0] == "below 22%"
    assert out["value"].isna().iloc[0] and out["numerator"].isna().iloc[0]
    assert out["n"].iloc[0] == 50


def test_numbers_not_about_people_are_published_whole():
    out = suppress(
        cells((2025, None, 2500.0, None, 2)), threshold=11, people=False, kind="sum", by=None
    )
    assert out["shown"].iloc[0] == "2,500"
    assert not out["suppressed"].iloc[0]


def estimates(*rows) -> pd.DataFrame:
    """(claim_id, tier, estimate, ci_lower, ci_upper, n) rows of stored estimates."""
    columns = ["claim_id", "tier", "estimate", "ci_lower", "ci_upper", "n"]
    return pd.DataFrame(rows, columns=columns)


def test_an_estimate_over_too_few_loses_its_numbers_and_takes_the_smallest_other():
    out = suppress_estimates(
        estimates(
            ("c", "low", 1.9, 1.8, 2.1, 2),
            ("c", "moderate", 1.3, 1.2, 1.3, 69),
            ("c", "high", 1.3, 1.2, 1.3, 372),
        ),
        threshold=11,
        group="claim_id",
    )
    assert out["suppressed"].tolist() == [True, True, False]
    assert out["note"].tolist() == [
        "suppressed: fewer than 11",
        "suppressed: would reveal a suppressed cell through the total",
        "",
    ]
    assert out["estimate"].isna().tolist() == [True, True, False]
    assert out["n"].isna().tolist() == [True, True, False]


def test_an_estimate_over_no_cases_hides_nothing_and_takes_no_neighbour():
    out = suppress_estimates(
        estimates(("c", "low", None, None, None, 0), ("c", "high", 2.4, 1.9, 3.1, 170)),
        threshold=11,
        group="claim_id",
    )
    assert out["suppressed"].tolist() == [False, False]
    assert out["n"].tolist() == [0, 170]
