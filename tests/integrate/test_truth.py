"""Scoring against the truth: pairwise scores computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research import integrate as ig


def test_pairwise_scores_hand_computed():
    # truth: {a,b,c} {d,e}; predicted: {a,b} {c,d,e}
    truth = pd.Series([1, 1, 1, 2, 2])
    pred = pd.Series(["x", "x", "y", "y", "y"])
    s = ig.pairwise_scores(pred, truth)
    # true pairs: ab ac bc de (4); predicted: ab cd ce de (4); both: ab de (2)
    assert s["true_pairs"] == 4 and s["predicted_pairs"] == 4
    assert s["precision"] == pytest.approx(0.5) and s["recall"] == pytest.approx(0.5)
    assert s["f1"] == pytest.approx(0.5)
    perfect = ig.pairwise_scores(truth.astype(str), truth)
    assert perfect["f1"] == 1.0 and perfect["adjusted_rand_index"] == 1.0
