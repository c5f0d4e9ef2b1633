"""BG/BB on the donations data (Fader, Hardie & Shang 2010), through lifetimes' fitter."""

from __future__ import annotations

import warnings

import pandas as pd


def fit_bgbb(donations: pd.DataFrame) -> pd.Series:
    """BG/BB (lifetimes ``BetaGeoBetaBinomFitter``) on frequency/recency/periods with weights."""
    from lifetimes import BetaGeoBetaBinomFitter  # slow import

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = BetaGeoBetaBinomFitter().fit(
            donations["frequency"],
            donations["recency"],
            donations["periods"],
            weights=donations["weights"],
        )
    return f.params_[["alpha", "beta", "gamma", "delta"]].astype(float)
