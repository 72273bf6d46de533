"""Validation of a staged batch against its contract.

The checks come from the contract (``pipelines.contracts.rules``: one registry entry per
rule, with its SQL and its great-expectations expectation). Here they run:
``duplicate_keys`` adds the facts the uniqueness check reads; ``quarantine`` routes failing
rows with every reason in one SQL pass; ``gx`` runs the same checks in place with
great-expectations; ``batch`` runs the SQL pass per batch and great-expectations over one
batch or several clean ones together, and requires both counts to agree.
"""

from pipelines.ingest.validate.batch import (
    Routed,
    Validation,
    ValidationDisagreement,
    confirm_with_gx,
    route_batch,
    validate_batch,
)

__all__ = [
    "Routed",
    "Validation",
    "ValidationDisagreement",
    "confirm_with_gx",
    "route_batch",
    "validate_batch",
]
