"""Case reproduction: published results re-derived, and the background texts' cases re-enacted.

* :mod:`.published` — :data:`PUBLISHED`, the one place for the published parameters, and the
  side-by-side tables (published figure, ours, relative difference, tolerance, pass/fail);
* :mod:`.cdnow_reproduction` — BG/NBD, Pareto/NBD and Gamma-Gamma re-derived on CDNOW;
* :mod:`.sbg` — the shifted-beta-geometric retention model (Fader & Hardie 2007, 2010);
* :mod:`.bgbb` — BG/BB on the donations data (Fader, Hardie & Shang 2010);
* :mod:`.wsfs`, :mod:`.itravel` — re-enactments of the WSFS and iTRAVEL cases
  (docs/background.md#ko-01) on simulated panels scored against the planted effect.
"""

from __future__ import annotations

from crm_research.cases.bgbb import (
    fit_bgbb,
)
from crm_research.cases.cdnow_reproduction import (
    CdnowSample,
    fit_cdnow_sample,
    full_cohort_comparison,
    iso_value_grid,
)
from crm_research.cases.itravel import (
    itravel_estimate,
    itravel_implications,
    itravel_panel,
    itravel_sensitivity,
)
from crm_research.cases.published import (
    PUBLISHED,
    PUBLISHED_SOURCES,
    computed_parameters,
    published_comparison,
    reproduction_table,
)
from crm_research.cases.sbg import (
    SBG_DATA,
    SBG_PUBLISHED,
    sbg_churn_pmf,
    sbg_derl,
    sbg_fit,
    sbg_log_likelihood,
    sbg_retention_rate,
    sbg_simulate,
    sbg_survival,
    sbg_table,
)
from crm_research.cases.wsfs import (
    WSFSAssumptions,
    wsfs_analysis,
    wsfs_panel,
)

__all__ = [
    "PUBLISHED",
    "PUBLISHED_SOURCES",
    "reproduction_table",
    "published_comparison",
    "computed_parameters",
    "CdnowSample",
    "fit_cdnow_sample",
    "full_cohort_comparison",
    "iso_value_grid",
    "sbg_table",
    "SBG_DATA",
    "SBG_PUBLISHED",
    "sbg_churn_pmf",
    "sbg_survival",
    "sbg_retention_rate",
    "sbg_log_likelihood",
    "sbg_fit",
    "sbg_derl",
    "sbg_simulate",
    "fit_bgbb",
    "WSFSAssumptions",
    "wsfs_panel",
    "wsfs_analysis",
    "itravel_implications",
    "itravel_sensitivity",
    "itravel_panel",
    "itravel_estimate",
]
