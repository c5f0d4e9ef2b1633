"""Customer lifetime value on a dataset's customer database: the views of notebook 02.

Everything takes the customer database (an Ibis connection from
:func:`crm_research.data.datasets.connect`) or frames derived from it, so the same analysis runs
on the simulated retailer, CDNOW and an analyst's own exports: the analysis window
(:mod:`.window`), purchase models on the calibration period (:mod:`.purchase_models`), the value
of every customer (:mod:`.value`), scoring against the simulator's truth
(:mod:`.truth`) and the managers' conclusions (:mod:`.conclusions`). Time unit: weeks.
"""

from __future__ import annotations

from crm_research.clv.views.conclusions import (
    conclusions_markdown,
)
from crm_research.clv.views.purchase_models import (
    best_model,
    fit_purchase_models,
    holdout_predictions,
    parameter_table,
    purchase_day_counts,
    purchase_days,
    tracking_table,
)
from crm_research.clv.views.truth import (
    deciles_vs_truth,
    p_alive_reliability,
    truth_scores,
    truth_targets,
)
from crm_research.clv.views.value import (
    READABLE,
    CustomerValue,
    by_decile,
    by_segment,
    customer_value,
    format_money,
)
from crm_research.clv.views.window import (
    DEFAULT_HOLDOUT_DAYS,
    LONG_HISTORY_DAYS,
    WEEK,
    analysis_window,
    calibration_data,
    observation_end,
    split_problem,
)

__all__ = [
    "WEEK",
    "LONG_HISTORY_DAYS",
    "DEFAULT_HOLDOUT_DAYS",
    "observation_end",
    "analysis_window",
    "calibration_data",
    "split_problem",
    "fit_purchase_models",
    "parameter_table",
    "holdout_predictions",
    "best_model",
    "purchase_days",
    "purchase_day_counts",
    "tracking_table",
    "READABLE",
    "CustomerValue",
    "customer_value",
    "by_decile",
    "by_segment",
    "format_money",
    "truth_targets",
    "truth_scores",
    "p_alive_reliability",
    "deciles_vs_truth",
    "conclusions_markdown",
]
