"""Transaction summaries (vs lifetimes and hand-computed cases), RFM scores and segments."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_research import rfm
from crm_research.data import cdnow


@pytest.fixture(scope="module")
def cdnow_sample():
    return cdnow.load_cdnow_sample()


def lifetimes_summary(df, **kw):
    from lifetimes.utils import summary_data_from_transaction_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return summary_data_from_transaction_data(df, "customer_id", "date", **kw)


@pytest.mark.parametrize("freq,mult", [("D", 1), ("D", 7), ("W", 1)])
@pytest.mark.parametrize("monetary", [None, "dollars"])
def test_summary_equals_lifetimes_on_cdnow(cdnow_sample, freq, mult, monetary):
    ours = rfm.btyd_summary(
        cdnow_sample,
        datetime_col="date",
        monetary_col=monetary,
        observation_end="1998-06-30",
        freq=freq,
        freq_multiplier=mult,
    )
    theirs = lifetimes_summary(
        cdnow_sample,
        monetary_value_col=monetary,
        observation_period_end="1998-06-30",
        freq=freq,
        freq_multiplier=mult,
    )
    theirs = theirs.sort_index()
    assert list(ours.index) == list(theirs.index)
    for c in ours.columns:
        np.testing.assert_allclose(
            ours[c].to_numpy(), theirs[c].to_numpy(dtype=float), rtol=1e-12, err_msg=c
        )


def test_calibration_holdout_equals_lifetimes_and_shipped_summary(cdnow_sample):
    from lifetimes.utils import calibration_and_holdout_data

    ours = rfm.calibration_holdout(
        cdnow_sample,
        datetime_col="date",
        monetary_col="dollars",
        calibration_end=cdnow.CALIBRATION_END,
        observation_end=cdnow.OBSERVATION_END,
        freq="D",
        freq_multiplier=7,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = calibration_and_holdout_data(
            cdnow_sample,
            "customer_id",
            "date",
            calibration_period_end=cdnow.CALIBRATION_END,
            observation_period_end=cdnow.OBSERVATION_END,
            freq="D",
            freq_multiplier=7,
            monetary_value_col="dollars",
        ).sort_index()
    for c in ours.columns:
        np.testing.assert_allclose(
            ours[c].to_numpy(), theirs[c].to_numpy(dtype=float), rtol=1e-12, err_msg=c
        )
    shipped = cdnow.load_shipped_summary()  # 2,357 customers, weeks, 2 decimals
    assert len(ours) == len(shipped) == 2357
    assert (ours["frequency_cal"].to_numpy() == shipped["frequency"].to_numpy()).all()
    assert np.abs(ours["recency_cal"].to_numpy() - shipped["recency"].to_numpy()).max() < 0.005
    assert np.abs(ours["T_cal"].to_numpy() - shipped["T"].to_numpy()).max() < 0.005


def log(*rows):
    return pd.DataFrame(rows, columns=["customer_id", "ordered_at", "amount"]).assign(
        ordered_at=lambda d: pd.to_datetime(d["ordered_at"], format="ISO8601")
    )


def test_hand_computed_summary():
    tx = log(
        ("a", "2024-01-01 09:00", 10.0),
        ("a", "2024-01-01 18:00", 5.0),  # same day: combined with the first purchase
        ("a", "2024-01-11 10:00", 20.0),
        ("a", "2024-01-21 10:00", 40.0),
        ("b", "2024-01-05 10:00", 7.0),  # one purchase only
        ("c", "2024-02-05 10:00", 9.0),  # after the observation end: ignored entirely
        ("a", "2024-02-01 10:00", 99.0),  # after the observation end: ignored
    )
    s = rfm.btyd_summary(tx, monetary_col="amount", observation_end="2024-01-31")
    assert list(s.index) == ["a", "b"]
    assert s.loc["a"].to_dict() == {
        "frequency": 2.0,
        "recency": 20.0,
        "T": 30.0,
        "monetary_value": 30.0,
    }
    assert s.loc["b"].to_dict() == {
        "frequency": 0.0,
        "recency": 0.0,
        "T": 26.0,
        "monetary_value": 0.0,
    }
    w = rfm.btyd_summary(tx, monetary_col="amount", observation_end="2024-01-31", freq="W")
    # weeks run Monday-Sunday (2024-01-01 is a Monday). As in lifetimes, truncation is by period:
    # the whole week of the observation end (to Sunday 2024-02-04) counts, so Thursday 02-01 does
    assert w.loc["a"].to_dict() == {
        "frequency": 3.0,
        "recency": 4.0,
        "T": 4.0,
        "monetary_value": 53.0,
    }


def test_hand_computed_calibration_holdout():
    tx = log(
        ("a", "2024-01-01", 10.0),
        ("a", "2024-01-10", 20.0),
        ("a", "2024-02-03", 30.0),  # holdout
        ("a", "2024-02-03", 10.0),  # holdout, same day: one period, two transactions
        ("a", "2024-02-20", 50.0),  # holdout
        ("b", "2024-01-20", 5.0),  # no holdout purchase
        ("c", "2024-02-10", 8.0),  # born after the calibration end: not in the table
        ("a", "2024-04-01", 1.0),  # after the observation end
    )
    s = rfm.calibration_holdout(
        tx, monetary_col="amount", calibration_end="2024-01-31", observation_end="2024-02-29"
    )
    assert list(s.index) == ["a", "b"]
    a, b = s.loc["a"], s.loc["b"]
    assert (a["frequency_cal"], a["recency_cal"], a["T_cal"], a["monetary_value_cal"]) == (
        1,
        9,
        30,
        20,
    )
    assert (a["frequency_holdout"], a["monetary_value_holdout"]) == (2, 30.0)
    assert (b["frequency_holdout"], b["monetary_value_holdout"]) == (0, 0)
    assert (s["duration_holdout"] == 29).all()
    with pytest.raises(ValueError, match="after calibration_end"):
        rfm.calibration_holdout(tx, calibration_end="2024-01-31", observation_end="2024-01-01")


def test_unknown_freq_refused():
    with pytest.raises(ValueError, match="freq must be one of"):
        rfm.btyd_summary(log(("a", "2024-01-01", 1.0)), observation_end="2024-01-02", freq="M")


day_offsets = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 120), st.integers(1, 500)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=40, deadline=None)
@given(day_offsets, st.sampled_from(["D", "W"]))
def test_property_invariants(rows, freq):
    tx = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    tx["ordered_at"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(tx["day"], unit="D")
    end = pd.Timestamp("2024-03-31")
    s = rfm.btyd_summary(tx, monetary_col="amount", observation_end=end, freq=freq)
    assert (s["recency"] >= 0).all() and (s["recency"] <= s["T"]).all()
    inside = tx[tx["ordered_at"] <= end].copy()
    key = inside["ordered_at"].dt.to_period("W" if freq == "W" else "D")
    periods = inside.assign(p=key).groupby("customer_id")["p"].nunique()
    assert (s["frequency"].to_numpy() <= periods.reindex(s.index).to_numpy() - 1).all()
    # totals preserved: first-period spend + repeats x mean repeat spend = all spend in the window
    tmp = inside.assign(p=key)
    tmp["first_p"] = tmp.groupby("customer_id")["p"].transform("min")
    first_spend = tmp[tmp["p"] == tmp["first_p"]].groupby("customer_id")["amount"].sum()
    total = inside.groupby("customer_id")["amount"].sum()
    rebuilt = first_spend.reindex(s.index) + s["frequency"] * s["monetary_value"]
    np.testing.assert_allclose(rebuilt.to_numpy(), total.reindex(s.index).to_numpy(), rtol=1e-9)


# ------------------------------------------------------------------------------------------------


def test_rfm_table_counts_first_purchase_and_days_since_last():
    tx = log(
        ("a", "2024-01-01 10:00", 10.0),
        ("a", "2024-01-21 23:00", 5.0),
        ("b", "2024-01-30", 1.0),
        ("a", "2024-03-01", 9.0),
    )
    t = rfm.rfm_table(tx, monetary_col="amount", analysis_date="2024-01-31")
    assert t.loc["a", ["recency_days", "frequency", "monetary"]].tolist() == [10, 2, 15.0]
    assert t.loc["b", ["recency_days", "frequency", "monetary"]].tolist() == [1, 1, 1.0]


def test_quintile_score_tie_rule_independent_of_row_order():
    x = pd.Series([1, 1, 1, 1, 2, 3, 5, 8, 13, 21], index=list("abcdefghij"))
    s = rfm.quintile_score(x)
    shuffled = rfm.quintile_score(x.sample(frac=1, random_state=3)).reindex(x.index)
    assert s.equals(shuffled)
    assert s[["a", "b", "c", "d"]].nunique() == 1  # ties share a score
    assert s["j"] == 5 and s.is_monotonic_increasing
    r = rfm.quintile_score(pd.Series([1, 2, 3, 4, 5]), higher_is_better=False)
    assert r.tolist() == [5, 4, 3, 2, 1]


def test_cran_segments_first_match_wins():
    scored = pd.DataFrame(
        {"R": [5, 4, 3, 1, 2, 3], "F": [5, 1, 1, 5, 1, 5], "M": [5, 1, 1, 5, 1, 1]}
    )
    got = rfm.name_segments(scored, rfm.CRAN_RFM_SEGMENTS).tolist()
    # (5,5,5) Champions; (4,1,1) Potential Loyalist precedes New Customers in the table;
    # (1,5,5) At Risk precedes Can't Lose Them; (3,5,1) matches no row
    assert got == [
        "Champions",
        "Potential Loyalist",
        "Potential Loyalist",
        "At Risk",
        "About To Sleep",
        "Others",
    ]


def test_rf_grid_partitions_all_cells():
    grid = pd.DataFrame(
        [(r, f, 1) for r in range(1, 6) for f in range(1, 6)], columns=["R", "F", "M"]
    )
    names = rfm.name_segments(grid, rfm.RF_GRID_SEGMENTS)
    assert (names != "Others").all()
    counts = names.value_counts()
    assert counts["Hibernating"] == 4 and counts["Champions"] == 2 and counts["New"] == 1
    assert counts.sum() == 25


def test_concentration_and_lorenz():
    v = pd.Series([50.0, 20, 10, 10, 5, 5, 0, 0, 0, 0])
    c = rfm.concentration(v, shares=(0.1, 0.2, 0.5))
    assert c.tolist() == pytest.approx([0.5, 0.7, 0.95])
    lc = rfm.lorenz_curve(v)
    assert lc["value_share"].iloc[-1] == pytest.approx(1.0) and lc["value_share"].iloc[1] == 0.5
    assert rfm.lorenz_curve(pd.Series([1.0] * 10)).attrs["gini"] == pytest.approx(0.0)
    assert rfm.lorenz_curve(pd.Series([0.0] * 9 + [1.0])).attrs["gini"] == pytest.approx(0.9)


def test_segment_table_with_and_without_amounts():
    tx = log(
        ("a", "2024-01-01 09:00", 10.0),
        ("a", "2024-01-20 09:00", 30.0),
        ("b", "2024-01-05 10:00", 7.0),
        ("c", "2024-01-30 10:00", 90.0),
        ("c", "2024-02-05 10:00", 9.0),  # after the analysis date: ignored
    )
    rt = rfm.segment_table(tx, analysis_date="2024-01-31")
    assert list(rt.index) == ["a", "b", "c"] and rt["monetary"].tolist() == [40.0, 7.0, 90.0]
    assert {"R", "F", "M", "segment", "RF grid segment"} <= set(rt.columns)
    assert rt["rfm_score"].str.len().eq(3).all() and rt.attrs["segment_rules"].startswith("CRAN")
    expected = rfm.name_segments(rfm.rfm_scores(rfm.rfm_table(tx, analysis_date="2024-01-31")))
    assert rt["segment"].tolist() == expected.tolist()
    bare = rfm.segment_table(tx, analysis_date="2024-01-31", monetary_col=None)
    assert "monetary" not in bare.columns and "M" not in bare.columns
    assert bare["rfm_score"].str.len().eq(2).all()
    assert bare["segment"].tolist() == bare["RF grid segment"].tolist()
    assert bare[["R", "F"]].equals(rt[["R", "F"]])


def test_segment_profile_shares():
    rt = pd.DataFrame(
        {
            "segment": ["x", "x", "y"],
            "recency_days": [1, 3, 10],
            "frequency": [2, 4, 1],
            "monetary": [20.0, 60.0, 20.0],
        }
    )
    prof = rfm.segment_profile(rt)
    assert list(prof.index) == ["x", "y"] and prof.loc["x", "customers"] == 2
    assert prof.loc["x", "share of revenue"] == pytest.approx(0.8)
    assert prof.loc["x", "mean recency_days"] == 2 and prof["share of customers"].sum() == 1
    assert "share of revenue" not in rfm.segment_profile(rt.drop(columns="monetary")).columns
