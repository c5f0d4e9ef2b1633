"""The simulated campaign: truth recorded consistently, seeded, the coverage of the
average effect's interval, the study and the next campaign's list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import uplift as u

# ------------------------------------------------------------------------------------------------
# the simulated campaign


def _customers(n: int, seed: int = 0) -> pd.DataFrame:
    """Truth-like customers for the campaign simulator, without building a world."""
    from crm_research.data.simulator import DEFAULT_SEGMENTS

    rng = np.random.default_rng(seed)
    seg = rng.choice([s.name for s in DEFAULT_SEGMENTS], n)
    return pd.DataFrame(
        {
            "segment": seg,
            "lambda_per_day": rng.gamma(8, 1 / (8 * 50), n),
            "alive_at_end": rng.random(n) < 0.5,
            "spend_p": 6.0,
            "spend_nu": rng.gamma(10, 1 / 50_000, n),
        },
        index=pd.Index([f"C{i}" for i in range(n)], name="customer_id"),
    )


def test_campaign_records_truth_consistently():
    from crm_research.data.simulator import simulate_campaign

    c = simulate_campaign(_customers(4000), "2026-01-01", seed=1)
    d, tr = c.data, c.truth
    assert d["treated"].sum() == 2000  # exactly half e-mailed
    assert (d["purchased"] == np.where(d["treated"] == 1, tr["y1"], tr["y0"])).all()
    assert (d.loc[d["purchased"] == 0, "spend_krw"] == 0).all()
    assert (d.loc[d["purchased"] == 1, "spend_krw"] > 0).all()
    dead = ~tr["alive_at_start"]
    assert (
        (tr.loc[dead, ["base_prob", "true_uplift"]] == 0).all().all()
    )  # the dropped out never buy
    assert (tr.loc[dead, "uplift_type"] == "lost_cause").all()
    assert (tr.loc[tr["uplift_type"] == "sleeping_dog", "true_uplift"] < 0).all()
    assert (tr.loc[tr["uplift_type"] == "persuadable", "true_uplift"] > 0).all()
    # one uniform per customer: the e-mail moves the outcome only in the direction of its effect
    assert (tr.loc[tr["true_uplift"] >= 0, "y1"] >= tr.loc[tr["true_uplift"] >= 0, "y0"]).all()
    assert (tr.loc[tr["true_uplift"] < 0, "y1"] <= tr.loc[tr["true_uplift"] < 0, "y0"]).all()
    assert tr.groupby("segment")["true_uplift"].mean().idxmin() == "occasional_phone"


def test_campaign_is_seeded_and_validates_input():
    from crm_research.data.simulator import simulate_campaign

    cust = _customers(1000)
    a, b = (simulate_campaign(cust, "2026-01-01", seed=5) for _ in range(2))
    pd.testing.assert_frame_equal(a.data, b.data)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert not simulate_campaign(cust, "2026-01-01", seed=6).data.equals(a.data)
    with pytest.raises(ValueError, match="treat_share must be between 0 and 1"):
        simulate_campaign(cust, "2026-01-01", treat_share=1.0)
    with pytest.raises(ValueError, match="one row per customer"):
        simulate_campaign(pd.concat([cust, cust.iloc[:1]]), "2026-01-01")


def test_average_effect_interval_covers_the_true_effect_at_the_nominal_rate():
    """Over 200 independent campaigns the 95% interval covers the true average effect (mean of
    the individual effects) 90-99% of the time: the estimator is unbiased and the interval honest."""
    from crm_research.data.simulator import simulate_campaign

    cust = _customers(3000, seed=2)
    covered = []
    for s in range(200):
        c = simulate_campaign(cust, "2026-01-01", seed=s)
        d = c.data.assign(arm=np.where(c.data["treated"] == 1, "e-mail", "control"))
        e = u.average_effects(d, "purchased", arm="arm").iloc[0]
        truth = c.truth["true_uplift"].mean()
        covered.append(e["ci low"] <= truth <= e["ci high"])
    assert 0.90 <= np.mean(covered) <= 0.99


@pytest.fixture(scope="module")
def study(small_world_db):
    from crm_research import integrate
    from crm_research.data import engine

    con = engine.connect(small_world_db, read_only=True)
    truth = integrate.customer_truth(con)
    s = u.simulated_campaign_study(con, truth, "2026-01-01", seed=3)
    again = u.simulated_campaign_study(con, truth, "2026-01-01", seed=3, features=s.features)
    con.disconnect()
    return s, again


def test_simulated_study_is_complete_and_reproducible(study):
    s, again = study
    assert len(s.data) == len(s.features) == len(s.truth)
    assert (s.features["reachable_email"] == 1).all()
    assert len(s.test) == round(0.3 * len(s.features)) and not set(s.test) & set(s.train)
    assert {"truth-optimal", "random", "churn score (1 − P(alive))"} <= set(s.policies.index)
    assert set(u.LEARNERS) <= set(s.policies.index)
    assert s.policies.loc["truth-optimal", "share of truth-optimal"] == 1
    assert (
        s.policies["true incremental profit"].max()
        == s.policies.loc["truth-optimal", "true incremental profit"]
    )
    assert list(s.effects["outcome"]) == ["purchased", "spend_krw"]
    assert s.best_model in u.LEARNERS
    # the normalised Qini divides every policy's Qini by the same perfect-model area
    ev = s.evaluation
    assert (ev["normalised Qini"] <= 1).all()
    assert ev["normalised Qini"].idxmax() == ev["Qini coefficient"].idxmax()
    pd.testing.assert_frame_equal(s.policies, again.policies)
    pd.testing.assert_frame_equal(s.evaluation, again.evaluation)


def test_next_campaign_list(study):
    s, _ = study
    econ = u.CampaignEconomics()
    plan = u.next_campaign(
        s.features, s.data, "S-learner", econ, seed=0, campaign_date="2026-02-01"
    )
    assert len(plan) == len(s.features) and plan["customer_id"].is_unique
    assert (plan["target"] == (plan["expected_profit_krw"] > 0)).all()
    assert plan["expected_profit_krw"].is_monotonic_decreasing
    assert plan["rank"].tolist() == list(range(1, len(plan) + 1))
    gain = u.incremental_profit(
        plan["predicted_uplift"], s.features.loc[plan["customer_id"], "order_value_krw"], econ
    )
    np.testing.assert_allclose(plan["expected_profit_krw"], gain)
