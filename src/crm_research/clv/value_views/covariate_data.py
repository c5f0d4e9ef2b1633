"""Time-invariant characteristics per customer from the customer database (acquisition channel,
membership, gender, age band, when the data have them), selected and dummy-encoded against a
reference level for the covariate models (:func:`customer_covariates`, :func:`select_covariates`,
:func:`covariate_design`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_research.clv import covariates as cov

# the covariates :func:`customer_covariates` can build, in display order
COVARIATE_COLUMNS = ("acquisition_channel", "member", "gender", "age_band")
# (lower age, label): bands of whole years at the cut-off
AGE_BANDS = ((0, "under 30"), (30, "30-39"), (40, "40-49"), (50, "50-59"), (60, "60+"))


def _age_band(age: pd.Series) -> pd.Series:
    """Age band labels of ages in years (NaN for missing or implausible ages)."""
    age = age.where((age >= 0) & (age < 110))
    lows = [lo for lo, _ in AGE_BANDS] + [np.inf]
    return pd.cut(age, lows, right=False, labels=[lab for _, lab in AGE_BANDS]).astype(object)


def customer_covariates(con, cutoff: str | pd.Timestamp) -> pd.DataFrame:
    """Time-invariant characteristics of every customer who bought by ``cutoff`` (index
    ``customer_id``; text levels, NaN when unknown):

    * ``acquisition_channel`` — the channel of the customer's first order (``transactions``);
    * ``member`` — "yes"/"no": the customer has a record in the member registry (``src_members``
      through ``identity_map``);
    * ``gender`` — from the member record (the first in sort order when records disagree);
    * ``age_band`` — age at ``cutoff`` from the earliest birth date of the member records.

    A column is returned only when at least two of its levels occur (channels and members are
    optional sources: CDNOW and purchase logs have none of these columns)."""
    import ibis  # database only

    cutoff = pd.Timestamp(cutoff)
    tx = con.table("transactions")
    tx = tx.filter(tx.ordered_at.cast("timestamp") <= cutoff)
    w = ibis.window(group_by=tx.customer_id, order_by=[tx.ordered_at, tx.order_id])
    first = (
        tx.mutate(_rn=ibis.row_number().over(w))
        .filter(lambda t: t._rn == 0)
        .select("customer_id", acquisition_channel=tx.channel)
    )
    out = first.to_pandas().set_index("customer_id").sort_index()
    tables = set(con.list_tables())
    if {"src_members", "identity_map"} <= tables:
        mem, idm = con.table("src_members"), con.table("identity_map")
        if int(mem.count().to_pandas()) > 0:
            cols = set(mem.columns)
            agg = {"_n": mem.member_id.count()}
            if "gender" in cols:
                agg["gender"] = mem.gender.cast("string").min()
            if "birth_date" in cols:
                agg["birth_date"] = mem.birth_date.cast("date").min()
            joined = mem.join(idm.filter(idm.source == "members"), mem.member_id == idm.record_id)
            m = joined.group_by("customer_id").aggregate(**agg).to_pandas()
            m = m.set_index("customer_id").reindex(out.index)
            out["member"] = np.where(m["_n"].fillna(0) > 0, "yes", "no")
            if "gender" in m:
                g = m["gender"].astype(object).where(m["gender"].notna())
                out["gender"] = g.map(lambda v: v.strip() if isinstance(v, str) else v)
                out["gender"] = out["gender"].replace("", np.nan)
            if "birth_date" in m:
                born = pd.to_datetime(m["birth_date"])
                out["age_band"] = _age_band((cutoff - born).dt.days / 365.25)
    keep = [c for c in COVARIATE_COLUMNS if c in out and out[c].dropna().nunique() >= 2]
    return out[keep].astype(object).where(out[keep].notna(), np.nan)


def select_covariates(
    available: list[str], covariates: str = "auto"
) -> tuple[list[str], str | None]:
    """The covariate columns a notebook's ``covariates`` parameter asks for: "auto" = all
    ``available``; "" or "none" = none; else a comma-separated list of names. Returns the chosen
    columns and a note naming requested columns the data do not have (None when all exist)."""
    key = (covariates or "").strip()
    if key.lower() == "auto":
        return list(available), None
    if key.lower() in ("", "none"):
        return [], None
    asked = [c.strip() for c in key.split(",") if c.strip()]
    chosen = [c for c in asked if c in available]
    gone = [c for c in asked if c not in available]
    note = None
    if gone:
        have = ", ".join(available) or "none"
        note = f"Not in these data: {', '.join(gone)} (available: {have})."
    return chosen, note


@dataclass
class CovariateDesign:
    """Dummy covariates per customer (``frame``, index ``customer_id``, 0/1 columns) and what each
    column means: ``levels`` maps a column to (covariate, level); ``reference`` maps each covariate
    to its reference level; ``notes`` say which levels were pooled or dropped."""

    frame: pd.DataFrame
    levels: dict[str, tuple[str, str]]
    reference: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)


def covariate_design(
    raw: pd.DataFrame, columns: list[str], *, min_count: int = 30
) -> CovariateDesign:
    """Dummy-encode the ``columns`` of :func:`customer_covariates` (one 0/1 column per level but the
    reference, :func:`crm_research.clv.covariates.dummy_encode`). Missing values become the level
    "unknown"; levels with fewer than ``min_count`` customers are too rare to estimate and join
    the reference level (the most frequent one); a dummy column that adds no information (a linear
    combination of the intercept and the columns before it, e.g. "gender unknown" when it is the
    same customers as "no member record") is dropped, with a note."""
    parts, levels, reference, notes = [], {}, {}, []
    for col in columns:
        v = raw[col].astype(object).where(raw[col].notna(), "unknown").astype(str)
        counts = v.value_counts()
        ref = max(sorted(counts.index), key=lambda lv: counts[lv])
        rare = sorted(lv for lv in counts.index if counts[lv] < min_count and lv != ref)
        if rare:
            v = v.where(~v.isin(rare), ref)
            notes.append(
                f"{col}: {', '.join(rare)} (fewer than {min_count} customers each) counted with "
                f"{ref}."
            )
        if v.nunique() < 2:
            notes.append(f"{col}: a single level left ({ref}); not used.")
            continue
        d = cov.dummy_encode(pd.DataFrame({col: v}), col, reference=ref, prefix=col)
        d.columns = [f"{col}={c[len(col) + 1 :]}" for c in d.columns]
        levels |= {c: (col, c.split("=", 1)[1]) for c in d.columns}
        reference[col] = ref
        parts.append(d)
    frame = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=raw.index)
    kept, base = [], np.ones((len(frame), 1))
    for c in frame.columns:
        trial = np.column_stack([base, frame[c].to_numpy()])
        if np.linalg.matrix_rank(trial) > base.shape[1]:
            kept.append(c)
            base = trial
        else:
            notes.append(
                f"{levels[c][0]} = {levels[c][1]}: same customers as other columns; dropped."
            )
    return CovariateDesign(frame[kept], {c: levels[c] for c in kept}, reference, notes)
