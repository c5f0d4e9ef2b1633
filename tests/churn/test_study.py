"""The time-split churn study on a small world and on a log without amounts (survival, write-back)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import churn
from crm_research.churn import study
from crm_research.data import engine


def test_time_split_study_on_a_small_world(small_world_db):
    con = engine.connect(small_world_db, read_only=True)
    run = churn.time_split_study(
        con.table("transactions"), "2025-09-30", 90, touchpoints=con.table("touchpoints"), seed=0
    )
    gaps = np.diff([c.value for c in run.cutoffs]) / 86_400e9
    assert (gaps == 90).all() and run.cutoffs[-1] == pd.Timestamp("2025-09-30")
    assert (run.test_X["recency_days"] <= 365).all()
    assert all(len(s) == len(run.test_y) for s in run.scores.values())
    table = churn.evaluate(run.test_y, run.scores, run.probabilistic)
    assert table.loc["gradient boosting", "ROC AUC"] > 0.7
    con.disconnect()
    # truth-based scoring (simulated data only)
    end = run.cutoffs[-1] + pd.Timedelta(days=90)
    con = engine.connect(small_world_db, read_only=True)
    truth = churn.true_dropout(con, run.test_X.index, end)
    con.disconnect()
    assert truth.dtype == bool and 0 < truth.mean() < 1
    table = churn.model_table(run, truth)
    best, rule, col = churn.best_model(table)
    assert col == "ROC AUC vs true dropout" and rule.startswith("recency") and best != rule
    assert table.loc[best, col] > 0.7


# ------------------------------------------------------------------------------------------------
# any dataset


@pytest.fixture(scope="module")
def own_log_db(tmp_path_factory):
    from tests.own_data import build_own_log

    return build_own_log(tmp_path_factory.mktemp("ownlog"))


def test_study_survival_and_write_back_on_a_log_without_amounts(own_log_db, tmp_path):
    import shutil

    db = shutil.copy(own_log_db, tmp_path / "copy.duckdb")
    con = engine.connect(db)
    caps = {"amount": False, "channels": False, "repeat": True}
    cuts = churn.plan_cutoffs("2023-01-01", "2025-01-01", 90, n_folds=1)
    run = churn.time_split_study(
        con.table("transactions"), cuts[-1], 90, n_folds=1, monetary_col=None, seed=0
    )
    assert "log_monetary" not in run.extra["features"]
    table = churn.model_table(run)
    best, rule, col = churn.best_model(table)
    assert col == "ROC AUC" and table.loc[best, col] > 0.6
    lift = churn.lift_table(run.test_y, run.scores["gradient boosting, calibrated"])
    text = churn.conclusions(
        run,
        table,
        lift,
        currency="USD",
        active_within_days=365,
        value_note="no amounts in the data",
    )
    assert "not computed: no amounts" in text and "against the observed labels" in text
    imp, sample = churn.permutation_importances(run, n=100, seed=0)
    assert len(sample) == 100 and set(imp.index) == set(run.extra["features"])
    p = run.scores["gradient boosting, calibrated"]
    out = churn.scores_table(
        run.test_X.index, p, model="gb", cutoff=cuts[-1], horizon_days=90, currency="USD"
    )
    assert churn.write_scores(con, out) == len(run.test_y)
    ids = con.table("churn_scores").to_pandas()["customer_id"]
    assert ids.str.fullmatch(r"C\d{6}").all()  # the database's customer ids, nothing else
    surv = churn.lapse_survival(con, "2025-01-01", lapse_days=180)
    con.disconnect()
    assert surv["lapsed"].any() and (~surv["lapsed"]).any() and (surv["duration"] >= 0).all()
    group, name = churn.survival_groups(surv, caps)
    assert name == "acquisition cohort" and group.nunique() >= 2
    km = churn.kaplan_meier(surv["duration"], surv["lapsed"], group)
    assert all(c["survival"].between(0, 1).all() for c in km.values())
    hr = churn.lapse_cox(surv, caps)
    assert list(hr.index) == ["months_since_start"]


def test_time_split_study_trains_on_a_seeded_sample_above_fit_rows(small_world_db):
    con = engine.connect(small_world_db, read_only=True)
    tx = con.table("transactions")
    # one tuning fold: what is tested is the sample, not the model (keeps the suite fast)
    whole = churn.time_split_study(tx, "2025-09-30", 90, seed=0, n_folds=1)
    assert whole.extra["fit_note"] is None  # small data: every customer trains
    n = whole.extra["train_rows"] // 2
    runs = [
        churn.time_split_study(tx, "2025-09-30", 90, seed=0, n_folds=1, fit_rows=n, fit_seed=7)
        for _ in range(2)
    ]
    con.disconnect()
    a, b = runs
    assert a.extra["train_rows"] == n and a.extra["fit_note"].startswith("Fitted on a random")
    assert "every test customer scored" in a.extra["fit_note"]
    assert len(a.test_y) == len(whole.test_y)  # every test customer is scored
    for name in a.scores:
        np.testing.assert_array_equal(a.scores[name], b.scores[name])  # seeded


def test_time_split_study_tunes_on_a_seeded_sample_above_tune_rows(small_world_db):
    con = engine.connect(small_world_db, read_only=True)
    tx = con.table("transactions")
    whole = churn.time_split_study(tx, "2025-09-30", 90, seed=0, n_folds=1)
    n = whole.extra["train_rows"] // 2
    runs = [
        churn.time_split_study(tx, "2025-09-30", 90, seed=0, n_folds=1, tune_rows=n, fit_seed=7)
        for _ in range(2)
    ]
    bt = churn.btyd_scores(tx, "2025-09-30", 90, fit_customers=500, fit_seed=3)
    bt_whole = churn.btyd_scores(tx, "2025-09-30", 90)
    con.disconnect()
    a, b = runs
    assert whole.extra["fit_note"] is None
    assert study.TUNE_SAMPLE > 23_570  # CDNOW's customers (and the default world's) stay whole
    assert a.extra["train_rows"] == whole.extra["train_rows"]  # the final models train on all
    assert a.extra["fit_note"] == (
        f"Hyper-parameters chosen on random samples of {n:,} customers per training cut-off "
        "(seed 7)."
    )
    pd.testing.assert_frame_equal(a.selection, b.selection)  # seeded
    assert not a.selection.equals(whole.selection)  # tuned on other rows
    assert bt.attrs["fit_note"].startswith("Fitted on a random sample of 500 of")
    assert bt.index.equals(bt_whole.index) and bt.notna().all().all()  # every customer scored
    assert bt_whole.attrs["fit_note"] is None
