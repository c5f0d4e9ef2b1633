"""Customer lifetime value on a dataset's customer database: the views of notebook 02.

Everything takes the customer database (an Ibis connection from
:func:`crm_research.data.datasets.connect`) or frames derived from it, so the same analysis runs
on the simulated retailer, CDNOW and an analyst's own exports:

* :func:`analysis_window` — observation end, calibration/holdout split derived from the data's
  period; :func:`calibration_data`, :func:`split_problem`.
* :func:`fit_purchase_models`, :func:`parameter_table`, :func:`holdout_predictions`,
  :func:`tracking_table` — BG/NBD, Pareto/NBD and MBG/NBD fitted on the calibration period and
  checked on the holdout (lifetimes' fitters through :mod:`crm_research.clv`).
* :func:`customer_value` — refitted on all data: P(alive), expected purchases and, only when the
  data have amounts, Gamma-Gamma spend and discounted CLV in the dataset's currency;
  :func:`by_decile`, :func:`by_segment`.
* :func:`truth_targets`, :func:`truth_scores`, :func:`p_alive_reliability`,
  :func:`deciles_vs_truth` — scoring against the simulator's truth (simulated data only).
* :func:`conclusions_markdown` — the managers' conclusions from the computed facts.

Time unit of every BTYD summary here: weeks (days / 7).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_research import clv, rfm

WEEK = 7  # days per time unit of the BTYD summaries
LONG_HISTORY_DAYS = 730  # data spanning at least this get the fixed holdout
DEFAULT_HOLDOUT_DAYS = 182
# column names of the value tables (by_decile, by_segment, interval summaries) for readers
READABLE = {"mean clv": "mean CLV", "mean expected_purchases": "mean expected purchases"}


# ------------------------------------------------------------------------------------------------
# the analysis window


def observation_end(info: dict, as_of: str | pd.Timestamp | None = None) -> pd.Timestamp:
    """The last day analysed (midnight of that day). ``as_of`` (a date, or the runner's
    'YYYY-MM-DD 23:59:59') counts its whole day; without it the data's export time is used, and an
    export taken at midnight ends the day before."""
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    t = pd.Timestamp(info["export_time"])
    return (t - pd.Timedelta(seconds=1)).normalize() if t == t.normalize() else t.normalize()


def analysis_window(
    info: dict, as_of: str | pd.Timestamp | None = None, holdout_days: int | None = None
) -> dict:
    """Observation end and calibration/holdout split of a dataset (``info`` =
    ``datasets.info(con)``).

    The holdout is the last ``holdout_days`` days before the observation end; the calibration
    period ends at the month end before that. ``holdout_days`` None derives it from the data's
    period: half of it when the data span less than two years (the classic equal split of
    cohort studies: CDNOW gives 1997-09-30 / 1998-06-30, weeks 39/78), else 182 days.
    Returns ``first_purchase``, ``calibration_end``, ``observation_end`` (Timestamps),
    ``holdout_days`` (the actual holdout length in days) and ``feasible`` (calibration ends after
    the first purchase)."""
    end = observation_end(info, as_of)
    first = pd.Timestamp(info["first_purchase"]).normalize()
    span = (end - first).days
    if holdout_days is None:
        holdout_days = span // 2 if span < LONG_HISTORY_DAYS else DEFAULT_HOLDOUT_DAYS
    cal_end = pd.offsets.MonthEnd().rollback(end - pd.Timedelta(days=int(holdout_days)))
    return {
        "first_purchase": first,
        "calibration_end": cal_end,
        "observation_end": end,
        "holdout_days": int((end - cal_end).days),
        "feasible": bool(cal_end > first and end > cal_end),
    }


def calibration_data(con, window: dict) -> pd.DataFrame:
    """:func:`crm_research.rfm.calibration_holdout` of the database's transactions over the
    window (weeks; purchases on the same day are one purchase)."""
    return rfm.calibration_holdout(
        con.table("transactions"),
        calibration_end=f"{window['calibration_end']:%Y-%m-%d}",
        observation_end=f"{window['observation_end']:%Y-%m-%d}",
        freq="D",
        freq_multiplier=WEEK,
    )


def split_problem(window: dict, cal: pd.DataFrame | None = None) -> str | None:
    """Why the calibration/holdout check cannot run on these data (None when it can)."""
    if not window["feasible"]:
        return "a calibration period before the holdout (the data cover too short a period)"
    if cal is not None and len(cal) == 0:
        return "customers who bought before the calibration end"
    if cal is not None and not (cal["frequency_cal"] > 0).any():
        return "repeat purchases in the calibration period"
    return None


# ------------------------------------------------------------------------------------------------
# purchase models on the calibration period


def fit_purchase_models(
    summary: pd.DataFrame,
    models: tuple[str, ...] = ("bgnbd", "pareto", "mbgnbd"),
    penalizer: float = 0.0,
) -> tuple[dict[str, clv.BTYDModel], list[str]]:
    """Fit each purchase model on a BTYD summary. Returns the fits that converged (by model key)
    and one note per model that did not."""
    fits, notes = {}, []
    for m in models:
        try:
            fits[m] = clv.fit_btyd(summary, m, penalizer=penalizer)
        except (RuntimeError, ValueError, np.linalg.LinAlgError) as e:
            notes.append(f"{clv.MODEL_LABELS[m]} did not converge on these data ({e}).")
    return fits, notes


def parameter_table(models: dict[str, clv.BTYDModel]) -> pd.DataFrame:
    """One row per model and parameter: estimate, standard error and 95% Wald interval."""
    parts = []
    for fit in models.values():
        t = fit.table().rename(
            columns={"std_error": "std error", "ci_low": "95% low", "ci_high": "95% high"}
        )
        parts.append(t.rename_axis("parameter").reset_index().assign(model=fit.label))
    cols = ["model", "parameter", "estimate", "std error", "95% low", "95% high"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def holdout_predictions(
    models: dict[str, clv.BTYDModel], cal: pd.DataFrame
) -> dict[str, pd.Series]:
    """Predicted holdout purchases per customer: the naive baseline (past repeat rate carried
    forward) first, then each model."""
    preds = {"naive (past rate)": clv.naive_holdout_prediction(cal)}
    return preds | {fit.label: clv.holdout_predictions(fit, cal) for fit in models.values()}


def best_model(errors: pd.DataFrame, baseline: str = "naive (past rate)") -> str:
    """The model with the smallest holdout MAE in a :func:`crm_research.clv.error_table`."""
    return str(errors.drop(index=baseline, errors="ignore")["MAE"].idxmin())


def purchase_days(con, end: pd.Timestamp) -> pd.DataFrame:
    """Distinct purchase days per customer up to ``end`` (columns ``customer_id``, ``date``):
    what the tracking view needs, aggregated in the database."""
    t = con.table("transactions")
    d = t.ordered_at.cast("timestamp").date()
    days = t.filter(d <= pd.Timestamp(end).date()).select(customer_id=t.customer_id, date=d)
    out = days.distinct().to_pandas()
    out["date"] = pd.to_datetime(out["date"])
    return out


def tracking_table(
    models: dict[str, clv.BTYDModel], days: pd.DataFrame, window: dict
) -> pd.DataFrame:
    """Cumulative repeat purchases per week since the first purchase in the data, actual and
    forecast by each model (:func:`crm_research.clv.tracking`); ``attrs['calibration_week']`` is
    the last calibration week."""
    start = window["first_purchase"]
    periods = math.ceil(((window["observation_end"] - start).days + 1) / WEEK)
    out = None
    for fit in models.values():
        t = clv.tracking(fit, days, start=start, periods=periods, period_days=WEEK)
        out = (
            t.rename(columns={"predicted": fit.label})
            if out is None
            else out.join(t[["predicted"]].rename(columns={"predicted": fit.label}))
        )
    out.attrs["calibration_week"] = ((window["calibration_end"] - start).days + 1) / WEEK
    return out


# ------------------------------------------------------------------------------------------------
# value of every customer, refitted on all data


@dataclass
class CustomerValue:
    """Purchase (and spend) models fitted on all data up to the observation end, and per
    customer ``p_alive``, ``expected_purchases`` in the horizon and, with amounts,
    ``expected_spend`` per purchase and discounted ``clv`` (in ``currency``)."""

    summary: pd.DataFrame
    purchases: clv.BTYDModel
    spend: clv.SpendModel | None
    table: pd.DataFrame
    currency: str | None
    money_scale: float
    spend_check: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def value_col(self) -> str:
        """``clv`` with amounts, ``expected_purchases`` without."""
        return "clv" if "clv" in self.table.columns else "expected_purchases"


def customer_value(
    con,
    end: pd.Timestamp,
    *,
    currency: str | None,
    has_amount: bool,
    horizon_weeks: float = 52,
    discount_rate_monthly: float = 0.01,
    penalizer: float = 0.0,
) -> CustomerValue:
    """BG/NBD (and with amounts Gamma-Gamma) on every purchase up to ``end``, weekly.

    Amounts are divided by :func:`crm_research.reporting.kpi.money_scale` before the spend model is fitted
    and multiplied back, exactly as :func:`crm_research.clv.clv_table` (and the run KPIs) do, so
    the total CLV is the run's ``clv_12m_total``. Without amounts, or when no repeat customer has
    a positive amount, there is no spend model and no money column (a note says why)."""
    from crm_research.reporting import kpi

    scale = kpi.money_scale(currency or "")
    s = rfm.btyd_summary(
        con.table("transactions"),
        monetary_col="amount" if has_amount else None,
        observation_end=end,
        freq="D",
        freq_multiplier=WEEK,
    )
    bg = clv.fit_btyd(s, "bgnbd", penalizer=penalizer)
    table = pd.DataFrame(
        {"p_alive": bg.p_alive(s), "expected_purchases": bg.expected_purchases(horizon_weeks, s)}
    )
    out = CustomerValue(s, bg, None, table, currency if has_amount else None, scale)
    if not has_amount:
        return out
    s["monetary_value"] = s["monetary_value"].fillna(0.0) / scale
    if not ((s["frequency"] > 0) & (s["monetary_value"] > 0)).any():
        out.notes.append("No repeat customer has a positive amount: no spend model.")
        return out
    out.spend = clv.fit_gamma_gamma(s, penalizer=penalizer)
    out.spend_check = clv.spend_independence(s)
    table["expected_spend"] = out.spend.expected_spend(s) * scale
    table["clv"] = (
        clv.discounted_clv(
            bg, out.spend, s, horizon=horizon_weeks, steps=12, discount_rate=discount_rate_monthly
        )
        * scale
    )
    return out


def by_decile(table: pd.DataFrame, col: str) -> pd.DataFrame:
    """Customers in ten equal groups by ``col`` (decile 1 = the highest): customers, mean value,
    mean P(alive) and share of the total."""
    decile = pd.qcut(table[col].rank(method="first", ascending=False), 10, labels=range(1, 11))
    out = _grouped(table, col, decile)
    out.index.name = "decile"
    return out


def by_segment(table: pd.DataFrame, col: str, segment: pd.Series) -> pd.DataFrame:
    """Customers by segment (``segment``: name per customer, aligned on the index), most
    valuable per customer first: customers, mean value, mean P(alive) and share of the total."""
    seg = segment.reindex(table.index).fillna("(no segment)").astype(str)
    return _grouped(table, col, seg).sort_values(f"mean {col}", ascending=False)


def _grouped(table: pd.DataFrame, col: str, groups) -> pd.DataFrame:
    g = table.groupby(groups, observed=True)
    out = pd.DataFrame({"customers": g.size(), f"mean {col}": g[col].mean()})
    if "p_alive" in table.columns:
        out["mean P(alive)"] = g["p_alive"].mean()
    out["share of total"] = g[col].sum() / table[col].sum()
    return out


def format_money(value: float, currency: str) -> str:
    """A money total as a manager reads it: '4.45 billion KRW', '1.23 million USD', '950 USD'."""
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.2f} {word} {currency}"
    return f"{value:,.0f} {currency}"


# ------------------------------------------------------------------------------------------------
# scoring against the simulator's truth (simulated data only)


def truth_targets(con, cal: pd.DataFrame, calibration_end: str | pd.Timestamp) -> pd.DataFrame:
    """Per calibration customer: ``alive`` (truly alive the day after the calibration end) and
    ``true_expected`` holdout purchases given the simulator's true λ and p
    (:func:`crm_research.clv.bgnbd_expected_purchases_if_alive`; 0 when dead)."""
    from crm_research import integrate

    truth = integrate.customer_truth(con).reindex(cal.index)
    cut = pd.Timestamp(calibration_end) + pd.Timedelta(days=1)
    alive = truth["churned_at"].isna() | (truth["churned_at"] > cut)
    h_days = float(cal["duration_holdout"].iloc[0]) * WEEK
    lam, p = truth["lambda_per_day"], truth["p_dropout"]
    expected = np.where(alive, clv.bgnbd_expected_purchases_if_alive(lam, p, h_days), 0.0)
    return pd.DataFrame({"alive": alive.astype(bool), "true_expected": expected}, index=cal.index)


def truth_scores(
    models: dict[str, clv.BTYDModel], cal: pd.DataFrame, truth: pd.DataFrame
) -> pd.DataFrame:
    """Per model (and the naive baseline): P(alive) ROC AUC and Brier score against the true
    alive flag, correlation and MAE of predicted holdout purchases against the true expected
    purchases, and MAE against the actual holdout purchases."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    summary = rfm.calibration_summary(cal)
    actual, true_exp = cal["frequency_holdout"], truth["true_expected"]
    both = truth["alive"].nunique() == 2
    rows = {}
    for name, pred in holdout_predictions(models, cal).items():
        row = {}
        fit = next((f for f in models.values() if f.label == name), None)
        if fit is not None and both:
            pa = fit.p_alive(summary)
            row["P(alive) ROC AUC vs true alive"] = roc_auc_score(truth["alive"], pa)
            row["P(alive) Brier score"] = brier_score_loss(truth["alive"], pa)
        row["corr(predicted, true expected purchases)"] = np.corrcoef(pred, true_exp)[0, 1]
        row["MAE vs true expected purchases"] = np.abs(pred - true_exp).mean()
        row["MAE vs actual holdout purchases"] = np.abs(pred - actual).mean()
        rows[name] = row
    cols = [
        "P(alive) ROC AUC vs true alive",
        "P(alive) Brier score",
        "corr(predicted, true expected purchases)",
        "MAE vs true expected purchases",
        "MAE vs actual holdout purchases",
    ]
    out = pd.DataFrame(rows).T.reindex(columns=cols)
    models_first = [n for n in out.index if n != "naive (past rate)"] + ["naive (past rate)"]
    return out.loc[models_first]


def p_alive_reliability(p_alive: pd.Series, alive: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Mean predicted P(alive) and share truly alive per bin of predicted P(alive)."""
    b = pd.cut(p_alive, np.linspace(0, 1, bins + 1), include_lowest=True)
    df = pd.DataFrame({"predicted": p_alive, "true": alive.astype(float)})
    return df.groupby(b, observed=True).mean()


def deciles_vs_truth(pred: pd.Series, truth: pd.DataFrame, actual: pd.Series) -> pd.DataFrame:
    """Mean predicted, true expected and actual holdout purchases per decile of the prediction
    (decile 10 = highest)."""
    dec = pd.qcut(pred.rank(method="first"), 10, labels=range(1, 11))
    df = pd.DataFrame(
        {"predicted": pred, "true expected": truth["true_expected"], "actual": actual}
    )
    out = df.groupby(dec, observed=True).mean()
    out.index.name = "decile of predicted purchases"
    return out


# ------------------------------------------------------------------------------------------------
# conclusions


def conclusions_markdown(facts: dict) -> str:
    """The managers' conclusions of notebook 02 from the computed ``facts`` (a missing or None
    entry means that part could not be computed on these data):

    ``top20_share`` and ``concentration_of`` ('revenue' or 'purchases'); ``best_model``,
    ``best_mae``, ``naive_mae``, ``holdout_days``, or ``holdout_problem`` (why not);
    ``auc_truth``; ``total_value``, ``currency``, ``horizon_weeks``, ``top10_value_share``,
    ``expected_purchases`` (total, when there is no money value); ``best_segment``;
    ``repeat`` (False when no customer bought twice)."""
    f = {k: v for k, v in facts.items() if v is not None}
    h = f.get("horizon_weeks", 52)
    out = []
    if "top20_share" in f:
        of = f.get("concentration_of", "revenue")
        extra = "" if of == "revenue" else " (the data have no amounts, so purchases are counted)"
        out.append(
            f"Value is concentrated: the top 20% of customers made {f['top20_share']:.0%} "
            f"of all {of}{extra}."
        )
    if not f.get("repeat", True):
        out.append(
            "No customer bought twice, so no purchase model can be fitted: forecasts, P(alive) "
            "and CLV need repeat purchases. Use the RFM segments until the data hold repeat "
            "buyers."
        )
    elif "best_mae" in f:
        verdict = "better than" if f["best_mae"] < f["naive_mae"] else "no better than"
        out.append(
            f"The forecasts were checked on the last {f['holdout_days']} days, held out: "
            f"{f['best_model']} predicted each customer's purchases with an average error of "
            f"{f['best_mae']:.2f} purchases, {verdict} carrying past behaviour forward "
            f"({f['naive_mae']:.2f})."
        )
    elif "holdout_problem" in f:
        out.append(
            f"The forecasts could not be checked on held-out data: it needs {f['holdout_problem']}."
        )
    if "auc_truth" in f:
        out.append(
            "On the simulated customers, whose truth is known, P(alive) separates customers "
            f"still active from those who have left with ROC AUC {f['auc_truth']:.2f}."
        )
    top10 = f.get("top10_value_share")
    if "total_value" in f and "currency" in f:
        share = "" if top10 is None else f" The top 10% of customers hold {top10:.0%} of it."
        out.append(
            f"Expected value of today's customers over the next {h:g} weeks (discounted): "
            f"{format_money(f['total_value'], f['currency'])}.{share}"
        )
    elif "expected_purchases" in f:
        share = "" if top10 is None else f"; the top 10% of customers account for {top10:.0%}"
        out.append(
            "The data have no amounts, so value is counted in purchases: "
            f"{f['expected_purchases']:,.0f} purchases are expected in the next {h:g} weeks"
            f"{share}. A money CLV needs an amount column."
        )
    if "best_segment" in f:
        out.append(f'"{f["best_segment"]}" customers are worth the most each.')
    if f.get("repeat", True) and ("total_value" in f or "expected_purchases" in f):
        out.append(
            "Action: protect the top deciles with service and loyalty benefits; do not spend "
            "retention money on customers whose P(alive) is already near zero; use the segment "
            "table to plan the offers of notebook 03."
        )
    return "\n".join(f"* {line}" for line in out)
