"""Churn labels, features without leakage and cut-offs, on hand-made logs."""

from __future__ import annotations

import pandas as pd

from crm_research import churn


def log(*rows):
    df = pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount"])
    df["ordered_at"] = pd.to_datetime(df["ordered_at"])
    return df


TX = log(
    ("a", "2024-01-05", 100),
    ("a", "2024-03-01", 50),  # buys again within 30 days of the cut-off
    ("a", "2024-03-20", 70),
    ("b", "2024-02-10", 30),  # never again: churned
    ("c", "2024-02-28", 10),
    ("c", "2024-04-15", 20),  # buys again, but after the horizon
    ("d", "2024-03-05", 40),  # born after the cut-off: not in the population
)
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
        }
    )
    later_tx = log(("a", "2024-03-10", 999), ("b", "2024-06-01", 5))
    later_tp = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "channel": ["call_centre", "web"],
            "event": ["refund", "session"],
            "ts": pd.to_datetime(["2024-03-01", "2024-03-02"]),
        }
    )
    import ibis

    before = churn.churn_features(TX[TX["ordered_at"] <= CUT], CUT, touchpoints=ibis.memtable(tp))
    full = churn.churn_features(
        pd.concat([TX, later_tx]), CUT, touchpoints=ibis.memtable(pd.concat([tp, later_tp]))
    )
    pd.testing.assert_frame_equal(before, full)  # any feature peeking past the cut-off breaks this
    a = full.loc["a"]
    assert (
        a["recency_days"],
        a["frequency"],
        a["orders_90d"],
        a["calls_90d"],
        a["email_opens_90d"],
    ) == (55, 1, 1, 1, 1)
    assert full.loc["b", "bounced_90d"] == 1 and full.loc["b", "sessions_90d"] == 1


def test_cutoffs_from_the_data_period():
    cuts = churn.plan_cutoffs("2023-01-01", "2026-01-01 00:00:00", 90)
    assert cuts[-1] == pd.Timestamp("2025-09-30") and len(cuts) == 4
    assert churn.plan_cutoffs("1997-01-01", "1998-07-01", 90)[-1] == pd.Timestamp("1998-03-31")
    assert churn.plan_cutoffs("2025-01-01", "2026-01-01", 90) is None  # one year: too short


def test_features_without_amounts():
    X = churn.churn_features(TX, CUT, monetary_col=None)
    assert "log_monetary" not in X and "log_order_value" not in X
    assert X.loc["a", "frequency"] == 1 and X.loc["b", "recency_days"] == 19
