"""Running one notebook: papermill in a child process on the project's kernel, with a timeout that
kills the whole process tree, and atomic output (the executed notebook and its HTML are moved into
place only on success, so a failed run never replaces the last good HTML).
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crm_research.reporting.executed import (
    collect_headlines,
    error_text,
    figure_alt_fallback,
    footer_cell,
    git_commit,
)
from crm_research.reporting.files import TMP_PREFIX, ReportWriteError
from crm_research.reporting.navigation import (
    MANAGERS_SUFFIX,
    fallback_title,
    notebook_meta,
    rebase_links,
    strip_navigation,
)
from crm_research.reporting.processes import kill_group

MAX_HTML_BYTES = 5 * 1024 * 1024

KERNEL_NAME = "crm-research"

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"  # crm_research/templates


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
            "crm_research.reporting.child",
            "--execute-one",
            str(nb),
            str(executed),
            json.dumps(params),
            str(timeout_s),
            kernel,
        ]
        env = os.environ | {
            "TQDM_DISABLE": "1",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        }
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env=env,
            cwd=nb.parent,
        )
        status, error, stderr = "ok", None, ""
        try:
            _, stderr = proc.communicate(timeout=timeout_s)
            if proc.returncode != 0:
                status, error = "failed", error_text(executed, stderr)
                if time.perf_counter() - t0 >= timeout_s:  # papermill's cell timeout fired
                    status, error = "timeout", f"timed out after {timeout_s:.0f} s ({error})"
        except subprocess.TimeoutExpired:
            status, error = "timeout", f"timed out after {timeout_s:.0f} s"
        except KeyboardInterrupt:
            kill_group(proc)
            raise
        finally:
            kill_group(proc)
        if status != "ok" and (_is_disk_error(error) or _is_disk_error(stderr)):
            raise ReportWriteError(
                errno.ENOSPC,
                f"cannot write reports to {out_dir}: no space left on device (while running {nb.name}); earlier reports are intact",
            )
        duration = time.perf_counter() - t0
        result = NotebookResult(
            nb.stem,
            status,
            duration,
            params,
            error=error,
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
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
            result.headlines = collect_headlines(book)
            strip_navigation(book)
            rebase_links(book, nb.parent, out_dir)
            book.metadata["title"] = result.title
            figure_alt_fallback(book, result.title)
            book.cells.append(footer_cell(params, commit, dataset))
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
