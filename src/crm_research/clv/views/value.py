"""The value of every customer, refitted on all data: P(alive), expected purchases and, only when
the data have amounts, Gamma-Gamma spend and discounted CLV in the dataset's currency
(:func:`customer_value`); value by decile and by segment; money formatting. Time unit: weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from crm_research import rfm
from crm_research.clv import models as btyd
from crm_research.clv import sampling
from crm_research.clv.views.window import WEEK
from crm_research.reporting import kpi

# column names of the value tables (by_decile, by_segment, interval summaries) for readers
READABLE = {"mean clv": "mean CLV", "mean expected_purchases": "mean expected purchases"}


@dataclass
class CustomerValue:
    """Purchase (and spend) models fitted on all data up to the observation end, and per
    customer ``p_alive``, ``expected_purchases`` in the horizon and, with amounts,
    ``expected_spend`` per purchase and discounted ``clv`` (in ``currency``). ``fit_summary``: the
    rows the models were fitted on (``summary`` itself, or its seeded sample on large data: see
    ``fit_note``)."""

    summary: pd.DataFrame
    purchases: btyd.BTYDModel
    spend: btyd.SpendModel | None
    table: pd.DataFrame
    currency: str | None
    money_scale: float
    spend_check: dict | None = None
    notes: list[str] = field(default_factory=list)
    fit_summary: pd.DataFrame | None = None
    fit_note: str | None = None

    @property
    def value_col(self) -> str:
        """``clv`` with amounts, ``expected_purchases`` without."""
        return "clv" if "clv" in self.table.columns else "expected_purchases"


def customer_value(
    con,
    end: pd.Timestamp,
    *,
    currency: str | None,
    has_amount: bool,
    horizon_weeks: float = 52,
    discount_rate_monthly: float = 0.01,
    penalizer: float = 0.0,
    fit_customers: int | None = sampling.FIT_SAMPLE,
    fit_seed: int = sampling.FIT_SEED,
) -> CustomerValue:
    """BG/NBD (and with amounts Gamma-Gamma) on every purchase up to ``end``, weekly.

    Amounts are divided by :func:`crm_research.reporting.kpi.money_scale` before the spend model is fitted
    and multiplied back, exactly as :func:`crm_research.clv.clv_table` (and the run KPIs) do, so
    the total CLV is the run's ``clv_12m_total``. Without amounts, or when no repeat customer has
    a positive amount, there is no spend model and no money column (a note says why).

    With more than ``fit_customers`` customers the models are fitted on a seeded random sample of
    them (:func:`crm_research.clv.sampling.fit_sample`, ``fit_seed``) and every customer is scored;
    ``fit_note`` says so (None when every customer was fitted on)."""

    scale = kpi.money_scale(currency or "")
    s = rfm.btyd_summary(
        con.table("transactions"),
        monetary_col="amount" if has_amount else None,
        observation_end=end,
        freq="D",
        freq_multiplier=WEEK,
    )
    if has_amount:
        s["monetary_value"] = s["monetary_value"].fillna(0.0) / scale
    fitted = sampling.fit_sample(s, fit_customers, fit_seed)
    bg = btyd.fit_btyd(fitted, "bgnbd", penalizer=penalizer)
    table = pd.DataFrame(
        {"p_alive": bg.p_alive(s), "expected_purchases": bg.expected_purchases(horizon_weeks, s)}
    )
    out = CustomerValue(s, bg, None, table, currency if has_amount else None, scale)
    out.fit_summary = fitted
    out.fit_note = sampling.sample_note(len(fitted), len(s), fit_seed)
    if not has_amount:
        return out
    if not ((fitted["frequency"] > 0) & (fitted["monetary_value"] > 0)).any():
        out.notes.append("No repeat customer has a positive amount: no spend model.")
        return out
    out.spend = btyd.fit_gamma_gamma(fitted, penalizer=penalizer)
    out.spend_check = btyd.spend_independence(s)
    table["expected_spend"] = out.spend.expected_spend(s) * scale
    table["clv"] = (
        btyd.discounted_clv(
            bg, out.spend, s, horizon=horizon_weeks, steps=12, discount_rate=discount_rate_monthly
        )
        * scale
    )
    return out


def by_decile(table: pd.DataFrame, col: str) -> pd.DataFrame:
    """Customers in ten equal groups by ``col`` (decile 1 = the highest): customers, mean value,
    mean P(alive) and share of the total."""
    decile = pd.qcut(table[col].rank(method="first", ascending=False), 10, labels=range(1, 11))
    out = _grouped(table, col, decile)
    out.index.name = "decile"
    return out


def by_segment(table: pd.DataFrame, col: str, segment: pd.Series) -> pd.DataFrame:
    """Customers by segment (``segment``: name per customer, aligned on the index), most
    valuable per customer first: customers, mean value, mean P(alive) and share of the total."""
    seg = segment.reindex(table.index).fillna("(no segment)").astype(str)
    return _grouped(table, col, seg).sort_values(f"mean {col}", ascending=False)


def _grouped(table: pd.DataFrame, col: str, groups) -> pd.DataFrame:
    g = table.groupby(groups, observed=True)
    out = pd.DataFrame({"customers": g.size(), f"mean {col}": g[col].mean()})
    if "p_alive" in table.columns:
        out["mean P(alive)"] = g["p_alive"].mean()
    out["share of total"] = g[col].sum() / table[col].sum()
    return out


def format_money(value: float, currency: str) -> str:
    """A money total as a manager reads it: '4.45 billion KRW', '1.23 million USD', '950 USD'."""
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.2f} {word} {currency}"
    return f"{value:,.0f} {currency}"
