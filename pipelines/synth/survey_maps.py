"""Item maps written beside each survey export, in the format ingestion reads.

A map says which column of the export is which item (by Qualtrics ImportId, or by the
Google Forms question text), how choice texts code, who the respondent is, and defines the
items. An item keeps one id in every wave and year; its definition names the first survey
that asked it, so every map defines it the same way.
"""

from __future__ import annotations

from pipelines.synth.survey_items import Item

#: Choice texts of each response scale -> stored code.
CHOICE_CODES = {
    "likert_5": {
        "Strongly disagree": 1,
        "Disagree": 2,
        "Neither agree nor disagree": 3,
        "Agree": 4,
        "Strongly agree": 5,
    },
    "yes_no": {"Yes": 1, "No": 0},
    "learn_level": {"Emerging": "emerging", "Applying": "applying", "Integrating": "integrating"},
    "frequency_5": {"Never": 1, "Rarely": 2, "Monthly": 3, "Weekly": 4, "Daily": 5},
}
#: Survey that first asked each role's items (their definitions name it).
FIRST_SURVEY = {"student": "student_ai_2023-24_pre", "teacher": "teacher_ai_training_pre"}
STAFF_ID_QUESTION = "Your staff number"


def item_map(layout: str, survey_id: str, wave: str, role: str, items: tuple[Item, ...]) -> dict:
    """The item map of one export, as a mapping ready to dump as YAML."""
    if layout == "qualtrics":
        respondent = {"import_id": "externalDataReference"}
        responded_at = {"column": "RecordedDate"}
    else:
        respondent = {"question": STAFF_ID_QUESTION}
        responded_at = {"column": "Timestamp"}
    scales = sorted({item.response_scale for item in items if item.response_scale in CHOICE_CODES})
    entries = []
    for number, item in enumerate(items, start=1):
        entry = {"item_id": item.item_id}
        if layout == "qualtrics":
            entry["import_id"] = f"QID{number}"
        else:
            entry["question"] = item.wording
        entry.update(
            response_scale=item.response_scale,
            construct=item.construct,
            wording=item.wording,
        )
        if item.scale_min is not None:
            entry.update(scale_min=item.scale_min, scale_max=item.scale_max)
        entry.update(respondent_roles=item.respondent_roles, survey_id=FIRST_SURVEY[role])
        entries.append(entry)
    return {
        "survey_id": survey_id,
        "wave": wave,
        "respondent_role": role,
        "respondent_id": respondent,
        "responded_at": responded_at,
        "date_order": "month_first",
        "choice_codes": {scale: CHOICE_CODES[scale] for scale in scales},
        "items": entries,
    }
