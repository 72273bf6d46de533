"""What the marts are: each one's contract and query, the order they are built in (every
mart after the marts its query reads), and the roadmap's targets they hold data against."""

from __future__ import annotations

import re
from importlib import resources

import yaml

from pipelines.contracts import MART_SCHEMA_DIR, Contract, ContractError, load_contracts
from pipelines.sql_text import read_sql

_MART_REFERENCE = re.compile(r"\bmart\.([a-z_]+)")


def mart_contracts() -> dict[str, Contract]:
    """Every mart's contract, by mart name (from ``data/schemas/marts/``)."""
    return load_contracts(MART_SCHEMA_DIR)


def mart_query(name: str) -> str:
    """The SELECT that builds ``mart.<name>``."""
    return read_sql(__package__, f"{name}.sql")


def mart_names() -> list[str]:
    """The marts in build order: every mart after the marts its query reads."""
    queries = {f.name.removesuffix(".sql") for f in resources.files(__package__).iterdir()}
    names = sorted(n for n in queries if n in mart_contracts())
    return _build_order(names)


def _reads(name: str) -> set[str]:
    return set(_MART_REFERENCE.findall(mart_query(name))) - {name}


def _build_order(names: list[str]) -> list[str]:
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered:
            return
        if name in path:
            raise ContractError(f"marts read each other in a circle: {' -> '.join(path)}")
        for needed in sorted(_reads(name)):
            visit(needed, (*path, name))
        ordered.append(name)

    for name in names:
        visit(name, ())
    return ordered


def with_dependencies(names: list[str]) -> list[str]:
    """``names`` and every mart they read, directly or not, in build order."""
    wanted: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted.add(name)
            stack.extend(_reads(name))
    return [name for name in mart_names() if name in wanted]


def roadmap_targets() -> list[dict]:
    """The roadmap's targets by program month (``roadmap_targets.yaml`` of this package)."""
    return yaml.load(read_sql(__package__, "roadmap_targets.yaml"), Loader=yaml.CSafeLoader)
