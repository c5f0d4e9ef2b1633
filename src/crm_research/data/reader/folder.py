"""Validating tables against their contracts: one file, one frame of text rows, or a whole
export folder (file names ``SOURCE_FILES``), each a :class:`Validated` where rows in = accepted +
quarantined and every quarantined row carries its file, line and reason; ``strict=True`` raises
:class:`RowValidationError` at the first bad row instead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crm_research.data.reader.contracts import (
    CONTRACTS,
    SOURCE_FILES,
    Contract,
    InputFileError,
    RowValidationError,
)
from crm_research.data.reader.quarantine import Validated, empty_quarantine
from crm_research.data.reader.source import check_source
from crm_research.data.reader.survey import read_survey_xml


def validate_frame(
    df: pd.DataFrame,
    contract: Contract,
    *,
    file: str = "<frame>",
    as_of: str | pd.Timestamp | None = None,
    strict: bool = False,
    prior_quarantine: pd.DataFrame | None = None,
    rows_in: int | None = None,
    encoding: str = "utf-8",
    store: tuple[str, str] | None = None,
) -> Validated:
    """Validate text rows (``line`` + contract columns) against a contract, in the engine
    (:mod:`crm_research.data.reader`).

    ``as_of`` (default: now) is the export time; dates after it are quarantined. ``store``
    (DuckDB database file, table name): the accepted rows are written there by the engine
    instead of returned as a frame (``accepted`` is None, ``stored`` says where).
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now().floor("s")
    if "line" not in df.columns:
        df = df.assign(line=np.arange(2, len(df) + 2))
    missing = [c for c in contract.required_names if c not in df.columns]
    if missing:
        raise InputFileError(
            file, f"missing required column(s) {', '.join(missing)}", column=missing[0]
        )
    cols = ["line", *[c for c in contract.names if c in df.columns]]
    r = check_source(
        df[cols].reset_index(drop=True),
        contract,
        as_of=as_of,
        file=file,
        kind="frame",
        want_rows=store is None,
        store=store,
    )
    prior = prior_quarantine if prior_quarantine is not None else empty_quarantine()
    return _result(
        contract,
        file,
        r,
        prior=prior,
        rows_in=rows_in,
        encoding=encoding,
        strict=strict,
        store=store,
    )


def _result(
    contract, file, r, *, prior=None, rows_in=None, encoding="utf-8", strict=False, store=None
) -> Validated:
    q = r.quarantine
    if prior is not None and len(prior):
        q = pd.concat([prior, q], ignore_index=True).sort_values("line", kind="stable")
        q = q.reset_index(drop=True)
    if len(q) == 0:
        q = empty_quarantine()
    q["line"] = q["line"].astype("int64")
    if strict and len(q):
        first = q.iloc[0]
        raise RowValidationError(
            file,
            int(first["line"]),
            first["column"] if isinstance(first["column"], str) else None,
            first["reason"],
        )
    n_in = (
        rows_in
        if rows_in is not None
        else r.rows_in + (prior["line"].nunique() if prior is not None and len(prior) else 0)
    )
    return Validated(
        contract.table,
        file,
        n_in,
        r.accepted,
        q,
        encoding=encoding,
        stored=store,
        n_stored=r.n_accepted if store is not None else 0,
    )


def validate_file(
    path: str | Path,
    table: str,
    *,
    as_of: str | pd.Timestamp | None = None,
    strict: bool = False,
    store: tuple[str, str] | None = None,
) -> Validated:
    """Read and validate one export file against ``CONTRACTS[table]`` (CSV read and checked by
    the engine: :mod:`crm_research.data.reader`; the survey's XML flattened first). ``store``:
    see :func:`validate_frame`."""
    contract = CONTRACTS[table]
    path = Path(path)
    if table == "survey":
        df = read_survey_xml(path)
        return validate_frame(
            df, contract, file=str(path), as_of=as_of, strict=strict, encoding="xml", store=store
        )
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now().floor("s")
    kind = "parquet" if path.suffix.lower() == ".parquet" else "csv"
    r = check_source(
        path,
        contract,
        as_of=as_of,
        file=str(path),
        kind=kind,
        want_rows=store is None,
        store=store,
    )
    return _result(contract, str(path), r, encoding=r.encoding, strict=strict, store=store)


def not_provided(table: str, store: tuple[str, str] | None = None) -> Validated:
    """An empty, typed result for a source the data do not include (``store``: see
    :func:`validate_frame`)."""
    contract = CONTRACTS[table]
    empty = pd.DataFrame(
        {"line": pd.Series(dtype="int64")} | {n: pd.Series(dtype=object) for n in contract.names}
    )
    r = validate_frame(
        empty, contract, file="(not provided)", as_of=pd.Timestamp("2262-01-01"), store=store
    )
    r.provided = False
    return r


def validate_folder(
    folder: str | Path,
    *,
    as_of: str | pd.Timestamp | None = None,
    store: str | Path | None = None,
) -> dict[str, Validated]:
    """Validate every export of a folder (file names: ``SOURCE_FILES``). Only the transaction
    log (``orders.csv``) must exist; a source whose file is absent is an empty table
    (``provided`` False). ``store`` (a DuckDB database file): each table's accepted rows are
    written there as ``src_<table>`` by the engine, not returned as frames."""
    folder = Path(folder)
    out = {}
    for t, f in SOURCE_FILES.items():
        target = (str(store), f"src_{t}") if store is not None else None
        if t != "orders" and not (folder / f).exists():
            out[t] = not_provided(t, store=target)
        else:
            out[t] = validate_file(folder / f, t, as_of=as_of, store=target)
    return out
