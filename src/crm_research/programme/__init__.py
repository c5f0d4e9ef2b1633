"""The CRM programme: the ten steps, the goals as measurable KPI targets, the business design
per segment and the IT plan (steps 1–2, 6, 7 and 10 of the ten-step methodology,
docs/background.md#ten-steps).

=====================  ==========================================================================
module                 its one job
=====================  ==========================================================================
:mod:`.steps`          the course order (:data:`CHAPTERS`) and the ten steps (:data:`TEN_STEPS`)
:mod:`.targets`        steps 1–2: goals as KPI targets with hypotheses (:class:`Target`,
                       :data:`TARGETS`, :func:`load_targets`, :func:`targets_for`)
:mod:`.measure`        the KPIs against the targets: now, expected, over a review period
:mod:`.design`         step 6: an incentive programme and its budget per segment
:mod:`.it_plan`        step 7: what runs where, and when
:mod:`.display`        the programme's tables in words
:mod:`.conclusions`    the conclusions for managers of notebooks 00 and 07
=====================  ==========================================================================
"""

from crm_research.programme.conclusions import programme_conclusions, review_conclusions
from crm_research.programme.design import (
    INCENTIVES,
    RFM_ACTIONS,
    average_order_value,
    incentive_plan,
    rfm_incentive_plan,
)
from crm_research.programme.display import (
    format_expected,
    format_kpi,
    format_review,
    format_vs_target,
    targets_table,
)
from crm_research.programme.it_plan import IT_PLAN, it_plan_table
from crm_research.programme.measure import (
    expected_kpis,
    kpi_vs_target,
    review_table,
    true_alive_share,
)
from crm_research.programme.steps import CHAPTERS, TEN_STEPS, chapter_order, ten_steps_table
from crm_research.programme.targets import (
    RATE_KPIS,
    TARGETS,
    Target,
    as_dict,
    as_json,
    load_targets,
    targets_for,
    targets_to_yaml,
    with_value,
)

__all__ = [
    "CHAPTERS",
    "INCENTIVES",
    "IT_PLAN",
    "RATE_KPIS",
    "RFM_ACTIONS",
    "TARGETS",
    "TEN_STEPS",
    "Target",
    "as_dict",
    "as_json",
    "average_order_value",
    "chapter_order",
    "expected_kpis",
    "format_expected",
    "format_kpi",
    "format_review",
    "format_vs_target",
    "incentive_plan",
    "it_plan_table",
    "kpi_vs_target",
    "load_targets",
    "programme_conclusions",
    "review_conclusions",
    "review_table",
    "rfm_incentive_plan",
    "targets_for",
    "targets_table",
    "targets_to_yaml",
    "ten_steps_table",
    "true_alive_share",
    "with_value",
]
