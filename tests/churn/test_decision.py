"""The retention decision: profit curve, economics, value at risk and the campaign tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research import churn
from crm_research.churn import decision


def test_profit_curve_optimum_by_hand():
    econ = churn.Economics(contact_cost=10, offer_cost=0, success_rate=0.5, margin=1.0)
    p = np.array([0.9, 0.1, 0.5, 0.2])
    v = np.array([100.0, 100.0, 100.0, 50.0])
    # expected profit each: 0.9*.5*100-10=35, 0.1*.5*100-10=-5, 0.5*.5*100-10=15, 0.2*.5*50-10=-5
    np.testing.assert_allclose(churn.expected_profit(p, v, econ), [35, -5, 15, -5])
    n, best = churn.best_n(churn.profit_curve(p, v, econ))
    assert (n, best) == (2, 50.0)
    offer = churn.Economics(contact_cost=0, offer_cost=10, success_rate=1.0, margin=1.0)
    # a customer who would stay anyway still redeems the offer: p=0 gives -10
    assert churn.expected_profit(np.array([0.0]), np.array([100.0]), offer)[0] == -10


def test_economics_value_and_campaign_tables():
    assert churn.default_economics("KRW").contact_cost == 1000
    usd = churn.default_economics("USD", offer_cost=7)
    assert (usd.contact_cost, usd.offer_cost) == (1, 7)
    idx = pd.Index(["a", "b"])
    v, note = churn.value_at_risk(None, "2024-01-01", idx, "USD", False, value_per_customer=50)
    assert (v == 50).all() and "stated" in note
    v, note = churn.value_at_risk(None, "2024-01-01", idx, "USD", False)
    assert v is None and "value_per_customer" in note
    p = np.linspace(0.05, 0.95, 50)
    value = np.full(50, 2_000.0)
    sens = churn.sensitivity(p, value, usd)
    assert sens.shape == (5, 4) and (sens.diff(axis=0).iloc[1:] >= 0).all().all()  # success helps
    gain = churn.expected_profit(p, value, usd)
    n_star = churn.best_n(churn.profit_curve(p, value, usd))[0]
    t = churn.scores_table(
        list("xyz") * 16 + ["u", "w"],
        p,
        model="m",
        cutoff="2024-01-01",
        horizon_days=90,
        currency="USD",
        gain=gain,
        n_contact=n_star,
    )
    assert (
        int(t["contact"].sum()) == n_star
        and t.loc[t["contact"], "expected_profit"].min()
        >= t.loc[~t["contact"], "expected_profit"].max()
    )
    assert t.loc[t["churn_probability"].idxmax(), "risk_decile"] == 1
    t0 = churn.scores_table(
        range(50), p, model="m", cutoff="2024-01-01", horizon_days=90, currency="USD"
    )
    assert t0["expected_profit"].isna().all() and t0["contact"].isna().all()


def test_value_at_risk_says_when_the_value_models_were_fitted_on_a_sample(monkeypatch):
    idx = pd.Index(["a", "b"], name="customer_id")

    def fake_clv_table(tx, **kw):
        out = pd.DataFrame({"value_if_alive": [1.0, 2.0]}, index=idx)
        out.attrs["fit_note"] = note
        return out

    class Con:
        def table(self, name):
            return None

    monkeypatch.setattr(decision.clv, "clv_table", fake_clv_table)
    note = None
    value, text = churn.value_at_risk(Con(), "2025-01-01", idx, "USD", True)
    assert list(value) == [1.0, 2.0]
    assert text == "next year's purchases if the customer stays (BG/NBD × Gamma-Gamma)"
    note = (
        "Fitted on a random sample of 200,000 of 1,000,000 customers (seed 42); every one scored."
    )
    _, text = churn.value_at_risk(Con(), "2025-01-01", idx, "USD", True)
    assert text == (
        "next year's purchases if the customer stays (BG/NBD × Gamma-Gamma, fitted on a random "
        "sample of 200,000 of 1,000,000 customers, seed 42)"
    )
