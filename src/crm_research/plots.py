"""The figures that appear in more than one report, one function each.

Every function takes the table a package function returns, draws on ``ax`` (a new figure when
None) and returns the Axes, in the style of pymc-marketing's ``clv/plotting.py``. Every figure has
a title and axis labels with units; the title becomes the figure's alternative text in the HTML
reports (see :func:`figure_alt` and :func:`crm_research.report.setup_notebook`).

=================================  ==============================================================
function                           input
=================================  ==============================================================
:func:`plot_reliability`           ``{name: table}`` of ``predicted`` and ``observed`` (or
                                   ``true``) per bin: ``churn.reliability``,
                                   ``clv_views.p_alive_reliability``
:func:`plot_kaplan_meier`          ``{group: table}`` of ``time``, ``survival`` (``low``,
                                   ``high``): ``churn.kaplan_meier``
:func:`plot_tracking`              ``actual`` and one column per model by week:
                                   ``clv_views.tracking_table``, ``clv.tracking``
:func:`plot_conditional_expectations`  ``actual`` and models by calibration purchases:
                                   ``clv.conditional_expectations``
:func:`plot_qini_curves`           ``{name: table}`` of ``targeted``, ``qini``:
                                   ``uplift.qini_curve``
:func:`plot_uplift_by_decile`      ``uplift.uplift_by_decile``
:func:`plot_probability_histogram` probabilities (P(alive), churn scores)
:func:`plot_shares`                a Series of shares (0–1) by label, as horizontal bars
:func:`plot_lorenz`                ``rfm.lorenz_curve``
:func:`plot_cumulative_gains`      ``{name: table}`` with ``cumulative gains`` by decile:
                                   ``churn.lift_table``
:func:`plot_metric_by_k`           a Series or DataFrame indexed by the number of segments k
:func:`plot_partial_dependence`    a fitted classifier and its features: partial dependence on
                                   the **probability** scale (not log-odds)
:func:`plot_sensitivity_heatmap`   a table of numbers (rows × columns), e.g.
                                   ``churn.sensitivity``
=================================  ==============================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

FEATURE_LABELS: dict[str, str] = {
    "recency_days": "days since the last purchase",
    "frequency": "repeat purchases (count)",
    "tenure_days": "days since the first purchase",
    "orders_90d": "orders in the last 90 days",
    "age": "age (years)",
    "p_alive": "P(alive)",
}


def feature_label(name: str, currency: str | None = None) -> str:
    """A readable label for a feature name: ``log_web_orders_per_year`` → ``web orders per
    year``; money features get the currency. Log-transformed features are labelled by the
    quantity they transform (plots show it back on its own scale)."""
    if name in FEATURE_LABELS:
        return FEATURE_LABELS[name]
    base = name[4:] if name.startswith("log_") else name
    label = FEATURE_LABELS.get(base, base.replace("_", " "))
    if currency and re.search(r"value|monetary|spend|revenue|amount|clv", base):
        label += f" ({currency})"
    return label


def figure_alt(fig) -> str:
    """Alternative text of a figure: ``fig.crm_alt`` if set, else its titles (suptitle, then
    each Axes' title), else a description from the axis labels, else empty (the report runner
    then names the figure by its number and report)."""
    own = getattr(fig, "crm_alt", None)
    if own:
        return str(own)
    parts = []
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text().strip():
        parts.append(sup.get_text().strip())
    for ax in fig.axes:
        t = " ".join(ax.get_title(loc).strip() for loc in ("left", "center", "right")).strip()
        if t:
            parts.append(t)
    if parts:
        return "Figure: " + "; ".join(dict.fromkeys(parts))
    labels = [
        (ax.get_ylabel(), ax.get_xlabel()) for ax in fig.axes if ax.get_ylabel() or ax.get_xlabel()
    ]
    if labels:
        return "Chart of " + "; ".join(f"{y or 'values'} by {x or 'position'}" for y, x in labels)
    return ""


def _ax(ax, figsize=(8, 4.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _finish(ax, title: str, xlabel: str, ylabel: str, legend: bool = True):
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    return ax


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


def _percent_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:.0%}")


def _thousands_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:,.0f}")
