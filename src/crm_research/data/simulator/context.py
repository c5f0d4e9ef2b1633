"""The shared state of one world's simulation, and how a person's identity enters a record.

:class:`WorldContext` holds the one random generator every source system draws from (in a fixed
order: the same seed gives the same world), the people, their purchases and the truth records
collected so far. The contact functions write a person's name, phone, e-mail and address into a
source record as it stood on the record's day, with the keying errors and stale values real
systems hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_research.data.simulator import korean as ko
from crm_research.data.simulator.parameters import WorldConfig

DAY = np.timedelta64(1, "D")


@dataclass
class WorldContext:
    """One world's simulation state. Days are floats counted from ``start`` (midnight)."""

    cfg: WorldConfig
    rng: np.random.Generator
    start: np.datetime64  # day 0
    people: pd.DataFrame  # one row per person (:func:`~.people.draw_people`)
    order_row: np.ndarray  # person row of every purchase (first purchase at acquisition included)
    order_day: np.ndarray  # day of every purchase
    churn_day: np.ndarray  # per person: day of the purchase after which they dropped out, or NaN
    records: list[pd.DataFrame] = field(default_factory=list)  # truth: person behind each record

    @property
    def n(self) -> int:
        """Number of people."""
        return self.cfg.n_people

    @property
    def acq(self) -> np.ndarray:
        """Acquisition (first purchase) day per person."""
        return self.people["acq_day"].to_numpy()

    @property
    def end_day(self) -> np.ndarray:
        """Export day per person (the end of the ``end`` day)."""
        return self.people["end_day"].to_numpy()

    @property
    def active_end(self) -> np.ndarray:
        """Last day of activity per person: the churn day, or the export day if alive."""
        return np.where(np.isnan(self.churn_day), self.end_day, self.churn_day)


def to_timestamps(base: np.datetime64, days: np.ndarray) -> np.ndarray:
    """Timestamps (second resolution) ``days`` (float) after ``base``."""
    secs = np.round(np.asarray(days, dtype=float) * 86_400).astype("int64")
    return base.astype("datetime64[s]") + secs.astype("timedelta64[s]")


def make_ids(prefix: str, n: int, width: int = 8) -> np.ndarray:
    """Ids ``prefix`` + 1..n zero-padded to ``width`` digits, in order."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def shuffled_ids(rng: np.random.Generator, prefix: str, n: int, width: int = 8) -> np.ndarray:
    """Ids in random order, so that id order leaks nothing about the person."""
    return make_ids(prefix, n, width)[rng.permutation(n)]


def draw_mask(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """``n`` independent flags, each true with probability ``rate``."""
    return rng.random(n) < rate


def blank(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``values`` as objects with the masked ones missing (None)."""
    out = values.astype(object).copy()
    out[mask] = None
    return out


def birth_dates(ctx: WorldContext, rows: np.ndarray) -> np.ndarray:
    """Birth dates (``YYYY-MM-DD`` strings) of the people in ``rows``."""
    return pd.to_datetime(ctx.people["birth_date"].to_numpy()[rows]).strftime("%Y-%m-%d").to_numpy()


def contact_phone(ctx: WorldContext, rows: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Phone held by a record created on ``day``: legacy numbers linger in old records."""
    people, cfg, rng = ctx.people, ctx.cfg, ctx.rng
    ph = people["mobile"].to_numpy()[rows].copy()
    leg = people["legacy_mobile"].to_numpy()[rows]
    stale = pd.notna(leg) & draw_mask(rng, len(rows), cfg.stale_phone_rate)
    ph[stale] = leg[stale]
    bad = draw_mask(rng, len(rows), cfg.invalid_phone_rate)
    ph[bad] = np.array([str(p)[:-1] for p in ph[bad]], dtype=object)  # a digit lost on entry
    return ph


def contact_email(ctx: WorldContext, rows: np.ndarray, day: np.ndarray) -> np.ndarray:
    """E-mail address held by a record created on ``day`` (the new one after a change)."""
    people = ctx.people
    em = people["email"].to_numpy()[rows].copy()
    chg = people["email_change_day"].to_numpy()[rows]
    newer = ~np.isnan(chg) & (day >= chg)
    em[newer] = people["new_email"].to_numpy()[rows][newer]
    bad = draw_mask(ctx.rng, len(rows), ctx.cfg.invalid_email_rate)
    em[bad] = np.array([e.replace("@", "", 1) for e in em[bad]], dtype=object)
    return em


def contact_address(ctx: WorldContext, rows: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Address held by a record created on ``day`` (the new one after a move); no draws."""
    people = ctx.people
    ad = people["address"].to_numpy()[rows].copy()
    mv = people["move_day"].to_numpy()[rows]
    newer = ~np.isnan(mv) & (day >= mv)
    ad[newer] = people["new_address"].to_numpy()[rows][newer]
    return ad


def record_name(ctx: WorldContext, rows: np.ndarray) -> np.ndarray:
    """Names of the people in ``rows`` as keyed into a record (some with a typo)."""
    nm = ctx.people["name"].to_numpy()[rows]
    typo = draw_mask(ctx.rng, len(rows), ctx.cfg.name_typo_rate)
    nm = nm.copy()
    nm[typo] = ko.typo_name(ctx.rng, nm[typo])
    return nm


def add_truth(ctx: WorldContext, source: str, ids: np.ndarray, rows: np.ndarray) -> None:
    """Record the person behind each of ``source``'s records ``ids`` (truth only)."""
    ctx.records.append(
        pd.DataFrame(
            {
                "source": source,
                "record_id": ids,
                "person_id": ctx.people["person_id"].to_numpy()[rows],
            }
        )
    )
