"""The web shop: its accounts and its web-log sessions.

People who order online open an account shortly before their first purchase (with mobile
identity verification, 본인인증, that records birth date and phone). Every web or app order
leaves a few sessions from one of the person's cookies, logged in most of the time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.data.simulator.context import (
    WorldContext,
    add_truth,
    birth_dates,
    blank,
    contact_email,
    contact_phone,
    draw_mask,
    make_ids,
    record_name,
    shuffled_ids,
    to_timestamps,
)
from crm_research.data.simulator.orders import OrderBook


def simulate_web_accounts(ctx: WorldContext) -> tuple[pd.DataFrame, np.ndarray]:
    """``web_accounts`` (``login_id``, ``email``, ``name``, ``birth_date``, ``phone``,
    ``signup_at``) and each person's login id (None without an account)."""
    cfg, rng, n, start, people, acq = ctx.cfg, ctx.rng, ctx.n, ctx.start, ctx.people, ctx.acq
    web_people = np.flatnonzero(
        (people["online_share"].to_numpy() > 0.3) & draw_mask(rng, n, cfg.web_account_rate)
    )
    wa_ids = shuffled_ids(rng, "W", len(web_people), 7)
    wa_day = acq[web_people] - rng.uniform(0, 20, len(web_people))
    web_accounts = pd.DataFrame(
        {
            "login_id": wa_ids,
            "email": contact_email(ctx, web_people, wa_day),
            "name": blank(
                record_name(ctx, web_people), draw_mask(rng, len(web_people), cfg.missing_rate)
            ),
            # mobile identity verification at sign-up (본인인증) records birth date and phone
            "birth_date": blank(birth_dates(ctx, web_people), draw_mask(rng, len(web_people), 0.1)),
            "phone": blank(
                contact_phone(ctx, web_people, wa_day), draw_mask(rng, len(web_people), 0.5)
            ),
            "signup_at": to_timestamps(start, np.maximum(wa_day, 0)),
        }
    )
    add_truth(ctx, "web_accounts", wa_ids, web_people)
    login_of = np.full(n, None, dtype=object)
    login_of[web_people] = wa_ids
    return web_accounts, login_of


def simulate_sessions(ctx: WorldContext, login_of: np.ndarray, book: OrderBook) -> pd.DataFrame:
    """``sessions``: ``session_id``, ``cookie_id``, ``login_id`` (when logged in),
    ``started_at``, ``pages``, ``duration_s``; a few before each web or app order, sorted by
    time."""
    rng, n, start, acq = ctx.rng, ctx.n, ctx.start, ctx.acq
    web, prow, pday = book.online, ctx.order_row, ctx.order_day
    web_order_owner = prow[web]
    s_per = 1 + rng.poisson(2.0, len(web_order_owner))
    s_owner = np.repeat(web_order_owner, s_per)
    s_day = np.repeat(pday[web], s_per) - rng.exponential(3.0, len(s_owner))
    n_cookies = 1 + rng.poisson(0.7, n)
    cookie_base = np.concatenate([[0], np.cumsum(n_cookies)[:-1]])
    cookie = cookie_base[s_owner] + rng.integers(0, n_cookies[s_owner])
    cookie_ids = shuffled_ids(rng, "ck_", int(n_cookies.sum()), 9)[cookie]
    logged_in = pd.notna(login_of[s_owner]) & (rng.random(len(s_owner)) < 0.7)
    return pd.DataFrame(
        {
            "session_id": make_ids("SE", len(s_owner), 10),
            "cookie_id": cookie_ids,
            "login_id": np.where(logged_in, login_of[s_owner], None),
            "started_at": to_timestamps(start, np.maximum(s_day, acq[s_owner] - 20).clip(min=0)),
            "pages": 1 + rng.poisson(6.0, len(s_owner)),
            "duration_s": np.round(rng.gamma(2.0, 150.0, len(s_owner))).astype("int64"),
        }
    ).sort_values("started_at", kind="stable", ignore_index=True)
