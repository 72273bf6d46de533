"""Tables about the same people are generalised alike, so that a join on the pseudonym
cannot read in one table a value another table withheld."""

from __future__ import annotations

import pandas as pd

from pipelines.research.k_anonymity import OTHER, Generalisation
from pipelines.research.recoding import Recoding

TERMS = pd.DataFrame(
    {
        "student": ["s1", "s2", "s3", "s4"],
        "sex": ["female", "male", "nonbinary", "female"],
        "race": ["a", "b", "c", "a"],
    }
)


def test_a_column_withheld_everywhere_in_one_table_is_withheld_in_the_next():
    recoding = Recoding()
    assert recoding.absorb([Generalisation("race", "withheld in every row", 9, everywhere=True)])
    result, steps = recoding.apply(TERMS, "student", ["sex", "race"])
    assert result["race"].isna().all()
    assert result["sex"].tolist() == TERMS["sex"].tolist()
    assert [s.column for s in steps] == ["race"] and steps[0].rows_changed == 4


def test_merged_categories_and_withheld_people_follow_them():
    recoding = Recoding()
    recoding.absorb(
        [
            Generalisation("sex", "merged", 1, merged=frozenset({"nonbinary"})),
            Generalisation("sex", "withheld", 1, persons=frozenset({"s4"})),
        ]
    )
    result, _ = recoding.apply(TERMS, "student", ["sex"])
    assert result["sex"].tolist()[:3] == ["female", "male", OTHER]
    assert pd.isna(result["sex"].iloc[3])


def test_absorbing_what_is_already_known_does_not_grow_the_recoding():
    step = Generalisation("race", "withheld in every row", 9, everywhere=True)
    recoding = Recoding()
    assert recoding.absorb([step])
    assert not recoding.absorb([step])
