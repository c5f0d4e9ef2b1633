"""The simulated world's parameters: latent customer segments and :class:`WorldConfig`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crm_research.config import simulated_dir


@dataclass(frozen=True)
class Segment:
    """Latent customer segment: behaviour parameters (rates per day, amounts in KRW)."""

    name: str
    share: float
    r: float  # Gamma shape of the purchase rate λ (per day)
    alpha: float  # Gamma rate of λ: mean λ = r / alpha
    a: float  # Beta(a, b) dropout probability after each repeat purchase
    b: float
    spend_p: float  # Gamma-Gamma spend: shape per order
    spend_q: float  # shape of the person's ν
    spend_gamma: float  # scale of ν: mean order value = p * gamma / (q - 1)
    channel_mix: tuple[float, float, float]  # shares of orders placed on web, app, phone
    calls_per_year: float  # call-centre tickets per active year
    email_opt_in: float  # probability of being on the e-mail list
    open_rate: float
    click_rate: float  # clicks per open
    age_mean: float
    email_effect: float  # κ: the campaign e-mail's effect on the 30-day purchase chance


# a latent segment is a group of similar customers: within-segment heterogeneity is moderate
# (purchase rate Gamma shape 8, spend shape q 10); the population is heterogeneous through the
# mixture. Mean days between purchases 18, 60, 40, 150; mean order value = spend_p *
# spend_gamma / (spend_q - 1): 120k, 50k, 20k, 60k won
DEFAULT_SEGMENTS: tuple[Segment, ...] = (
    Segment(
        name="loyal_high_value",
        share=0.15,
        r=8.0,
        alpha=8.0 * 18,
        a=1.0,
        b=40.0,
        spend_p=6.0,
        spend_q=10.0,
        spend_gamma=180_000,
        channel_mix=(0.75, 0.20, 0.05),
        calls_per_year=1.0,
        email_opt_in=0.85,
        open_rate=0.50,
        click_rate=0.30,
        age_mean=38,
        email_effect=0.0,
    ),
    Segment(
        name="regular",
        share=0.35,
        r=8.0,
        alpha=8.0 * 60,
        a=1.0,
        b=12.0,
        spend_p=6.0,
        spend_q=10.0,
        spend_gamma=75_000,
        channel_mix=(0.45, 0.30, 0.25),
        calls_per_year=0.8,
        email_opt_in=0.70,
        open_rate=0.25,
        click_rate=0.15,
        age_mean=42,
        email_effect=0.10,
    ),
    Segment(
        name="bargain_hunter",
        share=0.25,
        r=8.0,
        alpha=8.0 * 40,
        a=2.0,
        b=10.0,
        spend_p=6.0,
        spend_q=10.0,
        spend_gamma=30_000,
        channel_mix=(0.15, 0.80, 0.05),
        calls_per_year=0.5,
        email_opt_in=0.95,
        open_rate=0.45,
        click_rate=0.40,
        age_mean=33,
        email_effect=0.16,
    ),
    Segment(
        name="occasional_phone",
        share=0.25,
        r=8.0,
        alpha=8.0 * 150,
        a=3.0,
        b=5.0,
        spend_p=6.0,
        spend_q=10.0,
        spend_gamma=90_000,
        channel_mix=(0.04, 0.06, 0.90),
        calls_per_year=2.5,
        email_opt_in=0.30,
        open_rate=0.05,
        click_rate=0.05,
        age_mean=58,
        email_effect=-0.06,
    ),
)


@dataclass(frozen=True)
class WorldConfig:
    """Parameters of a simulated world. Dates are ISO strings; rates are probabilities."""

    n_people: int = 20_000
    seed: int = 42
    start: str = "2023-01-01"  # first possible acquisition
    end: str = "2025-12-31"  # export date (the systems are dumped at the end of this day)
    acquisition_end: str = "2025-09-30"  # last possible acquisition
    segments: tuple[Segment, ...] = DEFAULT_SEGMENTS
    duplicate_member_rate: float = 0.04  # second order-system registration of the same person
    name_typo_rate: float = 0.04  # per source record
    legacy_phone_rate: float = 0.10  # people who once had a 01X number
    stale_phone_rate: float = 0.6  # per record of such a person: the legacy number is kept
    landline_rate: float = 0.15  # call-centre records holding a landline (per record)
    invalid_phone_rate: float = 0.01
    email_change_rate: float = 0.20  # people who changed e-mail during the period
    invalid_email_rate: float = 0.01
    missing_rate: float = 0.05  # per optional field per record
    move_rate: float = 0.10  # people who moved house during the period
    web_account_rate: float = 0.9  # of people with web orders
    survey_rate: float = 0.10
    corruption_rate: float = 0.002  # share of orders / tickets / sessions rows corrupted
    campaigns_per_year: int = 12
    campaign_reach: float = 0.4  # share of the list sent each campaign

    def __post_init__(self) -> None:
        if not 1_000 <= self.n_people <= 1_000_000:
            raise ValueError(f"n_people must be between 1,000 and 1,000,000, got {self.n_people}")
        shares = sum(s.share for s in self.segments)
        if abs(shares - 1) > 1e-9:
            raise ValueError(f"segment shares must sum to 1, got {shares}")


def export_time(cfg: WorldConfig) -> pd.Timestamp:
    """Midnight after ``cfg.end``: the moment all systems are exported."""
    return pd.Timestamp(cfg.end) + pd.Timedelta(days=1)


def world_folder(n_people: int, seed: int) -> Path:
    """Default folder of a world's exports under ``data/simulated/``."""
    return simulated_dir() / f"world_n{n_people}_seed{seed}"


def config_dict(cfg: WorldConfig) -> dict:
    """The world's parameters as plain data (for reports and provenance)."""
    d = dataclasses.asdict(cfg)
    d["segments"] = [s.name for s in cfg.segments]
    return d
