"""Row-level checks compiled from a contract.

Each check is stated twice over the same *typed staging table*, from the same contract
entry: as a great-expectations expectation (``rule`` and its parameters, run by
``gx``) and as a SQL condition that is true on a failing row (used to
route rows to quarantine with a readable reason). Ingestion requires both to count the same
failing rows, so the quarantine can never disagree with the validation result of record.

The typed staging table has these columns:

- ``_source_row``: the spreadsheet row number of the record (header = row 1);
- for every stored contract column ``c``: ``c`` with the contract's type (pseudonymized,
  for direct identifiers), and, when that type is not plain text, ``c__text``: the trimmed
  text as it was in the file (NULL if empty); see ``text_column``;
- ``_rows_with_key``: how many rows of the file share this row's primary key (1 when a
  key column is empty), ``_versions_of_key``: how many different rows share it, and
  ``_first_row_of_version``: the smallest ``_source_row`` with the same key and values.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.contracts import Column, Contract, text_column
from pipelines.sql_text import quote_ident, quote_literal

RULES = (
    "not_null",
    "castable",
    "in_set",
    "between",
    "pattern",
    "unique",
    "foreign_key",
    "row_rule",
)


@dataclass(frozen=True)
class Check:
    """One expectation about every row of a typed staging table.

    ``failing_sql`` is a boolean SQL expression over the staging table's columns that is
    true exactly on the rows the expectation counts as unexpected; ``reason_sql`` is a SQL
    string expression that says, for such a row, what is wrong and how to fix it.
    """

    check_id: str
    rule: str
    columns: tuple[str, ...]
    failing_sql: str
    reason_sql: str
    value_set: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    reference_table: str | None = None
    #: Condition for the rows great-expectations counts, where it counts differently from
    #: ``failing_sql`` (duplicates: GX counts every copy, quarantine keeps the first copy).
    expectation_sql: str | None = None

    @property
    def counted_sql(self) -> str:
        return self.expectation_sql or self.failing_sql

    @property
    def column(self) -> str:
        return self.columns[0]


def reference_table(column: Column) -> str:
    """Staging table holding the known keys ``column`` may point to (one column ``key``)."""
    return f"ref_{column.referenced_kind}__{column.referenced_column}"


def _reason(column: str, *parts: str) -> str:
    """SQL that concatenates literal text and SQL expressions into one reason string."""
    return f"{quote_literal(column + ': ')} || " + " || ".join(parts)


def _shown(sql_text: str) -> str:
    """SQL showing a cell's text in quotes, shortened so a reason stays one line."""
    return f"'''' || left({sql_text}, 40) || ''''"


def compile_checks(contract: Contract) -> tuple[Check, ...]:
    """All row-level checks of ``contract``, in a stable order."""
    checks: list[Check] = []
    for column in contract.stored_columns:
        name = quote_ident(column.name)
        text = quote_ident(text_column(column))
        if column.required:
            checks.append(
                Check(
                    check_id=f"{column.name}:not_null",
                    rule="not_null",
                    columns=(text_column(column),),
                    failing_sql=f"{text} IS NULL",
                    reason_sql=quote_literal(
                        f"{column.name}: required value is missing; fill it in"
                    ),
                )
            )
        if column.type != "varchar":
            checks.append(
                Check(
                    check_id=f"{column.name}:castable",
                    rule="castable",
                    columns=(column.name, text_column(column)),
                    failing_sql=f"{text} IS NOT NULL AND {name} IS NULL",
                    reason_sql=_reason(
                        column.name,
                        _shown(text),
                        quote_literal(f" is not a valid {column.type}; {_type_hint(column)}"),
                    ),
                )
            )
        if column.allowed is not None:
            values = ", ".join(quote_literal(v) for v in column.allowed)
            checks.append(
                Check(
                    check_id=f"{column.name}:in_set",
                    rule="in_set",
                    columns=(column.name,),
                    failing_sql=f"{name} IS NOT NULL AND {name} NOT IN ({values})",
                    reason_sql=_reason(
                        column.name,
                        _shown(text),
                        quote_literal(" is not allowed; use one of " + ", ".join(column.allowed)),
                    ),
                    value_set=column.allowed,
                )
            )
        if column.minimum is not None or column.maximum is not None:
            conditions = []
            if column.minimum is not None:
                conditions.append(f"{name} < {column.minimum}")
            if column.maximum is not None:
                conditions.append(f"{name} > {column.maximum}")
            bounds = f"{_number(column.minimum)} to {_number(column.maximum)}"
            checks.append(
                Check(
                    check_id=f"{column.name}:between",
                    rule="between",
                    columns=(column.name,),
                    failing_sql=f"{name} IS NOT NULL AND ({' OR '.join(conditions)})",
                    reason_sql=_reason(
                        column.name,
                        _shown(text),
                        quote_literal(f" is outside the allowed range {bounds}; correct it"),
                    ),
                    minimum=column.minimum,
                    maximum=column.maximum,
                )
            )
        if column.pattern is not None:
            checks.append(
                Check(
                    check_id=f"{column.name}:pattern",
                    rule="pattern",
                    columns=(column.name,),
                    failing_sql=(
                        f"{name} IS NOT NULL AND NOT regexp_full_match("
                        f"CAST({name} AS VARCHAR), {quote_literal(column.pattern)})"
                    ),
                    reason_sql=_reason(
                        column.name,
                        _shown(text),
                        quote_literal(f" does not have the expected form {column.pattern}"),
                    ),
                    pattern=column.pattern,
                )
            )
        if column.references is not None:
            table = reference_table(column)
            checks.append(
                Check(
                    check_id=f"{column.name}:foreign_key",
                    rule="foreign_key",
                    columns=(column.name,),
                    failing_sql=(
                        f"{name} IS NOT NULL AND {name} NOT IN "
                        f"(SELECT key FROM {quote_ident(table)})"
                    ),
                    reason_sql=quote_literal(
                        f"{column.name}: no {column.referenced_kind} row has this "
                        f"{column.referenced_column}; load that {column.referenced_kind} "
                        "file first or correct the id"
                    ),
                    reference_table=table,
                )
            )
    for rule in contract.row_rules:
        checks.append(
            Check(
                check_id=f"{rule.name}:row_rule",
                rule="row_rule",
                columns=(),
                failing_sql=f"COALESCE(({rule.failing_when}), false)",
                reason_sql=quote_literal(rule.message),
            )
        )
    key = ", ".join(contract.primary_key)
    checks.append(
        Check(
            check_id=f"{'+'.join(contract.primary_key)}:unique",
            rule="unique",
            columns=contract.primary_key,
            # A row that repeats an earlier row exactly is a harmless duplicate export; a key
            # that carries two different rows is a conflict that someone must resolve.
            failing_sql="_versions_of_key > 1 OR _first_row_of_version < _source_row",
            reason_sql=(
                "CASE WHEN _versions_of_key = 1 THEN "
                "'duplicate of row ' || _first_row_of_version || '; the first copy was kept' "
                f"ELSE {quote_literal(f'primary key ({key}) appears on ')} || _rows_with_key || "
                "' rows with different values; keep one row per key' END"
            ),
            expectation_sql="_rows_with_key > 1",
        )
    )
    return tuple(checks)


def _number(value: float | None) -> str:
    if value is None:
        return "any"
    return f"{value:g}"


def _type_hint(column: Column) -> str:
    return {
        "date": "write dates as YYYY-MM-DD or MM/DD/YYYY",
        "timestamp": "write times as YYYY-MM-DD HH:MM:SS",
        "integer": "write a whole number",
        "double": "write a number",
        "boolean": "write true or false",
    }[column.type]
