"""Churn prediction: labels without leakage, models, evaluation, the retention decision, survival.

Methodology step 8 of the background texts (docs/background.md#ko-03): a predictive model gives every customer a churn
score, is tested for accuracy and efficiency, and its scores are written back for campaigns.

* **Labels** (:func:`churn_labels`): in a non-contractual business churn is not announced; a
  customer who bought on or before the cut-off is *churned* if they make no purchase in the
  ``horizon_days`` after it.
* **Features** (:func:`churn_features`) use only events up to the cut-off (a test fails if a later
  event changes any feature). Train on an earlier cut-off, test on a later one: :func:`cutoffs`.
* **Models**: a recency rule, BTYD scores (1 − P(alive) and P(no purchase in the horizon)),
  logistic regression (statsmodels, odds ratios with intervals) and gradient boosting
  (scikit-learn ``HistGradientBoostingClassifier``) with hyper-parameters chosen on rolling
  out-of-time folds (:func:`select_by_time`), probabilities calibrated (isotonic) on out-of-time
  predictions.
* **Evaluation** (:func:`evaluate`, :func:`lift_table`, :func:`reliability`), the **decision**
  (:func:`profit_curve`) and **survival** (:func:`kaplan_meier`, :func:`cox`, statsmodels).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

FEATURES = [
    "recency_days", "frequency", "log_monetary", "log_order_value", "tenure_days",
    "orders_90d", "orders_91_180d", "calls_90d", "sessions_90d", "email_opens_90d",
    "email_sends_90d", "bounced_90d",
]  # fmt: skip
TRANSACTION_FEATURES = FEATURES[:7]


def estimates_display(table: pd.DataFrame) -> pd.DataFrame:
    """An odds-ratio or hazard-ratio table (``odds_ratios``, :func:`cox`, :func:`lapse_cox`) for a
    report: ``ci low``/``ci high`` named ``95% low``/``95% high``, the p-value as text
    (``< 0.001`` or three decimals)."""
    out = table.rename(columns={"ci low": "95% low", "ci high": "95% high"})
    if "p-value" in out:
        out["p-value"] = out["p-value"].map(lambda p: "< 0.001" if p < 0.001 else f"{p:.3f}")
    return out


# the models whose reliability notebook 04 plots (names of ``run.scores``)
RELIABILITY_MODELS = (
    "logistic regression",
    "gradient boosting",
    "gradient boosting, calibrated",
    "BG/NBD P(no purchase in horizon)",
)


def cutoffs(test_cutoff: str | pd.Timestamp, horizon_days: int, n_before: int = 3) -> list[pd.Timestamp]:  # fmt: skip
    """Cut-offs spaced ``horizon_days`` apart, ending at ``test_cutoff``: each label window ends
    exactly at the next cut-off, so a model trained at one cut-off is known before the next."""
    t = pd.Timestamp(test_cutoff)
    return [t - pd.Timedelta(days=horizon_days * k) for k in range(n_before, -1, -1)]


def _tx(transactions, datetime_col: str):
    from crm_research.rfm import as_ibis_table

    t = as_ibis_table(transactions)
    return t.mutate(_ts=t[datetime_col].cast("timestamp"))


def churn_labels(
    transactions,
    cutoff: str | pd.Timestamp,
    horizon_days: int,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
) -> pd.Series:
    """``churned`` (bool) per customer with a purchase at or before ``cutoff``: True when they
    make no purchase in (cutoff, cutoff + horizon_days]."""
    cut = pd.Timestamp(cutoff)
    end = cut + pd.Timedelta(days=horizon_days)
    t = _tx(transactions, datetime_col)
    active = t.filter(t._ts <= cut).select(customer_col).distinct()
    later = (
        t.filter((t._ts > cut) & (t._ts <= end))
        .select(customer_col)
        .distinct()
        .mutate(_bought=True)
    )
    j = active.left_join(later, customer_col).drop(f"{customer_col}_right")
    df = j.to_pandas().set_index(customer_col).sort_index()
    return (~df["_bought"].fillna(False).astype(bool)).rename("churned")


def churn_features(
    transactions,
    cutoff: str | pd.Timestamp,
    *,
    touchpoints=None,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    monetary_col: str | None = "amount",
) -> pd.DataFrame:
    """Features per customer with a purchase at or before ``cutoff``, from events up to it only.
    (``monetary_col=None``: a log without amounts; the two money features are left out.)

    Transactions: ``recency_days`` (days since the last purchase), ``frequency`` (purchases),
    ``log_monetary`` (log1p total spend), ``log_order_value``, ``tenure_days``, ``orders_90d``
    and ``orders_91_180d`` (purchases in the last 90 days and the 90 before: the trend). With
    ``touchpoints`` (customer_id, ts, channel, event): calls, web sessions, e-mail sends, opens
    and bounces in the last 90 days.
    """
    cut = pd.Timestamp(cutoff)
    t = _tx(transactions, datetime_col)
    t = t.filter(t._ts <= cut)
    days_before = (
        ibis.literal(cut).cast("timestamp").epoch_seconds() - t._ts.epoch_seconds()
    ) / 86_400
    g = t.group_by(customer_col).aggregate(
        recency_days=days_before.min(),
        tenure_days=days_before.max(),
        frequency=t.count(),
        orders_90d=(days_before <= 90).sum(),
        orders_91_180d=((days_before > 90) & (days_before <= 180)).sum(),
        **({"total": t[monetary_col].cast("float64").sum()} if monetary_col else {}),
    )
    df = g.to_pandas().set_index(customer_col).sort_index()
    out = pd.DataFrame(index=df.index)
    out["recency_days"] = df["recency_days"].astype(float)
    out["frequency"] = df["frequency"].astype(float)
    if monetary_col:
        out["log_monetary"] = np.log1p(df["total"].astype(float))
        out["log_order_value"] = np.log1p(df["total"].astype(float) / df["frequency"])
    out["tenure_days"] = df["tenure_days"].astype(float)
    out["orders_90d"] = df["orders_90d"].astype(float)
    out["orders_91_180d"] = df["orders_91_180d"].astype(float)
    if touchpoints is not None:
        tp = touchpoints.mutate(_ts=touchpoints.ts.cast("timestamp"))
        tp = tp.filter((tp._ts <= cut) & (tp._ts > cut - pd.Timedelta(days=90)))
        e = tp.group_by("customer_id").aggregate(
            calls_90d=(tp.channel == "call_centre").sum(),
            sessions_90d=(tp.channel == "web").sum(),
            email_sends_90d=(tp.channel == "email").sum(),
            email_opens_90d=((tp.channel == "email") & tp.event.isin(["opened", "clicked"])).sum(),
            bounced_90d=((tp.channel == "email") & (tp.event == "bounced")).sum(),
        )
        e = e.to_pandas().set_index("customer_id")
        out = out.join(e).fillna({c: 0.0 for c in e.columns})
        for c in e.columns:
            out[c] = out[c].astype(float)
    return out


def btyd_scores(
    transactions,
    cutoff: str | pd.Timestamp,
    horizon_days: int,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
) -> pd.DataFrame:
    """BG/NBD fitted on the purchases up to ``cutoff`` (weeks): ``one_minus_p_alive`` and
    ``p_no_purchase`` (probability of no purchase in the next ``horizon_days``)."""
    from crm_research import clv, rfm

    s = rfm.btyd_summary(transactions, customer_col=customer_col, datetime_col=datetime_col,
                         observation_end=cutoff, freq="D", freq_multiplier=7)  # fmt: skip
    m = clv.fit_btyd(s, "bgnbd")
    pa = m.p_alive(s)
    p0 = bgnbd_p_no_purchase(m.params, s, horizon_days / 7, pa)
    return pd.DataFrame({"one_minus_p_alive": 1 - pa, "p_no_purchase": p0}, index=s.index)


def bgnbd_p_no_purchase(params: pd.Series, summary: pd.DataFrame, h: float, p_alive: pd.Series) -> pd.Series:  # fmt: skip
    """BG/NBD probability of no purchase in the next ``h`` periods: dead, or alive and no Poisson
    event. Given alive, λ ~ Gamma(r + x, α + T) a posteriori, and a live customer can only drop out
    right after a purchase, so P = (1 − P(alive)) + P(alive)·((α + T)/(α + T + h))^(r + x)."""
    r, a = params["r"], params["alpha"]
    x, T = summary["frequency"], summary["T"]
    quiet = ((a + T) / (a + T + h)) ** (r + x)
    return ((1 - p_alive) + p_alive * quiet).clip(0, 1).rename("p_no_purchase")


# ------------------------------------------------------------------------------------------------
# models


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
        import statsmodels.api as sm

        sd = X[self.features].std(ddof=0)
        self.dropped_ = [f for f in self.features if not sd[f] > 0]  # constant here: no information
        self.features = [f for f in self.features if sd[f] > 0]
        self.mean_, self.sd_ = X[self.features].mean(), sd[self.features]
        Z = sm.add_constant((X[self.features] - self.mean_) / self.sd_)
        self.result = sm.Logit(y.astype(float), Z).fit(disp=False, maxiter=200)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        import statsmodels.api as sm

        Z = sm.add_constant((X[self.features] - self.mean_) / self.sd_, has_constant="add")
        return np.asarray(self.result.predict(Z))

    def odds_ratios(self) -> pd.DataFrame:
        """Odds ratio per one standard deviation of each feature, with 95% interval and p-value."""
        ci = self.result.conf_int()
        out = pd.DataFrame({"odds ratio": np.exp(self.result.params), "ci low": np.exp(ci[0]),
                            "ci high": np.exp(ci[1]), "p-value": self.result.pvalues})  # fmt: skip
        out["feature SD"] = self.sd_.reindex(out.index)
        return out.drop(index="const")


def gradient_boosting(params: dict, seed: int = 0) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(random_state=seed, **params)


GB_GRID = [
    {"learning_rate": lr, "max_leaf_nodes": leaves, "class_weight": cw, "max_iter": 200}
    for lr in (0.05, 0.1) for leaves in (15, 31) for cw in (None, "balanced")
]  # fmt: skip


def select_by_time(folds: list[tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]],
                   features: list[str], grid: list[dict] = GB_GRID, seed: int = 0) -> tuple[dict, pd.DataFrame]:  # fmt: skip
    """Choose gradient-boosting hyper-parameters by mean ROC AUC over rolling out-of-time folds
    (train at one cut-off, validate at the next). Returns the best parameters and the table."""
    rows = []
    for i, p in enumerate(grid):
        aucs = []
        for Xtr, ytr, Xva, yva in folds:
            m = gradient_boosting(p, seed).fit(Xtr[features], ytr)
            aucs.append(roc_auc_score(yva, m.predict_proba(Xva[features])[:, 1]))
        rows.append({"candidate": i, **{k: str(v) for k, v in p.items()}, "mean AUC": float(np.mean(aucs))})  # fmt: skip
    table = pd.DataFrame(rows).set_index("candidate")
    return grid[int(table["mean AUC"].idxmax())], table


def calibrator(scores: np.ndarray, outcomes: np.ndarray) -> IsotonicRegression:
    """Isotonic map from raw scores to probabilities, fitted on out-of-time predictions."""
    return IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(scores, outcomes)


# ------------------------------------------------------------------------------------------------
# evaluation


def evaluate(y: pd.Series, scores: dict[str, np.ndarray], probabilistic: set[str] | None = None) -> pd.DataFrame:  # fmt: skip
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
    df["decile"] = pd.qcut(df["s"].rank(method="first", ascending=False), bins, labels=range(1, bins + 1))  # fmt: skip
    t = df.groupby("decile", observed=True).agg(customers=("y", "size"), churners=("y", "sum"))
    t["churn rate"] = t["churners"] / t["customers"]
    t["lift"] = t["churn rate"] / df["y"].mean()
    t["cumulative gains"] = t["churners"].cumsum() / df["y"].sum()
    return t


# ------------------------------------------------------------------------------------------------
# the decision


@dataclass(frozen=True)
class Economics:
    """Retention campaign economics (money in the CLV's unit)."""

    contact_cost: float = 1_000.0  # per contacted customer
    offer_cost: float = 10_000.0  # paid by every contacted customer who stays and redeems it
    success_rate: float = 0.15  # chance that the offer keeps a customer who would have churned
    margin: float = 0.25  # profit margin on the revenue a kept customer brings


def expected_profit(p_churn: np.ndarray, value_at_risk: np.ndarray, econ: Economics) -> np.ndarray:
    """Expected profit of contacting each customer: p·s·m·V − contact − offer·(p·s + (1 − p)),
    i.e. the margin on the revenue saved (``value_at_risk`` V is revenue, m the margin), minus the
    contact, minus the offer for everyone who then stays."""
    p, v, s = np.asarray(p_churn, float), np.asarray(value_at_risk, float), econ.success_rate
    return p * s * econ.margin * v - econ.contact_cost - econ.offer_cost * (p * s + (1 - p))


def profit_curve(p_churn, value_at_risk, econ: Economics, order=None) -> pd.DataFrame:
    """Cumulative expected profit of contacting the top n customers, ranked by ``order`` (default:
    by expected profit itself, the optimal ranking). Row n = number contacted; ``n=0`` is 0."""
    gain = expected_profit(p_churn, value_at_risk, econ)
    rank = np.argsort(-(gain if order is None else np.asarray(order, float)), kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(gain[rank])])
    return pd.DataFrame({"contacted": np.arange(len(cum)), "expected profit": cum})


def best_n(curve: pd.DataFrame) -> tuple[int, float]:
    i = int(curve["expected profit"].idxmax())
    return int(curve.loc[i, "contacted"]), float(curve.loc[i, "expected profit"])


# ------------------------------------------------------------------------------------------------
# survival (statsmodels duration: lifelines needs pandas < 3)


def kaplan_meier(duration: pd.Series, event: pd.Series, group: pd.Series | None = None) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Kaplan–Meier survival curves (per group): time, survival, 95% interval."""
    from statsmodels.duration.survfunc import SurvfuncRight

    out = {}
    groups = [("all", np.ones(len(duration), bool))] if group is None else [(str(g), (group == g).to_numpy()) for g in sorted(group.dropna().unique())]  # fmt: skip
    for name, m in groups:
        sf = SurvfuncRight(duration.to_numpy()[m], event.to_numpy()[m].astype(int))
        se = sf.surv_prob_se
        out[name] = pd.DataFrame({"time": sf.surv_times, "survival": sf.surv_prob,
                                  "low": np.clip(sf.surv_prob - 1.96 * se, 0, 1),
                                  "high": np.clip(sf.surv_prob + 1.96 * se, 0, 1)})  # fmt: skip
    return out


def cox(df: pd.DataFrame, duration: str, event: str, formula: str) -> pd.DataFrame:
    """Cox proportional-hazards model (statsmodels ``PHReg``): hazard ratios with 95% intervals."""
    from statsmodels.duration.hazard_regression import PHReg

    r = PHReg.from_formula(f"{duration} ~ {formula}", df, status=df[event].astype(int)).fit()
    ci = np.asarray(r.conf_int())
    return pd.DataFrame({"hazard ratio": np.exp(r.params), "ci low": np.exp(ci[:, 0]),
                         "ci high": np.exp(ci[:, 1]), "p-value": r.pvalues}, index=r.model.exog_names)  # fmt: skip


# ------------------------------------------------------------------------------------------------
# real subscription churn: IBM Telco


def load_telco() -> pd.DataFrame:
    """The IBM Telco churn sample (``data/raw``), typed. The 11 blank ``TotalCharges`` are all
    customers with tenure 0 (signed up this month, not billed yet): set to 0, flagged in
    ``new_customer``; no row is dropped."""
    from crm_research.config import RAW_DIR

    df = pd.read_csv(RAW_DIR / "telco_customer_churn.csv.gz")
    blank = df["TotalCharges"].astype(str).str.strip() == ""
    df["new_customer"] = blank
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].where(~blank, "0"))
    df["churned"] = df["Churn"].eq("Yes")
    return df


TELCO_NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"]
TELCO_CATEGORICAL = ["gender", "Partner", "Dependents", "PhoneService", "MultipleLines",
                     "InternetService", "OnlineSecurity", "OnlineBackup", "DeviceProtection",
                     "TechSupport", "StreamingTV", "StreamingMovies", "Contract",
                     "PaperlessBilling", "PaymentMethod"]  # fmt: skip


def telco_models(seed: int = 0) -> dict[str, object]:
    """Logistic regression and gradient boosting with one-hot categorical columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    def prep():
        return ColumnTransformer([("num", StandardScaler(), TELCO_NUMERIC),
                                  ("cat", OneHotEncoder(handle_unknown="ignore", drop="if_binary"), TELCO_CATEGORICAL)])  # fmt: skip

    return {
        "logistic regression": make_pipeline(prep(), LogisticRegression(max_iter=2000, C=1.0)),
        "gradient boosting": make_pipeline(prep(), HistGradientBoostingClassifier(
            learning_rate=0.05, max_leaf_nodes=15, max_iter=200, random_state=seed)),
    }  # fmt: skip


def telco_cross_validation(df: pd.DataFrame, seed: int = 0, folds: int = 5) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:  # fmt: skip
    """Stratified ``folds``-fold cross-validation: per model ROC AUC (mean, SD over folds), PR AUC
    and Brier score of the out-of-fold probabilities; returns the table and those probabilities."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_validate

    X, y = df[TELCO_NUMERIC + TELCO_CATEGORICAL], df["churned"].astype(int)
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    rows, oof = {}, {}
    for name, model in telco_models(seed).items():
        r = cross_validate(model, X, y, cv=cv, scoring=["roc_auc", "average_precision", "neg_brier_score"])  # fmt: skip
        oof[name] = cross_val_predict(model, X, y, cv=cv, method="predict_proba")[:, 1]
        rows[name] = {"ROC AUC": r["test_roc_auc"].mean(), "ROC AUC SD": r["test_roc_auc"].std(),
                      "PR AUC": r["test_average_precision"].mean(), "Brier score": -r["test_neg_brier_score"].mean()}  # fmt: skip
    return pd.DataFrame(rows).T, oof


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
) -> ChurnRun:
    """Train on earlier cut-offs, test at ``test_cutoff``; never a random split of one period.

    Cut-offs c_0 < ... < c_n = test are ``horizon_days`` apart. Gradient-boosting hyper-parameters
    are chosen on the rolling folds (c_i → c_{i+1}); the final models are trained at c_{n-1} (their
    labels end at the test cut-off) and calibrated (isotonic) on the last fold's out-of-time
    predictions. The test labels use ``eval_horizon_days`` (default ``horizon_days``). The
    population at each cut-off is the customers who bought in the ``active_within_days`` before it
    (None: everyone who ever bought).
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
    folds = [(data[i][0], data[i][1], data[i + 1][0], data[i + 1][1]) for i in range(len(data) - 1)]
    params, table = select_by_time(folds, feats, seed=seed)
    # calibration map from the last fold: trained at c_{n-2}, predicted at c_{n-1}
    Xa, ya, Xb, yb = folds[-1]
    cal_gb = calibrator(gradient_boosting(params, seed).fit(Xa[feats], ya).predict_proba(Xb[feats])[:, 1], yb.to_numpy())  # fmt: skip
    cal_lr = calibrator(Logit(feats).fit(Xa, ya).predict(Xb), yb.to_numpy())
    Xtr, ytr = data[-1]
    gb = gradient_boosting(params, seed).fit(Xtr[feats], ytr)
    lr = Logit(feats).fit(Xtr, ytr)
    test = cuts[-1]
    Xte = active(
        churn_features(transactions, test, touchpoints=touchpoints, monetary_col=monetary_col, **kw)
    )
    yte = churn_labels(transactions, test, eval_horizon_days or horizon_days, **kw).reindex(
        Xte.index
    )
    bt = btyd_scores(transactions, test, eval_horizon_days or horizon_days, **kw).reindex(Xte.index)
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
    return ChurnRun(cuts, horizon_days, Xte, yte, scores, prob, params, table, lr, gb,
                    extra={"features": feats, "recency_threshold_days": thr,
                           "train_rows": len(Xtr), "train_churn_rate": float(ytr.mean())})  # fmt: skip


# ------------------------------------------------------------------------------------------------
# any dataset: cut-offs from the data's period, truth scoring, value at risk, write-back, survival


def plan_cutoffs(first_purchase: str | pd.Timestamp, as_of: str | pd.Timestamp, horizon_days: int,
                 *, n_folds: int = 2, min_history_days: int = 90) -> list[pd.Timestamp] | None:  # fmt: skip
    """Cut-offs of a time-split study on data from ``first_purchase`` to ``as_of``: the test
    cut-off is the last month end that leaves a full ``horizon_days`` outcome window before
    ``as_of``, with ``n_folds + 1`` earlier cut-offs ``horizon_days`` apart (:func:`cutoffs`).
    None when the earliest cut-off has less than ``min_history_days`` of purchases before it
    (the data do not cover the training and outcome windows)."""
    end = pd.Timestamp(as_of).normalize() - pd.Timedelta(days=horizon_days)
    test = pd.offsets.MonthEnd().rollback(end)
    cuts = cutoffs(test, horizon_days, n_before=n_folds + 1)
    if cuts[0] - pd.Timestamp(first_purchase).normalize() < pd.Timedelta(days=min_history_days):
        return None
    return cuts


def true_dropout(con, index: pd.Index, end: str | pd.Timestamp) -> pd.Series:
    """Simulated data only: did the customer truly drop out (the simulator's churn date) by
    ``end``? Boolean per customer in ``index``."""
    from crm_research import integrate

    truth = integrate.customer_truth(con).reindex(index)
    return (truth["churned_at"].notna() & (truth["churned_at"] <= pd.Timestamp(end))).rename("true dropout")  # fmt: skip


def model_table(run: ChurnRun, true_churn: pd.Series | None = None) -> pd.DataFrame:
    """:func:`evaluate` of every score of the run against the labels, with the ROC AUC against
    the true dropout when ``true_churn`` is given (simulated data)."""
    table = evaluate(run.test_y, run.scores, run.probabilistic)
    if true_churn is not None:
        table["ROC AUC vs true dropout"] = [roc_auc_score(true_churn, s) for s in run.scores.values()]  # fmt: skip
    return table


def best_model(table: pd.DataFrame) -> tuple[str, str, str]:
    """(best model, the recency rule's row name, the column ranked): the best non-rule score by
    ROC AUC against the truth when the table has it, else against the labels."""
    col = "ROC AUC vs true dropout" if "ROC AUC vs true dropout" in table else "ROC AUC"
    rule = next(n for n in table.index if n.startswith("recency"))
    return str(table[col].drop(index=rule).idxmax()), rule, col


def default_economics(currency: str, contact_cost: float | None = None, offer_cost: float | None = None,
                      success_rate: float = 0.15, margin: float = 0.25) -> Economics:  # fmt: skip
    """Campaign economics in ``currency``: costs not given default to 1 (contact) and 10 (offer)
    money units of :func:`crm_research.reporting.kpi.money_scale` (1,000 and 10,000 KRW; $1 and $10)."""
    from crm_research.reporting.kpi import money_scale

    scale = money_scale(currency)
    return Economics(
        float(1 * scale if contact_cost is None else contact_cost),
        float(10 * scale if offer_cost is None else offer_cost), success_rate, margin,
    )  # fmt: skip


def value_at_risk(con, cutoff: str | pd.Timestamp, index: pd.Index, currency: str, has_amount: bool,
                  value_per_customer: float | None = None) -> tuple[pd.Series | None, str]:  # fmt: skip
    """Value a retention offer can save per customer in ``index`` (in ``currency``) and where it
    comes from: with amounts, next year's purchases if the customer stays (BG/NBD rate ×
    Gamma-Gamma spend, fitted up to ``cutoff``); without, the stated ``value_per_customer`` for
    everyone; (None, reason) when neither is there."""
    from crm_research import clv
    from crm_research.reporting import kpi

    if has_amount:
        tx = con.table("transactions")
        v = clv.clv_table(tx, observation_end=cutoff, money_scale=kpi.money_scale(currency))
        return v["value_if_alive"].reindex(index), "next year's purchases if the customer stays (BG/NBD × Gamma-Gamma)"  # fmt: skip
    if value_per_customer is not None:
        return pd.Series(float(value_per_customer), index=index, name="value_if_alive"), "the stated value per retained customer (`value_per_customer`)"  # fmt: skip
    return None, "no amounts in the data and no `value_per_customer` stated"


def sensitivity(p_churn, value, econ: Economics, success_rates=(0.05, 0.1, 0.15, 0.2, 0.3),
                offer_multiples=(0.5, 1, 2, 4)) -> pd.DataFrame:  # fmt: skip
    """Customers worth contacting for each offer success rate (rows) and offer cost (columns, as
    multiples of ``econ.offer_cost``)."""
    from dataclasses import replace

    return pd.DataFrame({
        m * econ.offer_cost: {s: best_n(profit_curve(p_churn, value, replace(econ, offer_cost=m * econ.offer_cost, success_rate=s)))[0]
                              for s in success_rates} for m in offer_multiples
    })  # fmt: skip


def contact_list(gain: np.ndarray, n_contact: int) -> np.ndarray:
    """True for the ``n_contact`` customers with the highest expected profit."""
    contact = np.zeros(len(gain), bool)
    contact[np.argsort(-np.asarray(gain, float), kind="stable")[:n_contact]] = True
    return contact


def scores_table(customer_ids, p_churn, *, model: str, cutoff, horizon_days: int, currency: str,
                 gain: np.ndarray | None = None, n_contact: int | None = None) -> pd.DataFrame:  # fmt: skip
    """The ``churn_scores`` rows: database customer id (pseudonymous: no names or contact data),
    churn probability, risk decile (1 = highest), expected profit of contacting (in
    ``currency``) and the contact flag (missing without a value at risk), model, cut-off,
    horizon."""
    p = np.asarray(p_churn, float)
    decile = pd.qcut(pd.Series(p).rank(method="first", ascending=False), 10, labels=range(1, 11))
    return pd.DataFrame({
        "customer_id": np.asarray(customer_ids),
        "churn_probability": p,
        "risk_decile": decile.astype(int).to_numpy(),
        "expected_profit": np.full(len(p), np.nan) if gain is None else np.asarray(gain, float),
        "currency": currency,
        "contact": pd.array([None] * len(p) if gain is None else contact_list(gain, n_contact or 0), dtype="boolean"),
        "model": model,
        "cutoff": pd.Timestamp(cutoff),
        "horizon_days": int(horizon_days),
    })  # fmt: skip


def write_scores(con, table: pd.DataFrame) -> int:
    """Write ``table`` (:func:`scores_table`) to the database's ``churn_scores`` (replaced);
    returns the rows written."""
    from crm_research.data import engine

    engine.write(con, "churn_scores", table)
    return int(con.table("churn_scores").count().to_pandas())


def permutation_importances(run: ChurnRun, *, n: int = 5000, seed: int = 0) -> tuple[pd.Series, pd.Index]:  # fmt: skip
    """Gradient boosting's permutation importance (drop in test ROC AUC, 3 repeats) on a seeded
    sample of ``n`` test customers, ascending; and that sample's index (for partial dependence)."""
    from sklearn.inspection import permutation_importance

    feats = run.extra["features"]
    sample = run.test_X.sample(n=min(n, len(run.test_X)), random_state=seed).index
    pi = permutation_importance(run.gb_model, run.test_X.loc[sample, feats], run.test_y[sample],
                                scoring="roc_auc", n_repeats=3, random_state=seed)  # fmt: skip
    return pd.Series(pi.importances_mean, index=feats).sort_values(), sample


def lapse_survival(con, as_of: str | pd.Timestamp, *, lapse_days: int = 180) -> pd.DataFrame:
    """Per customer who bought up to ``as_of``: ``duration`` (days from the first purchase to the
    last if lapsed, else to ``as_of``), ``lapsed`` (no purchase in the ``lapse_days`` before
    ``as_of``), and what was known at the first purchase: ``first_channel`` (missing without
    channels), ``log_first_order_value`` (missing without amounts), ``cohort`` (quarter of the
    first purchase, months when all fall in one quarter) and ``months_since_start`` (of the
    first purchase after the data's first)."""
    as_of = pd.Timestamp(as_of)
    tx = con.table("transactions")
    tx = tx.filter(tx.ordered_at <= as_of)
    df = tx.select("customer_id", "ordered_at", "amount", "channel").to_pandas()
    df = df.sort_values(["customer_id", "ordered_at"], kind="stable")
    g = df.groupby("customer_id")
    first = g.first()  # first purchase: its channel and amount (first non-missing)
    first_at, last_at = g["ordered_at"].min(), g["ordered_at"].max()
    lapsed = (as_of - last_at).dt.days > lapse_days
    end = last_at.where(lapsed, as_of)  # lapsed: last purchase; else censored at as_of
    out = pd.DataFrame({"duration": (end - first_at).dt.days.astype(float), "lapsed": lapsed})
    out["first_channel"] = first["channel"].astype("string")
    out["log_first_order_value"] = np.log1p(first["amount"].astype(float))
    freq = "Q" if first_at.dt.to_period("Q").nunique() > 1 else "M"
    out["cohort"] = first_at.dt.to_period(freq).astype(str)
    out["months_since_start"] = (first_at - first_at.min()).dt.days / 30.44
    return out


def survival_groups(surv: pd.DataFrame, caps: dict[str, bool]) -> tuple[pd.Series, str]:
    """The grouping for Kaplan–Meier curves, from what was known at the first purchase: the first
    order's channel (with channels), else its value tercile (with amounts), else the cohort."""
    if caps.get("channels") and surv["first_channel"].notna().any():
        return surv["first_channel"].fillna("unknown"), "channel of the first order"
    if caps.get("amount") and surv["log_first_order_value"].notna().any():
        v = surv["log_first_order_value"].rank(method="first")
        return pd.qcut(v, 3, labels=["low", "mid", "high"]).astype(str).rename("first order value"), "value of the first order (terciles)"  # fmt: skip
    return surv["cohort"], "acquisition cohort"


def lapse_cox(surv: pd.DataFrame, caps: dict[str, bool]) -> pd.DataFrame:
    """Cox model of the time to lapse on what was known at the first purchase: log first order
    value (with amounts), first channel (with channels), months since the data's start."""
    terms = ["months_since_start"]
    if caps.get("amount") and surv["log_first_order_value"].notna().all():
        terms.append("log_first_order_value")
    if caps.get("channels") and surv["first_channel"].nunique() > 1:
        terms.append("C(first_channel)")
    d = surv.assign(duration=surv["duration"].clip(lower=0.5), first_channel=surv["first_channel"].fillna("unknown").astype(str))  # fmt: skip
    return cox(d, "duration", "lapsed", " + ".join(terms))


def conclusions(run: ChurnRun, table: pd.DataFrame, lift: pd.DataFrame, *, currency: str,
                active_within_days: int, econ: Economics | None = None, n_contact: int | None = None,
                profit: float | None = None, value_note: str | None = None,
                telco_auc: float | None = None) -> str:  # fmt: skip
    """Conclusions for managers (Markdown) from the study's tables; the truth comparison only
    when the table carries it (simulated data), the campaign only with a value at risk."""
    best, rule, col = best_model(table)
    cut = f"{run.cutoffs[-1]:%Y-%m-%d}"
    against = "against the truth" if col.endswith("true dropout") else "against the observed labels"
    lines = [
        f"* Of the {len(run.test_y):,} customers who bought in the {active_within_days} days before {cut}, "
        f"{run.test_y.mean():.0%} made no purchase in the next {run.horizon_days} days.",
        f"* The best model ({best}) ranks those who left with ROC AUC {table.loc[best, col]:.2f} {against}, "
        f'compared with {table.loc[rule, col]:.2f} for the simple "no purchase for '
        f'{run.extra["recency_threshold_days"]:.0f} days" rule.',
        f"* The 10% with the highest churn score leave at {lift['lift'].iloc[0]:.1f} times the average rate "
        f"and hold {lift['cumulative gains'].iloc[0]:.0%} of the churners.",
    ]  # fmt: skip
    if econ is not None and n_contact is not None:
        lines.append(
            f"* With a {econ.contact_cost:,.0f} {currency} contact, a {econ.offer_cost:,.0f} {currency} offer, "
            f"{econ.success_rate:.0%} success and a {econ.margin:.0%} margin (value at risk: {value_note}), "
            f"{n_contact:,} of {len(run.test_y):,} active customers are worth contacting, for an expected "
            f"{profit:,.0f} {currency}; the list is in `churn_scores`. The number is sensitive to the "
            "offer's cost and success rate (heat-map above): test the offer first."
        )  # fmt: skip
    else:
        lines.append(f"* The campaign size is not computed: {value_note}. Churn scores and risk deciles are in `churn_scores`.")  # fmt: skip
    if telco_auc is not None:
        lines.append("* Telco subscribers on month-to-month contracts leave far faster than one- or "
                     f"two-year contracts; the model reaches ROC AUC {telco_auc:.2f}.")  # fmt: skip
    return "\n".join(lines)
