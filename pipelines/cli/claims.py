"""``outcomes claims``: the claims scorecard, and the audit of the documents' own numbers."""

from __future__ import annotations

import json

import click

from pipelines.cli.build import AS_OF_OPTION
from pipelines.cli.options import DB_OPTION, console, reports_errors
from pipelines.cli.tables import FORMAT_OPTION, print_rows
from pipelines.errors import InputError

#: The JSON and CSV fields, in order: the stable ones first.
FIELDS = (
    "id",
    "verdict",
    "claimed",
    "estimate",
    "ci_lower",
    "ci_upper",
    "n",
    "clusters",
    "method",
    "design",
    "mde",
    "p_value",
    "p_value_vs_claimed",
    "p_value_adjusted",
    "evidence_tier",
    "wwc_rating",
    "probability_at_least_cutoff",
    "cutoff",
    "naive_estimate",
    "naive_ci_lower",
    "naive_ci_upper",
    "verdict_reason",
    "more_cases_needed",
    "kind",
    "title",
    "metric",
    "definition",
    "document",
    "quote",
    "warnings",
)


@click.command()
@DB_OPTION
@AS_OF_OPTION
@FORMAT_OPTION
@click.option(
    "--claim",
    "claim_ids",
    multiple=True,
    metavar="ID",
    help="Score only this claim (repeatable); `outcomes claims --list` names them.",
)
@click.option("--audit", is_flag=True, help="Check the documents' numbers against one another.")
@click.option("--list", "list_claims", is_flag=True, help="List the registry's claims and stop.")
@click.option(
    "--no-store", is_flag=True, help="Do not write the scorecard to the warehouse (results.*)."
)
@reports_errors
def claims(db, as_of, output_format, claim_ids, audit, list_claims, no_store) -> None:
    """Test every claim of the program's documents against the district's own data.

    Each claim in the registry (models/claims.yaml) is estimated from the analysis marts
    with its estimator, beside a naive comparison, and given one verdict: consistent,
    smaller_than_claimed, larger_than_claimed, not_supported, inconclusive (too few
    cases), no_data or untestable; the rules are in models/README.md. P-values against no
    effect are adjusted across the card (Benjamini-Hochberg). The scorecard is stored in
    the warehouse (results.claim_estimates) for the report, grant metrics and ROI model.

    Example: outcomes claims

    Example: outcomes claims --claim female_retention_girls_only --format json

    Example: outcomes claims --audit
    """
    from models.scorecard import audit as audit_documents
    from models.scorecard import load_registry

    registry = load_registry()
    if audit:
        _print_audit(audit_documents(registry), output_format)
        return
    if list_claims:
        rows = [(c.id, c.claimed.kind, c.claimed.value, c.design, c.title) for c in registry.claims]
        print_rows("claims", ("id", "kind", "claimed", "design", "title"), rows, output_format)
        return
    unknown = [c for c in claim_ids if c not in registry.ids]
    if unknown:
        raise InputError(
            "--claim",
            f"no claim {unknown[0]!r} in the registry",
            "see `outcomes claims --list` for the claims' ids",
        )
    run = _score(db, as_of, claim_ids, store=not no_store)
    records = [_record(e) for e in run.scorecard.estimates]
    if output_format == "table":
        _print_table(run, records)
        _print_tiers(run)
    elif output_format == "json":
        fields = (*FIELDS, "dose_response")
        click.echo(json.dumps([{f: r[f] for f in fields} for r in records], indent=2, default=str))
    else:
        print_rows("claims", FIELDS, [[r[f] for f in FIELDS] for r in records], output_format)


def _score(db, as_of, claim_ids, *, store: bool):
    from pipelines.scorecard import run_scorecard, store_scorecard
    from pipelines.warehouse.connection import connect, connect_read_only, resolve_db_path

    con = connect(db) if store else connect_read_only(db)
    try:
        with console.status("scoring the claims") as status:
            run = run_scorecard(
                con,
                as_of=as_of,
                claim_ids=list(claim_ids) or None,
                progress=lambda claim_id: status.update(f"scoring {claim_id}"),
            )
            if store:
                run_id = store_scorecard(con, run)
    finally:
        con.close()
    counts = ", ".join(f"{n} {code}" for code, n in sorted(run.scorecard.counts().items()))
    where = f" -> results.claim_estimates run {run_id} in {resolve_db_path(db)}" if store else ""
    console.print(f"scored {len(run.scorecard.estimates)} claims ({counts}){where}")
    return run


def _record(estimate) -> dict:
    record = estimate.to_dict()
    record["id"] = record.pop("claim_id")
    record["warnings"] = "; ".join(record["warnings"])
    return record


def _print_table(run, records) -> None:
    rows = []
    for r in records:
        interval = (
            f"{_num(r['ci_lower'])} to {_num(r['ci_upper'])}" if r["ci_lower"] is not None else ""
        )
        naive = "" if r["naive_estimate"] is None else _num(r["naive_estimate"])
        tier = "" if r["evidence_tier"] is None else str(r["evidence_tier"])
        rows.append(
            (
                r["id"],
                _num(r["claimed"]),
                _num(r["estimate"]),
                interval,
                naive,
                r["n"],
                _num(r["mde"]),
                _num(r["p_value_adjusted"]),
                tier,
                run.scorecard.estimates[len(rows)].verdict_label,
            )
        )
    as_of = f"as of batch {run.as_of_batch_id}" if run.as_of_batch_id else "empty warehouse"
    print_rows(
        f"Claims scorecard ({as_of})",
        (
            "claim",
            "claimed",
            "estimate",
            "95% interval",
            "naive",
            "n",
            "MDE",
            "p adj.",
            "tier",
            "verdict",
        ),
        rows,
        "table",
        right_aligned=("claimed", "estimate", "naive", "n", "MDE", "p adj.", "tier"),
    )


def _print_tiers(run) -> None:
    rows = [
        (
            e.claim_id,
            t.tier,
            _num(t.estimate),
            f"{_num(t.ci_lower)} to {_num(t.ci_upper)}" if t.ci_lower is not None else "",
            t.n,
            t.verdict,
        )
        for e in run.scorecard.estimates
        for t in e.dose_response
    ]
    if rows:
        print_rows(
            "By attendance (sessions attended: low < 50%, moderate 50-80%, high >= 80%)",
            ("claim", "tier", "estimate", "95% interval", "members", "verdict"),
            rows,
            "table",
            right_aligned=("estimate", "members"),
        )


def _print_audit(result, output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps([f.to_dict() for f in result.findings], indent=2))
        return
    frame = result.to_frame()
    if output_format == "csv":
        print_rows("audit", list(frame.columns), frame.values.tolist(), "csv")
        return
    rows = [
        (
            "agrees" if f.consistent else "CONTRADICTS",
            f.title,
            f.arithmetic,
            " | ".join(f"{q}" for _, q in f.quotes),
        )
        for f in result.findings
    ]
    print_rows(
        f"Seed audit: {len(result.contradictions)} contradictions in {len(result.findings)} checks",
        ("finding", "about", "arithmetic", "quotes"),
        rows,
        "table",
    )


def _num(value) -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
