"""Step 6 of the ten-step methodology, business design: an incentive programme and its budget per
segment (:data:`INCENTIVES`, :data:`RFM_ACTIONS`, :func:`incentive_plan`,
:func:`rfm_incentive_plan`), costed in units of the data's average order value
(:func:`average_order_value`).
"""

from __future__ import annotations

import math

import pandas as pd

# Costs are in units of the data's average order value (AOV), so they hold in any currency:
# contact_cost is the cost of one contact, voucher the value of the incentive when redeemed.
# response_pts: the assumed extra purchase rate among the contacted (percentage points; the
# hypothesis the campaign measurement in 05 tests). Sources of the repertoire: segment.strategy
# and the background texts (docs/background.md).
INCENTIVES: dict[str, dict] = {
    "retention offer": {
        "incentive": "personal offer: 15% voucher, phone or e-mail",
        "contact_cost": 0.05,
        "voucher": 0.15,
        "response_pts": 6.0,
    },
    "reactivation": {
        "incentive": "reminder e-mail with a 10% voucher",
        "contact_cost": 0.005,
        "voucher": 0.10,
        "response_pts": 3.0,
    },
    "low-cost reactivation": {
        "incentive": "automated reminder e-mail, no voucher",
        "contact_cost": 0.005,
        "voucher": 0.0,
        "response_pts": 1.0,
    },
    "cross-sell / up-sell": {
        "incentive": "recommendation e-mail with a bundle offer",
        "contact_cost": 0.005,
        "voucher": 0.05,
        "response_pts": 2.0,
    },
    "leave alone (recognise, do not over-treat)": {
        "incentive": "thank-you note, no offer",
        "contact_cost": 0.002,
        "voucher": 0.0,
        "response_pts": 0.0,
    },
    "data-refresh campaign": {
        "incentive": "prize delivered through the channel to be updated",
        "contact_cost": 0.01,
        "voucher": 0.05,
        "response_pts": 0.5,
    },
    "welcome": {
        "incentive": "welcome series with a second-purchase voucher",
        "contact_cost": 0.005,
        "voucher": 0.10,
        "response_pts": 4.0,
    },
}

# RFM segment names (CRAN rfm table and the R×F grid of crm_research.rfm) → action
RFM_ACTIONS: dict[str, str] = {
    "Champions": "leave alone (recognise, do not over-treat)",
    "Loyal Customers": "cross-sell / up-sell",
    "Loyal": "cross-sell / up-sell",
    "Potential Loyalist": "cross-sell / up-sell",
    "Potential Loyalists": "cross-sell / up-sell",
    "New Customers": "welcome",
    "New": "welcome",
    "Promising": "welcome",
    "Need Attention": "reactivation",
    "About To Sleep": "reactivation",
    "At Risk": "retention offer",
    "Can't Lose Them": "retention offer",
    "Can't Lose": "retention offer",
    "Lost": "low-cost reactivation",
    "Hibernating": "low-cost reactivation",
    "Others": "low-cost reactivation",
}


def incentive_plan(
    segments: pd.DataFrame,
    *,
    aov: float,
    action_col: str = "action",
    incentives: dict[str, dict] | None = None,
    budget: float | None = None,
) -> pd.DataFrame:
    """Step 6: the incentive and its cost per segment.

    ``segments``: one row per segment (index: segment) with ``customers`` and an action column
    (``action_col``; e.g. :func:`crm_research.segment.strategy`'s ``action`` joined with the
    profile's ``customers``, or RFM segments mapped with :data:`RFM_ACTIONS`). ``aov``: average
    order value in the data's currency (or 1 for data without amounts: costs are then in AOV
    units). Per segment: ``incentive``, ``cost per contact`` (contact cost plus the voucher on the
    expected redemptions), ``budget`` (all customers contacted), ``expected extra buyers``
    (customers × response_pts / 100). With ``budget`` (a total), segments are funded in order of
    expected extra buyers per unit of cost until the budget runs out; ``contacted`` says how many
    customers of each segment that pays for."""
    inc = incentives or INCENTIVES
    missing = sorted(set(segments[action_col]) - set(inc))
    if missing:
        raise KeyError(f"no incentive defined for action {missing[0]!r}")
    out = segments[["customers", action_col]].copy()
    out = out.rename(columns={action_col: "action"})
    spec = out["action"].map(inc)
    out["incentive"] = spec.map(lambda s: s["incentive"])
    resp = spec.map(lambda s: s["response_pts"]) / 100
    out["cost per contact"] = aov * spec.map(
        lambda s: s["contact_cost"] + s["voucher"] * s["response_pts"] / 100
    )
    out["budget"] = out["customers"] * out["cost per contact"]
    out["expected extra buyers"] = out["customers"] * resp
    if budget is not None:
        eff = (out["expected extra buyers"] / out["budget"]).where(out["budget"] > 0, 0.0)
        left, contacted = float(budget), {}
        for seg in eff.sort_values(ascending=False, kind="stable").index:
            cpc = out.at[seg, "cost per contact"]
            n = (
                int(min(out.at[seg, "customers"], left // cpc))
                if cpc > 0
                else int(out.at[seg, "customers"])
            )
            if eff[seg] <= 0:
                n = 0
            contacted[seg] = n
            left -= n * cpc
        out["contacted"] = pd.Series(contacted)
        out["budget"] = out["contacted"] * out["cost per contact"]
        out["expected extra buyers"] = out["contacted"] * resp
    return out


def rfm_incentive_plan(
    rfm_segments: pd.DataFrame, *, aov: float, budget: float | None = None
) -> pd.DataFrame:
    """:func:`incentive_plan` for RFM segments (a :func:`crm_research.rfm.segment_profile`, index:
    segment name), each mapped to an action by :data:`RFM_ACTIONS`."""
    seg = rfm_segments[["customers"]].copy()
    seg["action"] = [RFM_ACTIONS.get(s, "low-cost reactivation") for s in seg.index]
    return incentive_plan(seg, aov=aov, budget=budget)


def average_order_value(con, as_of: str | pd.Timestamp | None = None) -> float:
    """Mean amount per order up to ``as_of`` (NaN without amounts)."""
    t = con.table("transactions")
    if as_of is not None:
        t = t.filter(t.ordered_at < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1))
    v = t.amount.mean().to_pandas()
    return float(v) if v is not None and pd.notna(v) else math.nan
