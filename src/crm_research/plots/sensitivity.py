"""Figures of how a result depends on a choice: a metric by the number of segments k, partial
dependence on a feature (probability scale) and a heatmap of a result over two assumptions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_research.plots.figure import (
    _ax,
    _finish,
    feature_label,
)


def plot_metric_by_k(
    values: pd.Series | pd.DataFrame,
    *,
    ax=None,
    title: str = "",
    xlabel: str = "number of segments k",
    ylabel: str = "",
    mark: int | None = None,
    mark_label: str = "chosen k",
):
    """A metric (or several) against the number of segments, with an optional marked k."""
    ax = _ax(ax, (7, 3.5))
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    for c in frame.columns:
        ax.plot(frame.index, frame[c], marker="o", label=str(c) if frame.shape[1] > 1 else None)
    if mark is not None:
        ax.axvline(mark, color="grey", ls=":", label=mark_label)
    ax.set_xticks(list(frame.index))
    return _finish(ax, title, xlabel, ylabel)


def plot_partial_dependence(
    model,
    X: pd.DataFrame,
    features: Sequence[str],
    *,
    axes=None,
    currency: str | None = None,
    grid_resolution: int = 30,
    title: str = "How each feature moves the predicted probability",
    ylabel: str = "predicted probability (average, %)",
    random_state: int = 0,
):
    """Partial dependence of a classifier's **probability** (``predict_proba``, in %), one
    panel per feature, with readable feature names; a ``log_`` feature is shown back on its
    own scale (``expm1``, symmetric-log axis). (scikit-learn's default for gradient boosting is
    the log-odds, which read as "probabilities" from −1.5 to 2.2.) Returns the Axes array."""
    import matplotlib.pyplot as plt
    from sklearn.inspection import partial_dependence

    features = list(features)
    X = X.astype({c: float for c in X.columns if pd.api.types.is_integer_dtype(X[c])})
    if axes is None:
        _, axes = plt.subplots(1, len(features), figsize=(4.2 * len(features), 3.6), squeeze=False)
        axes = axes.ravel()
    axes = np.atleast_1d(axes)
    for ax, f in zip(axes, features, strict=True):
        pd_ = partial_dependence(
            model,
            X,
            [f],
            response_method="predict_proba",
            method="brute",
            kind="average",
            grid_resolution=grid_resolution,
        )
        x = np.asarray(pd_["grid_values"][0], dtype=float)
        y = np.asarray(pd_["average"][0], dtype=float) * 100
        if f.startswith("log_"):
            x = np.expm1(x)
            ax.set_xscale("symlog", linthresh=1)
        ax.plot(x, y, color="C0", lw=2)
        ax.set(
            xlabel=feature_label(f, currency),
            ylabel=ylabel,
            title=feature_label(f, currency).split(" (")[0],
        )
    axes[0].figure.suptitle(title)
    return axes


def plot_sensitivity_heatmap(
    table: pd.DataFrame,
    *,
    ax=None,
    title: str = "Sensitivity",
    xlabel: str = "",
    ylabel: str = "",
    cell_format: str = "{:,.0f}",
    row_format: str = "{}",
    column_format: str = "{}",
    cmap: str = "Blues",
    colorbar_label: str = "",
):
    """A readable heat map of a small table: light sequential colours, cell values in black or
    white by the cell's brightness (never white on yellow), formatted tick labels that do not
    overlap (rotated when long)."""
    import matplotlib.pyplot as plt

    ax = _ax(ax, (1.3 * table.shape[1] + 2.5, 0.55 * table.shape[0] + 1.8))
    z = table.to_numpy(dtype=float)
    im = ax.imshow(z, cmap=cmap, aspect="auto")
    cm = plt.get_cmap(cmap)
    lo, hi = np.nanmin(z), np.nanmax(z)
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            v = z[i, j]
            if not np.isfinite(v):
                continue
            r, g, b, _ = cm((v - lo) / (hi - lo) if hi > lo else 0.5)
            dark = 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5
            ax.text(
                j,
                i,
                cell_format.format(v),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if dark else "black",
            )
    cols = [column_format.format(c) for c in table.columns]
    rot = 30 if max(len(c) for c in cols) * table.shape[1] > 40 else 0
    ax.set_xticks(range(table.shape[1]), cols, rotation=rot, ha="right" if rot else "center")
    ax.set_yticks(range(table.shape[0]), [row_format.format(r) for r in table.index])
    ax.grid(False)
    cb = ax.figure.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
    if colorbar_label:
        cb.set_label(colorbar_label)
    return _finish(ax, title, xlabel, ylabel, legend=False)
