"""Technical terms in headline figures, explained in one line each from the glossary
(:data:`crm_research.teaching.terms.GLOSSARY`), for the index.
"""

from __future__ import annotations

import re

from crm_research.teaching.terms import GLOSSARY

#: other spellings of glossary terms, as they appear in headline labels
TERM_ALIASES = {
    "F1": "Precision, recall, F1",
    "precision": "Precision, recall, F1",
    "recall": "Precision, recall, F1",
    "Kaplan-Meier": "Kaplan–Meier",
    "90-day churn": "Churn rate (90 days)",
    "Davies-Bouldin": "Davies–Bouldin",
    "Calinski-Harabasz": "Calinski–Harabasz",
    "AUC": "ROC AUC",
    "S-learner": "Meta-learners",
    "T-learner": "Meta-learners",
    "X-learner": "Meta-learners",
}

#: terms of headline labels that the glossary does not define (one line each)
EXTRA_TERMS = {
    "pts": "Percentage points: the difference between two percentages (12% to 15% is +3 pts).",
    "truth": "The simulator's hidden ground truth, known only on simulated data.",
    "RMSE": "Root mean squared error: the typical size of a forecast's miss, large misses "
    "weighing more.",
    "Gini": "Inequality from 0 (everyone brings the same) to 1 (one customer brings everything).",
}

#: glossary entries whose names are ordinary words in headlines, with another meaning there
TERM_SKIP = {"Target", "CRM", "eCRM", "Blocking", "Segmentation", "Quarantine"}


def _term_pattern(spelling: str) -> re.Pattern:
    body = re.escape(spelling).replace("\\ ", "[ -]")
    sensitive = sum(ch.isupper() for ch in spelling) >= 2 or len(spelling) <= 3
    return re.compile(rf"(?<![\w/]){body}(?![\w/])", 0 if sensitive else re.IGNORECASE)


def _term_table() -> list[tuple[re.Pattern, str, str]]:
    rows = [(t, t, GLOSSARY[t][0]) for t in GLOSSARY if t not in TERM_SKIP]
    rows += [(a, t, GLOSSARY[t][0]) for a, t in TERM_ALIASES.items() if t in GLOSSARY]
    rows += [(t, t, m) for t, m in EXTRA_TERMS.items()]
    return [(_term_pattern(sp), term, meaning) for sp, term, meaning in rows]


_TERMS = _term_table()


def explain(text: str) -> list[tuple[str, str]]:
    """``[(term, one-line meaning), ...]`` for the technical terms in ``text`` (glossary terms,
    their usual spellings, and :data:`EXTRA_TERMS`), each once, in the order they appear; a term
    found inside a longer one found (AUC in ROC AUC) is left out."""
    hits: dict[str, tuple[int, str, str]] = {}
    for rx, term, meaning in _TERMS:
        m = rx.search(text)
        if m and (term not in hits or m.start() < hits[term][0]):
            hits[term] = (m.start(), m.group(0), meaning)
    spans = {t: v[1] for t, v in hits.items()}
    keep = [
        t
        for t in hits
        if not any(
            t != o and spans[t].lower() in spans[o].lower() and len(spans[o]) > len(spans[t])
            for o in hits
        )
    ]
    return [(t, hits[t][2]) for t in sorted(keep, key=lambda t: hits[t][0])]
