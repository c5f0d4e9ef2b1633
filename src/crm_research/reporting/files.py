"""Writing report files so a reader never sees half of one, and reading them back."""

from __future__ import annotations

import json
import os
from pathlib import Path

TMP_PREFIX = ".tmp-"


class ReportWriteError(OSError):
    """The reports could not be written (disk full, no permission): the run stops at once."""


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to a temporary file beside ``path`` and move it into place, so a
    reader never sees a half-written file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def load_status(out_dir: Path) -> dict[str, dict]:
    f = out_dir / "status.json"
    return json.loads(f.read_text()) if f.exists() else {}


def save_status(out_dir: Path, status: dict[str, dict]) -> None:
    write_text_atomic(
        out_dir / "status.json", json.dumps(status, indent=2, ensure_ascii=False, default=str)
    )
