"""Targets: their KPIs and hypotheses, loading them, the targets of a run."""

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


def test_targets_use_the_kpi_names_and_have_hypotheses():
    for kind, targets in programme.TARGETS.items():
        assert set(targets) <= set(kpi.KPI_LABELS), kind
        for k, t in targets.items():
            assert t.kpi == k and t.direction in ("min", "max")
            assert t.hypothesis and t.programme and t.expected_change != 0


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
