"""The randomised e-mail campaign after the export, and each customer's true effect of it.

Customers are split at random into e-mailed and control; the e-mail's true effect on each
customer's 30-day purchase chance is recorded and depends on segment, purchase rate and whether
the customer is still alive (persuadables, sure things, lost causes, sleeping dogs), plus an
individual part no data shows. Seeded separately from the world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_research.data.simulator.parameters import DEFAULT_SEGMENTS, Segment

UPLIFT_TYPES = ("persuadable", "sure_thing", "lost_cause", "sleeping_dog")


@dataclass
class Campaign:
    """A simulated randomised campaign: what the campaign system records, and the truth."""

    data: pd.DataFrame  # index customer_id: treated (0/1), purchased (0/1), spend_krw
    truth: pd.DataFrame  # index customer_id: base_prob, true_uplift, uplift_type, ... (see below)
    start: pd.Timestamp
    window_days: int


def campaign_effects(
    customers: pd.DataFrame,
    *,
    window_days: int = 30,
    segments: tuple[Segment, ...] = DEFAULT_SEGMENTS,
    noise_sd: float = 0.5,
    seed: int = 0,
) -> pd.DataFrame:
    """True purchase chance without and with the e-mail, per customer (index kept).

    ``customers`` holds the simulator's truth per customer: ``segment``, ``lambda_per_day``,
    ``alive_at_end``. Without the e-mail an alive customer buys within ``window_days`` with
    probability b = 1 − exp(−λ·window) (a customer who has dropped out never buys: a *lost
    cause*). The e-mail changes it by τ = κ_segment · 4b(1 − b) · ε, ε log-normal with mean 1
    (sd ``noise_sd`` on the log scale): the effect is largest for customers who might or might
    not buy (b near 1/2), small for those who buy anyway (*sure things*), zero for the dropped
    out, and negative (κ < 0) for the segment that dislikes e-mail (*sleeping dogs*). So the
    effect depends on what the data shows — segment behaviour, purchase rate, recency — plus
    an individual part no data shows. Columns: ``base_prob``, ``true_uplift`` (probability
    points as a fraction), ``treated_prob``, ``uplift_type``.
    """
    rng = np.random.default_rng(seed)
    kappa = pd.Series({s.name: s.email_effect for s in segments})
    alive = customers["alive_at_end"].to_numpy(bool)
    b = np.where(alive, 1 - np.exp(-customers["lambda_per_day"].to_numpy(float) * window_days), 0.0)
    eps = np.exp(rng.normal(-(noise_sd**2) / 2, noise_sd, len(customers)))
    k = customers["segment"].map(kappa).to_numpy(float)
    tau = np.where(alive, k * 4 * b * (1 - b) * eps, 0.0)
    tau = np.clip(tau, -b, 1 - b)  # probabilities stay in [0, 1]
    persuadable, sure_thing, lost_cause, sleeping_dog = UPLIFT_TYPES
    kind = np.select(
        [tau <= -0.01, tau >= 0.02, b >= 0.5],
        [sleeping_dog, persuadable, sure_thing],
        default=lost_cause,
    )
    return pd.DataFrame(
        {"base_prob": b, "true_uplift": tau, "treated_prob": b + tau, "uplift_type": kind},
        index=customers.index,
    )


def simulate_campaign(
    customers: pd.DataFrame,
    start: str | pd.Timestamp,
    *,
    window_days: int = 30,
    treat_share: float = 0.5,
    segments: tuple[Segment, ...] = DEFAULT_SEGMENTS,
    noise_sd: float = 0.5,
    seed: int = 0,
) -> Campaign:
    """A randomised e-mail campaign sent at ``start`` to ``customers`` (index customer_id; the
    truth columns ``segment``, ``lambda_per_day``, ``alive_at_end``, ``spend_p``, ``spend_nu``).

    Exactly ``round(treat_share · n)`` customers, drawn at random, get the e-mail; the rest are
    the held-out control. Both potential outcomes are drawn from one uniform per customer
    (purchase if U < base_prob, resp. U < treated_prob, see :func:`campaign_effects`), so the
    individual effect is recorded, and the observed one is the arm's. Spend (KRW) is the value of
    the first order in the window, Gamma(spend_p, scale 1/spend_nu) as in the world, rounded to
    10 won. The truth adds ``order_value_krw`` (the customer's mean order value), ``y0``, ``y1``
    and ``true_incremental_spend_krw`` = τ × mean order value. Independent of the world's random
    stream: a campaign seed changes only the campaign.
    """
    if not 0 < treat_share < 1:
        raise ValueError(f"treat_share must be between 0 and 1, got {treat_share}")
    if customers.index.has_duplicates:
        raise ValueError("customers must have one row per customer (duplicate index values)")
    eff = campaign_effects(
        customers, window_days=window_days, segments=segments, noise_sd=noise_sd, seed=seed
    )
    rng = np.random.default_rng([seed, 1])
    n = len(customers)
    treated = np.zeros(n, dtype=int)
    treated[rng.permutation(n)[: int(round(treat_share * n))]] = 1
    u = rng.random(n)
    y0 = (u < eff["base_prob"].to_numpy()).astype(int)
    y1 = (u < eff["treated_prob"].to_numpy()).astype(int)
    y = np.where(treated == 1, y1, y0)
    p, nu = customers["spend_p"].to_numpy(float), customers["spend_nu"].to_numpy(float)
    value = np.round(rng.gamma(p, 1.0 / nu) / 10) * 10
    data = pd.DataFrame(
        {"treated": treated, "purchased": y, "spend_krw": np.where(y == 1, value, 0.0)},
        index=customers.index,
    )
    truth = eff.assign(
        segment=customers["segment"].to_numpy(),
        alive_at_start=customers["alive_at_end"].to_numpy(bool),
        order_value_krw=p / nu,
        y0=y0,
        y1=y1,
    )
    truth["true_incremental_spend_krw"] = truth["true_uplift"] * truth["order_value_krw"]
    return Campaign(data=data, truth=truth, start=pd.Timestamp(start), window_days=window_days)
