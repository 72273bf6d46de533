"""The claims registry: the shipped one is complete, and a bad entry names itself."""

from __future__ import annotations

import copy

import pytest
import yaml

from models.scorecard import load_registry, parse_registry
from models.scorecard.registry import registry_path
from models.scorecard.score import resolve_estimator

#: The effect claims' ids, which reports, grant statements and partners' scripts cite.
STABLE_IDS = (
    "female_retention_girls_only",
    "near_peer_knowledge_retention",
    "graduated_exposure_competency",
    "sandbox_confidence_gain",
    "champion_adoption_speed",
    "train_the_trainer_scale",
    "after_action_review_speedup",
    "early_failure_long_term_adoption",
    # read by the benefit-cost model from results.claim_estimates
    "teacher_retention_trained",
    "certified_graduate_wage_premium",
)


@pytest.fixture(scope="module")
def shipped() -> dict:
    return yaml.safe_load(registry_path().read_text(encoding="utf-8"))


def test_the_shipped_registry_keeps_every_stable_id():
    assert set(STABLE_IDS) <= set(load_registry().ids)


def test_every_estimator_the_registry_names_exists():
    for claim in load_registry().claims:
        for spec in (claim.estimator, claim.naive):
            if spec is not None:
                resolve_estimator(spec.function)


def test_every_claim_frame_has_its_query():
    frames = registry_path().parent.parent / "pipelines" / "scorecard" / "frames"
    for claim in load_registry().claims:
        if claim.estimator is not None:
            assert (frames / f"{claim.frame}.sql").exists(), claim.id
        if claim.naive is not None and claim.naive.frame:
            assert (frames / f"{claim.naive.frame}.sql").exists(), claim.id


def test_the_milestones_are_the_roadmaps(shipped):
    months = {
        (c.frame_parameters["metric"], c.frame_parameters["month"]): c.claimed.value
        for c in load_registry().claims
        if c.frame == "milestone"
    }
    assert months == {
        ("administrators_trained_share", 2): 1.0,
        ("champions_trained", 3): 20,
        ("teachers_trained", 6): 70,
        ("students_in_teams", 6): 50,
        ("faculty_baseline_share", 9): 1.0,
        ("students_in_teams", 9): 100,
        ("teachers_trained", 15): 200,
        ("students_in_teams", 15): 250,
    }


def _with(shipped: dict, **changes) -> dict:
    data = copy.deepcopy(shipped)
    data["claims"][0].update(changes)
    return data


def test_an_unknown_document_is_refused_naming_the_claim(shipped):
    bad = _with(shipped, source={"document": "press_release", "quote": "x"})
    with pytest.raises(ValueError, match="claim female_retention_girls_only: source.document"):
        parse_registry(bad)


def test_a_claimed_ratio_on_the_wrong_side_of_no_effect_is_refused(shipped):
    bad = _with(shipped, claimed={"kind": "ratio", "value": 0.5, "direction": "higher"})
    with pytest.raises(ValueError, match="claimed.value 0.5 is not higher than no effect"):
        parse_registry(bad)


def test_a_claim_without_an_estimator_must_say_why(shipped):
    bad = _with(shipped, estimator=None, naive=None)
    with pytest.raises(ValueError, match="an estimator is required"):
        parse_registry(bad)


def test_a_duplicate_id_is_refused(shipped):
    data = copy.deepcopy(shipped)
    data["claims"].append(copy.deepcopy(data["claims"][0]))
    with pytest.raises(ValueError, match="the id is used twice"):
        parse_registry(data)


def test_an_unknown_field_is_refused(shipped):
    with pytest.raises(ValueError, match="unknown field 'claimed_value'"):
        parse_registry(_with(shipped, claimed_value=5))
