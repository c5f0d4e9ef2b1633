"""The CRM programme: ten steps, targets, the KPI-against-target table, the incentive plan."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from crm_research import programme
from crm_research.config import NOTEBOOKS_DIR
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


def test_ten_steps_cover_one_to_ten_and_name_existing_notebooks():
    table = programme.ten_steps_table()
    assert list(table.index) == [str(i) for i in range(1, 11)]
    stems = programme.chapter_order()
    for where in table["notebook"]:
        for nb in (w.strip() for w in where.split(",")):
            assert nb in stems
    assert stems == sorted(stems)  # the book's order is the runner's NN_ order
    for stem in ("00_crm_programme", "07_review"):
        assert (NOTEBOOKS_DIR / f"{stem}.ipynb").is_file()


def test_targets_use_the_kpi_names_and_have_hypotheses():
    for kind, targets in programme.TARGETS.items():
        assert set(targets) <= set(kpi.KPI_LABELS), kind
        for k, t in targets.items():
            assert t.kpi == k and t.direction in ("min", "max")
            assert t.hypothesis and t.programme and t.expected_change != 0


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


def test_load_targets_from_yaml_json_and_file(tmp_path):
    a = programme.load_targets("churn_rate_90d: {max: 0.4}\nactive_share: {min: 0.5}")
    b = programme.load_targets('{"churn_rate_90d": {"max": 0.4}, "active_share": {"min": 0.5}}')
    f = tmp_path / "t.yaml"
    f.write_text("churn_rate_90d: {max: 0.4}\nactive_share: {min: 0.5}\n")
    c = programme.load_targets(str(f))
    assert a == b == c
    assert a["churn_rate_90d"].met(0.39) is True and a["churn_rate_90d"].met(0.41) is False
    assert programme.load_targets(None) is None and programme.load_targets("  ") is None
    with pytest.raises(ValueError, match="unknown KPI"):
        programme.load_targets("revenue: {min: 1}")
    with pytest.raises(ValueError, match="exactly one of min or max"):
        programme.load_targets("active_share: {min: 0.5, max: 0.9}")
    with pytest.raises(ValueError, match="file not found"):
        programme.load_targets(str(tmp_path / "missing.yaml"))
    round_trip = programme.load_targets(programme.targets_to_yaml(programme.TARGETS["simulated"]))
    assert {k: (t.direction, t.value) for k, t in round_trip.items()} == {
        k: (t.direction, t.value) for k, t in programme.TARGETS["simulated"].items()
    }


def test_targets_for_own_data_borrow_labelled_rate_targets():
    own, label = programme.targets_for("config", currency="USD")
    assert set(own) == set(programme.RATE_KPIS)  # no KRW money target for dollars
    assert "simulated retailer" in label and "not set for this data" in label
    own_krw, _ = programme.targets_for("config", currency="KRW")
    assert "clv_12m_total" in own_krw
    given, label = programme.targets_for("simulated", "active_share: {min: 0.9}")
    assert list(given) == ["active_share"] and label == "targets given for this run"


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


def test_incentive_plan_costs_and_budget():
    seg = pd.DataFrame(
        {
            "customers": [100, 200, 50],
            "action": [
                "retention offer",
                "reactivation",
                "leave alone (recognise, do not over-treat)",
            ],
        },
        index=["A", "B", "C"],
    )
    plan = programme.incentive_plan(seg, aov=100.0)
    # retention: 0.05 + 0.15 × 0.06 = 0.059 AOV per contact
    assert plan.loc["A", "cost per contact"] == pytest.approx(5.9)
    assert plan.loc["A", "expected extra buyers"] == pytest.approx(6.0)
    capped = programme.incentive_plan(seg, aov=100.0, budget=200.0)
    assert capped["budget"].sum() <= 200.0
    assert capped.loc["C", "contacted"] == 0  # no expected response: not funded
    eff = plan["expected extra buyers"] / plan["budget"]
    best = eff.idxmax()
    assert capped.loc[best, "contacted"] > 0
    with pytest.raises(KeyError, match="no incentive"):
        programme.incentive_plan(seg.assign(action="bribe"), aov=1.0)


def test_rfm_actions_cover_every_rfm_segment_name():
    from crm_research import rfm

    names = (
        set(rfm.CRAN_RFM_SEGMENTS["segment"]) | set(rfm.RF_GRID_SEGMENTS["segment"]) | {"Others"}
    )
    assert names <= set(programme.RFM_ACTIONS)
    assert set(programme.RFM_ACTIONS.values()) <= set(programme.INCENTIVES)


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
