"""The people of the simulated world and their purchases (the BG/NBD buy-till-you-die process).

Person *i* is acquired at a uniformly drawn date with a first purchase; while alive, repeat
purchases arrive as a Poisson process with rate λ_i (per day); after each repeat purchase the
person drops out for good with probability p_i. Per latent segment, λ ~ Gamma(r, α) and
p ~ Beta(a, b); spend per order follows the Gamma-Gamma model (ν_i ~ Gamma(q, γ)). Each person
also gets a name, birth date, phone numbers, e-mail addresses and addresses, with the changes
(e-mail, moves, retired 01X numbers) that the source systems later record.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.data.simulator import korean as ko
from crm_research.data.simulator.context import DAY, draw_mask
from crm_research.data.simulator.parameters import WorldConfig

# segment parameters copied to every person
_PER_PERSON = ("r", "alpha", "a", "b", "spend_p", "spend_q", "spend_gamma", "age_mean")


def draw_people(cfg: WorldConfig, rng: np.random.Generator) -> pd.DataFrame:
    """One row per person: segment, λ (``lam``, per day), ``p_drop``, spend ``nu``, acquisition
    and export day (``acq_day``, ``end_day``, days since ``cfg.start``), identity (name, birth
    date, phones, e-mails, addresses) and its changes (``email_change_day``, ``move_day``), and
    the segment's channel and contact behaviour."""
    n = cfg.n_people
    segs = cfg.segments
    seg_idx = rng.choice(len(segs), size=n, p=[s.share for s in segs])
    sp = {f: np.array([getattr(s, f) for s in segs])[seg_idx] for f in _PER_PERSON}
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
    has_legacy = draw_mask(rng, n, cfg.legacy_phone_rate)
    legacy = np.where(has_legacy, ko.legacy_from_current(rng, mobile), None)
    email = ko.emails(rng, given_rom, sur_rom)
    email = dedupe_emails(email)
    changed = draw_mask(rng, n, cfg.email_change_rate)
    # half of the changes keep the mailbox name at another provider, half are a new address
    fresh = ko.emails(rng, given_rom, sur_rom, salt=10_000)
    doms = np.array([d for d, _ in ko.EMAIL_DOMAINS], dtype=object)
    local = np.array([e.split("@")[0] for e in email], dtype=object)
    other = local + "@" + doms[rng.integers(0, len(doms), n)]
    same_local = (rng.random(n) < 0.5) & (other != email)
    new_email = dedupe_emails(np.where(same_local, other, fresh), taken=set(email))
    # a changed address's change date, uniform over the person's time in the world
    email_change_day = np.where(changed, rng.uniform(acq_day, end_day), np.nan)
    addr = ko.addresses(rng, n)
    moved = draw_mask(rng, n, cfg.move_rate)
    new_addr = ko.addresses(rng, n)
    move_day = np.where(moved, rng.uniform(acq_day, end_day), np.nan)
    # retired draws (an earlier, unobservable uplift type); kept so the random stream, and every
    # world figure quoted since, stay the same. Campaign effects: campaign.simulate_campaign.
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


def dedupe_emails(emails: np.ndarray, taken: set | None = None) -> np.ndarray:
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


def draw_purchases(
    people: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
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
