"""Benchmark: score 1,000,000 customers (P(alive), expected purchases in 52 weeks, expected spend
per purchase, discounted CLV over 12 monthly steps) with :func:`crm_research.clv.score` against
the path it replaced, :func:`crm_research.clv.score_lifetimes` (lifetimes' methods, one call per
horizon step), in the same process on the same data and parameters.

Data: :func:`crm_research.data.simulator.simulate_btyd_cohort` with the published CDNOW
parameters, times in whole days ("days": many customers share (x, T), which the fast path
exploits) and the same customers with every time moved by a random fraction of a day
("continuous": no two customers alike, the fast path's worst case). Prints seconds, the old/new
ratio and the largest relative difference of each score (the test asks for 1e-9).

pymc-marketing is not measured here: its 1.x releases need Python >= 3.12 and this project's
machines run 3.11.

    python benchmarks/bench_clv_score.py
    python benchmarks/bench_clv_score.py --customers 200000 --repeats 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from crm_research import clv
from crm_research.clv import scoring
from crm_research.data.simulator import simulate_btyd_cohort

TRUE = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "pareto": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
}
TRUE_SPEND = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def best_of(repeats: int, fn, *args, **kwargs):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        times.append(time.perf_counter() - t)
    return out, min(times)


def continuous(data, seed: int = 0):
    """The same customers with times moved by a random fraction of a day (recency ≤ T kept)."""
    rng = np.random.default_rng(seed)
    out = data.copy()
    out["T"] = out["T"] + rng.random(len(out)) / 7
    later = np.minimum(out["recency"] + rng.random(len(out)) / 7, out["T"])
    out["recency"] = np.where(out["frequency"] > 0, later, 0.0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=1, help="best of this many runs per timing")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(
        f"{args.customers:,} customers; horizon 52 weeks in 12 steps, 1% per step; best of {args.repeats}"
    )
    print(
        f"{'model':11s} {'data':11s} {'distinct (x,T)':>15s} {'old s':>7s} {'new s':>7s} {'old/new':>8s}  max relative difference per score"
    )
    for model, params in TRUE.items():
        days = simulate_btyd_cohort(args.customers, model, params, spend=TRUE_SPEND, seed=args.seed)
        bg, gg = scoring._rebuilt(model, params, TRUE_SPEND)
        for label, data in (("days", days), ("continuous", continuous(days, args.seed))):
            old, t_old = best_of(args.repeats, clv.score_lifetimes, bg, gg, data, horizon=52)
            new, t_new = best_of(args.repeats, clv.score, bg, gg, data, horizon=52)
            rel = (np.abs(new - old) / old.abs().where(old != 0, 1)).max()
            distinct = len(data[["frequency", "T"]].drop_duplicates())
            diffs = "  ".join(f"{c} {rel[c]:.1e}" for c in clv.SCORE_COLUMNS)
            print(
                f"{clv.MODEL_LABELS[model]:11s} {label:11s} {distinct:15,d} {t_old:7.2f} {t_new:7.2f} {t_old / t_new:7.1f}x  {diffs}"
            )


if __name__ == "__main__":
    main()
