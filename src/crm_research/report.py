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
import errno
import json
import os
import re
import shutil
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
from crm_research.pages import human_time

HEADLINE_MIME = "application/vnd.crm-research.headline+json"
MAX_HTML_BYTES = 5 * 1024 * 1024
FOOTER_PACKAGES = ("crm-research", "pandas", "numpy", "scikit-learn", "statsmodels", "lifetimes",
                   "ibis-framework", "duckdb", "splink", "pandera", "matplotlib", "papermill")  # fmt: skip
NOTEBOOK_RE = re.compile(r"^(\d\d)_[\w-]+\.ipynb$")
KERNEL_NAME = "crm-research"
TEMPLATES_DIR = Path(__file__).parent / "templates"
TMP_PREFIX = ".tmp-"


class ParameterError(ValueError):
    """A parameter is not declared by the notebook it is meant for, or a notebook has none."""


# ------------------------------------------------------------------------------------------------
# helpers used inside notebooks


def headline(label: str, value: Any, unit: str = "", *, means: str | None = None) -> None:
    """Show a headline figure in the notebook and publish it for ``reports/index.html``.
    ``means``: optional plain-language sentence for managers, shown under the figure on the
    index (technical terms of :data:`crm_research.glossary.GLOSSARY` are explained anyway)."""
    from IPython.display import publish_display_data

    text = f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)  # fmt: skip
    shown = f"{text} {unit}".strip()
    payload = {"label": label, "value": shown} | ({"means": means} if means else {})
    publish_display_data(
        {
            "text/markdown": f"**{label}:** {shown}",
            "text/plain": f"{label}: {shown}",
            HEADLINE_MIME: payload,
        }  # fmt: skip
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
        from crm_research.plots import figure_alt

        r = plain(fig)
        data, md = r if isinstance(r, tuple) else (r, None)
        alt = figure_alt(fig)
        return (data, dict(md or {}) | {"alt": alt}) if alt else r

    with_alt._crm_plain = plain
    png.for_type(Figure, with_alt)


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


def _did_you_mean(name: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=2, cutoff=0.6)
    return f" — did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def parameter_help(nb: Path) -> list[dict[str, str]]:
    """The notebook's parameters as written: name, default (source text) and meaning (the
    comment after the assignment)."""
    import papermill

    declared_parameters(nb)  # refuses a notebook without exactly one parameters cell
    return [
        {"name": n, "default": " ".join(str(p["default"]).split()), "help": p.get("help") or ""}
        for n, p in papermill.inspect_notebook(str(nb)).items()
    ]


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
            raise ParameterError(
                f"{origin}: notebook {targets[0]} declares no parameter {name!r}{_did_you_mean(name, declared[targets[0]])} (it declares: {', '.join(declared[targets[0]]) or 'none'})"
            )
        if not hits:
            known = sorted({n for t in targets for n in declared[t]})
            raise ParameterError(
                f"{origin}: no selected notebook declares a parameter {name!r}{_did_you_mean(name, known)} (see: crm-research list)"
            )
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
    title: str = ""
    short: str = ""
    question: str = ""
    managers_html: str | None = None


class ReportWriteError(OSError):
    """The reports could not be written (disk full, no permission): the run stops at once."""


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
        f"*Report generated on {human_time(datetime.now(UTC).isoformat())} by `crm-research report` "
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


def _figure_alt_fallback(book, title: str) -> None:
    """Give every PNG output without ``alt`` metadata (figures drawn before
    :func:`setup_notebook`, or images displayed directly) a text naming the report."""
    n = 0
    for cell in book.cells:
        for o in cell.get("outputs", []):
            if "image/png" in o.get("data", {}):
                n += 1
                md = o.setdefault("metadata", {}).setdefault("image/png", {})
                md.setdefault("alt", f"Figure {n} of {title}")


def _is_disk_error(text: str | None) -> bool:
    return bool(text) and any(
        m in text
        for m in ("No space left on device", "Disk quota exceeded", "Read-only file system")
    )


def _export(book, hide_code: bool) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="crm", extra_template_basedirs=[str(TEMPLATES_DIR)])
    exporter.exclude_input = hide_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(book)
    return body


def kernel_name() -> str:
    """The project kernel ``crm-research`` when it is registered for this interpreter's
    environment (``make`` registers it), else ``python3`` (this environment's own kernel): never
    the notebook's metadata, so a notebook saved elsewhere cannot pick another environment."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except (ImportError, NoSuchKernel, OSError, ValueError):
        return "python3"
    exe = spec.argv[0] if spec.argv else ""
    try:
        same = (
            Path(exe).resolve().parent == Path(sys.executable).resolve().parent
            or Path(exe).parent == Path(sys.executable).parent
        )
    except OSError:
        same = False
    return KERNEL_NAME if same else "python3"


def run_notebook(
    nb: Path,
    params: dict[str, Any],
    out_dir: Path,
    *,
    timeout_s: float = 1800,
    hide_code: bool = False,
    commit: str | None = None,
    dataset: str | None = None,
    kernel: str | None = None,
) -> NotebookResult:
    """Execute one notebook and, on success only, write ``<stem>.ipynb`` and ``<stem>.html``
    (with ``hide_code`` also the managers' version ``<stem>.managers.html``, without code).
    ``dataset``: the description of the data it analysed, for the footer. Raises
    :class:`ReportWriteError` when the reports cannot be written (disk full): earlier reports
    are left intact and temporary files removed."""
    import nbformat

    from crm_research.pages import (
        MANAGERS_SUFFIX,
        fallback_title,
        notebook_meta,
        rebase_links,
        strip_navigation,
    )

    commit = commit or git_commit()
    kernel = kernel or kernel_name()
    t0 = time.perf_counter()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tmpdir = tempfile.TemporaryDirectory(prefix=f"{TMP_PREFIX}{nb.stem}-", dir=out_dir)
    except OSError as e:
        raise ReportWriteError(
            e.errno, f"cannot write reports to {out_dir}: {e.strerror or e}"
        ) from e
    with tmpdir as tmp:
        executed = Path(tmp) / nb.name
        cmd = [
            sys.executable,
            "-m",
            "crm_research.report",
            "--execute-one",
            str(nb),
            str(executed),
            json.dumps(params),
            str(timeout_s),
            kernel,
        ]
        env = os.environ | {"TQDM_DISABLE": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True, env=env, cwd=nb.parent)  # fmt: skip
        status, error, stderr = "ok", None, ""
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
        if status != "ok" and (_is_disk_error(error) or _is_disk_error(stderr)):
            raise ReportWriteError(
                errno.ENOSPC,
                f"cannot write reports to {out_dir}: no space left on device (while running {nb.name}); earlier reports are intact",
            )
        duration = time.perf_counter() - t0
        result = NotebookResult(nb.stem, status, duration, params, error=error,
                                finished_at=datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
        try:
            meta = notebook_meta(nbformat.read(nb, as_version=4))
        except Exception:  # noqa: BLE001 - a title is a nicety; the run's status is what matters
            meta = {"title": "", "short": "", "question": ""}
        result.title = meta["title"] or fallback_title(nb.stem)
        result.short = meta["short"] or result.title
        result.question = meta["question"]
        if status != "ok":
            return result
        try:
            book = nbformat.read(executed, as_version=4)
            result.headlines = _collect_headlines(book)
            strip_navigation(book)
            rebase_links(book, nb.parent, out_dir)
            book.metadata["title"] = result.title
            _figure_alt_fallback(book, result.title)
            book.cells.append(_footer_cell(params, commit, dataset))
            pages = {f"{nb.stem}.html": _export(book, hide_code=False)}
            if hide_code:
                pages[f"{nb.stem}{MANAGERS_SUFFIX}"] = _export(book, hide_code=True)
            for name, body in pages.items():
                size = len(body.encode("utf-8"))
                if size > MAX_HTML_BYTES:
                    result.status, result.error = (
                        "failed",
                        f"{name} is {size / 2**20:.1f} MB, over the 5 MB limit",
                    )
                    return result
            for name, body in pages.items():
                (Path(tmp) / name).write_text(body, encoding="utf-8")
            nbformat.write(book, executed)
            os.replace(executed, out_dir / nb.name)  # same filesystem: atomic
            for name in pages:
                os.replace(Path(tmp) / name, out_dir / name)
            if not hide_code:  # an older managers' version would no longer match this report
                (out_dir / f"{nb.stem}{MANAGERS_SUFFIX}").unlink(missing_ok=True)
        except OSError as e:
            raise ReportWriteError(
                e.errno,
                f"cannot write reports to {out_dir}: {e.strerror or e} (while writing {nb.stem}); earlier reports are intact",
            ) from e
        result.html = f"{nb.stem}.html"
        result.managers_html = f"{nb.stem}{MANAGERS_SUFFIX}" if hide_code else None
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


def _execute_one(
    src: str, dst: str, params_json: str, timeout_s: str, kernel: str = "python3"
) -> None:
    """Child process: run papermill on the given kernel (see :func:`kernel_name`)."""
    import papermill as pm

    _orphan_watchdog()

    pm.execute_notebook(
        src, dst, parameters=json.loads(params_json), kernel_name=kernel,
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
    ``index.html``: a landing page (:mod:`crm_research.pages`) — the data, each notebook's title,
    question and headline figures explained, warnings at the top. ``history``: link to the run
    history (``../../index.html`` in a run folder); at the top of a reports folder that holds
    ``runs/``, the landing page also shows the history (:func:`crm_research.runs.write_history_index`)."""
    from crm_research import pages, runs

    try:
        pages.refresh_reports(out_dir, status, history=history, warnings=warnings)
        if history is None and (out_dir / "runs").is_dir():
            return runs.write_history_index(out_dir, threshold=threshold)
        return pages.write_landing(
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


def remove_leftovers(root: Path, *, echo=print) -> list[Path]:
    """Temporary folders and files that a killed run left in ``root`` and its run folders
    (call while holding the run lock). Returns what was removed."""
    gone = []
    folders = [root, *sorted(p for p in (root / "runs").glob("*") if p.is_dir())]
    for folder in folders:
        for p in folder.iterdir():
            tmp_dir = p.is_dir() and (
                p.name.startswith(TMP_PREFIX) or re.match(r"^\.\d\d_[\w-]+-", p.name)
            )
            tmp_file = p.is_file() and p.name.endswith(".tmp")
            if tmp_dir or tmp_file:
                shutil.rmtree(p, ignore_errors=True) if tmp_dir else p.unlink(missing_ok=True)
                gone.append(p)
    if gone:
        echo(f"removed {len(gone)} temporary file(s) left by an interrupted run (e.g. {gone[0]})")
    return gone


def _dataset_info(ds) -> dict | None:
    """The ``dataset_info`` row of a built dataset, JSON-ready, or None."""
    import duckdb

    path = getattr(ds, "db_path", None)
    if path is None or not Path(path).exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as c:
            df = c.execute("SELECT * FROM dataset_info").df()
    except duckdb.Error:
        return None
    return (
        json.loads(df.head(1).to_json(orient="records", date_format="iso"))[0] if len(df) else None
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
    status = _load_status(out_dir)
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
            _save_status(out_dir, status)
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


def _given_targets(
    notebooks: list[Path], params: dict[str, dict[str, Any]], notebooks_dir: Path
) -> dict | None:
    """The KPI targets given for this run (a notebook's ``targets`` parameter, as in notebooks 00
    and 07), in :func:`crm_research.programme.load_targets` format for the run record; None when
    none were given (the history then uses the dataset kind's defaults). A path is read relative
    to the working folder, else to the notebooks folder (where the notebooks run). Unreadable
    targets refuse the run (:class:`ParameterError`)."""
    from crm_research import programme

    spec = next((p["targets"] for p in params.values() if p.get("targets") is not None), None)
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return None
    if isinstance(spec, str) and "\n" not in spec and not Path(spec).expanduser().is_file():
        beside = Path(notebooks_dir) / spec
        spec = str(beside) if beside.is_file() else spec
    try:
        loaded = programme.load_targets(spec)
    except ValueError as e:
        raise ParameterError(f"-p targets: {e}") from e
    return yaml.safe_load(programme.targets_to_yaml(loaded)) if loaded else None


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
    from crm_research import kpi, pages, runs
    from crm_research.data import datasets
    from crm_research.data import reader as byod

    out_dir = Path(out_dir) if out_dir is not None else reports_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    data = data if data is not None else data_config
    notebooks = discover(notebooks_dir, only)
    given = ([f"data={data}"] if data is not None else []) + list(overrides or [])
    params = resolve_parameters(notebooks, params_file, given)  # refuse before running anything
    for p in params.values():  # notebooks run in their own folder: a configuration path absolute
        if str(p.get("data", "")).lower().endswith((".yaml", ".yml")):
            p["data"] = str(Path(p["data"]).expanduser().resolve())
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
    run_targets = _given_targets(notebooks, params, notebooks_dir) if as_of is not None else None
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

    def infos() -> dict[str, dict | None]:
        cache = {}
        for d in per_nb.values():
            if d.fingerprint not in cache:
                cache[d.fingerprint] = _dataset_info(d)
        return {k: cache[d.fingerprint] for k, d in per_nb.items()}

    with runs.run_lock(out_dir, echo=echo):
        remove_leftovers(out_dir, echo=echo)
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
        heading = f"Reports as of {pages.human_date(record['as_of'])}"
        try:
            refused = prepare()
            if refused is not None:
                record["status"], record["error"] = "refused", "input files refused (see crm-research validate)"  # fmt: skip
                results.append(refused)
                return results
            by_nb = infos()
            info = next((i for i in by_nb.values() if i), None) or _dataset_info(ds)
            record["dataset_info"] = info
            if info:
                record["data_end"] = min(
                    info.get("last_purchase") or record["as_of"], record["as_of"]
                )
                stale = pages.stale_warning(record["as_of"], info.get("last_purchase"))
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
                    record["kpis"] = (kpi_fn or (lambda d: _default_kpis(d, ds.db_path)))(as_of_ts)
                    record["status"] = "ok"
                    lag = kpi.stale_days(record["kpis"].get("data_end"), record["as_of"])
                    if lag and not warnings:
                        echo(
                            f"warning: the data end {lag} days before the as-of date (last purchase {record['kpis']['data_end']})"
                        )
                        warnings.append(
                            pages.stale_warning(record["as_of"], record["kpis"]["data_end"])
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
                    _load_status(folder),
                    commit,
                    ds.description,
                    history="../../index.html",
                    warnings=run_warnings,
                    heading=heading,
                )
                for name in runs.prune(out_dir, keep):
                    echo(f"removed old run {name} (keeping the last {keep})")
                runs.write_history_index(out_dir, threshold=threshold)
            except OSError as e:
                echo(
                    f"could not update the run's index and history in {out_dir}: {e.strerror or e}"
                )
            echo(f"run {folder.name}: {record['status']}" + (f" ({record['error']})" if record["error"] else ""))  # fmt: skip
        return results


if __name__ == "__main__":  # pragma: no cover - the child process entry point
    if len(sys.argv) in (6, 7) and sys.argv[1] == "--execute-one":
        _execute_one(*sys.argv[2:])
    else:
        sys.exit(
            "usage: python -m crm_research.report --execute-one SRC DST PARAMS_JSON TIMEOUT [KERNEL]"
        )
