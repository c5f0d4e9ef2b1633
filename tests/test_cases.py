"""Case reproduction: published parameters (BG/BB, sBG) computed from data, the sBG model beyond
the paper, and the re-enactments recovering their planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import cases
from crm_research.data import cdnow

TOL = 0.01


def test_bgbb_donations_published_parameters():
    got = cases.fit_bgbb(cdnow.load_donations())
    for k, v in cases.PUBLISHED["bgbb"].items():
        assert got[k] == pytest.approx(v, rel=TOL), k


@pytest.mark.parametrize("cohort", ["regular", "high end"])
def test_sbg_published_parameters(cohort):
    a, b = cases.sbg_fit(cases.SBG_DATA[cohort])
    pa, pb = cases.SBG_PUBLISHED[cohort]
    assert a == pytest.approx(pa, rel=TOL) and b == pytest.approx(pb, rel=TOL)


def test_sbg_probabilities_sum_to_one_and_retention_rises():
    a, b = cases.SBG_PUBLISHED["regular"]
    t = np.arange(1, 200)
    total = cases.sbg_churn_pmf(a, b, t).sum() + cases.sbg_survival(a, b, 199)
    assert total == pytest.approx(1.0, abs=1e-12)
    assert cases.sbg_survival(a, b, 0) == pytest.approx(1.0)
    r = cases.sbg_retention_rate(a, b, t[:20])
    assert (np.diff(r) > 0).all() and r[0] == pytest.approx(b / (a + b))
    np.testing.assert_allclose(
        cases.sbg_survival(a, b, t[1:20]) / cases.sbg_survival(a, b, t[:19]), r[1:], rtol=1e-12
    )


def test_sbg_recovers_simulated_parameters():
    alive = cases.sbg_simulate(0.7, 1.2, 200_000, 7, seed=1)
    a, b = cases.sbg_fit(alive)
    assert a == pytest.approx(0.7, rel=0.05) and b == pytest.approx(1.2, rel=0.05)


def test_derl_equals_the_discounted_sum():
    a, b, d = 0.668, 3.806, 0.1
    t = np.arange(0, 2000)
    brute = (cases.sbg_survival(a, b, t + 1) / (1 + d) ** t).sum()  # renewals paid at 0, 1, 2...
    assert cases.sbg_derl(a, b, d) == pytest.approx(brute, rel=1e-9)


def test_reproduction_table_pass_fail():
    t = cases.reproduction_table([("s", "x", 1.0, 1.005), ("s", "y", 2.0, 2.1)], tolerance=0.01)
    assert t["pass"].tolist() == [True, False]
    assert t["relative difference"].iloc[1] == pytest.approx(0.05)


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


def test_itravel_arithmetic_and_estimate():
    imp = cases.itravel_implications(4, -2 / 3, 0.0)
    assert imp["call volume"] == pytest.approx(4 / 3) and imp["cost per booking"] == pytest.approx(
        1 / 3
    )
    assert cases.itravel_implications(4, -2 / 3, 1.0)["cost per booking"] == pytest.approx(0.25)
    est = cases.itravel_estimate(cases.itravel_panel(seed=3))
    assert est["ci low"] <= -2 / 3 <= est["ci high"]
    assert est["bookings multiple"] == pytest.approx(4, rel=0.02)
    assert isinstance(cases.itravel_sensitivity(), pd.DataFrame)


def test_published_numbers_in_one_place():
    assert set(cases.PUBLISHED) == set(cases.PUBLISHED_SOURCES)
    assert cases.SBG_PUBLISHED["high end"] == (
        cases.PUBLISHED["sbg high end"]["alpha"],
        cases.PUBLISHED["sbg high end"]["beta"],
    )
    computed = {
        "bgnbd": {k: v * 1.005 for k, v in cases.PUBLISHED["bgnbd"].items()},
        "bgbb": {k: v * 1.02 for k, v in cases.PUBLISHED["bgbb"].items()},
    }
    rep = cases.published_comparison(computed, tolerance=0.01)
    assert len(rep) == 8 and set(rep["source"]) == {"FHL 2005a BG/NBD", "FHS 2010 BG/BB"}
    assert rep.loc[rep["source"] == "FHL 2005a BG/NBD", "pass"].all()
    assert not rep.loc[rep["source"] == "FHS 2010 BG/BB", "pass"].any()


def test_cdnow_sample_reproduces_every_published_cdnow_parameter():
    sample = cases.fit_cdnow_sample()
    check = sample.shipped_check()
    assert check["customers"] == 2357 and check["frequency identical"]
    assert check["max recency difference"] < 0.005
    fits = {k: cases.sbg_fit(v) for k, v in cases.SBG_DATA.items()}
    bgbb = pd.Series(cases.PUBLISHED["bgbb"])  # not refitted here (test above)
    rep = cases.published_comparison(cases.computed_parameters(sample, bgbb, fits))
    assert len(rep) == sum(len(v) for v in cases.PUBLISHED.values())
    assert rep["pass"].all(), rep[~rep["pass"]]
    table = cases.sbg_table(fits, 0.1)
    assert list(table.index) == ["regular", "high end"] and table.shape[1] == 3
    z = cases.iso_value_grid(sample.bgnbd, sample.gamma_gamma, 35.0)
    assert z.shape == (14, 40)
    assert (z.diff(axis=1).iloc[:, 1:] >= -1e-9).all().all()  # value rises with recency
    assert z.iloc[-1, -1] > z.iloc[0, -1]  # and with frequency for recent buyers


def test_full_cohort_inside_the_sample_intervals():
    sample = cases.fit_cdnow_sample()
    out = cases.full_cohort_comparison(sample)
    assert out["cohort inside sample 95% interval"].all()
    assert (out["cohort std error"] < out["sample std error"]).all()
