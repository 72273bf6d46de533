"""The DuckDB warehouse: its file and connection, its layers and tables, the batch writer,
the audit queries, the marts and the Parquet lake.

``connection`` opens it; ``layout`` creates its tables from the contracts; ``spelling``
says which file text core keeps; ``load`` writes one validated batch; ``audit`` holds the
queries of what was loaded and held back; ``marts`` the analysis views; ``lake`` the
Parquet export. Everything that reads or writes the warehouse's tables is in here.
"""

from pipelines.warehouse.connection import (
    DB_ENV,
    DEFAULT_DB,
    connect,
    connect_read_only,
    resolve_db_path,
)
from pipelines.warehouse.layout import LAYERS, LAYOUT_VERSION, ensure_tables, history_as_of

__all__ = [
    "DB_ENV",
    "DEFAULT_DB",
    "LAYERS",
    "LAYOUT_VERSION",
    "connect",
    "connect_read_only",
    "ensure_tables",
    "history_as_of",
    "resolve_db_path",
]
