"""Contactability: per customer, the best phone and e-mail status, reachable flags per channel
and the age of the freshest record; and the reachable shares per channel.
"""

from __future__ import annotations

import pandas as pd

from crm_research.integrate.emails import EMAIL_CLASSES, classify_email
from crm_research.integrate.phones import PHONE_CLASSES


def contactability(
    records: pd.DataFrame,
    clusters: pd.DataFrame,
    email_sends: pd.DataFrame | None,
    as_of: str | pd.Timestamp,
) -> pd.DataFrame:
    """Per customer: best phone and e-mail status, reachable flags and age of the freshest record.

    ``records`` from :func:`identity_records`; ``clusters`` from :func:`resolve_identities`;
    ``email_sends`` with ``email``, ``sent_at``, ``bounced`` (the last send to an address decides
    whether it bounces). Output columns: ``customer_id``, ``phone_status``, ``email_status``,
    ``reachable_phone`` (010 mobile or landline), ``reachable_sms`` (010 mobile),
    ``reachable_email``, ``reachable_post`` (an address on file), ``days_since_update``.
    """
    as_of = pd.Timestamp(as_of)
    cols = ["unique_id", "source", "email", "phone_class", "address", "updated_at"]
    ids = clusters["unique_id"]
    if (
        len(ids) == len(records)
        and ids.is_unique
        and (ids.to_numpy() == records["unique_id"].to_numpy()).all()
    ):
        # clusters in the records' order (what resolve_identities returns): the merge's rows
        r = records[cols].assign(customer_id=clusters["customer_id"].array)
    else:
        r = records[cols].merge(clusters[["unique_id", "customer_id"]], on="unique_id")
    bounced = pd.Series(False, index=r.index)
    if email_sends is not None and len(email_sends):
        last = email_sends[["sent_at", "bounced"]].assign(key=email_sends["email"].str.lower())
        last = last.sort_values("sent_at").drop_duplicates("key", keep="last")
        last_bounce = pd.Series(
            last["bounced"].astype(bool).to_numpy(), index=last["key"].to_numpy()
        )
        bounced = r["email"].map(last_bounce).fillna(False).astype(bool)
    r["email_class"] = classify_email(r["email"], bounced)
    rank_phone = {c: i for i, c in enumerate(PHONE_CLASSES)}
    rank_email = {c: i for i, c in enumerate(EMAIL_CLASSES)}
    r["pr"] = r["phone_class"].map(rank_phone)
    r["er"] = r["email_class"].map(rank_email)
    g = r.groupby("customer_id")
    out = pd.DataFrame(
        {
            "phone_status": g["pr"].min().map(dict(enumerate(PHONE_CLASSES))),
            "email_status": g["er"].min().map(dict(enumerate(EMAIL_CLASSES))),
            "has_address": g["address"].count() > 0,
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


def reachable_shares(contacts: pd.DataFrame) -> pd.Series:
    """Share of customers reachable per channel (and by at least one channel)."""
    cols = ["reachable_phone", "reachable_sms", "reachable_email", "reachable_post"]
    s = contacts[cols].mean()
    s["reachable_any"] = contacts[cols].any(axis=1).mean()
    s.index = s.index.str.replace("reachable_", "")
    return s
