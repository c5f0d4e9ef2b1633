"""The order system (member registry, order headers and lines) and the logistics system.

Every person has a member record; a share register a second time and place some later orders
on that duplicate account. Orders are the BG/NBD purchases of :mod:`.people`; each has one or
more lines whose prices sum to a Gamma-Gamma order value, and a parcel shipped a day or two
later (sometimes a gift to someone else).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_research.data.simulator import korean as ko
from crm_research.data.simulator.context import (
    WorldContext,
    add_truth,
    birth_dates,
    blank,
    contact_address,
    contact_email,
    contact_phone,
    draw_mask,
    make_ids,
    record_name,
    shuffled_ids,
    to_timestamps,
)


@dataclass
class MemberAccounts:
    """Member accounts: the first ``n`` rows are the people's main accounts, then duplicates."""

    ids: np.ndarray  # member_id per account
    joined_day: np.ndarray  # registration day per account
    duplicated: np.ndarray  # person rows that registered a second time


@dataclass
class OrderBook:
    """What the other systems need to know of the orders (in purchase order, not id order)."""

    ids: np.ndarray  # order_id per purchase
    online: np.ndarray  # placed on the web or in the app (leaves web-log sessions)


def simulate_members(ctx: WorldContext) -> tuple[pd.DataFrame, MemberAccounts]:
    """``members``: one per person plus a second registration for some. Columns ``member_id``,
    ``name``, ``birth_date``, ``gender``, ``phone``, ``email``, ``address`` (as of the last
    update), ``joined_at``, ``updated_at``."""
    cfg, rng, n, start = ctx.cfg, ctx.rng, ctx.n, ctx.start
    people, acq, end_day = ctx.people, ctx.acq, ctx.end_day
    dup = np.flatnonzero(draw_mask(rng, n, cfg.duplicate_member_rate))
    m_rows = np.concatenate([np.arange(n), dup])
    m_day = np.concatenate([acq, rng.uniform(acq[dup], end_day[dup])])
    m_ids = shuffled_ids(rng, "M", len(m_rows))
    upd_day = np.minimum(m_day + rng.exponential(200, len(m_rows)), end_day[m_rows] - 0.01)
    members = pd.DataFrame(
        {
            "member_id": m_ids,
            "name": record_name(ctx, m_rows),
            "birth_date": blank(
                birth_dates(ctx, m_rows), draw_mask(rng, len(m_rows), cfg.missing_rate)
            ),
            "gender": people["gender"].to_numpy()[m_rows],
            "phone": blank(
                contact_phone(ctx, m_rows, upd_day), draw_mask(rng, len(m_rows), cfg.missing_rate)
            ),
            "email": contact_email(ctx, m_rows, upd_day),
            "address": contact_address(ctx, m_rows, upd_day),
            "joined_at": to_timestamps(start, m_day),
            "updated_at": to_timestamps(start, upd_day),
        }
    )
    add_truth(ctx, "members", m_ids, m_rows)
    return members, MemberAccounts(ids=m_ids, joined_day=m_day, duplicated=dup)


def simulate_orders(
    ctx: WorldContext, accounts: MemberAccounts
) -> tuple[pd.DataFrame, pd.DataFrame, OrderBook]:
    """``orders`` (``order_id``, ``member_id``, ``ordered_at``, ``amount_krw``, ``channel``: web,
    app or phone; sorted by time) and ``order_lines`` (``order_id``, ``line_no``, ``product_id``,
    ``quantity``, ``unit_price_krw``), one order per purchase."""
    rng, n, start, people = ctx.rng, ctx.n, ctx.start, ctx.people
    dup, m_day, m_ids = accounts.duplicated, accounts.joined_day, accounts.ids
    prow, pday = ctx.order_row, ctx.order_day
    n_orders = len(prow)
    # which member account: the duplicate account takes orders after it was created, half the time
    acct = np.arange(n)[prow].copy()  # index into members rows (first n rows are main accounts)
    dup_pos = np.full(n, -1)
    dup_pos[dup] = n + np.arange(len(dup))
    has_dup = dup_pos[prow] >= 0
    use_dup = has_dup & (pday >= m_day[np.maximum(dup_pos[prow], 0)]) & (rng.random(n_orders) < 0.5)
    acct[use_dup] = dup_pos[prow][use_dup]
    order_ids = np.empty(n_orders, dtype=object)
    order_ids[np.argsort(pday, kind="stable")] = make_ids(
        "O", n_orders, 9
    )  # numbered in time order
    n_lines = 1 + rng.poisson(0.5, n_orders)
    line_order = np.repeat(np.arange(n_orders), n_lines)
    z = rng.gamma(people["spend_p"].to_numpy()[prow], 1.0 / people["nu"].to_numpy()[prow])
    w = rng.exponential(1.0, len(line_order))
    w = w / np.bincount(line_order, w)[line_order]
    qty = 1 + rng.poisson(0.3, len(line_order))
    unit = np.maximum(np.round(z[line_order] * w / qty / 100) * 100, 100)
    line_total = unit * qty
    amount = np.bincount(line_order, line_total, minlength=n_orders)
    mix = np.cumsum(np.stack(people["channel_mix"].to_numpy())[prow], axis=1)
    ch_idx = (rng.random(n_orders)[:, None] > mix).sum(axis=1).clip(max=2)
    channel = np.array(["web", "app", "phone"], dtype=object)[ch_idx]
    web = ch_idx < 2  # web and app orders leave web-log sessions
    orders = pd.DataFrame(
        {
            "order_id": order_ids,
            "member_id": m_ids[acct],
            "ordered_at": to_timestamps(start, pday),
            "amount_krw": amount.astype("int64"),
            "channel": channel,
        }
    ).sort_values("ordered_at", kind="stable", ignore_index=True)
    line_no = np.arange(len(line_order)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
    order_lines = pd.DataFrame(
        {
            "order_id": order_ids[line_order],
            "line_no": line_no,
            "product_id": np.char.add("P", rng.integers(1000, 9999, len(line_order)).astype(str)),
            "quantity": qty,
            "unit_price_krw": unit.astype("int64"),
        }
    )
    return orders, order_lines, OrderBook(ids=order_ids, online=web)


def simulate_shipments(ctx: WorldContext, book: OrderBook) -> pd.DataFrame:
    """``shipments``: ``shipment_id``, ``order_id``, ``recipient_name``, ``recipient_phone``,
    ``address``, ``shipped_at``, ``delivered_at`` (missing if not delivered by the export); 8% are
    gifts to someone else. Orders not shipped by the export have no shipment."""
    rng, start, people = ctx.rng, ctx.start, ctx.people
    prow, pday = ctx.order_row, ctx.order_day
    n_orders = len(prow)
    ship_day = pday + rng.uniform(0.2, 2.0, n_orders)
    gift = rng.random(n_orders) < 0.08
    gift_names, _, _ = ko.names(rng, n_orders)
    shipments = pd.DataFrame(
        {
            "shipment_id": make_ids("S", n_orders, 9),
            "order_id": book.ids,
            "recipient_name": np.where(gift, gift_names, people["name"].to_numpy()[prow]),
            "recipient_phone": np.where(
                gift, ko.mobile_numbers(rng, n_orders), people["mobile"].to_numpy()[prow]
            ),
            "address": np.where(
                gift, ko.addresses(rng, n_orders), contact_address(ctx, prow, pday)
            ),
            "shipped_at": to_timestamps(start, ship_day),
            "delivered_at": to_timestamps(start, ship_day + rng.uniform(0.5, 3.0, n_orders)),
        }
    )
    export_ts = to_timestamps(start, ctx.end_day.max())
    # orders not yet shipped at export time have no shipment; undelivered parcels no delivery date
    shipments = shipments[shipments["shipped_at"] <= export_ts].reset_index(drop=True)
    shipments.loc[shipments["delivered_at"] > export_ts, "delivered_at"] = pd.NaT
    return shipments
