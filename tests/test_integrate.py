"""Integration: contact classification, pairwise scoring, identity resolution, the database."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research import integrate as ig
from crm_research.data import engine
from crm_research.data.reader import validate_folder


@pytest.mark.parametrize(
    "raw,cls,digits",
    [
        ("010-1234-5678", "mobile_010", "01012345678"),
        ("+82 10 1234 5678", "mobile_010", "01012345678"),
        ("01012345678", "mobile_010", "01012345678"),
        ("016-123-4567", "legacy_mobile", "0161234567"),
        ("011-9876-5432", "legacy_mobile", "01198765432"),
        ("019-555-1234", "legacy_mobile", "0195551234"),
        ("02-123-4567", "landline", "021234567"),
        ("031-123-4567", "landline", "0311234567"),
        ("010-123-456", "invalid", "010123456"),
        ("not a number", "invalid", None),
        (None, "missing", None),
        ("", "missing", None),
    ],
)
def test_classify_phone(raw, cls, digits):
    out = ig.classify_phone(pd.Series([raw], dtype=object))
    assert out["phone_class"].iloc[0] == cls
    got = out["phone_digits"].iloc[0]
    assert (pd.isna(got) and digits is None) or got == digits


def test_classify_email_with_bounces():
    emails = pd.Series(["a.kim@naver.com", "b.lee@gmail.com", "broken.naver.com", None, "x@@y"])
    bounced = pd.Series([False, True, False, False, False])
    assert ig.classify_email(emails, bounced).tolist() == [
        "valid",
        "bounced",
        "invalid_syntax",
        "missing",
        "invalid_syntax",
    ]


def test_pairwise_scores_hand_computed():
    # truth: {a,b,c} {d,e}; predicted: {a,b} {c,d,e}
    truth = pd.Series([1, 1, 1, 2, 2])
    pred = pd.Series(["x", "x", "y", "y", "y"])
    s = ig.pairwise_scores(pred, truth)
    # true pairs: ab ac bc de (4); predicted: ab cd ce de (4); both: ab de (2)
    assert s["true_pairs"] == 4 and s["predicted_pairs"] == 4
    assert s["precision"] == pytest.approx(0.5) and s["recall"] == pytest.approx(0.5)
    assert s["f1"] == pytest.approx(0.5)
    perfect = ig.pairwise_scores(truth.astype(str), truth)
    assert perfect["f1"] == 1.0 and perfect["adjusted_rand_index"] == 1.0


def test_deterministic_links_skip_landlines_and_bad_emails():
    rec = pd.DataFrame(
        {
            "unique_id": ["a", "b", "c", "d", "e", "f"],
            "email": ["x@naver.com", "x@naver.com", None, None, "bad", "bad"],
            "phone_digits": ["021234567", "021234567", "01011112222", "01011112222", None, None],
            "phone_class": [
                "landline",
                "landline",
                "mobile_010",
                "mobile_010",
                "missing",
                "missing",
            ],
        }
    )
    links = ig.deterministic_links(rec)
    pairs = {tuple(sorted(p)) for p in links[["unique_id_l", "unique_id_r"]].to_numpy()}
    assert pairs == {("a", "b"), ("c", "d")}


def test_contactability_small_case():
    rec = pd.DataFrame(
        {
            "unique_id": ["m:1", "c:1", "m:2"],
            "source": ["members", "cc_customers", "members"],
            "email": ["a@naver.com", None, "b@gmail.com"],
            "phone_class": ["legacy_mobile", "mobile_010", "missing"],
            "address": ["서울특별시 강남구 테헤란로 1", None, None],
            "updated_at": pd.to_datetime(["2025-01-01", "2025-06-01", "2024-12-31"]),
        }
    )
    clusters = pd.DataFrame({"unique_id": ["m:1", "c:1", "m:2"], "customer_id": ["C1", "C1", "C2"]})
    sends = pd.DataFrame({"email": ["b@gmail.com"], "sent_at": pd.to_datetime(["2025-03-01"]), "bounced": [True]})  # fmt: skip
    c = ig.contactability(rec, clusters, sends, "2025-12-31").set_index("customer_id")
    assert c.loc["C1", "phone_status"] == "mobile_010" and c.loc["C1", "reachable_sms"]
    assert c.loc["C1", "reachable_email"] and c.loc["C1", "reachable_post"]
    assert c.loc["C2", "email_status"] == "bounced" and not c.loc["C2", "reachable_email"]
    assert c.loc["C2", "phone_status"] == "missing" and not c.loc["C2", "reachable_phone"]
    assert c.loc["C1", "days_since_update"] == pytest.approx(213)
    shares = ig.reachable_shares(c.reset_index())
    assert shares["any"] == 0.5 and shares["sms"] == 0.5


@pytest.fixture(scope="module")
def built(small_world, small_world_folder, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "crm.duckdb"
    return ig.build_customer_db(small_world_folder, db_path=db, as_of=small_world.as_of, seed=1)


def test_identity_resolution_against_truth(built):
    s = built.scores
    assert s["precision"] > 0.99
    assert s["f1"] > 0.93  # the default 20,000-person world reaches 0.977 (notebook 01)


def test_identity_resolution_is_seeded(small_world, small_world_folder, built):
    val = validate_folder(small_world_folder, as_of=small_world.as_of)
    again = ig.resolve_identities(ig.identity_records(val), seed=1)
    pd.testing.assert_frame_equal(
        built.resolution.clusters.reset_index(drop=True), again.clusters.reset_index(drop=True)
    )


def test_customer_database_is_consistent(built):
    con = engine.connect(built.db_path, read_only=True)
    tables = set(con.list_tables())
    assert {"customers", "transactions", "touchpoints", "contacts", "identity_map", "quarantine",
            "load_log", "truth_people"} <= tables  # fmt: skip
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


PHONE_SPELLINGS = [
    "010-1234-5678",
    "+82 10 1234 5678",
    "+82-10-1234-5678",
    "01012345678",
    "010 1234 5678",
    "010.1234.5678",
    "016-123-4567",
    "011-9876-5432",
    "019-555-1234",
    "02-123-4567",
    "031-123-4567",
    "0311234567",
    "064-123-4567",
    "070-1234-5678",
    "080-123-4567",
    "0801234567",
    "060-123-4567",
    "0505-123-4567",
    "1588-1234",
    "02-0123-4567",
    "012-345-6789",
    "010-123-456",
    "010-5959-1234",
    "010-1059-71234",
    "+82 2 123 4567",
    "+1 212 555 1234",
    "(02) 123-4567",
    "0 10 1234 5678",
    "00112345678901",
    "+82 010 1234 5678",
    "not a number",
    "010-1234-567a",
]


def test_vectorised_phone_classes_equal_libphonenumber(small_world_folder, small_world):
    """The vectorised classifier agrees with phonenumbers.parse on hand-picked spellings and on
    every phone number of the small world."""
    val = validate_folder(small_world_folder, as_of=small_world.as_of)
    phones = [
        p for t in ("members", "cc_customers", "web_accounts") for p in val[t].accepted["phone"]
    ]
    s = pd.Series(PHONE_SPELLINGS + phones, dtype=object).dropna().drop_duplicates()
    got = ig.classify_phone(s)
    want = [ig._phone_info(x.strip()) for x in s]
    assert got["phone_class"].tolist() == [c for c, _ in want]
    assert [None if pd.isna(d) else d for d in got["phone_digits"]] == [d for _, d in want]


EMAIL_SPELLINGS = [
    "a.kim@naver.com",
    "broken.naver.com",
    "x@@y",
    "a@localhost",
    "a@b.test",
    "a..b@naver.com",
    ".a@naver.com",
    "a@-naver.com",
    "a@naver",
    "a@naver.c0m",
    "a@xn--abc.com",
    "a@ab--cd.com",
    "한글@naver.com",
    "a+b@daum.net",
    "A.Kim@NAVER.COM",
    "a@naver..com",
    "a@123.45",
    "a" * 65 + "@naver.com",
    "a@naver.com.",
    " a@b.co ",
    "kim@네이버.com",
    '"a b"@naver.com',
]


def test_vectorised_email_syntax_equals_email_validator(small_world_folder, small_world):
    val = validate_folder(small_world_folder, as_of=small_world.as_of)
    emails = list(val["members"].accepted["email"]) + list(val["web_accounts"].accepted["email"])
    s = pd.Series(EMAIL_SPELLINGS + emails + [None, ""], dtype=object)
    want = [
        isinstance(x, str) and x.strip() != "" and ig._email_ok(x.strip()) is not None for x in s
    ]
    assert ig.email_syntax_ok(s).tolist() == want


def _contactability_reference(records, clusters, email_sends, as_of):
    """The first, per-group implementation of contactability (for the equality test)."""
    as_of = pd.Timestamp(as_of)
    r = records.merge(clusters[["unique_id", "customer_id"]], on="unique_id")
    bounced = pd.Series(False, index=r.index)
    last = email_sends.sort_values("sent_at").groupby(email_sends["email"].str.lower()).tail(1)
    last_bounce = dict(zip(last["email"].str.lower(), last["bounced"].astype(bool), strict=True))
    bounced = r["email"].map(last_bounce).fillna(False).astype(bool)
    r["email_class"] = [
        "missing"
        if pd.isna(e) or e.strip() == ""
        else "bounced"
        if ig._email_ok(e.strip()) is not None and b
        else "valid"
        if ig._email_ok(e.strip()) is not None
        else "invalid_syntax"
        for e, b in zip(r["email"], bounced, strict=True)
    ]
    r["pr"] = r["phone_class"].map({c: i for i, c in enumerate(ig.PHONE_CLASSES)})
    r["er"] = r["email_class"].map({c: i for i, c in enumerate(ig.EMAIL_CLASSES)})
    g = r.groupby("customer_id")
    out = pd.DataFrame(
        {
            "phone_status": g["pr"].min().map(dict(enumerate(ig.PHONE_CLASSES))),
            "email_status": g["er"].min().map(dict(enumerate(ig.EMAIL_CLASSES))),
            "has_address": g["address"].apply(lambda s: s.notna().any()),
            "n_records": g.size(),
            "n_sources": g["source"].nunique(),
            "last_update": g["updated_at"].max(),
        }
    )
    out["reachable_phone"] = out["phone_status"].isin(["mobile_010", "landline"])
    out["reachable_sms"] = out["phone_status"].eq("mobile_010")
    out["reachable_email"] = out["email_status"].eq("valid")
    out["reachable_post"] = out["has_address"]
    out["days_since_update"] = (as_of - out["last_update"]).dt.total_seconds() / 86_400
    return out.drop(columns="has_address").reset_index()


def test_vectorised_contactability_equals_per_group_version(built, small_world_folder, small_world):
    val = validate_folder(small_world_folder, as_of=small_world.as_of)
    rec = ig.identity_records(val)
    sends = val["email_sends"].accepted
    got = ig.contactability(rec, built.resolution.clusters, sends, small_world.as_of)
    want = _contactability_reference(rec, built.resolution.clusters, sends, small_world.as_of)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
