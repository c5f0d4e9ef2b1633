"""Tables people read: :func:`format_table` turns a DataFrame into a styled table for reports.

Thousands separators; money with its unit in the header (``Revenue (KRW)``); shares as
percentages; counts without decimals; other numbers with the decimals that mean something for
their size (never more than four); readable column names (``mean_recency_days`` → ``Mean recency
days``); no meaningless 0..n index; text left-aligned, numbers right-aligned. The result is a
pandas ``Styler``, which Jupyter and nbconvert render as HTML.

Column kinds are given (``percent=[...]``, ``money=[...]``, ``counts=[...]``, ``decimals={...}``)
or inferred from names and values:

* money: names with revenue, value, CLV, spend, profit, cost, amount, price, monetary, margin,
  KRW/USD (when ``currency`` is given, or the name carries it);
* percent: names with share, rate, probability, ``p_``/P(…), pct, percent, or proportion whose
  values lie in [0, 1] (a name ending in ``%`` or ``pts`` is already in percent: shown with one
  decimal and its sign when it is a change);
* counts: integers, or floats that are all whole numbers;
* other numbers: decimals by magnitude (≥ 100: 0, ≥ 10: 1, ≥ 1: 2, else 3).

``by="rows"`` infers per row instead (a table of metrics in rows with one value column, which
would otherwise mix probabilities and money in one column).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

MAX_DECIMALS = 4
MONEY_RE = re.compile(
    r"revenue|value|clv|spend|profit|cost|amount|price|monetary|margin|krw|usd|\$|₩|sales", re.I
)
PERCENT_RE = re.compile(r"share|rate\b|rate$|probab|^p_|p\(|pct|percent|proportion|ratio of", re.I)
ALREADY_PERCENT_RE = re.compile(r"(%|\bpts?\b|points|\(pp\))\s*\)?\s*$", re.I)
CHANGE_RE = re.compile(r"change|uplift|difference|error|bias|delta|lift\b.*pts", re.I)
SCORE_RE = re.compile(r"auc|ari|gini|correlation|silhouette|qini|f1|precision|recall|r2|r²", re.I)


def readable(name) -> str:
    """``mean_recency_days`` → ``Mean recency days``; names with spaces or capitals are kept
    (first letter capitalised)."""
    s = str(name)
    if "_" in s:
        s = re.sub(r"_+", " ", s).strip()
    return (
        s[:1].upper() + s[1:]
        if s and s[:1].islower() and not re.match(r"^[a-z]\(|^p_", str(name))
        else s
    )


def _kind(name, values: pd.Series, currency: str | None) -> str:
    """One of: text, money, percent, pct_points, count, score, number, date, bool."""
    s = str(name)
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    num = pd.to_numeric(values, errors="coerce") if values.dtype == object else values
    if not pd.api.types.is_numeric_dtype(num) or (
        values.dtype == object and num.notna().sum() < values.notna().sum()
    ):
        return "text"
    v = num.dropna().astype(float)
    v = v[np.isfinite(v)]
    if ALREADY_PERCENT_RE.search(s):
        return "pct_points"
    if PERCENT_RE.search(s) and len(v) and v.between(-1, 1).all():
        return "percent"
    if MONEY_RE.search(s) and (currency or re.search(r"krw|usd|\$|₩", s, re.I)):
        return "money"
    if len(v) and (v == v.round()).all() and not SCORE_RE.search(s):
        return "count"
    if SCORE_RE.search(s):
        return "score"
    return "number"


def _decimals_for(v: pd.Series) -> int:
    v = v.dropna().astype(float)
    v = v[np.isfinite(v) & (v != 0)]
    if v.empty:
        return 0
    m = float(np.median(np.abs(v)))
    return 0 if m >= 100 else 1 if m >= 10 else 2 if m >= 1 else 3


def _formatter(kind: str, values: pd.Series, decimals: int | None, currency: str | None, name: str):
    def guard(f):
        def g(x):
            if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA or x is pd.NaT:
                return "—"
            try:
                return f(x)
            except (TypeError, ValueError):
                return str(x)

        return g

    d = None if decimals is None else min(int(decimals), MAX_DECIMALS)
    if kind == "money":
        num = pd.to_numeric(values, errors="coerce")
        dd = (
            d
            if d is not None
            else (0 if num.abs().median() >= 100 or currency in ("KRW", "JPY") else 2)
        )
        return guard(lambda x: f"{float(x):,.{dd}f}")
    if kind == "percent":
        dd = d if d is not None else 1
        return guard(lambda x: f"{float(x) * 100:,.{dd}f}%")
    if kind == "pct_points":
        dd = (
            d
            if d is not None
            else (2 if _decimals_for(pd.to_numeric(values, errors="coerce")) >= 3 else 1)
        )
        sign = "+" if CHANGE_RE.search(name) else ""
        return guard(lambda x: f"{float(x):{sign},.{dd}f}")
    if kind == "count":
        return guard(lambda x: f"{float(x):,.0f}")
    if kind == "score":
        dd = d if d is not None else 3
        return guard(lambda x: f"{float(x):,.{dd}f}")
    if kind == "number":
        dd = d if d is not None else _decimals_for(pd.to_numeric(values, errors="coerce"))
        sign = (
            "+"
            if CHANGE_RE.search(name) and (pd.to_numeric(values, errors="coerce") < 0).any()
            else ""
        )
        return guard(lambda x: f"{float(x):{sign},.{dd}f}")
    if kind == "date":
        return guard(
            lambda x: (
                f"{pd.Timestamp(x):%Y-%m-%d}"
                if pd.Timestamp(x) == pd.Timestamp(x).normalize()
                else f"{pd.Timestamp(x):%Y-%m-%d %H:%M}"
            )
        )
    if kind == "bool":
        return guard(lambda x: "yes" if x else "no")
    return guard(lambda x: f"{x:,.{MAX_DECIMALS}g}" if isinstance(x, float) else str(x))


def _header(name, kind: str, currency: str | None) -> str:
    h = readable(name)
    if kind == "money" and currency and currency.lower() not in h.lower():
        h = f"{h} ({currency})"
    return h


def meaningless_index(index: pd.Index) -> bool:
    """A default 0..n-1 index (or one named nothing and equal to it)."""
    return index.name is None and (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        or (
            pd.api.types.is_integer_dtype(index)
            and (np.asarray(index) == np.arange(len(index))).all()
        )
    )


def format_table(
    df: pd.DataFrame | pd.Series,
    *,
    currency: str | None = None,
    percent: Iterable[str] = (),
    money: Iterable[str] = (),
    counts: Iterable[str] = (),
    text: Iterable[str] = (),
    scores: Iterable[str] = (),
    decimals: int | Mapping[str, int] | None = None,
    by: str = "columns",
    caption: str | None = None,
    index: bool | None = None,
):
    """A styled table for reports (see the module docstring). ``currency``: unit of money
    columns (``info["currency"]``); ``percent``/``money``/``counts``/``text``/``scores``: columns
    (rows with ``by="rows"``) of that kind, overriding inference (a score is a plain number with
    three decimals: ``P(alive) ROC AUC`` is not a percentage); ``decimals``: one number for every
    non-count column, or ``{column: decimals}`` (at most 4); ``index``: show the index (default:
    hidden when it is a meaningless 0..n-1); ``caption``: a title above the table."""
    if isinstance(df, pd.Series):
        df = df.to_frame(df.name if df.name is not None else "value")
    if by not in ("columns", "rows"):
        raise ValueError(f"by must be 'columns' or 'rows', got {by!r}")
    given = {
        **{c: "percent" for c in percent},
        **{c: "money" for c in money},
        **{c: "count" for c in counts},
        **{c: "text" for c in text},
        **{c: "score" for c in scores},
    }
    dec = decimals if isinstance(decimals, Mapping) else {}
    dec_all = None if isinstance(decimals, Mapping) else decimals
    df = df.copy()
    show_index = (not meaningless_index(df.index)) if index is None else index
    if by == "columns":
        kinds = {c: given.get(c) or _kind(c, df[c], currency) for c in df.columns}
        fmts = {
            c: _formatter(k, df[c], dec.get(c, dec_all), currency, str(c)) for c, k in kinds.items()
        }
        shown = df.copy()
        for c in df.columns:
            shown[c] = df[c].map(fmts[c]).astype(object)
        shown.columns = [_header(c, kinds[c], currency) for c in df.columns]
        text_cols = [
            h
            for c, h in zip(df.columns, shown.columns, strict=True)
            if kinds[c] in ("text", "date", "bool")
        ]
    else:
        shown = df.astype(object).copy()
        for r in df.index:
            row = df.loc[r]
            k = given.get(r) or _kind(
                r,
                pd.to_numeric(row, errors="coerce")
                if pd.to_numeric(row, errors="coerce").notna().all()
                else row,
                currency,
            )
            f = _formatter(
                k, pd.to_numeric(row, errors="coerce"), dec.get(r, dec_all), currency, str(r)
            )
            shown.loc[r] = [f(x) for x in row]
            if k == "money" and currency and currency.lower() not in str(r).lower():
                shown = shown.rename(index={r: f"{readable(r)} ({currency})"})
            else:
                shown = shown.rename(index={r: readable(r)})
        shown.columns = [readable(c) for c in df.columns]
        text_cols = []
    if show_index and shown.index.name is not None:
        shown.index = shown.index.rename(readable(shown.index.name))
    if isinstance(shown.index, pd.MultiIndex):
        shown.index = shown.index.set_names([readable(n) if n else n for n in shown.index.names])
    styler = shown.style
    if not show_index:
        styler = styler.hide(axis="index")
    num_cols = [c for c in shown.columns if c not in text_cols]
    styles = [
        {"selector": "th", "props": [("text-align", "left"), ("font-weight", "600")]},
        {"selector": "th.col_heading", "props": [("text-align", "right")]},
        {"selector": "td", "props": [("padding", "0.25em 0.6em")]},
    ]
    styler = styler.set_table_styles(styles)
    if num_cols:
        styler = styler.set_properties(
            subset=num_cols, **{"text-align": "right", "font-variant-numeric": "tabular-nums"}
        )
    if text_cols:
        styler = styler.set_properties(subset=text_cols, **{"text-align": "left"})
        styler = styler.set_table_styles(
            {c: [{"selector": "th", "props": [("text-align", "left")]}] for c in text_cols},
            overwrite=False,
        )
    if by == "rows":
        styler = styler.set_properties(**{"text-align": "right"})
    if caption:
        styler = styler.set_caption(caption)
    return styler
