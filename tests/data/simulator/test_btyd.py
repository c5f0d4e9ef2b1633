"""Exact BTYD cohorts: determinism, parameter checks, truth consistent with the summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research.data.simulator import (
    simulate_btyd_cohort,
    simulate_btyd_future,
    simulate_btyd_summary,
)

BGNBD = {"r": 0.24, "alpha": 4.4, "a": 0.79, "b": 2.4}
SPEND = {"p": 6.0, "q": 4.0, "gamma": 15.0}


def test_same_seed_same_cohort():
    a = simulate_btyd_cohort(2_000, "bgnbd", BGNBD, spend=SPEND, seed=3)
    b = simulate_btyd_cohort(2_000, "bgnbd", BGNBD, spend=SPEND, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == [
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "true_rate",
        "true_dropout",
        "true_alive",
    ]
    assert (a["recency"] <= a["T"]).all() and (a.loc[a["frequency"] == 0, "recency"] == 0).all()


@pytest.mark.parametrize(
    "params,spend,missing",
    [
        ({"r": 1, "alpha": 1, "a": 1}, None, "['b']"),
        ({"r": 1, "alpha": 1, "a": 1}, {"p": 1}, "['b']"),  # model parameters are named first
        (BGNBD, {"p": 1, "q": 2}, "['gamma']"),
    ],
)
def test_missing_parameters_are_named(params, spend, missing):
    with pytest.raises(ValueError, match=f"missing parameters: {missing}".replace("[", r"\[")):
        simulate_btyd_cohort(10, "bgnbd", params, spend=spend)


def test_dead_customers_buy_nothing_in_the_holdout():
    cohort = simulate_btyd_cohort(2_000, "pareto", {"r": 0.5, "alpha": 10, "s": 0.6, "beta": 12})
    future = simulate_btyd_future(cohort, "pareto", 39, seed=1)
    assert (future[~cohort["true_alive"]] == 0).all() and future.sum() > 0


def test_summary_counts_repeat_purchases_only():
    s = simulate_btyd_summary(500, r=0.5, alpha=10, a=1, b=3, T=300, seed=8)
    assert (s["T"] == 300).all() and np.all(s["recency"] <= 300)
    assert (s.loc[s["frequency"] == 0, "recency"] == 0).all()
