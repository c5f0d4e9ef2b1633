"""Evaluation helpers of churn scores and the report table of estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import churn


def test_evaluation_helpers_by_hand():
    y = pd.Series([1, 0, 1, 0])
    t = churn.evaluate(y, {"perfect": np.array([0.9, 0.1, 0.8, 0.2])})
    assert t.loc["perfect", "ROC AUC"] == 1.0 and t.loc["perfect", "Brier score"] == pytest.approx(
        0.025
    )
    lift = churn.lift_table(pd.Series([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), np.arange(10)[::-1], bins=5)
    assert lift["churn rate"].iloc[0] == 1.0 and lift["lift"].iloc[0] == 5.0
    assert lift["cumulative gains"].iloc[0] == 1.0


def test_estimates_display_names_the_interval_and_writes_p_values():
    t = pd.DataFrame(
        {"hazard ratio": [1.25], "ci low": [1.08], "ci high": [1.45], "p-value": [0.00001]}
    )
    out = churn.estimates_display(t)
    assert list(out.columns) == ["hazard ratio", "95% low", "95% high", "p-value"]
    assert out["p-value"].tolist() == ["< 0.001"]
