"""The glossary: every term explained, docs/glossary.md generated from it, anchors unique."""

from __future__ import annotations

import re

import pytest

from crm_research.config import PROJ_ROOT
from crm_research.teaching import glossary

REQUIRED = [
    "RFM",
    "CLV",
    "BTYD",
    "BG/NBD",
    "Pareto/NBD",
    "Gamma-Gamma",
    "P(alive)",
    "Holdout",
    "Calibration period",
    "Calibration (probabilities)",
    "ROC AUC",
    "Brier score",
    "ARI",
    "Silhouette",
    "BIC",
    "k-means",
    "Gaussian mixture",
    "Churn",
    "Uplift",
    "Qini",
    "AUUC",
    "uplift@k",
    "CUPED",
    "Regression adjustment",
    "Difference-in-differences",
    "Interrupted time series",
    "sBG",
    "DERL",
    "Identity resolution",
    "Fellegi–Sunter",
    "Precision, recall, F1",
    "Quarantine",
    "KPI",
]


def test_required_terms_are_explained_in_two_or_three_sentences():
    for term in REQUIRED:
        assert term in glossary.GLOSSARY, term
    for term, (short, long) in glossary.GLOSSARY.items():
        assert short and "\n" not in short, term
        sentences = len(re.findall(r"[.!?](?:\s|$)", long))
        assert 1 <= sentences <= 4, (term, sentences)


def test_anchors_are_unique_and_slug_like():
    anchors = [glossary.anchor(t) for t in glossary.GLOSSARY]
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"[a-z][a-z0-9_-]*", a) for a in anchors)
    assert glossary.anchor("P(alive)") == "palive"
    assert glossary.link("ROC AUC", "../docs/glossary.md") == "../docs/glossary.md#roc-auc"
    with pytest.raises(KeyError):
        glossary.link("no such term")


def test_docs_page_is_generated_from_the_package():
    page = (PROJ_ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert page == glossary.to_markdown(), "run: python -m crm_research.teaching.glossary"
    for term in glossary.GLOSSARY:
        assert f'<a id="{glossary.anchor(term)}"></a>' in page


def test_glossary_links_in_notebooks_and_docs_resolve():
    import nbformat

    anchors = {glossary.anchor(t) for t in glossary.GLOSSARY}
    background = (PROJ_ROOT / "docs" / "background.md").read_text(encoding="utf-8")
    bg_anchors = set(re.findall(r'<a id="([\w-]+)"></a>', background))
    texts = [background]
    for nb in sorted((PROJ_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        texts += [
            c.source for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "markdown"
        ]
    for text in texts:
        for a in re.findall(r"glossary\.md#([\w-]+)", text):
            assert a in anchors, a
        for a in re.findall(r"background\.md#([\w-]+)", text):
            assert a in bg_anchors, a
