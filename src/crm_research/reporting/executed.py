"""Reading and finishing an executed notebook: its headline figures and error, alternative text
for its figures, and the footer of package versions, parameters and git commit.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from crm_research.config import PROJ_ROOT
from crm_research.reporting.dates import human_time
from crm_research.reporting.notebook import HEADLINE_MIME

FOOTER_PACKAGES = (
    "crm-research",
    "pandas",
    "numpy",
    "scikit-learn",
    "statsmodels",
    "lifetimes",
    "ibis-framework",
    "duckdb",
    "splink",
    "matplotlib",
    "papermill",
)


def git_commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJ_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJ_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return (sha + ("+dirty" if dirty else "")) if sha else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for p in FOOTER_PACKAGES:
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = "not installed"
    return out


def footer_cell(params: dict[str, Any], commit: str, dataset: str | None = None):
    import nbformat

    vers = ", ".join(f"{k} {v}" for k, v in package_versions().items())
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


def collect_headlines(nb) -> list[dict[str, str]]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            d = o.get("data", {})
            if HEADLINE_MIME in d:
                out.append(dict(d[HEADLINE_MIME]))
    return out


def error_text(nb_path: Path, stderr: str) -> str:
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


def figure_alt_fallback(book, title: str) -> None:
    """Give every PNG output without ``alt`` metadata (figures drawn before
    :func:`setup_notebook`, or images displayed directly) a text naming the report."""
    n = 0
    for cell in book.cells:
        for o in cell.get("outputs", []):
            if "image/png" in o.get("data", {}):
                n += 1
                md = o.setdefault("metadata", {}).setdefault("image/png", {})
                md.setdefault("alt", f"Figure {n} of {title}")
