"""Corruption of the exports: a small share of transaction rows goes wrong, as exports do.

Orders, tickets and sessions each lose a random share of rows to a negative or absurd amount, a
future or unparseable date, or a duplicate row; every corrupted row is recorded (truth only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.data.simulator.parameters import WorldConfig


def corrupt(
    exports: dict[str, pd.DataFrame], cfg: WorldConfig, rng: np.random.Generator
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Corrupt a small share of transaction rows the way exports go wrong. Returns the exports
    (orders, tickets and sessions replaced) and the log: ``table``, ``record_id``, ``kind``."""
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
