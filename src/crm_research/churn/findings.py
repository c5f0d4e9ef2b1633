"""Findings: the conclusions for managers (Markdown) from the tables of a time-split churn study."""

from __future__ import annotations

import pandas as pd

from crm_research.churn.decision import Economics
from crm_research.churn.evaluation import best_model
from crm_research.churn.study import ChurnRun


def conclusions(
    run: ChurnRun,
    table: pd.DataFrame,
    lift: pd.DataFrame,
    *,
    currency: str,
    active_within_days: int,
    econ: Economics | None = None,
    n_contact: int | None = None,
    profit: float | None = None,
    value_note: str | None = None,
    telco_auc: float | None = None,
) -> str:
    """Conclusions for managers (Markdown) from the study's tables; the truth comparison only
    when the table carries it (simulated data), the campaign only with a value at risk."""
    best, rule, col = best_model(table)
    cut = f"{run.cutoffs[-1]:%Y-%m-%d}"
    against = "against the truth" if col.endswith("true dropout") else "against the observed labels"
    lines = [
        f"* Of the {len(run.test_y):,} customers who bought in the {active_within_days} days before {cut}, "
        f"{run.test_y.mean():.0%} made no purchase in the next {run.horizon_days} days.",
        f"* The best model ({best}) ranks those who left with ROC AUC {table.loc[best, col]:.2f} {against}, "
        f'compared with {table.loc[rule, col]:.2f} for the simple "no purchase for '
        f'{run.extra["recency_threshold_days"]:.0f} days" rule.',
        f"* The 10% with the highest churn score leave at {lift['lift'].iloc[0]:.1f} times the average rate "
        f"and hold {lift['cumulative gains'].iloc[0]:.0%} of the churners.",
    ]
    if econ is not None and n_contact is not None:
        lines.append(
            f"* With a {econ.contact_cost:,.0f} {currency} contact, a {econ.offer_cost:,.0f} {currency} offer, "
            f"{econ.success_rate:.0%} success and a {econ.margin:.0%} margin (value at risk: {value_note}), "
            f"{n_contact:,} of {len(run.test_y):,} active customers are worth contacting, for an expected "
            f"{profit:,.0f} {currency}; the list is in `churn_scores`. The number is sensitive to the "
            "offer's cost and success rate (heat-map above): test the offer first."
        )
    else:
        lines.append(
            f"* The campaign size is not computed: {value_note}. Churn scores and risk deciles are in `churn_scores`."
        )
    if telco_auc is not None:
        lines.append(
            "* Telco subscribers on month-to-month contracts leave far faster than one- or "
            f"two-year contracts; the model reaches ROC AUC {telco_auc:.2f}."
        )
    return "\n".join(lines)
