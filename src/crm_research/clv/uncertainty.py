"""Per-customer intervals for P(alive), future purchases and CLV that carry both parameter
uncertainty and the randomness of the purchase process itself.

For each of ``n_draws`` draws: the working parameters (log base parameters and covariate
coefficients, :mod:`crm_research.clv.covariates`) are drawn from the fitted normal N(θ̂, Σ), Σ
the inverse Hessian; then each customer's future is simulated from its posterior given that
draw: alive or not (Bernoulli(P(alive))), the purchase rate λ ~ Gamma(r + x, rate α_i + T) and
the dropout (BG/NBD: p ~ Beta(a_i, b_i + x), dropping after each purchase with probability p;
Pareto/NBD: μ ~ Gamma(s, rate β_i + T), remaining lifetime Exponential(μ)), Poisson purchases in
each of ``steps`` equal steps of the horizon, and with a spend model the spend: ν ~ Gamma(q +
p·x, rate γ_i + x·m) and the n purchases of a step worth Gamma(p·n, rate ν) in total, discounted
by (1 + ``discount_rate``)^−k in step k (as :func:`crm_research.clv.discounted_clv`).

P(alive) intervals carry parameter uncertainty only (its process draw is 0 or 1); purchase and
CLV intervals are predictive intervals of what the customer will actually do. Counts are whole
numbers, so an interval [lower, upper] of them covers at least its level (with most customers'
lower bound at 0, usually more); ``jitter=True`` adds U(0, 1) to each simulated count (and an
actual count must then be jittered the same way), which makes the predictive distribution
continuous and the coverage of a calibrated model exactly the level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.clv import covariates as cov
from crm_research.clv import formulas
from crm_research.clv import models as btyd


def _as_fit(model, summary: pd.DataFrame) -> cov.CovariateFit:
    if isinstance(model, btyd.BTYDModel):
        return cov.from_btyd(model, summary)
    if isinstance(model, btyd.SpendModel):
        return cov.from_gamma_gamma(model, summary)
    return model


def _theta_draws(fit: cov.CovariateFit, n: int, rng: np.random.Generator, vary: bool):
    if not vary:
        return np.repeat(fit.theta[None, :], n, axis=0)
    if not np.isfinite(fit.covariance).all():
        raise ValueError(f"{fit.kind} fit has no finite covariance: cannot draw parameters")
    return rng.multivariate_normal(fit.theta, fit.covariance, size=n, method="eigh")


def _simulate_chunk(fit, spend_fit, s, thetas, spend_thetas, horizon, steps, rate, rng, jitter):
    x, tx, T = (s[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T"))
    n, D = len(s), len(thetas)
    dt = horizon / steps
    disc = (1 + rate) ** -np.arange(1, steps + 1)
    alive_p, counts, values = np.empty((D, n)), np.empty((D, n)), np.zeros((D, n))
    if spend_fit is not None:
        m = s["monetary_value"].to_numpy(dtype="float64")
        m = np.where(x > 0, m, 0.0)
    for d in range(D):
        p = fit.customer_params(s, thetas[d])
        pa = formulas.p_alive(fit.kind, p, x, tx, T)
        alive = rng.random(n) < pa
        lam = rng.gamma(p["r"] + x, 1.0 / (p["alpha"] + T))
        if fit.kind == "bgnbd":
            left = rng.geometric(rng.beta(p["a"] * np.ones(n), p["b"] + x))  # purchases to dropout
        else:
            tau = rng.exponential(1.0 / rng.gamma(p["s"], 1.0 / (p["beta"] + T)))
        if spend_fit is not None:
            q = spend_fit.customer_params(s, spend_thetas[d])
            nu = rng.gamma(q["q"] + q["p"] * x, 1.0 / (q["gamma"] + x * m))
        total = np.zeros(n)
        for k in range(steps):
            if fit.kind == "bgnbd":
                nk = np.minimum(rng.poisson(lam * dt), left) * alive
                left = left - nk
            else:
                nk = rng.poisson(lam * np.clip(tau - k * dt, 0, dt)) * alive
            total += nk
            if spend_fit is not None:
                values[d] += disc[k] * rng.gamma(q["p"] * nk, 1.0 / nu)
        alive_p[d], counts[d] = pa, total
    if jitter:
        counts = counts + rng.random(counts.shape)
    return alive_p, counts, values


def customer_intervals(
    purchase: cov.CovariateFit | btyd.BTYDModel,
    summary: pd.DataFrame,
    *,
    horizon: float,
    spend: cov.CovariateFit | btyd.SpendModel | None = None,
    steps: int = 12,
    discount_rate: float = 0.01,
    level: float = 0.9,
    n_draws: int = 500,
    parameter_uncertainty: bool = True,
    jitter: bool = False,
    seed: int = 0,
    chunk_rows: int = 5_000,
) -> pd.DataFrame:
    """Mean and equal-tailed ``level`` interval (quantiles of the draws, no interpolation: whole
    numbers for counts) per customer of ``summary`` (``frequency``,
    ``recency``, ``T``, ``monetary_value`` with ``spend``, and any covariates of the fits):
    ``p_alive_*``, ``purchases_*`` (repeat purchases in the next ``horizon`` periods) and, with
    ``spend``, ``clv_*`` (discounted value in the summary's money unit), each ``*_mean``,
    ``*_lower``, ``*_upper``. Plain fits from :mod:`crm_research.clv` are converted with
    :func:`~crm_research.clv.covariates.from_btyd` / ``from_gamma_gamma`` on ``summary``, whose
    Hessian then gives the covariance: to score other customers than the fitting data, convert
    first (``from_btyd(model, fitting_summary)``) and pass the converted fits. Seeded; memory ∝ ``n_draws`` ×
    ``chunk_rows``."""
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    fit = _as_fit(purchase, summary)
    spend_fit = _as_fit(spend, summary) if spend is not None else None
    if fit.kind not in formulas.MODELS:
        raise ValueError(f"purchase model must be one of {formulas.MODELS}, got {fit.kind!r}")
    rng = np.random.default_rng(seed)
    thetas = _theta_draws(fit, n_draws, rng, parameter_uncertainty)
    spend_thetas = (
        _theta_draws(spend_fit, n_draws, rng, parameter_uncertainty) if spend_fit else None
    )
    lo, hi = (1 - level) / 2, (1 + level) / 2
    parts = []
    for start in range(0, len(summary), chunk_rows):
        s = summary.iloc[start : start + chunk_rows]
        sims = _simulate_chunk(
            fit, spend_fit, s, thetas, spend_thetas, horizon, steps, discount_rate, rng, jitter
        )
        cols = {}
        for name, draws in zip(("p_alive", "purchases", "clv"), sims, strict=True):
            if name == "clv" and spend_fit is None:
                continue
            q = np.quantile(draws, [lo, hi], axis=0, method="inverted_cdf")
            cols |= {
                f"{name}_mean": draws.mean(axis=0),
                f"{name}_lower": q[0],
                f"{name}_upper": q[1],
            }
        parts.append(pd.DataFrame(cols, index=s.index))
    return pd.concat(parts)


def coverage(actual: pd.Series, intervals: pd.DataFrame, quantity: str = "purchases") -> float:
    """Share of customers whose ``actual`` value lies in [``{quantity}_lower``,
    ``{quantity}_upper``] (inclusive)."""
    a = actual.reindex(intervals.index)
    inside = (a >= intervals[f"{quantity}_lower"]) & (a <= intervals[f"{quantity}_upper"])
    return float(inside.mean())
