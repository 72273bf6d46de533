"""Column maps: a district's own header names, renamed to the contract's, kept for reuse.

Most exports need nothing: headers are matched to the contract's columns and the aliases
of the common student information systems, ignoring case, spaces and punctuation. A
header a district spells its own way is renamed on the command line
(``--rename "Home Campus=school_id"``) or, to keep the renames with the exports, in a
column map: ``--column-map FILE`` for every file of a command, or
``<export name>.column_map.yaml`` beside one export::

    kind: students                 # optional: the kind these files are
    rename:                        # your header: the contract's column
      Home Campus: school_id
      Gender Identity: sex

Renames given on the command line win over a column map's, and a map beside an export
over one given with ``--column-map``. A rename to a column of another kind is ignored for
files of this kind, so one map can serve a folder of several kinds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.contracts import load_contracts
from pipelines.errors import InputError

COLUMN_MAP_SUFFIX = ".column_map.yaml"
_KEYS = ("kind", "rename")


@dataclass(frozen=True)
class ColumnMap:
    """A column map as loaded and checked by :func:`load_column_map`."""

    path: Path
    #: The kind of the files it is for (None: whatever each file's header says).
    kind: str | None = None
    #: File header -> contract column.
    rename: dict[str, str] = field(default_factory=dict)


def load_column_map(path: str | Path) -> ColumnMap:
    """Read and check a column map (format in this module's docstring).

    Raises
    ------
    InputError
        The file is missing or not YAML, has an unknown key, names an unknown kind, or
        renames a header to a column no contract (or not its kind's) has.
    """
    path = Path(path)

    def fail(problem: str, fix: str = "correct the column map") -> InputError:
        return InputError(path, problem, fix)

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise fail("no such column map", "check its path") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise fail(f"the column map is not readable YAML ({type(error).__name__})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("rename", {}), dict):
        raise fail("a column map is a mapping with rename: {your header: contract column}")
    unknown = [str(key) for key in raw if key not in _KEYS]
    if unknown:
        raise fail(f"unknown keys {', '.join(unknown)}", f"use only {', '.join(_KEYS)}")
    kind = raw.get("kind")
    contracts = load_contracts()
    if kind is not None and kind not in contracts:
        raise fail(f"kind {kind!r} is not a source kind", "use one of " + ", ".join(contracts))
    rename = {str(header): str(column) for header, column in (raw.get("rename") or {}).items()}
    _check_targets(rename, kind, lambda problem, fix: fail(problem, fix))
    return ColumnMap(path, kind, rename)


def parse_renames(pairs: Sequence[str]) -> dict[str, str]:
    """``--rename`` options (``"YOUR HEADER=contract_column"``) as a mapping.

    Raises
    ------
    InputError
        When a pair has no ``=`` or renames to a column no contract has.
    """
    renames = {}
    for pair in pairs:
        header, equals, column = pair.rpartition("=")
        if not equals or not header.strip() or not column.strip():
            raise InputError(
                "--rename",
                f"{pair!r} is not YOUR HEADER=contract_column",
                "write it as --rename 'Home Campus=school_id'",
            )
        renames[header.strip()] = column.strip()
    _check_targets(renames, None, lambda problem, fix: InputError("--rename", problem, fix))
    return renames


def column_map_beside(path: Path) -> Path | None:
    """``<export name>.column_map.yaml`` beside an export, if there is one."""
    beside = path.with_name(path.stem + COLUMN_MAP_SUFFIX)
    return beside if beside.exists() else None


def renames_for(
    path: Path, renames: Mapping[str, str], column_map: Path | None
) -> tuple[str | None, dict[str, str]]:
    """The kind a file's column maps give it (if any) and every rename that applies to it:
    ``column_map``'s, then the map beside the file, then ``renames`` (each wins over the
    one before)."""
    kind = None
    merged: dict[str, str] = {}
    for map_path in (column_map, column_map_beside(path)):
        if map_path is not None:
            loaded = load_column_map(map_path)
            kind = loaded.kind or kind
            merged.update(loaded.rename)
    merged.update(renames)
    return kind, merged


def _check_targets(rename: Mapping[str, str], kind: str | None, fail) -> None:
    contracts = load_contracts()
    columns = (
        set(contracts[kind].column_names)
        if kind is not None
        else {name for contract in contracts.values() for name in contract.column_names}
    )
    for header, column in rename.items():
        if column not in columns:
            whose = f"the {kind} contract" if kind else "no contract"
            has = "does not have" if kind else "has"
            raise fail(
                f"{header} is renamed to {column}, a column {whose} {has}",
                "rename it to a column of the data dictionary (data/schemas/README.md)",
            )
