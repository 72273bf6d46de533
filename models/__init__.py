"""Pure statistical and scenario models: frames in, frozen results out, no I/O.

Every estimator returns a ``models.results.Result`` (n, interval, method, warnings, one
tidy form); ``models.compare`` lines results up side by side. Models never open the
warehouse: ``pipelines.warehouse.marts`` loaders hand them plain frames.
"""

from models.results import TIDY_COLUMNS, Result, Term, compare

__all__ = ["TIDY_COLUMNS", "Result", "Term", "compare"]
