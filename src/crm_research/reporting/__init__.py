"""Reports: the notebooks run with papermill into HTML, their pages, dated runs and their KPIs.

Modules, from the bottom up: :mod:`~.files` (atomic writes, status), :mod:`~.dates`,
:mod:`~.processes` (killing kernel process trees), :mod:`~.kpi`, :mod:`~.parameters`,
:mod:`~.notebook` (what notebooks import: :func:`setup_notebook`, :func:`headline`),
:mod:`~.terms`, :mod:`~.navigation`, :mod:`~.index` (landing page), :mod:`~.runs` (lock, run
folders, retention), :mod:`~.history`, :mod:`~.executed`, :mod:`~.execution` (one notebook),
:mod:`~.inputs` and :mod:`~.runner` (:func:`run_reports`). Two modules run as programs and are not
imported here: :mod:`~.child` (the papermill child process) and :mod:`~.check`
(``python -m crm_research.reporting.check reports``).
"""

from crm_research.reporting.dates import duration_text, human_date, human_time, now_text
from crm_research.reporting.executed import git_commit
from crm_research.reporting.execution import NotebookResult, kernel_name, run_notebook
from crm_research.reporting.files import ReportWriteError, load_json, write_text_atomic
from crm_research.reporting.history import (
    history_section,
    history_table,
    latest_targets_html,
    plot_trends,
    run_kind,
    run_targets,
    run_vs_targets,
    target_thresholds,
    write_history_index,
)
from crm_research.reporting.index import (
    dataset_paragraphs,
    landing_html,
    ten_steps_html,
    write_landing,
)
from crm_research.reporting.kpi import KPI_LABELS, STALE_DAYS, deltas, snapshot, stale_days
from crm_research.reporting.navigation import (
    MANAGERS_SUFFIX,
    failure_warnings,
    fallback_title,
    fill_slots,
    nav_html,
    notebook_meta,
    rebase_links,
    refresh_reports,
    stale_warning,
    strip_navigation,
)
from crm_research.reporting.notebook import headline, setup_notebook
from crm_research.reporting.parameters import (
    ParameterError,
    declared_parameters,
    discover,
    parameter_help,
    parse_overrides,
    resolve_parameters,
)
from crm_research.reporting.processes import kill_group
from crm_research.reporting.runner import run_reports, write_index
from crm_research.reporting.runs import (
    EXIT_CODES,
    LOCK_NAME,
    RunLockedError,
    load_runs,
    mark_abandoned,
    prune,
    remove_leftovers,
    run_folder,
    run_lock,
    write_run_record,
)
from crm_research.reporting.terms import explain

__all__ = [
    "EXIT_CODES",
    "KPI_LABELS",
    "LOCK_NAME",
    "MANAGERS_SUFFIX",
    "STALE_DAYS",
    "NotebookResult",
    "ParameterError",
    "ReportWriteError",
    "RunLockedError",
    "dataset_paragraphs",
    "declared_parameters",
    "deltas",
    "discover",
    "duration_text",
    "explain",
    "failure_warnings",
    "fallback_title",
    "fill_slots",
    "git_commit",
    "headline",
    "history_section",
    "history_table",
    "human_date",
    "human_time",
    "kernel_name",
    "kill_group",
    "landing_html",
    "latest_targets_html",
    "load_json",
    "load_runs",
    "mark_abandoned",
    "nav_html",
    "notebook_meta",
    "now_text",
    "parameter_help",
    "parse_overrides",
    "plot_trends",
    "prune",
    "rebase_links",
    "refresh_reports",
    "remove_leftovers",
    "resolve_parameters",
    "run_folder",
    "run_kind",
    "run_lock",
    "run_notebook",
    "run_reports",
    "run_targets",
    "run_vs_targets",
    "setup_notebook",
    "snapshot",
    "stale_days",
    "stale_warning",
    "strip_navigation",
    "target_thresholds",
    "ten_steps_html",
    "write_history_index",
    "write_index",
    "write_landing",
    "write_run_record",
    "write_text_atomic",
]
