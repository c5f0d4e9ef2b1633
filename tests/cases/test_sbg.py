"""The sBG retention model: published parameters computed from data, and the model beyond the
paper (probabilities, simulated recovery, DERL)."""

from __future__ import annotations

import numpy as np
import pytest

from crm_research import cases

TOL = 0.01


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
