"""The simulated world: every source system simulated in turn from one seeded random stream.

:func:`simulate_world` draws the people and their purchases (:mod:`.people`), then each system
in a fixed order — members, orders and lines, shipments (:mod:`.orders`), the call centre
(:mod:`.call_centre`), web accounts and sessions (:mod:`.web`), the e-mail list and sends
(:mod:`.mailing`), the survey (:mod:`.survey`) — and corrupts a few transaction rows
(:mod:`.corruption`). The order is part of the world: the same seed gives byte-identical exports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crm_research.data.simulator.call_centre import simulate_call_centre
from crm_research.data.simulator.context import WorldContext, to_timestamps
from crm_research.data.simulator.corruption import corrupt
from crm_research.data.simulator.mailing import simulate_mailing
from crm_research.data.simulator.orders import (
    simulate_members,
    simulate_orders,
    simulate_shipments,
)
from crm_research.data.simulator.parameters import WorldConfig, export_time
from crm_research.data.simulator.people import draw_people, draw_purchases
from crm_research.data.simulator.survey import simulate_survey
from crm_research.data.simulator.web import simulate_sessions, simulate_web_accounts


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


def simulate_world(n_people: int = 20_000, seed: int = 42, **overrides) -> World:
    """Simulate a CRM world of ``n_people`` people (1,000 to 1,000,000) with a fixed ``seed``.

    ``overrides`` set any other :class:`WorldConfig` field. The same arguments always give the
    same world.
    """
    cfg = WorldConfig(n_people=n_people, seed=seed, **overrides)
    rng = np.random.default_rng(cfg.seed)
    people = draw_people(cfg, rng)
    purchases, churn_day = draw_purchases(people, rng)
    ctx = WorldContext(
        cfg=cfg,
        rng=rng,
        start=np.datetime64(cfg.start, "D"),
        people=people,
        order_row=purchases["row"].to_numpy(),
        order_day=purchases["day"].to_numpy(),
        churn_day=churn_day,
    )
    # the systems in the order they draw from the random stream: do not reorder
    members, accounts = simulate_members(ctx)
    orders, order_lines, book = simulate_orders(ctx, accounts)
    shipments = simulate_shipments(ctx, book)
    cc_customers, tickets = simulate_call_centre(ctx)
    web_accounts, login_of = simulate_web_accounts(ctx)
    sessions = simulate_sessions(ctx, login_of, book)
    email_subscribers, email_sends = simulate_mailing(ctx)
    survey_xml, n_responses = simulate_survey(ctx)
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
    exports, corruptions = corrupt(exports, cfg, rng)
    return World(
        config=cfg,
        exports=exports,
        survey_xml=survey_xml,
        truth_people=truth_people(ctx),
        truth_records=pd.concat(ctx.records, ignore_index=True),
        truth_corruptions=corruptions,
        summary={k: len(v) for k, v in exports.items()} | {"survey_responses": n_responses},
    )


def truth_people(ctx: WorldContext) -> pd.DataFrame:
    """One row per person: ``person_id``, ``segment``, ``acquired_at``, ``lambda_per_day``,
    ``p_dropout``, ``spend_p``, ``spend_nu``, ``mean_order_value_krw``, ``churned_at`` (NaT if
    alive), ``alive_at_end``, ``n_orders``, ``has_legacy_mobile``, ``email_changed``, ``moved``."""
    people, start, churn_day = ctx.people, ctx.start, ctx.churn_day
    return pd.DataFrame(
        {
            "person_id": people["person_id"],
            "segment": people["segment"],
            "acquired_at": to_timestamps(start, ctx.acq),
            "lambda_per_day": people["lam"],
            "p_dropout": people["p_drop"],
            "spend_p": people["spend_p"],
            "spend_nu": people["nu"],
            "mean_order_value_krw": people["spend_p"] / people["nu"],
            "churned_at": pd.to_datetime(
                np.where(
                    np.isnan(churn_day),
                    np.datetime64("NaT"),
                    to_timestamps(start, np.nan_to_num(churn_day)),
                )
            ),
            "alive_at_end": np.isnan(churn_day),
            "n_orders": np.bincount(ctx.order_row, minlength=ctx.n),
            "has_legacy_mobile": people["legacy_mobile"].notna(),
            "email_changed": people["new_email"].notna(),
            "moved": people["new_address"].notna(),
        }
    )
