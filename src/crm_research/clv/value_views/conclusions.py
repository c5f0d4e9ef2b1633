"""Notebook 02's managers' conclusions with the covariate, interval and holdout parts added
(:func:`value_facts` gathers the facts, :func:`conclusions_markdown` writes them).
"""

from __future__ import annotations

import pandas as pd

from crm_research.clv import evaluation
from crm_research.clv.value_views.covariate_effects import (
    CovariateEffects,
    effect_sentences,
    lr_sentence,
)
from crm_research.clv.value_views.holdout import NAIVE, best_by_mae
from crm_research.clv.value_views.intervals import interval_summary
from crm_research.clv.views import conclusions as views_conclusions
from crm_research.clv.views import value as views_value


def _value_text(v: float, currency: str | None) -> str:
    return views_value.format_money(v, currency) if currency else f"{v:,.1f} purchases"


def conclusions_markdown(facts: dict) -> str:
    """:func:`crm_research.clv.views.conclusions.conclusions_markdown` of ``facts`` with the parts of this
    module inserted before the closing action line (a missing or None entry leaves its part out):

    ``holdout_best`` (model name), ``holdout_gini``, ``holdout_gini_normalized``,
    ``holdout_spend_error`` (total error fraction; absent without amounts) and
    ``holdout_value_of`` ("spend" or "purchases"); ``covariate_sentences`` (list),
    ``covariate_lr`` (sentence) or ``covariates_problem`` (why not); ``interval_top`` (dict:
    ``mean``, ``lower``, ``upper`` of the top decile, ``level``, ``customers`` sampled,
    ``currency`` or None); ``coverage_plain``, ``coverage_jittered`` (fractions), ``level``."""
    f = {k: v for k, v in facts.items() if v is not None}
    lines = views_conclusions.conclusions_markdown(facts).split("\n") if facts else []
    extra = []
    if "holdout_gini" in f:
        of = f.get("holdout_value_of", "spend")
        what = "spend" if of == "spend" else "purchases (no amounts in the data)"
        e = f.get("holdout_spend_error")
        err = (
            ""
            if e is None
            else f" and forecast the total holdout spend {abs(e):.0%} too {'low' if e < 0 else 'high'}"
        )
        extra.append(
            f"Ranking customers by {f['holdout_best']}'s forecast from the calibration period "
            f"sorted realised holdout {what} with a Gini of {f['holdout_gini']:.2f} "
            f"({f['holdout_gini_normalized']:.0%} of the best possible ranking){err}."
        )
    if "covariate_sentences" in f:
        extra.append(" ".join(f["covariate_sentences"] + [f.get("covariate_lr", "")]).strip())
    elif "covariates_problem" in f:
        problem = f["covariates_problem"]
        extra.append(f"Effects of customer characteristics: {problem[:1].lower()}{problem[1:]}")
    if "interval_top" in f:
        it = f["interval_top"]
        what = "discounted value" if it.get("currency") else "purchases"
        extra.append(
            f"Single customers' forecasts are uncertain: for the top 10% of the "
            f"{it['customers']:,} customers simulated, the {it['level']:.0%} interval of the next "
            f"{f.get('horizon_weeks', 52):g} weeks' "
            f"{what} runs on average from {_value_text(it['lower'], it.get('currency'))} to "
            f"{_value_text(it['upper'], it.get('currency'))} around "
            f"{_value_text(it['mean'], it.get('currency'))}. Decide on groups and rankings, "
            "not on one customer's point forecast."
        )
    if "coverage_plain" in f:
        lv = f.get("level", 0.9)
        extra.append(
            f"The {lv:.0%} intervals of holdout purchases held {f['coverage_plain']:.0%} of the "
            f"customers' realised counts ({f['coverage_jittered']:.0%} with counts made "
            f"continuous, where {lv:.0%} is exactly right): "
            + (
                "the stated uncertainty is honest."
                if abs(f["coverage_jittered"] - lv) <= 0.05
                else "treat the stated uncertainty with care."
            )
        )
    extra = [f"* {e}" for e in extra]
    at = next((i for i, ln in enumerate(lines) if ln.startswith("* Action:")), len(lines))
    return "\n".join(lines[:at] + extra + lines[at:])


def value_facts(
    *,
    holdout: evaluation.HoldoutEvaluation | None = None,
    intervals: pd.DataFrame | None = None,
    value_col: str = "clv",
    currency: str | None = None,
    coverage: pd.DataFrame | None = None,
    effects: CovariateEffects | None = None,
    covariates_problem: str | None = None,
) -> dict:
    """The facts :func:`conclusions_markdown` reads, from this module's results (None = that
    part did not run). The holdout facts also fill ``best_model``, ``best_mae`` and
    ``naive_mae`` of :func:`crm_research.clv.views.conclusions.conclusions_markdown`."""
    f: dict = {"covariates_problem": covariates_problem}
    if holdout is not None:
        t = holdout.table.astype(float)
        best = best_by_mae(holdout.table)
        f |= {
            "best_model": best,
            "best_mae": t.loc[best, "purchases_mae"],
            "naive_mae": t.loc[NAIVE, "purchases_mae"] if NAIVE in t.index else None,
            "holdout_best": best,
            "holdout_gini": t.loc[best, "gini"],
            "holdout_gini_normalized": t.loc[best, "gini_normalized"],
            "holdout_spend_error": t.loc[best].get("spend_total_error"),
            "holdout_value_of": holdout.table.attrs.get("value_of", "spend"),
        }
    if intervals is not None and len(intervals) >= 10:
        top = interval_summary(intervals, value_col).iloc[0]
        f["interval_top"] = {
            "mean": top[f"mean {value_col}"],
            "lower": top["mean lower"],
            "upper": top["mean upper"],
            "level": 0.9,
            "customers": int(len(intervals)),
            "currency": currency if value_col == "clv" else None,
        }
    if coverage is not None:
        f |= {
            "coverage_plain": coverage.loc["holdout purchases", "coverage"],
            "coverage_jittered": coverage.loc["holdout purchases (jittered)", "coverage"],
            "level": coverage.loc["holdout purchases", "level"],
        }
    if effects is not None:
        f |= {
            "covariate_sentences": effect_sentences(effects, limit=3),
            "covariate_lr": lr_sentence(effects),
        }
    return f
