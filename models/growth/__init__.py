"""Growth over time: scores across quarters, and ordered levels (LEARN) against covariates.

- ``score_growth``: a linear mixed model of a score on time with random intercepts for
  students (and their teams, and each team's scoring occasions), so repeated scores of one
  student, and scores a team's panel gave together, are not counted as independent
  evidence; the time slope is the growth per unit of time.
- ``ordered_levels``: a proportional-odds (ordered logit) model of a level such as the
  LEARN progression's emerging < applying < integrating.
"""

from models.growth.levels import LEARN_LEVELS, MIN_CASES_PER_LEVEL, ordered_levels
from models.growth.scores import MIN_GROUPS_FOR_INTERVAL, score_growth

__all__ = [
    "LEARN_LEVELS",
    "MIN_CASES_PER_LEVEL",
    "MIN_GROUPS_FOR_INTERVAL",
    "ordered_levels",
    "score_growth",
]
