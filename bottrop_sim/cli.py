"""The ``bottrop-sim`` command.

Exit codes: 0 success, 2 invalid input (a message naming the file, field, value
and what is allowed; never a traceback), 1 internal error, 3 a sweep that ended
with runs failed or missing (its last line says how many; rerun to resume, with
``--retry-failed`` to run the failed ones again), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bottrop_sim.commands import (
    EXIT_INTERNAL,
    EXIT_INVALID,
    analyze_command,
    app_command,
    calibrate_command,
    compare_command,
    report_input_error,
    run_command,
    schema_command,
    sweep_command,
    validate_command,
)
from bottrop_sim.errors import ScenarioError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors are bad input too
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (documented in the README)."""
    parser = _Parser(prog="bottrop-sim", description="Simulate Bottrop's economy around the closure of Prosper-Haniel.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="run one scenario and write its time series, accounts, balances and provenance")
    run.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/closure_2018.toml")
    run.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    run.add_argument("--out", default=None, help="output folder (default: results/<scenario name>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary table")
    run.add_argument("--panel", action="store_true", help="also write panel.parquet: every active firm's month (for researchers)")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        dest="overrides",
        help="override a scenario field, e.g. governance.mode=alliance (repeatable)",
    )
    compare = commands.add_parser("compare", help="compare scenarios, each with its counterfactual twin, over common seeds; write a report")
    compare.add_argument("scenarios", nargs="+", help="scenario files; the first is the reference for differences")
    compare.add_argument("--replications", type=int, default=10, help="seeds per scenario (default 10)")
    compare.add_argument("--seed", type=int, default=20181221, help="base seed of the replications (default 20181221)")
    compare.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    compare.add_argument("--out", default="results/comparison", help="output folder (default results/comparison)")
    compare.add_argument("--lang", choices=("de", "en"), default="en", help="language of the report and table (default en)")
    compare.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides", help="override a field in every scenario (repeatable)")
    compare.add_argument("--quiet", action="store_true", help="no progress bar or scorecard table")
    sweep = commands.add_parser("sweep", help="run (or resume) a batch sweep of an experiment file")
    sweep.add_argument("experiment", help="experiment file (TOML), e.g. experiments/governance_sweep.toml")
    sweep.add_argument("--out", required=True, help="results folder (running the same command again resumes)")
    sweep.add_argument("--workers", type=int, default=None, help="local processes, or LocalCluster workers (default: all cores)")
    sweep.add_argument("--backend", choices=("processes", "dask"), default="processes", help="where runs execute (default processes)")
    sweep.add_argument("--scheduler", default=None, help="address of a running Dask scheduler, e.g. tcp://127.0.0.1:8786 (implies --backend dask)")
    sweep.add_argument("--retry-failed", action="store_true", help="run again the runs recorded as failed")
    sweep.add_argument("--dry-run", action="store_true", help="check everything, print the design size and an estimated time; write nothing")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    analyze = commands.add_parser("analyze", help="sensitivity indices, summaries by lever, plots and an EMA Workbench export of a sweep")
    analyze.add_argument("results", help="the sweep's results folder")
    analyze.add_argument("--out", default=None, help="output folder (default: RESULTS/analysis)")
    analyze.add_argument("--allow-incomplete", action="store_true", help="summarise the finished runs of an unfinished sweep (no sensitivity indices)")
    analyze.add_argument(
        "--precision", type=float, default=0.01, help="wanted half-width of a design point's 95 %% interval, share of the mean (default 0.01: ±1 %%)"
    )
    analyze.add_argument(
        "--discover",
        action="append",
        default=[],
        metavar="OUTCOME",
        help="PRIM scenario discovery of the worst runs of an outcome (repeatable; needs ema_workbench)",
    )
    analyze.add_argument("--discover-quantile", type=float, default=0.1, help="share of runs PRIM counts as the worst (default 0.1)")
    app = commands.add_parser("app", help="start the workshop app (a browser app: two governance settings side by side)")
    app.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this computer only)")
    app.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    app.add_argument("--open", action="store_true", help="open the app in the default browser")
    calibrate = commands.add_parser("calibrate", help="fit stated parameters to published figures of one period and check the others (ABC rejection)")
    calibrate.add_argument("calibration", help="calibration file (TOML), e.g. experiments/calibrate_history.toml")
    calibrate.add_argument("--out", required=True, help="output folder: samples.csv, fit.csv, summary.json and the calibrated scenario")
    calibrate.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    calibrate.add_argument("--quiet", action="store_true", help="no progress bar or table")
    validate = commands.add_parser("validate", help="check scenario, experiment and calibration files")
    validate.add_argument(
        "files", nargs="+", help="scenario, experiment or calibration files (an experiment file has a 'design' key, a calibration file a 'fit_period')"
    )
    commands.add_parser("schema", help="print the JSON schema of scenario files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run_command(args)
        if args.command == "compare":
            return compare_command(args)
        if args.command == "sweep":
            return sweep_command(args)
        if args.command == "analyze":
            return analyze_command(args)
        if args.command == "app":
            return app_command(args)
        if args.command == "calibrate":
            return calibrate_command(args)
        if args.command == "validate":
            return validate_command(args.files)
        if args.command == "schema":
            return schema_command()
    except ScenarioError as error:
        report_input_error(error)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as error:
        if args.debug:
            raise
        print(f"internal error: {type(error).__name__}: {error} (run with --debug for details; please report it)", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
