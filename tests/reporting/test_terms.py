"""Technical terms of headline figures explained from the glossary."""

from __future__ import annotations

from crm_research import reporting as pages


def test_headline_terms_are_explained_from_the_glossary():
    def terms(text):
        return [t for t, _ in pages.explain(text)]

    assert terms("BG/NBD P(alive) vs the truth (ROC AUC)") == [
        "BG/NBD",
        "P(alive)",
        "truth",
        "ROC AUC",
    ]
    assert terms("Segmentation k=4 ARI") == ["ARI"]
    assert terms("MBG/NBD holdout MAE") == ["MBG/NBD", "Holdout", "MAE"]  # not BG/NBD inside
    assert terms("S-learner uplift, +3.51 pts") == ["Meta-learners", "Uplift", "pts"]
    assert terms("Customers to target") == []
    assert all(m.endswith(".") for _, m in pages.explain("Qini and AUUC and F1"))
