"""Business design: the incentive plan and the RFM segments' actions."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research import programme


def test_incentive_plan_costs_and_budget():
    seg = pd.DataFrame(
        {
            "customers": [100, 200, 50],
            "action": [
                "retention offer",
                "reactivation",
                "leave alone (recognise, do not over-treat)",
            ],
        },
        index=["A", "B", "C"],
    )
    plan = programme.incentive_plan(seg, aov=100.0)
    # retention: 0.05 + 0.15 × 0.06 = 0.059 AOV per contact
    assert plan.loc["A", "cost per contact"] == pytest.approx(5.9)
    assert plan.loc["A", "expected extra buyers"] == pytest.approx(6.0)
    capped = programme.incentive_plan(seg, aov=100.0, budget=200.0)
    assert capped["budget"].sum() <= 200.0
    assert capped.loc["C", "contacted"] == 0  # no expected response: not funded
    eff = plan["expected extra buyers"] / plan["budget"]
    best = eff.idxmax()
    assert capped.loc[best, "contacted"] > 0
    with pytest.raises(KeyError, match="no incentive"):
        programme.incentive_plan(seg.assign(action="bribe"), aov=1.0)


def test_rfm_actions_cover_every_rfm_segment_name():
    from crm_research import rfm

    names = (
        set(rfm.CRAN_RFM_SEGMENTS["segment"]) | set(rfm.RF_GRID_SEGMENTS["segment"]) | {"Others"}
    )
    assert names <= set(programme.RFM_ACTIONS)
    assert set(programme.RFM_ACTIONS.values()) <= set(programme.INCENTIVES)
