"""k-anonymity: rare combinations generalised, the analyses' columns touched last, and
every combination shared by at least k people afterwards."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.research.k_anonymity import OTHER, k_anonymise, rows_at_risk


def people(sexes: list[str], races: list[str], frl: list[bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "student": [f"s{i:02d}" for i in range(len(sexes))],
            "sex": sexes,
            "race": races,
            "frl": frl,
        }
    )


@pytest.fixture
def twelve_students() -> pd.DataFrame:
    """Six girls and six boys; race mostly a or b, one c and one d; FRL for all but one."""
    return people(
        ["female"] * 6 + ["male"] * 6,
        ["a", "a", "a", "b", "b", "c", "a", "a", "a", "b", "b", "d"],
        [True] * 11 + [False],
    )


def test_a_table_already_k_anonymous_is_left_as_it_is(twelve_students):
    result = k_anonymise(twelve_students, person="student", quasi_identifiers=["sex"], k=6)
    assert result.steps == ()
    assert result.smallest_group == 6
    pd.testing.assert_frame_equal(result.frame, twelve_students)


def test_rare_categories_are_merged_into_other_before_anything_is_withheld(twelve_students):
    result = k_anonymise(twelve_students, person="student", quasi_identifiers=["race"], k=2)
    assert [s.column for s in result.steps] == ["race"]
    assert result.steps[0].rows_changed == 2
    assert result.frame["race"].tolist().count(OTHER) == 2  # c and d, now two people


def test_an_unread_column_is_withheld_before_a_column_the_analyses_read(twelve_students):
    result = k_anonymise(
        twelve_students,
        person="student",
        quasi_identifiers=["sex", "race", "frl"],
        k=3,
        protected={"sex"},
        suppression_limit=0,
    )
    assert result.frame["sex"].tolist() == twelve_students["sex"].tolist()
    assert "race" in result.changed_columns
    assert not rows_at_risk(result.frame, "student", ["sex", "race", "frl"], 3).any()


def test_after_generalising_every_combination_is_shared_by_k_people(twelve_students):
    result = k_anonymise(
        twelve_students, person="student", quasi_identifiers=["sex", "race", "frl"], k=4
    )
    assert result.smallest_group >= 4
    assert not rows_at_risk(result.frame, "student", ["sex", "race", "frl"], 4).any()


def test_withheld_rows_are_padded_to_k_people_from_the_largest_group():
    # 12 teachers: 11 share one value, one is the only "x"; k = 3 withholds the lone
    # value and two more from the large group, so the withheld rows describe three people.
    frame = pd.DataFrame({"teacher": [f"t{i:02d}" for i in range(12)], "sex": ["f"] * 11 + ["x"]})
    result = k_anonymise(frame, person="teacher", quasi_identifiers=["sex"], k=3, protected={"sex"})
    assert result.frame["sex"].isna().sum() == 3
    assert result.frame.loc[11, "sex"] is None or pd.isna(result.frame.loc[11, "sex"])
    assert result.smallest_group == 3


def test_a_person_with_many_rows_counts_once():
    # Two people with five rows each do not make a group of ten.
    frame = pd.DataFrame({"student": ["s1"] * 5 + ["s2"] * 5, "race": ["a"] * 10})
    assert rows_at_risk(frame, "student", ["race"], 3).all()


def test_k_below_two_is_refused(twelve_students):
    with pytest.raises(ValueError, match="at least 2"):
        k_anonymise(twelve_students, person="student", quasi_identifiers=["sex"], k=1)
