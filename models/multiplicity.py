"""Many claims tested at once: p-values adjusted so that the family keeps its error rate.

A grant report tests a dozen claims; reading each p-value against 0.05 alone overstates how
many hold. ``adjust`` returns the adjusted p-values in the order they came in, so they can be
set beside the results they belong to.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

#: The adjustments offered, by name, with statsmodels' name for each.
METHODS = {
    # Benjamini & Hochberg (1995): controls the false discovery rate; the usual choice when
    # a report lists many claims and a few false leads are tolerable.
    "bh": "fdr_bh",
    # Holm (1979): controls the chance of any false claim, uniformly more powerful than
    # Bonferroni; the choice when every claim must stand on its own.
    "holm": "holm",
}


def adjust(
    p_values: pd.Series | np.ndarray | Sequence[float], method: str = "bh"
) -> pd.Series | np.ndarray:
    """Adjust p-values for testing several claims at once.

    Parameters
    ----------
    p_values
        The p-values of the family: a pandas Series (its index and name are kept), a numpy
        array of any shape, or a list.
    method
        ``"bh"`` for Benjamini-Hochberg (false discovery rate) or ``"holm"`` for Holm's
        step-down (family-wise error rate).

    Returns
    -------
    pandas.Series or numpy.ndarray
        The adjusted p-values in the input's order and shape: a Series for a Series, else
        an array. A claim holds at level q when its adjusted p-value is at most q.

    Raises
    ------
    ValueError
        An unknown method, no p-values, a missing p-value (NaN), or one outside 0..1.

    Notes
    -----
    With p(1) <= ... <= p(m) sorted, Benjamini-Hochberg gives p(i) m / i made monotone from
    the largest down; Holm gives p(i) (m - i + 1) made monotone from the smallest up; both
    are capped at 1.

    References
    ----------
    Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a practical
    and powerful approach to multiple testing. JRSS B 57, 289-300.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
    Journal of Statistics 6, 65-70.

    Examples
    --------
    >>> adjust(pd.Series([0.01, 0.04, 0.03], index=["a", "b", "c"])).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    values = np.asarray(p_values, dtype=float)
    if values.size == 0:
        raise ValueError("p_values is empty: there is nothing to adjust")
    missing = int(np.isnan(values).sum())
    if missing:
        raise ValueError(f"p_values has {missing} missing value(s) (NaN) of {values.size}")
    outside = int(((values < 0) | (values > 1)).sum())
    if outside:
        raise ValueError(f"p_values has {outside} value(s) outside 0..1")
    adjusted = multipletests(values.ravel(), method=METHODS[method])[1].reshape(values.shape)
    if isinstance(p_values, pd.Series):
        return pd.Series(adjusted, index=p_values.index, name=p_values.name)
    return adjusted
