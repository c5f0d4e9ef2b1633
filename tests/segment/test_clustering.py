"""Clustering: seeded fits, labels by size, the elbow rule, bootstrap stability, sampling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import segment


def test_fitting_is_seeded_and_labels_ordered_by_size(features):
    f, _ = features
    X = segment.feature_pipeline(segment.DEFAULT_FEATURES).fit_transform(f)
    for method in segment.METHODS:
        a = segment.fit_segments(X, method, 4, seed=3).labels
        b = segment.fit_segments(X, method, 4, seed=3).labels
        assert (a == b).all(), method
        sizes = np.bincount(a)
        assert (np.diff(sizes) <= 0).all()  # segment 0 is the largest
    with pytest.raises(ValueError, match="method must be one of"):
        segment.fit_segments(X, "dbscan", 3)


def test_elbow_rule():
    bic = pd.Series([100.0, 60, 20, 15, 12, 10], index=range(2, 8))
    assert segment.elbow(bic) == 4  # drops 40, 40, then 5 < 0.25 * 40
    assert segment.elbow(pd.Series([10.0, 9, 8, 7], index=range(2, 6))) == 5


def test_bootstrap_stability_separates_clear_and_noise_clusters():
    rng = np.random.default_rng(0)
    clear = np.vstack([rng.normal(c, 0.3, (200, 2)) for c in ([0, 0], [5, 5], [0, 5])])
    noise = rng.normal(0, 1, (600, 2))
    assert segment.bootstrap_stability(clear, "kmeans", 3, n_boot=4) > 0.95
    assert segment.bootstrap_stability(noise, "kmeans", 6, n_boot=4) < 0.9


def test_sampling_is_seeded_and_labels_everyone():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(c, 0.3, (300, 2)) for c in ([0, 0], [4, 4])])
    assert (segment.sample_index(600, None) == np.arange(600)).all()
    a, b = segment.sample_index(600, 100, seed=2), segment.sample_index(600, 100, seed=2)
    assert len(a) == 100 and (a == b).all() and (np.diff(a) > 0).all()
    full = segment.fit_on_sample(X, "gmm", 2, seed=0, max_rows=1000)
    assert (full.labels == segment.fit_segments(X, "gmm", 2, seed=0).labels).all()
    part = segment.fit_on_sample(X, "gmm", 2, seed=0, max_rows=100)
    assert len(part.labels) == 600 and segment.recovery(part.labels, full.labels)[0] == 1.0
    table = segment.selection_table(X, range(2, 4), seed=0)
    runs = segment.candidate_runs(X, segment.choose_k(table), seed=0, max_rows=100)
    assert len(runs) == 3 and all(len(r.labels) == 600 for r in runs.values())
    stab = segment.stability_table(X, range(2, 4), n_boot=2)
    assert stab.shape == (2, 2) and stab.loc[2].min() > 0.9
    truth = np.repeat([0, 1], 300)
    assert segment.ari_by_k(X, range(2, 4), truth).loc[2, "kmeans"] == 1.0
    ari = segment.ari_table({"bad": rng.integers(0, 2, 600), "good": truth}, truth, "ARI")
    assert ari.index.tolist() == ["good", "bad"]
    P, ev = segment.pca_view(X, truth, n=50)
    assert len(P) == 50 and set(P.columns) == {"pc1", "pc2", "segment"} and ev.sum() <= 1 + 1e-9
