"""The ten-year benefit-cost job: scenarios in, projections stored in ``results.roi_*``.

``run_roi`` resolves the scenarios asked for (shipped, ``evidence`` from the warehouse and
the stored scorecard, or a YAML file), simulates each with ``models.roi`` and gathers the
tornado, break-even values and the claim's arithmetic; ``store_roi`` writes them for the
report, ``read_roi`` reads the newest back.
"""

from pipelines.roi.run import DEFAULT_COMPARISON, NAMES, RoiRun, ScenarioRun, run_roi
from pipelines.roi.store import read_roi, store_roi

__all__ = [
    "DEFAULT_COMPARISON",
    "NAMES",
    "RoiRun",
    "ScenarioRun",
    "read_roi",
    "run_roi",
    "store_roi",
]
