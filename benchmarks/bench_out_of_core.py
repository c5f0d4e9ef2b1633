"""Benchmark: the per-customer BTYD summary out of core, under a DuckDB memory limit.

Generates transaction logs with DuckDB (Parquet; deterministic: every value is a hash of the row
number and the seed, so the same arguments give the same file on any machine): by default
10,000,000 rows for 1,000,000 customers and 100,000,000 rows for 10,000,000 customers, two years
of timestamps, Gamma(2, 20) amounts. Then, for each log, each method runs in its own child
process with DuckDB capped at ``--memory-limit`` (default 2GB) and 2 threads, spilling to a
temporary directory, and writes the 10M-row (or 1M-row) summary to Parquet:

* baseline: a hand-written DuckDB SQL query (``COPY (...) TO ... (FORMAT parquet)``);
* ours: :func:`crm_research.rfm.btyd_summary_expr` (Ibis) executed by the same DuckDB, written
  with ``con.to_parquet``.

Runs alternate (hand, ours, ours, hand, ...) so neither always meets a cold cache; the best of
``--repeats`` runs per method is reported, with wall time, peak resident memory of the child
(VmHWM: DuckDB's native memory included), rows per second and the ratio to the hand query. The
two outputs are checked to be identical.

    python benchmarks/bench_out_of_core.py                         # 10M and 100M rows
    python benchmarks/bench_out_of_core.py --rows 10000000 --repeats 1
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _memory import peak_rss_gib
from bench_summary import HAND_QUERY

END = "2025-12-31"

GENERATE_SQL = """
COPY (
  SELECT CAST(hash(i, {seed}) % {customers} AS BIGINT) AS customer_id,
         TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i, {seed} + 1) % 63072000 AS BIGINT)) AS ordered_at,
         round(-20 * (ln((hash(i, {seed} + 2) % 1000000 + 0.5) / 1e6)
                      + ln((hash(i, {seed} + 3) % 1000000 + 0.5) / 1e6)), 2) AS amount
  FROM range({rows}) t(i)
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
"""

HAND_SQL = "COPY (" + HAND_QUERY + ") TO '{dst}' (FORMAT parquet)"  # the query bench_summary times


def generate(path: Path, rows: int, customers: int, seed: int) -> None:
    import duckdb

    con = duckdb.connect(config={"threads": 2})
    con.execute(GENERATE_SQL.format(seed=seed, customers=customers, rows=rows, path=path))


def hand(src: Path, dst: Path, memory_limit: str, tmp: Path) -> None:
    import duckdb

    cfg = {"memory_limit": memory_limit, "threads": 2, "temp_directory": str(tmp)}
    duckdb.connect(config=cfg).execute(HAND_SQL.format(path=src, dst=dst, end=END))


def ours(src: Path, dst: Path, memory_limit: str, tmp: Path) -> None:
    import ibis

    from crm_research import rfm

    con = ibis.duckdb.connect(memory_limit=memory_limit, threads=2, temp_directory=str(tmp))
    expr = rfm.btyd_summary_expr(
        str(src),
        customer_col="customer_id",
        datetime_col="ordered_at",
        monetary_col="amount",
        observation_end=END,
        con=con,
    )
    con.to_parquet(expr, dst)


METHODS = {"hand-written DuckDB SQL": hand, "ours (Ibis on DuckDB)": ours}


IMPORTS = {
    "hand-written DuckDB SQL": ["duckdb"],
    "ours (Ibis on DuckDB)": ["duckdb", "ibis", "crm_research.rfm"],
}


def child(method: str, src: str, dst: str, memory_limit: str, tmp: str) -> None:
    for module in IMPORTS[method]:  # imports are not part of the timed query
        __import__(module)
    t = time.perf_counter()
    METHODS[method](Path(src), Path(dst), memory_limit, Path(tmp))
    print(json.dumps({"seconds": time.perf_counter() - t, "peak_gib": peak_rss_gib()}))


def run(method: str, src: Path, dst: Path, memory_limit: str, tmp: Path) -> dict:
    argv = [sys.executable, __file__, "--child", method, str(src), str(dst), memory_limit, str(tmp)]
    out = subprocess.run(argv, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{method} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def same_output(a: Path, b: Path) -> bool:
    import duckdb

    q = "SELECT * FROM read_parquet('{}') ORDER BY customer_id"
    con = duckdb.connect(config={"memory_limit": "4GB", "threads": 2})
    diff = con.sql(f"""SELECT count(*) FROM ({q.format(a)}) x FULL JOIN ({q.format(b)}) y
                       USING (customer_id)
                       WHERE x.frequency IS DISTINCT FROM y.frequency
                          OR x.recency IS DISTINCT FROM y.recency OR x."T" IS DISTINCT FROM y."T"
                          OR abs(x.monetary_value - y.monetary_value) > 1e-6
                          OR x.monetary_value IS NULL OR y.monetary_value IS NULL""").fetchone()[0]
    return diff == 0


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000_000, 100_000_000])
    ap.add_argument("--rows-per-customer", type=int, default=10)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workdir", type=Path, default=None, help="where logs and outputs go")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-ooc-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"DuckDB memory limit {args.memory_limit}, 2 threads; best of {args.repeats}; work dir {work}"
    )
    print(
        f"{'rows':>12s} {'customers':>11s} {'method':24s} {'seconds':>8s} {'peak GiB':>9s} {'rows/s':>12s} {'vs hand SQL':>12s}"
    )
    for rows in args.rows:
        customers = rows // args.rows_per_customer
        src = work / f"log_{rows}.parquet"
        if not src.exists():
            t = time.perf_counter()
            generate(src, rows, customers, args.seed)
            print(
                f"  generated {src.name}: {src.stat().st_size / 2**30:.2f} GiB in {time.perf_counter() - t:.1f} s"
            )
        best: dict[str, dict] = {}
        order = [
            m
            for i in range(args.repeats)
            for m in (list(METHODS) if i % 2 == 0 else list(METHODS)[::-1])
        ]
        for method in order:
            dst = work / f"summary_{rows}_{'hand' if method.startswith('hand') else 'ours'}.parquet"
            with tempfile.TemporaryDirectory(dir=work) as tmp:
                r = run(method, src, dst, args.memory_limit, Path(tmp))
            if method not in best or r["seconds"] < best[method]["seconds"]:
                best[method] = r
        hand_s = best["hand-written DuckDB SQL"]["seconds"]
        for method, r in best.items():
            print(
                f"{rows:12,d} {customers:11,d} {method:24s} {r['seconds']:8.1f} {r['peak_gib']:9.2f} "
                f"{rows / r['seconds']:12,.0f} {r['seconds'] / hand_s:11.2f}x"
            )
        same = same_output(
            work / f"summary_{rows}_hand.parquet", work / f"summary_{rows}_ours.parquet"
        )
        print(f"  identical summaries: {same}")


if __name__ == "__main__":
    main()
