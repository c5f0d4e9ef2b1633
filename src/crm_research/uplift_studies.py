"""The campaign studies of notebook 05, on top of :mod:`crm_research.uplift`.

* :func:`hillstrom_study` — the real Hillstrom e-mail campaign (reference data): effects,
  randomisation check, regression adjustment, power, uplift models on a held-out share and the
  targeting economics (US$).
* The simulated campaign, where the truth is known: :func:`uplift_types`,
  :func:`simulated_checks`, :func:`simulated_stability` (the study on several campaign seeds) and
  :func:`simulated_next_campaign` (the targeting list beside its true profit).
* The analyst's own randomised campaign (source ``campaign_assignments``):
  :func:`own_campaign` reads assignment, outcome and pre-campaign features from the customer
  database, :func:`own_campaign_study` runs the Hillstrom analysis on it, and
  :func:`campaign_results` is the table the run history's KPI reads.
* Conclusions for managers as Markdown, computed from the studies (:func:`hillstrom_conclusions`,
  :func:`simulated_conclusions`, :func:`own_conclusions`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_research import uplift

RESPONSE = "response model (P(buy | e-mailed))"
RECENCY = "churn proxy (days since last purchase)"
HILLSTROM_RESPONSE = "response model (the mistake)"
HILLSTROM_RECENCY = "churn proxy (months since last purchase)"
SIM_RESPONSE = "response model (P(buy | e-mailed) × value)"
SIM_CHURN = "churn score (1 − P(alive))"
MIN_PER_ARM = 100  # fewer customers in either group: no uplift models


def money(x: float, currency: str) -> str:
    """An amount with its currency: whole won/yen, otherwise two decimals."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.0f} {currency}" if currency in ("KRW", "JPY") else f"{x:,.2f} {currency}"


def format_p_value(p: float) -> str:
    """A p-value for a table cell: ``< 0.001`` or three decimals."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def effects_display(effects: pd.DataFrame) -> pd.DataFrame:
    """An effects table (:func:`crm_research.uplift.average_effects`) for a report: the p-value
    as text (``< 0.001``), the interval as ``95% low``/``95% high``, without the ``arm`` column when there is only one arm."""
    out = effects.assign(**{"p-value": effects["p-value"].map(format_p_value)})
    out = out.rename(columns={"ci low": "95% low", "ci high": "95% high"})
    if "arm" in out and out["arm"].nunique() <= 1:
        out = out.drop(columns="arm")
    return out


# decimals of a regression-adjustment table (uplift.regression_adjustment) in reports
ADJUSTED_DECIMALS = {
    "unadjusted effect": 4,
    "unadjusted se": 4,
    "adjusted effect": 4,
    "adjusted se": 4,
    "interval width reduction": 1,
}
# decimals of an evaluation table in reports (format_table's ``decimals``)
EVALUATION_DECIMALS = {"Qini coefficient": 1, "AUUC": 1, "normalised Qini": 3}


def evaluation_display(evaluation: pd.DataFrame) -> pd.DataFrame:
    """An evaluation table (:func:`_evaluate`, ``CampaignStudy.evaluation``) for a report: the
    uplift in the top k in percentage points (column ``uplift in top 30% (pts)``), the index
    named ``policy``."""
    top = [c for c in evaluation.columns if c.startswith("uplift in top")]
    out = evaluation.assign(**{c: evaluation[c] * 100 for c in top})
    return out.rename(columns={c: f"{c} (pts)" for c in top}).rename_axis("policy")


def _evaluate(y, t, scores: dict[str, np.ndarray], k: float) -> pd.DataFrame:
    """Qini coefficient (in responses, and as a share of the perfect model's: ``normalised
    Qini``), AUUC and uplift in the top ``k`` per policy, on held-out outcomes."""
    return pd.DataFrame(
        {
            n: {
                "Qini coefficient": uplift.qini_coefficient(y, t, s),
                "normalised Qini": uplift.normalised_qini(y, t, s),
                "AUUC": uplift.auuc(y, t, s),
                f"uplift in top {k:.0%}": uplift.uplift_at_k(y, t, s, k),
            }
            for n, s in scores.items()
        }
    ).T


# ------------------------------------------------------------------------------------------------
# Hillstrom


@dataclass
class HillstromStudy:
    """Everything :func:`hillstrom_study` computes (aggregates; Hillstrom has no customer ids)."""

    effects: pd.DataFrame  # every arm × visit, conversion, spend (US$)
    balance: pd.DataFrame
    joint: dict
    adjusted: pd.DataFrame  # per outcome: unadjusted and adjusted effect, width reduction
    base_rate: float  # control conversion rate
    power: pd.DataFrame  # customers per arm per detectable lift
    test: pd.DataFrame  # held-out customers of the analysed arm and control (``_t`` = e-mailed)
    scores: dict[str, np.ndarray]  # per policy, on ``test``
    evaluation: pd.DataFrame
    best: str  # highest held-out Qini among the learners
    chosen: str  # the model used for targeting
    plan: pd.DataFrame  # observed incremental profit (US$) of the rule vs e-mailing everyone
    campaign: str
    outcome: str
    k: float
    contact_cost: float
    value_per_visit: float


def hillstrom_study(
    campaign: str = "mens",
    outcome: str = "visit",
    *,
    model: str = "S-learner",
    k: float = 0.3,
    holdout_share: float = 0.3,
    seed: int = 0,
    contact_cost: float = 0.10,
    value_per_visit: float = 1.50,
    lifts: tuple[float, ...] = (0.002, 0.004, 0.006, 0.01),
) -> HillstromStudy:
    """The Hillstrom analysis of notebook 05 for arm ``campaign`` ("mens" or "womens") vs no
    e-mail: average effects (HC2), balance and regression adjustment on
    :data:`~crm_research.uplift.HILLSTROM_COVARIATES`, customers per arm for ``lifts`` in the
    conversion rate, every learner of :data:`~crm_research.uplift.LEARNERS` fitted on
    1 − ``holdout_share`` and evaluated on the rest (beside a response model, months since the
    last purchase and random), and the rule "e-mail when predicted uplift × ``value_per_visit``
    (US$) > ``contact_cost`` (US$)" against e-mailing everyone, from held-out outcomes.
    ``model``: a learner name or "best-qini"."""
    df = uplift.load_hillstrom()
    effects = pd.concat(
        [uplift.average_effects(df, o) for o in ["visit", "conversion", "spend"]], ignore_index=True
    )
    d = df[df["treatment"].isin([campaign, "control"])].copy()
    d["_t"] = (d["treatment"] == campaign).astype(float)
    cov = uplift.HILLSTROM_COVARIATES
    bal, joint = uplift.balance_table(d, d["_t"] == 1, cov)
    adj = pd.DataFrame(
        {o: uplift.adjusted_effect(d, o, cov) for o in ["visit", "conversion", "spend"]}
    ).T
    base = float(d.loc[d["_t"] == 0, "conversion"].mean())
    power = pd.DataFrame(
        {
            "lift (points)": [f"{x * 100:.1f}" for x in lifts],
            "customers per arm": [uplift.sample_size(base, x) for x in lifts],
        }
    )
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(d))
    cut = int((1 - holdout_share) * len(d))
    tr, te = d.iloc[idx[:cut]], d.iloc[idx[cut:]]
    Xtr, Xte = tr[cov].to_numpy(), te[cov].to_numpy()
    ttr, ytr = tr["_t"].to_numpy(), tr[outcome].to_numpy()
    scores = {
        name: L(seed=seed).fit(Xtr, ttr, ytr).predict(Xte) for name, L in uplift.LEARNERS.items()
    }
    resp = uplift.TLearner(seed=seed).fit(Xtr, ttr, ytr).m1
    scores[HILLSTROM_RESPONSE] = resp.predict_proba(Xte)[:, 1]
    scores[HILLSTROM_RECENCY] = te["recency"].to_numpy(float)
    scores["random"] = rng.random(len(te))
    ev = _evaluate(te[outcome], te["_t"], scores, k)
    best = ev.loc[list(uplift.LEARNERS), "Qini coefficient"].idxmax()
    chosen = best if model == "best-qini" else model
    target = scores[chosen] * value_per_visit > contact_cost
    econ = uplift.CampaignEconomics(contact_cost=contact_cost, margin=value_per_visit)
    y, t = te[outcome].to_numpy(float), te["_t"].to_numpy()
    plan = pd.DataFrame(
        {
            "customers": [int(target.sum()), len(te)],
            "expected incremental profit (US$)": [
                uplift.observed_profit(y, t, target, econ),
                uplift.observed_profit(y, t, np.ones(len(te), bool), econ),
            ],
        },
        index=["targeted by the model", "e-mail everyone"],
    )
    return HillstromStudy(
        effects=effects,
        balance=bal,
        joint=joint,
        adjusted=adj,
        base_rate=base,
        power=power,
        test=te,
        scores=scores,
        evaluation=ev,
        best=best,
        chosen=chosen,
        plan=plan,
        campaign=campaign,
        outcome=outcome,
        k=k,
        contact_cost=contact_cost,
        value_per_visit=value_per_visit,
    )


def hillstrom_conclusions(hs: HillstromStudy) -> str:
    """Markdown conclusions of the Hillstrom study (computed, not hard-coded)."""
    m = hs.effects.set_index(["arm", "outcome"])
    ev, plan = hs.evaluation, hs.plan
    p_model, p_all = plan["expected incremental profit (US$)"]
    n_target = int(plan["customers"].iloc[0])
    if p_model >= p_all:
        econ_txt = (
            f"targeting {n_target:,} of {len(hs.test):,} held-out customers earns "
            f"\\${p_model:,.0f} vs \\${p_all:,.0f} for e-mailing everyone"
        )
    else:
        econ_txt = (
            f"e-mailing everyone earns more (\\${p_all:,.0f} vs \\${p_model:,.0f} for the targeted "
            f"{n_target:,}): the e-mail helps nearly everyone, so at \\${hs.contact_cost:.2f} a "
            "contact targeting does not pay; it would at a higher contact cost"
        )
    ci_pos = bool((hs.effects["ci low"] > 0).all())
    arms = (
        " and ".join(
            f"the {a}'s e-mail raised two-week visits by {m.loc[(a, 'visit'), 'effect'] * 100:.1f} "
            f"percentage points and spend by \\${m.loc[(a, 'spend'), 'effect']:.2f} per customer"
            for a in ("mens", "womens")
        )
        .replace("mens's", "men's")
        .replace("womens's", "women's")
    )
    return (
        "**The real reference campaign (Hillstrom).**\n\n"
        f"* {arms[0].upper() + arms[1:]}. "
        + ("All intervals exclude zero" if ci_pos else "Not every interval excludes zero")
        + "; randomisation was "
        + ("clean." if hs.joint["balanced"] else "NOT clean (see the balance check).")
        + "\n* Pre-campaign data narrow these intervals by at most "
        f"{hs.adjusted['interval width reduction'].max():.0%}; a larger test does more (power "
        "table).\n"
        f"* On held-out customers the best uplift model by Qini ({hs.best}) reaches "
        f"{ev.loc[hs.best, 'Qini coefficient']:.1f} (random {ev.loc['random', 'Qini coefficient']:.1f}); "
        f"targeting those most likely to visit anyway (a response model) reaches "
        f"{ev.loc[HILLSTROM_RESPONSE, 'Qini coefficient']:.1f}.\n"
        f"* With the assumed economics, {econ_txt}.\n"
    )


# ------------------------------------------------------------------------------------------------
# the simulated campaign (truth known)


def uplift_types(truth: pd.DataFrame) -> pd.DataFrame:
    """Customers per true uplift type (persuadable, sure thing, ...): count, share, mean base
    purchase probability and mean true uplift (aggregates of a campaign's truth)."""
    types = truth.groupby("uplift_type").agg(
        customers=("true_uplift", "size"),
        mean_base_prob=("base_prob", "mean"),
        mean_true_uplift=("true_uplift", "mean"),
    )
    types["share"] = types["customers"] / types["customers"].sum()
    return types


# exactly collinear with others: channel shares sum to 1; log monetary = log value + log frequency
SIM_CHECK_FEATURES = [
    c for c in uplift.CAMPAIGN_FEATURES if c not in ("log_clv", "log_monetary", "phone_share")
]


def simulated_checks(st: uplift.CampaignStudy) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """Randomisation check (balance table, joint test) and regression adjustment of the simulated
    campaign on its pre-campaign features (:data:`SIM_CHECK_FEATURES`)."""
    cols = SIM_CHECK_FEATURES
    d = st.features[cols].assign(
        purchased=st.data["purchased"],
        spend_krw=st.data["spend_krw"],
        _t=st.data["treated"].astype(float),
    )
    bal, joint = uplift.balance_table(d, d["_t"] == 1, cols)
    adj = pd.DataFrame({o: uplift.adjusted_effect(d, o, cols) for o in ["purchased", "spend_krw"]})
    return bal, joint, adj.T


def simulated_stability(
    con,
    truth: pd.DataFrame,
    campaign_date,
    *,
    repeats: int = 5,
    seed: int = 0,
    features: pd.DataFrame | None = None,
    **study,
) -> pd.DataFrame:
    """Share of the truth-optimal profit per policy over ``repeats`` simulated campaigns (seeds
    ``seed`` … ``seed + repeats − 1``; new assignment, outcomes and split, same customers), with
    the learner an analyst would pick by held-out Qini ("(chosen by Qini)"), and mean, min, max.
    ``study``: keyword arguments of :func:`crm_research.uplift.simulated_campaign_study`."""
    reps = {}
    for s in range(seed, seed + repeats):
        r = uplift.simulated_campaign_study(
            con, truth, campaign_date, seed=s, features=features, **study
        )
        share = r.policies["share of truth-optimal"].copy()
        share["(chosen by Qini)"] = r.policies.loc[r.best_model, "share of truth-optimal"]
        reps[f"seed {s}"] = share
    reps = pd.DataFrame(reps).drop(index="truth-optimal")
    reps["mean"], reps["min"], reps["max"] = reps.mean(axis=1), reps.min(axis=1), reps.max(axis=1)
    return reps.sort_values("mean", ascending=False)


def simulated_next_campaign(
    st: uplift.CampaignStudy, model: str, *, seed: int = 0, campaign_date=None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The next campaign's list (:func:`crm_research.uplift.next_campaign` with ``model``, a
    learner name or "best-qini") and a table of customers e-mailed, the model's expected profit
    and the true expected profit (KRW) for the list, e-mailing everyone, and the truth-optimal
    list (every customer with a positive true expected profit)."""
    chosen = st.best_model if model == "best-qini" else model
    plan = uplift.next_campaign(
        st.features, st.data, chosen, st.econ, seed=seed, campaign_date=campaign_date
    )
    gain = pd.Series(
        uplift.incremental_profit(st.truth["true_uplift"], st.truth["order_value_krw"], st.econ),
        index=st.truth.index,
    )
    tgt = plan.loc[plan["target"], "customer_id"]
    table = pd.DataFrame(
        {
            "customers e-mailed": [len(tgt), len(plan), int((gain > 0).sum())],
            "model's expected profit (KRW)": [
                plan.loc[plan["target"], "expected_profit_krw"].sum(),
                plan["expected_profit_krw"].sum(),
                np.nan,
            ],
            "true expected profit (KRW)": [gain[tgt].sum(), gain.sum(), gain[gain > 0].sum()],
        },
        index=[
            f"targeted by {chosen}",
            "e-mail everyone",
            "truth-optimal (every profitable customer)",
        ],
    )
    return plan, table


def best_uplift_policy(st: uplift.CampaignStudy) -> str:
    """The learner with the highest share of the truth-optimal profit."""
    pol = st.policies
    return pol.loc[pol.index.isin(list(uplift.LEARNERS)), "share of truth-optimal"].idxmax()


def simulated_conclusions(
    st: uplift.CampaignStudy,
    reps: pd.DataFrame,
    next_table: pd.DataFrame,
    *,
    window_days: int,
    reference: bool,
) -> str:
    """Markdown conclusions of the simulated campaign; ``reference``: the run analyses other data
    and the simulated retailer is shown only as a reference."""
    p = st.effects.set_index("outcome").loc["purchased"]
    share = st.policies["share of truth-optimal"]
    best = best_uplift_policy(st)
    tgt_row, all_row = next_table.iloc[0], next_table.iloc[1]
    who = (
        "the simulated reference retailer (not your data)"
        if reference
        else "the simulated retailer"
    )
    k = st.k
    return (
        f"**The simulated campaign (truth known) — {who}.**\n\n"
        f"* The e-mail raised the {window_days}-day purchase rate by {p['effect'] * 100:.2f} points (95% CI {p['ci low'] * 100:.2f} to "
        f"{p['ci high'] * 100:.2f}); the true average effect is {p['true effect'] * 100:.2f} points "
        f"— {'inside' if p['covered'] else 'OUTSIDE'} the interval"
        + ("; the interval includes zero at this size" if p["ci low"] <= 0 else "")
        + ".\n"
        f"* Targeting matters more than the average: the {best} e-mailing the top {k:.0%} earns "
        f"{share[best]:.0%} of what perfect knowledge would; the response model "
        f"{share[SIM_RESPONSE]:.0%}; targeting by churn score {share[SIM_CHURN]:.0%} (it e-mails "
        f"customers who have already left); random {share['random']:.0%}. Over {reps.shape[1] - 3} "
        f"campaigns the {best} ranged {reps.loc[best, 'min']:.0%}-{reps.loc[best, 'max']:.0%}.\n"
        f"* Next campaign: e-mail the {int(tgt_row['customers e-mailed']):,} customers the model "
        f"targets; true expected profit {tgt_row['true expected profit (KRW)'] / 1e6:,.2f} M KRW vs "
        f"{all_row['true expected profit (KRW)'] / 1e6:,.2f} M KRW for e-mailing all "
        f"{int(all_row['customers e-mailed']):,} (at {st.econ.contact_cost:,.0f} KRW per e-mail and "
        f"a {st.econ.margin:.0%} margin, both assumptions).\n"
    )


# ------------------------------------------------------------------------------------------------
# the analyst's own randomised campaign


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
    import ibis

    from crm_research.data import datasets

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
    import ibis

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
    econ: uplift.CampaignEconomics | None = None
    k: float = 0.3
    notes: list[str] = field(default_factory=list)


def own_campaign_study(
    df: pd.DataFrame,
    *,
    currency: str,
    econ: uplift.CampaignEconomics | None,
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
    eff = pd.concat([uplift.average_effects(dd, o, arm="arm") for o in outcomes], ignore_index=True)
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
        study.balance, study.joint = uplift.balance_table(dd, dd["_t"] == 1, cols)
        study.adjusted = pd.DataFrame({o: uplift.adjusted_effect(dd, o, cols) for o in outcomes}).T
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
        for name, L in uplift.LEARNERS.items()
    }
    on = train[t[train] == 1]
    scores[RESPONSE] = (
        uplift.TLearner(seed=seed).base.fit(X[on], y[on]).predict_proba(X[test])[:, 1]
    )
    recency = d["log_recency_days"].to_numpy(float)[test]
    scores[RECENCY] = np.nan_to_num(recency, nan=np.nanmax(recency, initial=0.0) + 1)
    scores["random"] = rng.random(len(test))
    study.test, study.scores = test, scores
    study.evaluation = _evaluate(y[test], t[test], scores, k)
    study.best = study.evaluation.loc[list(uplift.LEARNERS), "Qini coefficient"].idxmax()
    study.chosen = study.best if model == "best-qini" else model
    if has_spend and econ is not None:
        value = d["order_value"].fillna(d["order_value"].median()).fillna(0.0).to_numpy()[test]
        gain = uplift.incremental_profit(scores[study.chosen], value, econ)
        masks = {
            f"targeted by {study.chosen} (expected profit > 0)": gain > 0,
            f"top {k:.0%} by {study.chosen}": uplift.top_k(gain, k),
            "e-mail everyone": np.ones(len(test), bool),
        }
        s = d["spend"].to_numpy(float)[test]
        study.plan = pd.DataFrame(
            {
                "customers": {n: int(m.sum()) for n, m in masks.items()},
                f"incremental profit ({currency})": {
                    n: uplift.observed_profit(s, t[test], m, econ) for n, m in masks.items()
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
