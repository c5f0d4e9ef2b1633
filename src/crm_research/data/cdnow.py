"""The CDNOW data shipped in the ``lifetimes`` wheel (real purchases of CDs, 1997-01 to 1998-06).

* :func:`load_cdnow_sample` — the 1/10th sample of 2,357 customers used by the published analyses
  (Fader, Hardie & Lee 2005): ``CDNOW_sample.txt``, no header, whitespace-separated columns
  master id, sample id, yyyymmdd, number of CDs, dollars.
* :func:`load_cdnow_master` — the full cohort of 23,570 customers who made their first purchase in
  1997-Q1: ``CDNOW_master.txt``, header row.

Both return one row per purchase record: ``customer_id``, ``date`` (day), ``cds``, ``dollars``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

CALIBRATION_END = pd.Timestamp("1997-09-30")  # end of week 39
OBSERVATION_END = pd.Timestamp("1998-06-30")  # end of week 78
COHORT_START = pd.Timestamp("1997-01-01")


def _datasets_dir() -> Path:
    import lifetimes  # the data ship in the lifetimes wheel; imported only when read

    return Path(lifetimes.__file__).parent / "datasets"


def load_cdnow_sample() -> pd.DataFrame:
    """The 2,357-customer 1/10th sample; ``customer_id`` is the sample id (1..2357)."""
    df = pd.read_csv(
        _datasets_dir() / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "dollars"],
        dtype={"date": str},
    )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df[["customer_id", "date", "cds", "dollars", "master_id"]]


def load_cdnow_master() -> pd.DataFrame:
    """The full 23,570-customer cohort."""
    df = pd.read_csv(_datasets_dir() / "CDNOW_master.txt", sep=r"\s+", dtype={"date": str})
    df = df.rename(columns={"number_of_cds": "cds", "dollar_value": "dollars"})
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df[["customer_id", "date", "cds", "dollars"]]


def load_shipped_summary() -> pd.DataFrame:
    """lifetimes' ``cdnow_customers_summary.csv`` (weekly calibration summary, 2 decimals)."""
    return pd.read_csv(_datasets_dir() / "cdnow_customers_summary.csv").set_index("ID")


def load_donations() -> pd.DataFrame:
    """The donations data (11,104 donors, 6 periods) as lifetimes ships it, with ``weights``."""
    return pd.read_csv(_datasets_dir() / "donations.csv")
