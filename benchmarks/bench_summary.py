"""Benchmark: per-customer BTYD summary of a 10,000,000-row, 1,000,000-customer log.

Generates the log once (Parquet, seeded), then times in this process, on the same data:
our Ibis/DuckDB summary (:func:`crm_research.rfm.btyd_summary`), a hand-written DuckDB query,
a plain vectorised pandas groupby, and ``lifetimes.utils.summary_data_from_transaction_data``
(the baseline); prints ratios, checks the results are identical to lifetimes on every column
lifetimes produces, and measures each method's peak memory (resident set) in a child process.

Then ours against the hand-written query in two cases, each ``--repeats`` times interleaved
(the machine is shared: the minimum of wall-clock and of CPU time is reported): reading the
Parquet file, and reading a table of a DuckDB database file (the customer database's case).

    python benchmarks/bench_summary.py --rows 10000000 --customers 1000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _memory import peak_rss_gib

END = pd.Timestamp("2025-12-31")


def generate(path: Path, rows: int, customers: int, seed: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    cust = rng.integers(0, customers, rows)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    secs = rng.integers(0, 2 * 365 * 86_400, rows)
    ts = start + secs.astype("timedelta64[s]")
    amount = np.round(rng.gamma(2.0, 20.0, rows), 2)
    pq.write_table(pa.table({"customer_id": cust, "ordered_at": ts, "amount": amount}), path)


def ours(path: Path, memory_limit: str = "1GB") -> pd.DataFrame:
    import ibis

    from crm_research import rfm

    con = ibis.duckdb.connect(memory_limit=memory_limit, threads=2)
    return rfm.btyd_summary(
        str(path),
        customer_col="customer_id",
        datetime_col="ordered_at",
        monetary_col="amount",
        observation_end=END,
        con=con,
    )


HAND_QUERY = """
WITH per AS (
  SELECT customer_id, CAST(ordered_at AS DATE) AS d, SUM(amount) AS v
  FROM read_parquet('{path}') WHERE CAST(ordered_at AS DATE) <= DATE '{end}'
  GROUP BY 1, 2),
c AS (
  SELECT customer_id, MIN(d) AS first_d, MAX(d) AS last_d, COUNT(*) AS n, SUM(v) AS total,
         arg_min(v, d) AS first_v FROM per GROUP BY 1)
SELECT customer_id, n - 1.0 AS frequency, CAST(last_d - first_d AS DOUBLE) AS recency,
       CAST(DATE '{end}' - first_d AS DOUBLE) AS "T",
       CASE WHEN n > 1 THEN (total - first_v) / (n - 1) ELSE 0 END AS monetary_value
FROM c
"""
HAND_SQL = HAND_QUERY + " ORDER BY customer_id"


def hand_duckdb(path: Path, memory_limit: str = "1GB") -> pd.DataFrame:
    import duckdb

    con = duckdb.connect(config={"memory_limit": memory_limit, "threads": 2})
    return con.sql(HAND_SQL.format(path=path, end=END.date())).df().set_index("customer_id")


def table_case(path: Path, repeats: int) -> None:
    """Ours against the hand-written query on a Parquet file and on a DuckDB table."""
    import ibis

    from crm_research import rfm

    db = path.with_suffix(".duckdb")
    con = ibis.duckdb.connect(str(db), memory_limit="1GB", threads=2)
    con.raw_sql(f"CREATE OR REPLACE TABLE log AS SELECT * FROM read_parquet('{path}')")
    log = con.table("log")
    raw = con.con
    hand_table = HAND_SQL.replace("read_parquet('{path}')", "log").format(end=END.date())
    kw = {
        "customer_col": "customer_id",
        "datetime_col": "ordered_at",
        "monetary_col": "amount",
        "observation_end": END,
    }
    runs = {
        ("parquet", "ours"): lambda: rfm.btyd_summary(str(path), con=con, **kw),
        ("parquet", "hand"): lambda: (
            raw.sql(HAND_SQL.format(path=path, end=END.date())).df().set_index("customer_id")
        ),
        ("table", "ours"): lambda: rfm.btyd_summary(log, **kw),
        ("table", "hand"): lambda: raw.sql(hand_table).df().set_index("customer_id"),
    }
    wall = {k: [] for k in runs}
    cpu = {k: [] for k in runs}
    out = {}
    for _ in range(repeats):
        for k, f in runs.items():
            c, t = time.process_time(), time.perf_counter()
            out[k] = f()
            wall[k].append(time.perf_counter() - t)
            cpu[k].append(time.process_time() - c)
    print(f"\nours vs hand-written SQL, min of {repeats} interleaved runs:")
    print(
        f"{'case':8s} {'ours s':>8s} {'hand s':>8s} {'ratio':>6s} {'ours cpu':>9s} {'hand cpu':>9s} {'ratio':>6s}  same output"
    )
    for case in ("parquet", "table"):
        o, h = (case, "ours"), (case, "hand")
        same = True
        try:
            pd.testing.assert_frame_equal(out[o], out[h], check_dtype=False, rtol=1e-12)
        except AssertionError:
            same = False
        print(
            f"{case:8s} {min(wall[o]):8.2f} {min(wall[h]):8.2f} {min(wall[o]) / min(wall[h]):6.2f} "
            f"{min(cpu[o]):9.2f} {min(cpu[h]):9.2f} {min(cpu[o]) / min(cpu[h]):6.2f}  {same}"
        )
    con.disconnect()
    db.unlink()


def plain_pandas(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(path)
    df["d"] = df["ordered_at"].dt.floor("D")
    df = df[df["d"] <= END]
    per = df.groupby(["customer_id", "d"], sort=False)["amount"].sum().reset_index()
    per = per.sort_values(["customer_id", "d"])
    g = per.groupby("customer_id")
    first_d, last_d, n = g["d"].min(), g["d"].max(), g.size()
    first_v = g["amount"].first()
    total = g["amount"].sum()
    out = pd.DataFrame(
        {
            "frequency": (n - 1).astype(float),
            "recency": (last_d - first_d).dt.days.astype(float),
            "T": (END - first_d).dt.days.astype(float),
        }
    )
    out["monetary_value"] = np.where(n > 1, (total - first_v) / (n - 1).clip(lower=1), 0.0)
    return out


def lifetimes_summary(path: Path) -> pd.DataFrame:
    from lifetimes.utils import summary_data_from_transaction_data

    df = pd.read_parquet(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return summary_data_from_transaction_data(
            df, "customer_id", "ordered_at", "amount", observation_period_end=END
        )


METHODS = {
    "ours (Ibis on DuckDB)": ours,
    "hand-written DuckDB SQL": hand_duckdb,
    "plain pandas groupby": plain_pandas,
    "lifetimes": lifetimes_summary,
}


def child(method: str, path: str) -> None:
    t = time.perf_counter()
    METHODS[method](Path(path))
    print(json.dumps({"seconds": time.perf_counter() - t, "peak_gib": peak_rss_gib()}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeats", type=int, default=5, help="runs of ours and hand-written SQL")
    ap.add_argument("--only-hand", action="store_true", help="only ours vs the hand-written SQL")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    work = Path(tempfile.mkdtemp(prefix="bench-summary-"))
    path = work / "log.parquet"
    t = time.perf_counter()
    generate(path, args.rows, args.customers, args.seed)
    print(
        f"log: {args.rows:,} rows, {args.customers:,} customers ({time.perf_counter() - t:.1f} s to generate)"
    )

    if args.only_hand:
        return table_case(path, args.repeats)
    times, results = {}, {}
    for name, fn in METHODS.items():
        t = time.perf_counter()
        results[name] = fn(path)
        times[name] = time.perf_counter() - t
    base = results["lifetimes"].sort_index()
    for name, res in results.items():
        r = res.sort_index()
        same = list(r.index) == list(base.index) and all(
            np.allclose(
                r[c].to_numpy(dtype=float), base[c].to_numpy(dtype=float), rtol=1e-9, atol=1e-9
            )
            for c in base.columns
        )
        results[name] = same
    peaks = {}
    for name in METHODS:
        out = subprocess.run(
            [sys.executable, __file__, "--child", name, str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        peaks[name] = json.loads(out.strip().splitlines()[-1])["peak_gib"]
    ref = times["lifetimes"]
    hand = times["hand-written DuckDB SQL"]
    print(
        f"{'method':26s} {'seconds':>8s} {'vs lifetimes':>13s} {'vs hand SQL':>12s} {'rows/s':>12s} {'peak GiB':>9s}  same as lifetimes"
    )
    for name in METHODS:
        s = times[name]
        print(
            f"{name:26s} {s:8.2f} {ref / s:12.1f}x {s / hand:11.2f}x {args.rows / s:12,.0f} {peaks[name]:9.2f}  {results[name]}"
        )
    table_case(path, args.repeats)


if __name__ == "__main__":
    main()
