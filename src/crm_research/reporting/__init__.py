"""Reports: the notebooks run with papermill into HTML, their pages, dated runs and their KPIs.

Modules, from the bottom up: :mod:`~.files` (atomic writes, status), :mod:`~.dates`,
:mod:`~.processes` (killing kernel process trees), :mod:`~.kpi`, :mod:`~.parameters`,
:mod:`~.notebook` (what notebooks import: :func:`setup_notebook`, :func:`headline`),
:mod:`~.terms`, :mod:`~.navigation`, :mod:`~.index` (landing page), :mod:`~.runs` (lock, run
folders, retention), :mod:`~.history`, :mod:`~.executed`, :mod:`~.execution` (one notebook),
:mod:`~.inputs` and :mod:`~.runner` (:func:`run_reports`). Two modules also run as programs:
:mod:`~.child` (the papermill child process of one notebook) and :mod:`~.check`
(``python -m crm_research.reporting.check reports``).

The names below are imported from their modules when first used (:func:`__getattr__`), so that
importing one module of the package (``crm_research.reporting.kpi`` from
:mod:`crm_research.programme`, the notebook helpers in a kernel, the papermill child process)
does not import the runner and everything it needs.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "check": ("browser_check", "crawl", "find_chromium"),
    "dates": ("duration_text", "human_date", "human_time", "now_text"),
    "executed": ("git_commit",),
    "execution": ("NotebookResult", "kernel_name", "run_notebook"),
    "files": ("ReportWriteError", "load_json", "write_text_atomic"),
    "history": (
        "history_section",
        "history_table",
        "latest_targets_html",
        "plot_trends",
        "run_kind",
        "run_targets",
        "run_vs_targets",
        "target_thresholds",
        "write_history_index",
    ),
    "index": ("dataset_paragraphs", "landing_html", "ten_steps_html", "write_landing"),
    "kpi": ("KPI_LABELS", "STALE_DAYS", "deltas", "snapshot", "stale_days"),
    "navigation": (
        "MANAGERS_SUFFIX",
        "failure_warnings",
        "fallback_title",
        "fill_slots",
        "nav_html",
        "notebook_meta",
        "rebase_links",
        "refresh_reports",
        "stale_warning",
        "strip_navigation",
    ),
    "notebook": ("headline", "setup_notebook"),
    "parameters": (
        "ParameterError",
        "declared_parameters",
        "discover",
        "parameter_help",
        "parse_overrides",
        "resolve_parameters",
    ),
    "processes": ("kill_group",),
    "runner": ("run_reports", "write_index"),
    "runs": (
        "EXIT_CODES",
        "LOCK_NAME",
        "RunLockedError",
        "load_runs",
        "mark_abandoned",
        "prune",
        "remove_leftovers",
        "run_folder",
        "run_lock",
        "write_run_record",
    ),
    "terms": ("explain",),
}
_MODULE_OF = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    """A public name of the package, imported from its module on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
