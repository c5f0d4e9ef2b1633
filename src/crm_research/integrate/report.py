"""What notebook 01 reports about a customer database, on any dataset: the exports received,
validation, identity resolution, contact freshness, and the conclusions (no personal data).

Every function takes the Ibis connection of :func:`crm_research.data.datasets.connect`.
"""

from __future__ import annotations

import pandas as pd

from crm_research.data.datasets import capabilities, info
from crm_research.integrate.contacts import reachable_shares
from crm_research.integrate.truth import scores_in_database


def load_log(con) -> pd.DataFrame:
    """Rows in, accepted and quarantined per provided source file (index: table)."""
    log = con.table("load_log").to_pandas()
    log = log[log["provided"].astype(bool)].set_index("table")
    return log[["file", "rows_in", "accepted", "quarantined", "encoding"]]


def source_columns(con) -> pd.DataFrame:
    """The columns of each provided source as received (the schema, not the content)."""
    log = load_log(con)
    cols = {
        t: ", ".join(c for c in con.table(f"src_{t}").columns if c != "line") for t in log.index
    }
    return pd.DataFrame({"columns": cols}).rename_axis("source")


def quarantine_counts(con) -> pd.DataFrame:
    """Quarantined rows by reason (rows) and source table (columns)."""
    q = con.table("quarantine")
    counts = q.group_by(["table", "reason_kind"]).aggregate(rows=q.line.nunique()).to_pandas()
    if counts.empty:
        return pd.DataFrame()
    return counts.pivot_table(index="reason_kind", columns="table", values="rows", fill_value=0)


def planted_corruptions(con) -> pd.Series:
    """Rows the simulator corrupted on purpose, per table (empty without truth)."""
    if "truth_corruptions" not in con.list_tables():
        return pd.Series(dtype="int64")
    return con.table("truth_corruptions").to_pandas().groupby("table").size()


def resolution(con) -> dict:
    """How identities were resolved: method, pairs scored, links, threshold, notes."""
    r = con.table("resolution").to_pandas().iloc[0].to_dict()
    r["notes"] = [n for n in str(r.get("notes") or "").split("\n") if n]
    return r


def truth_scores(con) -> pd.Series:
    """Pairwise precision, recall, F1, ARI and true persons of the resolution against the
    simulator's truth (simulated data only)."""
    return pd.Series(scores_in_database(con))


def records_per_customer(con) -> pd.Series:
    """Number of customers by number of source records (index: records per customer)."""
    idm = con.table("identity_map")
    per = idm.group_by("customer_id").aggregate(records=idm.count()).to_pandas()
    return per["records"].value_counts().sort_index()


def contacts(con) -> pd.DataFrame:
    """Per customer: best phone and e-mail status, reachable flags, days since update."""
    return con.table("contacts").to_pandas()


def mobile_share_by_source(con) -> pd.Series:
    """Share of records with a working 010 mobile number, per source storing phone numbers,
    and (last) the share of integrated customers with one."""
    ir = con.table("identity_records").to_pandas()[["source", "phone_class"]]
    ir = ir[ir.groupby("source")["phone_class"].transform(lambda s: s.ne("missing").any())]
    per = ir.assign(mobile=ir["phone_class"].eq("mobile_010")).groupby("source")["mobile"].mean()
    per = per.sort_values()
    per["integrated customers"] = reachable_shares(contacts(con))["sms"]
    return per


def table_sizes(
    con,
    tables=("customers", "transactions", "touchpoints", "contacts", "identity_map", "quarantine"),
) -> pd.DataFrame:
    """Rows per table of the customer database."""
    return pd.Series({t: con.table(t).count().to_pandas() for t in tables}, name="rows").to_frame()


def channel_mix(con) -> pd.DataFrame:
    """Events and customers per touch-point channel (index: channel)."""
    tp = con.table("touchpoints")
    mix = tp.group_by("channel").aggregate(events=tp.count(), customers=tp.customer_id.nunique())
    return mix.to_pandas().set_index("channel").sort_values("events", ascending=False)


def summary(con) -> dict:
    """The figures of the conclusions: raw rows, quarantined, identity records, customers,
    duplicate share, double registrations, reachability, truth scores when known."""
    log = load_log(con)
    idm = con.table("identity_map")
    n_records = int(idm.count().to_pandas())
    n_customers = int(idm.customer_id.nunique().to_pandas())
    mem = idm.filter(idm.source == "members")
    per_member = mem.group_by("customer_id").aggregate(n=mem.count()).to_pandas()
    caps = capabilities(con)
    out = {
        "info": info(con),
        "caps": caps,
        "n_files": len(log),
        "raw_rows": int(log["rows_in"].sum()),
        "quarantined": int(log["quarantined"].sum()),
        "n_records": n_records,
        "n_sources": int(idm.source.nunique().to_pandas()),
        "n_customers": n_customers,
        "dup_rate": 1 - n_customers / n_records if n_records else 0.0,
        "double_reg": float((per_member["n"] > 1).mean()) if len(per_member) else 0.0,
        "resolution": resolution(con),
        "reach": reachable_shares(contacts(con)) if caps["contacts"] else None,
        "scores": truth_scores(con) if caps["truth"] else None,
    }
    return out


def conclusions(s: dict) -> str:
    """The managers' conclusions of notebook 01 as Markdown, from :func:`summary`."""
    raw, q = s["raw_rows"], s["quarantined"]
    lines = [
        f"* We received {raw:,} rows in {s['n_files']} export(s); {q:,} ({q / raw:.2%}) were "
        "quarantined with a reason (e.g. negative or absurd amounts, impossible or future dates, "
        "duplicates) and nothing was lost: every row is either accepted or quarantined."
    ]
    res = s["resolution"]
    if res["method"] == "ids":
        lines.append(
            f"* The data identify {s['n_customers']:,} customers by their customer id. Identity "
            "resolution did not run: it needs two or more sources with names, phone numbers or "
            "e-mail addresses, so customers registered twice cannot be found."
        )
    else:
        lines.append(
            f"* The {s['n_records']:,} customer records held by {s['n_sources']} systems describe "
            f"{s['n_customers']:,} customers ({s['n_records'] / s['n_customers']:.1f} records each): "
            f"{s['dup_rate']:.0%} of the records repeat a customer another record already "
            f"describes, and {s['double_reg']:.1%} of customers registered twice in the order "
            "system itself."
        )
        if res["method"] != "splink":
            lines.append(f"* Note: {' '.join(res['notes'])}")
    sc = s["scores"]
    if sc is not None:
        extra = s["n_customers"] - int(sc["true_persons"])
        lines.append(
            f"* The simulator's truth is {int(sc['true_persons']):,} people: linking was checked "
            f"against it, pairwise F1 {sc['f1']:.3f} with precision {sc['precision']:.4f}; the "
            f'{extra:,} extra "customers" are records too thin to link (a survey answer with a '
            "common name only, a landline without birth date)."
        )
    reach = s["reach"]
    if reach is not None:
        lines.append(
            f"* {reach['sms']:.0%} of customers have a working 010 mobile number and "
            f"{reach['email']:.0%} a working e-mail address; {1 - reach['any']:.1%} cannot be "
            "reached at all. Legacy 01X numbers and bounced e-mails are the losses: a data-refresh "
            "campaign that rewards customers through the channel whose data we need is the "
            "cheapest way to win them back."
        )
    else:
        lines.append(
            "* Reachability is unknown: the data hold no contact details (phone numbers, e-mail "
            "or postal addresses)."
        )
    lines.append(
        "* Every later analysis (CLV, segments, churn, campaigns) reads this one database."
    )
    return "\n".join(lines)
