"""The IBM Telco data as committed (checksum from the provenance README of ``data/raw``) and its
loader: no row dropped, the blank charges of new customers kept as 0."""

from __future__ import annotations

import gzip
import hashlib

from crm_research.config import RAW_DIR
from crm_research.data.telco import load_telco


def test_raw_file_is_unchanged_and_documented():
    data = gzip.decompress((RAW_DIR / "telco_customer_churn.csv.gz").read_bytes())
    assert hashlib.md5(data).hexdigest() == "0f9de68e012bd3aed5fa7cdc9fc421af"
    assert "telco_customer_churn.csv.gz" in (RAW_DIR / "README.md").read_text()


def test_telco_blank_charges_kept():
    df = load_telco()
    assert len(df) == 7043 and int(df["new_customer"].sum()) == 11
    assert (df.loc[df["new_customer"], ["tenure", "TotalCharges"]] == 0).all().all()
