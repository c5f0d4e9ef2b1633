"""What the campaign studies share: policy labels, the held-out evaluation of every policy, and
report formatting (money, p-values, effects and evaluation tables).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crm_research.uplift.metrics import auuc, normalised_qini, qini_coefficient, uplift_at_k

RESPONSE = "response model (P(buy | e-mailed))"
RECENCY = "churn proxy (days since last purchase)"
HILLSTROM_RESPONSE = "response model (the mistake)"
HILLSTROM_RECENCY = "churn proxy (months since last purchase)"
SIM_RESPONSE = "response model (P(buy | e-mailed) × value)"
SIM_CHURN = "churn score (1 − P(alive))"
MIN_PER_ARM = 100  # fewer customers in either group: no uplift models


def money(x: float, currency: str) -> str:
    """An amount with its currency: whole won/yen, otherwise two decimals."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.0f} {currency}" if currency in ("KRW", "JPY") else f"{x:,.2f} {currency}"


def format_p_value(p: float) -> str:
    """A p-value for a table cell: ``< 0.001`` or three decimals."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def effects_display(effects: pd.DataFrame) -> pd.DataFrame:
    """An effects table (:func:`crm_research.uplift.average_effects`) for a report: the p-value
    as text (``< 0.001``), the interval as ``95% low``/``95% high``, without the ``arm`` column when there is only one arm."""
    out = effects.assign(**{"p-value": effects["p-value"].map(format_p_value)})
    out = out.rename(columns={"ci low": "95% low", "ci high": "95% high"})
    if "arm" in out and out["arm"].nunique() <= 1:
        out = out.drop(columns="arm")
    return out


# decimals of a regression-adjustment table (adjusted_effect) in reports
ADJUSTED_DECIMALS = {
    "unadjusted effect": 4,
    "unadjusted se": 4,
    "adjusted effect": 4,
    "adjusted se": 4,
    "interval width reduction": 1,
}
# decimals of an evaluation table in reports (format_table's ``decimals``)
EVALUATION_DECIMALS = {"Qini coefficient": 1, "AUUC": 1, "normalised Qini": 3}


def evaluation_display(evaluation: pd.DataFrame) -> pd.DataFrame:
    """An evaluation table (:func:`_evaluate`, ``CampaignStudy.evaluation``) for a report: the
    uplift in the top k in percentage points (column ``uplift in top 30% (pts)``), the index
    named ``policy``."""
    top = [c for c in evaluation.columns if c.startswith("uplift in top")]
    out = evaluation.assign(**{c: evaluation[c] * 100 for c in top})
    return out.rename(columns={c: f"{c} (pts)" for c in top}).rename_axis("policy")


def _evaluate(y, t, scores: dict[str, np.ndarray], k: float) -> pd.DataFrame:
    """Qini coefficient (in responses, and as a share of the perfect model's: ``normalised
    Qini``), AUUC and uplift in the top ``k`` per policy, on held-out outcomes."""
    return pd.DataFrame(
        {
            n: {
                "Qini coefficient": qini_coefficient(y, t, s),
                "normalised Qini": normalised_qini(y, t, s),
                "AUUC": auuc(y, t, s),
                f"uplift in top {k:.0%}": uplift_at_k(y, t, s, k),
            }
            for n, s in scores.items()
        }
    ).T
