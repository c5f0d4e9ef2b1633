"""The conclusions for managers, as Markdown, of notebook 00 (:func:`programme_conclusions`: the
targets, the hypotheses and the incentive plan) and of notebook 07 (:func:`review_conclusions`:
the review of the programme against its targets).
"""

from __future__ import annotations

import pandas as pd

from crm_research.reporting.kpi import KPI_LABELS


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
