"""Notebook 02's views on a customer database: the analysis window, the purchase models checked on
the holdout, value by decile and segment (equal to the KPIs' CLV), truth scoring and the
managers' conclusions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import clv, rfm
from crm_research.clv import views as clv_views
from crm_research.data import cdnow


class FakeCon:
    """The two tables the views read, from pandas (an in-memory Ibis connection)."""

    def __init__(self, tx: pd.DataFrame):
        import ibis

        self.con = ibis.duckdb.connect()
        self.con.create_table("transactions", tx)

    def table(self, name):
        return self.con.table(name)


@pytest.fixture(scope="module")
def cdnow_con():
    raw = cdnow.load_cdnow_sample()
    tx = pd.DataFrame(
        {"customer_id": raw["customer_id"], "ordered_at": raw["date"], "amount": raw["dollars"]}
    )
    info = {"export_time": "1998-07-01 00:00:00", "first_purchase": "1997-01-01"}
    return FakeCon(tx), info


def test_window_gives_the_classic_cdnow_split():
    info = {"export_time": "1998-07-01 00:00:00", "first_purchase": "1997-01-01"}
    w = clv_views.analysis_window(info)
    assert w["calibration_end"] == pd.Timestamp("1997-09-30")
    assert w["observation_end"] == pd.Timestamp("1998-06-30")
    assert w["holdout_days"] == 273 and w["feasible"]


def test_window_on_long_data_keeps_the_half_year_holdout():
    info = {"export_time": "2026-01-01 00:00:00", "first_purchase": "2023-01-01"}
    w = clv_views.analysis_window(info)
    assert (w["calibration_end"], w["observation_end"]) == (
        pd.Timestamp("2025-06-30"),
        pd.Timestamp("2025-12-31"),
    )
    # the runner's as-of counts its whole day; an explicit holdout overrides the derived one
    w = clv_views.analysis_window(info, "2025-09-30 23:59:59", holdout_days=30)
    assert w["observation_end"] == pd.Timestamp("2025-09-30")
    assert w["calibration_end"] == pd.Timestamp("2025-08-31")


def test_window_too_short_is_not_feasible():
    info = {"export_time": "2025-01-20 00:00:00", "first_purchase": "2025-01-05"}
    w = clv_views.analysis_window(info)
    assert not w["feasible"]
    assert "calibration period" in clv_views.split_problem(w)


def test_split_problem_without_calibration_repeats():
    w = {"feasible": True}
    cal = pd.DataFrame({"frequency_cal": [0.0, 0.0]})
    assert "repeat purchases" in clv_views.split_problem(w, cal)
    assert clv_views.split_problem(w, cal.assign(frequency_cal=[0.0, 1.0])) is None


def test_purchase_models_on_the_cdnow_sample_match_the_direct_fit(cdnow_con):
    con, info = cdnow_con
    w = clv_views.analysis_window(info)
    cal = clv_views.calibration_data(con, w)
    assert len(cal) == 2357 and clv_views.split_problem(w, cal) is None
    models, notes = clv_views.fit_purchase_models(rfm.calibration_summary(cal), ("bgnbd",))
    assert not notes
    direct = clv.fit_btyd(rfm.calibration_summary(cal), "bgnbd")
    np.testing.assert_allclose(models["bgnbd"].params, direct.params)
    table = clv_views.parameter_table(models)
    assert list(table["parameter"]) == ["r", "alpha", "a", "b"]
    assert (table["95% low"] < table["estimate"]).all()
    preds = clv_views.holdout_predictions(models, cal)
    assert list(preds) == ["naive (past rate)", "BG/NBD"]
    errors = clv.error_table(cal["frequency_holdout"], preds)
    assert clv_views.best_model(errors) == "BG/NBD"
    tr = clv_views.tracking_table(models, clv_views.purchase_days(con, w["observation_end"]), w)
    assert len(tr) == 78 and tr.attrs["calibration_week"] == 39
    assert tr["actual"].iloc[-1] == pytest.approx(tr["BG/NBD"].iloc[-1], rel=0.1)
    # the same table from the aggregates the database computes (large data)
    counts = clv_views.purchase_day_counts(con, w["observation_end"])
    pd.testing.assert_frame_equal(clv_views.tracking_table(models, counts, w), tr, check_exact=True)


def test_customer_value_equals_clv_table_and_kpis(cdnow_con):
    con, info = cdnow_con
    end = pd.Timestamp("1998-06-30")
    v = clv_views.customer_value(con, end, currency="KRW", has_amount=True)
    ref = clv.clv_table(con.table("transactions"), observation_end=end, money_scale=1000.0)
    np.testing.assert_allclose(v.table["clv"].to_numpy(), ref["clv"].to_numpy(), rtol=1e-9)
    assert v.value_col == "clv" and v.money_scale == 1000 and v.spend_check["n"] > 0
    dec = clv_views.by_decile(v.table, "clv")
    assert dec["customers"].sum() == len(v.table) and dec["share of total"].sum() == pytest.approx(
        1
    )
    assert dec["mean clv"].is_monotonic_decreasing
    seg = pd.Series(np.where(v.table.index % 2 == 0, "even", "odd"), index=v.table.index)
    by = clv_views.by_segment(v.table, "clv", seg.iloc[:-5])  # customers without a segment kept
    assert set(by.index) == {"even", "odd", "(no segment)"} and by["customers"].sum() == len(
        v.table
    )
    assert by["mean clv"].is_monotonic_decreasing


def test_customer_value_without_amounts_counts_purchases(cdnow_con):
    con, _ = cdnow_con
    v = clv_views.customer_value(con, pd.Timestamp("1998-06-30"), currency="USD", has_amount=False)
    assert v.spend is None and v.currency is None and v.value_col == "expected_purchases"
    assert {"p_alive", "expected_purchases"} == set(v.table.columns)


def test_format_money():
    assert clv_views.format_money(4.449e9, "KRW") == "4.45 billion KRW"
    assert clv_views.format_money(1.5e6, "USD") == "1.50 million USD"
    assert clv_views.format_money(950.4, "USD") == "950 USD"


def test_truth_scores_and_views(cdnow_con):
    """A stand-in truth on the CDNOW sample: alive = bought in the last 10 calibration weeks (or
    never repeated, as BG/NBD assumes), expected = past rate carried forward."""
    con, info = cdnow_con
    cal = clv_views.calibration_data(con, clv_views.analysis_window(info))
    models, _ = clv_views.fit_purchase_models(rfm.calibration_summary(cal), ("bgnbd",))
    recent = (cal["T_cal"] - cal["recency_cal"] < 10) | (cal["frequency_cal"] == 0)
    truth = pd.DataFrame({"alive": recent, "true_expected": clv.naive_holdout_prediction(cal)})
    scores = clv_views.truth_scores(models, cal, truth)
    assert list(scores.index) == ["BG/NBD", "naive (past rate)"]
    assert scores.columns[0] == "P(alive) ROC AUC vs true alive"
    assert 0.5 < scores.loc["BG/NBD", "P(alive) ROC AUC vs true alive"] <= 1
    assert np.isnan(scores.loc["naive (past rate)", "P(alive) Brier score"])
    pa = models["bgnbd"].p_alive(rfm.calibration_summary(cal))
    rel = clv_views.p_alive_reliability(pa, truth["alive"])
    assert rel["predicted"].between(0, 1).all() and rel["true"].between(0, 1).all()
    dec = clv_views.deciles_vs_truth(cal["frequency_cal"] / 2, truth, cal["frequency_holdout"])
    assert len(dec) == 10 and dec["true expected"].is_monotonic_increasing


def test_truth_targets_on_a_simulated_database(small_world_db):
    from crm_research.data import engine

    con = engine.connect(small_world_db, read_only=True)
    try:
        info = {"export_time": "2026-01-01 00:00:00", "first_purchase": "2023-01-01"}
        w = clv_views.analysis_window(info)
        cal = clv_views.calibration_data(con, w)
        t = clv_views.truth_targets(con, cal, w["calibration_end"])
    finally:
        con.disconnect()
    assert t.index.equals(cal.index)
    assert 0.2 < t["alive"].mean() < 0.9
    assert (t.loc[~t["alive"], "true_expected"] == 0).all() and (t["true_expected"] >= 0).all()


FULL = {
    "top20_share": 0.75,
    "concentration_of": "revenue",
    "repeat": True,
    "holdout_days": 184,
    "best_model": "BG/NBD",
    "best_mae": 1.3,
    "naive_mae": 1.88,
    "auc_truth": 0.92,
    "total_value": 4.45e9,
    "currency": "KRW",
    "horizon_weeks": 52,
    "top10_value_share": 0.67,
    "best_segment": "Champions",
}


def test_conclusions_on_simulated_data():
    text = clv_views.conclusions_markdown(FULL)
    assert "75% of all revenue" in text and "4.45 billion KRW" in text
    assert "ROC AUC 0.92" in text and "better than carrying" in text and '"Champions"' in text
    assert all(line.startswith("* ") for line in text.splitlines())


def test_conclusions_without_truth_and_amounts():
    facts = FULL | {
        "auc_truth": None,
        "total_value": None,
        "currency": None,
        "expected_purchases": 21_300.4,
        "concentration_of": "purchases",
    }
    text = clv_views.conclusions_markdown(facts)
    assert "AUC" not in text and "KRW" not in text
    assert "21,300 purchases" in text and "no amounts" in text


def test_conclusions_without_repeat_purchases_or_holdout():
    text = clv_views.conclusions_markdown({"top20_share": 0.3, "repeat": False})
    assert "No customer bought twice" in text and "Action" not in text
    text = clv_views.conclusions_markdown(
        {"holdout_problem": "repeat purchases in the calibration period"}
    )
    assert "could not be checked" in text
