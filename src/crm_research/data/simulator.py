"""A documented, seeded CRM world simulator that records the truth.

The world is a Korean online retailer whose customers leave traces in six separate systems that
never share a key (the integration problem of the background texts, docs/background.md#ko-01 and #ko-05):

========================  =======================================================================
export (file)             what it holds
========================  =======================================================================
``members.csv``           order system's member registry: name, birth date, phone, e-mail, address
``orders.csv``            order headers: member, time, amount (KRW), channel
``order_lines.csv``       order lines: product, quantity, unit price (KRW)
``shipments.csv``         logistics: order, recipient name and phone, address, shipped/delivered
``cc_customers.csv``      call-centre customer file: name, phone, sometimes birth date
``tickets.csv``           call-centre tickets: customer, time, category, handling minutes
``web_accounts.csv``      web shop accounts: login, e-mail, name, verified birth date and phone
``sessions.csv``          web logs: cookie, login (if logged in), time, pages
``email_subscribers.csv`` campaign e-mail list: e-mail, name, subscription time
``email_sends.csv``       campaign sends: e-mail, time, bounced/opened/clicked
``survey_responses.xml``  survey tool export (XML): respondent name/e-mail/phone, answers
========================  =======================================================================

**Purchases follow the BG/NBD buy-till-you-die process** (Fader, Hardie & Lee 2005): person *i*
is acquired at a uniformly drawn date with a first purchase; while alive, repeat purchases arrive
as a Poisson process with rate λ_i (per day); after each repeat purchase the person drops out for
good with probability p_i. Per latent segment, λ ~ Gamma(r, α) and p ~ Beta(a, b). Spend per
order follows the Gamma-Gamma model: z ~ Gamma(p_spend, ν_i), ν_i ~ Gamma(q_spend, γ).
The *true churn date* is the time of the purchase after which the person dropped out (empty if
alive at the export date).

**Identity noise** as real systems have it: a share of people register twice in the order system,
names carry one-syllable keying errors, fields are missing, e-mail addresses change (old ones
bounce), and records copied from older systems keep retired 011/016/017/018/019 mobile numbers or
a landline. A small share of transaction rows is corrupted (negative or absurd amounts, future or
unparseable dates, duplicates) to exercise validation; which rows is recorded.

**A randomised e-mail campaign** after the export (:func:`simulate_campaign`, seeded separately):
customers are split at random into e-mailed and control; the e-mail's true effect on each
customer's 30-day purchase chance is recorded and depends on segment, purchase rate and whether
the customer is still alive (persuadables, sure things, lost causes, sleeping dogs), plus an
individual part no data shows (:func:`campaign_effects`).

**Truth** (never shown in reports): ``truth_people`` (one row per person: segment, λ, p, spend
parameters, acquisition, churn date, alive flag), ``truth_records`` (the person behind every
identity-bearing source record) and ``truth_corruptions`` (every corrupted row and how).
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crm_research.data import _korean as ko

DAY = np.timedelta64(1, "D")


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
    email_effect: float  # κ: campaign e-mail's effect on the 30-day purchase chance (see below)


DEFAULT_SEGMENTS: tuple[Segment, ...] = (
    # a latent segment is a group of similar customers: within-segment heterogeneity is moderate
    # (purchase rate Gamma shape 8, spend shape q 10); the population is heterogeneous through the
    # mixture. Mean days between purchases 18, 60, 40, 150; mean order value = spend_p *
    # spend_gamma / (spend_q - 1): 120k, 50k, 20k, 60k won
    Segment("loyal_high_value", 0.15, 8.0, 8.0 * 18, 1.0, 40.0, 6.0, 10.0, 180_000,
            (0.75, 0.20, 0.05), 1.0, 0.85, 0.50, 0.30, 38, 0.0),
    Segment("regular", 0.35, 8.0, 8.0 * 60, 1.0, 12.0, 6.0, 10.0, 75_000,
            (0.45, 0.30, 0.25), 0.8, 0.70, 0.25, 0.15, 42, 0.10),
    Segment("bargain_hunter", 0.25, 8.0, 8.0 * 40, 2.0, 10.0, 6.0, 10.0, 30_000,
            (0.15, 0.80, 0.05), 0.5, 0.95, 0.45, 0.40, 33, 0.16),
    Segment("occasional_phone", 0.25, 8.0, 8.0 * 150, 3.0, 5.0, 6.0, 10.0, 90_000,
            (0.04, 0.06, 0.90), 2.5, 0.30, 0.05, 0.05, 58, -0.06),
)  # fmt: skip

UPLIFT_TYPES = ("persuadable", "sure_thing", "lost_cause", "sleeping_dog")


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


@dataclass
class World:
    """A simulated world: raw exports per system and the truth tables."""

    config: WorldConfig
    exports: dict[str, pd.DataFrame]
    survey_xml: bytes
    truth_people: pd.DataFrame
    truth_records: pd.DataFrame
    truth_corruptions: pd.DataFrame
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def as_of(self) -> pd.Timestamp:
        """Export time: midnight after the ``end`` day (every system is dumped then)."""
        return export_time(self.config)

    def write(self, folder: str | Path) -> Path:
        """Write the exports as the systems would (CSV, UTF-8; survey as XML) plus truth Parquet."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, df in self.exports.items():
            df.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
        (folder / "survey_responses.xml").write_bytes(self.survey_xml)
        truth = folder / "truth"
        truth.mkdir(exist_ok=True)
        self.truth_people.to_parquet(truth / "people.parquet", index=False)
        self.truth_records.to_parquet(truth / "records.parquet", index=False)
        self.truth_corruptions.to_parquet(truth / "corruptions.parquet", index=False)
        return folder


def export_time(cfg: WorldConfig) -> pd.Timestamp:
    """Midnight after ``cfg.end``: the moment all systems are exported."""
    return pd.Timestamp(cfg.end) + pd.Timedelta(days=1)


def world_folder(n_people: int, seed: int) -> Path:
    """Default folder of a world's exports under ``data/simulated/``."""
    from crm_research.config import simulated_dir

    return simulated_dir() / f"world_n{n_people}_seed{seed}"


# --------------------------------------------------------------------------------------------
# helpers


def _ts(base: np.datetime64, days: np.ndarray) -> np.ndarray:
    """Timestamps (second resolution) ``days`` (float) after ``base``."""
    secs = np.round(np.asarray(days, dtype=float) * 86_400).astype("int64")
    return base.astype("datetime64[s]") + secs.astype("timedelta64[s]")


def _ids(prefix: str, n: int, width: int = 8) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def _shuffle_ids(rng: np.random.Generator, prefix: str, n: int, width: int = 8) -> np.ndarray:
    """Ids in random order, so that id order leaks nothing about the person."""
    return _ids(prefix, n, width)[rng.permutation(n)]


def _mask(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    return rng.random(n) < rate


def _blank(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = values.astype(object).copy()
    out[mask] = None
    return out


# --------------------------------------------------------------------------------------------
# people and purchases


def _people(cfg: WorldConfig, rng: np.random.Generator) -> pd.DataFrame:
    n = cfg.n_people
    segs = cfg.segments
    seg_idx = rng.choice(len(segs), size=n, p=[s.share for s in segs])
    sp = {f: np.array([getattr(s, f) for s in segs])[seg_idx] for f in
          ("r", "alpha", "a", "b", "spend_p", "spend_q", "spend_gamma", "age_mean")}  # fmt: skip
    lam = rng.gamma(sp["r"], 1.0 / sp["alpha"])  # purchases per day while alive
    p_drop = rng.beta(sp["a"], sp["b"])
    nu = rng.gamma(sp["spend_q"], 1.0 / sp["spend_gamma"])  # Gamma-Gamma: mean spend = p / nu
    start = np.datetime64(cfg.start, "D")
    acq_span = (np.datetime64(cfg.acquisition_end, "D") - start) / DAY
    acq_day = rng.uniform(0, acq_span + 1, n)
    end_day = (np.datetime64(cfg.end, "D") - start) / DAY + 1  # exports at end of `end`
    age = np.clip(rng.normal(sp["age_mean"], 9.0), 18, 85)
    birth = (np.datetime64(cfg.end, "D") - np.round(age * 365.25).astype("int64") * DAY).astype(
        "datetime64[D]"
    )
    full, given_rom, sur_rom = ko.names(rng, n)
    mobile = ko.mobile_numbers(rng, n)
    has_legacy = _mask(rng, n, cfg.legacy_phone_rate)
    legacy = np.where(has_legacy, ko.legacy_from_current(rng, mobile), None)
    email = ko.emails(rng, given_rom, sur_rom)
    email = _dedupe_emails(email)
    changed = _mask(rng, n, cfg.email_change_rate)
    # half of the changes keep the mailbox name at another provider, half are a new address
    fresh = ko.emails(rng, given_rom, sur_rom, salt=10_000)
    doms = np.array([d for d, _ in ko.EMAIL_DOMAINS], dtype=object)
    other = np.array([e.split("@")[0] for e in email], dtype=object) + "@" + doms[
        (np.searchsorted(doms, [e.split("@")[1] for e in email], sorter=np.argsort(doms)) * 0
         + rng.integers(0, len(doms), n))
    ]  # fmt: skip
    same_local = (rng.random(n) < 0.5) & (other != email)
    new_email = _dedupe_emails(np.where(same_local, other, fresh), taken=set(email))
    # a changed address's change date, uniform over the person's time in the world
    email_change_day = np.where(changed, rng.uniform(acq_day, end_day), np.nan)
    addr = ko.addresses(rng, n)
    moved = _mask(rng, n, cfg.move_rate)
    new_addr = ko.addresses(rng, n)
    move_day = np.where(moved, rng.uniform(acq_day, end_day), np.nan)
    # retired draws (an earlier, unobservable uplift type); kept so the random stream, and every
    # world figure quoted since, stay the same. Campaign effects: simulate_campaign.
    rng.random(n), rng.uniform(0.08, 0.25, n), rng.uniform(-0.15, -0.05, n), rng.normal(0, 0.005, n)
    return pd.DataFrame(
        {
            "person_id": np.arange(1, n + 1),
            "segment": np.array([s.name for s in segs], dtype=object)[seg_idx],
            "name": full,
            "given_rom": given_rom,
            "sur_rom": sur_rom,
            "birth_date": birth,
            "gender": np.where(rng.random(n) < 0.5, "F", "M"),
            "mobile": mobile,
            "legacy_mobile": legacy,
            "email": email,
            "new_email": np.where(changed, new_email, None),
            "email_change_day": email_change_day,
            "address": addr,
            "new_address": np.where(moved, new_addr, None),
            "move_day": move_day,
            "acq_day": acq_day,
            "end_day": end_day,
            "lam": lam,
            "p_drop": p_drop,
            "spend_p": sp["spend_p"],
            "nu": nu,
            "channel_mix": list(np.array([s.channel_mix for s in segs])[seg_idx]),
            "online_share": np.array([s.channel_mix[0] + s.channel_mix[1] for s in segs])[seg_idx],
            "calls_per_year": np.array([s.calls_per_year for s in segs])[seg_idx],
            "email_opt_in": np.array([s.email_opt_in for s in segs])[seg_idx],
            "open_rate": np.array([s.open_rate for s in segs])[seg_idx],
            "click_rate": np.array([s.click_rate for s in segs])[seg_idx],
        }
    )


def _dedupe_emails(emails: np.ndarray, taken: set | None = None) -> np.ndarray:
    """Make addresses unique (two people never share a mailbox in this world)."""
    seen = set(taken or ())
    out = emails.copy()
    for i, e in enumerate(out):
        k = 1
        cand = e
        while cand in seen:
            local, dom = e.split("@")
            cand = f"{local}x{k}@{dom}"
            k += 1
        seen.add(cand)
        out[i] = cand
    return out


def _purchases(people: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """BG/NBD purchase times. Returns (purchases with person row and day, churn day per person).

    Vectorised: with N ~ Poisson(λT) arrivals in (0, T] and J ~ Geometric(p) repeat purchases
    until dropout, the observed repeat purchases are the first m = min(J, N) order statistics of
    N uniforms on (0, T], drawn as T·S_k / S_{N+1} from cumulative sums S of unit exponentials.
    """
    n = len(people)
    T = people["end_day"].to_numpy() - people["acq_day"].to_numpy()
    lam = people["lam"].to_numpy()
    N = rng.poisson(lam * T)
    J = rng.geometric(people["p_drop"].to_numpy())
    m = np.minimum(J, N)
    E = rng.exponential(1.0, m.sum())
    owner = np.repeat(np.arange(n), m)
    before = np.concatenate([[0.0], np.cumsum(E)])  # sum of all draws before index k
    starts = np.cumsum(m) - m
    S = before[1:] - before[starts][owner]  # within-person cumulative sums S_1..S_m
    S_m = before[starts + m] - before[starts]
    G = rng.gamma(N + 1 - m, 1.0)  # shape >= 1
    t_rep = T[owner] * S / (S_m[owner] + G[owner])
    dropped = J <= N
    churn_t = np.full(n, np.nan)
    churn_t[dropped & (m > 0)] = (T * S_m / (S_m + G))[dropped & (m > 0)]
    acq = people["acq_day"].to_numpy()
    rows = pd.DataFrame(
        {
            "row": np.concatenate([np.arange(n), owner]),
            "day": np.concatenate([acq, acq[owner] + t_rep]),
        }
    ).sort_values(["row", "day"], kind="stable")
    return rows.reset_index(drop=True), acq + churn_t


# --------------------------------------------------------------------------------------------
# the systems


def simulate_world(n_people: int = 20_000, seed: int = 42, **overrides) -> World:
    """Simulate a CRM world of ``n_people`` people (1,000 to 1,000,000) with a fixed ``seed``.

    ``overrides`` set any other :class:`WorldConfig` field. The same arguments always give the
    same world.
    """
    cfg = WorldConfig(n_people=n_people, seed=seed, **overrides)
    rng = np.random.default_rng(cfg.seed)
    start = np.datetime64(cfg.start, "D")
    people = _people(cfg, rng)
    purchases, churn_day = _purchases(people, rng)
    end_day = people["end_day"].to_numpy()
    active_end = np.where(np.isnan(churn_day), end_day, churn_day)  # last day of activity
    records: list[pd.DataFrame] = []

    def contact_phone(rows: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Phone held by a record created on ``day``: legacy numbers linger in old records."""
        ph = people["mobile"].to_numpy()[rows].copy()
        leg = people["legacy_mobile"].to_numpy()[rows]
        stale = pd.notna(leg) & _mask(rng, len(rows), cfg.stale_phone_rate)
        ph[stale] = leg[stale]
        bad = _mask(rng, len(rows), cfg.invalid_phone_rate)
        ph[bad] = np.array([str(p)[:-1] for p in ph[bad]], dtype=object)  # a digit lost on entry
        return ph

    def contact_email(rows: np.ndarray, day: np.ndarray) -> np.ndarray:
        em = people["email"].to_numpy()[rows].copy()
        chg = people["email_change_day"].to_numpy()[rows]
        newer = ~np.isnan(chg) & (day >= chg)
        em[newer] = people["new_email"].to_numpy()[rows][newer]
        bad = _mask(rng, len(rows), cfg.invalid_email_rate)
        em[bad] = np.array([e.replace("@", "", 1) for e in em[bad]], dtype=object)
        return em

    def contact_address(rows: np.ndarray, day: np.ndarray) -> np.ndarray:
        ad = people["address"].to_numpy()[rows].copy()
        mv = people["move_day"].to_numpy()[rows]
        newer = ~np.isnan(mv) & (day >= mv)
        ad[newer] = people["new_address"].to_numpy()[rows][newer]
        return ad

    def record_name(rows: np.ndarray) -> np.ndarray:
        nm = people["name"].to_numpy()[rows]
        typo = _mask(rng, len(rows), cfg.name_typo_rate)
        nm = nm.copy()
        nm[typo] = ko.typo_name(rng, nm[typo])
        return nm

    def add_truth(source: str, ids: np.ndarray, rows: np.ndarray) -> None:
        records.append(
            pd.DataFrame(
                {
                    "source": source,
                    "record_id": ids,
                    "person_id": people["person_id"].to_numpy()[rows],
                }
            )
        )

    n = cfg.n_people
    # -- order system: members (one per person, a second registration for some) ---------------
    dup = np.flatnonzero(_mask(rng, n, cfg.duplicate_member_rate))
    m_rows = np.concatenate([np.arange(n), dup])
    acq = people["acq_day"].to_numpy()
    m_day = np.concatenate([acq, rng.uniform(acq[dup], end_day[dup])])
    m_ids = _shuffle_ids(rng, "M", len(m_rows))
    upd_day = np.minimum(m_day + rng.exponential(200, len(m_rows)), end_day[m_rows] - 0.01)
    members = pd.DataFrame(
        {
            "member_id": m_ids,
            "name": record_name(m_rows),
            "birth_date": _blank(
                pd.to_datetime(people["birth_date"].to_numpy()[m_rows])
                .strftime("%Y-%m-%d")
                .to_numpy(),
                _mask(rng, len(m_rows), cfg.missing_rate),
            ),
            "gender": people["gender"].to_numpy()[m_rows],
            "phone": _blank(
                contact_phone(m_rows, upd_day), _mask(rng, len(m_rows), cfg.missing_rate)
            ),
            "email": contact_email(m_rows, upd_day),
            "address": contact_address(m_rows, upd_day),
            "joined_at": _ts(start, m_day),
            "updated_at": _ts(start, upd_day),
        }
    )
    add_truth("members", m_ids, m_rows)

    # -- orders and lines -----------------------------------------------------------------------
    prow = purchases["row"].to_numpy()
    pday = purchases["day"].to_numpy()
    n_orders = len(prow)
    # which member account: the duplicate account takes orders after it was created, half the time
    acct = np.arange(n)[prow].copy()  # index into members rows (first n rows are main accounts)
    dup_pos = np.full(n, -1)
    dup_pos[dup] = n + np.arange(len(dup))
    has_dup = dup_pos[prow] >= 0
    use_dup = has_dup & (pday >= m_day[np.maximum(dup_pos[prow], 0)]) & (rng.random(n_orders) < 0.5)
    acct[use_dup] = dup_pos[prow][use_dup]
    order_ids = np.empty(n_orders, dtype=object)
    order_ids[np.argsort(pday, kind="stable")] = _ids("O", n_orders, 9)  # numbered in time order
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
            "ordered_at": _ts(start, pday),
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

    # -- logistics --------------------------------------------------------------------------------
    ship_day = pday + rng.uniform(0.2, 2.0, n_orders)
    gift = rng.random(n_orders) < 0.08
    gift_names, _, _ = ko.names(rng, n_orders)
    shipments = pd.DataFrame(
        {
            "shipment_id": _ids("S", n_orders, 9),
            "order_id": order_ids,
            "recipient_name": np.where(gift, gift_names, people["name"].to_numpy()[prow]),
            "recipient_phone": np.where(
                gift, ko.mobile_numbers(rng, n_orders), people["mobile"].to_numpy()[prow]
            ),
            "address": np.where(gift, ko.addresses(rng, n_orders), contact_address(prow, pday)),
            "shipped_at": _ts(start, ship_day),
            "delivered_at": _ts(start, ship_day + rng.uniform(0.5, 3.0, n_orders)),
        }
    )
    export_ts = _ts(start, end_day.max())
    # orders not yet shipped at export time have no shipment; undelivered parcels no delivery date
    shipments = shipments[shipments["shipped_at"] <= export_ts].reset_index(drop=True)
    shipments.loc[shipments["delivered_at"] > export_ts, "delivered_at"] = pd.NaT

    # -- call centre ----------------------------------------------------------------------------
    years_active = (np.minimum(active_end + 30, end_day) - acq) / 365.25
    n_calls = rng.poisson(people["calls_per_year"].to_numpy() * years_active)
    callers = np.flatnonzero(n_calls > 0)
    t_owner = np.repeat(callers, n_calls[callers])
    t_day = rng.uniform(acq[t_owner], np.minimum(active_end[t_owner] + 30, end_day[t_owner]))
    first_call = pd.Series(t_day).groupby(t_owner).min().reindex(callers).to_numpy()
    cc_ids = _shuffle_ids(rng, "CC", len(callers), 7)
    cc_phone = contact_phone(callers, first_call)
    land = _mask(rng, len(callers), cfg.landline_rate)
    cc_phone[land] = ko.landlines(rng, int(land.sum()))
    cc_customers = pd.DataFrame(
        {
            "cc_customer_id": cc_ids,
            "name": record_name(callers),
            "phone": cc_phone,
            "birth_date": _blank(
                pd.to_datetime(people["birth_date"].to_numpy()[callers])
                .strftime("%Y-%m-%d")
                .to_numpy(),
                rng.random(len(callers)) < 0.2,  # callers are verified by birth date (생년월일)
            ),
            "registered_at": _ts(start, first_call),
        }
    )
    add_truth("cc_customers", cc_ids, callers)
    cc_of = np.full(n, None, dtype=object)
    cc_of[callers] = cc_ids
    cats = np.array(["delivery", "refund", "product", "membership", "complaint"], dtype=object)
    tickets = pd.DataFrame(
        {
            "ticket_id": _ids("T", len(t_owner), 9),
            "cc_customer_id": cc_of[t_owner],
            "opened_at": _ts(start, t_day),
            "category": cats[rng.integers(0, len(cats), len(t_owner))],
            "handle_minutes": np.round(rng.gamma(2.0, 4.0, len(t_owner)), 1),
            "resolved": np.where(rng.random(len(t_owner)) < 0.9, "Y", "N"),
        }
    ).sort_values("opened_at", kind="stable", ignore_index=True)

    # -- web: accounts and sessions -------------------------------------------------------------
    web_people = np.flatnonzero(
        (people["online_share"].to_numpy() > 0.3) & _mask(rng, n, cfg.web_account_rate)
    )
    wa_ids = _shuffle_ids(rng, "W", len(web_people), 7)
    wa_day = acq[web_people] - rng.uniform(0, 20, len(web_people))
    web_accounts = pd.DataFrame(
        {
            "login_id": wa_ids,
            "email": contact_email(web_people, wa_day),
            "name": _blank(record_name(web_people), _mask(rng, len(web_people), cfg.missing_rate)),
            # mobile identity verification at sign-up (본인인증) records birth date and phone
            "birth_date": _blank(
                pd.to_datetime(people["birth_date"].to_numpy()[web_people])
                .strftime("%Y-%m-%d")
                .to_numpy(),
                _mask(rng, len(web_people), 0.1),
            ),
            "phone": _blank(contact_phone(web_people, wa_day), _mask(rng, len(web_people), 0.5)),
            "signup_at": _ts(start, np.maximum(wa_day, 0)),
        }
    )
    add_truth("web_accounts", wa_ids, web_people)
    login_of = np.full(n, None, dtype=object)
    login_of[web_people] = wa_ids
    # sessions: a few per web order, plus browsing while active
    web_order_owner = prow[web]
    s_per = 1 + rng.poisson(2.0, len(web_order_owner))
    s_owner = np.repeat(web_order_owner, s_per)
    s_day = np.repeat(pday[web], s_per) - rng.exponential(3.0, len(s_owner))
    n_cookies = 1 + rng.poisson(0.7, n)
    cookie_base = np.concatenate([[0], np.cumsum(n_cookies)[:-1]])
    cookie = cookie_base[s_owner] + rng.integers(0, n_cookies[s_owner])
    cookie_ids = _shuffle_ids(rng, "ck_", int(n_cookies.sum()), 9)[cookie]
    logged_in = pd.notna(login_of[s_owner]) & (rng.random(len(s_owner)) < 0.7)
    sessions = pd.DataFrame(
        {
            "session_id": _ids("SE", len(s_owner), 10),
            "cookie_id": cookie_ids,
            "login_id": np.where(logged_in, login_of[s_owner], None),
            "started_at": _ts(start, np.maximum(s_day, acq[s_owner] - 20).clip(min=0)),
            "pages": 1 + rng.poisson(6.0, len(s_owner)),
            "duration_s": np.round(rng.gamma(2.0, 150.0, len(s_owner))).astype("int64"),
        }
    ).sort_values("started_at", kind="stable", ignore_index=True)

    # -- e-mail list and campaign sends ---------------------------------------------------------
    # _mask(rng, n, 1.0) is always True; it stays because it advances the random stream, and
    # removing it would change every world generated since (and the figures quoted from them)
    subs = np.flatnonzero(_mask(rng, n, 1.0) & (rng.random(n) < people["email_opt_in"].to_numpy()))
    sub_day = acq[subs] + rng.exponential(10.0, len(subs))
    sub_day = np.minimum(sub_day, end_day[subs] - 1)
    sub_ids = _shuffle_ids(rng, "E", len(subs), 7)
    sub_email = contact_email(subs, sub_day)
    email_subscribers = pd.DataFrame(
        {
            "subscriber_id": sub_ids,
            "email": sub_email,
            "name": _blank(record_name(subs), _mask(rng, len(subs), 0.3)),
            "subscribed_at": _ts(start, sub_day),
        }
    )
    add_truth("email_subscribers", sub_ids, subs)
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
            "send_id": _ids("ES", len(s_person), 10),
            "campaign_id": np.char.add("C", np.char.zfill(send_camp.astype(str), 3)),
            "subscriber_id": sub_ids[send_sub],
            "email": sub_email[send_sub],
            "sent_at": _ts(start, s_dayv),
            "bounced": bounced.astype(int),
            "opened": opened.astype(int),
            "clicked": clicked.astype(int),
        }
    )

    # -- survey (XML) ---------------------------------------------------------------------------
    resp = np.flatnonzero(_mask(rng, n, cfg.survey_rate))
    r_day = rng.uniform(acq[resp], end_day[resp])
    r_ids = _ids("R", len(resp), 7)
    r_email = _blank(contact_email(resp, r_day), _mask(rng, len(resp), 0.3))
    r_phone = _blank(contact_phone(resp, r_day), _mask(rng, len(resp), 0.4))
    r_name = record_name(resp)
    alive_at_resp = r_day <= active_end[resp]
    sat = np.clip(np.round(rng.normal(np.where(alive_at_resp, 4.0, 2.8), 0.8)), 1, 5).astype(int)
    nps = np.clip(np.round(sat * 2 + rng.normal(0, 1.2, len(resp))), 0, 10).astype(int)
    root = ET.Element("survey", {"name": "customer_satisfaction", "exported": cfg.end})
    r_ts = pd.to_datetime(_ts(start, r_day)).strftime("%Y-%m-%dT%H:%M:%S")
    for i in range(len(resp)):
        el = ET.SubElement(root, "response", {"id": r_ids[i], "submitted": r_ts[i]})
        who = ET.SubElement(el, "respondent")
        ET.SubElement(who, "name").text = r_name[i]
        if pd.notna(r_email[i]):
            ET.SubElement(who, "email").text = r_email[i]
        if pd.notna(r_phone[i]):
            ET.SubElement(who, "phone").text = r_phone[i]
        ans = ET.SubElement(el, "answers")
        ET.SubElement(ans, "satisfaction").text = str(sat[i])
        ET.SubElement(ans, "nps").text = str(nps[i])
    survey_xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    add_truth("survey", r_ids, resp)

    exports = {
        "members": members,
        "orders": orders,
        "order_lines": order_lines,
        "shipments": shipments,
        "cc_customers": cc_customers,
        "tickets": tickets,
        "web_accounts": web_accounts,
        "sessions": sessions,
        "email_subscribers": email_subscribers,
        "email_sends": email_sends,
    }
    exports, corruptions = _corrupt(exports, cfg, rng)

    truth_people = pd.DataFrame(
        {
            "person_id": people["person_id"],
            "segment": people["segment"],
            "acquired_at": _ts(start, acq),
            "lambda_per_day": people["lam"],
            "p_dropout": people["p_drop"],
            "spend_p": people["spend_p"],
            "spend_nu": people["nu"],
            "mean_order_value_krw": people["spend_p"] / people["nu"],
            "churned_at": pd.to_datetime(
                np.where(
                    np.isnan(churn_day), np.datetime64("NaT"), _ts(start, np.nan_to_num(churn_day))
                )
            ),
            "alive_at_end": np.isnan(churn_day),
            "n_orders": np.bincount(prow, minlength=n),
            "has_legacy_mobile": people["legacy_mobile"].notna(),
            "email_changed": people["new_email"].notna(),
            "moved": people["new_address"].notna(),
        }
    )
    truth_records = pd.concat(records, ignore_index=True)
    return World(
        config=cfg,
        exports=exports,
        survey_xml=survey_xml,
        truth_people=truth_people,
        truth_records=truth_records,
        truth_corruptions=corruptions,
        summary={k: len(v) for k, v in exports.items()} | {"survey_responses": len(resp)},
    )


def _corrupt(
    exports: dict[str, pd.DataFrame], cfg: WorldConfig, rng: np.random.Generator
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Corrupt a small share of transaction rows the way exports go wrong; record which."""
    out = dict(exports)
    logs = []
    plans = {
        "orders": ("order_id", "ordered_at", "amount_krw"),
        "tickets": ("ticket_id", "opened_at", "handle_minutes"),
        "sessions": ("session_id", "started_at", "pages"),
    }
    kinds = np.array(["negative_amount", "absurd_amount", "future_date", "bad_date", "duplicate"])
    for table, (key, date_col, amt_col) in plans.items():
        df = out[table].copy()
        k = rng.binomial(len(df), cfg.corruption_rate)
        idx = rng.choice(len(df), size=k, replace=False)
        kind = kinds[rng.integers(0, len(kinds), k)]
        # work on numpy object arrays: setting cells of Arrow-backed columns one by one is O(n) each
        dates = pd.to_datetime(df[date_col]).dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
        amts = df[amt_col].to_numpy(dtype=object).copy()
        neg = idx[kind == "negative_amount"]
        amts[neg] = [-abs(float(a)) or -1.0 for a in amts[neg]]
        amts[idx[kind == "absurd_amount"]] = 9_999_999_999
        dates[idx[kind == "future_date"]] = "2031-01-01 00:00:00"
        dates[idx[kind == "bad_date"]] = "31/02/2024 25:61"
        df[date_col] = dates
        df[amt_col] = amts
        dups = df.iloc[idx[kind == "duplicate"]]
        df = pd.concat([df, dups], ignore_index=True)
        logs.append(
            pd.DataFrame({"table": table, "record_id": df[key].iloc[idx].to_numpy(), "kind": kind})
        )
        out[table] = df
    return out, pd.concat(logs, ignore_index=True)


def config_dict(cfg: WorldConfig) -> dict:
    """The world's parameters as plain data (for reports and provenance)."""
    d = dataclasses.asdict(cfg)
    d["segments"] = [s.name for s in cfg.segments]
    return d


def simulate_btyd_summary(
    n: int, *, r: float, alpha: float, a: float, b: float, T: float, seed: int = 0
) -> pd.DataFrame:
    """BG/NBD customers observed for ``T`` time units after their first purchase (all born at 0),
    summarised as ``frequency``, ``recency``, ``T`` (same process as the world simulator; λ ~
    Gamma(r, rate alpha) per time unit, p ~ Beta(a, b)). The ground truth for recovery tests."""
    rng = np.random.default_rng(seed)
    people = pd.DataFrame(
        {
            "acq_day": np.zeros(n),
            "end_day": np.full(n, float(T)),
            "lam": rng.gamma(r, 1.0 / alpha, n),
            "p_drop": rng.beta(a, b, n),
        }  # fmt: skip
    )
    purchases, _ = _purchases(people, rng)
    rep = purchases[purchases["day"] > 0]
    g = rep.groupby("row")["day"]
    out = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": float(T)}, index=pd.RangeIndex(n))
    out.loc[g.size().index, "frequency"] = g.size().astype(float)
    out.loc[g.max().index, "recency"] = g.max()
    return out


BTYD_PARAMS = ("r", "alpha", "a", "b")
PARETO_PARAMS = ("r", "alpha", "s", "beta")
SPEND_PARAMS = ("p", "q", "gamma")


def simulate_btyd_cohort(
    n: int,
    model: str,
    params: dict[str, float],
    *,
    spend: dict[str, float] | None = None,
    cohort_days: int = 84,
    end_day: int = 546,
    seed: int = 0,
    multipliers: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """A large BTYD cohort drawn exactly and vectorised (1M customers in about a second): the
    ground truth for parameter-recovery benchmarks.

    Customers make their first purchase on a day drawn uniformly from ``0 .. cohort_days - 1``
    and are observed until ``end_day`` (CDNOW: 12 weekly cohorts, 78 weeks). ``model="bgnbd"``
    (``params`` r, alpha, a, b): λ ~ Gamma(r, rate alpha) per week, p ~ Beta(a, b); repeat
    purchases are Poisson(λ) and the customer drops out after each with probability p, so with
    K ~ Poisson(λT) arrivals and N ~ Geometric(p) purchases before dropout, x = min(K, N) and
    the x-th of K uniform arrival times is T·Beta(x, K − x + 1). ``model="pareto"`` (r, alpha,
    s, beta): μ ~ Gamma(s, rate beta), lifetime τ ~ Exponential(μ), x ~ Poisson(λ·min(τ, T)),
    t_x = min(τ, T)·Beta(x, 1). Times are rounded to whole days, as a daily log records them.
    ``spend`` (p, q, gamma): Gamma-Gamma, ν ~ Gamma(q, rate γ), the mean of x repeat spends is
    Gamma(p·x, rate ν·x).

    ``multipliers`` (parameter name → one factor per customer) plants covariate effects: e.g.
    ``{"alpha": np.exp(-0.5 * x)}`` gives customers with x = 1 a mean purchase rate e^0.5 times
    as high (the covariate forms of :mod:`crm_research.clv_covariates`).

    Columns: ``frequency``, ``recency``, ``T`` (weeks), ``monetary_value`` (with ``spend``), and
    the truth ``true_rate`` (λ per week), ``true_dropout`` (p, or μ per week), ``true_alive``.
    """
    names = {"bgnbd": BTYD_PARAMS, "pareto": PARETO_PARAMS}
    if model not in names:
        raise ValueError(f"model must be one of {sorted(names)}, got {model!r}")
    missing = set(names[model]) - set(params) or (set(SPEND_PARAMS) - set(spend) if spend else set())  # fmt: skip
    if missing:
        raise ValueError(f"missing parameters: {sorted(missing)}")
    if not 0 < cohort_days <= end_day:
        raise ValueError("need 0 < cohort_days <= end_day")
    mult = multipliers or {}
    unknown = set(mult) - set(names[model]) - (set(SPEND_PARAMS) if spend else set())
    if unknown:
        raise ValueError(f"multipliers for unknown parameters: {sorted(unknown)}")
    params = {**params, **(spend or {})}
    for k, factor in mult.items():
        params[k] = params[k] * np.asarray(factor, dtype="float64")
    rng = np.random.default_rng(seed)
    T = (end_day - rng.integers(0, cohort_days, n)) / 7.0
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    if model == "bgnbd":
        drop = rng.beta(params["a"], params["b"], n)
        k = rng.poisson(lam * T)
        last = rng.geometric(drop)  # the repeat purchase after which the customer drops out
        x = np.minimum(k, last)
        alive = k < last
        span = T
    else:
        drop = rng.gamma(params["s"], 1.0 / params["beta"], n)
        tau = rng.exponential(1.0 / drop)
        alive = tau > T
        span = np.minimum(tau, T)
        x = rng.poisson(lam * span)
        k = x
    tx = np.where(x > 0, span * rng.beta(np.maximum(x, 1), np.maximum(k - x + 1, 1)), 0.0)
    out = pd.DataFrame(
        {
            "frequency": x.astype("float64"),
            "recency": np.round(tx * 7) / 7,
            "T": T,
            "true_rate": lam,
            "true_dropout": drop,
            "true_alive": alive,
        }
    )
    if spend:
        nu = rng.gamma(params["q"], 1.0 / params["gamma"], n)
        xs = np.maximum(x, 1)
        m = rng.gamma(params["p"] * xs, 1.0 / (nu * xs))
        out.insert(3, "monetary_value", np.where(x > 0, m, 0.0))
    out.index.name = "customer_id"
    return out


def simulate_btyd_future(
    cohort: pd.DataFrame, model: str, horizon: float, *, seed: int = 0
) -> pd.Series:
    """Repeat purchases of each customer of :func:`simulate_btyd_cohort` in the ``horizon``
    weeks after its observation ends, drawn from the customer's true state (``true_rate``,
    ``true_dropout``, ``true_alive``): the holdout truth. BG/NBD: min(Poisson(λ·horizon),
    Geometric(p)) (memoryless: the purchase after which an alive customer drops out is still
    geometric); Pareto/NBD: Poisson(λ·min(τ, horizon)), remaining lifetime τ ~ Exponential(μ)."""
    rng = np.random.default_rng(seed)
    lam, drop = cohort["true_rate"].to_numpy(), cohort["true_dropout"].to_numpy()
    if model == "bgnbd":
        k = np.minimum(rng.poisson(lam * horizon), rng.geometric(drop))
    elif model == "pareto":
        k = rng.poisson(lam * np.minimum(rng.exponential(1.0 / drop), horizon))
    else:
        raise ValueError(f"model must be one of ['bgnbd', 'pareto'], got {model!r}")
    k = np.where(cohort["true_alive"], k, 0).astype("float64")
    return pd.Series(k, index=cohort.index, name="future_purchases")


# --------------------------------------------------------------------------------------------
# the randomised e-mail campaign


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
        [tau <= -0.01, tau >= 0.02, b >= 0.5], [sleeping_dog, persuadable, sure_thing],
        default=lost_cause,
    )  # fmt: skip
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
