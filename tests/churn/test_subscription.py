"""Real subscription churn: the IBM Telco models, cross-validated (the loader's own checks are in
tests/data/test_telco.py)."""

from __future__ import annotations

from crm_research import churn


def test_telco_cross_validated_auc():
    df = churn.load_telco()
    table, oof = churn.telco_cross_validation(df, seed=0)
    assert table["ROC AUC"].max() >= 0.84
    assert all(len(v) == 7043 for v in oof.values())
