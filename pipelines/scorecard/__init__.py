"""The claims scorecard job: build each claim's analysis frame from the marts, score it
with ``models.scorecard``, and store the results in the warehouse (``results.*``).

Each claim's frame is the query ``frames/<frame>.sql`` over the marts the registry names,
run by DuckDB on the marts as of the chosen state; ``run_scorecard`` returns the scorecard
and where it came from, ``store_scorecard`` writes it, ``read_claim_estimates`` reads the
newest stored run back for reports.
"""

from pipelines.scorecard.run import ScorecardRun, claim_frames, run_scorecard
from pipelines.scorecard.store import read_claim_estimates, read_dose_response, store_scorecard

__all__ = [
    "ScorecardRun",
    "claim_frames",
    "read_claim_estimates",
    "read_dose_response",
    "run_scorecard",
    "store_scorecard",
]
