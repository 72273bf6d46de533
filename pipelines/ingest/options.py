"""What the operator says about the files of one ingest: the command's options, in one record.

Every step that reads an operator's choice takes it from ``IngestOptions``, so a new option
is a field here and a flag of ``outcomes ingest``, not an argument threaded through five
functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class IngestOptions:
    """The operator's choices for one ingest command."""

    #: The item map that says which column of a survey export is which item (default:
    #: ``<export>.item_map.yaml`` beside each export).
    item_map: Path | None = None
    #: Keep Qualtrics responses marked "survey test": a district that piloted a survey with
    #: real respondents in test mode.
    include_test_responses: bool = False
    #: Columns the contract does not know whose values may be stored, by header. Nothing
    #: else beyond the contract is stored; a kept column that looks like an identifier is
    #: pseudonymized like the contract's own identifiers.
    keep_extra: tuple[str, ...] = ()
    #: File header -> contract column, for headers a district spells its own way
    #: (``--rename``); they win over a column map's.
    renames: Mapping[str, str] = field(default_factory=dict)
    #: Contract column -> one value for every row of each file that lacks the column
    #: (``--set school_year=2025``; see ``pipelines.ingest.fixed_values``).
    fixed_values: Mapping[str, str] = field(default_factory=dict)
    #: A column map for every file of the command (``--column-map``; see
    #: ``pipelines.ingest.column_map``).
    column_map: Path | None = None
    #: Seconds to wait for another ingest to release the warehouse.
    wait_seconds: float = 60


#: No option given: what a plain ``outcomes ingest PATH`` does.
DEFAULT_OPTIONS = IngestOptions()
