"""Figures of how customers and value are spread: shares as horizontal bars and the Lorenz
curve.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crm_research.plots.figure import (
    _ax,
    _finish,
)


def plot_shares(
    shares: pd.Series,
    *,
    ax=None,
    title: str = "Shares",
    xlabel: str = "share (%)",
    ylabel: str = "",
    references: Mapping[str, float] | None = None,
    sort: bool = True,
    labels: bool = True,
):
    """Horizontal bars of shares (0–1, shown in %), negative ones in red, value labels at the bar
    ends; ``references``: vertical lines ``{label: share}``."""
    s = shares.sort_values() if sort else shares
    ax = _ax(ax, (8, max(2.5, 0.45 * len(s) + 1)))
    vals = s.to_numpy(dtype=float) * 100
    ax.barh([str(i) for i in s.index], vals, color=["C3" if v < 0 else "C0" for v in vals])
    for name, v in (references or {}).items():
        ax.axvline(v * 100, color="grey", ls="--", lw=1, label=name)
    if labels:
        for i, v in enumerate(vals):
            if np.isfinite(v):
                ax.annotate(
                    f"{v:.0f}%",
                    (v, i),
                    xytext=(3 if v >= 0 else -3, 0),
                    textcoords="offset points",
                    ha="left" if v >= 0 else "right",
                    va="center",
                    fontsize=8,
                )
    ax.margins(x=0.12)
    return _finish(ax, title, xlabel, ylabel)


def plot_lorenz(
    curve: pd.DataFrame,
    *,
    ax=None,
    label: str = "value",
    title: str = "Who brings the value?",
    xlabel: str = "customers, largest first (cumulative %)",
    ylabel: str = "value (cumulative %)",
):
    """Lorenz curve of ``rfm.lorenz_curve`` (Gini in the legend) with the equality line."""
    ax = _ax(ax, (6, 4.5))
    gini = curve.attrs.get("gini")
    ax.plot(
        curve["customer_share"] * 100,
        curve["value_share"] * 100,
        label=f"{label} (Gini {gini:.2f})" if gini is not None else label,
    )
    ax.plot([0, 100], [0, 100], color="grey", ls=":", label="all customers equal")
    ax.set(xlim=(0, 100), ylim=(0, 100))
    return _finish(ax, title, xlabel, ylabel)
