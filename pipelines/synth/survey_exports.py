"""Survey exports as districts download them: Qualtrics (students) and Google Forms (teachers).

A Qualtrics CSV export has three header rows: the column names (``Q1``, ``Q2`` ... for the
questions), the question texts, and the import ids as JSON. Students are identified by the
``ExternalReference`` embedded field. A Google Forms CSV export has one header row of
question texts, a ``Timestamp`` and the respondent's e-mail; teachers also type their staff
number. Answers are the choice texts people saw. Each export gets an item map beside it that
says which column is which item and what each choice text codes to.
"""

from __future__ import annotations

import polars as pl

from pipelines.synth import schedule
from pipelines.synth.export_spec import ExportSpec, TextTable
from pipelines.synth.frames import DistrictFrames
from pipelines.synth.survey_items import STUDENT_ITEMS, TEACHER_ITEMS, Item
from pipelines.synth.survey_maps import CHOICE_CODES, STAFF_ID_QUESTION, item_map

QUALTRICS_META = (
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"America/Los_Angeles"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"America/Los_Angeles"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    (
        "RecordedDate",
        "Recorded Date",
        '{"ImportId":"recordedDate","timeZone":"America/Los_Angeles"}',
    ),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
)


def _wide(answers: pl.DataFrame, items: tuple[Item, ...], *, seen_code: str | None) -> pl.DataFrame:
    """One row per response, one column per item, answers as the choice texts shown.

    An item that was not shown is an empty cell; one shown and skipped is ``seen_code``
    (Qualtrics writes -99) or empty when the tool has no such code.
    """
    texts = pl.DataFrame(
        [
            (item.item_id, str(code), text)
            for item in items
            for text, code in CHOICE_CODES.get(item.response_scale, {}).items()
        ],
        schema={"item_id": pl.String, "response_value": pl.String, "text": pl.String},
        orient="row",
    )
    shown = answers.join(
        texts, on=["item_id", "response_value"], how="left", maintain_order="left"
    ).with_columns(
        shown=pl.when(pl.col("response_value").is_null())
        .then(pl.lit(seen_code, dtype=pl.String))
        .otherwise(pl.coalesce("text", "response_value"))
    )
    keys = ["respondent_unique_id", "responded_at"]
    wide = shown.pivot(on="item_id", index=keys, values="shown", aggregate_function="first")
    for item in items:
        if item.item_id not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.String).alias(item.item_id))
    return wide.sort("responded_at", "respondent_unique_id")


def _response_ids(count: int, prefix: str) -> list[str]:
    """Qualtrics-like response ids, unique within the export."""
    return [f"R_{prefix}{number:011d}" for number in range(1, count + 1)]


def qualtrics_export(
    answers: pl.DataFrame, prefix: str
) -> tuple[pl.DataFrame, tuple[tuple[str, ...], ...]]:
    """The data rows (under row-1 names) and the second and third header rows."""
    wide = _wide(answers, STUDENT_ITEMS, seen_code="-99")
    question_names = {item.item_id: f"Q{i}" for i, item in enumerate(STUDENT_ITEMS, start=1)}
    durations = (pl.col("respondent_unique_id").str.slice(-3).cast(pl.Int64) % 400) + 180
    frame = wide.select(
        pl.col("responded_at").dt.strftime("%Y-%m-%d %H:%M:%S").alias("StartDate"),
        (pl.col("responded_at") + pl.duration(seconds=durations))
        .dt.strftime("%Y-%m-%d %H:%M:%S")
        .alias("EndDate"),
        pl.lit("IP Address").alias("Status"),
        pl.lit("100").alias("Progress"),
        durations.cast(pl.String).alias("Duration (in seconds)"),
        pl.lit("True").alias("Finished"),
        (pl.col("responded_at") + pl.duration(seconds=durations))
        .dt.strftime("%Y-%m-%d %H:%M:%S")
        .alias("RecordedDate"),
        pl.Series("ResponseId", _response_ids(wide.height, prefix)),
        pl.col("respondent_unique_id").alias("ExternalReference"),
        pl.lit("email").alias("DistributionChannel"),
        pl.lit("EN").alias("UserLanguage"),
        *[pl.col(item.item_id).alias(question_names[item.item_id]) for item in STUDENT_ITEMS],
    )
    texts = tuple(meta[1] for meta in QUALTRICS_META) + tuple(i.wording for i in STUDENT_ITEMS)
    imports = tuple(meta[2] for meta in QUALTRICS_META) + tuple(
        f'{{"ImportId":"QID{i}"}}' for i in range(1, len(STUDENT_ITEMS) + 1)
    )
    return frame, (texts, imports)


def google_forms_export(answers: pl.DataFrame, emails: pl.DataFrame) -> pl.DataFrame:
    """Timestamp, e-mail, staff number and one column per question (its text).

    ``emails`` maps ``respondent_unique_id`` to ``email``: the form collects addresses.
    """
    wide = _wide(answers, TEACHER_ITEMS, seen_code=None).join(
        emails, on="respondent_unique_id", how="left", maintain_order="left"
    )
    return wide.sort("responded_at", "respondent_unique_id").select(
        pl.col("responded_at").dt.strftime("%-m/%-d/%Y %-H:%M:%S").alias("Timestamp"),
        pl.col("email").alias("Email Address"),
        pl.col("respondent_unique_id").alias(STAFF_ID_QUESTION),
        *[pl.col(item.item_id).alias(item.wording) for item in TEACHER_ITEMS],
    )


def plan_surveys(frames: DistrictFrames) -> list[ExportSpec]:
    """Student surveys per year and wave (Qualtrics) and the two teacher forms."""
    specs = []
    students = frames.student_answers
    for year in frames.truth.calendar.school_year_list:
        label = schedule.school_year(year).label
        for wave in ("pre", "post"):
            answers = students.filter((pl.col("school_year") == year) & (pl.col("wave") == wave))
            if answers.is_empty():
                continue
            survey_id = f"student_ai_{label}_{wave}"
            frame, extra = qualtrics_export(answers, f"{year % 100}{wave[:2]}")
            specs.append(
                ExportSpec(
                    file_name=f"qualtrics_{survey_id}.csv",
                    kind="survey_responses",
                    file_format="qualtrics",
                    tables=[TextTable(frame)],
                    item_map=item_map("qualtrics", survey_id, wave, "student", STUDENT_ITEMS),
                    extra_header_rows=extra,
                    school_year=year,
                    manifest_extra={"header_rows": 3, "answers": answers.height},
                )
            )
    emails = frames.kinds["staff"].select(
        pl.col("staff_unique_id").alias("respondent_unique_id"),
        pl.col("electronic_mail_address").alias("email"),
    )
    for wave in ("pre", "post"):
        answers = frames.teacher_answers.filter(pl.col("wave") == wave)
        survey_id = f"teacher_ai_training_{wave}"
        frame = google_forms_export(answers, emails)
        specs.append(
            ExportSpec(
                file_name=f"google_forms_{survey_id}.csv",
                kind="survey_responses",
                file_format="google_forms",
                tables=[TextTable(frame)],
                item_map=item_map("google_forms", survey_id, wave, "teacher", TEACHER_ITEMS),
                manifest_extra={"header_rows": 1, "answers": answers.height},
            )
        )
    return specs


def survey_bytes(spec: ExportSpec) -> bytes:
    """A survey export as CSV: Qualtrics with its extra header rows, Google Forms plain."""
    frame = spec.tables[0].frame
    header = frame.write_csv(None, include_header=True).split("\n", 1)[0]
    lines = [header]
    for row in spec.extra_header_rows:
        lines.append(
            pl.DataFrame([list(row)], schema=frame.columns, orient="row")
            .write_csv(None, include_header=False)
            .rstrip("\n")
        )
    body = frame.write_csv(None, include_header=False, null_value="")
    return ("\n".join(lines) + "\n" + body).encode("utf-8")
