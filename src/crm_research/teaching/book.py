"""The course as a book: a static site (Sphinx, MyST-NB, sphinx-book-theme) from the executed
notebooks of the last report run.

``python -m crm_research.teaching.book`` (``make book``) stages a Sphinx source folder and builds
HTML into ``reports/book`` (:mod:`crm_research.teaching.site`), then checks that every local link
resolves; ``--student`` leaves the solutions out, ``--only`` picks chapters. Needs the optional
dependencies ``pip install -e ".[book]"``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crm_research.teaching.site import broken_links, build


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m crm_research.teaching.book", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument(
        "--reports",
        type=Path,
        default=None,
        help="where the executed notebooks are (default: the reports folder)",
    )
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: reports/book)")
    ap.add_argument("--student", action="store_true", help="leave the solutions out")
    ap.add_argument("--only", nargs="*", default=None, help="chapters (notebook stems) to include")
    args = ap.parse_args(argv)
    index = build(args.out, reports=args.reports, student=args.student, chapters=args.only)
    bad = broken_links(index.parent)
    for b in bad:
        print(f"broken link: {b}", file=sys.stderr)
    print(f"book: {index}")
    return 1 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
