"""What a design can detect: minimum detectable effect sizes and the samples they need.

Before a claim is tested, a board should know the smallest effect the district's numbers
could show. ``mdes`` gives it, in standard deviations of the outcome, for an individual or a
cluster (team, school) random assignment, or a matched comparison; ``required_n`` turns it
round and gives the sample that would detect a claimed effect.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from scipy import stats

from models.results import Result, Term

DESIGNS = ("individual", "cluster", "matched")

#: Sample inflation of a matched comparison over a randomized trial of the same size.
#: Propensity-score studies typically need about 30% more sample than a randomized trial
#: for the same power (Hedberg, IES grant R305D200045, "Deriving and developing tools to
#: estimate optimal data points for quasi-experimental designs", 2020-2025, key findings).
MATCHING_DESIGN_EFFECT = 1.3
MATCHING_SOURCE = (
    "Hedberg, IES grant R305D200045 (2020-2025): propensity-score studies typically need "
    "about 30% more sample than a randomized trial"
)

#: Fewer degrees of freedom than this and the t multiplier, so the MDES, grows quickly.
FEW_DEGREES_OF_FREEDOM = 10

#: The largest sample ``required_n`` searches before it gives up.
LARGEST_SEARCHED = 10**9


@dataclass(frozen=True)
class PowerResult(Result):
    """A design's minimum detectable effect size (``mdes``), with how it was computed."""

    @property
    def mdes(self) -> float:
        """The minimum detectable effect size, in standard deviations of the outcome."""
        return self.term("mdes").estimate


def mdes(
    design: str,
    *,
    n: int | None = None,
    clusters: int | None = None,
    cluster_size: float | None = None,
    icc: float = 0.0,
    r2_individual: float = 0.0,
    r2_cluster: float = 0.0,
    treated_share: float = 0.5,
    covariates: int = 0,
    alpha: float = 0.05,
    power: float = 0.80,
    two_sided: bool = True,
    matching_design_effect: float = MATCHING_DESIGN_EFFECT,
) -> PowerResult:
    """The minimum detectable effect size of a design.

    Parameters
    ----------
    design
        ``individual`` (students randomly assigned), ``cluster`` (whole clusters, such as
        teams or schools, randomly assigned) or ``matched`` (members compared with matched
        non-members).
    n
        Individuals in the study (individual and matched designs; for the cluster design it
        may stand in for ``cluster_size`` as ``n / clusters``).
    clusters
        Clusters in the study (cluster design).
    cluster_size
        Individuals per cluster (the harmonic mean when sizes differ).
    icc
        Share of the outcome's variance between clusters (cluster design).
    r2_individual
        Share of the individual-level variance explained by covariates.
    r2_cluster
        Share of the cluster-level variance explained by cluster covariates (cluster
        design).
    treated_share
        Share of individuals (or clusters) treated.
    covariates
        Covariates in the impact model: individual-level for the individual and matched
        designs, cluster-level for the cluster design; each costs a degree of freedom.
    alpha, power, two_sided
        The test the effect must pass, and the chance it should pass it.
    matching_design_effect
        The matched design's variance inflation over a randomized trial of the same size
        (default ``MATCHING_DESIGN_EFFECT``, with its source in ``MATCHING_SOURCE``).

    Returns
    -------
    PowerResult
        Headline term ``mdes`` (also ``.estimate`` and ``.mdes``), its standardized standard
        error as ``std_error``, and the ``multiplier`` and ``df`` behind it. No interval.

    Raises
    ------
    ValueError
        An unknown design; a size the design needs that is missing, or one it does not use;
        fewer than two clusters; too few cases for the covariates' degrees of freedom; a
        share outside its range.

    Notes
    -----
    MDES = M * SE with M = t(1 - alpha/2, df) + t(power, df) (t(1 - alpha) one-sided).
    Individual: SE^2 = (1 - R1^2) / (P (1 - P) n), df = n - covariates - 2.
    Cluster: SE^2 = icc (1 - R2^2) / (P (1 - P) J) + (1 - icc)(1 - R1^2) / (P (1 - P) J m),
    df = J - covariates - 2. Matched: the individual SE times sqrt(design effect).

    References
    ----------
    Bloom, H. S. (1995). Minimum detectable effects. Evaluation Review 19, 547-556.
    Bloom, H. S. (2006). The core analytics of randomized experiments for social research.
    MDRC working paper.
    Dong, N. and Maynard, R. (2013). PowerUp!: a tool for calculating minimum detectable
    effect sizes and minimum required sample sizes. JREE 6, 24-67.

    Examples
    --------
    >>> round(mdes("individual", n=250).mdes, 3)
    0.356
    """
    spec = _design(
        design,
        n=n,
        clusters=clusters,
        cluster_size=cluster_size,
        icc=icc,
        r2_individual=r2_individual,
        r2_cluster=r2_cluster,
        treated_share=treated_share,
        covariates=covariates,
        alpha=alpha,
        power=power,
        matching_design_effect=matching_design_effect,
    )
    return _result(spec, alpha=alpha, power=power, two_sided=two_sided)


def required_n(
    design: str,
    *,
    effect: float,
    cluster_size: float | None = None,
    icc: float = 0.0,
    r2_individual: float = 0.0,
    r2_cluster: float = 0.0,
    treated_share: float = 0.5,
    covariates: int = 0,
    alpha: float = 0.05,
    power: float = 0.80,
    two_sided: bool = True,
    matching_design_effect: float = MATCHING_DESIGN_EFFECT,
) -> PowerResult:
    """The smallest sample whose MDES is at most ``effect``.

    For the individual and matched designs that is individuals (headline term ``n``); for
    the cluster design, clusters of ``cluster_size`` (headline term ``clusters``, with the
    individuals they hold as term ``n``). The ``mdes`` term gives the MDES at that size.
    The other parameters are those of ``mdes``; ``effect`` is in standard deviations of the
    outcome (the claimed effect divided by the outcome's standard deviation).

    Examples
    --------
    >>> required_n("cluster", effect=0.63, cluster_size=15, icc=0.17).estimate
    20
    """
    if not (isinstance(effect, numbers.Real) and math.isfinite(effect) and effect > 0):
        raise ValueError(f"effect must be a positive number of standard deviations: {effect!r}")
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, got {design!r}")
    clustered = design == "cluster"
    if clustered and cluster_size is None:
        raise ValueError("cluster_size is needed to find the clusters a cluster design needs")

    assumptions = {
        "cluster_size": cluster_size,
        "icc": icc,
        "r2_individual": r2_individual,
        "r2_cluster": r2_cluster,
        "treated_share": treated_share,
        "covariates": covariates,
        "alpha": alpha,
        "power": power,
        "two_sided": two_sided,
        "matching_design_effect": matching_design_effect,
    }

    def at(size: int) -> PowerResult:
        if clustered:
            return mdes(design, clusters=size, **assumptions)
        return mdes(design, n=size, **assumptions)

    # The smallest size with a degree of freedom; the MDES falls as the size grows, so
    # double until it is small enough, then bisect.
    low = covariates + 3
    if at(low).mdes <= effect:
        return _required(at(low), clustered, low)
    high = low
    while at(high).mdes > effect:
        if high > LARGEST_SEARCHED:
            raise ValueError(
                f"no design of up to {LARGEST_SEARCHED:,} "
                f"{'clusters' if clustered else 'cases'} detects an effect of {effect}"
            )
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if at(middle).mdes <= effect:
            high = middle
        else:
            low = middle
    return _required(at(high), clustered, high)


@dataclass(frozen=True)
class _Design:
    """A checked design: its name, sizes, standard error and degrees of freedom."""

    name: str
    n: int
    clusters: int | None
    standard_error: float
    df: int
    design_effect: float | None


def _design(
    design: str,
    *,
    n: int | None,
    clusters: int | None,
    cluster_size: float | None,
    icc: float,
    r2_individual: float,
    r2_cluster: float,
    treated_share: float,
    covariates: int,
    alpha: float,
    power: float,
    matching_design_effect: float,
) -> _Design:
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, got {design!r}")
    _share(treated_share, "treated_share", open_low=True)
    _share(alpha, "alpha", open_low=True)
    _share(power, "power", open_low=True)
    _share(r2_individual, "r2_individual")
    covariates = _whole(covariates, "covariates", minimum=0)
    balance = treated_share * (1 - treated_share)

    if design == "cluster":
        if clusters is None:
            raise ValueError("clusters is needed for the cluster design")
        clusters = _whole(clusters, "clusters", minimum=0)
        if clusters < 2:
            raise ValueError(f"clusters must be at least 2 (one treated, one not): {clusters}")
        if cluster_size is None:
            if n is None:
                raise ValueError("cluster_size (or n) is needed for the cluster design")
            cluster_size = _whole(n, "n", minimum=1) / clusters
        elif n is not None:
            raise ValueError("give cluster_size or n for the cluster design, not both")
        if not (isinstance(cluster_size, numbers.Real) and cluster_size >= 1):
            raise ValueError(f"cluster_size must be at least 1, got {cluster_size!r}")
        _share(icc, "icc")
        _share(r2_cluster, "r2_cluster")
        df = _degrees_of_freedom(clusters, covariates, "clusters")
        variance = icc * (1 - r2_cluster) / (balance * clusters) + (1 - icc) * (
            1 - r2_individual
        ) / (balance * clusters * cluster_size)
        return _Design(
            design, round(clusters * cluster_size), clusters, math.sqrt(variance), df, None
        )

    for name, value in (("clusters", clusters), ("cluster_size", cluster_size)):
        if value is not None:
            raise ValueError(f"{name} applies to the cluster design only, not {design!r}")
    for name, value in (("icc", icc), ("r2_cluster", r2_cluster)):
        if value != 0:
            raise ValueError(f"{name} applies to the cluster design only, not {design!r}")
    if n is None:
        raise ValueError(f"n is needed for the {design} design")
    n = _whole(n, "n", minimum=0)
    df = _degrees_of_freedom(n, covariates, "n")
    variance = (1 - r2_individual) / (balance * n)
    design_effect = None
    if design == "matched":
        if not (isinstance(matching_design_effect, numbers.Real) and matching_design_effect >= 1):
            raise ValueError(
                f"matching_design_effect must be at least 1, got {matching_design_effect!r}"
            )
        design_effect = float(matching_design_effect)
        variance *= design_effect
    return _Design(design, n, None, math.sqrt(variance), df, design_effect)


def _result(spec: _Design, *, alpha: float, power: float, two_sided: bool) -> PowerResult:
    critical = stats.t.ppf(1 - alpha / 2 if two_sided else 1 - alpha, spec.df)
    multiplier = float(critical + stats.t.ppf(power, spec.df))
    value = multiplier * spec.standard_error
    warnings = []
    if spec.df < FEW_DEGREES_OF_FREEDOM:
        units = "clusters" if spec.clusters is not None else "cases"
        warnings.append(
            f"only {spec.df} degrees of freedom (too few {units} for the covariates): "
            "the MDES is large and rests heavily on the assumed parameters"
        )
    details = {
        "design": spec.name,
        "df": spec.df,
        "multiplier": multiplier,
        "standard_error": spec.standard_error,
        "two_sided": two_sided,
        "power": power,
    }
    if spec.design_effect is not None:
        inflation = math.sqrt(spec.design_effect)
        warnings.append(
            f"matched comparison: the individual design's MDES is inflated by "
            f"sqrt({spec.design_effect:g}) = {inflation:.3f} for the precision matching "
            f"loses ({MATCHING_SOURCE}); set matching_design_effect to your own design's value"
        )
        details.update(
            design_effect=spec.design_effect, inflation=inflation, inflation_source=MATCHING_SOURCE
        )
    methods = {
        "individual": "individual random assignment",
        "cluster": "two-level cluster random assignment",
        "matched": "matched comparison (individual design, inflated)",
    }
    return PowerResult(
        method=f"Bloom / PowerUp! closed form, {methods[spec.name]}",
        estimand="minimum detectable effect size (standard deviations of the outcome)",
        n=spec.n,
        terms=(
            Term(
                "mdes",
                value,
                spec.standard_error,
                extra=(("multiplier", multiplier), ("df", spec.df), ("power", power)),
            ),
        ),
        alpha=alpha,
        clusters=spec.clusters,
        warnings=tuple(warnings),
        headline="mdes",
        details=details,
    )


def _required(result: PowerResult, clustered: bool, size: int) -> PowerResult:
    """``result`` (the MDES at the required size) with the size as its headline."""
    sizes = [Term("clusters", size)] if clustered else []
    sizes.append(Term("n", result.n))
    return PowerResult(
        method=result.method,
        estimand=f"{'clusters' if clustered else 'cases'} needed to detect the effect",
        n=result.n,
        terms=(*sizes, result.term("mdes")),
        alpha=result.alpha,
        clusters=result.clusters,
        warnings=result.warnings,
        headline="clusters" if clustered else "n",
        details=result.details,
    )


def _degrees_of_freedom(size: int, covariates: int, name: str) -> int:
    df = size - covariates - 2
    if df < 1:
        raise ValueError(
            f"{name} ({size}) must exceed the covariates ({covariates}) by at least 3: the "
            "impact model has no degrees of freedom left"
        )
    return df


def _share(value: float, name: str, *, open_low: bool = False) -> None:
    """``value`` lies in [0, 1) (or (0, 1) with ``open_low``)."""
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (is_number and (value > 0 if open_low else value >= 0) and value < 1):
        interval = "(0, 1)" if open_low else "[0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")


def _whole(value: object, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(value)
