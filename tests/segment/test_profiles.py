"""Segment profiles and cluster names."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research import segment


def test_naming_is_deterministic_and_follows_the_profile():
    prof = pd.DataFrame(
        {
            "customers": [100, 100, 100],
            "share of revenue": [0.7, 0.2, 0.1],
            "web share of orders": [0.8, 0.1, 0.2],
            "app share of orders": [0.1, 0.1, 0.7],
            "phone share of orders": [0.1, 0.8, 0.1],
            "churn risk": [0.1, 0.6, 0.2],
            "reachable share": [0.95, 0.6, 0.9],
        }
    )
    names = segment.name_clusters(prof)
    assert names.tolist() == [
        "high value, web-first",
        "mid value, phone-first, at risk",
        "low value, app-first",
    ]
    assert names.equals(segment.name_clusters(prof.copy()))
    plan = segment.strategy(prof, names)
    assert plan["action"].tolist() == [
        "leave alone (recognise, do not over-treat)",
        "data-refresh campaign",
        "cross-sell / up-sell",
    ]


def test_profile_carries_the_currency_and_names_use_any_clv(features):
    f, _ = features
    f = f.assign(clv=f["revenue"], p_alive=0.5)
    prof = segment.profile(f, (f["n_orders"] > 2).astype(int), currency="USD")
    assert "mean CLV (USD)" in prof and "web share of orders" in prof and "mean age" in prof
    assert segment.name_clusters(prof).str.contains("value").all()
    what, share = segment.value_measure(prof)
    assert what == "next year's expected value" and share.sum() == pytest.approx(1)
