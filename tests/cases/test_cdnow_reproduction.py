"""The CDNOW 1/10th sample reproduces every published CDNOW parameter; the full cohort lies inside
the sample fit's intervals."""

from __future__ import annotations

import pandas as pd

from crm_research import cases

TOL = 0.01


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
