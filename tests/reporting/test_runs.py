"""Scheduled runs: history folders with KPIs, drift flags, the lock, exit codes, no orphans."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import psutil
import pytest

from crm_research import cli
from crm_research import reporting as runs
from crm_research.reporting import kpi
from tests.reporting.helpers import GOOD_BODY, kernel_processes, make_nb


@pytest.fixture
def env(tmp_path, small_dataset_dir, monkeypatch):
    """Notebooks analysing the small simulated world, a reports folder and a data folder holding
    that dataset's customer database."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    make_nb(
        nbdir / "01_first.ipynb",
        GOOD_BODY + "\nprint('as of', as_of)",
        params=NB_PARAMS + "\nas_of = '2025-12-31'",
    )
    data = tmp_path / "data"
    shutil.copytree(small_dataset_dir / "processed", data / "processed")
    monkeypatch.setenv("CRM_RESEARCH_DATA_DIR", str(data))
    return nbdir, tmp_path / "reports"


NB_PARAMS = "x = 1\nfail = False\ndata = 'simulated'\nn_people = 2000\nworld_seed = 7"


def report(nbdir, out, *args) -> int:
    return cli.main(
        [
            "report",
            "--notebooks-dir",
            str(nbdir),
            "--reports-dir",
            str(out),
            "--timeout",
            "120",
            *args,
        ]
    )


def digest(folder) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_two_runs_give_two_folders_history_deltas_and_trends(env):
    nbdir, out = env
    assert report(nbdir, out, "--as-of", "2025-06-30") == 0
    assert report(nbdir, out, "--as-of", "2025-12-31", "--threshold", "0.05") == 0
    folders = sorted((out / "runs").iterdir())
    assert [f.name[:10] for f in folders] == ["2025-06-30", "2025-12-31"]
    recs = [json.loads((f / "run.json").read_text()) for f in folders]
    assert all(
        r["status"] == "ok" and (f / "01_first.html").exists()
        for r, f in zip(recs, folders, strict=True)
    )
    assert "as of 2025-06-30 23:59:59" in (folders[0] / "01_first.html").read_text()  # passed on
    k1, k2 = recs[0]["kpis"], recs[1]["kpis"]
    assert (
        set(k1) == {*kpi.KPI_LABELS, "data_end", "currency", "clv_note"}
        and k2["customers"] >= k1["customers"] > 0
    )
    assert 0 < k2["active_share"] <= 1 and k2["clv_12m_total"] > 0
    index = (out / "index.html").read_text()
    assert folders[0].name in index and folders[1].name in index
    change = k2["customers"] / k1["customers"] - 1
    assert f"{change:+.1%}" in index
    assert (out / "kpi_trends.png").stat().st_size > 5_000 and 'src="kpi_trends.png"' in index
    assert "KPIs describe missing data" not in index  # the small world's data reach both dates
    assert all(r["dataset_kind"] == "simulated" and r["targets"] is None for r in recs)
    assert "KPIs against their targets, as of 31 December 2025" in index
    assert index.count("target ≤ 45.0%</span>") == 2  # each run's churn rate against its target


def test_as_of_past_the_data_is_flagged_as_stale(env):
    nbdir, out = env
    assert report(nbdir, out, "--as-of", "2026-03-31") == 0
    rec = json.loads(next((out / "runs").glob("*/run.json")).read_text())
    lag = (pd.Timestamp("2026-03-31") - pd.Timestamp(rec["kpis"]["data_end"])).days
    assert lag > 80 and kpi.stale_days(rec["kpis"]["data_end"], "2026-03-31") == lag
    assert (
        f"⚠ {lag} days before the as-of date: KPIs describe missing data"
        in (out / "index.html").read_text()
    )
    run = next((out / "runs").iterdir())
    for page in ("index.html", "01_first.html"):  # the warning tops the run's own pages too
        assert f"{lag} days earlier" in (run / page).read_text()


def test_failed_second_run_leaves_the_first_intact_and_exits_non_zero(env):
    nbdir, out = env
    assert report(nbdir, out, "--as-of", "2025-06-30") == 0
    first = next((out / "runs").iterdir())
    before = digest(first)
    assert report(nbdir, out, "--as-of", "2025-12-31", "-p", "fail=True") == 1
    assert digest(first) == before
    second = [f for f in (out / "runs").iterdir() if f != first][0]
    rec = json.loads((second / "run.json").read_text())
    assert rec["status"] == "failed" and "planned failure" in rec["error"] and rec["kpis"] is None
    index = (out / "index.html").read_text()
    assert (
        "<b>failed</b>" in index
        and f'Latest good run: <a href="runs/{first.name}/index.html">' in index
    )


def test_keep_last_n_runs(env):
    nbdir, out = env
    for day in ("2025-03-31", "2025-06-30", "2025-09-30"):
        assert report(nbdir, out, "--as-of", day, "--keep", "2") == 0
    assert [f.name[:10] for f in sorted((out / "runs").iterdir())] == ["2025-06-30", "2025-09-30"]


def test_bad_as_of_is_refused_with_exit_2(env, capsys):
    nbdir, out = env
    assert report(nbdir, out, "--as-of", "last tuesday") == 2
    assert "--as-of 'last tuesday' is not a date (use YYYY-MM-DD)" in capsys.readouterr().err
    assert not (out / "runs").exists()


def test_lock_refuses_a_live_holder_and_replaces_a_stale_one(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = tmp_path / runs.LOCK_NAME
        p = psutil.Process(holder.pid)
        lock.write_text(
            json.dumps(
                {
                    "pid": holder.pid,
                    "host": os.uname().nodename,
                    "started": p.create_time(),
                    "since": "earlier",
                }
            )
        )
        expected = f"another report run is using {tmp_path} \\(pid {holder.pid} on"
        with pytest.raises(runs.RunLockedError, match=expected), runs.run_lock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()
    said = []
    with runs.run_lock(tmp_path, echo=said.append):  # the holder is gone: stale
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert said and said[0].startswith(f"removing a stale lock {lock}: run pid {holder.pid}")
    assert not lock.exists()


def _start_slow_run(nbdir, out, seconds=60):
    make_nb(nbdir / "02_slow.ipynb", f"import time\ntime.sleep({seconds})", params="s = 1")
    cmd = [
        sys.executable,
        "-m",
        "crm_research.cli",
        "report",
        "--notebooks-dir",
        str(nbdir),
        "--reports-dir",
        str(out),
        "--as-of",
        "2025-12-31",
        "--only",
        "02",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:  # until the kernel is up
        kids = psutil.Process(proc.pid).children(recursive=True)
        if any("ipykernel_launcher" in " ".join(k.cmdline()) for k in kids if k.is_running()):
            return proc, kids
        time.sleep(0.2)
    proc.kill()
    pytest.fail("the run did not start a kernel within 60 s")


def _all_gone(procs, timeout=20) -> bool:
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []


@pytest.mark.slow
def test_second_run_refused_while_first_runs_and_sigterm_leaves_no_kernel(env, capsys):
    nbdir, out = env
    started = time.time() - 1
    proc, family = _start_slow_run(nbdir, out)
    try:
        t0 = time.perf_counter()
        assert report(nbdir, out, "--as-of", "2025-12-31") == 3
        assert (
            f"crm-research report: another report run is using {out} (pid {proc.pid} on"
            in capsys.readouterr().err
        )
        assert time.perf_counter() - t0 < 30  # refused at once, not after waiting
    finally:
        proc.send_signal(signal.SIGTERM)  # what systemd and CI send to stop a job
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted; kernels stopped" in err
    assert _all_gone(family) and kernel_processes(started) == []
    rec = json.loads(next((out / "runs").glob("*/run.json")).read_text())
    assert rec["status"] == "interrupted"
    assert not (out / runs.LOCK_NAME).exists()


@pytest.mark.slow
def test_sigkill_of_the_runner_leaves_no_kernel_and_a_stale_lock(env):
    nbdir, out = env
    started = time.time() - 1
    proc, family = _start_slow_run(nbdir, out)
    proc.kill()  # no clean-up possible in the runner itself
    proc.wait()
    assert _all_gone(family) and kernel_processes(started) == []  # the orphan watchdog did it
    assert (out / runs.LOCK_NAME).exists()
    assert list((out / "runs").glob("*/.tmp-02_slow-*"))  # the killed run's temporary folder
    assert report(nbdir, out, "--as-of", "2025-12-31", "--only", "01") == 0  # stale lock replaced
    recs = {f.parent.name: json.loads(f.read_text()) for f in (out / "runs").glob("*/run.json")}
    assert sorted(r["status"] for r in recs.values()) == ["killed", "ok"]
    assert not list((out / "runs").glob("*/.tmp-*"))  # removed by the next run


def _world_config(folder, tmp_path, **extra) -> object:
    """A bring-your-own-data configuration pointing at the small world's exports."""
    from crm_research.data.reader import SOURCE_FILES

    lines = [
        f"as_of: {extra.get('as_of', '2026-01-01 00:00:00')}",
        f"output: {tmp_path / 'staged'}",
        "sources:",
    ]
    for t, f in SOURCE_FILES.items():
        if t not in extra.get("drop", ()) and (folder / f).exists():
            lines.append(f"  {t}: {folder / f}")
    cfg = tmp_path / "crm-data.yaml"
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


@pytest.mark.slow
def test_report_on_your_own_data_builds_the_database_and_records_kpis(
    env, small_world, small_world_folder, small_world_db, tmp_path
):
    """The small world's exports given as your own data: the database built from them has the
    same KPIs as the one built directly; the run is in the history."""
    from crm_research.data import engine

    nbdir, out = env
    cfg = _world_config(small_world_folder, tmp_path, as_of=small_world.as_of)
    assert report(nbdir, out, "--config", str(cfg), "--as-of", "2025-12-31") == 0
    rec = json.loads(next((out / "runs").glob("*/run.json")).read_text())
    assert rec["status"] == "ok" and rec["notebooks"] == {"01_first": "ok"}  # run on that data
    assert len(list((out / "runs").glob("*/index.html"))) == 1  # the history links to it
    con = engine.connect(small_world_db, read_only=True)
    direct = kpi.snapshot(con, "2025-12-31")
    con.disconnect()
    assert rec["kpis"] == pytest.approx(direct, nan_ok=True)


def test_report_on_refused_data_exits_2_and_records_it(env, tmp_path, capsys):
    nbdir, out = env
    (tmp_path / "o.csv").write_text("order_id;member_id\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("as_of: 2026-01-01\nsources:\n  orders: o.csv\n")
    assert report(nbdir, out, "--config", str(cfg)) == 2  # without --as-of: refused, no history
    assert not (out / "runs").exists()
    assert report(nbdir, out, "--data", str(cfg), "--as-of", "2026-01-01") == 2
    err = capsys.readouterr().err
    assert "missing required column(s) member_id, ordered_at (the header has a single column" in err
    rec = json.loads(next((out / "runs").glob("2026-01-01_*/run.json")).read_text())
    assert rec["status"] == "refused"


@pytest.mark.slow
def test_report_on_orders_and_members_only(env, small_world, small_world_folder, tmp_path):
    """Sources you do not have are empty tables: the database still builds, KPIs still come."""
    nbdir, out = env
    drop = (
        "shipments",
        "cc_customers",
        "tickets",
        "web_accounts",
        "sessions",
        "email_subscribers",
        "email_sends",
        "survey",
    )
    cfg = _world_config(small_world_folder, tmp_path, as_of=small_world.as_of, drop=drop)
    assert report(nbdir, out, "--config", str(cfg), "--as-of", "2025-12-31") == 0
    rec = json.loads(next((out / "runs").glob("*/run.json")).read_text())
    assert rec["status"] == "ok" and rec["kpis"]["customers"] > 0


def test_given_targets_are_recorded_and_bad_ones_refused(env, capsys):
    nbdir, out = env
    nb = nbdir / "01_first.ipynb"
    make_nb(nb, GOOD_BODY, params=NB_PARAMS + "\nas_of = '2025-12-31'\ntargets = None")
    assert report(nbdir, out, "--as-of", "2025-12-31", "-p", "targets=not_a_file.yaml") == 2
    assert "targets" in capsys.readouterr().err
    assert (
        report(nbdir, out, "--as-of", "2025-12-31", "-p", "targets=churn_rate_90d: {max: 0.9}") == 0
    )
    rec = json.loads(next((out / "runs").glob("*/run.json")).read_text())
    assert rec["dataset_kind"] == "simulated" and rec["targets"] == {"churn_rate_90d": {"max": 0.9}}
    index = (out / "index.html").read_text()
    assert "targets given for this run" in index and "✓ target ≤ 90.0%" in index


@pytest.mark.slow
def test_a_relative_data_path_reaches_the_notebooks_as_an_absolute_one(
    env, small_world, small_world_folder, tmp_path, monkeypatch
):
    """Notebooks run in their own folder: `--data my.yaml` given relative to where the analyst
    stands must still name the same file inside the notebook."""
    nbdir, out = env
    cfg = _world_config(small_world_folder, tmp_path, as_of=small_world.as_of)
    monkeypatch.chdir(cfg.parent)
    assert report(nbdir, out, "--data", cfg.name) == 0
    executed = (out / "01_first.ipynb").read_text()
    assert json.dumps(str(cfg.resolve()))[1:-1] in executed  # the injected parameter


def test_leftovers_of_a_killed_run_are_removed(tmp_path):
    (tmp_path / ".tmp-01_first-abc").mkdir()
    (tmp_path / ".01_old-xyz").mkdir()
    run_dir = tmp_path / "runs" / "2025-12-31_x"
    (run_dir / ".tmp-02_second-q").mkdir(parents=True)
    (run_dir / "status.json.tmp").write_text("{")
    (tmp_path / "keep.html").write_text("x")
    said = []
    assert len(runs.remove_leftovers(tmp_path, echo=said.append)) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["runs", "keep.html"] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == ["keep.html", "runs"]
    assert list(run_dir.iterdir()) == [] and "interrupted run" in said[0]
