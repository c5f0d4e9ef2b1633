"""Step 7 of the ten-step methodology, the IT plan: what runs where, and when (:data:`IT_PLAN`,
:func:`it_plan_table`).
"""

from __future__ import annotations

import pandas as pd

IT_PLAN: list[dict[str, str]] = [
    {
        "when": "nightly",
        "task": "export the source systems; validate every file",
        "where": "source systems → `crm-research validate` (engine: DuckDB, or Spark at scale)",
        "writes": "accepted rows, `quarantine`, `load_log`",
        "step": "3",
    },
    {
        "when": "nightly",
        "task": "rebuild the customer database when an input changed",
        "where": "engine (DuckDB file; Spark for the row-level work at scale)",
        "writes": "`customers`, `transactions`, `touchpoints`, `identity_map`",
        "step": "4",
    },
    {
        "when": "weekly (Mon 06:00, as of yesterday)",
        "task": "report run: every notebook, KPIs, run history against the targets",
        "where": "report server: `crm-research report --as-of …` (cron, systemd timer or CI)",
        "writes": "`reports/runs/<as-of>_<start>/`, `reports/index.html`",
        "step": "5, 10",
    },
    {
        "when": "weekly",
        "task": "score churn risk; choose campaign targets",
        "where": "driver (pandas, scikit-learn) on the per-customer feature table",
        "writes": "`churn_scores`, `campaign_targets` (read by the campaign tool)",
        "step": "8",
    },
    {
        "when": "per campaign",
        "task": "randomise, contact, record every contact and response",
        "where": "campaign tool; assignments exported as `campaign_assignments`",
        "writes": "`campaign_assignments`, responses back in the transaction log",
        "step": "9",
    },
    {
        "when": "quarterly",
        "task": "review the programme against its targets; refit segments",
        "where": "analyst: notebooks 07 and 03 in JupyterLab on the same database",
        "writes": "the review, new targets for the next period",
        "step": "10, 5",
    },
]


def it_plan_table() -> pd.DataFrame:
    """:data:`IT_PLAN` as a table."""
    return pd.DataFrame(IT_PLAN).set_index("when")
