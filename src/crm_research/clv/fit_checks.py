"""Checking purchase models on a holdout period: the naive baseline, predicted holdout purchases,
customer-level errors, conditional expectations by calibration frequency and the tracking plot's
cumulative repeat transactions (Fader, Hardie & Lee 2005), and the BG/NBD truth of a simulated
customer.

Inputs are :func:`crm_research.rfm.calibration_holdout` frames (``*_cal`` and ``*_holdout``
columns); time is in the summary's unit (e.g. weeks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research import rfm
from crm_research.clv.models import BTYDModel


def naive_holdout_prediction(cal: pd.DataFrame) -> pd.Series:
    """Baseline: each customer's past repeat rate carried forward (frequency / T × holdout length)."""
    rate = cal["frequency_cal"] / cal["T_cal"].where(cal["T_cal"] > 0)
    return (rate.fillna(0) * cal["duration_holdout"]).rename("naive")


def holdout_predictions(model: BTYDModel, cal: pd.DataFrame) -> pd.Series:
    """Predicted holdout purchases per customer from calibration features."""

    s = rfm.calibration_summary(cal)
    return model.expected_purchases(float(cal["duration_holdout"].iloc[0]), s).rename(model.label)


def error_table(actual: pd.Series, predictions: dict[str, pd.Series]) -> pd.DataFrame:
    """Customer-level MAE, RMSE, correlation, and total predicted vs actual, per prediction."""
    rows = {}
    for name, pred in predictions.items():
        e = pred - actual
        rows[name] = {
            "MAE": float(np.abs(e).mean()),
            "RMSE": float(np.sqrt((e**2).mean())),
            "correlation": float(np.corrcoef(pred, actual)[0, 1]),
            "total predicted": float(pred.sum()),
            "total actual": float(actual.sum()),
            "total error %": float(100 * (pred.sum() - actual.sum()) / actual.sum()),
        }
    return pd.DataFrame(rows).T


def conditional_expectations(
    actual: pd.Series, predictions: dict[str, pd.Series], frequency: pd.Series, max_freq: int = 7
) -> pd.DataFrame:
    """Mean holdout purchases by calibration frequency (0..``max_freq``+), actual and predicted."""
    group = frequency.clip(upper=max_freq).astype(int)
    df = pd.DataFrame({"actual": actual, **predictions, "n": 1}).groupby(group.to_numpy())
    out = df.mean(numeric_only=True)
    out["n"] = df["n"].sum()
    out.index = [str(i) if i < max_freq else f"{max_freq}+" for i in out.index]
    out.index.name = "calibration repeat purchases"
    return out


def tracking(
    model: BTYDModel,
    transactions: pd.DataFrame,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "date",
    start: str | pd.Timestamp,
    periods: int,
    period_days: float = 7.0,
) -> pd.DataFrame:
    """Cumulative repeat transactions per period since ``start``: actual and model-predicted.

    Repeat transactions are purchase days after each customer's first. The prediction sums, over
    customers, the expected repeat purchases of a new customer by the age each has reached (the
    unconditional forecast, as in Fader, Hardie & Lee 2005, Figure 2).
    """
    days = transactions[[customer_col, datetime_col]].drop_duplicates()
    first = days.groupby(customer_col)[datetime_col].transform("min")
    repeats = days.loc[days[datetime_col] > first, datetime_col].value_counts()
    births = days.groupby(customer_col)[datetime_col].min()
    return tracking_from_counts(
        model, repeats, births, start=start, periods=periods, period_days=period_days
    )


def tracking_from_counts(
    model: BTYDModel,
    repeats: pd.Series,
    births: pd.Series,
    *,
    start: str | pd.Timestamp,
    periods: int,
    period_days: float = 7.0,
) -> pd.DataFrame:
    """:func:`tracking` from aggregates: ``repeats`` (repeat purchase days per date, indexed by
    date) and ``births`` (each customer's first purchase date, in customer order)."""
    start = pd.Timestamp(start)
    k = np.floor((repeats.index.to_series() - start).dt.days / period_days).astype(int) + 1
    per = pd.Series(repeats.to_numpy(), index=k.to_numpy())
    per = per[per.index <= periods].groupby(level=0).sum()
    actual = per.reindex(range(1, periods + 1), fill_value=0).cumsum()
    b = ((births - start).dt.days / period_days).to_numpy()
    ends = np.arange(1, periods + 1)
    # customers share few birth days: the forecast is evaluated once per distinct birth and
    # indexed back, so the sum (same terms, same order) is that over every customer
    births_u, inverse = np.unique(b, return_inverse=True)
    # purchase days are whole days: a customer born on day d can repeat from day d + 1 on
    pred = np.array(
        [
            model.expected_repeat_purchases_new_customer(
                np.clip(e - births_u - 1 / period_days, 0, None)
            )[inverse].sum()
            for e in ends
        ]
    )
    return pd.DataFrame(
        {"actual": actual.to_numpy(), "predicted": pred}, index=pd.Index(ends, name="period")
    )


def bgnbd_expected_purchases_if_alive(lam: np.ndarray, p: np.ndarray, h: float) -> np.ndarray:
    """Expected purchases in the next ``h`` time units of a customer alive now with purchase rate
    ``lam`` and dropout probability ``p`` (BG/NBD: dropout hazard λp, so E = (1 − e^(−λph)) / p).
    The truth against which simulated-world predictions are scored."""
    lam, p = np.asarray(lam, dtype="float64"), np.asarray(p, dtype="float64")
    return -np.expm1(-lam * p * h) / p
