"""Fitting on a seeded sample of customers when the data are large.

Model fits (BG/NBD, Pareto/NBD, Gamma-Gamma, covariate models) cost time in proportion to the
customers, while scoring with fitted parameters is vectorised: above ``max_customers`` a fit
uses a seeded random sample of them (:func:`fit_sample`) and every customer is still scored; the
report says so in one line (:func:`sample_note`). At or below the threshold nothing is sampled,
so results on smaller data are exactly those of a fit on every customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# customers a model is fitted on at most (the default 20,000-person world and CDNOW stay whole)
FIT_SAMPLE = 200_000
# seed of that sample
FIT_SEED = 42
# Pareto/NBD's likelihood (a hypergeometric function per customer) costs far more than BG/NBD's:
# it is fitted on at most this many (1M-customer export: ~150 s on 20,000 under load)
PARETO_FIT_SAMPLE = 25_000


def sample_customers(index: pd.Index, sample: int | None, seed: int = 0) -> pd.Index:
    """A seeded random sample of ``sample`` customers of ``index``, in the index's order (all of
    them, in order, when ``sample`` is None or not smaller than the index)."""
    if sample is None or sample >= len(index):
        return index
    rng = np.random.default_rng(seed)
    return index[np.sort(rng.choice(len(index), size=int(sample), replace=False))]


def fit_sample(
    frame: pd.DataFrame, max_customers: int | None = FIT_SAMPLE, seed: int = FIT_SEED
) -> pd.DataFrame:
    """The rows (one per customer) a model is fitted on: ``frame`` itself when it has at most
    ``max_customers`` rows (or ``max_customers`` is None), else a seeded random sample of
    ``max_customers`` of them in their original order (:func:`sample_customers`)."""
    if max_customers is None or len(frame) <= max_customers:
        return frame
    return frame.iloc[sample_customers(pd.RangeIndex(len(frame)), max_customers, seed)]


def sample_note(
    n_fitted: int, n_all: int, seed: int = FIT_SEED, what: str = "every customer scored"
) -> str | None:
    """One line for the report when a fit used a sample (None when it used every customer):
    "Fitted on a random sample of 200,000 of 1,000,000 customers (seed 42); every customer
    scored."."""
    if n_fitted >= n_all:
        return None
    return f"Fitted on a random sample of {n_fitted:,} of {n_all:,} customers (seed {seed})" + (
        f"; {what}." if what else "."
    )
