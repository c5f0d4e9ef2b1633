"""The manager's view of a segmentation: segment profiles, plain-language cluster names, one
strategy per segment and the conclusions for managers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.segment.features import channel_columns


def profile(
    features: pd.DataFrame, labels, *, currency: str = "KRW", caps: dict | None = None
) -> pd.DataFrame:
    """Segment profile: size, share, revenue share, order value, purchase rate, channel mix,
    e-mail engagement, age, reachable share, and mean CLV (in ``currency``) and churn risk
    (1 − P(alive)) when the features carry them.

    Only what the data hold: money columns need amounts, channel shares channels (one column per
    channel in the features), calls and e-mail need engagement data, age members' birth dates,
    the reachable share contact data; with ``caps`` (:func:`crm_research.data.datasets.
    capabilities`) a column whose need is missing is left out even if the features carry it."""
    f = features.assign(segment=np.asarray(labels))
    g = f.groupby("segment")
    out = pd.DataFrame({"customers": g.size()})
    out["share of customers"] = out["customers"] / len(f)

    def has(col: str, need: str | None = None) -> bool:
        ok = col in f and f[col].notna().any()
        return ok and (caps is None or need is None or bool(caps.get(need, False)))

    if has("revenue", "amount"):
        out["share of revenue"] = g["revenue"].sum() / f["revenue"].sum()
        out["mean order value"] = g["revenue"].sum() / g["n_orders"].sum()
    out["orders per customer"] = g["n_orders"].mean()
    for ch in channel_columns(f) if caps is None or caps.get("channels") else []:
        out[f"{ch} share of orders"] = g[f"{ch}_share"].mean()
    if has("log_calls_per_year", "engagement"):
        out["calls per year"] = g["log_calls_per_year"].apply(lambda s: np.expm1(s).mean())
    if has("email_open_rate", "engagement"):
        out["e-mail open rate"] = g["email_open_rate"].mean()
    if has("age", "members"):
        out["mean age"] = g["age"].mean()
    if has("reachable_any", "contacts"):
        out["reachable share"] = g["reachable_any"].mean()  # by phone or e-mail
    if has("clv"):
        out[f"mean CLV ({currency})"] = g["clv"].mean()
        out["share of CLV"] = g["clv"].sum() / f["clv"].sum()
    if has("p_alive"):
        out["churn risk"] = 1 - g["p_alive"].mean()
    return out


def standardized_means(features: pd.DataFrame, labels, columns: list[str]) -> pd.DataFrame:
    """Per segment, the mean of each feature in population standard deviations (for a heat-map)."""
    z = (features[columns] - features[columns].mean()) / features[columns].std(ddof=0)
    return z.groupby(np.asarray(labels)).mean()


def name_clusters(prof: pd.DataFrame) -> pd.Series:
    """Plain-language names of fitted clusters from their profile (RFM score cells are named by
    rules in :func:`crm_research.rfm.name_segments`), deterministic: value tier (mean CLV, else
    revenue, else orders per customer against the average customer: high ≥ 2×, mid ≥ 0.5×, else
    low), main order channel (without channels: frequent or occasional buyers), and 'at risk' when
    churn risk is above the customer-weighted average."""
    clv_cols = [c for c in prof.columns if c.startswith("mean CLV")]
    if clv_cols:
        value = prof[clv_cols[0]]
    elif "share of revenue" in prof:
        value = prof["share of revenue"] / prof["customers"]
    else:  # no amounts: value is purchase frequency
        value = prof["orders per customer"]
    weights = prof["customers"] / prof["customers"].sum()
    avg = (value * weights).sum()
    tier = np.where(
        value >= 2 * avg, "high value", np.where(value >= 0.5 * avg, "mid value", "low value")
    )
    share_cols = [c for c in prof.columns if c.endswith(" share of orders")]
    if share_cols:
        channel = (
            prof[share_cols].idxmax(axis=1).str.replace(" share of orders", "", regex=False)
            + "-first"
        )
    else:  # no channels: how often they buy, against the average customer
        opc = prof["orders per customer"]
        channel = pd.Series(
            np.where(opc >= (opc * weights).sum(), "frequent", "occasional"), index=prof.index
        )
    names = pd.Series([f"{t}, {c}" for t, c in zip(tier, channel, strict=True)], index=prof.index)
    if "churn risk" in prof:
        risk_avg = (prof["churn risk"] * weights).sum()
        names = names.where(prof["churn risk"] <= risk_avg, names + ", at risk")
    # make names unique deterministically (segment order)
    dup = names.duplicated(keep=False)
    names[dup] = (
        names[dup] + " (" + names[dup].groupby(names[dup]).cumcount().add(1).astype(str) + ")"
    )
    return names


def strategy(prof: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """One action per segment, from the background texts' repertoire, with the reasoning."""
    rows = []
    for seg, p in prof.iterrows():
        name = names[seg]
        reach = p.get("reachable share", np.nan)  # unknown without contact data
        if reach < 0.8:
            action, why = (
                "data-refresh campaign",
                f"only {reach:.0%} reachable: fix contact data first (docs/background.md#ko-05)",
            )
        elif name.startswith("high value") and "at risk" in name:
            action, why = (
                "retention offer",
                "valuable and slipping away: a personal offer pays for itself",
            )
        elif name.startswith("high value"):
            action, why = (
                "leave alone (recognise, do not over-treat)",
                "loyal and valuable; over-selective treatment can alienate others "
                "(docs/background.md#ko-03)",
            )
        elif "at risk" in name and name.startswith("low value"):
            action, why = "low-cost reactivation", "little value at stake: automated e-mail only"
        elif "at risk" in name:
            action, why = "reactivation", "mid value, lapsing: a reminder with a modest incentive"
        else:
            action, why = "cross-sell / up-sell", "active, room to grow basket and frequency"
        rows.append({"segment": seg, "name": name, "action": action, "reasoning": why})
    return pd.DataFrame(rows).set_index("segment")


def value_measure(prof: pd.DataFrame) -> tuple[str, pd.Series]:
    """The best value share a profile carries: next year's CLV, else revenue, else orders."""
    if "share of CLV" in prof:
        return "next year's expected value", prof["share of CLV"]
    if "share of revenue" in prof:
        return "revenue", prof["share of revenue"]
    orders = prof["customers"] * prof["orders per customer"]
    return "purchases", orders / orders.sum()


def conclusions(
    prof: pd.DataFrame,
    plan: pd.DataFrame,
    *,
    k: int,
    method: str,
    used: list[str],
    truth_ari: float | None = None,
    rfm_ari: float | None = None,
    rfm_agreement: float | None = None,
    sampled: int | None = None,
) -> str:
    """Conclusions for managers (Markdown), from the profile, the strategy table and the scores;
    truth scores only when given (simulated data)."""
    what, share = value_measure(prof)
    top = (share / prof["share of customers"]).idxmax()  # the most valuable per customer
    label = {
        "gmm": "Gaussian mixture",
        "kmeans": "k-means",
        "minibatch_kmeans": "mini-batch k-means",
    }.get(method, method)
    lines = [
        f"* The data support **{k} customer groups** ({label}; evidence and stability above), "
        f"built from {len(used)} features the data hold: {', '.join(f'`{u}`' for u in used)}."
    ]
    if sampled:
        lines.append(
            f"* The models were fitted on a seeded sample of {sampled:,} customers and then applied to everyone."
        )
    if truth_ari is not None:
        base = (
            f", while RFM score rules alone reach only {rfm_ari:.2f}" if rfm_ari is not None else ""
        )
        lines.append(
            f"* They match the true behaviour groups of the simulated customers with ARI {truth_ari:.2f}{base}."
        )
    elif rfm_agreement is not None:
        lines.append(
            f"* Agreement with the RFM score rules of notebook 02: ARI {rfm_agreement:.2f} "
            "(1 would mean the groups only restate recency, frequency and spend)."
        )
    lines.append(
        f'* "{prof.loc[top, "name"]}" is {prof.loc[top, "share of customers"]:.0%} of customers '
        f"but {share[top]:.0%} of {what}: recognise them, do not flood them with offers."
    )
    lines.append("* One action per group (strategy table):")
    lines += [
        f"  - {r['name']} ({int(prof.loc[seg, 'customers']):,} customers): {r['action']}"
        for seg, r in plan.iterrows()
    ]
    return "\n".join(lines)
