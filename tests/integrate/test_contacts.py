"""Contactability: a small hand case, and the vectorised version against the per-group one."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research import integrate as ig
from crm_research.data.reader import validate_folder
from crm_research.integrate.emails import _email_ok


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
    sends = pd.DataFrame(
        {"email": ["b@gmail.com"], "sent_at": pd.to_datetime(["2025-03-01"]), "bounced": [True]}
    )
    c = ig.contactability(rec, clusters, sends, "2025-12-31").set_index("customer_id")
    assert c.loc["C1", "phone_status"] == "mobile_010" and c.loc["C1", "reachable_sms"]
    assert c.loc["C1", "reachable_email"] and c.loc["C1", "reachable_post"]
    assert c.loc["C2", "email_status"] == "bounced" and not c.loc["C2", "reachable_email"]
    assert c.loc["C2", "phone_status"] == "missing" and not c.loc["C2", "reachable_phone"]
    assert c.loc["C1", "days_since_update"] == pytest.approx(213)
    shares = ig.reachable_shares(c.reset_index())
    assert shares["any"] == 0.5 and shares["sms"] == 0.5


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
        if _email_ok(e.strip()) is not None and b
        else "valid"
        if _email_ok(e.strip()) is not None
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
