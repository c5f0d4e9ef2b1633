"""The course order and the ten steps of a CRM programme (docs/background.md#ten-steps).

* :data:`CHAPTERS` — the notebooks in course order: the single source of order for the book
  (and the runner, whose ``NN_`` order is the same).
* :data:`TEN_STEPS` — step → what it is → where the repository covers it (used by notebook 00,
  the book and the report index); :func:`ten_steps_table` shows it.
"""

from __future__ import annotations

import pandas as pd

CHAPTERS: list[tuple[str, str]] = [
    ("00_crm_programme", "00 · The CRM programme: goals, hypotheses, design, IT plan"),
    ("01_data_integration", "01 · Data integration"),
    ("02_rfm_clv", "02 · RFM and customer lifetime value"),
    ("03_segmentation", "03 · Segmentation"),
    ("04_churn", "04 · Churn"),
    ("05_campaign_uplift", "05 · Campaign uplift"),
    ("06_case_reproduction", "06 · Case reproduction"),
    ("07_review", "07 · Review: the programme against its targets"),
]

TEN_STEPS: list[dict[str, str]] = [
    {
        "step": "1",
        "name": "Set goals",
        "what": "business goals written as measurable targets on KPIs",
        "where": "00_crm_programme",
        "section": "1. Goals as KPI targets",
    },
    {
        "step": "2",
        "name": "Hypotheses and expected effects",
        "what": "which programme should move which KPI, and by how much",
        "where": "00_crm_programme",
        "section": "2. Hypotheses and expected effects",
    },
    {
        "step": "3",
        "name": "Readiness: data sources",
        "what": "team, data sources, validation and quarantine of every export",
        "where": "01_data_integration",
        "section": "1–2. Raw exports; validation",
    },
    {
        "step": "4",
        "name": "Customer-centric database",
        "what": "identity resolution and one database per customer",
        "where": "01_data_integration",
        "section": "3–5. Identity resolution; contact freshness; database",
    },
    {
        "step": "5",
        "name": "Understand customers",
        "what": "RFM, lifetime value, segmentation and profiling, a strategy per segment",
        "where": "02_rfm_clv, 03_segmentation",
        "section": "all",
    },
    {
        "step": "6",
        "name": "Business design",
        "what": "an incentive programme and a budget per segment",
        "where": "00_crm_programme, 03_segmentation",
        "section": "00: 3. Business design (RFM segments); 03: 6. Business design (its segments)",
    },
    {
        "step": "7",
        "name": "IT plan",
        "what": "what runs where, nightly and weekly: validation, database, models, reports",
        "where": "00_crm_programme",
        "section": "4. IT plan (step 7)",
    },
    {
        "step": "8",
        "name": "Predictive models",
        "what": "a churn score for every customer, tested, written back to the database",
        "where": "04_churn",
        "section": "all",
    },
    {
        "step": "9",
        "name": "Execute campaigns",
        "what": "a randomised campaign on the selected customers, every contact recorded",
        "where": "05_campaign_uplift",
        "section": "all",
    },
    {
        "step": "10",
        "name": "Review",
        "what": "the programme measured against its goals; published results and cases re-derived",
        "where": "07_review, 06_case_reproduction",
        "section": "all",
    },
]


def ten_steps_table() -> pd.DataFrame:
    """The ten steps as a table: step, name, what it is, notebook(s), section."""
    df = pd.DataFrame(TEN_STEPS).rename(columns={"where": "notebook"})
    return df.set_index("step")


def chapter_order() -> list[str]:
    """Notebook stems in course order (the book's table of contents)."""
    return [stem for stem, _ in CHAPTERS]
