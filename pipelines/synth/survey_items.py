"""The items of the student and teacher AI surveys (what each question measures)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Item:
    item_id: str
    construct: str
    wording: str
    response_scale: str
    scale_min: float | None
    scale_max: float | None
    respondent_roles: str
    reverse_coded: bool = False


STUDENT_ITEMS = (
    Item(
        "S_CONF",
        "ai_confidence",
        "I feel confident using AI tools for my schoolwork.",
        "likert_5",
        1,
        5,
        "student",
    ),
    Item(
        "S_TOOL",
        "ai_tool_use",
        "In the past month, did you use an AI tool for a school assignment?",
        "yes_no",
        0,
        1,
        "student",
    ),
    Item(
        "S_SKILL",
        "skill_change_expectation",
        "Do you expect AI to significantly change the skills needed for the job you want?",
        "yes_no",
        0,
        1,
        "student",
    ),
    Item(
        "S_LIT",
        "learn_literacy",
        "Explaining how an AI tool produces its answers",
        "learn_level",
        None,
        None,
        "student",
    ),
    Item(
        "S_ETH",
        "learn_ethics",
        "Judging when using AI is fair and honest",
        "learn_level",
        None,
        None,
        "student",
    ),
    Item(
        "S_APP",
        "learn_application",
        "Using AI to solve a real problem for a client",
        "learn_level",
        None,
        None,
        "student",
    ),
    Item(
        "S_REL",
        "learn_relevance",
        "Seeing how AI connects to the career I want",
        "learn_level",
        None,
        None,
        "student",
    ),
    Item(
        "S_NAV",
        "learn_navigation",
        "Choosing the right AI tool for a task",
        "learn_level",
        None,
        None,
        "student",
    ),
    Item(
        "S_SAT",
        "program_satisfaction",
        "Overall, I am satisfied with my studio team.",
        "likert_5",
        1,
        5,
        "student",
    ),
    Item("S_COMMENT", "other", "Anything else you want to tell us?", "text", None, None, "student"),
)


TEACHER_ITEMS = (
    Item(
        "T_CONF",
        "ai_confidence",
        "I feel confident using AI tools in my teaching.",
        "likert_5",
        1,
        5,
        "teacher",
    ),
    Item(
        "T_USE",
        "ai_tool_use",
        "How often do you use AI tools to plan or teach?",
        "frequency_5",
        1,
        5,
        "teacher",
    ),
    Item(
        "T_SKILL",
        "skill_change_expectation",
        "Do you expect AI to significantly change the skills your students will need?",
        "yes_no",
        0,
        1,
        "teacher",
    ),
    Item(
        "T_SAT",
        "program_satisfaction",
        "Overall, the AI training met my needs.",
        "likert_5",
        1,
        5,
        "teacher",
    ),
)


def items_frame(items: tuple[Item, ...], survey_id: str) -> pl.DataFrame:
    """The ``survey_items`` kind for one survey."""
    return pl.DataFrame(
        [
            {
                "item_id": i.item_id,
                "survey_id": survey_id,
                "construct": i.construct,
                "wording": i.wording,
                "response_scale": i.response_scale,
                "scale_min": i.scale_min,
                "scale_max": i.scale_max,
                "reverse_coded": i.reverse_coded,
                "respondent_roles": i.respondent_roles,
            }
            for i in items
        ],
        infer_schema_length=None,
    )
