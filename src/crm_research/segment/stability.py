"""A choice of k that does not flip: bootstrap agreement of segmentations for each k.

:func:`stability_table` refits the segmentation on the same ``n_boot`` bootstrap resamples for
every k and compares every pair of refits by the adjusted Rand index (ARI) on the points the two
resamples share. :func:`choose_k_stable` then applies the rule, beside the fit-based evidence of
:func:`crm_research.segment.selection_table` / :func:`crm_research.segment.choose_k`:

    among the k whose mean ARI is at least ``threshold`` (0.8), take the largest k whose mean
    ARI is within ``tolerance`` (0.01) of the best mean ARI.

Why the largest: merging true segments gives a coarser partition that is just as reproducible
(two well-separated groups of segments are found every time), so "the most stable k" alone
drifts to small k; splitting a true segment is not reproducible (the cut falls differently on
each resample), so the finest partition that is still as stable as the best one is the number of
segments the data support. Why a tolerance of 0.01: an ARI 0.01 lower means about one pair of
points in a hundred classified differently, the size of the resampling noise between equally
good k. On Gaussian segments with unequal sizes and shapes (3, 4 and 5 planted, six seeds each,
tests/segment/test_stability.py) the rule finds the planted k in 16 of 18 worlds, the k-means
silhouette maximum in 14; the misses are an elongated segment cut reproducibly in two (k + 1
as stable as k) and a pair of close segments merged reproducibly (k − 1 more stable than k).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from crm_research.segment.clustering import _model, choose_k, selection_table


def stability_table(
    X: np.ndarray,
    k_range=range(2, 9),
    *,
    method: str = "kmeans",
    n_boot: int = 10,
    seed: int = 0,
    max_rows: int = 5_000,
    covariance_type: str = "tied",
) -> pd.DataFrame:
    """Per k: ``mean_ari``, ``sd_ari``, ``q10_ari`` (10th percentile) and ``min_ari`` over the
    n_boot·(n_boot − 1)/2 pairs of refits on bootstrap resamples of the rows of ``X``
    (standardised features; at most ``max_rows`` rows, a seeded sample), compared on the rows
    the two resamples share. ``method``: see :func:`crm_research.segment.fit_segments`. Fits run
    single-threaded (small fits; threads only contend on a shared machine)."""
    rng = np.random.default_rng(seed)
    X = np.asarray(X, dtype="float64")
    if len(X) > max_rows:
        X = X[rng.choice(len(X), max_rows, replace=False)]
    resamples = [rng.integers(0, len(X), len(X)) for _ in range(n_boot)]
    pairs = [(i, j) for i in range(n_boot) for j in range(i + 1, n_boot)]
    common = {p: np.intersect1d(resamples[p[0]], resamples[p[1]]) for p in pairs}
    rows = []
    with threadpool_limits(1):
        for k in k_range:
            labels = [
                _model(method, k, seed + b + 1, covariance_type).fit(X[idx]).predict(X)
                for b, idx in enumerate(resamples)
            ]
            ari = np.array(
                [
                    adjusted_rand_score(labels[i][common[i, j]], labels[j][common[i, j]])
                    for i, j in pairs
                ]
            )
            rows.append(
                {
                    "k": k,
                    "mean_ari": ari.mean(),
                    "sd_ari": ari.std(),
                    "q10_ari": np.quantile(ari, 0.1),
                    "min_ari": ari.min(),
                }
            )
    return pd.DataFrame(rows).set_index("k")


def choose_k_stable(table: pd.DataFrame, *, threshold: float = 0.8, tolerance: float = 0.01) -> int:
    """The rule of the module docstring on a :func:`stability_table`. When no k reaches
    ``threshold`` the most stable k is returned (check ``table``: nothing is reproducible)."""
    m = table["mean_ari"]
    stable = m[m >= threshold]
    if stable.empty:
        return int(m.idxmax())
    return int(stable[stable >= stable.max() - tolerance].index.max())


K_RULES = ("stability", "fit")
FIT_RULES = {"gmm": "gmm (BIC elbow)", "kmeans": "kmeans (silhouette)"}


def profiled_k(
    X: np.ndarray,
    k_range=range(2, 9),
    *,
    method: str = "gmm",
    k_rule: str = "stability",
    fit_rules: dict[str, int] | None = None,
    n_boot: int = 10,
    seed: int = 0,
    max_rows: int = 5_000,
) -> tuple[int, str, pd.DataFrame]:
    """The k notebook 03 profiles, the stability table of ``method`` and the rule's label.

    ``k_rule="stability"``: :func:`choose_k_stable` on :func:`stability_table` of ``method``;
    ``k_rule="fit"``: the fit-based rule of :func:`crm_research.segment.choose_k` for
    ``method`` (the Gaussian mixture's BIC elbow, k-means' silhouette), from ``fit_rules`` (its
    result) or computed on ``X``. The stability table is computed either way (it is shown as
    evidence). Returns ``(k, rule label, stability table)``."""
    if k_rule not in K_RULES:
        raise ValueError(f"k_rule must be one of {K_RULES}, got {k_rule!r}")
    if method not in FIT_RULES:
        raise ValueError(f"method must be one of {tuple(FIT_RULES)}, got {method!r}")
    table = stability_table(X, k_range, method=method, n_boot=n_boot, seed=seed, max_rows=max_rows)
    if k_rule == "stability":
        return choose_k_stable(table), f"{method} (stability)", table
    if fit_rules is None:
        fit_rules = choose_k(selection_table(X, k_range, seed=seed))
    return int(fit_rules[FIT_RULES[method]]), FIT_RULES[method], table


METHOD_LABELS = {"gmm": "Gaussian mixture", "kmeans": "k-means"}
# column names of :func:`stability_table` for readers
READABLE = {
    "mean_ari": "mean ARI",
    "sd_ari": "SD of ARI",
    "q10_ari": "ARI 10th percentile",
    "min_ari": "lowest ARI",
}


def run_label(method: str, k: int, rule: str = "stability") -> str:
    """Name of a segmentation in notebook 03's tables, as
    :func:`crm_research.segment.candidate_runs` names them: ``Gaussian mixture, k=4
    (stability)``; ``rule="fit"`` names the method's fit-based rule (``BIC elbow``,
    ``silhouette``)."""
    if rule == "fit":
        rule = FIT_RULES[method].split("(")[1].rstrip(")")
    return f"{METHOD_LABELS.get(method, method)}, k={k} ({rule})"


def rule_note(method: str, k_stable: int, k_fit: int, k_rule: str) -> str:
    """One Markdown sentence: the k of the stability rule and of the fit-based rule, whether
    they agree, and which one is profiled (``k_rule``)."""
    fit = FIT_RULES[method].split("(")[1].rstrip(")")
    label = METHOD_LABELS.get(method, method)
    both = (
        f"both rules give **k = {k_stable}**"
        if k_stable == k_fit
        else f"the stability rule gives **k = {k_stable}**, the {fit} **k = {k_fit}**"
    )
    used = "stability rule" if k_rule == "stability" else fit
    return f'{label}: {both}; the profiled k follows the {used} (`k_rule = "{k_rule}"`).'
