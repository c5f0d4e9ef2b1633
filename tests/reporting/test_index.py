"""The landing page: the ten steps linked to their reports."""

from __future__ import annotations

from crm_research import reporting as pages
from crm_research.reporting import check as report_check


def test_landing_page_shows_the_ten_steps_linked_to_their_reports(tmp_path):
    from crm_research import programme

    page = "<html><head><title>R</title></head><body>r</body></html>"
    (tmp_path / "00_crm_programme.html").write_text(page)
    (tmp_path / "02_rfm_clv.managers.html").write_text(page)  # only the managers' version
    status = {
        "00_crm_programme": {
            "status": "ok",
            "short": "00 · The CRM programme",
            "html": "00_crm_programme.html",
        },
        "02_rfm_clv": {"status": "ok", "short": "02 · RFM and CLV"},
    }
    pages.write_landing(tmp_path, status, extra='<section id="history">h</section>')
    index = (tmp_path / "index.html").read_text()
    steps = index.split('id="ten-steps"', 1)[1]
    assert "The ten steps of a CRM programme" in steps
    for step in programme.TEN_STEPS:
        assert f'<td class="num">{step["step"]}</td>' in steps and step["name"] in steps
    assert (
        steps.count('<a href="00_crm_programme.html">00 · The CRM programme</a>') == 4
    )  # 1, 2, 6, 7
    assert '<a href="02_rfm_clv.managers.html">02 · RFM and CLV</a>' in steps
    assert '04 · Churn <span class="absent">(not in this run)</span>' in steps
    assert ".ipynb" not in steps and "1. Goals as KPI targets" in steps
    nav = index.split("<nav", 2)[1]  # one bar, both anchors
    assert 'href="#history"' in nav and 'href="#ten-steps"' in nav and index.count("<nav") == 1
    assert report_check.crawl(tmp_path) == []
