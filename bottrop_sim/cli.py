"""The ``bottrop-sim`` command.

Exit codes: 0 success, 2 invalid input (a message naming the file, field, value
and what is allowed; never a traceback), 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from bottrop_sim.errors import ScenarioError

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors are bad input too
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (documented in the README)."""
    parser = _Parser(prog="bottrop-sim", description="Simulate Bottrop's economy around the closure of Prosper-Haniel.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="run one scenario and write its time series and provenance")
    run.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/closure_2018.toml")
    run.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's)")
    run.add_argument("--out", default=None, help="output folder (default: results/<scenario name>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary table")
    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("files", nargs="+", help="scenario files")
    commands.add_parser("schema", help="print the JSON schema of scenario files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "validate":
            return _validate(args.files)
        if args.command == "schema":
            from bottrop_sim.scenario.schema import Scenario

            print(json.dumps(Scenario.model_json_schema(), indent=2))
            return EXIT_OK
    except ScenarioError as error:
        _report(error)
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


def _validate(files: list[str]) -> int:
    from bottrop_sim.scenario.loading import load_scenario

    status = EXIT_OK
    for file in files:
        try:
            load_scenario(file)
            print(f"ok: {file}")
        except ScenarioError as error:
            _report(error)
            status = EXIT_INVALID
    return status


def _report(error: ScenarioError) -> None:
    """Print an input error to standard error, one line per problem."""
    for line in str(error).splitlines():
        print(f"error: {line}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from bottrop_sim.scenario.loading import load_scenario
    from bottrop_sim.scenario.schema import MAX_SEED
    from bottrop_sim.simulate import simulate

    scenario = load_scenario(args.scenario)
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise ScenarioError("<command line>", "--seed", args.seed, f"an integer >= 0 and <= {MAX_SEED}")
    out = Path(args.out) if args.out else Path("results") / scenario.name
    if out.exists() and not out.is_dir():
        raise ScenarioError("<command line>", "--out", str(out), "a folder (new or existing), not a file")
    show_progress = not args.quiet and sys.stderr.isatty()
    result = simulate(scenario, seed=args.seed, progress=show_progress)
    _write_atomically(out, result.timeseries, result.provenance)
    if not args.quiet:
        print(summary_table(result.timeseries).to_string())
        print(f"\nwrote {out / 'timeseries.csv'} and {out / 'provenance.json'} (seed {result.seed})")
    return EXIT_OK


def _write_atomically(out: Path, timeseries: pd.DataFrame, provenance: dict) -> None:
    """Write into a temporary folder beside ``out``, then move the files in place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        timeseries.to_csv(staging / "timeseries.csv", index=False)
        (staging / "provenance.json").write_text(json.dumps(provenance, indent=2), encoding="utf-8")
        out.mkdir(exist_ok=True)
        for name in ("timeseries.csv", "provenance.json"):
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def summary_table(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Annual figures for every fifth year, the first and the last year."""
    frame = timeseries.assign(year=timeseries["date"].str[:4].astype(int))
    annual = frame.groupby("year").agg(
        workplace_jobs=("employment_workplace", "mean"),
        mine_staff=("mine_employment", "mean"),
        unemployment_pct=("unemployment_rate", "mean"),
        firms=("firms", "mean"),
        value_added_eur_m=("value_added_eur", "sum"),
        co2_kt=("co2_t", "sum"),
    )
    years = annual.index
    keep = sorted({years[0], years[-1], *[y for y in years if y % 5 == 0]})
    table = annual.loc[keep]
    table["unemployment_pct"] *= 100
    table["value_added_eur_m"] /= 1e6
    table["co2_kt"] /= 1e3
    return table.round({"workplace_jobs": 0, "mine_staff": 0, "unemployment_pct": 2, "firms": 0, "value_added_eur_m": 1, "co2_kt": 1}).astype(
        {"workplace_jobs": int, "mine_staff": int, "firms": int}
    )


if __name__ == "__main__":
    sys.exit(main())
