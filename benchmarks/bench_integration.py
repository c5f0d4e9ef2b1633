"""Benchmark: integrate a simulated world (default 1,000,000 people) into the customer database.

Prints the time of each stage, rows per second and the process's peak memory (resident set,
which includes DuckDB's native memory), and the ratio of the whole integration to a baseline run
in the same process: reading every export with pandas and nothing else.

    python benchmarks/bench_integration.py --n-people 1000000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
from _memory import peak_rss_gib

from crm_research import integrate
from crm_research.data.simulator import export_time, simulate_world
from crm_research.data.validate import SOURCE_FILES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workdir", type=Path, default=None, help="where to write exports and db")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-integration-"))
    work.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    world = simulate_world(args.n_people, seed=args.seed)
    t_sim = time.perf_counter() - t
    t = time.perf_counter()
    folder = world.write(work / "exports")
    t_write = time.perf_counter() - t
    rows = sum(world.summary.values())
    del world
    print(f"world: {args.n_people:,} people, {rows:,} raw rows; simulate {t_sim:.1f} s, write {t_write:.1f} s")  # fmt: skip

    # baseline: read every CSV export as text with pandas, nothing else
    t = time.perf_counter()
    for f in SOURCE_FILES.values():
        if f.endswith(".csv"):
            pd.read_csv(folder / f, dtype=str, keep_default_na=False)
    t_base = time.perf_counter() - t

    t = time.perf_counter()
    res = integrate.build_customer_db(
        folder, db_path=work / "crm.duckdb", as_of=export_time(_cfg(args)), seed=args.seed
    )
    t_int = time.perf_counter() - t
    print(f"baseline (read all CSV exports with pandas): {t_base:8.1f} s")
    print(f"integration (validate, resolve, contacts, database): {t_int:8.1f} s  "
          f"= {t_int / t_base:.2f}x baseline")  # fmt: skip
    for k, v in res.timings.items():
        print(f"  {k:12s} {v:8.1f} s")
    print(f"rows/second (integration): {rows / t_int:,.0f}")
    print(f"identity records: {len(res.resolution.clusters):,}; pairs scored: {res.resolution.n_pairs_scored:,}")  # fmt: skip
    if res.scores:
        print(f"pairwise F1 vs truth: {res.scores['f1']:.4f} (precision {res.scores['precision']:.4f}, recall {res.scores['recall']:.4f})")  # fmt: skip
    print(f"peak memory (RSS): {peak_rss_gib():.2f} GiB")


def _cfg(args):
    from crm_research.data.simulator import WorldConfig

    return WorldConfig(n_people=args.n_people, seed=args.seed)


if __name__ == "__main__":
    main()
