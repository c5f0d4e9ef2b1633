"""Explaining lines that are not rows: why the engine rejected a line (encoding, quoting, field
count), and Python's csv module splitting a file whose records span lines (quoted newlines, lone
carriage returns) into one record per line, with the quarantine of records that are not rows."""

from __future__ import annotations

import csv
from pathlib import Path

from crm_research.data.reader.contracts import InputFileError
from crm_research.data.reader.opening import Prepared, temp_csv
from crm_research.data.reader.structure import (
    EXPLAIN_BYTES,
    Structure,
    blank_lines,
    lines_by_number,
    long_lines,
    read_line_at,
)


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
        return f"line longer than {EXPLAIN_BYTES:,} bytes without an end (a giant field or an unterminated quote)"
    try:
        fields = next(csv.reader([s], delimiter=delimiter, strict=True))
    except csv.Error as e:
        return f"malformed quoting ({e})"
    except StopIteration:
        return None
    if len(fields) != n_fields:
        return f"expected {n_fields} fields, found {len(fields)}"
    return None


def normalize(
    prep: Prepared, *, delimiter: str, n_fields: int, max_chars: int, table: str, file: str
):
    """Python's csv module splits records (quoted newlines, lone carriage returns): a temporary
    CSV with each record's first line number in front, and the quarantine of records that are
    not rows (wrong field count, undecodable bytes, a field over csv's limit)."""
    tmp = temp_csv()
    prep.temps.append(tmp)
    bad = []
    limit = max(max_chars * 4, 1 << 17)
    old = csv.field_size_limit(limit)
    n_in = 0
    try:
        with (
            prep.path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as f,
            tmp.open("w", encoding="utf-8", errors="surrogateescape", newline="") as out,
        ):
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
                    bad.append(
                        {
                            "table": table,
                            "file": file,
                            "line": last + 1,
                            "column": None,
                            "reason": f"malformed record: {e}",
                            "record": "",
                        }
                    )
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
                    bad.append(
                        {
                            "table": table,
                            "file": file,
                            "line": start,
                            "column": None,
                            "reason": f"invalid encoding: byte {pos} is not {shown}",
                            "record": repr(text.encode("utf-8", "surrogateescape")[:200]),
                        }
                    )
                    continue
                if len(fields) != n_fields:
                    bad.append(
                        {
                            "table": table,
                            "file": file,
                            "line": start,
                            "column": None,
                            "reason": f"expected {n_fields} fields, found {len(fields)}",
                            "record": text[:500],
                        }
                    )
                    continue
                w.writerow([start, *fields])
    finally:
        csv.field_size_limit(old)
    return tmp, bad, n_in


class NotOneLinePerRecord(Exception):
    """The engine's count shows the file's records are not one line each (many blank lines)."""


def account_lines(
    con,
    rej: str,
    path: Path,
    struct: Structure,
    *,
    n: int,
    nf: int,
    delimiter: str,
    codec: str,
    max_line: int,
    max_chars: int,
    table: str,
    file: str,
) -> tuple[list[dict], list[int], int]:
    """Every line of a simple CSV file the engine did not parse into a row (``n`` rows): the
    rejected lines explained, blank lines found when the count says there are some, and giant
    lines the parser dropped. Returns the quarantine of lines that are records, the line
    numbers that are not rows, and the rows in; raises :class:`InputFileError` when the lines do
    not add up, :class:`NotOneLinePerRecord` when there are over a thousand blank lines."""
    rows_in = n
    rejects_lines: list[int] = []
    prior: list[dict] = []
    rj = con.execute(
        f"SELECT line, min(line_byte_position), any_value(error_type) FROM {rej} GROUP BY line ORDER BY line"
    ).fetchall()
    seen_lines = set()
    texts = lines_by_number(
        path,
        [int(x[0]) for x in rj if x[2] != "LINE SIZE OVER MAXIMUM"],
        struct.starts,
    )
    for line, _pos, etype in rj:
        seen_lines.add(int(line))
        rejects_lines.append(int(line))
        if etype == "LINE SIZE OVER MAXIMUM":
            why = f"line longer than {max_line:,} bytes (a field over the limit of {max_chars:,} characters)"
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
        rec = (
            repr(raw[:200])
            if why.startswith("invalid encoding")
            else raw[:500].decode("utf-8", "replace")
        )
        prior.append(
            {
                "table": table,
                "file": file,
                "line": int(line),
                "column": None,
                "reason": why,
                "record": rec,
            }
        )
    blank: list[int] = []
    expected = struct.lines - 1
    if n + len(rj) != expected:  # blank lines, which the parser skips
        blank = blank_lines(path)
        if blank is None:
            raise NotOneLinePerRecord(file)
        expected -= len(blank)
    if n + len(rj) != expected:  # lines the parser dropped without a reject: giant lines
        for line, off in long_lines(path, max_line):
            if line in seen_lines or line == 1:
                continue
            seen_lines.add(line)
            rejects_lines.append(line)
            rows_in += 1
            prior.append(
                {
                    "table": table,
                    "file": file,
                    "line": line,
                    "column": None,
                    "reason": f"line longer than {max_line:,} bytes (a field over the limit of {max_chars:,} characters)",
                    "record": read_line_at(path, off, 200)[0].decode("utf-8", "replace"),
                }
            )
        if n + len(seen_lines) != expected:
            raise InputFileError(
                file,
                f"could not account for every line ({expected:,} records, {n + len(seen_lines):,} read); check the quoting and line ends",
            )
    return prior, blank + rejects_lines, rows_in
