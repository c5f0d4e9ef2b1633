"""Per-customer 90% intervals of purchases and value (:mod:`crm_research.clv.uncertainty`) on a
seeded sample, summarised without customer ids, and their coverage of realised holdout purchases
and spend. Time unit: weeks; money in the dataset's currency unless "scaled".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research import rfm
from crm_research.clv import covariates as cov
from crm_research.clv import models as btyd
from crm_research.clv import sampling, uncertainty
from crm_research.clv.views import value as views_value


def value_intervals(
    value: views_value.CustomerValue,
    *,
    horizon_weeks: float,
    discount_rate_monthly: float = 0.01,
    sample: int | None = 5_000,
    seed: int = 0,
    n_draws: int = 300,
    level: float = 0.9,
) -> pd.DataFrame:
    """``level`` intervals per customer of a seeded sample (``sample`` customers, None = all) of
    :func:`crm_research.clv.views.value.customer_value`'s fits: ``p_alive_*`` (parameter uncertainty
    only), ``purchases_*`` (purchases in the next ``horizon_weeks``) and, with a spend model,
    ``clv_*`` (discounted, in the dataset's currency), each ``_mean``, ``_lower``, ``_upper``
    (:func:`crm_research.clv.uncertainty.customer_intervals`), joined with the point estimates of
    ``value.table`` (``p_alive``, ``expected_purchases``, ``clv``). Index: customer_id (kept for
    joins; reports show only aggregates)."""
    s = value.summary
    fitted = value.fit_summary if value.fit_summary is not None else s
    purchase = cov.from_btyd(value.purchases, fitted)
    spend = cov.from_gamma_gamma(value.spend, fitted) if value.spend is not None else None
    idx = sampling.sample_customers(s.index, sample, seed)
    out = uncertainty.customer_intervals(
        purchase,
        s.loc[idx],
        horizon=horizon_weeks,
        spend=spend,
        discount_rate=discount_rate_monthly,
        level=level,
        n_draws=n_draws,
        seed=seed,
    )
    money = [c for c in out.columns if c.startswith("clv_")]
    out[money] = out[money] * value.money_scale
    return out.join(value.table.drop(columns="expected_spend", errors="ignore"))


def interval_summary(intervals: pd.DataFrame, value_col: str, bins: int = 10) -> pd.DataFrame:
    """Interval widths by decile of the point ``value_col`` (``clv`` or ``expected_purchases``;
    decile 1 = the highest): customers, mean point value, mean lower and upper bound of its
    interval, median relative width ((upper − lower) / point value) and mean width of the
    P(alive) and purchase intervals."""
    q = "clv" if value_col == "clv" else "purchases"
    decile = pd.qcut(
        intervals[value_col].rank(method="first", ascending=False), bins, labels=range(1, bins + 1)
    )
    df = pd.DataFrame(
        {
            "value": intervals[value_col],
            "lower": intervals[f"{q}_lower"],
            "upper": intervals[f"{q}_upper"],
            "rel": (intervals[f"{q}_upper"] - intervals[f"{q}_lower"])
            / intervals[value_col].where(intervals[value_col] > 0),
            "pa": intervals["p_alive_upper"] - intervals["p_alive_lower"],
            "n": intervals["purchases_upper"] - intervals["purchases_lower"],
        }
    )
    g = df.groupby(decile, observed=True)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            f"mean {value_col}": g["value"].mean(),
            "mean lower": g["lower"].mean(),
            "mean upper": g["upper"].mean(),
            "median relative width": g["rel"].median(),
            "mean P(alive) width": g["pa"].mean(),
            "mean purchases width": g["n"].mean(),
        }
    )
    out.index.name = "decile"
    return out


def interval_examples(intervals: pd.DataFrame, value_col: str, n: int = 25) -> pd.DataFrame:
    """``n`` customers at evenly spaced ranks of the point ``value_col`` (rank 1 = the highest),
    anonymised: index ``rank``; columns ``value``, ``lower``, ``upper``."""
    q = "clv" if value_col == "clv" else "purchases"
    ranked = intervals.sort_values(value_col, ascending=False, kind="stable")
    pos = np.unique(np.round(np.geomspace(1, len(ranked), num=min(n, len(ranked)))).astype(int))
    picked = ranked.iloc[pos - 1]
    return pd.DataFrame(
        {
            "value": picked[value_col].to_numpy(),
            "lower": picked[f"{q}_lower"].to_numpy(),
            "upper": picked[f"{q}_upper"].to_numpy(),
        },
        index=pd.Index(pos, name="rank"),
    )


def holdout_coverage(
    purchase: btyd.BTYDModel,
    cal: pd.DataFrame,
    *,
    spend: btyd.SpendModel | None = None,
    actual_value: pd.Series | None = None,
    money_scale: float = 1.0,
    sample: int | None = 5_000,
    seed: int = 0,
    n_draws: int = 300,
    level: float = 0.9,
    fit_customers: int | None = sampling.FIT_SAMPLE,
    fit_seed: int = sampling.FIT_SEED,
) -> pd.DataFrame:
    """Coverage of ``level`` predictive intervals of holdout outcomes, from models fitted on the
    calibration period (``cal``: :func:`calibration_data`), on a seeded sample of customers.

    Rows: ``holdout purchases`` (plain: whole-number intervals, which cover at least the level),
    ``holdout purchases (jittered)`` (simulated and actual counts + U(0, 1), which makes a
    calibrated model's coverage exactly the level; see :mod:`crm_research.clv.uncertainty`) and,
    with ``spend`` and ``actual_value`` (realised holdout spend per customer in the currency),
    ``holdout spend`` (undiscounted). Columns: ``customers``, ``coverage``, ``level``, ``mean
    width`` (purchases, or the currency). Parameter uncertainty comes from the rows the models
    were fitted on: the seeded sample of :func:`crm_research.clv.sampling.fit_sample`
    (``fit_customers``, ``fit_seed``; the same as the fits') when there are more customers."""
    s = rfm.calibration_summary(cal)
    horizon = float(cal["duration_holdout"].iloc[0])
    fitted = sampling.fit_sample(s, fit_customers, fit_seed)
    purchase_fit = cov.from_btyd(purchase, fitted)
    spend_fit = cov.from_gamma_gamma(spend, fitted) if spend is not None else None
    idx = sampling.sample_customers(s.index, sample, seed)
    actual = cal.loc[idx, "frequency_holdout"]
    kw = {"horizon": horizon, "level": level, "n_draws": n_draws, "seed": seed}
    use_spend = spend_fit is not None and actual_value is not None
    plain = uncertainty.customer_intervals(
        purchase_fit, s.loc[idx], spend=spend_fit if use_spend else None, discount_rate=0.0, **kw
    )
    jit = uncertainty.customer_intervals(purchase_fit, s.loc[idx], jitter=True, **kw)
    jittered_actual = actual + np.random.default_rng(seed + 1).random(len(actual))
    rows = {
        "holdout purchases": (uncertainty.coverage(actual, plain), plain, "purchases", 1),
        "holdout purchases (jittered)": (
            uncertainty.coverage(jittered_actual, jit),
            jit,
            "purchases",
            1,
        ),
    }
    if use_spend:
        v = actual_value.reindex(idx).fillna(0.0) / money_scale
        rows["holdout spend"] = (
            uncertainty.coverage(v, plain, "clv"),
            plain,
            "clv",
            money_scale,
        )
    return pd.DataFrame(
        {
            name: {
                "customers": len(idx),
                "coverage": c,
                "level": level,
                "mean width": float((iv[f"{q}_upper"] - iv[f"{q}_lower"]).mean() * scale),
            }
            for name, (c, iv, q, scale) in rows.items()
        }
    ).T
