"""Validating staged batches: the contract's checks, counted in SQL and by great-expectations.

The checks run over a batch's typed staging table with its duplicate-key facts (the
``checked`` view). One SQL pass counts every check and routes the failing rows to
quarantine with every reason (``route_batch``); great-expectations, the validator of
record, then runs the same checks as one suite in place (``confirm_with_gx``). Both must
count the same failures, or nothing is loaded.

great-expectations costs about a fifth of a second a run whatever the rows, so one command
runs it once over all the batches of a kind that the SQL pass found clean (a view of their
rows together), and once more for each batch with failures. A clean batch's counts are
then exact too: counts cannot be negative, so a total of zero is zero in every batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
class Routed:
    """One batch's checks and what the SQL pass found (its ``quarantined`` table holds the
    failing rows)."""

    checks: tuple[Check, ...]
    routing: RoutingResult

    @property
    def clean(self) -> bool:
        """Whether great-expectations should count no row at all."""
        return not any(self.routing.expected_gx_counts.values())


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


def route_batch(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    *,
    lap: Callable[[str], None] = lambda step: None,
) -> Routed:
    """Count every check over the ``typed`` staging table of ``con`` and leave ``checked``
    (the rows with their duplicate-key facts) and ``quarantined`` (the failing rows).

    ``lap`` is called after each step with its name, for the caller's timings.
    """
    build_checked_view(con, contract)
    lap("duplicate keys")
    checks = compile_checks(contract)
    routing = route_rows(con, contract, checks)
    lap("checks and routing (SQL)")
    return Routed(checks, routing)


def confirm_with_gx(
    con: duckdb.DuckDBPyConnection,
    table: str,
    batches: Sequence[Routed],
    file_names: Sequence[str],
) -> list[Validation]:
    """Run great-expectations once over ``table`` (one batch's checked rows, or several
    clean batches' of one kind together) and check its counts against the SQL pass.

    Returns one ``Validation`` per batch, in order.

    Raises
    ------
    ValidationDisagreement
        When great-expectations and the SQL routing count different failures for a check.
    ValueError
        When several batches are given and the SQL pass found failures in one of them
        (their counts could not be told apart).
    """
    if len(batches) > 1 and not all(batch.clean for batch in batches):
        raise ValueError("only batches the SQL pass found clean are validated together")
    checks = batches[0].checks
    # GX takes seconds to import; only a run that validates pays for it.
    from pipelines.ingest.validate.gx import validate_table

    report = validate_table(con, table, checks)
    counted = {result.check_id: result.unexpected_count for result in report.results}
    expected = {
        check.check_id: sum(batch.routing.expected_gx_counts[check.check_id] for batch in batches)
        for check in checks
    }
    disagreements = {
        check_id: (count, expected[check_id])
        for check_id, count in counted.items()
        if count is not None and count != expected[check_id]
    }
    if disagreements:
        raise ValidationDisagreement(
            f"{', '.join(file_names)}: great-expectations and the quarantine routing disagree "
            f"on {disagreements}; nothing was loaded. Please report this as a bug."
        )
    document = report.document
    if len(batches) > 1:
        # The audit keeps this document with each batch: say that GX saw them together.
        meta = dict(document.get("meta") or {})
        meta["validated_together"] = {
            "files": list(file_names),
            "rows": [batch.routing.rows_checked for batch in batches],
        }
        document = {**document, "meta": meta}
    return [
        Validation(
            checks=batch.checks,
            routing=batch.routing,
            # One batch: GX's own counts. Several: all were clean and GX counted no row in
            # all of them together, so each batch's count is zero.
            gx_counts=dict(counted)
            if len(batches) == 1
            else {k: (None if v is None else 0) for k, v in counted.items()},
            success=report.success,
            engine=f"great_expectations {report.gx_version}",
            document=document,
        )
        for batch in batches
    ]


def validate_batch(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    *,
    file_name: str,
    lap: Callable[[str], None] = lambda step: None,
) -> Validation:
    """Check the ``typed`` staging table of ``con`` alone; leave ``quarantined`` with the
    failures (``route_batch``, then ``confirm_with_gx`` on its ``checked`` view)."""
    routed = route_batch(con, contract, lap=lap)
    (validation,) = confirm_with_gx(con, "checked", [routed], [file_name])
    lap("great-expectations")
    return validation
