"""Campaign economics and targeting policies: incremental profit per customer, the top-k policy,
true and observed profit of a policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CampaignEconomics:
    """Money of one e-mail campaign (KRW): cost per e-mail sent (production, platform, the
    coupon's expected cost) and the profit margin on incremental revenue. Assumptions, shown in
    the report."""

    contact_cost: float = 100.0
    margin: float = 0.25


def incremental_profit(uplift_prob, order_value, econ: CampaignEconomics) -> np.ndarray:
    """Expected incremental profit (KRW) of e-mailing a customer: margin × uplift in purchase
    probability × order value (KRW) − contact cost."""
    return (
        econ.margin * np.asarray(uplift_prob, float) * np.asarray(order_value, float)
        - econ.contact_cost
    )


def top_k(score, k: float) -> np.ndarray:
    """Boolean mask of the ``k`` share with the highest ``score`` (ties broken by position)."""
    score = np.asarray(score, float)
    n = int(round(k * len(score)))
    mask = np.zeros(len(score), bool)
    mask[np.argsort(-score, kind="stable")[:n]] = True
    return mask


def policy_table(scores: dict[str, np.ndarray], true_profit, k: float = 0.3) -> pd.DataFrame:
    """Each policy targets the top ``k`` share by its score; its *true* incremental profit (sum of
    ``true_profit`` over those targeted) beside the truth-optimal policy's (the top ``k`` by
    ``true_profit`` itself) and the share captured. Sorted best first."""
    true_profit = np.asarray(true_profit, float)
    best = true_profit[top_k(true_profit, k)].sum()
    rows = {name: true_profit[top_k(s, k)].sum() for name, s in scores.items()}
    out = pd.DataFrame({"true incremental profit": pd.Series(rows)})
    out.loc["truth-optimal"] = best
    out["share of truth-optimal"] = out["true incremental profit"] / best
    return out.sort_values("true incremental profit", ascending=False)


def observed_profit(spend, treated, mask, econ: CampaignEconomics) -> float:
    """Incremental profit of e-mailing the customers in ``mask``, estimated from a randomised
    campaign: n × (margin × (mean spend e-mailed − mean spend control) − contact cost). NaN
    when either group is empty among them."""
    spend, t, m = np.asarray(spend, float), np.asarray(treated, bool), np.asarray(mask, bool)
    if not (m & t).any() or not (m & ~t).any():
        return float("nan")
    lift = spend[m & t].mean() - spend[m & ~t].mean()
    return float(m.sum() * (econ.margin * lift - econ.contact_cost))
