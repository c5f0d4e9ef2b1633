"""Churn models: a recency rule, BTYD scores (1 − P(alive), P(no purchase in the horizon)),
logistic regression (statsmodels, odds ratios) and gradient boosting with hyper-parameters chosen
on rolling out-of-time folds, calibrated (isotonic) on out-of-time predictions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import roc_auc_score

from crm_research import clv, rfm
from crm_research.clv import sampling


def btyd_scores(
    transactions,
    cutoff: str | pd.Timestamp,
    horizon_days: int,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    fit_customers: int | None = sampling.FIT_SAMPLE,
    fit_seed: int = sampling.FIT_SEED,
) -> pd.DataFrame:
    """BG/NBD fitted on the purchases up to ``cutoff`` (weeks): ``one_minus_p_alive`` and
    ``p_no_purchase`` (probability of no purchase in the next ``horizon_days``). Above
    ``fit_customers`` customers fitted on a seeded sample (``attrs['fit_note']`` says so), every
    customer scored."""
    s = rfm.btyd_summary(
        transactions,
        customer_col=customer_col,
        datetime_col=datetime_col,
        observation_end=cutoff,
        freq="D",
        freq_multiplier=7,
    )
    fitted = sampling.fit_sample(s, fit_customers, fit_seed)
    m = clv.fit_btyd(fitted, "bgnbd")
    pa = m.p_alive(s)
    p0 = bgnbd_p_no_purchase(m.params, s, horizon_days / 7, pa)
    out = pd.DataFrame({"one_minus_p_alive": 1 - pa, "p_no_purchase": p0}, index=s.index)
    out.attrs["fit_note"] = sampling.sample_note(len(fitted), len(s), fit_seed)
    return out


def bgnbd_p_no_purchase(
    params: pd.Series, summary: pd.DataFrame, h: float, p_alive: pd.Series
) -> pd.Series:
    """BG/NBD probability of no purchase in the next ``h`` periods: dead, or alive and no Poisson
    event. Given alive, λ ~ Gamma(r + x, α + T) a posteriori, and a live customer can only drop out
    right after a purchase, so P = (1 − P(alive)) + P(alive)·((α + T)/(α + T + h))^(r + x)."""
    r, a = params["r"], params["alpha"]
    x, T = summary["frequency"], summary["T"]
    quiet = ((a + T) / (a + T + h)) ** (r + x)
    return ((1 - p_alive) + p_alive * quiet).clip(0, 1).rename("p_no_purchase")


def recency_rule(features: pd.DataFrame, threshold_days: float) -> pd.Series:
    """Baseline: churn predicted when the last purchase is older than ``threshold_days``. Returns
    the recency itself as the ranking score (for ROC/PR); ``> threshold`` is the decision."""
    return features["recency_days"].rename("recency rule")


@dataclass
class Logit:
    """statsmodels logistic regression on standardised features (odds ratio per 1 SD)."""

    features: list[str]
    result: object = None
    mean_: pd.Series = None
    sd_: pd.Series = None
    dropped_: list[str] = field(default_factory=list)

    def fit(self, X: pd.DataFrame, y: pd.Series) -> Logit:
        sd = X[self.features].std(ddof=0)
        self.dropped_ = [f for f in self.features if not sd[f] > 0]  # constant here: no information
        self.features = [f for f in self.features if sd[f] > 0]
        self.mean_, self.sd_ = X[self.features].mean(), sd[self.features]
        Z = sm.add_constant((X[self.features] - self.mean_) / self.sd_)
        self.result = sm.Logit(y.astype(float), Z).fit(disp=False, maxiter=200)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        Z = sm.add_constant((X[self.features] - self.mean_) / self.sd_, has_constant="add")
        return np.asarray(self.result.predict(Z))

    def odds_ratios(self) -> pd.DataFrame:
        """Odds ratio per one standard deviation of each feature, with 95% interval and p-value."""
        ci = self.result.conf_int()
        out = pd.DataFrame(
            {
                "odds ratio": np.exp(self.result.params),
                "ci low": np.exp(ci[0]),
                "ci high": np.exp(ci[1]),
                "p-value": self.result.pvalues,
            }
        )
        out["feature SD"] = self.sd_.reindex(out.index)
        return out.drop(index="const")


def gradient_boosting(params: dict, seed: int = 0) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(random_state=seed, **params)


GB_GRID = [
    {"learning_rate": lr, "max_leaf_nodes": leaves, "class_weight": cw, "max_iter": 200}
    for lr in (0.05, 0.1)
    for leaves in (15, 31)
    for cw in (None, "balanced")
]


def select_by_time(
    folds: list[tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]],
    features: list[str],
    grid: list[dict] = GB_GRID,
    seed: int = 0,
) -> tuple[dict, pd.DataFrame]:
    """Choose gradient-boosting hyper-parameters by mean ROC AUC over rolling out-of-time folds
    (train at one cut-off, validate at the next). Returns the best parameters and the table."""
    rows = []
    for i, p in enumerate(grid):
        aucs = []
        for Xtr, ytr, Xva, yva in folds:
            m = gradient_boosting(p, seed).fit(Xtr[features], ytr)
            aucs.append(roc_auc_score(yva, m.predict_proba(Xva[features])[:, 1]))
        rows.append(
            {"candidate": i, **{k: str(v) for k, v in p.items()}, "mean AUC": float(np.mean(aucs))}
        )
    table = pd.DataFrame(rows).set_index("candidate")
    return grid[int(table["mean AUC"].idxmax())], table


def calibrator(scores: np.ndarray, outcomes: np.ndarray) -> IsotonicRegression:
    """Isotonic map from raw scores to probabilities, fitted on out-of-time predictions."""
    return IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(scores, outcomes)
