"""The run history: each KPI against its target, targets by dataset kind or given."""

from __future__ import annotations

import pytest

from crm_research import reporting as runs


def _record(folder, as_of, kpis, **extra) -> dict:
    return {
        "folder": folder,
        "as_of": as_of,
        "started": f"{as_of}T08:00:00+00:00",
        "status": "ok",
        "kpis": kpis,
        **extra,
    }


def _write_runs(root, records) -> None:
    for r in records:
        folder = root / "runs" / r["folder"]
        folder.mkdir(parents=True)
        runs.write_run_record(folder, {k: v for k, v in r.items() if k != "folder"})


KPIS = {
    "customers": 1000,
    "active_share": 0.75,
    "clv_12m_total": 1.0e6,
    "churn_rate_90d": 0.5,
    "campaign_uplift_pts": float("nan"),
    "data_end": "2025-12-31",
    "currency": "KRW",
}


def test_history_shows_each_kpi_against_its_target(tmp_path):
    from crm_research import programme

    _write_runs(
        tmp_path,
        [
            _record(
                "2025-06-30_a",
                "2025-06-30",
                KPIS | {"active_share": 0.70},
                dataset_kind="simulated",
            ),
            _record("2025-12-31_b", "2025-12-31", KPIS, dataset_kind="simulated"),
        ],
    )
    latest = runs.load_runs(tmp_path)[-1]
    vs = runs.run_vs_targets(latest)
    expected = programme.kpi_vs_target(KPIS, kind="simulated")
    assert vs["met"].tolist() == expected["met"].tolist()
    assert vs.loc["active_share", "met"]  # 75% ≥ 72%
    assert not vs.loc["churn_rate_90d", "met"]  # 50% > 45%
    assert vs.loc["campaign_uplift_pts", "met"] is None  # no campaign: not measurable
    html_ = runs.history_section(tmp_path)
    assert "KPIs against their targets, as of 31 December 2025" in html_
    assert "the simulated retailer's targets" in html_
    assert (
        '<td class="tgt met">✓ met</td>' in html_
        and '<td class="tgt missed">✗ not met</td>' in html_
    )
    assert "≥ 230,000 KRW per customer (in total 230.00 million KRW)" in html_  # 1,000 customers
    assert '<span class="tgt met" title="target ≥ 72.0%">✓ target ≥ 72.0%</span>' in html_
    assert '<span class="tgt missed" title="target ≤ 45.0%">✗ target ≤ 45.0%</span>' in html_
    assert "target ≥ +2.00: not measurable" in html_
    assert "✗ target ≥ 230,000,000" in html_  # per customer: the run's total
    assert html_.count("✗ target ≥ 72.0%") == 1  # the first run missed it (70%)
    thresholds = runs.target_thresholds(runs.load_runs(tmp_path))
    assert thresholds.loc["2025-12-31_b", "churn_rate_90d"] == pytest.approx(0.45)
    assert (tmp_path / "kpi_trends.png").stat().st_size > 5_000


def test_history_targets_follow_the_kind_and_given_targets(tmp_path):
    cdnow = _record(
        "2025-06-30_a",
        "2025-06-30",
        KPIS | {"currency": "USD"},
        dataset_info={"kind": "cdnow", "currency": "USD"},
    )
    assert runs.run_kind(cdnow) == "cdnow"  # older records: the kind from dataset_info
    assert runs.run_targets(cdnow)[0]["churn_rate_90d"].value == pytest.approx(0.65)
    own = _record(
        "x",
        "2025-06-30",
        KPIS | {"currency": "USD"},
        dataset_kind="config",
        targets={"churn_rate_90d": {"max": 0.6}},
    )
    t, source = runs.run_targets(own)
    assert list(t) == ["churn_rate_90d"] and source == "targets given for this run"
    assert runs.run_vs_targets(own).loc["churn_rate_90d", "met"]
    unknown = _record("y", "2025-06-30", KPIS)
    assert runs.run_vs_targets(unknown) is None and runs.latest_targets_html(unknown) == ""
    assert runs.run_vs_targets(_record("z", "2025-06-30", None, dataset_kind="simulated")) is None
