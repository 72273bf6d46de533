"""Validating one staged batch: the contract's checks, counted in SQL and by great-expectations.

The checks run over the typed staging table with its duplicate-key facts (the ``checked``
view). One SQL pass counts every check and routes the failing rows to quarantine with
every reason; great-expectations, the validator of record, then runs the same checks as
one suite in place. Both must count the same failures, or nothing is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from pipelines.contracts import Contract
from pipelines.contracts.rules import Check, compile_checks
from pipelines.ingest.validate.duplicate_keys import build_checked_view
from pipelines.ingest.validate.quarantine import RoutingResult, route_rows
from pipelines.warehouse.audit import CheckOutcome


class ValidationDisagreement(RuntimeError):
    """great-expectations and the SQL routing counted different failures: a bug, not bad input."""


@dataclass(frozen=True)
class Validation:
    """What validating one batch found: the checks, the SQL routing and GX's verdict."""

    checks: tuple[Check, ...]
    routing: RoutingResult
    #: per check: the rows GX counted as unexpected (None where GX gave no count)
    gx_counts: dict[str, int | None]
    success: bool
    engine: str
    #: GX's full validation result as plain JSON-compatible data, for the audit tables
    document: dict[str, Any] = field(repr=False)

    def outcomes(self) -> tuple[CheckOutcome, ...]:
        """Each check's counts, as ``audit.validation_results`` keeps them."""
        return tuple(
            CheckOutcome(
                check.check_id,
                check.rule,
                self.gx_counts.get(check.check_id),
                self.routing.failing_counts[check.check_id],
            )
            for check in self.checks
        )


def validate_batch(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    *,
    file_name: str,
    lap: Callable[[str], None] = lambda step: None,
) -> Validation:
    """Check the ``typed`` staging table of ``con``; leave ``quarantined`` with the failures.

    ``lap`` is called after each step with its name, for the caller's timings.

    Raises
    ------
    ValidationDisagreement
        When great-expectations and the SQL routing count different failures for a check.
    """
    build_checked_view(con, contract)
    lap("duplicate keys")
    checks = compile_checks(contract)
    routing = route_rows(con, contract, checks)
    lap("checks and routing (SQL)")
    # GX takes seconds to import; only a run that validates pays for it.
    from pipelines.ingest.validate.gx import validate_table

    report = validate_table(con, "checked", checks)
    lap("great-expectations")
    gx_counts = {result.check_id: result.unexpected_count for result in report.results}
    disagreements = {
        check_id: (counted, routing.expected_gx_counts[check_id])
        for check_id, counted in gx_counts.items()
        if counted is not None and counted != routing.expected_gx_counts[check_id]
    }
    if disagreements:
        raise ValidationDisagreement(
            f"{file_name}: great-expectations and the quarantine routing disagree on "
            f"{disagreements}; nothing was loaded. Please report this as a bug."
        )
    return Validation(
        checks=checks,
        routing=routing,
        gx_counts=gx_counts,
        success=report.success,
        engine=f"great_expectations {report.gx_version}",
        document=report.document,
    )
