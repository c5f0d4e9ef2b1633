"""Holdout evaluation of CLV models as one table: errors of holdout purchases and spend, the Gini
of the CLV ranking against realised value, and calibration by decile.

Inputs: the calibration/holdout frame of :func:`crm_research.rfm.calibration_holdout`
(``frequency_cal``, ``recency_cal``, ``T_cal``, ``monetary_value_cal``, ``frequency_holdout``,
``monetary_value_holdout``, ``duration_holdout`` and any covariates) and fitted models, each a
(purchase model, spend model) pair from :mod:`crm_research.clv` or
:mod:`crm_research.clv.covariates`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_research import rfm
from crm_research.clv import covariates as cov


def prediction_errors(predicted, actual) -> dict[str, float]:
    """``mae``, ``rmse``, ``bias`` (mean of predicted − actual, in the values' unit) and
    ``total_error`` ((Σ predicted − Σ actual) / Σ actual, a fraction)."""
    p, a = np.asarray(predicted, dtype="float64"), np.asarray(actual, dtype="float64")
    e = p - a
    return {
        "mae": float(np.abs(e).mean()),
        "rmse": float(np.sqrt((e**2).mean())),
        "bias": float(e.mean()),
        "total_error": float((p.sum() - a.sum()) / a.sum()),
    }


def gini(score, value) -> float:
    """Gini of ranking customers by ``score`` (highest first) against their realised ``value``:
    2 × the area under the curve of cumulative share of value against cumulative share of
    customers, minus 1. 0 = no better than random, the same ranking as ``value`` itself gives
    the largest possible (see :func:`gini_normalized`), negative = worse than random. Tied scores
    count as their average over orderings (the curve is straight across a tie)."""
    s, v = np.asarray(score, dtype="float64"), np.asarray(value, dtype="float64")
    if v.sum() <= 0:
        raise ValueError("the realised values must have a positive total")
    groups = pd.DataFrame({"s": s, "v": v}).groupby("s", sort=True)
    agg = groups["v"].agg(["size", "sum"]).iloc[::-1]  # highest score first
    x = np.r_[0.0, np.cumsum(agg["size"].to_numpy()) / len(s)]
    y = np.r_[0.0, np.cumsum(agg["sum"].to_numpy()) / v.sum()]
    area = float(((y[1:] + y[:-1]) / 2 * np.diff(x)).sum())
    return 2 * area - 1


def gini_normalized(score, value) -> float:
    """:func:`gini` divided by the Gini of the perfect ranking (by ``value`` itself): 1 = the
    best ranking possible."""
    return gini(score, value) / gini(value, value)


def decile_table(predicted: pd.Series, actual: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Customers in ``bins`` equal-size groups by ``predicted`` (1 = lowest, ties by order):
    customers, mean predicted, mean actual and their ratio (actual / predicted) per group."""
    rank = predicted.rank(method="first")
    group = pd.qcut(rank, bins, labels=range(1, bins + 1))
    df = pd.DataFrame({"predicted": predicted, "actual": actual.reindex(predicted.index)})
    out = df.groupby(group, observed=True).agg(
        customers=("predicted", "size"), predicted=("predicted", "mean"), actual=("actual", "mean")
    )
    out["ratio"] = out["actual"] / out["predicted"]
    out.index.name = "decile"
    return out


@dataclass
class HoldoutEvaluation:
    """``table``: one row per model; ``deciles``: calibration by decile of predicted holdout
    spend, index (model, decile)."""

    table: pd.DataFrame
    deciles: pd.DataFrame


def holdout_value(cal: pd.DataFrame) -> pd.Series:
    """Realised holdout value per customer when the raw log is not at hand:
    ``frequency_holdout`` × ``monetary_value_holdout`` (exact when a purchase period holds one
    transaction; pass the summed holdout spend to :func:`evaluate_holdout` otherwise)."""
    return (cal["frequency_holdout"] * cal["monetary_value_holdout"]).rename("holdout_value")


def evaluate_holdout(
    cal: pd.DataFrame,
    models: dict[str, tuple],
    *,
    actual_value: pd.Series | None = None,
    steps: int = 12,
    discount_rate: float = 0.01,
    bins: int = 10,
) -> HoldoutEvaluation:
    """Per model (name → (purchase model, spend model) fitted on the calibration period): MAE,
    RMSE, bias and total error of holdout purchases (``purchases_*``, periods with a purchase)
    and holdout spend (``spend_*``: predicted purchases × expected spend per purchase against
    ``actual_value``, default :func:`holdout_value`; money unit of the data), ``gini`` and
    ``gini_normalized`` of the discounted CLV over the holdout (``steps``, ``discount_rate`` as
    in :func:`crm_research.clv.discounted_clv`) against realised value, and the totals."""
    s = rfm.calibration_summary(cal).join(
        cal.drop(columns=[c for c in cal if c.endswith(("_cal", "_holdout"))])
    )
    horizon = float(cal["duration_holdout"].iloc[0])
    value = (holdout_value(cal) if actual_value is None else actual_value).reindex(cal.index)
    value = value.fillna(0.0)
    purchases = cal["frequency_holdout"]
    rows, deciles = {}, {}
    for name, (purchase, spend) in models.items():
        sc = cov.predict(
            purchase, spend, s, horizon=horizon, steps=steps, discount_rate=discount_rate
        )
        pred_spend = sc["expected_purchases"] * sc["expected_spend"]
        row = {
            f"purchases_{k}": v
            for k, v in prediction_errors(sc["expected_purchases"], purchases).items()
        }
        row |= {f"spend_{k}": v for k, v in prediction_errors(pred_spend, value).items()}
        row |= {
            "gini": gini(sc["clv"], value),
            "gini_normalized": gini_normalized(sc["clv"], value),
        }
        row |= {
            "purchases_predicted": float(sc["expected_purchases"].sum()),
            "purchases_actual": float(purchases.sum()),
            "spend_predicted": float(pred_spend.sum()),
            "spend_actual": float(value.sum()),
        }
        rows[name] = row
        deciles[name] = _deciles(sc["expected_purchases"], purchases, pred_spend, value, bins)
    table = pd.DataFrame(rows).T
    table.index.name = "model"
    return HoldoutEvaluation(table, pd.concat(deciles, names=["model"]))


def _deciles(pred_n, actual_n, pred_v, actual_v, bins) -> pd.DataFrame:
    """Decile table of predicted spend with purchases alongside (same groups)."""
    v = decile_table(pred_v, actual_v, bins)
    rank = pred_v.rank(method="first")
    group = pd.qcut(rank, bins, labels=range(1, bins + 1))
    n = pd.DataFrame({"p": pred_n, "a": actual_n}).groupby(group, observed=True).mean()
    return pd.DataFrame(
        {
            "customers": v["customers"],
            "purchases_predicted": n["p"].to_numpy(),
            "purchases_actual": n["a"].to_numpy(),
            "spend_predicted": v["predicted"],
            "spend_actual": v["actual"],
        },
        index=v.index,
    )
