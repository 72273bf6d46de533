"""Small-cell suppression for published counts, shares and means about people.

A cell of fewer than ``threshold`` people is not published (primary suppression); a cell
of no one has no one to protect and is published as 0 (the roadmap's first months had no
champions yet). When a cut leaves exactly one suppressed cell in a school year, the
smallest other cell of at least one person is suppressed too (complementary suppression),
so the total published elsewhere cannot give the hidden one away. A share whose
numerator, or its complement, is below the threshold is shown as a range ("below 9%",
"above 91%") rather than a number that names a handful of people. The rules follow the
U.S. Department of Education's guidance on disclosure avoidance (NCES Statistical Methods
and Data Disclosure Technical Brief, 2010).
"""

from __future__ import annotations

import math

import pandas as pd

PRIMARY = "suppressed: fewer than {threshold}"
COMPLEMENTARY = "suppressed: would reveal a suppressed cell through the total"


def suppress(
    frame: pd.DataFrame, *, threshold: int, people: bool, kind: str, by: str | None
) -> pd.DataFrame:
    """``frame`` (``school_year, [by], value, numerator, n``) with ``suppressed``, ``shown``
    (the text to publish) and ``note``; suppressed cells lose their value and n."""
    out = frame.copy()
    out["suppressed"] = False
    out["note"] = ""
    if people and len(out):
        small = (out["n"] > 0) & (out["n"] < threshold)
        out.loc[small, "suppressed"] = True
        out.loc[small, "note"] = PRIMARY.format(threshold=threshold)
        if by is not None:
            for _, group in out.groupby("school_year"):
                hidden = group[group["suppressed"]]
                visible = group[~group["suppressed"] & (group["n"] > 0)]
                if len(hidden) == 1 and len(visible):
                    smallest = visible["n"].idxmin()
                    out.loc[smallest, "suppressed"] = True
                    out.loc[smallest, "note"] = COMPLEMENTARY
    out["shown"] = [
        _shown(row, threshold=threshold, people=people, kind=kind) for row in out.itertuples()
    ]
    coded = out["shown"].str.startswith(("below ", "above "))
    for column in ("value", "numerator", "n"):
        out[column] = out[column].astype("Float64")
        out.loc[out["suppressed"], column] = pd.NA
    # A share published as a range keeps its n; its exact value and numerator go.
    out.loc[coded, ["value", "numerator"]] = pd.NA
    out.loc[coded, "note"] = f"shown as a range: fewer than {threshold} on one side"
    return out


def share_range(numerator: float, n: float, threshold: int) -> str | None:
    """The range a share near 0% or 100% is published as, or None to publish it."""
    if n <= 0:
        return None
    edge = math.ceil(100 * threshold / n)
    if numerator < threshold:
        return f"below {edge}%"
    if n - numerator < threshold:
        return f"above {100 - edge}%"
    return None


def _shown(row, *, threshold: int, people: bool, kind: str) -> str:
    if row.suppressed:
        return "suppressed"
    if row.value is None or pd.isna(row.value):
        return "no data"
    if kind in ("share", "ratio_of_sums"):
        if people and kind == "share":
            coded = share_range(float(row.numerator), float(row.n), threshold)
            if coded:
                return coded
        return f"{100 * float(row.value):.1f}%"
    if kind == "count":
        return f"{int(row.value):,}"
    if kind in ("sum", "max"):
        return f"{float(row.value):,.0f}"  # the unit (dollars, hours) is stated beside it
    return f"{float(row.value):,.2f}"


def suppress_estimates(frame: pd.DataFrame, *, threshold: int, group: str | None) -> pd.DataFrame:
    """Stored estimates about groups of people (``estimate, ci_lower, ci_upper, n``) ready
    to publish: one resting on fewer than ``threshold`` cases loses its numbers, and so
    does the smallest other of its ``group`` when it is the only one hidden there (its n
    would follow from the total). A group of no cases has nothing to hide and stays."""
    out = frame.copy()
    small = out["n"].notna() & (out["n"] > 0) & (out["n"] < threshold)
    out["suppressed"] = small
    out["note"] = [PRIMARY.format(threshold=threshold) if s else "" for s in small]
    if group is not None:
        for _, rows in out.groupby(group):
            hidden = rows[rows["suppressed"]]
            visible = rows[~rows["suppressed"] & (rows["n"] > 0)]
            if len(hidden) == 1 and len(visible):
                smallest = visible["n"].idxmin()
                out.loc[smallest, "suppressed"] = True
                out.loc[smallest, "note"] = COMPLEMENTARY
    for column in ("estimate", "ci_lower", "ci_upper", "n"):
        out[column] = out[column].astype("Float64")
        out.loc[out["suppressed"], column] = pd.NA
    return out
