"""The real Hillstrom e-mail campaign (reference data): effects, randomisation check, regression
adjustment, power, uplift models on a held-out share and the targeting economics (US$).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_research.data.hillstrom import HILLSTROM_COVARIATES, load_hillstrom
from crm_research.uplift.effects import adjusted_effect, average_effects, balance_table, sample_size
from crm_research.uplift.learners import LEARNERS, TLearner
from crm_research.uplift.policy import CampaignEconomics, observed_profit
from crm_research.uplift.studies.common import HILLSTROM_RECENCY, HILLSTROM_RESPONSE, _evaluate


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
    df = load_hillstrom()
    effects = pd.concat(
        [average_effects(df, o) for o in ["visit", "conversion", "spend"]], ignore_index=True
    )
    d = df[df["treatment"].isin([campaign, "control"])].copy()
    d["_t"] = (d["treatment"] == campaign).astype(float)
    cov = HILLSTROM_COVARIATES
    bal, joint = balance_table(d, d["_t"] == 1, cov)
    adj = pd.DataFrame({o: adjusted_effect(d, o, cov) for o in ["visit", "conversion", "spend"]}).T
    base = float(d.loc[d["_t"] == 0, "conversion"].mean())
    power = pd.DataFrame(
        {
            "lift (points)": [f"{x * 100:.1f}" for x in lifts],
            "customers per arm": [sample_size(base, x) for x in lifts],
        }
    )
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(d))
    cut = int((1 - holdout_share) * len(d))
    tr, te = d.iloc[idx[:cut]], d.iloc[idx[cut:]]
    Xtr, Xte = tr[cov].to_numpy(), te[cov].to_numpy()
    ttr, ytr = tr["_t"].to_numpy(), tr[outcome].to_numpy()
    scores = {name: L(seed=seed).fit(Xtr, ttr, ytr).predict(Xte) for name, L in LEARNERS.items()}
    resp = TLearner(seed=seed).fit(Xtr, ttr, ytr).m1
    scores[HILLSTROM_RESPONSE] = resp.predict_proba(Xte)[:, 1]
    scores[HILLSTROM_RECENCY] = te["recency"].to_numpy(float)
    scores["random"] = rng.random(len(te))
    ev = _evaluate(te[outcome], te["_t"], scores, k)
    best = ev.loc[list(LEARNERS), "Qini coefficient"].idxmax()
    chosen = best if model == "best-qini" else model
    target = scores[chosen] * value_per_visit > contact_cost
    econ = CampaignEconomics(contact_cost=contact_cost, margin=value_per_visit)
    y, t = te[outcome].to_numpy(float), te["_t"].to_numpy()
    plan = pd.DataFrame(
        {
            "customers": [int(target.sum()), len(te)],
            "expected incremental profit (US$)": [
                observed_profit(y, t, target, econ),
                observed_profit(y, t, np.ones(len(te), bool), econ),
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
