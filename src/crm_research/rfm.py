"""Transaction summaries, RFM scoring and named segments, and the profit-contribution view.

Two different summaries, never to be mixed (a classic error):

* **Buy-till-you-die (BTYD) summary** (:func:`btyd_summary`, :func:`calibration_holdout`), the
  input of BG/NBD, Pareto/NBD and Gamma-Gamma: purchases in the same period are combined; the
  first period is the customer's birth and is *not* counted: ``frequency`` = number of *repeat*
  purchase periods, ``recency`` = age at the last purchase (last − first period), ``T`` = age at
  the end of observation (end − first period), ``monetary_value`` = mean value of the repeat
  periods (0 without repeats). Same definitions as ``lifetimes.utils`` (which breaks on pandas 3),
  written as Ibis expressions so that 10 million rows summarise in seconds on DuckDB.
* **Segmentation RFM** (:func:`rfm_table`): ``recency_days`` = days since the last purchase at the
  analysis date (smaller is better), ``frequency`` = number of purchases *including the first*,
  ``monetary`` = total spend. Scored 1–5 by :func:`rfm_scores` and named by :func:`name_segments`.

Periods: ``freq="D"`` (calendar days) or ``"W"`` (weeks Monday–Sunday, as pandas' ``W`` periods);
``freq_multiplier`` divides the period counts (``freq="D", freq_multiplier=7`` gives weeks in
days/7, the unit of the published CDNOW analyses).
"""

from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pandas as pd

FREQS = ("D", "W")
_MONDAY_EPOCH_DAY = 4  # 1970-01-05, a Monday, is epoch day 4


def as_ibis_table(transactions, con=None):
    """An Ibis table from a pandas frame, a Parquet/CSV path or an Ibis table."""
    if isinstance(transactions, ibis.expr.types.Table):
        return transactions
    if isinstance(transactions, (str, Path)):
        con = con or ibis.duckdb.connect()
        p = str(transactions)
        return con.read_parquet(p) if p.endswith(".parquet") else con.read_csv(p)
    return ibis.memtable(transactions)


def _period(ts, freq: str):
    """Integer period index of a timestamp column: epoch days, or Monday-based weeks."""
    days = ts.cast("timestamp").date().epoch_days()
    if freq == "D":
        return days
    return ((days - _MONDAY_EPOCH_DAY) / 7).floor().cast("int64")


def _period_of(ts: pd.Timestamp, freq: str) -> int:
    days = (pd.Timestamp(ts).normalize() - pd.Timestamp("1970-01-01")).days
    return days if freq == "D" else (days - _MONDAY_EPOCH_DAY) // 7


def _check_freq(freq: str) -> None:
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {FREQS}, got {freq!r}")


def btyd_summary_expr(
    transactions,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    monetary_col: str | None = None,
    observation_end: str | pd.Timestamp,
    freq: str = "D",
    freq_multiplier: float = 1,
    con=None,
):
    """The BTYD summary as an Ibis expression (see :func:`btyd_summary`)."""
    _check_freq(freq)
    t = as_ibis_table(transactions, con)
    end_p = _period_of(observation_end, freq)
    if freq == "D":
        # group on the date itself (a cast per row) and number the days per customer only after
        # aggregating: 1.25x faster on 10M rows than computing epoch days on every row
        end_d = ibis.literal(pd.Timestamp(observation_end).date(), type="date")
        t = t.mutate(_p=t[datetime_col].cast("timestamp").date())
        t = t.filter(t._p <= end_d)
    else:
        t = t.mutate(_p=_period(t[datetime_col], freq))
        t = t.filter(t._p <= end_p)
    if monetary_col:
        per = t.group_by([customer_col, "_p"]).aggregate(_v=t[monetary_col].cast("float64").sum())
    else:
        per = t.select(customer_col, "_p").distinct()
    agg = {"_first": per._p.min(), "_last": per._p.max(), "_n": per.count()}
    if monetary_col:
        agg |= {"_total": per._v.sum(), "_first_v": per._v.argmin(per._p)}
    c = per.group_by(customer_col).aggregate(**agg)
    if freq == "D":
        c = c.mutate(_first=c._first.epoch_days(), _last=c._last.epoch_days())
    out = {
        customer_col: c[customer_col],
        "frequency": (c._n - 1).cast("float64"),
        "recency": (c._last - c._first).cast("float64") / freq_multiplier,
        "T": (ibis.literal(end_p) - c._first).cast("float64") / freq_multiplier,
    }
    if monetary_col:
        out["monetary_value"] = ibis.ifelse(
            c._n > 1, (c._total - c._first_v) / (c._n - 1).cast("float64"), 0.0
        )
    return c.select(**out)


def btyd_summary(
    transactions,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    monetary_col: str | None = None,
    observation_end: str | pd.Timestamp,
    freq: str = "D",
    freq_multiplier: float = 1,
    con=None,
) -> pd.DataFrame:
    """Per-customer BTYD summary, indexed by customer, sorted.

    ``transactions``: pandas frame, Ibis table or Parquet path with one row per purchase.
    Purchases in periods after ``observation_end``'s period are ignored. Columns: ``frequency``
    (repeat purchase periods), ``recency`` and ``T`` (periods / ``freq_multiplier``), and with
    ``monetary_col`` ``monetary_value`` (mean value of repeat periods, in the column's unit).
    """
    expr = btyd_summary_expr(
        transactions,
        customer_col=customer_col,
        datetime_col=datetime_col,
        monetary_col=monetary_col,
        observation_end=observation_end,
        freq=freq,
        freq_multiplier=freq_multiplier,
        con=con,
    )
    return _sorted_frame(expr, customer_col)


def _sorted_frame(expr, key: str) -> pd.DataFrame:
    """An Ibis expression's rows as a pandas frame indexed by ``key``, sorted by the engine
    (``ORDER BY``) and converted through Arrow: cheaper than sorting and converting in pandas,
    which made the summary about 1.2x slower than the same query written by hand."""
    return expr.order_by(key).to_pyarrow().to_pandas().set_index(key)


def calibration_holdout(
    transactions,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    monetary_col: str | None = None,
    calibration_end: str | pd.Timestamp,
    observation_end: str | pd.Timestamp,
    freq: str = "D",
    freq_multiplier: float = 1,
    con=None,
) -> pd.DataFrame:
    """Calibration features and holdout outcomes per customer (replaces lifetimes'
    ``calibration_and_holdout_data``, which fails on pandas 3).

    Calibration: :func:`btyd_summary` of purchases up to ``calibration_end`` (columns suffixed
    ``_cal``); only customers born by then appear. Holdout (``calibration_end`` <
    time ≤ ``observation_end``): ``frequency_holdout`` = number of periods with a purchase,
    ``monetary_value_holdout`` = mean purchase value (per transaction, as lifetimes defines it),
    ``duration_holdout`` = holdout length in periods / ``freq_multiplier``. Customers without
    holdout purchases get 0.
    """
    _check_freq(freq)
    cal_end, obs_end = pd.Timestamp(calibration_end), pd.Timestamp(observation_end)
    if obs_end <= cal_end:
        raise ValueError("observation_end must be after calibration_end")
    t = as_ibis_table(transactions, con)
    ts = t[datetime_col].cast("timestamp")
    cal = btyd_summary_expr(
        t.filter(ts <= cal_end),
        customer_col=customer_col,
        datetime_col=datetime_col,
        monetary_col=monetary_col,
        observation_end=cal_end,
        freq=freq,
        freq_multiplier=freq_multiplier,
    )
    cal = cal.rename({f"{c}_cal": c for c in cal.columns if c != customer_col})
    h = t.filter((ts > cal_end) & (ts <= obs_end))
    h = h.mutate(_p=_period(h[datetime_col], freq))
    hagg = {"frequency_holdout": h._p.nunique().cast("float64")}
    if monetary_col:
        hagg["monetary_value_holdout"] = h[monetary_col].cast("float64").mean()
    hold = h.group_by(customer_col).aggregate(**hagg)
    out = cal.left_join(hold, customer_col).drop(f"{customer_col}_right")
    out = out.mutate(**{c: out[c].fill_null(0.0) for c in hagg})
    df = _sorted_frame(out, customer_col)
    df["duration_holdout"] = (
        _period_of(obs_end, freq) - _period_of(cal_end, freq)
    ) / freq_multiplier
    return df


# ------------------------------------------------------------------------------------------------
# segmentation RFM


def rfm_table(
    transactions,
    *,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    monetary_col: str | None = "amount",
    analysis_date: str | pd.Timestamp,
    con=None,
) -> pd.DataFrame:
    """Segmentation RFM per customer at ``analysis_date`` (purchases after it are ignored).

    Columns: ``recency_days`` (whole days from the last purchase to the analysis date),
    ``frequency`` (purchases, the first included), ``monetary`` (total spend; absent when
    ``monetary_col`` is None, for data without amounts), ``first_purchase``, ``last_purchase``.
    """
    t = as_ibis_table(transactions, con)
    day = pd.Timestamp(analysis_date)
    t = t.filter(t[datetime_col].cast("timestamp") <= day)
    d = t[datetime_col].cast("timestamp").date().epoch_days()
    money = {"monetary": t[monetary_col].cast("float64").sum()} if monetary_col else {}
    c = t.group_by(customer_col).aggregate(
        last_day=d.max(),
        frequency=t.count(),
        **money,
        first_purchase=t[datetime_col].min(),
        last_purchase=t[datetime_col].max(),
    )
    df = c.to_pandas().set_index(customer_col).sort_index()
    df.insert(0, "recency_days", _period_of(day, "D") - df.pop("last_day"))
    return df


def quintile_score(x: pd.Series, *, higher_is_better: bool = True, bins: int = 5) -> pd.Series:
    """Scores 1..``bins`` by percentile rank. **Tie rule:** tied values share their mid-rank
    percentile (pandas ``rank(method="average", pct=True)``), so the score never depends on
    row order; score = ⌈bins · percentile⌉. With many ties some scores may be unused."""
    r = (x if higher_is_better else -x).rank(method="average", pct=True)
    return np.ceil(r * bins).clip(1, bins).astype("int64")


def rfm_scores(rfm: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Add ``R``, ``F``, ``M`` scores (1–``bins``; 5 best) and ``rfm_score`` ('R F M' digits).
    Without a ``monetary`` column (data without amounts) only ``R`` and ``F`` are scored and
    ``rfm_score`` has two digits."""
    out = rfm.copy()
    out["R"] = quintile_score(out["recency_days"], higher_is_better=False, bins=bins)
    out["F"] = quintile_score(out["frequency"], bins=bins)
    out["rfm_score"] = out["R"].astype(str) + out["F"].astype(str)
    if "monetary" in out.columns:
        out["M"] = quintile_score(out["monetary"], bins=bins)
        out["rfm_score"] += out["M"].astype(str)
    return out


# Pinned from the CRAN package `rfm` 0.2.x (vignette "rfm-customer-level-data", function
# rfm_segment): rows are tried in order, the first whose R, F and M scores all fall in its
# closed ranges wins; customers matching none are "Others".
CRAN_RFM_SEGMENTS = pd.DataFrame(
    [
        ("Champions", 4, 5, 4, 5, 4, 5),
        ("Loyal Customers", 2, 5, 3, 5, 3, 5),
        ("Potential Loyalist", 3, 5, 1, 3, 1, 3),
        ("New Customers", 4, 5, 1, 1, 1, 1),
        ("Promising", 3, 4, 1, 1, 1, 1),
        ("Need Attention", 2, 3, 2, 3, 2, 3),
        ("About To Sleep", 2, 3, 1, 2, 1, 2),
        ("At Risk", 1, 2, 2, 5, 2, 5),
        ("Can't Lose Them", 1, 1, 4, 5, 4, 5),
        ("Lost", 1, 2, 1, 2, 1, 2),
    ],
    columns=["segment", "r_lo", "r_hi", "f_lo", "f_hi", "m_lo", "m_hi"],
)

# The widely used R×F grid (regular expressions over the two-digit 'RF' score, as circulated in
# many public RFM tutorials): the ten cells partition all 25 (R, F) pairs; M is not used.
RF_GRID_SEGMENTS = pd.DataFrame(
    [
        ("Hibernating", 1, 2, 1, 2),
        ("At Risk", 1, 2, 3, 4),
        ("Can't Lose", 1, 2, 5, 5),
        ("About To Sleep", 3, 3, 1, 2),
        ("Need Attention", 3, 3, 3, 3),
        ("Loyal", 3, 4, 4, 5),
        ("Promising", 4, 4, 1, 1),
        ("New", 5, 5, 1, 1),
        ("Potential Loyalists", 4, 5, 2, 3),
        ("Champions", 5, 5, 4, 5),
    ],
    columns=["segment", "r_lo", "r_hi", "f_lo", "f_hi"],
)


def name_segments(scored: pd.DataFrame, table: pd.DataFrame = CRAN_RFM_SEGMENTS) -> pd.Series:
    """Segment name per customer from R/F(/M) scores and a rule table (first matching row wins)."""
    seg = pd.Series("Others", index=scored.index, dtype="object")
    done = pd.Series(False, index=scored.index)
    for row in table.itertuples(index=False):
        m = scored["R"].between(row.r_lo, row.r_hi) & scored["F"].between(row.f_lo, row.f_hi)
        if "m_lo" in table.columns:
            m &= scored["M"].between(row.m_lo, row.m_hi)
        m &= ~done
        seg[m] = row.segment
        done |= m
    return seg.astype("string")


def segment_table(
    transactions,
    *,
    analysis_date: str | pd.Timestamp,
    monetary_col: str | None = "amount",
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    con=None,
) -> pd.DataFrame:
    """Segmentation RFM, scores and named segments per customer at ``analysis_date``.

    Columns of :func:`rfm_table` and :func:`rfm_scores`, ``RF grid segment`` (the R×F grid,
    :data:`RF_GRID_SEGMENTS`) and ``segment``: the CRAN ``rfm`` names
    (:data:`CRAN_RFM_SEGMENTS`) when amounts exist, else the R×F grid names (recency and
    frequency only; ``attrs['segment_rules']`` says which)."""
    rt = rfm_scores(
        rfm_table(
            transactions,
            customer_col=customer_col,
            datetime_col=datetime_col,
            monetary_col=monetary_col,
            analysis_date=analysis_date,
            con=con,
        )
    )
    rt["RF grid segment"] = name_segments(rt, RF_GRID_SEGMENTS)
    if "M" in rt.columns:
        rt["segment"] = name_segments(rt, CRAN_RFM_SEGMENTS)
        rt.attrs["segment_rules"] = "CRAN rfm (R, F and M)"
    else:
        rt["segment"] = rt["RF grid segment"]
        rt.attrs["segment_rules"] = "R×F grid (recency and frequency only)"
    return rt


def segment_profile(rt: pd.DataFrame, segment_col: str = "segment") -> pd.DataFrame:
    """One row per segment of a :func:`segment_table`, largest first: ``customers``, ``share of
    customers``, mean ``recency_days`` and ``frequency`` (purchases), and with amounts mean
    ``monetary`` and ``share of revenue``."""
    g = rt.groupby(segment_col, observed=True)
    out = pd.DataFrame({"customers": g.size()})
    out["share of customers"] = out["customers"] / len(rt)
    out["mean recency_days"] = g["recency_days"].mean()
    out["mean frequency"] = g["frequency"].mean()
    if "monetary" in rt.columns:
        out["mean monetary"] = g["monetary"].mean()
        out["share of revenue"] = g["monetary"].sum() / rt["monetary"].sum()
    out.index.name = "segment"
    return out.sort_values("customers", ascending=False)


# ------------------------------------------------------------------------------------------------
# profit contribution


def concentration(values: pd.Series, shares=(0.01, 0.05, 0.1, 0.2, 0.5)) -> pd.Series:
    """Share of the total held by the top x% of customers (``values``: revenue or profit each)."""
    v = np.sort(values.to_numpy(dtype="float64"))[::-1]
    total = v.sum()
    out = {}
    for s in shares:
        k = max(1, int(np.ceil(s * len(v))))
        out[f"top {s:.0%}"] = v[:k].sum() / total
    return pd.Series(out)


def lorenz_curve(values: pd.Series) -> pd.DataFrame:
    """Cumulative share of customers (largest first) against cumulative share of the total,
    and the Gini coefficient in ``attrs['gini']`` (0 = all equal, 1 = one customer has all)."""
    v = np.sort(values.to_numpy(dtype="float64"))[::-1]
    cum = np.concatenate([[0.0], np.cumsum(v) / v.sum()])
    pop = np.linspace(0, 1, len(v) + 1)
    df = pd.DataFrame({"customer_share": pop, "value_share": cum})
    asc = np.sort(v)
    n = len(asc)
    df.attrs["gini"] = float((2 * np.arange(1, n + 1) - n - 1) @ asc / (n * asc.sum()))
    return df


def calibration_summary(cal: pd.DataFrame) -> pd.DataFrame:
    """The calibration half of :func:`calibration_holdout` under the summary's own names
    (``frequency``, ``recency``, ``T`` and, if present, ``monetary_value``), ready for fitting."""
    names = {
        "frequency_cal": "frequency",
        "recency_cal": "recency",
        "T_cal": "T",
        "monetary_value_cal": "monetary_value",
    }
    return cal[[c for c in names if c in cal.columns]].rename(columns=names)
