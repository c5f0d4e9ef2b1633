"""How segmentations compare: adjusted Rand index against the simulator's true segments, the RFM
score rules of notebook 02 and each other, and a two-component PCA view.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import (
    adjusted_rand_score,
)

from crm_research import integrate, rfm
from crm_research.segment.clustering import fit_on_sample, sample_index


def recovery(labels, truth: pd.Series) -> tuple[float, pd.DataFrame]:
    """Adjusted Rand index against the true segments, and the confusion table (counts)."""
    truth = pd.Series(np.asarray(truth), name="true segment")
    lab = pd.Series(np.asarray(labels), name="found segment")
    return float(adjusted_rand_score(truth, lab)), pd.crosstab(truth, lab)


def rfm_baselines(
    con, as_of: str | pd.Timestamp, index: pd.Index, has_amount: bool
) -> dict[str, pd.Series]:
    """RFM-score rule segments (notebook 02) per customer in ``index``: the CRAN ``rfm`` table
    (needs amounts) and the R×F grid (recency and frequency only)."""
    tx = con.table("transactions")
    rt = rfm.rfm_table(tx, analysis_date=as_of).reindex(index)
    if not has_amount:
        rt["monetary"] = 0.0  # M is not used by the R×F grid
    rt = rfm.rfm_scores(rt)
    out = {"RFM rules (R×F grid)": rfm.name_segments(rt, rfm.RF_GRID_SEGMENTS)}
    if has_amount:
        out = {"RFM rules (CRAN rfm table)": rfm.name_segments(rt, rfm.CRAN_RFM_SEGMENTS)} | out
    return out


def true_segments(con, index: pd.Index) -> pd.Series:
    """The simulator's true segment of each customer in ``index`` (simulated data only)."""
    return integrate.customer_truth(con).reindex(index)["segment"]


def ari_table(labelings: dict[str, np.ndarray | pd.Series], reference, name: str) -> pd.Series:
    """Adjusted Rand index of each labelling against ``reference`` (e.g. the true segments, or
    the chosen segmentation), best first."""
    ref = np.asarray(reference)
    s = pd.Series(
        {k: adjusted_rand_score(ref, np.asarray(v)) for k, v in labelings.items()}, name=name
    )
    return s.sort_values(ascending=False)


def ari_by_k(
    X: np.ndarray,
    ks,
    truth,
    methods=("kmeans", "gmm"),
    *,
    seed: int = 0,
    max_rows: int | None = None,
) -> pd.DataFrame:
    """ARI against the true segments of each method at every k (rows k, columns methods)."""
    out = pd.DataFrame(
        {
            m: {
                k: recovery(fit_on_sample(X, m, k, seed=seed, max_rows=max_rows).labels, truth)[0]
                for k in ks
            }
            for m in methods
        }
    )
    out.index.name = "k"
    return out


def pca_view(
    X: np.ndarray, labels, *, n: int = 5000, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """First two principal components of a seeded sample of ``n`` rows (``pc1``, ``pc2``,
    ``segment``) and the explained variance ratios."""
    idx = sample_index(len(X), n, seed)
    pca = PCA(n_components=2, random_state=seed).fit(X)
    P = pca.transform(X[idx])
    return pd.DataFrame(
        {"pc1": P[:, 0], "pc2": P[:, 1], "segment": np.asarray(labels)[idx]}
    ), pca.explained_variance_ratio_
