"""The same relational pipeline on DuckDB and on Spark (local[2]): identical results.

Marked ``spark`` (run alone with ``pytest -m spark``); needs the ``spark`` extra, which
``make test`` installs, and Java 17.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research import churn, integrate, rfm, segment
from crm_research.data import engine

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark

AS_OF = "2026-01-01"


@pytest.fixture(scope="module")
def cons(small_world_db, tmp_path_factory):
    mp = pytest.MonkeyPatch()  # the Spark warehouse folder goes under a temporary data dir
    mp.setenv("CRM_RESEARCH_DATA_DIR", str(tmp_path_factory.mktemp("sparkdata")))
    duck = engine.connect(small_world_db, read_only=True)
    spark = engine.connect(backend="pyspark")
    engine.copy_tables(duck, spark)
    yield duck, spark
    duck.disconnect()
    mp.undo()


def same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str] | None = None) -> None:
    """Equal up to row order and dtype width (Spark returns int32 where DuckDB gives int64)."""
    if keys is not None:
        a, b = (x.sort_values(keys, ignore_index=True) for x in (a, b))
    for x in (a, b):  # DuckDB returns microsecond, Spark nanosecond timestamps
        for c in x.columns[x.dtypes.map(pd.api.types.is_datetime64_any_dtype)]:
            x[c] = x[c].astype("datetime64[ns]")
    assert len(a) > 0 and list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-9, atol=1e-9)


def test_backend_is_chosen_by_argument_or_environment(monkeypatch):
    assert engine.backend_name() == "duckdb"
    monkeypatch.setenv("CRM_RESEARCH_BACKEND", "pyspark")
    assert engine.backend_name() == "pyspark"
    with pytest.raises(ValueError, match="unknown backend 'oracle': choose one of duckdb, pyspark"):
        engine.backend_name("oracle")


def test_validation_counts(cons):
    duck, spark = cons
    same(
        integrate.validation_counts(duck).to_pandas(),
        integrate.validation_counts(spark).to_pandas(),
        ["table", "reason_kind"],
    )


@pytest.mark.parametrize("name", ["transactions", "touchpoints", "customers"])
def test_unification(cons, name):
    duck, spark = cons
    a = integrate.link_sources(duck)[name].to_pandas()
    b = integrate.link_sources(spark)[name].to_pandas()
    same(a, b, list(a.columns))


@pytest.mark.parametrize("freq,mult", [("D", 1), ("D", 7), ("W", 1)])
def test_btyd_summary(cons, freq, mult):
    duck, spark = cons
    kw = dict(monetary_col="amount", observation_end="2025-12-31", freq=freq, freq_multiplier=mult)
    same(
        rfm.btyd_summary(duck.table("transactions"), **kw),
        rfm.btyd_summary(spark.table("transactions"), **kw),
    )


def test_calibration_holdout(cons):
    duck, spark = cons
    kw = dict(monetary_col="amount", calibration_end="2025-06-30", observation_end="2025-12-31")
    same(
        rfm.calibration_holdout(duck.table("transactions"), **kw),
        rfm.calibration_holdout(spark.table("transactions"), **kw),
    )


def test_feature_tables(cons):
    duck, spark = cons
    same(segment.customer_features(duck, AS_OF), segment.customer_features(spark, AS_OF))
    tx = {c: c.table("transactions") for c in (duck, spark)}
    tp = {c: c.table("touchpoints") for c in (duck, spark)}
    same(*(churn.churn_features(tx[c], "2025-09-30", touchpoints=tp[c]) for c in (duck, spark)))
    same(
        *(
            churn.churn_labels(tx[c], "2025-09-30", horizon_days=90).to_frame()
            for c in (duck, spark)
        )
    )


def test_splink_on_spark_gives_the_same_clusters(small_world, small_world_folder):
    """A model trained on DuckDB predicts on Spark: the same pairs, probabilities and clusters
    (records of 300 people), with the engine-independent name edit."""
    from crm_research.data.reader import validate_folder

    rec = integrate.identity_records(validate_folder(small_world_folder, as_of=small_world.as_of))
    truth = small_world.truth_records.set_index(["source", "record_id"])["person_id"]
    person = truth.reindex(pd.MultiIndex.from_frame(rec[["source", "record_id"]])).to_numpy()
    rec = rec[person <= 300].reset_index(drop=True)
    a = integrate.resolve_identities(rec, backend="duckdb", name_edit="characters")
    b = integrate.resolve_identities(rec, backend="spark", model=a.model, name_edit="characters")
    assert a.n_pairs_scored == b.n_pairs_scored > 0
    assert a.n_probabilistic_links == b.n_probabilistic_links > 0
    pd.testing.assert_series_equal(a.match_probabilities, b.match_probabilities, rtol=1e-9)
    pd.testing.assert_frame_equal(a.clusters, b.clusters)
    assert a.clusters["customer_id"].nunique() < len(rec)  # records were merged


def test_sql_levenshtein_differs_between_engines_on_hangul():
    """Why ``name_edit="characters"``: DuckDB's levenshtein counts UTF-8 bytes, Spark characters."""
    import duckdb

    spark = engine.spark_session()
    assert duckdb.sql("select levenshtein('김민수', '김민서')").fetchone()[0] == 2
    assert spark.sql("select levenshtein('김민수', '김민서')").collect()[0][0] == 1
    assert "김민*" in set(integrate.one_edit_keys("김민수")) & set(
        integrate.one_edit_keys("김민서")
    )


def test_scoring_with_map_in_pandas(cons):
    """Scores computed on the executors (mapInPandas, parameters only shipped) equal pandas'."""
    from crm_research import clv

    duck, spark = cons
    kw = dict(monetary_col="amount", observation_end="2025-12-31", freq="D", freq_multiplier=7)
    summary = rfm.btyd_summary(duck.table("transactions"), **kw)
    summary["monetary_value"] /= 1000
    bg, gg = clv.fit_btyd(summary, "bgnbd"), clv.fit_gamma_gamma(summary)
    expr = rfm.btyd_summary_expr(spark.table("transactions"), **kw)
    sdf = engine.to_spark_dataframe(spark, expr.mutate(monetary_value=expr.monetary_value / 1000))
    got = clv.score_spark(bg, gg, sdf, horizon=52).toPandas().set_index("customer_id").sort_index()
    same(got, clv.score(bg, gg, summary, horizon=52))
