"""The rules a contract can state, each in one place: when it applies, its SQL, its GX
expectation, and how the data dictionary words it.

A contract column that is ``required``, typed, ``allowed`` a set of codes, bounded by a
``minimum`` or ``maximum``, held to a ``pattern`` or ``references`` another kind gives one
check per rule; the contract's ``row_rules`` and its primary key give one each. Every
check is stated twice over the same *checked table* (the typed staging table of a batch,
see below), from this one entry:

- as a SQL condition that is true on a failing row, with a reason saying what is wrong and
  how to fix it: ingestion routes such rows to quarantine (``pipelines.ingest.validate``);
- as a great-expectations expectation that counts the same rows: GX is the validator of
  record, and ingestion refuses a batch where the two counts differ.

Adding a check means: a key in the contract format (``contract.py`` and
``data/schemas/FORMAT.md``) and one ``Rule`` in ``RULES`` here.

The checked table has these columns:

- ``_source_row``: the spreadsheet row number of the record (header = row 1);
- for every stored contract column ``c``: ``c`` with the contract's type (pseudonymized,
  for direct identifiers), and, when that type is not plain text, ``c__text``: the trimmed
  text as it was in the file (NULL if empty); see ``text_column``;
- ``_rows_with_key``: how many rows of the file share this row's primary key (1 when a
  key column is empty), ``_versions_of_key``: how many different rows share it, and
  ``_first_row_of_version``: the smallest ``_source_row`` with the same key and values;
- for a foreign key ``c``, a table ``reference_table(c)`` of the keys it may point to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pipelines.contracts.contract import Column, Contract, text_column
from pipelines.sql_text import quote_ident, quote_literal


@dataclass(frozen=True)
class Check:
    """One expectation about every row of a checked table.

    ``failing_sql`` is a boolean SQL expression over the table's columns that is true
    exactly on the rows the expectation counts as unexpected; ``reason_sql`` is a SQL
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


@dataclass(frozen=True)
class Rule:
    """One kind of check: what it checks, and how SQL, GX and the dictionary say it.

    A column rule has ``of_column`` (the check of one column, None where the column does
    not state the rule) and may have ``words`` (the dictionary's words for it, or None);
    a rule of the whole contract has ``of_contract``. ``expectation`` names the
    great-expectations expectation class that counts the rows ``counted_sql`` counts, built
    with ``expectation_arguments(check)``; without one, GX counts the rows where the
    check's own SQL condition holds (a row-query expectation).
    """

    name: str
    of_column: Callable[[Column], Check | None] | None = None
    of_contract: Callable[[Contract], Iterable[Check]] | None = None
    expectation: str | None = None
    expectation_arguments: Callable[[Check], dict[str, Any]] | None = None
    words: Callable[[Column], str | None] | None = None

    @property
    def runs_as_row_query(self) -> bool:
        return self.expectation is None


def reference_table(column: Column) -> str:
    """Staging table holding the known keys ``column`` may point to (one column ``key``)."""
    return f"ref_{column.referenced_kind}__{column.referenced_column}"


def code_list(values: Iterable[object]) -> str:
    """Values as Markdown code, comma separated: ``a``, ``b``."""
    return ", ".join(f"`{value}`" for value in values)


def plain_number(value: float) -> str:
    """A bound in plain digits: 1000000000 stays 1000000000, not 1e+09."""
    return format(value, "f").rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _value_check(
    column: Column, rule: str, failing_sql: str, complaint: str, **parameters: Any
) -> Check:
    """A check of one column's values, whose reason quotes the cell as the file wrote it
    (shortened, so a reason stays one line) followed by ``complaint``."""
    shown = f"'''' || left({quote_ident(text_column(column))}, 40) || ''''"
    return Check(
        check_id=f"{column.name}:{rule}",
        rule=rule,
        columns=parameters.pop("columns", (column.name,)),
        failing_sql=failing_sql,
        reason_sql=f"{quote_literal(column.name + ': ')} || {shown} || {quote_literal(complaint)}",
        **parameters,
    )


# --- column rules ---------------------------------------------------------------------------


def _not_null(column: Column) -> Check | None:
    if not column.required:
        return None
    return Check(
        check_id=f"{column.name}:not_null",
        rule="not_null",
        columns=(text_column(column),),
        failing_sql=f"{quote_ident(text_column(column))} IS NULL",
        reason_sql=quote_literal(f"{column.name}: required value is missing; fill it in"),
    )


_TYPE_HINTS = {
    "date": "write dates as YYYY-MM-DD or MM/DD/YYYY",
    "timestamp": "write times as YYYY-MM-DD HH:MM:SS",
    "integer": "write a whole number",
    "double": "write a number",
    "boolean": "write true or false",
}


def _castable(column: Column) -> Check | None:
    if column.type == "varchar":
        return None
    text = quote_ident(text_column(column))
    return _value_check(
        column,
        "castable",
        f"{text} IS NOT NULL AND {quote_ident(column.name)} IS NULL",
        f" is not a valid {column.type}; {_TYPE_HINTS[column.type]}",
        columns=(column.name, text_column(column)),
    )


def _in_set(column: Column) -> Check | None:
    if column.allowed is None:
        return None
    name = quote_ident(column.name)
    values = ", ".join(quote_literal(v) for v in column.allowed)
    return _value_check(
        column,
        "in_set",
        f"{name} IS NOT NULL AND {name} NOT IN ({values})",
        " is not allowed; use one of " + ", ".join(column.allowed),
        value_set=column.allowed,
    )


def _between(column: Column) -> Check | None:
    if column.minimum is None and column.maximum is None:
        return None
    name = quote_ident(column.name)
    conditions = []
    if column.minimum is not None:
        conditions.append(f"{name} < {column.minimum}")
    if column.maximum is not None:
        conditions.append(f"{name} > {column.maximum}")
    bounds = " to ".join("any" if b is None else f"{b:g}" for b in (column.minimum, column.maximum))
    return _value_check(
        column,
        "between",
        f"{name} IS NOT NULL AND ({' OR '.join(conditions)})",
        f" is outside the allowed range {bounds}; correct it",
        minimum=column.minimum,
        maximum=column.maximum,
    )


def _code_words(column: Column) -> str | None:
    if column.allowed is None:
        return None
    words = code_list(column.allowed)
    if column.spellings:
        spelled = ", ".join(f"`{key}` as `{code}`" for key, code in column.spellings.items())
        words += f" (also read: {spelled})"
    return words


def _range_words(column: Column) -> str | None:
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        return f"{plain_number(low)} to {plain_number(high)}"
    if low is not None:
        return f"{plain_number(low)} or more"
    if high is not None:
        return f"at most {plain_number(high)}"
    return None


def _pattern(column: Column) -> Check | None:
    if column.pattern is None:
        return None
    name = quote_ident(column.name)
    return _value_check(
        column,
        "pattern",
        f"{name} IS NOT NULL AND NOT regexp_full_match("
        f"CAST({name} AS VARCHAR), {quote_literal(column.pattern)})",
        f" does not have the expected form {column.pattern}",
        pattern=column.pattern,
    )


def _foreign_key(column: Column) -> Check | None:
    if column.references is None:
        return None
    name = quote_ident(column.name)
    table = reference_table(column)
    return Check(
        check_id=f"{column.name}:foreign_key",
        rule="foreign_key",
        columns=(column.name,),
        failing_sql=f"{name} IS NOT NULL AND {name} NOT IN (SELECT key FROM {quote_ident(table)})",
        reason_sql=quote_literal(
            f"{column.name}: no {column.referenced_kind} row has this "
            f"{column.referenced_column}; load that {column.referenced_kind} "
            "file first or correct the id"
        ),
        reference_table=table,
    )


# --- contract rules -------------------------------------------------------------------------


def _row_rules(contract: Contract) -> Iterable[Check]:
    for rule in contract.row_rules:
        yield Check(
            check_id=f"{rule.name}:row_rule",
            rule="row_rule",
            columns=(),
            failing_sql=f"COALESCE(({rule.failing_when}), false)",
            reason_sql=quote_literal(rule.message),
        )


def _unique(contract: Contract) -> Iterable[Check]:
    key = ", ".join(contract.primary_key)
    yield Check(
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


def _column_argument(check: Check) -> dict[str, Any]:
    return {"column": check.column}


#: Every rule, in the order its checks run and are reported.
RULES: tuple[Rule, ...] = (
    Rule(
        "not_null",
        of_column=_not_null,
        expectation="ExpectColumnValuesToNotBeNull",
        expectation_arguments=_column_argument,
    ),
    # GX has no "castable" expectation: the typed column is NULL where the text was not.
    Rule("castable", of_column=_castable),
    Rule(
        "in_set",
        of_column=_in_set,
        expectation="ExpectColumnValuesToBeInSet",
        expectation_arguments=lambda check: {
            "column": check.column,
            "value_set": list(check.value_set or ()),
        },
        words=_code_words,
    ),
    Rule(
        "between",
        of_column=_between,
        expectation="ExpectColumnValuesToBeBetween",
        expectation_arguments=lambda check: {
            "column": check.column,
            "min_value": check.minimum,
            "max_value": check.maximum,
        },
        words=_range_words,
    ),
    # GX's regex expectation raises NotImplementedError on DuckDB.
    Rule(
        "pattern",
        of_column=_pattern,
        words=lambda column: None if column.pattern is None else f"matches `{column.pattern}`",
    ),
    # GX has no expectation that reads another table's keys.
    Rule(
        "foreign_key",
        of_column=_foreign_key,
        words=lambda c: None if c.references is None else f"must exist in `{c.references}`",
    ),
    Rule("row_rule", of_contract=_row_rules),
    # GX's compound-uniqueness expectation took 5.5 of the 7.3 s GX spent on a 10-million-row
    # file (2 cores); staging has already counted each key's rows in one hashed grouping
    # (``_rows_with_key``), so GX counts the flagged rows.
    Rule("unique", of_contract=_unique),
)
RULES_BY_NAME = {rule.name: rule for rule in RULES}


def compile_checks(contract: Contract) -> tuple[Check, ...]:
    """All row-level checks of ``contract``: each column's, column by column, then the
    contract's row rules and its primary key's uniqueness."""
    checks: list[Check] = []
    for column in contract.stored_columns:
        for rule in RULES:
            if rule.of_column is not None and (check := rule.of_column(column)) is not None:
                checks.append(check)
    for rule in RULES:
        if rule.of_contract is not None:
            checks.extend(rule.of_contract(contract))
    return tuple(checks)


def rule_words(column: Column) -> str:
    """What the dictionary says a column may hold, from every rule that words it."""
    words = (rule.words(column) for rule in RULES if rule.words is not None)
    return "; ".join(word for word in words if word)
