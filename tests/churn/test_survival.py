"""Kaplan–Meier survival by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research import churn


def test_kaplan_meier_by_hand():
    km = churn.kaplan_meier(pd.Series([1.0, 2, 3, 4]), pd.Series([1, 0, 1, 1]))["all"]
    # at 1: 3/4; 2 censored; at 3: 3/4 * 1/2; at 4: 0
    np.testing.assert_allclose(km["survival"].to_numpy(), [0.75, 0.375, 0.0])
