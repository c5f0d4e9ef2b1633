"""Buy-till-you-die cohorts drawn exactly: the ground truth for parameter-recovery tests.

:func:`simulate_btyd_summary` uses the world's BG/NBD purchase process
(:func:`~crm_research.data.simulator.people.draw_purchases`); :func:`simulate_btyd_cohort`
draws large BG/NBD or Pareto/NBD cohorts vectorised, and :func:`simulate_btyd_future` their
holdout purchases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.data.simulator.people import draw_purchases

BTYD_PARAMS = ("r", "alpha", "a", "b")
PARETO_PARAMS = ("r", "alpha", "s", "beta")
SPEND_PARAMS = ("p", "q", "gamma")


def simulate_btyd_summary(
    n: int, *, r: float, alpha: float, a: float, b: float, T: float, seed: int = 0
) -> pd.DataFrame:
    """BG/NBD customers observed for ``T`` time units after their first purchase (all born at 0),
    summarised as ``frequency``, ``recency``, ``T`` (same process as the world simulator; λ ~
    Gamma(r, rate alpha) per time unit, p ~ Beta(a, b)). The ground truth for recovery tests."""
    rng = np.random.default_rng(seed)
    people = pd.DataFrame(
        {
            "acq_day": np.zeros(n),
            "end_day": np.full(n, float(T)),
            "lam": rng.gamma(r, 1.0 / alpha, n),
            "p_drop": rng.beta(a, b, n),
        }
    )
    purchases, _ = draw_purchases(people, rng)
    rep = purchases[purchases["day"] > 0]
    g = rep.groupby("row")["day"]
    out = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": float(T)}, index=pd.RangeIndex(n))
    out.loc[g.size().index, "frequency"] = g.size().astype(float)
    out.loc[g.max().index, "recency"] = g.max()
    return out


def simulate_btyd_cohort(
    n: int,
    model: str,
    params: dict[str, float],
    *,
    spend: dict[str, float] | None = None,
    cohort_days: int = 84,
    end_day: int = 546,
    seed: int = 0,
    multipliers: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """A large BTYD cohort drawn exactly and vectorised (1M customers in about a second): the
    ground truth for parameter-recovery benchmarks.

    Customers make their first purchase on a day drawn uniformly from ``0 .. cohort_days - 1``
    and are observed until ``end_day`` (CDNOW: 12 weekly cohorts, 78 weeks). ``model="bgnbd"``
    (``params`` r, alpha, a, b): λ ~ Gamma(r, rate alpha) per week, p ~ Beta(a, b); repeat
    purchases are Poisson(λ) and the customer drops out after each with probability p, so with
    K ~ Poisson(λT) arrivals and N ~ Geometric(p) purchases before dropout, x = min(K, N) and
    the x-th of K uniform arrival times is T·Beta(x, K − x + 1). ``model="pareto"`` (r, alpha,
    s, beta): μ ~ Gamma(s, rate beta), lifetime τ ~ Exponential(μ), x ~ Poisson(λ·min(τ, T)),
    t_x = min(τ, T)·Beta(x, 1). Times are rounded to whole days, as a daily log records them.
    ``spend`` (p, q, gamma): Gamma-Gamma, ν ~ Gamma(q, rate γ), the mean of x repeat spends is
    Gamma(p·x, rate ν·x).

    ``multipliers`` (parameter name → one factor per customer) plants covariate effects: e.g.
    ``{"alpha": np.exp(-0.5 * x)}`` gives customers with x = 1 a mean purchase rate e^0.5 times
    as high (the covariate forms of :mod:`crm_research.clv_covariates`).

    Columns: ``frequency``, ``recency``, ``T`` (weeks), ``monetary_value`` (with ``spend``), and
    the truth ``true_rate`` (λ per week), ``true_dropout`` (p, or μ per week), ``true_alive``.
    """
    names = {"bgnbd": BTYD_PARAMS, "pareto": PARETO_PARAMS}
    if model not in names:
        raise ValueError(f"model must be one of {sorted(names)}, got {model!r}")
    missing = set(names[model]) - set(params)
    if not missing and spend:
        missing = set(SPEND_PARAMS) - set(spend)
    if missing:
        raise ValueError(f"missing parameters: {sorted(missing)}")
    if not 0 < cohort_days <= end_day:
        raise ValueError("need 0 < cohort_days <= end_day")
    mult = multipliers or {}
    unknown = set(mult) - set(names[model]) - (set(SPEND_PARAMS) if spend else set())
    if unknown:
        raise ValueError(f"multipliers for unknown parameters: {sorted(unknown)}")
    params = {**params, **(spend or {})}
    for k, factor in mult.items():
        params[k] = params[k] * np.asarray(factor, dtype="float64")
    rng = np.random.default_rng(seed)
    T = (end_day - rng.integers(0, cohort_days, n)) / 7.0
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    if model == "bgnbd":
        drop = rng.beta(params["a"], params["b"], n)
        k = rng.poisson(lam * T)
        last = rng.geometric(drop)  # the repeat purchase after which the customer drops out
        x = np.minimum(k, last)
        alive = k < last
        span = T
    else:
        drop = rng.gamma(params["s"], 1.0 / params["beta"], n)
        tau = rng.exponential(1.0 / drop)
        alive = tau > T
        span = np.minimum(tau, T)
        x = rng.poisson(lam * span)
        k = x
    tx = np.where(x > 0, span * rng.beta(np.maximum(x, 1), np.maximum(k - x + 1, 1)), 0.0)
    out = pd.DataFrame(
        {
            "frequency": x.astype("float64"),
            "recency": np.round(tx * 7) / 7,
            "T": T,
            "true_rate": lam,
            "true_dropout": drop,
            "true_alive": alive,
        }
    )
    if spend:
        nu = rng.gamma(params["q"], 1.0 / params["gamma"], n)
        xs = np.maximum(x, 1)
        m = rng.gamma(params["p"] * xs, 1.0 / (nu * xs))
        out.insert(3, "monetary_value", np.where(x > 0, m, 0.0))
    out.index.name = "customer_id"
    return out


def simulate_btyd_future(
    cohort: pd.DataFrame, model: str, horizon: float, *, seed: int = 0
) -> pd.Series:
    """Repeat purchases of each customer of :func:`simulate_btyd_cohort` in the ``horizon``
    weeks after its observation ends, drawn from the customer's true state (``true_rate``,
    ``true_dropout``, ``true_alive``): the holdout truth. BG/NBD: min(Poisson(λ·horizon),
    Geometric(p)) (memoryless: the purchase after which an alive customer drops out is still
    geometric); Pareto/NBD: Poisson(λ·min(τ, horizon)), remaining lifetime τ ~ Exponential(μ)."""
    rng = np.random.default_rng(seed)
    lam, drop = cohort["true_rate"].to_numpy(), cohort["true_dropout"].to_numpy()
    if model == "bgnbd":
        k = np.minimum(rng.poisson(lam * horizon), rng.geometric(drop))
    elif model == "pareto":
        k = rng.poisson(lam * np.minimum(rng.exponential(1.0 / drop), horizon))
    else:
        raise ValueError(f"model must be one of ['bgnbd', 'pareto'], got {model!r}")
    k = np.where(cohort["true_alive"], k, 0).astype("float64")
    return pd.Series(k, index=cohort.index, name="future_purchases")
