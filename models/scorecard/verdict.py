"""One verdict per claim, by written rules (``models/README.md`` repeats them).

Everything is judged on the claim's test scale: the log scale for ratios, so that "3x" and
"1/3x" are as far from no effect, and the plain scale for differences. The standard error
is read back from the interval (half its width over the normal quantile), so bootstrap and
delta-method intervals are treated alike.

The minimum detectable effect (MDE) is the effect this estimate's precision would detect
with 80% power in a two-sided test at 5%: (z(0.975) + z(0.80)) x SE = 2.80 SE (Bloom 1995),
from the achieved standard error, not from the observed effect.

Rules, in order:

1. ``untestable``: the data cannot answer the claim (the registry or the estimator says why).
2. ``no_data``: nothing to estimate from.
3. A census (a count of everyone): ``consistent`` when it reaches the target, else
   ``smaller_than_claimed``; a level with no claimed number is ``descriptive``.
4. ``inconclusive``: fewer cases than the claim's minimum, or no interval.
5. ``inconclusive``: the MDE exceeds the claimed effect, whatever the point estimate (with
   how many more cases would bring the MDE down to it).
6. The interval lies wholly on the other side of no effect: ``not_supported``.
7. It excludes no effect and contains the claim: ``consistent``.
8. It excludes both: ``larger_than_claimed`` or ``smaller_than_claimed`` by where it lies.
9. It contains no effect but not the claim: ``not_supported``; both: ``inconclusive``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy import stats

from models.scorecard.registry import Claimed

VERDICTS = {
    "consistent": "consistent with the claim",
    "smaller_than_claimed": "real but smaller than claimed",
    "larger_than_claimed": "larger than claimed",
    "not_supported": "not supported",
    "inconclusive": "inconclusive: too few cases",
    "no_data": "no data",
    "untestable": "cannot be tested with this data",
    "descriptive": "reported (no number claimed)",
}
POWER = 0.80


@dataclass(frozen=True)
class Verdict:
    """The verdict's code and reason, and the numbers behind it (in the claim's units)."""

    code: str
    reason: str
    mde: float | None = None
    more_cases_needed: int | None = None
    p_value: float | None = None
    p_value_vs_claimed: float | None = None
    std_error_test_scale: float | None = None

    @property
    def label(self) -> str:
        return VERDICTS[self.code]

    def to_dict(self) -> dict:
        return asdict(self)


def judge(
    claimed: Claimed,
    *,
    estimate: float | None,
    ci_lower: float | None,
    ci_upper: float | None,
    n: int,
    minimum_n: int,
    census: bool = False,
    p_value: float | None = None,
    alpha: float = 0.05,
    untestable: str | None = None,
) -> Verdict:
    """The verdict on ``claimed`` given an estimate, its interval and n.

    Example
    -------
    >>> from models.scorecard.registry import Claimed
    >>> five_times = Claimed("ratio", 5.0, "higher", "log")
    >>> judge(five_times, estimate=1.6, ci_lower=1.2, ci_upper=2.1, n=400, minimum_n=40).code
    'smaller_than_claimed'
    """
    if untestable:
        return Verdict("untestable", untestable)
    if estimate is None or n == 0 or (isinstance(estimate, float) and math.isnan(estimate)):
        return Verdict("no_data", "no cases in the data for this claim")
    if census:
        return _census(claimed, estimate)
    if claimed.value is None:
        return Verdict("descriptive", "the documents set no number to test this against")
    if n < minimum_n:
        return Verdict(
            "inconclusive",
            f"{n} cases, fewer than the {minimum_n} this claim needs for a verdict",
            more_cases_needed=minimum_n - n,
        )
    if ci_lower is None or ci_upper is None or not _valid(ci_lower, ci_upper, claimed.scale):
        return Verdict("inconclusive", "the estimate has no interval, so it can settle nothing")
    transform = _transform(claimed.scale)
    z = stats.norm.ppf(1 - alpha / 2)
    se = (transform(ci_upper) - transform(ci_lower)) / (2 * z)
    claim_at = transform(claimed.value)
    p_vs_claimed = (
        float(2 * stats.norm.sf(abs(transform(estimate) - claim_at) / se)) if se else None
    )
    no_effect = claimed.no_effect
    if no_effect is None:  # a level with a claimed value, judged by its interval
        return _level(claimed, ci_lower, ci_upper, se, p_vs_claimed)
    null_at = transform(no_effect)
    if p_value is None and se:
        p_value = float(2 * stats.norm.sf(abs(transform(estimate) - null_at) / se))
    mde_test = (z + stats.norm.ppf(POWER)) * se
    sign = 1.0 if claimed.direction == "higher" else -1.0
    mde = _back(claimed.scale, null_at + sign * mde_test)
    distance = abs(claim_at - null_at)
    numbers = {
        "mde": mde,
        "p_value": p_value,
        "p_value_vs_claimed": p_vs_claimed,
        "std_error_test_scale": se,
    }
    if mde_test > distance:
        needed = math.ceil(n * (mde_test / distance) ** 2) - n
        return Verdict(
            "inconclusive",
            f"the smallest effect these {n} cases could detect ({_fmt(mde)}) is beyond the "
            f"claimed {_fmt(claimed.value)}; about {needed} more cases would be needed",
            more_cases_needed=needed,
            **numbers,
        )
    low, high = sorted(
        (sign * (transform(ci_lower) - null_at), sign * (transform(ci_upper) - null_at))
    )
    claim_distance = sign * (claim_at - null_at)
    if high < 0:
        return Verdict(
            "not_supported", "the interval lies wholly on the other side of no effect", **numbers
        )
    excludes_null = low > 0
    contains_claim = low <= claim_distance <= high
    if excludes_null and contains_claim:
        return Verdict(
            "consistent",
            "the interval contains the claimed value and excludes no effect",
            **numbers,
        )
    if excludes_null:
        if low > claim_distance:
            return Verdict(
                "larger_than_claimed",
                "the whole interval is beyond the claimed value",
                **numbers,
            )
        return Verdict(
            "smaller_than_claimed",
            "the interval excludes no effect and lies short of the claimed value",
            **numbers,
        )
    if contains_claim:
        return Verdict(
            "inconclusive",
            "the interval contains both no effect and the claimed value",
            **numbers,
        )
    return Verdict(
        "not_supported",
        "the interval contains no effect and excludes the claimed value, which these cases "
        "could have detected",
        **numbers,
    )


def _census(claimed: Claimed, value: float) -> Verdict:
    if claimed.value is None:
        return Verdict("descriptive", "a count of everyone; the documents set no number")
    reached = value >= claimed.value if claimed.direction != "lower" else value <= claimed.value
    if reached:
        return Verdict(
            "consistent", f"reached: {_fmt(value)} against the target {_fmt(claimed.value)}"
        )
    return Verdict(
        "smaller_than_claimed",
        f"short of the target: {_fmt(value)} against {_fmt(claimed.value)}",
    )


def _level(claimed: Claimed, lower: float, upper: float, se: float, p: float | None) -> Verdict:
    if upper < claimed.value:
        return Verdict(
            "smaller_than_claimed",
            "the whole interval lies below the claimed level",
            p_value_vs_claimed=p,
            std_error_test_scale=se,
        )
    if lower > claimed.value:
        return Verdict(
            "larger_than_claimed",
            "the whole interval lies above the claimed level",
            p_value_vs_claimed=p,
            std_error_test_scale=se,
        )
    return Verdict(
        "consistent",
        "the interval contains the claimed level",
        p_value_vs_claimed=p,
        std_error_test_scale=se,
    )


def _transform(scale: str):
    return math.log if scale == "log" else (lambda x: x)


def _back(scale: str, value: float) -> float:
    return math.exp(value) if scale == "log" else value


def _valid(lower: float, upper: float, scale: str) -> bool:
    finite = all(isinstance(x, (int, float)) and math.isfinite(x) for x in (lower, upper))
    return finite and upper > lower and (scale != "log" or lower > 0)


def _fmt(value: float) -> str:
    return f"{value:.3g}"
