"""Time-invariant covariates in BG/NBD, Pareto/NBD and Gamma-Gamma (CLVTools' static-covariate
forms), fitted by maximum likelihood with standard errors and a likelihood-ratio test.

Covariates are numeric (or 0/1 dummy, see :func:`dummy_encode`) columns of the per-customer
summary; x_i is customer i's row of them. Effects act on the gamma/beta mixing distributions:

* purchase: α_i = α·exp(−γ_transᵀx_i), so exp(γ_trans) multiplies the mean purchase rate r/α_i;
* dropout, Pareto/NBD: β_i = β·exp(−γ_lifeᵀx_i), so exp(γ_life) multiplies the mean dropout rate;
* dropout, BG/NBD: a_i = a·exp(γ_lifeᵀx_i), b_i = b·exp(γ_lifeᵀx_i) (CLVTools' bgnbd form: the
  mean dropout probability a/(a + b) stays, its spread shrinks as γ_lifeᵀx_i grows);
* spend, Gamma-Gamma: γ_i = γ·exp(γ_spendᵀx_i) (the scale of ν), so exp(γ_spend) multiplies the
  mean spend per purchase.

Estimation works on "working" parameters θ = (log of the base parameters, coefficients): L-BFGS-B
on the per-customer log-likelihoods of :mod:`crm_research.clv.formulas`, identical customers
(summary and covariates) collapsed into weights, started from the fit without covariates.
``covariance`` is the inverse numerical Hessian of the total negative log-likelihood in θ; the
standard errors of base parameters follow by the delta method (estimate × se of its log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from crm_research.clv import formulas
from crm_research.clv import models as btyd

SPEND_PARAMS = ["p", "q", "gamma"]


def dummy_encode(
    frame: pd.DataFrame, column: str, *, reference=None, prefix: str | None = None
) -> pd.DataFrame:
    """0/1 columns ``{prefix}_{level}`` (prefix defaults to ``column``) for every level of a
    categorical ``column`` except ``reference`` (default: the most frequent level, ties to the
    first in sorted order): each coefficient is then the effect of a level against the reference.
    Missing values are refused."""
    values = frame[column]
    if values.isna().any():
        raise ValueError(f"{column!r} has missing values: encode or drop them first")
    counts = values.value_counts()
    levels = sorted(counts.index, key=str)
    if reference is None:
        reference = max(levels, key=lambda v: counts[v])  # first of the most frequent
    elif reference not in counts.index:
        raise ValueError(f"reference {reference!r} is not a level of {column!r}")
    prefix = column if prefix is None else prefix
    cols = {f"{prefix}_{v}": (values == v).astype("float64") for v in levels if v != reference}
    return pd.DataFrame(cols, index=frame.index)


def _design(summary: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    missing = [c for c in cols if c not in summary.columns]
    if missing:
        raise ValueError(f"covariates not in the summary: {missing}")
    X = summary[list(cols)].to_numpy(dtype="float64").reshape(len(summary), len(cols))
    if not np.isfinite(X).all():
        raise ValueError("covariates must be finite numbers (no missing values)")
    return X


@dataclass
class CovariateFit:
    """A fitted model with covariates (``kind``: "bgnbd", "pareto" or "gamma-gamma").

    ``groups`` maps each effect ("trans", "life" or "spend") to its covariate columns; ``params``
    holds the base parameters then one coefficient per (group, column), named ``"trans: col"``;
    ``theta``/``covariance`` are in working parameters (see the module). ``lr_test``: statistic,
    df and p-value of the likelihood-ratio test against the same model without covariates (None
    for a fit without covariates)."""

    kind: str
    groups: dict[str, list[str]]
    params: pd.Series
    standard_errors: pd.Series
    theta: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    n_customers: int
    lr_test: dict | None = None
    info: dict = field(default_factory=dict)

    @property
    def base_names(self) -> list[str]:
        return SPEND_PARAMS if self.kind == "gamma-gamma" else btyd.PARAM_NAMES[self.kind]

    def table(self) -> pd.DataFrame:
        """Estimates, standard errors, Wald z and p-value (coefficients: against 0) and 95%
        intervals; ``multiplier`` = exp(coefficient), the factor on the mean rate or spend."""
        z95 = stats.norm.ppf(0.975)
        out = pd.DataFrame({"estimate": self.params, "std_error": self.standard_errors})
        coef = ~out.index.isin(self.base_names)
        out["z"] = np.where(coef, out["estimate"] / out["std_error"], np.nan)
        out["p_value"] = 2 * stats.norm.sf(np.abs(out["z"]))
        out["ci_low"] = out["estimate"] - z95 * out["std_error"]
        out["ci_high"] = out["estimate"] + z95 * out["std_error"]
        out["multiplier"] = np.where(coef, np.exp(out["estimate"]), np.nan)
        return out

    def customer_params(self, summary: pd.DataFrame, theta: np.ndarray | None = None) -> dict:
        """Each customer's model parameters (arrays where covariates make them individual) at
        ``theta`` (default: the estimate)."""
        return _customer_params(
            self.kind, self.groups, self.theta if theta is None else theta, summary
        )

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        p = formulas.p_alive(self.kind, self.customer_params(summary), *_history(summary))
        return pd.Series(p, index=summary.index, name="p_alive")

    def expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` periods (summary's time unit)."""
        v = formulas.expected_purchases(
            self.kind, self.customer_params(summary), t, *_history(summary)
        )
        return pd.Series(v, index=summary.index, name="expected_purchases")

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Gamma-Gamma fits: posterior mean spend per purchase (money unit of the summary)."""
        p = self.customer_params(summary)
        x, m = (summary[c].to_numpy(dtype="float64") for c in ("frequency", "monetary_value"))
        v = formulas.gamma_gamma_expected_spend(p["p"], p["q"], p["gamma"], x, m)
        return pd.Series(v, index=summary.index, name="expected_spend")


def _history(summary: pd.DataFrame) -> tuple[np.ndarray, ...]:
    return tuple(summary[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T"))


def _unpack(kind: str, groups: dict[str, list[str]], theta: np.ndarray):
    names = SPEND_PARAMS if kind == "gamma-gamma" else btyd.PARAM_NAMES[kind]
    base = dict(zip(names, np.exp(theta[: len(names)]), strict=True))
    coefs, i = {}, len(names)
    for g, cols in groups.items():
        coefs[g] = np.asarray(theta[i : i + len(cols)])
        i += len(cols)
    return base, coefs


def _customer_params(kind: str, groups: dict, theta: np.ndarray, data) -> dict:
    """Per-customer parameters at ``theta``; ``data``: a summary or a dict of design matrices."""
    base, coefs = _unpack(kind, groups, theta)
    designs = data if isinstance(data, dict) else _designs(groups, data)
    lin = {g: (designs[g] * coefs[g]).sum(axis=1) for g in designs}  # no BLAS: tiny, often
    if "trans" in lin:
        base["alpha"] = base["alpha"] * np.exp(-lin["trans"])
    if "life" in lin and kind == "bgnbd":
        base["a"], base["b"] = base["a"] * np.exp(lin["life"]), base["b"] * np.exp(lin["life"])
    if "life" in lin and kind == "pareto":
        base["beta"] = base["beta"] * np.exp(-lin["life"])
    if "spend" in lin:
        base["gamma"] = base["gamma"] * np.exp(lin["spend"])
    return base


def _designs(groups: dict, data: pd.DataFrame) -> dict[str, np.ndarray]:
    return {g: _design(data, cols) for g, cols in groups.items() if cols}


def _loglik_fn(kind: str, groups: dict, data: pd.DataFrame):
    """θ ↦ per-row log-likelihood on ``data`` (columns converted once)."""
    designs = _designs(groups, data)
    if kind == "gamma-gamma":
        x, m = (data[c].to_numpy(dtype="float64") for c in ("frequency", "monetary_value"))

        def ll(theta):
            p = _customer_params(kind, groups, theta, designs)
            return formulas.gamma_gamma_loglik(p["p"], p["q"], p["gamma"], x, m)

        return ll
    hist = _history(data)
    return lambda theta: formulas.loglik(
        kind, _customer_params(kind, groups, theta, designs), *hist
    )


LOG_PARAM_BOUND = (-20.0, 20.0)
COEF_BOUND = (-10.0, 10.0)


def _maximise(kind: str, groups: dict, data: pd.DataFrame, theta0: np.ndarray, refit: bool = True):
    """θ̂, its covariance and the maximum log-likelihood on collapsed ``data`` (``weights``);
    ``refit=False`` takes ``theta0`` as the estimate."""
    w = data["weights"].to_numpy(dtype="float64")
    loglik = _loglik_fn(kind, groups, data)

    def total_nll(theta):
        return -float((w * loglik(np.asarray(theta))).sum())

    theta, info = np.asarray(theta0, dtype="float64"), {"distinct_rows": len(data)}
    n_gamma = sum(len(c) for c in groups.values())
    # log-parameters within exp(±20) and coefficients within ±10: beyond, a model degenerates
    # (e.g. Pareto/NBD's s, β → ∞: no dropout) and the hypergeometric function fails outright
    bounds = [LOG_PARAM_BOUND] * (len(theta) - n_gamma) + [COEF_BOUND] * n_gamma
    with np.errstate(all="ignore"):
        if refit:
            res = optimize.minimize(
                lambda th: total_nll(th) / w.sum(),
                theta,
                method="L-BFGS-B",
                bounds=bounds,
                options={"ftol": 1e-13, "gtol": 1e-8, "maxiter": 5000},
            )
            if not np.isfinite(res.fun):
                raise RuntimeError(f"{kind} covariate fit did not converge: {res.message}")
            theta = res.x
            at_bound = [
                i for i, (lo, hi) in enumerate(bounds) if not lo + 1e-6 < theta[i] < hi - 1e-6
            ]
            info |= {
                "iterations": int(res.nit),
                "converged": bool(res.success) and not at_bound,
                "at_bound": at_bound,
            }
        H = btyd.numerical_hessian(total_nll, theta, abs_step=1e-4)
    try:
        cov = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        cov = np.full(H.shape, np.nan)
    return theta, cov, -total_nll(theta), info


def _fit(
    kind: str, summary: pd.DataFrame, groups: dict, base0: Sequence[float], refit: bool = True
) -> CovariateFit:
    groups = {g: list(c) for g, c in groups.items()}
    cov_cols = list(dict.fromkeys(c for cols in groups.values() for c in cols))
    keys = (
        ["frequency", "monetary_value"] if kind == "gamma-gamma" else ["frequency", "recency", "T"]
    )
    _design(summary, cov_cols)  # validates
    data = btyd.collapse(summary, cols=keys + cov_cols)
    k = sum(len(c) for c in groups.values())
    log0 = np.log(np.asarray(base0, dtype="float64"))
    null_theta, null_cov, null_ll, null_info = _maximise(kind, {}, data, log0, refit)
    if k:
        theta, cov, ll, info = _maximise(kind, groups, data, np.r_[null_theta, np.zeros(k)])
        stat = max(2 * (ll - null_ll), 0.0)
        lr = {
            "statistic": stat,
            "df": k,
            "p_value": float(stats.chi2.sf(stat, k)),
            "log_likelihood_null": null_ll,
        }
    else:
        theta, cov, ll, info, lr = null_theta, null_cov, null_ll, null_info, None
    names = SPEND_PARAMS if kind == "gamma-gamma" else btyd.PARAM_NAMES[kind]
    index = names + [f"{g}: {c}" for g, cols in groups.items() for c in cols]
    est = np.r_[np.exp(theta[: len(names)]), theta[len(names) :]]
    se_work = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
    se = np.r_[est[: len(names)] * se_work[: len(names)], se_work[len(names) :]]
    return CovariateFit(
        kind,
        groups,
        pd.Series(est, index=index),
        pd.Series(se, index=index),
        theta,
        cov,
        ll,
        int(data["weights"].sum()),
        lr,
        info,
    )


def fit_btyd_covariates(
    summary: pd.DataFrame,
    model: str = "bgnbd",
    *,
    trans: Sequence[str] = (),
    life: Sequence[str] = (),
) -> CovariateFit:
    """BG/NBD or Pareto/NBD with covariate columns ``trans`` on the purchase process and ``life``
    on the dropout process (forms in the module docstring). ``summary``: ``frequency``,
    ``recency``, ``T`` and the covariate columns, one row per customer."""
    if model not in formulas.MODELS:
        raise ValueError(f"model must be one of {formulas.MODELS}, got {model!r}")
    start = btyd.fit_btyd(summary, model).params
    return _fit(model, summary, {"trans": trans, "life": life}, start.to_numpy())


def fit_gamma_gamma_covariates(summary: pd.DataFrame, *, spend: Sequence[str] = ()) -> CovariateFit:
    """Gamma-Gamma with covariate columns ``spend`` on the scale of ν (exp(coefficient) is the
    factor on mean spend per purchase), on repeat customers (``frequency`` and
    ``monetary_value`` > 0)."""
    rep = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    start = btyd.fit_gamma_gamma(rep).params
    return _fit("gamma-gamma", rep, {"spend": spend}, start.to_numpy())


def from_btyd(model: btyd.BTYDModel, summary: pd.DataFrame) -> CovariateFit:
    """A fit without covariates from :func:`crm_research.clv.fit_btyd` in this module's form
    (θ = its log-parameters, their covariance from the Hessian on ``summary``: the data it was
    fitted on), e.g. for :mod:`crm_research.clv.uncertainty`."""
    return _fit(model.model, summary, {}, model.params.to_numpy(), refit=False)


def from_gamma_gamma(spend: btyd.SpendModel, summary: pd.DataFrame) -> CovariateFit:
    """As :func:`from_btyd` for a Gamma-Gamma fit (repeat customers of ``summary``)."""
    rep = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    return _fit("gamma-gamma", rep, {}, spend.params.to_numpy(), refit=False)


def predict(
    purchase: CovariateFit | btyd.BTYDModel,
    spend: CovariateFit | btyd.SpendModel,
    summary: pd.DataFrame,
    *,
    horizon: float,
    steps: int = 12,
    discount_rate: float = 0.01,
) -> pd.DataFrame:
    """Per-customer :data:`crm_research.clv.SCORE_COLUMNS` (``p_alive``, ``expected_purchases``
    in ``horizon`` periods, ``expected_spend`` per purchase, discounted ``clv`` as in
    :func:`crm_research.clv.discounted_clv`) from fits with or without covariates."""
    if isinstance(purchase, btyd.BTYDModel):
        kind, params = purchase.model, purchase.params.to_dict()
    else:
        kind, params = purchase.kind, purchase.customer_params(summary)
    sc = formulas.purchase_scores(
        kind, params, *_history(summary), horizon=horizon, steps=steps, discount_rate=discount_rate
    )
    return formulas.value_frame(sc, spend.expected_spend(summary).to_numpy(), summary.index)
