"""The structure of a CSV file, for line numbers: lines counted, whether records map one-to-one
to lines, blank lines, control bytes (C-speed passes); and reading given
lines back (to explain them)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crm_research.data.reader.opening import CHUNK

EXPLAIN_BYTES = 1 << 16  # at most this much of a rejected line is read to explain it

STEP = 1 << 20  # line numbers are kept at every STEP bytes (to read given lines back)
CONTROL = bytes([*range(0, 10), 11, 12, *range(14, 32), 127])  # control bytes but \n and \r


@dataclass
class Structure:
    lines: int  # physical lines (a last line without a newline counts)
    simple: bool  # no quote, every \r in \r\n: a record is a line unless the engine says not
    size: int
    control: bool = True  # a control byte other than \n and \r occurs somewhere
    starts: list[int] = field(default_factory=list)  # line number at each STEP's first byte


def scan_structure(path: Path, quote: str = '"') -> Structure:
    """Count lines, quotes, carriage returns and control bytes, in C-speed passes (no line is
    split: blank lines are found only when the engine's count says there are some)."""
    q = quote.encode()
    special = CONTROL + b"\r" + q
    others = bytes(x for x in range(256) if x not in special)  # bytes.translate deletes these
    n_nl = n_cr = n_crlf = n_q = 0
    size = 0
    last = b""
    prev_tail = b""
    control = False
    starts: list[int] = []
    with path.open("rb") as f:
        while b := f.read(CHUNK):
            for i in range(0, len(b), STEP):
                starts.append(n_nl + 1)
                n_nl += b.count(b"\n", i, i + STEP)
            size += len(b)
            rare = b.translate(None, others)  # control bytes, carriage returns, quotes: few
            if rare:
                control = control or bool(rare.translate(None, b"\r" + q))
                cr = rare.count(b"\r")
                n_cr += cr
                n_crlf += b.count(b"\r\n") if cr else 0
                n_q += rare.count(q) if q else 0
            n_crlf += prev_tail == b"\r" and b[:1] == b"\n"
            prev_tail = b[-1:]
            last = b[-1:]
    lines = n_nl + (1 if last not in (b"\n", b"") else 0)
    return Structure(lines, n_q == 0 and n_cr == n_crlf, size, control, starts)


def blank_lines(path: Path, limit: int = 1000) -> list[int] | None:
    """Line numbers of the empty lines (``\n\n`` or ``\n\r\n``), None when over ``limit``."""
    offsets: list[int] = []
    pos = 0
    prev_tail = b""
    with path.open("rb") as f:
        while (b := f.read(CHUNK)) and len(offsets) <= limit:
            buf = prev_tail + b
            base = pos - len(prev_tail)
            for pat in (b"\n\n", b"\n\r\n"):
                i = buf.find(pat)
                while i >= 0 and len(offsets) <= limit:
                    offsets.append(base + i + 1)  # byte offset of the blank line
                    i = buf.find(pat, i + 1)
            pos += len(b)
            prev_tail = b[-2:]
    if len(offsets) > limit:
        return None
    offsets = sorted(set(offsets))
    out: list[int] = []
    with path.open("rb") as f:  # line number of each blank line's offset
        pos, count, k = 0, 0, 0
        while k < len(offsets) and (b := f.read(CHUNK)):
            while k < len(offsets) and offsets[k] < pos + len(b):
                out.append(count + b.count(b"\n", 0, offsets[k] - pos) + 1)
                k += 1
            count += b.count(b"\n")
            pos += len(b)
    return out


def _skipped(skipped: np.ndarray) -> np.ndarray:
    """The skipped lines that can hold a row (2..), sorted, once each."""
    s = np.unique(np.asarray(skipped, dtype="int64"))
    return s[s >= 2]


def _steps(s: np.ndarray) -> np.ndarray:
    """For sorted skipped lines ``s``: the ordinal from which each one shifts the rows after it."""
    return s - np.arange(len(s)) - 2


def line_of_rows(n_rows: int, skipped: np.ndarray, ordinals=None) -> np.ndarray:
    """File line of each parsed row (or of the rows at ``ordinals``, 0-based in parse order)
    when every record is one line: lines 2.. in order, without the ``skipped`` lines (blank or
    rejected)."""
    k = np.arange(n_rows, dtype="int64") if ordinals is None else np.asarray(ordinals, "int64")
    return k + 2 + np.searchsorted(_steps(_skipped(skipped)), k, side="right")


def ordinals_of_lines(lines, skipped: np.ndarray) -> np.ndarray:
    """The inverse of :func:`line_of_rows`: the ordinal (0-based, in parse order) of the rows at
    ``lines`` (none of them skipped): the line - 2 - the skipped lines above it."""
    lines = np.asarray(lines, dtype="int64")
    return lines - 2 - np.searchsorted(_skipped(skipped), lines)


def skip_steps(skipped: np.ndarray) -> pd.DataFrame:
    """:func:`line_of_rows` as a step table for the engine: from ordinal ``ord`` on (0-based, in
    parse order) a row's line is ``ordinal + 2 + before`` (``before``: skipped lines above it),
    to be joined by the largest ``ord`` at most the row's ordinal (an ASOF join)."""
    b = _steps(_skipped(skipped))
    steps = np.unique(b)
    return pd.DataFrame({"ord": steps, "before": np.searchsorted(b, steps, side="right")})


def read_line_at(path: Path, offset: int, limit: int = EXPLAIN_BYTES) -> tuple[bytes, bool]:
    """The bytes of the line starting at ``offset`` (at most ``limit``) and whether it was cut."""
    with path.open("rb") as f:
        f.seek(offset)
        b = f.read(limit + 1)
    end = min([i for i in (b.find(b"\n"), b.find(b"\r")) if i >= 0], default=-1)
    if end >= 0:
        return b[:end], False
    return b[:limit], len(b) > limit


def lines_by_number(
    path: Path, wanted: list[int], starts: list[int] | None = None, limit: int = EXPLAIN_BYTES
) -> dict[int, bytes]:
    """The bytes (at most ``limit``) of the given (physical, 1-based, ``\\n``-terminated)
    lines, in one pass (with ``starts`` from :func:`scan_structure`: reading only the chunks
    that hold them)."""
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
                f.seek(c * STEP)
                b = f.read(STEP + limit + 2)
                nl = np.flatnonzero(np.frombuffer(b, dtype=np.uint8) == 10)
                for ln in lns:
                    k = ln - starts[c]  # newlines of this chunk before the line
                    if k > len(nl):
                        continue
                    begin = int(nl[k - 1]) + 1 if k > 0 else 0
                    end = int(nl[k]) if k < len(nl) else len(b)
                    if begin >= len(b) and end == len(b):
                        continue
                    out[ln] = b[begin : min(end, begin + limit)].rstrip(b"\r")
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


def rows_at_lines(
    path: Path,
    lines: np.ndarray,
    starts: list[int],
    limit: int,
    delimiter: str,
    fields: dict[str, int],
) -> pd.DataFrame:
    """The raw values of the rows on the given lines of a file without quotes (each line split at
    the delimiter, as the engine parsed it; an empty field is missing): ``line`` and one text
    column per name in ``fields`` (name -> field position)."""
    got = lines_by_number(path, [int(x) for x in lines], starts, limit)
    recs = []
    for ln in lines:
        parts = got[int(ln)].decode("utf-8", "replace").split(delimiter)
        recs.append([int(ln)] + [parts[i] or None for i in fields.values()])
    out = pd.DataFrame(recs, columns=["line", *fields], dtype=object)
    out["line"] = out["line"].astype("int64")
    return out


def long_lines(path: Path, max_bytes: int) -> list[tuple[int, int]]:
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
