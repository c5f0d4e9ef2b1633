"""The programme's tables in words, for notebooks and reports: a KPI value in its own units
(:func:`format_kpi`), the targets (:func:`targets_table`), the KPIs against the targets
(:func:`format_vs_target`), the expected effects (:func:`format_expected`) and the review
(:func:`format_review`).
"""

from __future__ import annotations

import math

import pandas as pd

from crm_research.clv.views import format_money
from crm_research.programme.targets import Target
from crm_research.reporting.kpi import KPI_LABELS


def format_kpi(kpi: str, value: float, currency: str = "") -> str:
    """A KPI value for a table or sentence (shares as %, uplift in pts, money with currency)."""
    if value is None or not math.isfinite(float(value)):
        return "not measured"
    if kpi in ("active_share", "churn_rate_90d"):
        return f"{value:.1%}"
    if kpi == "campaign_uplift_pts":
        return f"{value:+.2f} pts"
    if kpi == "clv_12m_total":
        return format_money(value, currency) if currency else f"{value:,.0f}"
    return f"{value:,.0f}"


def targets_table(targets: dict[str, Target], currency: str = "") -> pd.DataFrame:
    """Targets for display: KPI label, target, goal (step 1), hypothesis, programme, expected
    change (step 2), notebook that measures or acts on it."""
    rows = []
    for k, t in targets.items():
        ch = t.expected_change
        if k in ("active_share", "churn_rate_90d"):
            ch_txt = f"{100 * ch:+.1f} pts"
        elif k == "campaign_uplift_pts":
            ch_txt = f"{ch:+.1f} pts"
        else:
            ch_txt = f"{ch:+,.0f}" + (f" {currency}" if k == "clv_12m_total" and currency else "")
        rows.append(
            {
                "KPI": KPI_LABELS.get(k, k),
                "target": t.text(currency),
                "goal (step 1)": t.goal,
                "hypothesis (step 2)": t.hypothesis,
                "programme": t.programme,
                "expected change": ch_txt + (" per customer" if t.per_customer else ""),
                "notebook": t.notebook,
            }
        )
    return pd.DataFrame(rows).set_index("KPI")


def format_vs_target(table: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """A :func:`kpi_vs_target` table in words, for display: KPI, value, target, status."""
    status = table["met"].map({True: "✓ met", False: "✗ not met"}).fillna("not measured")
    status = status.where(table["target"] != "—", "no target")
    return pd.DataFrame(
        {
            "KPI": table["label"],
            "value": [format_kpi(k, v, currency) for k, v in table["value"].items()],
            "target": table["target"],
            "status": status,
        }
    ).set_index("KPI")


def format_expected(table: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """An :func:`expected_kpis` table in words, for display: each KPI's baseline, expected change,
    expected value and target in the KPI's own units (:func:`format_kpi`), and whether the
    hypothesis reaches the target (``yes``, ``no``, ``not measured``)."""

    def change(k: str, v: float) -> str:
        if v is None or not math.isfinite(float(v)):
            return "not measured"
        if k in ("active_share", "churn_rate_90d"):
            return f"{100 * v:+.1f} pts"
        if k == "campaign_uplift_pts":
            return f"{v:+.2f} pts"
        return f"{v:+,.0f}" + (f" {currency}" if k == "clv_12m_total" and currency else "")

    reaches = table["reaches target"].map({True: "yes", False: "no"}).fillna("not measured")
    return pd.DataFrame(
        {
            "KPI": [KPI_LABELS.get(k, k) for k in table.index],
            "programme": table["programme"],
            "baseline": [format_kpi(k, v, currency) for k, v in table["baseline"].items()],
            "expected change": [change(k, v) for k, v in table["expected change"].items()],
            "expected": [format_kpi(k, v, currency) for k, v in table["expected"].items()],
            "target": [format_kpi(k, v, currency) for k, v in table["threshold"].items()],
            "reaches target": reaches,
        }
    ).set_index("KPI")


def format_review(
    table: pd.DataFrame, targets: dict[str, Target], currency: str = ""
) -> pd.DataFrame:
    """A :func:`review_table` in words, for display."""
    out = {}
    for k, r in table.iterrows():
        if k in ("active_share", "churn_rate_90d"):
            ch = f"{100 * r['change']:+.1f} pts" if math.isfinite(r["change"]) else "—"
            ex = f"{100 * r['expected change']:+.1f} pts"
        elif k == "campaign_uplift_pts":
            ch = f"{r['change']:+.2f} pts" if math.isfinite(r["change"]) else "—"
            ex = f"{r['expected change']:+.1f} pts"
        else:
            ch = f"{r['change']:+,.0f}" if math.isfinite(r["change"]) else "—"
            ex = f"{r['expected change']:+,.0f}"
        met = {True: "✓ met", False: "✗ not met"}.get(r["met now"], "not measured")
        out[r["label"]] = {
            "at start": format_kpi(k, r["at start"], currency),
            "now": format_kpi(k, r["now"], currency),
            "change": ch,
            "expected change": ex,
            "target": targets[k].text(currency),
            "status now": met,
            "moved as expected": r["moved as expected"],
        }
    return pd.DataFrame.from_dict(out, orient="index")
