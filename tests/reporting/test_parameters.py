"""Notebook parameters: declared, refused when unknown (with a did-you-mean), dates as ISO text."""

from __future__ import annotations

import pytest

from crm_research.reporting.parameters import (
    ParameterError,
    declared_parameters,
    resolve_parameters,
)
from tests.reporting.helpers import make_nb, run


def test_declared_parameters(nbdir):
    assert declared_parameters(nbdir / "01_first.ipynb") == {"x": 1, "fail": False}


def test_notebook_without_parameters_cell_is_refused(tmp_path):
    make_nb(tmp_path / "01_none.ipynb", "1", params=None)
    with pytest.raises(ParameterError, match="exactly one cell tagged 'parameters', found 0"):
        declared_parameters(tmp_path / "01_none.ipynb")


def test_undeclared_parameter_is_refused(nbdir):
    nbs = sorted(nbdir.glob("0*.ipynb"))
    with pytest.raises(ParameterError, match="declares no parameter 'z'"):
        resolve_parameters(nbs, overrides=["01.z=3"])
    with pytest.raises(ParameterError, match="no selected notebook declares a parameter 'z'"):
        resolve_parameters(nbs, overrides=["z=3"])
    got = resolve_parameters(nbs, overrides=["x=5", "02.y0=7"])
    assert got == {"01_first": {"x": 5}, "02_second": {"y0": 7}}


def test_dates_are_passed_as_iso_strings(nbdir, tmp_path):
    nb = nbdir / "01_first.ipynb"
    assert resolve_parameters([nb], overrides=["x=2025-09-30", "fail=2025-09-30 10:00:00"])[
        "01_first"
    ] == {"x": "2025-09-30", "fail": "2025-09-30 10:00:00"}
    f = tmp_path / "p.yaml"
    f.write_text("all: {x: 2025-06-30}\n")
    assert resolve_parameters([nb], yaml_file=f)["01_first"] == {"x": "2025-06-30"}


def test_yaml_parameters(nbdir, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("all:\n  x: 4\n'02':\n  y0: 1\n")
    assert resolve_parameters(sorted(nbdir.glob("0*.ipynb")), f) == {
        "01_first": {"x": 4},
        "02_second": {"y0": 1},
    }


def test_did_you_mean_and_keep_without_as_of(nbdir, tmp_path, capsys):
    nbs = sorted(nbdir.glob("0*.ipynb"))
    with pytest.raises(ParameterError, match="did you mean 'fail'"):
        resolve_parameters(nbs, overrides=["fial=1"])
    with pytest.raises(ParameterError, match="did you mean 'y0'"):
        resolve_parameters(nbs, overrides=["02.y=1"])
    assert run(nbdir, tmp_path / "r", "--keep", "3") == 2
    assert "--keep applies to dated runs only" in capsys.readouterr().err
