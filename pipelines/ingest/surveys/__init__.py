"""Survey exports (Qualtrics, Google Forms) reshaped to the long ``survey_responses`` form.

``export_file`` reads an export (its text, layout, header rows and dates); ``item_map``
loads the map that says which column is which item (``item_map_yaml`` is the YAML dialect
it is written in); ``choice_codes`` codes one answer; ``reshape`` turns an export and its
map into one row per answer. A new survey tool is a layout in ``export_file`` and its
metadata columns in ``reshape``.
"""

from pipelines.ingest.surveys.export_file import (
    HEADER_ROWS,
    LAYOUTS,
    TIMESTAMP_HEADERS,
    detect_survey_layout,
    parse_timestamp,
)
from pipelines.ingest.surveys.item_map import ItemMap, load_item_map
from pipelines.ingest.surveys.reshape import ReshapedSurvey, reshape_survey

__all__ = [
    "HEADER_ROWS",
    "LAYOUTS",
    "TIMESTAMP_HEADERS",
    "ItemMap",
    "ReshapedSurvey",
    "detect_survey_layout",
    "load_item_map",
    "parse_timestamp",
    "reshape_survey",
]
