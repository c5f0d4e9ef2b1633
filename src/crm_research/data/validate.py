"""Validation of raw input tables: clear errors for bad files, a quarantine for bad rows.

Every input table has a :class:`Contract` (columns, types, ranges, date formats, key). Reading and
validating follows one rule: **rows in = rows accepted + rows quarantined**, and every quarantined
row carries its file, line number and reason.

* File-level problems raise :class:`InputFileError` naming the file (and column where there is
  one): missing file, empty file, missing required columns (with a hint when the delimiter looks
  wrong), malformed XML.
* Row-level problems quarantine the row: undecodable bytes, wrong number of fields, unparseable
  numbers or dates (dates must match the contract's format exactly, so ``03/04/2024`` is never
  silently read as March or April), missing required values, values outside the allowed range
  (negative or absurd amounts), dates after the as-of date, exact duplicate rows and duplicate keys.
* ``strict=True`` raises :class:`RowValidationError` at the first bad row instead, naming file,
  column and line.

Type parsing is done here with explicit formats; the value rules are a pandera schema built from
the contract and run lazily, so all failures of a row are reported together.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

Kind = Literal["str", "int", "float", "datetime", "date", "flag"]

QUARANTINE_COLUMNS = ["table", "file", "line", "column", "reason", "record"]


class InputFileError(ValueError):
    """A whole input file is unusable. The message names the file (and column if any)."""

    def __init__(self, file: str | Path, problem: str, column: str | None = None):
        self.file = str(file)
        self.column = column
        self.problem = problem
        where = f"{self.file}" + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {problem}")


class RowValidationError(ValueError):
    """Raised in strict mode at the first bad row; names file, column and line."""

    def __init__(self, file: str, line: int, column: str | None, reason: str):
        self.file, self.line, self.column, self.reason = file, line, column, reason
        col = f", column '{column}'" if column else ""
        super().__init__(f"{file}{col}, row {line}: {reason}")


@dataclass(frozen=True)
class Col:
    """One column of a contract. ``fmt`` is the strftime format for dates."""

    name: str
    kind: Kind = "str"
    required: bool = True
    min: float | None = None
    max: float | None = None
    fmt: str | None = None
    pattern: str | None = None
    not_future: bool = False
    absent_ok: bool = False  # a required column that may be missing from the header

    @property
    def optional(self) -> bool:
        """May the column be missing from the file's header?"""
        return self.absent_ok or not self.required


@dataclass(frozen=True)
class Contract:
    """The expected shape of one input table. ``aliases`` are header names accepted for a
    column (e.g. ``amount_krw`` for ``amount``)."""

    table: str
    columns: tuple[Col, ...]
    key: str | None = None
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        """Columns the header must have."""
        return [c.name for c in self.columns if not c.optional]

    def canonical(self, header: list[str]) -> list[str]:
        """Header names with aliases replaced by the contract's names."""
        alias = dict(self.aliases)
        return [alias.get(h, h) if alias.get(h) not in header else h for h in header]


TS = "%Y-%m-%d %H:%M:%S"
DATE = "%Y-%m-%d"
MAX_ORDER_KRW = 50_000_000  # an order above 50 million won is treated as an entry error
MAX_AMOUNT = MAX_ORDER_KRW  # any currency: an order above 50 million units is an entry error

CONTRACTS: dict[str, Contract] = {
    c.table: c
    for c in (
        Contract(
            "members",
            (
                Col("member_id"),
                Col("name", required=False),
                Col("birth_date", "date", required=False, fmt=DATE, not_future=True),
                Col("gender", required=False, pattern=r"^[MF]$"),
                Col("phone", required=False),
                Col("email", required=False),
                Col("address", required=False),
                Col("joined_at", "datetime", fmt=TS, not_future=True),
                Col("updated_at", "datetime", required=False, fmt=TS, not_future=True),
            ),
            key="member_id",
        ),
        Contract(
            "orders",
            (
                Col("order_id", absent_ok=True),  # absent: one order per row (``L<line>``)
                Col("member_id"),  # the customer id of the order system
                Col("ordered_at", "datetime", fmt=TS, not_future=True),
                Col("amount", "float", min=0, max=MAX_AMOUNT, absent_ok=True),  # currency
                Col("channel", required=False),
            ),
            key="order_id",
            aliases=(("amount_krw", "amount"), ("customer_id", "member_id")),
        ),
        Contract(
            "order_lines",
            (
                Col("order_id"),
                Col("line_no", "int", min=1),
                Col("product_id"),
                Col("quantity", "int", min=1, max=10_000),
                Col("unit_price_krw", "int", min=0, max=MAX_ORDER_KRW),
            ),
        ),
        Contract(
            "shipments",
            (
                Col("shipment_id"),
                Col("order_id"),
                Col("recipient_name", required=False),
                Col("recipient_phone", required=False),
                Col("address", required=False),
                Col("shipped_at", "datetime", fmt=TS, not_future=True),
                Col("delivered_at", "datetime", required=False, fmt=TS, not_future=True),
            ),
            key="shipment_id",
        ),
        Contract(
            "cc_customers",
            (
                Col("cc_customer_id"),
                Col("name", required=False),
                Col("phone", required=False),
                Col("birth_date", "date", required=False, fmt=DATE, not_future=True),
                Col("registered_at", "datetime", fmt=TS, not_future=True),
            ),
            key="cc_customer_id",
        ),
        Contract(
            "tickets",
            (
                Col("ticket_id"),
                Col("cc_customer_id"),
                Col("opened_at", "datetime", fmt=TS, not_future=True),
                Col("category", required=False),
                Col("handle_minutes", "float", required=False, min=0, max=24 * 60),
                Col("resolved", "flag", required=False),
            ),
            key="ticket_id",
        ),
        Contract(
            "web_accounts",
            (
                Col("login_id"),
                Col("email", required=False),
                Col("name", required=False),
                Col("birth_date", "date", required=False, fmt=DATE, not_future=True),
                Col("phone", required=False),
                Col("signup_at", "datetime", fmt=TS, not_future=True),
            ),
            key="login_id",
        ),
        Contract(
            "sessions",
            (
                Col("session_id"),
                Col("cookie_id"),
                Col("login_id", required=False),
                Col("started_at", "datetime", fmt=TS, not_future=True),
                Col("pages", "int", min=0, max=10_000),
                Col("duration_s", "int", required=False, min=0, max=7 * 86_400),
            ),
            key="session_id",
        ),
        Contract(
            "email_subscribers",
            (
                Col("subscriber_id"),
                Col("email"),
                Col("name", required=False),
                Col("subscribed_at", "datetime", fmt=TS, not_future=True),
            ),
            key="subscriber_id",
        ),
        Contract(
            "email_sends",
            (
                Col("send_id"),
                Col("campaign_id"),
                Col("subscriber_id"),
                Col("email", required=False),
                Col("sent_at", "datetime", fmt=TS, not_future=True),
                Col("bounced", "flag"),
                Col("opened", "flag"),
                Col("clicked", "flag"),
            ),
            key="send_id",
        ),
        Contract(
            "survey",
            (
                Col("response_id"),
                Col("submitted_at", "datetime", fmt="%Y-%m-%dT%H:%M:%S", not_future=True),
                Col("name", required=False),
                Col("email", required=False),
                Col("phone", required=False),
                Col("satisfaction", "int", required=False, min=1, max=5),
                Col("nps", "int", required=False, min=0, max=10),
            ),
            key="response_id",
        ),
    )
}

# a randomised campaign of the user's own (optional): who was assigned, when, treated or control;
# the outcome is read from the transactions after the assignment
CONTRACTS["campaign_assignments"] = Contract(
    "campaign_assignments",
    (
        Col("campaign_id"),
        Col("member_id"),
        Col("assigned_at", "datetime", fmt=TS, not_future=True),
        Col("treated", "flag"),
    ),
    aliases=(("customer_id", "member_id"),),
)

SOURCE_FILES: dict[str, str] = {t: f"{t}.csv" for t in CONTRACTS if t != "survey"} | {
    "survey": "survey_responses.xml"
}


@dataclass
class Validated:
    """Result of validating one table. ``accepted`` keeps a ``line`` column (file line number)."""

    table: str
    file: str
    rows_in: int
    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)
    provided: bool = True  # False: the source was not in the export (an empty table)

    def __post_init__(self) -> None:
        n_q = self.quarantine["line"].nunique() if len(self.quarantine) else 0
        if self.rows_in != len(self.accepted) + n_q:  # the invariant, checked on every result
            raise AssertionError(
                f"{self.file}: rows in {self.rows_in} != accepted {len(self.accepted)} "
                f"+ quarantined {n_q}"
            )

    @property
    def n_quarantined(self) -> int:
        return int(self.quarantine["line"].nunique()) if len(self.quarantine) else 0

    def counts(self) -> dict[str, int | str]:
        return {
            "table": self.table,
            "file": Path(self.file).name,
            "rows_in": self.rows_in,
            "accepted": len(self.accepted),
            "quarantined": self.n_quarantined,
            "encoding": self.encoding,
            "provided": self.provided,
        }


# ------------------------------------------------------------------------------------------------
# reading


def _decode(raw: bytes) -> tuple[str | None, str]:
    """Decode a whole file: UTF-8 (BOM allowed), else CP949 (Korean Excel exports), else None."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp949"), "cp949"
    except UnicodeDecodeError:
        return None, "mixed"


def read_table(path: str | Path, contract: Contract) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Read a CSV export as text. Returns (rows as strings with ``line``, quarantine, encoding).

    Fast path: pandas' C parser. Fallback (undecodable bytes or wrong field counts): line by line
    with the csv module, quarantining each bad line with its reason.
    """
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise InputFileError(file, "file not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(file, "file is empty (no header row)")
    text, encoding = _decode(raw)
    lines = text.splitlines() if text is not None else []
    header_line = lines[0] if lines else _first_line(raw)
    header = next(csv.reader([header_line]))
    header = contract.canonical([h.strip() for h in header])
    check_header(file, contract, header, header_line)
    if text is not None:
        try:
            df = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=True,
                on_bad_lines="error",
            )
            df.columns = header
            line = _data_line_numbers(lines)
            if len(line) == len(df):
                df.insert(0, "line", line)
                return fill_absent(df, contract), _empty_quarantine(), encoding
        except pd.errors.ParserError:
            pass
    return _read_fallback(raw, file, contract, header)


def header_names(path: str | Path, contract: Contract) -> list[str]:
    """The contract names a CSV file's header provides (aliases resolved)."""
    with Path(path).open("rb") as f:
        first = f.readline()
    text = first.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    return contract.canonical([h.strip() for h in next(csv.reader([text]))])


def _first_line(raw: bytes) -> str:
    return raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")


def _data_line_numbers(lines: list[str]) -> np.ndarray:
    """1-based file line numbers of the non-blank data lines (line 1 is the header)."""
    return np.array([i + 1 for i, s in enumerate(lines) if i > 0 and s.strip()], dtype="int64")


def _read_fallback(
    raw: bytes, file: str, contract: Contract, header: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    df, bad = parse_lines(raw.splitlines()[1:], first_line=2, table=contract.table, file=file, names=header)  # fmt: skip
    return fill_absent(df, contract), bad, "utf-8 (with bad lines)"


def check_header(
    file: str, contract: Contract, names: list[str], header_line: str, *, delimiter: str = ",",
    mapping_hint: bool = False,
) -> None:  # fmt: skip
    """Raise :class:`InputFileError` naming the contract columns missing from ``names`` (the
    file's header, after any mapping), with a hint when a one-column header suggests another
    delimiter, or (``mapping_hint``) when Korean headers were not mapped."""
    missing = [c for c in contract.required_names if c not in names]
    if not missing:
        return
    hint = ""
    if len(names) == 1 and any(d in header_line for d in ",;\t|" if d != delimiter):
        hint = f" (the header has a single column: is the delimiter {delimiter!r} ?)"
    elif mapping_hint and any(ord(ch) > 0x3000 for ch in header_line):
        hint = " (Korean headers: map them to the contract's names under 'columns')"
    raise InputFileError(file, f"missing required column(s) {', '.join(missing)}{hint}", column=missing[0])  # fmt: skip


def for_header(contract: Contract, names: list[str]) -> Contract:
    """The contract as it applies to a file whose header has ``names``: optional columns the
    header lacks are filled with missing values, so their values are not required."""
    cols = tuple(
        c if c.name in names else dataclasses.replace(c, required=False, min=None, max=None)
        for c in contract.columns
    )
    return dataclasses.replace(contract, columns=cols)


def fill_absent(rows: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Add the contract's columns missing from ``rows`` (text rows with ``line``): a missing key
    becomes ``L<line>`` (one record per row), anything else missing values."""
    absent = [c for c in contract.names if c not in rows.columns]
    if not absent:
        return rows[["line", *contract.names]]
    rows = rows.copy()
    for c in absent:
        if c == contract.key:
            rows[c] = "L" + rows["line"].astype("int64").astype(str)
        else:
            rows[c] = None
    return rows[["line", *contract.names]]


def parse_lines(
    lines, *, first_line: int, table: str, file: str, names: list[str], encoding: str = "utf-8",
    delimiter: str = ",",
) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Data lines (bytes, ``first_line`` = file line number of the first) parsed one by one:
    text rows (``line`` + ``names``, empty fields missing) and the quarantine of lines that do
    not decode or have the wrong number of fields. Blank lines are skipped."""
    rows, bad = [], []
    shown = encoding.replace("-sig", "").upper()
    for i, bline in enumerate(lines):
        bline = bline.rstrip(b"\r\n")
        if not bline.strip():
            continue
        lineno = first_line + i
        try:
            s = bline.decode(encoding)
        except UnicodeDecodeError as e:
            bad.append(_qrow(table, file, lineno, None, f"invalid encoding: byte {e.start} is not {shown}", repr(bline[:200])))  # fmt: skip
            continue
        fields = next(csv.reader([s], delimiter=delimiter))
        if len(fields) != len(names):
            bad.append(_qrow(table, file, lineno, None, f"expected {len(names)} fields, found {len(fields)}", s[:500]))  # fmt: skip
            continue
        rows.append([lineno, *[f if f != "" else None for f in fields]])
    df = pd.DataFrame(rows, columns=["line", *names], dtype=object)
    df["line"] = df["line"].astype("int64")
    return df, pd.DataFrame(bad, columns=QUARANTINE_COLUMNS)


def read_survey_xml(path: str | Path) -> pd.DataFrame:
    """Flatten the survey tool's XML export into one text row per response (``line`` = position)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(str(path), "file not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(str(path), "file is empty")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        line, col = e.position
        raise InputFileError(str(path), f"malformed XML at line {line}, column {col}: {e}") from e
    rows = []
    for i, r in enumerate(root.iter("response"), start=1):
        who = r.find("respondent")
        ans = r.find("answers")

        def text(el, tag):
            if el is None:
                return None
            x = el.find(tag)
            return x.text if x is not None and x.text is not None else None

        rows.append(
            {
                "line": i,
                "response_id": r.get("id"),
                "submitted_at": r.get("submitted"),
                "name": text(who, "name"),
                "email": text(who, "email"),
                "phone": text(who, "phone"),
                "satisfaction": text(ans, "satisfaction"),
                "nps": text(ans, "nps"),
            }
        )
    return pd.DataFrame(rows, columns=["line", *CONTRACTS["survey"].names])


# ------------------------------------------------------------------------------------------------
# validating


def _empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame(columns=QUARANTINE_COLUMNS)


def _qrow(table, file, line, column, reason, record) -> dict:
    return {"table": table, "file": file, "line": int(line), "column": column, "reason": reason, "record": record}  # fmt: skip


def _records_json(df: pd.DataFrame) -> list[str]:
    return [json.dumps(r, ensure_ascii=False, default=str) for r in df.to_dict("records")]


def normalized_key(s: pd.Series) -> pd.Series:
    """Key values as the parser stores them: stripped text, blank = missing."""
    k = s.astype("string").str.strip()
    return k.where(k != "")


def _parse(df: pd.DataFrame, contract: Contract) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Convert text columns to their kinds. Returns typed frame and (row, column, reason) failures."""
    out = df.copy()
    fails: list[tuple[int, str, str]] = []
    for c in contract.columns:
        s = df[c.name]
        present = s.notna() & (s.astype("string").str.strip() != "")
        if c.kind == "str":
            out[c.name] = s.where(present).astype("string").str.strip()
            continue
        if c.kind in ("int", "float"):
            v = pd.to_numeric(s.where(present), errors="coerce")
            bad = present & v.isna()
            if c.kind == "int":
                nonint = present & v.notna() & (v != np.floor(v.fillna(0)))
                bad |= nonint
                v = v.where(~bad).astype("Float64").round().astype("Int64")
            what = "an integer" if c.kind == "int" else "a number"
        elif c.kind in ("datetime", "date"):
            v = pd.to_datetime(s.where(present), format=c.fmt, errors="coerce")
            bad = present & v.isna()
            what = f"a {'date' if c.kind == 'date' else 'date-time'} in format {c.fmt}"
        else:  # flag
            m = s.where(present).astype("string").str.strip().str.upper()
            v = m.map({"1": True, "0": False, "Y": True, "N": False, "TRUE": True, "FALSE": False})
            bad = present & v.isna()
            v = v.astype("boolean")
            what = "a flag (0/1 or Y/N)"
        for idx in np.flatnonzero(bad.to_numpy()):
            fails.append((idx, c.name, f"{c.name}: {s.iloc[idx]!r} is not {what}"))
        out[c.name] = v
    return out, fails


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def _schema(contract: Contract, as_of: pd.Timestamp) -> pa.DataFrameSchema:
    cols = {}
    for c in contract.columns:
        checks = []
        if c.min is not None:
            checks.append(pa.Check.ge(c.min, error=f"below the minimum {_num(c.min)}"))
        if c.max is not None:
            checks.append(pa.Check.le(c.max, error=f"above the maximum {_num(c.max)}"))
        if c.not_future:
            checks.append(pa.Check.le(as_of, error=f"after the as-of date {as_of:%Y-%m-%d %H:%M}"))
        if c.pattern:
            checks.append(pa.Check.str_matches(c.pattern, error=f"does not match {c.pattern}"))
        cols[c.name] = pa.Column(None, checks=checks, nullable=not c.required, required=True)
    return pa.DataFrameSchema(cols, strict=False)


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
) -> Validated:
    """Validate text rows (``line`` + contract columns) against a contract, in the engine
    (:mod:`crm_research.data.reader`).

    ``as_of`` (default: now) is the export time; dates after it are quarantined.
    """
    from crm_research.data import reader

    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now().floor("s")
    if "line" not in df.columns:
        df = df.assign(line=np.arange(2, len(df) + 2))
    missing = [c for c in contract.required_names if c not in df.columns]
    if missing:
        raise InputFileError(file, f"missing required column(s) {', '.join(missing)}", column=missing[0])  # fmt: skip
    cols = ["line", *[c for c in contract.names if c in df.columns]]
    r = reader.validate_source(df[cols].reset_index(drop=True), contract, as_of=as_of, file=file, kind="frame")  # fmt: skip
    prior = prior_quarantine if prior_quarantine is not None else _empty_quarantine()
    return _result(contract, file, r, prior=prior, rows_in=rows_in, encoding=encoding, strict=strict)  # fmt: skip


def _result(contract, file, r, *, prior=None, rows_in=None, encoding="utf-8", strict=False) -> Validated:  # fmt: skip
    q = r.quarantine
    if prior is not None and len(prior):
        q = pd.concat([prior, q], ignore_index=True).sort_values("line", kind="stable")
        q = q.reset_index(drop=True)
    if len(q) == 0:
        q = _empty_quarantine()
    q["line"] = q["line"].astype("int64")
    if strict and len(q):
        first = q.iloc[0]
        raise RowValidationError(file, int(first["line"]), first["column"] if isinstance(first["column"], str) else None, first["reason"])  # fmt: skip
    n_in = rows_in if rows_in is not None else r.rows_in + (prior["line"].nunique() if prior is not None and len(prior) else 0)  # fmt: skip
    return Validated(contract.table, file, n_in, r.accepted, q, encoding=encoding)


def validate_file(
    path: str | Path,
    table: str,
    *,
    as_of: str | pd.Timestamp | None = None,
    strict: bool = False,
) -> Validated:
    """Read and validate one export file against ``CONTRACTS[table]`` (CSV read and checked by
    the engine: :mod:`crm_research.data.reader`; the survey's XML flattened first)."""
    from crm_research.data import reader

    contract = CONTRACTS[table]
    path = Path(path)
    if table == "survey":
        df = read_survey_xml(path)
        return validate_frame(df, contract, file=str(path), as_of=as_of, strict=strict, encoding="xml")  # fmt: skip
    as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.now().floor("s")
    kind = "parquet" if path.suffix.lower() == ".parquet" else "csv"
    r = reader.validate_source(path, contract, as_of=as_of, file=str(path), kind=kind)
    return _result(contract, str(path), r, encoding=r.encoding, strict=strict)


def not_provided(table: str) -> Validated:
    """An empty, typed result for a source the data do not include."""
    contract = CONTRACTS[table]
    empty = pd.DataFrame({"line": pd.Series(dtype="int64")} | {n: pd.Series(dtype=object) for n in contract.names})  # fmt: skip
    r = validate_frame(empty, contract, file="(not provided)", as_of=pd.Timestamp("2262-01-01"))
    r.provided = False
    return r


def validate_folder(
    folder: str | Path, *, as_of: str | pd.Timestamp | None = None
) -> dict[str, Validated]:
    """Validate every export of a folder (file names: ``SOURCE_FILES``). Only the transaction
    log (``orders.csv``) must exist; a source whose file is absent is an empty table
    (``provided`` False)."""
    folder = Path(folder)
    out = {}
    for t, f in SOURCE_FILES.items():
        if t != "orders" and not (folder / f).exists():
            out[t] = not_provided(t)
        else:
            out[t] = validate_file(folder / f, t, as_of=as_of)
    return out


def quarantine_reason_kind(reason: str) -> str:
    """Collapse a quarantine reason to its kind (for counts): 'duplicate row', 'below the minimum'..."""
    for pat, kind in (
        (r"duplicate row", "duplicate row"),
        (r"duplicate key", "duplicate key"),
        (r"invalid encoding", "invalid encoding"),
        (r"expected \d+ fields", "wrong field count"),
        (r"is not a date", "unparseable date"),
        (r"is not an integer|is not a number", "not a number"),
        (r"is not a flag", "not a flag"),
        (r"required value is missing", "missing value"),
        (r"below the minimum", "below minimum (e.g. negative amount)"),
        (r"above the maximum", "above maximum (absurd value)"),
        (r"after the as-of date", "future date"),
        (r"does not match", "bad format"),
        (r"longer than", "field too long"),
        (r"control character", "control character"),
        (r"not a finite number", "not a number"),
    ):
        if re.search(pat, reason):
            return kind
    return "other"
