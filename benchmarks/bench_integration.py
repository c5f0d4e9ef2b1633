"""Benchmark: integrate a simulated world (default 1,000,000 people) into the customer database.

Simulates the world once into ``--workdir/exports`` (or reuses it: simulation is not
integration; its time and peak memory are printed when it runs), then integrates it in a child
process and prints each phase's time (validation, storing the source tables, identity
resolution, contactability, the customer-centric tables), rows per second, pairwise F1 against
the simulator's truth and the child's peak memory (resident set, which includes DuckDB's native
memory). Baseline, measured in the same run: reading every CSV export with pandas and nothing
else (also in a child process).

    python benchmarks/bench_integration.py --n-people 1000000 --workdir /tmp/bench-1m
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
from _memory import peak_rss_gib

from crm_research.data.reader import SOURCE_FILES


def simulate(n_people: int, seed: int, folder: Path) -> dict:
    from crm_research.data.simulator import simulate_world

    t = time.perf_counter()
    world = simulate_world(n_people, seed=seed)
    t_sim = time.perf_counter() - t
    t = time.perf_counter()
    world.write(folder)
    rows = sum(world.summary.values())
    (folder / "rows.txt").write_text(str(rows))
    return {
        "simulate_s": t_sim,
        "write_s": time.perf_counter() - t,
        "rows": rows,
        "peak_gib": peak_rss_gib(),
    }


def baseline(folder: Path) -> dict:
    t = time.perf_counter()
    for f in SOURCE_FILES.values():
        if f.endswith(".csv") and (folder / f).exists():
            pd.read_csv(folder / f, dtype=str, keep_default_na=False)
    return {"seconds": time.perf_counter() - t, "peak_gib": peak_rss_gib()}


def _reset_peak() -> float:
    """Reset this process's peak resident set (VmHWM), so the next phase's peak is its own;
    returns the resident set (GiB) it starts from (what the earlier phases left allocated)."""
    Path("/proc/self/clear_refs").write_text("5")
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 2**20  # kB -> GiB
    return float("nan")


def _rss_gib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 2**20  # kB -> GiB
    return float("nan")


class _Sampler(threading.Thread):
    """The resident set every 0.2 s (for each phase's peak, from the phases' timings)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.perf_counter(), _rss_gib()))
            self.stop.wait(0.2)

    def peaks(self, start: float, timings: dict[str, float]) -> dict[str, float]:
        out, t = {}, start
        for k, v in timings.items():
            got = [r for s, r in self.samples if t <= s <= t + v]
            out[k] = max(got) if got else float("nan")
            t += v
        return out


def integrate(folder: Path, n_people: int, seed: int, db: Path) -> dict:
    """build_customer_db's two steps (validation writing the accepted rows into the database,
    then the rest), with the peak memory of validation and of the rest."""
    from crm_research import integrate as ig
    from crm_research.data.reader import validate_folder
    from crm_research.data.simulator import WorldConfig, export_time

    as_of = export_time(WorldConfig(n_people=n_people, seed=seed))
    db.unlink(missing_ok=True)
    t = time.perf_counter()
    validated = validate_folder(folder, as_of=as_of, store=db)  # accepted rows: into the db
    validate_s = time.perf_counter() - t
    validate_peak = peak_rss_gib()
    rest_start = _reset_peak()
    sampler = _Sampler()
    sampler.start()
    t = time.perf_counter()
    res = ig.integrate_validated(
        validated, folder=folder, db_path=db, as_of=as_of, seed=seed, release=True
    )
    rest = time.perf_counter() - t
    sampler.stop.set()
    return {
        "seconds": validate_s + rest,
        "timings": {"validate_s": validate_s} | res.timings,
        "records": len(res.resolution.clusters),
        "pairs": res.resolution.n_pairs_scored,
        "customers": int(res.resolution.clusters["customer_id"].nunique()),
        "scores": res.scores,
        "validate_peak_gib": validate_peak,
        "peak_gib": max(validate_peak, peak_rss_gib()),
        "rest_peak_gib": peak_rss_gib(),
        "rest_start_gib": rest_start,
        "phase_peak_gib": sampler.peaks(t, res.timings),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workdir", type=Path, default=None, help="exports (reused) and database")
    ap.add_argument("--no-baseline", action="store_true", help="skip reading the CSVs with pandas")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "simulate":
            r = simulate(args.n_people, args.seed, Path(rest[0]))
        elif kind == "baseline":
            r = baseline(Path(rest[0]))
        else:
            r = integrate(Path(rest[0]), args.n_people, args.seed, Path(rest[1]))
        print(json.dumps(r))
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-integration-"))
    folder = work / "exports"
    common = ["--n-people", str(args.n_people), "--seed", str(args.seed)]
    if not (folder / "rows.txt").exists():
        folder.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            [sys.executable, __file__, *common, "--child", "simulate", str(folder)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        s = json.loads(out.strip().splitlines()[-1])
        print(
            f"simulation (not timed as integration): simulate {s['simulate_s']:.1f} s, "
            f"write {s['write_s']:.1f} s, peak {s['peak_gib']:.2f} GiB"
        )
    rows = int((folder / "rows.txt").read_text())
    print(f"world: {args.n_people:,} people, {rows:,} raw rows in {folder}")

    def child(*a: str) -> dict:
        out = subprocess.run(
            [sys.executable, __file__, *common, "--child", *a],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    base = None if args.no_baseline else child("baseline", str(folder))
    res = child("integrate", str(folder), str(work / "crm.duckdb"))
    t = res["seconds"]
    if base is not None:
        print(
            f"baseline (read all CSV exports with pandas): {base['seconds']:8.1f} s  "
            f"peak {base['peak_gib']:.2f} GiB"
        )
    ratio = f" = {t / base['seconds']:.2f}x baseline" if base is not None else ""
    print(
        f"integration (all phases): {t:8.1f} s{ratio}; "
        f"without validation: {t - res['timings']['validate_s']:.1f} s"
    )
    for k, v in res["timings"].items():
        peak = res["phase_peak_gib"].get(k)
        print(f"  {k:12s} {v:8.1f} s" + (f"   peak RSS {peak:.2f} GiB" if peak else ""))
    print(f"rows/second (integration): {rows / t:,.0f}")
    print(
        f"identity records: {res['records']:,}; pairs scored: {res['pairs']:,}; customers: {res['customers']:,}"
    )
    if res["scores"]:
        s = res["scores"]
        print(
            f"pairwise F1 vs truth: {s['f1']:.4f} (precision {s['precision']:.4f}, recall {s['recall']:.4f})"
        )
    print(
        f"peak memory of the integration process (RSS): {res['peak_gib']:.2f} GiB "
        f"(validation {res['validate_peak_gib']:.2f} GiB; the phases after it, holding the "
        f"validated tables they are given: {res['rest_peak_gib']:.2f} GiB, from "
        f"{res['rest_start_gib']:.2f} GiB resident when they start)"
    )


if __name__ == "__main__":
    main()
