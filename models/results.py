"""One result form for every estimator: the numbers, with their n, interval and method.

Every estimator in ``models`` returns a ``Result`` (or a subclass adding what only it has,
such as a balance table): a frozen record of its terms and of how they were obtained.
``to_frame()`` gives one tidy row per term with exactly the columns ``TIDY_COLUMNS`` first;
``summary()`` a table a reader can paste; ``estimate`` the headline number where there is
one. A number never travels without its n, its interval and its method, and what the data
could not support is said in ``warnings``, in plain sentences.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: The columns every result's ``to_frame()`` starts with, in this order.
TIDY_COLUMNS = ("term", "estimate", "std_error", "ci_lower", "ci_upper", "p_value")


@dataclass(frozen=True)
class Term:
    """One estimated quantity: its value, standard error, interval and p-value.

    A quantity the data cannot bound (too few cases) has ``None`` for what is missing, and
    its result says why in ``warnings``. ``extra`` holds further columns of the tidy row
    (``hazard_ratio``, ``band``, ...), as ``(name, value)`` pairs in order.
    """

    term: str
    estimate: float
    std_error: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    p_value: float | None = None
    extra: tuple[tuple[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in TIDY_COLUMNS}
        row.update(self.extra)
        return row


def ratio_term(
    name: str, ratio: float, log_se: float, quantile: float, p_value: float | None
) -> Term:
    """A ratio's term from the standard error of its log: the interval is ``quantile``
    errors either side on the log scale, the ratio's own error the delta method's
    (ratio x log error), and the log's error kept as the ``log_std_error`` column."""
    log_ratio = math.log(ratio)
    return Term(
        name,
        ratio,
        ratio * log_se,
        math.exp(log_ratio - quantile * log_se),
        math.exp(log_ratio + quantile * log_se),
        p_value,
        extra=(("log_std_error", log_se),),
    )


@dataclass(frozen=True)
class Result:
    """What an estimator found, and how.

    Attributes
    ----------
    method
        How the terms were estimated, in words a reader can cite ("Poisson regression with
        HC1 errors", "Newcombe hybrid score interval").
    estimand
        What the headline term estimates ("ATE", "risk ratio of A to B", "ICC(2,1)").
    n
        The cases the estimate rests on (after any trimming or matching).
    terms
        The estimated quantities, in the order ``to_frame`` lists them.
    alpha
        1 minus the intervals' confidence level.
    clusters
        The clusters of a clustered design, else None.
    warnings
        Plain sentences on what limits the result ("only 8 clusters: wild cluster bootstrap
        used").
    headline
        The term whose estimate is ``estimate``; None when no one number stands for the
        result.
    details
        Anything else the estimator reports (timings, options used), by name.
    """

    method: str
    estimand: str
    n: int
    terms: tuple[Term, ...]
    alpha: float = 0.05
    clusters: int | None = None
    warnings: tuple[str, ...] = ()
    headline: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        names = [t.term for t in self.terms]
        if len(set(names)) != len(names):
            raise ValueError(f"terms must be unique, got {names}")
        if self.headline is not None and self.headline not in names:
            raise ValueError(f"headline {self.headline!r} is not one of the terms {names}")

    @property
    def estimate(self) -> float | None:
        """The headline term's estimate (None when the result has no headline)."""
        return None if self.headline is None else self.term(self.headline).estimate

    @property
    def confidence(self) -> float:
        return 1 - self.alpha

    def term(self, name: str) -> Term:
        """The term called ``name``."""
        for term in self.terms:
            if term.term == name:
                return term
        raise KeyError(f"no term {name!r}; the terms are {[t.term for t in self.terms]}")

    def to_frame(self) -> pd.DataFrame:
        """One row per term: ``TIDY_COLUMNS``, then the terms' extra columns."""
        rows = [term.to_dict() for term in self.terms]
        frame = pd.DataFrame(rows)
        if frame.empty:
            return pd.DataFrame(columns=list(TIDY_COLUMNS))
        extra = [c for c in frame.columns if c not in TIDY_COLUMNS]
        return frame[list(TIDY_COLUMNS) + extra]

    def to_dict(self) -> dict[str, Any]:
        """Everything in plain Python types: for JSON, the warehouse and reports."""
        return {
            "method": self.method,
            "estimand": self.estimand,
            "n": self.n,
            "clusters": self.clusters,
            "alpha": self.alpha,
            "estimate": self.estimate,
            "headline": self.headline,
            "warnings": list(self.warnings),
            "terms": [term.to_dict() for term in self.terms],
            "details": dict(self.details),
        }

    def summary(self) -> str:
        """A readable table: what was estimated and how, the terms, and the warnings."""
        level = f"{self.confidence:.0%}"
        sample = f"n = {self.n:,}" + (f" in {self.clusters} clusters" if self.clusters else "")
        lines = [f"{self.estimand} — {self.method} ({sample}; {level} intervals)"]
        # Extra columns (a verdict on a claim, a hazard ratio) follow the six, in the order
        # the terms first give them; a term without one leaves its cell empty.
        extras = list(dict.fromkeys(name for t in self.terms for name, _ in t.extra))
        header = ("term", "estimate", "std.error", f"{level} interval", "p-value", *extras)
        rows = [
            (
                t.term,
                _number(t.estimate),
                _number(t.std_error),
                _interval(t.ci_lower, t.ci_upper),
                _p_value(t.p_value),
                *(_cell(dict(t.extra), name) for name in extras),
            )
            for t in self.terms
        ]
        widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
        for row in (header, *rows):
            cells = [row[0].ljust(widths[0])] + [
                c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
            ]
            lines.append("  ".join(cells).rstrip())
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def compare(results: Mapping[str, Result]) -> pd.DataFrame:
    """Results side by side: one row per result and term, with n, method and warnings.

    Example: ``compare({"naive": difference, "adjusted": aipw})``.
    """
    frames = []
    for name, result in results.items():
        frame = result.to_frame()[list(TIDY_COLUMNS)].copy()
        frame.insert(0, "result", name)
        frame["n"] = result.n
        frame["clusters"] = result.clusters
        frame["method"] = result.method
        frame["warnings"] = len(result.warnings)
        frames.append(frame)
    if not frames:
        raise ValueError("compare needs at least one result")
    return pd.concat(frames, ignore_index=True)


def _cell(extra: dict[str, Any], name: str) -> str:
    if name not in extra:
        return ""
    value = extra[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—" if value is None else str(value)
    return _number(float(value))


def _number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.4g}"


def _interval(lower: float | None, upper: float | None) -> str:
    if lower is None or upper is None:
        return "—"
    return f"[{_number(lower)}, {_number(upper)}]"


def _p_value(value: float | None) -> str:
    if value is None:
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"
