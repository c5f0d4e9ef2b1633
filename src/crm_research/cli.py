"""crm-research: run the CRM research notebooks into HTML reports, list them, check your data.

Commands: 'report' runs notebooks into reports/, 'list' shows the notebooks, their questions and
parameters, 'validate' checks your own data, 'student' writes the notebooks without their
solutions for a class. 'crm-research COMMAND --help' tells more."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import textwrap
from pathlib import Path

import nbformat

from crm_research import __version__
from crm_research.config import NOTEBOOKS_DIR, reports_dir
from crm_research.reporting.files import ReportWriteError
from crm_research.reporting.parameters import ParameterError, discover, parameter_help
from crm_research.reporting.runs import EXIT_CODES, RunLockedError

# The commands' own machinery (the reader, the runner, the course tools, and through them
# pandas, scipy, scikit-learn, splink) is imported inside each command, so that `--help`,
# `--version` and `list` answer at once: those imports carry the comment "lazy: CLI start-up".

REPORT_DESCRIPTION = """Run the notebooks (notebooks/NN_*.ipynb) in order with papermill and write
each one as an HTML report, plus reports/index.html, a landing page that links them all.

Every notebook analyses the same data (--data): the simulated retailer (default), the real
CDNOW cohort, or your own exports described by a YAML file (check it first with
'crm-research validate'). Parameters come from each notebook's parameters cell ('crm-research
list' shows them), then --params, then -p. A failed notebook keeps its last good report."""

REPORT_EXAMPLES = """examples:
  crm-research report                                    every notebook on the simulated retailer
  crm-research report --only 02 -p n_people=2000         one notebook on a small simulated world
  crm-research report --data cdnow                       every notebook on the CDNOW cohort
  crm-research report --data my-shop.yaml --hide-code    your data, with a managers' version
  crm-research report --as-of 2025-12-31 --keep 12       a dated run with KPIs in the history
  crm-research report --student                          also write student notebooks (no solutions)
"""


def _version() -> str:
    return f"crm-research {__version__} (Python {sys.version.split()[0]})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="crm-research",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    rep = sub.add_parser(
        "report",
        help="run notebooks with papermill into HTML reports",
        description=REPORT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rep.add_argument("--only", nargs="+", metavar="NN", help="run only these notebooks (01 02 ...)")
    rep.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="[NN.]NAME=VALUE",
        help="override a parameter (all notebooks that declare it, or notebook NN)",
    )
    rep.add_argument(
        "--params", type=Path, help="YAML file of parameters: {all: {...}, '01': {...}}"
    )
    rep.add_argument("--reports-dir", type=Path, help="output folder (default: reports/)")
    rep.add_argument("--notebooks-dir", type=Path, default=NOTEBOOKS_DIR)
    rep.add_argument("--timeout", type=float, default=1800, help="seconds per notebook")
    rep.add_argument(
        "--hide-code",
        action="store_true",
        help="also write a managers' version without code (NN_topic.managers.html) beside each report",
    )
    rep.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="run as of this date into reports/runs/<as-of>_<start>/ and update the history",
    )
    rep.add_argument(
        "--keep", type=int, default=None, help="with --as-of: runs to keep (default 12)"
    )
    rep.add_argument(
        "--threshold",
        type=float,
        default=0.1,
        help="with --as-of: flag a KPI that moves more than this from the previous run (0.1 = 10%%)",
    )
    rep.add_argument(
        "--student",
        action="store_true",
        help="also write the student versions of the notebooks (exercises without their solution cells) to REPORTS/student/",
    )
    rep.add_argument(
        "--data",
        "--config",
        dest="data",
        metavar="NAME_OR_YAML",
        help="the data every notebook analyses: simulated (default), cdnow, or your YAML data configuration (see 'validate')",
    )
    rep.epilog = (
        REPORT_EXAMPLES
        + "\nexit codes:\n"
        + "\n".join(f"  {k:>3}  {v}" for k, v in EXIT_CODES.items())
    )
    lst = sub.add_parser("list", help="list the notebooks, their questions and parameters")
    lst.add_argument("--notebooks-dir", type=Path, default=NOTEBOOKS_DIR)
    lst.add_argument("--only", nargs="+", metavar="NN", help="only these notebooks")
    val = sub.add_parser(
        "validate", help="check your own data against the input contract (no notebooks)"
    )
    val.add_argument(
        "config", type=Path, help="YAML data configuration (see README: bring your own data)"
    )
    val.add_argument("--examples", type=int, default=3, help="example rows shown per reason")
    stu = sub.add_parser(
        "student",
        help="write the notebooks without their solutions (student versions) to a folder",
        description="Write the student version of each notebook to OUT_DIR: the same notebook "
        "without the cells tagged 'solution' (the exercises stay), unexecuted, ready to open in "
        "JupyterLab. Links to the repository's documents are rewritten to work from OUT_DIR.",
    )
    stu.add_argument(
        "out_dir", type=Path, metavar="OUT_DIR", help="folder for the student notebooks"
    )
    stu.add_argument("--notebooks-dir", type=Path, default=NOTEBOOKS_DIR)
    stu.add_argument("--only", nargs="+", metavar="NN", help="only these notebooks (00 01 ...)")
    args = parser.parse_args(argv)

    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "list":
        return _list(args.notebooks_dir, args.only)
    if args.command == "student":
        return _student(args.notebooks_dir, args.out_dir, args.only)
    if args.command == "report" and args.keep is not None and args.as_of is None:
        print(
            "crm-research report: --keep applies to dated runs only: give --as-of YYYY-MM-DD too",
            file=sys.stderr,
        )
        return 2

    if args.command == "validate":
        from crm_research.data import reader  # lazy: CLI start-up

        try:
            report, ok = reader.validate_config(args.config, examples=args.examples)
        except reader.ConfigError as e:
            print(f"crm-research validate: {e}", file=sys.stderr)
            return 2
        print(report)
        return 0 if ok else 2

    from crm_research.reporting.runner import run_reports  # lazy: CLI start-up

    signal.signal(signal.SIGTERM, _sigterm)  # systemd/CI stop: same clean-up as Ctrl-C
    try:
        results = run_reports(
            only=args.only,
            params_file=args.params,
            overrides=args.param,
            out_dir=args.reports_dir,
            notebooks_dir=args.notebooks_dir,
            timeout_s=args.timeout,
            hide_code=args.hide_code,
            as_of=args.as_of,
            keep=12 if args.keep is None else args.keep,
            threshold=args.threshold,
            data=args.data,
        )
    except ParameterError as e:
        print(f"crm-research report: {e}", file=sys.stderr)
        return 2
    except RunLockedError as e:
        print(f"crm-research report: {e}", file=sys.stderr)
        return 3
    except ReportWriteError as e:
        print(f"crm-research report: stopped: {e.strerror or e}", file=sys.stderr)
        return 74
    except KeyboardInterrupt:
        print("crm-research report: interrupted; kernels stopped", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - a clear line, not a traceback (recorded in the run)
        if os.environ.get("CRM_RESEARCH_DEBUG"):
            raise
        print(
            f"crm-research report: failed: {type(e).__name__}: {e} (CRM_RESEARCH_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1
    if args.student and not any(r.status == "refused" for r in results):
        out = (args.reports_dir or reports_dir()) / "student"
        if _student(args.notebooks_dir, out, args.only) != 0:
            return 1
    refused = [r for r in results if r.status == "refused"]
    if refused:
        print(refused[0].error, file=sys.stderr)
        print("crm-research report: input files refused; nothing run", file=sys.stderr)
        return 2
    failed = [r for r in results if r.status != "ok"]
    if failed:
        print(
            f"{len(failed)} of {len(results)} steps failed: "
            + ", ".join(f"{r.notebook} ({r.status})" for r in failed),
            file=sys.stderr,
        )
        return 124 if all(r.status == "timeout" for r in failed) else 1
    return 0


def _list(notebooks_dir: Path, only: list[str] | None) -> int:
    """Print each notebook's title, question and parameters (default and meaning)."""
    from crm_research.reporting.navigation import (  # lazy: CLI start-up
        fallback_title,
        notebook_meta,
    )

    try:
        nbs = discover(notebooks_dir, only)
    except ParameterError as e:
        print(f"crm-research list: {e}", file=sys.stderr)
        return 2
    for nb in nbs:
        meta = notebook_meta(nbformat.read(nb, as_version=4))
        print(f"{nb.stem}: {meta['title'] or fallback_title(nb.stem)}")
        if meta["question"]:
            print(textwrap.fill(meta["question"], 96, initial_indent="  ", subsequent_indent="  "))
        try:
            params = parameter_help(nb)
        except ParameterError as e:
            print(f"  ! {e}")
            continue
        width = max((len(p["name"]) + len(p["default"]) for p in params), default=0) + 3
        width = min(width, 44)
        for p in params:
            left = f"{p['name']} = {p['default']}"
            if len(left) > width:
                left = left[: width - 1] + "…"
            print(f"    {left:<{width}}  {p['help']}".rstrip())
        print()
    print(
        "Override with: crm-research report -p NAME=VALUE (all notebooks declaring it) or -p NN.NAME=VALUE"
    )
    return 0


def _student(notebooks_dir: Path, out_dir: Path, only: list[str] | None) -> int:
    """Write the student versions (:func:`crm_research.teaching.student_notebooks`)."""
    from crm_research.teaching import student_notebooks  # lazy: CLI start-up

    try:
        written = student_notebooks(notebooks_dir, out_dir, only)
    except OSError as e:
        print(
            f"crm-research student: cannot write to {out_dir}: {e.strerror or e}", file=sys.stderr
        )
        return 74
    if not written:
        print(
            f"crm-research student: no notebook (NN_*.ipynb) selected in {notebooks_dir}",
            file=sys.stderr,
        )
        return 2
    print(f"wrote {len(written)} student notebook(s) without solutions to {out_dir}")
    return 0


def _sigterm(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
