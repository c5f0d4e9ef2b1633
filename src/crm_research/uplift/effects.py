"""Did the campaign work: average effects with robust intervals, the randomisation check,
regression adjustment (CUPED, Lin 2013) and the power calculation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize


def average_effects(
    df: pd.DataFrame, outcome: str, arm: str = "treatment", control: str = "control"
) -> pd.DataFrame:
    """Effect of each arm vs ``control`` on the mean of ``outcome``: difference in means with HC2
    robust standard errors and 95% intervals (identical to Welch's unequal-variance comparison)."""
    rows = []
    for a in sorted(set(df[arm]) - {control}):
        d = df[df[arm].isin([a, control])].copy()
        d["_t"] = (d[arm] == a).astype(float)
        fit = smf.ols(f"{outcome} ~ _t", d).fit(cov_type="HC2")
        lo, hi = fit.conf_int().loc["_t"]
        rows.append(
            {
                "arm": a,
                "outcome": outcome,
                "control mean": d.loc[d["_t"] == 0, outcome].mean(),
                "effect": fit.params["_t"],
                "std error": fit.bse["_t"],
                "ci low": lo,
                "ci high": hi,
                "p-value": fit.pvalues["_t"],
                "n": len(d),
            }
        )
    return pd.DataFrame(rows)


def adjusted_effect(
    df: pd.DataFrame, outcome: str, covariates: list[str], treated: str = "_t"
) -> dict[str, float]:
    """Regression-adjusted effect (Lin 2013: treatment interacted with centred covariates; CUPED
    is the one-covariate case) with HC2 errors, beside the unadjusted one, and how much narrower
    the 95% interval gets. A missing covariate value is set to the covariate's mean."""
    y = df[outcome].astype(float).to_numpy()
    t = df[treated].astype(float).to_numpy()
    X = df[covariates].astype(float)
    Xc = (X - X.mean()).fillna(0.0)  # a missing covariate is set to its mean
    plain = sm.OLS(y, sm.add_constant(t)).fit(cov_type="HC2")
    design = np.column_stack([np.ones(len(y)), t, Xc.to_numpy(), Xc.to_numpy() * t[:, None]])
    adj = sm.OLS(y, design).fit(cov_type="HC2")
    return {
        "unadjusted effect": float(plain.params[1]),
        "unadjusted se": float(plain.bse[1]),
        "adjusted effect": float(adj.params[1]),
        "adjusted se": float(adj.bse[1]),
        "interval width reduction": float(1 - adj.bse[1] / plain.bse[1]),
    }


def balance_table(
    df: pd.DataFrame, treated: pd.Series, covariates: list[str], threshold: float = 0.1
) -> tuple[pd.DataFrame, dict]:
    """Randomisation check: per covariate the means by group and the standardised mean difference
    (flag |SMD| > ``threshold``); jointly, a logistic regression of assignment on all covariates
    (likelihood-ratio test: a small p-value says assignment is predictable, i.e. imbalanced).
    Missing covariate values are left out of the means and set to the mean for the joint test."""
    t = np.asarray(treated, dtype=bool)
    X = df[covariates].astype(float)
    m1, m0 = X[t].mean(), X[~t].mean()
    sd = np.sqrt((X[t].var() + X[~t].var()) / 2).replace(0, np.nan)
    table = pd.DataFrame({"treated mean": m1, "control mean": m0, "SMD": (m1 - m0) / sd})
    table["flag"] = table["SMD"].abs() > threshold
    fit = sm.Logit(t.astype(float), sm.add_constant(X.fillna(X.mean()))).fit(disp=False)
    joint = {
        "likelihood-ratio p-value": float(fit.llr_pvalue),
        "max |SMD|": float(table["SMD"].abs().max()),
        "balanced": bool(fit.llr_pvalue > 0.01 and not table["flag"].any()),
    }
    return table, joint


def sample_size(
    baseline_rate: float,
    lift_abs: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> int:
    """Customers per treatment arm to detect an absolute lift of ``lift_abs`` on a conversion rate
    of ``baseline_rate`` (two-sided, Cohen's h, statsmodels)."""
    h = proportion_effectsize(baseline_rate + lift_abs, baseline_rate)
    return int(np.ceil(NormalIndPower().solve_power(h, alpha=alpha, power=power, ratio=ratio)))
