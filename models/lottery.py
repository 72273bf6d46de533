"""A blocked lottery among applicants, re-drawn until the two groups are balanced.

When a program has more applicants than seats, a lottery among them is a randomized
trial: the students it assigns and those it does not differ only by chance. ``draw_lottery``
splits the applicants into blocks (grade, say), gives each block a share of the seats in
proportion to its applicants, assigns a random subset of each block, and checks that the
assigned and the not-assigned groups look alike on the covariates. A draw whose groups
differ by more than the What Works Clearinghouse's bound (|SMD| > 0.25) on any covariate
is set aside and the next draw of the same random stream is taken, up to ``max_draws``.

Every draw comes from ``numpy.random.default_rng(seed)``: the seed and the draw number
reproduce the assignment exactly from the same applicants.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.checks import require_columns
from models.effects.balance import is_binary, standardized_difference, wwc_band
from models.results import Result, Term

#: The WWC's bound on a baseline difference (Procedures and Standards Handbook v5.0): above
#: it, baseline equivalence is not satisfied even with statistical adjustment.
WWC_BOUND = 0.25

#: Applicants a 0/1 covariate (or one category of a categorical one) must have on each
#: side, present and absent, to be checked. The Cox index of a value few applicants hold
#: swings on single students: with m holders split as evenly as can be, moving one of
#: them changes it by about ln((m/2 + 1) / (m/2 - 1)) / 1.65, 0.25 (the whole bound) for
#: m = 10 and 0.12 for m = 20. Below 20, draws of a lottery of 100 applicants passed so
#: rarely that 100 draws often found none (``models/README.md``). Such covariates are
#: listed in ``unchecked`` instead.
MIN_COUNT = 20

#: The label of the one block of a lottery drawn without blocks.
ALL_APPLICANTS = "all"


@dataclass(frozen=True)
class BlockSeats:
    """One block of a lottery: its label, its applicants and the seats it was given."""

    block: str
    applicants: int
    seats: int


class LotteryUnbalanced(ValueError):
    """No draw within the limit balanced every covariate; the best draw is named."""

    def __init__(self, *, draws: int, best_draw: int, best_smd: float, covariate: str) -> None:
        self.draws = draws
        self.best_draw = best_draw
        self.best_smd = best_smd
        self.covariate = covariate
        super().__init__(
            f"no draw of {draws} balanced every covariate within |SMD| <= {WWC_BOUND}: "
            f"the best, draw {best_draw}, has |SMD| {best_smd:.3f} on {covariate}"
        )


@dataclass(frozen=True)
class Lottery(Result):
    """A drawn lottery: who was assigned, how the seats were shared, and its balance.

    Besides the ``Result`` fields (``terms``: one per covariate checked, its standardized
    difference assigned minus not assigned as ``estimate``, with its kind and WWC band):

    Attributes
    ----------
    seed, draw, max_draws
        The random stream (``numpy.random.default_rng(seed)``), the draw of it used (1 is
        the first) and the most draws allowed.
    bound
        The largest |SMD| a draw could have on any covariate.
    seats
        Seats assigned, in all.
    blocks
        The columns the applicants were blocked on (empty: one block of all).
    allocation
        One ``BlockSeats`` per block, in the order the blocks were drawn.
    units, unit_blocks, assigned
        Per applicant, in the order given: the identifier, its block's label and 1 when
        assigned a seat, else 0.
    unchecked
        Covariates (or categories) too rare among the applicants to check, with why.
    """

    seed: int = 0
    draw: int = 0
    max_draws: int = 0
    bound: float = WWC_BOUND
    seats: int = 0
    blocks: tuple[str, ...] = ()
    allocation: tuple[BlockSeats, ...] = ()
    units: tuple[Any, ...] = ()
    unit_blocks: tuple[str, ...] = ()
    assigned: tuple[int, ...] = ()
    unchecked: tuple[str, ...] = ()

    @property
    def max_abs_smd(self) -> float:
        """The largest |SMD| over the covariates checked (NaN when none was)."""
        return max((abs(t.estimate) for t in self.terms), default=math.nan)

    def assignment_frame(self) -> pd.DataFrame:
        """One row per applicant, in the order given: ``unit``, ``block``, ``assigned``."""
        return pd.DataFrame(
            {
                "unit": list(self.units),
                "block": list(self.unit_blocks),
                "assigned": np.asarray(self.assigned, dtype="int64"),
            }
        )

    def allocation_frame(self) -> pd.DataFrame:
        """One row per block: ``block``, ``applicants``, ``seats``."""
        return pd.DataFrame(
            [vars(block) for block in self.allocation], columns=["block", "applicants", "seats"]
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``Result`` fields and the lottery's own, but not the per-applicant
        assignment (``assignment_frame``): this form goes to logs and JSON sidecars."""
        return {
            **super().to_dict(),
            "seed": self.seed,
            "draw": self.draw,
            "max_draws": self.max_draws,
            "bound": self.bound,
            "seats": self.seats,
            "applicants": self.n,
            "blocks": list(self.blocks),
            "max_abs_smd": None if math.isnan(self.max_abs_smd) else self.max_abs_smd,
            "allocation": [vars(block) for block in self.allocation],
            "unchecked": list(self.unchecked),
        }

    def summary(self) -> str:
        """The draw, the seats per block, then each covariate's difference and WWC band."""
        blocked = ", ".join(self.blocks) if self.blocks else "none"
        lines = [
            f"seed {self.seed}, draw {self.draw} of at most {self.max_draws}: {self.seats} of "
            f"{self.n} applicants assigned in {len(self.allocation)} blocks (blocked on "
            f"{blocked}); max |SMD| {self.max_abs_smd:.3f} <= {self.bound}",
        ]
        rows = [(b.block, f"{b.seats:,}", f"{b.applicants:,}") for b in self.allocation]
        lines += _table(("block", "seats", "applicants"), rows)
        rows = [(t.term, dict(t.extra)["kind"], f"{t.estimate:+.3f}", dict(t.extra)["band"])
                for t in self.terms]  # fmt: skip
        lines += _table(("covariate", "kind", "SMD", "WWC band"), rows)
        lines += [f"not checked: {reason}" for reason in self.unchecked]
        return "\n".join(lines)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned text: the first column left, the others right."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return [
        "  ".join(
            [row[0].ljust(widths[0])]
            + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        )
        for row in (header, *rows)
    ]


def allocate_seats(applicants: Mapping[str, int], seats: int) -> dict[str, int]:
    """Share ``seats`` among blocks in proportion to their applicants (largest remainder).

    Each block gets the whole part of its quota ``seats * applicants / total``; the seats
    left over go one each to the blocks with the largest remainders, ties to the larger
    block, then to the block first in ``applicants``' order. No block gets more seats than
    it has applicants, and the seats add up to ``seats``.

    Parameters
    ----------
    applicants
        Block label -> applicants in it (each at least 1).
    seats
        Seats to share: from 0 to the total applicants.

    Returns
    -------
    dict
        Block label -> seats, in ``applicants``' order.

    References
    ----------
    Balinski, M. L. and Young, H. P. (2001). Fair Representation, 2nd ed. (Hamilton's
    method of largest remainders).

    Examples
    --------
    >>> allocate_seats({"9": 10, "10": 7, "11": 3}, 10)
    {'9': 5, '10': 4, '11': 1}
    """
    total = sum(applicants.values())
    if any(count < 1 for count in applicants.values()):
        raise ValueError("applicants: every block needs at least one applicant")
    if not 0 <= seats <= total:
        raise ValueError(f"seats must be between 0 and the {total} applicants, got {seats}")
    # Integer arithmetic: a quota's whole part and remainder are exact, so equal remainders
    # are really equal and the tie rule, not rounding error, decides between them.
    whole = {block: seats * count // total for block, count in applicants.items()}
    remainder = {block: seats * count % total for block, count in applicants.items()}
    order = list(applicants)
    left = seats - sum(whole.values())
    ranked = sorted(order, key=lambda b: (-remainder[b], -applicants[b], order.index(b)))
    for block in ranked[:left]:
        whole[block] += 1
    return whole


def draw_lottery(
    applicants: pd.DataFrame,
    *,
    unit: str,
    seats: int,
    seed: int,
    blocks: Sequence[str] = (),
    covariates: Sequence[str] = (),
    max_draws: int = 100,
    bound: float = WWC_BOUND,
    min_count: int = MIN_COUNT,
) -> Lottery:
    """Draw a blocked lottery, re-drawn until every covariate is balanced.

    Parameters
    ----------
    applicants
        One row per applicant.
    unit
        The column identifying an applicant (unique). Applicants are taken in the sorted
        order of this column, so the draw does not depend on the order of the rows.
    seats
        Seats to assign: from 1 to the number of applicants.
    seed
        Seed of ``numpy.random.default_rng`` (a non-negative integer).
    blocks
        Columns whose combinations form the blocks (none: one block of all applicants). A
        missing value is a block of its own.
    covariates
        Columns to balance. Numbers (booleans included) are compared as they are; text is
        a categorical covariate, compared one category at a time. Missing values are left
        out of that covariate's comparison.
    max_draws
        The most draws to try.
    bound
        The largest |SMD| allowed on any covariate (the WWC's 0.25 by default).
    min_count
        A 0/1 covariate or category is checked only when at least this many applicants
        have it and this many do not, a number only when this many have a value (see
        ``MIN_COUNT``).

    Returns
    -------
    Lottery
        The first balanced draw: the assignment, the seats per block and the balance.

    Raises
    ------
    LotteryUnbalanced
        When none of ``max_draws`` draws is balanced; it names the best draw.
    ValueError
        A missing column, a duplicate or missing identifier, ``seats`` out of range, a
        negative seed, ``max_draws`` below 1.

    Notes
    -----
    Seats go to blocks by ``allocate_seats`` (largest remainder). Blocks are drawn in the
    sorted order of their labels; in each, applicants sorted by ``unit`` are shuffled by
    ``rng.permutation`` and the first ``seats`` of the block are assigned. Draw *k* is the
    *k*-th such pass over the blocks from ``default_rng(seed)``. A draw is balanced when
    the standardized difference of every checked covariate, assigned minus not assigned
    over all applicants, is within ``bound``: Hedges' g for a number, the Cox index for a
    0/1 value (``models.effects.balance``). Re-drawing until balanced is re-randomization
    (Morgan and Rubin 2012): the assignment is still random, among the balanced ones, as
    long as the rule is fixed before the first draw; an analysis should adjust for the
    balanced covariates, and a randomization test must apply the same rule.

    References
    ----------
    Morgan, K. L. and Rubin, D. B. (2012). Rerandomization to improve covariate balance in
    experiments. Annals of Statistics 40(2), 1263-1282.
    What Works Clearinghouse (2022). Procedures and Standards Handbook, Version 5.0.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": [f"s{i:02d}" for i in range(40)],
    ...                       "grade": ["9", "10"] * 20, "gpa": np.linspace(2, 4, 40)})
    >>> lottery = draw_lottery(frame, unit="id", seats=20, seed=7, blocks=["grade"],
    ...                        covariates=["gpa"])
    >>> int(sum(lottery.assigned)), lottery.allocation_frame().seats.tolist()
    (20, [10, 10])
    """
    require_columns(applicants, {"unit": [unit], "blocks": list(blocks)})
    require_columns(applicants, {"covariates": list(covariates)})
    _check_options(applicants, unit=unit, seats=seats, seed=seed, max_draws=max_draws)
    labels = _block_labels(applicants, blocks)
    # Applicants in the sorted order of their identifiers: the draw depends on who applied,
    # not on how the file was sorted.
    order = np.argsort(applicants[unit].astype(str).to_numpy(), kind="stable")
    sizes = pd.Series(labels[order]).value_counts()
    block_order = sorted(sizes.index)
    allocation = allocate_seats({b: int(sizes[b]) for b in block_order}, seats)
    members = [order[labels[order] == block] for block in block_order]
    checked, unchecked = _covariate_columns(applicants, covariates, min_count)

    rng = np.random.default_rng(seed)
    best: tuple[float, int, str] | None = None
    for draw in range(1, max_draws + 1):
        assigned = np.zeros(len(applicants), dtype="int64")
        for block, rows in zip(block_order, members, strict=True):
            assigned[rows[rng.permutation(len(rows))[: allocation[block]]]] = 1
        differences = {name: _difference(values, assigned) for name, values in checked.items()}
        worst = max(differences, key=lambda name: abs(differences[name]), default=None)
        largest = abs(differences[worst]) if worst is not None else 0.0
        if largest <= bound:
            return _lottery(
                applicants, unit, labels, assigned, differences, checked, unchecked,
                seed=seed, draw=draw, max_draws=max_draws, bound=bound, seats=seats,
                blocks=tuple(blocks),
                allocation=tuple(BlockSeats(b, int(sizes[b]), allocation[b]) for b in block_order),
            )  # fmt: skip
        if best is None or largest < best[0]:
            best = (largest, draw, worst)
    raise LotteryUnbalanced(draws=max_draws, best_draw=best[1], best_smd=best[0], covariate=best[2])


def _check_options(
    applicants: pd.DataFrame, *, unit: str, seats: int, seed: int, max_draws: int
) -> None:
    ids = applicants[unit]
    if ids.isna().any():
        raise ValueError(f"unit: {int(ids.isna().sum())} applicants have no {unit!r}")
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise ValueError(f"unit: {repeated.iloc[0]!r} applies more than once")
    if not 1 <= seats <= len(applicants):
        raise ValueError(
            f"seats must be between 1 and the {len(applicants)} applicants, got {seats}"
        )
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if max_draws < 1:
        raise ValueError(f"max_draws must be at least 1, got {max_draws}")


def _block_labels(applicants: pd.DataFrame, blocks: Sequence[str]) -> np.ndarray:
    """Each applicant's block label: ``grade_level=9, school_id=301``, or ``all``."""
    if not blocks:
        return np.full(len(applicants), ALL_APPLICANTS, dtype=object)
    parts = [
        applicants[column].map(lambda v, c=column: f"{c}={'missing' if pd.isna(v) else v}")
        for column in blocks
    ]
    labels = parts[0]
    for part in parts[1:]:
        labels = labels + ", " + part
    return labels.to_numpy(dtype=object)


def _covariate_columns(
    applicants: pd.DataFrame, covariates: Sequence[str], min_count: int
) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
    """The covariates as float arrays (NaN where missing), one per category of a text
    covariate (``sex[female]``), and the ones too rare or constant to check, with why."""
    columns: dict[str, np.ndarray] = {}
    for name in covariates:
        values = applicants[name]
        if values.dtype == object and values.dropna().map(type).isin([bool, np.bool_]).all():
            values = values.astype("boolean")  # True/False with gaps: a 0/1 covariate
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            columns[name] = values.astype(float).to_numpy()
        else:
            present = values.notna().to_numpy()
            text = values.astype(str).to_numpy()
            for level in sorted(set(text[present])):
                indicator = np.where(present, (text == level).astype(float), np.nan)
                columns[f"{name}[{level}]"] = indicator
    checked: dict[str, np.ndarray] = {}
    unchecked: list[str] = []
    for name, values in columns.items():
        present = values[~np.isnan(values)]
        if len(present) == 0:
            unchecked.append(f"{name}: no applicant has a value")
        elif len(np.unique(present)) < 2:
            unchecked.append(f"{name}: the same for every applicant")
        elif is_binary(present) and min(present.sum(), len(present) - present.sum()) < min_count:
            rarer = int(min(present.sum(), len(present) - present.sum()))
            unchecked.append(f"{name}: {rarer} applicants on one side, fewer than {min_count}")
        elif len(present) < min_count:
            unchecked.append(f"{name}: known for {len(present)} applicants, fewer than {min_count}")
        else:
            checked[name] = values
    return checked, tuple(unchecked)


def _difference(values: np.ndarray, assigned: np.ndarray) -> float:
    """The standardized difference, assigned minus not, among applicants with a value."""
    present = ~np.isnan(values)
    chosen, values = assigned[present], values[present]
    if chosen.min() == chosen.max():
        return math.inf  # one group has no value at all: no draw like this is balanced
    if not is_binary(values) and (chosen.sum() < 2 or len(chosen) - chosen.sum() < 2):
        return math.inf
    return float(standardized_difference(values, chosen))


def _lottery(
    applicants, unit, labels, assigned, differences, checked, unchecked, **fields
) -> Lottery:
    terms = tuple(
        Term(
            term=name,
            estimate=differences[name],
            extra=(
                (
                    "kind",
                    "binary"
                    if is_binary(checked[name][~np.isnan(checked[name])])
                    else "continuous",
                ),
                ("band", wwc_band(differences[name])),
            ),
        )  # fmt: skip
        for name in checked
    )
    return Lottery(
        method=(
            "blocked lottery: seats shared by largest remainder, re-drawn until every "
            f"|SMD| <= {fields['bound']} (Hedges' g; Cox index for 0/1)"
        ),
        estimand="standardized difference, assigned minus not assigned",
        n=len(applicants),
        terms=terms,
        units=tuple(applicants[unit].tolist()),
        unit_blocks=tuple(labels.tolist()),
        assigned=tuple(int(a) for a in assigned),
        unchecked=unchecked,
        **fields,
    )
