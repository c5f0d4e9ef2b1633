"""Shared figures: each returns its Axes with a title and labelled axes; partial dependence is on
the probability scale; the heat map's numbers stay readable; alt text comes from titles."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crm_research import plots  # noqa: E402

rng = np.random.default_rng(0)


def labelled(ax):
    assert ax.get_title() or ax.figure._suptitle is not None
    assert ax.get_xlabel() and ax.get_ylabel()
    return True


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_every_plot_returns_labelled_axes():
    rel = pd.DataFrame({"predicted": [0.1, 0.5, 0.9], "observed": [0.12, 0.45, 0.8]})
    km = {
        "a": pd.DataFrame(
            {
                "time": [0, 10, 20],
                "survival": [1, 0.8, 0.6],
                "low": [1, 0.7, 0.5],
                "high": [1, 0.9, 0.7],
            }
        )
    }
    tr = pd.DataFrame({"actual": [1, 3, 6], "BG/NBD": [1, 3.2, 5.5]}, index=[1, 2, 3])
    tr.attrs["calibration_week"] = 2
    ce = pd.DataFrame({"actual": [0.1, 0.5], "BG/NBD": [0.12, 0.4], "n": [10, 5]}, index=["0", "1"])
    qc = {"model": pd.DataFrame({"targeted": [0, 50, 100], "qini": [0, 8, 10]})}
    dec = pd.DataFrame(
        {"observed uplift": [0.05, 0.01], "predicted uplift": [0.04, 0.0]}, index=[1, 2]
    )
    lor = pd.DataFrame({"customer_share": [0, 0.5, 1], "value_share": [0, 0.8, 1]})
    lor.attrs["gini"] = 0.4
    lift = pd.DataFrame({"cumulative gains": [0.3, 0.5, 1.0]}, index=[1, 2, 3])
    axes = [
        plots.plot_reliability({"m": rel}),
        plots.plot_reliability(rel.rename(columns={"observed": "true"})),
        plots.plot_kaplan_meier(km),
        plots.plot_tracking(tr),
        plots.plot_conditional_expectations(ce),
        plots.plot_qini_curves(qc, outcome="visits"),
        plots.plot_uplift_by_decile(dec),
        plots.plot_probability_histogram(rng.random(100)),
        plots.plot_shares(
            pd.Series({"a": 0.8, "b": -0.1}), references={"70%": 0.7}, ylabel="policy"
        ),
        plots.plot_lorenz(lor),
        plots.plot_cumulative_gains(lift),
        plots.plot_metric_by_k(
            pd.Series([0.5, 0.7], index=[2, 3]), title="Stability", ylabel="ARI", mark=3
        ),
        plots.plot_sensitivity_heatmap(
            pd.DataFrame([[1, 2000], [30, 4]], index=[0.1, 0.2], columns=[5000, 10000]),
            title="Worth contacting",
            xlabel="offer cost (KRW)",
            ylabel="success rate",
        ),
    ]
    assert all(labelled(ax) for ax in axes)
    existing, ax = plt.subplots()
    assert plots.plot_reliability(rel, ax=ax) is ax


def test_heatmap_text_is_dark_on_light_cells():
    ax = plots.plot_sensitivity_heatmap(pd.DataFrame([[0, 100]]), title="t", xlabel="x", ylabel="y")
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["0"] == "black" and colours["100"] == "white"


def test_partial_dependence_is_a_probability_with_readable_labels():
    from sklearn.ensemble import GradientBoostingClassifier

    X = pd.DataFrame(
        {"log_web_orders_per_year": rng.normal(1, 0.5, 400), "age": rng.integers(20, 70, 400)}
    )
    y = (X["log_web_orders_per_year"] + rng.normal(0, 0.3, 400) > 1).astype(int)
    model = GradientBoostingClassifier(random_state=0).fit(X, y)
    axes = plots.plot_partial_dependence(model, X, ["log_web_orders_per_year", "age"])
    ys = np.concatenate([line.get_ydata() for ax in axes for line in ax.get_lines()])
    assert ys.min() >= 0 and ys.max() <= 100  # percent, not log-odds
    assert axes[0].get_xlabel() == "web orders per year" and axes[1].get_xlabel() == "age (years)"
    assert "probability" in axes[0].get_ylabel()


def test_figure_alt_text():
    fig, (a, b) = plt.subplots(1, 2)
    a.set_title("Left")
    b.set_title("Right")
    assert plots.figure_alt(fig) == "Figure: Left; Right"
    fig2, ax = plt.subplots()
    ax.set(xlabel="week", ylabel="purchases")
    assert plots.figure_alt(fig2) == "Chart of purchases by week"
    fig2.crm_alt = "Own text"
    assert plots.figure_alt(fig2) == "Own text"
    assert plots.feature_label("log_order_value", "KRW") == "order value (KRW)"
