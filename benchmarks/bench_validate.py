"""Validation at engine speed: the reader on a generated 10-million-row orders CSV, against
DuckDB's plain ``read_csv`` of the same file in the same run (ratio), with peak memory from a
child process.

    python benchmarks/bench_validate.py [ROWS] [REPEATS]    # default 10,000,000 rows, 3 repeats

The baseline is DuckDB's plain ``read_csv`` of the same file loading every column into a table
(``CREATE TABLE AS SELECT * FROM read_csv(file)``, types sniffed): what reading the file costs
the engine, as validation must read and convert every column. Also printed, for comparison, a
cheaper query that converts only two of the five columns (``count(order_id), count(channel)``).
Baselines and validation run interleaved ``REPEATS`` times (the machine may be shared); the
minimum of each is reported.

Acceptance (issue 17): >= 2,000,000 rows/s, within 3x of plain read_csv, peak <= 2 GiB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).parent
CHILD = """
import json, sys, time
from pathlib import Path
import pandas as pd
sys.path.insert(0, {bench!r})
from _memory import peak_rss_gib
from crm_research.data import reader as byod
cfg = byod.DataConfig(file=Path('c.yaml'), sources={{}}, as_of=pd.Timestamp('2026-01-01'))
t0 = time.perf_counter()
r = byod.validate_source(byod.Source('orders', Path({path!r})), cfg)
dt = time.perf_counter() - t0
print(json.dumps({{'rows_in': r.rows_in, 'accepted': r.accepted, 'quarantined': r.quarantined,
                  'reasons': dict(r.reasons), 'seconds': dt, 'peak_gib': peak_rss_gib()}}))
"""


def generate(path: Path, n: int) -> None:
    """Deterministic orders: one duplicate key planted per million rows."""
    duckdb.sql(f"""COPY (SELECT 'O' || (CASE WHEN i % 1000000 = 999999 THEN i - 500000 ELSE i END) AS order_id,
        'M' || (i % 1000000) AS member_id,
        strftime(TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i) % 63072000 AS BIGINT)), '%Y-%m-%d %H:%M:%S') AS ordered_at,
        CAST(hash(i, 1) % 200000 AS BIGINT) AS amount_krw, 'web' AS channel
        FROM range({n}) t(i) ORDER BY i) TO '{path}' (HEADER)""")


def main(n: int, repeats: int = 3) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "orders.csv"
        generate(path, n)
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        load, count, runs = [], [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TEMP TABLE plain AS SELECT * FROM read_csv('{path}')")
            load.append(time.perf_counter() - t0)
            con.execute("DROP TABLE plain")
            t0 = time.perf_counter()
            con.execute(
                f"SELECT count(*), count(order_id), count(channel) FROM read_csv('{path}')"
            ).fetchall()
            count.append(time.perf_counter() - t0)
            out = subprocess.run(
                [sys.executable, "-c", CHILD.format(bench=str(HERE), path=str(path))],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = min(runs, key=lambda x: x["seconds"])
        plain, plain2 = min(load), min(count)
        print(
            json.dumps(
                {
                    "rows": n,
                    "repeats": repeats,
                    "plain_read_csv_s": round(plain, 2),
                    "validate_s": round(r["seconds"], 2),
                    "rows_per_s": round(n / r["seconds"]),
                    "ratio_to_read_csv": round(r["seconds"] / plain, 2),
                    "two_column_count_s": round(plain2, 2),
                    "ratio_to_two_column_count": round(r["seconds"] / plain2, 2),
                    "peak_gib": round(max(x["peak_gib"] for x in runs), 2),
                    "rows_in": r["rows_in"],
                    "accepted": r["accepted"],
                    "quarantined": r["quarantined"],
                    "reasons": r["reasons"],
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 3,
    )
