"""Notebook 05's studies: the analyst's own randomised campaign read from a small hand-made
customer database (outcome window, unknown members, conflicting assignments, no amounts), its
analysis on data with a known effect, the KPI table, the conclusions, and the example export."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crm_research import uplift
from crm_research.data import engine
from crm_research.reporting import kpi
from crm_research.uplift import studies as us

T0 = pd.Timestamp("2026-01-10 10:00:00")


def _db(tmp_path, *, amounts: bool = True, export: str = "2026-03-01 00:00:00"):
    """A tiny customer database: customers C1..C4 (members M1..M4; M5 never ordered), campaign
    E2 assigned at T0 (C4 via two member ids in both groups), an older campaign E1."""
    con = engine.connect(tmp_path / "db.duckdb")
    idm = pd.DataFrame(
        {
            "unique_id": [f"members:M{i}" for i in (1, 2, 3, 4, 6)],
            "source": "members",
            "record_id": ["M1", "M2", "M3", "M4", "M6"],
            "customer_id": ["C1", "C2", "C3", "C4", "C4"],
        }
    )
    d = pd.Timedelta
    tx = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C1", "C2", "C2", "C3", "C4"],
            "order_id": [f"O{i}" for i in range(7)],
            "ordered_at": [
                T0 - d(days=100),  # before: a feature, not an outcome
                T0 + d(days=29),  # in the window
                T0 + d(days=31),  # after the window
                T0 - d(days=400),
                T0 + d(hours=1),
                T0 - d(days=10),
                T0 + d(days=2),
            ],
            "amount": [10.0, 20.0, 40.0, 5.0, 7.0, 3.0, 9.0] if amounts else [np.nan] * 7,
            "channel": ["web", "app", "web", "web", "web", "app", "web"],
            "n_lines": 1,
        }
    )
    ca = pd.DataFrame(
        {
            "line": range(2, 10),
            "campaign_id": ["E2"] * 7 + ["E1"],
            "member_id": ["M1", "M2", "M3", "M5", "M4", "M6", "M1", "M1"],
            "assigned_at": [T0] * 6 + [T0 + pd.Timedelta(days=1), T0 - pd.Timedelta(days=60)],
            "treated": [True, False, True, False, True, False, True, True],
        }
    )
    info = pd.DataFrame(
        [{"name": "t", "currency": "USD", "export_time": export, "has_amount": amounts}]
    )
    for name, df in [
        ("identity_map", idm),
        ("transactions", tx),
        ("dataset_info", info),
        ("src_campaign_assignments", ca),
    ]:
        engine.write(con, name, df)
    return con


def test_own_campaign_reads_assignment_outcome_and_features(tmp_path):
    con = _db(tmp_path)
    df = us.own_campaign(con, window_days=30)  # the latest campaign: E2
    assert set(df["campaign_id"]) == {"E2"}
    assert df.attrs["conflicting"] == 1  # C4 in both groups: left out
    by = df.set_index(df["customer_id"].fillna("unknown"))
    assert list(by.index) == ["C1", "C2", "C3", "unknown"]
    # C1: first assignment kept (treated), one order in the window (20), not the one after
    assert by.loc["C1", "treated"] == 1 and by.loc["C1", "purchased"] == 1
    assert by.loc["C1", "spend"] == 20.0
    assert by.loc["C2", "purchased"] == 1 and by.loc["C2", "spend"] == 7.0
    assert by.loc["C3", "purchased"] == 0 and by.loc["C3", "spend"] == 0.0
    # a member the database does not know is a non-buyer, not dropped
    assert by.loc["unknown", "purchased"] == 0 and by.loc["unknown", "treated"] == 0
    assert by.loc["unknown", "log_orders_before"] == 0
    # features only from before the assignment
    assert by.loc["C1", "log_orders_before"] == pytest.approx(np.log1p(1))
    assert by.loc["C1", "order_value"] == 10.0
    assert by.loc["C2", "log_orders_last_year"] == 0  # its one earlier order is 400 days old
    assert by.loc["C3", "log_recency_days"] == pytest.approx(np.log1p(10))
    assert "share_app" in df and "share_web" not in df  # the most common channel is left out
    assert df["window_complete"].all()
    assert set(us.own_feature_columns(df)) <= set(df.columns)


def test_own_campaign_choice_and_incomplete_windows(tmp_path):
    con = _db(tmp_path, export="2026-01-20 00:00:00")
    e1 = us.own_campaign(con, window_days=30, campaign_id="E1")
    assert len(e1) == 1 and e1["purchased"].iloc[0] == 0  # C1 bought nothing in E1's window
    e2 = us.own_campaign(con, window_days=30)
    assert not e2["window_complete"].any()  # the export is 10 days after the assignment
    assert list(us.campaign_ids(con)["campaign_id"]) == ["E2", "E1"]
    with pytest.raises(ValueError, match="no assignments"):
        us.own_campaign(con, campaign_id="nope")


def test_own_campaign_without_amounts(tmp_path):
    df = us.own_campaign(_db(tmp_path, amounts=False), window_days=30)
    assert df["spend"].isna().all() and "log_order_value" not in df
    assert df["purchased"].sum() == 2


def _synthetic(n=1600, effect=0.1, seed=1, amounts=True):
    """A randomised campaign with a known effect on purchase that grows with one feature."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = rng.permutation(np.arange(n) % 2)
    p = 0.2 + t * effect * (x > 0) * 2
    y = (rng.random(n) < p).astype(int)
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "campaign_id": "E",
            "assigned_at": T0,
            "treated": t,
            "purchased": y,
            "spend": y * 50.0 if amounts else np.nan,
            "window_complete": True,
            "order_value": 50.0 if amounts else np.nan,
            "log_orders_before": x,
            "log_recency_days": rng.normal(size=n),
        }
    )
    df.attrs.update(conflicting=0, window_days=30)
    return df


def test_own_campaign_study_recovers_the_effect_and_ranks_by_uplift():
    df = _synthetic()
    econ = uplift.CampaignEconomics(contact_cost=1.0, margin=0.5)
    st = us.own_campaign_study(df, currency="USD", econ=econ, seed=0)
    p = st.effects.set_index("outcome").loc["purchased"]
    assert p["ci low"] < 0.1 < p["ci high"]
    assert set(st.effects["outcome"]) == {"purchased", "spend"}
    assert st.joint["balanced"]
    assert (
        st.evaluation.loc["S-learner", "Qini coefficient"]
        > st.evaluation.loc["random", "Qini coefficient"]
    )
    assert st.plan is not None and len(st.plan) == 3
    text = us.own_conclusions(st)
    assert "USD" in text and "purchase rate" in text and "KRW" not in text
    res = us.campaign_results(st.data)
    assert list(res.columns) == ["customer_id", "treated", "purchased", "spend"]


def test_own_campaign_study_without_amounts_or_enough_customers():
    st = us.own_campaign_study(_synthetic(n=800, amounts=False), currency="USD", econ=None)
    assert list(st.effects["outcome"]) == ["purchased"] and st.plan is None
    assert st.evaluation is not None
    assert "no order amounts" in us.own_conclusions(st)
    small = us.own_campaign_study(_synthetic(n=120), currency="USD", econ=None)
    assert small.evaluation is None and any("no uplift models" in n for n in small.notes)
    assert "no uplift models" in us.own_conclusions(small)


def test_campaign_results_feed_the_kpi(tmp_path):
    con = engine.connect(tmp_path / "k.duckdb")
    df = pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "treated": [1, 1, 0, 0],
            "purchased": [1, 0, 0, 0],
            "spend": [5.0, 0, 0, 0],
        }
    )
    engine.write(con, "campaign_results", us.campaign_results(df))
    assert kpi.campaign_uplift_pts(con) == pytest.approx(50.0)


def test_money_formats_by_currency():
    assert us.money(1234.5, "KRW") == "1,234 KRW"
    assert us.money(1234.5, "USD") == "1,234.50 USD"
    assert us.money(math.nan, "USD") == "n/a"


def test_example_campaign_export_is_randomised(tmp_path):
    from crm_research.data import examples
    from crm_research.data import reader as byod

    cfg = byod.load_config(examples.write_campaign_export(tmp_path, n_people=1000, seed=3))
    a = pd.read_csv(cfg.sources["campaign_assignments"].path, parse_dates=["assigned_at"])
    o = pd.read_csv(cfg.sources["orders"].path)
    o["ordered_at"] = pd.to_datetime(o["ordered_at"], errors="coerce")  # a few corrupted rows
    assert a["member_id"].is_unique and a["treated"].mean() == pytest.approx(0.5, abs=0.01)
    assert set(a["member_id"]) == set(o["member_id"].dropna())
    start = a["assigned_at"].iloc[0]
    camp = o[o["order_id"].str.startswith("OC")]  # the campaign's orders
    assert len(camp) > 0 and camp["member_id"].is_unique  # one order per buyer in the window
    assert camp["ordered_at"].between(start, start + pd.Timedelta(days=30)).all()
    before = o.drop(camp.index)["ordered_at"]
    assert (before[before < cfg.as_of] < start).all()  # (the world's corrupted rows aside)
    assert (camp["ordered_at"] < cfg.as_of).all()


def test_display_helpers_points_and_p_values():
    ev = pd.DataFrame(
        {"Qini coefficient": [12.0], "normalised Qini": [0.2], "uplift in top 30%": [0.0351]},
        index=["S-learner"],
    )
    shown = us.evaluation_display(ev)
    assert shown.loc["S-learner", "uplift in top 30% (pts)"] == pytest.approx(3.51)
    assert shown.index.name == "policy"
    eff = pd.DataFrame({"arm": ["mens"], "effect": [0.05], "p-value": [0.0123]})
    assert us.effects_display(eff).to_dict("records") == [{"effect": 0.05, "p-value": "0.012"}]
    assert us.format_p_value(1e-9) == "< 0.001"
