"""Helpers that the notebooks import: :func:`setup_notebook` (plot and display defaults) and
:func:`headline` (a headline figure the runner collects for ``reports/index.html``).
"""

from __future__ import annotations

import os
from typing import Any

from threadpoolctl import threadpool_limits

from crm_research.plots import figure_alt

HEADLINE_MIME = "application/vnd.crm-research.headline+json"


def headline(label: str, value: Any, unit: str = "", *, means: str | None = None) -> None:
    """Show a headline figure in the notebook and publish it for ``reports/index.html``.
    ``means``: optional plain-language sentence for managers, shown under the figure on the
    index (technical terms of :data:`crm_research.teaching.terms.GLOSSARY` are explained anyway)."""
    from IPython.display import publish_display_data

    text = (
        f"{value:,.3f}".rstrip("0").rstrip(".")
        if isinstance(value, float)
        else f"{value:,}"
        if isinstance(value, int)
        else str(value)
    )
    shown = f"{text} {unit}".strip()
    payload = {"label": label, "value": shown} | ({"means": means} if means else {})
    publish_display_data(
        {
            "text/markdown": f"**{label}:** {shown}",
            "text/plain": f"{label}: {shown}",
            HEADLINE_MIME: payload,
        }
    )


FIGURE_DPI = 120


def setup_notebook() -> None:
    """Plot and display defaults for reports: static PNG figures at :data:`FIGURE_DPI` whose
    alternative text (for screen readers and the HTML ``alt``) is the figure's title, English
    text, readable float display."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt  # noqa: F401 - loads the inline backend before we wrap it
    import pandas as pd
    import seaborn as sns

    os.environ.setdefault("TQDM_DISABLE", "1")
    single_threaded_openmp()
    sns.set_theme(style="whitegrid", context="notebook")
    mpl.rcParams.update(
        {"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI, "figure.figsize": (8, 4.5)}
    )
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:  # pragma: no cover
        pass
    _figures_with_alt_text()
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 140)
    pd.set_option("display.float_format", lambda x: f"{x:,.3f}")


def single_threaded_openmp() -> None:
    """scikit-learn's OpenMP loops (histogram gradient boosting, k-means) on one thread, unless
    ``OMP_NUM_THREADS`` is set. Their many short parallel sections stall whenever another process
    holds a core: on the 2-core machine beside other work (load 2.3-2.9) a 100,000-row gradient
    boosting fit took 1.3 s on one thread and 5.7-26.7 s on two, the Telco cross-validation 4 s
    and 3-12 s (up to 111 s at load 8). The results are the same; BLAS (mixture models) is left
    alone."""
    if "OMP_NUM_THREADS" not in os.environ:
        threadpool_limits(1, user_api="openmp")


def _figures_with_alt_text() -> None:
    """Make the PNG of every matplotlib figure carry ``alt`` metadata (its title), which the
    report template writes into the ``<img>`` tag."""
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return
    png = ip.display_formatter.formatters["image/png"]
    try:
        plain = png.lookup_by_type(Figure)
    except KeyError:
        return
    plain = getattr(plain, "_crm_plain", plain)

    def with_alt(fig):

        r = plain(fig)
        data, md = r if isinstance(r, tuple) else (r, None)
        alt = figure_alt(fig)
        return (data, dict(md or {}) | {"alt": alt}) if alt else r

    with_alt._crm_plain = plain
    png.for_type(Figure, with_alt)
