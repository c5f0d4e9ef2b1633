"""Command line: ``crm-research report`` (run notebooks into reports/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crm_research.config import NOTEBOOKS_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crm-research", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="run notebooks with papermill into HTML reports")
    rep.add_argument("--only", nargs="+", metavar="NN", help="run only these notebooks (01 02 ...)")
    rep.add_argument("-p", "--param", action="append", default=[], metavar="[NN.]NAME=VALUE",
                     help="override a parameter (all notebooks that declare it, or notebook NN)")  # fmt: skip
    rep.add_argument(
        "--params", type=Path, help="YAML file of parameters: {all: {...}, '01': {...}}"
    )
    rep.add_argument("--reports-dir", type=Path, help="output folder (default: reports/)")
    rep.add_argument("--notebooks-dir", type=Path, default=NOTEBOOKS_DIR)
    rep.add_argument("--timeout", type=float, default=1800, help="seconds per notebook")
    rep.add_argument("--hide-code", action="store_true", help="HTML without code cells (managers)")
    args = parser.parse_args(argv)

    from crm_research.report import ParameterError, run_reports

    try:
        results = run_reports(
            only=args.only,
            params_file=args.params,
            overrides=args.param,
            out_dir=args.reports_dir,
            notebooks_dir=args.notebooks_dir,
            timeout_s=args.timeout,
            hide_code=args.hide_code,
        )
    except ParameterError as e:
        print(f"crm-research report: {e}", file=sys.stderr)
        return 2
    failed = [r for r in results if r.status != "ok"]
    if failed:
        print(f"{len(failed)} of {len(results)} notebooks failed: "
              + ", ".join(r.notebook for r in failed), file=sys.stderr)  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
