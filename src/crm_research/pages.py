"""The pages around the reports: navigation, warnings, and the index as a landing page.

The runner (:mod:`crm_research.report`) converts each executed notebook to HTML with the
template in ``templates/crm`` (nbconvert's ``lab`` template plus alternative text for figures and
two empty slots marked ``<!--crm-top-->`` and ``<!--crm-bottom-->``). This module fills those
slots — index, previous and next report, the run history, the managers' or analysts' version,
and warnings such as stale data — and writes ``index.html``. Every link is relative to the page,
so the reports work from disk, over HTTP and inside ``reports/runs/<run>/``; links go to HTML
reports only, never to ``.ipynb`` files.

Navigation written by hand in a notebook (a Markdown cell tagged ``nav``, or a paragraph starting
``[Index](`` whose links go to notebooks or the index) is removed from the HTML by
:func:`strip_navigation`.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from crm_research.teaching.terms import GLOSSARY

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


# ------------------------------------------------------------------------------------------------
# technical terms in headlines, explained from the glossary (crm_research.glossary)

#: other spellings of glossary terms, as they appear in headline labels
TERM_ALIASES = {
    "F1": "Precision, recall, F1",
    "precision": "Precision, recall, F1",
    "recall": "Precision, recall, F1",
    "Kaplan-Meier": "Kaplan–Meier",
    "90-day churn": "Churn rate (90 days)",
    "Davies-Bouldin": "Davies–Bouldin",
    "Calinski-Harabasz": "Calinski–Harabasz",
    "AUC": "ROC AUC",
    "S-learner": "Meta-learners",
    "T-learner": "Meta-learners",
    "X-learner": "Meta-learners",
}
#: terms of headline labels that the glossary does not define (one line each)
EXTRA_TERMS = {
    "pts": "Percentage points: the difference between two percentages (12% to 15% is +3 pts).",
    "truth": "The simulator's hidden ground truth, known only on simulated data.",
    "RMSE": "Root mean squared error: the typical size of a forecast's miss, large misses "
    "weighing more.",
    "Gini": "Inequality from 0 (everyone brings the same) to 1 (one customer brings everything).",
}
#: glossary entries whose names are ordinary words in headlines, with another meaning there
TERM_SKIP = {"Target", "CRM", "eCRM", "Blocking", "Segmentation", "Quarantine"}


def _term_pattern(spelling: str) -> re.Pattern:
    body = re.escape(spelling).replace("\\ ", "[ -]")
    sensitive = sum(ch.isupper() for ch in spelling) >= 2 or len(spelling) <= 3
    return re.compile(rf"(?<![\w/]){body}(?![\w/])", 0 if sensitive else re.IGNORECASE)


def _term_table() -> list[tuple[re.Pattern, str, str]]:
    rows = [(t, t, GLOSSARY[t][0]) for t in GLOSSARY if t not in TERM_SKIP]
    rows += [(a, t, GLOSSARY[t][0]) for a, t in TERM_ALIASES.items() if t in GLOSSARY]
    rows += [(t, t, m) for t, m in EXTRA_TERMS.items()]
    return [(_term_pattern(sp), term, meaning) for sp, term, meaning in rows]


_TERMS = _term_table()


def explain(text: str) -> list[tuple[str, str]]:
    """``[(term, one-line meaning), ...]`` for the technical terms in ``text`` (glossary terms,
    their usual spellings, and :data:`EXTRA_TERMS`), each once, in the order they appear; a term
    found inside a longer one found (AUC in ROC AUC) is left out."""
    hits: dict[str, tuple[int, str, str]] = {}
    for rx, term, meaning in _TERMS:
        m = rx.search(text)
        if m and (term not in hits or m.start() < hits[term][0]):
            hits[term] = (m.start(), m.group(0), meaning)
    spans = {t: v[1] for t, v in hits.items()}
    keep = [
        t
        for t in hits
        if not any(
            t != o and spans[t].lower() in spans[o].lower() and len(spans[o]) > len(spans[t])
            for o in hits
        )
    ]
    return [(t, hits[t][2]) for t in sorted(keep, key=lambda t: hits[t][0])]


# ------------------------------------------------------------------------------------------------
# what a notebook is about


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


# ------------------------------------------------------------------------------------------------
# dates people read


def human_date(value: Any) -> str:
    """``2025-12-31`` → ``31 December 2025`` (empty for missing values)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return ""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return str(value)
    return f"{ts.day} {ts:%B %Y}"


def human_time(value: Any) -> str:
    """An ISO timestamp → ``3 March 2026 at 14:05 UTC`` (UTC when the stamp has a zone)."""
    if not value:
        return ""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return str(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC")
    return f"{ts.day} {ts:%B %Y} at {ts:%H:%M}" + (" UTC" if ts.tzinfo is not None else "")


def now_text() -> str:
    return human_time(datetime.now(UTC).isoformat())


def duration_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s"


# ------------------------------------------------------------------------------------------------
# warnings


def stale_warning(as_of: str | None, data_end: str | None) -> str | None:
    """The stale-data warning of an ``--as-of`` run whose data end more than
    :data:`crm_research.kpi.STALE_DAYS` before the as-of date (plain text), else None."""
    from crm_research.kpi import stale_days

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


def _warn_html(lines: list[str], cls: str = "") -> str:
    return "".join(
        f'<div class="crm-warn {cls}" role="alert">⚠ {html.escape(t)}</div>' for t in lines
    )


# ------------------------------------------------------------------------------------------------
# navigation inside the reports


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
    from crm_research.report import write_text_atomic

    write = write or write_text_atomic
    order = report_order(folder, status)
    warn = _warn_html(warnings or [])
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
            new = fill_slots(text, f"<style>{CSS}</style>{bar}{warn}{_warn_html(own, 'bad')}", bar)
            if new != text:
                write(path, new)


# ------------------------------------------------------------------------------------------------
# the index


def dataset_paragraphs(info: dict | None, fallback: str | None = None) -> str:
    """What the reports analyse (HTML): the kind of data, its period and size, and, for the
    simulated retailer, that the figures describe no real company."""
    if not info:
        return (
            f"<p><b>Data:</b> {html.escape(fallback or 'see each report')}</p>" if fallback else ""
        )
    kind = info.get("kind")
    cur = info.get("currency") or ""
    amounts = f"amounts in {cur}" if info.get("has_amount") else "no purchase amounts in the data"
    facts = [
        f"{human_date(info.get('first_purchase'))} to {human_date(info.get('last_purchase'))}",
        f"{int(info.get('customers') or 0):,} customers with a purchase",
        f"{int(info.get('transactions') or 0):,} purchases",
        amounts,
    ]
    if kind == "simulated":
        head = "A simulated retailer"
        size = re.search(r"\(([\d,]+) people, seed (\d+)", str(info.get("description", "")))
        world = f" ({size.group(1)} simulated people, seed {size.group(2)})" if size else ""
        note = (
            "All figures describe a <b>simulated</b> Korean multichannel retailer, not a real "
            f"company: its data are generated by the project's simulator{world}, which also "
            "records every customer's true behaviour, so the reports can check each method "
            "against the truth. Run the reports on your own exports to learn about your customers."
        )
    elif kind == "cdnow":
        head = "CDNOW: a real online music shop"
        note = (
            "Real purchases of the customers who first bought at CDNOW in the first quarter of "
            "1997, the standard data set of customer-base analysis (no personal data)."
        )
    else:
        head = f"Your data: {html.escape(str(info.get('name', '')))}"
        note = (
            "Exports of your own systems, as described in "
            + html.escape(str(info.get("description", "")))
            + "."
        )
    return (
        f'<section class="data"><h2>{head}</h2><p>{note}</p>'
        f'<p class="facts">{" · ".join(html.escape(f) for f in facts)}</p>'
        '<p class="note">Some reports also analyse public reference data (named in each '
        "report), for example a real e-mail campaign or published cases.</p></section>"
    )


def _headline_html(h: dict) -> str:
    label, value = h.get("label", ""), h.get("value", "")
    means = [f"<b>{html.escape(t)}</b>: {html.escape(m)}" for t, m in explain(label)]
    if h.get("means"):
        means.insert(0, html.escape(h["means"]))
    extra = f'<div class="means">{"<br>".join(means)}</div>' if means else ""
    return f'<li><span class="label">{html.escape(label)}:</span> <b class="value">{html.escape(value)}</b>{extra}</li>'


def _card(stem: str, s: dict, folder: Path) -> str:
    ok = s.get("status") == "ok"
    title = s.get("title") or fallback_title(stem)
    main = s.get("html") if s.get("html") and (folder / s["html"]).exists() else None
    mgr = f"{stem}{MANAGERS_SUFFIX}" if (folder / f"{stem}{MANAGERS_SUFFIX}").exists() else None
    first = main or mgr
    head = (
        f'<a href="{html.escape(first)}">{html.escape(title)}</a>' if first else html.escape(title)
    )
    q = f'<p class="question">{html.escape(s["question"])}</p>' if s.get("question") else ""
    heads = "".join(_headline_html(h) for h in s.get("headlines", []))
    heads = f'<ul class="headlines">{heads}</ul>' if heads else ""
    links = []
    if main:
        links.append(f'<a href="{html.escape(main)}">Full report (analysts, with code)</a>')
    if mgr:
        links.append(f'<a href="{html.escape(mgr)}">Managers\' version (no code)</a>')
    params = (
        "".join(
            f"<code>{html.escape(k)} = {html.escape(repr(v))}</code> "
            for k, v in s.get("parameters", {}).items()
        )
        or "notebook defaults"
    )
    when = human_time(s.get("finished_at"))
    state = (
        f"Ran {('on ' + when) if when else ''} in {duration_text(s.get('duration_s', 0))}."
        if ok
        else f'<span class="bad">{html.escape(s.get("status", "failed").capitalize())}'
        + (f" on {when}" if when else "")
        + f": {html.escape(s.get('error') or 'unknown error')}.</span>"
        + (" The link shows the last good report." if first else "")
    )
    return (
        f'<section class="card {"ok" if ok else "bad"}"><h2>{head}</h2>{q}{heads}'
        f'<p class="links">{" · ".join(links)}</p>'
        f'<p class="meta">{state} <details><summary>Parameters</summary>{params}</details></p>'
        "</section>"
    )


def _report_link(folder: Path, stem: str, status: dict[str, dict]) -> str:
    """A link to the report of notebook ``stem`` in ``folder`` (analysts' version, else the
    managers'), named by its short title; plain text when it is not in this folder."""
    from crm_research.programme import CHAPTERS

    label = (status.get(stem) or {}).get("short") or dict(CHAPTERS).get(stem, "").split(":")[0]
    label = label or fallback_title(stem)
    page = next(
        (f for f in (f"{stem}.html", f"{stem}{MANAGERS_SUFFIX}") if (Path(folder) / f).exists()),
        None,
    )
    if page is None:
        return f'{html.escape(label)} <span class="absent">(not in this run)</span>'
    return f'<a href="{html.escape(page)}">{html.escape(label)}</a>'


def ten_steps_html(folder: Path, status: dict[str, dict]) -> str:
    """The ten steps of a CRM programme (:func:`crm_research.programme.ten_steps_table`) as an
    HTML section: each step, what it is, and links to the reports in ``folder`` that cover it
    (relative links; a report not in ``folder`` is named without a link)."""
    from crm_research.programme import ten_steps_table

    rows = []
    for step, r in ten_steps_table().iterrows():
        where = "<br>".join(
            _report_link(folder, stem.strip(), status) for stem in str(r["notebook"]).split(",")
        )
        section = (
            ""
            if r["section"] == "all"
            else f'<br><span class="part">{html.escape(r["section"])}</span>'
        )
        rows.append(
            f'<tr><td class="num">{html.escape(str(step))}</td>'
            f"<td><b>{html.escape(r['name'])}</b><br>{html.escape(r['what'])}</td>"
            f"<td>{where}{section}</td></tr>"
        )
    return (
        '<section class="steps" id="ten-steps"><h2>The ten steps of a CRM programme</h2>'
        "<p>The methodology these reports follow, from setting goals to reviewing them, and the "
        "report that covers each step.</p>"
        '<table class="steps"><tr><th>Step</th><th>What it is</th><th>Where</th></tr>'
        + "".join(rows)
        + "</table></section>"
    )


PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1.5em 2em;
 max-width:64em;color:#1d2329;line-height:1.45}
h1{margin:.2em 0 .1em;font-size:1.9em} h2{font-size:1.25em;margin:.2em 0 .3em}
.sub{color:#555;margin:0 0 1.2em}
section.data{background:#f7f9fc;border:1px solid #d5dde8;border-radius:8px;padding:.8em 1.2em;margin:1em 0}
section.data .facts{font-weight:600} .note{color:#666;font-size:.9em}
section.card{border:1px solid #d5dde8;border-radius:8px;padding:.9em 1.2em;margin:1em 0}
section.card.bad{border-color:#e0a0a8;background:#fff8f8}
.question{font-style:italic;color:#333;margin:.2em 0 .6em}
ul.headlines{margin:.3em 0;padding-left:1.2em} ul.headlines li{margin:.35em 0}
.means{color:#555;font-size:.88em;margin:.1em 0 0}
.value{white-space:nowrap} .bad{color:#a00020}
.links a{font-weight:600} .meta{color:#555;font-size:.88em}
details{display:inline} summary{cursor:pointer;color:#0b5cad;display:inline}
a{color:#0b5cad}
table.hist{border-collapse:collapse;font-size:.9em}
table.hist td,table.hist th{border:1px solid #ccc;padding:.35em .5em;text-align:right;vertical-align:top}
table.hist th{background:#f3f6fa}
table.hist td:nth-child(-n+4),table.hist th:nth-child(-n+4){text-align:left}
table.hist tr.bad td{background:#fdecea}
.flag{color:#a00;font-weight:bold} .ch{color:#666;font-size:.85em}
.tgt{font-size:.85em} .tgt.met{color:#1b6e2d} .tgt.missed{color:#a00020;font-weight:600}
.tgt.na{color:#666} table.targets td.tgt{font-size:1em}
table.steps{border-collapse:collapse;font-size:.92em;width:100%}
table.steps td,table.steps th{border-top:1px solid #d5dde8;padding:.4em .6em;text-align:left;vertical-align:top}
table.steps th{background:#f3f6fa} table.steps td.num{text-align:right;font-weight:600;width:2.5em}
table.steps .part{color:#555;font-size:.9em} .absent{color:#888;font-size:.9em}
img{max-width:100%}
footer{color:#666;font-size:.85em;margin-top:2em;border-top:1px solid #ddd;padding-top:.6em}
"""


def page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{PAGE_CSS}{CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


def latest_dataset_info(status: dict[str, dict]) -> tuple[dict | None, str | None]:
    """The dataset of the most recently finished notebook: (info dict or None, description)."""
    done = sorted(status.values(), key=lambda s: s.get("finished_at", ""))
    for s in reversed(done):
        if s.get("dataset_info") or s.get("dataset"):
            return s.get("dataset_info"), s.get("dataset")
    return None, None


def landing_html(
    folder: Path,
    status: dict[str, dict],
    *,
    commit: str = "",
    dataset: str | None = None,
    warnings: list[str] | None = None,
    history: str | None = None,
    heading: str = "CRM research reports",
    sub: str = "",
) -> str:
    """The body of a landing page for the reports of one folder."""
    info, desc = latest_dataset_info(status)
    top = []
    if history:
        top.append(f'<a href="{html.escape(history)}">Run history (all runs)</a>')
    if status:
        top.append('<a href="#ten-steps">The ten steps ↓</a>')
    nav = f'<nav class="crm-nav">{"".join(top)}</nav>' if top else ""
    warn = _warn_html(warnings or []) + _warn_html(failure_warnings(status), "bad")
    cards = "".join(_card(stem, status[stem], folder) for stem in sorted(status))
    intro = (
        "<p>Each report answers one question of the CRM cycle, from building the customer "
        "database to measuring a campaign; the figures below are each report's headlines, with "
        "the meaning of each technical term. Open a report for the analysis, its charts and its "
        "conclusions for managers.</p>"
        if cards
        else ""
    )
    foot = (
        f"Page generated on {now_text()}"
        + (f" from git commit <code>{html.escape(commit)}</code>" if commit else "")
        + "."
    )
    return (
        f"{nav}<h1>{html.escape(heading)}</h1>"
        + (f'<p class="sub">{sub}</p>' if sub else "")
        + warn
        + dataset_paragraphs(info, dataset or desc)
        + intro
        + cards
        + (ten_steps_html(folder, status) if cards else "")
        + f"<footer>{foot}</footer>"
    )


def write_landing(
    folder: Path,
    status: dict[str, dict],
    *,
    commit: str = "",
    dataset: str | None = None,
    warnings: list[str] | None = None,
    history: str | None = None,
    sub: str = "",
    extra: str = "",
    heading: str | None = None,
) -> Path:
    """Write ``folder/index.html`` (landing page; ``extra`` HTML is appended, e.g. the history)."""
    from crm_research.report import write_text_atomic

    heading = heading or "CRM research reports"
    body = landing_html(
        folder,
        status,
        commit=commit,
        dataset=dataset,
        warnings=warnings,
        history=history,
        sub=sub,
        heading=heading,
    )
    if extra:
        body = body.replace("<footer>", extra + "<footer>", 1)
        if 'id="history"' in extra:
            link = '<a href="#history">Run history ↓</a>'
            if body.startswith('<nav class="crm-nav">'):
                body = body.replace('<nav class="crm-nav">', f'<nav class="crm-nav">{link}', 1)
            else:
                body = body.replace(
                    f"<h1>{html.escape(heading)}</h1>",
                    f'<nav class="crm-nav">{link}</nav><h1>{html.escape(heading)}</h1>',
                    1,
                )
    return write_text_atomic(folder / "index.html", page(heading, body))


def load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
