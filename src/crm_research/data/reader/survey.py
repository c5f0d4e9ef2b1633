"""The survey tool's XML export flattened into text rows (one per response) for the reader."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from crm_research.data.reader.contracts import CONTRACTS, InputFileError


def read_survey_xml(path: str | Path) -> pd.DataFrame:
    """Flatten the survey tool's XML export into one text row per response (``line`` = position)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(str(path), "file not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(str(path), "file is empty")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        line, col = e.position
        raise InputFileError(str(path), f"malformed XML at line {line}, column {col}: {e}") from e
    rows = []
    for i, r in enumerate(root.iter("response"), start=1):
        who = r.find("respondent")
        ans = r.find("answers")

        def text(el, tag):
            if el is None:
                return None
            x = el.find(tag)
            return x.text if x is not None and x.text is not None else None

        rows.append(
            {
                "line": i,
                "response_id": r.get("id"),
                "submitted_at": r.get("submitted"),
                "name": text(who, "name"),
                "email": text(who, "email"),
                "phone": text(who, "phone"),
                "satisfaction": text(ans, "satisfaction"),
                "nps": text(ans, "nps"),
            }
        )
    return pd.DataFrame(rows, columns=["line", *CONTRACTS["survey"].names])
