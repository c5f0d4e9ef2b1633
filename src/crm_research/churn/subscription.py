"""Real subscription churn (IBM Telco, :mod:`crm_research.data.telco`): logistic regression and
gradient boosting on one-hot contract and service columns, stratified cross-validation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

TELCO_NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]
TELCO_CATEGORICAL = [
    "gender",
    "Partner",
    "Dependents",
    "PhoneService",
    "MultipleLines",
    "InternetService",
    "OnlineSecurity",
    "OnlineBackup",
    "DeviceProtection",
    "TechSupport",
    "StreamingTV",
    "StreamingMovies",
    "Contract",
    "PaperlessBilling",
    "PaymentMethod",
]


def telco_models(seed: int = 0) -> dict[str, object]:
    """Logistic regression and gradient boosting with one-hot categorical columns."""

    def prep():
        return ColumnTransformer(
            [
                ("num", StandardScaler(), TELCO_NUMERIC),
                (
                    "cat",
                    OneHotEncoder(handle_unknown="ignore", drop="if_binary"),
                    TELCO_CATEGORICAL,
                ),
            ]
        )

    return {
        "logistic regression": make_pipeline(prep(), LogisticRegression(max_iter=2000, C=1.0)),
        "gradient boosting": make_pipeline(
            prep(),
            HistGradientBoostingClassifier(
                learning_rate=0.05, max_leaf_nodes=15, max_iter=200, random_state=seed
            ),
        ),
    }


def telco_cross_validation(
    df: pd.DataFrame, seed: int = 0, folds: int = 5
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Stratified ``folds``-fold cross-validation: per model ROC AUC (mean, SD over folds), PR AUC
    and Brier score of the out-of-fold probabilities; returns the table and those probabilities.

    One fit per model and fold gives both the fold scores and the out-of-fold probabilities (the
    same numbers as scikit-learn's ``cross_validate`` with the ``roc_auc``, ``average_precision``
    and ``neg_brier_score`` scorers, which rank by ``decision_function``, and
    ``cross_val_predict``, at half the fits)."""
    X, y = df[TELCO_NUMERIC + TELCO_CATEGORICAL], df["churned"].astype(int)
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    splits = list(cv.split(X, y))
    rows, oof = {}, {}
    for name, model in telco_models(seed).items():
        auc, ap, brier = [], [], []
        pred = np.empty(len(y))
        for tr, te in splits:
            m = clone(model).fit(X.iloc[tr], y.iloc[tr])
            score, proba = m.decision_function(X.iloc[te]), m.predict_proba(X.iloc[te])[:, 1]
            auc.append(roc_auc_score(y.iloc[te], score))
            ap.append(average_precision_score(y.iloc[te], score))
            brier.append(brier_score_loss(y.iloc[te], proba))
            pred[te] = proba
        oof[name] = pred
        rows[name] = {
            "ROC AUC": np.mean(auc),
            "ROC AUC SD": np.std(auc),
            "PR AUC": np.mean(ap),
            "Brier score": np.mean(brier),
        }
    return pd.DataFrame(rows).T, oof
