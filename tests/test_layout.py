"""The layout of the packages: imports point only down, never in a circle, and models stay
pure. Read from the source with ``ast``, so lazy imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("pipelines", "models", "reports")

#: The layers of ``pipelines``, lowest first. A module may import from its own layer and
#: the layers below it; the flow of a file is readers -> validate -> load -> warehouse.
#: ``models`` is below them all: pure, it imports no project module, and a job may call it.
LAYERS = (
    ("models",),
    ("pipelines.errors", "pipelines.sql_text", "pipelines.safe_export"),
    ("pipelines.contracts",),
    ("pipelines.warehouse",),
    ("pipelines.ingest.readers",),
    ("pipelines.ingest.surveys",),
    ("pipelines.ingest.validate",),
    ("pipelines.ingest",),
    ("pipelines.design",),
    ("pipelines.synth",),
    ("pipelines.scorecard",),
    ("pipelines.roi",),
    ("pipelines.research",),
    ("reports",),
    ("pipelines.demo",),
    ("pipelines.cli",),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
    }


def imported_names(path: Path, module: str, modules: set[str] = frozenset()) -> set[str]:
    """Every module name ``path`` imports, at its top or inside a function.

    ``from package import module`` depends on that module, not on the package's
    ``__init__``: those of ``modules`` are taken as modules.
    """
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            submodules = {f"{source}.{alias.name}" for alias in node.names} & modules
            names.update(submodules)
            if len(submodules) < len(node.names):
                names.add(source)
    return names


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {
        module: {name for name in imported_names(path, module, set(modules)) if name in modules}
        - {module}
        for module, path in modules.items()
    }


def layer_of(module: str) -> int:
    """The index of the layer that holds ``module`` (its longest matching prefix)."""
    holding = [
        (len(prefix), index)
        for index, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert holding, f"{module} is in no layer: add it to LAYERS"
    return max(holding)[1]


GRAPH = import_graph()


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("pipelines.")))
def test_a_module_imports_only_from_its_own_layer_and_below(module):
    upward = sorted(target for target in GRAPH[module] if layer_of(target) > layer_of(module))
    assert upward == [], f"{module} imports from a layer above it"


def test_no_module_imports_itself_through_a_circle():
    circles = []
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(GRAPH[module]):
            if state.get(target) == "open":
                circles.append(trail[trail.index(target) :] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_models_take_frames_and_never_open_the_warehouse():
    modules = project_modules()
    impure = {
        module: sorted(
            name
            for name in imported_names(path, module)
            if name.split(".")[0] in ("duckdb", "pipelines")
        )
        for module, path in modules.items()
        if module.split(".")[0] == "models"
    }
    assert {module: names for module, names in impure.items() if names} == {}


def test_every_pipelines_module_has_a_layer():
    for module in GRAPH:
        if module.startswith("pipelines."):
            layer_of(module)


def test_the_layers_name_real_modules():
    for prefixes in LAYERS:
        for prefix in prefixes:
            assert prefix in GRAPH, prefix
