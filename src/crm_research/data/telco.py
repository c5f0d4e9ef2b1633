"""The IBM Telco customer churn sample (``data/raw``), loaded and typed."""

from __future__ import annotations

import pandas as pd

from crm_research.config import RAW_DIR


def load_telco() -> pd.DataFrame:
    """The IBM Telco churn sample (``data/raw``), typed. The 11 blank ``TotalCharges`` are all
    customers with tenure 0 (signed up this month, not billed yet): set to 0, flagged in
    ``new_customer``; no row is dropped."""
    df = pd.read_csv(RAW_DIR / "telco_customer_churn.csv.gz")
    blank = df["TotalCharges"].astype(str).str.strip() == ""
    df["new_customer"] = blank
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].where(~blank, "0"))
    df["churned"] = df["Churn"].eq("Yes")
    return df
