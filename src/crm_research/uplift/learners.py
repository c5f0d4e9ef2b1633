"""For whom: uplift meta-learners over scikit-learn base learners (binary outcome).

scikit-uplift is unmaintained and partly broken on scikit-learn ≥ 1.5; causalml is too heavy for
the default install.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

# Uplift signals are weak next to the outcome's noise, so the base learners are small and
# regularised: chosen on the simulated campaign (campaign seeds 0-2, share of the truth-optimal
# profit) among 100/200 trees × 5/7 leaves × 100/300 customers per leaf; the larger default trees
# (150 × 15 leaves, 20 per leaf) overfitted the noise (0.68-0.79 vs 0.74-0.83 for the S-learner).
BASE_LEARNER = dict(max_iter=100, learning_rate=0.05, max_leaf_nodes=7, min_samples_leaf=100)


def _clf(seed: int):
    return HistGradientBoostingClassifier(**BASE_LEARNER, random_state=seed)


def _reg(seed: int):
    return HistGradientBoostingRegressor(**BASE_LEARNER, random_state=seed)


class SLearner:
    """One model of the outcome with the treatment as a feature; uplift = f(x, 1) − f(x, 0)."""

    def __init__(self, base=None, seed: int = 0):
        self.base = base if base is not None else _clf(seed)

    def fit(self, X, t, y):
        self.m = clone(self.base).fit(np.column_stack([X, t]), y)
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        one, zero = np.column_stack([X, np.ones(len(X))]), np.column_stack([X, np.zeros(len(X))])
        return self.m.predict_proba(one)[:, 1] - self.m.predict_proba(zero)[:, 1]


class TLearner:
    """Two models, one per group; uplift = f₁(x) − f₀(x)."""

    def __init__(self, base=None, seed: int = 0):
        self.base = base if base is not None else _clf(seed)

    def fit(self, X, t, y):
        X, t = np.asarray(X, float), np.asarray(t, bool)
        self.m1 = clone(self.base).fit(X[t], np.asarray(y)[t])
        self.m0 = clone(self.base).fit(X[~t], np.asarray(y)[~t])
        return self

    def predict(self, X):
        return self.m1.predict_proba(X)[:, 1] - self.m0.predict_proba(X)[:, 1]


class ClassTransformation:
    """Transformed outcome Z = Y·(T − e)/(e(1 − e)) with e the share treated, so that
    E[Z | x] = uplift(x); a regressor of Z on X predicts uplift. With e = 1/2 this is the class
    transformation of Jaśkowski & Jaroszewicz (2012) up to the affine map 2P(Z=1) − 1."""

    def __init__(self, base=None, seed: int = 0):
        self.base = base if base is not None else _reg(seed)

    def fit(self, X, t, y):
        t, y = np.asarray(t, float), np.asarray(y, float)
        e = t.mean()
        self.m = clone(self.base).fit(X, y * (t - e) / (e * (1 - e)))
        return self

    def predict(self, X):
        return self.m.predict(X)


class XLearner:
    """Künzel et al. (2019): outcome models per group, imputed individual effects
    (D₁ = Y − f₀(x) for the treated, D₀ = f₁(x) − Y for the controls), effect models on each, and
    their combination weighted by the share treated."""

    def __init__(self, base=None, effect_base=None, seed: int = 0):
        self.base = base if base is not None else _clf(seed)
        self.effect_base = effect_base if effect_base is not None else _reg(seed)

    def fit(self, X, t, y):
        X, t, y = np.asarray(X, float), np.asarray(t, bool), np.asarray(y, float)
        m1 = clone(self.base).fit(X[t], y[t])
        m0 = clone(self.base).fit(X[~t], y[~t])
        d1 = y[t] - m0.predict_proba(X[t])[:, 1]
        d0 = m1.predict_proba(X[~t])[:, 1] - y[~t]
        self.tau1 = clone(self.effect_base).fit(X[t], d1)
        self.tau0 = clone(self.effect_base).fit(X[~t], d0)
        self.g = t.mean()
        return self

    def predict(self, X):
        return self.g * self.tau0.predict(X) + (1 - self.g) * self.tau1.predict(X)


LEARNERS = {
    "S-learner": SLearner,
    "T-learner": TLearner,
    "class transformation": ClassTransformation,
    "X-learner": XLearner,
}
