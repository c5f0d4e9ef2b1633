"""The CDNOW reproduction: the raw 1/10th-sample log summarised as Fader, Hardie & Lee (2005) did,
BG/NBD, Pareto/NBD and Gamma-Gamma fitted on weeks 1-39 (:func:`fit_cdnow_sample`), the full
cohort beside the sample and the iso-value surface. Time unit: days/7; money US$.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_research import clv, rfm
from crm_research.data import cdnow


@dataclass
class CdnowSample:
    """The CDNOW 1/10th sample (2,357 customers) split as in the papers (weeks 1-39 calibrate,
    40-78 hold out; time unit days/7; money US$) with the three fitted models."""

    raw: pd.DataFrame  # one row per purchase record: customer_id, date, cds, dollars
    cal: pd.DataFrame  # rfm.calibration_holdout
    summary: pd.DataFrame  # calibration summary (frequency, recency, T, monetary_value)
    bgnbd: object  # clv.BTYDModel
    pareto: object  # clv.BTYDModel
    gamma_gamma: object  # clv.SpendModel

    def shipped_check(self) -> dict[str, float]:
        """Our summary against lifetimes' shipped one (rounded to 0.01 week): customers, whether
        every frequency is identical, and the largest |recency| and |T| difference (weeks)."""

        shipped = cdnow.load_shipped_summary()
        s = self.summary
        return {
            "customers": len(s),
            "frequency identical": bool(
                (s["frequency"].to_numpy() == shipped["frequency"].to_numpy()).all()
            ),
            "max recency difference": float(
                np.abs(s["recency"].to_numpy() - shipped["recency"].to_numpy()).max()
            ),
            "max T difference": float(np.abs(s["T"].to_numpy() - shipped["T"].to_numpy()).max()),
        }


def fit_cdnow_sample(penalizer: float = 0.0) -> CdnowSample:
    """Summarise the raw CDNOW 1/10th-sample log as the papers did and fit BG/NBD, Pareto/NBD
    and Gamma-Gamma on weeks 1-39."""

    raw = cdnow.load_cdnow_sample()
    cal = rfm.calibration_holdout(
        raw,
        datetime_col="date",
        monetary_col="dollars",
        calibration_end=cdnow.CALIBRATION_END,
        observation_end=cdnow.OBSERVATION_END,
        freq="D",
        freq_multiplier=7,
    )
    s = rfm.calibration_summary(cal)
    return CdnowSample(
        raw,
        cal,
        s,
        clv.fit_btyd(s, "bgnbd", penalizer=penalizer),
        clv.fit_btyd(s, "pareto", penalizer=penalizer),
        clv.fit_gamma_gamma(s, penalizer=penalizer),
    )


def full_cohort_comparison(sample: CdnowSample) -> pd.DataFrame:
    """BG/NBD on the 1/10th sample beside the same protocol on the full 23,570-customer cohort
    (``CDNOW_master.txt``): estimate and standard error of each parameter, and whether the
    cohort's estimate lies inside the sample fit's 95% interval."""

    master = cdnow.load_cdnow_master()
    ms = rfm.btyd_summary(
        master[master["date"] <= cdnow.CALIBRATION_END],
        datetime_col="date",
        observation_end=cdnow.CALIBRATION_END,
        freq="D",
        freq_multiplier=7,
    )
    full = clv.fit_btyd(ms, "bgnbd")
    st = sample.bgnbd.table()
    out = pd.DataFrame(
        {
            "sample estimate": st["estimate"],
            "sample std error": st["std_error"],
            "cohort estimate": full.params,
            "cohort std error": full.standard_errors,
        }
    )
    out["cohort inside sample 95% interval"] = full.params.between(st["ci_low"], st["ci_high"])
    return out


def iso_value_grid(
    model,
    spend,
    mean_spend: float,
    *,
    T: float = 39.0,
    max_frequency: int = 14,
    horizon: float = 52,
    steps: int = 12,
    discount_rate: float = 0.01,
) -> pd.DataFrame:
    """Discounted expected value of the next ``horizon`` weeks (money unit of ``spend``) of a
    customer aged ``T`` weeks with average spend ``mean_spend``, over a grid of frequency
    (rows, 1..``max_frequency`` repeat purchases) and recency (columns, 0..T weeks, 40 values):
    the surface behind Fader, Hardie & Lee's (2005b) iso-value curves."""

    rx = np.linspace(0, T, 40)
    grid = pd.DataFrame(
        [(f, r) for f in range(1, max_frequency + 1) for r in rx], columns=["frequency", "recency"]
    )
    grid["T"] = T
    grid["monetary_value"] = mean_spend
    grid["clv"] = clv.discounted_clv(
        model, spend, grid, horizon=horizon, steps=steps, discount_rate=discount_rate
    ).to_numpy()
    return grid.pivot_table(index="frequency", columns="recency", values="clv")
