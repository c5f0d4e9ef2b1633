"""A small own-data dataset for tests: a purchase log without amounts, channels or order ids
(customer, day), two years long, built through :mod:`crm_research.data.datasets`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

YAML = """\
name: test purchase log
as_of: 2025-01-01 00:00:00
currency: USD
sources:
  orders:
    path: purchases.csv
    columns: {customer: member_id, day: ordered_at}
    date_formats: {ordered_at: "%Y%m%d"}
"""


def write_log(folder: Path, n: int = 400, seed: int = 0) -> Path:
    """``purchases.csv`` (customer, day: 2023-01-01 to 2024-12-31) and its YAML; returns the YAML."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        first = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 180)))
        life = rng.exponential(300 if c % 2 else 900)  # two kinds of customers
        rate = rng.choice([0.01, 0.04])  # purchases per day
        t = first
        while t <= pd.Timestamp("2024-12-31") and t <= first + pd.Timedelta(days=life):
            rows.append((f"K{c:04d}", f"{t:%Y%m%d}"))
            t += pd.Timedelta(days=int(rng.exponential(1 / rate)) + 1)
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["customer", "day"]).to_csv(folder / "purchases.csv", index=False)
    cfg = folder / "log.yaml"
    cfg.write_text(YAML, encoding="utf-8")
    return cfg


def build_own_log(tmp_dir: Path) -> Path:
    """Build the test log's database under ``tmp_dir`` (its own data directory) and return its
    path; open it with :func:`crm_research.data.engine.connect`."""
    import pytest

    from crm_research.data import datasets

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CRM_RESEARCH_DATA_DIR", str(tmp_dir / "data"))
        cfg = write_log(tmp_dir / "log")
        return datasets.ensure(datasets.resolve(cfg), echo=lambda *a: None)
