"""The analyst's own data, as the YAML configuration gives them: every configured source read and
checked by the engine, accepted rows staged and the quarantine written, and the customer database
built from them (refused with the readable report when a file is unusable)."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import pandas as pd

from crm_research import integrate
from crm_research.config import data_dir
from crm_research.data.reader.configuration import DataConfig, Source, load_config
from crm_research.data.reader.contracts import CONTRACTS, SOURCE_FILES, Contract, InputFileError
from crm_research.data.reader.folder import not_provided
from crm_research.data.reader.quarantine import (
    Validated,
    empty_quarantine,
    neutralise,
    quarantine_reason_kind,
)
from crm_research.data.reader.source import check_source
from crm_research.data.reader.survey import read_survey_xml
from crm_research.data.reader.validation_report import SourceResult, readable_report


def _contract(src: Source) -> Contract:
    base = CONTRACTS[src.table]
    cols = tuple(
        dataclasses.replace(c, fmt=src.date_formats.get(c.name, c.fmt)) for c in base.columns
    )
    return dataclasses.replace(base, columns=cols)


def validate_source(
    src: Source,
    cfg: DataConfig,
    *,
    examples: int = 3,
    out_dir: Path | None = None,
    want_rows: bool = False,
    store: str | Path | None = None,
):
    """Validate one source in the engine (:mod:`crm_research.data.reader`); with ``out_dir``,
    write accepted rows (contract names and formats, text a spreadsheet would execute
    neutralised) to ``out_dir/<table>.csv`` and append the quarantine to
    ``out_dir/quarantine.csv``. With ``want_rows`` the result carries ``validated`` (the
    accepted rows as a :class:`~crm_research.data.reader.quarantine.Validated`); with
    ``store`` (a DuckDB database file) too, but its accepted rows are written by the engine
    into that database as ``src_<table>`` instead of held as a frame."""
    target = (str(store), f"src_{src.table}") if store is not None else None
    want_rows = want_rows or store is not None
    contract = _contract(src)
    res = SourceResult(src.table, str(src.path))
    try:
        file = str(src.path)
        if src.table == "survey":
            df = read_survey_xml(src.path)
            r = check_source(
                df,
                contract,
                as_of=cfg.as_of,
                file=file,
                kind="frame",
                want_rows=want_rows and target is None,
                store=target,
                max_chars=cfg.max_field_chars,
            )
            r.encoding = "xml"
        else:
            kind = "parquet" if src.path.suffix.lower() == ".parquet" else "csv"
            stage = out_dir / f"{src.table}.csv" if out_dir is not None else None
            r = check_source(
                src.path,
                contract,
                as_of=cfg.as_of,
                file=file,
                kind=kind,
                encoding=src.encoding,
                delimiter=src.delimiter,
                columns=src.columns,
                fx=cfg.fx_to_krw,
                max_chars=cfg.max_field_chars,
                want_rows=want_rows and target is None,
                stage_to=stage,
                store=target,
                mapping_hint=not src.columns,
            )
            if r.encoding == "utf-8" and src.encoding in ("auto", "utf-8-sig"):
                r.encoding = "utf-8-sig"
        res.encoding = r.encoding
        res.rows_in, res.accepted = r.rows_in, r.n_accepted
        res.quarantined = int(r.quarantine["line"].nunique()) if len(r.quarantine) else 0
        res.absent = [c for c in contract.names if c not in r.present]
        for reason, line in zip(r.quarantine["reason"], r.quarantine["line"], strict=True):
            kind_ = quarantine_reason_kind(reason)
            res.reasons[kind_] += 1
            ex = res.examples.setdefault(kind_, [])
            if len(ex) < examples:
                ex.append(f"line {line}: {reason}")
        if out_dir is not None:
            qpath = out_dir / "quarantine.csv"
            _append(qpath, _safe_quarantine(r.quarantine), header=not qpath.exists())
        if want_rows:
            q = r.quarantine if len(r.quarantine) else empty_quarantine()
            res.validated = Validated(
                src.table,
                file,
                r.rows_in,
                r.accepted,
                q,
                encoding=r.encoding,
                stored=target,
                n_stored=r.n_accepted if target is not None else 0,
            )
    except InputFileError as e:
        res.error = str(e)
    return res


def _safe_quarantine(q: pd.DataFrame) -> pd.DataFrame:
    """The quarantine for a CSV file: text a spreadsheet would execute neutralised."""
    q = q.copy()
    for c in ("table", "file", "column", "reason", "record"):
        q[c] = neutralise(q[c].astype("string"))
    return q


def _append(path: Path, df: pd.DataFrame, *, header: bool) -> None:
    df.to_csv(
        path,
        mode="w" if header else "a",
        header=header,
        index=False,
        encoding="utf-8",
        quoting=csv.QUOTE_MINIMAL,
        lineterminator="\n",
    )


def validate_config(path: str | Path, *, examples: int = 3, stage: bool = True) -> tuple[str, bool]:
    """Validate every source of a configuration; returns (readable report, all files usable).

    With ``stage`` and an ``output`` folder in the configuration, accepted rows and the
    quarantine are written there. Nothing is run beyond reading and checking.
    """
    cfg = load_config(path)
    out_dir = cfg.output if stage else None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "quarantine.csv").unlink(missing_ok=True)
    results = [
        validate_source(s, cfg, examples=examples, out_dir=out_dir) for s in cfg.sources.values()
    ]
    return readable_report(cfg, results, out_dir)


class DataRefused(ValueError):
    """Some configured file is unusable; ``report`` holds the readable validation report."""

    def __init__(self, report: str):
        self.report = report
        super().__init__("some input files were refused:\n" + report)


def _stage_survey(cfg: DataConfig, out_dir: Path) -> None:
    """The survey is staged as the XML export itself."""
    if "survey" in cfg.sources:
        shutil.copy(cfg.sources["survey"].path, out_dir / SOURCE_FILES["survey"])
        (out_dir / "survey.csv").unlink(missing_ok=True)


def build_database(
    config: str | Path,
    db_path: str | Path,
    *,
    stage_dir: str | Path | None = None,
    threshold: float = 0.9,
    echo=print,
) -> Path:
    """Validate and stage the configured data (into ``stage_dir``, else the configuration's
    ``output``, else ``data/interim/byod``), then build the customer database from it
    (:func:`crm_research.integrate.build_customer_db`) at ``db_path``. Refuses with
    :class:`DataRefused` (carrying the validation report) if any file is unusable."""
    cfg = load_config(config)
    if stage_dir is not None:
        cfg.output = Path(stage_dir)
    elif cfg.output is None:
        cfg.output = data_dir() / "interim" / "byod"
    cfg.output.mkdir(parents=True, exist_ok=True)
    for f in cfg.output.iterdir():
        if f.is_file():
            f.unlink()
    db_path = Path(db_path)
    db_path.unlink(missing_ok=True)
    results = [  # accepted rows: written into the database by the engine (no frames)
        validate_source(s, cfg, out_dir=cfg.output, store=db_path) for s in cfg.sources.values()
    ]
    report, ok = readable_report(cfg, results, cfg.output)
    if not ok:
        db_path.unlink(missing_ok=True)
        raise DataRefused(report)
    echo(report)
    _stage_survey(cfg, cfg.output)
    missing = [t for t in SOURCE_FILES if t not in cfg.sources]
    if missing:
        echo(f"not provided (empty tables): {', '.join(missing)}")
    given = {r.table: r.validated for r in results}  # validated once: not re-read
    validated = {
        t: given[t] if t in given else not_provided(t, store=(str(db_path), f"src_{t}"))
        for t in SOURCE_FILES
    } | {t: v for t, v in given.items() if t not in SOURCE_FILES}
    integrate.build_customer_db(
        cfg.output, db_path=db_path, as_of=cfg.as_of, threshold=threshold, validated=validated
    )
    return Path(db_path)
