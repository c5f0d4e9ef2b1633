"""Scoring every customer with fitted models: in pandas chunks (:func:`score`), from Parquet to
Parquet (:func:`score_parquet`) or on Spark (:func:`score_spark`), and the one-call per-customer
value table of a transaction log (:func:`clv_table`).

Scores: ``p_alive``, ``expected_purchases`` in the horizon, ``expected_spend`` per purchase and
discounted ``clv`` (money unit of the summary); time in the summary's unit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crm_research import rfm
from crm_research.clv import formulas, sampling
from crm_research.clv.models import (
    BTYDModel,
    SpendModel,
    _fitter_class,
    _history,
    discounted_clv,
    fit_btyd,
    fit_gamma_gamma,
)

SCORE_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "clv")


def score(
    model: BTYDModel,
    spend: SpendModel,
    summary: pd.DataFrame,
    *,
    horizon: float,
    steps: int = 12,
    discount_rate: float = 0.01,
) -> pd.DataFrame:
    """Per-customer scores from fitted models: ``p_alive``, ``expected_purchases`` in the next
    ``horizon`` periods, ``expected_spend`` (per purchase) and discounted ``clv`` (money unit of
    the summary; see :func:`discounted_clv`). Each row depends on its own row only, so any split
    of ``summary`` into chunks gives the same scores. BG/NBD and Pareto/NBD share their terms
    across the horizon's steps and evaluate ``hyp2f1`` once per distinct input
    (:func:`crm_research.clv.formulas.purchase_scores`); MBG/NBD goes through lifetimes
    (:func:`score_lifetimes`)."""
    if model.model not in formulas.MODELS:
        return score_lifetimes(
            model, spend, summary, horizon=horizon, steps=steps, discount_rate=discount_rate
        )
    sc = formulas.purchase_scores(
        model.model,
        model.params,
        *_history(summary),
        horizon=horizon,
        steps=steps,
        discount_rate=discount_rate,
    )
    return formulas.value_frame(sc, spend.expected_spend(summary).to_numpy(), summary.index)


def score_lifetimes(
    model: BTYDModel,
    spend: SpendModel,
    summary: pd.DataFrame,
    *,
    horizon: float,
    steps: int = 12,
    discount_rate: float = 0.01,
) -> pd.DataFrame:
    """:func:`score` as it was before issue 20, through lifetimes' methods one horizon step at a
    time: the reference the fast path is tested and benchmarked against."""
    f = model.fitter
    x, tx, T = (summary[c] for c in ("frequency", "recency", "T"))
    edges = np.linspace(0, horizon, steps + 1)
    cum = [np.zeros(len(summary))]
    cum += [
        np.asarray(
            f.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T), dtype="float64"
        )
        for t in edges[1:]
    ]
    disc = (1 + discount_rate) ** -np.arange(1, steps + 1)
    value = np.asarray(
        spend.fitter.conditional_expected_average_profit(x, summary["monetary_value"]),
        dtype="float64",
    )
    return pd.DataFrame(
        {
            "p_alive": np.clip(
                np.asarray(f.conditional_probability_alive(x, tx, T), dtype="float64"), 0, 1
            ),
            "expected_purchases": cum[-1],
            "expected_spend": value,
            "clv": np.diff(np.column_stack(cum), axis=1) @ disc * value,
        },
        index=summary.index,
    )


def score_parquet(
    model: BTYDModel,
    spend: SpendModel,
    source: str | Path,
    destination: str | Path,
    *,
    customer_col: str = "customer_id",
    chunk_rows: int = 1_000_000,
    **kwargs,
) -> int:
    """Score a per-customer summary stored as Parquet in chunks of ``chunk_rows`` and write the
    scores (``customer_col`` + :data:`SCORE_COLUMNS`) to ``destination``; memory is bounded by
    the chunk, not the file. Returns the number of customers scored. ``kwargs``: see
    :func:`score`."""
    import pyarrow as pa  # Parquet only
    import pyarrow.parquet as pq  # Parquet only

    cols = [customer_col, "frequency", "recency", "T", "monetary_value"]
    n, writer = 0, None
    try:
        for batch in pq.ParquetFile(source).iter_batches(batch_size=chunk_rows, columns=cols):
            chunk = batch.to_pandas().set_index(customer_col)
            out = pa.Table.from_pandas(
                score(model, spend, chunk, **kwargs).reset_index(), preserve_index=False
            )
            writer = writer or pq.ParquetWriter(destination, out.schema)
            writer.write_table(out)
            n += len(chunk)
    finally:
        if writer is not None:
            writer.close()
    return n


def _rebuilt(model: str, params: dict[str, float], spend_params: dict[str, float]):
    """Light fitted models from parameters alone (what executors need; no training data)."""
    from lifetimes import GammaGammaFitter  # slow import

    fitter = _fitter_class(model)()
    fitter.params_ = pd.Series(params)
    gg = GammaGammaFitter()
    gg.params_ = pd.Series(
        {"p": spend_params["p"], "q": spend_params["q"], "v": spend_params["gamma"]}
    )
    nan = pd.Series(np.nan, index=list(params))
    return (
        BTYDModel(model, fitter, pd.Series(params), nan, 0, np.nan),
        SpendModel(gg, pd.Series(spend_params), nan, 0),
    )


def score_spark(
    model: BTYDModel,
    spend: SpendModel,
    summary,
    *,
    customer_col: str = "customer_id",
    **kwargs,
):
    """Score a Spark DataFrame summary on the executors with ``mapInPandas``: only the fitted
    parameters travel (a few numbers), each partition is scored by :func:`score` in pandas.
    Returns a Spark DataFrame with ``customer_col`` + :data:`SCORE_COLUMNS`."""
    name, params, sp = model.model, model.params.to_dict(), spend.params.to_dict()
    key_type = summary.schema[customer_col].dataType.simpleString()
    schema = f"{customer_col} {key_type}, " + ", ".join(f"{c} double" for c in SCORE_COLUMNS)

    def scored(batches):
        bg, gg = _rebuilt(name, params, sp)
        for chunk in batches:
            chunk = chunk.set_index(customer_col)
            yield score(bg, gg, chunk, **kwargs).reset_index()

    cols = [customer_col, "frequency", "recency", "T", "monetary_value"]
    return summary.select(*cols).mapInPandas(scored, schema=schema)


def clv_table(
    transactions,
    *,
    observation_end: str | pd.Timestamp,
    customer_col: str = "customer_id",
    datetime_col: str = "ordered_at",
    monetary_col: str = "amount",
    money_scale: float = 1.0,
    horizon_weeks: float = 52,
    discount_rate_monthly: float = 0.01,
    penalizer: float = 0.0,
    fit_customers: int | None = sampling.FIT_SAMPLE,
    fit_seed: int = sampling.FIT_SEED,
) -> pd.DataFrame:
    """BG/NBD + Gamma-Gamma per customer at ``observation_end`` (weekly time unit).

    ``money_scale`` divides amounts before fitting (e.g. 1000 for won, keeping the spend model
    well conditioned) and multiplies CLV back. Columns: ``p_alive``, ``expected_purchases`` (in
    the horizon), ``expected_spend``, ``clv`` (discounted, in the input's money unit) and
    ``value_if_alive`` (undiscounted value of the horizon if the customer stays: posterior mean
    purchase rate × horizon × expected spend; the value a retention offer can save).

    With more than ``fit_customers`` customers both models are fitted on a seeded random sample
    of them (:func:`crm_research.clv.sampling.fit_sample`, ``fit_seed``) and every customer is
    scored; ``attrs['fit_note']`` says so in one line (None when every customer was fitted on).
    """

    s = rfm.btyd_summary(
        transactions,
        customer_col=customer_col,
        datetime_col=datetime_col,
        monetary_col=monetary_col,
        observation_end=observation_end,
        freq="D",
        freq_multiplier=7,
    )
    s["monetary_value"] = s["monetary_value"] / money_scale
    fitted = sampling.fit_sample(s, fit_customers, fit_seed)
    bg = fit_btyd(fitted, "bgnbd", penalizer=penalizer)
    gg = fit_gamma_gamma(fitted, penalizer=penalizer)
    r, a = bg.params["r"], bg.params["alpha"]
    rate_if_alive = (r + s["frequency"]) / (a + s["T"])  # posterior mean purchases per week
    out = pd.DataFrame(
        {
            "value_if_alive": gg.expected_spend(s) * money_scale * rate_if_alive * horizon_weeks,
            "p_alive": bg.p_alive(s),
            "expected_purchases": bg.expected_purchases(horizon_weeks, s),
            "expected_spend": gg.expected_spend(s) * money_scale,
            "clv": discounted_clv(
                bg, gg, s, horizon=horizon_weeks, steps=12, discount_rate=discount_rate_monthly
            )
            * money_scale,
        }
    )
    out.attrs["fit_note"] = sampling.sample_note(len(fitted), len(s), fit_seed)
    return out
