"""Churn: labels, leakage, the BTYD no-purchase probability, the profit optimum, Telco, survival."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import churn
from crm_research.data import engine


def log(*rows):
    df = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount"])
    df["ordered_at"] = pd.to_datetime(df["ordered_at"])
    return df


TX = log(
    ("a", "2024-01-05", 100), ("a", "2024-03-01", 50),  # buys again within 30 days of the cut-off
    ("a", "2024-03-20", 70),
    ("b", "2024-02-10", 30),  # never again: churned
    ("c", "2024-02-28", 10), ("c", "2024-04-15", 20),  # buys again, but after the horizon
    ("d", "2024-03-05", 40),  # born after the cut-off: not in the population
)  # fmt: skip
CUT = "2024-02-29"


def test_labels_on_a_hand_made_log():
    y = churn.churn_labels(TX, CUT, 30)
    assert y.to_dict() == {"a": False, "b": True, "c": True}


def test_features_use_nothing_after_the_cutoff():
    tp = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "channel": ["call_centre", "email", "web", "email"],
            "event": ["delivery", "opened", "session", "bounced"],
            "ts": pd.to_datetime(["2024-02-01", "2024-02-20", "2024-02-25", "2024-02-26"]),
        }  # fmt: skip
    )
    later_tx = log(("a", "2024-03-10", 999), ("b", "2024-06-01", 5))
    later_tp = pd.DataFrame({"customer_id": ["a", "b"], "channel": ["call_centre", "web"],
                             "event": ["refund", "session"], "ts": pd.to_datetime(["2024-03-01", "2024-03-02"])})  # fmt: skip
    import ibis

    before = churn.churn_features(TX[TX["ordered_at"] <= CUT], CUT, touchpoints=ibis.memtable(tp))
    full = churn.churn_features(pd.concat([TX, later_tx]), CUT, touchpoints=ibis.memtable(pd.concat([tp, later_tp])))  # fmt: skip
    pd.testing.assert_frame_equal(before, full)  # any feature peeking past the cut-off breaks this
    a = full.loc["a"]
    assert (a["recency_days"], a["frequency"], a["orders_90d"], a["calls_90d"], a["email_opens_90d"]) == (55, 1, 1, 1, 1)  # fmt: skip
    assert full.loc["b", "bounced_90d"] == 1 and full.loc["b", "sessions_90d"] == 1


def test_p_no_purchase_limits():
    params = pd.Series({"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5})
    s = pd.DataFrame({"frequency": [0.0, 3.0], "recency": [0.0, 10.0], "T": [20.0, 20.0]})
    pa = pd.Series([1.0, 0.6])
    at0 = churn.bgnbd_p_no_purchase(params, s, 1e-9, pa)
    np.testing.assert_allclose(at0, 1.0, atol=1e-9)  # no time, no purchase
    h = np.array([1.0, 10.0, 100.0])
    p = [churn.bgnbd_p_no_purchase(params, s, x, pa) for x in h]
    assert (np.diff([v.iloc[1] for v in p]) < 0).all()  # longer horizon, less likely to stay quiet
    assert p[0].iloc[0] == pytest.approx((25 / 26) ** 0.5)  # alive for sure: Gamma posterior only
    assert p[2].iloc[1] > 1 - 0.6  # never below the probability of being dead


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


def test_evaluation_helpers_by_hand():
    y = pd.Series([1, 0, 1, 0])
    t = churn.evaluate(y, {"perfect": np.array([0.9, 0.1, 0.8, 0.2])})
    assert t.loc["perfect", "ROC AUC"] == 1.0 and t.loc["perfect", "Brier score"] == pytest.approx(
        0.025
    )
    lift = churn.lift_table(pd.Series([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), np.arange(10)[::-1], bins=5)
    assert lift["churn rate"].iloc[0] == 1.0 and lift["lift"].iloc[0] == 5.0
    assert lift["cumulative gains"].iloc[0] == 1.0


def test_kaplan_meier_by_hand():
    km = churn.kaplan_meier(pd.Series([1.0, 2, 3, 4]), pd.Series([1, 0, 1, 1]))["all"]
    # at 1: 3/4; 2 censored; at 3: 3/4 * 1/2; at 4: 0
    np.testing.assert_allclose(km["survival"].to_numpy(), [0.75, 0.375, 0.0])


def test_telco_blank_charges_kept_and_cross_validated_auc():
    df = churn.load_telco()
    assert len(df) == 7043 and int(df["new_customer"].sum()) == 11
    assert (df.loc[df["new_customer"], ["tenure", "TotalCharges"]] == 0).all().all()
    table, oof = churn.telco_cross_validation(df, seed=0)
    assert table["ROC AUC"].max() >= 0.84
    assert all(len(v) == 7043 for v in oof.values())


def test_time_split_study_on_a_small_world(small_world_db):
    con = engine.connect(small_world_db, read_only=True)
    run = churn.time_split_study(con.table("transactions"), "2025-09-30", 90,
                                 touchpoints=con.table("touchpoints"), seed=0)  # fmt: skip
    gaps = np.diff([c.value for c in run.cutoffs]) / 86_400e9
    assert (gaps == 90).all() and run.cutoffs[-1] == pd.Timestamp("2025-09-30")
    assert (run.test_X["recency_days"] <= 365).all()
    assert all(len(s) == len(run.test_y) for s in run.scores.values())
    table = churn.evaluate(run.test_y, run.scores, run.probabilistic)
    assert table.loc["gradient boosting", "ROC AUC"] > 0.7
    con.disconnect()
    # truth-based scoring (simulated data only)
    end = run.cutoffs[-1] + pd.Timedelta(days=90)
    con = engine.connect(small_world_db, read_only=True)
    truth = churn.true_dropout(con, run.test_X.index, end)
    con.disconnect()
    assert truth.dtype == bool and 0 < truth.mean() < 1
    table = churn.model_table(run, truth)
    best, rule, col = churn.best_model(table)
    assert col == "ROC AUC vs true dropout" and rule.startswith("recency") and best != rule
    assert table.loc[best, col] > 0.7


# ------------------------------------------------------------------------------------------------
# any dataset


@pytest.fixture(scope="module")
def own_log_db(tmp_path_factory):
    from tests.own_data import build_own_log

    return build_own_log(tmp_path_factory.mktemp("ownlog"))


def test_cutoffs_from_the_data_period():
    cuts = churn.plan_cutoffs("2023-01-01", "2026-01-01 00:00:00", 90)
    assert cuts[-1] == pd.Timestamp("2025-09-30") and len(cuts) == 4
    assert churn.plan_cutoffs("1997-01-01", "1998-07-01", 90)[-1] == pd.Timestamp("1998-03-31")
    assert churn.plan_cutoffs("2025-01-01", "2026-01-01", 90) is None  # one year: too short


def test_features_without_amounts():
    X = churn.churn_features(TX, CUT, monetary_col=None)
    assert "log_monetary" not in X and "log_order_value" not in X
    assert X.loc["a", "frequency"] == 1 and X.loc["b", "recency_days"] == 19


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
    t = churn.scores_table(list("xyz") * 16 + ["u", "w"], p, model="m", cutoff="2024-01-01",
                           horizon_days=90, currency="USD", gain=gain, n_contact=n_star)  # fmt: skip
    assert int(t["contact"].sum()) == n_star and t.loc[t["contact"], "expected_profit"].min() >= t.loc[~t["contact"], "expected_profit"].max()  # fmt: skip
    assert t.loc[t["churn_probability"].idxmax(), "risk_decile"] == 1
    t0 = churn.scores_table(range(50), p, model="m", cutoff="2024-01-01", horizon_days=90, currency="USD")  # fmt: skip
    assert t0["expected_profit"].isna().all() and t0["contact"].isna().all()


def test_study_survival_and_write_back_on_a_log_without_amounts(own_log_db, tmp_path):
    import shutil

    db = shutil.copy(own_log_db, tmp_path / "copy.duckdb")
    con = engine.connect(db)
    caps = {"amount": False, "channels": False, "repeat": True}
    cuts = churn.plan_cutoffs("2023-01-01", "2025-01-01", 90, n_folds=1)
    run = churn.time_split_study(con.table("transactions"), cuts[-1], 90, n_folds=1, monetary_col=None, seed=0)  # fmt: skip
    assert "log_monetary" not in run.extra["features"]
    table = churn.model_table(run)
    best, rule, col = churn.best_model(table)
    assert col == "ROC AUC" and table.loc[best, col] > 0.6
    lift = churn.lift_table(run.test_y, run.scores["gradient boosting, calibrated"])
    text = churn.conclusions(run, table, lift, currency="USD", active_within_days=365,
                             value_note="no amounts in the data")  # fmt: skip
    assert "not computed: no amounts" in text and "against the observed labels" in text
    imp, sample = churn.permutation_importances(run, n=100, seed=0)
    assert len(sample) == 100 and set(imp.index) == set(run.extra["features"])
    p = run.scores["gradient boosting, calibrated"]
    out = churn.scores_table(run.test_X.index, p, model="gb", cutoff=cuts[-1], horizon_days=90, currency="USD")  # fmt: skip
    assert churn.write_scores(con, out) == len(run.test_y)
    ids = con.table("churn_scores").to_pandas()["customer_id"]
    assert ids.str.fullmatch(r"C\d{6}").all()  # the database's customer ids, nothing else
    surv = churn.lapse_survival(con, "2025-01-01", lapse_days=180)
    con.disconnect()
    assert surv["lapsed"].any() and (~surv["lapsed"]).any() and (surv["duration"] >= 0).all()
    group, name = churn.survival_groups(surv, caps)
    assert name == "acquisition cohort" and group.nunique() >= 2
    km = churn.kaplan_meier(surv["duration"], surv["lapsed"], group)
    assert all(c["survival"].between(0, 1).all() for c in km.values())
    hr = churn.lapse_cox(surv, caps)
    assert list(hr.index) == ["months_since_start"]


def test_estimates_display_names_the_interval_and_writes_p_values():
    t = pd.DataFrame(
        {"hazard ratio": [1.25], "ci low": [1.08], "ci high": [1.45], "p-value": [0.00001]}
    )
    out = churn.estimates_display(t)
    assert list(out.columns) == ["hazard ratio", "95% low", "95% high", "p-value"]
    assert out["p-value"].tolist() == ["< 0.001"]
