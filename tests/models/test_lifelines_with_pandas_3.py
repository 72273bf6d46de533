"""lifelines declares pandas<3; the lock overrides that bound (overrides.txt). This test is
the evidence the override rests on, and fails the day it stops holding."""

from __future__ import annotations

import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.datasets import load_rossi


def test_lifelines_reproduces_the_published_rossi_cox_model_under_pandas_3():
    # Fox and Weisberg, "Cox Proportional-Hazards Regression for Survival Data in R"
    # (appendix to An R Companion to Applied Regression, 2nd ed., 2011), Table on the
    # Rossi recidivism data: coefficients of the Cox model with all seven covariates.
    assert int(pd.__version__.split(".")[0]) >= 3
    fitted = CoxPHFitter().fit(load_rossi(), duration_col="week", event_col="arrest")
    published = {"fin": -0.37942, "age": -0.05744, "race": 0.31390, "wexp": -0.14980,
                 "mar": -0.43370, "paro": -0.08487, "prio": 0.09150}  # fmt: skip
    for covariate, coefficient in published.items():
        assert fitted.params_[covariate] == pytest.approx(coefficient, abs=5e-4)
