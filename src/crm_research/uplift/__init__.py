"""Campaign evaluation and uplift modelling (methodology steps 9 and 10, docs/background.md#ko-03).

Run the campaign on selected customers, record every contact and response, and measure the
programme's real effect: :mod:`~crm_research.uplift.effects` (did it work),
:mod:`~crm_research.uplift.learners` (for whom), :mod:`~crm_research.uplift.metrics` (Qini and
uplift curves), :mod:`~crm_research.uplift.policy` (economics and targeting policies),
:mod:`~crm_research.uplift.campaign` (the simulated campaign, truth known) and
:mod:`~crm_research.uplift.studies` (the studies of notebook 05). The Hillstrom loader is
:func:`crm_research.data.hillstrom.load_hillstrom`.
"""

from __future__ import annotations

from crm_research.data.hillstrom import HILLSTROM_COVARIATES, load_hillstrom
from crm_research.uplift.campaign import (
    CAMPAIGN_FEATURES,
    CampaignStudy,
    campaign_list,
    next_campaign,
    simulated_campaign_study,
)
from crm_research.uplift.effects import adjusted_effect, average_effects, balance_table, sample_size
from crm_research.uplift.learners import (
    BASE_LEARNER,
    LEARNERS,
    ClassTransformation,
    SLearner,
    TLearner,
    XLearner,
)
from crm_research.uplift.metrics import (
    auuc,
    normalised_qini,
    perfect_qini_curve,
    qini_coefficient,
    qini_curve,
    uplift_at_k,
    uplift_by_decile,
    uplift_curve,
)
from crm_research.uplift.policy import (
    CampaignEconomics,
    incremental_profit,
    observed_profit,
    policy_table,
    top_k,
)

__all__ = [
    "load_hillstrom",
    "HILLSTROM_COVARIATES",
    "average_effects",
    "adjusted_effect",
    "balance_table",
    "sample_size",
    "BASE_LEARNER",
    "SLearner",
    "TLearner",
    "ClassTransformation",
    "XLearner",
    "LEARNERS",
    "qini_curve",
    "perfect_qini_curve",
    "qini_coefficient",
    "normalised_qini",
    "uplift_curve",
    "auuc",
    "uplift_at_k",
    "uplift_by_decile",
    "CampaignEconomics",
    "incremental_profit",
    "top_k",
    "policy_table",
    "observed_profit",
    "CAMPAIGN_FEATURES",
    "campaign_list",
    "CampaignStudy",
    "simulated_campaign_study",
    "next_campaign",
]
