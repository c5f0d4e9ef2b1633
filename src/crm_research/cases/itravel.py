"""Re-enactment of the iTRAVEL case (docs/background.md#ko-01): what "bookings ×4, calls per
booking −2/3" implies for the call centre, over a grid of assumptions, and a simulated monthly
panel whose change in calls per booking is estimated back (Poisson regression, statsmodels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
    import statsmodels.api as sm  # slow import

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
