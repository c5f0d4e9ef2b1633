"""The shifted-beta-geometric (sBG) retention model of Fader & Hardie (2007), "How to project
customer retention" (not in lifetimes): fit, survival, retention rates, discounted expected
residual lifetime (DERL, Fader & Hardie 2010) and simulated cohorts. Time unit: renewal periods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

from crm_research.cases.published import PUBLISHED


def sbg_table(fits: dict[str, tuple[float, float]], discount_rate: float = 0.10) -> pd.DataFrame:
    """Per cohort: fitted α, β and DERL at ``discount_rate`` (years; :func:`sbg_derl`)."""
    return pd.DataFrame(
        {
            k: {
                "alpha": a,
                "beta": b,
                f"DERL at {discount_rate:.0%} (years)": sbg_derl(a, b, discount_rate),
            }
            for k, (a, b) in fits.items()
        }
    ).T


# Fader & Hardie (2007), Table 1: customers alive at the start of years 0..7 out of 1,000
SBG_DATA = {
    "regular": [1000, 631, 468, 382, 326, 289, 262, 241],
    "high end": [1000, 869, 743, 653, 593, 551, 517, 491],
}
SBG_PUBLISHED = {
    k: (PUBLISHED[f"sbg {k}"]["alpha"], PUBLISHED[f"sbg {k}"]["beta"]) for k in SBG_DATA
}


def sbg_churn_pmf(alpha: float, beta: float, t: np.ndarray) -> np.ndarray:
    """P(T = t): the customer's last renewal period is t (churns at the end of period t), t ≥ 1."""
    t = np.asarray(t, dtype=float)
    return np.exp(special.betaln(alpha + 1, beta + t - 1) - special.betaln(alpha, beta))


def sbg_survival(alpha: float, beta: float, t: np.ndarray) -> np.ndarray:
    """S(t) = P(T > t) = B(α, β + t) / B(α, β): share of a cohort still active after t periods."""
    t = np.asarray(t, dtype=float)
    return np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta))


def sbg_retention_rate(alpha: float, beta: float, t: np.ndarray) -> np.ndarray:
    """r_t = S(t)/S(t−1) = (β + t − 1)/(α + β + t − 1): rises with t, because the customers with a
    high churn probability leave first (heterogeneity, not changing individuals)."""
    t = np.asarray(t, dtype=float)
    return (beta + t - 1) / (alpha + beta + t - 1)


def sbg_log_likelihood(alpha: float, beta: float, alive: list[int] | np.ndarray) -> float:
    """Log-likelihood of a cohort's survivor counts ``alive`` (index 0 = start)."""
    n = np.asarray(alive, dtype=float)
    t = np.arange(1, len(n))
    lost = n[:-1] - n[1:]
    return float(
        (lost * np.log(sbg_churn_pmf(alpha, beta, t))).sum()
        + n[-1] * np.log(sbg_survival(alpha, beta, len(n) - 1))
    )


def sbg_fit(alive: list[int] | np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood (α, β) from survivor counts (the paper fits years 1–7 of 0..7)."""
    res = optimize.minimize(
        lambda x: -sbg_log_likelihood(*np.exp(x), alive),
        x0=[0.0, 0.0],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 5000},
    )
    a, b = np.exp(res.x)
    return float(a), float(b)


def sbg_derl(alpha: float, beta: float, discount: float, renewals: int = 0) -> float:
    """Discounted expected residual lifetime (in periods, counting the current one) of a customer
    who has made ``renewals`` renewals (Fader & Hardie 2010, eq. 6):
    (β+n)/(α+β+n) · ₂F₁(1, β+n+1; α+β+n+1; 1/(1+d)) — multiply by the margin per period for value.
    """
    n = renewals
    return float(
        (beta + n)
        / (alpha + beta + n)
        * special.hyp2f1(1, beta + n + 1, alpha + beta + n + 1, 1 / (1 + discount))
    )


def sbg_simulate(alpha: float, beta: float, n: int, periods: int, seed: int = 0) -> np.ndarray:
    """Survivor counts at 0..``periods`` of a cohort of ``n`` drawn from the sBG model."""
    rng = np.random.default_rng(seed)
    theta = rng.beta(alpha, beta, n)  # each customer's churn probability per period
    last = rng.geometric(theta)  # periods until churn (≥ 1)
    return np.array([(last > t).sum() for t in range(periods + 1)])
