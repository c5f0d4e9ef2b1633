"""Seeded uplift learners find a planted effect."""

from __future__ import annotations

import numpy as np
import pytest

from crm_research import uplift as u


@pytest.mark.parametrize("name", list(u.LEARNERS))
def test_learners_seeded_and_find_a_planted_effect(name):
    rng = np.random.default_rng(2)
    n = 6000
    X = rng.normal(0, 1, (n, 3))
    t = rng.random(n) < 0.5
    tau = np.where(X[:, 0] > 0, 0.3, 0.0)  # responders: x0 > 0
    y = (rng.random(n) < 0.2 + tau * t).astype(int)
    a = u.LEARNERS[name](seed=4).fit(X, t, y).predict(X)
    b = u.LEARNERS[name](seed=4).fit(X, t, y).predict(X)
    np.testing.assert_array_equal(a, b)
    assert a[X[:, 0] > 0].mean() > a[X[:, 0] <= 0].mean() + 0.1
