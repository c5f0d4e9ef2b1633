"""Real subscription churn (IBM Telco, :mod:`crm_research.data.telco`): logistic regression and
gradient boosting on one-hot contract and service columns, stratified cross-validation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_validate
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
    and Brier score of the out-of-fold probabilities; returns the table and those probabilities."""
    X, y = df[TELCO_NUMERIC + TELCO_CATEGORICAL], df["churned"].astype(int)
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    rows, oof = {}, {}
    for name, model in telco_models(seed).items():
        r = cross_validate(
            model, X, y, cv=cv, scoring=["roc_auc", "average_precision", "neg_brier_score"]
        )
        oof[name] = cross_val_predict(model, X, y, cv=cv, method="predict_proba")[:, 1]
        rows[name] = {
            "ROC AUC": r["test_roc_auc"].mean(),
            "ROC AUC SD": r["test_roc_auc"].std(),
            "PR AUC": r["test_average_precision"].mean(),
            "Brier score": -r["test_neg_brier_score"].mean(),
        }
    return pd.DataFrame(rows).T, oof
