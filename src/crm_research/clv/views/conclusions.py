"""The managers' conclusions of notebook 02 written from the computed facts (markdown)."""

from __future__ import annotations

from crm_research.clv.views.value import format_money


def conclusions_markdown(facts: dict) -> str:
    """The managers' conclusions of notebook 02 from the computed ``facts`` (a missing or None
    entry means that part could not be computed on these data):

    ``top20_share`` and ``concentration_of`` ('revenue' or 'purchases'); ``best_model``,
    ``best_mae``, ``naive_mae``, ``holdout_days``, or ``holdout_problem`` (why not);
    ``auc_truth``; ``total_value``, ``currency``, ``horizon_weeks``, ``top10_value_share``,
    ``expected_purchases`` (total, when there is no money value); ``best_segment``;
    ``repeat`` (False when no customer bought twice)."""
    f = {k: v for k, v in facts.items() if v is not None}
    h = f.get("horizon_weeks", 52)
    out = []
    if "top20_share" in f:
        of = f.get("concentration_of", "revenue")
        extra = "" if of == "revenue" else " (the data have no amounts, so purchases are counted)"
        out.append(
            f"Value is concentrated: the top 20% of customers made {f['top20_share']:.0%} "
            f"of all {of}{extra}."
        )
    if not f.get("repeat", True):
        out.append(
            "No customer bought twice, so no purchase model can be fitted: forecasts, P(alive) "
            "and CLV need repeat purchases. Use the RFM segments until the data hold repeat "
            "buyers."
        )
    elif "best_mae" in f:
        verdict = "better than" if f["best_mae"] < f["naive_mae"] else "no better than"
        out.append(
            f"The forecasts were checked on the last {f['holdout_days']} days, held out: "
            f"{f['best_model']} predicted each customer's purchases with an average error of "
            f"{f['best_mae']:.2f} purchases, {verdict} carrying past behaviour forward "
            f"({f['naive_mae']:.2f})."
        )
    elif "holdout_problem" in f:
        out.append(
            f"The forecasts could not be checked on held-out data: it needs {f['holdout_problem']}."
        )
    if "auc_truth" in f:
        out.append(
            "On the simulated customers, whose truth is known, P(alive) separates customers "
            f"still active from those who have left with ROC AUC {f['auc_truth']:.2f}."
        )
    top10 = f.get("top10_value_share")
    if "total_value" in f and "currency" in f:
        share = "" if top10 is None else f" The top 10% of customers hold {top10:.0%} of it."
        out.append(
            f"Expected value of today's customers over the next {h:g} weeks (discounted): "
            f"{format_money(f['total_value'], f['currency'])}.{share}"
        )
    elif "expected_purchases" in f:
        share = "" if top10 is None else f"; the top 10% of customers account for {top10:.0%}"
        out.append(
            "The data have no amounts, so value is counted in purchases: "
            f"{f['expected_purchases']:,.0f} purchases are expected in the next {h:g} weeks"
            f"{share}. A money CLV needs an amount column."
        )
    if "best_segment" in f:
        out.append(f'"{f["best_segment"]}" customers are worth the most each.')
    if f.get("repeat", True) and ("total_value" in f or "expected_purchases" in f):
        out.append(
            "Action: protect the top deciles with service and loyalty benefits; do not spend "
            "retention money on customers whose P(alive) is already near zero; use the segment "
            "table to plan the offers of notebook 03."
        )
    return "\n".join(f"* {line}" for line in out)
