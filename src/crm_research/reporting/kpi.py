"""Key performance indicators of one report run, for the run history and its drift flags.

Computed from the customer database (the unified ``transactions`` table, and ``campaign_results``
when a randomised campaign has been recorded) at an as-of date, with only what happened on or
before that date:

==========================  ========================================================================
KPI                         definition
==========================  ========================================================================
``customers``               customers with at least one purchase on or before the as-of date
``active_share``            share of those who bought in the 365 days before the as-of date
``clv_12m_total``           predicted value of the next 52 weeks over all customers (BG/NBD +
                            Gamma-Gamma fitted at the as-of date, discounted 1% a month), in the
                            dataset's currency (``currency``); empty when the data have no amounts;
                            above 200,000 customers fitted on a seeded sample (``clv_note`` says so)
``churn_rate_90d``          among customers who bought in the year before (as-of − 90 days), the
                            share who did not buy in the last 90 days (observed, not predicted)
``campaign_uplift_pts``     last recorded randomised campaign: purchase rate of the e-mailed minus
                            the control group, percentage points (empty without campaign data)
==========================  ========================================================================

All are aggregates: no customer appears in a KPI. Beside them, ``data_end`` (date of the last
recorded purchase up to the as-of date): when it lies more than :data:`STALE_DAYS` before the as-of
date, the KPIs describe missing data rather than customers, and the history says so.
"""

from __future__ import annotations

import math

import pandas as pd

from crm_research import clv

STALE_DAYS = 7

KPI_LABELS = {
    "customers": "customers",
    "active_share": "active share (bought in the last 365 days)",
    "clv_12m_total": "predicted 12-month CLV, total",
    "churn_rate_90d": "90-day churn rate",
    "campaign_uplift_pts": "campaign uplift (purchase rate, pts)",
}


def snapshot(con, as_of: str | pd.Timestamp, *, horizon_weeks: float = 52) -> dict[str, float]:
    """The KPIs (see the module docstring) of the customer database ``con`` at ``as_of``."""

    as_of = pd.Timestamp(as_of)
    end = as_of.normalize() + pd.Timedelta(days=1)  # the whole as-of day counts
    t = con.table("transactions")
    t = t.filter(t.ordered_at < end)
    cut = end - pd.Timedelta(days=90)
    # one pass: each customer's last purchase, and last purchase before the churn window
    per = (
        t.group_by("customer_id")
        .aggregate(last=t.ordered_at.max(), last_before=t.ordered_at.max(where=t.ordered_at < cut))
        .to_pandas()
    )
    n = len(per)
    if n == 0:
        raise ValueError(f"no purchases on or before {as_of:%Y-%m-%d}: nothing to report")
    data_end = per["last"].max()
    active = per["last"] >= end - pd.Timedelta(days=365)
    at_risk = per[per["last_before"] >= cut - pd.Timedelta(days=365)]
    churned = (at_risk["last"] < cut).mean() if len(at_risk) else math.nan
    # the summary for the CLV fit is computed in the database, not from transactions in pandas
    currency = dataset_currency(con)
    has_amount = bool(t.amount.notnull().any().to_pandas())
    total, note = math.nan, "no amounts in the data"
    if has_amount:
        try:
            values = clv.clv_table(
                t,
                observation_end=as_of.normalize(),
                monetary_col="amount",
                money_scale=money_scale(currency),
                horizon_weeks=horizon_weeks,
            )
            total, note = float(values["clv"].sum()), values.attrs["fit_note"] or ""
        except (RuntimeError, ValueError) as e:  # too few (repeat) customers to fit the models
            note = f"CLV models could not be fitted: {e}"
    return {
        "customers": float(n),
        "active_share": float(active.mean()),
        "clv_12m_total": total,
        "clv_note": note,
        "currency": currency,
        "churn_rate_90d": float(churned),
        "campaign_uplift_pts": campaign_uplift_pts(con),
        "data_end": f"{data_end:%Y-%m-%d}",
    }


def clv_note_line(snap: dict, when: str | None = None) -> str | None:
    """One line for the report about the CLV KPI of ``snap`` (a :func:`snapshot`): fitted on a
    sample, not fitted, or no amounts; None when it was fitted on every customer. ``when`` (e.g.
    "at the start") is added after the KPI's name."""
    note = snap.get("clv_note") or ""
    if not note:
        return None
    head = f"{KPI_LABELS['clv_12m_total']} ({when})" if when else KPI_LABELS["clv_12m_total"]
    return f"{head[0].upper()}{head[1:]}: {note[0].lower()}{note[1:]}"


def money_scale(currency: str) -> float:
    """Amounts are divided by this before the spend model is fitted (1,000 for won, whose
    order values are in the tens of thousands; 1 otherwise)."""
    return 1000.0 if currency in ("KRW", "JPY") else 1.0


def dataset_currency(con) -> str:
    """The currency of the database's amounts (``dataset_info``; KRW for older databases)."""
    if "dataset_info" not in con.list_tables():
        return "KRW"
    return str(con.table("dataset_info").to_pandas()["currency"].iloc[0])


def stale_days(data_end: str | None, as_of: str) -> int | None:
    """Days between the last recorded purchase (``data_end``) and the as-of date, if over
    :data:`STALE_DAYS`."""
    if not isinstance(data_end, str):  # no KPIs for the run (failed, killed) or an older record
        return None
    lag = (pd.Timestamp(as_of).normalize() - pd.Timestamp(data_end)).days
    return lag if lag > STALE_DAYS else None


def campaign_uplift_pts(con) -> float:
    """Difference in purchase rate, e-mailed minus control, of ``campaign_results`` (pts)."""
    if "campaign_results" not in con.list_tables():
        return math.nan
    r = con.table("campaign_results").to_pandas()
    rates = r.groupby("treated")["purchased"].mean()
    if not {0, 1} <= set(rates.index.astype(int)):
        return math.nan
    return float(100 * (rates.loc[1] - rates.loc[0]))


def deltas(history: pd.DataFrame, threshold: float = 0.1) -> pd.DataFrame:
    """Relative change of each KPI from the previous run (rows: runs in time order) and a flag
    when its absolute value exceeds ``threshold`` (0.1 = 10%). Uplift, already a difference, is
    compared in points (flag when it moves by more than ``threshold`` × 10 pts)."""
    out = pd.DataFrame(index=history.index)
    for k in KPI_LABELS:
        if k not in history:
            continue
        prev = history[k].shift(1)
        if k == "campaign_uplift_pts":
            change = history[k] - prev
            out[f"{k}_change"] = change
            out[f"{k}_flag"] = change.abs() > threshold * 10
        else:
            change = history[k] / prev - 1
            out[f"{k}_change"] = change
            out[f"{k}_flag"] = change.abs() > threshold
    return out
