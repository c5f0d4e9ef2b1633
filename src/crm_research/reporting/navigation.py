"""Navigation and warnings inside the reports.

The runner (:mod:`crm_research.reporting.runner`) converts each executed notebook to HTML with the
template in ``templates/crm`` (nbconvert's ``lab`` template plus alternative text for figures and
two empty slots marked ``<!--crm-top-->`` and ``<!--crm-bottom-->``). This module fills those
slots — index, previous and next report, the run history, the managers' or analysts' version,
and warnings such as stale data. Every link is relative to the page, so the reports work from
disk, over HTTP and inside ``reports/runs/<run>/``; links go to HTML reports only, never to
``.ipynb`` files. The landing page itself is :mod:`crm_research.reporting.index`.

Navigation written by hand in a notebook (a Markdown cell tagged ``nav``, or a paragraph starting
``[Index](`` whose links go to notebooks or the index) is removed from the HTML by
:func:`strip_navigation`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from crm_research.reporting.dates import human_date, human_time
from crm_research.reporting.files import write_text_atomic
from crm_research.reporting.kpi import stale_days

NAV_TAGS = ("nav", "navigation")

SLOTS = {
    "top": ("<!--crm-top-->", "<!--/crm-top-->"),
    "bottom": ("<!--crm-bottom-->", "<!--/crm-bottom-->"),
}

MANAGERS_SUFFIX = ".managers.html"

_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")

_QUESTION = re.compile(r"\*\*The question:?\*\*:?\s*\*(.+?)\*(?!\*)", re.S)

_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.M)

CSS = """
.crm-nav{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:15px;display:flex;
 flex-wrap:wrap;gap:.3em 1.2em;align-items:center;padding:.6em 1em;margin:0 0 1em;background:#f3f6fa;
 border:1px solid #d5dde8;border-radius:6px}
.crm-nav a{color:#0b5cad;text-decoration:none}.crm-nav a:hover{text-decoration:underline}
.crm-nav .spacer{flex:1}
.crm-warn{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:15px;margin:0 0 1em;
 padding:.7em 1em;border-left:5px solid #c77700;background:#fff4e0;border-radius:4px;color:#4a3000}
.crm-warn.bad{border-color:#b00020;background:#fdecea;color:#5c0010}
"""


def notebook_meta(nb) -> dict[str, str]:
    """Title, short title and question of a notebook (an nbformat node), from its first Markdown
    cell: ``# NN · Title: subtitle`` and ``**The question:** *…*``. Missing parts are empty."""
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    m = _TITLE.search(first)
    title = _plain_markdown(m.group(1)) if m else ""
    q = _QUESTION.search(first)
    question = " ".join(q.group(1).split()) if q else ""
    if question:
        question = question[0].upper() + question[1:]
    return {"title": title, "short": title.split(":")[0].strip(), "question": question}


def _plain_markdown(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    return re.sub(r"[*_`]+", "", text).strip()


def fallback_title(stem: str) -> str:
    """``02_rfm_clv`` → ``02 · Rfm clv`` for notebooks without a heading."""
    num, _, rest = stem.partition("_")
    return f"{num} · {rest.replace('_', ' ').capitalize()}" if rest else stem


def _is_nav_paragraph(par: str) -> bool:
    links = _LINK.findall(par)
    if not links or not par.lstrip().startswith("[Index]("):
        return False
    rest = _LINK.sub("", par)
    return all(
        t.endswith(".ipynb") or t.endswith("index.html") for _, t in links
    ) and not re.search(r"[A-Za-z]{3,}", re.sub(r"\b(Previous|Next|Index)\b", "", rest))


def strip_navigation(nb) -> int:
    """Remove hand-written navigation from a notebook node (in place): Markdown cells tagged
    ``nav`` (or ``navigation``), and nav paragraphs (``[Index](…) · Previous: [..](NN.ipynb) ·
    Next: …``) inside other Markdown cells; a cell left empty is dropped. Returns how many were
    removed."""
    kept, removed = [], 0
    for c in nb.cells:
        if c.cell_type == "markdown":
            if set(c.get("metadata", {}).get("tags", [])) & set(NAV_TAGS):
                removed += 1
                continue
            pars = re.split(r"\n\s*\n", c.source)
            keep = [p for p in pars if not _is_nav_paragraph(p)]
            if len(keep) != len(pars):
                removed += len(pars) - len(keep)
                c.source = "\n\n".join(keep).strip()
                if not c.source:
                    continue
        kept.append(c)
    nb.cells = kept
    return removed


_MD_TARGET = re.compile(r"(\]\()(?!https?:|mailto:|#|data:)([^)\s]+?)(\s+\"[^\"]*\")?\)")


def rebase_links(nb, notebooks_dir: Path, out_dir: Path, *, to_html: bool = True) -> int:
    """Rewrite relative links of Markdown cells (written relative to the notebook) so they work
    from the report's folder: a link to another notebook ``NN_x.ipynb`` goes to its report
    ``NN_x.html`` (with ``to_html=False``, e.g. for student notebooks written side by side, it
    is left alone); a link to a file of the repository (``../docs/x.md#a``) is made relative to
    ``out_dir`` (so it also works from ``reports/runs/<run>/``). Returns how many changed."""
    import os

    n = 0

    def fix(m: re.Match) -> str:
        nonlocal n
        target = m.group(2)
        path, sep, frag = target.partition("#")
        if re.fullmatch(r"\d\d_[\w-]+\.ipynb", Path(path).name) and not path.startswith(".."):
            if not to_html:
                return m.group(0)
            new = Path(path).with_suffix(".html").name
        else:
            src = (Path(notebooks_dir) / path).resolve()
            if not path or not src.exists():
                return m.group(0)
            new = os.path.relpath(src, Path(out_dir).resolve())
        n += 1
        return f"{m.group(1)}{new}{sep}{frag}{m.group(3) or ''})"

    for c in nb.cells:
        if c.cell_type == "markdown":
            c.source = _MD_TARGET.sub(fix, c.source)
    return n


def stale_warning(as_of: str | None, data_end: str | None) -> str | None:
    """The stale-data warning of an ``--as-of`` run whose data end more than
    :data:`crm_research.reporting.kpi.STALE_DAYS` before the as-of date (plain text), else None."""

    if not as_of:
        return None
    lag = stale_days(data_end, as_of)
    if not lag:
        return None
    return (
        f"Stale data: these reports are as of {human_date(as_of)}, but the data end on "
        f"{human_date(data_end)}, {lag} days earlier. Purchases after that date are missing, so "
        "activity, churn and value describe missing data rather than customers."
    )


def failure_warnings(status: dict[str, dict]) -> list[str]:
    """One line per notebook whose latest run did not succeed."""
    out = []
    for stem in sorted(status):
        s = status[stem]
        if s.get("status") == "ok":
            continue
        title = s.get("title") or fallback_title(stem)
        shown = "the link shows the last good report" if s.get("html") else "no report is available"
        when = human_time(s.get("finished_at"))
        out.append(
            f"{title} {s.get('status', 'failed')}"
            + (f" on {when}" if when else "")
            + f": {s.get('error') or 'unknown error'} ({shown})."
        )
    return out


def warn_html(lines: list[str], cls: str = "") -> str:
    return "".join(
        f'<div class="crm-warn {cls}" role="alert">⚠ {html.escape(t)}</div>' for t in lines
    )


def report_order(folder: Path, status: dict[str, dict]) -> list[dict[str, Any]]:
    """The reports present in ``folder``, in notebook order: stem, short title, analysts' and
    managers' HTML file names (None when absent)."""
    stems = set(status) | {
        p.name[: -len(".html")]
        for p in folder.glob("[0-9][0-9]_*.html")
        if not p.name.endswith(MANAGERS_SUFFIX)
    }
    out = []
    for stem in sorted(stems):
        main, mgr = f"{stem}.html", f"{stem}{MANAGERS_SUFFIX}"
        has_main, has_mgr = (folder / main).exists(), (folder / mgr).exists()
        if not (has_main or has_mgr):
            continue
        s = status.get(stem, {})
        out.append(
            {
                "stem": stem,
                "short": s.get("short") or fallback_title(stem),
                "html": main if has_main else None,
                "managers": mgr if has_mgr else None,
            }
        )
    return out


def _page_of(entry: dict, managers: bool) -> str:
    return (
        (entry["managers"] or entry["html"]) if managers else (entry["html"] or entry["managers"])
    )


def nav_html(order: list[dict], stem: str, *, managers: bool, history: str | None) -> str:
    """The navigation bar of one report."""
    i = next(k for k, e in enumerate(order) if e["stem"] == stem)
    me = order[i]
    a = ['<a href="index.html">↑ All reports</a>']
    if i > 0:
        p = order[i - 1]
        a.append(
            f'<a rel="prev" href="{html.escape(_page_of(p, managers))}">← {html.escape(p["short"])}</a>'
        )
    if i < len(order) - 1:
        n = order[i + 1]
        a.append(
            f'<a rel="next" href="{html.escape(_page_of(n, managers))}">{html.escape(n["short"])} →</a>'
        )
    a.append('<span class="spacer"></span>')
    if managers and me["html"]:
        a.append(f'<a href="{html.escape(me["html"])}">Analysts\' version (with code)</a>')
    elif not managers and me["managers"]:
        a.append(f'<a href="{html.escape(me["managers"])}">Managers\' version (no code)</a>')
    if history:
        a.append(f'<a href="{html.escape(history)}">Run history</a>')
    return '<nav class="crm-nav" aria-label="Reports">' + "".join(a) + "</nav>"


def fill_slots(text: str, top: str, bottom: str) -> str:
    """Put ``top`` and ``bottom`` into a report's slots (replacing what they held)."""
    for (start, end), content in ((SLOTS["top"], top), (SLOTS["bottom"], bottom)):
        i, j = text.find(start), text.find(end)
        if i < 0 or j < i:
            continue
        text = text[: i + len(start)] + content + text[j:]
    return text


def refresh_reports(
    folder: Path,
    status: dict[str, dict],
    *,
    history: str | None = None,
    warnings: list[str] | None = None,
    write=None,
) -> None:
    """Rewrite the navigation and warnings of every report in ``folder``. ``history``: relative
    link to the run history (``../../index.html`` from a run folder); ``warnings``: shown at the
    top of every report (e.g. stale data)."""

    write = write or write_text_atomic
    order = report_order(folder, status)
    warn = warn_html(warnings or [])
    for e in order:
        s = status.get(e["stem"], {})
        own = (
            []
            if s.get("status", "ok") == "ok"
            else [
                f"This is the last good report: the latest run of this notebook {s.get('status')} ({s.get('error') or 'unknown error'})."
            ]
        )
        for page, managers in ((e["html"], False), (e["managers"], True)):
            if not page:
                continue
            path = folder / page
            text = path.read_text(encoding="utf-8")
            bar = nav_html(order, e["stem"], managers=managers, history=history)
            new = fill_slots(text, f"<style>{CSS}</style>{bar}{warn}{warn_html(own, 'bad')}", bar)
            if new != text:
                write(path, new)
