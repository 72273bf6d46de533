"""Many claims at once: p-values adjusted by Benjamini-Hochberg or Holm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.multiplicity import adjust

# The 15 p-values of Benjamini & Hochberg (1995), section 4.1 (a study of myocardial
# infarction treatments), smallest first.
BH_1995 = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000,
]  # fmt: skip


def test_reproduces_benjamini_and_hochbergs_four_discoveries():
    # Benjamini & Hochberg (1995), section 4.1: at q = 0.05 the procedure rejects the four
    # hypotheses with the smallest p-values (Bonferroni-type procedures reject three).
    adjusted = adjust(BH_1995, method="bh")
    assert int((adjusted <= 0.05).sum()) == 4
    # p(i) * 15 / i, made monotone from the largest down: exact to 1e-12.
    expected = [0.0015, 0.003, 0.0095, 0.035625, 0.0603] + [0.0298 * 15 / 7] * 2
    assert adjusted[:7] == pytest.approx(expected, abs=1e-12)


def test_holm_rejects_three_of_benjamini_and_hochbergs_fifteen():
    # Holm (1979) on the same p-values: p(i) * (16 - i), monotone from the smallest up.
    adjusted = adjust(BH_1995, method="holm")
    assert adjusted[:4] == pytest.approx([0.0015, 0.0056, 0.0247, 0.114], abs=1e-12)
    assert int((adjusted <= 0.05).sum()) == 3


def test_agrees_with_the_step_up_procedure_on_simulated_p_values():
    # The BH procedure by its definition: reject the k smallest, k the largest i with
    # p(i) <= i q / m. A claim's adjusted p-value is at most q exactly when it is rejected.
    rng = np.random.default_rng(20240801)
    p_values = np.concatenate([rng.uniform(size=80), rng.uniform(0, 0.002, size=20)])
    rng.shuffle(p_values)
    adjusted = adjust(p_values)
    ranked = np.sort(p_values)
    for q in (0.01, 0.05, 0.10, 0.25):
        passing = np.nonzero(ranked <= np.arange(1, 101) * q / 100)[0]
        cutoff = ranked[passing.max()] if passing.size else -1.0
        assert np.array_equal(adjusted <= q, p_values <= cutoff), q


def test_keeps_the_false_discovery_rate_on_simulated_families():
    # Independent p-values of 90 true nulls and 10 real effects: the expected share of false
    # claims among the claims at q = 0.05 is q * 90 / 100 = 0.045 (Benjamini & Hochberg
    # 1995, Theorem 1). Over 2,000 families (seed fixed) the mean lies within 0.006 of it,
    # three standard errors of the simulation.
    rng = np.random.default_rng(20240801)
    shares = []
    for _ in range(2000):
        nulls, effects = rng.uniform(size=90), rng.uniform(0, 0.001, size=10)
        claimed = adjust(np.concatenate([nulls, effects])) <= 0.05
        shares.append(claimed[:90].sum() / max(claimed.sum(), 1))
    assert np.mean(shares) == pytest.approx(0.045, abs=0.006)


def test_a_series_keeps_its_order_its_index_and_its_name():
    p_values = pd.Series([0.04, 0.01, 0.03], index=["b", "a", "c"], name="p")
    adjusted = adjust(p_values)
    assert adjusted.index.tolist() == ["b", "a", "c"] and adjusted.name == "p"
    assert adjusted.tolist() == pytest.approx([0.04, 0.03, 0.04])


def test_an_array_keeps_its_shape():
    adjusted = adjust(np.array([[0.01, 0.04], [0.03, 0.20]]), method="holm")
    assert adjusted.shape == (2, 2)
    assert adjusted.ravel().tolist() == pytest.approx([0.04, 0.09, 0.09, 0.20])


def test_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="method must be one of"):
        adjust([0.01, 0.02], method="bonferroni")


def test_rejects_an_empty_family():
    with pytest.raises(ValueError, match="p_values is empty"):
        adjust([])


def test_rejects_missing_p_values_and_counts_them():
    with pytest.raises(ValueError, match=r"2 missing value\(s\) \(NaN\) of 3"):
        adjust(pd.Series([0.01, None, float("nan")]))


def test_rejects_p_values_outside_zero_and_one():
    with pytest.raises(ValueError, match=r"1 value\(s\) outside 0..1"):
        adjust([0.01, 1.2])
