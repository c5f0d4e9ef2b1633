"""Campaign economics and targeting policies by hand."""

from __future__ import annotations

import numpy as np
import pytest

from crm_research import uplift as u


def test_policy_table_and_profit_by_hand():
    econ = u.CampaignEconomics(contact_cost=10, margin=0.5)
    assert u.incremental_profit([0.1, -0.1], [1000, 1000], econ) == pytest.approx([40, -60])
    true = np.array([50.0, -10, 30, 0, 20])
    assert u.top_k(np.array([1, 5, 3, 2, 4]), 0.4).tolist() == [False, True, False, False, True]
    pt = u.policy_table({"good": np.array([9, 1, 8, 2, 3]), "bad": -true}, true, k=0.4)
    assert pt.loc["truth-optimal", "true incremental profit"] == 80  # 50 + 30
    assert pt.loc["good", "true incremental profit"] == 80
    assert pt.loc["bad", "true incremental profit"] == -10  # -10 + 0
    assert pt.loc["bad", "share of truth-optimal"] == pytest.approx(-10 / 80)
    # observed profit: 2 targeted treated spend 100, 300; 2 controls 0, 100 → lift 150
    spend, t = np.array([100, 300, 0, 100, 999]), np.array([1, 1, 0, 0, 1])
    mask = np.array([True, True, True, True, False])
    assert u.observed_profit(spend, t, mask, econ) == pytest.approx(4 * (0.5 * 150 - 10))
    assert np.isnan(u.observed_profit(spend, t, np.array([1, 1, 0, 0, 0], bool), econ))
