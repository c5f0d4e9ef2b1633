"""Pages around the reports: navigation stripped and generated, titles, dates, glossary,
landing page, and the crawler and browser check on a small run (root and --as-of folder)."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from crm_research import cli
from crm_research import reporting as pages
from crm_research.reporting import check as report_check

FIRST = (
    "# 01 · Alpha: the first step\n\n**CRM step:** test. **The question:** *how many\n"
    "customers do we have?*\n\nIntro.\n\n[Index](../reports/index.html) · Previous: "
    "[00 Zero](00_zero.ipynb) ·\nNext: [02 Beta](02_beta.ipynb)"
)


def test_notebook_meta_and_navigation_stripped():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(FIRST),
        nbformat.v4.new_markdown_cell("Text with a [link](https://example.org) stays."),
        nbformat.v4.new_markdown_cell("[Index](../reports/index.html) · Next: [02 B](02_b.ipynb)"),
        nbformat.v4.new_markdown_cell("anything", metadata={"tags": ["nav"]}),
    ]
    meta = pages.notebook_meta(nb)
    assert meta == {
        "title": "01 · Alpha: the first step",
        "short": "01 · Alpha",
        "question": "How many customers do we have?",
    }
    assert pages.strip_navigation(nb) == 3
    assert len(nb.cells) == 2 and nb.cells[0].source.endswith("Intro.")
    assert "example.org" in nb.cells[1].source


def test_links_are_rebased_to_the_report_folder(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "background.md").write_text("x")
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "See [steps](../docs/background.md#ten-steps), [02](02_rfm_clv.ipynb), "
            "[web](https://x.org/a.md), [gone](../docs/none.md)."
        )
    ]
    run = tmp_path / "reports" / "runs" / "r1"
    assert pages.rebase_links(nb, tmp_path / "notebooks", run) == 2
    assert nb.cells[0].source == (
        "See [steps](../../../docs/background.md#ten-steps), [02](02_rfm_clv.html), "
        "[web](https://x.org/a.md), [gone](../docs/none.md)."
    )


def test_human_dates_and_stale_warning():
    assert pages.human_date("2025-12-31") == "31 December 2025"
    assert pages.human_time("2026-03-03T14:05:00+00:00") == "3 March 2026 at 14:05 UTC"
    assert pages.stale_warning("2025-12-31", "2025-12-30") is None
    w = pages.stale_warning("2026-03-31", "2025-12-31")
    assert "as of 31 March 2026" in w and "90 days earlier" in w


# ------------------------------------------------------------------------------------------------
# a small run: two good notebooks, one failing, root run with --hide-code, then an --as-of run

PARAMS = "data = 'simulated'  # the dataset\nn_people = 2000  # people\nworld_seed = 7  # seed\nas_of = None  # date\nfail = False  # fail on purpose"
SETUP = "from crm_research.reporting import headline, setup_notebook\nsetup_notebook()\nimport matplotlib.pyplot as plt\nimport numpy as np\nimport pandas as pd\nfrom IPython.display import Markdown, display\nfrom crm_research import plots, tables"
BODY_1 = (
    "plots.plot_probability_histogram(np.random.default_rng(0).beta(2, 5, 500), title='P(alive) of every customer', xlabel='P(alive)')\n"
    "plt.show()\nfig, ax = plt.subplots()\nax.plot([1, 2])\nplt.show()\n"
    "headline('BG/NBD P(alive) vs the truth (ROC AUC)', 0.81234)\n"
    "display(tables.format_table(pd.DataFrame({'segment': ['a', 'b'], 'churners': [1410.0, 3.0], 'churn_rate': [0.123456, 0.5]})))\n"
    "display(Markdown('**The answer.** Forty-two.'))"
)


def _nb(path, title, body, nav):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}\n\n**The question:** *what is {title}?*"),
        nbformat.v4.new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(SETUP),
        nbformat.v4.new_code_cell("if fail:\n    raise RuntimeError('planned failure')\n" + body),
        nbformat.v4.new_markdown_cell(nav),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def site(tmp_path_factory, small_dataset_dir):
    import os

    tmp = tmp_path_factory.mktemp("site")
    nbdir = tmp / "notebooks"
    nbdir.mkdir()
    _nb(
        nbdir / "01_alpha.ipynb",
        "01 · Alpha: first",
        BODY_1,
        "[Index](../reports/index.html) · Next: [02 Beta](02_beta.ipynb)",
    )
    _nb(
        nbdir / "02_beta.ipynb",
        "02 · Beta",
        "headline('Segmentation k=4 ARI', 0.782)",
        "[Index](../reports/index.html) · Previous: [01](01_alpha.ipynb) · Next: [03](03_gamma.ipynb)",
    )
    _nb(nbdir / "03_gamma.ipynb", "03 · Gamma", "print(1)", "x")
    data = tmp / "data"
    shutil.copytree(small_dataset_dir / "processed", data / "processed")
    old = os.environ.get("CRM_RESEARCH_DATA_DIR")
    os.environ["CRM_RESEARCH_DATA_DIR"] = str(data)
    out = tmp / "reports"
    base = ["report", "--notebooks-dir", str(nbdir), "--reports-dir", str(out), "--timeout", "120"]
    try:
        codes = [
            cli.main([*base, "--hide-code", "-p", "03.fail=True"]),
            cli.main([*base, "--as-of", "2026-03-31", "--only", "01", "02"]),
        ]
    finally:
        if old is None:
            del os.environ["CRM_RESEARCH_DATA_DIR"]
        else:
            os.environ["CRM_RESEARCH_DATA_DIR"] = old
    return out, codes


@pytest.mark.slow
def test_site_navigation_titles_and_landing_page(site):
    out, codes = site
    assert codes == [1, 0]
    a, b = (out / "01_alpha.html").read_text(), (out / "02_beta.html").read_text()
    assert "<title>01 · Alpha: first</title>" in a and "<title>02 · Beta</title>" in b
    assert ".ipynb" not in a.split("<main>", 1)[1].split("Report generated")[0]
    assert 'rel="next" href="02_beta.html"' in a and 'rel="prev" href="01_alpha.html"' in b
    assert 'href="01_alpha.managers.html"' in a and (out / "01_alpha.managers.html").exists()
    mgr = (out / "01_alpha.managers.html").read_text()
    assert 'rel="next" href="02_beta.managers.html"' in mgr and "setup_notebook()" not in mgr
    assert 'alt="Figure: P(alive) of every customer"' in a
    assert 'alt="Figure 2 of 01 · Alpha: first"' in a  # untitled figure: named by the report
    assert "No description has been provided" not in a
    index = (out / "index.html").read_text()
    assert "What is 01 · Alpha: first?" in index and "A simulated retailer" in index
    assert "<b>ROC AUC</b>: " in index and "<b>ARI</b>: " in index
    assert "03 · Gamma failed" in index and "planned failure" in index
    assert 'id="ten-steps"' in index and "The ten steps ↓" in index
    assert 'href="01_alpha.managers.html"' in index and "Run history" in index
    run = next((out / "runs").iterdir())
    ri = (run / "index.html").read_text()
    assert "Reports as of 31 March 2026" in ri and 'href="../../index.html"' in ri
    assert "Stale data" in ri and "Stale data" in (run / "01_alpha.html").read_text()
    assert 'href="../../index.html"' in (run / "02_beta.html").read_text()
    assert json.loads((run / "run.json").read_text())["data_end"] == "2025-12-31"
    assert not list(out.rglob(".tmp-*"))


@pytest.mark.slow
def test_site_passes_the_crawler(site):
    out, _ = site
    assert report_check.crawl(out) == []


@pytest.mark.slow
def test_site_images_load_in_chromium(site):
    if report_check.find_chromium() is None:
        pytest.skip("chromium is not installed (make chromium): browser check skipped")
    out, _ = site
    pages_ = [
        out / "index.html",
        out / "01_alpha.html",
        next((out / "runs").iterdir()) / "index.html",
    ]
    assert report_check.browser_check(pages_) == []
