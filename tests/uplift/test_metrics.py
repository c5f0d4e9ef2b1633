"""Uplift ranking metrics on hand-computed examples, against brute force, and independent of row order."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_research import uplift as u

# hand-computed example: scores rank customers a..f
Y = np.array([1, 0, 1, 0, 1, 0])
T = np.array([1, 1, 0, 0, 1, 0])
S = np.array([6, 5, 4, 3, 2, 1])


def test_qini_curve_by_hand():
    q = u.qini_curve(Y, T, S)["qini"].to_numpy()
    # n=1: R_T=1, no control -> 1; n=2: 1; n=3: 1 - 1*2/1 = -1; n=4: 1 - 1*2/2 = 0;
    # n=5: 2 - 1*3/2 = 0.5; n=6: 2 - 1*3/3 = 1
    np.testing.assert_allclose(q, [0, 1, 1, -1, 0, 0.5, 1])
    # area between curve and the random line Q(N)·n/N, trapezoids over n/N
    x = np.arange(7) / 6
    assert u.qini_coefficient(Y, T, S) == pytest.approx(np.trapezoid(q - x * 1, x))


def test_uplift_curve_auuc_and_uplift_at_k_by_hand():
    c = u.uplift_curve(Y, T, S)["uplift"].to_numpy()
    # n=3: treated rate 1/2, control 1/1 -> -0.5*3; n=6: 2/3 - 1/3 -> (1/3)*6 = 2
    assert c[3] == pytest.approx(-1.5) and c[6] == pytest.approx(2.0)
    assert u.auuc(Y, T, S) == pytest.approx(np.trapezoid(c, np.arange(7) / 6))
    assert u.uplift_at_k(Y, T, S, k=0.5) == pytest.approx(
        0.5 - 1.0
    )  # top 3: a, b treated; c control
    assert np.isnan(u.uplift_at_k(Y, T, S, k=1 / 6))  # top 1 has no control


# ------------------------------------------------------------------------------------------------
# ranking metrics with tied scores: grouped thresholds, independent of row order (issue 16)

# ties: a (score 3) alone; b, c, d tied at 2; e, f tied at 1
S_TIED = np.array([3, 2, 2, 2, 1, 1])


def test_tied_scores_by_hand():
    c = u.qini_curve(Y, T, S_TIED)
    # one point per distinct score: n=1: R_T=1, no control -> 1; n=4 (a-d): 1 - 1*2/2 = 0;
    # n=6: 2 - 1*3/3 = 1
    assert c["targeted"].tolist() == [0, 1, 4, 6]
    assert c["threshold"].tolist() == [np.inf, 3, 2, 1]
    np.testing.assert_allclose(c["qini"], [0, 1, 0, 1])
    x = np.array([0, 1, 4, 6]) / 6
    assert u.qini_coefficient(Y, T, S_TIED) == pytest.approx(np.trapezoid([0, 1, 0, 1] - x, x))
    # top 3 = a plus 2 of the 3 tied b, c, d: each counts 2/3. Treated a (1), b (0) -> 1/(5/3);
    # control c (1), d (0) -> 0.5
    assert u.uplift_at_k(Y, T, S_TIED, k=0.5) == pytest.approx(0.6 - 0.5)
    assert u.uplift_at_k(Y, T, S_TIED, k=0.5, ties="include") == pytest.approx(0.5 - 0.5)
    # k·N = 2.5 rounds half up to 3 (distinct scores: a, b treated, c control)
    assert u.uplift_at_k(Y, T, S, k=5 / 12) == pytest.approx(0.5 - 1.0)
    # deciles (3 bins of 2 places): each tied group goes whole to the bin of its middle place
    dec = u.uplift_by_decile(Y, T, S_TIED, bins=3)
    assert dec["n"].tolist() == [1, 3, 2]
    assert dec.loc[2, "treated rate"] == 0 and dec.loc[2, "control rate"] == 0.5
    flat = u.uplift_by_decile(Y, T, np.zeros(6), bins=3)
    assert flat["n"].tolist() == [0, 6, 0] and flat.loc[[1, 3], "treated rate"].isna().all()


def test_normalised_qini_bounds():
    perfect = Y * (2 * T - 1)  # treated responders first, control responders last
    assert u.normalised_qini(Y, T, perfect) == pytest.approx(1.0)
    assert u.qini_coefficient(Y, T, np.zeros(6)) == pytest.approx(0.0)  # one group = random line
    assert u.normalised_qini(Y, T, np.zeros(6)) == pytest.approx(0.0)
    assert u.normalised_qini(Y, T, -perfect) < 0
    assert np.isnan(u.normalised_qini(np.zeros(6), T, S))  # no response: no perfect area


def test_metric_input_checks():
    with pytest.raises(ValueError, match="missing or infinite"):
        u.qini_curve(Y, T, np.r_[S[:-1], np.nan])
    with pytest.raises(ValueError, match="differ in length"):
        u.auuc(Y, T, S[:-1])
    with pytest.raises(ValueError, match="treated"):
        u.qini_coefficient(Y, T * 2, S)
    with pytest.raises(ValueError, match="k must be a share"):
        u.uplift_at_k(Y, T, S, k=0)
    with pytest.raises(ValueError, match="ties must be"):
        u.uplift_at_k(Y, T, S, ties="first")


def _brute_curves(y, t, s) -> tuple[list[float], list[float], list[float]]:
    """Customers targeted, Qini and uplift-curve values at 0 and at each distinct score, with the
    customers scoring at least that much counted by plain loops."""
    n_list, q_list, u_list = [0.0], [0.0], [0.0]
    for thr in sorted(set(s.tolist()), reverse=True):
        top = [i for i in range(len(s)) if s[i] >= thr]
        treated = [i for i in top if t[i] == 1]
        control = [i for i in top if t[i] == 0]
        r_t, r_c = sum(y[i] for i in treated), sum(y[i] for i in control)
        q = r_t - r_c * len(treated) / len(control) if control else r_t
        rate_t = r_t / len(treated) if treated else 0.0
        rate_c = r_c / len(control) if control else 0.0
        n_list.append(len(top))
        q_list.append(q)
        u_list.append((rate_t - rate_c) * len(top))
    return n_list, q_list, u_list


def _brute_area(n_list, values, baseline_end: float) -> float:
    """Trapezoids over the fraction targeted of (values − the line from 0 to baseline_end)."""
    big_n = n_list[-1]
    area = 0.0
    for i in range(1, len(n_list)):
        a = values[i - 1] - baseline_end * n_list[i - 1] / big_n
        b = values[i] - baseline_end * n_list[i] / big_n
        area += (n_list[i] - n_list[i - 1]) / big_n * (a + b) / 2
    return area


def _brute_uplift_at_k(y, t, s, k: float, ties: str) -> float:
    """Top n = k·N rounded half up: customers above the n-th highest score count 1; those tied
    with it count (places left)/(tied customers) with "split", 1 with "include"."""
    n = max(1, math.floor(round(k * len(s), 9) + 0.5))
    cut = sorted(s.tolist(), reverse=True)[n - 1]
    above = sum(1 for v in s if v > cut)
    tied = sum(1 for v in s if v == cut)
    at_cut = (n - above) / tied if ties == "split" else 1.0
    w = [1.0 if v > cut else at_cut if v == cut else 0.0 for v in s]
    w_t = sum(w[i] for i in range(len(s)) if t[i] == 1)
    w_c = sum(w[i] for i in range(len(s)) if t[i] == 0)
    if w_t == 0 or w_c == 0:
        return float("nan")
    return (
        sum(w[i] * y[i] for i in range(len(s)) if t[i] == 1) / w_t
        - sum(w[i] * y[i] for i in range(len(s)) if t[i] == 0) / w_c
    )


def _brute_deciles(y, t, s, bins: int) -> list[tuple[int, float, float]]:
    """Per bin: customers, treated rate, control rate; a tied group goes to the bin of its middle
    place ((customers above + half the group) / N · bins)."""
    big_n = len(s)
    rows = []
    for b in range(bins):
        members = []
        for i in range(big_n):
            above, tied = sum(1 for v in s if v > s[i]), sum(1 for v in s if v == s[i])
            if min(math.floor((above + tied / 2) * bins / big_n), bins - 1) == b:
                members.append(i)
        tr = [y[i] for i in members if t[i] == 1]
        co = [y[i] for i in members if t[i] == 0]
        rows.append((len(members), np.mean(tr) if tr else np.nan, np.mean(co) if co else np.nan))
    return rows


@st.composite
def tied_campaigns(draw):
    """Small randomised campaigns scored with few distinct values (many ties), and a shuffle."""
    n = draw(st.integers(1, 40))
    levels = draw(st.integers(1, 5))
    y = np.array(draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n)))
    t = np.array(draw(st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n)))
    s = np.array(draw(st.lists(st.integers(0, levels - 1), min_size=n, max_size=n))) * 0.1
    perm = np.array(draw(st.permutations(range(n))), dtype=int)
    return y, t, s, perm


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tied_campaigns(), st.floats(0.01, 1.0), st.sampled_from(["split", "include"]))
def test_ranking_metrics_match_brute_force_and_ignore_row_order(data, k, ties):
    y, t, s, perm = data
    n_list, q_list, u_list = _brute_curves(y, t, s)
    qc, uc = u.qini_curve(y, t, s), u.uplift_curve(y, t, s)
    np.testing.assert_array_equal(qc["targeted"], n_list)
    np.testing.assert_allclose(qc["qini"], q_list, atol=1e-12)
    np.testing.assert_allclose(uc["uplift"], u_list, atol=1e-12)
    assert u.qini_coefficient(y, t, s) == pytest.approx(
        _brute_area(n_list, q_list, q_list[-1]), abs=1e-12
    )
    assert u.auuc(y, t, s) == pytest.approx(_brute_area(n_list, u_list, 0.0), abs=1e-12)
    pn, pq, _ = _brute_curves(y, t, y * (2 * t - 1))
    perfect = _brute_area(pn, pq, pq[-1])
    if abs(perfect) > 1e-9:
        assert u.normalised_qini(y, t, s) == pytest.approx(
            _brute_area(n_list, q_list, q_list[-1]) / perfect
        )
    np.testing.assert_allclose(
        u.uplift_at_k(y, t, s, k, ties=ties), _brute_uplift_at_k(y, t, s, k, ties)
    )
    dec = u.uplift_by_decile(y, t, s, bins=4)
    np.testing.assert_allclose(
        dec[["n", "treated rate", "control rate"]].to_numpy(), _brute_deciles(y, t, s, 4)
    )
    # the shuffled rows give the same results, to the last bit
    ys, ts, ss = y[perm], t[perm], s[perm]
    pd.testing.assert_frame_equal(u.qini_curve(ys, ts, ss), qc, check_exact=True)
    pd.testing.assert_frame_equal(u.uplift_curve(ys, ts, ss), uc, check_exact=True)
    pd.testing.assert_frame_equal(u.uplift_by_decile(ys, ts, ss, bins=4), dec, check_exact=True)
    for f in (u.qini_coefficient, u.auuc, u.normalised_qini):
        np.testing.assert_array_equal(f(ys, ts, ss), f(y, t, s))
    np.testing.assert_array_equal(
        u.uplift_at_k(ys, ts, ss, k, ties=ties), u.uplift_at_k(y, t, s, k, ties=ties)
    )


def test_hillstrom_tied_score_metrics_do_not_depend_on_row_order(hillstrom):
    """Months since the last purchase (12 distinct values on 42,613 customers) as the score: the
    rows forward, reversed and shuffled give identical metrics."""
    d = hillstrom[hillstrom["treatment"].isin(["mens", "control"])]
    y, t = d["visit"].to_numpy(float), (d["treatment"] == "mens").to_numpy(float)
    s = d["recency"].to_numpy(float)
    orders = [np.arange(len(d))[::-1], np.random.default_rng(0).permutation(len(d))]
    metrics = (u.qini_coefficient, u.normalised_qini, u.auuc, u.uplift_at_k)
    first = [f(y, t, s) for f in metrics]
    for o in orders[1:]:
        assert [f(y[o], t[o], s[o]) for f in metrics] == first
        pd.testing.assert_frame_equal(
            u.uplift_by_decile(y[o], t[o], s[o]), u.uplift_by_decile(y, t, s), check_exact=True
        )
    assert len(u.qini_curve(y, t, s)) == 1 + 12
