"""The YAML data configuration (bring your own data), read and checked.

The configuration says where each source's export is and how to read it; the table contracts of
:mod:`crm_research.data.reader.contracts` say what a valid row is. Example (all keys but ``sources``
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

CSV files are read and checked by the engine in one pass (:mod:`crm_research.data.reader.source`;
a 10-million-row export is never a pandas frame); duplicates are found through 64-bit row and key
hashes. ``chunk_rows`` (from the earlier chunked reader) is still accepted and has no effect. Every row
is either accepted (written to ``output/<table>.csv`` in the contract's names and formats, ready
for :func:`crm_research.integrate.build_customer_db`) or quarantined (``output/quarantine.csv``
with file, line, column and reason): rows in = accepted + quarantined, per file.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import yaml

from crm_research.data.reader.contracts import CONTRACTS

CONFIG_KEYS = {
    "as_of",
    "timezone",
    "currency",
    "fx_to_krw",
    "output",
    "sources",
    "chunk_rows",
    "max_quarantine_share",
    "name",
    "max_field_chars",
}


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
                    None,
                    None,
                    f"duplicate key {key!r} (first on line {seen[key] + 1})",
                    key_node.start_mark,
                )
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
    chunk_rows: int = 500_000  # accepted for older configurations; the engine reads in one pass
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
        raise ConfigError(
            f"{path}: unknown key(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(CONFIG_KEYS))})"
        )
    tz = str(raw.get("timezone", "Asia/Seoul"))
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(
            f"{path}: timezone {tz!r} is not an IANA time zone (e.g. Asia/Seoul)"
        ) from e
    currency = str(raw.get("currency", "KRW")).upper()
    if not (len(currency) == 3 and currency.isalpha()):
        raise ConfigError(
            f"{path}: currency {currency!r} is not a three-letter ISO 4217 code (e.g. KRW, USD)"
        )
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
        raise ConfigError(
            f"{path}: max_quarantine_share must be a share between 0 and 1, got {share!r}"
        )
    as_of = raw.get("as_of")
    try:
        as_of = (
            pd.Timestamp(as_of)
            if as_of is not None
            else pd.Timestamp.now(tz=zone).tz_localize(None).floor("s")
        )
    except ValueError as e:
        raise ConfigError(f"{path}: as_of {raw.get('as_of')!r} is not a date-time") from e
    sources = raw.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise ConfigError(
            f"{path}: 'sources' must map table names to files (tables: {', '.join(CONTRACTS)})"
        )
    out = {}
    for table, spec in sources.items():
        if table not in CONTRACTS:
            raise ConfigError(
                f"{path}: sources.{table}: unknown table (tables: {', '.join(CONTRACTS)})"
            )
        spec = {"path": spec} if isinstance(spec, str) else dict(spec or {})
        bad = set(spec) - SOURCE_KEYS
        if bad or "path" not in spec:
            raise ConfigError(
                f"{path}: sources.{table}: needs 'path'; allowed keys {', '.join(sorted(SOURCE_KEYS))}"
            )
        names = CONTRACTS[table].names
        alias = dict(CONTRACTS[table].aliases)
        cols = {str(k): alias.get(str(x), str(x)) for k, x in (spec.get("columns") or {}).items()}
        wrong = [x for x in cols.values() if x not in names]
        if wrong:
            raise ConfigError(
                f"{path}: sources.{table}.columns maps to unknown column(s) {', '.join(wrong)} (contract: {', '.join(names)})"
            )
        fmts = {str(k): str(x) for k, x in (spec.get("date_formats") or {}).items()}
        dates = [c.name for c in CONTRACTS[table].columns if c.kind in ("date", "datetime")]
        wrong = [k for k in fmts if k not in dates]
        if wrong:
            raise ConfigError(
                f"{path}: sources.{table}.date_formats: {', '.join(wrong)} is not a date column (dates: {', '.join(dates)})"
            )
        delim = str(spec.get("delimiter", ","))
        if len(delim) != 1:
            raise ConfigError(
                f"{path}: sources.{table}.delimiter must be one character, got {delim!r}"
            )
        out[table] = Source(
            table,
            (path.parent / spec["path"]).resolve(),
            str(spec.get("encoding", "auto")),
            delim,
            cols,
            fmts,
        )
    output = raw.get("output")
    chunk_rows = raw.get("chunk_rows", 500_000)
    if not isinstance(chunk_rows, int) or isinstance(chunk_rows, bool) or chunk_rows < 1:
        raise ConfigError(f"{path}: chunk_rows must be a positive whole number, got {chunk_rows!r}")
    mfc = raw.get("max_field_chars", 10_000)
    if not isinstance(mfc, int) or isinstance(mfc, bool) or mfc < 1:
        raise ConfigError(f"{path}: max_field_chars must be a positive whole number, got {mfc!r}")
    if "orders" not in out:
        raise ConfigError(
            f"{path}: sources needs 'orders', the transaction log (customer id and purchase time at least)"
        )
    return DataConfig(
        path,
        out,
        as_of,
        tz,
        currency,
        fx,
        (path.parent / output).resolve() if output else None,
        chunk_rows,
        float(share),
        str(raw.get("name") or path.stem),
        mfc,
    )
