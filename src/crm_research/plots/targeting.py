"""Figures for choosing whom to target: Qini curves, uplift by decile and cumulative gains."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from crm_research.plots.figure import (
    _ax,
    _finish,
)


def plot_qini_curves(
    curves: Mapping[str, pd.DataFrame],
    *,
    n: int | None = None,
    ax=None,
    title: str = "Qini curves",
    outcome: str = "responses",
    xlabel: str = "customers targeted (%)",
    ylabel: str | None = None,
    random_line: bool = True,
):
    """Qini curves (incremental responses against the share targeted), one per model, and the
    random-targeting line of the first curve. ``n``: customers in the evaluation set (default:
    the last ``targeted`` of the first curve)."""
    ax = _ax(ax)
    first = next(iter(curves.values()))
    n = n or float(first["targeted"].iloc[-1])
    for name, c in curves.items():
        ax.plot(c["targeted"] / n * 100, c["qini"], label=name)
    if random_line:
        end = float(first["qini"].iloc[-1])
        ax.plot([0, 100], [0, end], color="grey", ls=":", label="random targeting")
    ax.axhline(0, color="black", lw=0.6)
    return _finish(ax, title, xlabel, ylabel or f"incremental {outcome} (count)")


def plot_uplift_by_decile(
    table: pd.DataFrame,
    *,
    ax=None,
    title: str = "Uplift by decile",
    xlabel: str = "decile of predicted uplift (1 = highest)",
    ylabel: str = "uplift in response rate (pts)",
):
    """Observed uplift (bars) and mean predicted uplift (line) per decile, in percentage
    points."""
    ax = _ax(ax)
    x = table.index.astype(int)
    ax.bar(x, table["observed uplift"] * 100, color="C0", label="observed")
    if "predicted uplift" in table:
        ax.plot(x, table["predicted uplift"] * 100, "ko-", label="predicted")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(x)
    return _finish(ax, title, xlabel, ylabel)


def plot_cumulative_gains(
    tables: Mapping[str, pd.DataFrame] | pd.DataFrame,
    *,
    ax=None,
    title: str = "Cumulative gains",
    xlabel: str = "deciles contacted (highest score first)",
    ylabel: str = "share of all cases reached (%)",
):
    """Cumulative gains by decile (``cumulative gains`` column, 0–1) with the random line."""
    ax = _ax(ax)
    if isinstance(tables, pd.DataFrame):
        tables = {"model": tables}
    for name, t in tables.items():
        x = [0, *t.index.astype(int)]
        ax.plot(x, [0, *(t["cumulative gains"] * 100)], marker="o", label=name)
    k = max(len(t) for t in tables.values())
    ax.plot([0, k], [0, 100], color="grey", ls=":", label="random")
    ax.set(xlim=(0, k), ylim=(0, 102))
    return _finish(ax, title, xlabel, ylabel)
