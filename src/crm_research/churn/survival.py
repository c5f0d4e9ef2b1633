"""Survival of customers (statsmodels duration: lifelines needs pandas < 3): Kaplan–Meier curves,
Cox models, the time to lapse from the purchase log.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight


def kaplan_meier(
    duration: pd.Series, event: pd.Series, group: pd.Series | None = None
) -> dict[str, pd.DataFrame]:
    """Kaplan–Meier survival curves (per group): time, survival, 95% interval."""
    out = {}
    groups = (
        [("all", np.ones(len(duration), bool))]
        if group is None
        else [(str(g), (group == g).to_numpy()) for g in sorted(group.dropna().unique())]
    )
    for name, m in groups:
        sf = SurvfuncRight(duration.to_numpy()[m], event.to_numpy()[m].astype(int))
        se = sf.surv_prob_se
        out[name] = pd.DataFrame(
            {
                "time": sf.surv_times,
                "survival": sf.surv_prob,
                "low": np.clip(sf.surv_prob - 1.96 * se, 0, 1),
                "high": np.clip(sf.surv_prob + 1.96 * se, 0, 1),
            }
        )
    return out


def cox(df: pd.DataFrame, duration: str, event: str, formula: str) -> pd.DataFrame:
    """Cox proportional-hazards model (statsmodels ``PHReg``): hazard ratios with 95% intervals."""
    r = PHReg.from_formula(f"{duration} ~ {formula}", df, status=df[event].astype(int)).fit()
    ci = np.asarray(r.conf_int())
    return pd.DataFrame(
        {
            "hazard ratio": np.exp(r.params),
            "ci low": np.exp(ci[:, 0]),
            "ci high": np.exp(ci[:, 1]),
            "p-value": r.pvalues,
        },
        index=r.model.exog_names,
    )


def lapse_survival(con, as_of: str | pd.Timestamp, *, lapse_days: int = 180) -> pd.DataFrame:
    """Per customer who bought up to ``as_of``: ``duration`` (days from the first purchase to the
    last if lapsed, else to ``as_of``), ``lapsed`` (no purchase in the ``lapse_days`` before
    ``as_of``), and what was known at the first purchase: ``first_channel`` (missing without
    channels), ``log_first_order_value`` (missing without amounts), ``cohort`` (quarter of the
    first purchase, months when all fall in one quarter) and ``months_since_start`` (of the
    first purchase after the data's first)."""
    as_of = pd.Timestamp(as_of)
    tx = con.table("transactions")
    tx = tx.filter(tx.ordered_at <= as_of)
    df = tx.select("customer_id", "ordered_at", "amount", "channel").to_pandas()
    df = df.sort_values(["customer_id", "ordered_at"], kind="stable")
    g = df.groupby("customer_id")
    first = g.first()  # first purchase: its channel and amount (first non-missing)
    first_at, last_at = g["ordered_at"].min(), g["ordered_at"].max()
    lapsed = (as_of - last_at).dt.days > lapse_days
    end = last_at.where(lapsed, as_of)  # lapsed: last purchase; else censored at as_of
    out = pd.DataFrame({"duration": (end - first_at).dt.days.astype(float), "lapsed": lapsed})
    out["first_channel"] = first["channel"].astype("string")
    out["log_first_order_value"] = np.log1p(first["amount"].astype(float))
    freq = "Q" if first_at.dt.to_period("Q").nunique() > 1 else "M"
    out["cohort"] = first_at.dt.to_period(freq).astype(str)
    out["months_since_start"] = (first_at - first_at.min()).dt.days / 30.44
    return out


def survival_groups(surv: pd.DataFrame, caps: dict[str, bool]) -> tuple[pd.Series, str]:
    """The grouping for Kaplan–Meier curves, from what was known at the first purchase: the first
    order's channel (with channels), else its value tercile (with amounts), else the cohort."""
    if caps.get("channels") and surv["first_channel"].notna().any():
        return surv["first_channel"].fillna("unknown"), "channel of the first order"
    if caps.get("amount") and surv["log_first_order_value"].notna().any():
        v = surv["log_first_order_value"].rank(method="first")
        return pd.qcut(v, 3, labels=["low", "mid", "high"]).astype(str).rename(
            "first order value"
        ), "value of the first order (terciles)"
    return surv["cohort"], "acquisition cohort"


def lapse_cox(surv: pd.DataFrame, caps: dict[str, bool]) -> pd.DataFrame:
    """Cox model of the time to lapse on what was known at the first purchase: log first order
    value (with amounts), first channel (with channels), months since the data's start."""
    terms = ["months_since_start"]
    if caps.get("amount") and surv["log_first_order_value"].notna().all():
        terms.append("log_first_order_value")
    if caps.get("channels") and surv["first_channel"].nunique() > 1:
        terms.append("C(first_channel)")
    d = surv.assign(
        duration=surv["duration"].clip(lower=0.5),
        first_channel=surv["first_channel"].fillna("unknown").astype(str),
    )
    return cox(d, "duration", "lapsed", " + ".join(terms))
