"""The figures that appear in more than one report, one function each, in modules by theme:
:mod:`.fit` (models against observations), :mod:`.targeting` (whom to target),
:mod:`.distribution` (how customers and value are spread), :mod:`.sensitivity` (how a result
depends on a choice) and :mod:`.figure` (what every figure shares: labels, alternative text).

Every function takes the table a package function returns, draws on ``ax`` (a new figure when
None) and returns the Axes, in the style of pymc-marketing's ``clv/plotting.py``. Every figure has
a title and axis labels with units; the title becomes the figure's alternative text in the HTML
reports (see :func:`figure_alt` and :func:`crm_research.reporting.setup_notebook`).

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

from crm_research.plots.distribution import (
    plot_lorenz,
    plot_shares,
)
from crm_research.plots.figure import (
    FEATURE_LABELS,
    feature_label,
    figure_alt,
)
from crm_research.plots.fit import (
    plot_conditional_expectations,
    plot_kaplan_meier,
    plot_probability_histogram,
    plot_reliability,
    plot_tracking,
)
from crm_research.plots.sensitivity import (
    plot_metric_by_k,
    plot_partial_dependence,
    plot_sensitivity_heatmap,
)
from crm_research.plots.targeting import (
    plot_cumulative_gains,
    plot_qini_curves,
    plot_uplift_by_decile,
)

__all__ = [
    "FEATURE_LABELS",
    "feature_label",
    "figure_alt",
    "plot_conditional_expectations",
    "plot_cumulative_gains",
    "plot_kaplan_meier",
    "plot_lorenz",
    "plot_metric_by_k",
    "plot_partial_dependence",
    "plot_probability_histogram",
    "plot_qini_curves",
    "plot_reliability",
    "plot_sensitivity_heatmap",
    "plot_shares",
    "plot_tracking",
    "plot_uplift_by_decile",
]
