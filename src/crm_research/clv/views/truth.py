"""Scoring CLV predictions against the simulator's truth (simulated data only): true targets per
customer, P(alive) discrimination and calibration, deciles of predicted against true value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research import integrate, rfm
from crm_research.clv import fit_checks
from crm_research.clv import models as btyd
from crm_research.clv.views.purchase_models import holdout_predictions
from crm_research.clv.views.window import WEEK


def truth_targets(con, cal: pd.DataFrame, calibration_end: str | pd.Timestamp) -> pd.DataFrame:
    """Per calibration customer: ``alive`` (truly alive the day after the calibration end) and
    ``true_expected`` holdout purchases given the simulator's true λ and p
    (:func:`crm_research.clv.bgnbd_expected_purchases_if_alive`; 0 when dead)."""

    truth = integrate.customer_truth(con).reindex(cal.index)
    cut = pd.Timestamp(calibration_end) + pd.Timedelta(days=1)
    alive = truth["churned_at"].isna() | (truth["churned_at"] > cut)
    h_days = float(cal["duration_holdout"].iloc[0]) * WEEK
    lam, p = truth["lambda_per_day"], truth["p_dropout"]
    expected = np.where(alive, fit_checks.bgnbd_expected_purchases_if_alive(lam, p, h_days), 0.0)
    return pd.DataFrame({"alive": alive.astype(bool), "true_expected": expected}, index=cal.index)


def truth_scores(
    models: dict[str, btyd.BTYDModel], cal: pd.DataFrame, truth: pd.DataFrame
) -> pd.DataFrame:
    """Per model (and the naive baseline): P(alive) ROC AUC and Brier score against the true
    alive flag, correlation and MAE of predicted holdout purchases against the true expected
    purchases, and MAE against the actual holdout purchases."""
    from sklearn.metrics import brier_score_loss, roc_auc_score  # optional: truth only

    summary = rfm.calibration_summary(cal)
    actual, true_exp = cal["frequency_holdout"], truth["true_expected"]
    both = truth["alive"].nunique() == 2
    rows = {}
    for name, pred in holdout_predictions(models, cal).items():
        row = {}
        fit = next((f for f in models.values() if f.label == name), None)
        if fit is not None and both:
            pa = fit.p_alive(summary)
            row["P(alive) ROC AUC vs true alive"] = roc_auc_score(truth["alive"], pa)
            row["P(alive) Brier score"] = brier_score_loss(truth["alive"], pa)
        row["corr(predicted, true expected purchases)"] = np.corrcoef(pred, true_exp)[0, 1]
        row["MAE vs true expected purchases"] = np.abs(pred - true_exp).mean()
        row["MAE vs actual holdout purchases"] = np.abs(pred - actual).mean()
        rows[name] = row
    cols = [
        "P(alive) ROC AUC vs true alive",
        "P(alive) Brier score",
        "corr(predicted, true expected purchases)",
        "MAE vs true expected purchases",
        "MAE vs actual holdout purchases",
    ]
    out = pd.DataFrame(rows).T.reindex(columns=cols)
    models_first = [n for n in out.index if n != "naive (past rate)"] + ["naive (past rate)"]
    return out.loc[models_first]


def p_alive_reliability(p_alive: pd.Series, alive: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Mean predicted P(alive) and share truly alive per bin of predicted P(alive)."""
    b = pd.cut(p_alive, np.linspace(0, 1, bins + 1), include_lowest=True)
    df = pd.DataFrame({"predicted": p_alive, "true": alive.astype(float)})
    return df.groupby(b, observed=True).mean()


def deciles_vs_truth(pred: pd.Series, truth: pd.DataFrame, actual: pd.Series) -> pd.DataFrame:
    """Mean predicted, true expected and actual holdout purchases per decile of the prediction
    (decile 10 = highest)."""
    dec = pd.qcut(pred.rank(method="first"), 10, labels=range(1, 11))
    df = pd.DataFrame(
        {"predicted": pred, "true expected": truth["true_expected"], "actual": actual}
    )
    out = df.groupby(dec, observed=True).mean()
    out.index.name = "decile of predicted purchases"
    return out
