"""Notebook helpers: scikit-learn's OpenMP loops on one thread unless OMP_NUM_THREADS is set."""

from __future__ import annotations

import sklearn.ensemble  # noqa: F401 - loads scikit-learn's OpenMP runtime
from threadpoolctl import threadpool_info, threadpool_limits

from crm_research.reporting import notebook


def _openmp_threads() -> list[int]:
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"]


def test_openmp_single_threaded_unless_the_user_set_it(monkeypatch):
    with threadpool_limits(2, user_api="openmp"):
        monkeypatch.setenv("OMP_NUM_THREADS", "2")
        notebook.single_threaded_openmp()
        assert all(n == 2 for n in _openmp_threads())  # the user's choice stands
        monkeypatch.delenv("OMP_NUM_THREADS")
        notebook.single_threaded_openmp()
        assert all(n == 1 for n in _openmp_threads())
