"""The report runner: every ``notebooks/NN_*.ipynb`` through papermill into HTML under ``reports/``.

* Parameters come from each notebook's ``parameters`` cell (its defaults), then a YAML file, then
  ``-p name=value`` overrides (:mod:`crm_research.reporting.parameters`).
* Each notebook runs in its own process group with a per-notebook timeout, and its HTML replaces
  the last good one only on success (:mod:`crm_research.reporting.execution`).
* The dataset's customer database is built before any notebook runs; a dated run (``--as-of``)
  computes the KPIs after the notebooks and updates the run history
  (:mod:`crm_research.reporting.runs`, :mod:`crm_research.reporting.history`).
* ``reports/index.html`` lists every notebook with status, duration, parameters, headline figures
  and, for failures, the error (:mod:`crm_research.reporting.index`).

Notebooks publish headline figures with :func:`crm_research.reporting.notebook.headline`; the
runner collects them.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from crm_research.config import NOTEBOOKS_DIR, reports_dir
from crm_research.data import datasets, reader
from crm_research.reporting import index, kpi, navigation, runs
from crm_research.reporting.dates import human_date
from crm_research.reporting.executed import git_commit
from crm_research.reporting.execution import NotebookResult, kernel_name, run_notebook
from crm_research.reporting.files import ReportWriteError, load_status, save_status
from crm_research.reporting.history import write_history_index
from crm_research.reporting.inputs import (
    dataset_facts,
    default_kpis,
    given_targets,
    notebook_datasets,
)
from crm_research.reporting.parameters import (
    ParameterError,
    declared_parameters,
    discover,
    resolve_parameters,
)


def _run_notebooks(
    notebooks,
    params,
    out_dir,
    *,
    timeout_s,
    hide_code,
    commit,
    echo,
    datasets_of,
    dataset,
    infos=None,
    history=None,
    warnings=None,
    threshold=0.1,
    heading=None,
) -> list[NotebookResult]:
    status = load_status(out_dir)
    results = []
    kernel = kernel_name()
    for i, nb in enumerate(notebooks, start=1):
        echo(f"[{i}/{len(notebooks)}] {nb.stem} ...", end="", flush=True)
        try:
            res = run_notebook(
                nb,
                params[nb.stem],
                out_dir,
                timeout_s=timeout_s,
                hide_code=hide_code,
                commit=commit,
                dataset=datasets_of.get(nb.stem),
                kernel=kernel,
            )
        except ReportWriteError:
            echo(" stopped")
            raise
        echo(f" {res.status} ({res.duration_s:.1f} s)" + (f": {res.error}" if res.error else ""))
        prev = status.get(nb.stem, {})
        entry = asdict(res)
        if res.status != "ok":  # keep the link to the last good HTML, if any
            entry["html"] = prev.get("html") if (out_dir / f"{nb.stem}.html").exists() else None
            entry["managers_html"] = prev.get("managers_html")
            entry["headlines"] = prev.get("headlines", [])
        entry["dataset"] = datasets_of.get(nb.stem)
        entry["dataset_info"] = (infos or {}).get(nb.stem)
        status[nb.stem] = entry
        try:
            save_status(out_dir, status)
        except OSError as e:
            raise ReportWriteError(
                e.errno,
                f"cannot write reports to {out_dir}: {e.strerror or e}; earlier reports are intact",
            ) from e
        write_index(
            out_dir,
            status,
            commit,
            dataset,
            history=history,
            warnings=warnings,
            threshold=threshold,
            heading=heading,
        )
        results.append(res)
    return results


def write_index(
    out_dir: Path,
    status: dict[str, dict],
    commit: str,
    dataset: str | None = None,
    *,
    history: str | None = None,
    warnings: list[str] | None = None,
    threshold: float = 0.1,
    heading: str | None = None,
) -> Path:
    """Refresh the navigation and warnings of every report in ``out_dir`` and write its
    ``index.html``: a landing page (:mod:`crm_research.reporting.index`) — the data, each notebook's title,
    question and headline figures explained, warnings at the top. ``history``: link to the run
    history (``../../index.html`` in a run folder); at the top of a reports folder that holds
    ``runs/``, the landing page also shows the history (:func:`crm_research.reporting.history.write_history_index`)."""

    try:
        navigation.refresh_reports(out_dir, status, history=history, warnings=warnings)
        if history is None and (out_dir / "runs").is_dir():
            return write_history_index(out_dir, threshold=threshold)
        return index.write_landing(
            out_dir,
            status,
            commit=commit,
            dataset=dataset,
            warnings=warnings,
            history=history,
            heading=heading,
        )
    except ReportWriteError:
        raise
    except OSError as e:
        raise ReportWriteError(
            e.errno,
            f"cannot write reports to {out_dir}: {e.strerror or e}; earlier reports are intact",
        ) from e


def run_reports(
    *,
    only: list[str] | None = None,
    params_file: Path | None = None,
    overrides: list[str] | None = None,
    out_dir: Path | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    timeout_s: float = 1800,
    hide_code: bool = False,
    as_of: str | None = None,
    keep: int = 12,
    threshold: float = 0.1,
    kpi_fn=None,
    data: str | Path | None = None,
    data_config: Path | None = None,
    echo=print,
) -> list[NotebookResult]:
    """Run the selected notebooks in order on one dataset, update ``status.json`` and
    ``index.html``.

    ``data`` (``data_config`` is the old name) names the dataset every notebook analyses
    (:mod:`crm_research.data.datasets`: ``simulated``, ``cdnow`` or a YAML data
    configuration); it is passed as the ``data`` parameter, and its customer database is built
    (own data: validated and staged first) before any notebook runs. Unusable own data refuse the
    run (a ``refused`` result carrying the validation report), recorded in the history.

    Without ``as_of`` the reports go to ``out_dir`` itself (the latest run replaces the previous
    one notebook by notebook). With ``as_of`` (a date) the run gets its own folder under
    ``out_dir/runs`` (see :mod:`crm_research.reporting.runs`): notebooks that declare an ``as_of``
    parameter receive it, the KPIs at that date are computed after the notebooks (``kpi_fn``,
    default :func:`crm_research.reporting.kpi.snapshot` on the dataset's database), the newest ``keep``
    runs are kept and ``out_dir/index.html`` shows the history. Either way the run holds a lock
    on ``out_dir`` (:func:`crm_research.reporting.runs.run_lock`).
    """

    out_dir = Path(out_dir) if out_dir is not None else reports_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    data = data if data is not None else data_config
    notebooks = discover(notebooks_dir, only)
    given = ([f"data={data}"] if data is not None else []) + list(overrides or [])
    params = resolve_parameters(notebooks, params_file, given)  # refuse before running anything
    for p in params.values():  # notebooks run in their own folder: a configuration path absolute
        if str(p.get("data", "")).lower().endswith((".yaml", ".yml")):
            p["data"] = str(Path(p["data"]).expanduser().resolve())
    per_nb = notebook_datasets(notebooks, params)
    try:  # the run's dataset: what the notebooks analyse (the first one's, if they differ)
        ds = (
            next(iter(per_nb.values()))
            if per_nb
            else datasets.resolve(str(data or datasets.SIMULATED))
        )
    except datasets.DatasetError as e:
        raise ParameterError(str(e)) from e
    descriptions = {k: d.description for k, d in per_nb.items()}
    if as_of is not None:
        try:
            as_of_ts = pd.Timestamp(as_of)
        except ValueError as e:
            raise ParameterError(f"--as-of {as_of!r} is not a date (use YYYY-MM-DD)") from e
        if keep < 1:
            raise ParameterError("--keep must be at least 1")
        for nb in notebooks:  # explicit -p/--params values win
            if "as_of" in declared_parameters(nb):
                params[nb.stem].setdefault("as_of", f"{as_of_ts:%Y-%m-%d} 23:59:59")
    run_targets = given_targets(notebooks, params, notebooks_dir) if as_of is not None else None
    commit = git_commit()
    kw = dict(
        timeout_s=timeout_s,
        hide_code=hide_code,
        commit=commit,
        echo=echo,
        datasets_of=descriptions,
        dataset=ds.description,
    )

    def prepare() -> NotebookResult | None:
        """Build the databases the notebooks need; a refused result if own data are unusable."""
        needed = [*per_nb.values(), *([ds] if data is not None else [])]
        for d in {d.fingerprint: d for d in needed}.values():
            try:
                datasets.ensure(d, echo=echo)
            except reader.DataRefused as e:
                return NotebookResult("data", "refused", 0.0, {}, error=e.report)
        return None

    def infos() -> dict[str, dict | None]:
        cache = {}
        for d in per_nb.values():
            if d.fingerprint not in cache:
                cache[d.fingerprint] = dataset_facts(d)
        return {k: cache[d.fingerprint] for k, d in per_nb.items()}

    with runs.run_lock(out_dir, echo=echo):
        runs.remove_leftovers(out_dir, echo=echo)
        if as_of is None:
            refused = prepare()
            if refused is not None:
                return [refused]
            return _run_notebooks(
                notebooks, params, out_dir, infos=infos(), threshold=threshold, **kw
            )
        for name in runs.mark_abandoned(out_dir):
            echo(f"run {name} was killed before it finished; recorded as killed")
        started = datetime.now(UTC)
        folder = runs.run_folder(out_dir, as_of_ts, started)
        try:
            folder.mkdir(parents=True)
        except OSError as e:
            raise ReportWriteError(
                e.errno, f"cannot write reports to {folder.parent}: {e.strerror or e}"
            ) from e
        record = {
            "as_of": f"{as_of_ts:%Y-%m-%d}",
            "started": started.isoformat(timespec="seconds"),
            "commit": commit,
            "status": "running",
            "kpis": None,
            "error": None,
            "notebooks": {},
            "dataset": ds.description,
            "dataset_kind": ds.kind,
            "targets": run_targets,
            "threshold": threshold,
        }
        runs.write_run_record(folder, record)
        echo(f"run {folder.name} (as of {record['as_of']}; {ds.description})")
        results: list[NotebookResult] = []
        warnings: list[str] = []
        heading = f"Reports as of {human_date(record['as_of'])}"
        try:
            refused = prepare()
            if refused is not None:
                record["status"], record["error"] = (
                    "refused",
                    "input files refused (see crm-research validate)",
                )
                results.append(refused)
                return results
            by_nb = infos()
            info = next((i for i in by_nb.values() if i), None) or dataset_facts(ds)
            record["dataset_info"] = info
            if info:
                record["data_end"] = min(
                    info.get("last_purchase") or record["as_of"], record["as_of"]
                )
                stale = navigation.stale_warning(record["as_of"], info.get("last_purchase"))
                if stale:
                    warnings.append(stale)
                    echo(f"warning: {stale}")
            results += _run_notebooks(
                notebooks,
                params,
                folder,
                infos=by_nb,
                history="../../index.html",
                warnings=warnings,
                threshold=threshold,
                heading=heading,
                **kw,
            )
            bad = [r for r in results if r.status != "ok"]
            if bad:
                record["status"] = (
                    "timeout" if all(r.status == "timeout" for r in bad) else "failed"
                )
                record["error"] = "; ".join(f"{r.notebook}: {r.error}" for r in bad)
            else:
                try:
                    record["kpis"] = (kpi_fn or (lambda d: default_kpis(d, ds.db_path)))(as_of_ts)
                    record["status"] = "ok"
                    lag = kpi.stale_days(record["kpis"].get("data_end"), record["as_of"])
                    if lag and not warnings:
                        echo(
                            f"warning: the data end {lag} days before the as-of date (last purchase {record['kpis']['data_end']})"
                        )
                        warnings.append(
                            navigation.stale_warning(record["as_of"], record["kpis"]["data_end"])
                        )
                except Exception as e:  # noqa: BLE001 - any KPI failure fails the run, loudly
                    record["status"], record["error"] = "failed", f"KPIs: {type(e).__name__}: {e}"
                    results.append(NotebookResult("kpis", "failed", 0.0, {}, error=record["error"]))
        except KeyboardInterrupt:
            record["status"], record["error"] = "interrupted", "interrupted (Ctrl-C or SIGTERM)"
            raise
        except ReportWriteError as e:
            record["status"], record["error"] = "failed", str(e)
            raise
        except Exception as e:  # recorded as failed with its error (not left "running")
            record["status"], record["error"] = "failed", f"{type(e).__name__}: {e}"
            raise
        finally:
            record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
            record["notebooks"] = {r.notebook: r.status for r in results}
            record["warnings"] = warnings
            try:  # on a full disk these may fail too: the error that stopped the run is reported
                runs.write_run_record(folder, record)
                run_warnings = warnings + (
                    [f"This run {record['status']}: {record['error']}"]
                    if record["status"] not in ("ok", "running")
                    and record.get("error")
                    and not any(
                        r.status in ("failed", "timeout")
                        for r in results
                        if r.notebook not in ("kpis", "data")
                    )
                    else []
                )
                write_index(
                    folder,
                    load_status(folder),
                    commit,
                    ds.description,
                    history="../../index.html",
                    warnings=run_warnings,
                    heading=heading,
                )
                for name in runs.prune(out_dir, keep):
                    echo(f"removed old run {name} (keeping the last {keep})")
                write_history_index(out_dir, threshold=threshold)
            except OSError as e:
                echo(
                    f"could not update the run's index and history in {out_dir}: {e.strerror or e}"
                )
            echo(
                f"run {folder.name}: {record['status']}"
                + (f" ({record['error']})" if record["error"] else "")
            )
        return results
