"""One reader for exports: the engine (DuckDB) parses and checks, Python explains and transcodes.

Every CSV, Parquet file or frame goes through :func:`validate_source`:

1. **Opening** (:func:`prepare`): the path is checked (missing, a directory, a symbolic-link loop,
   unreadable: :class:`~crm_research.data.validate.InputFileError` naming the path); compressed
   files are read (``.gz``; a ``.zip`` holding one CSV) or refused when their name hides it; text
   DuckDB cannot read (UTF-16/UTF-32 with a byte-order mark, CP949/EUC-KR and any other declared
   codec) is transcoded to UTF-8 in one streamed pass to a temporary file.
2. **Parsing** by DuckDB's ``read_csv`` (every column text, explicit delimiter and quote, strict
   RFC 4180: quoted delimiters, doubled quotes and newlines inside quoted fields; ``\\n``,
   ``\\r\\n`` or ``\\r`` line ends). Lines DuckDB rejects (wrong field count, undecodable bytes,
   unterminated quote, a line over the size limit) come back from its rejects table; Python reads
   only those lines (at most 64 KiB of each) to say why. A file whose records span several lines
   (quoted newlines), or with lone carriage returns, is first re-written by Python's csv module
   with its line numbers (so every row keeps the line it starts on).
3. **Checking** in SQL: text values trimmed, numbers by a strict grammar then ``TRY_CAST`` (with
   "not a finite number" for ``inf``, ``nan`` and overflow such as ``1e309``), dates by
   ``TRY_STRPTIME`` with the contract's format, flags, required values, ranges, dates after the
   as-of date, patterns, control characters in ids and codes, and a field-length limit. Exact
   duplicate rows and duplicate keys (first occurrence accepted) are found set-wise from 64-bit
   hashes (a sort), then confirmed exactly on the few candidate rows.
4. Reasons are worded in Python for the quarantined rows only, exactly as before.

Rows in = accepted + quarantined, always; a result that breaks it raises.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import errno
import gzip
import io
import itertools
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

MAX_FIELD_CHARS = 10_000  # default field-length limit (characters)
CHUNK = 1 << 24
SNIFF = 1 << 20
EXPLAIN_BYTES = 1 << 16  # at most this much of a rejected line is read to explain it
FORMULA_START = ("=", "+", "-", "@")  # a spreadsheet executes text starting with these

# parse-level codes (the value is unusable) and check-level codes (a rule fails)
P_NUMBER, P_FINITE, P_INTEGER, P_INTRANGE, P_DATE, P_FLAG, P_CONTROL, P_LONG = range(1, 9)
C_MISSING, C_MIN, C_MAX, C_FUTURE, C_PATTERN = range(11, 16)
ID_LIKE_TEXT = ("name", "address", "email", "phone", "recipient_name", "recipient_phone")
NUM_RE = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
NONFINITE_RE = r"^(?i)[+-]?(inf|infinity|nan)$"
TS_DEFAULT = "%Y-%m-%d %H:%M:%S"
ASCII = bytes(range(128))  # bytes.translate deletes these: what is left is not ASCII
NOT_CONTROL = bytes(range(32, 127)) + bytes(range(128, 256)) + b"\n\r"  # bytes.translate deletes


def _err(file, problem, column=None):
    from crm_research.data.validate import InputFileError

    return InputFileError(file, problem, column=column)


# ------------------------------------------------------------------------------------------------
# opening


def check_path(path: str | Path) -> Path:
    """The path as a readable regular file, else :class:`InputFileError` naming it."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _err(path, "file not found") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise _err(path, "symbolic link loop (the link points back to itself)") from None
        raise _err(path, f"cannot be read ({e.strerror})") from None
    except RuntimeError:  # pathlib on some versions: "Symlink loop"
        raise _err(path, "symbolic link loop (the link points back to itself)") from None
    if path.is_dir():
        raise _err(path, "is a directory, not a file")
    try:
        with path.open("rb") as f:
            f.read(1)
    except PermissionError:
        raise _err(path, "cannot be read (permission denied)") from None
    except OSError as e:
        raise _err(path, f"cannot be read ({e.strerror})") from None
    if st.st_size == 0:
        raise _err(path, "file is empty (no header row)")
    return path


@dataclass
class Prepared:
    """A UTF-8 CSV DuckDB can read (the original or a temporary transcoded copy)."""

    original: Path
    path: Path
    encoding: str  # what the original was read as: utf-8, cp949, utf-16...
    codec: str  # codec used to explain undecodable lines
    temps: list[Path] = field(default_factory=list)

    def cleanup(self) -> None:
        for t in self.temps:
            t.unlink(missing_ok=True)


BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _tmp(suffix: str = ".csv") -> Path:
    fd, name = tempfile.mkstemp(prefix="crm-reader-", suffix=suffix)
    os.close(fd)
    return Path(name)


def prepare(path: str | Path, encoding: str = "auto") -> Prepared:
    """Check, decompress and (when DuckDB cannot read it) transcode a CSV file to UTF-8."""
    original = check_path(path)
    temps: list[Path] = []
    src = original
    with src.open("rb") as f:
        head = f.read(8)
    name = original.name.lower()
    try:
        if head[:2] == b"\x1f\x8b":
            if not name.endswith(".gz"):
                raise _err(original, "the file is gzip-compressed: name it .csv.gz to have it read, or decompress it")  # fmt: skip
            tmp = _tmp()
            temps.append(tmp)
            try:
                with gzip.open(src, "rb") as g, tmp.open("wb") as out:
                    shutil.copyfileobj(g, out, CHUNK)
            except (OSError, EOFError, gzip.BadGzipFile) as e:
                raise _err(original, f"the gzip file is damaged ({e})") from None
            src = tmp
        elif head[:4] == b"PK\x03\x04":
            if not name.endswith(".zip"):
                what = "a zip archive"
                try:
                    with zipfile.ZipFile(src) as z:
                        if any(n.startswith("xl/") for n in z.namelist()):
                            what = "an Excel workbook (.xlsx): save it as CSV (UTF-8)"
                except zipfile.BadZipFile:
                    pass
                raise _err(original, f"the file is {what}" + ("" if "Excel" in what else ": name it .zip to have its CSV read, or extract it"))  # fmt: skip
            try:
                with zipfile.ZipFile(src) as z:
                    members = [i for i in z.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX")]  # fmt: skip
                    if len(members) != 1:
                        raise _err(original, f"the zip archive holds {len(members)} files: expected exactly one CSV")  # fmt: skip
                    tmp = _tmp()
                    temps.append(tmp)
                    with z.open(members[0]) as m, tmp.open("wb") as out:
                        shutil.copyfileobj(m, out, CHUNK)
            except zipfile.BadZipFile as e:
                raise _err(original, f"the zip archive is damaged ({e})") from None
            src = tmp
        elif head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise _err(original, "the file is an Excel 97-2003 workbook (.xls): save it as CSV (UTF-8)")  # fmt: skip
        elif head[:4] == b"PAR1":
            raise _err(original, "the file is Parquet: name it .parquet")
        if src.stat().st_size == 0:
            raise _err(original, "file is empty (no header row)")
        return _transcode(original, src, encoding, temps)
    except BaseException:
        for t in temps:
            t.unlink(missing_ok=True)
        raise


def _codec(name: str, file) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise _err(file, f"unknown encoding {name!r} (e.g. utf-8, cp949, euc-kr, utf-16)") from None


def _transcode(original: Path, src: Path, encoding: str, temps: list[Path]) -> Prepared:
    with src.open("rb") as f:
        sample = f.read(SNIFF)
    bom = next((enc for b, enc in BOMS if sample.startswith(b)), None)
    declared = None if encoding in ("auto", None) else _codec(encoding, original)
    if bom in ("utf-16", "utf-32"):
        codec = bom  # the byte-order mark decides, whatever was declared
    elif declared in (None, "utf-8", "utf_8", "utf-8-sig", "utf_8_sig", "ascii"):
        if declared is None and not _decodes(sample, "utf-8") and _decodes(sample, "cp949"):
            codec = "cp949"
        else:
            return Prepared(original, src, "utf-8", "utf-8", temps)
    elif declared.startswith("utf_16") or declared.startswith("utf_32"):
        codec = declared.replace("_", "-")
    else:
        codec = declared
    tmp = _tmp()
    temps.append(tmp)
    errors = "surrogateescape" if not codec.startswith("utf-16") and not codec.startswith("utf-32") else "replace"  # fmt: skip
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        if bom not in ("utf-16", "utf-32") and codec in ("utf-16", "utf-32"):
            raise _err(original, f"declared {codec} but the file has no byte-order mark: declare {codec}-le or {codec}-be, or save it as UTF-8")  # fmt: skip
    dec = codecs.getincrementaldecoder(codec)(errors=errors)
    with src.open("rb") as f, tmp.open("wb") as out:
        first = True
        while True:
            b = f.read(CHUNK)
            try:
                text = dec.decode(b, final=not b)
            except UnicodeError as e:
                raise _err(original, f"cannot be read as {codec} ({e})") from None
            if first:
                text = text.lstrip("\ufeff")
                first = False
            out.write(text.encode("utf-8", errors="surrogateescape"))
            if not b:
                break
    return Prepared(original, tmp, codec.replace("_", "-"), codec, temps)


def _decodes(sample: bytes, codec: str) -> bool:
    cut = max(sample.rfind(b"\n"), 0) if len(sample) >= SNIFF else len(sample)
    try:
        sample[: cut or len(sample)].decode(codec)
        return True
    except UnicodeDecodeError:
        return False


def whole_file_decodes(path: Path, codec: str) -> bool:
    dec = codecs.getincrementaldecoder(codec)()
    try:
        with path.open("rb") as f:
            while b := f.read(CHUNK):
                dec.decode(b)
            dec.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False


def read_header(path: Path, delimiter: str) -> tuple[list[str], str]:
    """The header's names (BOM and surrounding spaces removed) and its text."""
    with path.open("rb") as f:
        raw = f.read(SNIFF)
    end = min([i for i in (raw.find(b"\n"), raw.find(b"\r")) if i >= 0], default=len(raw))
    text = raw[:end].decode("utf-8", errors="replace").lstrip("\ufeff")
    names = next(csv.reader([text], delimiter=delimiter), [])
    return [n.strip().lstrip("\ufeff") for n in names], text


# ------------------------------------------------------------------------------------------------
# the structure of a CSV file (for line numbers)


@dataclass
class Structure:
    lines: int  # physical lines (a last line without a newline counts)
    simple: bool  # every record is one line ending in \n or \r\n: line numbers are positions
    blank: list[int]  # line numbers of empty lines
    size: int
    control: bool = True  # a control byte other than \n and \r occurs somewhere
    starts: list[int] = field(default_factory=list)  # line number at each CHUNK's first byte
    trim_free: bool = False  # ASCII only, no space next to a delimiter or a line end: no field
    # has surrounding whitespace (with ``simple``)


def scan_structure(path: Path, quote: str = '"', delimiter: str = ",") -> Structure:
    """Count lines and decide if records map one-to-one to lines, in C-speed passes."""
    q = quote.encode()
    n_nl = n_cr = n_crlf = n_q = 0
    blank: list[int] = []
    size = 0
    last = b""
    prev_tail = b""
    control = False
    trim_free = True
    starts: list[int] = []
    d = delimiter.encode()
    spaced = (d + b" ", b" " + d, b" \n", b"\n ", b" \r")
    with path.open("rb") as f:
        while b := f.read(CHUNK):
            starts.append(n_nl + 1)
            size += len(b)
            control = control or bool(b.translate(None, NOT_CONTROL))
            if trim_free:
                edge = prev_tail + b[:1]
                trim_free = not b.translate(None, ASCII) and not any(p in edge for p in spaced)
                if trim_free:  # a space next to a delimiter or a line end (one vector pass)
                    a = np.frombuffer(b, dtype=np.uint8)
                    sp = np.flatnonzero(a == 32)
                    near = np.concatenate([a[sp[sp > 0] - 1], a[sp[sp < len(a) - 1] + 1]])
                    trim_free = not np.isin(near, np.frombuffer(d + b"\n\r", dtype=np.uint8)).any()  # fmt: skip
            n_nl += b.count(b"\n")
            cr = b.count(b"\r")
            n_cr += cr
            n_crlf += (b.count(b"\r\n") if cr else 0) + (prev_tail == b"\r" and b[:1] == b"\n")
            n_q += b.count(q) if q else 0
            if len(blank) <= 1000:
                buf = prev_tail + b
                base = size - len(b) - len(prev_tail)
                for pat in (b"\n\n", b"\n\r\n"):
                    i = buf.find(pat)
                    while i >= 0 and len(blank) <= 1000:
                        blank.append(base + i + 1)  # byte offset of the blank line
                        i = buf.find(pat, i + 1)
            prev_tail = b[-1:]
            last = b[-1:]
    lines = n_nl + (1 if last not in (b"\n", b"") else 0)
    simple = n_q == 0 and n_cr == n_crlf and len(blank) <= 1000
    blank_lines: list[int] = []
    if blank and simple:
        offsets = sorted(set(blank))
        with path.open("rb") as f:  # line number of each blank line's offset
            pos, count, k = 0, 0, 0
            while k < len(offsets) and (b := f.read(CHUNK)):
                while k < len(offsets) and offsets[k] < pos + len(b):
                    count_here = count + b.count(b"\n", 0, offsets[k] - pos)
                    blank_lines.append(count_here + 1)
                    k += 1
                count += b.count(b"\n")
                pos += len(b)
    if size and trim_free:
        with path.open("rb") as f:
            trim_free = f.read(1) != b" "
    return Structure(lines, simple, blank_lines, size, control, starts, trim_free and last != b" ")


def line_of_rows(n_rows: int, skipped: np.ndarray) -> np.ndarray:
    """File line of each parsed row when every record is one line: lines 2.. in order, without
    the ``skipped`` lines (blank or rejected)."""
    s = np.unique(np.asarray(skipped, dtype="int64"))
    s = s[s >= 2]
    k = np.arange(n_rows, dtype="int64")
    return k + 2 + np.searchsorted(s - np.arange(len(s)) - 2, k, side="right")


def read_line_at(path: Path, offset: int, limit: int = EXPLAIN_BYTES) -> tuple[bytes, bool]:
    """The bytes of the line starting at ``offset`` (at most ``limit``) and whether it was cut."""
    with path.open("rb") as f:
        f.seek(offset)
        b = f.read(limit + 1)
    end = min([i for i in (b.find(b"\n"), b.find(b"\r")) if i >= 0], default=-1)
    if end >= 0:
        return b[:end], False
    return b[:limit], len(b) > limit


def lines_by_number(path: Path, wanted: list[int], starts: list[int] | None = None) -> dict[int, bytes]:  # fmt: skip
    """The bytes of the given (physical, 1-based, ``\\n``-terminated) lines, in one pass
    (with ``starts`` from :func:`scan_structure`: reading only the chunks that hold them)."""
    wanted = sorted(set(wanted))
    out: dict[int, bytes] = {}
    if not wanted:
        return out
    if starts:
        by_chunk: dict[int, list[int]] = {}
        for ln in wanted:
            by_chunk.setdefault(max(bisect.bisect_left(starts, ln) - 1, 0), []).append(ln)
        with path.open("rb") as f:
            for c, lns in by_chunk.items():
                f.seek(c * CHUNK)
                b = f.read(CHUNK + EXPLAIN_BYTES + 2)
                nl = np.flatnonzero(np.frombuffer(b, dtype=np.uint8) == 10)
                for ln in lns:
                    k = ln - starts[c]  # newlines of this chunk before the line
                    if k > len(nl):
                        continue
                    begin = int(nl[k - 1]) + 1 if k > 0 else 0
                    end = int(nl[k]) if k < len(nl) else len(b)
                    if begin >= len(b) and end == len(b):
                        continue
                    out[ln] = b[begin : min(end, begin + EXPLAIN_BYTES)].rstrip(b"\r")
        return out
    k = 0
    line = 1  # line number at the start of the buffer
    carry = b""
    with path.open("rb") as f:
        while k < len(wanted):
            b = f.read(CHUNK)
            if not b:
                if carry and wanted[k] == line:
                    out[line] = carry[:EXPLAIN_BYTES].rstrip(b"\r")
                break
            buf = carry + b
            n = buf.count(b"\n")
            if wanted[k] >= line + n:  # not in this buffer's complete lines
                cut = buf.rfind(b"\n") + 1
                carry = buf[cut:][-EXPLAIN_BYTES * 4 :] if cut else buf[-EXPLAIN_BYTES * 4 :]
                line += n
                continue
            parts = buf.split(b"\n")
            for i, p in enumerate(parts[:-1]):
                while k < len(wanted) and wanted[k] == line + i:
                    out[wanted[k]] = p[:EXPLAIN_BYTES].rstrip(b"\r")
                    k += 1
            line += n
            carry = parts[-1]
    return out


# ------------------------------------------------------------------------------------------------
# explaining rejected lines (the Python line parser)


def explain_line(raw: bytes, *, n_fields: int, delimiter: str, codec: str, cut: bool) -> str | None:
    """Why a line cannot be a row (None: it is blank and not a row at all)."""
    if not raw.strip():
        return None
    shown = codec.replace("-sig", "").replace("_", "-").upper()
    try:
        s = raw.decode("utf-8")
        if max(s, default=" ") >= "\udc80" and any("\udc80" <= ch <= "\udcff" for ch in s):
            raise UnicodeDecodeError("utf-8", raw, 0, 1, "surrogate")
    except UnicodeDecodeError as e:
        pos = e.start
        try:  # a transcoded file: find the first escaped byte
            t = raw.decode("utf-8", errors="surrogateescape")
            pos = next((i for i, ch in enumerate(t) if "\udc80" <= ch <= "\udcff"), e.start)
        except UnicodeDecodeError:
            pass
        return f"invalid encoding: byte {pos} is not {shown}"
    if cut:
        return f"line longer than {EXPLAIN_BYTES:,} bytes without an end (a giant field or an unterminated quote)"  # fmt: skip
    try:
        fields = next(csv.reader([s], delimiter=delimiter, strict=True))
    except csv.Error as e:
        return f"malformed quoting ({e})"
    except StopIteration:
        return None
    if len(fields) != n_fields:
        return f"expected {n_fields} fields, found {len(fields)}"
    return None


# ------------------------------------------------------------------------------------------------
# the checks in SQL


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _fmt_regex(fmt: str) -> str | None:
    """A regular expression for the fixed-width ISO formats (cheap exact check before CAST)."""
    if fmt == "%Y-%m-%d %H:%M:%S":
        return r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
    if fmt == "%Y-%m-%d":
        return r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    return None


def _clean_ends(r: str) -> str:
    """First and last characters printable ASCII, not a space: ``trim`` leaves the value as is
    and it is not empty."""
    return f"ascii({r}) BETWEEN 33 AND 126 AND ascii(right({r}, 1)) BETWEEN 33 AND 126"


def fast_ok_sql(c, r: str, *, as_of: pd.Timestamp, fx: float, max_chars: int, ctrl: str | None, trim_free: bool = False) -> str:  # fmt: skip
    """A cheap test on the raw value ``r`` that implies the exact decision accepts it (never the
    reverse: a value it does not pass goes to the exact test). No trim, no strict grammar: plain
    digits, clean ends, the engine's casts. ``ctrl``: the control-character class to test (None
    when the file holds no control byte). ``trim_free``: the file is ASCII without control bytes
    and no value has surrounding spaces (trim is a no-op). False when ``r`` is NULL."""
    ends = f"{r} <> ''" if trim_free else _clean_ends(r)
    if c.kind == "str":
        parts = [f"strlen({r}) <= {int(max_chars)}"]
        if c.required or c.pattern:
            parts.append(ends)
        if ctrl is not None:
            parts.append(f"NOT regexp_matches({r}, {_lit(ctrl)})")
        if c.pattern:
            parts.append(f"regexp_matches({r}, {_lit(c.pattern)})")
        return "coalesce(" + " AND ".join(parts) + ", false)"
    if c.kind in ("int", "float"):
        xv = f"TRY_CAST({r} AS DOUBLE)"
        if fx != 1.0:
            xv = f"round({xv} * {float(fx)!r})"
        if trim_free:  # a digit first, no underscore: the engine's cast is the strict grammar
            parts = [f"ascii({r}) BETWEEN 48 AND 57 AND NOT contains({r}, '_')"]
        else:
            parts = [f"regexp_full_match({r}, '[0-9]+(\\.[0-9]*)?')"]
        if c.min is not None:
            parts.append(f"{xv} >= {float(c.min)!r}")
        if c.max is not None:
            parts.append(f"{xv} <= {float(c.max)!r}")
        parts.append(f"isfinite({xv})")
        if c.kind == "int":
            parts.append(f"{xv} = floor({xv}) AND {xv} < 9.2e18")
        return "coalesce(" + " AND ".join(parts) + ", false)"
    if c.kind in ("datetime", "date"):
        fmt = c.fmt or TS_DEFAULT
        if fmt == "%Y-%m-%d %H:%M:%S":
            dv = f"TRY_CAST({r} AS TIMESTAMP)"
            shape = f"strlen({r}) = 19 AND {r} LIKE '____-__-__ __:__:__' AND "
        elif fmt == "%Y-%m-%d":
            dv = f"TRY_CAST({r} AS TIMESTAMP)"
            shape = f"strlen({r}) = 10 AND {r} LIKE '____-__-__' AND "
        else:
            dv = f"TRY_STRPTIME({r}, {_lit(fmt)})"
            shape = ""
        cond = f"{dv} <= TIMESTAMP {_lit(f'{as_of:%Y-%m-%d %H:%M:%S}')}" if c.not_future else f"{dv} IS NOT NULL"  # fmt: skip
        return f"coalesce({shape}{ends} AND {cond}, false)"
    return f"coalesce({r} IN ('1', 'Y', 'TRUE', '0', 'N', 'FALSE'), false)"


def column_sql(c, *, as_of: pd.Timestamp, fx: float, max_chars: int, present_in_file: bool, no_ctrl: bool = False, trim_free: bool = False) -> dict:  # fmt: skip
    """SQL pieces for one contract column reading the raw text column ``r_<name>``, in layers so
    that every expression is computed once: ``l1`` (trimmed text), ``l2`` (parsed value and
    tests), then the value (``v``), the parse code (``p``, 0 = parsed), the check code (``k``)
    and the value as shown in a reason (``shown``), over the ``l2`` names."""
    x = c.name
    r, t = _q("r_" + x), _q("t_" + x)
    pr, lg, cc, nm, nf, d, u = (_q(f"{k}_{x}") for k in ("pr", "lg", "cc", "nm", "nf", "d", "u"))
    l1 = [(f"t_{x}", f"trim({r})")]
    ctrl = r"[\x00-\x1f\x7f]" if c.kind == "str" and x not in ID_LIKE_TEXT else r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # fmt: skip
    l2 = [(f"pr_{x}", f"coalesce({t} <> '', false)")]
    p_common = ""
    if c.kind == "str":  # a number or a date with a control character or 10,000 digits is not one
        l2 += [(f"lg_{x}", f"coalesce(length({r}) > {int(max_chars)}, false)"),
               (f"cc_{x}", f"coalesce(regexp_matches({r}, {_lit(ctrl)}), false)")]  # fmt: skip
        p_common = f"WHEN {lg} THEN {P_LONG} WHEN {cc} THEN {P_CONTROL}"
    checks: list[str] = []
    if c.kind == "str":
        v = f"CASE WHEN {pr} THEN {t} END"
        p = f"CASE {p_common} ELSE 0 END" if p_common else "0"
        if c.pattern:
            checks.append(f"WHEN {pr} AND NOT regexp_matches({t}, {_lit(c.pattern)}) THEN {C_PATTERN}")  # fmt: skip
        shown = t
    elif c.kind in ("int", "float"):
        num = f"(CASE WHEN regexp_matches({t}, {_lit(NUM_RE)}) THEN TRY_CAST({t} AS DOUBLE) END)"
        l2.append((f"nm_{x}", f"round({num} * {float(fx)!r})" if fx != 1.0 else num))
        l2.append((f"nf_{x}", f"coalesce(regexp_matches({t}, {_lit(NONFINITE_RE)}), false)"))
        p_int = ""
        if c.kind == "int":
            p_int = f"WHEN {nm} <> floor({nm}) THEN {P_INTEGER} WHEN abs({nm}) >= 9.2e18 THEN {P_INTRANGE}"  # fmt: skip
        p = (f"CASE {p_common} WHEN NOT {pr} THEN 0 WHEN {nf} THEN {P_FINITE} "
             f"WHEN {nm} IS NULL THEN {P_NUMBER} WHEN isinf({nm}) THEN {P_FINITE} {p_int} ELSE 0 END")  # fmt: skip
        v = f"CASE WHEN {pr} AND isfinite({nm}) THEN {nm} END"
        if c.kind == "int":
            v = f"CASE WHEN {pr} AND isfinite({nm}) AND abs({nm}) < 9.2e18 THEN CAST({nm} AS BIGINT) END"  # fmt: skip
        if c.min is not None:
            checks.append(f"WHEN {nm} < {float(c.min)!r} THEN {C_MIN}")
        if c.max is not None:
            checks.append(f"WHEN {nm} > {float(c.max)!r} THEN {C_MAX}")
        shown = t
        if fx != 1.0:
            shown = (f"CASE WHEN {nm} = floor({nm}) AND abs({nm}) < 1e15 THEN CAST(CAST({nm} AS BIGINT) AS VARCHAR) "
                     f"ELSE CAST({nm} AS VARCHAR) END")  # fmt: skip
    elif c.kind in ("datetime", "date"):
        fmt = c.fmt or TS_DEFAULT
        rx = _fmt_regex(fmt)
        if fmt == "%Y-%m-%d %H:%M:%S":
            l2.append((f"d_{x}", f"(CASE WHEN strlen({t}) = 19 AND substr({t}, 11, 1) = ' ' AND substr({t}, 5, 1) = '-' THEN TRY_CAST({t} AS TIMESTAMP) END)"))  # fmt: skip
        elif rx:
            l2.append((f"d_{x}", f"(CASE WHEN strlen({t}) = 10 AND substr({t}, 5, 1) = '-' THEN TRY_CAST({t} AS TIMESTAMP) END)"))  # fmt: skip
        else:
            l2.append((f"d_{x}", f"TRY_STRPTIME({t}, {_lit(fmt)})"))
        v = f"CASE WHEN {pr} THEN {d} END"
        p = f"CASE {p_common} WHEN {pr} AND {d} IS NULL THEN {P_DATE} ELSE 0 END"
        if c.not_future:
            checks.append(f"WHEN {d} > TIMESTAMP {_lit(f'{as_of:%Y-%m-%d %H:%M:%S}')} THEN {C_FUTURE}")  # fmt: skip
        shown = f"strftime({d}, '%Y-%m-%d %H:%M:%S')"
    else:  # flag
        l2.append((f"u_{x}", f"upper({t})"))
        v = (f"CASE WHEN {u} IN ('1', 'Y', 'TRUE') THEN true "
             f"WHEN {u} IN ('0', 'N', 'FALSE') THEN false END")  # fmt: skip
        p = f"CASE {p_common} WHEN {pr} AND {u} NOT IN ('1', 'Y', 'TRUE', '0', 'N', 'FALSE') THEN {P_FLAG} ELSE 0 END"  # fmt: skip
        shown = t
    # the same decision without CASE (so DuckDB shares common subexpressions): is the row bad?
    rt = r
    tt = f"trim({rt})"
    prb = f"coalesce({tt} <> '', false)"
    if c.kind == "str":
        okb = f"NOT (coalesce(length({rt}) > {int(max_chars)}, false) OR coalesce(regexp_matches({rt}, {_lit(ctrl)}), false))"  # fmt: skip
        if c.pattern:
            okb += f" AND (NOT {prb} OR coalesce(regexp_matches({tt}, {_lit(c.pattern)}), false))"
    elif c.kind in ("int", "float"):
        xv = f"TRY_CAST({tt} AS DOUBLE)"
        if fx != 1.0:
            xv = f"round({xv} * {float(fx)!r})"
        lo = float(c.min) if c.min is not None else None
        hi = float(c.max) if c.max is not None else None
        rng = (f"{xv} BETWEEN {lo!r} AND {hi!r}" if lo is not None and hi is not None
               else f"{xv} >= {lo!r} AND isfinite({xv})" if lo is not None
               else f"{xv} <= {hi!r} AND isfinite({xv})" if hi is not None else f"isfinite({xv})")  # fmt: skip
        if c.kind == "int":
            rng += f" AND {xv} = floor({xv}) AND abs({xv}) < 9.2e18"
        okb = f"NOT {prb} OR (translate({tt}, '0123456789.eE+-', '') = '' AND regexp_matches({tt}, {_lit(NUM_RE)}) AND coalesce({rng}, false))"  # fmt: skip
    elif c.kind in ("datetime", "date"):
        fmt = c.fmt or TS_DEFAULT
        rx = _fmt_regex(fmt)
        dv = f"TRY_CAST({tt} AS TIMESTAMP)" if rx else f"TRY_STRPTIME({tt}, {_lit(fmt)})"
        cond = f"{dv} <= TIMESTAMP {_lit(f'{as_of:%Y-%m-%d %H:%M:%S}')}" if c.not_future else f"{dv} IS NOT NULL"  # fmt: skip
        shape = ""
        if fmt == "%Y-%m-%d %H:%M:%S":  # cheap exact shape, then the engine's ISO cast
            shape = f"strlen({tt}) = 19 AND substr({tt}, 11, 1) = ' ' AND substr({tt}, 5, 1) = '-' AND "  # fmt: skip
        elif fmt == "%Y-%m-%d":
            shape = f"strlen({tt}) = 10 AND substr({tt}, 5, 1) = '-' AND "
        okb = f"NOT {prb} OR ({shape}coalesce({cond}, false))"
    else:
        okb = f"NOT {prb} OR coalesce(upper({tt}) IN ('1', 'Y', 'TRUE', '0', 'N', 'FALSE'), false)"
    if c.required and present_in_file:
        okb = f"({okb}) AND {prb}"
    bad = f"NOT ({okb})"
    fast = fast_ok_sql(
        c,
        r,
        as_of=as_of,
        fx=fx,
        max_chars=max_chars,
        ctrl=None if no_ctrl else ctrl,
        trim_free=trim_free,
    )
    fast = fast if c.required and present_in_file else f"({r} IS NULL OR {fast})"
    if c.required and present_in_file:
        checks.insert(0, f"WHEN NOT {pr} THEN {C_MISSING}")
    k = f"CASE {' '.join(checks)} ELSE 0 END" if checks else "0"
    return {"l1": l1, "l2": l2, "v": v, "p": f"coalesce({p}, 0)", "k": f"coalesce({k}, 0)",
            "shown": shown, "t": t, "bad": bad, "fast": fast}  # fmt: skip


# ------------------------------------------------------------------------------------------------
# validating a relation of raw text rows


@dataclass
class Outcome:
    """What the reader found: counts, quarantine (with reasons), and the accepted rows' lines."""

    rows_in: int
    n_rows: int  # rows DuckDB parsed (accepted + quarantined by the checks)
    quarantine: pd.DataFrame
    bad_ordinals: np.ndarray  # ordinals (0-based, in parse order) of parsed rows quarantined
    lines: np.ndarray | None  # file line per parsed row (None: not computed)
    encoding: str


def _record(values: dict) -> str:
    out = {}
    for k, x in values.items():
        if isinstance(x, float) and not np.isfinite(x):
            x = str(x)
        if isinstance(x, str) and len(x) > 200:
            x = x[:200] + f"… ({len(x):,} characters)"
        out[k] = x
    return json.dumps(out, ensure_ascii=False, default=str)


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def _what(c) -> str:
    if c.kind == "int":
        return "an integer"
    if c.kind == "float":
        return "a number"
    if c.kind in ("datetime", "date"):
        return f"a {'date' if c.kind == 'date' else 'date-time'} in format {c.fmt}"
    return "a flag (0/1 or Y/N)"


def reason_for(c, code: int, raw, shown, *, as_of: pd.Timestamp, max_chars: int) -> str:
    """The wording of one failure (same words as the pandas validator had)."""
    if code == P_LONG:
        return f"{c.name}: value of {len(raw):,} characters is longer than the limit of {max_chars:,}"  # fmt: skip
    if code == P_CONTROL:
        ch = next((ch for ch in raw if ord(ch) < 32 or ord(ch) == 127), "\x00")
        return f"{c.name}: {raw!r} contains a control character (U+{ord(ch):04X})"
    if code == P_FINITE:
        return f"{c.name}: {raw!r} is not a finite number"
    if code == P_INTRANGE:
        return f"{c.name}: {raw!r} is too large for a whole number"
    if isinstance(raw, str) and len(raw) > 200:
        raw = raw[:200] + f"… ({len(raw):,} characters)"
    if code in (P_NUMBER, P_DATE, P_FLAG, P_INTEGER):
        return f"{c.name}: {raw!r} is not {_what(c)}"
    if code == C_MISSING:
        return f"{c.name}: required value is missing"
    if code == C_MIN:
        return f"{c.name}: {shown} is below the minimum {_num(c.min)}"
    if code == C_MAX:
        return f"{c.name}: {shown} is above the maximum {_num(c.max)}"
    if code == C_FUTURE:
        return f"{c.name}: {shown} is after the as-of date {as_of:%Y-%m-%d %H:%M}"
    if code == C_PATTERN:
        return f"{c.name}: {shown!r} does not match {c.pattern}"
    return f"{c.name}: invalid value"


class Checker:
    """The SQL of a contract over a relation with raw text columns ``r_<name>``."""

    def __init__(self, contract, *, as_of, fx=1.0, max_chars=MAX_FIELD_CHARS, present=None, no_ctrl=False, trim_free=False):  # fmt: skip
        self.contract = contract
        self.as_of = pd.Timestamp(as_of)
        self.fx = fx
        self.max_chars = max_chars
        self.present = set(present if present is not None else contract.names)
        self.cols = {
            c.name: column_sql(c, as_of=self.as_of, fx=fx if c.name in ("amount", "unit_price_krw") else 1.0,  # fmt: skip
                               max_chars=max_chars, present_in_file=c.name in self.present, no_ctrl=no_ctrl, trim_free=trim_free)
            for c in contract.columns
        }  # fmt: skip
        self.trim_free = trim_free
        key = contract.key
        self.keyed = bool(key and key in self.present)

    def layered(self, rel: str) -> str:
        """The relation with every column's parsed values and codes (``p_``, ``k_``, ``v_``,
        ``s_`` per column), each expression computed once."""
        l1 = ", ".join(f"{e} AS {_q(n)}" for s in self.cols.values() for n, e in s["l1"])
        l2 = ", ".join(f"{e} AS {_q(n)}" for s in self.cols.values() for n, e in s["l2"])
        l3 = ", ".join(
            f"{s['p']} AS {_q('p_' + n)}, {s['k']} AS {_q('k_' + n)}, {s['v']} AS {_q('v_' + n)}, "
            f"{s['shown']} AS {_q('s_' + n)}"
            for n, s in self.cols.items()
        )
        return f"(SELECT *, {l3} FROM (SELECT *, {l2} FROM (SELECT *, {l1} FROM {rel})))"

    def flags_sql(self, rel: str, extra: str = "") -> str:
        """Per row: ``__bad`` (any failure), ``__dh`` (64-bit duplicate hash) and, for bad rows
        only, the raw values (their codes are computed afterwards on those few rows)."""
        names = self.contract.names
        raw = ", ".join(_q("r_" + n) for n in names)
        if self.keyed:
            k = _q("r_" + self.contract.key)
            kt = f"trim({k})"
            dh = f"CASE WHEN {kt} <> '' THEN hash({kt}) ELSE xor(hash({raw}), 1::UBIGINT) END"
            # a key with clean ends is its own trim: hash it as it is
            ends = f"{k} <> ''" if self.trim_free else _clean_ends(k)
            dh = f"CASE WHEN {ends} THEN hash({k}) ELSE {dh} END"
        else:
            dh = f"hash({raw})"
        badf = " OR ".join(f"({s['bad']})" for s in self.cols.values())
        # the cheap test first; the exact decision only for the rows it does not pass
        fast = " AND ".join(f"({s['fast']})" for s in self.cols.values())
        per = ", ".join(f"CASE WHEN __bad THEN {_q('r_' + n)} END AS {_q('r_' + n)}" for n in names)
        return (f"SELECT __bad, {dh} AS __dh, {per}{extra} FROM "
                f"(SELECT *, CASE WHEN {fast} THEN false ELSE ({badf}) END AS __bad FROM {rel})")  # fmt: skip

    def details(self, con, rows: pd.DataFrame) -> pd.DataFrame:
        """Codes and shown values of the bad rows (``__ord`` + raw ``r_`` columns)."""
        con.register("bad_rows", rows)
        names = self.contract.names
        cols = ", ".join(f"{_q(x + n)}" for n in names for x in ("p_", "k_", "s_"))
        out = con.execute(
            f"SELECT __ord, {cols} FROM {self.layered('bad_rows')} ORDER BY __ord"
        ).df()
        con.unregister("bad_rows")
        return out

    def typed_sql(self) -> str:
        return ", ".join(f"{_q('v_' + n)} AS {_q(n)}" for n in self.cols)

    def reasons(self, row: dict) -> list[tuple[str | None, str]]:
        """Reasons of one bad row from its codes: parse failures, else check failures."""
        out = []
        parse = [c for c in self.contract.columns if row.get("p_" + c.name)]
        use = parse if parse else [c for c in self.contract.columns if row.get("k_" + c.name)]
        for c in use:
            code = row["p_" + c.name] if parse else row["k_" + c.name]
            out.append((c.name, reason_for(c, int(code), row.get("r_" + c.name), row.get("s_" + c.name),
                                           as_of=self.as_of, max_chars=self.max_chars)))  # fmt: skip
        return out


def _stream(con, sql: str, params=None):
    rel = con.execute(sql, params or [])
    reader = rel.fetch_record_batch(1_000_000)
    yield from reader


def run_checks(con, rel: str, checker: Checker, *, with_line: bool) -> tuple[np.ndarray, list[dict], int]:  # fmt: skip
    """First pass, all in the engine: a temporary table of the bad flag, the duplicate hash and
    (bad rows only) the raw values, in parse order (its ``rowid`` is the ordinal). Returns the
    ordinals of duplicate candidates (rows whose hash occurs more than once), the bad rows with
    their codes, and the number of rows."""
    extra = ", __line" if with_line else ""
    sql = checker.flags_sql(rel, extra)
    tbl = f"chk_{next(_seq)}"
    con.execute(f"CREATE TEMP TABLE {tbl} AS {sql}")
    try:
        n = con.execute(f"SELECT count(*) FROM {tbl}").fetchone()[0]
        names = checker.contract.names
        cols = ", ".join(_q("r_" + x) for x in names) + extra
        bad = con.execute(f"SELECT rowid AS __ord, {cols} FROM {tbl} WHERE __bad ORDER BY rowid").df()  # fmt: skip
        cand = con.execute(
            f"SELECT rowid FROM {tbl} WHERE __dh IN "
            f"(SELECT __dh FROM {tbl} GROUP BY __dh HAVING count(*) > 1) ORDER BY rowid"
        ).fetchnumpy()["rowid"]
    finally:
        con.execute(f"DROP TABLE IF EXISTS {tbl}")
    cand = np.asarray(cand, dtype="int64")
    rows: list[dict] = []
    if len(bad):
        frame = pd.DataFrame({"__ord": bad["__ord"].astype("int64")} | {"r_" + x: bad["r_" + x].astype(object).where(bad["r_" + x].notna(), None) for x in names})  # fmt: skip
        det = checker.details(con, frame).to_dict("records")
        for r, d in zip(bad.to_dict("records"), det, strict=True):
            r = {k: (None if isinstance(x, float) and np.isnan(x) else x) for k, x in r.items()}
            r["__ord"] = int(r["__ord"])
            r.update({k: (None if isinstance(x, float) and np.isnan(x) else x) for k, x in d.items() if k != "__ord"})  # fmt: skip
            rows.append(r)
    return cand, rows, n


def duplicate_candidates(dh: np.ndarray) -> np.ndarray:
    """Ordinals of rows whose hash occurs more than once (a sort, no hash table)."""
    if len(dh) < 2:
        return np.empty(0, dtype="int64")
    s = np.sort(dh)
    dupvals = np.unique(s[1:][s[1:] == s[:-1]])
    if not len(dupvals):
        return np.empty(0, dtype="int64")
    pos = np.searchsorted(dupvals, dh).clip(max=len(dupvals) - 1)
    return np.flatnonzero(dupvals[pos] == dh)


def resolve_duplicates(rows: pd.DataFrame, contract) -> dict[int, list[tuple[str | None, str]]]:
    """Exact duplicate rows and keys among candidate rows (``line`` + raw names, in file
    order): reasons by ``line`` for every row after the first occurrence."""
    out: dict[int, list] = {}
    if rows.empty:
        return out
    rows = rows.sort_values("line", kind="stable").reset_index(drop=True)
    names = contract.names
    dup = rows.duplicated(subset=names, keep="first")
    first = rows.groupby(names, dropna=False, sort=False)["line"].transform("first")
    for i in np.flatnonzero(dup.to_numpy()):
        out.setdefault(int(rows["line"].iloc[i]), []).append((None, f"duplicate row (same as row {first.iloc[i]})"))  # fmt: skip
    if contract.key:
        k = rows[contract.key].astype("string").str.strip()
        k = k.where(k != "")
        kdup = k.notna() & k.duplicated(keep="first") & ~dup
        for i in np.flatnonzero(kdup.to_numpy()):
            raw = rows[contract.key].iloc[i]
            out.setdefault(int(rows["line"].iloc[i]), []).append((contract.key, f"{contract.key}: duplicate key {raw!r}"))  # fmt: skip
    return out


def neutralise(s: pd.Series) -> pd.Series:
    """Text a spreadsheet would execute (starting with = + - @) prefixed with an apostrophe."""
    s = s.astype("string")
    bad = s.str.match(r"^[=+\-@]", na=False)
    return s.where(~bad, "'" + s)


def neutralise_sql(expr: str) -> str:
    return f"CASE WHEN regexp_matches({expr}, '^[=+\\-@]') THEN '''' || {expr} ELSE {expr} END"


def quarantine_frame(rows: list[dict]) -> pd.DataFrame:
    from crm_research.data.validate import QUARANTINE_COLUMNS

    q = pd.DataFrame(rows, columns=QUARANTINE_COLUMNS)
    q["line"] = q["line"].astype("int64")
    return q.sort_values("line", kind="stable").reset_index(drop=True)


def chunks(it, n):
    it = iter(it)
    while batch := list(itertools.islice(it, n)):
        yield batch


__all__ = [
    "MAX_FIELD_CHARS",
    "Checker",
    "Prepared",
    "check_path",
    "duplicate_candidates",
    "explain_line",
    "io",
    "line_of_rows",
    "neutralise",
    "prepare",
    "read_header",
    "resolve_duplicates",
    "scan_structure",
]


# ------------------------------------------------------------------------------------------------
# the orchestration


@dataclass
class Result:
    """One validated source: counts, quarantine, accepted rows (typed frame, if asked for)."""

    rows_in: int
    accepted: pd.DataFrame | None
    n_accepted: int
    quarantine: pd.DataFrame
    encoding: str
    present: list[str]


_seq = itertools.count()


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:  # inside Jupyter without ipywidgets DuckDB refuses to touch the setting
        pass
    return con


def normalize(prep: Prepared, *, delimiter: str, n_fields: int, max_chars: int, table: str, file: str):  # fmt: skip
    """Python's csv module splits records (quoted newlines, lone carriage returns): a temporary
    CSV with each record's first line number in front, and the quarantine of records that are
    not rows (wrong field count, undecodable bytes, a field over csv's limit)."""
    tmp = _tmp()
    prep.temps.append(tmp)
    bad = []
    limit = max(max_chars * 4, 1 << 17)
    old = csv.field_size_limit(limit)
    n_in = 0
    try:
        with prep.path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as f, tmp.open("w", encoding="utf-8", errors="surrogateescape", newline="") as out:  # fmt: skip
            w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
            w.writerow(["__line", *[f"c{i}" for i in range(n_fields)]])
            r = csv.reader(f, delimiter=delimiter)
            try:
                next(r)
            except (StopIteration, csv.Error):
                return tmp, bad, 0
            last = r.line_num
            while True:
                try:
                    fields = next(r)
                except StopIteration:
                    break
                except csv.Error as e:
                    n_in += 1
                    bad.append({"table": table, "file": file, "line": last + 1, "column": None,
                                "reason": f"malformed record: {e}", "record": ""})  # fmt: skip
                    last = r.line_num
                    continue
                start, last = last + 1, r.line_num
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                n_in += 1
                text = delimiter.join(fields)
                if any("\udc80" <= ch <= "\udcff" for ch in text):
                    pos = next(i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff")
                    shown = prep.codec.replace("-sig", "").replace("_", "-").upper()
                    bad.append({"table": table, "file": file, "line": start, "column": None,
                                "reason": f"invalid encoding: byte {pos} is not {shown}",
                                "record": repr(text.encode("utf-8", "surrogateescape")[:200])})  # fmt: skip
                    continue
                if len(fields) != n_fields:
                    bad.append({"table": table, "file": file, "line": start, "column": None,
                                "reason": f"expected {n_fields} fields, found {len(fields)}", "record": text[:500]})  # fmt: skip
                    continue
                w.writerow([start, *fields])
    finally:
        csv.field_size_limit(old)
    return tmp, bad, n_in


def _long_lines(path: Path, max_bytes: int) -> list[tuple[int, int]]:
    """(line number, byte offset) of every line longer than ``max_bytes`` (numpy pass)."""
    out = []
    line, pos, start = 1, 0, 0
    with path.open("rb") as f:
        while b := f.read(CHUNK):
            nl = np.flatnonzero(np.frombuffer(b, dtype=np.uint8) == 10) + pos
            ends = np.concatenate([[start - 1], nl])
            lens = np.diff(ends) - 1
            for j in np.flatnonzero(lens > max_bytes):
                out.append((line + int(j), int(ends[j] + 1)))
            if len(nl):
                line += len(nl)
                start = int(nl[-1]) + 1
            pos += len(b)
    if pos - start > max_bytes:
        out.append((line, start))
    return out


def validate_source(source, contract, **kw) -> Result:
    """Read and check one source (``kind``: csv path, parquet path, or a frame of text rows
    with ``line``); see :func:`_validate_source`. A CSV file the engine's fast path cannot take
    (mixed line ends, a parser fault) is read again through Python's record splitter; what
    still fails is an :class:`InputFileError` naming the file, never a traceback."""
    file = kw["file"]
    try:
        return _validate_source(source, contract, **kw)
    except (duckdb.Error, IndexError) as e:
        if kw.get("kind", "csv") != "csv":
            raise _err(file, f"could not be read ({str(e).splitlines()[0][:200]})") from None
    try:
        return _validate_source(source, contract, force_slow=True, **kw)
    except (duckdb.Error, IndexError) as e:
        raise _err(file, f"could not be parsed as CSV ({str(e).splitlines()[0][:200]})") from None


def _validate_source(
    source,
    contract,
    *,
    force_slow: bool = False,
    as_of,
    file: str,
    kind: str = "csv",
    encoding: str = "auto",
    delimiter: str = ",",
    columns: dict[str, str] | None = None,
    fx: float = 1.0,
    max_chars: int = MAX_FIELD_CHARS,
    want_rows: bool = True,
    stage_to: Path | None = None,
    mapping_hint: bool = False,
) -> Result:
    """Read and check one source (``kind``: csv path, parquet path, or a frame of text rows
    with ``line``). ``stage_to``: write accepted rows (contract names, standard formats,
    neutralised text) to this CSV file."""
    from crm_research.data.validate import check_header, for_header

    columns = columns or {}
    con = _connect()
    prep = None
    tag = next(_seq)
    try:
        prior: list[dict] = []
        rejects_lines: list[int] = []
        enc = "utf-8"
        codec = "utf-8"
        if kind == "frame":
            df = source
            names = [c for c in df.columns if c != "line"]
            mapped = contract.canonical(names)
            con.register("frame_src", df)
            sel = ["CAST(line AS BIGINT) AS __line"]
            idx = {n: names[i] for i, n in reversed(list(enumerate(mapped)))}
            with_line = True
            src_cols = lambda n: f"NULLIF(CAST({_q(idx[n])} AS VARCHAR), '')"  # noqa: E731
            base = "frame_src"
            enc = "frame"
        elif kind == "parquet":
            path = check_path(source)
            desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(str(path))})").fetchall()
            names = [d[0] for d in desc]
            types = {d[0]: d[1] for d in desc}
            mapped = contract.canonical([columns.get(n, n) for n in names])
            check_header(file, contract, mapped, "")
            idx = {n: names[i] for i, n in reversed(list(enumerate(mapped)))}
            fmts = {c.name: c.fmt or TS_DEFAULT for c in contract.columns}

            def src_cols(n):
                col = _q(idx[n])
                if "TIMESTAMP" in types[idx[n]] or types[idx[n]] == "DATE":
                    return f"strftime({col}, {_lit(fmts[n])})"
                return f"NULLIF(CAST({col} AS VARCHAR), '')"

            sel = ["CAST(file_row_number + 2 AS BIGINT) AS __line"]
            base = f"read_parquet({_lit(str(path))}, file_row_number = true)"
            with_line = True
            enc = "parquet"
        else:
            prep = prepare(source, encoding)
            enc, codec = prep.encoding, prep.codec
            header, header_text = read_header(prep.path, delimiter)
            mapped = contract.canonical([columns.get(h, h) for h in header])
            check_header(file, contract, mapped, header_text, delimiter=delimiter, mapping_hint=mapping_hint)  # fmt: skip
            nf = len(header)
            idx = {n: f"c{i}" for i, n in reversed(list(enumerate(mapped)))}
            src_cols = lambda n: _q(idx[n])  # noqa: E731
            struct = scan_structure(prep.path, delimiter=delimiter)
            max_line = max(2 * 1024 * 1024, nf * max_chars * 4 + 1024)
            colspec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(nf)) + "}"
            rej, scan = f"rej_{tag}", f"scan_{tag}"
            opts = (f"header = true, delim = {_lit(delimiter)}, quote = '\"', escape = '\"', "
                    f"auto_detect = false, strict_mode = true, ignore_errors = true, "
                    f"null_padding = false, compression = 'none', max_line_size = {max_line}")  # fmt: skip
            if struct.simple and not force_slow:
                with_line = False
                base = f"read_csv({_lit(str(prep.path))}, columns = {colspec}, {opts}, store_rejects = true, rejects_table = '{rej}', rejects_scan = '{scan}')"  # fmt: skip
                base2 = f"read_csv({_lit(str(prep.path))}, columns = {colspec}, {opts})"
                sel = []
            else:
                tmp, prior, n_prior_in = normalize(prep, delimiter=delimiter, n_fields=nf, max_chars=max_chars, table=contract.table, file=file)  # fmt: skip
                colspec2 = "{'__line': 'BIGINT', " + colspec[1:]
                base = f"read_csv({_lit(str(tmp))}, columns = {colspec2}, {opts})"
                sel = ["__line"]
                with_line = True
        present = [n for n in contract.names if n in mapped]
        contract = for_header(contract, mapped)
        no_ctrl = kind == "csv" and struct.simple and not force_slow and not struct.control
        trim_free = no_ctrl and struct.trim_free
        checker = Checker(contract, as_of=as_of, fx=fx, max_chars=max_chars, present=present, no_ctrl=no_ctrl, trim_free=trim_free)  # fmt: skip
        raw_sel = [f"{src_cols(n)} AS {_q('r_' + n)}" if n in present else f"NULL::VARCHAR AS {_q('r_' + n)}" for n in contract.names]  # fmt: skip
        rel = f"(SELECT {', '.join(sel + raw_sel)} FROM {base})"
        dedupe = not (contract.key and contract.key not in present)

        cand, bad, n = run_checks(con, rel, checker, with_line=with_line)

        rows_in = n
        lines = None
        if kind == "csv" and struct.simple and not force_slow:
            rj = con.execute(f"SELECT line, min(line_byte_position), any_value(error_type) FROM {rej} GROUP BY line ORDER BY line").fetchall()  # fmt: skip
            seen_lines = set()
            texts = lines_by_number(prep.path, [int(x[0]) for x in rj if x[2] != "LINE SIZE OVER MAXIMUM"], struct.starts)  # fmt: skip
            for line, pos, etype in rj:
                seen_lines.add(int(line))
                rejects_lines.append(int(line))
                if etype == "LINE SIZE OVER MAXIMUM":
                    why = f"line longer than {max_line:,} bytes (a field over the limit of {max_chars:,} characters)"  # fmt: skip
                    raw = b""
                else:
                    raw = texts.get(int(line), b"")
                    cut = len(raw) >= EXPLAIN_BYTES
                    why = explain_line(raw, n_fields=nf, delimiter=delimiter, codec=codec, cut=cut)
                    if why is None and raw.strip():
                        why = f"rejected by the CSV parser ({etype.lower()})"
                if why is None:
                    continue  # a blank (whitespace) line: not a row
                rows_in += 1
                rec = repr(raw[:200]) if why.startswith("invalid encoding") else raw[:500].decode("utf-8", "replace")  # fmt: skip
                prior.append({"table": contract.table, "file": file, "line": int(line), "column": None, "reason": why, "record": rec})  # fmt: skip
            expected = struct.lines - 1 - len(struct.blank)
            if n + len(rj) != expected:  # lines the parser dropped without a reject: giant lines
                for line, off in _long_lines(prep.path, max_line):
                    if line in seen_lines or line == 1:
                        continue
                    seen_lines.add(line)
                    rejects_lines.append(line)
                    rows_in += 1
                    prior.append({"table": contract.table, "file": file, "line": line, "column": None,
                                  "reason": f"line longer than {max_line:,} bytes (a field over the limit of {max_chars:,} characters)",
                                  "record": read_line_at(prep.path, off, 200)[0].decode("utf-8", "replace")})  # fmt: skip
                if n + len(seen_lines) != expected:
                    raise _err(file, f"could not account for every line ({expected:,} records, {n + len(seen_lines):,} read); check the quoting and line ends")  # fmt: skip
            lines = line_of_rows(n, np.array(struct.blank + rejects_lines, dtype="int64"))
        elif kind == "csv":
            rows_in = n + len(prior)  # the splitter's quarantined records
        line_of = (lambda o: int(lines[o])) if lines is not None else None

        # duplicates: candidates from the hashes, confirmed on their raw values
        dup_reasons: dict[int, list] = {}
        cand_rows = pd.DataFrame()
        if dedupe and len(cand):
            if lines is not None:
                got = lines_by_number(prep.path, [int(x) for x in lines[cand]], struct.starts)
                recs = []
                for ln in lines[cand]:
                    fields = got[int(ln)].decode("utf-8", "replace").split(delimiter)
                    recs.append([int(ln)] + [(fields[int(idx[nm][1:])] or None) if nm in present else None for nm in contract.names])  # fmt: skip
                cand_rows = pd.DataFrame(recs, columns=["line", *contract.names], dtype=object)
            else:
                con.register("cand_ord", pd.DataFrame({"o": cand.astype("int64")}))
                cand_rows = con.execute(f"SELECT __line AS line, {', '.join(_q('r_' + x) + ' AS ' + _q(x) for x in contract.names)} FROM (SELECT row_number() OVER () - 1 AS __o, * FROM {rel}) WHERE __o IN (SELECT o FROM cand_ord)").df()  # fmt: skip
            cand_rows["line"] = cand_rows["line"].astype("int64")
            dup_reasons = resolve_duplicates(cand_rows, contract)

        # the quarantine
        q = list(prior)
        bad_by_line = {}
        for r in bad:
            ln = line_of(r["__ord"]) if line_of else int(r["__line"])
            bad_by_line[ln] = r
        raw_by_line = {}
        if len(cand_rows):
            for rec in cand_rows.to_dict("records"):
                raw_by_line[int(rec["line"])] = {x: rec[x] for x in contract.names}
        bad_lines = sorted(set(bad_by_line) | set(dup_reasons))
        for ln in bad_lines:
            reasons = list(dup_reasons.get(ln, []))
            r = bad_by_line.get(ln)
            if r is not None:
                reasons += checker.reasons(r)
                values = {x: r["r_" + x] for x in contract.names}
            else:
                values = dict(raw_by_line[ln])
            if not reasons:  # the engine's decision stands even if no wording matched
                reasons = [(None, "invalid value")]
            if contract.key and contract.key not in present:
                values[contract.key] = f"L{ln}"
            q.append({"table": contract.table, "file": file, "line": ln, "column": reasons[0][0],
                      "reason": "; ".join(w for _, w in reasons), "record": _record(values)})  # fmt: skip
        quarantine = quarantine_frame(q)
        n_accepted = n - len(bad_lines)
        if rows_in != n_accepted + len(set(quarantine["line"])):
            raise AssertionError(f"{file}: rows in {rows_in} != accepted {n_accepted} + quarantined {quarantine['line'].nunique()}")  # fmt: skip

        # accepted rows: a second pass over the source, without the quarantined lines
        accepted = None
        if want_rows or stage_to is not None:
            key_absent = contract.key and contract.key not in present
            if lines is not None:
                keep = np.ones(n, dtype=bool)
                keep_lines = pd.DataFrame({"line": lines, "keep": keep})
                if bad_lines:
                    keep_lines["keep"] = ~np.isin(lines, np.array(bad_lines, dtype="int64"))
                con.register("keep_tbl", keep_lines)
                rel2 = f"(SELECT {', '.join(raw_sel)} FROM {base2})"
                src = f"(SELECT k.line AS __line, r.* FROM {rel2} r POSITIONAL JOIN keep_tbl k WHERE k.keep)"  # fmt: skip
            else:
                con.register("bad_tbl", pd.DataFrame({"line": np.array(bad_lines, dtype="int64")}))
                src = f"(SELECT * FROM {rel} WHERE __line NOT IN (SELECT line FROM bad_tbl))"
            typed = checker.typed_sql()
            if key_absent:
                typed = typed.replace(f"AS {_q(contract.key)}", f"AS {_q('__unused')}")
                typed = f"'L' || CAST(__line AS VARCHAR) AS {_q(contract.key)}, " + typed
            body = f"SELECT __line AS line, {typed} FROM {checker.layered(src)}"
            if stage_to is not None:
                _stage(con, body, contract, stage_to, drop=[x for x in contract.names if x not in present and x != contract.key])  # fmt: skip
            if want_rows:
                accepted = _to_pandas(con.execute(body + " ORDER BY line").df(), contract)
        return Result(rows_in, accepted, n_accepted, quarantine, enc, present)
    finally:
        con.close()
        if prep is not None:
            prep.cleanup()


def _to_pandas(df: pd.DataFrame, contract) -> pd.DataFrame:
    out = pd.DataFrame({"line": df["line"].astype("int64")})
    for c in contract.columns:
        s = df[c.name]
        if c.kind == "str":
            out[c.name] = s.astype("string")
        elif c.kind == "int":
            out[c.name] = s.astype("Int64")
        elif c.kind == "float":
            out[c.name] = s.astype("float64")
        elif c.kind in ("date", "datetime"):
            out[c.name] = pd.to_datetime(s).astype("datetime64[us]")
        else:
            out[c.name] = s.astype("boolean")
    return out.reset_index(drop=True)


def _stage(con, body: str, contract, path: Path, drop: list[str]) -> None:
    """Accepted rows to CSV: contract names and standard formats, neutralised text."""
    from crm_research.data.validate import CONTRACTS

    base = CONTRACTS[contract.table]
    cols = []
    for c in base.columns:
        if c.name in drop:
            continue
        x = _q(c.name)
        if c.kind in ("date", "datetime"):
            cols.append(f"strftime({x}, {_lit(c.fmt)}) AS {x}")
        elif c.kind == "float":
            cols.append(f"CASE WHEN {x} = floor({x}) AND abs({x}) < 1e15 THEN CAST(CAST({x} AS BIGINT) AS VARCHAR) ELSE CAST({x} AS VARCHAR) END AS {x}")  # fmt: skip
        elif c.kind == "str":
            cols.append(f"{neutralise_sql(x)} AS {x}")
        else:
            cols.append(x)
    con.execute(f"COPY (SELECT {', '.join(cols)} FROM ({body}) ORDER BY line) TO {_lit(str(path))} (HEADER, DELIMITER ',')")  # fmt: skip
