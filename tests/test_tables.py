"""format_table: separators, units, percentages, meaningful decimals, readable headers."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research.tables import format_table, readable


def cells(styler) -> pd.DataFrame:
    return styler.data


def test_kinds_inferred_from_names_and_values():
    df = pd.DataFrame(
        {
            "segment": ["a", "b"],
            "churners": [1410.0, 3.0],
            "churn_rate": [0.123456, 0.5],
            "mean_revenue": [123456.78, 99.5],
            "ROC AUC": [0.798123, 0.5],
            "total error %": [1.234, -3.2],
            "mean frequency": [2.34567, 1.1],
        }
    )
    st = format_table(df, currency="KRW")
    d = cells(st)
    assert list(d.columns) == [
        "Segment",
        "Churners",
        "Churn rate",
        "Mean revenue (KRW)",
        "ROC AUC",
        "Total error %",
        "Mean frequency",
    ]
    assert d.iloc[0].tolist() == ["a", "1,410", "12.3%", "123,457", "0.798", "+1.2", "2.35"]
    html = st.to_html()
    assert "1410.000000" not in html and ">0<" not in html  # no 0..n index
    assert "text-align: left" in html and "text-align: right" in html


def test_overrides_decimals_and_kept_index():
    df = pd.DataFrame(
        {"x": [0.123456789], "y": [5.0]}, index=pd.Index(["model"], name="model_name")
    )
    d = cells(format_table(df, decimals=9, percent=["y"], counts=[]))
    assert d.iloc[0, 0] == "0.1235"  # never more than four decimals
    assert d.iloc[0, 1] == "500.0000%"
    assert d.index.name == "Model name"


def test_metrics_in_rows_do_not_share_one_format():
    m = pd.DataFrame(
        {"value": [0.798, 4.45e9, 1234.0]}, index=["ROC AUC", "clv_total", "customers"]
    )
    d = cells(format_table(m, currency="KRW", by="rows"))
    assert d["Value"].tolist() == ["0.798", "4,450,000,000", "1,234"]
    assert list(d.index) == ["ROC AUC", "Clv total (KRW)", "Customers"]


def test_missing_values_and_series():
    d = cells(format_table(pd.Series([1.5, None], name="mean_spend"), currency="USD"))
    assert d.iloc[:, 0].tolist() == ["1.50", "—"] and d.columns[0] == "Mean spend (USD)"
    assert (
        readable("mean_recency_days") == "Mean recency days" and readable("P(alive)") == "P(alive)"
    )
    with pytest.raises(ValueError, match="by must be"):
        format_table(pd.DataFrame({"a": [1]}), by="cells")


def test_scores_override_a_probability_looking_name():
    df = pd.DataFrame({"P(alive) ROC AUC": [0.92712], "P(alive) Brier score": [0.10812]})
    d = cells(format_table(df, scores=list(df.columns)))
    assert d.iloc[0].tolist() == ["0.927", "0.108"]
