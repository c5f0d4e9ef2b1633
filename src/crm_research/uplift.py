"""Campaign evaluation and uplift modelling.

Steps 9 and 10 of the methodology (docs/background.md#ko-03): run the campaign on selected customers, record every
contact and response, and measure the programme's real effect.

* **Did it work?** :func:`average_effects` (difference in means with heteroskedasticity-robust
  95% intervals, statsmodels OLS/HC2), :func:`balance_table` (standardised mean differences and a
  joint test of randomisation), :func:`adjusted_effect` (regression adjustment / CUPED with
  centred pre-period covariates, Lin 2013) and :func:`sample_size` (power calculation).
* **For whom?** Meta-learners over scikit-learn base learners (scikit-uplift is unmaintained and
  partly broken on scikit-learn ≥ 1.5; causalml is too heavy for the default install):
  :class:`SLearner`, :class:`TLearner`, :class:`ClassTransformation` (transformed outcome) and
  :class:`XLearner`.
* **Evaluation** on held-out data: :func:`uplift_by_decile`, :func:`qini_curve`,
  :func:`qini_coefficient`, :func:`normalised_qini` (share of the perfect model's Qini,
  :func:`perfect_qini_curve`), :func:`uplift_curve`, :func:`auuc`, :func:`uplift_at_k`. Customers
  with equal scores are ranked together (one curve point per distinct score, as scikit-uplift
  and scikit-learn's ROC curve), so no metric depends on the order of the rows.
* **The simulated campaign**, where every customer's true effect is known
  (:func:`crm_research.data.simulator.simulate_campaign`): :func:`simulated_campaign_study` scores
  every targeting policy — uplift models, a response model, a churn score, random — by its true
  incremental profit against the truth-optimal policy (:func:`policy_table`), and
  :func:`next_campaign` writes the targeting list for the next campaign.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

# ------------------------------------------------------------------------------------------------
# data


def load_hillstrom() -> pd.DataFrame:
    """Kevin Hillstrom's MineThatData e-mail campaign (``data/raw``): 64,000 customers randomised
    to Mens e-mail, Womens e-mail or no e-mail; outcomes in the two weeks after: ``visit``,
    ``conversion``, ``spend`` (US$). Adds one-hot pre-period covariates."""
    from crm_research.config import RAW_DIR

    df = pd.read_csv(RAW_DIR / "hillstrom.csv.gz")
    df["treatment"] = df["segment"].map({"No E-Mail": "control", "Mens E-Mail": "mens", "Womens E-Mail": "womens"})  # fmt: skip
    for col in ("zip_code", "channel"):
        for v in sorted(df[col].unique()):
            df[f"{col}_{v.lower().replace('/', '_')}"] = (df[col] == v).astype(float)
    return df


HILLSTROM_COVARIATES = ["recency", "history", "mens", "womens", "newbie", "zip_code_rural",
                        "zip_code_surburban", "channel_phone", "channel_web"]  # fmt: skip


# ------------------------------------------------------------------------------------------------
# did it work


def average_effects(df: pd.DataFrame, outcome: str, arm: str = "treatment", control: str = "control") -> pd.DataFrame:  # fmt: skip
    """Effect of each arm vs ``control`` on the mean of ``outcome``: difference in means with HC2
    robust standard errors and 95% intervals (identical to Welch's unequal-variance comparison)."""
    import statsmodels.formula.api as smf

    rows = []
    for a in sorted(set(df[arm]) - {control}):
        d = df[df[arm].isin([a, control])].copy()
        d["_t"] = (d[arm] == a).astype(float)
        fit = smf.ols(f"{outcome} ~ _t", d).fit(cov_type="HC2")
        lo, hi = fit.conf_int().loc["_t"]
        rows.append({"arm": a, "outcome": outcome, "control mean": d.loc[d["_t"] == 0, outcome].mean(),
                     "effect": fit.params["_t"], "std error": fit.bse["_t"], "ci low": lo, "ci high": hi,
                     "p-value": fit.pvalues["_t"], "n": len(d)})  # fmt: skip
    return pd.DataFrame(rows)


def adjusted_effect(df: pd.DataFrame, outcome: str, covariates: list[str], treated: str = "_t") -> dict[str, float]:  # fmt: skip
    """Regression-adjusted effect (Lin 2013: treatment interacted with centred covariates; CUPED
    is the one-covariate case) with HC2 errors, beside the unadjusted one, and how much narrower
    the 95% interval gets. A missing covariate value is set to the covariate's mean."""
    import statsmodels.api as sm

    y = df[outcome].astype(float).to_numpy()
    t = df[treated].astype(float).to_numpy()
    X = df[covariates].astype(float)
    Xc = (X - X.mean()).fillna(0.0)  # a missing covariate is set to its mean
    plain = sm.OLS(y, sm.add_constant(t)).fit(cov_type="HC2")
    design = np.column_stack([np.ones(len(y)), t, Xc.to_numpy(), Xc.to_numpy() * t[:, None]])
    adj = sm.OLS(y, design).fit(cov_type="HC2")
    return {
        "unadjusted effect": float(plain.params[1]), "unadjusted se": float(plain.bse[1]),
        "adjusted effect": float(adj.params[1]), "adjusted se": float(adj.bse[1]),
        "interval width reduction": float(1 - adj.bse[1] / plain.bse[1]),
    }  # fmt: skip


def balance_table(df: pd.DataFrame, treated: pd.Series, covariates: list[str], threshold: float = 0.1) -> tuple[pd.DataFrame, dict]:  # fmt: skip
    """Randomisation check: per covariate the means by group and the standardised mean difference
    (flag |SMD| > ``threshold``); jointly, a logistic regression of assignment on all covariates
    (likelihood-ratio test: a small p-value says assignment is predictable, i.e. imbalanced).
    Missing covariate values are left out of the means and set to the mean for the joint test."""
    import statsmodels.api as sm

    t = np.asarray(treated, dtype=bool)
    X = df[covariates].astype(float)
    m1, m0 = X[t].mean(), X[~t].mean()
    sd = np.sqrt((X[t].var() + X[~t].var()) / 2).replace(0, np.nan)
    table = pd.DataFrame({"treated mean": m1, "control mean": m0, "SMD": (m1 - m0) / sd})
    table["flag"] = table["SMD"].abs() > threshold
    fit = sm.Logit(t.astype(float), sm.add_constant(X.fillna(X.mean()))).fit(disp=False)
    joint = {"likelihood-ratio p-value": float(fit.llr_pvalue), "max |SMD|": float(table["SMD"].abs().max()),
             "balanced": bool(fit.llr_pvalue > 0.01 and not table["flag"].any())}  # fmt: skip
    return table, joint


def sample_size(baseline_rate: float, lift_abs: float, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0) -> int:  # fmt: skip
    """Customers per treatment arm to detect an absolute lift of ``lift_abs`` on a conversion rate
    of ``baseline_rate`` (two-sided, Cohen's h, statsmodels)."""
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    h = proportion_effectsize(baseline_rate + lift_abs, baseline_rate)
    return int(np.ceil(NormalIndPower().solve_power(h, alpha=alpha, power=power, ratio=ratio)))


# ------------------------------------------------------------------------------------------------
# meta-learners (binary outcome; base learners from scikit-learn)


# Uplift signals are weak next to the outcome's noise, so the base learners are small and
# regularised: chosen on the simulated campaign (campaign seeds 0-2, share of the truth-optimal
# profit) among 100/200 trees × 5/7 leaves × 100/300 customers per leaf; the larger default trees
# (150 × 15 leaves, 20 per leaf) overfitted the noise (0.68-0.79 vs 0.74-0.83 for the S-learner).
BASE_LEARNER = dict(max_iter=100, learning_rate=0.05, max_leaf_nodes=7, min_samples_leaf=100)


def _clf(seed: int):
    return HistGradientBoostingClassifier(**BASE_LEARNER, random_state=seed)


def _reg(seed: int):
    return HistGradientBoostingRegressor(**BASE_LEARNER, random_state=seed)


class SLearner:
    """One model of the outcome with the treatment as a feature; uplift = f(x, 1) − f(x, 0)."""

    def __init__(self, base=None, seed: int = 0):
        self.base = base if base is not None else _clf(seed)

    def fit(self, X, t, y):
        self.m = clone(self.base).fit(np.column_stack([X, t]), y)
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        one, zero = np.column_stack([X, np.ones(len(X))]), np.column_stack([X, np.zeros(len(X))])
        return self.m.predict_proba(one)[:, 1] - self.m.predict_proba(zero)[:, 1]


class TLearner:
    """Two models, one per group; uplift = f₁(x) − f₀(x)."""

    def __init__(self, base=None, seed: int = 0):
        self.base = base if base is not None else _clf(seed)

    def fit(self, X, t, y):
        X, t = np.asarray(X, float), np.asarray(t, bool)
        self.m1 = clone(self.base).fit(X[t], np.asarray(y)[t])
        self.m0 = clone(self.base).fit(X[~t], np.asarray(y)[~t])
        return self

    def predict(self, X):
        return self.m1.predict_proba(X)[:, 1] - self.m0.predict_proba(X)[:, 1]


class ClassTransformation:
    """Transformed outcome Z = Y·(T − e)/(e(1 − e)) with e the share treated, so that
    E[Z | x] = uplift(x); a regressor of Z on X predicts uplift. With e = 1/2 this is the class
    transformation of Jaśkowski & Jaroszewicz (2012) up to the affine map 2P(Z=1) − 1."""

    def __init__(self, base=None, seed: int = 0):
        self.base = base if base is not None else _reg(seed)

    def fit(self, X, t, y):
        t, y = np.asarray(t, float), np.asarray(y, float)
        e = t.mean()
        self.m = clone(self.base).fit(X, y * (t - e) / (e * (1 - e)))
        return self

    def predict(self, X):
        return self.m.predict(X)


class XLearner:
    """Künzel et al. (2019): outcome models per group, imputed individual effects
    (D₁ = Y − f₀(x) for the treated, D₀ = f₁(x) − Y for the controls), effect models on each, and
    their combination weighted by the share treated."""

    def __init__(self, base=None, effect_base=None, seed: int = 0):
        self.base = base if base is not None else _clf(seed)
        self.effect_base = effect_base if effect_base is not None else _reg(seed)

    def fit(self, X, t, y):
        X, t, y = np.asarray(X, float), np.asarray(t, bool), np.asarray(y, float)
        m1 = clone(self.base).fit(X[t], y[t])
        m0 = clone(self.base).fit(X[~t], y[~t])
        d1 = y[t] - m0.predict_proba(X[t])[:, 1]
        d0 = m1.predict_proba(X[~t])[:, 1] - y[~t]
        self.tau1 = clone(self.effect_base).fit(X[t], d1)
        self.tau0 = clone(self.effect_base).fit(X[~t], d0)
        self.g = t.mean()
        return self

    def predict(self, X):
        return self.g * self.tau0.predict(X) + (1 - self.g) * self.tau1.predict(X)


LEARNERS = {"S-learner": SLearner, "T-learner": TLearner, "class transformation": ClassTransformation,
            "X-learner": XLearner}  # fmt: skip


# ------------------------------------------------------------------------------------------------
# evaluation (on held-out randomised data)


def _ranked(y, t, score) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``y``, ``t`` (0/1) and ``score`` as float arrays sorted by descending score, and ``ends``:
    for each distinct score (highest first) the number of customers scoring at least that much.
    Within a tied group rows are sorted by outcome and arm, so every sum over the sorted rows is
    the same, to the last bit, whatever the input row order."""
    y, t, s = (np.asarray(a, dtype=float).ravel() for a in (y, t, score))
    if not len(y) == len(t) == len(s):
        raise ValueError(f"y, t and score differ in length: {len(y)}, {len(t)}, {len(s)}")
    if len(s) == 0:
        raise ValueError("no customers to evaluate")
    if not np.isfinite(s).all():
        raise ValueError("score has missing or infinite values")
    if not np.isin(t, (0.0, 1.0)).all():
        raise ValueError("t must be 1 (treated) or 0 (control)")
    order = np.lexsort((t, y, -s))
    y, t, s = y[order], t[order], s[order]
    ends = np.r_[np.flatnonzero(np.diff(s)) + 1, len(s)]
    return y, t, s, ends


def _at_thresholds(y, t, score) -> dict[str, np.ndarray]:
    """Cumulative sums at 0 targeted and at each distinct score threshold (highest first):
    ``n`` customers, ``n_t`` treated, ``n_c`` controls, ``r_t`` / ``r_c`` responses (sum of
    ``y``) of treated / controls, and ``threshold`` (the lowest score targeted; +inf at 0)."""
    y, t, s, ends = _ranked(y, t, score)
    last = ends - 1
    n_t = np.r_[0.0, np.cumsum(t)[last]]
    n = np.r_[0, ends]
    return {
        "n": n,
        "n_t": n_t,
        "n_c": n - n_t,
        "r_t": np.r_[0.0, np.cumsum(y * t)[last]],
        "r_c": np.r_[0.0, np.cumsum(y * (1 - t))[last]],
        "threshold": np.r_[np.inf, s[last]],
    }


def _ratio(a: np.ndarray, b: np.ndarray, empty: float = 0.0) -> np.ndarray:
    """a / b elementwise, ``empty`` where b = 0."""
    return np.divide(a, b, out=np.full(np.shape(a), empty, dtype=float), where=b != 0)


def qini_curve(y, t, score) -> pd.DataFrame:
    """Qini curve with one point per distinct score: customers with equal scores are targeted
    together (as in scikit-uplift's ``qini_curve`` and scikit-learn's ROC curve), so the curve
    does not depend on row order. Rows from 0 targeted; columns ``targeted`` (customers with a
    score ≥ ``threshold``, which is +inf on the first row), ``qini`` = incremental responses
    among them Q(n) = R_T − R_C·N_T/N_C (R_T while no control is reached) and ``random`` =
    Q(N)·n/N, the random-targeting line. Between points the curve is a straight line."""
    c = _at_thresholds(y, t, score)
    q = c["r_t"] - c["r_c"] * _ratio(c["n_t"], c["n_c"])
    n = c["n"]
    return pd.DataFrame(
        {"targeted": n, "threshold": c["threshold"], "qini": q, "random": q[-1] * n / n[-1]}
    )


def perfect_qini_curve(y, t, *, negative_effect: bool = True) -> pd.DataFrame:
    """Qini curve of the perfect model, as scikit-uplift's ``perfect_qini_curve`` (binary
    ``y``). ``negative_effect=True``: treated responders first, then all non-responders, then
    control responders (the Qini curve of the score y·(2t − 1)). ``negative_effect=False``: every
    incremental response bought with one contact, Q(N) customers, then flat (``targeted`` is then
    Q(N), clipped to 0..N, and ``threshold`` is NaN). Columns as :func:`qini_curve`."""
    y, t = np.asarray(y, dtype=float), np.asarray(t, dtype=float)
    if negative_effect:
        return qini_curve(y, t, y * (2 * t - 1))
    c = qini_curve(y, t, np.zeros(len(y)))
    big_n, q_n = float(c["targeted"].iloc[-1]), float(c["qini"].iloc[-1])
    x = np.array([0.0, min(max(q_n, 0.0), big_n), big_n])
    q = np.array([0.0, q_n, q_n])
    return pd.DataFrame({"targeted": x, "threshold": np.nan, "qini": q, "random": q_n * x / big_n})


def _area_over_random(c: pd.DataFrame) -> float:
    """Area between a Qini curve and its random line over the fraction targeted (trapezoids)."""
    x = c["targeted"] / c["targeted"].iloc[-1]
    return float(np.trapezoid(c["qini"] - c["random"], x))


def qini_coefficient(y, t, score) -> float:
    """Area between the Qini curve and the random line over the fraction targeted (trapezoids
    between the distinct-score points of :func:`qini_curve`), in incremental responses. Positive:
    better than random. Independent of row order; see :func:`normalised_qini` for a share of the
    perfect model's area, comparable across data sets."""
    return _area_over_random(qini_curve(y, t, score))


def normalised_qini(y, t, score, *, negative_effect: bool = True) -> float:
    """Qini coefficient as a share of the perfect model's (:func:`perfect_qini_curve`): 1 for
    the perfect ranking, about 0 for random, negative when worse than random. scikit-uplift's
    ``qini_auc_score(y, score, t, negative_effect)``. NaN when the perfect model's area is 0."""
    perfect = _area_over_random(perfect_qini_curve(y, t, negative_effect=negative_effect))
    if perfect == 0:
        return float("nan")
    return qini_coefficient(y, t, score) / perfect


def uplift_curve(y, t, score) -> pd.DataFrame:
    """Uplift curve with one point per distinct score (ties grouped as in :func:`qini_curve`):
    for the customers with a score ≥ ``threshold``, (response rate treated − response rate
    control) · ``targeted``, a rate taken as 0 while its group is empty. Rows from 0 targeted;
    columns ``targeted``, ``threshold``, ``uplift`` (responses)."""
    c = _at_thresholds(y, t, score)
    u = (_ratio(c["r_t"], c["n_t"]) - _ratio(c["r_c"], c["n_c"])) * c["n"]
    return pd.DataFrame({"targeted": c["n"], "threshold": c["threshold"], "uplift": u})


def auuc(y, t, score) -> float:
    """Area under the uplift curve over the fraction targeted (trapezoids between the
    distinct-score points of :func:`uplift_curve`), in responses. Independent of row order."""
    c = uplift_curve(y, t, score)
    return float(np.trapezoid(c["uplift"], c["targeted"] / c["targeted"].iloc[-1]))


def uplift_at_k(y, t, score, k: float = 0.3, *, ties: str = "split") -> float:
    """Observed uplift (response rate treated − control) among the top ``k`` share by score.

    The top holds n = k·N customers rounded half up (at least 1). The tied group at the cut is
    handled without regard to row order: ``ties="split"`` (default) counts each of its customers
    with weight (places left in the top) / (group size), so exactly n customers are counted;
    ``ties="include"`` counts the whole group, so more than n may be. Rates are weighted means
    per arm; NaN when an arm has no customer in the top."""
    if not 0 < k <= 1:
        raise ValueError(f"k must be a share in (0, 1], got {k}")
    if ties not in ("split", "include"):
        raise ValueError(f'ties must be "split" or "include", got {ties!r}')
    y, t, _, ends = _ranked(y, t, score)
    n = max(1, int(np.floor(round(k * len(y), 9) + 0.5)))
    starts = np.r_[0, ends[:-1]]
    if ties == "split":
        w_group = np.clip((n - starts) / (ends - starts), 0.0, 1.0)
    else:
        w_group = (starts < n).astype(float)
    w = np.repeat(w_group, ends - starts)
    w_t, w_c = np.sum(w * t), np.sum(w * (1 - t))
    if w_t == 0 or w_c == 0:
        return float("nan")
    return float(np.sum(w * t * y) / w_t - np.sum(w * (1 - t) * y) / w_c)


def uplift_by_decile(y, t, score, bins: int = 10) -> pd.DataFrame:
    """Per decile of predicted uplift (``bins`` bins of N/``bins`` places by descending score,
    1 = highest): mean predicted uplift, response rates by arm, customers ``n`` and observed
    uplift (treated rate − control rate). A tied group is never split: it goes whole to the bin
    holding its middle place, so bins can differ in size and, when one score covers more than
    N/``bins`` customers, some are empty (n = 0, NaN means). Independent of row order."""
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    y, t, s, ends = _ranked(y, t, score)
    starts = np.r_[0, ends[:-1]]
    group_bin = np.minimum((starts + ends) / 2 * bins // len(y), bins - 1).astype(int)
    b = np.repeat(group_bin, ends - starts)

    def total(w: np.ndarray) -> np.ndarray:
        return np.bincount(b, weights=w, minlength=bins)

    n, n_t = np.bincount(b, minlength=bins), total(t)
    out = pd.DataFrame(
        {
            "predicted uplift": _ratio(total(s), n, np.nan),
            "treated rate": _ratio(total(y * t), n_t, np.nan),
            "control rate": _ratio(total(y * (1 - t)), n - n_t, np.nan),
            "n": n,
        },
        index=pd.RangeIndex(1, bins + 1, name="decile"),
    )
    out["observed uplift"] = out["treated rate"] - out["control rate"]
    return out


# ------------------------------------------------------------------------------------------------
# economics and policies


@dataclass(frozen=True)
class CampaignEconomics:
    """Money of one e-mail campaign (KRW): cost per e-mail sent (production, platform, the
    coupon's expected cost) and the profit margin on incremental revenue. Assumptions, shown in
    the report."""

    contact_cost: float = 100.0
    margin: float = 0.25


def incremental_profit(uplift_prob, order_value, econ: CampaignEconomics) -> np.ndarray:
    """Expected incremental profit (KRW) of e-mailing a customer: margin × uplift in purchase
    probability × order value (KRW) − contact cost."""
    return econ.margin * np.asarray(uplift_prob, float) * np.asarray(order_value, float) - econ.contact_cost  # fmt: skip


def top_k(score, k: float) -> np.ndarray:
    """Boolean mask of the ``k`` share with the highest ``score`` (ties broken by position)."""
    score = np.asarray(score, float)
    n = int(round(k * len(score)))
    mask = np.zeros(len(score), bool)
    mask[np.argsort(-score, kind="stable")[:n]] = True
    return mask


def policy_table(scores: dict[str, np.ndarray], true_profit, k: float = 0.3) -> pd.DataFrame:
    """Each policy targets the top ``k`` share by its score; its *true* incremental profit (sum of
    ``true_profit`` over those targeted) beside the truth-optimal policy's (the top ``k`` by
    ``true_profit`` itself) and the share captured. Sorted best first."""
    true_profit = np.asarray(true_profit, float)
    best = true_profit[top_k(true_profit, k)].sum()
    rows = {name: true_profit[top_k(s, k)].sum() for name, s in scores.items()}
    out = pd.DataFrame({"true incremental profit": pd.Series(rows)})
    out.loc["truth-optimal"] = best
    out["share of truth-optimal"] = out["true incremental profit"] / best
    return out.sort_values("true incremental profit", ascending=False)


def observed_profit(spend, treated, mask, econ: CampaignEconomics) -> float:
    """Incremental profit of e-mailing the customers in ``mask``, estimated from a randomised
    campaign: n × (margin × (mean spend e-mailed − mean spend control) − contact cost). NaN
    when either group is empty among them."""
    spend, t, m = np.asarray(spend, float), np.asarray(treated, bool), np.asarray(mask, bool)
    if not (m & t).any() or not (m & ~t).any():
        return float("nan")
    lift = spend[m & t].mean() - spend[m & ~t].mean()
    return float(m.sum() * (econ.margin * lift - econ.contact_cost))


# ------------------------------------------------------------------------------------------------
# the simulated campaign

CAMPAIGN_FEATURES = [
    "log_order_value", "log_web_orders_per_year", "log_app_orders_per_year",
    "log_phone_orders_per_year", "log_calls_per_year", "log_email_opens_per_year", "age",
    "log_recency_days", "log_frequency", "log_monetary", "tenure_years", "web_share", "app_share",
    "phone_share", "email_open_rate", "log_sessions_per_year", "log_clv", "p_alive",
]  # fmt: skip


def campaign_list(con, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """The customers a campaign at ``as_of`` can e-mail: those with a reachable e-mail address
    and an order before ``as_of``, with their pre-campaign features (:data:`CAMPAIGN_FEATURES`,
    from :func:`crm_research.segment.customer_features` with a BG/NBD + Gamma-Gamma CLV table).
    ``churn_score`` = 1 − P(alive) and ``order_value_krw`` = observed mean order value are added.
    Index customer_id (pseudonymous)."""
    from crm_research import clv, segment

    tx = con.table("transactions")
    as_of = pd.Timestamp(as_of)
    tx = tx.filter(tx.ordered_at < as_of).to_pandas()
    ct = clv.clv_table(tx, observation_end=as_of, monetary_col="amount", money_scale=1000)
    f = segment.customer_features(con, as_of, clv_table=ct)
    f = f[f["reachable_email"] == 1].copy()
    f["churn_score"] = 1 - f["p_alive"]
    f["order_value_krw"] = np.exp(f["log_order_value"])
    return f


@dataclass
class CampaignStudy:
    """Everything :func:`simulated_campaign_study` computes (truth only in ``truth`` and the
    policy table; never shown per customer in reports)."""

    features: pd.DataFrame
    data: pd.DataFrame  # treated, purchased, spend_krw
    truth: pd.DataFrame
    train: np.ndarray  # positions in features/data
    test: np.ndarray
    effects: pd.DataFrame  # average effects on purchase and spend with 95% intervals, and truth
    scores: dict[str, np.ndarray]  # policy scores on the held-out part (higher = target first)
    uplift_predictions: dict[str, np.ndarray]  # predicted purchase uplift, held-out part
    evaluation: pd.DataFrame  # Qini (raw, normalised), AUUC, uplift@k observed; corr. with truth
    policies: pd.DataFrame  # true incremental profit of the top k per policy
    best_model: str  # highest Qini coefficient on the held-out part (observable, not truth)
    econ: CampaignEconomics
    k: float
    extra: dict = field(default_factory=dict)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation, NaN when either side is constant (a learner that predicts one
    value on a seed has no correlation, not a division by zero)."""
    if np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def simulated_campaign_study(
    con,
    truth: pd.DataFrame,
    as_of: str | pd.Timestamp,
    *,
    k: float = 0.3,
    econ: CampaignEconomics | None = None,
    holdout_share: float = 0.3,
    window_days: int = 30,
    seed: int = 0,
    features: pd.DataFrame | None = None,
) -> CampaignStudy:
    """Run the simulated randomised e-mail campaign at ``as_of`` on every e-mailable customer
    (:func:`campaign_list`), estimate its average effects, fit every uplift learner on the
    training part and evaluate on the held-out ``holdout_share``: on observed outcomes (Qini,
    AUUC, uplift@k) and against the truth (correlation of predicted and true effects; true
    incremental profit of targeting the top ``k`` by each policy vs the truth-optimal top ``k``).

    ``truth``: the simulator's truth per customer (:func:`crm_research.integrate.customer_truth`).
    Policies rank by expected incremental profit: predicted purchase uplift × observed mean
    order value (the response model: purchase probability if e-mailed × order value; the churn
    score: 1 − P(alive); random). Seeded: the campaign, the split and the learners use ``seed``.
    ``features``: a precomputed :func:`campaign_list` (for repeated studies at one date).
    """
    from crm_research.data.simulator import simulate_campaign

    econ = econ or CampaignEconomics()
    f = features if features is not None else campaign_list(con, as_of)
    camp = simulate_campaign(truth.reindex(f.index), as_of, window_days=window_days, seed=seed)
    d, tr = camp.data, camp.truth
    # did it work: effects on the whole campaign, beside the truth
    dd = d.assign(arm=np.where(d["treated"] == 1, "e-mail", "control"))
    eff = pd.concat([average_effects(dd, o, arm="arm") for o in ("purchased", "spend_krw")], ignore_index=True)  # fmt: skip
    eff["true effect"] = [tr["true_uplift"].mean(), tr["true_incremental_spend_krw"].mean()]
    eff["covered"] = (eff["ci low"] <= eff["true effect"]) & (eff["true effect"] <= eff["ci high"])
    # for whom: learners on the training part
    rng = np.random.default_rng([seed, 2])
    idx = rng.permutation(len(f))
    n_test = int(round(holdout_share * len(f)))
    test, train = np.sort(idx[:n_test]), np.sort(idx[n_test:])
    X = f[CAMPAIGN_FEATURES].to_numpy(float)
    t, y = d["treated"].to_numpy(), d["purchased"].to_numpy()
    value = f["order_value_krw"].to_numpy()
    preds, scores = {}, {}
    for name, L in LEARNERS.items():
        preds[name] = L(seed=seed).fit(X[train], t[train], y[train]).predict(X[test])
        scores[name] = incremental_profit(preds[name], value[test], econ)
    on = train[t[train] == 1]
    resp = _clf(seed).fit(X[on], y[on]).predict_proba(X[test])[:, 1]
    scores["response model (P(buy | e-mailed) × value)"] = resp * value[test]
    scores["churn score (1 − P(alive))"] = f["churn_score"].to_numpy()[test]
    scores["random"] = rng.random(len(test))
    true_tau = tr["true_uplift"].to_numpy()[test]
    evaluation = pd.DataFrame(
        {name: {"Qini coefficient": qini_coefficient(y[test], t[test], s),
                "normalised Qini": normalised_qini(y[test], t[test], s),
                "AUUC": auuc(y[test], t[test], s),
                f"uplift in top {k:.0%}": uplift_at_k(y[test], t[test], s, k),
                "correlation with true uplift": _correlation(preds[name], true_tau) if name in preds else np.nan}
         for name, s in {n: preds.get(n, s) for n, s in scores.items()}.items()}
    ).T  # fmt: skip
    true_profit = incremental_profit(tr["true_uplift"].to_numpy(), tr["order_value_krw"].to_numpy(), econ)  # fmt: skip
    policies = policy_table(scores, true_profit[test], k)
    best = evaluation.loc[list(LEARNERS), "Qini coefficient"].idxmax()
    return CampaignStudy(
        features=f, data=d, truth=tr, train=train, test=test, effects=eff, scores=scores,
        uplift_predictions=preds, evaluation=evaluation, policies=policies, best_model=best,
        econ=econ, k=k, extra={"true_profit_test": true_profit[test], "campaign_start": camp.start},
    )  # fmt: skip


def next_campaign(
    features: pd.DataFrame,
    data: pd.DataFrame,
    model: str,
    econ: CampaignEconomics,
    *,
    seed: int = 0,
    campaign_date: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Targeting list for the next campaign: ``model`` (a key of :data:`LEARNERS`) refitted on the
    whole randomised campaign (``data``: treated, purchased), applied to every customer in
    ``features``; e-mail those whose expected incremental profit (KRW, :func:`incremental_profit`
    with the observed mean order value) is positive, ranked by it. Columns: customer_id,
    predicted_uplift, expected_profit_krw, rank, target, model, campaign_date."""
    X = features[CAMPAIGN_FEATURES].to_numpy(float)
    d = data.reindex(features.index)
    fitted = LEARNERS[model](seed=seed).fit(X, d["treated"].to_numpy(), d["purchased"].to_numpy())
    u = fitted.predict(X)
    gain = incremental_profit(u, features["order_value_krw"].to_numpy(), econ)
    out = pd.DataFrame({"customer_id": features.index, "predicted_uplift": u, "expected_profit_krw": gain})  # fmt: skip
    out["rank"] = out["expected_profit_krw"].rank(ascending=False, method="first").astype(int)
    out["target"] = out["expected_profit_krw"] > 0
    out["model"] = model
    out["campaign_date"] = pd.Timestamp(campaign_date) if campaign_date is not None else pd.NaT
    return out.sort_values("rank", ignore_index=True)
