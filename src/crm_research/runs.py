"""Scheduled runs: a lock, one folder per run, retention, and the history index.

``crm-research report --as-of DATE`` writes each run to ``reports/runs/<as-of>_<start>/`` (the
notebooks' HTML, ``status.json`` and ``run.json`` with the KPIs of :mod:`crm_research.kpi`),
keeps the last ``keep`` runs and rewrites ``reports/index.html``: the latest run, then a KPI table
of every kept run with the change from the previous run, flags where a KPI moved more than the
threshold, and trend plots (``reports/kpi_trends.png``).

Exit codes (for cron, systemd and CI): see :data:`EXIT_CODES`.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from crm_research.kpi import KPI_LABELS, deltas, stale_days
from crm_research.report import write_text_atomic

EXIT_CODES = {
    0: "every notebook ran and the KPIs were computed",
    1: "a notebook failed (its last good report is kept; earlier runs are untouched)",
    2: "refused before running: bad arguments, parameters, configuration or input files",
    3: "another run holds the lock on the reports folder",
    74: "the reports could not be written (disk full, no permission): stopped at once, earlier reports intact",
    124: "a notebook timed out (its kernel was killed)",
    130: "interrupted (Ctrl-C / SIGTERM); the kernel was killed, the run folder marked interrupted",
}
LOCK_NAME = ".run.lock"


class RunLockedError(RuntimeError):
    """Another run is writing to the same reports folder."""


def _process_alive(pid: int, started: float | None) -> bool:
    import psutil

    try:
        p = psutil.Process(pid)
        # a recycled pid belongs to a process created after the lock was taken
        return started is None or p.create_time() <= started + 1
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False


@contextlib.contextmanager
def run_lock(root: Path, *, echo=print):
    """Hold ``root/.run.lock`` for the duration of a run. A second run is refused with
    :class:`RunLockedError`; a lock left by a run that no longer exists (killed with SIGKILL,
    machine rebooted) is detected, reported and replaced."""
    import psutil

    root.mkdir(parents=True, exist_ok=True)
    lock = root / LOCK_NAME
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started": psutil.Process().create_time(),
          "since": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                held = json.loads(lock.read_text())
            except (OSError, ValueError):
                held = {}
            same_host = held.get("host") == me["host"]
            if same_host and held.get("pid") and not _process_alive(held["pid"], held.get("started")):  # fmt: skip
                echo(f"removing a stale lock {lock}: run pid {held['pid']} (since {held.get('since')}) no longer exists")  # fmt: skip
                lock.unlink(missing_ok=True)
                continue
            raise RunLockedError(
                f"another report run is using {root} (pid {held.get('pid', '?')} on "
                f"{held.get('host', '?')}, since {held.get('since', '?')}); not starting. "
                f"If no such run exists, delete {lock}."
            ) from None
        with os.fdopen(fd, "w") as f:
            json.dump(me, f)
        break
    try:
        yield lock
    finally:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(lock.read_text()).get("pid") == me["pid"]:
                lock.unlink()


def run_folder(root: Path, as_of: pd.Timestamp, started: datetime) -> Path:
    """``root/runs/<as-of date>_<start time UTC>`` (sorts by as-of, then start)."""
    return root / "runs" / f"{as_of:%Y-%m-%d}_{started:%Y%m%dT%H%M%SZ}"


def write_run_record(folder: Path, record: dict) -> None:
    write_text_atomic(folder / "run.json", json.dumps(record, indent=2, default=str))


def mark_abandoned(root: Path) -> list[str]:
    """Runs still recorded as running while we hold the lock were killed without clean-up
    (SIGKILL, power loss): record them as ``killed``. Returns their folder names."""
    found = []
    for f in sorted((root / "runs").glob("*/run.json")):
        with contextlib.suppress(OSError, ValueError):
            rec = json.loads(f.read_text())
            if rec.get("status") == "running":
                rec["status"], rec["error"] = "killed", "the runner was killed before it finished"
                write_run_record(f.parent, rec)
                found.append(f.parent.name)
    return found


def load_runs(root: Path) -> list[dict]:
    """Every kept run's record, oldest first (by as-of date, then start time)."""
    out = []
    for f in sorted((root / "runs").glob("*/run.json")):
        with contextlib.suppress(OSError, ValueError):
            out.append(json.loads(f.read_text()) | {"folder": f.parent.name})
    return out


def prune(root: Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` run folders; returns the deleted names."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    folders = sorted(p for p in (root / "runs").glob("*") if p.is_dir())
    gone = folders[:-keep] if len(folders) > keep else []
    for p in gone:
        shutil.rmtree(p)
    return [p.name for p in gone]


def history_table(runs: list[dict]) -> pd.DataFrame:
    """One row per run (as-of, start, status) with its KPIs."""
    rows = [{"run": r["folder"], "as_of": r["as_of"], "status": r["status"],
             "data_end": (r.get("kpis") or {}).get("data_end"),
             **{k: (r.get("kpis") or {}).get(k) for k in KPI_LABELS}} for r in runs]  # fmt: skip
    df = pd.DataFrame(rows, columns=["run", "as_of", "status", "data_end", *KPI_LABELS])
    return df.set_index("run")


def plot_trends(history: pd.DataFrame, path: Path) -> Path | None:
    """Trend plots of the KPIs of successful runs (one panel per KPI) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = history[history["status"] == "ok"]
    if ok.empty:
        return None
    x = pd.to_datetime(ok["as_of"])
    fig, axes = plt.subplots(2, 3, figsize=(12, 6))
    axes = axes.ravel()
    for ax, (k, label) in zip(axes, KPI_LABELS.items(), strict=False):
        y = ok[k].astype(float)
        if k == "clv_12m_total":
            y, label = y / 1e6, label + " (millions)"
        elif k in ("active_share", "churn_rate_90d"):
            y, label = 100 * y, label + " (%)"
        ax.plot(x, y, marker="o")
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("as-of date")
        ax.set_xticks(x, [f"{d:%Y-%m-%d}" for d in x], rotation=30, fontsize=7)
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    axes[-1].axis("off")
    fig.suptitle("KPIs by run")
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


def history_section(root: Path, *, threshold: float = 0.1) -> str:
    """The run history as HTML: latest (and latest good) run, the KPI table with changes and
    flags, and the trend plots (written to ``root/kpi_trends.png``)."""
    from crm_research.pages import human_date, human_time

    runs = load_runs(root)
    if not runs:
        return ""
    hist = history_table(runs)
    ok_runs = hist[hist["status"] == "ok"]
    d = deltas(ok_runs[list(KPI_LABELS)].astype(float), threshold)
    png = plot_trends(hist, root / "kpi_trends.png")
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
                cell += f'<br><span class="{"flag" if flag else "ch"}">{ch_txt}{" ⚑" if flag else ""}</span>'  # fmt: skip
            cells.append(f"<td>{cell}</td>")
        link = f'<a href="runs/{html.escape(run)}/index.html">run of {html.escape(human_time(started.get(run)) or run)}</a>'
        lag = stale_days(r["data_end"], r["as_of"])
        end = html.escape(human_date(r["data_end"])) if isinstance(r["data_end"], str) else "—"
        if lag:
            end += f'<br><span class="flag">⚠ {lag} days before the as-of date: KPIs describe missing data</span>'  # fmt: skip
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
    return f"""<section class="history" id="history"><h2>Run history</h2>
<p>{len(runs)} dated run(s) kept (<code>crm-research report --as-of DATE</code>). A ⚑ marks a KPI
that moved more than {threshold:.0%} from the previous successful run (uplift: more than
{threshold * 10:.1f} pts).</p>
{latest_html}
<table class="hist"><tr><th>run</th><th>as of</th><th>status</th><th>data end (last purchase)</th>{head}</tr>{"".join(rows)}</table>
{'<h3>Trends</h3><img src="kpi_trends.png" alt="KPIs of each successful run by as-of date">' if png else ""}
</section>"""


def write_history_index(root: Path, *, threshold: float = 0.1) -> Path:
    """``root/index.html``: the landing page of the reports in ``root`` itself (if any) followed
    by the run history; without reports in ``root``, the latest run's data and the history."""
    from crm_research import pages

    status = pages.load_json(root / "status.json")
    section = history_section(root, threshold=threshold)
    if status:
        return pages.write_landing(
            root, status, extra=section, commit=next(iter(status.values())).get("commit", "")
        )
    runs = load_runs(root)
    latest = runs[-1] if runs else {}
    body = (
        "<h1>CRM research reports</h1>"
        + pages._warn_html(latest.get("warnings") or [])
        + pages.dataset_paragraphs(latest.get("dataset_info"), latest.get("dataset"))
        + section
        + f"<footer>Page generated on {pages.now_text()}.</footer>"
    )
    return write_text_atomic(
        root / "index.html", pages.page("CRM research reports: run history", body)
    )
