"""The analyst's own randomised campaign (source ``campaign_assignments``): assignment, outcome and
pre-campaign features from the customer database, the Hillstrom analysis on it, the table the
run history's KPI reads, and the conclusions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from crm_research.data import datasets
from crm_research.uplift.effects import adjusted_effect, average_effects, balance_table
from crm_research.uplift.learners import LEARNERS, TLearner
from crm_research.uplift.policy import CampaignEconomics, incremental_profit, observed_profit, top_k
from crm_research.uplift.studies.common import MIN_PER_ARM, RECENCY, RESPONSE, _evaluate, money


def campaign_ids(con) -> pd.DataFrame:
    """Campaigns in ``src_campaign_assignments``: customers assigned, share treated, first and
    last assignment; latest first."""
    ca = con.table("src_campaign_assignments")
    out = (
        ca.group_by("campaign_id")
        .aggregate(
            assigned=ca.count(),
            treated_share=ca.treated.cast("float64").mean(),
            first_assigned=ca.assigned_at.min(),
            last_assigned=ca.assigned_at.max(),
        )
        .to_pandas()
    )
    return out.sort_values(["last_assigned", "campaign_id"], ascending=False, ignore_index=True)


def own_campaign(con, window_days: int = 30, campaign_id: str | None = None) -> pd.DataFrame:
    """One row per customer assigned in a randomised campaign of the analyst's own
    (``src_campaign_assignments``; the latest campaign unless ``campaign_id``), with its outcome
    in the ``window_days`` after the assignment and pre-campaign features.

    Members are mapped to customers through ``identity_map`` (source ``members``). A member the
    database does not know (no order, no customer record) is kept as a customer without purchases
    (``customer_id`` missing): dropping them would drop non-buyers only. A customer assigned more
    than once keeps the first assignment; one assigned to both groups is dropped
    (``attrs["conflicting"]`` counts them).

    Columns: customer_id, campaign_id, assigned_at, treated (0/1), purchased (0/1: an order in
    [assigned_at, assigned_at + window)), spend (sum of amounts in the window, dataset's currency;
    NaN without amounts), window_complete (the window ends before the data's export time),
    order_value (mean pre-campaign order value; NaN without amounts or orders) and the features
    of :func:`own_feature_columns`: log_orders_before, log_orders_last_year, log_recency_days,
    tenure_years, and with amounts log_order_value, log_spend_last_year, and with channels one
    ``share_<channel>`` per channel but the most common."""
    meta = datasets.info(con)
    ca = con.table("src_campaign_assignments")
    if campaign_id is None:
        ids = campaign_ids(con)
        if ids.empty:
            raise ValueError("no campaign assignments in the data")
        campaign_id = str(ids["campaign_id"].iloc[0])
    a = ca.filter(ca.campaign_id == campaign_id).to_pandas()
    if a.empty:
        raise ValueError(f"campaign {campaign_id!r}: no assignments")
    idm = con.table("identity_map")
    idm = idm.filter(idm.source == "members").select(
        member_id="record_id", customer_id="customer_id"
    )
    a = a.merge(idm.to_pandas(), on="member_id", how="left")
    a["treated"] = a["treated"].astype(int)
    a = a.sort_values(["assigned_at", "line"], kind="stable")
    known, unknown = a[a["customer_id"].notna()], a[a["customer_id"].isna()]
    groups = known.groupby("customer_id")["treated"].nunique()
    conflicting = groups.index[groups > 1]
    known = known[~known["customer_id"].isin(conflicting)].drop_duplicates("customer_id")
    unknown = unknown.drop_duplicates("member_id")
    rows = pd.concat([known, unknown], ignore_index=True)
    rows = rows[["customer_id", "campaign_id", "assigned_at", "treated"]]

    tx = con.table("transactions")
    at = ibis.memtable(known[["customer_id", "assigned_at"]].rename(columns={"assigned_at": "_at"}))
    j = tx.join(at, "customer_id")
    end = j._at + ibis.interval(days=int(window_days))
    year = j._at - ibis.interval(days=365)
    w = j.filter((j.ordered_at >= j._at) & (j.ordered_at < end))
    post = w.group_by("customer_id").aggregate(_n_post=w.count(), spend=w.amount.sum()).to_pandas()
    pre_t = j.filter(j.ordered_at < j._at)
    pre = (
        pre_t.group_by("customer_id")
        .aggregate(
            _n=pre_t.count(),
            _n_year=(pre_t.ordered_at >= year).sum(),
            _first=pre_t.ordered_at.min(),
            _last=pre_t.ordered_at.max(),
            _revenue=pre_t.amount.sum(),
            _n_amount=pre_t.amount.count(),
            _spend_year=pre_t.amount.sum(where=pre_t.ordered_at >= year),
            _at=pre_t._at.min(),
        )
        .to_pandas()
    )
    df = rows.merge(post, on="customer_id", how="left").merge(
        pre.drop(columns="_at"), on="customer_id", how="left"
    )
    has_amount = bool(meta["has_amount"])
    df["purchased"] = (df["_n_post"].fillna(0) > 0).astype(int)
    df["spend"] = df["spend"].fillna(0.0) if has_amount else np.nan
    export = pd.Timestamp(meta["export_time"])
    df["window_complete"] = df["assigned_at"] + pd.Timedelta(days=int(window_days)) <= export
    n = df["_n"].fillna(0)
    df["log_orders_before"] = np.log1p(n)
    df["log_orders_last_year"] = np.log1p(df["_n_year"].fillna(0))
    df["log_recency_days"] = np.log1p((df["assigned_at"] - df["_last"]).dt.total_seconds() / 86_400)
    df["tenure_years"] = ((df["assigned_at"] - df["_first"]).dt.days / 365.25).fillna(0.0)
    if has_amount:
        df["order_value"] = (df["_revenue"] / df["_n_amount"]).where(df["_n_amount"] > 0)
        df["log_order_value"] = np.log(df["order_value"].where(df["order_value"] > 0))
        df["log_spend_last_year"] = np.log1p(df["_spend_year"].fillna(0.0))
    else:
        df["order_value"] = np.nan
    df = df.join(_channel_shares(con, known))
    df = df.drop(columns=[c for c in df.columns if c.startswith("_")])
    df.attrs["conflicting"] = int(len(conflicting))
    df.attrs["window_days"] = int(window_days)
    return df


def _channel_shares(con, known: pd.DataFrame) -> pd.DataFrame:
    """Per assigned customer (rows aligned with ``known`` first, then missing), the share of
    pre-campaign orders per channel, leaving out the most common channel (the shares sum to 1);
    empty without two channels."""
    tx = con.table("transactions")
    at = ibis.memtable(known[["customer_id", "assigned_at"]].rename(columns={"assigned_at": "_at"}))
    j = tx.join(at, "customer_id")
    j = j.filter((j.ordered_at < j._at) & j.channel.notnull())
    per = j.group_by(["customer_id", "channel"]).aggregate(n=j.count()).to_pandas()
    if per["channel"].nunique() < 2:
        return pd.DataFrame(index=pd.RangeIndex(0))
    wide = per.pivot_table(index="customer_id", columns="channel", values="n", fill_value=0)
    shares = wide.div(wide.sum(axis=1), axis=0)
    shares = shares.drop(columns=per.groupby("channel")["n"].sum().idxmax())
    shares.columns = [f"share_{c}" for c in shares.columns]
    ids = pd.Series(known["customer_id"].to_numpy())
    return shares.reindex(ids).reset_index(drop=True)


def own_feature_columns(df: pd.DataFrame) -> list[str]:
    """The pre-campaign feature columns of :func:`own_campaign` that vary (constant or empty
    columns, e.g. tenure when every customer is new, are left out)."""
    base = [
        "log_orders_before",
        "log_orders_last_year",
        "log_recency_days",
        "tenure_years",
        "log_order_value",
        "log_spend_last_year",
    ]
    cols = [c for c in base if c in df] + [c for c in df if c.startswith("share_")]
    return [c for c in cols if df[c].notna().any() and df[c].nunique(dropna=True) > 1]


def campaign_results(df: pd.DataFrame) -> pd.DataFrame:
    """What the campaign system recorded (assignment and outcome per customer, no features), the
    table ``campaign_results`` the run history's KPI reads (``kpi.campaign_uplift_pts``)."""
    return df[["customer_id", "treated", "purchased", "spend"]].reset_index(drop=True)


@dataclass
class OwnCampaignStudy:
    """Everything :func:`own_campaign_study` computes (aggregates and held-out scores)."""

    data: pd.DataFrame  # own_campaign rows analysed (complete windows)
    features: list[str]
    currency: str
    window_days: int
    effects: pd.DataFrame  # purchased (and spend) with HC2 95% intervals
    balance: pd.DataFrame | None
    joint: dict | None
    adjusted: pd.DataFrame | None
    test: np.ndarray | None = None  # positions in data
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    evaluation: pd.DataFrame | None = None
    best: str | None = None
    chosen: str | None = None
    plan: pd.DataFrame | None = None  # observed incremental profit of targeting rules, held out
    econ: CampaignEconomics | None = None
    k: float = 0.3
    notes: list[str] = field(default_factory=list)


def own_campaign_study(
    df: pd.DataFrame,
    *,
    currency: str,
    econ: CampaignEconomics | None,
    model: str = "S-learner",
    k: float = 0.3,
    holdout_share: float = 0.3,
    seed: int = 0,
) -> OwnCampaignStudy:
    """The Hillstrom analysis on the analyst's campaign (``df`` from :func:`own_campaign`):
    average effects on purchase (and spend, when amounts exist) with HC2 intervals, balance
    check and regression adjustment on the pre-campaign features, learners on 1 −
    ``holdout_share`` evaluated on the rest by Qini, AUUC and uplift in the top ``k`` (beside a
    response model, days since the last purchase and random), and — with amounts and ``econ``
    (contact cost in ``currency``, margin) — the observed incremental profit on the held-out
    customers of e-mailing those the model expects to be profitable (predicted uplift × mean
    pre-campaign order value × margin > contact cost), the top ``k``, and everyone. Customers
    whose outcome window is not complete are left out. Uplift models need at least
    :data:`MIN_PER_ARM` customers per group (``notes`` says why a part is missing)."""
    notes = []
    d = df[df["window_complete"]].reset_index(drop=True)
    if len(d) < len(df):
        notes.append(
            f"{len(df) - len(d):,} customers left out: their {df.attrs.get('window_days', '')}-day window ends after the data's export"
        )
    if df.attrs.get("conflicting"):
        notes.append(f"{df.attrs['conflicting']:,} customers left out: assigned to both groups")
    has_spend = d["spend"].notna().any()
    dd = d.assign(arm=np.where(d["treated"] == 1, "e-mail", "control"))
    outcomes = ["purchased"] + (["spend"] if has_spend else [])
    eff = pd.concat([average_effects(dd, o, arm="arm") for o in outcomes], ignore_index=True)
    cols = own_feature_columns(d)
    bal = joint = adj = None
    study = OwnCampaignStudy(
        d,
        cols,
        currency,
        int(df.attrs.get("window_days", 0)),
        eff,
        bal,
        joint,
        adj,
        k=k,
        notes=notes,
    )
    if cols:
        dd["_t"] = dd["treated"].astype(float)
        study.balance, study.joint = balance_table(dd, dd["_t"] == 1, cols)
        study.adjusted = pd.DataFrame({o: adjusted_effect(dd, o, cols) for o in outcomes}).T
    n_arm = d["treated"].value_counts()
    n_test_arm = n_arm.min() * holdout_share if len(n_arm) == 2 else 0
    if not cols or n_test_arm < MIN_PER_ARM * holdout_share or d["purchased"].nunique() < 2:
        notes.append(
            f"no uplift models: they need pre-campaign features, buyers and non-buyers, and at least {MIN_PER_ARM} customers per group"
        )
        return study
    rng = np.random.default_rng([seed, 2])
    idx = rng.permutation(len(d))
    n_test = int(round(holdout_share * len(d)))
    test, train = np.sort(idx[:n_test]), np.sort(idx[n_test:])
    X = d[cols].to_numpy(float)
    t, y = d["treated"].to_numpy(), d["purchased"].to_numpy()
    scores = {
        name: L(seed=seed).fit(X[train], t[train], y[train]).predict(X[test])
        for name, L in LEARNERS.items()
    }
    on = train[t[train] == 1]
    scores[RESPONSE] = TLearner(seed=seed).base.fit(X[on], y[on]).predict_proba(X[test])[:, 1]
    recency = d["log_recency_days"].to_numpy(float)[test]
    scores[RECENCY] = np.nan_to_num(recency, nan=np.nanmax(recency, initial=0.0) + 1)
    scores["random"] = rng.random(len(test))
    study.test, study.scores = test, scores
    study.evaluation = _evaluate(y[test], t[test], scores, k)
    study.best = study.evaluation.loc[list(LEARNERS), "Qini coefficient"].idxmax()
    study.chosen = study.best if model == "best-qini" else model
    if has_spend and econ is not None:
        value = d["order_value"].fillna(d["order_value"].median()).fillna(0.0).to_numpy()[test]
        gain = incremental_profit(scores[study.chosen], value, econ)
        masks = {
            f"targeted by {study.chosen} (expected profit > 0)": gain > 0,
            f"top {k:.0%} by {study.chosen}": top_k(gain, k),
            "e-mail everyone": np.ones(len(test), bool),
        }
        s = d["spend"].to_numpy(float)[test]
        study.plan = pd.DataFrame(
            {
                "customers": {n: int(m.sum()) for n, m in masks.items()},
                f"incremental profit ({currency})": {
                    n: observed_profit(s, t[test], m, econ) for n, m in masks.items()
                },
            }
        )
        study.econ = econ
    return study


def own_conclusions(os_: OwnCampaignStudy) -> str:
    """Markdown conclusions of the analyst's own campaign (computed; currency from the data)."""
    e = os_.effects.set_index("outcome")
    p = e.loc["purchased"]
    sig = p["ci low"] > 0 or p["ci high"] < 0
    lines = [
        f"**Your campaign ({os_.data['campaign_id'].iloc[0]}, {len(os_.data):,} customers, "
        f"{int(os_.data['treated'].sum()):,} e-mailed).**\n",
        f"* The campaign changed the {os_.window_days}-day purchase rate by "
        f"{p['effect'] * 100:+.2f} points (95% CI {p['ci low'] * 100:+.2f} to "
        f"{p['ci high'] * 100:+.2f}; control rate {p['control mean']:.1%}): "
        + (
            "the interval excludes zero."
            if sig
            else "the interval includes zero, so the data cannot tell the effect from no effect."
        ),
    ]
    if "spend" in e.index:
        s = e.loc["spend"]
        lines.append(
            f"* Spend per customer changed by {money(s['effect'], os_.currency)} (95% CI "
            f"{money(s['ci low'], os_.currency)} to {money(s['ci high'], os_.currency)})."
        )
    else:
        lines.append("* Spend: not available for this data (no order amounts).")
    if os_.joint is not None:
        lines.append(
            "* Randomisation check: "
            + (
                "the groups are balanced on the pre-campaign features"
                if os_.joint["balanced"]
                else "the groups DIFFER on pre-campaign features (max |SMD| "
                f"{os_.joint['max |SMD|']:.2f}): check how the campaign was assigned"
            )
            + f"; regression adjustment narrows the purchase interval by {os_.adjusted.loc['purchased', 'interval width reduction']:.0%}."
        )
    if os_.evaluation is not None:
        ev = os_.evaluation
        lines.append(
            f"* On held-out customers the best uplift model by Qini ({os_.best}) reaches "
            f"{ev.loc[os_.best, 'Qini coefficient']:.1f} (random {ev.loc['random', 'Qini coefficient']:.1f}, "
            f"response model {ev.loc[RESPONSE, 'Qini coefficient']:.1f})."
        )
    if os_.econ is not None and "spend" in e.index:
        c, m, cur = os_.econ.contact_cost, os_.econ.margin, os_.currency
        s = e.loc["spend"]
        net = m * s["effect"] - c
        lines.append(
            f"* Economics (assumed: {money(c, cur)} per contact, {m:.0%} margin): each e-mail "
            f"returned {money(m * s['effect'], cur)} of margin (95% CI {money(m * s['ci low'], cur)}"
            f" to {money(m * s['ci high'], cur)}) for {money(c, cur)} of cost, "
            f"{money(net, cur)} net per customer e-mailed."
        )
    if os_.plan is not None:
        col = os_.plan.columns[1]
        best_rule = os_.plan[col].idxmax()
        best_val = os_.plan.loc[best_rule, col]
        n_test = int(os_.plan.loc["e-mail everyone", "customers"])
        if best_val > 0:
            txt = f"the most profitable rule is *{best_rule}* ({money(best_val, os_.currency)})"
        else:
            txt = f"no rule earns more than e-mailing nobody (best: *{best_rule}*, {money(best_val, os_.currency)})"
        lines.append(
            f"* Targeting, estimated on the {n_test:,} held-out customers (noisy at this size): "
            f"{txt}; e-mailing all of them: "
            f"{money(os_.plan.loc['e-mail everyone', col], os_.currency)}."
        )
    elif os_.evaluation is not None and os_.econ is None:
        lines.append("* Targeting economics: not available for this data (no order amounts).")
    lines += [f"* Note: {n}." for n in os_.notes]
    return "\n".join(lines) + "\n"
