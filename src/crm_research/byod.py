"""Bring your own data: a YAML input contract, streamed validation, and a readable report.

The configuration says where each source's export is and how to read it; the table contracts of
:mod:`crm_research.data.validate` say what a valid row is. Example (all keys but ``sources``
optional)::

    as_of: 2026-01-01 00:00:00   # export time: later dates are quarantined (default: now, in timezone)
    timezone: Asia/Seoul         # zone of the exports' local times (and of the default as_of)
    currency: KRW                # amounts' currency; any other needs fx_to_krw (won per unit)
    fx_to_krw: 1
    output: staged               # folder for accepted rows + quarantine (relative to this file)
    sources:
      orders:                    # a table of the contracts: members, orders, order_lines, ...
        path: exports/주문.csv    # relative to this file; .csv/.txt or .parquet
        encoding: auto           # auto = UTF-8 (BOM or not), else CP949; or a codec name
        delimiter: ","
        columns: {주문번호: order_id, 회원번호: member_id, 주문일시: ordered_at, 결제금액: amount}
        date_formats: {ordered_at: "%Y.%m.%d %H:%M"}

CSV files are streamed in chunks of ``chunk_rows`` lines (a 10-million-row export is never held
in memory whole); duplicates are found across chunks through 64-bit row and key hashes. Every row
is either accepted (written to ``output/<table>.csv`` in the contract's names and formats, ready
for :func:`crm_research.integrate.build_customer_db`) or quarantined (``output/quarantine.csv``
with file, line, column and reason): rows in = accepted + quarantined, per file.
"""

from __future__ import annotations

import csv
import dataclasses
import errno
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import yaml

from crm_research.data import validate as v

CONFIG_KEYS = {"as_of", "timezone", "currency", "fx_to_krw", "output", "sources", "chunk_rows",
               "max_quarantine_share", "name", "max_field_chars"}  # fmt: skip
SOURCE_KEYS = {"path", "encoding", "delimiter", "columns", "date_formats"}
AMOUNT_COLUMNS = {"amount", "unit_price_krw"}
MAX_QUARANTINE_SHARE = 0.05  # default: a file with more rows quarantined than this is refused


class ConfigError(ValueError):
    """The configuration itself is unusable (the message names the key)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML keeps the last one
    silently: a source dropped, an as-of date moved)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})",
                    key_node.start_mark,
                )  # fmt: skip
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


@dataclass
class Source:
    table: str
    path: Path
    encoding: str = "auto"
    delimiter: str = ","
    columns: dict[str, str] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)


@dataclass
class DataConfig:
    file: Path
    sources: dict[str, Source]
    as_of: pd.Timestamp
    timezone: str = "Asia/Seoul"
    currency: str = "KRW"
    fx_to_krw: float = 1.0
    output: Path | None = None
    chunk_rows: int = 500_000
    max_quarantine_share: float = MAX_QUARANTINE_SHARE
    name: str = ""  # shown in reports (default: the configuration file's name)
    max_field_chars: int = 10_000  # a longer field quarantines its row

    @property
    def analysis_currency(self) -> str:
        """Currency of the amounts in the database: won when a rate to won is given."""
        return "KRW" if self.fx_to_krw != 1.0 else self.currency


def load_config(path: str | Path) -> DataConfig:
    """Read and check a data configuration (see the module docstring)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a configuration file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text (save the configuration as UTF-8)") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise ConfigError(
                f"{path}: symbolic link loop (the link points back to itself)"
            ) from None
        raise ConfigError(f"{path}: cannot be read ({e.strerror})") from None
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'sources' key")
    unknown = set(raw) - CONFIG_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(CONFIG_KEYS))})")  # fmt: skip
    tz = str(raw.get("timezone", "Asia/Seoul"))
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(
            f"{path}: timezone {tz!r} is not an IANA time zone (e.g. Asia/Seoul)"
        ) from e
    currency = str(raw.get("currency", "KRW")).upper()
    if not (len(currency) == 3 and currency.isalpha()):
        raise ConfigError(f"{path}: currency {currency!r} is not a three-letter ISO 4217 code (e.g. KRW, USD)")  # fmt: skip
    fx = raw.get("fx_to_krw")  # optional: convert amounts to won; otherwise reported in currency
    try:
        fx = float(fx if fx is not None else 1.0)
    except (TypeError, ValueError) as e:
        raise ConfigError(
            f"{path}: fx_to_krw must be a number, got {raw.get('fx_to_krw')!r}"
        ) from e
    if not fx > 0:
        raise ConfigError(f"{path}: fx_to_krw must be positive, got {fx}")
    share = raw.get("max_quarantine_share", MAX_QUARANTINE_SHARE)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ConfigError(f"{path}: max_quarantine_share must be a share between 0 and 1, got {share!r}")  # fmt: skip
    as_of = raw.get("as_of")
    try:
        as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now(tz=zone).tz_localize(None).floor("s")  # fmt: skip
    except ValueError as e:
        raise ConfigError(f"{path}: as_of {raw.get('as_of')!r} is not a date-time") from e
    sources = raw.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise ConfigError(f"{path}: 'sources' must map table names to files (tables: {', '.join(v.CONTRACTS)})")  # fmt: skip
    out = {}
    for table, spec in sources.items():
        if table not in v.CONTRACTS:
            raise ConfigError(f"{path}: sources.{table}: unknown table (tables: {', '.join(v.CONTRACTS)})")  # fmt: skip
        spec = {"path": spec} if isinstance(spec, str) else dict(spec or {})
        bad = set(spec) - SOURCE_KEYS
        if bad or "path" not in spec:
            raise ConfigError(f"{path}: sources.{table}: needs 'path'; allowed keys {', '.join(sorted(SOURCE_KEYS))}")  # fmt: skip
        names = v.CONTRACTS[table].names
        alias = dict(v.CONTRACTS[table].aliases)
        cols = {str(k): alias.get(str(x), str(x)) for k, x in (spec.get("columns") or {}).items()}
        wrong = [x for x in cols.values() if x not in names]
        if wrong:
            raise ConfigError(f"{path}: sources.{table}.columns maps to unknown column(s) {', '.join(wrong)} (contract: {', '.join(names)})")  # fmt: skip
        fmts = {str(k): str(x) for k, x in (spec.get("date_formats") or {}).items()}
        dates = [c.name for c in v.CONTRACTS[table].columns if c.kind in ("date", "datetime")]
        wrong = [k for k in fmts if k not in dates]
        if wrong:
            raise ConfigError(f"{path}: sources.{table}.date_formats: {', '.join(wrong)} is not a date column (dates: {', '.join(dates)})")  # fmt: skip
        delim = str(spec.get("delimiter", ","))
        if len(delim) != 1:
            raise ConfigError(f"{path}: sources.{table}.delimiter must be one character, got {delim!r}")  # fmt: skip
        out[table] = Source(table, (path.parent / spec["path"]).resolve(), str(spec.get("encoding", "auto")),
                            delim, cols, fmts)  # fmt: skip
    output = raw.get("output")
    chunk_rows = raw.get("chunk_rows", 500_000)
    if not isinstance(chunk_rows, int) or isinstance(chunk_rows, bool) or chunk_rows < 1:
        raise ConfigError(f"{path}: chunk_rows must be a positive whole number, got {chunk_rows!r}")
    mfc = raw.get("max_field_chars", 10_000)
    if not isinstance(mfc, int) or isinstance(mfc, bool) or mfc < 1:
        raise ConfigError(f"{path}: max_field_chars must be a positive whole number, got {mfc!r}")
    if "orders" not in out:
        raise ConfigError(f"{path}: sources needs 'orders', the transaction log (customer id and purchase time at least)")  # fmt: skip
    return DataConfig(path, out, as_of, tz, currency, fx, (path.parent / output).resolve() if output else None,
                      chunk_rows, float(share), str(raw.get("name") or path.stem), mfc)  # fmt: skip


# ------------------------------------------------------------------------------------------------
# streaming


def _decode_chunk(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def _detect_encoding(path: Path, declared: str) -> str:
    if declared != "auto":
        return declared
    with path.open("rb") as f:
        sample = f.read(1 << 20)
    sample = sample[: sample.rfind(b"\n") + 1] or sample  # whole lines only
    for enc in ("utf-8-sig", "cp949"):
        try:
            sample.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "utf-8-sig"  # mixed: bad lines are quarantined one by one


def _contract(src: Source) -> v.Contract:
    base = v.CONTRACTS[src.table]
    cols = tuple(
        dataclasses.replace(c, fmt=src.date_formats.get(c.name, c.fmt)) for c in base.columns
    )
    return dataclasses.replace(base, columns=cols)


@dataclass
class SourceResult:
    table: str
    file: str
    rows_in: int = 0
    accepted: int = 0
    quarantined: int = 0
    encoding: str = ""
    reasons: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None
    absent: list[str] = field(default_factory=list)  # optional columns the file does not have
    validated: v.Validated | None = None  # accepted rows (with want_rows)


def validate_source(src: Source, cfg: DataConfig, *, examples: int = 3, out_dir: Path | None = None, want_rows: bool = False):  # fmt: skip
    """Validate one source in the engine (:mod:`crm_research.data.reader`); with ``out_dir``,
    write accepted rows (contract names and formats, text a spreadsheet would execute
    neutralised) to ``out_dir/<table>.csv`` and append the quarantine to
    ``out_dir/quarantine.csv``. With ``want_rows`` the result carries ``validated`` (the
    accepted rows as a :class:`~crm_research.data.validate.Validated`)."""
    from crm_research.data import reader

    contract = _contract(src)
    res = SourceResult(src.table, str(src.path))
    try:
        file = str(src.path)
        if src.table == "survey":
            df = v.read_survey_xml(src.path)
            r = reader.validate_source(df, contract, as_of=cfg.as_of, file=file, kind="frame",
                                       want_rows=want_rows, max_chars=cfg.max_field_chars)  # fmt: skip
            r.encoding = "xml"
        else:
            kind = "parquet" if src.path.suffix.lower() == ".parquet" else "csv"
            stage = out_dir / f"{src.table}.csv" if out_dir is not None else None
            r = reader.validate_source(
                src.path, contract, as_of=cfg.as_of, file=file, kind=kind, encoding=src.encoding,
                delimiter=src.delimiter, columns=src.columns, fx=cfg.fx_to_krw,
                max_chars=cfg.max_field_chars, want_rows=want_rows, stage_to=stage,
                mapping_hint=not src.columns,
            )  # fmt: skip
            if r.encoding == "utf-8" and src.encoding in ("auto", "utf-8-sig"):
                r.encoding = "utf-8-sig"
        res.encoding = r.encoding
        res.rows_in, res.accepted = r.rows_in, r.n_accepted
        res.quarantined = int(r.quarantine["line"].nunique()) if len(r.quarantine) else 0
        res.absent = [c for c in contract.names if c not in r.present]
        for reason, line in zip(r.quarantine["reason"], r.quarantine["line"], strict=True):
            kind_ = v.quarantine_reason_kind(reason)
            res.reasons[kind_] += 1
            ex = res.examples.setdefault(kind_, [])
            if len(ex) < examples:
                ex.append(f"line {line}: {reason}")
        if out_dir is not None:
            qpath = out_dir / "quarantine.csv"
            _append(qpath, _safe_quarantine(r.quarantine), header=not qpath.exists())
        if want_rows:
            q = r.quarantine if len(r.quarantine) else v._empty_quarantine()
            res.validated = v.Validated(src.table, file, r.rows_in, r.accepted, q, encoding=r.encoding)  # fmt: skip
    except v.InputFileError as e:
        res.error = str(e)
    return res


def _safe_quarantine(q: pd.DataFrame) -> pd.DataFrame:
    """The quarantine for a CSV file: text a spreadsheet would execute neutralised."""
    from crm_research.data.reader import neutralise

    q = q.copy()
    for c in ("table", "file", "column", "reason", "record"):
        q[c] = neutralise(q[c].astype("string"))
    return q


def source_columns(src: Source, contract: v.Contract) -> list[str]:
    """Contract names the source's header provides (after the configured mapping and aliases).
    Raises :class:`~crm_research.data.validate.InputFileError` for a missing or empty file."""
    if not src.path.exists():
        raise v.InputFileError(str(src.path), "file not found")
    if src.table == "survey":
        return contract.names
    if src.path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        header = pq.ParquetFile(src.path).schema_arrow.names
    else:
        with src.path.open("rb") as f:
            head = f.readline()
        enc = _detect_encoding(src.path, src.encoding)
        text = (_decode_chunk(head, enc) or head.decode("utf-8", errors="replace")).rstrip("\r\n")
        header = [h.strip().lstrip("\ufeff") for h in next(csv.reader([text], delimiter=src.delimiter), [])]  # fmt: skip
    return contract.canonical([src.columns.get(h, h) for h in header])


def _append(path: Path, df: pd.DataFrame, *, header: bool) -> None:
    df.to_csv(path, mode="w" if header else "a", header=header, index=False, encoding="utf-8",
              quoting=csv.QUOTE_MINIMAL, lineterminator="\n")  # fmt: skip


# ------------------------------------------------------------------------------------------------
# the whole configuration


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
    results = [validate_source(s, cfg, examples=examples, out_dir=out_dir) for s in cfg.sources.values()]  # fmt: skip
    return _report(cfg, results, out_dir)


def _report(cfg: DataConfig, results: list[SourceResult], out_dir: Path | None) -> tuple[str, bool]:
    """The readable validation report and whether the data may be used. A file is refused when
    it cannot be read, or when more than ``max_quarantine_share`` of its rows are quarantined;
    the data are refused when no transaction is accepted."""
    amounts = f"amounts in {cfg.currency}"
    if cfg.analysis_currency != cfg.currency:
        amounts += f" × {cfg.fx_to_krw:g} = KRW"
    lines = [f"Data configuration {cfg.file}",
             f"as of {cfg.as_of:%Y-%m-%d %H:%M:%S} ({cfg.timezone}); {amounts}", ""]  # fmt: skip
    ok = True
    for r in results:
        lines.append(f"{r.table}: {r.file}")
        if r.error:
            ok = False
            lines.append(f"  REFUSED: {r.error}")
            lines.append("")
            continue
        lines.append(f"  rows in {r.rows_in:,} = accepted {r.accepted:,} + quarantined {r.quarantined:,}   (encoding {r.encoding})")  # fmt: skip
        share = r.quarantined / r.rows_in if r.rows_in else 0.0
        if share > cfg.max_quarantine_share:
            ok = False
            top = ", ".join(f"{k} ({n:,})" for k, n in r.reasons.most_common(3))
            lines.append(f"  REFUSED: {share:.1%} of the rows are quarantined, more than the limit {cfg.max_quarantine_share:.0%} (max_quarantine_share); top reasons: {top}")  # fmt: skip
        if r.rows_in == 0:
            lines.append("  WARNING: the file has a header but no rows")
        if r.absent:
            lines.append(f"  not in this file (optional): {', '.join(r.absent)}")
        for kind, n in r.reasons.most_common():
            lines.append(f"  quarantined, {kind}: {n:,}")
            for ex in r.examples.get(kind, []):
                lines.append(f"      {ex}")
        lines.append("")
    orders = [r for r in results if r.table == "orders" and not r.error]
    if orders and sum(r.accepted for r in orders) == 0:
        ok = False
        lines.append("REFUSED: no transaction was accepted (orders); there is nothing to analyse")
    total_in = sum(r.rows_in for r in results)
    total_ok = sum(r.accepted for r in results)
    lines.append(f"total: {total_in:,} rows in, {total_ok:,} accepted, {total_in - total_ok:,} quarantined; "
                 + ("every file usable" if ok else "data refused (see REFUSED above)"))  # fmt: skip
    if out_dir is not None:
        lines.append(f"accepted rows and quarantine written to {out_dir}")
    return "\n".join(lines), ok


class DataRefused(ValueError):
    """Some configured file is unusable; ``report`` holds the readable validation report."""

    def __init__(self, report: str):
        self.report = report
        super().__init__("some input files were refused:\n" + report)


def _stage_survey(cfg: DataConfig, out_dir: Path) -> None:
    """The survey is staged as the XML export itself."""
    if "survey" in cfg.sources:
        shutil.copy(cfg.sources["survey"].path, out_dir / v.SOURCE_FILES["survey"])
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
    from crm_research import integrate
    from crm_research.config import data_dir

    cfg = load_config(config)
    if stage_dir is not None:
        cfg.output = Path(stage_dir)
    elif cfg.output is None:
        cfg.output = data_dir() / "interim" / "byod"
    cfg.output.mkdir(parents=True, exist_ok=True)
    for f in cfg.output.iterdir():
        if f.is_file():
            f.unlink()
    results = [validate_source(s, cfg, out_dir=cfg.output, want_rows=True) for s in cfg.sources.values()]  # fmt: skip
    report, ok = _report(cfg, results, cfg.output)
    if not ok:
        raise DataRefused(report)
    echo(report)
    _stage_survey(cfg, cfg.output)
    missing = [t for t in v.SOURCE_FILES if t not in cfg.sources]
    if missing:
        echo(f"not provided (empty tables): {', '.join(missing)}")
    validated = {t: v.not_provided(t) for t in v.SOURCE_FILES}  # validated once: not re-read
    validated |= {r.table: r.validated for r in results}
    integrate.build_customer_db(cfg.output, db_path=db_path, as_of=cfg.as_of, threshold=threshold,
                                validated=validated)  # fmt: skip
    return Path(db_path)
