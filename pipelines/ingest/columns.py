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
from collections.abc import Sequence
from dataclasses import dataclass, replace

import duckdb

from pipelines.contracts import Contract, normalize_header
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
    contract: Contract, file_columns: Sequence[str], *, keep_extra: Sequence[str] = ()
) -> ColumnMapping:
    """Match normalised file headers to contract columns (first match wins); of the other
    columns, store only those named in ``keep_extra`` (also compared normalised).

    Raises
    ------
    InputError
        When ``keep_extra`` names a column whose header says it holds personal data or a
        secret: such a column is never stored.
    """
    names = contract.header_names()
    wanted = {normalize_header(name) for name in keep_extra}
    matched: dict[str, str] = {}
    extra: list[str] = []
    dropped: list[str] = []
    keepable: list[str] = []
    for file_column in file_columns:
        header = normalize_header(file_column)
        target = names.get(header)
        if target is not None and target not in matched:
            if contract.column(target).is_stored:
                matched[target] = file_column
            else:
                dropped.append(file_column)
        elif _PERSONAL_HEADER.search(header):
            if header in wanted:
                raise InputError(
                    "--keep-extra",
                    f"{file_column} looks like personal data or a secret, which is never stored",
                    f"take {file_column} out of --keep-extra",
                    column=file_column,
                )
            dropped.append(file_column)
        elif header in wanted:
            extra.append(file_column)
        else:
            dropped.append(file_column)
            keepable.append(file_column)
    missing = tuple(c.name for c in contract.required_columns if c.name not in matched)
    identifiers = tuple(c for c in extra if _IDENTIFIER_HEADER.search(normalize_header(c)))
    return ColumnMapping(
        matched, tuple(extra), tuple(dropped), missing, identifiers, tuple(keepable)
    )


def infer_kind(contracts: dict[str, Contract], file_columns: Sequence[str], file: str) -> str:
    """The kind whose required columns a header has, preferring the most columns matched."""
    scored = []
    for contract in contracts.values():
        mapping = map_columns(contract, file_columns)
        if not mapping.missing_required:
            scored.append((len(mapping.matched), len(contract.required_columns), contract.kind))
    if not scored:
        raise InputError(
            file,
            "its header matches no source kind (" + ", ".join(list(file_columns)[:6]) + ")",
            "check that this is a district export, or pass --kind and see which columns it lacks",
        )
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        raise InputError(
            file,
            f"its header fits both {scored[0][2]} and {scored[1][2]}",
            "pass --kind to say which it is",
        )
    return scored[0][2]


def require_columns(contract: Contract, mapping: ColumnMapping, file: str) -> None:
    """Reject a file that lacks a required column: no row of it could be loaded."""
    if mapping.missing_required:
        missing = ", ".join(mapping.missing_required)
        aliases = contract.column(mapping.missing_required[0]).aliases
        hint = f" (also accepted: {', '.join(aliases)})" if aliases else ""
        raise InputError(
            file,
            f"required column {missing} is missing for kind {contract.kind}",
            f"add the column{hint}, or pass the right --kind",
            column=mapping.missing_required[0],
        )


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
