"""Running one notebook: the kernel, timeouts that kill the kernel, a full disk."""

from __future__ import annotations

import json

import pytest

from crm_research.reporting import execution
from tests.reporting.helpers import kernel_processes, make_nb, run


@pytest.mark.slow
def test_timeout_kills_the_notebook_and_its_kernel(nbdir, tmp_path):
    import time

    make_nb(nbdir / "03_slow.ipynb", "import time\ntime.sleep(120)", params="s = 1")
    out = tmp_path / "reports"
    started = time.time() - 1
    t0 = time.perf_counter()
    assert run(nbdir, out, "--only", "03", "--timeout", "4") == 124  # "timed out", for schedulers
    assert time.perf_counter() - t0 < 60
    status = json.loads((out / "status.json").read_text())["03_slow"]
    assert status["status"] == "timeout" and status["error"].startswith("timed out after 4 s")
    assert not (out / "03_slow.html").exists()
    assert kernel_processes(started) == []


def test_kernel_is_the_project_kernel_or_this_environments(monkeypatch):
    assert execution.kernel_name() in ("crm-research", "python3")
    monkeypatch.setattr(execution, "KERNEL_NAME", "no-such-kernel-xyz")
    assert execution.kernel_name() == "python3"


def test_disk_errors_are_recognised():
    assert execution._is_disk_error("OSError: [Errno 28] No space left on device: '/r/x'")
    assert not execution._is_disk_error("RuntimeError: planned failure")


@pytest.mark.slow
def test_full_disk_stops_the_run_naming_the_folder(nbdir, tmp_path, monkeypatch, capsys):
    """The second notebook cannot be written: the run stops there (exit 74) with a message naming
    the folder; the first report stays; no temporary folder is left."""
    import errno

    out = tmp_path / "reports"
    real = execution._export

    def export(book, hide_code):
        if book.metadata.get("title", "").startswith("02"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(book, hide_code)

    monkeypatch.setattr(execution, "_export", export)
    make_nb(nbdir / "03_third.ipynb", "z = 3", params="z0 = 0")
    assert run(nbdir, out) == 74
    err = capsys.readouterr()
    assert f"cannot write reports to {out}: No space left on device" in err.err
    assert "03_third" not in err.out  # stopped at the first failure
    assert (out / "01_first.html").exists() and not (out / "02_second.html").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp")]
