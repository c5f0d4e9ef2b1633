"""One-line meanings of the technical terms that appear in headline figures and reports.

The report index (:mod:`crm_research.pages`) shows, under each headline figure, the meaning of
every term of :data:`GLOSSARY` found in its label, so a manager can read "ROC AUC 0.80" without
a statistics course.
"""

from __future__ import annotations

import re

GLOSSARY: dict[str, str] = {
    "ARI": "adjusted Rand index: how closely two groupings agree (0 = no better than chance, "
    "1 = identical)",
    "ROC AUC": "the chance that a randomly chosen customer who did it is ranked above one who "
    "did not (0.5 = coin toss, 1 = perfect ranking)",
    "AUC": "area under the ROC curve: the chance that the score ranks a positive case above a "
    "negative one (0.5 = coin toss, 1 = perfect)",
    "AUUC": "area under the uplift curve: incremental responses accumulated as more customers "
    "are targeted by the model's ranking (higher is better)",
    "Qini": "incremental responses gained by targeting customers in the model's order, above "
    "targeting at random (0 = no better than random)",
    "P(alive)": "the model's probability that a customer is still buying from us (has not "
    "silently left)",
    "F1": "balance of precision (how many flagged are right) and recall (how many right ones are "
    "flagged), from 0 to 1",
    "CLV": "customer lifetime value: the expected, discounted value of a customer's future "
    "purchases",
    "RFM": "recency, frequency, monetary value: how recently, how often and how much a customer "
    "buys",
    "BG/NBD": "beta-geometric/negative binomial model: predicts future purchases and whether a "
    "customer is still active from recency and frequency",
    "Pareto/NBD": "a model of future purchases and silent defection, like BG/NBD with dropout "
    "possible at any moment",
    "MBG/NBD": "modified BG/NBD: like BG/NBD, but customers with one purchase may also have left",
    "Gamma-Gamma": "the spend model: a customer's average order value, shrunk towards the "
    "average of all customers",
    "uplift": "the change in response caused by the action (treated minus control), not the "
    "response itself",
    "pts": "percentage points: the difference between two percentages (12% to 15% is +3 pts)",
    "MAE": "mean absolute error: the average size of a forecast's miss, in the forecast's unit",
    "RMSE": "root mean squared error: the typical size of a forecast's miss, large misses "
    "weighing more",
    "Gini": "inequality from 0 (everyone brings the same) to 1 (one customer brings everything)",
    "holdout": "a recent period kept aside to check forecasts against what really happened",
    "lift": "how many times more often the top-ranked customers do it than customers on average",
    "churn": "a customer who stops buying (or cancels) within the stated window",
    "silhouette": "how well each customer sits in its own segment compared with the nearest "
    "other one (-1 to 1, higher is better)",
    "BIC": "Bayesian information criterion: model fit penalised for complexity (lower is better)",
    "Kaplan-Meier": "the share of customers still active after each number of days, counting "
    "customers observed for less time correctly",
    "S-learner": "one model of response with the treatment as an input; uplift is its "
    "prediction with minus without treatment",
    "T-learner": "two response models, one per group; uplift is the difference of their "
    "predictions",
    "truth": "the simulator's hidden ground truth, known only on simulated data",
    "confidence interval": "the range that would contain the true value in 95% of repeated studies",
    "precision": "of the customers flagged, the share that are right",
    "recall": "of the customers that should be flagged, the share that are",
}


def _pattern(term: str) -> re.Pattern:
    body = re.escape(term).replace("\\ ", "[ -]")
    return re.compile(rf"(?<![\w/]){body}(?![\w/])", re.IGNORECASE if term.islower() else 0)


_PATTERNS = {t: _pattern(t) for t in GLOSSARY}


def terms_in(text: str) -> list[str]:
    """The glossary terms found in ``text``, in glossary order; a term contained in a longer
    term found (AUC in ROC AUC) is left out."""
    found = [t for t, p in _PATTERNS.items() if p.search(text)]
    return [t for t in found if not any(t != o and t in o for o in found)]


def explain(text: str) -> list[tuple[str, str]]:
    """``[(term, meaning), ...]`` for the glossary terms in ``text``."""
    return [(t, GLOSSARY[t]) for t in terms_in(text)]
