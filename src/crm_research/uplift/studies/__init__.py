"""The campaign studies of notebook 05, on top of :mod:`crm_research.uplift`.

* :mod:`~crm_research.uplift.studies.hillstrom` — the real Hillstrom e-mail campaign.
* :mod:`~crm_research.uplift.studies.simulated` — the simulated campaign, where the truth is known.
* :mod:`~crm_research.uplift.studies.own` — the analyst's own randomised campaign.
* :mod:`~crm_research.uplift.studies.common` — policy labels, evaluation and report formatting.
"""

from __future__ import annotations

from crm_research.uplift.studies.common import (
    ADJUSTED_DECIMALS,
    EVALUATION_DECIMALS,
    HILLSTROM_RECENCY,
    HILLSTROM_RESPONSE,
    MIN_PER_ARM,
    RECENCY,
    RESPONSE,
    SIM_CHURN,
    SIM_RESPONSE,
    effects_display,
    evaluation_display,
    format_p_value,
    money,
)
from crm_research.uplift.studies.hillstrom import (
    HillstromStudy,
    hillstrom_conclusions,
    hillstrom_study,
)
from crm_research.uplift.studies.own import (
    OwnCampaignStudy,
    campaign_ids,
    campaign_results,
    own_campaign,
    own_campaign_study,
    own_conclusions,
    own_feature_columns,
)
from crm_research.uplift.studies.simulated import (
    SIM_CHECK_FEATURES,
    best_uplift_policy,
    simulated_checks,
    simulated_conclusions,
    simulated_next_campaign,
    simulated_stability,
    uplift_types,
)

__all__ = [
    "RESPONSE",
    "RECENCY",
    "HILLSTROM_RESPONSE",
    "HILLSTROM_RECENCY",
    "SIM_RESPONSE",
    "SIM_CHURN",
    "MIN_PER_ARM",
    "money",
    "format_p_value",
    "effects_display",
    "ADJUSTED_DECIMALS",
    "EVALUATION_DECIMALS",
    "evaluation_display",
    "HillstromStudy",
    "hillstrom_study",
    "hillstrom_conclusions",
    "uplift_types",
    "SIM_CHECK_FEATURES",
    "simulated_checks",
    "simulated_stability",
    "simulated_next_campaign",
    "best_uplift_policy",
    "simulated_conclusions",
    "campaign_ids",
    "own_campaign",
    "own_feature_columns",
    "campaign_results",
    "OwnCampaignStudy",
    "own_campaign_study",
    "own_conclusions",
]
