"""Benchmark: segment 1,000,000 simulated customers.

Reads the customer database of a 1,000,000-person world (``--db``; the integration benchmark
leaves one in its work folder) or builds one (slow: about 25 minutes). Times feature extraction
(Ibis on DuckDB) and, in this process on the same features: full-batch k-means (the baseline),
mini-batch k-means on all rows, and a Gaussian mixture fitted on a seeded sample of ``--sample``
rows then applied to all. Prints seconds, ratios to the baseline, peak memory (resident set of
this process) and, where the simulator's truth is in the database, each method's ARI against
the true segments.

    python benchmarks/bench_segment.py --db /tmp/bench1m/crm.duckdb
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from _memory import peak_rss_gib

from crm_research import integrate, segment
from crm_research.data import datasets, engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--n-people", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--sample", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.db:
        con = engine.connect(args.db, read_only=True)
    else:  # the simulated dataset of that size (built once, cached under data/processed)
        con = datasets.connect("simulated", n_people=args.n_people, seed=42, read_only=True)
    t = time.perf_counter()
    f = segment.customer_features(con, "2025-12-31 23:59:59")
    t_feat = time.perf_counter() - t
    X = segment.feature_pipeline(segment.DEFAULT_FEATURES).fit_transform(f)
    truth = (
        integrate.customer_truth(con).reindex(f.index)["segment"]
        if "truth_people" in con.list_tables()
        else None
    )
    print(f"{len(f):,} customers; features {t_feat:.1f} s")

    def gmm_on_sample():
        rng = np.random.default_rng(args.seed)
        idx = rng.choice(len(X), size=min(args.sample, len(X)), replace=False)
        m = segment.fit_segments(X[idx], "gmm", args.k, seed=args.seed).model
        return m.predict(X)

    runs = {
        "k-means, full batch (baseline)": lambda: (
            segment.fit_segments(X, "kmeans", args.k, seed=args.seed).labels
        ),
        "mini-batch k-means, all rows": lambda: (
            segment.fit_segments(X, "minibatch_kmeans", args.k, seed=args.seed).labels
        ),
        f"Gaussian mixture on {args.sample:,} sampled, applied to all": gmm_on_sample,
    }
    times, aris = {}, {}
    for name, fn in runs.items():
        t = time.perf_counter()
        labels = fn()
        times[name] = time.perf_counter() - t
        aris[name] = segment.recovery(labels, truth)[0] if truth is not None else float("nan")
    base = times["k-means, full batch (baseline)"]
    print(f"{'method':52s} {'seconds':>8s} {'vs baseline':>12s} {'ARI vs truth':>13s}")
    for name in runs:
        print(f"{name:52s} {times[name]:8.1f} {times[name] / base:11.2f}x {aris[name]:13.3f}")
    print(f"peak memory (RSS, whole run): {peak_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
