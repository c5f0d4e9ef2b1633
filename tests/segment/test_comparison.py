"""Agreement of a segmentation with the simulator's true segments."""

from __future__ import annotations

from crm_research import segment


def test_recovers_true_segments_on_a_small_world(features):
    f, truth = features
    X = segment.feature_pipeline(segment.DEFAULT_FEATURES).fit_transform(f)
    table = segment.selection_table(X, range(2, 7), seed=0)
    k = segment.choose_k(table)["gmm (BIC elbow)"]
    ari, confusion = segment.recovery(segment.fit_segments(X, "gmm", k, seed=0).labels, truth)
    assert k == 4
    assert ari > 0.6  # 2,000 people; the default 20,000-person world reaches 0.78 (notebook 03)
    assert confusion.to_numpy().sum() == len(f)
