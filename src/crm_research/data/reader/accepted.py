"""The accepted rows of a checked source, read from the checks' first pass: as a typed frame,
stored by the engine as a table of the customer database, or staged to a CSV file in the
contract's names and standard formats with text a spreadsheet would execute neutralised."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crm_research.data.reader.column_sql import sql_name, sql_text
from crm_research.data.reader.contracts import CONTRACTS
from crm_research.data.reader.quarantine import neutralise_sql
from crm_research.data.reader.structure import ordinals_of_lines, skip_steps


def accepted_sql(
    con, chk: str, contract, present: list[str], skipped: np.ndarray | None, bad_lines: list[int]
) -> tuple[str, bool]:
    """The accepted rows of the first pass's table ``chk`` (``__bad``, typed columns, and
    ``__line`` unless ``skipped`` is given: then a row's line follows from its ordinal and the
    lines the engine skipped) as SQL (``line`` + contract names), and whether that SQL yields
    them in line order. The quarantined rows (``bad_lines``) are flagged in ``chk`` first."""
    key_absent = contract.key and contract.key not in present
    # the quarantined rows flagged in place (a join would not keep the rows' order)
    out = np.array(bad_lines, dtype="int64")
    if skipped is None:
        con.register("out_tbl", pd.DataFrame({"line": out}))
        con.execute(f"UPDATE {chk} SET __bad = true WHERE __line IN (SELECT line FROM out_tbl)")
    else:
        con.register("out_tbl", pd.DataFrame({"o": ordinals_of_lines(out, skipped)}))
        con.execute(f"UPDATE {chk} SET __bad = true WHERE rowid IN (SELECT o FROM out_tbl)")
    ordered = True
    if skipped is None:
        line = "__line"
        src = chk
    elif not len(skipped):  # every line after the header is a row: line = ordinal + 2
        line = "rowid + 2"
        src = chk
    else:  # lines skipped (blank, rejected): line = ordinal + 2 + skipped lines before it
        con.register("skip_tbl", skip_steps(skipped))
        line = f"{chk}.rowid + 2 + coalesce(s.before, 0)"
        src = f"{chk} ASOF LEFT JOIN skip_tbl s ON {chk}.rowid >= s.ord"
        ordered = False
    values = ", ".join(
        f"'L' || CAST(line AS VARCHAR) AS {sql_name(x)}"
        if key_absent and x == contract.key
        else sql_name(x)
        for x in contract.names
    )
    body = f"SELECT line, {values} FROM (SELECT {line} AS line, * FROM {src} WHERE NOT __bad)"
    return body, ordered


def typed_frame(df: pd.DataFrame, contract) -> pd.DataFrame:
    out = pd.DataFrame({"line": df["line"].astype("int64")})
    for c in contract.columns:
        s = df[c.name]
        if c.kind == "str":
            out[c.name] = s.astype("string")
        elif c.kind == "int":
            out[c.name] = s.astype("Int64")
        elif c.kind == "float":
            out[c.name] = s.astype("float64")
        elif c.kind in ("date", "datetime"):
            out[c.name] = pd.to_datetime(s).astype("datetime64[us]")
        else:
            out[c.name] = s.astype("boolean")
    return out.reset_index(drop=True)


def stage_accepted(con, body: str, contract, path: Path, drop: list[str]) -> None:
    """Accepted rows to CSV: contract names and standard formats, neutralised text."""
    base = CONTRACTS[contract.table]
    cols = []
    for c in base.columns:
        if c.name in drop:
            continue
        x = sql_name(c.name)
        if c.kind in ("date", "datetime"):
            cols.append(f"strftime({x}, {sql_text(c.fmt)}) AS {x}")
        elif c.kind == "float":
            cols.append(
                f"CASE WHEN {x} = floor({x}) AND abs({x}) < 1e15 THEN CAST(CAST({x} AS BIGINT) AS VARCHAR) ELSE CAST({x} AS VARCHAR) END AS {x}"
            )
        elif c.kind == "str":
            cols.append(f"{neutralise_sql(x)} AS {x}")
        else:
            cols.append(x)
    con.execute(
        f"COPY (SELECT {', '.join(cols)} FROM ({body}) ORDER BY line) TO {sql_text(str(path))} (HEADER, DELIMITER ',')"
    )


_SQL_TYPES = {
    "str": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "date": "TIMESTAMP",
    "datetime": "TIMESTAMP",
    "bool": "BOOLEAN",
}


def store_accepted(
    con, body: str, contract, target: tuple[str, str], *, ordered: bool, expected: int
) -> None:
    """Accepted rows written by the engine into a DuckDB database file as one table (``target``:
    database path, table name), with the columns and types :func:`typed_frame` gives (``line``
    BIGINT, then the contract's columns; dates as TIMESTAMP), in line order. ``ordered``: the
    body already yields rows in line order (no sort). ``expected``: the number of accepted rows
    (rows in - quarantined); a table with another count raises."""
    db, table = target
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    cols = ["CAST(line AS BIGINT) AS line"] + [
        f"CAST({sql_name(c.name)} AS {_SQL_TYPES.get(c.kind, 'BOOLEAN')}) AS {sql_name(c.name)}"
        for c in contract.columns
    ]
    order = "" if ordered else " ORDER BY line"
    # the build's write setting (see integrate.database): no dictionary compression of ids
    con.execute("SET disabled_compression_methods = 'dictionary'")
    con.execute(f"ATTACH {sql_text(str(db))} AS __store")
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE __store.main.{sql_name(table)} AS "
            f"SELECT {', '.join(cols)} FROM ({body}){order}"
        )
        n = con.execute(f"SELECT count(*) FROM __store.main.{sql_name(table)}").fetchone()[0]
        if n != expected:
            raise AssertionError(f"{table}: {n} rows stored, but {expected} rows were accepted")
    finally:
        con.execute("DETACH __store")
