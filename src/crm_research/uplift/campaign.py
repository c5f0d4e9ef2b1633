"""The simulated campaign, where every customer's true effect is known
(:func:`crm_research.data.simulator.simulate_campaign`): the e-mailable list, the study that
scores every targeting policy against the truth-optimal one, and the next campaign's list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_research import clv
from crm_research.data.simulator import simulate_campaign
from crm_research.segment.features import customer_features
from crm_research.uplift.effects import average_effects
from crm_research.uplift.learners import LEARNERS, _clf
from crm_research.uplift.metrics import auuc, normalised_qini, qini_coefficient, uplift_at_k
from crm_research.uplift.policy import CampaignEconomics, incremental_profit, policy_table

CAMPAIGN_FEATURES = [
    "log_order_value",
    "log_web_orders_per_year",
    "log_app_orders_per_year",
    "log_phone_orders_per_year",
    "log_calls_per_year",
    "log_email_opens_per_year",
    "age",
    "log_recency_days",
    "log_frequency",
    "log_monetary",
    "tenure_years",
    "web_share",
    "app_share",
    "phone_share",
    "email_open_rate",
    "log_sessions_per_year",
    "log_clv",
    "p_alive",
]


def campaign_list(con, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """The customers a campaign at ``as_of`` can e-mail: those with a reachable e-mail address
    and an order before ``as_of``, with their pre-campaign features (:data:`CAMPAIGN_FEATURES`,
    from :func:`crm_research.segment.customer_features` with a BG/NBD + Gamma-Gamma CLV table).
    ``churn_score`` = 1 − P(alive) and ``order_value_krw`` = observed mean order value are added.
    Index customer_id (pseudonymous)."""
    tx = con.table("transactions")
    as_of = pd.Timestamp(as_of)
    tx = tx.filter(tx.ordered_at < as_of).to_pandas()
    ct = clv.clv_table(tx, observation_end=as_of, monetary_col="amount", money_scale=1000)
    f = customer_features(con, as_of, clv_table=ct)
    f = f[f["reachable_email"] == 1].copy()
    f["churn_score"] = 1 - f["p_alive"]
    f["order_value_krw"] = np.exp(f["log_order_value"])
    return f


@dataclass
class CampaignStudy:
    """Everything :func:`simulated_campaign_study` computes (truth only in ``truth`` and the
    policy table; never shown per customer in reports)."""

    features: pd.DataFrame
    data: pd.DataFrame  # treated, purchased, spend_krw
    truth: pd.DataFrame
    train: np.ndarray  # positions in features/data
    test: np.ndarray
    effects: pd.DataFrame  # average effects on purchase and spend with 95% intervals, and truth
    scores: dict[str, np.ndarray]  # policy scores on the held-out part (higher = target first)
    uplift_predictions: dict[str, np.ndarray]  # predicted purchase uplift, held-out part
    evaluation: pd.DataFrame  # Qini (raw, normalised), AUUC, uplift@k observed; corr. with truth
    policies: pd.DataFrame  # true incremental profit of the top k per policy
    best_model: str  # highest Qini coefficient on the held-out part (observable, not truth)
    econ: CampaignEconomics
    k: float
    extra: dict = field(default_factory=dict)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation, NaN when either side is constant (a learner that predicts one
    value on a seed has no correlation, not a division by zero)."""
    if np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def simulated_campaign_study(
    con,
    truth: pd.DataFrame,
    as_of: str | pd.Timestamp,
    *,
    k: float = 0.3,
    econ: CampaignEconomics | None = None,
    holdout_share: float = 0.3,
    window_days: int = 30,
    seed: int = 0,
    features: pd.DataFrame | None = None,
) -> CampaignStudy:
    """Run the simulated randomised e-mail campaign at ``as_of`` on every e-mailable customer
    (:func:`campaign_list`), estimate its average effects, fit every uplift learner on the
    training part and evaluate on the held-out ``holdout_share``: on observed outcomes (Qini,
    AUUC, uplift@k) and against the truth (correlation of predicted and true effects; true
    incremental profit of targeting the top ``k`` by each policy vs the truth-optimal top ``k``).

    ``truth``: the simulator's truth per customer (:func:`crm_research.integrate.customer_truth`).
    Policies rank by expected incremental profit: predicted purchase uplift × observed mean
    order value (the response model: purchase probability if e-mailed × order value; the churn
    score: 1 − P(alive); random). Seeded: the campaign, the split and the learners use ``seed``.
    ``features``: a precomputed :func:`campaign_list` (for repeated studies at one date).
    """
    econ = econ or CampaignEconomics()
    f = features if features is not None else campaign_list(con, as_of)
    camp = simulate_campaign(truth.reindex(f.index), as_of, window_days=window_days, seed=seed)
    d, tr = camp.data, camp.truth
    # did it work: effects on the whole campaign, beside the truth
    dd = d.assign(arm=np.where(d["treated"] == 1, "e-mail", "control"))
    eff = pd.concat(
        [average_effects(dd, o, arm="arm") for o in ("purchased", "spend_krw")], ignore_index=True
    )
    eff["true effect"] = [tr["true_uplift"].mean(), tr["true_incremental_spend_krw"].mean()]
    eff["covered"] = (eff["ci low"] <= eff["true effect"]) & (eff["true effect"] <= eff["ci high"])
    # for whom: learners on the training part
    rng = np.random.default_rng([seed, 2])
    idx = rng.permutation(len(f))
    n_test = int(round(holdout_share * len(f)))
    test, train = np.sort(idx[:n_test]), np.sort(idx[n_test:])
    X = f[CAMPAIGN_FEATURES].to_numpy(float)
    t, y = d["treated"].to_numpy(), d["purchased"].to_numpy()
    value = f["order_value_krw"].to_numpy()
    preds, scores = {}, {}
    for name, L in LEARNERS.items():
        preds[name] = L(seed=seed).fit(X[train], t[train], y[train]).predict(X[test])
        scores[name] = incremental_profit(preds[name], value[test], econ)
    on = train[t[train] == 1]
    resp = _clf(seed).fit(X[on], y[on]).predict_proba(X[test])[:, 1]
    scores["response model (P(buy | e-mailed) × value)"] = resp * value[test]
    scores["churn score (1 − P(alive))"] = f["churn_score"].to_numpy()[test]
    scores["random"] = rng.random(len(test))
    true_tau = tr["true_uplift"].to_numpy()[test]
    evaluation = pd.DataFrame(
        {
            name: {
                "Qini coefficient": qini_coefficient(y[test], t[test], s),
                "normalised Qini": normalised_qini(y[test], t[test], s),
                "AUUC": auuc(y[test], t[test], s),
                f"uplift in top {k:.0%}": uplift_at_k(y[test], t[test], s, k),
                "correlation with true uplift": _correlation(preds[name], true_tau)
                if name in preds
                else np.nan,
            }
            for name, s in {n: preds.get(n, s) for n, s in scores.items()}.items()
        }
    ).T
    true_profit = incremental_profit(
        tr["true_uplift"].to_numpy(), tr["order_value_krw"].to_numpy(), econ
    )
    policies = policy_table(scores, true_profit[test], k)
    best = evaluation.loc[list(LEARNERS), "Qini coefficient"].idxmax()
    return CampaignStudy(
        features=f,
        data=d,
        truth=tr,
        train=train,
        test=test,
        effects=eff,
        scores=scores,
        uplift_predictions=preds,
        evaluation=evaluation,
        policies=policies,
        best_model=best,
        econ=econ,
        k=k,
        extra={"true_profit_test": true_profit[test], "campaign_start": camp.start},
    )


def next_campaign(
    features: pd.DataFrame,
    data: pd.DataFrame,
    model: str,
    econ: CampaignEconomics,
    *,
    seed: int = 0,
    campaign_date: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Targeting list for the next campaign: ``model`` (a key of :data:`LEARNERS`) refitted on the
    whole randomised campaign (``data``: treated, purchased), applied to every customer in
    ``features``; e-mail those whose expected incremental profit (KRW, :func:`incremental_profit`
    with the observed mean order value) is positive, ranked by it. Columns: customer_id,
    predicted_uplift, expected_profit_krw, rank, target, model, campaign_date."""
    X = features[CAMPAIGN_FEATURES].to_numpy(float)
    d = data.reindex(features.index)
    fitted = LEARNERS[model](seed=seed).fit(X, d["treated"].to_numpy(), d["purchased"].to_numpy())
    u = fitted.predict(X)
    gain = incremental_profit(u, features["order_value_krw"].to_numpy(), econ)
    out = pd.DataFrame(
        {"customer_id": features.index, "predicted_uplift": u, "expected_profit_krw": gain}
    )
    out["rank"] = out["expected_profit_krw"].rank(ascending=False, method="first").astype(int)
    out["target"] = out["expected_profit_krw"] > 0
    out["model"] = model
    out["campaign_date"] = pd.Timestamp(campaign_date) if campaign_date is not None else pd.NaT
    return out.sort_values("rank", ignore_index=True)
