"""Time to an event: how long until a trained teacher's first AI lesson, or until someone leaves.

Three questions, three estimators, all on right-censored waits (a wait that has not ended
when the records stop, or when the person leaves, counts for as long as it was watched):

- ``kaplan_meier``: the survival curve and its median wait, by group, with a log-rank test.
  It assumes nothing about the curve's shape; use it first, and to plot.
- ``cox``: hazard ratios (how much likelier the event is at any moment), adjusted for
  covariates, with cluster-robust errors when people share a school or department.
- ``time_ratio``: how much longer (or shorter) the wait is, treated against untreated, from a
  Weibull accelerated-failure-time model. "Three times faster adoption" is a claim about time,
  so this is the number to set beside it: a ratio below 1 means a shorter wait (faster).

Each takes a plain frame with one row per person, a duration (a number of days, weeks...) and
an event flag (1 when the wait ended in the event, 0 when it was censored).

One module each (``curves``, ``hazards``, ``time_ratios``); ``inputs`` checks the frames
they are given and ``fitting`` reads lifelines' fits into terms.
"""

from models.retention.curves import CurvePoint, SurvivalCurves, kaplan_meier
from models.retention.hazards import cox
from models.retention.time_ratios import time_ratio

__all__ = ["CurvePoint", "SurvivalCurves", "cox", "kaplan_meier", "time_ratio"]
