"""Survey exports reshaped to the long survey_responses form through an item map."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from pipelines.contracts import SCHEMA_DIR, load_contract
from pipelines.errors import InputError
from pipelines.ingest.surveys import (
    detect_survey_layout,
    load_item_map,
    parse_timestamp,
    reshape_survey,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "surveys"
STUDENT_MAP = FIXTURES / "student_ai_pre.item_map.yaml"
TEACHER_MAP = FIXTURES / "teacher_ai_pre.item_map.yaml"
SURVEY_COLUMNS = list(load_contract(SCHEMA_DIR / "survey_responses.yaml").column_names)


def rows(frame, *columns: str) -> list[tuple]:
    """The given columns of every row, in output order."""
    return list(frame[list(columns)].itertuples(index=False, name=None))


def answers(reshaped, *columns: str) -> list[tuple]:
    """(response_id, item_id, *columns) of every response row, in output order."""
    return rows(reshaped.responses, "response_id", "item_id", *columns)


def write_map(tmp_path: Path, items: list[dict], **fields) -> Path:
    """A small item map for one test: survey s1, wave pre, role student unless given."""
    content = {"survey_id": "s1", "wave": "pre", "respondent_role": "student", **fields}
    path = tmp_path / "test.item_map.yaml"
    path.write_text(yaml.safe_dump({**content, "items": items}), encoding="utf-8")
    return path


def test_qualtrics_codes_export_gives_coded_answers() -> None:
    reshaped = reshape_survey(FIXTURES / "qualtrics_codes.csv", STUDENT_MAP)
    assert answers(reshaped, "response_value", "response_numeric") == [
        ("R_1aaa", "S_CONF", "4", "4"),
        ("R_1aaa", "S_TOOL", "1", "1"),
        ("R_1aaa", "S_LIT", "applying", None),
        ("R_1aaa", "S_TOOLS", "chatgpt; copilot", None),
        ("R_1aaa", "S_COMMENT", "More time in the studio please", None),
        ("R_1bbb", "S_CONF", "5", "5"),
        ("R_1bbb", "S_TOOL", None, None),
        ("R_1bbb", "S_LIT", "integrating", None),
        ("R_1bbb", "S_TOOLS", "gemini", None),
        ("R_1fff", "S_CONF", None, None),
        ("R_1fff", "S_TOOL", "0", "0"),
        ("R_1fff", "S_LIT", "emerging", None),
        ("R_1fff", "S_COMMENT", "Not sure, maybe", None),
    ]


def test_qualtrics_codes_and_text_exports_give_identical_responses() -> None:
    codes = reshape_survey(FIXTURES / "qualtrics_codes.csv", STUDENT_MAP)
    text = reshape_survey(FIXTURES / "qualtrics_text.csv", STUDENT_MAP)
    assert text.responses.equals(codes.responses)
    assert len(codes.responses) == 13


def test_responses_have_the_contract_columns_as_text_and_a_source_row() -> None:
    responses = reshape_survey(FIXTURES / "qualtrics_codes.csv", STUDENT_MAP).responses
    assert list(responses.columns) == [*SURVEY_COLUMNS, "_source_row"]
    assert responses.iloc[0][SURVEY_COLUMNS].to_dict() == {
        "survey_id": "student_ai_2025-26_pre",
        "response_id": "R_1aaa",
        "wave": "pre",
        "respondent_role": "student",
        "respondent_unique_id": "0888123",
        "item_id": "S_CONF",
        "response_value": "4",
        "response_numeric": "4",
        "responded_date": "2026-02-02",
        "responded_at": "2026-02-02 08:09:31",
    }
    cells = responses[SURVEY_COLUMNS].to_numpy().ravel()
    assert all(cell is None or isinstance(cell, str) for cell in cells)


def test_source_row_counts_every_header_row() -> None:
    qualtrics = reshape_survey(FIXTURES / "qualtrics_codes.csv", STUDENT_MAP).responses
    forms = reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", TEACHER_MAP).responses
    assert sorted(set(qualtrics["_source_row"])) == [4, 5, 9]
    assert sorted(set(forms["_source_row"])) == [2, 3, 4]
    assert str(qualtrics["_source_row"].dtype) == "int64"


def test_legacy_two_row_layout_with_bom(tmp_path) -> None:
    item_map = write_map(
        tmp_path,
        [
            {"item_id": "S_CONF", "column": "Q1_1", "response_scale": "likert_5"},
            {"item_id": "S_TOOL", "column": "Q2", "response_scale": "yes_no"},
        ],
        respondent_id={"question": "ExternalDataReference"},
    )
    reshaped = reshape_survey(FIXTURES / "qualtrics_legacy_2016.csv", item_map)
    assert reshaped.layout == "qualtrics_legacy"
    assert reshaped.encoding == "utf-8-sig"
    assert reshaped.excluded == {"survey preview": 1}
    assert answers(
        reshaped, "response_value", "respondent_unique_id", "responded_at", "_source_row"
    ) == [
        ("R_6aaa", "S_CONF", "4", "0666001", "2016-09-12 08:09:30", 3),
        ("R_6aaa", "S_TOOL", "1", "0666001", "2016-09-12 08:09:30", 3),
        ("R_6ccc", "S_CONF", "2", "0666002", "2016-09-13 12:04:59", 5),
        ("R_6ccc", "S_TOOL", None, "0666002", "2016-09-13 12:04:59", 5),
    ]


def test_single_quoted_import_id_row_is_read() -> None:
    reshaped = reshape_survey(FIXTURES / "qualtrics_2017_single_quotes.csv", STUDENT_MAP)
    assert reshaped.time_zone == "America/Denver"
    assert answers(reshaped, "response_value") == [
        ("R_7aaa", "S_CONF", "3"),
        ("R_7aaa", "S_TOOL", "1"),
        ("R_7aaa", "S_LIT", "emerging"),
        ("R_7aaa", "S_TOOLS", "chatgpt; gemini"),
        ("R_7bbb", "S_CONF", "4"),
        ("R_7bbb", "S_TOOL", "0"),
        ("R_7bbb", "S_LIT", "applying"),
        ("R_7bbb", "S_TOOLS", "copilot"),
        ("R_7bbb", "S_COMMENT", "It's fun"),
    ]


def test_import_id_row_malformed_beyond_json_and_quotes_is_an_input_error(tmp_path) -> None:
    text = (FIXTURES / "qualtrics_2017_single_quotes.csv").read_text(encoding="utf-8")
    export = tmp_path / "broken.csv"
    export.write_text(text.replace("{'ImportId': 'QID3'}", "{ImportId: QID3}"), encoding="utf-8")
    with pytest.raises(InputError) as error:
        reshape_survey(export, STUDENT_MAP)
    assert error.value.line() == (
        f"{export}: row 3, column Q3: the ImportId cell '{{ImportId: QID3}}' is neither JSON "
        "nor a quoted {'ImportId': ...} mapping; download the export again from Qualtrics"
    )


@pytest.mark.parametrize("export", ["qualtrics_codes.csv", "qualtrics_text.csv"])
def test_preview_test_and_unfinished_responses_are_excluded_and_counted(export) -> None:
    reshaped = reshape_survey(FIXTURES / export, STUDENT_MAP)
    assert reshaped.respondents_read == 6
    assert reshaped.excluded == {"survey preview": 1, "survey test": 1, "unfinished": 1}
    assert reshaped.respondents_kept == 3
    assert sorted(set(reshaped.responses["response_id"])) == ["R_1aaa", "R_1bbb", "R_1fff"]
    assert "left out 3 responses: 1 survey preview, 1 survey test, 1 unfinished" in (reshaped.notes)


def test_include_unfinished_keeps_responses_with_finished_0(tmp_path) -> None:
    item_map = write_map(
        tmp_path, [{"item_id": "S_CONF", "import_id": "QID1_1"}], include_unfinished=True
    )
    reshaped = reshape_survey(FIXTURES / "qualtrics_codes.csv", item_map)
    assert reshaped.excluded == {"survey preview": 1, "survey test": 1}
    assert list(reshaped.responses["response_id"]) == ["R_1aaa", "R_1bbb", "R_1eee", "R_1fff"]


def test_minus_99_is_seen_not_answered_and_blank_gives_no_row() -> None:
    reshaped = reshape_survey(FIXTURES / "qualtrics_codes.csv", STUDENT_MAP)
    frame = reshaped.responses
    unanswered = frame[frame["response_value"].isna()]
    assert rows(unanswered, "response_id", "item_id") == [
        ("R_1bbb", "S_TOOL"),
        ("R_1fff", "S_CONF"),
    ]
    assert reshaped.unanswered == 2
    assert reshaped.blank_cells == 2  # R_1bbb's comment and R_1fff's tools: not shown


def test_google_forms_sheets_and_direct_download_give_the_same_dates() -> None:
    sheets = reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", TEACHER_MAP)
    direct = reshape_survey(FIXTURES / "teacher_ai_pre_direct.csv", TEACHER_MAP)
    when = ["response_id", "responded_date", "responded_at"]
    expected = [
        ("gf-2-20260305T091502", "2026-03-05", "2026-03-05 09:15:02"),
        ("gf-3-20260305T140210", "2026-03-05", "2026-03-05 14:02:10"),
        ("gf-4-20260306T000500", "2026-03-06", "2026-03-06 00:05:00"),
    ]
    for reshaped in (sheets, direct):
        assert list(reshaped.responses[when].drop_duplicates().itertuples(index=False)) == [
            tuple(row) for row in expected
        ]
    assert direct.responses.equals(sheets.responses)


def test_google_forms_response_ids_are_the_same_on_every_read() -> None:
    first = reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", TEACHER_MAP)
    again = reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", TEACHER_MAP)
    assert list(first.responses["response_id"]) == list(again.responses["response_id"])


@pytest.mark.parametrize("export", ["teacher_ai_pre_sheets.csv", "teacher_ai_pre_direct.csv"])
def test_checkbox_other_text_with_a_comma_stays_one_answer(export) -> None:
    frame = reshape_survey(FIXTURES / export, TEACHER_MAP).responses
    tools = frame[frame["item_id"] == "T_TOOLS"]
    assert list(tools["response_value"]) == [
        "ChatGPT; Writing, editing tools; my own scripts, mostly Python",
        "Gemini",
    ]


def test_checkbox_without_listed_options_splits_on_the_export_separator(tmp_path) -> None:
    item_map = write_map(tmp_path, [{"item_id": "T_TOOLS", "letter": "E", "multiple": True}])
    sheets = reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", item_map)
    direct = reshape_survey(FIXTURES / "teacher_ai_pre_direct.csv", item_map)
    assert sheets.responses["response_value"][0] == (
        "ChatGPT; Writing; editing tools; my own scripts; mostly Python"
    )
    assert direct.responses["response_value"][0] == (
        "ChatGPT; Writing, editing tools; my own scripts, mostly Python"
    )


def test_duplicate_and_empty_google_forms_headers_are_read_by_occurrence_and_letter() -> None:
    reshaped = reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", TEACHER_MAP)
    frame = reshaped.responses
    picked = frame[frame["item_id"].isin(["T_SESSION_COMMENT", "T_GRADES", "T_SUPPORT_COMMENT"])]
    assert rows(picked, "_source_row", "item_id", "response_value") == [
        (2, "T_SESSION_COMMENT", "Great session"),
        (2, "T_GRADES", "9-10"),
        (2, "T_SUPPORT_COMMENT", "Need more planning time"),
        (3, "T_GRADES", "11"),
        (4, "T_SESSION_COMMENT", "Too fast, honestly"),
        (4, "T_SUPPORT_COMMENT", "Slides, please"),
    ]


def test_a_duplicated_header_without_occurrence_is_an_input_error(tmp_path) -> None:
    item_map = write_map(tmp_path, [{"item_id": "T_NOTE", "question": "Comments"}])
    with pytest.raises(InputError) as error:
        reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", item_map)
    assert error.value.line() == (
        f"{item_map}: column Comments: item T_NOTE: 2 columns (F, H) match question "
        "'Comments'; add occurrence: N, or name it by letter:"
    )


def test_item_map_naming_a_missing_column_is_an_input_error_naming_it(tmp_path) -> None:
    item_map = write_map(tmp_path, [{"item_id": "S_CONF", "column": "Q9_1"}])
    with pytest.raises(InputError) as error:
        reshape_survey(FIXTURES / "qualtrics_codes.csv", item_map)
    assert error.value.column == "Q9_1"
    assert error.value.line() == (
        f"{item_map}: column Q9_1: item S_CONF is read from column 'Q9_1', which "
        "qualtrics_codes.csv does not have; correct the item map, or export the survey "
        "with that question"
    )


def test_import_id_on_a_google_forms_export_is_an_input_error(tmp_path) -> None:
    item_map = write_map(tmp_path, [{"item_id": "T_CONF", "import_id": "QID1"}])
    with pytest.raises(InputError, match="has no ImportIds"):
        reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", item_map)


def test_an_answer_missing_from_the_codes_is_an_input_error_naming_row_and_column(
    tmp_path,
) -> None:
    text = (FIXTURES / "qualtrics_text.csv").read_text(encoding="utf-8")
    export = tmp_path / "typo.csv"
    export.write_text(text.replace("EN,Agree,Yes", "EN,Agre,Yes"), encoding="utf-8")
    with pytest.raises(InputError) as error:
        reshape_survey(export, STUDENT_MAP)
    assert error.value.line() == (
        f"{export}: row 4, column CONF_1: 'Agre' is not one of the choices the item map "
        "lists; add it to the codes of item S_CONF in student_ai_pre.item_map.yaml"
    )


def test_names_emails_and_locations_never_reach_the_output() -> None:
    for export, item_map in (
        ("qualtrics_codes.csv", STUDENT_MAP),
        ("teacher_ai_pre_sheets.csv", TEACHER_MAP),
    ):
        reshaped = reshape_survey(FIXTURES / export, item_map)
        cells = {str(cell) for cell in reshaped.responses.to_numpy().ravel()}
        assert not {cell for cell in cells if "@" in cell or cell in {"Lopez", "34.05"}}


def test_mapping_an_email_column_is_refused(tmp_path) -> None:
    item_map = write_map(tmp_path, [{"item_id": "T_CONF", "column": "Email Address"}])
    with pytest.raises(InputError) as error:
        reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", item_map)
    assert error.value.line() == (
        f"{item_map}: item T_CONF reads Email Address, which holds names, e-mails or "
        "locations that must not be stored; map only question columns and the "
        "respondent's id number"
    )


def test_unmapped_columns_are_listed() -> None:
    reshaped = reshape_survey(FIXTURES / "qualtrics_text.csv", STUDENT_MAP)
    assert reshaped.unmapped_columns == (
        "StartDate",
        "EndDate",
        "Progress",
        "Duration (in seconds)",
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
        "DistributionChannel",
        "UserLanguage",
    )


def test_item_definitions_in_the_map_become_survey_items_rows() -> None:
    items = reshape_survey(FIXTURES / "teacher_ai_pre_sheets.csv", TEACHER_MAP).items
    assert list(items.columns) == list(load_contract(SCHEMA_DIR / "survey_items.yaml").column_names)
    assert items.to_dict("records") == [
        {
            "item_id": "T_CONF",
            "survey_id": "teacher_ai_training_pre",
            "construct": "ai_confidence",
            "wording": "I feel confident using AI tools in my teaching.",
            "response_scale": "likert_5",
            "scale_min": "1",
            "scale_max": "5",
            "reverse_coded": None,
            "respondent_roles": "teacher",
        },
        {
            "item_id": "T_TOOLS",
            "survey_id": "teacher_ai_training_pre",
            "construct": "ai_tool_use",
            "wording": "Which AI tools do you use to plan or teach? (check all that apply)",
            "response_scale": "text",
            "scale_min": None,
            "scale_max": None,
            "reverse_coded": None,
            "respondent_roles": "teacher",
        },
    ]


def test_yes_and_no_choice_texts_stay_text_in_the_item_map() -> None:
    item = next(i for i in load_item_map(STUDENT_MAP).items if i.item_id == "S_TOOL")
    assert item.codes == {"yes": "1", "no": "0"}


def test_an_invalid_wave_in_the_item_map_is_an_input_error(tmp_path) -> None:
    item_map = write_map(tmp_path, [{"item_id": "S_CONF", "column": "Q1_1"}], wave="middle")
    with pytest.raises(InputError) as error:
        load_item_map(item_map)
    assert error.value.line() == (
        f"{item_map}: the item map: wave 'middle' is not one of pre, post, followup; "
        "correct the item map"
    )


@pytest.mark.parametrize(
    ("export", "layout"),
    [
        ("qualtrics_codes.csv", "qualtrics"),
        ("qualtrics_2017_single_quotes.csv", "qualtrics"),
        ("qualtrics_legacy_2016.csv", "qualtrics_legacy"),
        ("teacher_ai_pre_sheets.csv", "google_forms"),
        ("teacher_ai_pre_direct.csv", "google_forms"),
        ("../district/students.csv", None),
    ],
)
def test_detect_survey_layout(export, layout) -> None:
    assert detect_survey_layout(FIXTURES / export) == layout


def test_a_localised_timestamp_header_is_google_forms(write_file) -> None:
    export = write_file("formulario.csv", "Marca temporal,Pregunta\n5/3/2026 9:15:02,Sí\n")
    assert detect_survey_layout(export) == "google_forms"


def test_a_file_that_is_not_a_survey_export_is_an_input_error() -> None:
    with pytest.raises(
        InputError, match="not a Qualtrics, Google Forms or SurveyMonkey survey export"
    ):
        reshape_survey(FIXTURES.parent / "district" / "students.csv", STUDENT_MAP)


def test_day_first_sheet_dates_are_read_with_date_order(write_file, tmp_path) -> None:
    export = write_file("dmy.csv", "Timestamp,Q\n13/03/2026 9:15:02,yes\n")
    items = [{"item_id": "Q", "column": "Q"}]
    with pytest.raises(InputError) as error:
        reshape_survey(export, write_map(tmp_path, items))
    assert error.value.line() == (
        f"{export}: row 2, column Timestamp: '13/03/2026 9:15:02' is not a month-first "
        "date; add date_order: day_first to test.item_map.yaml"
    )
    reshaped = reshape_survey(export, write_map(tmp_path, items, date_order="day_first"))
    assert list(reshaped.responses["responded_at"]) == ["2026-03-13 09:15:02"]


def test_a_cp1252_export_is_read(write_file, tmp_path) -> None:
    export = write_file(
        "cp1252.csv", "Timestamp,Comentario\n3/5/2026 9:15:02,Más práctica\n".encode("cp1252")
    )
    item_map = write_map(tmp_path, [{"item_id": "C", "question": "Comentario"}])
    reshaped = reshape_survey(export, item_map)
    assert reshaped.encoding == "cp1252"
    assert list(reshaped.responses["response_value"]) == ["Más práctica"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05 09:15:02", "2026-03-05 09:15:02"),
        ("2026-03-05T09:15:02Z", "2026-03-05 09:15:02"),
        ("3/5/2026 9:15:02", "2026-03-05 09:15:02"),
        ("2026/03/05 12:15:02 pm GMT-5", "2026-03-05 12:15:02"),
        ("2026/03/05 12:15:02 AM GMT+5:30", "2026-03-05 00:15:02"),
    ],
)
def test_parse_timestamp_reads_survey_tool_formats(text, expected) -> None:
    assert f"{parse_timestamp(text):%Y-%m-%d %H:%M:%S}" == expected


def _resaved(source: Path, target: Path, *, delimiter: str, encoding: str) -> Path:
    """``source`` written again with another delimiter and text encoding."""
    with open(source, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    with open(target, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(records)
    return target


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8"), ("|", "utf-8-sig"), ("\t", "utf-16"), (";", "utf-16")],
    ids=["semicolon-utf8", "pipe-utf8-bom", "tab-utf16", "semicolon-utf16"],
)
def test_exports_read_with_every_delimiter_and_encoding_plain_files_do(
    tmp_path, delimiter, encoding
) -> None:
    export = _resaved(
        FIXTURES / "qualtrics_codes.csv",
        tmp_path / "resaved.csv",
        delimiter=delimiter,
        encoding=encoding,
    )
    assert detect_survey_layout(export) == "qualtrics"
    reshaped = reshape_survey(export, STUDENT_MAP)
    expected = reshape_survey(FIXTURES / "qualtrics_codes.csv", STUDENT_MAP)
    assert reshaped.encoding == encoding
    assert answers(reshaped, "response_value") == answers(expected, "response_value")


def test_an_export_mixing_encodings_is_refused_naming_the_row(write_file, tmp_path) -> None:
    export = write_file(
        "mixed.csv",
        "Timestamp,Comentario\n3/5/2026 9:15:02,Más\n".encode()
        + "3/6/2026 9:15:02,práctica\n".encode("cp1252"),
    )
    with pytest.raises(InputError, match="row 3: the file mixes text encodings"):
        reshape_survey(export, write_map(tmp_path, [{"item_id": "C", "question": "Comentario"}]))


def test_surveymonkey_export_reads_multi_answer_and_matrix_columns() -> None:
    export = FIXTURES / "surveymonkey_expanded.csv"
    assert detect_survey_layout(export) == "surveymonkey"
    reshaped = reshape_survey(export, FIXTURES / "surveymonkey_expanded.item_map.yaml")
    assert (reshaped.layout, reshaped.respondents_kept) == ("surveymonkey", 3)
    # A question taking several answers spans columns, one per option: read as one item.
    tools = [r for r in answers(reshaped, "response_value") if r[1] == "M_TOOLS"]
    assert tools == [
        ("11400000001", "M_TOOLS", "ChatGPT; Copilot"),
        ("11400000002", "M_TOOLS", "Gemini; My own scripts, mostly"),
    ]
    # A matrix's statements are items of their own, coded on their scale.
    checks = [r for r in answers(reshaped, "response_numeric") if r[1] == "M_CHECK"]
    assert [numeric for _, _, numeric in checks] == ["5", "1", "3"]
    assert list(reshaped.responses["respondent_unique_id"].unique()) == ["0888", "0889", "0890"]
    assert reshaped.responses["responded_at"].iloc[0] == "2026-11-20 09:05:40"


def test_surveymonkey_personal_columns_cannot_be_mapped(tmp_path) -> None:
    items = [{"item_id": "X", "column": "IP Address"}]
    with pytest.raises(InputError, match="which holds names, e-mails or locations"):
        reshape_survey(FIXTURES / "surveymonkey_expanded.csv", write_map(tmp_path, items))
