"""What every figure of :mod:`crm_research.plots` shares: readable feature labels
(:func:`feature_label`), the alternative text of a figure (:func:`figure_alt`), a new Axes, its
title and axis labels, and tick formatters.
"""

from __future__ import annotations

import re

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


def _percent_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:.0%}")


def _thousands_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:,.0f}")
