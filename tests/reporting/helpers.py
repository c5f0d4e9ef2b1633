"""Helpers shared by the tests of crm_research.reporting: small notebooks, kernel processes."""

from __future__ import annotations

import nbformat
import psutil

from crm_research import cli


def make_nb(path, body: str, params: str | None = "x = 1\nfail = False"):
    nb = nbformat.v4.new_notebook()
    cells = []
    if params is not None:
        cells.append(nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}))
    cells.append(nbformat.v4.new_code_cell(body))
    nb.cells = cells
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


GOOD_BODY = (
    "from crm_research.reporting import headline\n"
    "if fail:\n    raise RuntimeError('planned failure')\n"
    "headline('Answer', x * 2)\nprint('value', x * 2)"
)


def kernel_processes(since: float) -> list:
    procs = []
    for p in psutil.process_iter(["cmdline", "create_time"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if "ipykernel_launcher" in cmd and p.info["create_time"] >= since:
            procs.append(p)
    return procs


def run(nbdir, out, *args):
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
