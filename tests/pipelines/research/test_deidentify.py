"""Per-partner keys and date handling: joins kept inside an extract, links between
partners' extracts broken, dates moved or coarsened as configured."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipelines.research.deidentify import (
    apply_date_policy,
    partner_key,
    rekey,
    shift_days_by_person,
)

DISTRICT_KEY = b"district key for tests, 32 chars"
PSEUDONYMS = pd.Series(["a1b2c3", "d4e5f6", "a1b2c3", None])


def test_a_partner_gets_the_same_ids_every_time_and_joins_survive():
    key = partner_key(DISTRICT_KEY, "state-university")
    first, again = rekey(PSEUDONYMS, key), rekey(PSEUDONYMS, key)
    assert first.tolist() == again.tolist()
    assert first[0] == first[2] and first[0] != first[1]
    assert first[3] is None


def test_two_partners_ids_share_nothing_and_none_is_the_warehouse_pseudonym():
    one = rekey(PSEUDONYMS, partner_key(DISTRICT_KEY, "state-university"))
    other = rekey(PSEUDONYMS, partner_key(DISTRICT_KEY, "city-college"))
    assert set(one.dropna()).isdisjoint(other.dropna())
    assert set(one.dropna()).isdisjoint(PSEUDONYMS.dropna())


def test_partner_names_differing_in_case_share_a_key():
    assert partner_key(DISTRICT_KEY, "State-University") == partner_key(
        DISTRICT_KEY, "state-university"
    )


def test_month_and_year_coarsen_to_their_first_day():
    dates = pd.Series(pd.to_datetime(["2025-09-17", "2026-02-28", None]))
    month = apply_date_policy(dates, "month")
    year = apply_date_policy(dates, "year")
    assert month.dt.date.tolist()[:2] == [dt.date(2025, 9, 1), dt.date(2026, 2, 1)]
    assert year.dt.date.tolist()[:2] == [dt.date(2025, 1, 1), dt.date(2026, 1, 1)]
    assert month.isna().tolist() == [False, False, True]


def test_a_shift_moves_all_of_a_persons_dates_alike_within_the_bound():
    persons = pd.Series(["p1", "p1", "p2"] * 50 + [f"q{i}" for i in range(200)])
    offsets = shift_days_by_person(persons, b"partner key", 30)
    assert offsets[0] == offsets[1] == offsets[3]
    assert offsets.abs().between(1, 30).all()
    dates = pd.Series(
        pd.to_datetime(["2026-01-10", "2026-03-01", "2026-01-10"] * 50 + ["2026-05-05"] * 200)
    )
    shifted = apply_date_policy(dates, "shift", offsets=offsets)
    # The interval between one person's two dates survives the shift.
    assert (shifted[1] - shifted[0]) == (dates[1] - dates[0])
