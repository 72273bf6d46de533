"""The known truth of the synthetic district: default values, overrides, and checks.

The default truth lives in ``truth.yaml`` beside this module, with a comment on every
number saying where it comes from. A user's YAML file of the same shape overrides parts of
it (a deep merge: only the keys given change); a key the default does not have is an error,
so a typo cannot silently leave a default in force. The presets in ``presets/`` are such
overrides, shipped with the package: ``realistic`` (the default itself), ``claims_true``
(every effect as the documents claim) and ``null`` (no effect anywhere).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import typing
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from pipelines.synth.truth_schema import (
    GRADES,
    HIGH_SCHOOL_GRADES,
    PORTFOLIO_COMPONENTS,
    CalendarTruth,
    CertificateTruth,
    DistrictTruth,
    EconomicsTruth,
    EffectsTruth,
    GraduatesTruth,
    MessTruth,
    PanelTruth,
    ProgramTruth,
    RolloutTruth,
    School,
    SelectionTruth,
    StaffTruth,
    StudentWave,
    TrainingWave,
    Truth,
    TruthError,
)

__all__ = [
    "GRADES",
    "HIGH_SCHOOL_GRADES",
    "PORTFOLIO_COMPONENTS",
    "CalendarTruth",
    "CertificateTruth",
    "DistrictTruth",
    "EconomicsTruth",
    "EffectsTruth",
    "GraduatesTruth",
    "MessTruth",
    "PanelTruth",
    "ProgramTruth",
    "RolloutTruth",
    "School",
    "SelectionTruth",
    "StaffTruth",
    "StudentWave",
    "TrainingWave",
    "Truth",
    "TruthError",
    "TRUTH_PRESETS",
    "load_truth",
    "merge_truth",
    "truth_from_dict",
]

#: The default truth, shipped with the package.
DEFAULT_TRUTH_PATH: Traversable = resources.files(__package__).joinpath("truth.yaml")
#: Overrides of the default shipped with the package, by name.
PRESETS_DIR: Traversable = resources.files(__package__).joinpath("presets")
TRUTH_PRESETS = ("realistic", "claims_true", "null")


def load_truth(source: str | Path | None = None) -> Truth:
    """The default truth, deep-merged with a preset or a YAML file when one is given.

    Parameters
    ----------
    source
        A preset name (``realistic``, ``claims_true``, ``null``) or a YAML file with the
        shape of the default ``truth.yaml``, giving only the values to change. A bare preset
        name means the preset even if a file of that name exists. ``None`` returns the
        default truth (the same as ``realistic``).

    Raises
    ------
    TruthError
        When ``source`` is neither a preset nor a file, the override has a key the default
        does not, a value of the wrong type, or the merged truth is impossible (shares that
        do not sum to 1, rates outside 0..1).

    Examples
    --------
    >>> load_truth("null").staff.trained_exit_hazard_ratio
    1.0
    """
    default = _read_yaml(DEFAULT_TRUTH_PATH)
    if source is None:
        return truth_from_dict(default)
    override = _read_yaml(_override_file(source))
    return truth_from_dict(merge_truth(default, override))


def _override_file(source: str | Path) -> Traversable | Path:
    if str(source) in TRUTH_PRESETS:
        return PRESETS_DIR.joinpath(f"{source}.yaml")
    path = Path(source)
    if not path.is_file():
        raise TruthError(
            f"{source}: neither a truth preset ({', '.join(TRUTH_PRESETS)}) nor a YAML file"
        )
    return path


def merge_truth(default: dict[str, Any], override: dict[str, Any], where: str = "") -> dict:
    """``default`` with ``override``'s values put in; nested mappings merge key by key."""
    merged = dict(default)
    for key, value in override.items():
        here = f"{where}.{key}" if where else str(key)
        if key not in default:
            known = ", ".join(str(k) for k in default)
            raise TruthError(f"unknown truth key {here!r}; known keys here: {known}")
        if isinstance(default[key], dict) and isinstance(value, dict):
            merged[key] = merge_truth(default[key], value, here)
        else:
            merged[key] = value
    return merged


def truth_from_dict(raw: dict[str, Any]) -> Truth:
    """Build and check a :class:`Truth` from a complete mapping in ``truth.yaml``'s shape."""
    truth = _convert(Truth, raw, "truth")
    _check(truth)
    return truth


def _read_yaml(path: Traversable) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise TruthError(f"{path}: not valid YAML ({error})") from error
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise TruthError(f"{path}: the truth file must be a mapping of sections")
    return raw


def _convert(kind: Any, value: Any, where: str) -> Any:
    """Turn YAML ``value`` into the declared type ``kind``, naming ``where`` on failure."""
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise TruthError(f"{where}: expected a mapping")
        hints = typing.get_type_hints(kind)
        fields = {f.name: f for f in dataclasses.fields(kind)}
        unknown = sorted(str(k) for k in value if k not in fields)
        if unknown:
            raise TruthError(
                f"{where}: unknown truth key {unknown[0]!r}; known keys: {', '.join(fields)}"
            )
        arguments = {}
        for name, field in fields.items():
            if name in value:
                arguments[name] = _convert(hints[name], value[name], f"{where}.{name}")
            elif field.default is dataclasses.MISSING:
                raise TruthError(f"{where}: missing key {name!r}")
        return kind(**arguments)
    origin = typing.get_origin(kind)
    if origin is dict:
        key_type, value_type = typing.get_args(kind)
        if not isinstance(value, dict):
            raise TruthError(f"{where}: expected a mapping")
        return {
            _convert(key_type, k, f"{where}.{k}"): _convert(value_type, v, f"{where}.{k}")
            for k, v in value.items()
        }
    if origin is tuple:
        arguments = typing.get_args(kind)
        if not isinstance(value, list | tuple):
            raise TruthError(f"{where}: expected a list")
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple(_convert(arguments[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(value) != len(arguments):
            raise TruthError(f"{where}: expected {len(arguments)} values")
        return tuple(
            _convert(a, v, f"{where}[{i}]")
            for i, (a, v) in enumerate(zip(arguments, value, strict=True))
        )
    return _convert_scalar(kind, value, where)


def _convert_scalar(kind: Any, value: Any, where: str) -> Any:
    if kind is bool:
        if not isinstance(value, bool):
            raise TruthError(f"{where}: expected true or false, got {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TruthError(f"{where}: expected a whole number, got {value!r}")
        try:
            return int(value)
        except ValueError as error:
            raise TruthError(f"{where}: expected a whole number, got {value!r}") from error
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TruthError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if kind is str:
        if isinstance(value, dict | list):
            raise TruthError(f"{where}: expected text, got {value!r}")
        return str(value)
    if kind is dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError as error:
            raise TruthError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from error
    raise TruthError(f"{where}: unsupported type {kind!r}")  # a bug in this module


def _check(truth: Truth) -> None:
    """Reject values the simulation cannot honour, naming the key to fix."""
    district = truth.district
    for name, shares in (
        ("district.race_ethnicity", district.race_ethnicity),
        ("district.sex", district.sex),
        ("program.attendance", truth.program.attendance),
    ):
        if any(v < 0 for v in shares.values()) or not math.isclose(
            sum(shares.values()), 1.0, abs_tol=1e-6
        ):
            raise TruthError(f"{name}: shares must be >= 0 and sum to 1")
    _ = district.high_school
    for school in district.schools:
        unknown = set(school.grades) - set(GRADES)
        if unknown:
            raise TruthError(
                f"district.schools[{school.school_id}]: unknown grades {sorted(unknown)}"
            )
    program = truth.program
    if not 1 <= program.team_size_min <= program.team_size_max:
        raise TruthError("program: need 1 <= team_size_min <= team_size_max")
    if program.female_retention_girls_only > 1:
        raise TruthError(
            "program: female_retention_mixed * female_retention_ratio_girls_only exceeds 1"
        )
    if set(truth.panel.component_offsets) != set(PORTFOLIO_COMPONENTS):
        raise TruthError(f"panel.component_offsets: give exactly {', '.join(PORTFOLIO_COMPONENTS)}")
    years = set(truth.calendar.school_year_list)
    if not set(truth.rollout.students_by_year) <= years - {truth.calendar.first_school_year}:
        raise TruthError("rollout.students_by_year: use school years after the first one")
    effects = truth.effects
    if effects.knowledge_retention_teacher_only * effects.near_peer_knowledge_retention_ratio > 1:
        raise TruthError("effects: near-peer knowledge retention exceeds 1")
    if effects.male_ai_tool_use_baseline + effects.program_ai_tool_use_lift > 1:
        raise TruthError("effects: AI tool use probability exceeds 1")
    if effects.stop_using_share_normalised < 0:
        raise TruthError(
            "effects: (1 - stop_using_share) * early_failure_normalised_adoption_ratio exceeds 1"
        )
    graduates = truth.graduates
    if graduates.ai_related_role_share * graduates.certified_ai_related_role_ratio > 1:
        raise TruthError("graduates: certified graduates' AI-related role share exceeds 1")
    if truth.rollout.train_the_trainer_scale_up_ratio <= 0:
        raise TruthError("rollout.train_the_trainer_scale_up_ratio: must be above 0")
    rates = {
        "district.economically_disadvantaged_share": district.economically_disadvantaged_share,
        "district.english_learner_share": district.english_learner_share,
        "district.special_education_share": district.special_education_share,
        "district.annual_student_exit_rate": district.annual_student_exit_rate,
        "program.mid_year_quit_rate": program.mid_year_quit_rate,
        "program.client_signoff_rate": program.client_signoff_rate,
        "staff.annual_teacher_exit_rate": truth.staff.annual_teacher_exit_rate,
        "mess.duplicate_row_rate": truth.mess.duplicate_row_rate,
        "mess.missing_required_rate": truth.mess.missing_required_rate,
        "mess.left_district_mid_year_rate": truth.mess.left_district_mid_year_rate,
        "effects.graduated_exposure_proficiency": effects.graduated_exposure_proficiency,
        "effects.sink_or_swim_proficiency": effects.sink_or_swim_proficiency,
        "effects.stop_using_share": effects.stop_using_share,
        "effects.early_failure_normalised_share": effects.early_failure_normalised_share,
        "rollout.full_faculty_deferred_share": truth.rollout.full_faculty_deferred_share,
        "graduates.survey_response_rate": truth.graduates.survey_response_rate,
        "graduates.state_match_rate": truth.graduates.state_match_rate,
        "graduates.band_only_share": truth.graduates.band_only_share,
        "graduates.employed_share_enrolled": truth.graduates.employed_share_enrolled,
        "graduates.employed_share_not_enrolled": truth.graduates.employed_share_not_enrolled,
    }
    for name, value in rates.items():
        if not 0 <= value <= 1:
            raise TruthError(f"{name}: {value} is not a share between 0 and 1")
