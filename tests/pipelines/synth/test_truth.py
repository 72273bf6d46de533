"""The truth file: defaults load, overrides deep-merge, mistakes are rejected by name."""

from __future__ import annotations

import pytest

from pipelines.synth import TruthError, load_truth


def _write(tmp_path, text: str):
    path = tmp_path / "override.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_truth_has_the_documented_true_effects():
    truth = load_truth()
    assert truth.district.students == 3500
    assert truth.program.female_retention_ratio_girls_only == 1.6
    assert truth.effects.near_peer_knowledge_retention_ratio == 1.3
    assert truth.district.teachers == 200


def test_override_changes_only_the_keys_given(tmp_path):
    path = _write(tmp_path, "program:\n  female_retention_ratio_girls_only: 1.2\n")
    default, changed = load_truth(), load_truth(path)
    assert changed.program.female_retention_ratio_girls_only == 1.2
    assert changed.program.female_retention_mixed == default.program.female_retention_mixed
    assert changed.effects == default.effects


def test_override_merges_nested_mappings_key_by_key(tmp_path):
    path = _write(tmp_path, "economics:\n  grants_by_year:\n    2025: 100000\n")
    truth = load_truth(path)
    assert truth.economics.grants_by_year[2025] == 100000
    assert truth.economics.grants_by_year[2024] == load_truth().economics.grants_by_year[2024]


def test_unknown_key_is_rejected_with_its_path(tmp_path):
    path = _write(tmp_path, "effects:\n  near_peer_ratio: 2.0\n")
    with pytest.raises(TruthError, match="effects.near_peer_ratio"):
        load_truth(path)


def test_unknown_section_is_rejected(tmp_path):
    with pytest.raises(TruthError, match="unknown truth key 'effect'"):
        load_truth(_write(tmp_path, "effect: {}\n"))


def test_wrong_type_is_rejected(tmp_path):
    path = _write(tmp_path, "district:\n  students: many\n")
    with pytest.raises(TruthError, match="district.students"):
        load_truth(path)


def test_shares_that_do_not_sum_to_one_are_rejected(tmp_path):
    path = _write(tmp_path, "district:\n  race_ethnicity:\n    white: 0.9\n")
    with pytest.raises(TruthError, match="race_ethnicity"):
        load_truth(path)


def test_scaling_scales_program_counts_with_students():
    truth = load_truth().scaled_to(7000)
    assert truth.district.students == 7000
    assert truth.rollout.champions.count == 40
    assert truth.rollout.students_by_year[2025] == 540


def test_truth_round_trips_to_plain_values():
    plain = load_truth().to_dict()
    assert plain["calendar"]["program_start"] == "2023-08-01"
    assert plain["mess"]["out_of_range_scores"] == 3
