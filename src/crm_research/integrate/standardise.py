"""Standardisation: one row per identity-bearing source record, with phone numbers as national
digits (and their last 7 digits, which survive the move from a legacy 01X prefix to 010), e-mails
lower-cased and split into local part and domain, and the district of the address.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crm_research.data.reader.quarantine import Validated
from crm_research.integrate.emails import _arrow
from crm_research.integrate.phones import classify_phone

IDENTITY_SOURCES: dict[str, tuple[str, str]] = {
    "members": ("member_id", "updated_at"),
    "cc_customers": ("cc_customer_id", "registered_at"),
    "web_accounts": ("login_id", "signup_at"),
    "email_subscribers": ("subscriber_id", "subscribed_at"),
    "survey": ("response_id", "submitted_at"),
}


def _extract(s: pd.Series, pattern: str) -> pd.Series:
    """The first group of a regex anchored at the start of each value (pyarrow's RE2, no Python
    loop), as a string Series aligned with ``s``; missing where ``s`` is missing or no match."""

    got = pc.struct_field(pc.extract_regex(_arrow(s), f"(?P<g>{pattern})"), "g")
    return pd.Series(pd.array(got.to_numpy(zero_copy_only=False), dtype="string"), index=s.index)


def _is_in(values: pd.Series, value_set: pd.Series) -> np.ndarray:
    """``values.isin(value_set)`` for text, hashed in pyarrow (pandas' ``isin`` on pyarrow
    strings walks ``value_set`` in Python)."""
    wanted = pa.array(value_set.astype("string"))
    if isinstance(wanted, pa.ChunkedArray):
        wanted = wanted.combine_chunks()
    hit = pc.is_in(pa.array(values.astype("string")), value_set=wanted)
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def identity_records(tables: dict[str, Validated | pd.DataFrame]) -> pd.DataFrame:
    """One standardised row per identity-bearing source record (input of identity resolution).

    Columns: ``unique_id`` ('source:record_id'), ``source``, ``record_id``, ``name``,
    ``birth_date`` (ISO text), ``phone_digits``, ``phone_last7``, ``phone_class``, ``email``,
    ``email_local``, ``address``, ``district``, ``updated_at``.
    """
    frames = []
    for source, (id_col, ts_col) in IDENTITY_SOURCES.items():
        t = tables[source]
        df = t.accepted if isinstance(t, Validated) else t
        f = pd.DataFrame(
            {
                "source": source,
                "record_id": df[id_col].astype("string"),
                "name": df["name"].astype("string") if "name" in df else pd.NA,
                "birth_date": pd.to_datetime(df["birth_date"]).dt.strftime("%Y-%m-%d")
                if "birth_date" in df
                else pd.NA,
                "phone": df["phone"].astype("string") if "phone" in df else pd.NA,
                "email": df["email"].astype("string") if "email" in df else pd.NA,
                "address": df["address"].astype("string") if "address" in df else pd.NA,
                "updated_at": pd.to_datetime(df[ts_col]),
            }
        )
        frames.append(f)
    orders = tables.get("orders")
    if orders is not None:  # order-system customers without a customer-master record
        o = orders.accepted if isinstance(orders, Validated) else orders
        known = frames[0]["record_id"]  # members
        first = o.groupby("member_id")["ordered_at"].min()
        first = first[~_is_in(pd.Series(first.index, dtype="string"), known.dropna())]
        if len(first):
            frames.append(
                pd.DataFrame(
                    {
                        "source": "members",
                        "record_id": first.index.astype("string"),
                        "name": pd.NA,
                        "birth_date": pd.NA,
                        "phone": pd.NA,
                        "email": pd.NA,
                        "address": pd.NA,
                        "updated_at": pd.to_datetime(first.to_numpy()),
                    }
                )
            )
    r = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else frames[0]
    )
    for c in ("record_id", "name", "birth_date", "phone", "email", "address"):
        r[c] = r[c].astype("string")  # blank or numeric personal fields are text too
    r["unique_id"] = r["source"] + ":" + r["record_id"]
    ph = classify_phone(r["phone"])
    r["phone_class"] = ph["phone_class"]
    r["phone_digits"] = ph["phone_digits"]
    r["phone_last7"] = (
        r["phone_digits"].str[-7:].where(r["phone_class"].isin(["mobile_010", "legacy_mobile"]))
    )
    em = r["email"].str.strip().str.lower()
    r["email"] = em
    r["email_local"] = _extract(em, r"^[^@]*")  # the part before the first @
    r["district"] = _extract(r["address"], r"^[^ ]*(?: [^ ]*)?")  # the first two words
    cols = [
        "unique_id",
        "source",
        "record_id",
        "name",
        "birth_date",
        "phone_digits",
        "phone_last7",
        "phone_class",
        "email",
        "email_local",
        "address",
        "district",
        "updated_at",
    ]
    text = [c for c in cols if c != "updated_at"]
    return r[cols].astype(dict.fromkeys(text, "string"))


def one_edit_keys(name: str) -> list[str]:
    """Keys two names share when they are one *character* edit apart: the name, each character
    replaced by ``*`` (substitution) and each character deleted (insertion/deletion).

    Why not SQL ``levenshtein``: DuckDB counts UTF-8 *bytes* (a one-syllable Hangul typo is 2
    or 3 apart) while Spark counts characters, so the same model would link different pairs on
    the two engines. An array-intersection level on these keys means the same on both. Sharing
    two deletion keys can also link some distance-2 pairs (e.g. a swapped pair of characters).
    """
    subs = [name[:i] + "*" + name[i + 1 :] for i in range(len(name))]
    dels = [name[:i] + name[i + 1 :] for i in range(len(name))]
    return sorted({name, *subs, *dels})
