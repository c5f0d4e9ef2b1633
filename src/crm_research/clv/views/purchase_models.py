"""Purchase models on the calibration period, checked on the holdout: BG/NBD, Pareto/NBD and
MBG/NBD fitted (:func:`fit_purchase_models`), their parameters (:func:`parameter_table`), holdout
predictions against the naive baseline (:func:`holdout_predictions`, :func:`best_model`) and the
tracking table of cumulative repeat purchases (:func:`tracking_table`). Time unit: weeks.
"""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd

from crm_research.clv import fit_checks, sampling
from crm_research.clv import models as btyd
from crm_research.clv.views.window import WEEK


def fit_purchase_models(
    summary: pd.DataFrame,
    models: tuple[str, ...] = ("bgnbd", "pareto", "mbgnbd"),
    penalizer: float = 0.0,
    fit_customers: int | None = sampling.FIT_SAMPLE,
    fit_seed: int = sampling.FIT_SEED,
    pareto_customers: int | None = sampling.PARETO_FIT_SAMPLE,
) -> tuple[dict[str, btyd.BTYDModel], list[str]]:
    """Fit each purchase model on a BTYD summary. Returns the fits that converged (by model key)
    and notes: first that the models were fitted on a seeded sample of ``fit_customers``
    customers when the summary has more (:func:`crm_research.clv.sampling.fit_sample`; every
    customer is still scored), Pareto/NBD on at most ``pareto_customers`` (its likelihood, a
    hypergeometric function, costs far more per customer), then one per model that did not
    converge."""
    fitted = sampling.fit_sample(summary, fit_customers, fit_seed)
    note = sampling.sample_note(len(fitted), len(summary), fit_seed)
    fits, notes = {}, [note] if note else []
    for m in models:
        rows = fitted
        if m == "pareto" and pareto_customers is not None and len(fitted) > pareto_customers:
            rows = sampling.fit_sample(summary, pareto_customers, fit_seed)
            notes.append(
                f"Pareto/NBD: {sampling.sample_note(len(rows), len(summary), fit_seed, what='')}"
            )
        try:
            fits[m] = btyd.fit_btyd(rows, m, penalizer=penalizer)
        except (RuntimeError, ValueError, np.linalg.LinAlgError) as e:
            notes.append(f"{btyd.MODEL_LABELS[m]} did not converge on these data ({e}).")
    return fits, notes


def parameter_table(models: dict[str, btyd.BTYDModel]) -> pd.DataFrame:
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
    models: dict[str, btyd.BTYDModel], cal: pd.DataFrame
) -> dict[str, pd.Series]:
    """Predicted holdout purchases per customer: the naive baseline (past repeat rate carried
    forward) first, then each model."""
    preds = {"naive (past rate)": fit_checks.naive_holdout_prediction(cal)}
    return preds | {fit.label: fit_checks.holdout_predictions(fit, cal) for fit in models.values()}


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
    models: dict[str, btyd.BTYDModel],
    days: pd.DataFrame | tuple[pd.Series, pd.Series],
    window: dict,
) -> pd.DataFrame:
    """Cumulative repeat purchases per week since the first purchase in the data, actual and
    forecast by each model (:func:`crm_research.clv.tracking`); ``attrs['calibration_week']`` is
    the last calibration week. ``days``: :func:`purchase_days` or, the same aggregated in the
    database, :func:`purchase_day_counts`."""
    start = window["first_purchase"]
    periods = math.ceil(((window["observation_end"] - start).days + 1) / WEEK)
    out = None
    for fit in models.values():
        if isinstance(days, pd.DataFrame):
            t = fit_checks.tracking(fit, days, start=start, periods=periods, period_days=WEEK)
        else:
            t = fit_checks.tracking_from_counts(
                fit, *days, start=start, periods=periods, period_days=WEEK
            )
        out = (
            t.rename(columns={"predicted": fit.label})
            if out is None
            else out.join(t[["predicted"]].rename(columns={"predicted": fit.label}))
        )
    out.attrs["calibration_week"] = ((window["calibration_end"] - start).days + 1) / WEEK
    return out


def purchase_day_counts(con, end: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """What :func:`tracking_table` needs of :func:`purchase_days`, aggregated in the database
    (a few thousand rows instead of every purchase day): repeat purchase days (after each
    customer's first) per date, and each customer's first purchase date, in customer order."""
    t = con.table("transactions")
    d = t.ordered_at.cast("timestamp").date()
    days = t.filter(d <= pd.Timestamp(end).date()).select(customer_id=t.customer_id, date=d)
    days = days.distinct()
    first = days.group_by("customer_id").aggregate(first=days.date.min())
    both = days.join(first, "customer_id")
    repeat = both.filter(both.date > both.first).group_by("date").aggregate(n=ibis._.count())
    rep = repeat.to_pandas()
    births = first.order_by("customer_id").to_pandas()
    repeats = pd.Series(rep["n"].to_numpy(), index=pd.to_datetime(rep["date"]))
    return repeats, pd.to_datetime(births["first"]).set_axis(births["customer_id"])
