"""Study designs drawn from the warehouse: a lottery among a program's applicants.

``applicants`` reads an applicants file and finds its student ids as ingestion would;
``lottery`` looks the applicants up on the roster, draws the blocked, balanced lottery
(``models.lottery``), writes the assignment file and records the lottery in ``design.*``.
"""

from pipelines.design.lottery import LotteryRun, assignment_path, resolve_blocks, run_lottery

__all__ = ["LotteryRun", "assignment_path", "resolve_blocks", "run_lottery"]
