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
import io
import shutil
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import yaml

from crm_research.data import validate as v

CONFIG_KEYS = {"as_of", "timezone", "currency", "fx_to_krw", "output", "sources", "chunk_rows",
               "max_quarantine_share", "name"}  # fmt: skip
SOURCE_KEYS = {"path", "encoding", "delimiter", "columns", "date_formats"}
AMOUNT_COLUMNS = {"amount", "unit_price_krw"}
MAX_QUARANTINE_SHARE = 0.05  # default: a file with more rows quarantined than this is refused


class ConfigError(ValueError):
    """The configuration itself is unusable (the message names the key)."""


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

    @property
    def analysis_currency(self) -> str:
        """Currency of the amounts in the database: won when a rate to won is given."""
        return "KRW" if self.fx_to_krw != 1.0 else self.currency


def load_config(path: str | Path) -> DataConfig:
    """Read and check a data configuration (see the module docstring)."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: configuration file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
    if "orders" not in out:
        raise ConfigError(f"{path}: sources needs 'orders', the transaction log (customer id and purchase time at least)")  # fmt: skip
    return DataConfig(path, out, as_of, tz, currency, fx, (path.parent / output).resolve() if output else None,
                      chunk_rows, float(share), str(raw.get("name") or path.stem))  # fmt: skip


# ------------------------------------------------------------------------------------------------
# streaming


class _Seen:
    """64-bit hashes already seen (sorted), with the line each first appeared on."""

    def __init__(self) -> None:
        self.h = np.empty(0, dtype="uint64")
        self.line = np.empty(0, dtype="int64")

    def lookup(self, h: np.ndarray) -> np.ndarray:
        """Line of the earlier occurrence of each hash, or -1."""
        if not len(self.h):
            return np.full(len(h), -1, dtype="int64")
        pos = np.searchsorted(self.h, h).clip(max=len(self.h) - 1)
        return np.where(self.h[pos] == h, self.line[pos], -1)

    def add(self, h: np.ndarray, line: np.ndarray) -> None:
        h, first = np.unique(h, return_index=True)
        allh = np.concatenate([self.h, h])
        alll = np.concatenate([self.line, line[first]])
        order = np.argsort(allh, kind="stable")
        self.h, self.line = allh[order], alll[order]


def _hash(df: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(df.fillna("\x00"), index=False).to_numpy()


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


def _chunks(src: Source, contract: v.Contract, chunk_rows: int):
    """(text rows with ``line`` in the contract's names, quarantine) per chunk of the CSV."""
    path = src.path
    if not path.exists():
        raise v.InputFileError(str(path), "file not found")
    if path.stat().st_size == 0:
        raise v.InputFileError(str(path), "file is empty (no header row)")
    enc = _detect_encoding(path, src.encoding)
    with path.open("rb") as f:
        head = f.readline()
        if not head.strip():
            raise v.InputFileError(str(path), "file is empty (no header row)")
        header_text = _decode_chunk(head, enc) or head.decode("utf-8", errors="replace")
        header = [h.strip().lstrip("\ufeff") for h in next(csv.reader([header_text.rstrip("\r\n")], delimiter=src.delimiter))]  # fmt: skip
        mapped = contract.canonical([src.columns.get(h, h) for h in header])
        v.check_header(str(path), contract, mapped, header_text, delimiter=src.delimiter, mapping_hint=not src.columns)  # fmt: skip
        lineno = 1
        yielded = False
        while True:
            block = list(islice(f, chunk_rows))
            if not block and yielded:
                return
            first_line = lineno + 1
            lineno += len(block)
            raw = b"".join(block)
            text = _decode_chunk(raw, enc)
            rows, bad = None, v._empty_quarantine()
            # pandas pads short rows with missing values: find them by counting delimiters
            d, q, want = (
                src.delimiter.encode(enc if enc != "utf-8-sig" else "utf-8"),
                b'"',
                len(header) - 1,
            )
            short_or_long = any(b.count(d) != want for b in block if b.strip() and q not in b)
            if text is not None and not short_or_long:
                try:
                    df = pd.read_csv(io.StringIO(text), header=None, names=mapped, dtype=str, sep=src.delimiter,
                                     keep_default_na=False, na_values=[""], skip_blank_lines=False,
                                     on_bad_lines="error", engine="c")  # fmt: skip
                    if len(df) == len(block):
                        df.insert(0, "line", np.arange(first_line, first_line + len(block)))
                        blank = np.array([not b.strip() for b in block])
                        rows = df[~blank] if blank.any() else df
                except (pd.errors.ParserError, pd.errors.EmptyDataError):
                    rows = None
            if rows is None:  # line by line: quarantine undecodable lines and wrong field counts
                rows, bad = v.parse_lines(block, first_line=first_line, table=src.table, file=str(path),
                                          names=mapped, encoding=enc, delimiter=src.delimiter)  # fmt: skip
            yield v.fill_absent(rows, contract).reset_index(drop=True), bad, enc
            yielded = True
            if not block:
                return


def _to_krw(df: pd.DataFrame, fx: float) -> pd.DataFrame:
    if fx == 1.0:
        return df
    for c in AMOUNT_COLUMNS & set(df.columns):
        num = pd.to_numeric(df[c], errors="coerce")
        ok = num.notna()
        df.loc[ok, c] = (num[ok] * fx).round().astype("int64").astype(str)
    return df


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


def validate_source(src: Source, cfg: DataConfig, *, examples: int = 3, out_dir: Path | None = None) -> SourceResult:  # fmt: skip
    """Validate one source in chunks; with ``out_dir``, append accepted rows (contract names and
    formats) to ``out_dir/<table>.csv`` and the quarantine to ``out_dir/quarantine.csv``."""
    contract = _contract(src)
    res = SourceResult(src.table, str(src.path))
    try:
        if src.path.suffix.lower() == ".parquet":
            it = _parquet_chunks(src, contract, cfg.chunk_rows)
        elif src.table == "survey":
            df = v.read_survey_xml(src.path)
            it = iter([(df, v._empty_quarantine(), "xml")])
        else:
            it = _chunks(src, contract, cfg.chunk_rows)
        seen_rows, seen_keys = _Seen(), _Seen()
        present = source_columns(src, contract)
        contract = v.for_header(contract, present)
        res.absent = [c.name for c in contract.columns if c.name not in present]
        for n, (rows, q, enc) in enumerate(it):
            res.encoding = enc
            rows = _to_krw(rows, cfg.fx_to_krw)
            rows, dup_q = _cross_chunk_duplicates(
                rows, contract, seen_rows, seen_keys, str(src.path)
            )
            q = pd.concat([x for x in (q, dup_q) if len(x)], ignore_index=True) if len(q) or len(dup_q) else v._empty_quarantine()  # fmt: skip
            r = v.validate_frame(rows, contract, file=str(src.path), as_of=cfg.as_of, prior_quarantine=q, encoding=enc)  # fmt: skip
            res.rows_in += r.rows_in
            res.accepted += len(r.accepted)
            res.quarantined += r.n_quarantined
            for reason, line in zip(r.quarantine["reason"], r.quarantine["line"], strict=True):
                kind = v.quarantine_reason_kind(reason)
                res.reasons[kind] += 1
                ex = res.examples.setdefault(kind, [])
                if len(ex) < examples:
                    ex.append(f"line {line}: {reason}")
            if out_dir is not None:
                _append(
                    out_dir / f"{src.table}.csv",
                    _formatted(
                        r.accepted, contract, drop=[c for c in res.absent if c != contract.key]
                    ),
                    header=n == 0,
                )
                _append(out_dir / "quarantine.csv", r.quarantine, header=not (out_dir / "quarantine.csv").exists())  # fmt: skip
    except v.InputFileError as e:
        res.error = str(e)
    return res


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


def _parquet_chunks(src: Source, contract: v.Contract, chunk_rows: int):
    import pyarrow.parquet as pq

    if not src.path.exists():
        raise v.InputFileError(str(src.path), "file not found")
    pf = pq.ParquetFile(src.path)
    names = contract.canonical([src.columns.get(n, n) for n in pf.schema_arrow.names])
    v.check_header(str(src.path), contract, names, "")
    contract = v.for_header(contract, names)
    line = 1
    for batch in pf.iter_batches(batch_size=chunk_rows):
        df = batch.to_pandas()
        df.columns = names
        for c in contract.columns:  # the contract parses text; Parquet brings typed values
            if c.name not in df:
                continue
            col = df[c.name]
            if pd.api.types.is_datetime64_any_dtype(col):
                col = col.dt.strftime(c.fmt or v.TS)
            df[c.name] = col.astype("string").where(col.notna(), None).astype(object)
        df.insert(0, "line", np.arange(line + 1, line + 1 + len(df)))
        line += len(df)
        yield v.fill_absent(df, contract), v._empty_quarantine(), "parquet"


def _cross_chunk_duplicates(rows, contract, seen_rows: _Seen, seen_keys: _Seen, file: str):
    """Rows that repeat a row (or key) of an earlier chunk go to the quarantine; the rest of the
    duplicate logic (within a chunk) is validate_frame's."""
    if rows.empty:
        return rows, v._empty_quarantine()
    lines = rows["line"].to_numpy()
    h = _hash(rows[contract.names])
    prev = seen_rows.lookup(h)
    reasons = {i: f"duplicate row (same as row {prev[i]})" for i in np.flatnonzero(prev >= 0)}
    cols = {i: None for i in reasons}
    if contract.key:
        key = v.normalized_key(rows[contract.key])
        present = key.notna().to_numpy()
        kh = _hash(key.to_frame())
        kprev = seen_keys.lookup(kh)
        for i in np.flatnonzero((kprev >= 0) & present):
            if i not in reasons:
                reasons[i] = f"{contract.key}: duplicate key {rows[contract.key].iloc[i]!r}"
                cols[i] = contract.key
        seen_keys.add(kh[present], lines[present])
    seen_rows.add(h, lines)
    if not reasons:
        return rows, v._empty_quarantine()
    idx = np.array(sorted(reasons))
    q = pd.DataFrame({"table": contract.table, "file": file, "line": lines[idx].astype("int64"),
                      "column": [cols[i] for i in idx], "reason": [reasons[i] for i in idx],
                      "record": v._records_json(rows.iloc[idx].drop(columns="line"))},
                     columns=v.QUARANTINE_COLUMNS)  # fmt: skip
    keep = np.ones(len(rows), dtype=bool)
    keep[idx] = False
    return rows[keep].reset_index(drop=True), q


def _formatted(df: pd.DataFrame, contract: v.Contract, drop: list[str] = ()) -> pd.DataFrame:
    """Accepted rows in the standard contract (names, standard date formats) for staging, without
    the ``drop`` columns (optional columns the source does not have)."""
    base = v.CONTRACTS[contract.table]
    out = df[[n for n in base.names if n not in drop]].copy()
    for c in base.columns:
        if c.kind in ("date", "datetime") and c.name in out:
            out[c.name] = out[c.name].dt.strftime(c.fmt)
    return out


def _append(path: Path, df: pd.DataFrame, *, header: bool) -> None:
    df.to_csv(path, mode="w" if header else "a", header=header, index=False, encoding="utf-8")


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
    results = [validate_source(s, cfg, out_dir=cfg.output) for s in cfg.sources.values()]
    report, ok = _report(cfg, results, cfg.output)
    if not ok:
        raise DataRefused(report)
    echo(report)
    _stage_survey(cfg, cfg.output)
    missing = [t for t in v.SOURCE_FILES if t not in cfg.sources]
    if missing:
        echo(f"not provided (empty tables): {', '.join(missing)}")
    integrate.build_customer_db(cfg.output, db_path=db_path, as_of=cfg.as_of, threshold=threshold)
    _record_staging(db_path, cfg, results)
    return Path(db_path)


def _record_staging(db_path: str | Path, cfg: DataConfig, results: list[SourceResult]) -> None:
    """The database's ``load_log`` and ``quarantine`` describe the exports as received: rows in,
    accepted and quarantined per source file, and every quarantined row with its reason."""
    from crm_research.data import engine
    from crm_research.data.validate import quarantine_reason_kind

    con = engine.connect(db_path)
    try:
        log = con.table("load_log").to_pandas().set_index("table")
        for r in results:
            log.loc[r.table, ["file", "rows_in", "accepted", "quarantined", "encoding", "provided"]] = [
                Path(r.file).name, r.rows_in, r.accepted, r.quarantined, r.encoding, True]  # fmt: skip
        engine.write(con, "load_log", log.reset_index())
        staged_q = cfg.output / "quarantine.csv"
        if staged_q.exists():
            q = pd.read_csv(staged_q, dtype=str, keep_default_na=False, na_values=[""])
            q["line"] = q["line"].astype("int64")
            q["reason_kind"] = q["reason"].map(quarantine_reason_kind)
            db_q = con.table("quarantine").to_pandas()
            q = pd.concat([db_q, q[db_q.columns]], ignore_index=True)
            text = dict.fromkeys(
                ["table", "file", "column", "reason", "record", "reason_kind"], "string"
            )
            engine.write(con, "quarantine", q.astype(text | {"line": "int64"}))
    finally:
        con.disconnect()
