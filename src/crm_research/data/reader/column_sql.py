"""The checks of one contract column in SQL, over the raw text the engine parsed: the exact
decision in layers (trimmed text, parsed value, parse and check codes, the value as shown in a
reason), a CASE-free test of the same decision, and a cheap test that implies acceptance."""

from __future__ import annotations

import pandas as pd

# parse-level codes (the value is unusable) and check-level codes (a rule fails)
P_NUMBER, P_FINITE, P_INTEGER, P_INTRANGE, P_DATE, P_FLAG, P_CONTROL, P_LONG = range(1, 9)

C_MISSING, C_MIN, C_MAX, C_FUTURE, C_PATTERN = range(11, 16)

ID_LIKE_TEXT = ("name", "address", "email", "phone", "recipient_name", "recipient_phone")

NUM_RE = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"

NONFINITE_RE = r"^(?i)[+-]?(inf|infinity|nan)$"

TS_DEFAULT = "%Y-%m-%d %H:%M:%S"

TRUE_TEXT, FALSE_TEXT = ("1", "Y", "TRUE"), ("0", "N", "FALSE")
FLAG_TEXT = TRUE_TEXT + FALSE_TEXT


def sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def one_of(x: str, values: tuple[str, ...]) -> str:
    """``x`` equals one of ``values``, as a chain of ``=`` (NULL when ``x`` is NULL). Not
    ``x IN (...)``: the engine rewrites a longer IN list into a join, which does not keep the
    rows' order, and the checks' first pass reads each row's ordinal from that order."""
    return "(" + " OR ".join(f"{x} = {sql_text(v)}" for v in values) + ")"


def _converted(x: str, fx: float) -> str:
    """An amount ``x`` converted at the rate ``fx`` (rounded to whole units), or as it is."""
    return f"round({x} * {float(fx)!r})" if fx != 1.0 else x


def _fmt_regex(fmt: str) -> str | None:
    """A regular expression for the fixed-width ISO formats (cheap exact check before CAST)."""
    if fmt == "%Y-%m-%d %H:%M:%S":
        return r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
    if fmt == "%Y-%m-%d":
        return r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    return None


def fast_ok_sql(
    c,
    r: str,
    *,
    as_of: pd.Timestamp,
    fx: float,
    max_chars: int,
    ctrl: str | None,
    key: bool = False,
) -> str:
    """A cheap test on the raw value ``r`` that implies the exact decision accepts it (never the
    reverse: a value it does not pass goes to the exact test). No trim (``trim`` removes spaces
    only: a value without a space at either end is its own trim), no strict grammar where the
    engine's cast is as strict. ``ctrl``: the control-character class to test (None when the
    file holds no control byte: the only whitespace is the space). ``key``: the value is the
    contract's key (its test implies it is its own trim). False when ``r`` is NULL."""
    # a first byte at or above '!' (binary comparison): not a space
    ends = f"{r} >= '!' AND NOT suffix({r}, ' ')"
    if c.kind == "str":
        parts = [f"strlen({r}) <= {int(max_chars)}"]
        if c.pattern or key:
            parts.append(ends)
        elif c.required:
            parts.append(f"{r} >= '!'")  # its trim is not empty
        if ctrl is not None:
            parts.append(f"NOT regexp_matches({r}, {sql_text(ctrl)})")
        if c.pattern:
            parts.append(f"regexp_matches({r}, {sql_text(c.pattern)})")
        return "coalesce(" + " AND ".join(parts) + ", false)"
    if c.kind in ("int", "float"):
        xv = _converted(f"TRY_CAST({r} AS DOUBLE)", fx)
        # one cast, one range (finite bounds: no inf, no NaN); whole numbers well inside BIGINT
        big = 9.0e18 if c.kind == "int" else 1.7976931348623157e308
        lo = max(float(c.min), -big) if c.min is not None else -big
        hi = min(float(c.max), big) if c.max is not None else big
        parts = [f"{xv} BETWEEN {lo!r} AND {hi!r}"]
        if c.kind == "int":
            parts.append(f"{xv} = floor({xv})")
        if ctrl is None:  # spaces (trimmed by both) and no underscore: the cast is the grammar
            parts.insert(0, f"NOT contains({r}, '_')")
        else:
            parts.insert(0, f"regexp_full_match({r}, '[0-9]+(\\.[0-9]*)?')")
        return "coalesce(" + " AND ".join(parts) + ", false)"
    if c.kind in ("datetime", "date"):
        fmt = c.fmt or TS_DEFAULT
        if fmt == "%Y-%m-%d %H:%M:%S":
            dv = f"TRY_CAST({r} AS TIMESTAMP)"
            shape = f"{r} LIKE '____-__-__ __:__:__' AND "
        elif fmt == "%Y-%m-%d":
            dv = f"TRY_CAST({r} AS TIMESTAMP)"
            shape = f"{r} LIKE '____-__-__' AND "
        else:
            dv = f"TRY_STRPTIME({r}, {sql_text(fmt)})"
            shape = ""
        cond = (
            f"{dv} <= TIMESTAMP {sql_text(f'{as_of:%Y-%m-%d %H:%M:%S}')}"
            if c.not_future
            else f"{dv} IS NOT NULL"
        )
        return f"coalesce({shape}{ends} AND {cond}, false)"
    return f"coalesce({one_of(r, FLAG_TEXT)}, false)"


def column_sql(
    c,
    *,
    as_of: pd.Timestamp,
    fx: float,
    max_chars: int,
    present_in_file: bool,
    no_ctrl: bool = False,
    key: bool = False,
) -> dict:
    """SQL pieces for one contract column reading the raw text column ``r_<name>``, in layers so
    that every expression is computed once: ``l1`` (trimmed text), ``l2`` (parsed value and
    tests), then the value (``v``), the parse code (``p``, 0 = parsed), the check code (``k``)
    and the value as shown in a reason (``shown``), over the ``l2`` names."""
    x = c.name
    r, t = sql_name("r_" + x), sql_name("t_" + x)
    pr, lg, cc, nm, nf, d, u = (
        sql_name(f"{k}_{x}") for k in ("pr", "lg", "cc", "nm", "nf", "d", "u")
    )
    l1 = [(f"t_{x}", f"trim({r})")]
    ctrl = (
        r"[\x00-\x1f\x7f]"
        if c.kind == "str" and x not in ID_LIKE_TEXT
        else r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
    )
    l2 = [(f"pr_{x}", f"coalesce({t} <> '', false)")]
    p_common = ""
    if c.kind == "str":  # a number or a date with a control character or 10,000 digits is not one
        l2 += [
            (f"lg_{x}", f"coalesce(length({r}) > {int(max_chars)}, false)"),
            (f"cc_{x}", f"coalesce(regexp_matches({r}, {sql_text(ctrl)}), false)"),
        ]
        p_common = f"WHEN {lg} THEN {P_LONG} WHEN {cc} THEN {P_CONTROL}"
    checks: list[str] = []
    if c.kind == "str":
        v = f"CASE WHEN {pr} THEN {t} END"
        p = f"CASE {p_common} ELSE 0 END" if p_common else "0"
        if c.pattern:
            checks.append(
                f"WHEN {pr} AND NOT regexp_matches({t}, {sql_text(c.pattern)}) THEN {C_PATTERN}"
            )
        shown = t
    elif c.kind in ("int", "float"):
        num = (
            f"(CASE WHEN regexp_matches({t}, {sql_text(NUM_RE)}) THEN TRY_CAST({t} AS DOUBLE) END)"
        )
        l2.append((f"nm_{x}", _converted(num, fx)))
        l2.append((f"nf_{x}", f"coalesce(regexp_matches({t}, {sql_text(NONFINITE_RE)}), false)"))
        p_int = ""
        if c.kind == "int":
            p_int = f"WHEN {nm} <> floor({nm}) THEN {P_INTEGER} WHEN abs({nm}) >= 9.2e18 THEN {P_INTRANGE}"
        p = (
            f"CASE {p_common} WHEN NOT {pr} THEN 0 WHEN {nf} THEN {P_FINITE} "
            f"WHEN {nm} IS NULL THEN {P_NUMBER} WHEN isinf({nm}) THEN {P_FINITE} {p_int} ELSE 0 END"
        )
        v = f"CASE WHEN {pr} AND isfinite({nm}) THEN {nm} END"
        if c.kind == "int":
            v = f"CASE WHEN {pr} AND isfinite({nm}) AND abs({nm}) < 9.2e18 THEN CAST({nm} AS BIGINT) END"
        if c.min is not None:
            checks.append(f"WHEN {nm} < {float(c.min)!r} THEN {C_MIN}")
        if c.max is not None:
            checks.append(f"WHEN {nm} > {float(c.max)!r} THEN {C_MAX}")
        shown = t
        if fx != 1.0:
            shown = (
                f"CASE WHEN {nm} = floor({nm}) AND abs({nm}) < 1e15 THEN CAST(CAST({nm} AS BIGINT) AS VARCHAR) "
                f"ELSE CAST({nm} AS VARCHAR) END"
            )
    elif c.kind in ("datetime", "date"):
        fmt = c.fmt or TS_DEFAULT
        rx = _fmt_regex(fmt)
        if fmt == "%Y-%m-%d %H:%M:%S":
            l2.append(
                (
                    f"d_{x}",
                    f"(CASE WHEN strlen({t}) = 19 AND substr({t}, 11, 1) = ' ' AND substr({t}, 5, 1) = '-' THEN TRY_CAST({t} AS TIMESTAMP) END)",
                )
            )
        elif rx:
            l2.append(
                (
                    f"d_{x}",
                    f"(CASE WHEN strlen({t}) = 10 AND substr({t}, 5, 1) = '-' THEN TRY_CAST({t} AS TIMESTAMP) END)",
                )
            )
        else:
            l2.append((f"d_{x}", f"TRY_STRPTIME({t}, {sql_text(fmt)})"))
        v = f"CASE WHEN {pr} THEN {d} END"
        p = f"CASE {p_common} WHEN {pr} AND {d} IS NULL THEN {P_DATE} ELSE 0 END"
        if c.not_future:
            checks.append(
                f"WHEN {d} > TIMESTAMP {sql_text(f'{as_of:%Y-%m-%d %H:%M:%S}')} THEN {C_FUTURE}"
            )
        shown = f"strftime({d}, '%Y-%m-%d %H:%M:%S')"
    else:  # flag
        l2.append((f"u_{x}", f"upper({t})"))
        v = (
            f"CASE WHEN {one_of(u, TRUE_TEXT)} THEN true "
            f"WHEN {one_of(u, FALSE_TEXT)} THEN false END"
        )
        p = f"CASE {p_common} WHEN {pr} AND NOT {one_of(u, FLAG_TEXT)} THEN {P_FLAG} ELSE 0 END"
        shown = t
    # the same decision without CASE (so DuckDB shares common subexpressions): is the row bad?
    rt = r
    tt = f"trim({rt})"
    prb = f"coalesce({tt} <> '', false)"
    if c.kind == "str":
        okb = f"NOT (coalesce(length({rt}) > {int(max_chars)}, false) OR coalesce(regexp_matches({rt}, {sql_text(ctrl)}), false))"
        if c.pattern:
            okb += (
                f" AND (NOT {prb} OR coalesce(regexp_matches({tt}, {sql_text(c.pattern)}), false))"
            )
    elif c.kind in ("int", "float"):
        xv = _converted(f"TRY_CAST({tt} AS DOUBLE)", fx)
        lo = float(c.min) if c.min is not None else None
        hi = float(c.max) if c.max is not None else None
        rng = (
            f"{xv} BETWEEN {lo!r} AND {hi!r}"
            if lo is not None and hi is not None
            else f"{xv} >= {lo!r} AND isfinite({xv})"
            if lo is not None
            else f"{xv} <= {hi!r} AND isfinite({xv})"
            if hi is not None
            else f"isfinite({xv})"
        )
        if c.kind == "int":
            rng += f" AND {xv} = floor({xv}) AND abs({xv}) < 9.2e18"
        okb = f"NOT {prb} OR (translate({tt}, '0123456789.eE+-', '') = '' AND regexp_matches({tt}, {sql_text(NUM_RE)}) AND coalesce({rng}, false))"
    elif c.kind in ("datetime", "date"):
        fmt = c.fmt or TS_DEFAULT
        rx = _fmt_regex(fmt)
        dv = f"TRY_CAST({tt} AS TIMESTAMP)" if rx else f"TRY_STRPTIME({tt}, {sql_text(fmt)})"
        cond = (
            f"{dv} <= TIMESTAMP {sql_text(f'{as_of:%Y-%m-%d %H:%M:%S}')}"
            if c.not_future
            else f"{dv} IS NOT NULL"
        )
        shape = ""
        if fmt == "%Y-%m-%d %H:%M:%S":  # cheap exact shape, then the engine's ISO cast
            shape = (
                f"strlen({tt}) = 19 AND substr({tt}, 11, 1) = ' ' AND substr({tt}, 5, 1) = '-' AND "
            )
        elif fmt == "%Y-%m-%d":
            shape = f"strlen({tt}) = 10 AND substr({tt}, 5, 1) = '-' AND "
        okb = f"NOT {prb} OR ({shape}coalesce({cond}, false))"
    else:
        okb = f"NOT {prb} OR coalesce({one_of(f'upper({tt})', FLAG_TEXT)}, false)"
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
        key=key,
    )
    fast = fast if c.required and present_in_file else f"({r} IS NULL OR {fast})"
    if c.required and present_in_file:
        checks.insert(0, f"WHEN NOT {pr} THEN {C_MISSING}")
    vfast = fast_value_sql(c, r, fx=fx)
    k = f"CASE {' '.join(checks)} ELSE 0 END" if checks else "0"
    return {
        "l1": l1,
        "l2": l2,
        "v": v,
        "p": f"coalesce({p}, 0)",
        "k": f"coalesce({k}, 0)",
        "shown": shown,
        "t": t,
        "bad": bad,
        "fast": fast,
        "vfast": vfast,
    }


def fast_value_sql(c, r: str, *, fx: float) -> str:
    """The typed value of the raw value ``r`` of a row that passed every column's cheap test
    (:func:`fast_ok_sql`): the exact value (``v`` of :func:`column_sql`) without its grammar and
    shape tests, which that test has passed. Text trimmed (blank: missing); numbers by the
    engine's cast (no underscore, finite, in range); dates and times of a value that is its own
    trim by the engine's cast or ``TRY_STRPTIME``; flags exactly as written."""
    if c.kind == "str":
        return f"NULLIF(trim({r}), '')"
    if c.kind in ("int", "float"):
        xv = _converted(f"TRY_CAST({r} AS DOUBLE)", fx)
        return f"CAST({xv} AS BIGINT)" if c.kind == "int" else xv
    if c.kind in ("datetime", "date"):
        fmt = c.fmt or TS_DEFAULT
        if _fmt_regex(fmt):
            return f"TRY_CAST({r} AS TIMESTAMP)"
        return f"TRY_STRPTIME({r}, {sql_text(fmt)})"
    return f"({one_of(r, TRUE_TEXT)})"
