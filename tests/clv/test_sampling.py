"""Fits on a seeded sample of customers above a size threshold (issue 17): deterministic with a
seed, nothing sampled at or below the threshold, every customer still scored."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import clv, rfm
from crm_research.clv import sampling
from crm_research.clv import value_views as vv
from crm_research.clv import views as clv_views
from crm_research.data import cdnow
from tests.clv.test_views import FakeCon


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(n)}, index=pd.Index([f"C{i}" for i in range(n)]))


def test_no_sample_at_or_below_the_threshold():
    f = _frame(100)
    assert sampling.fit_sample(f, 100) is f
    assert sampling.fit_sample(f, 1_000) is f
    assert sampling.fit_sample(f, None) is f
    assert sampling.sample_note(100, 100) is None


def test_default_threshold_keeps_the_default_world_and_cdnow_whole():
    # the 20,000-person world has about 21,000 customers; CDNOW 23,570
    assert sampling.FIT_SAMPLE > 25_000


def test_sample_is_seeded_and_keeps_the_order():
    f = _frame(1_000)
    a, b = sampling.fit_sample(f, 100, seed=7), sampling.fit_sample(f, 100, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 100 and a.index.is_unique and a.index.isin(f.index).all()
    assert a["x"].is_monotonic_increasing
    assert not sampling.fit_sample(f, 100, seed=8).index.equals(a.index)
    # the same rows as sample_customers draws from the index
    assert a.index.equals(sampling.sample_customers(f.index, 100, seed=7))


def test_sample_note():
    note = sampling.sample_note(200_000, 1_000_000, 42)
    assert note == (
        "Fitted on a random sample of 200,000 of 1,000,000 customers (seed 42); "
        "every customer scored."
    )
    assert sampling.sample_note(5, 10, 1, what="").endswith("(seed 1).")


@pytest.fixture(scope="module")
def cdnow_db():
    raw = cdnow.load_cdnow_sample()
    tx = pd.DataFrame(
        {"customer_id": raw["customer_id"], "ordered_at": raw["date"], "amount": raw["dollars"]}
    )
    info = {"export_time": "1998-07-01 00:00:00", "first_purchase": "1997-01-01"}
    return FakeCon(tx), info


def test_purchase_models_fitted_on_a_sample_score_everyone(cdnow_db):
    con, info = cdnow_db
    w = clv_views.analysis_window(info)
    cal = clv_views.calibration_data(con, w)
    s = rfm.calibration_summary(cal)
    models, notes = clv_views.fit_purchase_models(s, ("bgnbd",), fit_customers=1_000, fit_seed=3)
    assert notes == [sampling.sample_note(1_000, len(s), 3)]
    direct = clv.fit_btyd(sampling.fit_sample(s, 1_000, 3), "bgnbd")
    np.testing.assert_allclose(models["bgnbd"].params, direct.params)
    assert models["bgnbd"].n_customers == 1_000
    preds = clv_views.holdout_predictions(models, cal)
    assert len(preds["BG/NBD"]) == len(cal) and preds["BG/NBD"].notna().all()
    again, _ = clv_views.fit_purchase_models(s, ("bgnbd",), fit_customers=1_000, fit_seed=3)
    np.testing.assert_array_equal(again["bgnbd"].params, models["bgnbd"].params)
    # the Gamma-Gamma of the calibration period uses the same sample's repeat customers
    cal_s, gg = vv.calibration_spend(
        vv.calibration_data(con, w, has_amount=True), 1.0, fit_customers=1_000, fit_seed=3
    )
    rep = sampling.fit_sample(rfm.calibration_summary(cal_s), 1_000, 3)
    assert gg.n_customers == ((rep["frequency"] > 0) & (rep["monetary_value"] > 0)).sum()


def test_customer_value_fitted_on_a_sample_scores_everyone(cdnow_db):
    con, _ = cdnow_db
    end = pd.Timestamp("1998-06-30")
    whole = clv_views.customer_value(con, end, currency="USD", has_amount=True)
    assert whole.fit_note is None and whole.fit_summary is whole.summary
    v = clv_views.customer_value(
        con, end, currency="USD", has_amount=True, fit_customers=1_000, fit_seed=5
    )
    assert v.fit_note == sampling.sample_note(1_000, len(v.summary), 5)
    assert len(v.fit_summary) == 1_000 and v.purchases.n_customers == 1_000
    assert len(v.table) == len(whole.table) and v.table["clv"].notna().all()
    # a sample of 1,000 of 2,357 moves the parameters a little, not the total much
    assert v.table["clv"].sum() == pytest.approx(whole.table["clv"].sum(), rel=0.25)
    iv = vv.value_intervals(v, horizon_weeks=52, sample=200, seed=0, n_draws=50)
    assert len(iv) == 200 and iv["clv_upper"].ge(iv["clv_lower"]).all()


def test_pareto_gets_its_own_smaller_sample(cdnow_db):
    con, info = cdnow_db
    s = rfm.calibration_summary(clv_views.calibration_data(con, clv_views.analysis_window(info)))
    models, notes = clv_views.fit_purchase_models(
        s, ("bgnbd", "pareto"), fit_customers=None, pareto_customers=800, fit_seed=2
    )
    assert models["bgnbd"].n_customers == len(s) and models["pareto"].n_customers == 800
    assert notes == [f"Pareto/NBD: {sampling.sample_note(800, len(s), 2, what='')}"]
    assert sampling.PARETO_FIT_SAMPLE > 23_570  # CDNOW's 23,570 customers stay whole


def test_clv_table_fits_on_a_sample_and_scores_everyone(cdnow_db):
    con, _ = cdnow_db
    tx = con.table("transactions")
    whole = clv.clv_table(tx, observation_end="1998-06-30")
    assert whole.attrs["fit_note"] is None  # CDNOW's 2,357 customers: every one fitted on
    a = clv.clv_table(tx, observation_end="1998-06-30", fit_customers=1_000, fit_seed=5)
    b = clv.clv_table(tx, observation_end="1998-06-30", fit_customers=1_000, fit_seed=5)
    assert a.attrs["fit_note"] == sampling.sample_note(1_000, len(whole), 5)
    pd.testing.assert_frame_equal(a, b)  # seeded
    assert a.index.equals(whole.index) and a["clv"].notna().all()  # every customer scored
    assert a["clv"].sum() == pytest.approx(whole["clv"].sum(), rel=0.25)
    # the same sample as the notebooks' customer value: the same total as the run KPI
    v = clv_views.customer_value(
        con,
        pd.Timestamp("1998-06-30"),
        currency="USD",
        has_amount=True,
        fit_customers=1_000,
        fit_seed=5,
    )
    assert v.table["clv"].sum() == pytest.approx(a["clv"].sum(), rel=1e-9)
