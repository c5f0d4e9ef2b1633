"""Command line: ``crm-research report`` (run notebooks into reports/)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from crm_research.config import NOTEBOOKS_DIR
from crm_research.runs import EXIT_CODES


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
    rep.add_argument("--as-of", metavar="YYYY-MM-DD",
                     help="run as of this date into reports/runs/<as-of>_<start>/ and update the history")  # fmt: skip
    rep.add_argument("--keep", type=int, default=12, help="with --as-of: runs to keep (default 12)")
    rep.add_argument("--threshold", type=float, default=0.1,
                     help="with --as-of: flag a KPI that moves more than this from the previous run (0.1 = 10%%)")  # fmt: skip
    rep.add_argument("--data", "--config", dest="data", metavar="NAME_OR_YAML",
                     help="the data every notebook analyses: simulated (default), cdnow, or your YAML data configuration (see 'validate')")  # fmt: skip
    rep.epilog = "exit codes: " + "; ".join(f"{k} {v}" for k, v in EXIT_CODES.items())
    val = sub.add_parser("validate", help="check your own data against the input contract (no notebooks)")  # fmt: skip
    val.add_argument("config", type=Path, help="YAML data configuration (see README: bring your own data)")  # fmt: skip
    val.add_argument("--examples", type=int, default=3, help="example rows shown per reason")
    args = parser.parse_args(argv)

    if args.command == "validate":
        from crm_research import byod

        try:
            report, ok = byod.validate_config(args.config, examples=args.examples)
        except byod.ConfigError as e:
            print(f"crm-research validate: {e}", file=sys.stderr)
            return 2
        print(report)
        return 0 if ok else 2

    from crm_research.report import ParameterError, run_reports
    from crm_research.runs import RunLockedError

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
            keep=args.keep,
            threshold=args.threshold,
            data=args.data,
        )
    except ParameterError as e:
        print(f"crm-research report: {e}", file=sys.stderr)
        return 2
    except RunLockedError as e:
        print(f"crm-research report: {e}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("crm-research report: interrupted; kernels stopped", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - a clear line, not a traceback (recorded in the run)
        if os.environ.get("CRM_RESEARCH_DEBUG"):
            raise
        print(f"crm-research report: failed: {type(e).__name__}: {e} (CRM_RESEARCH_DEBUG=1 shows the traceback)", file=sys.stderr)  # fmt: skip
        return 1
    refused = [r for r in results if r.status == "refused"]
    if refused:
        print(refused[0].error, file=sys.stderr)
        print("crm-research report: input files refused; nothing run", file=sys.stderr)
        return 2
    failed = [r for r in results if r.status != "ok"]
    if failed:
        print(f"{len(failed)} of {len(results)} steps failed: "
              + ", ".join(f"{r.notebook} ({r.status})" for r in failed), file=sys.stderr)  # fmt: skip
        return 124 if all(r.status == "timeout" for r in failed) else 1
    return 0


def _sigterm(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
