"""Segmentation: features, pipeline, seeded fitting, k choice, stability, naming."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import segment
from crm_research.data import engine


@pytest.fixture(scope="module")
def world_db(small_world_db):
    return small_world_db


@pytest.fixture(scope="module")
def features(world_db):
    con = engine.connect(world_db, read_only=True)
    f = segment.customer_features(con, "2025-12-31 23:59:59")
    truth = segment.true_segments(con, f.index)
    con.disconnect()
    return f, truth


def test_features_single_purchase_and_missing_channels(features):
    f, _ = features
    one = f[f["n_orders"] == 1]
    assert len(one) > 0
    assert np.isfinite(one[segment.DEFAULT_FEATURES].drop(columns="age")).all().all()
    never_mailed = f["email_open_rate"].isna()
    assert never_mailed.any()  # customers not on the e-mail list: missing, not zero
    X = segment.feature_pipeline(segment.DEFAULT_FEATURES + ["email_open_rate"]).fit_transform(f)
    assert np.isfinite(X).all() and X.shape == (len(f), len(segment.DEFAULT_FEATURES) + 1)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-9)


def test_pipeline_hand_made_frame():
    f = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [0.0, 0.0, 6.0], "other": ["x", "y", "z"]})
    X = segment.feature_pipeline(["a", "b"]).fit_transform(f)
    assert X.shape == (3, 2) and X[1, 0] == pytest.approx(0.0)  # median-imputed, centred


def test_fitting_is_seeded_and_labels_ordered_by_size(features):
    f, _ = features
    X = segment.feature_pipeline(segment.DEFAULT_FEATURES).fit_transform(f)
    for method in segment.METHODS:
        a = segment.fit_segments(X, method, 4, seed=3).labels
        b = segment.fit_segments(X, method, 4, seed=3).labels
        assert (a == b).all(), method
        sizes = np.bincount(a)
        assert (np.diff(sizes) <= 0).all()  # segment 0 is the largest
    with pytest.raises(ValueError, match="method must be one of"):
        segment.fit_segments(X, "dbscan", 3)


def test_recovers_true_segments_on_a_small_world(features):
    f, truth = features
    X = segment.feature_pipeline(segment.DEFAULT_FEATURES).fit_transform(f)
    table = segment.selection_table(X, range(2, 7), seed=0)
    k = segment.choose_k(table)["gmm (BIC elbow)"]
    ari, confusion = segment.recovery(segment.fit_segments(X, "gmm", k, seed=0).labels, truth)
    assert k == 4
    assert ari > 0.6  # 2,000 people; the default 20,000-person world reaches 0.78 (notebook 03)
    assert confusion.to_numpy().sum() == len(f)


def test_elbow_rule():
    bic = pd.Series([100.0, 60, 20, 15, 12, 10], index=range(2, 8))
    assert segment.elbow(bic) == 4  # drops 40, 40, then 5 < 0.25 * 40
    assert segment.elbow(pd.Series([10.0, 9, 8, 7], index=range(2, 6))) == 5


def test_bootstrap_stability_separates_clear_and_noise_clusters():
    rng = np.random.default_rng(0)
    clear = np.vstack([rng.normal(c, 0.3, (200, 2)) for c in ([0, 0], [5, 5], [0, 5])])
    noise = rng.normal(0, 1, (600, 2))
    assert segment.bootstrap_stability(clear, "kmeans", 3, n_boot=4) > 0.95
    assert segment.bootstrap_stability(noise, "kmeans", 6, n_boot=4) < 0.9


def test_naming_is_deterministic_and_follows_the_profile():
    prof = pd.DataFrame(
        {
            "customers": [100, 100, 100],
            "share of revenue": [0.7, 0.2, 0.1],
            "web share of orders": [0.8, 0.1, 0.2],
            "app share of orders": [0.1, 0.1, 0.7],
            "phone share of orders": [0.1, 0.8, 0.1],
            "churn risk": [0.1, 0.6, 0.2],
            "reachable share": [0.95, 0.6, 0.9],
        }
    )
    names = segment.name_segments(prof)
    assert names.tolist() == ["high value, web-first", "mid value, phone-first, at risk", "low value, app-first"]  # fmt: skip
    assert names.equals(segment.name_segments(prof.copy()))
    plan = segment.strategy(prof, names)
    assert plan["action"].tolist() == ["leave alone (recognise, do not over-treat)", "data-refresh campaign", "cross-sell / up-sell"]  # fmt: skip


# ------------------------------------------------------------------------------------------------
# any dataset


@pytest.fixture(scope="module")
def own_log_db(tmp_path_factory):
    from tests.own_data import build_own_log

    return build_own_log(tmp_path_factory.mktemp("ownlog"))


ALL_CAPS = dict.fromkeys(["amount", "truth", "repeat", "channels", "identity", "contacts",
                          "members", "engagement", "campaign", "history"], True)  # fmt: skip


def test_features_adapt_to_a_log_without_amounts_or_channels(own_log_db):
    con = engine.connect(own_log_db, read_only=True)
    caps = {**ALL_CAPS, "amount": False, "channels": False, "engagement": False,
            "members": False, "contacts": False, "truth": False}  # fmt: skip
    assert segment.data_channels(con) == []
    value = segment.value_table(con, "2025-01-01", "USD", caps)
    assert list(value.columns) == ["p_alive"]  # no amounts: no CLV
    f = segment.customer_features(con, "2025-01-01", clv_table=value)
    assert f["log_order_value"].isna().all() and not any(c.endswith("_share") for c in f)
    used, notes = segment.choose_features(f, caps, segment.DEFAULT_FEATURES)
    assert used == ["log_recency_days", "log_frequency", "p_alive"]  # the purchase-log fallback
    assert notes.loc["log_order_value", "note"].startswith("needs order amounts")
    assert notes.loc["age", "note"].startswith("needs a customer master")
    base = segment.rfm_baselines(con, "2025-01-01", f.index, has_amount=False)
    assert list(base) == ["RFM rules (R×F grid)"] and base["RFM rules (R×F grid)"].notna().all()
    con.disconnect()
    X = segment.feature_pipeline(used).fit_transform(f)
    labels = segment.fit_segments(X, "kmeans", 3, seed=0).labels
    prof = segment.profile(f, labels, currency="USD", caps=caps)
    assert "share of revenue" not in prof and "reachable share" not in prof
    names = segment.name_segments(prof)
    assert names.str.contains("frequent|occasional").all()
    plan = segment.strategy(prof, names)
    assert "data-refresh campaign" not in plan["action"].tolist()  # reach unknown, not low
    text = segment.conclusions(prof.assign(name=names), plan, k=3, method="kmeans", used=used)
    assert "of purchases" in text and "3 customer groups" in text and "ARI" not in text


def test_channel_features_follow_the_data(features):
    f, _ = features
    assert {"log_web_orders_per_year", "log_app_orders_per_year", "log_phone_orders_per_year"} <= set(f)  # fmt: skip
    assert set(segment.channel_columns(f)) == {"web", "app", "phone"}
    used, notes = segment.choose_features(f, ALL_CAPS, segment.DEFAULT_FEATURES)
    assert used == segment.DEFAULT_FEATURES and notes["used"].all()  # the default world: unchanged
    # another shop's channels replace the requested ones
    g = pd.DataFrame({"log_store_orders_per_year": [0.0, 1, 2], "store_share": [0.0, 0.5, 1],
                      "log_order_value": [1.0, 2, 3]})  # fmt: skip
    used, notes = segment.choose_features(g, ALL_CAPS, ["log_order_value", "log_web_orders_per_year"])  # fmt: skip
    assert used == ["log_order_value", "log_store_orders_per_year"]
    assert notes.loc["log_web_orders_per_year", "note"] == "not in the data"
    assert segment.channel_slug(" Call Centre ") == "call_centre"
    assert segment.feature_need("store_share") == "channels" and segment.feature_need("log_frequency") is None  # fmt: skip


def test_profile_carries_the_currency_and_names_use_any_clv(features):
    f, _ = features
    f = f.assign(clv=f["revenue"], p_alive=0.5)
    prof = segment.profile(f, (f["n_orders"] > 2).astype(int), currency="USD")
    assert "mean CLV (USD)" in prof and "web share of orders" in prof and "mean age" in prof
    assert segment.name_segments(prof).str.contains("value").all()
    what, share = segment.value_measure(prof)
    assert what == "next year's expected value" and share.sum() == pytest.approx(1)


def test_sampling_is_seeded_and_labels_everyone():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(c, 0.3, (300, 2)) for c in ([0, 0], [4, 4])])
    assert (segment.sample_index(600, None) == np.arange(600)).all()
    a, b = segment.sample_index(600, 100, seed=2), segment.sample_index(600, 100, seed=2)
    assert len(a) == 100 and (a == b).all() and (np.diff(a) > 0).all()
    full = segment.fit_on_sample(X, "gmm", 2, seed=0, max_rows=1000)
    assert (full.labels == segment.fit_segments(X, "gmm", 2, seed=0).labels).all()
    part = segment.fit_on_sample(X, "gmm", 2, seed=0, max_rows=100)
    assert len(part.labels) == 600 and segment.recovery(part.labels, full.labels)[0] == 1.0
    table = segment.selection_table(X, range(2, 4), seed=0)
    runs = segment.candidate_runs(X, segment.choose_k(table), seed=0, max_rows=100)
    assert len(runs) == 3 and all(len(r.labels) == 600 for r in runs.values())
    stab = segment.stability_table(X, range(2, 4), n_boot=2)
    assert stab.shape == (2, 2) and stab.loc[2].min() > 0.9
    truth = np.repeat([0, 1], 300)
    assert segment.ari_by_k(X, range(2, 4), truth).loc[2, "kmeans"] == 1.0
    ari = segment.ari_table({"bad": rng.integers(0, 2, 600), "good": truth}, truth, "ARI")
    assert ari.index.tolist() == ["good", "bad"]
    P, ev = segment.pca_view(X, truth, n=50)
    assert len(P) == 50 and set(P.columns) == {"pc1", "pc2", "segment"} and ev.sum() <= 1 + 1e-9
