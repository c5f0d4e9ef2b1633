"""Campaign evaluation: Hillstrom effects computed from the data, randomisation checks, the
uplift metrics on hand-computed examples, and seeded learners."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import uplift as u


@pytest.fixture(scope="module")
def hillstrom():
    return u.load_hillstrom()


# reference computation quoted in the issue: effect of each e-mail vs no e-mail
REFERENCE = {("mens", "visit"): 0.0766, ("mens", "conversion"): 0.00681, ("mens", "spend"): 0.770,
             ("womens", "visit"): 0.0452, ("womens", "conversion"): 0.00311, ("womens", "spend"): 0.424}  # fmt: skip


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


# hand-computed example: scores rank customers a..f
Y = np.array([1, 0, 1, 0, 1, 0])
T = np.array([1, 1, 0, 0, 1, 0])
S = np.array([6, 5, 4, 3, 2, 1])


def test_qini_curve_by_hand():
    q = u.qini_curve(Y, T, S)["qini"].to_numpy()
    # n=1: R_T=1, no control -> 1; n=2: 1; n=3: 1 - 1*2/1 = -1; n=4: 1 - 1*2/2 = 0;
    # n=5: 2 - 1*3/2 = 0.5; n=6: 2 - 1*3/3 = 1
    np.testing.assert_allclose(q, [0, 1, 1, -1, 0, 0.5, 1])
    # area between curve and the random line Q(N)·n/N, trapezoids over n/N
    x = np.arange(7) / 6
    assert u.qini_coefficient(Y, T, S) == pytest.approx(np.trapezoid(q - x * 1, x))


def test_uplift_curve_auuc_and_uplift_at_k_by_hand():
    c = u.uplift_curve(Y, T, S)["uplift"].to_numpy()
    # n=3: treated rate 1/2, control 1/1 -> -0.5*3; n=6: 2/3 - 1/3 -> (1/3)*6 = 2
    assert c[3] == pytest.approx(-1.5) and c[6] == pytest.approx(2.0)
    assert u.auuc(Y, T, S) == pytest.approx(np.trapezoid(c, np.arange(7) / 6))
    assert u.uplift_at_k(Y, T, S, k=0.5) == pytest.approx(
        0.5 - 1.0
    )  # top 3: a, b treated; c control
    assert np.isnan(u.uplift_at_k(Y, T, S, k=1 / 6))  # top 1 has no control


@pytest.mark.parametrize("name", list(u.LEARNERS))
def test_learners_seeded_and_find_a_planted_effect(name):
    rng = np.random.default_rng(2)
    n = 6000
    X = rng.normal(0, 1, (n, 3))
    t = rng.random(n) < 0.5
    tau = np.where(X[:, 0] > 0, 0.3, 0.0)  # responders: x0 > 0
    y = (rng.random(n) < 0.2 + tau * t).astype(int)
    a = u.LEARNERS[name](seed=4).fit(X, t, y).predict(X)
    b = u.LEARNERS[name](seed=4).fit(X, t, y).predict(X)
    np.testing.assert_array_equal(a, b)
    assert a[X[:, 0] > 0].mean() > a[X[:, 0] <= 0].mean() + 0.1
