"""How a file's columns meet a contract: matched by header or alias, kept, or not stored.

``map_columns`` matches a file's headers to a contract; ``infer_kind`` finds the kind whose
required columns a header has; ``require_columns`` refuses a file lacking one;
``drop_personal_extras`` keeps columns holding e-mail addresses out of the warehouse.

A column the contract does not know is not stored: exports carry user names, passwords,
parents' phone numbers and second copies of student numbers. Its name is recorded as not
stored in the batch's audit. The operator may keep one (``--keep-extra NAME``); it is then
pseudonymized when its header says it is an identifier, and refused when its header says
it is personal data or a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

import duckdb

from pipelines.contracts import Column, Contract, header_key, normalize_header
from pipelines.errors import InputError
from pipelines.sql_text import quote_ident, quote_literal

# Headers of personal data or secrets: never stored, even when an operator asks to keep
# them. A roster export often carries a parent's name, phone or address; a directory sync
# (School Data Sync, Clever) carries user names and passwords.
_PERSONAL_HEADER = re.compile(
    r"(^|_)(name|names|first|last|middle|surname|given|nickname|e_?mail|phone|mobile|address|"
    r"street|ssn|social|birth|dob|guardian|parent|contact|password|passwd|pwd|secret|token|"
    r"pin|username|user_name|login)(_|$)"
)
# Headers of identifiers: a kept column with one is pseudonymized, so it can still join.
_IDENTIFIER_HEADER = re.compile(r"(^|_)(id|ids|number|num|no|nbr|guid|uuid|sis)(_|$)")
_EMAIL_VALUE = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"


@dataclass(frozen=True)
class ColumnMapping:
    """How a file's columns meet a contract."""

    #: contract column -> file column
    matched: dict[str, str]
    #: file columns the contract does not know, kept (``--keep-extra``) in ``_extra``
    extra: tuple[str, ...]
    #: file columns that are not stored: the contract's names and e-mails, columns that
    #: look like personal data, and every other column the contract does not know
    dropped: tuple[str, ...]
    #: required contract columns the file lacks
    missing_required: tuple[str, ...]
    #: the kept extra columns whose values are pseudonymized (their headers name ids)
    pseudonymized_extra: tuple[str, ...] = ()
    #: the dropped columns an operator could keep with ``--keep-extra``
    keepable: tuple[str, ...] = ()


def map_columns(
    contract: Contract,
    file_columns: Sequence[str],
    *,
    keep_extra: Sequence[str] = (),
    renames: Mapping[str, str] | None = None,
) -> ColumnMapping:
    """Match file headers to contract columns by their ``header_key`` (first match wins);
    of the other columns, store only those named in ``keep_extra``.

    ``renames`` (file header -> contract column, from ``--rename`` or a column map) come
    before the contract's own names and aliases; a rename to a column this contract does
    not have is for another kind, and ignored here.

    Raises
    ------
    InputError
        When ``keep_extra`` names a column whose header says it holds personal data or a
        secret: such a column is never stored.
    """
    names = contract.header_names()
    renamed = {
        header_key(header): column
        for header, column in (renames or {}).items()
        if column in contract.column_names
    }
    targets = {c: renamed.get(header_key(c)) or names.get(header_key(c)) for c in file_columns}
    # A rename wins over an alias of the same column elsewhere in the file.
    first = [c for c in file_columns if header_key(c) in renamed]
    first += [c for c in file_columns if c not in first]
    wanted = {header_key(name) for name in keep_extra}
    matched: dict[str, str] = {}
    for file_column in first:
        target = targets[file_column]
        if target is not None and target not in matched:
            matched[target] = file_column
    extra: list[str] = []
    dropped: list[str] = []
    keepable: list[str] = []
    for file_column in file_columns:
        target = targets[file_column]
        if matched.get(target) == file_column:
            if not contract.column(target).is_stored:
                dropped.append(file_column)
        elif _PERSONAL_HEADER.search(normalize_header(file_column)):
            if header_key(file_column) in wanted:
                raise InputError(
                    "--keep-extra",
                    f"{file_column} looks like personal data or a secret, which is never stored",
                    f"take {file_column} out of --keep-extra",
                    column=file_column,
                )
            dropped.append(file_column)
        elif header_key(file_column) in wanted:
            extra.append(file_column)
        else:
            dropped.append(file_column)
            keepable.append(file_column)
    matched = {t: c for t, c in matched.items() if contract.column(t).is_stored}
    missing = tuple(c.name for c in contract.required_columns if c.name not in matched)
    identifiers = tuple(c for c in extra if _IDENTIFIER_HEADER.search(normalize_header(c)))
    return ColumnMapping(
        matched, tuple(extra), tuple(dropped), missing, identifiers, tuple(keepable)
    )


def infer_kind(
    contracts: dict[str, Contract],
    file_columns: Sequence[str],
    file: str,
    *,
    renames: Mapping[str, str] | None = None,
    fixed: Iterable[str] = (),
) -> str:
    """The kind whose required columns a header has, preferring the most columns matched.

    A required column in ``fixed`` (given one value for the file with ``--set``) counts as
    there.

    Raises
    ------
    InputError
        When no kind's required columns are all there (naming the closest kind and what it
        lacks), or two kinds fit equally well.
    """
    given = set(fixed)
    scored = []
    closest = None
    for contract in contracts.values():
        mapping = map_columns(contract, file_columns, renames=renames)
        missing = [c for c in mapping.missing_required if c not in given]
        if not missing:
            scored.append((len(mapping.matched), len(contract.required_columns), contract.kind))
        found = len(contract.required_columns) - len(missing)
        if closest is None or found > closest[0]:
            closest = (found, contract, missing)
    if not scored:
        found, contract, missing = closest
        header = ", ".join(list(file_columns)[:6])
        near = (
            f"; closest is {contract.kind}, which also needs {', '.join(missing)}" if found else ""
        )
        fix = (
            "check that this is a district export; if it is, pass --kind and "
            "--rename 'YOUR HEADER=contract_column' for the columns it names differently"
        )
        if found and missing == [contract.school_year_column]:
            fix = _set_school_year(contract.school_year_column)
        raise InputError(file, f"its header matches no source kind ({header}){near}", fix)
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        raise InputError(
            file,
            f"its header fits both {scored[0][2]} and {scored[1][2]}",
            "pass --kind to say which it is",
        )
    return scored[0][2]


def require_columns(contract: Contract, mapping: ColumnMapping, file: str) -> None:
    """Reject a file that lacks a required column: no row of it could be loaded. The
    message names the file's unmatched header closest to the first missing column."""
    if not mapping.missing_required:
        return
    unmatched = [c for c in mapping.dropped + mapping.extra if c not in mapping.matched.values()]
    # The first missing column a header of the file is probably meant for, else the first.
    nearest_of = {
        m: _nearest_header(contract.column(m), unmatched) for m in mapping.missing_required
    }
    missing = next((m for m, h in nearest_of.items() if h), mapping.missing_required[0])
    column, nearest = contract.column(missing), nearest_of[missing]
    problem = f"required column {', '.join(mapping.missing_required)} is missing for kind "
    problem += contract.kind + (f" (closest header: {nearest})" if nearest else "")
    if nearest:
        fix = f"if {nearest} is {missing}, pass --rename '{nearest}={missing}'"
    elif missing == contract.school_year_column:
        fix = f"{_set_school_year(missing)}, or add a School Year column"
    else:
        accepted = f" (also accepted: {', '.join(column.aliases)})" if column.aliases else ""
        fix = (
            f"add the column{accepted}, or pass --rename 'YOUR HEADER={missing}', "
            "or pass the right --kind"
        )
    raise InputError(file, problem, fix, column=missing)


def _set_school_year(column: str) -> str:
    """What to do about a file without its kind's school-year column: rosters are exported
    one file per year, most without the year in them."""
    return (
        f"if the export holds one school year, give it with --set {column}=YEAR "
        "(the year it ends: 2025 for 2024-25)"
    )


def _nearest_header(column: Column, headers: Sequence[str]) -> str | None:
    """The header most like the column's name or an alias of it, if any is much alike."""
    scored = [(_header_likeness(column, header), header) for header in headers]
    best = max(scored, key=lambda pair: pair[0], default=None)
    return best[1] if best is not None and best[0] >= 0.6 else None


def closest_headers(column: Column, headers: Sequence[str], *, limit: int = 3) -> list[str]:
    """The ``limit`` headers most like the column's name or one of its aliases, most alike
    first (ties in file order): what a message about a missing column suggests."""
    scored = [(_header_likeness(column, header), position) for position, header in
              enumerate(headers)]  # fmt: skip
    ranked = sorted(scored, key=lambda pair: (-pair[0], pair[1]))
    return [headers[position] for _, position in ranked[:limit]]


def _header_likeness(column: Column, header: str) -> float:
    """How alike a header is to the column's name or its closest alias, from 0 to 1."""
    spellings = [header_key(s) for s in (column.name, *column.aliases)]
    key = header_key(header)
    score = max(SequenceMatcher(None, key, s).ratio() for s in spellings)
    if any(s in key or key in s for s in spellings if len(s) >= 3 and len(key) >= 3):
        score = max(score, 0.8)  # 'schoolsisid' holds 'school': a likely rename
    return score


def drop_personal_extras(
    con: duckdb.DuckDBPyConnection, source: str, mapping: ColumnMapping
) -> ColumnMapping:
    """Move kept extra columns whose values contain e-mail addresses to the dropped list."""
    if not mapping.extra:
        return mapping
    probes = ", ".join(
        f"bool_or(regexp_full_match({quote_ident(c)}, {quote_literal(_EMAIL_VALUE)}))"
        for c in mapping.extra
    )
    flags = con.execute(f"SELECT {probes} FROM {quote_ident(source)}").fetchone()
    personal = [c for c, flag in zip(mapping.extra, flags, strict=True) if flag]
    if not personal:
        return mapping
    return replace(
        mapping,
        extra=tuple(c for c in mapping.extra if c not in personal),
        dropped=mapping.dropped + tuple(personal),
        pseudonymized_extra=tuple(c for c in mapping.pseudonymized_extra if c not in personal),
    )
