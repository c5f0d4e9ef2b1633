"""The quarantine and the validated table: quarantine rows (file, line, column, reason, record),
the ``Validated`` result with its invariant rows in = accepted + quarantined, reason kinds for
counts, and neutralising text a spreadsheet would execute."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

QUARANTINE_COLUMNS = ["table", "file", "line", "column", "reason", "record"]

FORMULA_START = ("=", "+", "-", "@")  # a spreadsheet executes text starting with these


@dataclass
class Validated:
    """Result of validating one table. ``accepted`` keeps a ``line`` column (file line number)."""

    table: str
    file: str
    rows_in: int
    accepted: pd.DataFrame | None  # None when the rows were stored in a database (``stored``)
    quarantine: pd.DataFrame
    encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)
    provided: bool = True  # False: the source was not in the export (an empty table)
    stored: tuple[str, str] | None = None  # (database file, table) holding the accepted rows
    n_stored: int = 0  # accepted rows stored there

    def __post_init__(self) -> None:
        n_q = self.quarantine["line"].nunique() if len(self.quarantine) else 0
        if self.rows_in != self.n_accepted + n_q:  # the invariant, checked on every result
            raise AssertionError(
                f"{self.file}: rows in {self.rows_in} != accepted {self.n_accepted} "
                f"+ quarantined {n_q}"
            )

    @property
    def n_accepted(self) -> int:
        return len(self.accepted) if self.accepted is not None else self.n_stored

    @property
    def n_quarantined(self) -> int:
        return int(self.quarantine["line"].nunique()) if len(self.quarantine) else 0

    def counts(self) -> dict[str, int | str]:
        return {
            "table": self.table,
            "file": Path(self.file).name,
            "rows_in": self.rows_in,
            "accepted": self.n_accepted,
            "quarantined": self.n_quarantined,
            "encoding": self.encoding,
            "provided": self.provided,
        }


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame(columns=QUARANTINE_COLUMNS)


def record_json(values: dict) -> str:
    out = {}
    for k, x in values.items():
        if isinstance(x, float) and not np.isfinite(x):
            x = str(x)
        if isinstance(x, str) and len(x) > 200:
            x = x[:200] + f"… ({len(x):,} characters)"
        out[k] = x
    return json.dumps(out, ensure_ascii=False, default=str)


def quarantine_frame(rows: list[dict]) -> pd.DataFrame:
    q = pd.DataFrame(rows, columns=QUARANTINE_COLUMNS)
    q["line"] = q["line"].astype("int64")
    return q.sort_values("line", kind="stable").reset_index(drop=True)


def quarantine_reason_kind(reason: str) -> str:
    """Collapse a quarantine reason to its kind (for counts): 'duplicate row', 'below the minimum'..."""
    for pat, kind in (
        (r"duplicate row", "duplicate row"),
        (r"duplicate key", "duplicate key"),
        (r"invalid encoding", "invalid encoding"),
        (r"expected \d+ fields", "wrong field count"),
        (r"is not a date", "unparseable date"),
        (r"is not an integer|is not a number", "not a number"),
        (r"is not a flag", "not a flag"),
        (r"required value is missing", "missing value"),
        (r"below the minimum", "below minimum (e.g. negative amount)"),
        (r"above the maximum", "above maximum (absurd value)"),
        (r"after the as-of date", "future date"),
        (r"does not match", "bad format"),
        (r"longer than", "field too long"),
        (r"control character", "control character"),
        (r"not a finite number", "not a number"),
    ):
        if re.search(pat, reason):
            return kind
    return "other"


def neutralise(s: pd.Series) -> pd.Series:
    """Text a spreadsheet would execute (starting with = + - @) prefixed with an apostrophe."""
    s = s.astype("string")
    bad = s.str.match(r"^[=+\-@]", na=False)
    return s.where(~bad, "'" + s)


def neutralise_sql(expr: str) -> str:
    return f"CASE WHEN regexp_matches({expr}, '^[=+\\-@]') THEN '''' || {expr} ELSE {expr} END"
