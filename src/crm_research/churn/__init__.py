"""Churn prediction (methodology step 8 of the background texts, docs/background.md#ko-03).

A predictive model gives every customer a churn score, is tested for accuracy and efficiency, and
its scores are written back for campaigns: :mod:`~crm_research.churn.labels` (cut-offs, labels
and features without leakage), :mod:`~crm_research.churn.models`,
:mod:`~crm_research.churn.study` (the time-split study), :mod:`~crm_research.churn.evaluation`,
:mod:`~crm_research.churn.decision` (the retention decision), :mod:`~crm_research.churn.survival`,
:mod:`~crm_research.churn.subscription` (IBM Telco) and :mod:`~crm_research.churn.findings`.
The Telco loader is :func:`crm_research.data.telco.load_telco`.
"""

from __future__ import annotations

from crm_research.churn.decision import (
    Economics,
    best_n,
    contact_list,
    default_economics,
    expected_profit,
    profit_curve,
    scores_table,
    sensitivity,
    value_at_risk,
    write_scores,
)
from crm_research.churn.evaluation import (
    RELIABILITY_MODELS,
    best_model,
    estimates_display,
    evaluate,
    lift_table,
    model_table,
    permutation_importances,
    reliability,
    true_dropout,
)
from crm_research.churn.findings import conclusions
from crm_research.churn.labels import (
    FEATURES,
    TRANSACTION_FEATURES,
    churn_features,
    churn_labels,
    cutoffs,
    plan_cutoffs,
)
from crm_research.churn.models import (
    GB_GRID,
    Logit,
    bgnbd_p_no_purchase,
    btyd_scores,
    calibrator,
    gradient_boosting,
    recency_rule,
    select_by_time,
)
from crm_research.churn.study import ChurnRun, time_split_study
from crm_research.churn.subscription import (
    TELCO_CATEGORICAL,
    TELCO_NUMERIC,
    telco_cross_validation,
    telco_models,
)
from crm_research.churn.survival import (
    cox,
    kaplan_meier,
    lapse_cox,
    lapse_survival,
    survival_groups,
)
from crm_research.data.telco import load_telco

__all__ = [
    "FEATURES",
    "TRANSACTION_FEATURES",
    "cutoffs",
    "plan_cutoffs",
    "churn_labels",
    "churn_features",
    "btyd_scores",
    "bgnbd_p_no_purchase",
    "recency_rule",
    "Logit",
    "gradient_boosting",
    "GB_GRID",
    "select_by_time",
    "calibrator",
    "ChurnRun",
    "time_split_study",
    "RELIABILITY_MODELS",
    "estimates_display",
    "evaluate",
    "reliability",
    "lift_table",
    "true_dropout",
    "model_table",
    "best_model",
    "permutation_importances",
    "Economics",
    "expected_profit",
    "profit_curve",
    "best_n",
    "default_economics",
    "value_at_risk",
    "sensitivity",
    "contact_list",
    "scores_table",
    "write_scores",
    "kaplan_meier",
    "cox",
    "lapse_survival",
    "survival_groups",
    "lapse_cox",
    "TELCO_NUMERIC",
    "TELCO_CATEGORICAL",
    "telco_models",
    "telco_cross_validation",
    "conclusions",
    "load_telco",
]
