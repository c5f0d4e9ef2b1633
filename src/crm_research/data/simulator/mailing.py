"""The campaign e-mail system: its subscriber list and its sends.

People opt in at their segment's rate soon after their first purchase; the list keeps the
address given at subscription. Campaigns go out at even intervals to a random share of the list;
a send bounces when the mailbox was closed after an e-mail change or the address is invalid, and
is opened and clicked at the segment's rates (less often once the person has dropped out).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.data.simulator.context import (
    DAY,
    WorldContext,
    add_truth,
    blank,
    contact_email,
    draw_mask,
    make_ids,
    record_name,
    shuffled_ids,
    to_timestamps,
)


def simulate_mailing(ctx: WorldContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``email_subscribers`` (``subscriber_id``, ``email``, ``name``, ``subscribed_at``) and
    ``email_sends`` (``send_id``, ``campaign_id``, ``subscriber_id``, ``email``, ``sent_at``,
    ``bounced``, ``opened``, ``clicked`` as 0/1)."""
    cfg, rng, n, start, people = ctx.cfg, ctx.rng, ctx.n, ctx.start, ctx.people
    acq, end_day, active_end = ctx.acq, ctx.end_day, ctx.active_end
    # draw_mask(rng, n, 1.0) is always True; it stays because it advances the random stream, and
    # removing it would change every world generated since (and the figures quoted from them)
    subs = np.flatnonzero(
        draw_mask(rng, n, 1.0) & (rng.random(n) < people["email_opt_in"].to_numpy())
    )
    sub_day = acq[subs] + rng.exponential(10.0, len(subs))
    sub_day = np.minimum(sub_day, end_day[subs] - 1)
    sub_ids = shuffled_ids(rng, "E", len(subs), 7)
    sub_email = contact_email(ctx, subs, sub_day)
    email_subscribers = pd.DataFrame(
        {
            "subscriber_id": sub_ids,
            "email": sub_email,
            "name": blank(record_name(ctx, subs), draw_mask(rng, len(subs), 0.3)),
            "subscribed_at": to_timestamps(start, sub_day),
        }
    )
    add_truth(ctx, "email_subscribers", sub_ids, subs)
    years = (np.datetime64(cfg.end, "D") - start) / DAY / 365.25
    n_campaigns = int(round(cfg.campaigns_per_year * years))
    camp_day = (np.arange(n_campaigns) + 0.5) * (end_day.max() / n_campaigns)
    send_sub = []
    send_camp = []
    for c, d in enumerate(camp_day):
        eligible = np.flatnonzero(sub_day <= d)
        chosen = eligible[rng.random(len(eligible)) < cfg.campaign_reach]
        send_sub.append(chosen)
        send_camp.append(np.full(len(chosen), c + 1))
    send_sub = np.concatenate(send_sub) if send_sub else np.array([], dtype=int)
    send_camp = np.concatenate(send_camp) if send_camp else np.array([], dtype=int)
    s_person = subs[send_sub]
    s_dayv = camp_day[send_camp - 1]
    chg = people["email_change_day"].to_numpy()[s_person]
    # the list keeps the address given at subscription: after a change the old mailbox is closed
    stale = ~np.isnan(chg) & (s_dayv >= chg) & (sub_day[send_sub] < chg)
    invalid = np.array(["@" not in e for e in sub_email[send_sub]], dtype=bool)
    bounced = stale | invalid
    opened = ~bounced & (rng.random(len(s_person)) < people["open_rate"].to_numpy()[s_person])
    # people who have churned open less
    opened &= ~((s_dayv > active_end[s_person]) & (rng.random(len(s_person)) < 0.7))
    clicked = opened & (rng.random(len(s_person)) < people["click_rate"].to_numpy()[s_person])
    email_sends = pd.DataFrame(
        {
            "send_id": make_ids("ES", len(s_person), 10),
            "campaign_id": np.char.add("C", np.char.zfill(send_camp.astype(str), 3)),
            "subscriber_id": sub_ids[send_sub],
            "email": sub_email[send_sub],
            "sent_at": to_timestamps(start, s_dayv),
            "bounced": bounced.astype(int),
            "opened": opened.astype(int),
            "clicked": clicked.astype(int),
        }
    )
    return email_subscribers, email_sends
