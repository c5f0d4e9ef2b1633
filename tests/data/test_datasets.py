"""Datasets: one customer database per dataset, cached under a fingerprint, built from whatever
sources exist (issue 14)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from crm_research import integrate
from crm_research.data import datasets, engine, examples
from crm_research.reporting import kpi

ORDERS = (
    "Order,Customer,When,Paid\n"
    "A1,c1,2024-01-05,10.50\nA2,c1,2024-03-01,20\nA3,c2,2024-02-01,5\nA4,c3,2024-02-02,7.25\n"
    "A5,c3,2024-04-02,1\n"
)


def write_config(folder, orders=ORDERS, columns=None, extra="", sources_extra=""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orders.csv").write_text(orders, encoding="utf-8")
    columns = columns or "{Order: order_id, Customer: member_id, When: ordered_at, Paid: amount}"
    cfg = folder / "shop.yaml"
    cfg.write_text(
        "name: test shop\nas_of: 2024-06-30 00:00:00\ncurrency: EUR\n" + extra + "sources:\n"
        f"  orders:\n    path: orders.csv\n    columns: {columns}\n"
        '    date_formats: {ordered_at: "%Y-%m-%d"}\n' + sources_extra,
        encoding="utf-8",
    )
    return cfg


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_RESEARCH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_orders_only(data_dir, tmp_path):
    cfg = write_config(tmp_path / "shop")
    con = datasets.connect(cfg, echo=lambda *a, **k: None)
    meta = datasets.info(con)
    assert (meta["customers"], meta["transactions"], meta["currency"]) == (3, 5, "EUR")
    assert meta["sources"] == "orders" and meta["has_amount"] and not meta["has_truth"]
    caps = datasets.capabilities(con)
    assert caps["amount"] and caps["repeat"] and not caps["truth"] and not caps["identity"]
    assert not caps["contacts"] and not caps["campaign"] and not caps["history"]
    res = con.table("resolution").to_pandas().iloc[0]
    assert res["method"] == "ids" and "identity resolution not run" in res["notes"]
    tx = con.table("transactions").to_pandas()
    assert tx["amount"].sum() == pytest.approx(43.75)
    assert tx["customer_id"].str.fullmatch(r"C\d{6}").all()  # pseudonymous, not the shop's ids
    log = con.table("load_log").to_pandas().set_index("table")
    assert log.loc["orders", ["rows_in", "accepted", "quarantined"]].tolist() == [5, 5, 0]
    assert datasets.not_available_text(caps, "contacts", "truth") == (
        "Not available for this data: needs contact details (phone numbers, e-mail or postal "
        "addresses); the simulator's ground truth (the simulated dataset only)."
    )
    assert datasets.not_available_text(caps, "amount") is None
    k = kpi.snapshot(con, "2024-06-30")
    assert k["customers"] == 3 and k["currency"] == "EUR"
    assert math.isnan(k["clv_12m_total"])  # three customers: the models cannot be fitted, said
    assert k["clv_note"].startswith("CLV models could not be fitted: BG/NBD fit did not converge")


def test_orders_without_amounts_or_order_ids(data_dir, tmp_path):
    cfg = write_config(
        tmp_path / "log",
        orders="Customer,When\nc1,2024-01-05\nc1,2024-01-05\nc2,2024-02-01\n",
        columns="{Customer: member_id, When: ordered_at}",
    )
    con = datasets.connect(cfg, echo=lambda *a, **k: None)
    tx = con.table("transactions").to_pandas()
    assert len(tx) == 3 and tx["order_id"].tolist() == ["L2", "L3", "L4"]  # one order per row
    caps = datasets.capabilities(con)
    assert not caps["amount"]
    assert datasets.not_available_text(caps, "amount").endswith(
        "needs order amounts (an amount column in the transaction log)."
    )
    k = kpi.snapshot(con, "2024-06-30")
    assert math.isnan(k["clv_12m_total"]) and k["clv_note"] == "no amounts in the data"


def test_orders_and_members_korean_cp949(data_dir, tmp_path):
    cfg = examples.write_korean_export(tmp_path / "kr", n_people=1_000, seed=3)
    con = datasets.connect(cfg, echo=lambda *a, **k: None)
    meta = datasets.info(con)
    assert meta["sources"] == "members,orders" and meta["currency"] == "KRW"
    caps = datasets.capabilities(con)
    assert caps["members"] and caps["contacts"] and caps["amount"] and not caps["identity"]
    log = con.table("load_log").to_pandas().set_index("table")
    assert (log.loc[["orders", "members"], "encoding"] == "cp949").all()
    assert (log["rows_in"] == log["accepted"] + log["quarantined"]).all()
    q = con.table("quarantine").to_pandas()  # staged rejections are in the database too
    n_q = len(q.drop_duplicates(["table", "line"]))
    assert n_q == log.loc["orders", "quarantined"] + log.loc["members", "quarantined"] > 0


def test_full_simulated_world(data_dir):
    con = datasets.connect("simulated", n_people=1_000, seed=5, echo=lambda *a, **k: None)
    caps = datasets.capabilities(con)
    assert all(
        caps[k] for k in ("truth", "identity", "contacts", "members", "engagement", "channels")
    )
    meta = datasets.info(con)
    assert meta["currency"] == "KRW" and meta["has_truth"]
    assert "1,000 people, seed 5" in meta["description"]


def test_stale_databases_are_never_reused(data_dir, tmp_path):
    quiet = dict(echo=lambda *a, **k: None)
    a = datasets.resolve("simulated", n_people=1_000, seed=5)
    assert a != datasets.resolve("simulated", n_people=2_000, seed=5)
    assert a.db_path != datasets.resolve("simulated", n_people=1_000, seed=6).db_path
    cfg = write_config(tmp_path / "shop")
    first = datasets.resolve(cfg)
    datasets.ensure(first, **quiet)
    (tmp_path / "shop" / "orders.csv").write_text(ORDERS + "A6,c4,2024-05-01,3\n")
    second = datasets.resolve(cfg)
    assert second.fingerprint != first.fingerprint
    con = engine.connect(datasets.ensure(second, **quiet), read_only=True)
    assert datasets.info(con)["customers"] == 4
    con.disconnect()


def test_a_damaged_database_is_rebuilt_with_a_note(data_dir, tmp_path):
    ds = datasets.resolve(write_config(tmp_path / "shop"))
    path = datasets.ensure(ds, echo=lambda *a, **k: None)
    path.write_bytes(path.read_bytes()[:5000])  # truncated
    said = []
    datasets.ensure(ds, echo=said.append)
    assert any("cannot be opened" in s and "rebuilding" in s for s in said)
    con = engine.connect(path, read_only=True)
    assert datasets.info(con)["customers"] == 3
    con.disconnect()


def test_unknown_dataset_names_are_refused():
    with pytest.raises(datasets.DatasetError, match="expected 'simulated', 'cdnow' or the path"):
        datasets.resolve("simulted")


def test_blank_or_numeric_personal_fields_never_crash_the_linkage():
    n = 40
    members = pd.DataFrame(
        {
            "member_id": [f"M{i}" for i in range(n)],
            "name": None,
            "birth_date": None,
            "phone": [str(10_000 + i) for i in range(n)],
            "email": None,
            "address": None,
            "updated_at": pd.Timestamp("2024-01-01"),
        }
    )
    subs = pd.DataFrame(
        {
            "subscriber_id": [f"S{i}" for i in range(n)],
            "email": None,
            "name": [str(i) for i in range(n)],
            "subscribed_at": pd.Timestamp("2024-01-01"),
        }
    )
    empty = {
        "cc_customers": ["cc_customer_id", "name", "phone", "birth_date", "registered_at"],
        "web_accounts": ["login_id", "email", "name", "birth_date", "phone", "signup_at"],
        "survey": ["response_id", "submitted_at", "name", "email", "phone"],
    }
    tables = {"members": members, "email_subscribers": subs} | {
        k: pd.DataFrame(columns=v).astype(
            {v[-1] if k != "survey" else "submitted_at": "datetime64[ns]"}
        )
        for k, v in empty.items()
    }
    records = integrate.identity_records(tables)
    res = integrate.resolve_identities(records, seed=1)
    assert res.method in ("splink", "exact identifiers")
    assert res.clusters["customer_id"].nunique() >= n  # nothing to link: names are numbers


def test_splink_failure_falls_back_to_exact_identifiers(monkeypatch, small_world):
    tables = {
        k: small_world.exports[k].copy()
        for k in ("members", "cc_customers", "web_accounts", "email_subscribers")
    }
    tables["survey"] = pd.DataFrame(
        columns=["response_id", "submitted_at", "name", "email", "phone"]
    )
    for t in tables.values():
        for c in (
            "updated_at",
            "registered_at",
            "signup_at",
            "subscribed_at",
            "submitted_at",
            "birth_date",
        ):
            if c in t:
                t[c] = pd.to_datetime(t[c], errors="coerce")

    def broken(*a, **k):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(integrate.linkage, "_resolve_splink", broken)
    res = integrate.resolve_identities(integrate.identity_records(tables), seed=1)
    assert res.method == "exact identifiers" and res.n_probabilistic_links == 0
    assert res.notes[0].startswith(
        "splink could not be trained on these records (ZeroDivisionError"
    )
    assert res.n_deterministic_links > 0
