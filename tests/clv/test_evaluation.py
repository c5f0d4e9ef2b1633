"""Holdout evaluation table: hand-computable pieces, and BG/NBD and Pareto/NBD on CDNOW."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import cases, clv
from crm_research.clv import evaluation as clv_evaluation
from crm_research.data import cdnow


def test_prediction_errors_by_hand():
    e = clv_evaluation.prediction_errors([1.0, 2.0, 3.0], [1.0, 1.0, 2.0])
    assert e["mae"] == pytest.approx(2 / 3)  # errors 0, 1, 1
    assert e["rmse"] == pytest.approx(np.sqrt(2 / 3))
    assert e["bias"] == pytest.approx(2 / 3)
    assert e["total_error"] == pytest.approx((6 - 4) / 4)


def test_gini_by_hand():
    value = [0.0, 0.0, 0.0, 10.0]
    # all value in the top-ranked customer: curve (0,0) (.25,1) ... (1,1), area 7/8
    assert clv_evaluation.gini([1, 2, 3, 4], value) == pytest.approx(0.75)
    assert clv_evaluation.gini_normalized([1, 2, 3, 4], value) == pytest.approx(1.0)
    assert clv_evaluation.gini([4, 3, 2, 1], value) == pytest.approx(-0.75)  # worst ranking
    assert clv_evaluation.gini([5, 5, 5, 5], value) == pytest.approx(0.0)  # all tied: random
    # ties count as their average: top two tied hold 10 of 10 -> curve (0,0) (.5,1) (1,1)
    assert clv_evaluation.gini([1, 2, 9, 9], value) == pytest.approx(0.5)
    assert clv_evaluation.gini([1, 2, 3, 4], [1, 1, 1, 1]) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="positive total"):
        clv_evaluation.gini([1, 2], [0, 0])


def test_decile_table_by_hand():
    pred = pd.Series(np.arange(20, dtype=float))
    actual = pd.Series(np.arange(20, dtype=float) * 2)
    t = clv_evaluation.decile_table(pred, actual, bins=4)
    assert t["customers"].tolist() == [5, 5, 5, 5]
    assert t["predicted"].tolist() == [2, 7, 12, 17] and t["actual"].tolist() == [4, 14, 24, 34]
    assert t.loc[2, "ratio"] == pytest.approx(2.0)


@pytest.fixture(scope="module")
def cdnow_evaluation():
    sample = cases.fit_cdnow_sample()  # the papers' split and fits, as notebook 06 makes them
    raw, cal = sample.raw, sample.cal
    models = {
        "BG/NBD": (sample.bgnbd, sample.gamma_gamma),
        "Pareto/NBD": (sample.pareto, sample.gamma_gamma),
    }
    holdout = raw[(raw["date"] > cdnow.CALIBRATION_END) & (raw["date"] <= cdnow.OBSERVATION_END)]
    dollars = holdout.groupby("customer_id")["dollars"].sum()
    return cal, models, clv_evaluation.evaluate_holdout(cal, models, actual_value=dollars), dollars


def test_cdnow_holdout_table(cdnow_evaluation):
    cal, models, ev, dollars = cdnow_evaluation
    t = ev.table
    assert list(t.index) == ["BG/NBD", "Pareto/NBD"]
    assert (t["purchases_actual"] == cal["frequency_holdout"].sum()).all()
    assert t["spend_actual"].iloc[0] == pytest.approx(dollars.sum())
    # the same purchase errors as the existing customer-level table
    pred = clv.holdout_predictions(models["BG/NBD"][0], cal)
    old = clv.error_table(cal["frequency_holdout"], {"BG/NBD": pred}).loc["BG/NBD"]
    assert t.loc["BG/NBD", "purchases_mae"] == pytest.approx(old["MAE"])
    assert t.loc["BG/NBD", "purchases_rmse"] == pytest.approx(old["RMSE"])
    assert 100 * t.loc["BG/NBD", "purchases_total_error"] == pytest.approx(old["total error %"])
    rel = t["spend_predicted"] / t["spend_actual"] - 1
    np.testing.assert_allclose(rel, t["spend_total_error"])
    # both models under-predict CDNOW's holdout by 10-20% and rank customers well
    assert t["purchases_total_error"].between(-0.2, -0.05).all()
    assert t["gini"].between(0.45, 0.7).all() and (t["gini_normalized"] <= 1).all()


def test_cdnow_deciles(cdnow_evaluation):
    cal, _, ev, _ = cdnow_evaluation
    d = ev.deciles
    for model in ("BG/NBD", "Pareto/NBD"):
        dm = d.loc[model]
        assert dm["customers"].sum() == len(cal) and list(dm.index) == list(range(1, 11))
        assert dm["spend_predicted"].is_monotonic_increasing
        assert dm["spend_actual"].iloc[-1] > 5 * dm["spend_actual"].iloc[:5].mean()


def test_default_holdout_value_is_frequency_times_mean(cdnow_evaluation):
    cal, models, _, _ = cdnow_evaluation
    ev = clv_evaluation.evaluate_holdout(cal, {"BG/NBD": models["BG/NBD"]})
    value = (cal["frequency_holdout"] * cal["monetary_value_holdout"]).sum()
    assert ev.table.loc["BG/NBD", "spend_actual"] == pytest.approx(value)
