"""Case reproduction: published results re-derived, and the background texts' cases re-enacted.

* :data:`PUBLISHED` — the one place for the published parameters (every notebook, test and
  benchmark reads them from here); :func:`fit_cdnow_sample`, :func:`computed_parameters` and
  :func:`published_comparison` re-derive them from the data shipped with lifetimes.
* :func:`reproduction_table` — published figure, ours, relative difference, tolerance, pass/fail.
* The shifted-beta-geometric (sBG) retention model of Fader & Hardie (2007), "How to project
  customer retention" (not in lifetimes): :func:`sbg_fit`, survival, retention rates, projection,
  discounted expected residual lifetime (DERL, Fader & Hardie 2010), :func:`sbg_simulate`.
* BG/BB on the donations data (Fader, Hardie & Shang 2010): :func:`fit_bgbb`.
* Re-enactments of the WSFS and iTRAVEL cases (docs/background.md#ko-01). Their raw data is not public, so
  panels are simulated to match the published aggregates, with every assumption a parameter, and
  analysed with before/after, interrupted time series and difference-in-differences
  (statsmodels); the simulation records the planted effect, so each method is scored against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

# ------------------------------------------------------------------------------------------------
# the published numbers (one place)

# Fader, Hardie & Lee (2005a) "Counting your customers the easy way" (BG/NBD, and its Pareto/NBD
# comparison) and (2005b) "RFM and CLV" (Gamma-Gamma): CDNOW 1/10th sample, weeks 1-39, days/7;
# Fader, Hardie & Shang (2010): BG/BB on the donations data; Fader & Hardie (2007), Table 1: sBG.
PUBLISHED: dict[str, dict[str, float]] = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "pareto": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "gamma": 15.44},
    "bgbb": {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783},
    "sbg regular": {"alpha": 0.704, "beta": 1.182},
    "sbg high end": {"alpha": 0.668, "beta": 3.806},
}
PUBLISHED_SOURCES = {
    "bgnbd": "FHL 2005a BG/NBD",
    "pareto": "FHL 2005a Pareto/NBD",
    "gamma_gamma": "FHL 2005b Gamma-Gamma",
    "bgbb": "FHS 2010 BG/BB",
    "sbg regular": "FH 2007 sBG regular",
    "sbg high end": "FH 2007 sBG high end",
}

# ------------------------------------------------------------------------------------------------
# side-by-side tables


def reproduction_table(
    rows: list[tuple[str, str, float, float]], tolerance: float = 0.01
) -> pd.DataFrame:
    """Rows (source, quantity, published, ours) → table with relative difference and pass/fail
    against ``tolerance`` (relative)."""
    df = pd.DataFrame(rows, columns=["source", "quantity", "published", "ours"])
    df["relative difference"] = df["ours"] / df["published"] - 1
    df["tolerance"] = tolerance
    df["pass"] = df["relative difference"].abs() <= tolerance
    return df


def published_comparison(
    computed: dict[str, dict[str, float]], tolerance: float = 0.01
) -> pd.DataFrame:
    """The :func:`reproduction_table` of every :data:`PUBLISHED` parameter against ``computed``
    (same keys and parameter names; a model missing from ``computed`` is left out)."""
    rows = [
        (PUBLISHED_SOURCES[key], name, value, float(computed[key][name]))
        for key, params in PUBLISHED.items()
        if key in computed
        for name, value in params.items()
    ]
    return reproduction_table(rows, tolerance)


@dataclass
class CdnowSample:
    """The CDNOW 1/10th sample (2,357 customers) split as in the papers (weeks 1-39 calibrate,
    40-78 hold out; time unit days/7; money US$) with the three fitted models."""

    raw: pd.DataFrame  # one row per purchase record: customer_id, date, cds, dollars
    cal: pd.DataFrame  # rfm.calibration_holdout
    summary: pd.DataFrame  # calibration summary (frequency, recency, T, monetary_value)
    bgnbd: object  # clv.BTYDModel
    pareto: object  # clv.BTYDModel
    gamma_gamma: object  # clv.SpendModel

    def shipped_check(self) -> dict[str, float]:
        """Our summary against lifetimes' shipped one (rounded to 0.01 week): customers, whether
        every frequency is identical, and the largest |recency| and |T| difference (weeks)."""
        from crm_research.data import cdnow

        shipped = cdnow.load_shipped_summary()
        s = self.summary
        return {
            "customers": len(s),
            "frequency identical": bool(
                (s["frequency"].to_numpy() == shipped["frequency"].to_numpy()).all()
            ),
            "max recency difference": float(
                np.abs(s["recency"].to_numpy() - shipped["recency"].to_numpy()).max()
            ),
            "max T difference": float(np.abs(s["T"].to_numpy() - shipped["T"].to_numpy()).max()),
        }


def fit_cdnow_sample(penalizer: float = 0.0) -> CdnowSample:
    """Summarise the raw CDNOW 1/10th-sample log as the papers did and fit BG/NBD, Pareto/NBD
    and Gamma-Gamma on weeks 1-39."""
    from crm_research import clv, rfm
    from crm_research.data import cdnow

    raw = cdnow.load_cdnow_sample()
    cal = rfm.calibration_holdout(
        raw,
        datetime_col="date",
        monetary_col="dollars",
        calibration_end=cdnow.CALIBRATION_END,
        observation_end=cdnow.OBSERVATION_END,
        freq="D",
        freq_multiplier=7,
    )
    s = rfm.calibration_summary(cal)
    return CdnowSample(
        raw,
        cal,
        s,
        clv.fit_btyd(s, "bgnbd", penalizer=penalizer),
        clv.fit_btyd(s, "pareto", penalizer=penalizer),
        clv.fit_gamma_gamma(s, penalizer=penalizer),
    )


def full_cohort_comparison(sample: CdnowSample) -> pd.DataFrame:
    """BG/NBD on the 1/10th sample beside the same protocol on the full 23,570-customer cohort
    (``CDNOW_master.txt``): estimate and standard error of each parameter, and whether the
    cohort's estimate lies inside the sample fit's 95% interval."""
    from crm_research import clv, rfm
    from crm_research.data import cdnow

    master = cdnow.load_cdnow_master()
    ms = rfm.btyd_summary(
        master[master["date"] <= cdnow.CALIBRATION_END],
        datetime_col="date",
        observation_end=cdnow.CALIBRATION_END,
        freq="D",
        freq_multiplier=7,
    )
    full = clv.fit_btyd(ms, "bgnbd")
    st = sample.bgnbd.table()
    out = pd.DataFrame(
        {
            "sample estimate": st["estimate"],
            "sample std error": st["std_error"],
            "cohort estimate": full.params,
            "cohort std error": full.standard_errors,
        }
    )
    out["cohort inside sample 95% interval"] = full.params.between(st["ci_low"], st["ci_high"])
    return out


def iso_value_grid(
    model,
    spend,
    mean_spend: float,
    *,
    T: float = 39.0,
    max_frequency: int = 14,
    horizon: float = 52,
    steps: int = 12,
    discount_rate: float = 0.01,
) -> pd.DataFrame:
    """Discounted expected value of the next ``horizon`` weeks (money unit of ``spend``) of a
    customer aged ``T`` weeks with average spend ``mean_spend``, over a grid of frequency
    (rows, 1..``max_frequency`` repeat purchases) and recency (columns, 0..T weeks, 40 values):
    the surface behind Fader, Hardie & Lee's (2005b) iso-value curves."""
    from crm_research import clv

    rx = np.linspace(0, T, 40)
    grid = pd.DataFrame(
        [(f, r) for f in range(1, max_frequency + 1) for r in rx], columns=["frequency", "recency"]
    )
    grid["T"] = T
    grid["monetary_value"] = mean_spend
    grid["clv"] = clv.discounted_clv(
        model, spend, grid, horizon=horizon, steps=steps, discount_rate=discount_rate
    ).to_numpy()
    return grid.pivot_table(index="frequency", columns="recency", values="clv")


def sbg_table(fits: dict[str, tuple[float, float]], discount_rate: float = 0.10) -> pd.DataFrame:
    """Per cohort: fitted α, β and DERL at ``discount_rate`` (years; :func:`sbg_derl`)."""
    return pd.DataFrame(
        {
            k: {
                "alpha": a,
                "beta": b,
                f"DERL at {discount_rate:.0%} (years)": sbg_derl(a, b, discount_rate),
            }
            for k, (a, b) in fits.items()
        }
    ).T


def computed_parameters(
    sample: CdnowSample, bgbb: pd.Series, sbg_fits: dict[str, tuple[float, float]]
) -> dict[str, dict[str, float]]:
    """Our estimates under :data:`PUBLISHED`'s keys and names, ready for
    :func:`published_comparison`."""
    out = {
        "bgnbd": sample.bgnbd.params.to_dict(),
        "pareto": sample.pareto.params.to_dict(),
        "gamma_gamma": sample.gamma_gamma.params.to_dict(),
        "bgbb": bgbb.to_dict(),
    }
    out |= {f"sbg {k}": {"alpha": a, "beta": b} for k, (a, b) in sbg_fits.items()}
    return out


# ------------------------------------------------------------------------------------------------
# shifted-beta-geometric

# Fader & Hardie (2007), Table 1: customers alive at the start of years 0..7 out of 1,000
SBG_DATA = {
    "regular": [1000, 631, 468, 382, 326, 289, 262, 241],
    "high end": [1000, 869, 743, 653, 593, 551, 517, 491],
}
SBG_PUBLISHED = {
    k: (PUBLISHED[f"sbg {k}"]["alpha"], PUBLISHED[f"sbg {k}"]["beta"]) for k in SBG_DATA
}


def sbg_churn_pmf(alpha: float, beta: float, t: np.ndarray) -> np.ndarray:
    """P(T = t): the customer's last renewal period is t (churns at the end of period t), t ≥ 1."""
    t = np.asarray(t, dtype=float)
    return np.exp(special.betaln(alpha + 1, beta + t - 1) - special.betaln(alpha, beta))


def sbg_survival(alpha: float, beta: float, t: np.ndarray) -> np.ndarray:
    """S(t) = P(T > t) = B(α, β + t) / B(α, β): share of a cohort still active after t periods."""
    t = np.asarray(t, dtype=float)
    return np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta))


def sbg_retention_rate(alpha: float, beta: float, t: np.ndarray) -> np.ndarray:
    """r_t = S(t)/S(t−1) = (β + t − 1)/(α + β + t − 1): rises with t, because the customers with a
    high churn probability leave first (heterogeneity, not changing individuals)."""
    t = np.asarray(t, dtype=float)
    return (beta + t - 1) / (alpha + beta + t - 1)


def sbg_log_likelihood(alpha: float, beta: float, alive: list[int] | np.ndarray) -> float:
    """Log-likelihood of a cohort's survivor counts ``alive`` (index 0 = start)."""
    n = np.asarray(alive, dtype=float)
    t = np.arange(1, len(n))
    lost = n[:-1] - n[1:]
    return float(
        (lost * np.log(sbg_churn_pmf(alpha, beta, t))).sum()
        + n[-1] * np.log(sbg_survival(alpha, beta, len(n) - 1))
    )


def sbg_fit(alive: list[int] | np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood (α, β) from survivor counts (the paper fits years 1–7 of 0..7)."""
    res = optimize.minimize(
        lambda x: -sbg_log_likelihood(*np.exp(x), alive),
        x0=[0.0, 0.0],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 5000},
    )
    a, b = np.exp(res.x)
    return float(a), float(b)


def sbg_derl(alpha: float, beta: float, discount: float, renewals: int = 0) -> float:
    """Discounted expected residual lifetime (in periods, counting the current one) of a customer
    who has made ``renewals`` renewals (Fader & Hardie 2010, eq. 6):
    (β+n)/(α+β+n) · ₂F₁(1, β+n+1; α+β+n+1; 1/(1+d)) — multiply by the margin per period for value.
    """
    n = renewals
    return float(
        (beta + n)
        / (alpha + beta + n)
        * special.hyp2f1(1, beta + n + 1, alpha + beta + n + 1, 1 / (1 + discount))
    )


def sbg_simulate(alpha: float, beta: float, n: int, periods: int, seed: int = 0) -> np.ndarray:
    """Survivor counts at 0..``periods`` of a cohort of ``n`` drawn from the sBG model."""
    rng = np.random.default_rng(seed)
    theta = rng.beta(alpha, beta, n)  # each customer's churn probability per period
    last = rng.geometric(theta)  # periods until churn (≥ 1)
    return np.array([(last > t).sum() for t in range(periods + 1)])


# ------------------------------------------------------------------------------------------------
# BG/BB


def fit_bgbb(donations: pd.DataFrame) -> pd.Series:
    """BG/BB (lifetimes ``BetaGeoBetaBinomFitter``) on frequency/recency/periods with weights."""
    import warnings

    from lifetimes import BetaGeoBetaBinomFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = BetaGeoBetaBinomFitter().fit(
            donations["frequency"],
            donations["recency"],
            donations["periods"],
            weights=donations["weights"],
        )
    return f.params_[["alpha", "beta", "gamma", "delta"]].astype(float)


# ------------------------------------------------------------------------------------------------
# WSFS re-enactment


@dataclass(frozen=True)
class WSFSAssumptions:
    """Assumptions of the WSFS re-enactment (money in US$). Published: 15,000 programme customers;
    balances fell $19M in the year before; rose over $21M in the six months after the start."""

    n_programme: int = 15_000
    n_comparison: int = 15_000  # similar customers of branches that joined the programme later
    mean_balance: float = 20_000.0  # per customer at the start of the pre-period (assumed)
    pre_months: int = 12
    post_months: int = 6
    decline_pre_year: float = 19e6  # published: the decrease in the year before
    headline_gain: float = 21e6  # published: programme customers' gain over six months
    market_shock: float = 5e6  # assumed: a rise every customer saw from month 0 (e.g. rates)
    noise_sd: float = 400.0  # month-to-month noise per customer balance
    seed: int = 0

    @property
    def planted_effect(self) -> float:
        """The programme effect after six months implied by the headline: headline gain minus the
        continued trend minus the market shock (scaled to the programme group)."""
        trend_6m = -self.decline_pre_year * self.post_months / self.pre_months
        return self.headline_gain - trend_6m - self.market_shock


def wsfs_panel(a: WSFSAssumptions = WSFSAssumptions()) -> pd.DataFrame:
    """Customer-month balances, months −12..5 (0 = programme start), both groups.

    Every customer follows the same downward trend (the group's −$19M a year) and gets the market
    shock ramping in over the six post months; programme customers also get the planted effect,
    ramping in linearly. Columns: customer, group ('programme'/'comparison'), month, balance."""
    rng = np.random.default_rng(a.seed)
    n = a.n_programme + a.n_comparison
    months = np.arange(-a.pre_months, a.post_months)
    slope = -a.decline_pre_year / a.pre_months / a.n_programme  # per customer per month
    base = rng.gamma(2.0, a.mean_balance / 2.0, n)  # heterogeneous balances
    ramp = np.clip((months + 1) / a.post_months, 0, 1) * (months >= 0)  # 1/6, 2/6, ..., 1
    shock = a.market_shock / a.n_programme * ramp
    effect = a.planted_effect / a.n_programme * ramp
    treated = np.arange(n) < a.n_programme
    bal = (
        base[:, None]
        + slope * (months[None, :] + a.pre_months)
        + shock[None, :]
        + treated[:, None] * effect[None, :]
        + rng.normal(0, a.noise_sd, (n, len(months)))
    )
    return pd.DataFrame(
        {
            "customer": np.repeat(np.arange(n), len(months)),
            "group": np.repeat(np.where(treated, "programme", "comparison"), len(months)),
            "month": np.tile(months, n),
            "balance": bal.ravel(),
        }
    )


def wsfs_analysis(panel: pd.DataFrame, a: WSFSAssumptions = WSFSAssumptions()) -> pd.DataFrame:
    """Three estimates of the programme's effect on programme customers' total balance after six
    months (US$), each with a 95% interval where the method gives one, beside the planted truth:
    the headline before/after change; an interrupted time series on the programme group's monthly
    totals (segmented regression, effect at month 5 relative to the projected trend, HAC errors);
    difference-in-differences of each customer's change from month −1 to month 5 (robust errors)."""
    import statsmodels.formula.api as smf

    last = a.post_months - 1
    tot = panel.groupby(["group", "month"])["balance"].sum().unstack(0)
    headline = tot.loc[last, "programme"] - tot.loc[-1, "programme"]
    ts = tot["programme"].rename("y").reset_index()
    ts["post"] = (ts["month"] >= 0).astype(int)
    ts["t_post"] = ts["post"] * (ts["month"] + 1)
    its = smf.ols("y ~ month + post + t_post", ts).fit(cov_type="HAC", cov_kwds={"maxlags": 2})
    w = np.array([0, 0, 1, last + 1])  # effect at month 5: post + 6 × t_post
    its_est = float(w @ its.params.to_numpy())
    its_se = float(np.sqrt(w @ its.cov_params().to_numpy() @ w))
    wide = (
        panel[panel["month"].isin([-1, last])]
        .pivot_table(index=["customer", "group"], columns="month", values="balance")
        .reset_index()
    )
    wide["change"] = wide[last] - wide[-1]
    wide["programme"] = (wide["group"] == "programme").astype(int)
    did = smf.ols("change ~ programme", wide).fit(cov_type="HC2")
    scale = a.n_programme
    rows = [
        ("before/after (headline)", headline, np.nan, np.nan),
        (
            "interrupted time series vs pre-trend",
            its_est,
            its_est - 1.96 * its_se,
            its_est + 1.96 * its_se,
        ),
        (
            "difference-in-differences vs comparison group",
            did.params["programme"] * scale,
            did.conf_int().loc["programme", 0] * scale,
            did.conf_int().loc["programme", 1] * scale,
        ),
    ]
    out = pd.DataFrame(rows, columns=["method", "estimate", "ci low", "ci high"]).set_index(
        "method"
    )
    out["planted effect"] = a.planted_effect
    out["error"] = out["estimate"] - a.planted_effect
    return out


# ------------------------------------------------------------------------------------------------
# iTRAVEL re-enactment


def itravel_implications(
    bookings_multiple: float = 4.0,
    calls_per_booking_change: float = -2 / 3,
    fixed_cost_share: float = 0.0,
) -> dict[str, float]:
    """What "bookings ×4, calls per booking −2/3" implies, relative to before (= 1):
    call volume, call-centre cost, and call-centre cost per booking. ``fixed_cost_share`` is the
    part of the call-centre cost that does not scale with calls (assumed)."""
    calls = bookings_multiple * (1 + calls_per_booking_change)
    cost = fixed_cost_share + (1 - fixed_cost_share) * calls
    return {
        "call volume": calls,
        "call-centre cost": cost,
        "cost per booking": cost / bookings_multiple,
    }


def itravel_sensitivity(
    multiples=(3.0, 4.0, 5.0), changes=(-0.5, -2 / 3, -0.75), fixed_shares=(0.0, 0.3, 0.6)
) -> pd.DataFrame:
    """Cost per booking (relative to before) over a grid of assumptions."""
    rows = []
    for m in multiples:
        for c in changes:
            for f in fixed_shares:
                rows.append(
                    {
                        "bookings ×": m,
                        "calls per booking change": c,
                        "fixed cost share": f,
                        **itravel_implications(m, c, f),
                    }
                )
    return pd.DataFrame(rows)


def itravel_panel(
    bookings_multiple: float = 4.0,
    calls_per_booking_change: float = -2 / 3,
    base_bookings: float = 20_000,
    base_calls_per_booking: float = 1.5,
    months_before: int = 12,
    months_after: int = 18,
    months_measured: int = 6,
    seed: int = 0,
) -> pd.DataFrame:
    """Monthly bookings and call-centre calls (Poisson): 12 months before, the published changes
    ramping in linearly over the 18 months of the re-organisation, then ``months_measured`` months
    at the new level. ``base_*`` are assumptions."""
    rng = np.random.default_rng(seed)
    m = np.arange(-months_before, months_after + months_measured)
    ramp = np.clip((m + 1) / months_after, 0, 1) * (m >= 0)
    bookings = base_bookings * (1 + (bookings_multiple - 1) * ramp)
    cpb = base_calls_per_booking * (1 + calls_per_booking_change * ramp)
    b = rng.poisson(bookings)
    return pd.DataFrame({"month": m, "bookings": b, "calls": rng.poisson(b * cpb)})


def itravel_estimate(panel: pd.DataFrame, months_after: int = 18) -> dict[str, float]:
    """Estimated change in calls per booking and in bookings, the months after the
    re-organisation (month ≥ ``months_after``) vs the months before it: a Poisson regression of
    calls with log(bookings) as offset."""
    import statsmodels.api as sm

    df = panel[(panel["month"] < 0) | (panel["month"] >= months_after)].copy()
    df["after"] = (df["month"] >= 0).astype(float)
    fit = sm.GLM(
        df["calls"],
        sm.add_constant(df[["after"]]),
        family=sm.families.Poisson(),
        offset=np.log(df["bookings"]),
    ).fit()
    ci = np.exp(fit.conf_int().loc["after"].to_numpy()) - 1
    before = df.loc[df["after"] == 0, "bookings"].mean()
    after = df.loc[df["after"] == 1, "bookings"].mean()
    return {
        "calls per booking change": float(np.exp(fit.params["after"]) - 1),
        "ci low": float(ci[0]),
        "ci high": float(ci[1]),
        "bookings multiple": float(after / before),
    }
