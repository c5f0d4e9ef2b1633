"""The IBM Telco loader: no row dropped, the blank charges of new customers kept as 0."""

from __future__ import annotations

from crm_research.data.telco import load_telco


def test_telco_blank_charges_kept():
    df = load_telco()
    assert len(df) == 7043 and int(df["new_customer"].sum()) == 11
    assert (df.loc[df["new_customer"], ["tenure", "TotalCharges"]] == 0).all().all()
