"""The customer database: tables present and consistent with the accepted rows."""

from __future__ import annotations

import pytest

from crm_research.data import engine


def test_customer_database_is_consistent(built):
    con = engine.connect(built.db_path, read_only=True)
    tables = set(con.list_tables())
    assert {
        "customers",
        "transactions",
        "touchpoints",
        "contacts",
        "identity_map",
        "quarantine",
        "load_log",
        "truth_people",
    } <= tables
    orders = con.table("src_orders").count().to_pandas()
    tx = con.table("transactions").to_pandas()
    assert len(tx) == orders and tx["customer_id"].notna().all()  # every accepted order attributed
    cust = con.table("customers").to_pandas()
    assert cust["customer_id"].is_unique
    assert cust["n_orders"].sum() == orders
    assert cust["revenue"].sum() == pytest.approx(tx["amount"].sum(), rel=1e-12)
    assert len(cust) == built.resolution.clusters["customer_id"].nunique()
    log = con.table("load_log").to_pandas()
    assert (log["rows_in"] == log["accepted"] + log["quarantined"]).all()
    q = con.table("quarantine").to_pandas()
    assert len(q) == log["quarantined"].sum()
    con.disconnect()
