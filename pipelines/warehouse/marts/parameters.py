"""The marts' parameters (thresholds such as the portfolio standard): each one's value from
its contract's default or the user's ``--param NAME=VALUE``, typed as declared."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pipelines.contracts import ContractError
from pipelines.errors import InputError
from pipelines.warehouse.marts.definitions import mart_contracts


def resolve_parameters(overrides: dict[str, str] | None = None) -> dict[str, object]:
    """Every mart parameter's value: its contract default unless ``overrides`` names it.

    Raises
    ------
    InputError
        An override names no parameter, or its value is not of the parameter's type.
    """
    declared = {}
    for contract in mart_contracts().values():
        for parameter in contract.parameters:
            # Marts sharing a threshold declare it alike, so one value serves them all.
            first = declared.setdefault(parameter.name, parameter)
            if (first.type, first.default) != (parameter.type, parameter.default):
                raise ContractError(f"marts declare parameter {parameter.name} differently")
    values = {name: parameter.default for name, parameter in sorted(declared.items())}
    for name, text in (overrides or {}).items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise InputError(
                "--param", f"no mart takes a parameter {name!r}", f"the parameters are: {known}"
            )
        values[name] = _parameter_value(declared[name].type, name, text)
    return values


def _parameter_value(type_name: str, name: str, text: object) -> object:
    if text is None or text == "":
        return None
    converters: dict[str, Callable[[str], object]] = {
        "double": float,
        "integer": int,
        "date": dt.date.fromisoformat,
        "boolean": lambda t: {"true": True, "false": False}[t.lower()],
        "varchar": str,
    }
    try:
        return converters[type_name](str(text))
    except (KeyError, ValueError) as error:
        raise InputError(
            "--param", f"{name}={text} is not a {type_name}", f"give {name} a {type_name} value"
        ) from error


def parse_parameters(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("portfolio_standard=7.5",)`` -> ``{"portfolio_standard": "7.5"}``."""
    parsed = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(
                "--param",
                f"{pair!r} is not NAME=VALUE",
                "write e.g. --param portfolio_standard=7.5",
            )
        parsed[name.strip()] = value.strip()
    return parsed
