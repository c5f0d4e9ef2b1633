"""Dates, times and durations as people read them in the reports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd


def human_date(value: Any) -> str:
    """``2025-12-31`` → ``31 December 2025`` (empty for missing values)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return ""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return str(value)
    return f"{ts.day} {ts:%B %Y}"


def human_time(value: Any) -> str:
    """An ISO timestamp → ``3 March 2026 at 14:05 UTC`` (UTC when the stamp has a zone)."""
    if not value:
        return ""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return str(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC")
    return f"{ts.day} {ts:%B %Y} at {ts:%H:%M}" + (" UTC" if ts.tzinfo is not None else "")


def now_text() -> str:
    return human_time(datetime.now(UTC).isoformat())


def duration_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s"
