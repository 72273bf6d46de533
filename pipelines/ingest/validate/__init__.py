"""Validation of a staged batch against its contract.

``checks`` compiles a contract's columns into checks (a SQL condition and a
great-expectations expectation each); ``duplicate_keys`` adds the facts the uniqueness
check reads; ``quarantine`` routes failing rows with every reason; ``gx`` runs the checks
in place with great-expectations; ``batch`` runs them all for one batch and requires both
counts to agree.
"""

from pipelines.ingest.validate.batch import Validation, ValidationDisagreement, validate_batch
from pipelines.ingest.validate.checks import Check, compile_checks, reference_table

__all__ = [
    "Check",
    "Validation",
    "ValidationDisagreement",
    "compile_checks",
    "reference_table",
    "validate_batch",
]
