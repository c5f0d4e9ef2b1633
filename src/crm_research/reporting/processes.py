"""Processes of a run: killing a notebook's whole process tree, and telling whether a lock's
holder is still alive.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def kill_group(proc: subprocess.Popen) -> None:
    """Kill papermill and every descendant. jupyter_client starts kernels in a session of their
    own, so killing papermill's process group alone would leave the kernel running."""
    import psutil

    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    for p in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    psutil.wait_procs(family, timeout=10)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def process_alive(pid: int, started: float | None) -> bool:
    import psutil

    try:
        p = psutil.Process(pid)
        # a recycled pid belongs to a process created after the lock was taken
        return started is None or p.create_time() <= started + 1
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
