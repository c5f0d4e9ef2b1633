"""A contract's checks run by the engine: the bad flag and the duplicate hash of every row in one
pass, then the codes of the bad rows only, and their reasons."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from crm_research.data.reader.column_sql import column_sql, sql_name
from crm_research.data.reader.reasons import reason_for

MAX_FIELD_CHARS = 10_000  # default field-length limit (characters)


class Checker:
    """The SQL of a contract over a relation with raw text columns ``r_<name>``."""

    def __init__(
        self,
        contract,
        *,
        as_of,
        fx=1.0,
        max_chars=MAX_FIELD_CHARS,
        present=None,
        no_ctrl=False,
    ):
        self.contract = contract
        self.as_of = pd.Timestamp(as_of)
        self.fx = fx
        self.max_chars = max_chars
        self.present = set(present if present is not None else contract.names)
        self.cols = {
            c.name: column_sql(
                c,
                as_of=self.as_of,
                fx=fx if c.name in ("amount", "unit_price_krw") else 1.0,
                max_chars=max_chars,
                present_in_file=c.name in self.present,
                no_ctrl=no_ctrl,
                key=c.name == contract.key,
            )
            for c in contract.columns
        }
        key = contract.key
        self.keyed = bool(key and key in self.present)

    def layered(self, rel: str) -> str:
        """The relation with every column's parsed values and codes (``p_``, ``k_``, ``v_``,
        ``s_`` per column), each expression computed once."""
        l1 = ", ".join(f"{e} AS {sql_name(n)}" for s in self.cols.values() for n, e in s["l1"])
        l2 = ", ".join(f"{e} AS {sql_name(n)}" for s in self.cols.values() for n, e in s["l2"])
        l3 = ", ".join(
            f"{s['p']} AS {sql_name('p_' + n)}, {s['k']} AS {sql_name('k_' + n)}, {s['v']} AS {sql_name('v_' + n)}, "
            f"{s['shown']} AS {sql_name('s_' + n)}"
            for n, s in self.cols.items()
        )
        return f"(SELECT *, {l3} FROM (SELECT *, {l2} FROM (SELECT *, {l1} FROM {rel})))"

    def flags_sql(
        self, rel: str, extra: str = "", with_raw: bool = True, typed: bool = False
    ) -> str:
        """Per row: ``__bad`` (any failure), ``__dh`` (64-bit duplicate hash), (``with_raw``)
        for bad rows only the raw values (their codes are computed afterwards on those few
        rows) and (``typed``) the typed value of every column (:meth:`typed_columns`; the
        accepted rows are then read from this one pass). The cheap test (``__ok``) first; the
        exact decision only for the rows it does not pass."""
        names = self.contract.names
        raw = ", ".join(sql_name("r_" + n) for n in names)
        if self.keyed:  # a row passing the cheap test has a key that is its own trim
            k = sql_name("r_" + self.contract.key)
            kt = f"trim({k})"
            exact = f"CASE WHEN {kt} <> '' THEN hash({kt}) ELSE xor(hash({raw}), 1::UBIGINT) END"
            dh = f"CASE WHEN __ok THEN hash({k}) ELSE {exact} END"
        else:
            dh = f"hash({raw})"
        badf = " OR ".join(f"({s['bad']})" for s in self.cols.values())
        fast = " AND ".join(f"({s['fast']})" for s in self.cols.values())
        per = "".join(
            f", CASE WHEN __bad THEN {sql_name('r_' + n)} END AS {sql_name('r_' + n)}"
            for n in names
            if with_raw
        )
        values = ", " + self.typed_columns() if typed else ""
        return (
            f"SELECT __bad, {dh} AS __dh{per}{values}{extra} FROM "
            f"(SELECT *, CASE WHEN __ok THEN false ELSE ({badf}) END AS __bad FROM "
            f"(SELECT *, {fast} AS __ok FROM {rel}))"
        )

    def details(self, con, rows: pd.DataFrame) -> pd.DataFrame:
        """Codes and shown values of the bad rows (``__ord`` + raw ``r_`` columns)."""
        con.register("bad_rows", rows)
        names = self.contract.names
        cols = ", ".join(f"{sql_name(x + n)}" for n in names for x in ("p_", "k_", "s_"))
        out = con.execute(
            f"SELECT __ord, {cols} FROM {self.layered('bad_rows')} ORDER BY __ord"
        ).df()
        con.unregister("bad_rows")
        return out

    def typed_columns(self) -> str:
        """The typed value of every column, over a relation with ``__ok`` (the cheap test): for a
        row passing it the value without the tests it passed (``vfast``), else the exact value
        (:func:`_inline`; a CASE branch is evaluated only on its own rows, so the exact layers
        cost only the few rows that need them)."""
        return ", ".join(
            f"CASE WHEN __ok THEN {s['vfast']} ELSE {_inline(s)} END AS {sql_name(n)}"
            for n, s in self.cols.items()
        )

    def reasons(self, row: dict) -> list[tuple[str | None, str]]:
        """Reasons of one bad row from its codes: parse failures, else check failures."""
        out = []
        parse = [c for c in self.contract.columns if row.get("p_" + c.name)]
        use = parse if parse else [c for c in self.contract.columns if row.get("k_" + c.name)]
        for c in use:
            code = row["p_" + c.name] if parse else row["k_" + c.name]
            out.append(
                (
                    c.name,
                    reason_for(
                        c,
                        int(code),
                        row.get("r_" + c.name),
                        row.get("s_" + c.name),
                        as_of=self.as_of,
                        max_chars=self.max_chars,
                    ),
                )
            )
        return out


def _inline(s: dict) -> str:
    """A column's exact value ``v`` as one expression: its ``l2`` layer written in place, over
    the trimmed text bound once as a lambda parameter (written out, its repeated parts would be
    hoisted by the engine's common-subexpression step and computed for every row, not only for
    the rows of the CASE branch that needs them)."""
    v = s["v"]
    for name, expr in s["l2"]:
        v = v.replace(sql_name(name), f"({expr})")
    (t, trimmed), *_ = s["l1"]
    v = v.replace(sql_name(t), "__t")
    if '"' in v:  # the body reads only the trimmed text
        raise AssertionError(f"exact value reads another column: {v}")
    return f"list_transform([{trimmed}], __t -> {v})[1]"


_seq = itertools.count()


def run_checks(
    con,
    rel: str,
    checker: Checker,
    *,
    with_line: bool,
    with_raw: bool = True,
    keep: str | None = None,
) -> tuple[np.ndarray, pd.DataFrame, int]:
    """First pass, all in the engine: a temporary table of the bad flag, the duplicate hash and
    (``with_raw``: bad rows only) the raw values, in parse order (its ``rowid`` is the
    ordinal). Returns the ordinals of duplicate candidates (rows whose hash occurs more than
    once), the bad rows (``__ord``, and their raw values or ``__line`` when kept), and the
    number of rows. ``keep``: the table's name, with every column's typed value too, kept for
    the caller (who drops it) to read the accepted rows from."""
    extra = ", __line" if with_line else ""
    sql = checker.flags_sql(rel, extra, with_raw=with_raw, typed=keep is not None)
    tbl = keep or f"chk_{next(_seq)}"
    con.execute(f"CREATE TEMP TABLE {tbl} AS {sql}")
    try:
        n = con.execute(f"SELECT count(*) FROM {tbl}").fetchone()[0]
        cols = "".join(", " + sql_name("r_" + x) for x in checker.contract.names if with_raw)
        bad = con.execute(
            f"SELECT rowid AS __ord{cols}{extra} FROM {tbl} WHERE __bad ORDER BY rowid"
        ).df()
        cand = duplicate_candidates(con, tbl)
    finally:  # a kept table is the caller's (its connection closes with the source)
        if keep is None:
            con.execute(f"DROP TABLE IF EXISTS {tbl}")
    bad["__ord"] = bad["__ord"].astype("int64")
    return cand, bad, n


def duplicate_candidates(con, tbl: str) -> np.ndarray:
    """Ordinals (``rowid``) of the rows of ``tbl`` whose 64-bit hash ``__dh`` occurs more than
    once: a sort of the hashes' upper 32 bits (cheaper than the engine's hash table of every
    row), then the full hashes of the few rows whose upper bits repeat."""
    h32 = con.execute(f"SELECT (__dh >> 32)::UINTEGER AS h FROM {tbl}").fetchnumpy()["h"]
    s = np.sort(np.asarray(h32, dtype=np.uint32))
    twice = np.unique(s[1:][s[1:] == s[:-1]])
    if not len(twice):
        return np.empty(0, dtype="int64")
    con.register("twice_h32", pd.DataFrame({"h": twice.astype("int64")}))
    try:
        rows = con.execute(
            f"SELECT rowid AS o, __dh AS h FROM {tbl} "
            "WHERE (__dh >> 32) IN (SELECT h FROM twice_h32) ORDER BY rowid"
        ).fetchnumpy()
    finally:
        con.unregister("twice_h32")
    o, h = np.asarray(rows["o"], dtype="int64"), np.asarray(rows["h"], dtype="uint64")
    order = np.argsort(h, kind="stable")
    f = h[order]
    same = np.zeros(len(f), dtype=bool)
    same[1:] |= f[1:] == f[:-1]
    same[:-1] |= f[1:] == f[:-1]
    return np.sort(o[order[same]])


def explain_bad(con, checker: Checker, bad: pd.DataFrame) -> list[dict]:
    """The bad rows (``__ord``, raw ``r_`` columns, perhaps ``__line``) with their codes."""
    rows: list[dict] = []
    if not len(bad):
        return rows
    names = checker.contract.names
    frame = pd.DataFrame(
        {"__ord": bad["__ord"].astype("int64")}
        | {"r_" + x: bad["r_" + x].astype(object).where(bad["r_" + x].notna(), None) for x in names}
    )
    det = checker.details(con, frame).to_dict("records")
    for r, d in zip(bad.to_dict("records"), det, strict=True):
        r = {k: (None if isinstance(x, float) and np.isnan(x) else x) for k, x in r.items()}
        r["__ord"] = int(r["__ord"])
        r.update(
            {
                k: (None if isinstance(x, float) and np.isnan(x) else x)
                for k, x in d.items()
                if k != "__ord"
            }
        )
        rows.append(r)
    return rows
