"""Peak memory of the current process, for the benchmarks."""

from pathlib import Path


def peak_rss_gib() -> float:
    """Peak resident set (VmHWM) in GiB. Unlike ``ru_maxrss``, which Linux carries over fork and
    exec from the parent, VmHWM belongs to this process's own address space."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20  # kB -> GiB
    return float("nan")
