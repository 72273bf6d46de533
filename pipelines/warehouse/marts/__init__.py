"""The mart layer: analysis tables at a stated grain, and the loaders models read them with.

Each mart is one query in a ``.sql`` file of this package (``<mart>.sql`` builds
``mart.<mart>``), written as import CTEs over core views followed by transform CTEs, and
one contract in ``data/schemas/marts/<mart>.yaml`` (grain, key, columns, parameters) from
which its docs and checks come. Marts are built by an explicit step after ingestion
(``outcomes build``, run by ``outcomes ingest`` and ``outcomes demo`` when they finish),
not on every batch, and can be built as of any earlier batch or date (``build``).

Models never open the warehouse: a loader here (``load_student_years(con)`` and its
siblings, or ``load_mart(con, name)``) reads a mart and hands over a ``MartFrame``, a plain
pandas frame with where its rows came from. A new mart is a ``.sql`` file here, a contract
and a loader named for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from pipelines.warehouse.audit import contract_versions
from pipelines.warehouse.marts.build import (
    AsOf,
    MartBuild,
    build_marts,
    latest_build,
    read_built_mart,
)
from pipelines.warehouse.marts.definitions import mart_contracts, mart_names
from pipelines.warehouse.marts.parameters import resolve_parameters

__all__ = [
    "AsOf",
    "MartBuild",
    "MartFrame",
    "build_marts",
    "latest_build",
    "load_benefits_by_year",
    "load_certificate_eligibility",
    "load_costs_by_year",
    "load_graduate_outcomes",
    "load_mart",
    "load_micro_internships",
    "load_panel_scores",
    "load_portfolio_quarters",
    "load_program_milestones",
    "load_student_terms",
    "load_student_years",
    "load_survey_pairs",
    "load_teacher_learn_levels",
    "load_teachers",
    "load_team_fidelity",
    "load_team_terms",
    "mart_contracts",
    "mart_names",
    "mart_row_counts",
    "resolve_parameters",
]


@dataclass(frozen=True)
class MartFrame:
    """A mart as a model reads it: a plain frame, and where its rows came from.

    Attributes
    ----------
    name
        The mart (``student_terms`` is ``mart.student_terms``).
    frame
        Every row of the mart, sorted by all its columns so a read is reproducible.
    warehouse
        The warehouse file it was read from (empty for an in-memory database).
    last_batch_id
        The batch whose state the rows reflect (None when the warehouse held none): the
        newest batch, or the one ``as_of`` named.
    contract_versions
        The contract version each source kind loaded by then was validated against.
    mart_version
        The version of the mart's own contract.
    parameters
        The parameters the marts' queries took (the portfolio standard, ...).
    build_id
        The stored build read (``audit.mart_builds``), or None when the mart was built
        for this read (another state or other parameters than the stored build's).
    """

    name: str
    frame: pd.DataFrame
    warehouse: str
    last_batch_id: int | None
    contract_versions: dict[str, int]
    mart_version: int
    parameters: dict[str, object]
    build_id: int | None


def load_mart(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    as_of: AsOf = None,
    parameters: dict[str, str] | None = None,
) -> MartFrame:
    """Read ``mart.<name>`` as of a state of the warehouse ``con`` is connected to.

    Parameters
    ----------
    con
        A connection to the warehouse (read-only is enough).
    name
        The mart.
    as_of
        None for the newest state; a batch id; or a date, meaning the last batch loaded
        by the end of that day.
    parameters
        Parameter values by name overriding the contracts' defaults.

    Raises
    ------
    ValueError
        When no mart has that name.
    """
    if name not in mart_names():
        raise ValueError(f"no mart {name!r}; the marts are {', '.join(mart_names())}")
    frame, build = read_built_mart(con, name, as_of=as_of, parameters=parameters)
    warehouse = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    return MartFrame(
        name=name,
        frame=frame,
        warehouse=warehouse or "",
        last_batch_id=build.as_of_batch_id,
        contract_versions=contract_versions(con, as_of_batch_id=build.as_of_batch_id),
        mart_version=mart_contracts()[name].version,
        parameters=build.parameters,
        build_id=build.build_id,
    )


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in each mart of the newest stored build, by mart name (empty before any build)."""
    build = latest_build(con)
    return build["row_counts"] if build else {}


def load_student_terms(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per student per team per term of membership (``mart.student_terms``)."""
    return load_mart(con, "student_terms", as_of=as_of)


def load_student_years(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per high-school student per school year, members and non-members, with
    covariates as of that year and as of program entry (``mart.student_years``)."""
    return load_mart(con, "student_years", as_of=as_of)


def load_survey_pairs(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per respondent per construct per survey cycle, pre and post scores
    (``mart.survey_pairs``)."""
    return load_mart(con, "survey_pairs", as_of=as_of)


def load_team_terms(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per team per term (``mart.team_terms``)."""
    return load_mart(con, "team_terms", as_of=as_of)


def load_team_fidelity(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per team per school year: sessions, attendance, panels and briefs held
    against the plan (``mart.team_fidelity``)."""
    return load_mart(con, "team_fidelity", as_of=as_of)


def load_micro_internships(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per micro-internship (``mart.micro_internships``)."""
    return load_mart(con, "micro_internships", as_of=as_of)


def load_panel_scores(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per employer-panel score, with the student's and team's facts."""
    return load_mart(con, "panel_scores", as_of=as_of)


def load_portfolio_quarters(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: AsOf = None,
    portfolio_standard: float | None = None,
) -> MartFrame:
    """One row per student per quarter: mean panel score and whether it meets the standard
    (the contract's default, 7.0, unless ``portfolio_standard`` is given)."""
    parameters = (
        None if portfolio_standard is None else {"portfolio_standard": str(portfolio_standard)}
    )
    return load_mart(con, "portfolio_quarters", as_of=as_of, parameters=parameters)


def load_teachers(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per teacher, trained or not: training, route, exposure, first AI lesson or
    its censoring, exit (``mart.teachers``)."""
    return load_mart(con, "teachers", as_of=as_of)


def load_certificate_eligibility(
    con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None
) -> MartFrame:
    """One row per member-year against each AI-Ready Certificate rule, and the award
    (``mart.certificate_eligibility``)."""
    return load_mart(con, "certificate_eligibility", as_of=as_of)


def load_program_milestones(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per program month per roadmap metric, with the roadmap's target
    (``mart.program_milestones``)."""
    return load_mart(con, "program_milestones", as_of=as_of)


def load_costs_by_year(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per cost ingredient per school year, with its payer (``mart.costs_by_year``)."""
    return load_mart(con, "costs_by_year", as_of=as_of)


def load_benefits_by_year(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per benefit type per school year observed (``mart.benefits_by_year``)."""
    return load_mart(con, "benefits_by_year", as_of=as_of)


def load_teacher_learn_levels(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per LEARN assessment of an educator on a pillar, with months since training
    (``mart.teacher_learn_levels``)."""
    return load_mart(con, "teacher_learn_levels", as_of=as_of)


def load_graduate_outcomes(con: duckdb.DuckDBPyConnection, *, as_of: AsOf = None) -> MartFrame:
    """One row per graduate per follow-up, with covariates and program history
    (``mart.graduate_outcomes``)."""
    return load_mart(con, "graduate_outcomes", as_of=as_of)
