"""Simulate a whole district and write it in the shapes districts send.

``simulate_district`` is pure: truth and seed in, clean frames out (one per source kind,
with the contract's column names, plus internal frames the tests and model checks use).
``generate_district`` writes those frames as export files, injects the configured mess, and
writes ``manifest.json`` listing every file and every injected defect.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.synth import (
    adoption,
    economics,
    exports,
    followups,
    mess,
    outcomes,
    population,
    portfolio,
    program,
    progression,
    sessions,
    staff,
    survey_data,
    writers,
)
from pipelines.synth.frames import DistrictFrames
from pipelines.synth.truth import Truth, load_truth

DEFAULT_SEED = 20240801


@dataclass(frozen=True)
class SynthResult:
    """What ``generate_district`` wrote.

    Attributes
    ----------
    files
        Every file written (exports, item maps and manifests), in writing order.
    row_counts
        Data rows per source kind, summed over files and districts (defects included).
    manifest_path
        ``manifest.json`` of the district, or of the set when ``districts > 1``.
    truth
        The truth the data were generated from (scaled to ``students`` when given).
    district_dirs
        The folder of each district (``out_dir`` itself for a single district).
    """

    files: tuple[Path, ...]
    row_counts: dict[str, int]
    manifest_path: Path
    truth: Truth
    district_dirs: tuple[Path, ...]


def stream(seed: int, district_number: int, concern: str) -> np.random.Generator:
    """An independent random stream per seed, district and concern.

    Separate streams keep a change in one part of the simulation from reshuffling the
    draws of every other part.
    """
    key = zlib.crc32(concern.encode("utf-8"))
    return np.random.default_rng(
        np.random.SeedSequence(entropy=seed, spawn_key=(district_number, key))
    )


def simulate_district(
    truth: Truth, seed: int = DEFAULT_SEED, district_number: int = 1
) -> DistrictFrames:
    """All clean frames of one district (no files, no mess).

    Parameters
    ----------
    truth
        The truth to simulate (see ``truth.yaml``).
    seed
        Seed of every random draw; each concern draws from its own stream of it.
    district_number
        1 for ``d01``: it prefixes every id, so several districts never share a key.

    Returns
    -------
    DistrictFrames
        Clean frames by source kind, internal frames, and the long survey answers.
    """

    def draw(concern: str) -> np.random.Generator:
        return stream(seed, district_number, concern)

    persons = population.simulate_persons(truth, draw("persons"), district_number)
    student_years = population.enrolled_student_years(truth, persons, draw("gpa"))
    staffing = staff.simulate_staff(
        truth, draw("staff"), district_number, student_years, draw("training_design")
    )
    run = program.simulate_program(
        truth,
        draw("program"),
        student_years,
        staffing.facts,
        district_number,
    )
    memberships = run.memberships
    pairs = sessions.mentorship_pairs(memberships, draw("pairs"))
    calendar = sessions.team_sessions(truth, run.teams, run.team_facts)
    attendance = sessions.session_attendance(
        truth, draw("attendance"), memberships, calendar, persons
    )
    projects = portfolio.client_projects(truth, draw("projects"), calendar, district_number)
    reviewers = portfolio.reviewer_pool(truth, draw("reviewers"), district_number)
    scores = portfolio.panel_scores(truth, draw("scores"), memberships, persons, reviewers)
    internships = portfolio.micro_internships(
        truth, draw("internships"), memberships, district_number
    )
    criteria = portfolio.certificate_criteria(
        truth, draw("certificates"), memberships, projects, scores, pairs
    )
    events = adoption.teacher_adoption(
        truth,
        draw("adoption"),
        staffing.facts,
        staffing.staff,
        projects,
        run.team_facts,
    )
    takers = outcomes.knowledge_takers(
        truth,
        draw("knowledge_takers"),
        memberships,
        pairs,
        run.student_years,
    )
    knowledge = outcomes.knowledge_assessments(
        truth, draw("knowledge"), takers, persons, district_number
    )
    competency = outcomes.competency_assessments(
        outcomes.teacher_competency(
            truth,
            draw("teacher_competency"),
            staffing.facts,
            staffing.staff,
        ),
        outcomes.student_competency(
            truth,
            draw("student_competency"),
            memberships,
            persons,
            run.team_facts,
        ),
        district_number,
        progression.teacher_progression(
            truth,
            draw("teacher_progression"),
            staffing.staff,
            staffing.facts,
            run.teams,
            outcomes.school_assessors(staffing.staff),
        ),
    )
    respondents = survey_data.student_respondents(
        truth, draw("survey_sample"), memberships, run.student_years
    )
    kinds = {
        "students": population.roster_frame(run.student_years),
        "staff": staffing.staff,
        "studio_teams": run.teams,
        "team_memberships": portfolio.memberships_with_reflection(memberships, criteria),
        "session_attendance": attendance,
        "mentorship_pairs": pairs,
        "client_projects": projects,
        "panel_scores": scores,
        "micro_internships": internships,
        "certificates": portfolio.certificates(criteria),
        "teacher_training": staffing.training,
        "teacher_adoption": events,
        "competency_assessments": competency,
        "knowledge_assessments": knowledge,
        "program_costs": economics.program_costs(
            truth, run.teams, memberships, staffing.training, staffing.staff, internships
        ),
        "benefit_observations": economics.benefit_observations(
            truth,
            draw("benefits"),
            staffing.staff,
            internships,
            district_number,
        ),
        "graduate_followups": followups.graduate_followups(
            truth, draw("graduate_followups"), run.student_years, persons, criteria
        ),
    }
    internal = {
        "persons": persons,
        "student_years": run.student_years,
        "staff_facts": staffing.facts,
        "team_facts": run.team_facts,
        "certificate_criteria": criteria,
        "reviewers": reviewers,
        "knowledge_takers": takers,
        "team_sessions": calendar,
    }
    return DistrictFrames(
        district_id=f"d{district_number:02d}",
        seed=seed,
        truth=truth,
        kinds=kinds,
        internal=internal,
        student_answers=survey_data.student_answers(
            truth, draw("student_survey"), respondents, persons
        ),
        teacher_answers=survey_data.teacher_answers(truth, draw("teacher_survey"), staffing.facts),
    )


def generate_district(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    truth: Truth | None = None,
    students: int | None = None,
    districts: int = 1,
) -> SynthResult:
    """Simulate and write a synthetic district (or several) with known truth.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing). With ``districts > 1`` each district
        gets a sub-folder ``d01``, ``d02`` ... and ``out_dir/manifest.json`` lists them.
    seed
        Seed of every random draw: the same seed writes byte-identical files.
    truth
        The truth to simulate; the default truth (``truth.yaml``) when None.
    students
        Students in each district; program counts scale with it. None keeps the truth's.
    districts
        How many districts to write (for large-input benchmarks). Each district's draws
        differ; its ids carry the district number so districts never share a key.

    Returns
    -------
    SynthResult
        Files written, rows per kind, the manifest and the truth used.
    """
    if districts < 1:
        raise ValueError("districts must be at least 1")
    truth = truth if truth is not None else load_truth()
    if students is not None:
        truth = truth.scaled_to(students)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    row_counts: dict[str, int] = {}
    manifests = []
    folders = []
    for number in range(1, districts + 1):
        folder = out_dir if districts == 1 else out_dir / f"d{number:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        frames = simulate_district(truth, seed, number)
        plan = exports.plan_exports(frames)
        plan, defects = mess.inject(plan, frames, truth.mess, stream(seed, number, "mess"))
        written = writers.write_exports(plan, folder)
        manifest = {
            "district_id": frames.district_id,
            "seed": seed,
            "files": [entry.manifest_entry() for entry in written],
            "defects": [d.as_dict() for d in defects],
            "expected_quarantine": mess.expected_quarantine(defects),
            "realistic_events": mess.realistic_events(frames, plan),
            "truth": truth.to_dict(),
        }
        manifest_path = folder / "manifest.json"
        _remove_stale_exports(manifest_path, {p.name for e in written for p in e.paths})
        manifest_path.write_text(
            json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
        for entry in written:
            files.extend(entry.paths)
            row_counts[entry.kind] = row_counts.get(entry.kind, 0) + entry.rows
        files.append(manifest_path)
        manifests.append(manifest_path)
        folders.append(folder)
    if districts == 1:
        top_manifest = manifests[0]
    else:
        top_manifest = out_dir / "manifest.json"
        listing = {
            "seed": seed,
            "districts": [
                {"district_id": f"d{n:02d}", "manifest": str(p.relative_to(out_dir))}
                for n, p in enumerate(manifests, start=1)
            ],
        }
        top_manifest.write_text(json.dumps(listing, indent=2) + "\n", encoding="utf-8")
        files.append(top_manifest)
    return SynthResult(
        files=tuple(files),
        row_counts=row_counts,
        manifest_path=top_manifest,
        truth=truth,
        district_dirs=tuple(folders),
    )


def _remove_stale_exports(manifest_path: Path, written: set[str]) -> None:
    """Delete exports an earlier run listed in this folder's manifest and this run did not
    write (a correction file of a messy run, say), so a folder never mixes two runs. Only
    files the generator itself listed are touched."""
    try:
        previous = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for entry in previous.get("files", []) if isinstance(previous, dict) else []:
        for name in (entry.get("file"), entry.get("item_map")):
            if isinstance(name, str) and name not in written and "/" not in name:
                (manifest_path.parent / name).unlink(missing_ok=True)
