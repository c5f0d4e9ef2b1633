"""Scheduled runs: a lock on the reports folder, one folder per run, its record, retention.

``crm-research report --as-of DATE`` writes each run to ``reports/runs/<as-of>_<start>/`` (the
notebooks' HTML, ``status.json`` and ``run.json`` with the KPIs of
:mod:`crm_research.reporting.kpi`) and keeps the last ``keep`` runs; the history page is written
by :mod:`crm_research.reporting.history`.

Exit codes (for cron, systemd and CI): see :data:`EXIT_CODES`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from crm_research.reporting.files import TMP_PREFIX, write_text_atomic
from crm_research.reporting.processes import process_alive

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


@contextlib.contextmanager
def run_lock(root: Path, *, echo=print):
    """Hold ``root/.run.lock`` for the duration of a run. A second run is refused with
    :class:`RunLockedError`; a lock left by a run that no longer exists (killed with SIGKILL,
    machine rebooted) is detected, reported and replaced."""
    import psutil

    root.mkdir(parents=True, exist_ok=True)
    lock = root / LOCK_NAME
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": psutil.Process().create_time(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                held = json.loads(lock.read_text())
            except (OSError, ValueError):
                held = {}
            same_host = held.get("host") == me["host"]
            if (
                same_host
                and held.get("pid")
                and not process_alive(held["pid"], held.get("started"))
            ):
                echo(
                    f"removing a stale lock {lock}: run pid {held['pid']} (since {held.get('since')}) no longer exists"
                )
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


def remove_leftovers(root: Path, *, echo=print) -> list[Path]:
    """Temporary folders and files that a killed run left in ``root`` and its run folders
    (call while holding the run lock). Returns what was removed."""
    gone = []
    folders = [root, *sorted(p for p in (root / "runs").glob("*") if p.is_dir())]
    for folder in folders:
        for p in folder.iterdir():
            tmp_dir = p.is_dir() and (
                p.name.startswith(TMP_PREFIX) or re.match(r"^\.\d\d_[\w-]+-", p.name)
            )
            tmp_file = p.is_file() and p.name.endswith(".tmp")
            if tmp_dir or tmp_file:
                shutil.rmtree(p, ignore_errors=True) if tmp_dir else p.unlink(missing_ok=True)
                gone.append(p)
    if gone:
        echo(f"removed {len(gone)} temporary file(s) left by an interrupted run (e.g. {gone[0]})")
    return gone
