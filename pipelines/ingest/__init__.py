"""Ingestion: district export files into the warehouse, one validated batch per file.

The flow, one sub-package or module per step:

``plan`` which files, of which kind, in which order ->
``readers`` each file staged as text (``surveys`` reshapes survey exports first; ``sources``
says which path a file takes) -> ``columns`` headers matched to the contract (with the
renames of ``column_map``) -> ``typed`` typed and pseudonymized (``pseudonymize``) ->
``validate`` checked, failing rows routed to quarantine -> ``pipelines.warehouse.load``
written in one transaction. ``job`` runs the steps for every file, in the ``staging``
database of the command, with the operator's ``options``.
"""

from pipelines.ingest.job import ingest_file, ingest_paths, ingest_plan
from pipelines.ingest.options import IngestOptions
from pipelines.ingest.plan import PlannedFile, discover_files, plan_ingest
from pipelines.warehouse.audit import Batch

__all__ = [
    "Batch",
    "IngestOptions",
    "PlannedFile",
    "discover_files",
    "ingest_file",
    "ingest_paths",
    "ingest_plan",
    "plan_ingest",
]
