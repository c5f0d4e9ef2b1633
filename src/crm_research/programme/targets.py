"""Steps 1–2 of the ten-step methodology: goals as measurable KPI targets, each with its
hypothesis and expected effect.

Each goal is a :class:`Target` on one KPI of :mod:`crm_research.reporting.kpi` (``customers``,
``active_share``, ``clv_12m_total``, ``churn_rate_90d``, ``campaign_uplift_pts``), with the
programme expected to move it and by how much, so that the run history and the review (notebook
07, step 10) can say, for every run, whether the KPI meets its target.

* :data:`TARGETS` — default targets per dataset kind (``simulated``, ``cdnow``; own data
  borrow the simulated retailer's *rate* targets, labelled as such, unless targets are given).
* :func:`load_targets` (YAML/JSON), :func:`targets_for` (the targets of a run and their source),
  :func:`targets_to_yaml`, :func:`with_value`, :func:`as_dict`, :func:`as_json`.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from crm_research.reporting.kpi import KPI_LABELS


@dataclass(frozen=True)
class Target:
    """One goal as a target on one KPI of :mod:`crm_research.reporting.kpi`.

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

    The format, one entry per KPI (KPI names of :mod:`crm_research.reporting.kpi`)::

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
