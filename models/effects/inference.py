"""Standard errors, p-values and intervals: influence-function (sandwich) errors,
cluster-robust errors with the small-sample correction, and for few clusters the
leave-one-cluster-out jackknife (CV3) and the wild cluster bootstrap.

References
----------
Cameron, A. C., Gelbach, J. B. and Miller, D. L. (2008). Bootstrap-based improvements for
inference with clustered errors. Review of Economics and Statistics 90(3), 414-427.
MacKinnon, J. G. and Webb, M. D. (2017). Wild bootstrap inference for wildly different
cluster sizes. Journal of Applied Econometrics 32(2), 233-254.
Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors.
Canadian Journal of Economics 56(3), 839-858.
Roodman, D., MacKinnon, J. G., Nielsen, M. O. and Webb, M. D. (2019). Fast and wild:
bootstrap inference in Stata using boottest. Stata Journal 19(1), 4-60.
MacKinnon, J. G., Nielsen, M. O. and Webb, M. D. (2023). Fast and reliable jackknife and
bootstrap methods for cluster-robust inference. Journal of Applied Econometrics 38(5),
671-694.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Below this many clusters, CR1 t tests over-reject (Cameron, Gelbach and Miller 2008):
#: the cluster jackknife (or, for matching, the wild cluster bootstrap) gives the p-value
#: and interval instead.
FEW_CLUSTERS = 20

#: Below this many clusters the two-point Rademacher weights have too few distinct
#: draws (2^G); Webb's six-point weights are used instead (Webb 2023).
WEBB_BELOW = 12

#: Bootstrap draws; with Rademacher weights and 2^G below this, every sign pattern is
#: enumerated instead, as the wildboottest package does.
BOOTSTRAP_DRAWS = 9999

_WEBB_POINTS = np.array(
    [-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)]
)


@dataclass(frozen=True)
class Inference:
    """A standard error, interval and p-value, and how they were obtained."""

    std_error: float | None
    ci_lower: float | None
    ci_upper: float | None
    p_value: float | None
    description: str


def cluster_sums(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Sums of ``values`` (rows, or rows by columns) within each group."""
    _, codes = np.unique(groups, return_inverse=True)
    if values.ndim == 1:
        return np.bincount(codes, weights=values)
    return np.stack([np.bincount(codes, weights=column) for column in values.T], axis=1)


def influence_std_error(influence: np.ndarray, groups: np.ndarray) -> float:
    """The standard error of an estimate whose error is the sum of ``influence`` over rows,
    with rows independent across ``groups`` (each row its own group when unclustered).
    The G/(G-1) factor is the CR1 small-sample correction."""
    sums = cluster_sums(influence, groups)
    g = len(sums)
    return float(math.sqrt(g / (g - 1) * np.sum(sums**2)))


def normal_inference(
    estimate: float, std_error: float, alpha: float, *, df: int | None, description: str
) -> Inference:
    """A Wald interval and p-value, from Student's t with ``df`` degrees of freedom (the
    number of clusters minus one) or, when ``df`` is None, the normal."""
    if not std_error > 0:
        return Inference(None, None, None, None, description)
    distribution = stats.t(df) if df is not None else stats.norm
    z = float(distribution.ppf(1 - alpha / 2))
    p = float(2 * distribution.sf(abs(estimate / std_error)))
    return Inference(std_error, estimate - z * std_error, estimate + z * std_error, p, description)


def jackknife_inference(
    estimate: float, leave_out: np.ndarray, alpha: float, *, description: str
) -> Inference:
    """CV3: the standard error from the estimates with each cluster left out in turn,
    sqrt((G-1)/G * sum (estimate_g - estimate)^2), with Student's t on G-1 df.

    Centred at the full-sample estimate, as MacKinnon, Nielsen and Webb (2023) define
    CV3; centring at the mean of the leave-out estimates would be slightly narrower."""
    g = len(leave_out)
    std_error = float(math.sqrt((g - 1) / g * np.sum((np.asarray(leave_out) - estimate) ** 2)))
    return normal_inference(estimate, std_error, alpha, df=g - 1, description=description)


def ols_leave_cluster_out(
    design: np.ndarray, y: np.ndarray, clusters: np.ndarray, column: int
) -> np.ndarray:
    """The OLS coefficient in ``column`` refitted without each cluster, from the full
    cross-products less the cluster's own (no refit on the data)."""
    _, codes = np.unique(clusters, return_inverse=True)
    cross = design.T @ design
    moment = design.T @ y
    estimates = []
    for cluster in range(int(codes.max()) + 1):
        rows = design[codes == cluster]
        # pinv: without one cluster a covariate can be constant, and its coefficient is
        # then not identified; the effect's still is.
        coefficients = np.linalg.pinv(cross - rows.T @ rows) @ (
            moment - rows.T @ y[codes == cluster]
        )
        estimates.append(coefficients[column])
    return np.array(estimates)


def bootstrap_weights(clusters: int, draws: int, seed: int) -> tuple[np.ndarray, str]:
    """The wild bootstrap's cluster weights (clusters by draws) and their name."""
    if clusters < WEBB_BELOW:
        rng = np.random.default_rng(seed)
        return rng.choice(_WEBB_POINTS, size=(clusters, draws)), "Webb"
    if 2**clusters <= draws:
        signs = np.array(list(itertools.product([-1.0, 1.0], repeat=clusters))).T
        return signs, "Rademacher, all sign patterns"
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=(clusters, draws)), "Rademacher"


class WildClusterBootstrap:
    """The restricted wild cluster bootstrap (WCR) t test of one OLS coefficient, with
    CR1 errors, and its interval by test inversion.

    The null beta_j = b is imposed by testing beta_j = 0 on y - b * x_j; the same weights
    serve every b, so the interval is the set of b the test does not reject (Roodman et al.
    2019, section 3.5). The bootstrap t statistics come from per-cluster sums, so a test
    costs a few small matrix products (Roodman et al. 2019, section 5).
    """

    def __init__(
        self,
        design: np.ndarray,
        y: np.ndarray,
        clusters: np.ndarray,
        column: int,
        weights: np.ndarray,
    ) -> None:
        self.design = np.asarray(design, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.column = column
        self.weights = weights
        _, self.codes = np.unique(clusters, return_inverse=True)
        self.g = int(self.codes.max()) + 1
        n, k = self.design.shape
        self.ssc = self.g / (self.g - 1) * (n - 1) / (n - k)
        self.inverse = np.linalg.inv(self.design.T @ self.design)
        self.row = self.inverse[column]
        # e_j' A X_g' X_g A, one row per cluster: how cluster g's residuals move coefficient j
        # once the refit takes them out.
        self.leverage = np.stack(
            [
                self.row @ (xg.T @ xg) @ self.inverse
                for xg in (self.design[self.codes == c] for c in range(self.g))
            ]
        )
        others = [i for i in range(k) if i != column]
        self.restricted = self.design[:, others]

    def t_statistic(self, null: float) -> float:
        y = self.y - null * self.design[:, self.column]
        beta = self.inverse @ self.design.T @ y
        residual = y - self.design @ beta
        scores = cluster_sums(self.design * residual[:, None], self.codes)
        spread = scores @ self.inverse[:, self.column]
        return float(beta[self.column] / math.sqrt(self.ssc * np.sum(spread**2)))

    def bootstrap_t(self, null: float) -> np.ndarray:
        y = self.y - null * self.design[:, self.column]
        fit, *_ = np.linalg.lstsq(self.restricted, y, rcond=None)
        residual = y - self.restricted @ fit
        scores = cluster_sums(self.design * residual[:, None], self.codes)  # G x k
        numerator_by_cluster = scores @ self.row  # c_g
        cross = self.leverage @ scores.T  # D[g, h]
        numerator = numerator_by_cluster @ self.weights
        spread = numerator_by_cluster[:, None] * self.weights - cross @ self.weights
        return numerator / np.sqrt(self.ssc * np.sum(spread**2, axis=0))

    def p_value(self, null: float = 0.0) -> float:
        """The symmetric bootstrap p-value of beta_j = null."""
        # With treatment constant within clusters one sign pattern reproduces the data,
        # so a bootstrap t equals the observed t up to rounding: ties count as not larger.
        observed = abs(self.t_statistic(null)) * (1 + 1e-10)
        return float(np.mean(np.abs(self.bootstrap_t(null)) > observed))

    def interval(self, estimate: float, std_error: float, alpha: float) -> tuple[float, float]:
        """The bounds where the p-value falls to ``alpha``, found by bisection."""
        return (
            self._bound(estimate, -std_error, alpha),
            self._bound(estimate, std_error, alpha),
        )

    def _bound(self, estimate: float, step: float, alpha: float) -> float:
        inside, outside = estimate, estimate + step
        for _ in range(60):
            if self.p_value(outside) <= alpha:
                break
            inside, outside = outside, outside + step
            step *= 2
        for _ in range(40):
            middle = (inside + outside) / 2
            if self.p_value(middle) > alpha:
                inside = middle
            else:
                outside = middle
        return (inside + outside) / 2
