"""Campaign evaluation and uplift modelling.

Steps 9 and 10 of the methodology (ko_03): run the campaign on selected customers, record every
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
  :func:`qini_coefficient`, :func:`auuc`, :func:`uplift_at_k`.
"""

from __future__ import annotations

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
    the 95% interval gets."""
    import statsmodels.api as sm

    y = df[outcome].astype(float).to_numpy()
    t = df[treated].astype(float).to_numpy()
    Xc = df[covariates].astype(float) - df[covariates].astype(float).mean()
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
    (likelihood-ratio test: a small p-value says assignment is predictable, i.e. imbalanced)."""
    import statsmodels.api as sm

    t = np.asarray(treated, dtype=bool)
    X = df[covariates].astype(float)
    m1, m0 = X[t].mean(), X[~t].mean()
    sd = np.sqrt((X[t].var() + X[~t].var()) / 2).replace(0, np.nan)
    table = pd.DataFrame({"treated mean": m1, "control mean": m0, "SMD": (m1 - m0) / sd})
    table["flag"] = table["SMD"].abs() > threshold
    fit = sm.Logit(t.astype(float), sm.add_constant(X)).fit(disp=False)
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


def _clf(seed: int):
    return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15, random_state=seed)  # fmt: skip


def _reg(seed: int):
    return HistGradientBoostingRegressor(max_iter=150, learning_rate=0.05, max_leaf_nodes=15, random_state=seed)  # fmt: skip


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


def _sorted(y, t, score):
    order = np.argsort(-np.asarray(score, float), kind="stable")
    return np.asarray(y, float)[order], np.asarray(t, float)[order]


def qini_curve(y, t, score) -> pd.DataFrame:
    """Qini curve: customers targeted in order of ``score``; for the top n, incremental responses
    Q(n) = R_T(n) − R_C(n)·N_T(n)/N_C(n) (0 while no control is reached), and the random-targeting
    line Q(N)·n/N. Index n = 0..N."""
    ys, ts = _sorted(y, t, score)
    rt, rc = np.cumsum(ys * ts), np.cumsum(ys * (1 - ts))
    nt, nc = np.cumsum(ts), np.cumsum(1 - ts)
    q = rt - np.divide(rc * nt, nc, out=np.zeros_like(rc), where=nc > 0)
    q = np.concatenate([[0.0], q])
    n = np.arange(len(q))
    return pd.DataFrame({"targeted": n, "qini": q, "random": q[-1] * n / n[-1]})


def qini_coefficient(y, t, score) -> float:
    """Area between the Qini curve and the random line, over the fraction targeted (trapezoids),
    in incremental responses. Positive: better than random."""
    c = qini_curve(y, t, score)
    x = c["targeted"] / c["targeted"].iloc[-1]
    return float(np.trapezoid(c["qini"] - c["random"], x))


def uplift_curve(y, t, score) -> pd.DataFrame:
    """Uplift curve: for the top n, (mean response treated − mean response control) · n."""
    ys, ts = _sorted(y, t, score)
    nt, nc = np.cumsum(ts), np.cumsum(1 - ts)
    mt = np.divide(np.cumsum(ys * ts), nt, out=np.zeros(len(ys)), where=nt > 0)
    mc = np.divide(np.cumsum(ys * (1 - ts)), nc, out=np.zeros(len(ys)), where=nc > 0)
    u = np.concatenate([[0.0], (mt - mc) * np.arange(1, len(ys) + 1)])
    return pd.DataFrame({"targeted": np.arange(len(u)), "uplift": u})


def auuc(y, t, score) -> float:
    """Area under the uplift curve over the fraction targeted (trapezoids), in responses."""
    c = uplift_curve(y, t, score)
    return float(np.trapezoid(c["uplift"], c["targeted"] / c["targeted"].iloc[-1]))


def uplift_at_k(y, t, score, k: float = 0.3) -> float:
    """Observed uplift (response rate treated − control) among the top ``k`` share by score."""
    ys, ts = _sorted(y, t, score)
    n = max(1, int(round(k * len(ys))))
    ys, ts = ys[:n], ts[:n]
    if ts.sum() == 0 or (1 - ts).sum() == 0:
        return float("nan")
    return float(ys[ts == 1].mean() - ys[ts == 0].mean())


def uplift_by_decile(y, t, score, bins: int = 10) -> pd.DataFrame:
    """Per decile of predicted uplift (1 = highest): response rates by group and observed uplift."""
    df = pd.DataFrame({"y": np.asarray(y, float), "t": np.asarray(t, float), "s": np.asarray(score, float)})  # fmt: skip
    df["decile"] = pd.qcut(df["s"].rank(method="first", ascending=False), bins, labels=range(1, bins + 1))  # fmt: skip
    g = df.groupby("decile", observed=True)
    out = pd.DataFrame({"predicted uplift": g["s"].mean(),
                        "treated rate": g.apply(lambda d: d.loc[d.t == 1, "y"].mean()),
                        "control rate": g.apply(lambda d: d.loc[d.t == 0, "y"].mean()),
                        "n": g.size()})  # fmt: skip
    out["observed uplift"] = out["treated rate"] - out["control rate"]
    return out
