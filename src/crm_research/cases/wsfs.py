"""Re-enactment of the WSFS case (docs/background.md#ko-01). Its raw data is not public, so a
customer-month balance panel is simulated to match the published aggregates, with every assumption
a parameter, and analysed with before/after, interrupted time series and
difference-in-differences (statsmodels); each estimate is scored against the planted effect.
Money: US$.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


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
    import statsmodels.formula.api as smf  # slow import

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
