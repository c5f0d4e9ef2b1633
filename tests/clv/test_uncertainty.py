"""Per-customer intervals: 90% intervals of future purchases cover about 90% of what simulated
customers actually do in the holdout period."""

from __future__ import annotations

import numpy as np
import pytest

from crm_research import clv
from crm_research.clv import covariates as clv_covariates
from crm_research.clv import uncertainty as clv_uncertainty
from crm_research.data.simulator import simulate_btyd_cohort, simulate_btyd_future

TRUE = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "pareto": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
}
SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}
HORIZON = 39  # weeks after the observation ends


@pytest.fixture(scope="module", params=["bgnbd", "pareto"])
def world(request):
    model = request.param
    data = simulate_btyd_cohort(4_000, model, TRUE[model], spend=SPEND, seed=21)
    future = simulate_btyd_future(data, model, HORIZON, seed=22)
    return model, data, future, clv.fit_btyd(data, model), clv.fit_gamma_gamma(data)


def test_ninety_percent_intervals_cover_future_purchases(world):
    model, data, future, fit, _ = world
    iv = clv_uncertainty.customer_intervals(fit, data, horizon=HORIZON, n_draws=300, seed=1)
    plain = clv_uncertainty.coverage(future, iv)
    # whole-number intervals: most lower bounds are 0, so coverage is at least the level
    assert 0.90 <= plain <= 0.99, plain
    jit = clv_uncertainty.customer_intervals(
        fit, data, horizon=HORIZON, n_draws=300, seed=1, jitter=True
    )
    actual = future + np.random.default_rng(5).random(len(future))  # jittered the same way
    assert 0.85 <= clv_uncertainty.coverage(actual, jit) <= 0.95


def test_simulation_mean_is_the_model_expectation(world):
    """With parameters fixed at the estimate, the simulated means are the closed-form
    predictions (up to simulation noise)."""
    _, data, _, fit, gg = world
    s = data.iloc[:1500]
    iv = clv_uncertainty.customer_intervals(
        clv_covariates.from_btyd(fit, data),
        s,
        horizon=HORIZON,
        spend=clv_covariates.from_gamma_gamma(gg, data),
        n_draws=400,
        parameter_uncertainty=False,
        seed=2,
    )
    score = clv.score(fit, gg, s, horizon=HORIZON)
    np.testing.assert_allclose(iv["p_alive_mean"], score["p_alive"], rtol=1e-9)
    assert iv["purchases_mean"].sum() == pytest.approx(score["expected_purchases"].sum(), rel=0.02)
    assert iv["clv_mean"].sum() == pytest.approx(score["clv"].sum(), rel=0.03)
    assert (iv["purchases_lower"] <= iv["purchases_upper"]).all()
    assert (iv["clv_lower"] <= iv["clv_upper"]).all() and (iv["clv_lower"] >= 0).all()


def test_parameter_uncertainty_widens_p_alive_and_is_seeded(world):
    _, data, _, fit, gg = world
    s = data.iloc[:300]
    fit, gg = clv_covariates.from_btyd(fit, data), clv_covariates.from_gamma_gamma(gg, data)
    a = clv_uncertainty.customer_intervals(fit, s, horizon=HORIZON, spend=gg, n_draws=200, seed=3)
    b = clv_uncertainty.customer_intervals(fit, s, horizon=HORIZON, spend=gg, n_draws=200, seed=3)
    assert a.equals(b)
    width = a["p_alive_upper"] - a["p_alive_lower"]
    assert (width >= 0).all() and (width[s["frequency"] > 0] > 0).mean() > 0.9
    assert list(a.columns) == [
        f"{q}_{k}" for q in ("p_alive", "purchases", "clv") for k in ("mean", "lower", "upper")
    ]


def test_covariate_fits_are_accepted():
    rng = np.random.default_rng(0)
    data = simulate_btyd_cohort(3_000, "bgnbd", TRUE["bgnbd"], spend=SPEND, seed=4)
    data["vip"] = (rng.random(len(data)) < 0.3).astype(float)
    fit = clv_covariates.fit_btyd_covariates(data, "bgnbd", trans=["vip"])
    spend = clv_covariates.fit_gamma_gamma_covariates(data, spend=["vip"])
    iv = clv_uncertainty.customer_intervals(
        fit, data.iloc[:200], horizon=13, spend=spend, n_draws=100
    )
    assert iv.notna().all().all() and len(iv) == 200
    with pytest.raises(ValueError, match="level"):
        clv_uncertainty.customer_intervals(fit, data, horizon=13, level=1.5)
