"""The relational engine: an Ibis connection, DuckDB (embedded file) by default, Spark by choice.

Relational code in this package takes an Ibis backend and never names DuckDB, so the same
expressions run on DuckDB, on Spark (``backend="pyspark"``: a local ``local[2]`` session, or the
session of a cluster) or on a cloud warehouse (any Ibis backend: ``ibis.bigquery.connect(...)``,
``ibis.snowflake.connect(...)``; pass it where a connection is expected).

The backend is chosen by the ``backend`` argument or the ``CRM_RESEARCH_BACKEND`` environment
variable (``duckdb`` or ``pyspark``), which notebook processes started by the report runner
inherit (the runner has no ``--backend`` option yet, and the notebooks have not been run on Spark
end to end). ``CRM_RESEARCH_SPARK_MASTER`` sets the Spark master (default ``local[2]``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import ibis
import pandas as pd

from crm_research.config import processed_dir

BACKENDS = ("duckdb", "pyspark")


def backend_name(backend: str | None = None) -> str:
    """The backend to use: the argument, else ``CRM_RESEARCH_BACKEND``, else ``duckdb``."""
    name = backend or os.environ.get("CRM_RESEARCH_BACKEND") or "duckdb"
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    return name


def spark_session(master: str | None = None):
    """A Spark session for Ibis and splink: the active one (e.g. on a cluster), else a local one
    (``CRM_RESEARCH_SPARK_MASTER`` or ``local[2]``) with UTC session time zone and a warehouse
    folder under ``data/processed``. Needs the ``spark`` extra (pyspark) and Java 17."""
    from pyspark.sql import SparkSession  # optional heavy dependency (the spark extra)

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    master = master or os.environ.get("CRM_RESEARCH_SPARK_MASTER", "local[2]")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local workers import this package
    spark = (
        SparkSession.builder.master(master)
        .appName("crm-research")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(processed_dir() / "spark-warehouse"))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(str(processed_dir() / "spark-checkpoints"))  # for splink
    return spark


def connect(
    path: str | Path | None = None, *, read_only: bool = False, backend: str | None = None
) -> ibis.BaseBackend:
    """Open a customer database as an Ibis backend: a DuckDB file (``path``; an in-memory
    database without one — notebooks get a dataset's database from
    :func:`crm_research.data.datasets.connect`, never by path) or, with ``backend="pyspark"``,
    the Spark session's catalog (``path`` is ignored there: tables live in the session's catalog
    or warehouse)."""
    if backend_name(backend) == "pyspark":
        return ibis.pyspark.connect(spark_session())
    if path is None:
        return ibis.duckdb.connect()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return ibis.duckdb.connect(str(path), read_only=read_only)


def write(con: ibis.BaseBackend, name: str, df: pd.DataFrame) -> None:
    """Store a pandas frame as a table (replacing it)."""
    con.create_table(name, df, overwrite=True)


def copy_tables(
    src: ibis.BaseBackend, dst: ibis.BaseBackend, names: list[str] | None = None
) -> list[str]:
    """Copy tables (all by default) from one backend to another through pandas, e.g. the DuckDB
    customer database into a Spark catalog. For small and medium tables; at scale, write Parquet
    and read it on the target. Returns the names copied."""
    names = names if names is not None else sorted(src.list_tables())
    for n in names:
        t = src.table(n)
        df = t.to_pandas()
        if df.empty:  # no values to infer types from (e.g. a source not provided): the schema
            dst.create_table(n, schema=t.schema(), overwrite=True)
            continue
        for c in df.columns[~df.dtypes.map(pd.api.types.is_numeric_dtype)]:
            df[c] = df[c].astype(object).where(df[c].notna(), None)  # missing → NULL, not 'NaN'
        dst.create_table(n, df, overwrite=True)
    return names


def to_spark_dataframe(con: ibis.BaseBackend, expr: ibis.expr.types.Table):
    """An Ibis expression on the pyspark backend as a lazy Spark DataFrame (nothing collected to
    the driver), for Spark-side steps such as ``mapInPandas`` scoring."""
    if con.name != "pyspark":
        raise ValueError(f"needs a pyspark connection, got {con.name}")
    return con._session.sql(con.compile(expr))
