"""Covariate effects on purchase, dropout and spend: Pareto/NBD (or BG/NBD) with the covariates on
the purchase and dropout processes and Gamma-Gamma with them on spend
(:mod:`crm_research.clv.covariates`) — coefficient table, likelihood-ratio tests and sentences a
manager reads (:func:`fit_covariate_effects`, :func:`effect_sentences`, :func:`lr_sentence`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_research.clv import covariates as cov
from crm_research.clv import models as btyd
from crm_research.clv import sampling
from crm_research.clv.value_views.covariate_data import CovariateDesign
from crm_research.data.datasets import NEEDS

PROCESS_LABELS = {"trans": "purchase rate", "life": "dropout", "spend": "spend per purchase"}
# column names of estimate tables (``fit.table()``, ``CovariateEffects.table()``) for readers
ESTIMATE_COLUMNS = {
    "std_error": "std error",
    "ci_low": "95% low",
    "ci_high": "95% high",
    "mult_low": "multiplier 95% low",
    "mult_high": "multiplier 95% high",
    "p_value": "p-value",
}


@dataclass
class CovariateEffects:
    """Fits with covariates: ``purchase`` (Pareto/NBD or BG/NBD; every dummy on the purchase
    and the dropout process) and, with amounts, ``spend`` (Gamma-Gamma; every dummy on spend); ``fit_note`` says
    when they were fitted on a seeded sample of the customers."""

    design: CovariateDesign
    purchase: cov.CovariateFit
    spend: cov.CovariateFit | None = None
    fit_note: str | None = None

    def table(self) -> pd.DataFrame:
        """One row per process and covariate level: ``process``, ``covariate``, ``level``,
        ``reference``, ``estimate`` (log scale), ``std_error``, ``ci_low``/``ci_high`` (95%),
        ``multiplier`` = exp(estimate) and its 95% interval ``mult_low``/``mult_high`` (the factor
        on the mean purchase rate, dropout rate — Pareto/NBD — or spend per purchase against the
        reference level), ``p_value`` (Wald). BG/NBD's dropout coefficients scale a and b together
        (the spread, not the mean, of the dropout probability): their multiplier is left empty."""
        rows = []
        for fit in (self.purchase, self.spend):
            if fit is None:
                continue
            t = fit.table()
            for name, r in t.iterrows():
                if name in fit.base_names:
                    continue
                group, col = name.split(": ", 1)
                covariate, level = self.design.levels[col]
                bg_life = fit.kind == "bgnbd" and group == "life"
                rows.append(
                    {
                        "process": PROCESS_LABELS[group],
                        "covariate": covariate,
                        "level": level,
                        "reference": self.design.reference[covariate],
                        "estimate": r["estimate"],
                        "std_error": r["std_error"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                        "multiplier": np.nan if bg_life else np.exp(r["estimate"]),
                        "mult_low": np.nan if bg_life else np.exp(r["ci_low"]),
                        "mult_high": np.nan if bg_life else np.exp(r["ci_high"]),
                        "p_value": r["p_value"],
                    }
                )
        return pd.DataFrame(rows)

    def lr_tests(self) -> pd.DataFrame:
        """Likelihood-ratio test of each fit against the same model without covariates: model,
        log-likelihoods, statistic (chi-squared), df and p-value."""
        rows = {}
        for fit in (self.purchase, self.spend):
            if fit is None or fit.lr_test is None:
                continue
            lr = fit.lr_test
            label = "Gamma-Gamma" if fit.kind == "gamma-gamma" else btyd.MODEL_LABELS[fit.kind]
            rows[label] = {
                "customers": fit.n_customers,
                "log-lik without": lr["log_likelihood_null"],
                "log-lik with": fit.log_likelihood,
                "LR statistic": lr["statistic"],
                "df": lr["df"],
                "p-value": lr["p_value"],
            }
        return pd.DataFrame(rows).T


def fit_covariate_effects(
    summary: pd.DataFrame,
    design: CovariateDesign,
    *,
    model: str = "pareto",
    spend: bool = True,
    fit_customers: int | None = sampling.FIT_SAMPLE,
    fit_seed: int = sampling.FIT_SEED,
) -> CovariateEffects:
    """Fit ``model`` ("pareto" or "bgnbd") with every design column on the purchase and dropout
    processes and, with ``spend`` (the summary's ``monetary_value`` is the scaled mean spend),
    Gamma-Gamma with them on spend per purchase. ``summary``: a weekly BTYD summary indexed like
    the design (customers missing from the design are refused). With more than
    ``fit_customers`` customers the fits use a seeded random sample of them
    (:func:`crm_research.clv.sampling.fit_sample`, ``fit_seed``; the LR table's ``customers``
    counts the sample)."""
    s = sampling.fit_sample(summary, fit_customers, fit_seed).join(design.frame, how="left")
    if s[design.columns].isna().any().any():
        raise ValueError("every customer of the summary needs covariates")
    cols = design.columns
    purchase = cov.fit_btyd_covariates(s, model, trans=cols, life=cols)
    spend_fit = cov.fit_gamma_gamma_covariates(s, spend=cols) if spend else None
    note = sampling.sample_note(len(s), len(summary), fit_seed, what="")
    return CovariateEffects(design, purchase, spend_fit, note)


def _pct(mult: float) -> str:
    return f"{abs(mult - 1):.0%}"


def _who(covariate: str, level: str) -> str:
    return {
        "acquisition_channel": f"acquired through {level}",
        "member": "with a member record" if level == "yes" else "without a member record",
        "gender": f"of gender {level}",
        "age_band": f"aged {level}",
    }.get(covariate, f"with {covariate} {level}")


def format_p(p: float) -> str:
    """A p-value as a report writes it: "p < 0.001" or "p = 0.012"."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def effect_sentences(
    effects: CovariateEffects, *, alpha: float = 0.05, limit: int = 4
) -> list[str]:
    """Plain sentences for the ``limit`` most significant effects (Wald p < ``alpha``) with a
    multiplier, e.g. "Customers acquired through app buy 23% more often than those acquired
    through web (×1.23, 95% interval ×1.10 to ×1.38; p = 0.001)."; a single sentence when none
    is significant."""
    t = effects.table().dropna(subset=["multiplier"])
    t = t[t["p_value"] < alpha].sort_values("p_value").head(limit)
    verbs = {
        "purchase rate": ("buy {} more often", "buy {} less often"),
        "dropout": ("drop out {} faster", "drop out {} more slowly"),
        "spend per purchase": ("spend {} more per purchase", "spend {} less per purchase"),
    }
    out = []
    for _, r in t.iterrows():
        up, down = verbs[r["process"]]
        verb = (up if r["multiplier"] >= 1 else down).format(_pct(r["multiplier"]))
        out.append(
            f"Customers {_who(r['covariate'], r['level'])} {verb} than those "
            f"{_who(r['covariate'], r['reference'])} (×{r['multiplier']:.2f}, 95% interval "
            f"×{r['mult_low']:.2f} to ×{r['mult_high']:.2f}; {format_p(r['p_value'])})."
        )
    if not out:
        out.append(
            f"None of the characteristics changes purchase rate, dropout or spend significantly "
            f"(every Wald p ≥ {alpha:g})."
        )
    return out


def lr_sentence(effects: CovariateEffects) -> str:
    """One sentence on the likelihood-ratio tests of the fits."""
    parts = []
    for label, r in effects.lr_tests().iterrows():
        verdict = "improve" if r["p-value"] < 0.05 else "do not significantly improve"
        parts.append(
            f"{verdict} the {label} fit (likelihood-ratio χ² = {r['LR statistic']:.1f} on "
            f"{int(r['df'])} df, {format_p(r['p-value'])})"
        )
    return "Together the characteristics " + "; they ".join(parts) + "."


def covariates_missing_text() -> str:
    """The one-line note for data without any customer characteristic."""

    return (
        f"Not available for this data: needs customer characteristics: {NEEDS['channels']}, or "
        "a member registry with gender or birth dates."
    )
