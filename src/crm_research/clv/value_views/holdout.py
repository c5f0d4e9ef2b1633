"""The holdout evaluation of notebook 02 as one table (:mod:`crm_research.clv.evaluation`) with the
naive baseline, with or without amounts (:func:`calibration_data`, :func:`holdout_spend`,
:func:`evaluate_models`). Time unit: weeks; money scaled by :func:`crm_research.reporting.kpi.money_scale`
where a docstring says "scaled".
"""

from __future__ import annotations

import pandas as pd

from crm_research import rfm
from crm_research.clv import covariates as cov
from crm_research.clv import evaluation, fit_checks, formulas, sampling
from crm_research.clv import models as btyd
from crm_research.clv.views import window as clv_window

NAIVE = "naive (past rate)"


def calibration_data(con, window: dict, *, has_amount: bool) -> pd.DataFrame:
    """:func:`crm_research.clv.views.window.calibration_data` with the mean spend of the calibration
    period (``monetary_value_cal``, currency) when the data have amounts."""
    if not has_amount:
        return clv_window.calibration_data(con, window)
    cal = rfm.calibration_holdout(
        con.table("transactions"),
        monetary_col="amount",
        calibration_end=f"{window['calibration_end']:%Y-%m-%d}",
        observation_end=f"{window['observation_end']:%Y-%m-%d}",
        freq="D",
        freq_multiplier=clv_window.WEEK,
    )
    cal["monetary_value_cal"] = cal["monetary_value_cal"].fillna(0.0)
    return cal


def holdout_spend(con, window: dict) -> pd.Series:
    """Realised spend per customer in the holdout, in the currency, over the same period as
    :func:`calibration_data`'s ``frequency_holdout`` (after the calibration end date, up to the
    observation end date, as :func:`crm_research.rfm.calibration_holdout` bounds them); customers
    without holdout purchases are absent."""
    t = con.table("transactions")
    ts = t.ordered_at.cast("timestamp")
    cal_end = pd.Timestamp(f"{window['calibration_end']:%Y-%m-%d}")
    obs_end = pd.Timestamp(f"{window['observation_end']:%Y-%m-%d}")
    h = t.filter((ts > cal_end) & (ts <= obs_end))
    df = h.group_by("customer_id").aggregate(v=h.amount.sum()).to_pandas()
    return df.set_index("customer_id")["v"].astype("float64").fillna(0.0).rename("holdout_value")


class _UnitSpend:
    """A spend model worth 1 per purchase: value counted in purchases (data without amounts)."""

    @staticmethod
    def expected_spend(summary: pd.DataFrame) -> pd.Series:
        return pd.Series(1.0, index=summary.index, name="expected_spend")


MONEY_COLUMNS = ("spend_mae", "spend_rmse", "spend_bias", "spend_predicted", "spend_actual")


def evaluate_models(
    cal: pd.DataFrame,
    purchase_models: dict[str, btyd.BTYDModel | cov.CovariateFit],
    spend: btyd.SpendModel | cov.CovariateFit | dict | None = None,
    *,
    actual_value: pd.Series | None = None,
    money_scale: float = 1.0,
    discount_rate_monthly: float = 0.01,
    naive: bool = True,
) -> evaluation.HoldoutEvaluation:
    """The holdout evaluation as one table (:func:`crm_research.clv.evaluation.evaluate_holdout`)
    for every purchase model fitted on the calibration period (name → model; a
    :class:`~crm_research.clv.covariates.CovariateFit` needs its covariate columns in ``cal``),
    each paired with ``spend`` (one spend model for all, or name → spend model; the scaled
    Gamma-Gamma of the calibration period), and the naive baseline (past repeat rate carried
    forward, valued at the customer's past mean spend). ``cal``: :func:`calibration_data` with
    ``monetary_value_cal`` divided by ``money_scale`` (the unit the spend models were fitted in).

    With amounts, ``actual_value`` is the realised holdout spend (currency; :func:`holdout_spend`)
    and ``spend_*`` columns are in the currency (scaled back by ``money_scale``); the Gini ranks
    by discounted CLV. Without a spend model value is counted in purchases: the ``spend_*``
    columns are dropped and the Gini ranks expected purchases against realised holdout
    purchases. Models outside :data:`crm_research.clv.formulas.MODELS` (MBG/NBD) and the naive
    baseline rank by predicted holdout value (undiscounted). ``table.attrs['value_of']``:
    "spend" or "purchases"."""

    has_spend = spend is not None
    if has_spend:
        value = actual_value.reindex(cal.index).fillna(0.0) / money_scale
    else:
        value = cal["frequency_holdout"].astype("float64")
    rows, deciles, manual = {}, {}, {}
    for name, m in purchase_models.items():
        sp = (spend.get(name) if isinstance(spend, dict) else spend) if has_spend else _UnitSpend()
        kind = m.model if isinstance(m, btyd.BTYDModel) else m.kind
        if kind in formulas.MODELS:
            ev = evaluation.evaluate_holdout(
                cal, {name: (m, sp)}, actual_value=value, discount_rate=discount_rate_monthly
            )
            rows[name] = ev.table.loc[name]
            deciles[name] = ev.deciles.loc[name]
        else:
            pred = fit_checks.holdout_predictions(m, cal)
            manual[name] = (pred, pred * sp.expected_spend(rfm.calibration_summary(cal)))
    if naive:
        pred = fit_checks.naive_holdout_prediction(cal)
        per = cal["monetary_value_cal"] if has_spend else 1.0
        manual[NAIVE] = (pred, pred * per)
    for name, (pred_n, pred_v) in manual.items():
        row = {
            f"purchases_{k}": v
            for k, v in evaluation.prediction_errors(pred_n, cal["frequency_holdout"]).items()
        }
        row |= {f"spend_{k}": v for k, v in evaluation.prediction_errors(pred_v, value).items()}
        row |= {
            "gini": evaluation.gini(pred_v, value),
            "gini_normalized": evaluation.gini_normalized(pred_v, value),
            "purchases_predicted": float(pred_n.sum()),
            "purchases_actual": float(cal["frequency_holdout"].sum()),
            "spend_predicted": float(pred_v.sum()),
            "spend_actual": float(value.sum()),
        }
        rows[name] = pd.Series(row)
        deciles[name] = evaluation._deciles(pred_n, cal["frequency_holdout"], pred_v, value, 10)
    table = pd.DataFrame(rows).T
    table.index.name = "model"
    dec = pd.concat(deciles, names=["model"])
    if has_spend:
        table[list(MONEY_COLUMNS)] = table[list(MONEY_COLUMNS)] * money_scale
        dec[["spend_predicted", "spend_actual"]] *= money_scale
    else:
        table = table.drop(columns=[c for c in table if c.startswith("spend_")])
        dec = dec.drop(columns=["spend_predicted", "spend_actual"])
    table.attrs["value_of"] = "spend" if has_spend else "purchases"
    return evaluation.HoldoutEvaluation(table, dec)


def best_by_mae(table: pd.DataFrame) -> str:
    """The model (not the naive baseline) with the smallest holdout purchases MAE."""
    return str(table.drop(index=NAIVE, errors="ignore")["purchases_mae"].astype(float).idxmin())


def calibration_spend(
    cal: pd.DataFrame,
    money_scale: float,
    penalizer: float = 0.0,
    fit_customers: int | None = sampling.FIT_SAMPLE,
    fit_seed: int = sampling.FIT_SEED,
) -> tuple[pd.DataFrame, btyd.SpendModel | None]:
    """``cal`` with ``monetary_value_cal`` divided by ``money_scale`` and the Gamma-Gamma fitted
    on its repeat customers (None without amounts or without a repeat customer with a positive
    amount); with more than ``fit_customers`` customers, on the repeat customers of the seeded
    sample the purchase models were fitted on (:func:`crm_research.clv.sampling.fit_sample`)."""
    if "monetary_value_cal" not in cal:
        return cal, None
    cal = cal.assign(monetary_value_cal=cal["monetary_value_cal"] / money_scale)
    s = sampling.fit_sample(rfm.calibration_summary(cal), fit_customers, fit_seed)
    if not ((s["frequency"] > 0) & (s["monetary_value"] > 0)).any():
        return cal, None
    return cal, btyd.fit_gamma_gamma(s, penalizer=penalizer)


def holdout_display(table: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """:func:`evaluate_models`' table with the columns a report shows, named for readers
    (errors per customer; total error as a fraction; money in ``currency``)."""
    names = {
        "purchases_mae": "purchases MAE",
        "purchases_rmse": "purchases RMSE",
        "purchases_bias": "purchases bias",
        "purchases_total_error": "purchases total error",
        "spend_mae": f"spend MAE ({currency})",
        "spend_rmse": f"spend RMSE ({currency})",
        "spend_bias": f"spend bias ({currency})",
        "spend_total_error": "spend total error",
        "gini": "Gini",
        "gini_normalized": "Gini / best possible",
    }
    return table[[c for c in names if c in table.columns]].astype(float).rename(columns=names)
