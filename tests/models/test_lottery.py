"""A blocked lottery: seats shared by largest remainder, reproducible from its seed, re-drawn
until the groups are balanced."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from models.effects.balance import standardized_difference
from models.lottery import (
    ALL_APPLICANTS,
    Lottery,
    LotteryUnbalanced,
    allocate_seats,
    draw_lottery,
)
from models.results import TIDY_COLUMNS


def applicants(n: int = 120, *, seed: int = 1) -> pd.DataFrame:
    """Applicants in grades 9 to 12 with a GPA, a 0/1 flag and a sex, ids in no order."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "student": [f"S{i:04d}" for i in rng.permutation(n)],
            "grade": rng.choice(["9", "10", "11", "12"], size=n, p=[0.4, 0.3, 0.2, 0.1]),
            "gpa": rng.normal(3.0, 0.5, size=n).round(2),
            "frl": rng.random(n) < 0.35,
            "sex": rng.choice(["female", "male"], size=n),
        }
    )


def test_allocation_is_proportional_with_the_leftover_seats_to_the_largest_remainders():
    # Quotas 5.0, 3.5, 1.5: whole parts 5, 3, 1; one seat left, an exact tie of remainders
    # goes to the larger block.
    assert allocate_seats({"9": 10, "10": 7, "11": 3}, 10) == {"9": 5, "10": 4, "11": 1}


def test_allocation_gives_a_leftover_seat_to_the_largest_remainder_not_the_largest_block():
    # Quotas 7 * 6 / 13 = 3.23 and 7 * 4 / 13 = 2.15 and 7 * 3 / 13 = 1.62.
    assert allocate_seats({"a": 6, "b": 4, "c": 3}, 7) == {"a": 3, "b": 2, "c": 2}


@pytest.mark.parametrize("seats", [1, 17, 50, 99, 100])
def test_allocation_sums_to_the_seats_and_stays_within_one_of_each_quota(seats):
    sizes = {"9": 41, "10": 29, "11": 19, "12": 11}
    shares = allocate_seats(sizes, seats)
    assert sum(shares.values()) == seats
    for block, count in sizes.items():
        assert abs(shares[block] - seats * count / 100) < 1
        assert 0 <= shares[block] <= count


def test_allocation_refuses_more_seats_than_applicants():
    with pytest.raises(ValueError, match="between 0 and the 5 applicants"):
        allocate_seats({"9": 2, "10": 3}, 6)


def test_the_same_seed_draws_the_same_lottery():
    first = draw_lottery(applicants(), unit="student", seats=50, seed=42, blocks=["grade"],
                         covariates=["gpa", "frl", "sex"])  # fmt: skip
    second = draw_lottery(applicants(), unit="student", seats=50, seed=42, blocks=["grade"],
                          covariates=["gpa", "frl", "sex"])  # fmt: skip
    assert first.assigned == second.assigned
    assert first.draw == second.draw


def test_the_draw_does_not_depend_on_the_order_of_the_rows():
    frame = applicants()
    first = draw_lottery(frame, unit="student", seats=50, seed=42, blocks=["grade"])
    shuffled = frame.sample(frac=1, random_state=3)
    second = draw_lottery(shuffled, unit="student", seats=50, seed=42, blocks=["grade"])
    chosen = set(first.assignment_frame().query("assigned == 1").unit)
    assert chosen == set(second.assignment_frame().query("assigned == 1").unit)


def test_another_seed_draws_another_lottery():
    first = draw_lottery(applicants(), unit="student", seats=50, seed=1)
    second = draw_lottery(applicants(), unit="student", seats=50, seed=2)
    assert first.assigned != second.assigned


def test_the_assignment_reproduces_from_default_rng_as_documented():
    # No covariates: draw 1 is balanced. One block: applicants sorted by id, shuffled by
    # rng.permutation, the first `seats` assigned.
    frame = applicants(30)
    lottery = draw_lottery(frame, unit="student", seats=12, seed=2024)
    ids = sorted(frame.student)
    expected = {ids[i] for i in np.random.default_rng(2024).permutation(30)[:12]}
    assert set(lottery.assignment_frame().query("assigned == 1").unit) == expected
    assert lottery.draw == 1


def test_each_block_gets_its_allocated_seats():
    frame = applicants()
    lottery = draw_lottery(frame, unit="student", seats=50, seed=5, blocks=["grade"])
    sizes = frame.grade.value_counts()
    expected = allocate_seats({f"grade={g}": int(sizes[g]) for g in sorted(sizes.index)}, 50)
    drawn = lottery.assignment_frame().groupby("block").assigned.sum().to_dict()
    assert drawn == expected
    assert lottery.allocation_frame().set_index("block").seats.to_dict() == expected


def test_several_block_columns_form_their_combinations():
    frame = applicants()
    lottery = draw_lottery(frame, unit="student", seats=60, seed=5, blocks=["grade", "sex"])
    assert len(lottery.allocation) == 8
    assert "grade=9, sex=female" in {b.block for b in lottery.allocation}
    assert sum(b.seats for b in lottery.allocation) == 60


def test_without_blocks_every_applicant_is_in_one_block():
    lottery = draw_lottery(applicants(), unit="student", seats=60, seed=5)
    assert set(lottery.unit_blocks) == {ALL_APPLICANTS}


def test_an_unbalanced_draw_is_set_aside_for_the_next():
    # A covariate that is the first draw's assignment itself: draw 1 is as unbalanced as
    # can be, so the lottery must move on to a later draw.
    frame = applicants(60)
    first = draw_lottery(frame, unit="student", seats=30, seed=9)
    order = {unit: a for unit, a in zip(first.units, first.assigned, strict=True)}
    rigged = frame.assign(score=frame.student.map(order).astype(float) + frame.gpa / 10)
    lottery = draw_lottery(rigged, unit="student", seats=30, seed=9, covariates=["score"])
    assert lottery.draw > 1
    assert lottery.max_abs_smd <= 0.25


def test_the_chosen_draw_is_balanced_on_every_covariate_it_reports():
    frame = applicants(200)
    lottery = draw_lottery(frame, unit="student", seats=80, seed=11, blocks=["grade"],
                           covariates=["gpa", "frl", "sex"])  # fmt: skip
    assigned = np.asarray(lottery.assigned)
    gpa = standardized_difference(frame.gpa.to_numpy(), assigned)
    assert lottery.term("gpa").estimate == pytest.approx(gpa)
    assert {t.term for t in lottery.terms} == {"gpa", "frl", "sex[female]", "sex[male]"}
    assert all(abs(t.estimate) <= 0.25 for t in lottery.terms)


def test_no_balanced_draw_within_the_limit_names_the_best_one():
    # One applicant far from the 19 others: whichever group draws them, its mean moves by
    # 10 against a pooled SD of 22, |SMD| about 0.43 in every draw.
    frame = pd.DataFrame({"student": [f"s{i:02d}" for i in range(20)], "x": [0] * 19 + [100]})
    with pytest.raises(LotteryUnbalanced, match=r"no draw of 5 balanced .* draw \d, has") as e:
        draw_lottery(frame, unit="student", seats=10, seed=3, covariates=["x"], max_draws=5)
    assert e.value.draws == 5 and e.value.covariate == "x" and e.value.best_smd > 0.25


def test_a_rare_category_is_listed_as_unchecked_not_checked():
    frame = applicants(60).assign(sex=["nonbinary"] * 3 + ["female"] * 57)
    lottery = draw_lottery(frame, unit="student", seats=30, seed=1, covariates=["sex"])
    assert [t.term for t in lottery.terms] == []
    assert lottery.unchecked == (
        "sex[female]: 3 applicants on one side, fewer than 20",
        "sex[nonbinary]: 3 applicants on one side, fewer than 20",
    )


def test_missing_values_are_left_out_of_a_covariates_comparison():
    frame = applicants(100)
    frame.loc[frame.index[:40], "gpa"] = np.nan
    lottery = draw_lottery(frame, unit="student", seats=50, seed=4, covariates=["gpa"])
    known = frame.gpa.notna().to_numpy()
    expected = standardized_difference(
        frame.gpa.to_numpy()[known], np.asarray(lottery.assigned)[known]
    )
    assert lottery.term("gpa").estimate == pytest.approx(expected)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"seats": 0}, "seats must be between 1 and the 30 applicants, got 0"),
        ({"seats": 31}, "seats must be between 1 and the 30 applicants, got 31"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"max_draws": 0}, "max_draws must be at least 1"),
        ({"blocks": ["school"]}, "blocks: no column 'school'"),
    ],
)
def test_refuses_impossible_options(options, message):
    arguments = {"unit": "student", "seats": 10, "seed": 1, **options}
    with pytest.raises(ValueError, match=message):
        draw_lottery(applicants(30), **arguments)


def test_refuses_an_applicant_listed_twice():
    frame = applicants(30)
    frame.loc[5, "student"] = frame.loc[6, "student"]
    with pytest.raises(ValueError, match="applies more than once"):
        draw_lottery(frame, unit="student", seats=10, seed=1)


def test_the_result_has_the_tidy_form_and_says_how_it_was_drawn():
    lottery = draw_lottery(applicants(), unit="student", seats=50, seed=8, blocks=["grade"],
                           covariates=["gpa", "frl"])  # fmt: skip
    assert isinstance(lottery, Lottery)
    frame = lottery.to_frame()
    assert list(frame.columns) == [*TIDY_COLUMNS, "kind", "band"]
    facts = lottery.to_dict()
    assert (facts["seed"], facts["draw"], facts["seats"], facts["applicants"]) == (
        8, lottery.draw, 50, 120,
    )  # fmt: skip
    assert facts["max_abs_smd"] == pytest.approx(lottery.max_abs_smd)
    assert sum(block["seats"] for block in facts["allocation"]) == 50
    assert lottery.summary().startswith(f"seed 8, draw {lottery.draw} of at most 100: 50 of 120")


def test_no_covariates_checked_leaves_no_largest_difference():
    lottery = draw_lottery(applicants(30), unit="student", seats=10, seed=1)
    assert math.isnan(lottery.max_abs_smd)
    assert lottery.to_dict()["max_abs_smd"] is None
