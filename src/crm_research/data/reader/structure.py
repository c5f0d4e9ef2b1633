"""The structure of a CSV file, for line numbers: lines counted, whether records map one-to-one
to lines, blank lines, control bytes, surrounding spaces (C-speed passes); and reading given
lines back (to explain them)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crm_research.data.reader.opening import CHUNK

EXPLAIN_BYTES = 1 << 16  # at most this much of a rejected line is read to explain it


ASCII = bytes(range(128))  # bytes.translate deletes these: what is left is not ASCII


NOT_CONTROL = bytes(range(32, 127)) + bytes(range(128, 256)) + b"\n\r"  # bytes.translate deletes


@dataclass
class Structure:
    lines: int  # physical lines (a last line without a newline counts)
    simple: bool  # every record is one line ending in \n or \r\n: line numbers are positions
    blank: list[int]  # line numbers of empty lines
    size: int
    control: bool = True  # a control byte other than \n and \r occurs somewhere
    starts: list[int] = field(default_factory=list)  # line number at each CHUNK's first byte
    trim_free: bool = False  # ASCII only, no space next to a delimiter or a line end: no field


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
                    trim_free = not np.isin(near, np.frombuffer(d + b"\n\r", dtype=np.uint8)).any()
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


def lines_by_number(
    path: Path, wanted: list[int], starts: list[int] | None = None
) -> dict[int, bytes]:
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
