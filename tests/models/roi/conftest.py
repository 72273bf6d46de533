"""A small scenario built inline: the hand-checked tests change one part of it at a time."""

from __future__ import annotations

import copy

import pytest

from models.roi import load_price_index, parse_scenario


def flat_scenario() -> dict:
    """One cost of $1,000 in year 1; one stream of $300 a year from year 2; five years.

    Every input is fixed, so every draw is the same; the other three streams count nothing
    (attribution 0).
    """

    def fixed(value, **extra):
        return {"fixed": value, "source": "test", "basis": "assumption", **extra}

    def silent_stream():
        return {
            "receiver": "district",
            "factors": {"amount": fixed(0, price_year=2024)},
            "ramp": [1.0],
            "attribution": fixed(0),
            "persistence": fixed(1),
        }

    return {
        "name": "flat",
        "horizon_years": 5,
        "base_year": 2024,
        "discount_rates": [0.03, 0.07],
        "costs": {
            "launch": {
                "category": "contracts",
                "payer": "district",
                "years": [1],
                "quantity": fixed(1),
                "unit_price": fixed(1000, price_year=2024),
            }
        },
        "benefits": {
            "teacher_turnover": {
                "receiver": "district",
                "factors": {"amount": fixed(300, price_year=2024)},
                "ramp": [0.0, 1.0],
                "attribution": fixed(1),
                "persistence": fixed(1),
            },
            "graduate_earnings": {**silent_stream(), "receiver": "students"},
            "grants_attracted": silent_stream(),
            "licensing_consulting": silent_stream(),
        },
    }


@pytest.fixture
def flat_data() -> dict:
    return copy.deepcopy(flat_scenario())


@pytest.fixture
def price_index():
    return load_price_index()


@pytest.fixture
def flat(flat_data, price_index):
    return parse_scenario(flat_data, price_index=price_index)
