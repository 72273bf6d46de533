"""Errors a user can fix, printed as one line and turned into exit code 2 by the CLI."""

from __future__ import annotations

from pathlib import Path

#: Exit code for input the user must fix (bad file, bad option, unknown kind).
EXIT_BAD_INPUT = 2
#: Exit code when the warehouse stayed locked by another ingest for longer than the wait.
EXIT_BUSY = 3
#: How a note in an ingest report starts when it needs the operator's attention (all of a
#: survey's responses left out, say); the command line shows such notes apart.
WARNING = "warning: "


class InputError(Exception):
    """A problem with an input file: where it is, what is wrong, and how to fix it.

    ``str(error)`` is the single line the CLI prints, for example::

        scores.csv: row 7, column score: '11' is above the maximum 10; correct the score

    Parameters
    ----------
    file
        The file (or option) the problem is in.
    problem
        What is wrong, in words a district data clerk understands.
    fix
        What to do about it.
    row, column
        Where in the file, when known. ``row`` is the spreadsheet row number (the header
        is row 1), so a user can find it by opening the file.
    """

    def __init__(
        self,
        file: str | Path,
        problem: str,
        fix: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.problem = problem
        self.fix = fix
        self.row = row
        self.column = column
        super().__init__(self.line())

    def line(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        place = f"{self.file}: " + (", ".join(where) + ": " if where else "")
        return f"{place}{self.problem}; {self.fix}"

    def __reduce__(self):
        # Whole across a process boundary (the demo's second process): the default pickle
        # would call the class with the one line alone.
        return (_input_error, (self.file, self.problem, self.fix, self.row, self.column))


def _input_error(file, problem, fix, row, column) -> InputError:
    return InputError(file, problem, fix, row=row, column=column)


class WarehouseBusyError(Exception):
    """Another process held the warehouse's write lock for longer than we were willing to wait."""
