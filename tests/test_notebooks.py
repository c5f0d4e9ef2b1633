"""Notebooks: one parameters cell each, committed without outputs, and a smoke run of each on
reduced parameters whose HTML is scanned for personal data."""

from __future__ import annotations

import re

import nbformat
import pytest

from crm_research import cli
from crm_research.config import NOTEBOOKS_DIR
from crm_research.data.simulator import simulate_world
from crm_research.reporting import check as report_check

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
SMOKE_PARAMS = ["n_people=1500", "world_seed=3"]  # every notebook: a small simulated world


def test_there_are_notebooks():
    assert NOTEBOOKS, "no NN_*.ipynb notebooks found"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_exactly_one_parameters_cell(nb):
    cells = nbformat.read(nb, as_version=4).cells
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_is_seen_by_papermill(nb):
    """papermill skips a line it cannot parse (e.g. a comment containing '='), and the parameter
    silently becomes impossible to override."""
    from crm_research.reporting.parameters import declared_parameters

    cell = next(
        c
        for c in nbformat.read(nb, as_version=4).cells
        if "parameters" in c.metadata.get("tags", [])
    )
    assigned = re.findall(r"^(\w+)\s*=", cell.source, flags=re.M)
    assert sorted(declared_parameters(nb)) == sorted(assigned)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(nb):
    for c in nbformat.read(nb, as_version=4).cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_opens_with_question_and_ends_with_conclusions(nb):
    cells = nbformat.read(nb, as_version=4).cells
    assert cells[0].cell_type == "markdown" and "question" in cells[0].source.lower()
    text = " ".join(c.source for c in cells if c.cell_type == "markdown").lower()
    assert "conclusions" in text


def personal_values(world) -> set[str]:
    """Names, e-mails, phone numbers (formatted and digits) and addresses from the raw exports."""
    vals: set[str] = set()
    for df in world.exports.values():
        for col in ("name", "recipient_name", "email", "phone", "recipient_phone", "address"):
            if col in df:
                vals |= {str(v) for v in df[col].dropna().unique()}
    phones = {v for v in vals if re.fullmatch(r"0\d{1,2}-\d{3,4}-\d{3,4}", v)}
    vals |= {p.replace("-", "") for p in phones}
    return {v for v in vals if len(v) >= 3}


@pytest.fixture(scope="module")
def smoke_data_dir(tmp_path_factory):
    """One data folder for both smoke runs: the small simulated world that the own-data run
    also shows as notebook 05's reference campaign is built once."""
    return tmp_path_factory.mktemp("smoke-data")


@pytest.mark.slow
def test_smoke_run_and_no_personal_data_in_reports(tmp_path, monkeypatch, smoke_data_dir):
    monkeypatch.setenv("CRM_RESEARCH_DATA_DIR", str(smoke_data_dir))
    out = tmp_path / "reports"
    args = ["report", "--reports-dir", str(out), "--timeout", "900"]
    for p in SMOKE_PARAMS:
        args += ["-p", p]
    assert cli.main(args) == 0
    assert (out / "index.html").exists()
    assert report_check.crawl(out) == []  # links, titles, Markdown markers, decimals
    if report_check.find_chromium() is not None:  # images load in a real browser
        assert report_check.browser_check([out / "index.html", *sorted(out.glob("0*.html"))]) == []
    world = simulate_world(1500, seed=3)  # the world every notebook analysed
    pii = personal_values(world)
    assert len(pii) > 1000
    for nb in NOTEBOOKS:
        html = (out / f"{nb.stem}.html").read_text()
        assert len(html.encode()) < 5 * 2**20
        leaked = sorted(v for v in pii if v in html)
        assert not leaked, f"{nb.stem}.html shows personal data: {leaked[:5]}"
        text = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", html)  # figures
        ids = re.findall(r"\b(?:C\d{6}|M\d{8})\b", text)  # database and member ids
        assert not ids, (
            f"{nb.stem}.html shows raw customer ids: {ids[:5]} (use privacy.pseudonymize)"
        )


def stderr_and_errors(nb_path) -> list[str]:
    """Warnings (stderr) and tracebacks in an executed notebook."""
    out = []
    for c in nbformat.read(nb_path, as_version=4).cells:
        for o in c.get("outputs", []):
            if o.output_type == "stream" and o.name == "stderr":
                out.append(o.text[:300])
            if o.output_type == "error":
                out.append(f"{o.ename}: {o.evalue}"[:300])
    return out


@pytest.mark.slow
def test_smoke_run_on_an_orders_only_export(tmp_path, monkeypatch, smoke_data_dir):
    """An analyst's export that no one here wrote (CDNOW's 1/10th sample as a shop's US-dollar
    order log): validated, every notebook runs on it, the footer names it, the notes say what
    the data cannot support, and no warning or traceback reaches a report."""
    from crm_research.data import examples

    monkeypatch.setenv("CRM_RESEARCH_DATA_DIR", str(smoke_data_dir))
    cfg = examples.write_cdnow_shop_export(tmp_path / "export", sample=True)
    out = tmp_path / "reports"
    assert cli.main(["validate", str(cfg)]) == 0
    args = ["report", "--data", str(cfg), "--reports-dir", str(out), "--as-of", "1998-06-30"]
    for p in SMOKE_PARAMS:  # the simulated reference of notebook 05: the small world
        args += ["-p", p]
    assert cli.main(args) == 0
    assert report_check.crawl(out) == []  # the history page and the --as-of run folder
    run = next(p for p in (out / "runs").iterdir() if p.is_dir())
    for nb in NOTEBOOKS:
        assert not stderr_and_errors(run / nb.name), nb.stem
        html = (run / f"{nb.stem}.html").read_text()
        assert "own data: CDNOW shop export" in html
    text = (run / "02_rfm_clv.html").read_text()
    assert "USD" in text
    assert "Not available for this data: needs" in (run / "01_data_integration.html").read_text()
