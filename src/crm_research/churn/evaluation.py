"""Evaluation of churn scores: ROC/PR AUC and Brier score, reliability, lift and gains, the score
against the simulator's true dropout, permutation importances, report tables of estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from crm_research import integrate
from crm_research.churn.study import ChurnRun

# the models whose reliability notebook 04 plots (names of ``run.scores``)
RELIABILITY_MODELS = (
    "logistic regression",
    "gradient boosting",
    "gradient boosting, calibrated",
    "BG/NBD P(no purchase in horizon)",
)


def estimates_display(table: pd.DataFrame) -> pd.DataFrame:
    """An odds-ratio or hazard-ratio table (``odds_ratios``, :func:`cox`, :func:`lapse_cox`) for a
    report: ``ci low``/``ci high`` named ``95% low``/``95% high``, the p-value as text
    (``< 0.001`` or three decimals)."""
    out = table.rename(columns={"ci low": "95% low", "ci high": "95% high"})
    if "p-value" in out:
        out["p-value"] = out["p-value"].map(lambda p: "< 0.001" if p < 0.001 else f"{p:.3f}")
    return out


def evaluate(
    y: pd.Series, scores: dict[str, np.ndarray], probabilistic: set[str] | None = None
) -> pd.DataFrame:
    """ROC AUC, PR AUC (average precision) and, for probabilistic scores, the Brier score."""
    probabilistic = set(scores) if probabilistic is None else probabilistic
    rows = {}
    for name, s in scores.items():
        s = np.asarray(s, dtype=float)
        rows[name] = {
            "ROC AUC": roc_auc_score(y, s),
            "PR AUC": average_precision_score(y, s),
            "Brier score": brier_score_loss(y, s) if name in probabilistic else np.nan,
        }
    return pd.DataFrame(rows).T


def reliability(y: pd.Series, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Mean predicted probability and observed rate per predicted-probability decile."""
    df = pd.DataFrame({"p": np.asarray(p, dtype=float), "y": np.asarray(y, dtype=float)})
    df["bin"] = pd.qcut(df["p"].rank(method="first"), bins, labels=False)
    return df.groupby("bin").agg(predicted=("p", "mean"), observed=("y", "mean"), n=("y", "size"))


def lift_table(y: pd.Series, score: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Per decile of score (1 = highest risk): churn rate, lift over the base rate, and the
    cumulative share of all churners captured (gains)."""
    df = pd.DataFrame({"s": np.asarray(score, dtype=float), "y": np.asarray(y, dtype=float)})
    df["decile"] = pd.qcut(
        df["s"].rank(method="first", ascending=False), bins, labels=range(1, bins + 1)
    )
    t = df.groupby("decile", observed=True).agg(customers=("y", "size"), churners=("y", "sum"))
    t["churn rate"] = t["churners"] / t["customers"]
    t["lift"] = t["churn rate"] / df["y"].mean()
    t["cumulative gains"] = t["churners"].cumsum() / df["y"].sum()
    return t


def true_dropout(con, index: pd.Index, end: str | pd.Timestamp) -> pd.Series:
    """Simulated data only: did the customer truly drop out (the simulator's churn date) by
    ``end``? Boolean per customer in ``index``."""
    truth = integrate.customer_truth(con).reindex(index)
    return (truth["churned_at"].notna() & (truth["churned_at"] <= pd.Timestamp(end))).rename(
        "true dropout"
    )


def model_table(run: ChurnRun, true_churn: pd.Series | None = None) -> pd.DataFrame:
    """:func:`evaluate` of every score of the run against the labels, with the ROC AUC against
    the true dropout when ``true_churn`` is given (simulated data)."""
    table = evaluate(run.test_y, run.scores, run.probabilistic)
    if true_churn is not None:
        table["ROC AUC vs true dropout"] = [
            roc_auc_score(true_churn, s) for s in run.scores.values()
        ]
    return table


def best_model(table: pd.DataFrame) -> tuple[str, str, str]:
    """(best model, the recency rule's row name, the column ranked): the best non-rule score by
    ROC AUC against the truth when the table has it, else against the labels."""
    col = "ROC AUC vs true dropout" if "ROC AUC vs true dropout" in table else "ROC AUC"
    rule = next(n for n in table.index if n.startswith("recency"))
    return str(table[col].drop(index=rule).idxmax()), rule, col


def permutation_importances(
    run: ChurnRun, *, n: int = 5000, seed: int = 0
) -> tuple[pd.Series, pd.Index]:
    """Gradient boosting's permutation importance (drop in test ROC AUC, 3 repeats) on a seeded
    sample of ``n`` test customers, ascending; and that sample's index (for partial dependence)."""
    feats = run.extra["features"]
    sample = run.test_X.sample(n=min(n, len(run.test_X)), random_state=seed).index
    pi = permutation_importance(
        run.gb_model,
        run.test_X.loc[sample, feats],
        run.test_y[sample],
        scoring="roc_auc",
        n_repeats=3,
        random_state=seed,
    )
    return pd.Series(pi.importances_mean, index=feats).sort_values(), sample
