"""The report crawler finds each kind of problem a reader would meet."""

from __future__ import annotations

from crm_research.reporting import check as report_check


def test_crawler_finds_each_kind_of_problem(tmp_path):
    (tmp_path / "ok.html").write_text(
        "<html><head><title>Fine</title></head><body><a href='ok.html#x'>x</a></body></html>"
    )
    (tmp_path / "bad.html").write_text(
        "<html><head><title>Notebook</title></head><body><a href='missing.html'>m</a>"
        "<a href='02_x.ipynb'>n</a><img src='gone.png'><a href='https://example.org/x'>ext</a>"
        "<div class='jp-OutputArea-output'><pre>**The real campaign.** text</pre></div>"
        "<div class='jp-InputArea'><pre>print('**not flagged**')</pre></div>"
        "<table><tr><td>1410.000000</td><td>0.1234</td></tr></table></body></html>"
    )
    problems = report_check.crawl(tmp_path)
    text = "\n".join(problems)
    assert len(problems) == 6, text
    for needle in (
        "<title> is 'Notebook'",
        "'missing.html'> does not resolve",
        "links to a notebook file",
        "'gone.png'> does not resolve",
        "literal Markdown (bold",
        "'1410.000000' has more than 4",
    ):
        assert needle in text
