"""The call-centre system: its customer file and its tickets.

People call at their segment's rate while active (and up to 30 days after dropping out); the
call centre registers a caller at the first call, with the phone they call from (sometimes a
landline) and, when verified, their birth date (생년월일).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.data.simulator import korean as ko
from crm_research.data.simulator.context import (
    WorldContext,
    add_truth,
    birth_dates,
    blank,
    contact_phone,
    draw_mask,
    make_ids,
    record_name,
    shuffled_ids,
    to_timestamps,
)

CATEGORIES = ("delivery", "refund", "product", "membership", "complaint")


def simulate_call_centre(ctx: WorldContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``cc_customers`` (``cc_customer_id``, ``name``, ``phone``, ``birth_date``,
    ``registered_at``) and ``tickets`` (``ticket_id``, ``cc_customer_id``, ``opened_at``,
    ``category``, ``handle_minutes``, ``resolved`` Y/N; sorted by time)."""
    cfg, rng, n, start, people = ctx.cfg, ctx.rng, ctx.n, ctx.start, ctx.people
    acq, end_day, active_end = ctx.acq, ctx.end_day, ctx.active_end
    years_active = (np.minimum(active_end + 30, end_day) - acq) / 365.25
    n_calls = rng.poisson(people["calls_per_year"].to_numpy() * years_active)
    callers = np.flatnonzero(n_calls > 0)
    t_owner = np.repeat(callers, n_calls[callers])
    t_day = rng.uniform(acq[t_owner], np.minimum(active_end[t_owner] + 30, end_day[t_owner]))
    first_call = pd.Series(t_day).groupby(t_owner).min().reindex(callers).to_numpy()
    cc_ids = shuffled_ids(rng, "CC", len(callers), 7)
    cc_phone = contact_phone(ctx, callers, first_call)
    land = draw_mask(rng, len(callers), cfg.landline_rate)
    cc_phone[land] = ko.landlines(rng, int(land.sum()))
    cc_customers = pd.DataFrame(
        {
            "cc_customer_id": cc_ids,
            "name": record_name(ctx, callers),
            "phone": cc_phone,
            "birth_date": blank(
                birth_dates(ctx, callers),
                rng.random(len(callers)) < 0.2,  # callers are verified by birth date (생년월일)
            ),
            "registered_at": to_timestamps(start, first_call),
        }
    )
    add_truth(ctx, "cc_customers", cc_ids, callers)
    cc_of = np.full(n, None, dtype=object)
    cc_of[callers] = cc_ids
    cats = np.array(CATEGORIES, dtype=object)
    tickets = pd.DataFrame(
        {
            "ticket_id": make_ids("T", len(t_owner), 9),
            "cc_customer_id": cc_of[t_owner],
            "opened_at": to_timestamps(start, t_day),
            "category": cats[rng.integers(0, len(cats), len(t_owner))],
            "handle_minutes": np.round(rng.gamma(2.0, 4.0, len(t_owner)), 1),
            "resolved": np.where(rng.random(len(t_owner)) < 0.9, "Y", "N"),
        }
    ).sort_values("opened_at", kind="stable", ignore_index=True)
    return cc_customers, tickets
