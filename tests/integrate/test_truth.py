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


def test_scores_in_database_equal_the_pandas_scores():
    """The engine's scores are the pandas ones, exactly (integer pair sums, scikit-learn's ARI
    formula in exact integers), and a record without truth is refused as there."""
    import ibis
    import numpy as np

    rng = np.random.default_rng(0)
    n = 5000
    truth = pd.DataFrame(
        {
            "source": "m",
            "record_id": [f"r{i}" for i in range(n)],
            "person_id": rng.integers(0, 1500, n),
        }
    )
    noise = rng.integers(0, 3000, n)
    idm = truth[["source", "record_id"]].assign(
        customer_id=np.where(rng.random(n) < 0.9, truth["person_id"], noise).astype(str)
    )
    con = ibis.duckdb.connect()
    con.create_table("identity_map", idm)
    con.create_table("truth_records", truth)
    assert ig.scores_in_database(con) == ig.score_resolution(idm, truth)
    con.create_table("truth_records", truth.iloc[1:], overwrite=True)
    with pytest.raises(ValueError, match="1 resolved records have no truth row"):
        ig.scores_in_database(con)
