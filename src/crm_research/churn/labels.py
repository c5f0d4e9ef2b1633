"""Churn labels and features without leakage: cut-offs, labels from the purchases after a cut-off,
features from the events up to it only.

In a non-contractual business churn is not announced: a customer who bought on or before the
cut-off is *churned* if they make no purchase in the ``horizon_days`` after it.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from crm_research.rfm import as_ibis_table

FEATURES = [
    "recency_days",
    "frequency",
    "log_monetary",
    "log_order_value",
    "tenure_days",
    "orders_90d",
    "orders_91_180d",
    "calls_90d",
    "sessions_90d",
    "email_opens_90d",
    "email_sends_90d",
    "bounced_90d",
]
TRANSACTION_FEATURES = FEATURES[:7]


def cutoffs(
    test_cutoff: str | pd.Timestamp, horizon_days: int, n_before: int = 3
) -> list[pd.Timestamp]:
    """Cut-offs spaced ``horizon_days`` apart, ending at ``test_cutoff``: each label window ends
    exactly at the next cut-off, so a model trained at one cut-off is known before the next."""
    t = pd.Timestamp(test_cutoff)
    return [t - pd.Timedelta(days=horizon_days * k) for k in range(n_before, -1, -1)]


def plan_cutoffs(
    first_purchase: str | pd.Timestamp,
    as_of: str | pd.Timestamp,
    horizon_days: int,
    *,
    n_folds: int = 2,
    min_history_days: int = 90,
) -> list[pd.Timestamp] | None:
    """Cut-offs of a time-split study on data from ``first_purchase`` to ``as_of``: the test
    cut-off is the last month end that leaves a full ``horizon_days`` outcome window before
    ``as_of``, with ``n_folds + 1`` earlier cut-offs ``horizon_days`` apart (:func:`cutoffs`).
    None when the earliest cut-off has less than ``min_history_days`` of purchases before it
    (the data do not cover the training and outcome windows)."""
    end = pd.Timestamp(as_of).normalize() - pd.Timedelta(days=horizon_days)
    test = pd.offsets.MonthEnd().rollback(end)
    cuts = cutoffs(test, horizon_days, n_before=n_folds + 1)
    if cuts[0] - pd.Timestamp(first_purchase).normalize() < pd.Timedelta(days=min_history_days):
        return None
    return cuts


def _tx(transactions, datetime_col: str):
    t = as_ibis_table(transactions)
    return t.mutate(_ts=t[datetime_col].cast("timestamp"))


def churn_labels(
    transactions,
    cutoff: str | pd.Timestamp,
    horizon_days: int,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
) -> pd.Series:
    """``churned`` (bool) per customer with a purchase at or before ``cutoff``: True when they
    make no purchase in (cutoff, cutoff + horizon_days]."""
    cut = pd.Timestamp(cutoff)
    end = cut + pd.Timedelta(days=horizon_days)
    t = _tx(transactions, datetime_col)
    active = t.filter(t._ts <= cut).select(customer_col).distinct()
    later = (
        t.filter((t._ts > cut) & (t._ts <= end))
        .select(customer_col)
        .distinct()
        .mutate(_bought=True)
    )
    j = active.left_join(later, customer_col).drop(f"{customer_col}_right")
    df = j.to_pandas().set_index(customer_col).sort_index()
    return (~df["_bought"].fillna(False).astype(bool)).rename("churned")


def churn_features(
    transactions,
    cutoff: str | pd.Timestamp,
    *,
    touchpoints=None,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    monetary_col: str | None = "amount",
) -> pd.DataFrame:
    """Features per customer with a purchase at or before ``cutoff``, from events up to it only.
    (``monetary_col=None``: a log without amounts; the two money features are left out.)

    Transactions: ``recency_days`` (days since the last purchase), ``frequency`` (purchases),
    ``log_monetary`` (log1p total spend), ``log_order_value``, ``tenure_days``, ``orders_90d``
    and ``orders_91_180d`` (purchases in the last 90 days and the 90 before: the trend). With
    ``touchpoints`` (customer_id, ts, channel, event): calls, web sessions, e-mail sends, opens
    and bounces in the last 90 days.
    """
    cut = pd.Timestamp(cutoff)
    t = _tx(transactions, datetime_col)
    t = t.filter(t._ts <= cut)
    days_before = (
        ibis.literal(cut).cast("timestamp").epoch_seconds() - t._ts.epoch_seconds()
    ) / 86_400
    g = t.group_by(customer_col).aggregate(
        recency_days=days_before.min(),
        tenure_days=days_before.max(),
        frequency=t.count(),
        orders_90d=(days_before <= 90).sum(),
        orders_91_180d=((days_before > 90) & (days_before <= 180)).sum(),
        **({"total": t[monetary_col].cast("float64").sum()} if monetary_col else {}),
    )
    df = g.to_pandas().set_index(customer_col).sort_index()
    out = pd.DataFrame(index=df.index)
    out["recency_days"] = df["recency_days"].astype(float)
    out["frequency"] = df["frequency"].astype(float)
    if monetary_col:
        out["log_monetary"] = np.log1p(df["total"].astype(float))
        out["log_order_value"] = np.log1p(df["total"].astype(float) / df["frequency"])
    out["tenure_days"] = df["tenure_days"].astype(float)
    out["orders_90d"] = df["orders_90d"].astype(float)
    out["orders_91_180d"] = df["orders_91_180d"].astype(float)
    if touchpoints is not None:
        tp = touchpoints.mutate(_ts=touchpoints.ts.cast("timestamp"))
        tp = tp.filter((tp._ts <= cut) & (tp._ts > cut - pd.Timedelta(days=90)))
        e = tp.group_by("customer_id").aggregate(
            calls_90d=(tp.channel == "call_centre").sum(),
            sessions_90d=(tp.channel == "web").sum(),
            email_sends_90d=(tp.channel == "email").sum(),
            email_opens_90d=((tp.channel == "email") & tp.event.isin(["opened", "clicked"])).sum(),
            bounced_90d=((tp.channel == "email") & (tp.event == "bounced")).sum(),
        )
        e = e.to_pandas().set_index("customer_id")
        out = out.join(e).fillna({c: 0.0 for c in e.columns})
        for c in e.columns:
            out[c] = out[c].astype(float)
    return out
