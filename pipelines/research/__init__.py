"""Research partners' de-identified extracts, and reproducing the scorecard from one.

``export_research`` cuts a partner's extract of the marts (``extract``): pseudonyms
re-keyed per partner (``deidentify``), dates shifted or coarsened, quasi-identifiers
generalised to k-anonymity (``k_anonymity``), a codebook and a manifest written beside the
tables (``files``, ``provenance``). ``reproduce_scorecard`` and ``compare_with_manifest``
(``reproduce``) are what the partner runs on it.
"""

from pipelines.research.extract import ResearchExtract, check_partner, export_research
from pipelines.research.reproduce import compare_with_manifest, read_extract, reproduce_scorecard
from pipelines.research.tables import ExtractSettings

__all__ = [
    "ExtractSettings",
    "ResearchExtract",
    "check_partner",
    "compare_with_manifest",
    "export_research",
    "read_extract",
    "reproduce_scorecard",
]
