"""Ratios the program's documents claim that are not a ratio of two shares.

"2x knowledge retention", "85% confidence increase", "3x faster adoption", "competency
developed 40% faster": each compares two arms by a ratio, of adjusted means or of rates.
The fits are statsmodels' (OLS with cluster-robust or HC1 errors; a binomial GLM with a
complementary log-log link); this module turns them into one ``Result`` with the ratio's
interval on the log scale by the delta method.

- ``ratio_of_means``: adjusted mean of one arm over another's, or (``per=``) the ratio of
  two arms' slopes through the origin, such as the share of a knowledge gain kept.
- ``proficiency_rate_ratio``: how much faster proficiency comes with a practice, from who
  was proficient after how many weeks.
- ``mean``: one mean with its t interval (cluster-robust when asked).
"""

from models.ratios.fitting import FEW_CLUSTERS
from models.ratios.means import DENOMINATOR_Z, mean, ratio_of_means
from models.ratios.rates import proficiency_rate_ratio

__all__ = ["DENOMINATOR_Z", "FEW_CLUSTERS", "mean", "proficiency_rate_ratio", "ratio_of_means"]
