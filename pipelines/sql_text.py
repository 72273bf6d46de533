"""SQL text: quoting names and values, and reading the ``.sql`` files beside the code.

Every statement that names a contract's column, a staging table or a file path is built as
text, so names and literals are quoted here, in one way, everywhere. Statements of more
than a line live in ``.sql`` files in the package that runs them, shipped with it.
"""

from __future__ import annotations

from importlib import resources


def quote_ident(name: str) -> str:
    """A SQL identifier: ``student id`` -> ``"student id"`` (inner quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: object) -> str:
    """A SQL string literal: ``O'Brien`` -> ``'O''Brien'``."""
    return "'" + str(value).replace("'", "''") + "'"


def read_sql(package: str, name: str) -> str:
    """The text of ``name``, a ``.sql`` file of ``package`` (``read_sql(__package__, ...)``)."""
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")
