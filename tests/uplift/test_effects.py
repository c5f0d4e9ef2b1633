"""Did it work: Hillstrom effects computed from the data, randomisation checks, regression
adjustment and power."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import uplift as u

# reference computation quoted in the issue: effect of each e-mail vs no e-mail
REFERENCE = {
    ("mens", "visit"): 0.0766,
    ("mens", "conversion"): 0.00681,
    ("mens", "spend"): 0.770,
    ("womens", "visit"): 0.0452,
    ("womens", "conversion"): 0.00311,
    ("womens", "spend"): 0.424,
}


@pytest.mark.parametrize("outcome", ["visit", "conversion", "spend"])
def test_hillstrom_average_effects(hillstrom, outcome):
    eff = u.average_effects(hillstrom, outcome).set_index("arm")
    for arm in ("mens", "womens"):
        ref = REFERENCE[(arm, outcome)]
        assert eff.loc[arm, "effect"] == pytest.approx(ref, rel=0.01)
        assert eff.loc[arm, "ci low"] < eff.loc[arm, "effect"] < eff.loc[arm, "ci high"]
        assert eff.loc[arm, "ci low"] > 0  # every effect is significantly positive


def test_hillstrom_randomisation_is_balanced(hillstrom):
    d = hillstrom[hillstrom["treatment"].isin(["mens", "control"])]
    _, joint = u.balance_table(d, d["treatment"] == "mens", u.HILLSTROM_COVARIATES)
    assert joint["balanced"]


def test_balance_check_flags_imbalance():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, 4000)
    t = (x + rng.normal(0, 1, 4000)) > 0  # assignment depends on x: not randomised
    table, joint = u.balance_table(pd.DataFrame({"x": x}), pd.Series(t), ["x"])
    assert table.loc["x", "flag"] and not joint["balanced"]


def test_regression_adjustment_narrows_the_interval_when_covariates_predict():
    rng = np.random.default_rng(1)
    n = 4000
    pre = rng.normal(0, 1, n)
    t = rng.random(n) < 0.5
    y = 2 * pre + 0.3 * t + rng.normal(0, 0.5, n)
    r = u.adjusted_effect(pd.DataFrame({"y": y, "_t": t.astype(float), "pre": pre}), "y", ["pre"])
    assert r["adjusted effect"] == pytest.approx(0.3, abs=0.05)
    assert r["interval width reduction"] > 0.7


def test_sample_size_grows_for_smaller_lifts():
    assert u.sample_size(0.1, 0.01) > u.sample_size(0.1, 0.02) > u.sample_size(0.1, 0.05)
    assert u.sample_size(0.1, 0.02) == pytest.approx(3841, rel=0.02)  # Cohen's h = 0.0640
