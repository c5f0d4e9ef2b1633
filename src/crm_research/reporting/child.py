"""The child process that executes one notebook with papermill:
``python -m crm_research.reporting.child --execute-one SRC DST PARAMS_JSON TIMEOUT [KERNEL]``.

The runner (:mod:`crm_research.reporting.execution`) starts it in a process group of its own; if
the runner dies without cleaning up, a watchdog thread kills the kernel and exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path


def _orphan_watchdog(interval_s: float = 0.5) -> None:
    """If the runner dies without cleaning up (SIGKILL, OOM killer), this child is re-parented:
    kill the kernel (a process in a session of its own) and exit, so no kernel outlives a run."""
    import threading

    import psutil

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_s)
        for p in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        os._exit(137)

    threading.Thread(target=watch, daemon=True, name="orphan-watchdog").start()


def execute_one(
    src: str, dst: str, params_json: str, timeout_s: str, kernel: str = "python3"
) -> None:
    """Child process: run papermill on the given kernel (see :func:`kernel_name`)."""
    import papermill as pm

    _orphan_watchdog()

    pm.execute_notebook(
        src,
        dst,
        parameters=json.loads(params_json),
        kernel_name=kernel,
        progress_bar=False,
        execution_timeout=float(timeout_s),
        cwd=str(Path(src).parent),
    )


if __name__ == "__main__":  # pragma: no cover - the child process entry point
    if len(sys.argv) in (6, 7) and sys.argv[1] == "--execute-one":
        execute_one(*sys.argv[2:])
    else:
        sys.exit(
            "usage: python -m crm_research.reporting.child --execute-one SRC DST PARAMS_JSON TIMEOUT [KERNEL]"
        )
