"""The time-split churn study: train on earlier cut-offs, test on a later one, never a random split
of one period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_research.churn.labels import FEATURES, churn_features, churn_labels, cutoffs
from crm_research.churn.models import (
    Logit,
    btyd_scores,
    calibrator,
    gradient_boosting,
    recency_rule,
    select_by_time,
)
from crm_research.clv import sampling

# customers a model is trained on at most per cut-off (a seeded sample above; the default world
# and CDNOW stay whole): one gradient-boosting fit on 458,495 rows took 51 s
TRAIN_SAMPLE = 100_000
# customers per training cut-off the hyper-parameter grid (8 candidates x the folds) is tuned on at
# most: the grid's 16 fits cost what 4 fits on TRAIN_SAMPLE would; the chosen candidate is then
# trained on the (larger) training sample. The default world and CDNOW (< 25,000) stay whole.
TUNE_SAMPLE = 25_000


def _train_rows(
    X: pd.DataFrame, y: pd.Series, fit_rows: int | None, seed: int
) -> tuple[pd.DataFrame, pd.Series]:
    Xs = sampling.fit_sample(X, fit_rows, seed)
    return (X, y) if Xs is X else (Xs, y.loc[Xs.index])


@dataclass
class ChurnRun:
    """Everything one time-split churn study produced (for notebooks and tests)."""

    cutoffs: list[pd.Timestamp]
    horizon_days: int
    test_X: pd.DataFrame
    test_y: pd.Series
    scores: dict[str, np.ndarray]
    probabilistic: set[str]
    gb_params: dict
    selection: pd.DataFrame
    logit: Logit
    gb_model: object
    extra: dict = field(default_factory=dict)


def time_split_study(
    transactions,
    test_cutoff: str | pd.Timestamp,
    horizon_days: int,
    *,
    touchpoints=None,
    features: list[str] | None = None,
    recency_threshold_days: float | None = None,
    eval_horizon_days: int | None = None,
    n_folds: int = 2,
    active_within_days: float | None = 365,
    monetary_col: str | None = "amount",
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    seed: int = 0,
    fit_rows: int | None = TRAIN_SAMPLE,
    fit_seed: int = sampling.FIT_SEED,
    tune_rows: int | None = TUNE_SAMPLE,
) -> ChurnRun:
    """Train on earlier cut-offs, test at ``test_cutoff``; never a random split of one period.

    Cut-offs c_0 < ... < c_n = test are ``horizon_days`` apart. Gradient-boosting hyper-parameters
    are chosen on the rolling folds (c_i → c_{i+1}); the final models are trained at c_{n-1} (their
    labels end at the test cut-off) and calibrated (isotonic) on the last fold's out-of-time
    predictions. The test labels use ``eval_horizon_days`` (default ``horizon_days``). The
    population at each cut-off is the customers who bought in the ``active_within_days`` before it
    (None: everyone who ever bought).

    Above ``fit_rows`` customers at a training cut-off the models are trained on a seeded random
    sample of them (:func:`crm_research.clv.sampling.fit_sample`, ``fit_seed``); validation and
    test customers are all scored. Above ``tune_rows`` the hyper-parameters are chosen on a
    seeded sample of that many per training cut-off (validation customers all scored) and the
    chosen candidate is trained on the training sample; the BG/NBD scores are fitted on a seeded
    sample above :data:`crm_research.clv.sampling.FIT_SAMPLE`. ``extra['fit_note']`` says in one
    line what was sampled (None without a sample).
    """

    def active(X: pd.DataFrame) -> pd.DataFrame:
        return X if active_within_days is None else X[X["recency_days"] <= active_within_days]

    kw = {"customer_col": customer_col, "datetime_col": datetime_col}
    cuts = cutoffs(test_cutoff, horizon_days, n_before=n_folds + 1)
    data = []
    for c in cuts[:-1]:
        X = active(
            churn_features(
                transactions, c, touchpoints=touchpoints, monetary_col=monetary_col, **kw
            )
        )
        y = churn_labels(transactions, c, horizon_days, **kw).reindex(X.index)
        data.append((X, y))
    feats = features or [f for f in FEATURES if f in data[0][0].columns]
    train = [_train_rows(X, y, fit_rows, fit_seed) for X, y in data]
    folds = [(*train[i], data[i + 1][0], data[i + 1][1]) for i in range(len(data) - 1)]
    tune = [(*_train_rows(Xa, ya, tune_rows, fit_seed), Xb, yb) for Xa, ya, Xb, yb in folds]
    params, table = select_by_time(tune, feats, seed=seed)
    # calibration map from the last fold: trained at c_{n-2}, predicted at c_{n-1}
    Xa, ya, Xb, yb = folds[-1]
    cal_gb = calibrator(
        gradient_boosting(params, seed).fit(Xa[feats], ya).predict_proba(Xb[feats])[:, 1],
        yb.to_numpy(),
    )
    cal_lr = calibrator(Logit(feats).fit(Xa, ya).predict(Xb), yb.to_numpy())
    Xtr, ytr = train[-1]
    gb = gradient_boosting(params, seed).fit(Xtr[feats], ytr)
    lr = Logit(feats).fit(Xtr, ytr)
    test = cuts[-1]
    Xte = active(
        churn_features(transactions, test, touchpoints=touchpoints, monetary_col=monetary_col, **kw)
    )
    yte = churn_labels(transactions, test, eval_horizon_days or horizon_days, **kw).reindex(
        Xte.index
    )
    bt = btyd_scores(transactions, test, eval_horizon_days or horizon_days, **kw)
    bt_note = bt.attrs["fit_note"]
    bt = bt.reindex(Xte.index)
    raw_gb = gb.predict_proba(Xte[feats])[:, 1]
    raw_lr = lr.predict(Xte)
    thr = recency_threshold_days if recency_threshold_days is not None else horizon_days
    scores = {
        f"recency rule (> {thr:.0f} days)": recency_rule(Xte, thr).to_numpy(),
        "BG/NBD 1 - P(alive)": bt["one_minus_p_alive"].to_numpy(),
        "BG/NBD P(no purchase in horizon)": bt["p_no_purchase"].to_numpy(),
        "logistic regression": raw_lr,
        "logistic regression, calibrated": cal_lr.predict(raw_lr),
        "gradient boosting": raw_gb,
        "gradient boosting, calibrated": cal_gb.predict(raw_gb),
    }
    prob = set(scores) - {f"recency rule (> {thr:.0f} days)"}
    return ChurnRun(
        cuts,
        horizon_days,
        Xte,
        yte,
        scores,
        prob,
        params,
        table,
        lr,
        gb,
        extra={
            "features": feats,
            "recency_threshold_days": thr,
            "train_rows": len(Xtr),
            "train_churn_rate": float(ytr.mean()),
            "fit_note": _fit_note(
                sampling.sample_note(
                    len(Xtr), len(data[-1][0]), fit_seed, what="every test customer scored"
                ),
                len(tune[-1][0]) < len(folds[-1][0]) and tune_rows,
                fit_seed,
                bt_note,
            ),
        },
    )


def _fit_note(train: str | None, tuned: int, seed: int, btyd: str | None) -> str | None:
    """The study's one line on what it sampled (None when nothing was)."""
    parts = [train] if train else []
    if tuned:
        parts.append(
            f"Hyper-parameters chosen on random samples of {tuned:,} customers per training "
            f"cut-off (seed {seed})."
        )
    if btyd:
        parts.append(f"BG/NBD scores: {btyd[0].lower()}{btyd[1:]}")
    return " ".join(parts) or None
