"""Customer lifetime value with buy-till-you-die models.

* :mod:`~crm_research.clv.models` — BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma fitted, with
  standard errors; :mod:`~crm_research.clv.formulas` — their closed forms, vectorised;
* :mod:`~crm_research.clv.scoring` — every customer scored (pandas chunks, Parquet, Spark);
* :mod:`~crm_research.clv.sampling` — fits on a seeded sample of customers on large data;
* :mod:`~crm_research.clv.fit_checks` — holdout, tracking and conditional-expectation checks;
* :mod:`~crm_research.clv.covariates`, :mod:`~crm_research.clv.uncertainty`,
  :mod:`~crm_research.clv.evaluation` — covariates, per-customer intervals, holdout evaluation;
* :mod:`~crm_research.clv.views`, :mod:`~crm_research.clv.value_views` — notebook 02's views on
  any dataset's customer database.

This package re-exports the names of models, scoring and fit checks
(``from crm_research.clv import fit_btyd, score``).
"""

from __future__ import annotations

from crm_research.clv.fit_checks import (
    bgnbd_expected_purchases_if_alive,
    conditional_expectations,
    error_table,
    holdout_predictions,
    naive_holdout_prediction,
    tracking,
)
from crm_research.clv.models import (
    MODEL_LABELS,
    OPTIMIZERS,
    PARAM_NAMES,
    BTYDModel,
    SpendModel,
    collapse,
    discounted_clv,
    fit_btyd,
    fit_gamma_gamma,
    numerical_hessian,
    spend_independence,
)
from crm_research.clv.sampling import FIT_SAMPLE, FIT_SEED, fit_sample, sample_note
from crm_research.clv.scoring import (
    SCORE_COLUMNS,
    clv_table,
    score,
    score_lifetimes,
    score_parquet,
    score_spark,
)

__all__ = [
    "PARAM_NAMES",
    "MODEL_LABELS",
    "numerical_hessian",
    "collapse",
    "BTYDModel",
    "OPTIMIZERS",
    "fit_btyd",
    "SpendModel",
    "spend_independence",
    "fit_gamma_gamma",
    "discounted_clv",
    "FIT_SAMPLE",
    "FIT_SEED",
    "fit_sample",
    "sample_note",
    "SCORE_COLUMNS",
    "score",
    "score_lifetimes",
    "score_parquet",
    "score_spark",
    "clv_table",
    "naive_holdout_prediction",
    "holdout_predictions",
    "error_table",
    "conditional_expectations",
    "tracking",
    "bgnbd_expected_purchases_if_alive",
]
