"""The glossary as a reference: a term's one line (:func:`one_line`), the anchor and address of
its entry (:func:`anchor`, :func:`link`, so reports can link a term to it), and the page
``docs/glossary.md`` (:func:`to_markdown`; ``python -m crm_research.teaching.glossary`` rewrites
it, a test checks they agree), all from :data:`crm_research.teaching.terms.GLOSSARY`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from crm_research.config import PROJ_ROOT
from crm_research.teaching.terms import GLOSSARY

_SLUG_RE = re.compile(r"[^\w\- ]")


def anchor(term: str) -> str:
    """The anchor of a term's heading: lower case, punctuation removed, spaces to hyphens (the
    rule of GitHub and of MyST's heading anchors), e.g. ``P(alive)`` → ``palive``."""
    return _SLUG_RE.sub("", term.strip().lower()).replace(" ", "-")


def link(term: str, base: str = "glossary.md") -> str:
    """The address of a term's entry, relative to ``base`` (the glossary page)."""
    if term not in GLOSSARY:
        raise KeyError(f"{term!r} is not in the glossary")
    return f"{base}#{anchor(term)}"


def one_line(term: str) -> str:
    """The term's one-line meaning (for tooltips and tables)."""
    return GLOSSARY[term][0]


def to_markdown() -> str:
    """``docs/glossary.md``: an alphabetical index, then one section per term."""
    terms = sorted(GLOSSARY, key=str.casefold)
    lines = [
        "# Glossary",
        "",
        "The CRM and statistics terms used in the notebooks and reports, each in a line and in two",
        "or three plain sentences. Generated from `crm_research.teaching.terms.GLOSSARY` (edit",
        "there, then run `python -m crm_research.teaching.glossary`).",
        "",
        " · ".join(f"[{t}](#{anchor(t)})" for t in terms),
        "",
    ]
    for t in terms:
        short, long = GLOSSARY[t]
        # the explicit anchor keeps the same address on GitHub, in MyST and in Sphinx's HTML
        lines += [f'<a id="{anchor(t)}"></a>', "", f"## {t}", "", f"**{short}** {long}", ""]
    return "\n".join(lines)


def write(path: str | Path) -> Path:
    """Write :func:`to_markdown` to ``path``."""
    path = Path(path)
    path.write_text(to_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(write(sys.argv[1] if len(sys.argv) > 1 else PROJ_ROOT / "docs" / "glossary.md"))
