"""Uplift ranking metrics on held-out randomised data: Qini and uplift curves, Qini coefficient
(raw and normalised), AUUC, uplift at k and by decile.

Customers with equal scores are ranked together (one curve point per distinct score, as
scikit-uplift and scikit-learn's ROC curve), so no metric depends on the order of the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _ranked(y, t, score) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``y``, ``t`` (0/1) and ``score`` as float arrays sorted by descending score, and ``ends``:
    for each distinct score (highest first) the number of customers scoring at least that much.
    Within a tied group rows are sorted by outcome and arm, so every sum over the sorted rows is
    the same, to the last bit, whatever the input row order."""
    y, t, s = (np.asarray(a, dtype=float).ravel() for a in (y, t, score))
    if not len(y) == len(t) == len(s):
        raise ValueError(f"y, t and score differ in length: {len(y)}, {len(t)}, {len(s)}")
    if len(s) == 0:
        raise ValueError("no customers to evaluate")
    if not np.isfinite(s).all():
        raise ValueError("score has missing or infinite values")
    if not np.isin(t, (0.0, 1.0)).all():
        raise ValueError("t must be 1 (treated) or 0 (control)")
    order = np.lexsort((t, y, -s))
    y, t, s = y[order], t[order], s[order]
    ends = np.r_[np.flatnonzero(np.diff(s)) + 1, len(s)]
    return y, t, s, ends


def _at_thresholds(y, t, score) -> dict[str, np.ndarray]:
    """Cumulative sums at 0 targeted and at each distinct score threshold (highest first):
    ``n`` customers, ``n_t`` treated, ``n_c`` controls, ``r_t`` / ``r_c`` responses (sum of
    ``y``) of treated / controls, and ``threshold`` (the lowest score targeted; +inf at 0)."""
    y, t, s, ends = _ranked(y, t, score)
    last = ends - 1
    n_t = np.r_[0.0, np.cumsum(t)[last]]
    n = np.r_[0, ends]
    return {
        "n": n,
        "n_t": n_t,
        "n_c": n - n_t,
        "r_t": np.r_[0.0, np.cumsum(y * t)[last]],
        "r_c": np.r_[0.0, np.cumsum(y * (1 - t))[last]],
        "threshold": np.r_[np.inf, s[last]],
    }


def _ratio(a: np.ndarray, b: np.ndarray, empty: float = 0.0) -> np.ndarray:
    """a / b elementwise, ``empty`` where b = 0."""
    return np.divide(a, b, out=np.full(np.shape(a), empty, dtype=float), where=b != 0)


def qini_curve(y, t, score) -> pd.DataFrame:
    """Qini curve with one point per distinct score: customers with equal scores are targeted
    together (as in scikit-uplift's ``qini_curve`` and scikit-learn's ROC curve), so the curve
    does not depend on row order. Rows from 0 targeted; columns ``targeted`` (customers with a
    score ≥ ``threshold``, which is +inf on the first row), ``qini`` = incremental responses
    among them Q(n) = R_T − R_C·N_T/N_C (R_T while no control is reached) and ``random`` =
    Q(N)·n/N, the random-targeting line. Between points the curve is a straight line."""
    c = _at_thresholds(y, t, score)
    q = c["r_t"] - c["r_c"] * _ratio(c["n_t"], c["n_c"])
    n = c["n"]
    return pd.DataFrame(
        {"targeted": n, "threshold": c["threshold"], "qini": q, "random": q[-1] * n / n[-1]}
    )


def perfect_qini_curve(y, t, *, negative_effect: bool = True) -> pd.DataFrame:
    """Qini curve of the perfect model, as scikit-uplift's ``perfect_qini_curve`` (binary
    ``y``). ``negative_effect=True``: treated responders first, then all non-responders, then
    control responders (the Qini curve of the score y·(2t − 1)). ``negative_effect=False``: every
    incremental response bought with one contact, Q(N) customers, then flat (``targeted`` is then
    Q(N), clipped to 0..N, and ``threshold`` is NaN). Columns as :func:`qini_curve`."""
    y, t = np.asarray(y, dtype=float), np.asarray(t, dtype=float)
    if negative_effect:
        return qini_curve(y, t, y * (2 * t - 1))
    c = qini_curve(y, t, np.zeros(len(y)))
    big_n, q_n = float(c["targeted"].iloc[-1]), float(c["qini"].iloc[-1])
    x = np.array([0.0, min(max(q_n, 0.0), big_n), big_n])
    q = np.array([0.0, q_n, q_n])
    return pd.DataFrame({"targeted": x, "threshold": np.nan, "qini": q, "random": q_n * x / big_n})


def _area_over_random(c: pd.DataFrame) -> float:
    """Area between a Qini curve and its random line over the fraction targeted (trapezoids)."""
    x = c["targeted"] / c["targeted"].iloc[-1]
    return float(np.trapezoid(c["qini"] - c["random"], x))


def qini_coefficient(y, t, score) -> float:
    """Area between the Qini curve and the random line over the fraction targeted (trapezoids
    between the distinct-score points of :func:`qini_curve`), in incremental responses. Positive:
    better than random. Independent of row order; see :func:`normalised_qini` for a share of the
    perfect model's area, comparable across data sets."""
    return _area_over_random(qini_curve(y, t, score))


def normalised_qini(y, t, score, *, negative_effect: bool = True) -> float:
    """Qini coefficient as a share of the perfect model's (:func:`perfect_qini_curve`): 1 for
    the perfect ranking, about 0 for random, negative when worse than random. scikit-uplift's
    ``qini_auc_score(y, score, t, negative_effect)``. NaN when the perfect model's area is 0."""
    perfect = _area_over_random(perfect_qini_curve(y, t, negative_effect=negative_effect))
    if perfect == 0:
        return float("nan")
    return qini_coefficient(y, t, score) / perfect


def uplift_curve(y, t, score) -> pd.DataFrame:
    """Uplift curve with one point per distinct score (ties grouped as in :func:`qini_curve`):
    for the customers with a score ≥ ``threshold``, (response rate treated − response rate
    control) · ``targeted``, a rate taken as 0 while its group is empty. Rows from 0 targeted;
    columns ``targeted``, ``threshold``, ``uplift`` (responses)."""
    c = _at_thresholds(y, t, score)
    u = (_ratio(c["r_t"], c["n_t"]) - _ratio(c["r_c"], c["n_c"])) * c["n"]
    return pd.DataFrame({"targeted": c["n"], "threshold": c["threshold"], "uplift": u})


def auuc(y, t, score) -> float:
    """Area under the uplift curve over the fraction targeted (trapezoids between the
    distinct-score points of :func:`uplift_curve`), in responses. Independent of row order."""
    c = uplift_curve(y, t, score)
    return float(np.trapezoid(c["uplift"], c["targeted"] / c["targeted"].iloc[-1]))


def uplift_at_k(y, t, score, k: float = 0.3, *, ties: str = "split") -> float:
    """Observed uplift (response rate treated − control) among the top ``k`` share by score.

    The top holds n = k·N customers rounded half up (at least 1). The tied group at the cut is
    handled without regard to row order: ``ties="split"`` (default) counts each of its customers
    with weight (places left in the top) / (group size), so exactly n customers are counted;
    ``ties="include"`` counts the whole group, so more than n may be. Rates are weighted means
    per arm; NaN when an arm has no customer in the top."""
    if not 0 < k <= 1:
        raise ValueError(f"k must be a share in (0, 1], got {k}")
    if ties not in ("split", "include"):
        raise ValueError(f'ties must be "split" or "include", got {ties!r}')
    y, t, _, ends = _ranked(y, t, score)
    n = max(1, int(np.floor(round(k * len(y), 9) + 0.5)))
    starts = np.r_[0, ends[:-1]]
    if ties == "split":
        w_group = np.clip((n - starts) / (ends - starts), 0.0, 1.0)
    else:
        w_group = (starts < n).astype(float)
    w = np.repeat(w_group, ends - starts)
    w_t, w_c = np.sum(w * t), np.sum(w * (1 - t))
    if w_t == 0 or w_c == 0:
        return float("nan")
    return float(np.sum(w * t * y) / w_t - np.sum(w * (1 - t) * y) / w_c)


def uplift_by_decile(y, t, score, bins: int = 10) -> pd.DataFrame:
    """Per decile of predicted uplift (``bins`` bins of N/``bins`` places by descending score,
    1 = highest): mean predicted uplift, response rates by arm, customers ``n`` and observed
    uplift (treated rate − control rate). A tied group is never split: it goes whole to the bin
    holding its middle place, so bins can differ in size and, when one score covers more than
    N/``bins`` customers, some are empty (n = 0, NaN means). Independent of row order."""
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    y, t, s, ends = _ranked(y, t, score)
    starts = np.r_[0, ends[:-1]]
    group_bin = np.minimum((starts + ends) / 2 * bins // len(y), bins - 1).astype(int)
    b = np.repeat(group_bin, ends - starts)

    def total(w: np.ndarray) -> np.ndarray:
        return np.bincount(b, weights=w, minlength=bins)

    n, n_t = np.bincount(b, minlength=bins), total(t)
    out = pd.DataFrame(
        {
            "predicted uplift": _ratio(total(s), n, np.nan),
            "treated rate": _ratio(total(y * t), n_t, np.nan),
            "control rate": _ratio(total(y * (1 - t)), n - n_t, np.nan),
            "n": n,
        },
        index=pd.RangeIndex(1, bins + 1, name="decile"),
    )
    out["observed uplift"] = out["treated rate"] - out["control rate"]
    return out
