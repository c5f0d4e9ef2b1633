"""Notebook 02's views beyond the anchors: covariates from the customer database, covariate
effects (a planted effect is recovered), intervals summarised without ids and their holdout
coverage, the holdout evaluation as one table with and without amounts, and the conclusions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_research import clv, rfm
from crm_research.clv import value_views as vv
from crm_research.clv import views as clv_views
from crm_research.clv.value_views.covariate_data import _age_band
from crm_research.data import cdnow
from crm_research.data.simulator import simulate_btyd_cohort


class FakeCon:
    """Tables of a customer database from pandas (an in-memory Ibis connection)."""

    def __init__(self, **tables: pd.DataFrame):
        import ibis

        self.con = ibis.duckdb.connect()
        for name, df in tables.items():
            self.con.create_table(name, df)

    def table(self, name):
        return self.con.table(name)

    def list_tables(self):
        return self.con.list_tables()


def transactions(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["customer_id", "order_id", "ordered_at", "amount", "channel"]
    )


TX = transactions(
    [
        ("C1", "O2", "2024-01-05 10:00", 10.0, "web"),
        ("C1", "O1", "2024-01-05 10:00", 20.0, "app"),  # same time: the first order id wins
        ("C1", "O3", "2024-02-01 10:00", 30.0, "phone"),
        ("C2", "O4", "2024-01-10 09:00", 15.0, "phone"),
        ("C2", "O5", "2024-03-02 09:00", 25.0, "web"),
        ("C3", "O6", "2024-02-20 12:00", 5.0, "web"),
        ("C4", "O7", "2024-04-01 12:00", 5.0, "web"),  # after the cut-off
    ]
)
MEMBERS = pd.DataFrame(
    {
        "member_id": ["M1", "M1b", "M2"],
        "gender": ["F", "M", " M "],
        "birth_date": pd.to_datetime(["1990-06-01", "1995-01-01", "1960-03-01"]),
    }
)
IDMAP = pd.DataFrame(
    {
        "source": ["members", "members", "members", "orders"],
        "record_id": ["M1", "M1b", "M2", "O1"],
        "customer_id": ["C1", "C1", "C2", "C1"],
    }
)


def test_customer_covariates_from_channels_and_members():
    con = FakeCon(transactions=TX, src_members=MEMBERS, identity_map=IDMAP)
    raw = vv.customer_covariates(con, "2024-03-31")
    assert list(raw.index) == ["C1", "C2", "C3"]  # C4 bought after the cut-off
    assert list(raw.columns) == ["acquisition_channel", "member", "gender", "age_band"]
    assert raw["acquisition_channel"].tolist() == ["app", "phone", "web"]
    assert raw["member"].tolist() == ["yes", "yes", "no"]
    # records disagree: the first gender in sort order, the earliest birth date
    assert raw.loc["C1", "gender"] == "F" and raw.loc["C1", "age_band"] == "30-39"
    assert raw.loc["C2", "gender"] == "M" and raw.loc["C2", "age_band"] == "60+"
    assert pd.isna(raw.loc["C3", "gender"]) and pd.isna(raw.loc["C3", "age_band"])


def test_customer_covariates_of_a_bare_purchase_log_are_empty():
    tx = TX.assign(channel=pd.Series([None] * len(TX), dtype="string"))
    empty_members = MEMBERS.iloc[:0]
    raw = vv.customer_covariates(
        FakeCon(transactions=tx, src_members=empty_members, identity_map=IDMAP), "2024-12-31"
    )
    assert raw.shape == (4, 0)
    assert "Not available for this data: needs" in vv.covariates_missing_text()


def test_age_bands():
    bands = _age_band(pd.Series([12.0, 29.99, 30.0, 45.0, 59.5, 61.0, -3.0, 130.0, np.nan]))
    assert bands.tolist()[:6] == ["under 30", "under 30", "30-39", "40-49", "50-59", "60+"]
    assert bands.iloc[6:].isna().all()


def test_select_covariates():
    have = ["acquisition_channel", "gender"]
    assert vv.select_covariates(have, "auto") == (have, None)
    assert vv.select_covariates(have, "none") == ([], None)
    assert vv.select_covariates(have, "") == ([], None)
    chosen, note = vv.select_covariates(have, "gender, age_band")
    assert chosen == ["gender"] and "age_band" in note and "available: acquisition_channel" in note


def test_covariate_design_levels_rare_levels_and_collinear_columns():
    n = 200
    raw = pd.DataFrame(
        {
            "acquisition_channel": ["web"] * 120 + ["app"] * 70 + ["phone"] * 10,
            "member": ["yes"] * 150 + ["no"] * 50,
            "gender": ["F"] * 80 + ["M"] * 70 + [None] * 50,  # unknown = the non-members
        },
        index=[f"C{i}" for i in range(n)],
    )
    d = vv.covariate_design(raw, ["acquisition_channel", "member", "gender"], min_count=30)
    assert d.reference == {"acquisition_channel": "web", "member": "yes", "gender": "F"}
    # phone (10 customers) joins the reference; gender=unknown duplicates member=no: dropped
    assert d.columns == ["acquisition_channel=app", "member=no", "gender=M"]
    assert d.levels["member=no"] == ("member", "no")
    assert any("phone" in n for n in d.notes) and any("unknown" in n for n in d.notes)
    assert d.frame["acquisition_channel=app"].sum() == 70 and d.frame.index.equals(raw.index)
    single = vv.covariate_design(raw.assign(member="yes"), ["member"])
    assert single.columns == [] and "single level" in single.notes[0]


@pytest.fixture(scope="module")
def planted():
    """A BG/NBD cohort whose "app" customers buy twice as often and spend 30% more."""
    n, rng = 6000, np.random.default_rng(3)
    app = rng.random(n) < 0.4
    mult = {"alpha": np.where(app, 0.5, 1.0), "gamma": np.where(app, np.exp(np.log(1.3)), 1.0)}
    true = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
    s = simulate_btyd_cohort(
        n, "bgnbd", true, spend={"p": 6.0, "q": 4.0, "gamma": 15.0}, seed=3, multipliers=mult
    )
    raw = pd.DataFrame({"acquisition_channel": np.where(app, "app", "web")}, index=s.index)
    design = vv.covariate_design(raw, ["acquisition_channel"])
    return s, vv.fit_covariate_effects(s, design, model="bgnbd")


def test_planted_effects_are_recovered_with_their_intervals(planted):
    _, eff = planted
    t = eff.table().set_index("process")
    assert set(t.index) == {"purchase rate", "dropout", "spend per purchase"}
    buy, spend = t.loc["purchase rate"], t.loc["spend per purchase"]
    assert abs(buy["estimate"] - np.log(2)) < 2 * buy["std_error"]
    assert abs(spend["estimate"] - np.log(1.3)) < 2 * spend["std_error"]
    assert buy["mult_low"] < 2 < buy["mult_high"] and buy["multiplier"] == pytest.approx(
        np.exp(buy["estimate"])
    )
    assert np.isnan(t.loc["dropout", "multiplier"])  # BG/NBD: no mean-dropout multiplier
    assert (t["reference"] == "web").all() and (t["level"] == "app").all()
    lr = eff.lr_tests()
    assert list(lr.index) == ["BG/NBD", "Gamma-Gamma"] and (lr["p-value"] < 1e-6).all()
    assert lr.loc["BG/NBD", "df"] == 2 and lr.loc["Gamma-Gamma", "df"] == 1


def test_effect_sentences(planted):
    _, eff = planted
    lines = vv.effect_sentences(eff)
    assert lines[0].startswith("Customers acquired through app buy ")
    assert "more often than those acquired through web (×" in lines[0]
    assert any("spend" in ln and "more per purchase" in ln for ln in lines)
    assert vv.lr_sentence(eff).startswith("Together the characteristics improve the BG/NBD fit")
    none = vv.effect_sentences(eff, alpha=1e-300)
    assert len(none) == 1 and none[0].startswith("None of the characteristics")


def test_fit_refuses_customers_without_covariates(planted):
    s, eff = planted
    design = vv.CovariateDesign(eff.design.frame.iloc[:-1], eff.design.levels, eff.design.reference)
    with pytest.raises(ValueError, match="needs covariates"):
        vv.fit_covariate_effects(s, design, model="bgnbd")


def fake_intervals(n: int = 100) -> pd.DataFrame:
    v = np.linspace(100.0, 1.0, n)
    return pd.DataFrame(
        {
            "clv": v,
            "clv_lower": v * 0.5,
            "clv_upper": v * 2.0,
            "p_alive_lower": np.full(n, 0.4),
            "p_alive_upper": np.full(n, 0.6),
            "purchases_lower": np.zeros(n),
            "purchases_upper": np.full(n, 3.0),
        },
        index=[f"C{i:06d}" for i in range(n)],
    )


def test_interval_summary_and_examples_carry_no_ids():
    iv = fake_intervals()
    s = vv.interval_summary(iv, "clv")
    assert s["customers"].tolist() == [10] * 10 and s["mean clv"].is_monotonic_decreasing
    assert s["median relative width"].tolist() == pytest.approx([1.5] * 10)
    assert s["mean P(alive) width"].tolist() == pytest.approx([0.2] * 10)
    ex = vv.interval_examples(iv, "clv", n=10)
    assert ex.index.name == "rank" and ex.index[0] == 1 and ex.index[-1] == 100
    assert (
        ex["value"].is_monotonic_decreasing and not ex.index.astype(str).str.startswith("C").any()
    )


def test_format_p():
    assert vv.format_p(0.0) == "p < 0.001" and vv.format_p(0.0123) == "p = 0.012"


def test_sample_customers_is_seeded():
    idx = pd.Index([f"C{i}" for i in range(50)])
    a, b = vv.sample_customers(idx, 10, seed=1), vv.sample_customers(idx, 10, seed=1)
    assert a.equals(b) and len(a) == 10 and a.isin(idx).all() and a.is_unique
    assert list(idx.get_indexer(a)) == sorted(idx.get_indexer(a))  # in the original order
    assert vv.sample_customers(idx, None).equals(idx) and vv.sample_customers(idx, 99).equals(idx)


@pytest.fixture(scope="module")
def cdnow_holdout():
    raw = cdnow.load_cdnow_sample()
    tx = pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "order_id": np.arange(len(raw)).astype(str),
            "ordered_at": raw["date"],
            "amount": raw["dollars"],
            "channel": pd.Series([None] * len(raw), dtype="string"),
        }
    )
    con = FakeCon(transactions=tx)
    info = {"export_time": "1998-07-01 00:00:00", "first_purchase": "1997-01-01"}
    w = clv_views.analysis_window(info)
    cal = vv.calibration_data(con, w, has_amount=True)
    models, _ = clv_views.fit_purchase_models(rfm.calibration_summary(cal), ("bgnbd", "mbgnbd"))
    return con, w, cal, models


def test_holdout_spend_covers_the_holdout_period(cdnow_holdout):
    con, w, cal, _ = cdnow_holdout
    hv = vv.holdout_spend(con, w)
    tx = con.table("transactions").to_pandas()
    d = pd.to_datetime(tx["ordered_at"])
    inside = (d > "1997-09-30") & (d <= "1998-06-30")
    assert hv.sum() == pytest.approx(tx.loc[inside, "amount"].sum())
    assert set(hv.index) == set(cal.index[cal["frequency_holdout"] > 0])


def test_evaluate_models_with_amounts(cdnow_holdout):
    con, w, cal, models = cdnow_holdout
    hv = vv.holdout_spend(con, w)
    tables = {}
    for scale in (1.0, 1000.0):
        cal_s, gg = vv.calibration_spend(cal, scale)
        labelled = {f.label: f for f in models.values()}
        tables[scale] = vv.evaluate_models(cal_s, labelled, gg, actual_value=hv, money_scale=scale)
    ev = tables[1.0]
    t = ev.table.astype(float)
    assert list(t.index) == ["BG/NBD", "MBG/NBD", vv.NAIVE]
    errors = clv.error_table(cal["frequency_holdout"], clv_views.holdout_predictions(models, cal))
    for name in t.index:
        assert t.loc[name, "purchases_mae"] == pytest.approx(errors.loc[name, "MAE"])
    assert t["spend_actual"].iloc[0] == pytest.approx(hv.sum())
    best = vv.best_by_mae(ev.table)
    assert best != vv.NAIVE and t.loc[best, "purchases_mae"] == t["purchases_mae"].min()
    assert 0.3 < t.loc["BG/NBD", "gini"] < 1 and t.loc["BG/NBD", "gini_normalized"] < 1
    assert ev.table.attrs["value_of"] == "spend"
    # money columns come back in the currency whatever the scale the spend model was fitted in
    pd.testing.assert_frame_equal(
        tables[1000.0].table.astype(float), t, check_exact=False, rtol=1e-3
    )
    shown = vv.holdout_display(ev.table, "USD")
    assert "spend MAE (USD)" in shown and "Gini / best possible" in shown
    assert set(ev.deciles.index.get_level_values("model")) == set(t.index)


def test_evaluate_models_without_amounts_counts_purchases(cdnow_holdout):
    _, _, cal, models = cdnow_holdout
    ev = vv.evaluate_models(cal.drop(columns="monetary_value_cal"), {"BG/NBD": models["bgnbd"]})
    assert ev.table.attrs["value_of"] == "purchases"
    assert not [c for c in ev.table if c.startswith("spend_")]
    assert 0.3 < float(ev.table.loc["BG/NBD", "gini"]) < 1
    assert "spend_predicted" not in ev.deciles


def test_holdout_coverage_on_cdnow(cdnow_holdout):
    con, w, cal, models = cdnow_holdout
    cal_s, gg = vv.calibration_spend(cal, 1.0)
    c = vv.holdout_coverage(
        models["bgnbd"], cal_s, spend=gg, actual_value=vv.holdout_spend(con, w), n_draws=200
    )
    assert list(c.index) == ["holdout purchases", "holdout purchases (jittered)", "holdout spend"]
    assert (
        c.loc["holdout purchases", "coverage"] >= c.loc["holdout purchases (jittered)", "coverage"]
    )
    assert 0.85 <= c.loc["holdout purchases (jittered)", "coverage"] <= 0.95
    assert (c["customers"] == len(cal)).all()


def test_conclusions_add_the_new_parts_before_the_action():
    facts = {
        "top20_share": 0.6,
        "repeat": True,
        "holdout_days": 273,
        "best_model": "BG/NBD",
        "best_mae": 0.5,
        "naive_mae": 0.7,
        "total_value": 1e6,
        "currency": "USD",
        "holdout_best": "BG/NBD",
        "holdout_gini": 0.61,
        "holdout_gini_normalized": 0.8,
        "holdout_spend_error": -0.05,
        "covariate_sentences": ["Customers acquired through app buy 20% more often."],
        "covariate_lr": "Together the characteristics improve the BG/NBD fit.",
        "interval_top": {
            "mean": 500.0,
            "lower": 50.0,
            "upper": 1500.0,
            "level": 0.9,
            "customers": 2000,
            "currency": "USD",
        },
        "coverage_plain": 0.95,
        "coverage_jittered": 0.89,
        "level": 0.9,
    }
    md = vv.conclusions_markdown(facts)
    lines = md.split("\n")
    assert lines[-1].startswith("* Action:")
    assert (
        "Gini of 0.61 (80% of the best possible ranking) and forecast the total holdout spend 5% too low"
        in md
    )
    assert "app buy 20% more often" in md and "from 50 USD to 1,500 USD around 500 USD" in md
    assert "held 95%" in md and "(89% with counts made continuous" in md and "honest" in md
    # without amounts, covariates or a holdout: the wording follows
    md = vv.conclusions_markdown(
        {
            "repeat": True,
            "expected_purchases": 100.0,
            "holdout_best": "BG/NBD",
            "holdout_gini": 0.5,
            "holdout_gini_normalized": 0.7,
            "holdout_value_of": "purchases",
            "covariates_problem": "Not available for this data: needs x.",
            "interval_top": {
                "mean": 3.0,
                "lower": 0.0,
                "upper": 8.0,
                "level": 0.9,
                "customers": 10,
                "currency": None,
            },
        }
    )
    assert "holdout purchases (no amounts in the data)" in md and "too low" not in md
    assert (
        "characteristics: not available for this data: needs x." in md
        and "0.0 purchases to 8.0 purchases" in md
    )
    assert "USD" not in md and "KRW" not in md


def test_value_facts(cdnow_holdout):
    con, w, cal, models = cdnow_holdout
    cal_s, gg = vv.calibration_spend(cal, 1.0)
    ev = vv.evaluate_models(
        cal_s, {"BG/NBD": models["bgnbd"]}, gg, actual_value=vv.holdout_spend(con, w)
    )
    f = vv.value_facts(holdout=ev, intervals=fake_intervals(), currency="USD")
    assert f["best_model"] == "BG/NBD" and f["naive_mae"] > f["best_mae"]
    assert f["interval_top"]["customers"] == 100 and f["interval_top"]["currency"] == "USD"
    assert f["holdout_value_of"] == "spend" and "coverage_plain" not in f
