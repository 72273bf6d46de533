"""The district calendar: school years, terms, breaks, program months and panel dates.

Dates follow fixed rules (a California-style calendar) so that every run of the simulation
shares them: school starts on the second Monday of August, the fall term ends on the third
Friday of December, the spring term starts on the first Monday on or after 6 January and
ends on the first Friday on or after 3 June. Thanksgiving week and the first full week of
April are breaks. ``school_year`` is the Ed-Fi school year: the calendar year it ends in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
QUARTERS = ("q1", "q2", "q3", "q4")


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The ``n``-th ``weekday`` (0 = Monday) of a month; ``n = -1`` is the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + dt.timedelta(days=offset + 7 * (n - 1))
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last = next_month - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def on_or_after(day: dt.date, weekday: int) -> dt.date:
    """The first ``weekday`` on or after ``day``."""
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


@dataclass(frozen=True)
class SchoolYear:
    """Key dates of one Ed-Fi school year."""

    school_year: int
    fall_start: dt.date
    fall_end: dt.date
    spring_start: dt.date
    spring_end: dt.date
    breaks: tuple[tuple[dt.date, dt.date], ...]

    @property
    def label(self) -> str:
        """``2023-24`` for Ed-Fi school year 2024."""
        return f"{self.school_year - 1}-{self.school_year % 100:02d}"

    def term_dates(self, term: str) -> tuple[dt.date, dt.date]:
        if term == "fall":
            return self.fall_start, self.fall_end
        if term == "spring":
            return self.spring_start, self.spring_end
        raise ValueError(f"unknown term {term!r}")

    def term_of(self, day: dt.date) -> str:
        return "fall" if day <= self.fall_end else "spring"

    def in_session(self, day: dt.date) -> bool:
        """True on a day classes meet (inside a term and outside a break)."""
        in_term = (
            self.fall_start <= day <= self.fall_end or self.spring_start <= day <= self.spring_end
        )
        return in_term and not any(start <= day <= end for start, end in self.breaks)

    def panel_date(self, quarter: str) -> dt.date:
        """Day of the quarter's employer panel review (a Thursday)."""
        start_year = self.school_year - 1
        if quarter == "q1":
            return nth_weekday(start_year, 10, 3, -1)
        if quarter == "q2":
            return nth_weekday(self.school_year, 1, 3, -1)
        if quarter == "q3":
            return nth_weekday(self.school_year, 4, 3, -1)
        if quarter == "q4":
            return self.spring_end - dt.timedelta(days=8)
        raise ValueError(f"unknown quarter {quarter!r}")

    def weekly_dates(self, weekday: str, start: dt.date, end: dt.date) -> list[dt.date]:
        """Every ``weekday`` between ``start`` and ``end`` (inclusive) on which school meets."""
        day = on_or_after(start, WEEKDAYS.index(weekday))
        dates = []
        while day <= end:
            if self.in_session(day):
                dates.append(day)
            day += dt.timedelta(days=7)
        return dates


def school_year(school_year: int) -> SchoolYear:
    """The calendar of Ed-Fi school year ``school_year`` (2024 is 2023-24)."""
    start_year = school_year - 1
    thanksgiving = nth_weekday(start_year, 11, 3, 4)
    thanksgiving_monday = thanksgiving - dt.timedelta(days=3)
    spring_break = on_or_after(dt.date(school_year, 4, 1), 0)
    return SchoolYear(
        school_year=school_year,
        fall_start=nth_weekday(start_year, 8, 0, 2),
        fall_end=nth_weekday(start_year, 12, 4, 3),
        spring_start=on_or_after(dt.date(school_year, 1, 6), 0),
        spring_end=on_or_after(dt.date(school_year, 6, 3), 4),
        breaks=(
            (thanksgiving_monday, thanksgiving_monday + dt.timedelta(days=4)),
            (spring_break, spring_break + dt.timedelta(days=4)),
        ),
    )


def program_month_start(program_start: dt.date, month: int) -> dt.date:
    """First day of program month ``month`` (month 1 starts at ``program_start``)."""
    index = program_start.month - 1 + (month - 1)
    return dt.date(program_start.year + index // 12, index % 12 + 1, 1)


def program_month_end(program_start: dt.date, month: int) -> dt.date:
    """Last day of program month ``month``."""
    return program_month_start(program_start, month + 1) - dt.timedelta(days=1)


def school_year_of(day: dt.date) -> int:
    """Ed-Fi school year a date belongs to (July starts the next one)."""
    return day.year + 1 if day.month >= 7 else day.year


def random_dates(rng: np.random.Generator, start: dt.date, end: dt.date, size: int) -> np.ndarray:
    """``size`` uniform random days between ``start`` and ``end`` as ``datetime64[D]``."""
    span = max((end - start).days, 0)
    offsets = rng.integers(0, span + 1, size=size)
    return np.datetime64(start, "D") + offsets.astype("timedelta64[D]")


def to_date(value: np.datetime64) -> dt.date:
    return value.astype("datetime64[D]").astype(dt.date)
