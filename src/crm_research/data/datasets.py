"""Datasets: what a run analyses, and the one customer database each builds.

A dataset is named the same way everywhere — ``crm-research report --data NAME``, the ``data``
parameter every notebook declares, ``make report DATA=NAME``:

* ``simulated`` (default): the seeded simulated retailer (:mod:`crm_research.data.simulator`);
  its size and seed (``n_people``, ``seed``) are part of its identity. Amounts in KRW; the
  simulator's truth (``truth_*`` tables) is in the database, for scoring methods.
* ``cdnow``: the real CDNOW cohort (23,570 customers, January 1997 to June 1998, US$), a
  transaction log only, read from the ``lifetimes`` wheel and built like an analyst's export.
* a path to a YAML data configuration (:mod:`crm_research.data.reader`): the analyst's own exports.

Each dataset builds one customer database (DuckDB) under ``data/processed/datasets/``, named by a
fingerprint of everything it is built from: the input files' contents, the configuration, the
parameters and the source code of the modules that build it. A different world size or seed,
changed input files or changed code never reuse a stale database. Builds are atomic (a temporary
file renamed into place), and a database that cannot be opened is rebuilt: it is derived data.

Notebooks get the database through :func:`connect` (never by path), and ask it what the data
support (:func:`capabilities`); a section the data cannot support shows one line saying what it
needs (:func:`supports`). Those functions live in :mod:`crm_research.data.capabilities` (which
never builds a database) and are re-exported here.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from crm_research import integrate
from crm_research.config import interim_dir, processed_dir
from crm_research.data import engine, examples, reader, simulator
from crm_research.data.capabilities import (
    NEEDS,
    capabilities,
    describe,
    info,
    missing,
    not_available_text,
    supports,
)
from crm_research.data.simulator import export_time, simulate_world, world_folder

__all__ = [
    "CDNOW",
    "NEEDS",
    "SIMULATED",
    "Dataset",
    "DatasetError",
    "as_json",
    "build",
    "capabilities",
    "connect",
    "describe",
    "ensure",
    "info",
    "missing",
    "not_available_text",
    "resolve",
    "supports",
]

SIMULATED, CDNOW = "simulated", "cdnow"


class DatasetError(ValueError):
    """The dataset name or its configuration is unusable (the message says why)."""


@dataclass(frozen=True)
class Dataset:
    """One dataset: its kind, how reports name it, and the fingerprint of its inputs."""

    kind: str  # "simulated" | "cdnow" | "config"
    name: str  # how reports name it
    fingerprint: str
    currency: str
    config: Path | None = None
    n_people: int | None = None
    seed: int | None = None
    match_threshold: float = 0.9

    @property
    def db_path(self) -> Path:
        """Where the customer database lives (git-ignored)."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-").lower()[:40] or "data"
        return processed_dir() / "datasets" / f"{slug}-{self.fingerprint[:12]}.duckdb"

    @property
    def description(self) -> str:
        """One line for footers and the index."""
        if self.kind == SIMULATED:
            return f"simulated retailer ({self.n_people:,} people, seed {self.seed}; KRW)"
        if self.kind == CDNOW:
            return "CDNOW cohort (real transactions, 1997-01 to 1998-06; USD)"
        return f"own data: {self.name} ({self.config}; {self.currency})"


def _code_fingerprint() -> str:
    """Hash of the source code of the modules that build a database (every file of a package)."""
    h = hashlib.sha256()
    for m in (simulator, reader, integrate, engine, examples, inspect.getmodule(Dataset)):
        for path in _source_files(m):
            h.update(path.read_bytes())
    return h.hexdigest()


def _source_files(module) -> list[Path]:
    """The module's file, or every ``.py`` file of a package (sorted)."""
    path = Path(inspect.getsourcefile(module))
    return sorted(path.parent.rglob("*.py")) if path.name == "__init__.py" else [path]


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def resolve(
    data: str | os.PathLike = SIMULATED,
    *,
    n_people: int = 20_000,
    seed: int = 42,
    match_threshold: float = 0.9,
) -> Dataset:
    """The dataset ``data`` names: ``simulated`` (with ``n_people``, ``seed``), ``cdnow``, or the
    path of a YAML data configuration. Raises :class:`DatasetError` for anything else."""
    key = str(data).strip()
    code = _code_fingerprint()
    if key == SIMULATED:
        n_people, seed = int(n_people), int(seed)
        fp = _hash(SIMULATED, n_people, seed, float(match_threshold), code)
        return Dataset(
            SIMULATED, SIMULATED, fp, "KRW", None, n_people, seed, float(match_threshold)
        )
    if key == CDNOW:
        from importlib.metadata import version

        fp = _hash(CDNOW, version("lifetimes"), float(match_threshold), code)
        return Dataset(CDNOW, CDNOW, fp, "USD", match_threshold=float(match_threshold))
    path = Path(key).expanduser()
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise DatasetError(
            f"data {key!r}: expected 'simulated', 'cdnow' or the path of a YAML data configuration"
        )
    try:
        cfg = reader.load_config(path)
    except reader.ConfigError as e:
        raise DatasetError(str(e)) from e
    parts: list = ["config", path.read_bytes(), float(match_threshold), code]
    for src in cfg.sources.values():
        if not src.path.is_file():
            raise DatasetError(f"{path}: sources.{src.table}: {src.path}: file not found")
        parts += [src.table, str(src.path), _file_digest(src.path)]
    return Dataset(
        "config",
        cfg.name,
        _hash(*parts),
        cfg.analysis_currency,
        path.resolve(),
        match_threshold=float(match_threshold),
    )


def _hash(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()


# ------------------------------------------------------------------------------------------------
# building


def build(ds: Dataset, *, echo=print) -> Path:
    """Build the dataset's customer database (atomically) and return its path.

    Raises :class:`crm_research.data.reader.DataRefused` when own data fail validation."""
    target = ds.db_path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".building")
    tmp.unlink(missing_ok=True)
    started = datetime.now(UTC)
    try:
        if ds.kind == SIMULATED:
            world = simulate_world(ds.n_people, seed=ds.seed)
            folder = world.write(world_folder(ds.n_people, ds.seed))
            as_of = export_time(world.config)
            integrate.build_customer_db(
                folder, db_path=tmp, as_of=as_of, threshold=ds.match_threshold, seed=ds.seed
            )
        else:
            config = ds.config
            if ds.kind == CDNOW:
                config = examples.write_cdnow_shop_export(interim_dir() / "cdnow_export")
            cfg = reader.load_config(config)
            stage = interim_dir() / "staged" / target.stem
            reader.build_database(
                config, tmp, stage_dir=stage, threshold=ds.match_threshold, echo=echo
            )
            as_of = cfg.as_of
        con = engine.connect(tmp)
        try:
            _write_info(con, ds, as_of=pd.Timestamp(as_of), started=started)
        finally:
            con.disconnect()
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return target


def _write_info(con, ds: Dataset, *, as_of: pd.Timestamp, started) -> None:
    t = con.table("transactions")
    agg = (
        t.aggregate(
            first=t.ordered_at.min(),
            last=t.ordered_at.max(),
            n=t.count(),
            customers=t.customer_id.nunique(),
            amounts=t.amount.count(),
        )
        .to_pandas()
        .iloc[0]
    )
    res = con.table("resolution").to_pandas().iloc[0] if "resolution" in con.list_tables() else None
    log = con.table("load_log").to_pandas()
    sources = log.loc[log["provided"], "table"].tolist()
    info = {
        "name": ds.name,
        "kind": ds.kind,
        "description": ds.description,
        "currency": ds.currency,
        "fingerprint": ds.fingerprint,
        "built_at": started.isoformat(timespec="seconds"),
        "export_time": f"{as_of:%Y-%m-%d %H:%M:%S}",
        "first_purchase": f"{agg['first']:%Y-%m-%d}" if pd.notna(agg["first"]) else None,
        "last_purchase": f"{agg['last']:%Y-%m-%d}" if pd.notna(agg["last"]) else None,
        "transactions": int(agg["n"]),
        "customers": int(agg["customers"]),
        "has_amount": bool(agg["amounts"] > 0),
        "has_truth": "truth_people" in con.list_tables(),
        "sources": ",".join(sources),
        "resolution_notes": "" if res is None else str(res["notes"] or ""),
    }
    # typed columns: DuckDB cannot create a column from an all-None object column
    engine.write(con, "dataset_info", pd.DataFrame([info]).astype({"resolution_notes": "string"}))


def _usable(path: Path) -> bool:
    """Does the database open and hold a ``dataset_info`` table?"""
    import duckdb

    try:
        with duckdb.connect(str(path), read_only=True) as c:
            c.execute("SELECT count(*) FROM dataset_info").fetchone()
        return True
    except duckdb.Error:
        return False


def ensure(ds: Dataset, *, echo=print) -> Path:
    """The dataset's database, built first if missing, and rebuilt (with a note) if it cannot be
    opened: it is derived data."""
    path = ds.db_path
    if path.exists():
        if _usable(path):
            return path
        echo(f"note: {path} cannot be opened (damaged or from an interrupted build); rebuilding it")
        path.unlink()
    echo(f"building the customer database of {ds.description} ...")
    return build(ds, echo=echo)


def connect(
    data: str | os.PathLike = SIMULATED,
    *,
    n_people: int = 20_000,
    seed: int = 42,
    match_threshold: float = 0.9,
    read_only: bool = False,
    echo=print,
):
    """An Ibis connection to the customer database of the dataset ``data`` (see :func:`resolve`),
    built first if needed. Notebooks call this, never a path."""
    ds = resolve(data, n_people=n_people, seed=seed, match_threshold=match_threshold)
    return engine.connect(ensure(ds, echo=echo), read_only=read_only)


def as_json(ds: Dataset) -> str:
    """The dataset as JSON (for run records)."""
    return json.dumps(
        {
            "kind": ds.kind,
            "name": ds.name,
            "description": ds.description,
            "currency": ds.currency,
            "fingerprint": ds.fingerprint,
        }
    )
