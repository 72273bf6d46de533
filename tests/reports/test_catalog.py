"""The metrics catalog: one definition per metric, checked on load, names that help."""

from __future__ import annotations

import pytest

from reports.catalog import load_catalog, parse_catalog

CLAIMS = (("female_retention_girls_only", "Girls-only teams keep more girls", "Share ..."),)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def minimal(**change) -> dict:
    metric = {
        "id": "students_in_teams",
        "title": "Students in teams",
        "definition": "Distinct members.",
        "kind": "count",
        "unit": "students",
        "mart": "student_years",
        "counts": "student_unique_id",
        "where": "is_member",
        "people": True,
        "dimensions": {"gender": "sex"},
    }
    metric.update(change)
    return {"dimensions": {"gender": {"label": "gender"}}, "metrics": [metric]}


def test_the_shipped_catalog_loads_with_a_metric_for_every_claim(catalog):
    from models.scorecard import load_registry

    claim_metrics = {m.id for m in catalog.metrics if m.claim_id}
    assert claim_metrics == {f"claim.{c}" for c in load_registry().ids}
    assert catalog.suppression_threshold == 11


def test_every_metric_names_only_dimensions_the_catalog_defines(catalog):
    for metric in catalog.metrics:
        assert set(metric.dimensions) <= set(catalog.dimensions), metric.id


def test_an_unknown_metric_is_refused_with_the_closest_ids(catalog):
    with pytest.raises(
        LookupError, match=r"no metric 'studnets_in_teams' \(closest: students_in_teams"
    ):
        catalog.metric("studnets_in_teams")


def test_an_unknown_dimension_is_refused_with_those_the_metric_allows(catalog):
    metric = catalog.metric("students_in_teams")
    with pytest.raises(LookupError, match=r"cannot be cut by 'gendr' \(closest: gender\)"):
        catalog.dimension(metric, "gendr")


def test_a_claim_metric_cannot_be_cut(catalog):
    with pytest.raises(LookupError, match="cannot be cut by any dimension"):
        catalog.dimension(catalog.metric("claim.female_retention_girls_only"), "gender")


def test_a_share_without_its_numerator_is_refused():
    with pytest.raises(
        ValueError, match="metric students_in_teams: numerator is required for a share"
    ):
        parse_catalog(minimal(kind="share"), claims=CLAIMS)


def test_a_dimension_the_catalog_does_not_define_is_refused():
    with pytest.raises(ValueError, match="dimension 'shoe_size' is not in the catalog"):
        parse_catalog(minimal(dimensions={"shoe_size": "shoe"}), claims=CLAIMS)


def test_a_metric_defined_twice_is_refused():
    data = minimal()
    data["metrics"].append(dict(data["metrics"][0]))
    with pytest.raises(ValueError, match="defined twice"):
        parse_catalog(data, claims=CLAIMS)
