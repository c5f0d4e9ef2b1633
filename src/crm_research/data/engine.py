"""The relational engine: an Ibis connection, DuckDB (embedded file) by default.

Relational code in this package takes an Ibis backend and never names DuckDB, so the same
expressions run on Spark or a cloud warehouse (``ibis.pyspark.connect(session)``, ...).
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd

from crm_research.config import customer_db_path


def connect(path: str | Path | None = None, *, read_only: bool = False) -> ibis.BaseBackend:
    """Open the customer database (default ``data/processed/crm.duckdb``) as an Ibis backend."""
    path = Path(path) if path is not None else customer_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return ibis.duckdb.connect(str(path), read_only=read_only)


def write(con: ibis.BaseBackend, name: str, df: pd.DataFrame) -> None:
    """Store a pandas frame as a table (replacing it)."""
    con.create_table(name, df, overwrite=True)
