"""Studio teams and their members, term by term.

Year 1 follows the roadmap's waves (first teams once the champions are trained, girls-only
teams from Q3). Each later year, teams whose teacher mentor stays carry on with the members
who return, new teams are formed to reach the year's target, and open places are filled by
volunteers. Who volunteers depends on prior GPA, sex and grade (``program.selection``), so a
naive comparison of members and non-members is biased. Whether a member returns next year
depends on sex and team type: that is where the true girls-only retention effect lives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.synth import recruitment, retention, schedule
from pipelines.synth.truth import Truth

ROLE_OF_GRADE = {
    "12": "senior_mentor",
    "11": "junior_mentor",
    "10": "sophomore_member",
    "9": "freshman_member",
}
QUIT_REASONS = {"lost_interest": 0.5, "schedule_conflict": 0.3, "academic": 0.2}


@dataclass(frozen=True)
class ProgramSimulation:
    teams: pl.DataFrame
    memberships: pl.DataFrame
    #: the enrolled student-years, with mid-year leavers' exits applied
    student_years: pl.DataFrame
    #: team_id -> session weekday and whether it holds after-action reviews
    team_facts: pl.DataFrame


def simulate_program(
    truth: Truth,
    rng: np.random.Generator,
    student_years: pl.DataFrame,
    staff_facts: pl.DataFrame,
    district_number: int,
) -> ProgramSimulation:
    """Teams, term memberships and mid-year leavers over all simulated years.

    Parameters
    ----------
    truth
        Rollout targets, team sizes, selection, retention and quit rates.
    rng
        Random generator for this concern only.
    student_years
        Enrolled students by school year (from :mod:`pipelines.synth.population`).
    staff_facts
        Teachers with their training, sex and exit dates (mentor candidates).
    district_number
        Prefixes the team ids.
    """
    run = _ProgramRun(truth, rng, student_years, staff_facts, district_number)
    for index, year in enumerate(truth.calendar.school_year_list):
        run.simulate_year(year, first=index == 0)
    team_frame = pl.DataFrame(run.teams, infer_schema_length=None).with_columns(
        pl.col("formed_date").cast(pl.Date), pl.col("disbanded_date").cast(pl.Date)
    )
    member_frame = pl.DataFrame(run.memberships, infer_schema_length=None).with_columns(
        pl.col("school_year").cast(pl.Int32),
        pl.col("start_date").cast(pl.Date),
        pl.col("end_date").cast(pl.Date),
    )
    return ProgramSimulation(
        teams=team_frame.drop("session_weekday", "after_action_reviews", "mentor_exit_date"),
        memberships=member_frame.sort("school_year", "team_id", "term", "student_unique_id"),
        student_years=retention.apply_departures(student_years, run.departed),
        team_facts=team_frame.select(
            "team_id",
            "team_type",
            "mentor_staff_unique_id",
            "session_weekday",
            "after_action_reviews",
        ),
    )


class _ProgramRun:
    """The state of the program as the years go by: teams, memberships, who left."""

    def __init__(
        self,
        truth: Truth,
        rng: np.random.Generator,
        student_years: pl.DataFrame,
        staff_facts: pl.DataFrame,
        district_number: int,
    ) -> None:
        self.truth = truth
        self.program = truth.program
        self.rng = rng
        self.student_years = student_years
        self.staff_facts = staff_facts
        self.district_number = district_number
        self.high_school = truth.district.high_school.school_id
        #: "student@year" -> that student-year's roster facts
        self.info = {
            r["student_unique_id"] + f"@{r['school_year']}": r
            for r in student_years.iter_rows(named=True)
        }
        self.teams: list[dict] = []
        self.memberships: list[dict] = []
        #: student -> (school year, day they left the district, or None if they stayed)
        self.departed: dict[str, tuple[int, dt.date | None]] = {}
        #: student -> last year's team, for members coming back
        self.returning: dict[str, str] = {}
        self.busy_mentors: set[str] = set()

    def simulate_year(self, year: int, *, first: bool) -> None:
        calendar = schedule.school_year(year)
        year_start = calendar.fall_start + dt.timedelta(days=14)
        gone = [s for s, (_, day) in self.departed.items() if day is not None]
        pool = self.student_years.filter(
            (pl.col("school_year") == year)
            & pl.col("grade_level").is_in(list(ROLE_OF_GRADE))
            & ~pl.col("student_unique_id").is_in(gone)
        )
        recruiter = recruitment.Recruiter(self.truth, self.rng, pool, self.info, year)
        # Former members do not volunteer again: whoever quit or chose not to return stays
        # out, so measured retention is the true retention.
        recruiter.exclude({row["student_unique_id"] for row in self.memberships})
        if first:
            roster, formed_on = self.launch_waves(year, recruiter)
        else:
            roster, formed_on = self.carry_over(year, calendar, year_start)
            target = self.truth.rollout.students_by_year.get(
                year, sum(len(m) for m in roster.values())
            )
            self.grow(roster, formed_on, target, year, year_start, recruiter)
        self.returning = self.term_memberships(roster, formed_on, year, calendar, recruiter)

    def new_team(self, formed: dt.date, team_type: str, year: int) -> dict:
        mentor = recruitment.choose_mentor(
            self.truth,
            self.rng,
            self.staff_facts,
            self.high_school,
            formed,
            year,
            team_type,
            self.busy_mentors,
        )
        self.busy_mentors.add(mentor)
        mentor_exit = self.staff_facts.filter(pl.col("staff_unique_id") == mentor)["exit_date"][0]
        team = {
            "team_id": f"T{self.district_number:02d}{len(self.teams) + 1:03d}",
            "school_id": self.high_school,
            "team_type": team_type,
            "mentor_staff_unique_id": mentor,
            "formed_date": formed,
            "disbanded_date": None,
            "session_weekday": str(self.rng.choice(self.truth.calendar.session_weekdays)),
            "after_action_reviews": bool(
                self.rng.random() < self.program.after_action_review_team_share
            ),
            "mentor_exit_date": mentor_exit,
        }
        self.teams.append(team)
        return team

    def fill(
        self,
        recruiter: recruitment.Recruiter,
        members: list[str],
        size: int,
        team_type: str,
        year: int,
        start: dt.date,
    ) -> list[str]:
        """Add volunteers to ``members`` until the team has ``size``: two of each grade first."""
        members = list(members)
        female_only = team_type == "girls_only"
        grades = [self.info[f"{m}@{year}"]["grade_level"] for m in members]
        for grade in ROLE_OF_GRADE:
            need = min(max(0, 2 - grades.count(grade)), size - len(members))
            members += recruiter.take(need, start, grade=grade, female_only=female_only)
        members += recruiter.take(max(0, size - len(members)), start, female_only=female_only)
        return members

    def launch_waves(self, year: int, recruiter: recruitment.Recruiter) -> tuple[dict, dict]:
        """Year 1: the roadmap's waves of new teams (girls-only teams in the later wave)."""
        roster: dict[str, list[str]] = {}
        formed_on: dict[str, dt.date] = {}
        for wave in self.truth.rollout.year1_waves:
            month_start = schedule.program_month_start(
                self.truth.calendar.program_start, wave.month
            )
            formed = schedule.on_or_after(month_start, 0)
            sizes = recruitment.split_sizes(
                wave.students, self.program.team_size_min, self.program.team_size_max, self.rng
            )
            for number, size in enumerate(sizes):
                team_type = "girls_only" if number < wave.girls_only_teams else "mixed"
                team = self.new_team(formed, team_type, year)
                formed_on[team["team_id"]] = formed
                roster[team["team_id"]] = self.fill(recruiter, [], size, team_type, year, formed)
        return roster, formed_on

    def carry_over(
        self, year: int, calendar: schedule.SchoolYear, year_start: dt.date
    ) -> tuple[dict, dict]:
        """Teams whose mentor stays keep their returning members; other teams disband."""
        previous_end = schedule.school_year(year - 1).spring_end
        roster: dict[str, list[str]] = {}
        formed_on: dict[str, dt.date] = {}
        for team in self.teams:
            if team["disbanded_date"] is not None:
                continue
            mentor_exit = team["mentor_exit_date"]
            if mentor_exit is not None and mentor_exit <= calendar.spring_end:
                team["disbanded_date"] = previous_end
                continue
            roster[team["team_id"]] = [
                s
                for s, t in self.returning.items()
                if t == team["team_id"] and recruitment.enrolled_on(self.info, s, year, year_start)
            ]
            formed_on[team["team_id"]] = year_start
        return roster, formed_on

    def grow(
        self,
        roster: dict[str, list[str]],
        formed_on: dict[str, dt.date],
        target: int,
        year: int,
        year_start: dt.date,
        recruiter: recruitment.Recruiter,
    ) -> None:
        """Size carried-on teams, place members of disbanded teams, form new teams, fill."""
        low, high = self.program.team_size_min, self.program.team_size_max
        sizes = {t: max(len(m), int(self.rng.integers(low, high + 1))) for t, m in roster.items()}
        sizes = {t: min(s, high) for t, s in sizes.items()}
        orphans = [
            s
            for s, t in self.returning.items()
            if t not in roster and recruitment.enrolled_on(self.info, s, year, year_start)
        ]
        remaining = target - sum(sizes.values())
        to_place = max(remaining, len(orphans))
        new_sizes = (
            recruitment.split_sizes(to_place, low, high, self.rng) if to_place >= low else []
        )
        leftover = remaining - sum(new_sizes)
        for team_id in sorted(sizes):
            while leftover > 0 and sizes[team_id] < high:
                sizes[team_id] += 1
                leftover -= 1
        type_of = {t["team_id"]: t["team_type"] for t in self.teams}
        current_girls = sum(1 for t in roster if type_of[t] == "girls_only")
        share = self.truth.rollout.girls_only_team_share
        wanted_girls = round(share * (len(roster) + len(new_sizes)))
        for number, size in enumerate(new_sizes):
            team_type = "girls_only" if number < wanted_girls - current_girls else "mixed"
            team = self.new_team(year_start, team_type, year)
            roster[team["team_id"]] = []
            formed_on[team["team_id"]] = year_start
            sizes[team["team_id"]] = size
            type_of[team["team_id"]] = team_type
        # Members of a disbanded team join a new team first, else any team with room.
        old_teams = set(self.returning.values())
        for orphan in orphans:
            female = self.info[f"{orphan}@{year}"]["sex"] == "female"
            for team_id in sorted(roster, key=lambda t: (t in old_teams, t)):
                fits = female or type_of[team_id] == "mixed"
                if fits and len(roster[team_id]) < sizes[team_id]:
                    roster[team_id].append(orphan)
                    break
        for team_id in roster:
            roster[team_id] = self.fill(
                recruiter, roster[team_id], sizes[team_id], type_of[team_id], year, year_start
            )

    def term_memberships(
        self,
        roster: dict[str, list[str]],
        formed_on: dict[str, dt.date],
        year: int,
        calendar: schedule.SchoolYear,
        recruiter: recruitment.Recruiter,
    ) -> dict[str, str]:
        """Fall and spring memberships of one year; returns who comes back next year.

        Fall members may leave the district or quit; teams that fall below the minimum size
        recruit at the start of spring. Teams formed in spring have a spring term only.
        """
        finishers: dict[str, str] = {}
        by_id = {t["team_id"]: t for t in self.teams}
        for team_id, members in roster.items():
            formed = formed_on[team_id]
            if formed <= calendar.fall_end:
                spring_members = self.fall_term(team_id, members, formed, year, calendar)
                spring_start = calendar.spring_start
                missing = self.program.team_size_min - len(spring_members)
                if missing > 0:
                    team_type = by_id[team_id]["team_type"]
                    spring_members += self.fill(
                        recruiter, [], missing, team_type, year, spring_start
                    )
            else:
                spring_start, spring_members = formed, list(members)
            for student in spring_members:
                row = _membership(
                    self.info, student, team_id, year, "spring", spring_start, calendar.spring_end
                )
                left = self.leave_date(student, year, spring_start, calendar)
                if left is not None:
                    row.update(end_date=left, exit_reason="left_district")
                elif row["grade_level"] == "12":
                    row["exit_reason"] = "graduated"
                else:
                    finishers[student] = team_id
                self.memberships.append(row)
        return retention.draw_returns(self.truth, self.rng, finishers, by_id, self.info, year)

    def fall_term(
        self,
        team_id: str,
        members: list[str],
        formed: dt.date,
        year: int,
        calendar: schedule.SchoolYear,
    ) -> list[str]:
        """Fall memberships of a team; returns the members who go on to spring."""
        staying = []
        for student in members:
            row = _membership(self.info, student, team_id, year, "fall", formed, calendar.fall_end)
            left = self.leave_date(student, year, formed, calendar)
            if left is not None and left <= calendar.spring_start:
                # Leaving over the winter break ends the fall membership at the term's end.
                row.update(end_date=min(left, calendar.fall_end), exit_reason="left_district")
            elif self.rng.random() < self.program.mid_year_quit_rate:
                days = int(self.rng.integers(14, max(15, (calendar.fall_end - formed).days)))
                reason = self.rng.choice(list(QUIT_REASONS), p=list(QUIT_REASONS.values()))
                row.update(
                    end_date=min(formed + dt.timedelta(days=days), calendar.fall_end),
                    exit_reason=str(reason),
                )
            else:
                staying.append(student)
            self.memberships.append(row)
        return staying

    def leave_date(
        self, student: str, year: int, start: dt.date, calendar: schedule.SchoolYear
    ) -> dt.date | None:
        return retention.leave_date(
            self.rng,
            self.truth.mess.left_district_mid_year_rate,
            self.info,
            student,
            year,
            start,
            calendar,
            self.departed,
        )


def _membership(
    info: dict,
    student: str,
    team_id: str,
    year: int,
    term: str,
    start: dt.date,
    end: dt.date,
) -> dict:
    grade = info[f"{student}@{year}"]["grade_level"]
    return {
        "student_unique_id": student,
        "team_id": team_id,
        "school_year": year,
        "term": term,
        "role": ROLE_OF_GRADE[grade],
        "grade_level": grade,
        "start_date": start,
        "end_date": end,
        "exit_reason": "completed_term",
    }
