"""The simulated campaign, where the truth is known: uplift types, checks, the study on several
campaign seeds, the next campaign's list beside its true profit, and the conclusions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.uplift.campaign import (
    CAMPAIGN_FEATURES,
    CampaignStudy,
    next_campaign,
    simulated_campaign_study,
)
from crm_research.uplift.effects import adjusted_effect, balance_table
from crm_research.uplift.learners import LEARNERS
from crm_research.uplift.policy import incremental_profit
from crm_research.uplift.studies.common import SIM_CHURN, SIM_RESPONSE


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
    c for c in CAMPAIGN_FEATURES if c not in ("log_clv", "log_monetary", "phone_share")
]


def simulated_checks(st: CampaignStudy) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """Randomisation check (balance table, joint test) and regression adjustment of the simulated
    campaign on its pre-campaign features (:data:`SIM_CHECK_FEATURES`)."""
    cols = SIM_CHECK_FEATURES
    d = st.features[cols].assign(
        purchased=st.data["purchased"],
        spend_krw=st.data["spend_krw"],
        _t=st.data["treated"].astype(float),
    )
    bal, joint = balance_table(d, d["_t"] == 1, cols)
    adj = pd.DataFrame({o: adjusted_effect(d, o, cols) for o in ["purchased", "spend_krw"]})
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
        r = simulated_campaign_study(con, truth, campaign_date, seed=s, features=features, **study)
        share = r.policies["share of truth-optimal"].copy()
        share["(chosen by Qini)"] = r.policies.loc[r.best_model, "share of truth-optimal"]
        reps[f"seed {s}"] = share
    reps = pd.DataFrame(reps).drop(index="truth-optimal")
    reps["mean"], reps["min"], reps["max"] = reps.mean(axis=1), reps.min(axis=1), reps.max(axis=1)
    return reps.sort_values("mean", ascending=False)


def simulated_next_campaign(
    st: CampaignStudy, model: str, *, seed: int = 0, campaign_date=None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The next campaign's list (:func:`crm_research.uplift.next_campaign` with ``model``, a
    learner name or "best-qini") and a table of customers e-mailed, the model's expected profit
    and the true expected profit (KRW) for the list, e-mailing everyone, and the truth-optimal
    list (every customer with a positive true expected profit)."""
    chosen = st.best_model if model == "best-qini" else model
    plan = next_campaign(
        st.features, st.data, chosen, st.econ, seed=seed, campaign_date=campaign_date
    )
    gain = pd.Series(
        incremental_profit(st.truth["true_uplift"], st.truth["order_value_krw"], st.econ),
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


def best_uplift_policy(st: CampaignStudy) -> str:
    """The learner with the highest share of the truth-optimal profit."""
    pol = st.policies
    return pol.loc[pol.index.isin(list(LEARNERS)), "share of truth-optimal"].idxmax()


def simulated_conclusions(
    st: CampaignStudy,
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
