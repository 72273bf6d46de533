"""Every number a report publishes has one definition: counts and shares come from the
metrics catalog (``reports/metric.sql`` over the marts, run by ``metric_values``),
estimates from the stored scorecard and projection. No report reads a mart another way or
fits a model. Read from the source, so a new report module is held to it too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPORTS = Path(__file__).resolve().parents[2] / "reports"
#: The one module that runs the catalog's query, and the query.
CATALOG_RUNNER = REPORTS / "metric_values.py"
CATALOG_QUERY = REPORTS / "metric.sql"
#: ``models`` modules a report may import: the claims registry (titles and wording), not
#: an estimator.
ALLOWED_MODELS = {"models.scorecard"}
MART_READ = re.compile(r"\bmart\.\w+|\bFROM\s+(student|team|teacher)_\w+", re.IGNORECASE)


def report_modules() -> list[Path]:
    return sorted(REPORTS.rglob("*.py"))


def string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_only_the_catalog_query_reads_the_marts():
    for path in sorted(REPORTS.rglob("*.sql")):
        if path != CATALOG_QUERY:
            assert not MART_READ.search(path.read_text(encoding="utf-8")), path.name


def test_no_report_module_holds_a_query_of_its_own_over_the_marts():
    for path in report_modules():
        if path == CATALOG_RUNNER:
            continue
        for text in string_constants(path):
            # Prose may name its source ("mart.program_milestones"); a query may not.
            is_query = re.search(r"\bSELECT\b.*\bFROM\b", text, re.IGNORECASE | re.DOTALL)
            assert not (is_query and MART_READ.search(text)), f"{path.name}: {text[:60]!r}"


def test_no_report_fits_a_model():
    for path in report_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] in ("models", "statsmodels", "scipy", "lifelines"):
                    assert name in ALLOWED_MODELS, f"{path.name} imports {name}"
