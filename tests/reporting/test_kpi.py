"""The KPIs of a run: computed by hand on the small world, and the drift flags."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research.reporting import kpi


def test_kpis_by_hand(small_world_db):
    from crm_research.data import engine

    con = engine.connect(small_world_db, read_only=True)
    k = kpi.snapshot(con, "2025-12-31")
    tx = con.table("transactions").to_pandas()
    con.disconnect()
    last = tx[tx["ordered_at"] < "2026-01-01"].groupby("customer_id")["ordered_at"].max()
    assert k["customers"] == len(last)
    assert k["data_end"] == f"{last.max():%Y-%m-%d}"
    assert k["active_share"] == pytest.approx((last >= "2025-01-01").mean())
    cut = pd.Timestamp("2025-10-03")
    before = tx[tx["ordered_at"] < cut].groupby("customer_id")["ordered_at"].max()
    risk = before[before >= cut - pd.Timedelta(days=365)].index
    assert k["churn_rate_90d"] == pytest.approx((last[risk] < cut).mean())
    assert pd.isna(k["campaign_uplift_pts"])  # no campaign recorded in this database


def test_deltas_flag_moves_over_the_threshold():
    h = pd.DataFrame({"customers": [100.0, 104.0, 130.0], "campaign_uplift_pts": [2.0, 2.5, 0.5]})
    d = kpi.deltas(h, threshold=0.1)
    assert d["customers_flag"].tolist() == [False, False, True]
    assert d["customers_change"].iloc[2] == pytest.approx(0.25)
    assert d["campaign_uplift_pts_flag"].tolist() == [False, False, True]  # moved 2 pts > 1 pt


def test_clv_note_line_says_how_the_clv_kpi_was_fitted():
    assert kpi.clv_note_line({"clv_note": ""}) is None  # fitted on every customer: nothing to say
    sampled = {"clv_note": "Fitted on a random sample of 200,000 of 1,000,000 customers (seed 42)."}
    assert kpi.clv_note_line(sampled, "2025-12-31") == (
        "Predicted 12-month CLV, total (2025-12-31): fitted on a random sample of 200,000 of "
        "1,000,000 customers (seed 42)."
    )
    assert kpi.clv_note_line({"clv_note": "no amounts in the data"}).endswith(
        ": no amounts in the data"
    )
