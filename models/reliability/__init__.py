"""How far raters agree, and how severe each one is.

Three questions about scores given by raters (employer reviewers, assessors), one module
each:

- ``icc`` (``intraclass``): how much of the score variance lies between the things scored
  when every rater scores every target (the six Shrout-Fleiss intraclass correlations);
- ``krippendorff_alpha`` (``alpha``): agreement beyond chance for any level of
  measurement, with missing ratings allowed (each unit may be coded by different coders);
- ``rater_severity`` (``severity``): what each rater adds to the scores they give, shrunk
  towards zero by a model with crossed random effects for targets and raters, and what
  share of targets reach a standard once those offsets are removed.

``ratings`` checks and shapes the ratings all three are given.
"""

from models.reliability.alpha import krippendorff_alpha
from models.reliability.intraclass import icc
from models.reliability.severity import rater_severity

__all__ = ["icc", "krippendorff_alpha", "rater_severity"]
