"""What a customer database supports: its ``dataset_info`` row and its capabilities.

A notebook asks the database what the data support (:func:`capabilities`); a section the data
cannot support shows one line saying what it needs (:func:`supports`, :func:`not_available_text`),
worded by :data:`NEEDS`. Everything here reads an Ibis connection to a built database
(:func:`crm_research.data.datasets.connect`); nothing builds one.
"""

from __future__ import annotations

import pandas as pd

# what each capability means, as the reports say it when it is missing
NEEDS = {
    "amount": "order amounts (an amount column in the transaction log)",
    "truth": "the simulator's ground truth (the simulated dataset only)",
    "repeat": "customers with repeat purchases",
    "channels": "a sales channel per order with at least two channels",
    "identity": "two or more sources with names, phone numbers or e-mail addresses",
    "contacts": "contact details (phone numbers, e-mail or postal addresses)",
    "members": "a customer master with birth dates (members)",
    "engagement": "calls, web sessions or e-mails per customer",
    "campaign": "a randomised campaign (campaign_assignments with treated and control customers)",
    "history": "at least 15 months of purchases",
}


def info(con) -> dict:
    """The ``dataset_info`` row: name, kind, description, currency, export_time, first and last
    purchase, customers, transactions, has_amount, has_truth, sources."""
    return con.table("dataset_info").to_pandas().iloc[0].to_dict()


def capabilities(con) -> dict[str, bool]:
    """What the database supports, by :data:`NEEDS` key."""
    tables = set(con.list_tables())
    meta = info(con)
    tx = con.table("transactions")
    per = tx.group_by("customer_id").aggregate(n=tx.count())
    repeat = bool(per.filter(per.n > 1).count().to_pandas() > 0)
    channels = int(tx.channel.nunique().to_pandas())
    cust = con.table("customers")
    eng = (
        cust.aggregate(
            calls=cust.n_calls.sum(), web=cust.n_sessions.sum(), mail=cust.n_emails_sent.sum()
        )
        .to_pandas()
        .iloc[0]
    )
    ir = con.table("identity_records")
    contacts = bool(
        ir.filter(ir.phone_digits.notnull() | ir.email.notnull() | ir.address.notnull())
        .count()
        .to_pandas()
    )
    members = con.table("src_members")
    has_members = bool(members.filter(members.birth_date.notnull()).count().to_pandas())
    res = con.table("resolution").to_pandas().iloc[0] if "resolution" in tables else None
    campaign = False
    if "src_campaign_assignments" in tables:
        ca = con.table("src_campaign_assignments")
        campaign = int(ca.treated.nunique().to_pandas()) == 2
    first, last = pd.Timestamp(meta["first_purchase"]), pd.Timestamp(meta["last_purchase"])
    return {
        "amount": bool(meta["has_amount"]),
        "truth": bool(meta["has_truth"]) and "truth_people" in tables,
        "repeat": repeat,
        "channels": channels >= 2,
        "identity": res is not None and res["method"] == "splink",
        "contacts": contacts,
        "members": has_members,
        "engagement": bool((eng.fillna(0) > 0).any()),
        "campaign": campaign,
        "history": (last - first).days >= 455,
    }


def missing(caps: dict[str, bool], *needs: str) -> list[str]:
    """The ``needs`` the data do not support."""
    unknown = [n for n in needs if n not in NEEDS]
    if unknown:
        raise KeyError(f"unknown capability {unknown[0]!r} (known: {', '.join(NEEDS)})")
    return [n for n in needs if not caps.get(n, False)]


def not_available_text(caps: dict[str, bool], *needs: str) -> str | None:
    """ "Not available for this data: needs …" when a need is missing, else None."""
    gone = missing(caps, *needs)
    if not gone:
        return None
    return "Not available for this data: needs " + "; ".join(NEEDS[n] for n in gone) + "."


def supports(caps: dict[str, bool], *needs: str) -> bool:
    """True when the data support every need; otherwise shows the one-line note (in a notebook)
    and returns False. Use as ``if datasets.supports(caps, "amount"): ...``."""
    text = not_available_text(caps, *needs)
    if text is None:
        return True
    from IPython.display import Markdown, display  # notebooks only: IPython is not needed elsewhere

    display(Markdown(f"> **{text}**"))
    return False


def describe(con) -> pd.DataFrame:
    """The dataset in a few rows, for the top of each report (no personal data)."""
    m = info(con)
    rows = {
        "data": m["description"],
        "period": f"{m['first_purchase']} to {m['last_purchase']}",
        "customers with a purchase": f"{m['customers']:,}",
        "transactions": f"{m['transactions']:,}",
        "amounts": m["currency"] if m["has_amount"] else "not in the data",
        "sources": m["sources"].replace(",", ", "),
    }
    return pd.DataFrame({"": list(rows.values())}, index=list(rows))
