"""Data contracts, one per source kind, and the documents generated from them.

``contract`` reads and checks the YAML files in ``data/schemas/``; ``docs`` renders the
data dictionary, the README summary and the research codebook from them.
"""

from pipelines.contracts.contract import (
    MART_SCHEMA_DIR,
    SCHEMA_DIR,
    Column,
    Contract,
    ContractError,
    Parameter,
    RowRule,
    code_key,
    header_key,
    load_contract,
    load_contracts,
    load_order,
    normalize_header,
    text_column,
)

__all__ = [
    "MART_SCHEMA_DIR",
    "SCHEMA_DIR",
    "Column",
    "Contract",
    "ContractError",
    "Parameter",
    "RowRule",
    "code_key",
    "header_key",
    "load_contract",
    "load_contracts",
    "load_order",
    "normalize_header",
    "text_column",
]
