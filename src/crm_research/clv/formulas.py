"""Per-customer BTYD formulas, vectorised: log-likelihoods and predictions of BG/NBD, Pareto/NBD
and Gamma-Gamma.

Every function takes the model parameters as scalars *or* per-customer arrays (a covariate model
gives each customer its own α, a, b, β or γ) and the summary columns ``x`` (repeat purchases),
``tx`` (recency) and ``T`` (age) as arrays, in the summary's time unit. The formulas are lifetimes'
(Fader, Hardie & Lee 2005; Hardie's notes 009, 021, 025), written once here so that fitting,
covariate models, intervals and scoring share them. :func:`purchase_scores` evaluates the
expensive parts (``hyp2f1``) once per distinct combination of the inputs they depend on.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln, hyp2f1, logsumexp

MODELS = ("bgnbd", "pareto")


# ------------------------------------------------------------------------------------------------
# log-likelihoods (one value per customer)


def bgnbd_loglik(r, alpha, a, b, x, tx, T) -> np.ndarray:
    """BG/NBD log-likelihood of each customer's (x, t_x, T) (Fader, Hardie & Lee 2005a, §7)."""
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(tx + alpha)
    m = np.maximum(a3, a4)
    return a1 + a2 + np.log(np.exp(a3 - m) + np.exp(a4 - m) * (x > 0)) + m


def pareto_log_a0(r, alpha, s, beta, x, tx, T) -> np.ndarray:
    """log A₀ of the Pareto/NBD likelihood (Hardie's note 009, eqs. 19-20), elementwise in α, β."""
    alpha_low = np.asarray(alpha < beta)
    hi, lo = np.maximum(alpha, beta), np.minimum(alpha, beta)
    t = np.where(alpha_low, r + x, s + 1)
    rsf = r + s + x
    p1 = hyp2f1(rsf, t, rsf + 1.0, (hi - lo) / (hi + tx))
    p2 = hyp2f1(rsf, t, rsf + 1.0, (hi - lo) / (hi + T))
    q1, q2 = hi + tx, hi + T
    terms = np.broadcast_arrays(np.log(p1) + rsf * np.log(q2), np.log(p2) + rsf * np.log(q1))
    sign = np.ones(terms[0].shape)
    return logsumexp(terms, axis=0, b=[sign, -sign]) - rsf * np.log(q1 * q2)


def pareto_loglik(r, alpha, s, beta, x, tx, T, log_a0=None) -> np.ndarray:
    """Pareto/NBD log-likelihood of each customer (Hardie's note 009, eq. 18)."""
    if log_a0 is None:
        log_a0 = pareto_log_a0(r, alpha, s, beta, x, tx, T)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    return a1 + np.logaddexp(alive, np.log(s) + log_a0 - np.log(r + s + x))


def gamma_gamma_loglik(p, q, v, x, m) -> np.ndarray:
    """Gamma-Gamma log-likelihood of each repeat customer's mean spend ``m`` over ``x`` purchases
    (Hardie's note 025, eq. 1a); ``v`` is the scale γ (rate of ν)."""
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )


def loglik(model: str, params: Mapping, x, tx, T) -> np.ndarray:
    """Per-customer log-likelihood of ``model`` ("bgnbd" or "pareto") with named ``params``."""
    if model == "bgnbd":
        return bgnbd_loglik(params["r"], params["alpha"], params["a"], params["b"], x, tx, T)
    if model == "pareto":
        return pareto_loglik(params["r"], params["alpha"], params["s"], params["beta"], x, tx, T)
    raise ValueError(f"model must be one of {MODELS}, got {model!r}")


# ------------------------------------------------------------------------------------------------
# predictions


def gamma_gamma_expected_spend(p, q, v, x, m) -> np.ndarray:
    """Posterior mean spend per purchase: a weighted mean of the customer's ``m`` and the
    population mean γp/(q − 1) (customers with ``x`` = 0 get the population mean)."""
    w = p * x / (p * x + q - 1)
    return (1 - w) * (v * p / (q - 1)) + w * m


def p_alive(model: str, params: Mapping, x, tx, T) -> np.ndarray:
    """Probability each customer is alive at ``T`` (in [0, 1])."""
    x, tx, T = (np.asarray(c, dtype="float64") for c in (x, tx, T))
    if model == "bgnbd":
        r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
        log_div = (r + x) * np.log((alpha + T) / (alpha + tx)) + np.log(
            a / (b + np.maximum(x, 1) - 1)
        )
        return np.clip(np.where(x == 0, 1.0, expit(-log_div)), 0, 1)
    if model == "pareto":
        pr = (params[k] for k in ("r", "alpha", "s", "beta"))
        return _pareto_alive_and_scale(*pr, x, tx, T)[:, 0]
    raise ValueError(f"model must be one of {MODELS}, got {model!r}")


def _bgnbd_numerator(t, r, alpha, a, b, x, T) -> np.ndarray:
    """Numerator of BG/NBD's conditional expectation (eq. 10): depends on (x, T), not on t_x."""
    ca, cb, cc = r + x, b + x, a + b + x - 1
    z = t / (alpha + T + t)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_hyp = np.log(hyp2f1(ca, cb, cc, z))
        inf = np.isinf(ln_hyp)
        if inf.any():  # the same value by Euler's transformation where the series overflows
            alt = np.log(hyp2f1(cc - ca, cc - cb, cc, z)) + (cc - ca - cb) * np.log(1 - z)
            ln_hyp = np.where(inf, alt, ln_hyp)
    second = 1 - np.exp(ln_hyp + (r + x) * np.log((alpha + T) / (alpha + t + T)))
    return (a + b + x - 1) / (a - 1) * second


def _bgnbd_denominator(r, alpha, a, b, x, tx, T) -> np.ndarray:
    return 1 + (x > 0) * (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x)


def _pareto_alive_and_scale(r, alpha, s, beta, x, tx, T) -> np.ndarray:
    """Columns P(alive) and exp(first + second − log L) of Pareto/NBD's conditional expectation
    (note 009, eqs. 36-37 and 41; one log A₀ for both): E[purchases in t] = scale ×
    (1 − ((β + T)/(β + T + t))^(s − 1)) / (s − 1)."""
    a0 = pareto_log_a0(r, alpha, s, beta, x, tx, T)
    z = np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)
    alive = np.clip(1.0 / (1.0 + np.exp(z + a0)), 0, 1)
    ll = pareto_loglik(r, alpha, s, beta, x, tx, T, log_a0=a0)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    first = a1 - (r + x) * np.log(alpha + T) - s * np.log(beta + T)
    second = np.log(r + x) + np.log(beta + T) - np.log(alpha + T)
    return np.column_stack([alive, np.exp(first + second - ll)])


def _pareto_growth(t, s, beta, T) -> np.ndarray:
    return (1 - ((beta + T) / (beta + T + t)) ** (s - 1)) / (s - 1)


def expected_purchases(model: str, params: Mapping, t: float, x, tx, T) -> np.ndarray:
    """Expected purchases in the next ``t`` time units of each customer (conditional on history)."""
    return purchase_scores(model, params, x, tx, T, horizon=t, steps=1, discount_rate=0.0)[
        "expected_purchases"
    ]


# ------------------------------------------------------------------------------------------------
# scoring many customers: shared terms once, hyp2f1 once per distinct input


def distinct(*cols) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct combinations of equal-length columns and one row index for each code
    (hash-based, no sort). Scalars are ignored (they are the same on every row)."""
    arrays = [np.asarray(c) for c in cols if np.ndim(c) > 0]
    n = len(arrays[0])
    codes = np.zeros(n, dtype="int64")
    for arr in arrays:
        c, uniques = pd.factorize(arr, use_na_sentinel=False)
        codes, _ = pd.factorize(codes * len(uniques) + c)
    rep = np.empty(int(codes.max()) + 1 if n else 0, dtype="int64")
    rep[codes] = np.arange(n)
    return codes, rep


def _take(v, idx):
    return v if np.ndim(v) == 0 else np.asarray(v)[idx]


def _per_distinct(fn, params: dict, *cols):
    """``fn(**params, *cols)`` evaluated once per distinct row of (cols, array-valued params)."""
    keys = [*cols, *(v for v in params.values() if np.ndim(v) > 0)]
    codes, rep = distinct(*keys)
    if len(rep) > 0.7 * len(codes):  # hardly any repeats: evaluate directly
        return fn(*params.values(), *cols)
    return fn(*(_take(v, rep) for v in params.values()), *(_take(c, rep) for c in cols))[codes]


def purchase_scores(
    model: str,
    params: Mapping,
    x,
    tx,
    T,
    *,
    horizon: float,
    steps: int = 12,
    discount_rate: float = 0.01,
) -> dict[str, np.ndarray]:
    """``p_alive``, ``expected_purchases`` in the next ``horizon`` time units and
    ``discounted_purchases`` (Σₖ (1 + rate)⁻ᵏ × expected purchases in step k of ``steps`` equal
    steps of the horizon; times expected spend it is the discounted CLV of
    :func:`crm_research.clv.discounted_clv`)."""
    x, tx, T = (np.asarray(c, dtype="float64") for c in (x, tx, T))
    edges = np.linspace(0, horizon, steps + 1)
    disc = (1 + discount_rate) ** -np.arange(1, steps + 1)

    def stepped(cum: list[np.ndarray]) -> np.ndarray:
        """Columns: value at the horizon, discounted sum of the per-step increments."""
        cum = np.column_stack([np.zeros(len(cum[0])), *cum])
        return np.column_stack([cum[:, -1], np.diff(cum, axis=1) @ disc])

    if model == "bgnbd":
        pr = {k: params[k] for k in ("r", "alpha", "a", "b")}

        def numerators(r, alpha, a, b, x, T):
            return stepped([_bgnbd_numerator(t, r, alpha, a, b, x, T) for t in edges[1:]])

        num = _per_distinct(numerators, pr, x, T)
        den = _bgnbd_denominator(*pr.values(), x, tx, T)
        alive = p_alive(model, pr, x, tx, T)
        pur, dis = num[:, 0] / den, num[:, 1] / den
    elif model == "pareto":
        pr = {k: params[k] for k in ("r", "alpha", "s", "beta")}
        alive, scale = _per_distinct(_pareto_alive_and_scale, pr, x, tx, T).T

        def growth(s, beta, T):
            return stepped([_pareto_growth(t, s, beta, T) for t in edges[1:]])

        g = _per_distinct(growth, {"s": pr["s"], "beta": pr["beta"]}, T)
        pur, dis = scale * g[:, 0], scale * g[:, 1]
    else:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    return {"p_alive": alive, "expected_purchases": pur, "discounted_purchases": dis}


def value_frame(scores: Mapping, spend: np.ndarray, index) -> pd.DataFrame:
    """Per customer: P(alive), expected purchases, expected spend per purchase and discounted
    CLV, from :func:`purchase_scores` output and the spend model's expected spend."""
    return pd.DataFrame(
        {
            "p_alive": scores["p_alive"],
            "expected_purchases": scores["expected_purchases"],
            "expected_spend": spend,
            "clv": scores["discounted_purchases"] * spend,
        },
        index=index,
    )
