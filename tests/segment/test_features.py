"""Segmentation features: from the customer database, on logs without amounts or channels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import segment
from crm_research.data import engine


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


# ------------------------------------------------------------------------------------------------
# any dataset


@pytest.fixture(scope="module")
def own_log_db(tmp_path_factory):
    from tests.own_data import build_own_log

    return build_own_log(tmp_path_factory.mktemp("ownlog"))


ALL_CAPS = dict.fromkeys(
    [
        "amount",
        "truth",
        "repeat",
        "channels",
        "identity",
        "contacts",
        "members",
        "engagement",
        "campaign",
        "history",
    ],
    True,
)


def test_features_adapt_to_a_log_without_amounts_or_channels(own_log_db):
    con = engine.connect(own_log_db, read_only=True)
    caps = {
        **ALL_CAPS,
        "amount": False,
        "channels": False,
        "engagement": False,
        "members": False,
        "contacts": False,
        "truth": False,
    }
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
    names = segment.name_clusters(prof)
    assert names.str.contains("frequent|occasional").all()
    plan = segment.strategy(prof, names)
    assert "data-refresh campaign" not in plan["action"].tolist()  # reach unknown, not low
    text = segment.conclusions(prof.assign(name=names), plan, k=3, method="kmeans", used=used)
    assert "of purchases" in text and "3 customer groups" in text and "ARI" not in text


def test_channel_features_follow_the_data(features):
    f, _ = features
    assert {
        "log_web_orders_per_year",
        "log_app_orders_per_year",
        "log_phone_orders_per_year",
    } <= set(f)
    assert set(segment.channel_columns(f)) == {"web", "app", "phone"}
    used, notes = segment.choose_features(f, ALL_CAPS, segment.DEFAULT_FEATURES)
    assert used == segment.DEFAULT_FEATURES and notes["used"].all()  # the default world: unchanged
    # another shop's channels replace the requested ones
    g = pd.DataFrame(
        {
            "log_store_orders_per_year": [0.0, 1, 2],
            "store_share": [0.0, 0.5, 1],
            "log_order_value": [1.0, 2, 3],
        }
    )
    used, notes = segment.choose_features(
        g, ALL_CAPS, ["log_order_value", "log_web_orders_per_year"]
    )
    assert used == ["log_order_value", "log_store_orders_per_year"]
    assert notes.loc["log_web_orders_per_year", "note"] == "not in the data"
    assert segment.channel_slug(" Call Centre ") == "call_centre"
    assert (
        segment.feature_need("store_share") == "channels"
        and segment.feature_need("log_frequency") is None
    )


def test_value_note_says_when_the_value_models_were_fitted_on_a_sample():
    assert segment.value_note(None) is None
    v = pd.DataFrame({"p_alive": [0.5]})
    v.attrs["fit_note"] = None
    assert segment.value_note(v) is None
    v.attrs["fit_note"] = "Fitted on a random sample of 200,000 of 1,000,000 customers (seed 42)."
    assert segment.value_note(v) == (
        "CLV and P(alive) (BG/NBD): fitted on a random sample of 200,000 of 1,000,000 customers "
        "(seed 42)."
    )
