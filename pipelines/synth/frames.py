"""A simulated district held in memory: the frames every generator step fills in."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.synth.truth import Truth


@dataclass(frozen=True)
class DistrictFrames:
    """A simulated district: clean frames by source kind, and internal frames.

    ``kinds`` hold the contract's columns (``students`` also has ``school_year``: one roster
    per year). ``internal`` frames are never written: latent ability, the certificate
    criteria of every member-year, reviewer severities, the training design and such, so
    that tests and model checks can compare estimates with the truth.
    """

    district_id: str
    seed: int
    truth: Truth
    kinds: dict[str, pl.DataFrame]
    internal: dict[str, pl.DataFrame]
    #: long survey answers, turned into survey exports by the writers
    student_answers: pl.DataFrame
    teacher_answers: pl.DataFrame
