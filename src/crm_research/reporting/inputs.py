"""What a run analyses: each notebook's dataset, the facts of a built dataset, the KPI targets
given for the run, and the KPIs at the as-of date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from crm_research import programme
from crm_research.data import datasets, engine
from crm_research.reporting import kpi
from crm_research.reporting.parameters import ParameterError, declared_parameters


def default_kpis(as_of: pd.Timestamp, db_path: Path | None = None) -> dict[str, float]:

    con = engine.connect(db_path, read_only=True)
    try:
        return kpi.snapshot(con, as_of)
    finally:
        con.disconnect()


def notebook_datasets(notebooks: list[Path], params: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The dataset each notebook analyses (from its ``data``, ``n_people``, ``world_seed``
    parameters, defaults included), keyed by notebook stem; notebooks without ``data`` are left
    out. Raises :class:`ParameterError` for a dataset that cannot be resolved."""

    out, cache = {}, {}
    for nb in notebooks:
        p = declared_parameters(nb) | params[nb.stem]
        if "data" not in p:
            continue
        key = (str(p["data"]), p.get("n_people", 20_000), p.get("world_seed", 42))
        if key not in cache:
            try:
                cache[key] = datasets.resolve(key[0], n_people=key[1], seed=key[2])
            except (datasets.DatasetError, TypeError, ValueError) as e:
                raise ParameterError(f"data {key[0]!r}: {e}") from e
        out[nb.stem] = cache[key]
    return out


def given_targets(
    notebooks: list[Path], params: dict[str, dict[str, Any]], notebooks_dir: Path
) -> dict | None:
    """The KPI targets given for this run (a notebook's ``targets`` parameter, as in notebooks 00
    and 07), in :func:`crm_research.programme.load_targets` format for the run record; None when
    none were given (the history then uses the dataset kind's defaults). A path is read relative
    to the working folder, else to the notebooks folder (where the notebooks run). Unreadable
    targets refuse the run (:class:`ParameterError`)."""

    spec = next((p["targets"] for p in params.values() if p.get("targets") is not None), None)
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return None
    if isinstance(spec, str) and "\n" not in spec and not Path(spec).expanduser().is_file():
        beside = Path(notebooks_dir) / spec
        spec = str(beside) if beside.is_file() else spec
    try:
        loaded = programme.load_targets(spec)
    except ValueError as e:
        raise ParameterError(f"-p targets: {e}") from e
    return yaml.safe_load(programme.targets_to_yaml(loaded)) if loaded else None


def dataset_facts(ds) -> dict | None:
    """The ``dataset_info`` row of a built dataset, JSON-ready, or None."""
    import duckdb

    path = getattr(ds, "db_path", None)
    if path is None or not Path(path).exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as c:
            df = c.execute("SELECT * FROM dataset_info").df()
    except duckdb.Error:
        return None
    return (
        json.loads(df.head(1).to_json(orient="records", date_format="iso"))[0] if len(df) else None
    )
