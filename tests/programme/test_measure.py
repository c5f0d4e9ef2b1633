"""The KPIs against their targets: now, expected, over a review period, on a small database."""

from __future__ import annotations

import math

import pytest

from crm_research import programme
from crm_research.reporting import kpi

KPIS = {
    "customers": 1000.0,
    "active_share": 0.70,
    "clv_12m_total": 2.5e8,
    "currency": "KRW",
    "churn_rate_90d": 0.50,
    "campaign_uplift_pts": math.nan,
    "data_end": "2025-12-31",
}


def test_kpi_vs_target_met_and_gap():
    t = programme.TARGETS["simulated"]
    table = programme.kpi_vs_target(KPIS, t)
    assert list(table.index) == list(kpi.KPI_LABELS)
    assert table.loc["churn_rate_90d", "met"] is False  # 0.50 > 0.45
    assert table.loc["churn_rate_90d", "gap"] == pytest.approx(0.05)
    assert table.loc["active_share", "met"] is False  # 0.70 < 0.72
    # per customer: 250,000 KRW ≥ 230,000 KRW per customer
    assert table.loc["clv_12m_total", "threshold"] == pytest.approx(2.3e8)
    assert table.loc["clv_12m_total", "met"] is True
    assert table.loc["campaign_uplift_pts", "met"] is None  # not measured
    assert table.loc["customers", "met"] is None and table.loc["customers", "target"] == "—"
    shown = programme.format_vs_target(table, "KRW")
    assert shown.loc["90-day churn rate", "status"] == "✗ not met"
    assert shown.loc["customers", "status"] == "no target"


def test_expected_kpis_adds_the_hypothesised_change():
    exp = programme.expected_kpis(KPIS, programme.TARGETS["simulated"])
    assert exp.loc["churn_rate_90d", "expected"] == pytest.approx(0.46)
    assert exp.loc["churn_rate_90d", "reaches target"] is False
    assert exp.loc["active_share", "reaches target"] is True  # 0.70 + 0.03 ≥ 0.72
    assert exp.loc["clv_12m_total", "expected change"] == pytest.approx(1e7)  # 10,000 × 1,000
    assert exp.loc["campaign_uplift_pts", "reaches target"] is None
    shown = programme.format_expected(exp, "KRW")
    assert list(shown.index) == [kpi.KPI_LABELS[k] for k in exp.index] and shown.shape[1] == 6
    churn = shown.loc[kpi.KPI_LABELS["churn_rate_90d"]]
    assert churn["expected change"] == "-4.0 pts" and churn["reaches target"] == "no"
    assert churn["target"] == "45.0%"
    assert shown.loc[kpi.KPI_LABELS["campaign_uplift_pts"], "reaches target"] == "not measured"
    assert shown.loc[kpi.KPI_LABELS["clv_12m_total"], "expected change"] == "+10,000,000 KRW"


def test_review_table_judges_the_movement():
    start = KPIS | {"churn_rate_90d": 0.55, "active_share": 0.69, "clv_12m_total": 2.6e8}
    review = programme.review_table(start, KPIS, programme.TARGETS["simulated"])
    assert review.loc["churn_rate_90d", "moved as expected"] == "yes"  # −5 pts, −4 expected
    assert review.loc["active_share", "moved as expected"] == "partly"  # +1 of +3 pts
    assert review.loc["clv_12m_total", "moved as expected"] == "no"  # fell
    assert review.loc["campaign_uplift_pts", "moved as expected"] == "not measured"
    text = programme.review_conclusions(review, source="x", start="a", end="b")
    assert "Moved the wrong way" in text and "predicted 12-month CLV" in text


def test_programme_on_a_small_database(small_dataset_dir, monkeypatch):
    from crm_research.data import datasets

    monkeypatch.setenv("CRM_RESEARCH_DATA_DIR", str(small_dataset_dir))
    con = datasets.connect("simulated", n_people=2_000, seed=7, read_only=True)
    try:
        end = datasets.info(con)["last_purchase"]
        snap = kpi.snapshot(con, end)
        table = programme.kpi_vs_target(snap, kind="simulated")
        assert table["met"].notna().sum() >= 3
        assert programme.average_order_value(con, end) > 0
        share = programme.true_alive_share(con, end)
        assert 0 < share < 1
    finally:
        con.disconnect()
