"""The published parameters (:data:`PUBLISHED`, the one place every notebook, test and benchmark
reads them from) and the side-by-side tables of published against re-derived figures: relative
difference, tolerance, pass/fail (:func:`reproduction_table`, :func:`published_comparison`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from crm_research.cases.cdnow_reproduction import CdnowSample

# Fader, Hardie & Lee (2005a) "Counting your customers the easy way" (BG/NBD, and its Pareto/NBD
# comparison) and (2005b) "RFM and CLV" (Gamma-Gamma): CDNOW 1/10th sample, weeks 1-39, days/7;
# Fader, Hardie & Shang (2010): BG/BB on the donations data; Fader & Hardie (2007), Table 1: sBG.
PUBLISHED: dict[str, dict[str, float]] = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "pareto": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "gamma": 15.44},
    "bgbb": {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783},
    "sbg regular": {"alpha": 0.704, "beta": 1.182},
    "sbg high end": {"alpha": 0.668, "beta": 3.806},
}
PUBLISHED_SOURCES = {
    "bgnbd": "FHL 2005a BG/NBD",
    "pareto": "FHL 2005a Pareto/NBD",
    "gamma_gamma": "FHL 2005b Gamma-Gamma",
    "bgbb": "FHS 2010 BG/BB",
    "sbg regular": "FH 2007 sBG regular",
    "sbg high end": "FH 2007 sBG high end",
}


def reproduction_table(
    rows: list[tuple[str, str, float, float]], tolerance: float = 0.01
) -> pd.DataFrame:
    """Rows (source, quantity, published, ours) → table with relative difference and pass/fail
    against ``tolerance`` (relative)."""
    df = pd.DataFrame(rows, columns=["source", "quantity", "published", "ours"])
    df["relative difference"] = df["ours"] / df["published"] - 1
    df["tolerance"] = tolerance
    df["pass"] = df["relative difference"].abs() <= tolerance
    return df


def published_comparison(
    computed: dict[str, dict[str, float]], tolerance: float = 0.01
) -> pd.DataFrame:
    """The :func:`reproduction_table` of every :data:`PUBLISHED` parameter against ``computed``
    (same keys and parameter names; a model missing from ``computed`` is left out)."""
    rows = [
        (PUBLISHED_SOURCES[key], name, value, float(computed[key][name]))
        for key, params in PUBLISHED.items()
        if key in computed
        for name, value in params.items()
    ]
    return reproduction_table(rows, tolerance)


def computed_parameters(
    sample: CdnowSample, bgbb: pd.Series, sbg_fits: dict[str, tuple[float, float]]
) -> dict[str, dict[str, float]]:
    """Our estimates under :data:`PUBLISHED`'s keys and names, ready for
    :func:`published_comparison`."""
    out = {
        "bgnbd": sample.bgnbd.params.to_dict(),
        "pareto": sample.pareto.params.to_dict(),
        "gamma_gamma": sample.gamma_gamma.params.to_dict(),
        "bgbb": bgbb.to_dict(),
    }
    out |= {f"sbg {k}": {"alpha": a, "beta": b} for k, (a, b) in sbg_fits.items()}
    return out
