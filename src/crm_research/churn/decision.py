"""The retention decision: campaign economics, expected profit per customer, the profit curve and
its sensitivity, the contact list and the ``churn_scores`` write-back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crm_research import clv
from crm_research.data import engine
from crm_research.reporting import kpi


@dataclass(frozen=True)
class Economics:
    """Retention campaign economics (money in the CLV's unit)."""

    contact_cost: float = 1_000.0  # per contacted customer
    offer_cost: float = 10_000.0  # paid by every contacted customer who stays and redeems it
    success_rate: float = 0.15  # chance that the offer keeps a customer who would have churned
    margin: float = 0.25  # profit margin on the revenue a kept customer brings


def expected_profit(p_churn: np.ndarray, value_at_risk: np.ndarray, econ: Economics) -> np.ndarray:
    """Expected profit of contacting each customer: p·s·m·V − contact − offer·(p·s + (1 − p)),
    i.e. the margin on the revenue saved (``value_at_risk`` V is revenue, m the margin), minus the
    contact, minus the offer for everyone who then stays."""
    p, v, s = np.asarray(p_churn, float), np.asarray(value_at_risk, float), econ.success_rate
    return p * s * econ.margin * v - econ.contact_cost - econ.offer_cost * (p * s + (1 - p))


def profit_curve(p_churn, value_at_risk, econ: Economics, order=None) -> pd.DataFrame:
    """Cumulative expected profit of contacting the top n customers, ranked by ``order`` (default:
    by expected profit itself, the optimal ranking). Row n = number contacted; ``n=0`` is 0."""
    gain = expected_profit(p_churn, value_at_risk, econ)
    rank = np.argsort(-(gain if order is None else np.asarray(order, float)), kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(gain[rank])])
    return pd.DataFrame({"contacted": np.arange(len(cum)), "expected profit": cum})


def best_n(curve: pd.DataFrame) -> tuple[int, float]:
    i = int(curve["expected profit"].idxmax())
    return int(curve.loc[i, "contacted"]), float(curve.loc[i, "expected profit"])


def default_economics(
    currency: str,
    contact_cost: float | None = None,
    offer_cost: float | None = None,
    success_rate: float = 0.15,
    margin: float = 0.25,
) -> Economics:
    """Campaign economics in ``currency``: costs not given default to 1 (contact) and 10 (offer)
    money units of :func:`crm_research.reporting.kpi.money_scale` (1,000 and 10,000 KRW; $1 and $10)."""
    scale = kpi.money_scale(currency)
    return Economics(
        float(1 * scale if contact_cost is None else contact_cost),
        float(10 * scale if offer_cost is None else offer_cost),
        success_rate,
        margin,
    )


def value_at_risk(
    con,
    cutoff: str | pd.Timestamp,
    index: pd.Index,
    currency: str,
    has_amount: bool,
    value_per_customer: float | None = None,
) -> tuple[pd.Series | None, str]:
    """Value a retention offer can save per customer in ``index`` (in ``currency``) and where it
    comes from: with amounts, next year's purchases if the customer stays (BG/NBD rate ×
    Gamma-Gamma spend, fitted up to ``cutoff``, on a seeded sample of customers above
    :data:`crm_research.clv.sampling.FIT_SAMPLE`, as the note says); without, the stated
    ``value_per_customer`` for everyone; (None, reason) when neither is there."""
    if has_amount:
        tx = con.table("transactions")
        v = clv.clv_table(tx, observation_end=cutoff, money_scale=kpi.money_scale(currency))
        note = "next year's purchases if the customer stays (BG/NBD × Gamma-Gamma)"
        if v.attrs["fit_note"]:  # fitted on a seeded sample of customers (large data)
            sampled = v.attrs["fit_note"].split(";")[0].rstrip(".").replace(" (seed ", ", seed ")
            note = f"{note[:-1]}, {sampled[0].lower()}{sampled[1:]}"
        return v["value_if_alive"].reindex(index), note
    if value_per_customer is not None:
        return pd.Series(
            float(value_per_customer), index=index, name="value_if_alive"
        ), "the stated value per retained customer (`value_per_customer`)"
    return None, "no amounts in the data and no `value_per_customer` stated"


def sensitivity(
    p_churn,
    value,
    econ: Economics,
    success_rates=(0.05, 0.1, 0.15, 0.2, 0.3),
    offer_multiples=(0.5, 1, 2, 4),
) -> pd.DataFrame:
    """Customers worth contacting for each offer success rate (rows) and offer cost (columns, as
    multiples of ``econ.offer_cost``)."""
    return pd.DataFrame(
        {
            m * econ.offer_cost: {
                s: best_n(
                    profit_curve(
                        p_churn,
                        value,
                        replace(econ, offer_cost=m * econ.offer_cost, success_rate=s),
                    )
                )[0]
                for s in success_rates
            }
            for m in offer_multiples
        }
    )


def contact_list(gain: np.ndarray, n_contact: int) -> np.ndarray:
    """True for the ``n_contact`` customers with the highest expected profit."""
    contact = np.zeros(len(gain), bool)
    contact[np.argsort(-np.asarray(gain, float), kind="stable")[:n_contact]] = True
    return contact


def scores_table(
    customer_ids,
    p_churn,
    *,
    model: str,
    cutoff,
    horizon_days: int,
    currency: str,
    gain: np.ndarray | None = None,
    n_contact: int | None = None,
) -> pd.DataFrame:
    """The ``churn_scores`` rows: database customer id (pseudonymous: no names or contact data),
    churn probability, risk decile (1 = highest), expected profit of contacting (in
    ``currency``) and the contact flag (missing without a value at risk), model, cut-off,
    horizon."""
    p = np.asarray(p_churn, float)
    decile = pd.qcut(pd.Series(p).rank(method="first", ascending=False), 10, labels=range(1, 11))
    return pd.DataFrame(
        {
            "customer_id": np.asarray(customer_ids),
            "churn_probability": p,
            "risk_decile": decile.astype(int).to_numpy(),
            "expected_profit": np.full(len(p), np.nan) if gain is None else np.asarray(gain, float),
            "currency": currency,
            "contact": pd.array(
                [None] * len(p) if gain is None else contact_list(gain, n_contact or 0),
                dtype="boolean",
            ),
            "model": model,
            "cutoff": pd.Timestamp(cutoff),
            "horizon_days": int(horizon_days),
        }
    )


def write_scores(con, table: pd.DataFrame) -> int:
    """Write ``table`` (:func:`scores_table`) to the database's ``churn_scores`` (replaced);
    returns the rows written."""
    engine.write(con, "churn_scores", table)
    return int(con.table("churn_scores").count().to_pandas())
