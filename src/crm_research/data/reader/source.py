"""One reader for exports: the engine (DuckDB) parses and checks, Python explains and transcodes.

Every CSV, Parquet file or frame goes through :func:`check_source`:

1. **Opening** (:mod:`~crm_research.data.reader.opening`): the path is checked (missing, a
   directory, a symbolic-link loop, unreadable: an ``InputFileError`` naming the path); compressed
   files are read (``.gz``; a ``.zip`` holding one CSV) or refused when their name hides it; text
   DuckDB cannot read (UTF-16/UTF-32 with a byte-order mark, CP949/EUC-KR and any other declared
   codec) is transcoded to UTF-8 in one streamed pass to a temporary file.
2. **Parsing** by DuckDB's ``read_csv`` (every column text, explicit delimiter and quote, strict
   RFC 4180: quoted delimiters, doubled quotes and newlines inside quoted fields; ``\\n``,
   ``\\r\\n`` or ``\\r`` line ends). Beside it, in a thread, Python counts the file's lines,
   quotes, carriage returns and control bytes (C-speed passes, :mod:`.structure`). Lines DuckDB
   rejects (wrong field count, undecodable bytes, unterminated quote, a line over the size
   limit) come back from its rejects table; Python reads only those lines (at most 64 KiB of
   each) to say why, and looks for blank lines only when rows + rejects fall short of the line
   count (:func:`~crm_research.data.reader.explain.account_lines`). A file whose records span
   several lines (quotes), or with lone carriage returns, is re-written by Python's csv module
   with its line numbers (so every row keeps the line it starts on) and read again; a file with
   control bytes is read again with the control-character checks.
3. **Checking** in SQL: a cheap test that implies acceptance first (no trim, one cast per value),
   the exact decision only for the rows it does not pass: text values trimmed, numbers by a
   strict grammar then ``TRY_CAST`` (with "not a finite number" for ``inf``, ``nan`` and
   overflow such as ``1e309``), dates by ``TRY_STRPTIME`` with the contract's format, flags,
   required values, ranges, dates after the as-of date, patterns, control characters in ids
   and codes, and a field-length limit. The first pass keeps, per row, the bad flag, a 64-bit
   duplicate hash and, when accepted rows are wanted, every column's typed value (computed
   cheaply for rows that passed the cheap test); exact duplicate rows and duplicate keys
   (first occurrence accepted) are found from a sort of the hashes' upper halves, then
   confirmed exactly on the few candidate rows, whose raw values (like the bad rows') are read
   back from their lines. The file is parsed once: the accepted rows (a typed frame, a table
   of the customer database, or a staged CSV) are read from that pass's table
   (:mod:`~crm_research.data.reader.accepted`). A row's ordinal is its position in that table,
   so no step of the pass may reorder rows (no ``IN`` lists the engine turns into joins).
4. Reasons are worded in Python for the quarantined rows only (:mod:`~crm_research.data.reader.reasons`).

Rows in = accepted + quarantined, always; a result that breaks it raises.
"""

from __future__ import annotations

import contextlib
import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from crm_research.data.reader.accepted import (
    accepted_sql,
    stage_accepted,
    store_accepted,
    typed_frame,
)
from crm_research.data.reader.checker import MAX_FIELD_CHARS, Checker, explain_bad, run_checks
from crm_research.data.reader.column_sql import TS_DEFAULT, sql_name, sql_text
from crm_research.data.reader.contracts import InputFileError, check_header, for_header
from crm_research.data.reader.explain import NotOneLinePerRecord, account_lines, normalize
from crm_research.data.reader.opening import check_path, prepare, read_header
from crm_research.data.reader.quarantine import quarantine_frame, record_json
from crm_research.data.reader.reasons import resolve_duplicates
from crm_research.data.reader.structure import (
    line_of_rows,
    rows_at_lines,
    scan_structure,
)


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
    # inside Jupyter without ipywidgets DuckDB refuses to touch the setting
    with contextlib.suppress(duckdb.Error):
        con.execute("SET enable_progress_bar = false")
    return con


class ControlBytes(Exception):
    """The file holds control bytes: its values are checked for them (a second pass)."""


def check_source(source, contract, **kw) -> Result:
    """Read and check one source (``kind``: csv path, parquet path, or a frame of text rows
    with ``line``); see :func:`_check_source`. A CSV file the engine's fast path cannot take
    (mixed line ends, a parser fault) is read again through Python's record splitter; what
    still fails is an :class:`InputFileError` naming the file, never a traceback."""
    file = kw["file"]
    try:
        try:
            return _check_source(source, contract, **kw)
        except ControlBytes:
            return _check_source(source, contract, assume_clean=False, **kw)
    except NotOneLinePerRecord:
        pass
    except (duckdb.Error, IndexError) as e:
        if kw.get("kind", "csv") != "csv":
            raise InputFileError(
                file, f"could not be read ({str(e).splitlines()[0][:200]})"
            ) from None
    try:
        return _check_source(source, contract, force_slow=True, **kw)
    except (duckdb.Error, IndexError) as e:
        raise InputFileError(
            file, f"could not be parsed as CSV ({str(e).splitlines()[0][:200]})"
        ) from None


def _check_source(
    source,
    contract,
    *,
    force_slow: bool = False,
    assume_clean: bool = True,
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
    store: tuple[str, str] | None = None,
    mapping_hint: bool = False,
) -> Result:
    """Read and check one source (``kind``: csv path, parquet path, or a frame of text rows
    with ``line``). ``stage_to``: write accepted rows (contract names, standard formats,
    neutralised text) to this CSV file; ``store`` (database file, table): write them, typed,
    into that DuckDB database by the engine (no frame)."""
    columns = columns or {}
    con = _connect()
    prep = None
    pool = scanning = None
    tag = next(_seq)
    try:
        prior: list[dict] = []
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
            src_cols = lambda n: f"NULLIF(CAST({sql_name(idx[n])} AS VARCHAR), '')"  # noqa: E731
            base = "frame_src"
            enc = "frame"
        elif kind == "parquet":
            path = check_path(source)
            desc = con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({sql_text(str(path))})"
            ).fetchall()
            names = [d[0] for d in desc]
            types = {d[0]: d[1] for d in desc}
            mapped = contract.canonical([columns.get(n, n) for n in names])
            check_header(file, contract, mapped, "")
            idx = {n: names[i] for i, n in reversed(list(enumerate(mapped)))}
            fmts = {c.name: c.fmt or TS_DEFAULT for c in contract.columns}

            def src_cols(n):
                col = sql_name(idx[n])
                if "TIMESTAMP" in types[idx[n]] or types[idx[n]] == "DATE":
                    return f"strftime({col}, {sql_text(fmts[n])})"
                return f"NULLIF(CAST({col} AS VARCHAR), '')"

            sel = ["CAST(file_row_number + 2 AS BIGINT) AS __line"]
            base = f"read_parquet({sql_text(str(path))}, file_row_number = true)"
            with_line = True
            enc = "parquet"
        else:
            prep = prepare(source, encoding)
            enc, codec = prep.encoding, prep.codec
            header, header_text = read_header(prep.path, delimiter)
            mapped = contract.canonical([columns.get(h, h) for h in header])
            check_header(
                file, contract, mapped, header_text, delimiter=delimiter, mapping_hint=mapping_hint
            )
            nf = len(header)
            idx = {n: f"c{i}" for i, n in reversed(list(enumerate(mapped)))}
            src_cols = lambda n: sql_name(idx[n])  # noqa: E731
            if not force_slow:  # the structure scan runs beside the engine (no GIL held there)
                pool = ThreadPoolExecutor(max_workers=1)
                scanning = pool.submit(scan_structure, prep.path)
            max_line = max(2 * 1024 * 1024, nf * max_chars * 4 + 1024)
            colspec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(nf)) + "}"
            rej, scan = f"rej_{tag}", f"scan_{tag}"
            opts = (
                f"header = true, delim = {sql_text(delimiter)}, quote = '\"', escape = '\"', "
                f"auto_detect = false, strict_mode = true, ignore_errors = true, "
                f"null_padding = false, compression = 'none', max_line_size = {max_line}"
            )
            if not force_slow:
                with_line = False
                base = f"read_csv({sql_text(str(prep.path))}, columns = {colspec}, {opts}, store_rejects = true, rejects_table = '{rej}', rejects_scan = '{scan}')"
                sel = []
            else:
                tmp, prior, n_prior_in = normalize(
                    prep,
                    delimiter=delimiter,
                    n_fields=nf,
                    max_chars=max_chars,
                    table=contract.table,
                    file=file,
                )
                colspec2 = "{'__line': 'BIGINT', " + colspec[1:]
                base = f"read_csv({sql_text(str(tmp))}, columns = {colspec2}, {opts})"
                sel = ["__line"]
                with_line = True
        present = [n for n in contract.names if n in mapped]
        contract = for_header(contract, mapped)
        fast_csv = kind == "csv" and not force_slow
        no_ctrl = fast_csv and assume_clean
        checker = Checker(
            contract,
            as_of=as_of,
            fx=fx,
            max_chars=max_chars,
            present=present,
            no_ctrl=no_ctrl,
        )
        raw_sel = [
            f"{src_cols(n)} AS {sql_name('r_' + n)}"
            if n in present
            else f"NULL::VARCHAR AS {sql_name('r_' + n)}"
            for n in contract.names
        ]
        rel = f"(SELECT {', '.join(sel + raw_sel)} FROM {base})"
        dedupe = not (contract.key and contract.key not in present)

        # a simple CSV file: the bad rows' raw values are read back from their lines; when
        # accepted rows are wanted, the same pass keeps every row's typed values (in ``chk``)
        wanted = want_rows or stage_to is not None or store is not None
        chk = f"chk_rows_{tag}" if wanted else None
        cand, bad, n = run_checks(
            con, rel, checker, with_line=with_line, with_raw=not fast_csv, keep=chk
        )

        rows_in = n
        skipped = None  # lines that are not parsed rows (simple files: line = position)
        if fast_csv:
            struct = scanning.result()
            if not struct.simple:  # quotes or lone carriage returns: Python's record splitter
                raise NotOneLinePerRecord(file)
            if struct.control and no_ctrl:
                raise ControlBytes(file)
            prior_lines, skipped_lines, rows_in = account_lines(
                con,
                rej,
                prep.path,
                struct,
                n=n,
                nf=nf,
                delimiter=delimiter,
                codec=codec,
                max_line=max_line,
                max_chars=max_chars,
                table=contract.table,
                file=file,
            )
            prior += prior_lines
            skipped = np.array(skipped_lines, dtype="int64")
            if len(bad):
                at = line_of_rows(n, skipped, bad["__ord"])
                fields = {x: int(idx[x][1:]) for x in present}
                got = rows_at_lines(prep.path, at, struct.starts, max_line, delimiter, fields)
                for x in contract.names:
                    bad["r_" + x] = got[x].to_numpy() if x in present else None
        elif kind == "csv":
            rows_in = n + len(prior)  # the splitter's quarantined records
        bad = explain_bad(con, checker, bad)

        # duplicates: candidates from the hashes, confirmed on their raw values
        dup_reasons: dict[int, list] = {}
        cand_rows = pd.DataFrame()
        if dedupe and len(cand):
            if skipped is not None:
                at = line_of_rows(n, skipped, cand)
                fields = {x: int(idx[x][1:]) for x in present}
                got = rows_at_lines(prep.path, at, struct.starts, max_line, delimiter, fields)
                cand_rows = got.assign(**{x: None for x in contract.names if x not in present})[
                    ["line", *contract.names]
                ]
            else:
                con.register("cand_ord", pd.DataFrame({"o": cand.astype("int64")}))
                cand_rows = con.execute(
                    f"SELECT __line AS line, {', '.join(sql_name('r_' + x) + ' AS ' + sql_name(x) for x in contract.names)} FROM (SELECT row_number() OVER () - 1 AS __o, * FROM {rel}) WHERE __o IN (SELECT o FROM cand_ord)"
                ).df()
            cand_rows["line"] = cand_rows["line"].astype("int64")
            dup_reasons = resolve_duplicates(cand_rows, contract)

        # the quarantine
        q = list(prior)
        bad_by_line = {}
        if skipped is not None:
            bad_at = line_of_rows(n, skipped, [r["__ord"] for r in bad]).tolist()
        else:
            bad_at = [int(r["__line"]) for r in bad]
        for ln, r in zip(bad_at, bad, strict=True):
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
            q.append(
                {
                    "table": contract.table,
                    "file": file,
                    "line": ln,
                    "column": reasons[0][0],
                    "reason": "; ".join(w for _, w in reasons),
                    "record": record_json(values),
                }
            )
        quarantine = quarantine_frame(q)
        n_accepted = n - len(bad_lines)
        if rows_in != n_accepted + len(set(quarantine["line"])):
            raise AssertionError(
                f"{file}: rows in {rows_in} != accepted {n_accepted} + quarantined {quarantine['line'].nunique()}"
            )

        # accepted rows: read from the first pass's table, without the quarantined lines
        accepted = None
        if wanted:
            body, ordered = accepted_sql(con, chk, contract, present, skipped, bad_lines)
            if stage_to is not None:
                stage_accepted(
                    con,
                    body,
                    contract,
                    stage_to,
                    drop=[x for x in contract.names if x not in present and x != contract.key],
                )
            if store is not None:
                store_accepted(con, body, contract, store, ordered=ordered, expected=n_accepted)
            if want_rows:
                accepted = typed_frame(con.execute(body + " ORDER BY line").df(), contract)
            con.execute(f"DROP TABLE {chk}")
        return Result(rows_in, accepted, n_accepted, quarantine, enc, present)
    finally:
        con.close()
        if pool is not None:
            pool.shutdown(wait=True)
        if prep is not None:
            prep.cleanup()
