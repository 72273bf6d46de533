"""The seed consistency audit: where the program's documents contradict one another.

Each rule reads numbers from the registry's ``facts`` (each quoting its document) and does
the arithmetic; a finding holds both quotes and that arithmetic, so a reader can check it
without this code. Nothing here is typed-in prose about a contradiction: change a fact and
the finding follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from models.scorecard.registry import DOCUMENTS, Fact, Registry


@dataclass(frozen=True)
class Finding:
    """One rule's outcome: whether the documents agree, the quotes and the arithmetic."""

    rule: str
    title: str
    consistent: bool
    arithmetic: str
    quotes: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "title": self.title,
            "consistent": self.consistent,
            "arithmetic": self.arithmetic,
            "quotes": [{"document": d, "quote": q} for d, q in self.quotes],
        }


@dataclass(frozen=True)
class Audit:
    findings: tuple[Finding, ...]

    @property
    def contradictions(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.consistent)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{**f.to_dict(), "quotes": " | ".join(q for _, q in f.quotes)} for f in self.findings]
        )

    def summary(self) -> str:
        lines = [
            f"{len(self.contradictions)} of {len(self.findings)} checks find the documents "
            "contradicting one another"
        ]
        for finding in self.findings:
            mark = "ok " if finding.consistent else "XX "
            lines.append(f"{mark}{finding.title}: {finding.arithmetic}")
            lines += [f'     {DOCUMENTS[d]}: "{q}"' for d, q in finding.quotes]
        return "\n".join(lines)


def audit(registry: Registry) -> Audit:
    """Run every rule whose facts the registry holds."""
    findings = []
    for rule in RULES:
        try:
            findings.append(rule(registry.fact))
        except KeyError:
            continue  # a district registry without these facts skips the rule
    return Audit(tuple(findings))


def _quotes(*facts: Fact) -> tuple[tuple[str, str], ...]:
    seen: list[tuple[str, str]] = []
    for fact in facts:
        if (fact.document, fact.quote) not in seen:
            seen.append((fact.document, fact.quote))
    return tuple(seen)


def _money(value: float) -> str:
    return f"${value / 1e6:.2f}M" if value >= 1e6 else f"${value / 1e3:,.0f}K"


def students_served(fact: Callable[[str], Fact]) -> Finding:
    small, large = fact("students_demographic"), fact("students_grant")
    ratio = large.value / small.value
    return Finding(
        "students_served",
        "Students in the district",
        small.value == large.value,
        f"{large.value:,} vs {small.value:,}: the grant's count is {ratio:.2f}x the district's own",
        _quotes(large, small),
    )


def teachers_trained(fact: Callable[[str], Fact]) -> Finding:
    teachers, all_certified = fact("teachers_grant"), fact("full_faculty_certified_month_8")
    target = fact("teachers_trained_month_15")
    expected = teachers.value * all_certified.value
    return Finding(
        "teachers_trained",
        "Teachers trained when the whole faculty is",
        target.value >= expected,
        f"{all_certified.value:.0%} of {teachers.value}+ teachers certified by month 8 is "
        f"{expected:.0f}+ trained, yet month 15's target is {target.value}+ "
        f"({target.value / teachers.value:.0%} of the faculty)",
        _quotes(teachers, all_certified, target),
    )


def seats_for_students(fact: Callable[[str], Fact]) -> Finding:
    teams, size, students = (
        fact("teams"),
        fact("team_size_solution"),
        fact("students_in_teams_month_15"),
    )
    low, high = teams.value * size.value[0], teams.value * size.value[1]
    return Finding(
        "seats_for_students",
        "Seats in the teams against students in them",
        high >= students.value,
        f"{teams.value} teams of {size.value[0]}-{size.value[1]} seat {low}-{high} students, "
        f"not {students.value}+ ({students.value / high:.1f}x the most seats)",
        _quotes(teams, students),
    )


def team_size(fact: Callable[[str], Fact]) -> Finding:
    sizes = [fact("team_size_solution"), fact("team_size_grant"), fact("team_size_roadmap")]
    ranges = {tuple(s.value) for s in sizes}
    spelled = "; ".join(f"{DOCUMENTS[s.document]}: {s.value[0]}-{s.value[1]}" for s in sizes)
    return Finding(
        "team_size",
        "Students per team",
        len(ranges) == 1,
        f"{len(ranges)} different ranges ({spelled})",
        _quotes(*sizes),
    )


def certificate_rules(fact: Callable[[str], Fact]) -> Finding:
    listed, named, stated = (
        fact("certificate_requirements_listed"),
        fact("certificate_requirements_named"),
        fact("certificate_conditions_stated"),
    )
    missing = [c for c in stated.value if c not in named.value]
    count_matches = len(named.value) == listed.value
    parts = [f"the list names {len(named.value)} requirements"]
    if not count_matches:
        parts.append(f"but {listed.value} are counted")
    if missing:
        parts.append(
            f"the sentence before it also requires {', '.join(missing)}, which the list omits"
        )
    return Finding(
        "certificate_rules",
        "The certificate's requirements",
        count_matches and not missing,
        "; ".join(parts),
        _quotes(stated, listed),
    )


def return_multiple(fact: Callable[[str], Fact]) -> Finding:
    investment, total, multiple = (
        fact("year_one_investment"),
        fact("ten_year_return"),
        fact("return_multiple"),
    )
    implied = total.value / investment.value
    return Finding(
        "return_multiple",
        "The ten-year return's multiple",
        abs(implied - multiple.value) / multiple.value < 0.05,
        f"{_money(total.value)} / {_money(investment.value)} = {implied:.1f}x, not "
        f"{multiple.value}x ({multiple.value}x of {_money(investment.value)} would be "
        f"{_money(multiple.value * investment.value)})",
        _quotes(investment, total, multiple),
    )


def benefit_streams(fact: Callable[[str], Fact]) -> Finding:
    streams = [
        fact("benefit_teacher_retention"),
        fact("benefit_wage_premiums"),
        fact("benefit_grants"),
        fact("benefit_licensing"),
    ]
    total = fact("ten_year_return")
    low = sum(s.value[0] for s in streams)
    high = sum(s.value[1] for s in streams)
    return Finding(
        "benefit_streams",
        "The benefit streams against the ten-year total",
        low * 10 <= total.value <= high * 10,
        f"the four streams add to {_money(low)}-{_money(high)} a year, "
        f"{_money(low * 10)}-{_money(high * 10)} over ten years, against "
        f"{_money(total.value)} claimed"
        + (
            ""
            if low * 10 <= total.value
            else ": even their lowest values exceed the total, unless years without them "
            "are assumed, which the documents do not state"
        ),
        _quotes(*streams, total),
    )


RULES = (
    students_served,
    teachers_trained,
    seats_for_students,
    team_size,
    certificate_rules,
    return_multiple,
    benefit_streams,
)
