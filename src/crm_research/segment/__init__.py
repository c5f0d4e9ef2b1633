"""Segmentation and profiling (methodology step 5 of the background texts, docs/background.md#ko-03).

Split customers into groups with similar characteristics, profile each group and define a
strategy per group: :mod:`~crm_research.segment.features` (per-customer features),
:mod:`~crm_research.segment.clustering` (models, choice of k, bootstrap stability),
:mod:`~crm_research.segment.stability` (the choice of k by bootstrap agreement),
:mod:`~crm_research.segment.comparison` (agreement with the truth and the RFM rules) and
:mod:`~crm_research.segment.profiles` (profiles, names, strategies, conclusions).
"""

from __future__ import annotations

from crm_research.segment import stability
from crm_research.segment.clustering import (
    EVIDENCE_COLUMNS,
    EVIDENCE_PANELS,
    METHODS,
    Segmentation,
    bootstrap_stability,
    candidate_runs,
    choose_k,
    elbow,
    fit_on_sample,
    fit_segments,
    sample_index,
    selection_table,
    stability_table,
)
from crm_research.segment.comparison import (
    ari_by_k,
    ari_table,
    pca_view,
    recovery,
    rfm_baselines,
    true_segments,
)
from crm_research.segment.features import (
    ALL_FEATURES,
    DEFAULT_FEATURES,
    FALLBACK_FEATURES,
    FEATURE_NEEDS,
    MIN_TENURE_YEARS,
    RFM_FEATURES,
    channel_columns,
    channel_slug,
    choose_features,
    customer_features,
    data_channels,
    feature_need,
    feature_pipeline,
    rfm_features,
    value_note,
    value_table,
)
from crm_research.segment.profiles import (
    conclusions,
    name_clusters,
    profile,
    standardized_means,
    strategy,
    value_measure,
)

__all__ = [
    "DEFAULT_FEATURES",
    "ALL_FEATURES",
    "MIN_TENURE_YEARS",
    "customer_features",
    "feature_pipeline",
    "RFM_FEATURES",
    "rfm_features",
    "FEATURE_NEEDS",
    "FALLBACK_FEATURES",
    "channel_slug",
    "data_channels",
    "channel_columns",
    "feature_need",
    "choose_features",
    "value_table",
    "value_note",
    "METHODS",
    "EVIDENCE_PANELS",
    "EVIDENCE_COLUMNS",
    "Segmentation",
    "fit_segments",
    "selection_table",
    "elbow",
    "choose_k",
    "bootstrap_stability",
    "sample_index",
    "fit_on_sample",
    "stability_table",
    "candidate_runs",
    "recovery",
    "rfm_baselines",
    "true_segments",
    "ari_table",
    "ari_by_k",
    "pca_view",
    "profile",
    "standardized_means",
    "name_clusters",
    "strategy",
    "value_measure",
    "conclusions",
    "stability",
]
