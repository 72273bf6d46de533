"""The error a user can fix keeps every part of its one line across a process boundary."""

import pickle

from pipelines.errors import InputError


def test_an_input_error_survives_pickling_with_its_row_and_column():
    error = InputError(
        "scores.csv", "'11' is above the maximum 10", "correct it", row=7, column="score"
    )
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == "scores.csv: row 7, column score: '11' is above the maximum 10; correct it"
    assert (again.file, again.row, again.column) == ("scores.csv", 7, "score")
