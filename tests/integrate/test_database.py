"""The customer database: tables present and consistent with the accepted rows."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research import integrate as ig
from crm_research.data import engine
from crm_research.data.reader import validate_folder
from crm_research.integrate import last_sends


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


def test_last_sends_give_the_contacts_every_send_gives(built, small_world, small_world_folder):
    """Contactability from the last send per address (SQL) equals it from every send."""
    val = validate_folder(small_world_folder, as_of=small_world.as_of)
    rec = ig.identity_records(val)
    con = engine.connect(built.db_path, read_only=True)
    last = last_sends(con)
    con.disconnect()
    sends = val["email_sends"].accepted
    assert last["email"].is_unique and len(last) < len(sends)
    clusters = built.resolution.clusters
    pd.testing.assert_frame_equal(
        ig.contactability(rec, clusters, last, small_world.as_of),
        ig.contactability(rec, clusters, sends, small_world.as_of),
    )
    pd.testing.assert_frame_equal(
        built.contacts, ig.contactability(rec, clusters, sends, small_world.as_of)
    )
