"""Figures of models against observations: reliability (calibration), Kaplan–Meier survival,
weekly tracking, conditional expectations, and a histogram of predicted probabilities.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crm_research.plots.figure import (
    _ax,
    _finish,
    _percent_formatter,
    _thousands_formatter,
)


def plot_reliability(
    curves: Mapping[str, pd.DataFrame] | pd.DataFrame,
    *,
    ax=None,
    title: str = "Reliability: predicted against observed",
    xlabel: str = "predicted probability (bin mean)",
    ylabel: str = "observed share (bin mean)",
):
    """Reliability (calibration) curves with the diagonal of perfect calibration. ``curves``:
    one table or ``{name: table}`` with columns ``predicted`` and ``observed`` (or ``true``)."""
    ax = _ax(ax, (6, 5))
    if isinstance(curves, pd.DataFrame):
        curves = {"": curves}
    ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1, label="perfectly calibrated")
    for name, t in curves.items():
        obs = t["observed"] if "observed" in t else t["true"]
        ax.plot(t["predicted"], obs, marker="o", label=name or None)
    ax.set(xlim=(0, 1), ylim=(0, 1.02))
    return _finish(ax, title, xlabel, ylabel)


def plot_kaplan_meier(
    curves: Mapping[str, pd.DataFrame],
    *,
    ax=None,
    ci: bool = True,
    title: str = "Customers still active (Kaplan-Meier)",
    xlabel: str = "days since the first purchase",
    ylabel: str = "share still active",
) -> object:
    """Kaplan–Meier survival curves, one step line per group, with 95% bands when the tables
    have ``low`` and ``high``."""
    ax = _ax(ax)
    for name, t in curves.items():
        (line,) = ax.step(t["time"], t["survival"], where="post", label=name)
        if ci and {"low", "high"} <= set(t):
            ax.fill_between(
                t["time"], t["low"], t["high"], step="post", alpha=0.15, color=line.get_color()
            )
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(_percent_formatter())
    return _finish(
        ax, title, xlabel, ylabel, legend=len(curves) > 1 or next(iter(curves), "") != "all"
    )


def plot_tracking(
    table: pd.DataFrame,
    *,
    calibration_end: float | None = None,
    ax=None,
    title: str = "Cumulative repeat purchases, actual and forecast",
    xlabel: str = "week",
    ylabel: str = "repeat purchases (cumulative count)",
):
    """Actual (black) and forecast (dashed) cumulative repeat purchases by period; a vertical line
    at ``calibration_end`` (default ``table.attrs['calibration_week']``) separates calibration
    and holdout."""
    ax = _ax(ax)
    ax.plot(table.index, table["actual"], color="black", lw=2, label="actual")
    for c in table.columns:
        if c != "actual":
            ax.plot(table.index, table[c], ls="--", label="forecast" if c == "predicted" else c)
    cut = calibration_end if calibration_end is not None else table.attrs.get("calibration_week")
    if cut is not None:
        ax.axvline(cut, color="grey", lw=1)
        ax.annotate(
            "calibration | holdout",
            (cut, 0.04),
            xycoords=("data", "axes fraction"),
            ha="center",
            fontsize=8,
            color="grey",
            backgroundcolor="white",
        )
    return _finish(ax, title, xlabel, ylabel)


def plot_conditional_expectations(
    table: pd.DataFrame,
    *,
    ax=None,
    title: str = "Holdout purchases by calibration purchases",
    xlabel: str = "repeat purchases in the calibration period (count)",
    ylabel: str = "mean purchases in the holdout (count)",
):
    """Mean holdout purchases by calibration purchases, actual (black) and per model."""
    ax = _ax(ax)
    x = np.arange(len(table))
    ax.plot(x, table["actual"], "k-o", lw=2, label="actual")
    for c in table.columns:
        if c not in ("actual", "n"):
            ax.plot(x, table[c], ls="--", marker="o", label=c)
    ax.set_xticks(x, [str(i) for i in table.index])
    return _finish(ax, title, xlabel, ylabel)


def plot_probability_histogram(
    p,
    *,
    ax=None,
    bins: int = 20,
    title: str = "Distribution of probabilities",
    xlabel: str = "probability",
    ylabel: str = "customers (count)",
):
    """Histogram of probabilities on [0, 1]."""
    ax = _ax(ax, (7, 3.5))
    ax.hist(
        np.asarray(p, dtype=float), bins=np.linspace(0, 1, bins + 1), color="C0", edgecolor="white"
    )
    ax.set_xlim(0, 1)
    ax.yaxis.set_major_formatter(_thousands_formatter())
    return _finish(ax, title, xlabel, ylabel, legend=False)
