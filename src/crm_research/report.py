"""The report runner: every ``notebooks/NN_*.ipynb`` through papermill into HTML under ``reports/``.

* Parameters come from each notebook's ``parameters`` cell (its defaults), then a YAML file, then
  ``-p name=value`` overrides. A parameter a notebook does not declare is refused (papermill itself
  only warns and drops it); a notebook without a ``parameters`` cell is refused.
* Each notebook runs in its own process group on the venv's ``python3`` kernel with a per-notebook
  timeout; on timeout the whole group (kernel included) is killed.
* Atomic: the executed notebook and its HTML are written to temporary files and moved into place
  only on success, so a failed run never replaces the last good HTML.
* ``reports/index.html`` lists every notebook with status, duration, parameters, headline figures
  and, for failures, the error. Every report ends with a footer of package versions, parameters
  and the git commit.

Notebooks publish headline figures with :func:`headline`; the runner collects them.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from crm_research.config import NOTEBOOKS_DIR, PROJ_ROOT, reports_dir

HEADLINE_MIME = "application/vnd.crm-research.headline+json"
MAX_HTML_BYTES = 5 * 1024 * 1024
FOOTER_PACKAGES = ("crm-research", "pandas", "numpy", "scikit-learn", "statsmodels", "lifetimes",
                   "ibis-framework", "duckdb", "splink", "pandera", "matplotlib", "papermill")  # fmt: skip
NOTEBOOK_RE = re.compile(r"^(\d\d)_[\w-]+\.ipynb$")


class ParameterError(ValueError):
    """A parameter is not declared by the notebook it is meant for, or a notebook has none."""


# ------------------------------------------------------------------------------------------------
# helpers used inside notebooks


def headline(label: str, value: Any, unit: str = "") -> None:
    """Show a headline figure in the notebook and publish it for ``reports/index.html``."""
    from IPython.display import publish_display_data

    text = f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)  # fmt: skip
    shown = f"{text} {unit}".strip()
    publish_display_data(
        {
            "text/markdown": f"**{label}:** {shown}",
            "text/plain": f"{label}: {shown}",
            HEADLINE_MIME: {"label": label, "value": shown},
        }  # fmt: skip
    )


def setup_notebook() -> None:
    """Plot and display defaults for reports: static PNG figures of moderate size, English text."""
    import matplotlib as mpl
    import pandas as pd
    import seaborn as sns

    os.environ.setdefault("TQDM_DISABLE", "1")
    sns.set_theme(style="whitegrid", context="notebook")
    mpl.rcParams.update({"figure.dpi": 90, "savefig.dpi": 90, "figure.figsize": (8, 4.5)})
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:  # pragma: no cover
        pass
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 140)
    pd.set_option("display.float_format", lambda x: f"{x:,.3f}")


# ------------------------------------------------------------------------------------------------
# discovery and parameters


def discover(notebooks_dir: Path = NOTEBOOKS_DIR, only: list[str] | None = None) -> list[Path]:
    """The ``NN_*.ipynb`` notebooks in order; ``only`` keeps those whose NN (or stem) is listed."""
    nbs = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if NOTEBOOK_RE.match(p.name))
    if only:
        wanted = {str(o) for o in only}
        nbs = [p for p in nbs if p.name[:2] in wanted or p.stem in wanted]
        if not nbs:
            raise ParameterError(f"--only {', '.join(only)} matches no notebook in {notebooks_dir}")
    return nbs


def declared_parameters(nb: Path) -> dict[str, Any]:
    """Parameters declared in the notebook's ``parameters`` cell, with their default values."""
    import nbformat
    import papermill

    cells = nbformat.read(nb, as_version=4).cells
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError(f"{nb.name}: expected exactly one cell tagged 'parameters', found {len(tagged)}")  # fmt: skip
    info = papermill.inspect_notebook(str(nb))
    out = {}
    for name, p in info.items():
        try:
            out[name] = yaml.safe_load(p["default"]) if p["default"] else None
        except yaml.YAMLError:
            out[name] = p["default"]
    return out


def _plain(value: Any) -> Any:
    """YAML reads 2025-09-30 as a date; notebooks take dates as ISO strings (and papermill
    passes parameters as JSON)."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def parse_overrides(items: list[str]) -> list[tuple[str | None, str, Any]]:
    """``['n_people=5000', '01.seed=3']`` → [(None, 'n_people', 5000), ('01', 'seed', 3)]."""
    out = []
    for it in items:
        if "=" not in it:
            raise ParameterError(f"-p {it!r}: expected name=value")
        key, raw = it.split("=", 1)
        nb, _, name = key.rpartition(".")
        out.append((nb or None, name.strip(), _plain(yaml.safe_load(raw))))
    return out


def resolve_parameters(
    notebooks: list[Path], yaml_file: Path | None = None, overrides: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Parameters per notebook stem: overrides from the YAML file and ``-p``, each checked against
    the notebook's declared parameters. YAML layout: ``{all: {...}, "01": {...}, 01_stem: {...}}``.
    A name given for all notebooks must be declared by at least one selected notebook."""
    declared = {nb.stem: declared_parameters(nb) for nb in notebooks}
    chosen: dict[str, dict[str, Any]] = {nb.stem: {} for nb in notebooks}
    entries: list[tuple[str | None, str, Any, str]] = []
    if yaml_file:
        data = yaml.safe_load(Path(yaml_file).read_text()) or {}
        for key, params in data.items():
            scope = None if str(key) == "all" else str(key)
            for name, v in (params or {}).items():
                entries.append((scope, name, _plain(v), f"{yaml_file}: {key}.{name}"))
    for scope, name, v in parse_overrides(overrides or []):
        entries.append((scope, name, v, f"-p {scope + '.' if scope else ''}{name}"))
    for scope, name, value, origin in entries:
        targets = [nb.stem for nb in notebooks if scope is None or nb.stem == scope or nb.name[:2] == scope]  # fmt: skip
        if scope is not None and not targets:
            raise ParameterError(f"{origin}: no selected notebook matches {scope!r}")
        hits = [t for t in targets if name in declared[t]]
        if scope is not None and not hits:
            raise ParameterError(f"{origin}: notebook {targets[0]} declares no parameter {name!r} (it declares: {', '.join(declared[targets[0]]) or 'none'})")  # fmt: skip
        if not hits:
            raise ParameterError(f"{origin}: no selected notebook declares a parameter {name!r}")
        for t in hits:
            chosen[t][name] = value
    return chosen


# ------------------------------------------------------------------------------------------------
# running


@dataclass
class NotebookResult:
    notebook: str
    status: str  # "ok" | "failed" | "timeout"
    duration_s: float
    parameters: dict[str, Any]
    headlines: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    html: str | None = None
    finished_at: str = ""


def git_commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJ_ROOT,
                             capture_output=True, text=True, timeout=10).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJ_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()  # fmt: skip
        return (sha + ("+dirty" if dirty else "")) if sha else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for p in FOOTER_PACKAGES:
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = "not installed"
    return out


def _footer_cell(params: dict[str, Any], commit: str, dataset: str | None = None):
    import nbformat

    vers = ", ".join(f"{k} {v}" for k, v in _versions().items())
    ptxt = ", ".join(f"`{k}={v!r}`" for k, v in params.items()) or "notebook defaults"
    src = (
        "---\n"
        f"*Report generated {datetime.now(UTC):%Y-%m-%d %H:%M UTC} by `crm-research report` "
        f"from git commit `{commit}`.*  \n"
        + (f"*Data:* {dataset}  \n" if dataset else "")
        + f"*Parameters:* {ptxt}  \n"
        f"*Package versions:* {vers}"
    )
    return nbformat.v4.new_markdown_cell(src, metadata={"tags": ["crm-research-footer"]})


def _collect_headlines(nb) -> list[dict[str, str]]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            d = o.get("data", {})
            if HEADLINE_MIME in d:
                out.append(dict(d[HEADLINE_MIME]))
    return out


def _error_text(nb_path: Path, stderr: str) -> str:
    """The most useful error line: papermill's exception in the executed notebook, else stderr."""
    import nbformat

    if nb_path.exists():
        try:
            nb = nbformat.read(nb_path, as_version=4)
            for cell in nb.cells:
                for o in cell.get("outputs", []):
                    if o.get("output_type") == "error":
                        return f"{o.get('ename')}: {o.get('evalue')}"
        except Exception:  # noqa: BLE001 - a half-written notebook must not hide the error
            pass
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "unknown error"


def run_notebook(
    nb: Path,
    params: dict[str, Any],
    out_dir: Path,
    *,
    timeout_s: float = 1800,
    hide_code: bool = False,
    commit: str | None = None,
    dataset: str | None = None,
) -> NotebookResult:
    """Execute one notebook and, on success only, write ``<stem>.ipynb`` and ``<stem>.html``.
    ``dataset``: the description of the data it analysed, for the footer."""
    import nbformat
    from nbconvert import HTMLExporter

    out_dir.mkdir(parents=True, exist_ok=True)
    commit = commit or git_commit()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f".{nb.stem}-", dir=out_dir) as tmp:
        executed = Path(tmp) / nb.name
        cmd = [sys.executable, "-m", "crm_research.report", "--execute-one", str(nb), str(executed),
               json.dumps(params), str(timeout_s)]  # fmt: skip
        env = os.environ | {"TQDM_DISABLE": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True, env=env, cwd=nb.parent)  # fmt: skip
        status, error = "ok", None
        try:
            _, stderr = proc.communicate(timeout=timeout_s)
            if proc.returncode != 0:
                status, error = "failed", _error_text(executed, stderr)
                if time.perf_counter() - t0 >= timeout_s:  # papermill's cell timeout fired
                    status, error = "timeout", f"timed out after {timeout_s:.0f} s ({error})"
        except subprocess.TimeoutExpired:
            status, error = "timeout", f"timed out after {timeout_s:.0f} s"
        except KeyboardInterrupt:
            _kill_group(proc)
            raise
        finally:
            _kill_group(proc)
        duration = time.perf_counter() - t0
        result = NotebookResult(nb.stem, status, duration, params, error=error,
                                finished_at=datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
        if status != "ok":
            return result
        book = nbformat.read(executed, as_version=4)
        result.headlines = _collect_headlines(book)
        book.cells.append(_footer_cell(params, commit, dataset))
        exporter = HTMLExporter(template_name="lab")
        exporter.exclude_input = hide_code
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        body, _ = exporter.from_notebook_node(book)
        size = len(body.encode("utf-8"))
        if size > MAX_HTML_BYTES:
            result.status, result.error = "failed", f"HTML is {size / 2**20:.1f} MB, over the 5 MB limit"  # fmt: skip
            return result
        tmp_html = Path(tmp) / f"{nb.stem}.html"
        tmp_html.write_text(body, encoding="utf-8")
        nbformat.write(book, executed)
        os.replace(executed, out_dir / nb.name)  # same filesystem: atomic
        os.replace(tmp_html, out_dir / f"{nb.stem}.html")
        result.html = f"{nb.stem}.html"
    return result


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill papermill and every descendant. jupyter_client starts kernels in a session of their
    own, so killing papermill's process group alone would leave the kernel running."""
    import psutil

    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    for p in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    psutil.wait_procs(family, timeout=10)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _orphan_watchdog(interval_s: float = 0.5) -> None:
    """If the runner dies without cleaning up (SIGKILL, OOM killer), this child is re-parented:
    kill the kernel (a process in a session of its own) and exit, so no kernel outlives a run."""
    import threading

    import psutil

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_s)
        for p in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        os._exit(137)

    threading.Thread(target=watch, daemon=True, name="orphan-watchdog").start()


def _execute_one(src: str, dst: str, params_json: str, timeout_s: str) -> None:
    """Child process: run papermill on the venv's python3 kernel."""
    import papermill as pm

    _orphan_watchdog()

    pm.execute_notebook(
        src, dst, parameters=json.loads(params_json), kernel_name="python3",
        progress_bar=False, execution_timeout=float(timeout_s), cwd=str(Path(src).parent),
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------
# the index


def _load_status(out_dir: Path) -> dict[str, dict]:
    f = out_dir / "status.json"
    return json.loads(f.read_text()) if f.exists() else {}


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to a temporary file beside ``path`` and move it into place, so a
    reader never sees a half-written file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def _save_status(out_dir: Path, status: dict[str, dict]) -> None:
    write_text_atomic(out_dir / "status.json", json.dumps(status, indent=2, ensure_ascii=False, default=str))  # fmt: skip


def write_index(out_dir: Path, status: dict[str, dict], commit: str, dataset: str | None = None) -> Path:  # fmt: skip
    """Write ``index.html``: the dataset, then one row per notebook with status, time,
    parameters, headlines."""
    rows = []
    for name in sorted(status):
        s = status[name]
        ok = s["status"] == "ok"
        link = f'<a href="{html.escape(s["html"])}">{html.escape(name)}</a>' if s.get("html") else html.escape(name)  # fmt: skip
        heads = "<br>".join(f"{html.escape(h['label'])}: <b>{html.escape(h['value'])}</b>" for h in s.get("headlines", []))  # fmt: skip
        params = "<br>".join(f"<code>{html.escape(k)}={html.escape(repr(v))}</code>" for k, v in s.get("parameters", {}).items()) or "defaults"  # fmt: skip
        err = f'<div class="err">{html.escape(s["error"])}</div>' if s.get("error") else ""
        note = "" if ok or not s.get("html") else '<div class="note">showing the last good report</div>'  # fmt: skip
        rows.append(
            f'<tr class="{"ok" if ok else "bad"}"><td>{link}</td><td>{html.escape(s["status"])}{err}{note}</td>'
            f'<td>{s["duration_s"]:.1f} s</td><td>{params}</td><td>{heads}</td>'
            f'<td>{html.escape(s.get("finished_at", ""))}</td></tr>'
        )  # fmt: skip
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>crm-research reports</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:75em}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}}
tr.bad td{{background:#fdecea}} .err{{color:#a00;font-size:.9em}} .note{{color:#666;font-size:.85em}}</style>
</head><body><h1>crm-research reports</h1>
<p><b>Data:</b> {html.escape(dataset or "see each report's footer")}</p>
<p>Generated {datetime.now(UTC):%Y-%m-%d %H:%M UTC} from git commit <code>{html.escape(commit)}</code>.
Each notebook answers one step of the CRM cycle; open it for the analysis and the manager summary.</p>
<table><tr><th>notebook</th><th>status</th><th>duration</th><th>parameters</th><th>headline figures</th><th>finished</th></tr>
{"".join(rows)}</table></body></html>"""
    return write_text_atomic(out_dir / "index.html", page)


def _run_notebooks(notebooks, params, out_dir, *, timeout_s, hide_code, commit, echo, datasets_of, dataset) -> list[NotebookResult]:  # fmt: skip
    status = _load_status(out_dir)
    results = []
    for i, nb in enumerate(notebooks, start=1):
        echo(f"[{i}/{len(notebooks)}] {nb.stem} ...", end="", flush=True)
        res = run_notebook(nb, params[nb.stem], out_dir, timeout_s=timeout_s, hide_code=hide_code,
                           commit=commit, dataset=datasets_of.get(nb.stem))  # fmt: skip
        echo(f" {res.status} ({res.duration_s:.1f} s)" + (f": {res.error}" if res.error else ""))
        prev = status.get(nb.stem, {})
        entry = asdict(res)
        if res.status != "ok":  # keep the link to the last good HTML, if any
            entry["html"] = prev.get("html") if (out_dir / f"{nb.stem}.html").exists() else None
            entry["headlines"] = prev.get("headlines", [])
        entry["dataset"] = datasets_of.get(nb.stem)
        status[nb.stem] = entry
        _save_status(out_dir, status)
        write_index(out_dir, status, commit, dataset)
        results.append(res)
    return results


def _default_kpis(as_of: pd.Timestamp, db_path: Path | None = None) -> dict[str, float]:
    from crm_research import kpi
    from crm_research.data import engine

    con = engine.connect(db_path, read_only=True)
    try:
        return kpi.snapshot(con, as_of)
    finally:
        con.disconnect()


def _notebook_datasets(notebooks: list[Path], params: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The dataset each notebook analyses (from its ``data``, ``n_people``, ``world_seed``
    parameters, defaults included), keyed by notebook stem; notebooks without ``data`` are left
    out. Raises :class:`ParameterError` for a dataset that cannot be resolved."""
    from crm_research.data import datasets

    out, cache = {}, {}
    for nb in notebooks:
        p = declared_parameters(nb) | params[nb.stem]
        if "data" not in p:
            continue
        key = (str(p["data"]), p.get("n_people", 20_000), p.get("world_seed", 42))
        if key not in cache:
            try:
                cache[key] = datasets.resolve(key[0], n_people=key[1], seed=key[2])
            except (datasets.DatasetError, TypeError, ValueError) as e:
                raise ParameterError(f"data {key[0]!r}: {e}") from e
        out[nb.stem] = cache[key]
    return out


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
    ``out_dir/runs`` (see :mod:`crm_research.runs`): notebooks that declare an ``as_of``
    parameter receive it, the KPIs at that date are computed after the notebooks (``kpi_fn``,
    default :func:`crm_research.kpi.snapshot` on the dataset's database), the newest ``keep``
    runs are kept and ``out_dir/index.html`` shows the history. Either way the run holds a lock
    on ``out_dir`` (:func:`crm_research.runs.run_lock`).
    """
    from crm_research import byod, kpi, runs
    from crm_research.data import datasets

    out_dir = Path(out_dir) if out_dir is not None else reports_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    data = data if data is not None else data_config
    notebooks = discover(notebooks_dir, only)
    given = ([f"data={data}"] if data is not None else []) + list(overrides or [])
    params = resolve_parameters(notebooks, params_file, given)  # refuse before running anything
    per_nb = _notebook_datasets(notebooks, params)
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
    commit = git_commit()
    kw = dict(timeout_s=timeout_s, hide_code=hide_code, commit=commit, echo=echo,
              datasets_of=descriptions, dataset=ds.description)  # fmt: skip

    def prepare() -> NotebookResult | None:
        """Build the databases the notebooks need; a refused result if own data are unusable."""
        needed = [*per_nb.values(), *([ds] if data is not None else [])]
        for d in {d.fingerprint: d for d in needed}.values():
            try:
                datasets.ensure(d, echo=echo)
            except byod.DataRefused as e:
                return NotebookResult("data", "refused", 0.0, {}, error=e.report)
        return None

    with runs.run_lock(out_dir, echo=echo):
        if as_of is None:
            refused = prepare()
            if refused is not None:
                return [refused]
            return _run_notebooks(notebooks, params, out_dir, **kw)
        for name in runs.mark_abandoned(out_dir):
            echo(f"run {name} was killed before it finished; recorded as killed")
        started = datetime.now(UTC)
        folder = runs.run_folder(out_dir, as_of_ts, started)
        folder.mkdir(parents=True)
        record = {"as_of": f"{as_of_ts:%Y-%m-%d}", "started": started.isoformat(timespec="seconds"),
                  "commit": commit, "status": "running", "kpis": None, "error": None, "notebooks": {},
                  "dataset": ds.description}  # fmt: skip
        runs.write_run_record(folder, record)
        echo(f"run {folder.name} (as of {record['as_of']}; {ds.description})")
        results: list[NotebookResult] = []
        try:
            refused = prepare()
            if refused is not None:
                record["status"], record["error"] = "refused", "input files refused (see crm-research validate)"  # fmt: skip
                results.append(refused)
                return results
            results += _run_notebooks(notebooks, params, folder, **kw)
            bad = [r for r in results if r.status != "ok"]
            if bad:
                record["status"] = (
                    "timeout" if all(r.status == "timeout" for r in bad) else "failed"
                )
                record["error"] = "; ".join(f"{r.notebook}: {r.error}" for r in bad)
            else:
                try:
                    record["kpis"] = (kpi_fn or (lambda d: _default_kpis(d, ds.db_path)))(as_of_ts)
                    record["status"] = "ok"
                    lag = kpi.stale_days(record["kpis"].get("data_end"), record["as_of"])
                    if lag:
                        echo(
                            f"warning: the data end {lag} days before the as-of date (last purchase {record['kpis']['data_end']})"
                        )
                except Exception as e:  # noqa: BLE001 - any KPI failure fails the run, loudly
                    record["status"], record["error"] = "failed", f"KPIs: {type(e).__name__}: {e}"
                    results.append(NotebookResult("kpis", "failed", 0.0, {}, error=record["error"]))
        except KeyboardInterrupt:
            record["status"], record["error"] = "interrupted", "interrupted (Ctrl-C or SIGTERM)"
            raise
        except Exception as e:  # recorded as failed with its error (not left "running")
            record["status"], record["error"] = "failed", f"{type(e).__name__}: {e}"
            raise
        finally:
            record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
            record["notebooks"] = {r.notebook: r.status for r in results}
            runs.write_run_record(folder, record)
            write_index(folder, _load_status(folder), commit, ds.description)
            for name in runs.prune(out_dir, keep):
                echo(f"removed old run {name} (keeping the last {keep})")
            runs.write_history_index(out_dir, threshold=threshold)
            echo(f"run {folder.name}: {record['status']}" + (f" ({record['error']})" if record["error"] else ""))  # fmt: skip
        return results


if __name__ == "__main__":  # pragma: no cover - the child process entry point
    if len(sys.argv) == 6 and sys.argv[1] == "--execute-one":
        _execute_one(*sys.argv[2:])
    else:
        sys.exit("usage: python -m crm_research.report --execute-one SRC DST PARAMS_JSON TIMEOUT")
