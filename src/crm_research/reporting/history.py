"""The run history of dated runs: the KPI table of every kept run with changes, flags and targets,
the trend plots, and ``reports/index.html`` with the history.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from crm_research import programme
from crm_research.reporting import index
from crm_research.reporting.dates import human_date, human_time, now_text
from crm_research.reporting.files import load_json, write_text_atomic
from crm_research.reporting.kpi import KPI_LABELS, deltas, stale_days
from crm_research.reporting.navigation import warn_html
from crm_research.reporting.runs import load_runs


def history_table(runs: list[dict]) -> pd.DataFrame:
    """One row per run (as-of, start, status) with its KPIs."""
    rows = [
        {
            "run": r["folder"],
            "as_of": r["as_of"],
            "status": r["status"],
            "data_end": (r.get("kpis") or {}).get("data_end"),
            **{k: (r.get("kpis") or {}).get(k) for k in KPI_LABELS},
        }
        for r in runs
    ]
    df = pd.DataFrame(rows, columns=["run", "as_of", "status", "data_end", *KPI_LABELS])
    return df.set_index("run")


def run_kind(record: dict) -> str | None:
    """The dataset kind of a run (``simulated``, ``cdnow``, ``config``): the record's
    ``dataset_kind``, else its ``dataset_info``'s ``kind`` (older records); None if unknown."""
    return record.get("dataset_kind") or (record.get("dataset_info") or {}).get("kind") or None


def run_targets(record: dict):
    """``(targets, where they come from)`` for a run (:func:`crm_research.programme.targets_for`
    of its dataset kind, or the targets recorded for the run), or None when the kind is unknown
    or the recorded targets are unreadable."""

    kind = run_kind(record)
    if kind is None:
        return None
    info = record.get("dataset_info") or {}
    currency = (record.get("kpis") or {}).get("currency") or info.get("currency")
    try:
        return programme.targets_for(kind, record.get("targets") or None, currency=currency)
    except ValueError:
        return None


def run_vs_targets(record: dict) -> pd.DataFrame | None:
    """The run's KPIs against its targets (:func:`crm_research.programme.kpi_vs_target`), or
    None for a run without KPIs or whose dataset kind is unknown."""

    found = run_targets(record)
    if found is None or not record.get("kpis"):
        return None
    return programme.kpi_vs_target(record["kpis"], found[0], kind=run_kind(record))


def target_thresholds(runs: list[dict]) -> pd.DataFrame:
    """Each run's target per KPI in the KPI's units (NaN without a target), index ``run``."""
    rows = {}
    for r in runs:
        vs = run_vs_targets(r)
        rows[r["folder"]] = (
            {k: float("nan") for k in KPI_LABELS} if vs is None else vs["threshold"].to_dict()
        )
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(KPI_LABELS))


def plot_trends(
    history: pd.DataFrame, path: Path, targets: pd.DataFrame | None = None
) -> Path | None:
    """Trend plots of the KPIs of successful runs (one panel per KPI) as a PNG; ``targets``
    (:func:`target_thresholds`) adds each KPI's target as a dashed red line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = history[history["status"] == "ok"]
    if ok.empty:
        return None
    x = pd.to_datetime(ok["as_of"])
    fig, axes = plt.subplots(2, 3, figsize=(12, 6))
    axes = axes.ravel()
    tg = (
        targets.reindex(ok.index).astype(float)
        if targets is not None
        else pd.DataFrame(index=ok.index, columns=list(KPI_LABELS), dtype=float)
    )
    for ax, (k, label) in zip(axes, KPI_LABELS.items(), strict=False):
        y, t = ok[k].astype(float), tg[k]
        if k == "clv_12m_total":
            y, t, label = y / 1e6, t / 1e6, label + " (millions)"
        elif k in ("active_share", "churn_rate_90d"):
            y, t, label = 100 * y, 100 * t, label + " (%)"
        ax.plot(x, y, marker="o", label="KPI")
        if t.notna().any():
            ax.plot(x, t, ls="--", marker="_", color="tab:red", label="target")
            ax.legend(fontsize=7)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("as-of date")
        ax.set_xticks(x, [f"{d:%Y-%m-%d}" for d in x], rotation=30, fontsize=7)
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    axes[-1].axis("off")
    fig.suptitle("KPIs by run" + (" and their targets" if tg.notna().any().any() else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _fmt(k: str, v) -> str:
    if v is None or pd.isna(v):
        return "—"
    if k in ("active_share", "churn_rate_90d"):
        return f"{v:.1%}"
    if k == "campaign_uplift_pts":
        return f"{v:+.2f}"
    return f"{v:,.0f}"


STATUS_CLASS = {"✓ met": "met", "✗ not met": "missed"}


def _target_mark(vs: pd.DataFrame | None, k: str) -> str:
    """The line under a KPI in the history table: met (✓), not met (✗) or not measurable, with
    the target in the KPI's units (a per-customer target as the run's total); empty without a
    target. The target as set (e.g. per customer) is the line's tooltip."""
    if vs is None or k not in vs.index or vs.loc[k, "target"] == "—":
        return ""
    met, target = vs.loc[k, "met"], str(vs.loc[k, "target"])
    threshold = vs.loc[k, "threshold"]
    shown = f"{target[:1]} {_fmt(k, threshold)}" if pd.notna(threshold) else target
    if met is None or pd.isna(met):
        text, cls = f"target {shown}: not measurable", "na"
    else:
        text, cls = (f"✓ target {shown}", "met") if met else (f"✗ target {shown}", "missed")
    return (
        f'<br><span class="tgt {cls}" title="target {html.escape(target)}">'
        f"{html.escape(text)}</span>"
    )


def _code_spans(text: str) -> str:
    """HTML-escape ``text`` and turn its Markdown code spans into ``<code>``."""
    import re

    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def latest_targets_html(record: dict) -> str:
    """The KPIs of a run against their targets as an HTML table (KPI, value, target, status),
    with where the targets come from; empty when the run has no KPIs or no known dataset."""

    found, vs = run_targets(record), run_vs_targets(record)
    if found is None or vs is None:
        return ""
    currency = (record.get("kpis") or {}).get("currency") or ""
    shown = programme.format_vs_target(vs, currency)
    shown["status"] = shown["status"].replace({"not measured": "not measurable"})
    per_customer = [k for k, t in found[0].items() if t.per_customer and k in vs.index]
    for k in per_customer:  # the total it means for this run's customers
        if pd.notna(vs.loc[k, "threshold"]):
            total = programme.format_kpi(k, vs.loc[k, "threshold"], currency)
            shown.loc[vs.loc[k, "label"], "target"] += f" (in total {total})"
    rows = "".join(
        f"<tr><td>{html.escape(str(kpi))}</td><td>{html.escape(str(r['value']))}</td>"
        f"<td>{html.escape(str(r['target']))}</td>"
        f'<td class="tgt {STATUS_CLASS.get(r["status"], "na")}">{html.escape(str(r["status"]))}</td></tr>'
        for kpi, r in shown.iterrows()
    )
    n_met = int((vs["met"] == True).sum())  # noqa: E712
    n_measured = int(vs["met"].notna().sum())
    return (
        f'<h3 id="targets">KPIs against their targets, as of {html.escape(human_date(record["as_of"]))}</h3>'
        f"<p>{n_met} of {n_measured} measurable targets met in the latest good run. Targets: "
        f"{_code_spans(found[1])} (notebook 00 sets them; notebook 07 reviews them).</p>"
        '<table class="hist targets"><tr><th>KPI</th><th>value</th><th>target</th><th>status</th></tr>'
        f"{rows}</table>"
    )


def history_section(root: Path, *, threshold: float = 0.1) -> str:
    """The run history as HTML: latest (and latest good) run, the KPI table with changes and
    flags, and the trend plots (written to ``root/kpi_trends.png``)."""

    runs = load_runs(root)
    if not runs:
        return ""
    hist = history_table(runs)
    ok_runs = hist[hist["status"] == "ok"]
    d = deltas(ok_runs[list(KPI_LABELS)].astype(float), threshold)
    vs_of = {r["folder"]: run_vs_targets(r) for r in runs}
    png = plot_trends(hist, root / "kpi_trends.png", target_thresholds(runs))
    started = {r["folder"]: r.get("started") for r in runs}
    rows = []
    for run, r in hist.iterrows():
        cells = []
        for k in KPI_LABELS:
            cell = _fmt(k, r[k])
            if run in d.index and f"{k}_change" in d and pd.notna(d.loc[run, f"{k}_change"]):
                ch = d.loc[run, f"{k}_change"]
                ch_txt = f"{ch:+.2f} pts" if k == "campaign_uplift_pts" else f"{ch:+.1%}"
                flag = bool(d.loc[run, f"{k}_flag"])
                cell += f'<br><span class="{"flag" if flag else "ch"}">{ch_txt}{" ⚑" if flag else ""}</span>'
            cell += _target_mark(vs_of.get(run), k)
            cells.append(f"<td>{cell}</td>")
        link = f'<a href="runs/{html.escape(run)}/index.html">run of {html.escape(human_time(started.get(run)) or run)}</a>'
        lag = stale_days(r["data_end"], r["as_of"])
        end = html.escape(human_date(r["data_end"])) if isinstance(r["data_end"], str) else "—"
        if lag:
            end += f'<br><span class="flag">⚠ {lag} days before the as-of date: KPIs describe missing data</span>'
        rows.append(
            f'<tr class="{"ok" if r["status"] == "ok" else "bad"}"><td>{link}</td>'
            f"<td>{html.escape(human_date(r['as_of']))}</td><td>{html.escape(r['status'])}</td><td>{end}</td>{''.join(cells)}</tr>"
        )
    latest = runs[-1]
    latest_html = (
        f'<p>Latest run: <a href="runs/{html.escape(latest["folder"])}/index.html">'
        f"as of {html.escape(human_date(latest['as_of']))}, started {html.escape(human_time(latest.get('started')))}</a> — <b>{html.escape(latest['status'])}</b>"
        + (f": {html.escape(latest.get('error') or '')}" if latest["status"] != "ok" else "")
        + "</p>"
    )
    good = [r for r in runs if r["status"] == "ok"]
    if latest["status"] != "ok" and good:
        latest_html += f'<p>Latest good run: <a href="runs/{html.escape(good[-1]["folder"])}/index.html">as of {html.escape(human_date(good[-1]["as_of"]))}</a></p>'
    head = "".join(f"<th>{html.escape(v)}</th>" for v in KPI_LABELS.values())
    targets_html = latest_targets_html(good[-1]) if good else ""
    return f"""<section class="history" id="history"><h2>Run history</h2>
<p>{len(runs)} dated run(s) kept (<code>crm-research report --as-of DATE</code>). A ⚑ marks a KPI
that moved more than {threshold:.0%} from the previous successful run (uplift: more than
{threshold * 10:.1f} pts); ✓ and ✗ say whether the KPI met its target in that run.</p>
{latest_html}
{targets_html}
<h3>Every run</h3>
<table class="hist"><tr><th>run</th><th>as of</th><th>status</th><th>data end (last purchase)</th>{head}</tr>{"".join(rows)}</table>
{'<h3>Trends</h3><img src="kpi_trends.png" alt="KPIs of each successful run by as-of date">' if png else ""}
</section>"""


def write_history_index(root: Path, *, threshold: float = 0.1) -> Path:
    """``root/index.html``: the landing page of the reports in ``root`` itself (if any) followed
    by the run history; without reports in ``root``, the latest run's data and the history."""

    status = load_json(root / "status.json")
    section = history_section(root, threshold=threshold)
    if status:
        return index.write_landing(
            root, status, extra=section, commit=next(iter(status.values())).get("commit", "")
        )
    runs = load_runs(root)
    latest = runs[-1] if runs else {}
    body = (
        "<h1>CRM research reports</h1>"
        + warn_html(latest.get("warnings") or [])
        + index.dataset_paragraphs(latest.get("dataset_info"), latest.get("dataset"))
        + section
        + f"<footer>Page generated on {now_text()}.</footer>"
    )
    return write_text_atomic(
        root / "index.html", index.page("CRM research reports: run history", body)
    )
