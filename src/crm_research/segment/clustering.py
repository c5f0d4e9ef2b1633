"""Clustering and the choice of k: k-means, mini-batch k-means or a Gaussian mixture (seeded),
the fit-based evidence per k (silhouette, Calinski–Harabasz, Davies–Bouldin, inertia, BIC), the
documented k rules, and bootstrap stability of a fitted segmentation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.mixture import GaussianMixture

METHODS = ("kmeans", "minibatch_kmeans", "gmm")
# the panels of notebook 03's k evidence: (column of selection_table, title, axis label)
EVIDENCE_PANELS = (
    ("silhouette", "k-means silhouette (higher better)", "silhouette"),
    ("davies_bouldin", "k-means Davies-Bouldin (lower better)", "Davies-Bouldin index"),
    ("gmm_bic", "Gaussian mixture BIC (lower better)", "BIC"),
)
# column names of selection_table for readers
EVIDENCE_COLUMNS = {
    "silhouette": "k-means silhouette",
    "calinski_harabasz": "k-means Calinski-Harabasz",
    "davies_bouldin": "k-means Davies-Bouldin",
    "kmeans_inertia": "k-means inertia",
    "gmm_bic": "mixture BIC",
}


@dataclass
class Segmentation:
    method: str
    k: int
    labels: np.ndarray
    model: object


def _model(method: str, k: int, seed: int, covariance_type: str = "tied"):
    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=10, random_state=seed)
    if method == "minibatch_kmeans":
        return MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=4096, random_state=seed)
    if method == "gmm":
        return GaussianMixture(
            n_components=k, covariance_type=covariance_type, n_init=3, random_state=seed
        )
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def _relabel(labels: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Number segments by size (0 = largest), ties by the first feature's mean: reproducible."""
    lab = pd.Series(labels)
    key = pd.DataFrame({"n": lab.value_counts(), "m": pd.Series(X[:, 0]).groupby(lab).mean()})
    order = key.sort_values(["n", "m"], ascending=[False, True]).index
    return lab.map({old: new for new, old in enumerate(order)}).to_numpy()


def fit_segments(
    X: np.ndarray, method: str, k: int, *, seed: int = 0, covariance_type: str = "tied"
) -> Segmentation:
    """Cluster the standardised feature matrix into ``k`` segments (labels 0 = largest)."""
    m = _model(method, k, seed, covariance_type).fit(X)
    labels = m.predict(X)
    return Segmentation(method, k, _relabel(labels, X), m)


def selection_table(
    X: np.ndarray,
    k_range=range(2, 9),
    *,
    seed: int = 0,
    sample: int = 5000,
    covariance_type: str = "tied",
) -> pd.DataFrame:
    """Per k: k-means silhouette (on a seeded sample of ``sample`` rows), Calinski–Harabasz,
    Davies–Bouldin, inertia; Gaussian-mixture BIC."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(X), size=min(sample, len(X)), replace=False)
    rows = []
    for k in k_range:
        km = _model("kmeans", k, seed).fit(X)
        gm = _model("gmm", k, seed, covariance_type).fit(X)
        rows.append(
            {
                "k": k,
                "silhouette": silhouette_score(X[idx], km.labels_[idx]),
                "calinski_harabasz": calinski_harabasz_score(X, km.labels_),
                "davies_bouldin": davies_bouldin_score(X, km.labels_),
                "kmeans_inertia": km.inertia_,
                "gmm_bic": gm.bic(X),
            }
        )
    return pd.DataFrame(rows).set_index("k")


def elbow(values: pd.Series, fraction: float = 0.25) -> int:
    """Smallest k after which the next decrease of ``values`` (BIC or inertia, indexed by k) is
    below ``fraction`` of the largest decrease seen up to k. Falls back to the last k."""
    ks = list(values.index)
    drops = -values.diff()  # drop when moving to k from k-1
    for i, k in enumerate(ks[1:-1], start=1):
        best_so_far = drops.iloc[1 : i + 1].max()
        if drops.iloc[i + 1] < fraction * best_so_far:
            return int(k)
    return int(ks[-1])


def choose_k(table: pd.DataFrame) -> dict[str, int]:
    """The documented rules: k-means by highest silhouette (CH and DB shown as corroboration) and
    by the inertia elbow; the Gaussian mixture by the BIC elbow (BIC itself keeps falling on
    non-Gaussian features, so its minimum over the range is not informative)."""
    return {
        "kmeans (silhouette)": int(table["silhouette"].idxmax()),
        "kmeans (inertia elbow)": elbow(table["kmeans_inertia"]),
        "gmm (BIC elbow)": elbow(table["gmm_bic"]),
    }


def bootstrap_stability(
    X: np.ndarray,
    method: str,
    k: int,
    *,
    n_boot: int = 10,
    seed: int = 0,
    covariance_type: str = "tied",
    max_rows: int = 20_000,
) -> float:
    """Mean adjusted Rand index between the labellings of all rows by models refitted on
    bootstrap resamples (1 = the same segments every time). Uses at most ``max_rows`` rows."""
    rng = np.random.default_rng(seed)
    if len(X) > max_rows:
        X = X[rng.choice(len(X), max_rows, replace=False)]
    labelings = []
    for b in range(n_boot):
        idx = rng.integers(0, len(X), len(X))
        m = _model(method, k, seed + b + 1, covariance_type).fit(X[idx])
        labelings.append(m.predict(X))
    aris = [
        adjusted_rand_score(labelings[i], labelings[j])
        for i in range(n_boot)
        for j in range(i + 1, n_boot)
    ]
    return float(np.mean(aris))


def sample_index(n: int, max_rows: int | None, seed: int = 0) -> np.ndarray:
    """All row positions when ``n <= max_rows`` (or no limit), else a seeded sample of
    ``max_rows`` positions (sorted)."""
    if max_rows is None or n <= max_rows:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_rows, replace=False))


def fit_on_sample(
    X: np.ndarray,
    method: str,
    k: int,
    *,
    seed: int = 0,
    max_rows: int | None = None,
    covariance_type: str = "tied",
) -> Segmentation:
    """:func:`fit_segments` on a seeded sample of at most ``max_rows`` rows, then every row
    labelled by the fitted model (identical to :func:`fit_segments` when the data are smaller)."""
    idx = sample_index(len(X), max_rows, seed)
    if len(idx) == len(X):
        return fit_segments(X, method, k, seed=seed, covariance_type=covariance_type)
    m = _model(method, k, seed, covariance_type).fit(X[idx])
    return Segmentation(method, k, _relabel(m.predict(X), X), m)


def stability_table(
    X: np.ndarray,
    ks,
    methods=("kmeans", "gmm"),
    *,
    n_boot: int = 5,
    seed: int = 0,
    max_rows: int = 10_000,
) -> pd.DataFrame:
    """Bootstrap stability (:func:`bootstrap_stability`) per k (rows) and method (columns)."""
    out = pd.DataFrame(
        {
            m: {
                k: bootstrap_stability(X, m, k, n_boot=n_boot, seed=seed, max_rows=max_rows)
                for k in ks
            }
            for m in methods
        }
    )
    out.index.name = "k"
    return out


def candidate_runs(
    X: np.ndarray, chosen: dict[str, int], *, seed: int = 0, max_rows: int | None = None
) -> dict[str, Segmentation]:
    """One fitted segmentation per k-choice rule of :func:`choose_k`, named for tables."""
    spec = {
        "kmeans (silhouette)": ("kmeans", "k-means"),
        "kmeans (inertia elbow)": ("kmeans", "k-means"),
        "gmm (BIC elbow)": ("gmm", "Gaussian mixture"),
    }
    out = {}
    for rule, k in chosen.items():
        method, label = spec[rule]
        out[f"{label}, k={k} ({rule.split('(')[1].rstrip(')')})"] = fit_on_sample(
            X, method, k, seed=seed, max_rows=max_rows
        )
    return out
