"""What each ``bottrop-sim`` command does: its checks of the command line, the work and what it prints and writes.

The parser and the entry point are in :mod:`bottrop_sim.cli` (its docstring lists the
exit codes, defined here). One function per command (``run_command``,
``compare_command``, ...) takes the parsed arguments and returns the exit code; the
tables printed by ``run`` and ``compare`` are :func:`summary_table` and
:func:`scorecard_table`. numpy, pandas and the model load inside the commands that use
them, so that ``bottrop-sim --help`` starts quickly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bottrop_sim.errors import ScenarioError
from bottrop_sim.files import write_files

if TYPE_CHECKING:  # numpy and pandas load in the commands that use them: ``--help`` starts quickly
    import argparse

    import pandas as pd

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID, EXIT_INCOMPLETE = 0, 1, 2, 3


def schema_command() -> int:
    """Print the JSON schema of scenario files, with the ``extends`` key (another file to inherit from) that the loader resolves."""
    from bottrop_sim.scenario.schema import Scenario

    schema = Scenario.model_json_schema()
    schema["properties"] = {
        "extends": {"type": "string", "title": "Extends", "description": "another scenario file (relative to this one) to inherit from"},
        **schema["properties"],
    }
    print(json.dumps(schema, indent=2))
    return EXIT_OK


def validate_command(files: list[str]) -> int:
    """Check scenario, experiment and calibration files; print one line per valid file.

    Args:
        files: the files' paths (an experiment file has a 'design' key, a calibration file a 'fit_period').

    Returns:
        ``EXIT_OK`` if every file is valid, else ``EXIT_INVALID`` (each problem printed to standard error).
    """
    from bottrop_sim.experiments.calibration import is_calibration_file, load_calibration
    from bottrop_sim.experiments.designs import design_points
    from bottrop_sim.experiments.spec import is_experiment_file, load_experiment
    from bottrop_sim.scenario.loading import load_scenario

    status = EXIT_OK
    for file in files:
        try:
            if is_calibration_file(file):
                spec, _, _ = load_calibration(file)
                print(f"ok: {file} (calibration: {spec.samples} parameter sets x {spec.replications} replications = {spec.samples * spec.replications} runs)")
            elif is_experiment_file(file):
                experiment, _ = load_experiment(file)
                points = len(design_points(experiment))
                print(f"ok: {file} (experiment: {points} design points x {experiment.replications} replications = {points * experiment.replications} runs)")
            else:
                load_scenario(file)
                print(f"ok: {file}")
        except ScenarioError as error:
            report_input_error(error)
            status = EXIT_INVALID
    return status


def report_input_error(error: ScenarioError) -> None:
    """Print an input error to standard error, one line per problem."""
    for line in str(error).splitlines():
        print(f"error: {line}", file=sys.stderr)


def run_command(args: argparse.Namespace) -> int:
    """Run one scenario and its counterfactual twin; write the time series, accounts, balances, indicators and provenance.

    Args:
        args: the parsed arguments of the ``run`` command (scenario, seed, out, quiet, panel, overrides).
    """
    from bottrop_sim.runs import run_with_twin
    from bottrop_sim.scenario.loading import load_scenario
    from bottrop_sim.scenario.schema import MAX_SEED

    scenario = load_scenario(args.scenario, args.overrides)
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise ScenarioError("<command line>", "--seed", args.seed, f"an integer >= 0 and <= {MAX_SEED}")
    out = _output_folder(Path(args.out) if args.out else Path("results") / scenario.name)
    show_progress = not args.quiet and sys.stderr.isatty()
    pair = run_with_twin(scenario, seed=args.seed, progress=show_progress, panel=args.panel)
    result = pair.run
    indicators = {"seed": result.seed, "scenario": scenario.name, "indicators": _finite(pair.scores)}
    files = {
        "timeseries.csv": lambda path: result.timeseries.to_csv(path, index=False),
        "accounts.csv": lambda path: result.accounts.to_csv(path, index=False),
        "balances.csv": lambda path: result.balances.to_csv(path, index=False),
        "provenance.json": lambda path: path.write_text(json.dumps(result.provenance, indent=2), encoding="utf-8"),
        "indicators.json": lambda path: path.write_text(json.dumps(indicators, indent=2), encoding="utf-8"),
    }
    if result.panel is not None:
        files["panel.parquet"] = lambda path: result.panel.to_parquet(path, index=False)
    write_files(out, files)
    if not args.quiet:
        print(summary_table(result.timeseries).to_string())
        print(f"\nwrote {', '.join(files)} to {out} (seed {result.seed})")
    return EXIT_OK


def compare_command(args: argparse.Namespace) -> int:
    """Compare scenarios, each with its twin, over common seeds; write the comparison, indicators, provenance and report.

    Args:
        args: the parsed arguments of the ``compare`` command (scenarios, replications, seed, workers, out, lang, overrides, quiet).

    Returns:
        ``EXIT_OK``, or ``EXIT_INTERNAL`` when runs were lost.
    """
    from bottrop_sim.compare import compare, labels
    from bottrop_sim.report import render_report
    from bottrop_sim.scenario.loading import load_scenario
    from bottrop_sim.scenario.schema import MAX_SEED

    scenarios = [load_scenario(file, args.overrides) for file in args.scenarios]
    if not 1 <= args.replications <= 10_000:
        raise ScenarioError("<command line>", "--replications", args.replications, "an integer from 1 to 10000")
    if not 0 <= args.seed <= MAX_SEED:
        raise ScenarioError("<command line>", "--seed", args.seed, f"an integer >= 0 and <= {MAX_SEED}")
    if args.workers is not None and not 1 <= args.workers <= 256:
        raise ScenarioError("<command line>", "--workers", args.workers, "an integer from 1 to 256")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ScenarioError("<command line>", "scenarios", names, "scenarios with different names (the name field of each file)")
    out = _output_folder(Path(args.out))
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=len(scenarios) * args.replications, unit="run", desc="scenario and twin runs", file=sys.stderr)
    from bottrop_sim.compare import RunsLostError

    try:
        result = compare(scenarios, args.replications, args.seed, args.workers, progress=(lambda done, total: bar.update(1)) if bar else None)
    except RunsLostError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        if bar is not None:
            bar.close()
    write_files(
        out,
        {
            "comparison.csv": lambda path: result.comparison.to_csv(path, index=False),
            "indicators.csv": lambda path: result.indicators.to_csv(path, index=False),
            "provenance.json": lambda path: path.write_text(json.dumps(result.provenance, indent=2), encoding="utf-8"),
            "report.html": lambda path: path.write_text(
                render_report(
                    comparison=result.comparison,
                    indicators=result.indicators,
                    series=result.series,
                    provenance=result.provenance,
                    labels=labels(),
                    lang=args.lang,
                ),
                encoding="utf-8",
            ),
        },
    )
    if not args.quiet:
        print(scorecard_table(result.comparison, args.lang).to_string())
        print(f"\nwrote comparison.csv, indicators.csv, provenance.json and report.html to {out}")
    return EXIT_OK


def sweep_command(args: argparse.Namespace) -> int:
    """Run (or resume) a batch sweep of an experiment file; with ``--dry-run`` print its size and an estimated time.

    Args:
        args: the parsed arguments of the ``sweep`` command (experiment, out, workers, backend, scheduler, retry_failed, dry_run, quiet).

    Returns:
        ``EXIT_OK`` when every run is stored, ``EXIT_INCOMPLETE`` when runs failed or are missing, 130 when interrupted.
    """
    from bottrop_sim.experiments.runner import dry_run, sweep

    if args.workers is not None and not 1 <= args.workers <= 1024:
        raise ScenarioError("<command line>", "--workers", args.workers, "an integer from 1 to 1024")
    backend = "dask" if args.scheduler else args.backend
    if args.dry_run:
        plan = dry_run(args.experiment, args.out, workers=args.workers, retry_failed=args.retry_failed)
        for note in plan["notes"]:
            print(f"note: {note}")
        print(
            f"design: {plan['points']} points x {plan['replications']} replications = {plan['runs']} runs; "
            f"stored {plan['stored']}, failed {plan['failed']}, to run {plan['to_run']}"
        )
        print(
            f"estimated time: {_duration(plan['estimated_seconds'])} on {plan['workers']} worker(s) "
            f"({plan['seconds_per_run']:.2f} s per run, {plan['basis']}); nothing was written"
        )
        return EXIT_OK
    bar = None

    def progress(done: int, total: int, failed: int) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="run", desc="sweep", file=sys.stderr)
        if done:
            bar.update(1)
            bar.set_postfix(failed=failed)

    def notify(message: str) -> None:
        print(f"note: {message}", file=sys.stderr)

    try:
        report = sweep(args.experiment, args.out, workers=args.workers, backend=backend, scheduler=args.scheduler, retry_failed=args.retry_failed,
                       progress=None if args.quiet else progress, notify=notify)  # fmt: skip
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        print(f"interrupted: finished runs are saved in {args.out}; run the same command again to resume", file=sys.stderr)
        return 130
    if bar is not None:
        bar.close()
    print(f"this call: {report.finished} runs in {report.seconds:.1f} s ({report.failed} failed), {report.skipped} not started (done before)")
    hint = ""
    if report.failed_total:
        hint += "; rerun with --retry-failed to run the failed ones again (see the error column of the runs table)"
    if report.missing:
        hint += "; rerun the same command to run the missing ones"
    print(f"{report.line()}; results in {args.out}{hint}")
    return EXIT_OK if report.complete else EXIT_INCOMPLETE


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"about {seconds:.0f} s"
    if seconds < 7200:
        return f"about {seconds / 60:.0f} min"
    return f"about {seconds / 3600:.1f} h"


def calibrate_command(args: argparse.Namespace) -> int:
    """Fit a calibration file's parameters (ABC rejection); write the samples, the fit, the summary and the calibrated scenario.

    Args:
        args: the parsed arguments of the ``calibrate`` command (calibration, out, workers, quiet).
    """
    from bottrop_sim.experiments.calibration import calibrate, load_calibration, write_calibration

    if args.workers is not None and not 1 <= args.workers <= 256:
        raise ScenarioError("<command line>", "--workers", args.workers, "an integer from 1 to 256")
    spec, _, _ = load_calibration(args.calibration)  # invalid files are refused before anything runs
    out = _output_folder(Path(args.out))
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=spec.samples * spec.replications, unit="run", desc="calibration", file=sys.stderr)
    result = calibrate(args.calibration, args.workers, progress=(lambda done, total: bar.update(1)) if bar else None)
    if bar is not None:
        bar.close()
    write_calibration(result, out, f"{spec.name}_calibrated")
    if not args.quiet:
        shown = result.fit[["column", "period", "role", "published", "simulated", "simulated_p05", "simulated_p95", "error_in_tolerances"]]
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        for path, info in result.summary["parameters"].items():
            print(f"{path}: {info['median']:.4g} (5-95 %: {info['p05']:.4g} to {info['p95']:.4g}; prior {info['prior'][0]:g} to {info['prior'][1]:g})")
        print(
            f"fit error {result.summary['fit_rms_in_tolerances']:.2f}, validation error {result.summary['validation_rms_in_tolerances']:.2f}"
            f" (RMS in tolerances); wrote samples.csv, fit.csv, summary.json and {spec.name}_calibrated.toml to {out}"
        )
    return EXIT_OK


def app_command(args: argparse.Namespace) -> int:
    """Serve the workshop app until interrupted.

    Args:
        args: the parsed arguments of the ``app`` command (host, port, open).

    Returns:
        ``EXIT_OK``, or ``EXIT_INVALID`` when the app's extras are missing or it cannot start.
    """
    if not 1 <= args.port <= 65535:
        raise ScenarioError("<command line>", "--port", args.port, "a port number from 1 to 65535")
    try:
        from bottrop_sim.app.server import AppUnavailableError, serve
    except ImportError as error:
        print(f"error: the app needs its extras: pip install 'bottrop-sim[app]' ({error})", file=sys.stderr)
        return EXIT_INVALID
    print(f"bottrop_sim workshop app on http://{args.host}:{args.port} (Ctrl-C stops it)", file=sys.stderr)
    try:
        serve(args.host, args.port, open_browser=args.open)
    except AppUnavailableError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def analyze_command(args: argparse.Namespace) -> int:
    """Analyse a sweep's results folder (sensitivity indices, summaries, plots, scenario discovery); print the summary as JSON.

    Args:
        args: the parsed arguments of the ``analyze`` command (results, out, allow_incomplete, precision, discover, discover_quantile).

    Returns:
        ``EXIT_OK``, or ``EXIT_INVALID`` for results that cannot be analysed as asked.
    """
    from bottrop_sim.experiments.analysis import analyze

    results = Path(args.results)
    if not (results / "experiment.json").is_file():
        raise ScenarioError("<command line>", "results", str(results), "a sweep's results folder (it holds experiment.json)")
    from bottrop_sim.experiments.discovery import DiscoveryUnavailableError

    if not 0 < args.precision < 1:
        raise ScenarioError("<command line>", "--precision", args.precision, "a share between 0 and 1, e.g. 0.01 for ±1 % of the mean")
    if not 0 < args.discover_quantile < 0.5:
        raise ScenarioError("<command line>", "--discover-quantile", args.discover_quantile, "a share between 0 and 0.5, e.g. 0.1 for the worst 10 % of runs")
    try:
        summary = analyze(
            results,
            args.out,
            allow_incomplete=args.allow_incomplete,
            precision=args.precision,
            discover=args.discover,
            discover_quantile=args.discover_quantile,
        )
    except (ValueError, DiscoveryUnavailableError) as error:
        if isinstance(error, ScenarioError):
            raise
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    for warning in summary["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    print(json.dumps(summary, indent=2, default=str))
    return EXIT_OK


def scorecard_table(comparison: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Indicators as rows, scenarios as columns: the mean over replications ± half its 95 % interval."""
    import numpy as np

    from bottrop_sim.monitoring import REGISTRY

    def number(value: float) -> str:
        if abs(value) >= 1e6:
            return f"{value / 1e6:,.1f} m"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}"

    def cell(row: pd.Series) -> str:
        if not np.isfinite(row["mean"]):
            return "-"
        half = (row["ci_high"] - row["ci_low"]) / 2
        return number(row["mean"]) + (f" ± {number(half)}" if half > 0 else "")

    table = comparison.assign(cell=comparison.apply(cell, axis=1)).pivot(index="indicator", columns="scenario", values="cell")
    table = table.loc[[name for name in REGISTRY if name in table.index], list(dict.fromkeys(comparison["scenario"]))]
    label = "label_de" if lang == "de" else "label_en"
    table.index = [f"{getattr(REGISTRY[name], label)} ({REGISTRY[name].unit})" for name in table.index]
    return table


def _finite(values: dict[str, float]) -> dict[str, float | None]:
    """JSON has no NaN: undefined values become null."""
    import numpy as np

    return {key: (float(value) if np.isfinite(value) else None) for key, value in values.items()}


def _output_folder(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise ScenarioError("<command line>", "--out", str(out), "a folder (new or existing), not a file")
    return out


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
