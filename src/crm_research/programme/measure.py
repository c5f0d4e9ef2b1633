"""The KPIs against their targets: at a date (:func:`kpi_vs_target`, steps 1 and 10), if the
hypotheses hold (:func:`expected_kpis`, step 2) and over a review period (:func:`review_table`,
step 10); on simulated data also the simulator's true share of live customers
(:func:`true_alive_share`).
"""

from __future__ import annotations

import math

import pandas as pd

from crm_research.programme.targets import Target, targets_for
from crm_research.reporting.kpi import KPI_LABELS


def kpi_vs_target(
    kpis: dict, targets: dict[str, Target] | None = None, *, kind: str = "simulated"
) -> pd.DataFrame:
    """Each KPI of a :func:`crm_research.reporting.kpi.snapshot` beside its target.

    ``targets`` default to :func:`targets_for` ``(kind)``. One row per KPI of
    :data:`crm_research.reporting.kpi.KPI_LABELS`, index ``kpi``: ``label``, ``value`` (the KPI, its own
    units), ``target`` (in words), ``threshold`` (the target in the KPI's units; totals for
    per-customer targets), ``met`` (True/False; None when the KPI or its target is missing),
    ``gap`` (value − threshold; for a ``max`` target negative is good)."""
    if targets is None:
        targets, _ = targets_for(kind, currency=kpis.get("currency"))
    currency = kpis.get("currency") or ""
    customers = _num(kpis.get("customers"))
    rows = []
    for k, label in KPI_LABELS.items():
        value = _num(kpis.get(k))
        t = targets.get(k)
        thr = t.threshold(customers) if t else math.nan
        rows.append(
            {
                "kpi": k,
                "label": label,
                "value": value,
                "target": t.text(currency) if t else "—",
                "threshold": thr,
                "met": t.met(value, customers) if t else None,
                "gap": value - thr if math.isfinite(value) and math.isfinite(thr) else math.nan,
            }
        )
    return pd.DataFrame(rows).set_index("kpi")


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def expected_kpis(baseline: dict, targets: dict[str, Target]) -> pd.DataFrame:
    """Step 2 as arithmetic: each targeted KPI at the baseline, the change its programme is
    expected to bring, the expected value, the target, and whether the hypothesis — if it holds —
    reaches the target. Index ``kpi``; columns ``programme``, ``baseline``, ``expected change``,
    ``expected``, ``threshold``, ``reaches target`` (None when the baseline is not measured)."""
    customers = _num(baseline.get("customers"))
    rows = []
    for k, t in targets.items():
        base = _num(baseline.get(k))
        change = t.expected_change * (customers if t.per_customer else 1.0)
        exp = base + change
        rows.append(
            {
                "kpi": k,
                "programme": t.programme,
                "baseline": base,
                "expected change": change,
                "expected": exp,
                "threshold": t.threshold(customers),
                "reaches target": t.met(exp, customers) if math.isfinite(base) else None,
            }
        )
    return pd.DataFrame(rows).set_index("kpi")


def review_table(start: dict, now: dict, targets: dict[str, Target]) -> pd.DataFrame:
    """Step 10: each targeted KPI at the programme start and now, the change, the change the
    hypothesis expected, the target and whether it is met now, and whether the KPI ``moved as
    expected`` (``yes``: at least the expected change in the expected direction; ``partly``: in
    that direction, less than expected; ``no``; ``not measured``). Index ``kpi``."""
    rows = []
    for k, t in targets.items():
        a, b = _num(start.get(k)), _num(now.get(k))
        change = b - a
        exp = t.expected_change * (_num(now.get("customers")) if t.per_customer else 1.0)
        if not (math.isfinite(a) and math.isfinite(b)):
            moved = "not measured"
        elif exp == 0 or change * exp <= 0:
            moved = "no" if exp != 0 else "no change expected"
        else:
            moved = "yes" if abs(change) >= abs(exp) else "partly"
        rows.append(
            {
                "kpi": k,
                "label": KPI_LABELS.get(k, k),
                "at start": a,
                "now": b,
                "change": change,
                "expected change": exp,
                "threshold": t.threshold(_num(now.get("customers"))),
                "met now": t.met(b, _num(now.get("customers"))),
                "moved as expected": moved,
            }
        )
    return pd.DataFrame(rows).set_index("kpi")


def true_alive_share(con, date: str | pd.Timestamp) -> float:
    """Simulated data only: among the people who had bought by ``date``, the share the simulator
    says were still customers at ``date`` (not yet churned). Raises ``KeyError`` without
    ``truth_people``."""
    if "truth_people" not in con.list_tables():
        raise KeyError("truth_people: the simulator's truth is only in the simulated dataset")
    day = pd.Timestamp(date).normalize() + pd.Timedelta(days=1)
    p = con.table("truth_people")
    p = p.filter((p.n_orders > 0) & (p.acquired_at < day))
    alive = p.churned_at.isnull() | (p.churned_at >= day)
    return float(p.aggregate(share=alive.cast("float64").mean()).to_pandas()["share"].iloc[0])
