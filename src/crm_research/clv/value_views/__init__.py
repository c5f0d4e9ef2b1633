"""Customer value beyond the anchors: notebook 02's views on covariates
(:mod:`.covariate_data`, :mod:`.covariate_effects`), per-customer uncertainty
(:mod:`.intervals`) and holdout evaluation (:mod:`.holdout`), with the conclusions they add
(:mod:`.conclusions`), on any dataset's customer database.

Time unit of every summary: weeks (:data:`crm_research.clv.views.window.WEEK`); money in the
dataset's currency unless a docstring says "scaled" (divided by
:func:`crm_research.reporting.kpi.money_scale`).
"""

from __future__ import annotations

from crm_research.clv.sampling import sample_customers
from crm_research.clv.value_views.conclusions import (
    conclusions_markdown,
    value_facts,
)
from crm_research.clv.value_views.covariate_data import (
    AGE_BANDS,
    COVARIATE_COLUMNS,
    CovariateDesign,
    covariate_design,
    customer_covariates,
    select_covariates,
)
from crm_research.clv.value_views.covariate_effects import (
    ESTIMATE_COLUMNS,
    PROCESS_LABELS,
    CovariateEffects,
    covariates_missing_text,
    effect_sentences,
    fit_covariate_effects,
    format_p,
    lr_sentence,
)
from crm_research.clv.value_views.holdout import (
    MONEY_COLUMNS,
    NAIVE,
    best_by_mae,
    calibration_data,
    calibration_spend,
    evaluate_models,
    holdout_display,
    holdout_spend,
)
from crm_research.clv.value_views.intervals import (
    holdout_coverage,
    interval_examples,
    interval_summary,
    value_intervals,
)

__all__ = [
    "COVARIATE_COLUMNS",
    "AGE_BANDS",
    "customer_covariates",
    "select_covariates",
    "CovariateDesign",
    "covariate_design",
    "PROCESS_LABELS",
    "ESTIMATE_COLUMNS",
    "CovariateEffects",
    "fit_covariate_effects",
    "format_p",
    "effect_sentences",
    "lr_sentence",
    "covariates_missing_text",
    "sample_customers",
    "value_intervals",
    "interval_summary",
    "interval_examples",
    "holdout_coverage",
    "NAIVE",
    "calibration_data",
    "holdout_spend",
    "MONEY_COLUMNS",
    "evaluate_models",
    "best_by_mae",
    "calibration_spend",
    "holdout_display",
    "conclusions_markdown",
    "value_facts",
]
