"""Every path of the project, anchored on the package (cookiecutter-data-science style).

Environment overrides, for tests and scheduled runs:
``CRM_RESEARCH_DATA_DIR`` (generated data: processed/, simulated/) and
``CRM_RESEARCH_REPORTS_DIR`` (report output).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT: Path = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR: Path = PROJ_ROOT / "notebooks"
RAW_DIR: Path = PROJ_ROOT / "data" / "raw"  # immutable, committed


def data_dir() -> Path:
    """Root of generated data (git-ignored): ``data/`` unless ``CRM_RESEARCH_DATA_DIR`` is set."""
    return Path(os.environ.get("CRM_RESEARCH_DATA_DIR", PROJ_ROOT / "data"))


def processed_dir() -> Path:
    """Folder of the customer database (``crm.duckdb``)."""
    return data_dir() / "processed"


def interim_dir() -> Path:
    """Intermediate data: staged own-data exports, the CDNOW example export."""
    return data_dir() / "interim"


def simulated_dir() -> Path:
    """Folder of simulated raw system exports, one sub-folder per world."""
    return data_dir() / "simulated"


def reports_dir() -> Path:
    """Report output folder: ``reports/`` unless ``CRM_RESEARCH_REPORTS_DIR`` is set."""
    return Path(os.environ.get("CRM_RESEARCH_REPORTS_DIR", PROJ_ROOT / "reports"))
