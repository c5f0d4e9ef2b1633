"""Buy-till-you-die models: published CDNOW parameters computed from the raw log, standard
errors, predictions and CLV."""

from __future__ import annotations

import numpy as np
import pytest

from crm_research import cases, clv, rfm
from crm_research.clv import models, scoring
from crm_research.data import cdnow

# Published values (one place: cases.PUBLISHED): Fader, Hardie & Lee (2005a) "Counting your
# customers the easy way" (BG/NBD) and its Pareto/NBD comparison; (2005b) "RFM and CLV" (Gamma-Gamma)
PUBLISHED = cases.PUBLISHED
PUBLISHED_GG = cases.PUBLISHED["gamma_gamma"]
TOL = 0.01  # 1% relative: the published figures are rounded to 3-4 significant digits


@pytest.fixture(scope="module")
def calibration():
    raw = cdnow.load_cdnow_sample()  # the raw 1/10th-sample log, not the shipped summary
    cal = rfm.calibration_holdout(
        raw,
        datetime_col="date",
        monetary_col="dollars",
        calibration_end=cdnow.CALIBRATION_END,
        observation_end=cdnow.OBSERVATION_END,
        freq="D",
        freq_multiplier=7,
    )
    summary = rfm.calibration_summary(cal)
    return raw, cal, summary


@pytest.mark.parametrize("model", ["bgnbd", "pareto"])
def test_published_purchase_parameters(calibration, model):
    fit = clv.fit_btyd(calibration[2], model)
    for name, value in PUBLISHED[model].items():
        assert fit.params[name] == pytest.approx(value, rel=TOL), name


@pytest.mark.parametrize("model", ["bgnbd", "pareto", "mbgnbd"])
def test_optimizers_agree(calibration, model):
    """Our L-BFGS-B fit reaches lifetimes' optimum (Pareto/NBD: lifetimes starts at random)."""
    np.random.seed(0)  # noqa: NPY002 - lifetimes draws its Pareto/NBD start from the global generator
    ours = clv.fit_btyd(calibration[2], model)
    theirs = clv.fit_btyd(calibration[2], model, optimizer="lifetimes")
    np.testing.assert_allclose(ours.params, theirs.params, rtol=2e-3)
    assert ours.log_likelihood >= theirs.log_likelihood - 1e-6
    assert ours.info["optimizer"] == "l-bfgs-b" and theirs.info["optimizer"] == "lifetimes"


def test_published_gamma_gamma_parameters(calibration):
    fit = clv.fit_gamma_gamma(calibration[2])
    assert fit.n_customers == 946
    for name, value in PUBLISHED_GG.items():
        assert fit.params[name] == pytest.approx(value, rel=TOL), name


def test_full_cohort_within_the_sample_fit_intervals(calibration):
    """The 1/10th sample is a random draw of the 23,570-customer cohort, so the cohort's
    parameters (same protocol: weeks 1-39, days/7) must lie in the sample fit's 95% intervals."""
    raw = cdnow.load_cdnow_master()
    assert raw["customer_id"].nunique() == 23_570
    s = rfm.btyd_summary(
        raw[raw["date"] <= cdnow.CALIBRATION_END],
        datetime_col="date",
        observation_end=cdnow.CALIBRATION_END,
        freq="D",
        freq_multiplier=7,
    )
    full = clv.fit_btyd(s, "bgnbd")
    sample = clv.fit_btyd(calibration[2], "bgnbd").table()
    assert ((full.params >= sample["ci_low"]) & (full.params <= sample["ci_high"])).all()
    assert full.standard_errors["r"] < sample.loc["r", "std_error"] / 2  # 10x the data


def test_standard_errors_match_lifetimes_where_it_has_them(calibration):
    fit = clv.fit_btyd(calibration[2], "bgnbd", optimizer="lifetimes")
    theirs = fit.fitter.standard_errors_[["r", "alpha", "a", "b"]].to_numpy()
    np.testing.assert_allclose(fit.standard_errors.to_numpy(), theirs, rtol=0.02)
    pareto = clv.fit_btyd(calibration[2], "pareto")  # lifetimes has none for Pareto/NBD
    assert pareto.standard_errors.notna().all() and (pareto.standard_errors > 0).all()


def test_numerical_hessian_of_a_quadratic():
    H = clv.numerical_hessian(
        lambda x: 3 * x[0] ** 2 + 2 * x[0] * x[1] + x[1] ** 2, np.array([1.0, 2.0])
    )
    np.testing.assert_allclose(H, [[6, 2], [2, 2]], rtol=1e-6)


def test_collapse_keeps_the_fit(calibration):
    s = calibration[2]
    collapsed = clv.collapse(s)
    assert collapsed["weights"].sum() == len(s) and len(collapsed) < len(s)


def test_predictions_behave(calibration):
    _, cal, s = calibration
    fit = clv.fit_btyd(s, "bgnbd")
    p = fit.p_alive(s)
    assert ((p >= 0) & (p <= 1)).all()
    assert (p[s["frequency"] == 0] == 1).all()  # BG/NBD: no repeat purchase, no chance to drop out
    pred = clv.holdout_predictions(fit, cal)
    err = clv.error_table(
        cal["frequency_holdout"], {"BG/NBD": pred, "naive": clv.naive_holdout_prediction(cal)}
    )
    assert err.loc["BG/NBD", "MAE"] < err.loc["naive", "MAE"]
    ce = clv.conditional_expectations(
        cal["frequency_holdout"], {"BG/NBD": pred}, cal["frequency_cal"]
    )
    assert ce["n"].sum() == len(cal) and list(ce.index)[-1] == "7+"


def test_tracking_ends_near_actual(calibration):
    raw, _, s = calibration
    tr = clv.tracking(clv.fit_btyd(s, "bgnbd"), raw, start=cdnow.COHORT_START, periods=78)
    assert tr["actual"].is_monotonic_increasing and tr["predicted"].is_monotonic_increasing
    assert tr["predicted"].iloc[-1] == pytest.approx(tr["actual"].iloc[-1], rel=0.1)


def test_discounted_clv_without_discount_is_purchases_times_spend(calibration):
    s = calibration[2]
    bg, gg = clv.fit_btyd(s, "bgnbd"), clv.fit_gamma_gamma(s)
    v = clv.discounted_clv(bg, gg, s, horizon=52, steps=1, discount_rate=0.0)
    expected = bg.expected_purchases(52, s) * gg.expected_spend(s)
    np.testing.assert_allclose(v.to_numpy(), expected.to_numpy(), rtol=1e-9)
    discounted = clv.discounted_clv(bg, gg, s, horizon=52, steps=12, discount_rate=0.01)
    assert (discounted <= v + 1e-9).all()


def test_spend_independence_reports_correlation(calibration):
    ind = clv.spend_independence(calibration[2])
    assert ind["n"] == 946 and -1 <= ind["pearson_r"] <= 1


def test_unknown_model_refused(calibration):
    with pytest.raises(ValueError, match="model must be one of"):
        clv.fit_btyd(calibration[2], "nbd")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        clv.fit_btyd(calibration[2], "bgnbd", optimizer="newton")


def test_recovers_simulated_parameters():
    """BG/NBD fitted on data simulated from BG/NBD recovers its parameters (within 3 standard
    errors). lifetimes' own generator is not used: its draws fit r about 7 standard errors off."""
    from crm_research.data.simulator import simulate_btyd_summary

    true = {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
    fit = clv.fit_btyd(simulate_btyd_summary(20_000, T=52, seed=11, **true), "bgnbd")
    for k, v in true.items():
        assert abs(fit.params[k] - v) < 3 * fit.standard_errors[k], k


# ------------------------------------------------------------------------------------------------
# large simulated cohorts and chunked scoring (issue 8; the 1M-customer figures are benchmarks)

CDNOW_SPEND = cases.PUBLISHED["gamma_gamma"]


@pytest.fixture(scope="module")
def cohort():
    from crm_research.data.simulator import simulate_btyd_cohort

    return simulate_btyd_cohort(100_000, "bgnbd", PUBLISHED["bgnbd"], spend=CDNOW_SPEND, seed=3)


def test_cohort_is_consistent_and_seeded(cohort):
    from crm_research.data.simulator import simulate_btyd_cohort

    s = cohort
    assert len(s) == 100_000 and s.index.is_unique
    assert ((s["recency"] >= 0) & (s["recency"] <= s["T"])).all()
    assert (s.loc[s["frequency"] == 0, ["recency", "monetary_value"]] == 0).all().all()
    assert (s.loc[s["frequency"] > 0, "monetary_value"] > 0).all()
    assert np.allclose(s["T"] * 7, np.round(s["T"] * 7)) and s["T"].between(463 / 7, 78).all()
    assert 0.6 < s["true_alive"].mean() < 0.9  # CDNOW-like: most customers never drop out yet
    again = simulate_btyd_cohort(100_000, "bgnbd", PUBLISHED["bgnbd"], spend=CDNOW_SPEND, seed=3)
    assert again.equals(s)
    with pytest.raises(ValueError, match=r"missing parameters: \['b'\]"):
        simulate_btyd_cohort(10, "bgnbd", {"r": 1, "alpha": 1, "a": 1})
    with pytest.raises(ValueError, match="model must be one of"):
        simulate_btyd_cohort(10, "nbd", {})


@pytest.mark.parametrize("model", ["bgnbd", "pareto"])
def test_recovers_cohort_parameters(cohort, model):
    """Fitted on 100,000 simulated customers, every estimate is within 3 standard errors of the
    truth (the benchmark does 1,000,000 against the 2% target)."""
    from crm_research.data.simulator import simulate_btyd_cohort

    data = (
        cohort
        if model == "bgnbd"
        else simulate_btyd_cohort(100_000, "pareto", PUBLISHED["pareto"], seed=4)
    )
    fit = clv.fit_btyd(data, model)
    assert fit.info["distinct_rows"] < len(data)  # collapsed
    for k, v in PUBLISHED[model].items():
        assert abs(fit.params[k] - v) < 3 * fit.standard_errors[k], k


def test_recovers_cohort_spend_parameters(cohort):
    fit = clv.fit_gamma_gamma(cohort)
    for k, v in CDNOW_SPEND.items():
        assert abs(fit.params[k] - v) < 3 * fit.standard_errors[k], k


def test_chunked_scoring_equals_whole(cohort, tmp_path):
    s = cohort.iloc[:20_000]
    bg, gg = clv.fit_btyd(s, "bgnbd"), clv.fit_gamma_gamma(s)
    whole = clv.score(bg, gg, s, horizon=52)
    assert list(whole.columns) == list(clv.SCORE_COLUMNS) and whole.notna().all().all()
    s.drop(columns=["true_rate", "true_dropout", "true_alive"]).reset_index().to_parquet(
        tmp_path / "s.parquet"
    )
    n = clv.score_parquet(
        bg, gg, tmp_path / "s.parquet", tmp_path / "o.parquet", horizon=52, chunk_rows=3_000
    )
    chunked = __import__("pandas").read_parquet(tmp_path / "o.parquet").set_index("customer_id")
    assert n == len(s) == len(chunked)
    np.testing.assert_allclose(chunked.to_numpy(), whole.loc[chunked.index].to_numpy(), rtol=1e-12)
    # the same scores from models rebuilt from their parameters alone (what Spark executors get)
    light_bg, light_gg = scoring._rebuilt("bgnbd", bg.params.to_dict(), gg.params.to_dict())
    np.testing.assert_allclose(clv.score(light_bg, light_gg, s, horizon=52), whole, rtol=1e-12)


# ------------------------------------------------------------------------------------------------
# fast scoring (issue 20): the same numbers as the lifetimes path


@pytest.mark.parametrize("model", ["bgnbd", "pareto", "mbgnbd"])
@pytest.mark.parametrize("jitter", [False, True])
def test_fast_score_equals_the_lifetimes_path(model, jitter):
    """clv.score (shared terms, hyp2f1 once per distinct input) gives lifetimes' numbers to 1e-9
    relative, on whole-day data (many repeats) and on continuous times (no repeats)."""
    from crm_research.data.simulator import simulate_btyd_cohort

    truth = "bgnbd" if model == "mbgnbd" else model
    params = PUBLISHED[truth] if model != "mbgnbd" else {"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}
    s = simulate_btyd_cohort(30_000, truth, PUBLISHED[truth], spend=CDNOW_SPEND, seed=5)
    if jitter:
        rng = np.random.default_rng(1)
        s["T"] = s["T"] + rng.random(len(s)) / 7
        later = np.minimum(s["recency"] + rng.random(len(s)) / 7, s["T"])
        s["recency"] = np.where(s["frequency"] > 0, later, 0)
    bg, gg = scoring._rebuilt(model, params, CDNOW_SPEND)
    for horizon, steps, rate in [(52, 12, 0.01), (39, 1, 0.0), (13, 13, 0.002)]:
        new = clv.score(bg, gg, s, horizon=horizon, steps=steps, discount_rate=rate)
        old = clv.score_lifetimes(bg, gg, s, horizon=horizon, steps=steps, discount_rate=rate)
        np.testing.assert_allclose(new.to_numpy(), old.to_numpy(), rtol=1e-9, atol=1e-300)
        assert list(new.columns) == list(clv.SCORE_COLUMNS) and new.index.equals(s.index)
        assert np.isfinite(new.to_numpy()).all()


@pytest.mark.parametrize("model", ["bgnbd", "pareto"])
@pytest.mark.parametrize("penalizer", [0.0, 0.05])
def test_objective_is_lifetimes_objective(calibration, model, penalizer):
    """The per-customer formulas give the objective fit_btyd minimised before issue 20 (lifetimes'
    negative log-likelihood, Pareto/NBD's scaled to a mean per customer, penalty included)."""
    cls = models._fitter_class(model)
    data = clv.collapse(calibration[2])
    f, r, T, w = models._columns(data)
    ours = models._mean_nll(model, data, penalizer)
    for lp in np.random.default_rng(0).normal(0, 0.5, (5, 4)):
        if model == "pareto":
            scale = w.mean() / w.sum()
            theirs = cls._negative_log_likelihood(np.exp(lp), f, r, T, w, penalizer) * scale
        else:
            theirs = cls._negative_log_likelihood(lp, f, r, T, w, penalizer)
        assert ours(lp) == pytest.approx(theirs, rel=1e-12)
