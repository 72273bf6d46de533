"""A data contract: one source kind's columns, key, rules and privacy, read from its YAML.

Contracts live in ``data/schemas/`` (format: ``data/schemas/FORMAT.md``). Validation checks
(SQL and great-expectations), the warehouse's table definitions, the data dictionary and
the research codebook are all generated from them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable

import yaml

#: The contracts, shipped with the package: ``schemas`` links to ``data/schemas/`` in a
#: source checkout, and holds copies of its YAML files in a built wheel.
SCHEMA_DIR: Traversable = resources.files(__package__).joinpath("schemas")

#: The marts' contracts: one per analysis table the warehouse builds (same format, with
#: ``parameters``), in ``data/schemas/marts/``.
MART_SCHEMA_DIR: Traversable = SCHEMA_DIR.joinpath("marts")

#: Contract type -> DuckDB type. Identifiers and codes stay strings (``0888``, ``F08000002``).
SQL_TYPES = {
    "varchar": "VARCHAR",
    "integer": "BIGINT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}
PRIVACY_CLASSES = ("direct_identifier", "quasi_identifier", "none")
#: What ingestion does with a direct identifier.
HANDLINGS = ("pseudonymize", "drop")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ContractError(ValueError):
    """A contract file is malformed (a bug in the repo, not in a user's data)."""


@dataclass(frozen=True)
class Column:
    """One column of a source kind, as the contract states it."""

    name: str
    type: str
    description: str
    privacy: str = "none"
    handling: str | None = None
    required: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    references: str | None = None
    aliases: tuple[str, ...] = ()
    #: Other spellings of allowed codes that exports write (``m`` for ``male``), keyed by
    #: ``code_key``; a file's ``M`` or ``Male`` is read as the code ``male``.
    spellings: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def is_stored(self) -> bool:
        """False for names and e-mails: they are recognised in a file, then dropped."""
        return self.handling != "drop"

    @property
    def is_pseudonymized(self) -> bool:
        return self.handling == "pseudonymize"

    @property
    def referenced_kind(self) -> str | None:
        return self.references.split(".")[0] if self.references else None

    @property
    def referenced_column(self) -> str | None:
        return self.references.split(".")[1] if self.references else None


@dataclass(frozen=True)
class RowRule:
    """A check across columns of one row, as a SQL condition that is true on a bad row."""

    name: str
    failing_when: str
    message: str


@dataclass(frozen=True)
class Parameter:
    """A value a mart's query takes (the portfolio standard), with its default and meaning.

    Queries read it as ``getvariable('<name>')``; ``outcomes build --param NAME=VALUE``
    changes it for one build, and the build's audit row records what was used.
    """

    name: str
    type: str
    default: object
    description: str

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Contract:
    """A source kind's contract: its grain, key, columns and row rules."""

    kind: str
    version: int
    title: str
    description: str
    grain: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    row_rules: tuple[RowRule, ...] = ()
    school_year_column: str | None = None
    school_year_from_date: str | None = None
    standard: str | None = None
    parameters: tuple[Parameter, ...] = ()
    path: Traversable | None = field(default=None, compare=False)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.kind} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_stored)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def foreign_keys(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.references)

    def header_names(self) -> dict[str, str]:
        """``header_key`` of each column's name and aliases -> contract column name."""
        names: dict[str, str] = {}
        for column in self.columns:
            for spelling in (column.name, *column.aliases):
                names[header_key(spelling)] = column.name
        return names


def normalize_header(name: str) -> str:
    """Header text -> a snake_case column name: ``' StudentID\\ufeff'`` -> ``'student_id'``.

    A lower-case letter or digit followed by a capital starts a new word (``SchoolID`` is
    ``school_id``), as does the last capital of a run before a lower-case letter
    (``SISStudent`` is ``sis_student``).
    """
    text = name.replace("\ufeff", "").strip()
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text).lower()
    text = re.sub(r"[^0-9a-z]+", "_", text)
    return text.strip("_")


def header_key(name: str) -> str:
    """What headers are compared by: letters and digits only, lower case. ``StudentID``,
    ``Student ID``, ``student_id`` and ``STUDENT-ID`` are all ``studentid``."""
    return re.sub(r"[^0-9a-z]", "", name.replace("\ufeff", "").lower())


def code_key(text: str) -> str:
    """What code spellings are compared by, as ingestion normalises codes: lower case,
    spaces and hyphens as one underscore (``Non-Binary`` is ``non_binary``)."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def text_column(column: Column) -> str:
    """Name of the column that holds the file's text for ``column``, where it has one.

    Plain text and pseudonymized columns are their own text; typed columns and coded
    columns (whose text is normalised, ``Girls Only`` -> ``girls_only``) keep the text as
    written beside the value in ``<name>__text``: in the typed staging table, and in core
    where the file spelled a value in a non-standard way.
    """
    if column.type == "varchar" and (column.allowed is None or column.is_pseudonymized):
        return column.name
    return f"{column.name}__text"


def _column_from_yaml(kind: str, raw: dict) -> Column:
    where = f"contract {kind}, column {raw.get('name')!r}"
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ContractError(f"{where}: name must be snake_case")
    if raw.get("type") not in SQL_TYPES:
        raise ContractError(f"{where}: type must be one of {sorted(SQL_TYPES)}")
    privacy = raw.get("privacy", "none")
    if privacy not in PRIVACY_CLASSES:
        raise ContractError(f"{where}: privacy must be one of {PRIVACY_CLASSES}")
    handling = raw.get("handling")
    if privacy == "direct_identifier" and handling not in HANDLINGS:
        raise ContractError(f"{where}: a direct identifier needs handling: pseudonymize or drop")
    if privacy != "direct_identifier" and handling is not None:
        raise ContractError(f"{where}: only direct identifiers take a handling")
    if handling == "pseudonymize" and raw["type"] != "varchar":
        raise ContractError(f"{where}: pseudonymized identifiers must be varchar")
    references = raw.get("references")
    if references is not None and not re.match(r"^[a-z_]+\.[a-z_]+$", references):
        raise ContractError(f"{where}: references must look like kind.column")
    if not raw.get("description"):
        raise ContractError(f"{where}: every column needs a description")
    allowed = raw.get("allowed")
    spellings = {code_key(str(k)): str(v) for k, v in (raw.get("spellings") or {}).items()}
    if spellings and allowed is None:
        raise ContractError(f"{where}: spellings need allowed codes to spell")
    wrong = sorted(v for v in spellings.values() if v not in {str(a) for a in allowed or ()})
    if wrong:
        raise ContractError(f"{where}: spellings name codes that are not allowed: {wrong}")
    return Column(
        name=name,
        type=raw["type"],
        description=" ".join(str(raw["description"]).split()),
        privacy=privacy,
        handling=handling,
        required=bool(raw.get("required", False)),
        allowed=tuple(str(v) for v in allowed) if allowed is not None else None,
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        pattern=raw.get("pattern"),
        references=references,
        aliases=tuple(raw.get("aliases", ())),
        spellings=spellings,
    )


def _parameter_from_yaml(kind: str, raw: dict) -> Parameter:
    where = f"contract {kind}, parameter {raw.get('name')!r}"
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ContractError(f"{where}: name must be snake_case")
    if raw.get("type") not in SQL_TYPES:
        raise ContractError(f"{where}: type must be one of {sorted(SQL_TYPES)}")
    if not raw.get("description"):
        raise ContractError(f"{where}: every parameter needs a description")
    if "default" not in raw:
        raise ContractError(f"{where}: every parameter needs a default (null is allowed)")
    return Parameter(
        name=name,
        type=raw["type"],
        default=raw["default"],
        description=" ".join(str(raw["description"]).split()),
    )


def load_contract(path: Traversable) -> Contract:
    """Read and check one contract file (a path, or a file of the installed package)."""
    # libyaml's parser: the 34 contracts load in a tenth of the pure-Python time.
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    kind = raw.get("kind")
    if not isinstance(kind, str) or not _NAME.match(kind):
        raise ContractError(f"{path}: kind must be snake_case")
    if path.name != f"{kind}.yaml":
        raise ContractError(f"{path}: file name must be {kind}.yaml")
    columns = tuple(_column_from_yaml(kind, c) for c in raw.get("columns", ()))
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ContractError(f"contract {kind}: duplicate column names")
    primary_key = tuple(raw.get("primary_key", ()))
    if not primary_key or any(k not in names for k in primary_key):
        raise ContractError(f"contract {kind}: primary_key must name its columns")
    for key in primary_key:
        column = columns[names.index(key)]
        if not column.required or not column.is_stored:
            raise ContractError(f"contract {kind}: key column {key} must be required and stored")
    school_year_column = raw.get("school_year_column")
    school_year_from_date = raw.get("school_year_from_date")
    for option in (school_year_column, school_year_from_date):
        if option is not None and option not in names:
            raise ContractError(f"contract {kind}: {option} is not a column")
    rules = tuple(
        RowRule(r["name"], " ".join(r["failing_when"].split()), r["message"])
        for r in raw.get("row_rules", ())
    )
    return Contract(
        kind=kind,
        version=int(raw["version"]),
        title=raw["title"],
        description=" ".join(str(raw["description"]).split()),
        grain=raw["grain"],
        primary_key=primary_key,
        columns=columns,
        row_rules=rules,
        school_year_column=school_year_column,
        school_year_from_date=school_year_from_date,
        standard=raw.get("standard"),
        parameters=tuple(_parameter_from_yaml(kind, p) for p in raw.get("parameters", ())),
        path=path,
    )


@functools.cache
def load_contracts(directory: Traversable = SCHEMA_DIR) -> dict[str, Contract]:
    """All contracts in ``directory``, by kind, with their foreign keys checked."""
    files = sorted((f for f in directory.iterdir() if f.name.endswith(".yaml")), key=str)
    contracts = {c.kind: c for c in map(load_contract, files)}
    for contract in contracts.values():
        for column in contract.foreign_keys:
            target = contracts.get(column.referenced_kind)
            if target is None or column.referenced_column not in target.column_names:
                raise ContractError(
                    f"contract {contract.kind}: {column.name} references unknown "
                    f"{column.references}"
                )
    return contracts


def load_order(contracts: dict[str, Contract]) -> list[str]:
    """Kinds ordered so that every kind comes after the kinds its foreign keys point to.

    Kinds are grouped by depth (rosters first, then what points to them, ...) and sorted
    by name within a depth, so the order reads naturally in the data dictionary.
    """
    depths: dict[str, int] = {}
    visiting: set[str] = set()

    def depth(kind: str) -> int:
        if kind in depths:
            return depths[kind]
        if kind in visiting:
            raise ContractError(f"foreign keys form a cycle through {kind}")
        visiting.add(kind)
        targets = {c.referenced_kind for c in contracts[kind].foreign_keys} - {kind}
        depths[kind] = 1 + max((depth(t) for t in targets), default=-1)
        visiting.discard(kind)
        return depths[kind]

    return sorted(contracts, key=lambda kind: (depth(kind), kind))
