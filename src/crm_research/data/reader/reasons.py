"""The wording of quarantine reasons: one failure code of a column in words (the same words as
the pandas validator had), and duplicate rows and keys confirmed exactly on candidate rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.data.reader.column_sql import (
    C_FUTURE,
    C_MAX,
    C_MIN,
    C_MISSING,
    C_PATTERN,
    P_CONTROL,
    P_DATE,
    P_FINITE,
    P_FLAG,
    P_INTEGER,
    P_INTRANGE,
    P_LONG,
    P_NUMBER,
)


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def _what(c) -> str:
    if c.kind == "int":
        return "an integer"
    if c.kind == "float":
        return "a number"
    if c.kind in ("datetime", "date"):
        return f"a {'date' if c.kind == 'date' else 'date-time'} in format {c.fmt}"
    return "a flag (0/1 or Y/N)"


def reason_for(c, code: int, raw, shown, *, as_of: pd.Timestamp, max_chars: int) -> str:
    """The wording of one failure (same words as the pandas validator had)."""
    if code == P_LONG:
        return (
            f"{c.name}: value of {len(raw):,} characters is longer than the limit of {max_chars:,}"
        )
    if code == P_CONTROL:
        ch = next((ch for ch in raw if ord(ch) < 32 or ord(ch) == 127), "\x00")
        return f"{c.name}: {raw!r} contains a control character (U+{ord(ch):04X})"
    if code == P_FINITE:
        return f"{c.name}: {raw!r} is not a finite number"
    if code == P_INTRANGE:
        return f"{c.name}: {raw!r} is too large for a whole number"
    if isinstance(raw, str) and len(raw) > 200:
        raw = raw[:200] + f"… ({len(raw):,} characters)"
    if code in (P_NUMBER, P_DATE, P_FLAG, P_INTEGER):
        return f"{c.name}: {raw!r} is not {_what(c)}"
    if code == C_MISSING:
        return f"{c.name}: required value is missing"
    if code == C_MIN:
        return f"{c.name}: {shown} is below the minimum {_num(c.min)}"
    if code == C_MAX:
        return f"{c.name}: {shown} is above the maximum {_num(c.max)}"
    if code == C_FUTURE:
        return f"{c.name}: {shown} is after the as-of date {as_of:%Y-%m-%d %H:%M}"
    if code == C_PATTERN:
        return f"{c.name}: {shown!r} does not match {c.pattern}"
    return f"{c.name}: invalid value"


def resolve_duplicates(rows: pd.DataFrame, contract) -> dict[int, list[tuple[str | None, str]]]:
    """Exact duplicate rows and keys among candidate rows (``line`` + raw names, in file
    order): reasons by ``line`` for every row after the first occurrence."""
    out: dict[int, list] = {}
    if rows.empty:
        return out
    rows = rows.sort_values("line", kind="stable").reset_index(drop=True)
    names = contract.names
    dup = rows.duplicated(subset=names, keep="first")
    first = rows.groupby(names, dropna=False, sort=False)["line"].transform("first")
    for i in np.flatnonzero(dup.to_numpy()):
        out.setdefault(int(rows["line"].iloc[i]), []).append(
            (None, f"duplicate row (same as row {first.iloc[i]})")
        )
    if contract.key:
        k = rows[contract.key].astype("string").str.strip()
        k = k.where(k != "")
        kdup = k.notna() & k.duplicated(keep="first") & ~dup
        for i in np.flatnonzero(kdup.to_numpy()):
            raw = rows[contract.key].iloc[i]
            out.setdefault(int(rows["line"].iloc[i]), []).append(
                (contract.key, f"{contract.key}: duplicate key {raw!r}")
            )
    return out
