"""Churn models: the BG/NBD probability of no purchase in the horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import churn


def test_p_no_purchase_limits():
    params = pd.Series({"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5})
    s = pd.DataFrame({"frequency": [0.0, 3.0], "recency": [0.0, 10.0], "T": [20.0, 20.0]})
    pa = pd.Series([1.0, 0.6])
    at0 = churn.bgnbd_p_no_purchase(params, s, 1e-9, pa)
    np.testing.assert_allclose(at0, 1.0, atol=1e-9)  # no time, no purchase
    h = np.array([1.0, 10.0, 100.0])
    p = [churn.bgnbd_p_no_purchase(params, s, x, pa) for x in h]
    assert (np.diff([v.iloc[1] for v in p]) < 0).all()  # longer horizon, less likely to stay quiet
    assert p[0].iloc[0] == pytest.approx((25 / 26) ** 0.5)  # alive for sure: Gamma posterior only
    assert p[2].iloc[1] > 1 - 0.6  # never below the probability of being dead
