"""Customer value beyond the anchors: the views of notebook 02 on covariates, per-customer
uncertainty and holdout evaluation (issue 20), on any dataset's customer database.

* :func:`customer_covariates`, :func:`select_covariates`, :func:`covariate_design` —
  time-invariant characteristics per customer from the database (acquisition channel, membership,
  gender, age band, when the data have them), dummy-encoded against a reference level.
* :func:`fit_covariate_effects` → :class:`CovariateEffects` — Pareto/NBD (or BG/NBD) with the
  covariates on the purchase and dropout processes and Gamma-Gamma with them on spend
  (:mod:`crm_research.clv_covariates`): coefficient table, likelihood-ratio tests and sentences a
  manager reads (:func:`effect_sentences`).
* :func:`value_intervals`, :func:`interval_summary`, :func:`interval_examples`,
  :func:`holdout_coverage` — per-customer 90% intervals (:mod:`crm_research.clv_uncertainty`) on a
  seeded sample, summarised without customer ids, and their coverage of realised holdout
  purchases and spend.
* :func:`calibration_data`, :func:`holdout_spend`, :func:`evaluate_models` — the holdout
  evaluation as one table (:mod:`crm_research.clv_evaluation`) with the naive baseline, with or
  without amounts.
* :func:`conclusions_markdown` — notebook 02's managers' conclusions with these parts added.

Time unit of every summary: weeks (:data:`crm_research.clv_views.WEEK`); money in the dataset's
currency unless a docstring says "scaled" (divided by :func:`crm_research.reporting.kpi.money_scale`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_research import clv, clv_evaluation, clv_uncertainty, clv_views, rfm
from crm_research import clv_covariates as cov

# the covariates :func:`customer_covariates` can build, in display order
COVARIATE_COLUMNS = ("acquisition_channel", "member", "gender", "age_band")
# (lower age, label): bands of whole years at the cut-off
AGE_BANDS = ((0, "under 30"), (30, "30-39"), (40, "40-49"), (50, "50-59"), (60, "60+"))
PROCESS_LABELS = {"trans": "purchase rate", "life": "dropout", "spend": "spend per purchase"}
NAIVE = "naive (past rate)"
# column names of estimate tables (``fit.table()``, ``CovariateEffects.table()``) for readers
ESTIMATE_COLUMNS = {
    "std_error": "std error",
    "ci_low": "95% low",
    "ci_high": "95% high",
    "mult_low": "multiplier 95% low",
    "mult_high": "multiplier 95% high",
    "p_value": "p-value",
}


# ------------------------------------------------------------------------------------------------
# covariates from the customer database


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
    import ibis

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
    reference, :func:`crm_research.clv_covariates.dummy_encode`). Missing values become the level
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


# ------------------------------------------------------------------------------------------------
# covariate effects


@dataclass
class CovariateEffects:
    """Fits with covariates: ``purchase`` (Pareto/NBD or BG/NBD; every dummy on the purchase
    and the dropout process) and, with amounts, ``spend`` (Gamma-Gamma; every dummy on spend)."""

    design: CovariateDesign
    purchase: cov.CovariateFit
    spend: cov.CovariateFit | None = None

    def table(self) -> pd.DataFrame:
        """One row per process and covariate level: ``process``, ``covariate``, ``level``,
        ``reference``, ``estimate`` (log scale), ``std_error``, ``ci_low``/``ci_high`` (95%),
        ``multiplier`` = exp(estimate) and its 95% interval ``mult_low``/``mult_high`` (the factor
        on the mean purchase rate, dropout rate — Pareto/NBD — or spend per purchase against the
        reference level), ``p_value`` (Wald). BG/NBD's dropout coefficients scale a and b together
        (the spread, not the mean, of the dropout probability): their multiplier is left empty."""
        rows = []
        for fit in (self.purchase, self.spend):
            if fit is None:
                continue
            t = fit.table()
            for name, r in t.iterrows():
                if name in fit.base_names:
                    continue
                group, col = name.split(": ", 1)
                covariate, level = self.design.levels[col]
                bg_life = fit.kind == "bgnbd" and group == "life"
                rows.append(
                    {
                        "process": PROCESS_LABELS[group],
                        "covariate": covariate,
                        "level": level,
                        "reference": self.design.reference[covariate],
                        "estimate": r["estimate"],
                        "std_error": r["std_error"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                        "multiplier": np.nan if bg_life else np.exp(r["estimate"]),
                        "mult_low": np.nan if bg_life else np.exp(r["ci_low"]),
                        "mult_high": np.nan if bg_life else np.exp(r["ci_high"]),
                        "p_value": r["p_value"],
                    }
                )
        return pd.DataFrame(rows)

    def lr_tests(self) -> pd.DataFrame:
        """Likelihood-ratio test of each fit against the same model without covariates: model,
        log-likelihoods, statistic (chi-squared), df and p-value."""
        rows = {}
        for fit in (self.purchase, self.spend):
            if fit is None or fit.lr_test is None:
                continue
            lr = fit.lr_test
            label = "Gamma-Gamma" if fit.kind == "gamma-gamma" else clv.MODEL_LABELS[fit.kind]
            rows[label] = {
                "customers": fit.n_customers,
                "log-lik without": lr["log_likelihood_null"],
                "log-lik with": fit.log_likelihood,
                "LR statistic": lr["statistic"],
                "df": lr["df"],
                "p-value": lr["p_value"],
            }
        return pd.DataFrame(rows).T


def fit_covariate_effects(
    summary: pd.DataFrame,
    design: CovariateDesign,
    *,
    model: str = "pareto",
    spend: bool = True,
) -> CovariateEffects:
    """Fit ``model`` ("pareto" or "bgnbd") with every design column on the purchase and dropout
    processes and, with ``spend`` (the summary's ``monetary_value`` is the scaled mean spend),
    Gamma-Gamma with them on spend per purchase. ``summary``: a weekly BTYD summary indexed like
    the design (customers missing from the design are refused)."""
    s = summary.join(design.frame, how="left")
    if s[design.columns].isna().any().any():
        raise ValueError("every customer of the summary needs covariates")
    cols = design.columns
    purchase = cov.fit_btyd_covariates(s, model, trans=cols, life=cols)
    spend_fit = cov.fit_gamma_gamma_covariates(s, spend=cols) if spend else None
    return CovariateEffects(design, purchase, spend_fit)


def _pct(mult: float) -> str:
    return f"{abs(mult - 1):.0%}"


def _who(covariate: str, level: str) -> str:
    return {
        "acquisition_channel": f"acquired through {level}",
        "member": "with a member record" if level == "yes" else "without a member record",
        "gender": f"of gender {level}",
        "age_band": f"aged {level}",
    }.get(covariate, f"with {covariate} {level}")


def format_p(p: float) -> str:
    """A p-value as a report writes it: "p < 0.001" or "p = 0.012"."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def effect_sentences(
    effects: CovariateEffects, *, alpha: float = 0.05, limit: int = 4
) -> list[str]:
    """Plain sentences for the ``limit`` most significant effects (Wald p < ``alpha``) with a
    multiplier, e.g. "Customers acquired through app buy 23% more often than those acquired
    through web (×1.23, 95% interval ×1.10 to ×1.38; p = 0.001)."; a single sentence when none
    is significant."""
    t = effects.table().dropna(subset=["multiplier"])
    t = t[t["p_value"] < alpha].sort_values("p_value").head(limit)
    verbs = {
        "purchase rate": ("buy {} more often", "buy {} less often"),
        "dropout": ("drop out {} faster", "drop out {} more slowly"),
        "spend per purchase": ("spend {} more per purchase", "spend {} less per purchase"),
    }
    out = []
    for _, r in t.iterrows():
        up, down = verbs[r["process"]]
        verb = (up if r["multiplier"] >= 1 else down).format(_pct(r["multiplier"]))
        out.append(
            f"Customers {_who(r['covariate'], r['level'])} {verb} than those "
            f"{_who(r['covariate'], r['reference'])} (×{r['multiplier']:.2f}, 95% interval "
            f"×{r['mult_low']:.2f} to ×{r['mult_high']:.2f}; {format_p(r['p_value'])})."
        )
    if not out:
        out.append(
            f"None of the characteristics changes purchase rate, dropout or spend significantly "
            f"(every Wald p ≥ {alpha:g})."
        )
    return out


def lr_sentence(effects: CovariateEffects) -> str:
    """One sentence on the likelihood-ratio tests of the fits."""
    parts = []
    for label, r in effects.lr_tests().iterrows():
        verdict = "improve" if r["p-value"] < 0.05 else "do not significantly improve"
        parts.append(
            f"{verdict} the {label} fit (likelihood-ratio χ² = {r['LR statistic']:.1f} on "
            f"{int(r['df'])} df, {format_p(r['p-value'])})"
        )
    return "Together the characteristics " + "; they ".join(parts) + "."


def covariates_missing_text() -> str:
    """The one-line note for data without any customer characteristic."""
    from crm_research.data.datasets import NEEDS

    return (
        f"Not available for this data: needs customer characteristics: {NEEDS['channels']}, or "
        "a member registry with gender or birth dates."
    )


# ------------------------------------------------------------------------------------------------
# per-customer uncertainty


def sample_customers(index: pd.Index, sample: int | None, seed: int = 0) -> pd.Index:
    """A seeded random sample of ``sample`` customers of ``index`` (all of them, in order, when
    ``sample`` is None or not smaller)."""
    if sample is None or sample >= len(index):
        return index
    rng = np.random.default_rng(seed)
    return index[np.sort(rng.choice(len(index), size=int(sample), replace=False))]


def value_intervals(
    value: clv_views.CustomerValue,
    *,
    horizon_weeks: float,
    discount_rate_monthly: float = 0.01,
    sample: int | None = 5_000,
    seed: int = 0,
    n_draws: int = 300,
    level: float = 0.9,
) -> pd.DataFrame:
    """``level`` intervals per customer of a seeded sample (``sample`` customers, None = all) of
    :func:`crm_research.clv_views.customer_value`'s fits: ``p_alive_*`` (parameter uncertainty
    only), ``purchases_*`` (purchases in the next ``horizon_weeks``) and, with a spend model,
    ``clv_*`` (discounted, in the dataset's currency), each ``_mean``, ``_lower``, ``_upper``
    (:func:`crm_research.clv_uncertainty.customer_intervals`), joined with the point estimates of
    ``value.table`` (``p_alive``, ``expected_purchases``, ``clv``). Index: customer_id (kept for
    joins; reports show only aggregates)."""
    s = value.summary
    purchase = cov.from_btyd(value.purchases, s)
    spend = cov.from_gamma_gamma(value.spend, s) if value.spend is not None else None
    idx = sample_customers(s.index, sample, seed)
    out = clv_uncertainty.customer_intervals(
        purchase,
        s.loc[idx],
        horizon=horizon_weeks,
        spend=spend,
        discount_rate=discount_rate_monthly,
        level=level,
        n_draws=n_draws,
        seed=seed,
    )
    money = [c for c in out.columns if c.startswith("clv_")]
    out[money] = out[money] * value.money_scale
    return out.join(value.table.drop(columns="expected_spend", errors="ignore"))


def interval_summary(intervals: pd.DataFrame, value_col: str, bins: int = 10) -> pd.DataFrame:
    """Interval widths by decile of the point ``value_col`` (``clv`` or ``expected_purchases``;
    decile 1 = the highest): customers, mean point value, mean lower and upper bound of its
    interval, median relative width ((upper − lower) / point value) and mean width of the
    P(alive) and purchase intervals."""
    q = "clv" if value_col == "clv" else "purchases"
    decile = pd.qcut(
        intervals[value_col].rank(method="first", ascending=False), bins, labels=range(1, bins + 1)
    )
    df = pd.DataFrame(
        {
            "value": intervals[value_col],
            "lower": intervals[f"{q}_lower"],
            "upper": intervals[f"{q}_upper"],
            "rel": (intervals[f"{q}_upper"] - intervals[f"{q}_lower"])
            / intervals[value_col].where(intervals[value_col] > 0),
            "pa": intervals["p_alive_upper"] - intervals["p_alive_lower"],
            "n": intervals["purchases_upper"] - intervals["purchases_lower"],
        }
    )
    g = df.groupby(decile, observed=True)
    out = pd.DataFrame(
        {
            "customers": g.size(),
            f"mean {value_col}": g["value"].mean(),
            "mean lower": g["lower"].mean(),
            "mean upper": g["upper"].mean(),
            "median relative width": g["rel"].median(),
            "mean P(alive) width": g["pa"].mean(),
            "mean purchases width": g["n"].mean(),
        }
    )
    out.index.name = "decile"
    return out


def interval_examples(intervals: pd.DataFrame, value_col: str, n: int = 25) -> pd.DataFrame:
    """``n`` customers at evenly spaced ranks of the point ``value_col`` (rank 1 = the highest),
    anonymised: index ``rank``; columns ``value``, ``lower``, ``upper``."""
    q = "clv" if value_col == "clv" else "purchases"
    ranked = intervals.sort_values(value_col, ascending=False, kind="stable")
    pos = np.unique(np.round(np.geomspace(1, len(ranked), num=min(n, len(ranked)))).astype(int))
    picked = ranked.iloc[pos - 1]
    return pd.DataFrame(
        {
            "value": picked[value_col].to_numpy(),
            "lower": picked[f"{q}_lower"].to_numpy(),
            "upper": picked[f"{q}_upper"].to_numpy(),
        },
        index=pd.Index(pos, name="rank"),
    )


def holdout_coverage(
    purchase: clv.BTYDModel,
    cal: pd.DataFrame,
    *,
    spend: clv.SpendModel | None = None,
    actual_value: pd.Series | None = None,
    money_scale: float = 1.0,
    sample: int | None = 5_000,
    seed: int = 0,
    n_draws: int = 300,
    level: float = 0.9,
) -> pd.DataFrame:
    """Coverage of ``level`` predictive intervals of holdout outcomes, from models fitted on the
    calibration period (``cal``: :func:`calibration_data`), on a seeded sample of customers.

    Rows: ``holdout purchases`` (plain: whole-number intervals, which cover at least the level),
    ``holdout purchases (jittered)`` (simulated and actual counts + U(0, 1), which makes a
    calibrated model's coverage exactly the level; see :mod:`crm_research.clv_uncertainty`) and,
    with ``spend`` and ``actual_value`` (realised holdout spend per customer in the currency),
    ``holdout spend`` (undiscounted). Columns: ``customers``, ``coverage``, ``level``, ``mean
    width`` (purchases, or the currency)."""
    s = rfm.calibration_summary(cal)
    horizon = float(cal["duration_holdout"].iloc[0])
    purchase_fit = cov.from_btyd(purchase, s)
    spend_fit = cov.from_gamma_gamma(spend, s) if spend is not None else None
    idx = sample_customers(s.index, sample, seed)
    actual = cal.loc[idx, "frequency_holdout"]
    kw = {"horizon": horizon, "level": level, "n_draws": n_draws, "seed": seed}
    use_spend = spend_fit is not None and actual_value is not None
    plain = clv_uncertainty.customer_intervals(
        purchase_fit, s.loc[idx], spend=spend_fit if use_spend else None, discount_rate=0.0, **kw
    )
    jit = clv_uncertainty.customer_intervals(purchase_fit, s.loc[idx], jitter=True, **kw)
    jittered_actual = actual + np.random.default_rng(seed + 1).random(len(actual))
    rows = {
        "holdout purchases": (clv_uncertainty.coverage(actual, plain), plain, "purchases", 1),
        "holdout purchases (jittered)": (
            clv_uncertainty.coverage(jittered_actual, jit),
            jit,
            "purchases",
            1,
        ),
    }
    if use_spend:
        v = actual_value.reindex(idx).fillna(0.0) / money_scale
        rows["holdout spend"] = (
            clv_uncertainty.coverage(v, plain, "clv"),
            plain,
            "clv",
            money_scale,
        )
    return pd.DataFrame(
        {
            name: {
                "customers": len(idx),
                "coverage": c,
                "level": level,
                "mean width": float((iv[f"{q}_upper"] - iv[f"{q}_lower"]).mean() * scale),
            }
            for name, (c, iv, q, scale) in rows.items()
        }
    ).T


# ------------------------------------------------------------------------------------------------
# holdout evaluation as one table


def calibration_data(con, window: dict, *, has_amount: bool) -> pd.DataFrame:
    """:func:`crm_research.clv_views.calibration_data` with the mean spend of the calibration
    period (``monetary_value_cal``, currency) when the data have amounts."""
    if not has_amount:
        return clv_views.calibration_data(con, window)
    cal = rfm.calibration_holdout(
        con.table("transactions"),
        monetary_col="amount",
        calibration_end=f"{window['calibration_end']:%Y-%m-%d}",
        observation_end=f"{window['observation_end']:%Y-%m-%d}",
        freq="D",
        freq_multiplier=clv_views.WEEK,
    )
    cal["monetary_value_cal"] = cal["monetary_value_cal"].fillna(0.0)
    return cal


def holdout_spend(con, window: dict) -> pd.Series:
    """Realised spend per customer in the holdout, in the currency, over the same period as
    :func:`calibration_data`'s ``frequency_holdout`` (after the calibration end date, up to the
    observation end date, as :func:`crm_research.rfm.calibration_holdout` bounds them); customers
    without holdout purchases are absent."""
    t = con.table("transactions")
    ts = t.ordered_at.cast("timestamp")
    cal_end = pd.Timestamp(f"{window['calibration_end']:%Y-%m-%d}")
    obs_end = pd.Timestamp(f"{window['observation_end']:%Y-%m-%d}")
    h = t.filter((ts > cal_end) & (ts <= obs_end))
    df = h.group_by("customer_id").aggregate(v=h.amount.sum()).to_pandas()
    return df.set_index("customer_id")["v"].astype("float64").fillna(0.0).rename("holdout_value")


class _UnitSpend:
    """A spend model worth 1 per purchase: value counted in purchases (data without amounts)."""

    @staticmethod
    def expected_spend(summary: pd.DataFrame) -> pd.Series:
        return pd.Series(1.0, index=summary.index, name="expected_spend")


MONEY_COLUMNS = ("spend_mae", "spend_rmse", "spend_bias", "spend_predicted", "spend_actual")


def evaluate_models(
    cal: pd.DataFrame,
    purchase_models: dict[str, clv.BTYDModel | cov.CovariateFit],
    spend: clv.SpendModel | cov.CovariateFit | dict | None = None,
    *,
    actual_value: pd.Series | None = None,
    money_scale: float = 1.0,
    discount_rate_monthly: float = 0.01,
    naive: bool = True,
) -> clv_evaluation.HoldoutEvaluation:
    """The holdout evaluation as one table (:func:`crm_research.clv_evaluation.evaluate_holdout`)
    for every purchase model fitted on the calibration period (name → model; a
    :class:`~crm_research.clv_covariates.CovariateFit` needs its covariate columns in ``cal``),
    each paired with ``spend`` (one spend model for all, or name → spend model; the scaled
    Gamma-Gamma of the calibration period), and the naive baseline (past repeat rate carried
    forward, valued at the customer's past mean spend). ``cal``: :func:`calibration_data` with
    ``monetary_value_cal`` divided by ``money_scale`` (the unit the spend models were fitted in).

    With amounts, ``actual_value`` is the realised holdout spend (currency; :func:`holdout_spend`)
    and ``spend_*`` columns are in the currency (scaled back by ``money_scale``); the Gini ranks
    by discounted CLV. Without a spend model value is counted in purchases: the ``spend_*``
    columns are dropped and the Gini ranks expected purchases against realised holdout
    purchases. Models outside :data:`crm_research.clv_formulas.MODELS` (MBG/NBD) and the naive
    baseline rank by predicted holdout value (undiscounted). ``table.attrs['value_of']``:
    "spend" or "purchases"."""
    from crm_research import clv_formulas

    has_spend = spend is not None
    if has_spend:
        value = actual_value.reindex(cal.index).fillna(0.0) / money_scale
    else:
        value = cal["frequency_holdout"].astype("float64")
    rows, deciles, manual = {}, {}, {}
    for name, m in purchase_models.items():
        sp = (spend.get(name) if isinstance(spend, dict) else spend) if has_spend else _UnitSpend()
        kind = m.model if isinstance(m, clv.BTYDModel) else m.kind
        if kind in clv_formulas.MODELS:
            ev = clv_evaluation.evaluate_holdout(
                cal, {name: (m, sp)}, actual_value=value, discount_rate=discount_rate_monthly
            )
            rows[name] = ev.table.loc[name]
            deciles[name] = ev.deciles.loc[name]
        else:
            pred = clv.holdout_predictions(m, cal)
            manual[name] = (pred, pred * sp.expected_spend(rfm.calibration_summary(cal)))
    if naive:
        pred = clv.naive_holdout_prediction(cal)
        per = cal["monetary_value_cal"] if has_spend else 1.0
        manual[NAIVE] = (pred, pred * per)
    for name, (pred_n, pred_v) in manual.items():
        row = {
            f"purchases_{k}": v
            for k, v in clv_evaluation.prediction_errors(pred_n, cal["frequency_holdout"]).items()
        }
        row |= {f"spend_{k}": v for k, v in clv_evaluation.prediction_errors(pred_v, value).items()}
        row |= {
            "gini": clv_evaluation.gini(pred_v, value),
            "gini_normalized": clv_evaluation.gini_normalized(pred_v, value),
            "purchases_predicted": float(pred_n.sum()),
            "purchases_actual": float(cal["frequency_holdout"].sum()),
            "spend_predicted": float(pred_v.sum()),
            "spend_actual": float(value.sum()),
        }
        rows[name] = pd.Series(row)
        deciles[name] = clv_evaluation._deciles(pred_n, cal["frequency_holdout"], pred_v, value, 10)
    table = pd.DataFrame(rows).T
    table.index.name = "model"
    dec = pd.concat(deciles, names=["model"])
    if has_spend:
        table[list(MONEY_COLUMNS)] = table[list(MONEY_COLUMNS)] * money_scale
        dec[["spend_predicted", "spend_actual"]] *= money_scale
    else:
        table = table.drop(columns=[c for c in table if c.startswith("spend_")])
        dec = dec.drop(columns=["spend_predicted", "spend_actual"])
    table.attrs["value_of"] = "spend" if has_spend else "purchases"
    return clv_evaluation.HoldoutEvaluation(table, dec)


def best_by_mae(table: pd.DataFrame) -> str:
    """The model (not the naive baseline) with the smallest holdout purchases MAE."""
    return str(table.drop(index=NAIVE, errors="ignore")["purchases_mae"].astype(float).idxmin())


def calibration_spend(
    cal: pd.DataFrame, money_scale: float, penalizer: float = 0.0
) -> tuple[pd.DataFrame, clv.SpendModel | None]:
    """``cal`` with ``monetary_value_cal`` divided by ``money_scale`` and the Gamma-Gamma fitted
    on its repeat customers (None without amounts or without a repeat customer with a positive
    amount)."""
    if "monetary_value_cal" not in cal:
        return cal, None
    cal = cal.assign(monetary_value_cal=cal["monetary_value_cal"] / money_scale)
    s = rfm.calibration_summary(cal)
    if not ((s["frequency"] > 0) & (s["monetary_value"] > 0)).any():
        return cal, None
    return cal, clv.fit_gamma_gamma(s, penalizer=penalizer)


def holdout_display(table: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """:func:`evaluate_models`' table with the columns a report shows, named for readers
    (errors per customer; total error as a fraction; money in ``currency``)."""
    names = {
        "purchases_mae": "purchases MAE",
        "purchases_rmse": "purchases RMSE",
        "purchases_bias": "purchases bias",
        "purchases_total_error": "purchases total error",
        "spend_mae": f"spend MAE ({currency})",
        "spend_rmse": f"spend RMSE ({currency})",
        "spend_bias": f"spend bias ({currency})",
        "spend_total_error": "spend total error",
        "gini": "Gini",
        "gini_normalized": "Gini / best possible",
    }
    return table[[c for c in names if c in table.columns]].astype(float).rename(columns=names)


# ------------------------------------------------------------------------------------------------
# conclusions


def _value_text(v: float, currency: str | None) -> str:
    return clv_views.format_money(v, currency) if currency else f"{v:,.1f} purchases"


def conclusions_markdown(facts: dict) -> str:
    """:func:`crm_research.clv_views.conclusions_markdown` of ``facts`` with the parts of this
    module inserted before the closing action line (a missing or None entry leaves its part out):

    ``holdout_best`` (model name), ``holdout_gini``, ``holdout_gini_normalized``,
    ``holdout_spend_error`` (total error fraction; absent without amounts) and
    ``holdout_value_of`` ("spend" or "purchases"); ``covariate_sentences`` (list),
    ``covariate_lr`` (sentence) or ``covariates_problem`` (why not); ``interval_top`` (dict:
    ``mean``, ``lower``, ``upper`` of the top decile, ``level``, ``customers`` sampled,
    ``currency`` or None); ``coverage_plain``, ``coverage_jittered`` (fractions), ``level``."""
    f = {k: v for k, v in facts.items() if v is not None}
    lines = clv_views.conclusions_markdown(facts).split("\n") if facts else []
    extra = []
    if "holdout_gini" in f:
        of = f.get("holdout_value_of", "spend")
        what = "spend" if of == "spend" else "purchases (no amounts in the data)"
        e = f.get("holdout_spend_error")
        err = (
            ""
            if e is None
            else f" and forecast the total holdout spend {abs(e):.0%} too {'low' if e < 0 else 'high'}"
        )
        extra.append(
            f"Ranking customers by {f['holdout_best']}'s forecast from the calibration period "
            f"sorted realised holdout {what} with a Gini of {f['holdout_gini']:.2f} "
            f"({f['holdout_gini_normalized']:.0%} of the best possible ranking){err}."
        )
    if "covariate_sentences" in f:
        extra.append(" ".join(f["covariate_sentences"] + [f.get("covariate_lr", "")]).strip())
    elif "covariates_problem" in f:
        problem = f["covariates_problem"]
        extra.append(f"Effects of customer characteristics: {problem[:1].lower()}{problem[1:]}")
    if "interval_top" in f:
        it = f["interval_top"]
        what = "discounted value" if it.get("currency") else "purchases"
        extra.append(
            f"Single customers' forecasts are uncertain: for the top 10% of the "
            f"{it['customers']:,} customers simulated, the {it['level']:.0%} interval of the next "
            f"{f.get('horizon_weeks', 52):g} weeks' "
            f"{what} runs on average from {_value_text(it['lower'], it.get('currency'))} to "
            f"{_value_text(it['upper'], it.get('currency'))} around "
            f"{_value_text(it['mean'], it.get('currency'))}. Decide on groups and rankings, "
            "not on one customer's point forecast."
        )
    if "coverage_plain" in f:
        lv = f.get("level", 0.9)
        extra.append(
            f"The {lv:.0%} intervals of holdout purchases held {f['coverage_plain']:.0%} of the "
            f"customers' realised counts ({f['coverage_jittered']:.0%} with counts made "
            f"continuous, where {lv:.0%} is exactly right): "
            + (
                "the stated uncertainty is honest."
                if abs(f["coverage_jittered"] - lv) <= 0.05
                else "treat the stated uncertainty with care."
            )
        )
    extra = [f"* {e}" for e in extra]
    at = next((i for i, ln in enumerate(lines) if ln.startswith("* Action:")), len(lines))
    return "\n".join(lines[:at] + extra + lines[at:])


def value_facts(
    *,
    holdout: clv_evaluation.HoldoutEvaluation | None = None,
    intervals: pd.DataFrame | None = None,
    value_col: str = "clv",
    currency: str | None = None,
    coverage: pd.DataFrame | None = None,
    effects: CovariateEffects | None = None,
    covariates_problem: str | None = None,
) -> dict:
    """The facts :func:`conclusions_markdown` reads, from this module's results (None = that
    part did not run). The holdout facts also fill ``best_model``, ``best_mae`` and
    ``naive_mae`` of :func:`crm_research.clv_views.conclusions_markdown`."""
    f: dict = {"covariates_problem": covariates_problem}
    if holdout is not None:
        t = holdout.table.astype(float)
        best = best_by_mae(holdout.table)
        f |= {
            "best_model": best,
            "best_mae": t.loc[best, "purchases_mae"],
            "naive_mae": t.loc[NAIVE, "purchases_mae"] if NAIVE in t.index else None,
            "holdout_best": best,
            "holdout_gini": t.loc[best, "gini"],
            "holdout_gini_normalized": t.loc[best, "gini_normalized"],
            "holdout_spend_error": t.loc[best].get("spend_total_error"),
            "holdout_value_of": holdout.table.attrs.get("value_of", "spend"),
        }
    if intervals is not None and len(intervals) >= 10:
        top = interval_summary(intervals, value_col).iloc[0]
        f["interval_top"] = {
            "mean": top[f"mean {value_col}"],
            "lower": top["mean lower"],
            "upper": top["mean upper"],
            "level": 0.9,
            "customers": int(len(intervals)),
            "currency": currency if value_col == "clv" else None,
        }
    if coverage is not None:
        f |= {
            "coverage_plain": coverage.loc["holdout purchases", "coverage"],
            "coverage_jittered": coverage.loc["holdout purchases (jittered)", "coverage"],
            "level": coverage.loc["holdout purchases", "level"],
        }
    if effects is not None:
        f |= {
            "covariate_sentences": effect_sentences(effects, limit=3),
            "covariate_lr": lr_sentence(effects),
        }
    return f
