"""The seed audit finds each contradiction of the documents by arithmetic on their facts."""

from __future__ import annotations

import copy

import yaml

from models.scorecard import audit, load_registry, parse_registry
from models.scorecard.registry import registry_path


def finding(rule: str, registry=None):
    result = audit(registry or load_registry())
    return next(f for f in result.findings if f.rule == rule)


def test_every_contradiction_the_documents_hold_is_found():
    contradictions = {f.rule for f in audit(load_registry()).contradictions}
    assert contradictions == {
        "students_served",
        "teachers_trained",
        "seats_for_students",
        "team_size",
        "certificate_rules",
        "return_multiple",
        "benefit_streams",
    }


def test_the_return_multiple_shows_its_arithmetic():
    assert finding("return_multiple").arithmetic == (
        "$9.25M / $350K = 26.4x, not 13x (13x of $350K would be $4.55M)"
    )


def test_the_seats_are_counted_from_teams_and_their_size():
    assert finding("seats_for_students").arithmetic.startswith(
        "8 teams of 10-12 seat 80-96 students, not 250+"
    )


def test_each_finding_quotes_both_sides():
    students = finding("students_served")
    assert [d for d, _ in students.quotes] == ["grant_narrative", "competency_framework"]


def test_a_finding_follows_the_facts_not_typed_in_prose():
    data = yaml.safe_load(registry_path().read_text(encoding="utf-8"))
    fixed = copy.deepcopy(data)
    for fact in fixed["facts"]:
        if fact["id"] == "return_multiple":
            fact["value"] = 26.4
    assert finding("return_multiple", parse_registry(fixed)).consistent
