"""The WSFS re-enactment recovers its planted effect."""

from __future__ import annotations

import pytest

from crm_research import cases


def test_wsfs_difference_in_differences_recovers_the_planted_effect():
    a = cases.WSFSAssumptions(
        n_programme=3000,
        n_comparison=3000,
        decline_pre_year=19e6 / 5,
        headline_gain=21e6 / 5,
        market_shock=1e6,
        seed=2,
    )
    est = cases.wsfs_analysis(cases.wsfs_panel(a), a)
    did = est.loc["difference-in-differences vs comparison group"]
    assert did["ci low"] <= a.planted_effect <= did["ci high"]
    headline = est.loc["before/after (headline)", "estimate"]
    assert headline == pytest.approx(
        a.headline_gain, rel=0.1
    )  # the simulation matches the aggregate
    its = est.loc["interrupted time series vs pre-trend", "estimate"]
    assert its == pytest.approx(a.planted_effect + a.market_shock, rel=0.1)  # absorbs the shock
