"""The analysis window of notebook 02's CLV views: observation end, calibration/holdout split
derived from the data's period (:func:`analysis_window`), the calibration data of a customer
database (:func:`calibration_data`) and why a split cannot be used (:func:`split_problem`).

Time unit of every BTYD summary here: weeks (days / :data:`WEEK`).
"""

from __future__ import annotations

import pandas as pd

from crm_research import rfm

WEEK = 7  # days per time unit of the BTYD summaries
LONG_HISTORY_DAYS = 730  # data spanning at least this get the fixed holdout
DEFAULT_HOLDOUT_DAYS = 182


def observation_end(info: dict, as_of: str | pd.Timestamp | None = None) -> pd.Timestamp:
    """The last day analysed (midnight of that day). ``as_of`` (a date, or the runner's
    'YYYY-MM-DD 23:59:59') counts its whole day; without it the data's export time is used, and an
    export taken at midnight ends the day before."""
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    t = pd.Timestamp(info["export_time"])
    return (t - pd.Timedelta(seconds=1)).normalize() if t == t.normalize() else t.normalize()


def analysis_window(
    info: dict, as_of: str | pd.Timestamp | None = None, holdout_days: int | None = None
) -> dict:
    """Observation end and calibration/holdout split of a dataset (``info`` =
    ``datasets.info(con)``).

    The holdout is the last ``holdout_days`` days before the observation end; the calibration
    period ends at the month end before that. ``holdout_days`` None derives it from the data's
    period: half of it when the data span less than two years (the classic equal split of
    cohort studies: CDNOW gives 1997-09-30 / 1998-06-30, weeks 39/78), else 182 days.
    Returns ``first_purchase``, ``calibration_end``, ``observation_end`` (Timestamps),
    ``holdout_days`` (the actual holdout length in days) and ``feasible`` (calibration ends after
    the first purchase)."""
    end = observation_end(info, as_of)
    first = pd.Timestamp(info["first_purchase"]).normalize()
    span = (end - first).days
    if holdout_days is None:
        holdout_days = span // 2 if span < LONG_HISTORY_DAYS else DEFAULT_HOLDOUT_DAYS
    cal_end = pd.offsets.MonthEnd().rollback(end - pd.Timedelta(days=int(holdout_days)))
    return {
        "first_purchase": first,
        "calibration_end": cal_end,
        "observation_end": end,
        "holdout_days": int((end - cal_end).days),
        "feasible": bool(cal_end > first and end > cal_end),
    }


def calibration_data(con, window: dict) -> pd.DataFrame:
    """:func:`crm_research.rfm.calibration_holdout` of the database's transactions over the
    window (weeks; purchases on the same day are one purchase)."""
    return rfm.calibration_holdout(
        con.table("transactions"),
        calibration_end=f"{window['calibration_end']:%Y-%m-%d}",
        observation_end=f"{window['observation_end']:%Y-%m-%d}",
        freq="D",
        freq_multiplier=WEEK,
    )


def split_problem(window: dict, cal: pd.DataFrame | None = None) -> str | None:
    """Why the calibration/holdout check cannot run on these data (None when it can)."""
    if not window["feasible"]:
        return "a calibration period before the holdout (the data cover too short a period)"
    if cal is not None and len(cal) == 0:
        return "customers who bought before the calibration end"
    if cal is not None and not (cal["frequency_cal"] > 0).any():
        return "repeat purchases in the calibration period"
    return None
