"""The CRM programme: the ten steps, the goals as measurable KPI targets, the business design
per segment and the IT plan.

Steps 1–2 of the ten-step methodology (docs/background.md#ten-steps): *set goals*
and *state hypotheses with their expected effects*. Here each goal is a target on one KPI of
:mod:`crm_research.kpi` (``customers``, ``active_share``, ``clv_12m_total``, ``churn_rate_90d``,
``campaign_uplift_pts``), with the programme expected to move it and by how much, so that the
run history and the review (notebook 07, step 10) can say, for every run, whether the KPI meets
its target.

* :data:`TEN_STEPS` — step → what it is → where the repository covers it (used by notebook 00,
  the book and the report index).
* :data:`CHAPTERS` — the notebooks in course order: the single source of order for the book
  (and the runner, whose ``NN_`` order is the same).
* :data:`TARGETS` — default targets per dataset kind (``simulated``, ``cdnow``; own data
  borrow the simulated retailer's *rate* targets, labelled as such, unless targets are given).
* :func:`load_targets`, :func:`targets_for`, :func:`kpi_vs_target`, :func:`expected_kpis`.
* :data:`INCENTIVES`, :func:`incentive_plan` — step 6: an incentive programme and its budget per
  segment; :data:`IT_PLAN` — step 7: what runs where, and when.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pandas as pd

from crm_research.kpi import KPI_LABELS

# ------------------------------------------------------------------------------------------------
# the course: chapters in order, and the ten steps

CHAPTERS: list[tuple[str, str]] = [
    ("00_crm_programme", "00 · The CRM programme: goals, hypotheses, design, IT plan"),
    ("01_data_integration", "01 · Data integration"),
    ("02_rfm_clv", "02 · RFM and customer lifetime value"),
    ("03_segmentation", "03 · Segmentation"),
    ("04_churn", "04 · Churn"),
    ("05_campaign_uplift", "05 · Campaign uplift"),
    ("06_case_reproduction", "06 · Case reproduction"),
    ("07_review", "07 · Review: the programme against its targets"),
]

TEN_STEPS: list[dict[str, str]] = [
    {
        "step": "1",
        "name": "Set goals",
        "what": "business goals written as measurable targets on KPIs",
        "where": "00_crm_programme",
        "section": "1. Goals as KPI targets",
    },
    {
        "step": "2",
        "name": "Hypotheses and expected effects",
        "what": "which programme should move which KPI, and by how much",
        "where": "00_crm_programme",
        "section": "2. Hypotheses and expected effects",
    },
    {
        "step": "3",
        "name": "Readiness: data sources",
        "what": "team, data sources, validation and quarantine of every export",
        "where": "01_data_integration",
        "section": "1–2. Raw exports; validation",
    },
    {
        "step": "4",
        "name": "Customer-centric database",
        "what": "identity resolution and one database per customer",
        "where": "01_data_integration",
        "section": "3–5. Identity resolution; contact freshness; database",
    },
    {
        "step": "5",
        "name": "Understand customers",
        "what": "RFM, lifetime value, segmentation and profiling, a strategy per segment",
        "where": "02_rfm_clv, 03_segmentation",
        "section": "all",
    },
    {
        "step": "6",
        "name": "Business design",
        "what": "an incentive programme and a budget per segment",
        "where": "00_crm_programme, 03_segmentation",
        "section": "00: 3. Business design (RFM segments); 03: 6. Business design (its segments)",
    },
    {
        "step": "7",
        "name": "IT plan",
        "what": "what runs where, nightly and weekly: validation, database, models, reports",
        "where": "00_crm_programme",
        "section": "4. IT plan (step 7)",
    },
    {
        "step": "8",
        "name": "Predictive models",
        "what": "a churn score for every customer, tested, written back to the database",
        "where": "04_churn",
        "section": "all",
    },
    {
        "step": "9",
        "name": "Execute campaigns",
        "what": "a randomised campaign on the selected customers, every contact recorded",
        "where": "05_campaign_uplift",
        "section": "all",
    },
    {
        "step": "10",
        "name": "Review",
        "what": "the programme measured against its goals; published results and cases re-derived",
        "where": "07_review, 06_case_reproduction",
        "section": "all",
    },
]


def ten_steps_table() -> pd.DataFrame:
    """The ten steps as a table: step, name, what it is, notebook(s), section."""
    df = pd.DataFrame(TEN_STEPS).rename(columns={"where": "notebook"})
    return df.set_index("step")


def chapter_order() -> list[str]:
    """Notebook stems in course order (the book's table of contents)."""
    return [stem for stem, _ in CHAPTERS]


# ------------------------------------------------------------------------------------------------
# steps 1–2: targets


@dataclass(frozen=True)
class Target:
    """One goal as a target on one KPI of :mod:`crm_research.kpi`.

    ``direction`` is ``"max"`` (the KPI must be at most ``value``) or ``"min"`` (at least).
    ``per_customer``: ``value`` (and ``expected_change``) are per customer, the KPI's target is
    ``value × customers`` (for totals such as ``clv_12m_total``, so a target holds for any size
    of the simulated world). ``expected_change``: the change of the KPI the programme is expected
    to bring (step 2; KPI units: a share for shares, points for uplift)."""

    kpi: str
    direction: str
    value: float
    goal: str = ""
    hypothesis: str = ""
    programme: str = ""
    expected_change: float = 0.0
    per_customer: bool = False
    notebook: str = ""

    def threshold(self, customers: float | None = None) -> float:
        """The target in the KPI's own units (a total for per-customer targets)."""
        if not self.per_customer:
            return float(self.value)
        if customers is None or not math.isfinite(customers):
            return math.nan
        return float(self.value) * float(customers)

    def met(self, value: float, customers: float | None = None) -> bool | None:
        """Does ``value`` meet the target? None when the KPI was not measured."""
        t = self.threshold(customers)
        if value is None or not math.isfinite(float(value)) or not math.isfinite(t):
            return None
        return bool(value <= t) if self.direction == "max" else bool(value >= t)

    def text(self, currency: str = "") -> str:
        """The target in words, e.g. ``≤ 45.0%`` or ``≥ 230,000 KRW per customer``."""
        sign = "≤" if self.direction == "max" else "≥"
        if self.kpi in ("active_share", "churn_rate_90d"):
            v = f"{self.value:.1%}"
        elif self.kpi == "campaign_uplift_pts":
            v = f"{self.value:+.1f} pts"
        else:
            v = f"{self.value:,.0f}" + (
                f" {currency}" if self.kpi == "clv_12m_total" and currency else ""
            )
        return f"{sign} {v}" + (" per customer" if self.per_customer else "")


_SIM = "simulated retailer"
TARGETS: dict[str, dict[str, Target]] = {
    "simulated": {
        "churn_rate_90d": Target(
            "churn_rate_90d",
            "max",
            0.45,
            goal="keep more of last year's buyers buying",
            hypothesis="a retention offer to the customers with the highest churn score "
            "(04) keeps some of them buying within 90 days",
            programme="retention offer to the top churn-risk customers",
            expected_change=-0.04,
            notebook="04_churn",
        ),
        "active_share": Target(
            "active_share",
            "min",
            0.72,
            goal="a larger active customer base",
            hypothesis="reactivation e-mails to lapsing segments (03) bring some back within a year",
            programme="reactivation of 'at risk' and 'about to sleep' segments",
            expected_change=0.03,
            notebook="03_segmentation",
        ),
        "campaign_uplift_pts": Target(
            "campaign_uplift_pts",
            "min",
            2.0,
            goal="campaigns that change behaviour, not just reach people",
            hypothesis="a randomised e-mail campaign raises the 30-day purchase rate "
            "of the e-mailed group over the control group",
            programme="randomised e-mail campaign, targeted by uplift (05)",
            expected_change=2.5,
            notebook="05_campaign_uplift",
        ),
        "clv_12m_total": Target(
            "clv_12m_total",
            "min",
            230_000,
            goal="more expected value from the customers we have",
            hypothesis="cross-sell to active mid-value customers and keeping the valuable ones "
            "raise the predicted value of the next 12 months",
            programme="cross-sell / up-sell to active segments; retention of high-value ones",
            expected_change=10_000,
            per_customer=True,
            notebook="02_rfm_clv",
        ),
    },
    "cdnow": {
        "churn_rate_90d": Target(
            "churn_rate_90d",
            "max",
            0.65,
            goal="keep more of last year's buyers buying",
            hypothesis="a reminder with a small discount to recent buyers who have not bought "
            "for two months keeps some of them",
            programme="retention reminder to lapsing recent buyers",
            expected_change=-0.04,
            notebook="04_churn",
        ),
        "active_share": Target(
            "active_share",
            "min",
            0.40,
            goal="a larger active customer base in a cohort that is ageing",
            hypothesis="win-back offers to the 1997 buyers who lapsed bring some back",
            programme="win-back of lapsed first-year buyers",
            expected_change=0.03,
            notebook="03_segmentation",
        ),
        "campaign_uplift_pts": Target(
            "campaign_uplift_pts",
            "min",
            2.0,
            goal="campaigns that change behaviour",
            hypothesis="a randomised e-mail campaign raises the purchase rate",
            programme="randomised e-mail campaign (none is recorded in the CDNOW log)",
            expected_change=2.0,
            notebook="05_campaign_uplift",
        ),
        "clv_12m_total": Target(
            "clv_12m_total",
            "min",
            35.0,
            goal="more expected value from the cohort",
            hypothesis="keeping the frequent buyers active raises the predicted 12-month value",
            programme="recognition of frequent buyers; cross-sell",
            expected_change=2.0,
            per_customer=True,
            notebook="02_rfm_clv",
        ),
    },
}
# the KPIs whose targets do not depend on the currency or the size of the data
RATE_KPIS = ("active_share", "churn_rate_90d", "campaign_uplift_pts")


def load_targets(spec: str | Path | dict | None) -> dict[str, Target] | None:
    """Targets from a dict, a YAML/JSON string or the path of a YAML/JSON file; None for None or
    an empty string.

    The format, one entry per KPI (KPI names of :mod:`crm_research.kpi`)::

        churn_rate_90d: {max: 0.40}
        active_share: {min: 0.5, programme: reactivation, expected_change: 0.03}
        clv_12m_total: {min: 120, per_customer: true}

    Raises ``ValueError`` naming the problem (unknown KPI, neither ``min`` nor ``max``)."""
    import yaml

    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return None
    if isinstance(spec, dict):
        raw = spec
    else:
        text = str(spec)
        path = Path(text).expanduser()
        if "\n" not in text and path.suffix.lower() in (".yaml", ".yml", ".json"):
            if not path.is_file():
                raise ValueError(f"targets: {path}: file not found")
            text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)  # YAML reads JSON too
    if not isinstance(raw, dict):
        raise ValueError("targets: expected a mapping of KPI name to {min: …} or {max: …}")
    out = {}
    for kpi, v in raw.items():
        if kpi not in KPI_LABELS:
            raise ValueError(f"targets: unknown KPI {kpi!r} (known: {', '.join(KPI_LABELS)})")
        if not isinstance(v, dict) or ("min" in v) == ("max" in v):
            raise ValueError(f"targets: {kpi}: give exactly one of min or max")
        direction = "min" if "min" in v else "max"
        extra = {k: v[k] for k in ("goal", "hypothesis", "programme", "notebook") if k in v}
        unknown = set(v) - {"min", "max", "per_customer", "expected_change", *extra}
        if unknown:
            raise ValueError(f"targets: {kpi}: unknown key {sorted(unknown)[0]!r}")
        out[kpi] = Target(
            kpi,
            direction,
            float(v[direction]),
            expected_change=float(v.get("expected_change", 0.0)),
            per_customer=bool(v.get("per_customer", False)),
            **extra,
        )
    return out


def targets_for(
    kind: str, spec: str | Path | dict | None = None, currency: str | None = None
) -> tuple[dict[str, Target], str]:
    """The targets of a dataset of ``kind`` (``simulated``, ``cdnow``, ``config``) and where they
    come from, in words.

    Given targets (``spec``, see :func:`load_targets`) win. Without them: the kind's defaults;
    own data (``config``) borrow the simulated retailer's rate targets (active share, churn,
    uplift) — and its per-customer CLV target only when ``currency`` is KRW — labelled as the
    simulated retailer's, not the analyst's."""
    given = load_targets(spec)
    if given is not None:
        return given, "targets given for this run"
    if kind in TARGETS:
        label = (
            "the simulated retailer's targets"
            if kind == "simulated"
            else f"default targets for {kind}"
        )
        return dict(TARGETS[kind]), label
    borrowed = {
        k: t for k, t in TARGETS["simulated"].items() if k in RATE_KPIS or currency == "KRW"
    }
    return borrowed, (
        f"the {_SIM}'s targets (defaults for illustration, not set for this data: "
        "pass your own with the `targets` parameter)"
    )


def kpi_vs_target(
    kpis: dict, targets: dict[str, Target] | None = None, *, kind: str = "simulated"
) -> pd.DataFrame:
    """Each KPI of a :func:`crm_research.kpi.snapshot` beside its target.

    ``targets`` default to :func:`targets_for` ``(kind)``. One row per KPI of
    :data:`crm_research.kpi.KPI_LABELS`, index ``kpi``: ``label``, ``value`` (the KPI, its own
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


def format_kpi(kpi: str, value: float, currency: str = "") -> str:
    """A KPI value for a table or sentence (shares as %, uplift in pts, money with currency)."""
    if value is None or not math.isfinite(float(value)):
        return "not measured"
    if kpi in ("active_share", "churn_rate_90d"):
        return f"{value:.1%}"
    if kpi == "campaign_uplift_pts":
        return f"{value:+.2f} pts"
    if kpi == "clv_12m_total":
        from crm_research.clv.views import format_money

        return format_money(value, currency) if currency else f"{value:,.0f}"
    return f"{value:,.0f}"


def targets_table(targets: dict[str, Target], currency: str = "") -> pd.DataFrame:
    """Targets for display: KPI label, target, goal (step 1), hypothesis, programme, expected
    change (step 2), notebook that measures or acts on it."""
    rows = []
    for k, t in targets.items():
        ch = t.expected_change
        if k in ("active_share", "churn_rate_90d"):
            ch_txt = f"{100 * ch:+.1f} pts"
        elif k == "campaign_uplift_pts":
            ch_txt = f"{ch:+.1f} pts"
        else:
            ch_txt = f"{ch:+,.0f}" + (f" {currency}" if k == "clv_12m_total" and currency else "")
        rows.append(
            {
                "KPI": KPI_LABELS.get(k, k),
                "target": t.text(currency),
                "goal (step 1)": t.goal,
                "hypothesis (step 2)": t.hypothesis,
                "programme": t.programme,
                "expected change": ch_txt + (" per customer" if t.per_customer else ""),
                "notebook": t.notebook,
            }
        )
    return pd.DataFrame(rows).set_index("KPI")


def targets_to_yaml(targets: dict[str, Target]) -> str:
    """Targets in the format :func:`load_targets` reads (to copy, edit and pass back)."""
    import yaml

    out = {}
    for k, t in targets.items():
        d = {t.direction: t.value}
        if t.per_customer:
            d["per_customer"] = True
        if t.expected_change:
            d["expected_change"] = t.expected_change
        out[k] = d
    return yaml.safe_dump(out, sort_keys=False)


def with_value(t: Target, value: float) -> Target:
    """A copy of the target with another threshold (for exercises and what-ifs)."""
    return replace(t, value=float(value))


def as_dict(targets: dict[str, Target]) -> dict[str, dict]:
    """Targets as plain dicts (JSON-serialisable, e.g. for a run record)."""
    return {k: asdict(t) for k, t in targets.items()}


def as_json(targets: dict[str, Target]) -> str:
    return json.dumps(as_dict(targets))


# ------------------------------------------------------------------------------------------------
# step 6: business design — an incentive programme and a budget per segment

# Costs are in units of the data's average order value (AOV), so they hold in any currency:
# contact_cost is the cost of one contact, voucher the value of the incentive when redeemed.
# response_pts: the assumed extra purchase rate among the contacted (percentage points; the
# hypothesis the campaign measurement in 05 tests). Sources of the repertoire: segment.strategy
# and the background texts (docs/background.md).
INCENTIVES: dict[str, dict] = {
    "retention offer": {
        "incentive": "personal offer: 15% voucher, phone or e-mail",
        "contact_cost": 0.05,
        "voucher": 0.15,
        "response_pts": 6.0,
    },
    "reactivation": {
        "incentive": "reminder e-mail with a 10% voucher",
        "contact_cost": 0.005,
        "voucher": 0.10,
        "response_pts": 3.0,
    },
    "low-cost reactivation": {
        "incentive": "automated reminder e-mail, no voucher",
        "contact_cost": 0.005,
        "voucher": 0.0,
        "response_pts": 1.0,
    },
    "cross-sell / up-sell": {
        "incentive": "recommendation e-mail with a bundle offer",
        "contact_cost": 0.005,
        "voucher": 0.05,
        "response_pts": 2.0,
    },
    "leave alone (recognise, do not over-treat)": {
        "incentive": "thank-you note, no offer",
        "contact_cost": 0.002,
        "voucher": 0.0,
        "response_pts": 0.0,
    },
    "data-refresh campaign": {
        "incentive": "prize delivered through the channel to be updated",
        "contact_cost": 0.01,
        "voucher": 0.05,
        "response_pts": 0.5,
    },
    "welcome": {
        "incentive": "welcome series with a second-purchase voucher",
        "contact_cost": 0.005,
        "voucher": 0.10,
        "response_pts": 4.0,
    },
}

# RFM segment names (CRAN rfm table and the R×F grid of crm_research.rfm) → action
RFM_ACTIONS: dict[str, str] = {
    "Champions": "leave alone (recognise, do not over-treat)",
    "Loyal Customers": "cross-sell / up-sell",
    "Loyal": "cross-sell / up-sell",
    "Potential Loyalist": "cross-sell / up-sell",
    "Potential Loyalists": "cross-sell / up-sell",
    "New Customers": "welcome",
    "New": "welcome",
    "Promising": "welcome",
    "Need Attention": "reactivation",
    "About To Sleep": "reactivation",
    "At Risk": "retention offer",
    "Can't Lose Them": "retention offer",
    "Can't Lose": "retention offer",
    "Lost": "low-cost reactivation",
    "Hibernating": "low-cost reactivation",
    "Others": "low-cost reactivation",
}


def incentive_plan(
    segments: pd.DataFrame,
    *,
    aov: float,
    action_col: str = "action",
    incentives: dict[str, dict] | None = None,
    budget: float | None = None,
) -> pd.DataFrame:
    """Step 6: the incentive and its cost per segment.

    ``segments``: one row per segment (index: segment) with ``customers`` and an action column
    (``action_col``; e.g. :func:`crm_research.segment.strategy`'s ``action`` joined with the
    profile's ``customers``, or RFM segments mapped with :data:`RFM_ACTIONS`). ``aov``: average
    order value in the data's currency (or 1 for data without amounts: costs are then in AOV
    units). Per segment: ``incentive``, ``cost per contact`` (contact cost plus the voucher on the
    expected redemptions), ``budget`` (all customers contacted), ``expected extra buyers``
    (customers × response_pts / 100). With ``budget`` (a total), segments are funded in order of
    expected extra buyers per unit of cost until the budget runs out; ``contacted`` says how many
    customers of each segment that pays for."""
    inc = incentives or INCENTIVES
    missing = sorted(set(segments[action_col]) - set(inc))
    if missing:
        raise KeyError(f"no incentive defined for action {missing[0]!r}")
    out = segments[["customers", action_col]].copy()
    out = out.rename(columns={action_col: "action"})
    spec = out["action"].map(inc)
    out["incentive"] = spec.map(lambda s: s["incentive"])
    resp = spec.map(lambda s: s["response_pts"]) / 100
    out["cost per contact"] = aov * spec.map(
        lambda s: s["contact_cost"] + s["voucher"] * s["response_pts"] / 100
    )
    out["budget"] = out["customers"] * out["cost per contact"]
    out["expected extra buyers"] = out["customers"] * resp
    if budget is not None:
        eff = (out["expected extra buyers"] / out["budget"]).where(out["budget"] > 0, 0.0)
        left, contacted = float(budget), {}
        for seg in eff.sort_values(ascending=False, kind="stable").index:
            cpc = out.at[seg, "cost per contact"]
            n = (
                int(min(out.at[seg, "customers"], left // cpc))
                if cpc > 0
                else int(out.at[seg, "customers"])
            )
            if eff[seg] <= 0:
                n = 0
            contacted[seg] = n
            left -= n * cpc
        out["contacted"] = pd.Series(contacted)
        out["budget"] = out["contacted"] * out["cost per contact"]
        out["expected extra buyers"] = out["contacted"] * resp
    return out


def rfm_incentive_plan(
    rfm_segments: pd.DataFrame, *, aov: float, budget: float | None = None
) -> pd.DataFrame:
    """:func:`incentive_plan` for RFM segments (a :func:`crm_research.rfm.segment_profile`, index:
    segment name), each mapped to an action by :data:`RFM_ACTIONS`."""
    seg = rfm_segments[["customers"]].copy()
    seg["action"] = [RFM_ACTIONS.get(s, "low-cost reactivation") for s in seg.index]
    return incentive_plan(seg, aov=aov, budget=budget)


# ------------------------------------------------------------------------------------------------
# step 7: IT plan — what runs where, and when

IT_PLAN: list[dict[str, str]] = [
    {
        "when": "nightly",
        "task": "export the source systems; validate every file",
        "where": "source systems → `crm-research validate` (engine: DuckDB, or Spark at scale)",
        "writes": "accepted rows, `quarantine`, `load_log`",
        "step": "3",
    },
    {
        "when": "nightly",
        "task": "rebuild the customer database when an input changed",
        "where": "engine (DuckDB file; Spark for the row-level work at scale)",
        "writes": "`customers`, `transactions`, `touchpoints`, `identity_map`",
        "step": "4",
    },
    {
        "when": "weekly (Mon 06:00, as of yesterday)",
        "task": "report run: every notebook, KPIs, run history against the targets",
        "where": "report server: `crm-research report --as-of …` (cron, systemd timer or CI)",
        "writes": "`reports/runs/<as-of>_<start>/`, `reports/index.html`",
        "step": "5, 10",
    },
    {
        "when": "weekly",
        "task": "score churn risk; choose campaign targets",
        "where": "driver (pandas, scikit-learn) on the per-customer feature table",
        "writes": "`churn_scores`, `campaign_targets` (read by the campaign tool)",
        "step": "8",
    },
    {
        "when": "per campaign",
        "task": "randomise, contact, record every contact and response",
        "where": "campaign tool; assignments exported as `campaign_assignments`",
        "writes": "`campaign_assignments`, responses back in the transaction log",
        "step": "9",
    },
    {
        "when": "quarterly",
        "task": "review the programme against its targets; refit segments",
        "where": "analyst: notebooks 07 and 03 in JupyterLab on the same database",
        "writes": "the review, new targets for the next period",
        "step": "10, 5",
    },
]


def it_plan_table() -> pd.DataFrame:
    """:data:`IT_PLAN` as a table."""
    return pd.DataFrame(IT_PLAN).set_index("when")


# ------------------------------------------------------------------------------------------------
# display, review (step 10) and conclusions


def format_vs_target(table: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """A :func:`kpi_vs_target` table in words, for display: KPI, value, target, status."""
    status = table["met"].map({True: "✓ met", False: "✗ not met"}).fillna("not measured")
    status = status.where(table["target"] != "—", "no target")
    return pd.DataFrame(
        {
            "KPI": table["label"],
            "value": [format_kpi(k, v, currency) for k, v in table["value"].items()],
            "target": table["target"],
            "status": status,
        }
    ).set_index("KPI")


def format_expected(table: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """An :func:`expected_kpis` table in words, for display: each KPI's baseline, expected change,
    expected value and target in the KPI's own units (:func:`format_kpi`), and whether the
    hypothesis reaches the target (``yes``, ``no``, ``not measured``)."""

    def change(k: str, v: float) -> str:
        if v is None or not math.isfinite(float(v)):
            return "not measured"
        if k in ("active_share", "churn_rate_90d"):
            return f"{100 * v:+.1f} pts"
        if k == "campaign_uplift_pts":
            return f"{v:+.2f} pts"
        return f"{v:+,.0f}" + (f" {currency}" if k == "clv_12m_total" and currency else "")

    reaches = table["reaches target"].map({True: "yes", False: "no"}).fillna("not measured")
    return pd.DataFrame(
        {
            "KPI": [KPI_LABELS.get(k, k) for k in table.index],
            "programme": table["programme"],
            "baseline": [format_kpi(k, v, currency) for k, v in table["baseline"].items()],
            "expected change": [change(k, v) for k, v in table["expected change"].items()],
            "expected": [format_kpi(k, v, currency) for k, v in table["expected"].items()],
            "target": [format_kpi(k, v, currency) for k, v in table["threshold"].items()],
            "reaches target": reaches,
        }
    ).set_index("KPI")


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


def format_review(
    table: pd.DataFrame, targets: dict[str, Target], currency: str = ""
) -> pd.DataFrame:
    """A :func:`review_table` in words, for display."""
    out = {}
    for k, r in table.iterrows():
        if k in ("active_share", "churn_rate_90d"):
            ch = f"{100 * r['change']:+.1f} pts" if math.isfinite(r["change"]) else "—"
            ex = f"{100 * r['expected change']:+.1f} pts"
        elif k == "campaign_uplift_pts":
            ch = f"{r['change']:+.2f} pts" if math.isfinite(r["change"]) else "—"
            ex = f"{r['expected change']:+.1f} pts"
        else:
            ch = f"{r['change']:+,.0f}" if math.isfinite(r["change"]) else "—"
            ex = f"{r['expected change']:+,.0f}"
        met = {True: "✓ met", False: "✗ not met"}.get(r["met now"], "not measured")
        out[r["label"]] = {
            "at start": format_kpi(k, r["at start"], currency),
            "now": format_kpi(k, r["now"], currency),
            "change": ch,
            "expected change": ex,
            "target": targets[k].text(currency),
            "status now": met,
            "moved as expected": r["moved as expected"],
        }
    return pd.DataFrame.from_dict(out, orient="index")


def average_order_value(con, as_of: str | pd.Timestamp | None = None) -> float:
    """Mean amount per order up to ``as_of`` (NaN without amounts)."""
    t = con.table("transactions")
    if as_of is not None:
        t = t.filter(t.ordered_at < pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1))
    v = t.amount.mean().to_pandas()
    return float(v) if v is not None and pd.notna(v) else math.nan


def _list(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def programme_conclusions(
    vs_target: pd.DataFrame,
    expected: pd.DataFrame,
    plan: pd.DataFrame,
    *,
    source: str,
    currency: str,
    has_amount: bool,
) -> str:
    """Notebook 00's conclusions for managers, as Markdown, from its tables."""
    met = [r["label"] for _, r in vs_target.iterrows() if r["met"] is True]
    missed = [r["label"] for _, r in vs_target.iterrows() if r["met"] is False]
    unmeasured = [
        r["label"] for _, r in vs_target.iterrows() if r["met"] is None and r["target"] != "—"
    ]
    lines = [f"* Targets: {source}."]
    if met:
        lines.append(f"* Already met at the start: {_list(met)}.")
    if missed:
        lines.append(f"* Not yet met: {_list(missed)} — these are what the programme is for.")
    if unmeasured:
        lines.append(f"* Not measurable on this data yet: {_list(unmeasured)}.")
    reach = expected["reaches target"]
    ok = [KPI_LABELS[k] for k, v in reach.items() if v is True]
    short = [KPI_LABELS[k] for k, v in reach.items() if v is False]
    if ok:
        lines.append(f"* If the hypotheses hold, the programmes reach the targets for {_list(ok)}.")
    if short:
        lines.append(
            f"* Even if the hypotheses hold, {_list(short)} {'stays' if len(short) == 1 else 'stay'} short of target: a larger "
            "programme, a longer horizon or a different target is needed."
        )
    total = plan["budget"].sum()
    buyers = plan["expected extra buyers"].sum()
    unit = currency if has_amount else "average-order values"
    lines.append(
        f"* The incentive plan costs about {total:,.0f} {unit} for about {buyers:,.0f} extra "
        "buyers (assumed response rates; notebook 05 measures the real ones)."
    )
    lines.append(
        "* Every weekly run records these KPIs; notebook 07 reviews them against the targets."
    )
    return "\n".join(lines)


def review_conclusions(review: pd.DataFrame, *, source: str, start: str, end: str) -> str:
    """Notebook 07's conclusions for managers, as Markdown, from a :func:`review_table`."""
    met = [r["label"] for _, r in review.iterrows() if r["met now"] is True]
    missed = [r["label"] for _, r in review.iterrows() if r["met now"] is False]
    gone = [r["label"] for _, r in review.iterrows() if r["met now"] is None]
    held = [r["label"] for _, r in review.iterrows() if r["moved as expected"] == "yes"]
    partly = [r["label"] for _, r in review.iterrows() if r["moved as expected"] == "partly"]
    wrong = [r["label"] for _, r in review.iterrows() if r["moved as expected"] == "no"]
    n = int(review["met now"].notna().sum())
    lines = [f"* Review period {start} to {end}; targets: {source}."]
    lines.append(f"* {len(met)} of {n} measured targets met at the end of the period.")
    if missed:
        lines.append(f"* Missed: {_list(missed)}.")
    if gone:
        lines.append(f"* Not measurable on this data: {_list(gone)}.")
    if held:
        lines.append(f"* Moved at least as much as expected: {_list(held)}.")
    if partly:
        lines.append(f"* Moved the right way, less than expected: {_list(partly)}.")
    if wrong:
        lines.append(
            f"* Moved the wrong way or not at all: {_list(wrong)} — revisit the hypothesis "
            "before spending more on its programme."
        )
    lines.append(
        "* KPI changes over a period are not programme effects: only the randomised campaign "
        "(notebook 05) measures an effect; the rest also moves with the season and the market."
    )
    return "\n".join(lines)


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
