"""Kevin Hillstrom's MineThatData e-mail campaign (``data/raw``), loaded with one-hot pre-period
covariates.
"""

from __future__ import annotations

import pandas as pd

from crm_research.config import RAW_DIR


def load_hillstrom() -> pd.DataFrame:
    """Kevin Hillstrom's MineThatData e-mail campaign (``data/raw``): 64,000 customers randomised
    to Mens e-mail, Womens e-mail or no e-mail; outcomes in the two weeks after: ``visit``,
    ``conversion``, ``spend`` (US$). Adds one-hot pre-period covariates."""
    df = pd.read_csv(RAW_DIR / "hillstrom.csv.gz")
    df["treatment"] = df["segment"].map(
        {"No E-Mail": "control", "Mens E-Mail": "mens", "Womens E-Mail": "womens"}
    )
    for col in ("zip_code", "channel"):
        for v in sorted(df[col].unique()):
            df[f"{col}_{v.lower().replace('/', '_')}"] = (df[col] == v).astype(float)
    return df


HILLSTROM_COVARIATES = [
    "recency",
    "history",
    "mens",
    "womens",
    "newbie",
    "zip_code_rural",
    "zip_code_surburban",
    "channel_phone",
    "channel_web",
]
