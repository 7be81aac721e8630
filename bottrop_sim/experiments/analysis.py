"""Analysis of a sweep: sensitivity indices, outcomes by lever, plots and an EMA Workbench export.

:func:`analyze` reads a results folder (see :mod:`bottrop_sim.experiments.store`)
and writes into ``results/analysis`` (or another folder):

* ``sobol.csv`` (sobol designs): first-order and total Sobol' indices with 95 %
  confidence half-widths per outcome and parameter (Saltelli 2002; Jansen 1999
  estimators as implemented in SALib, ``calc_second_order=False``) and
  percentile bootstrap intervals (``S1_low`` ... ``ST_high``, see
  :mod:`bottrop_sim.experiments.trust`); ``sobol_convergence.csv`` and
  ``plots/sobol_convergence.png``: the indices from the first N/8, N/4, N/2
  and N base samples.
* ``morris.csv`` (morris designs): mu, mu* (mean absolute elementary effect),
  its 95 % confidence half-width and bootstrap interval, and sigma (Morris
  1991; Campolongo et al. 2007).
* ``replication_noise.csv``: per outcome, replication noise as a share of the
  variance of the design point means, and the replications needed to bring it
  under 10 % and for a stated precision of a point's mean.
* ``robustness.csv``: mean, worst decile and regret of every lever setting
  across the uncertainties (:mod:`bottrop_sim.experiments.discovery`); with
  ``discover``: ``prim_<outcome>.csv`` (the PRIM box of the worst runs, each
  restricted parameter with its role) and ``prim_<outcome>_trajectory.csv``.
* ``summary_by_lever.csv``: mean, standard deviation and a 95 % Student-t
  interval over runs of every outcome, overall and by the value (categorical
  parameters, or numeric ones with few values) or quartile bin of each parameter.
* ``plots/*.png``: sensitivity bars, and each outcome by each parameter.
* ``ema_results.tar.gz``: the runs in the layout of the EMA Workbench's
  ``save_results``, so that ``ema_workbench.load_results`` returns
  ``(experiments, outcomes)`` for its scenario discovery (PRIM, CART); the same
  tables as plain ``ema_experiments.csv`` and ``ema_outcomes.csv``.
* ``analysis.json``: the returned summary plus provenance, with ``warnings``:
  indices outside [0, 1], replication noise that dominates or is unmeasured,
  and unsettled indices. The most influential parameter of an outcome is
  marked ``trusted: false`` when a warning concerns that outcome.

Sensitivity indices use the mean of each design point over its replications,
in design point order, on the unit cube the design was sampled on. Every file is
written under a temporary name and renamed into place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis

from bottrop_sim import statistics
from bottrop_sim.experiments import figures, trust
from bottrop_sim.experiments.designs import salib_problem, unit_sample
from bottrop_sim.experiments.ema_export import ema_tables, write_ema_results
from bottrop_sim.experiments.spec import Experiment, Parameter
from bottrop_sim.experiments.store import Results, open_results
from bottrop_sim.files import atomic_write, atomic_write_text
from bottrop_sim.provenance import provenance

CONFIDENCE = 0.95
QUANTILE_BINS = 4
NUM_RESAMPLES = 1000
MORRIS_LEVELS = 4  # as sampled by designs.unit_sample
ALL = "(all)"


def analyze(
    results_dir: str | Path,
    out_dir: str | Path | None = None,
    *,
    allow_incomplete: bool = False,
    precision: float = 0.01,
    discover: list[str] | None = None,
    discover_quantile: float = 0.1,
) -> dict[str, Any]:
    """Analyse a sweep's results and write tables, plots and the EMA export.

    Args:
        results_dir: the sweep's results folder (``--out`` of ``bottrop-sim sweep``).
        out_dir: where to write (default: ``results_dir/analysis``; created if missing).
        allow_incomplete: analyse the finished runs of an incomplete sweep (design
            points without any finished run) instead of refusing; Sobol' and
            Morris indices are then skipped, as they need every design point.
        precision: wanted half-width of a design point's 95 % interval, as a share of
            the outcome's mean (0.01: ±1 %), for the replications it needs.
        discover: outcome keys for PRIM scenario discovery (needs the EMA Workbench).
        discover_quantile: share of runs (the worst) that PRIM looks for.

    Returns:
        A short JSON-friendly summary: experiment, design, counts of points and
        runs, outcome keys, the most influential parameter per outcome (sobol:
        largest ST; morris: largest mu*), and the files written (relative to ``out_dir``).

    Raises:
        ValueError: if design points have no finished run (naming how many) and
            ``allow_incomplete`` is false, or if no run has finished at all.
    """
    results = open_results(results_dir)
    experiment = Experiment.model_validate(results.experiment["experiment"])
    out = Path(out_dir) if out_dir is not None else Path(results_dir) / "analysis"
    keys = experiment.outcome_keys
    counts = _completeness(results)
    if counts["points_missing"] and (not allow_incomplete or counts["runs_finished"] == 0):
        raise ValueError(_incomplete_message(results, counts))
    (out / "plots").mkdir(parents=True, exist_ok=True)
    written: list[str] = []

    def write(name: str, writer: Callable[[Path], None]) -> None:
        atomic_write(out / name, writer)
        written.append(name)

    influential: dict[str, dict[str, Any]] = {}
    sensitivity = None
    noise = pd.DataFrame([trust.replication_noise(results.outcomes, key, precision) for key in keys])
    write("replication_noise.csv", lambda path: noise.to_csv(path, index=False))
    warnings = trust.noise_warnings(noise) if experiment.design in ("sobol", "morris") else []
    if experiment.design in ("sobol", "morris") and not counts["points_missing"]:
        sensitivity = experiment.design
        table = sensitivity_indices(results, experiment)
        write(f"{sensitivity}.csv", lambda path: table.to_csv(path, index=False))
        main, spread = ("ST", "S1") if sensitivity == "sobol" else ("mu_star", "sigma")
        write(f"plots/{sensitivity}.png", lambda path: figures.save(figures.sensitivity_figure(table, main, spread), path))
        if sensitivity == "sobol":
            warnings += trust.range_warnings(table)
            convergence = sobol_convergence(results, experiment)
            warnings += _convergence_warnings(convergence)
            write("sobol_convergence.csv", lambda path: convergence.to_csv(path, index=False))
            write("plots/sobol_convergence.png", lambda path: figures.save(figures.convergence_figure(convergence), path))
        for key, rows in table.groupby("outcome", sort=False):
            if rows[main].notna().any():
                top = rows.loc[rows[main].idxmax()]
                influential[key] = {"parameter": top["parameter"], main: float(top[main]), "trusted": not any(w.startswith(f"{key}:") for w in warnings)}
                if f"{main}_low" in rows:
                    influential[key]["interval"] = [float(top[f"{main}_low"]), float(top[f"{main}_high"])]
    summary = summary_by_lever(results.outcomes, experiment)
    write("summary_by_lever.csv", lambda path: summary.to_csv(path, index=False))
    for parameter in experiment.parameters:
        rows = summary[summary["parameter"] == parameter.path]
        write(
            f"plots/by_{_slug(parameter.path)}.png",
            lambda path, rows=rows, parameter=parameter: figures.save(figures.by_parameter_figure(rows, parameter, keys), path),
        )
    from bottrop_sim.experiments import discovery

    levers = [p for p in experiment.parameters if p.role == "lever"]
    if levers:
        robust = discovery.robustness(results.outcomes, experiment)
        write("robustness.csv", lambda path: robust.to_csv(path, index=False))
    boxes = {}
    for key in discover or []:
        if key not in keys:
            raise ValueError(f"--discover {key}: not an outcome of this sweep (its outcomes: {', '.join(keys)})")
        box = discovery.prim_boxes(results.outcomes, experiment, key, discover_quantile)
        write(f"prim_{_slug(key)}.csv", lambda path, box=box: box["limits"].to_csv(path, index=False))
        write(f"prim_{_slug(key)}_trajectory.csv", lambda path, box=box: box["trajectory"].to_csv(path, index=False))
        boxes[key] = {k: v for k, v in box.items() if k not in ("limits", "trajectory")} | {
            "uncertainties": box["limits"].loc[box["limits"]["role"] == "uncertainty", "parameter"].tolist(),
            "levers": box["limits"].loc[box["limits"]["role"] == "lever", "parameter"].tolist(),
        }
    experiments, outcome_arrays = ema_tables(results.outcomes, experiment)
    write("ema_results.tar.gz", lambda path: write_ema_results(path, experiments, outcome_arrays))
    write("ema_experiments.csv", lambda path: experiments.to_csv(path, index=False))
    write("ema_outcomes.csv", lambda path: pd.DataFrame(outcome_arrays).to_csv(path, index=False))
    report = {
        "experiment": experiment.name,
        "design": experiment.design,
        **counts,
        "outcomes": keys,
        "sensitivity": sensitivity,
        "most_influential": influential,
        "warnings": warnings,
        "discovery": boxes,
        "out_dir": str(out),
        "files": [*written, "analysis.json"],
    }
    record = {
        **report,
        "results_dir": str(Path(results_dir).resolve()),
        "fingerprint": results.experiment.get("fingerprint"),
        **provenance(),
    }
    atomic_write_text(out / "analysis.json", json.dumps(record, indent=2, default=str))
    return report


def _completeness(results: Results) -> dict[str, int]:
    runs, finished = results.runs, results.outcomes
    done_points = set(finished["point"]) if len(finished) else set()
    failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
    return {
        "points": len(results.design),
        "points_missing": int((~results.design["point"].isin(done_points)).sum()),
        "runs": int(results.experiment.get("runs", len(results.design) * int(results.experiment["experiment"]["replications"]))),
        "runs_finished": len(finished),
        "runs_failed": failed,
    }


def _incomplete_message(results: Results, counts: dict[str, int]) -> str:
    not_run = counts["runs"] - counts["runs_finished"] - counts["runs_failed"]
    return (
        f"The sweep in {results.folder} is incomplete: {counts['points_missing']} of {counts['points']} design points have no finished run "
        f"({counts['runs_finished']} of {counts['runs']} runs finished, {counts['runs_failed']} failed, {not_run} not run yet). "
        "Finish it by running the same `bottrop-sim sweep EXPERIMENT --out DIR` again (add --retry-failed to rerun failed runs)"
        + (", or analyse the finished runs only with allow_incomplete (no sensitivity indices)." if counts["runs_finished"] else ".")
    )


def point_means(results: Results, key: str) -> np.ndarray:
    """An outcome's mean over replications per design point, in design point order.

    Args:
        results: the sweep's results.
        key: the outcome's column (``Outcome.key``).
    """
    means = results.outcomes.groupby("point")[key].mean()
    return means.reindex(results.design["point"]).to_numpy(dtype=float)


def sensitivity_indices(results: Results, experiment: Experiment) -> pd.DataFrame:
    """Sobol' or Morris indices of every outcome for every parameter (on the unit cube).

    Sobol': columns S1, S1_conf, ST, ST_conf (``conf``: half-width of the 95 %
    bootstrap interval). Morris: mu, mu_star, mu_star_conf, sigma, in the
    outcome's unit per whole range of the parameter (elementary effects on the
    unit cube). The bootstrap is seeded from the
    experiment's seed (plus one: SALib's Sobol' analysis ignores a seed of 0).

    Args:
        results: the sweep's results (every design point finished).
        experiment: the sweep's experiment (design ``sobol`` or ``morris``).
    """
    problem = salib_problem(experiment.parameters)
    seed = experiment.seed + 1
    if experiment.design == "morris":
        unit = unit_sample(experiment)
        if len(unit) != len(results.design):
            raise ValueError(f"the Morris sample has {len(unit)} points but the results hold {len(results.design)}: was the design changed?")
    frames = []
    for key in experiment.outcome_keys:
        y = point_means(results, key)
        with np.errstate(divide="ignore", invalid="ignore"):
            if experiment.design == "sobol":
                indices = sobol_analysis.analyze(problem, y, calc_second_order=False, num_resamples=NUM_RESAMPLES, conf_level=CONFIDENCE, seed=seed)
                columns = ("S1", "S1_conf", "ST", "ST_conf")
            else:
                indices = morris_analysis.analyze(problem, unit, y, num_resamples=NUM_RESAMPLES, conf_level=CONFIDENCE, num_levels=MORRIS_LEVELS, seed=seed)
                columns = ("mu", "mu_star", "mu_star_conf", "sigma")
        frame = pd.DataFrame({c: np.asarray(indices[c], dtype=float) for c in columns})
        if experiment.design == "sobol":
            bootstrap = trust.sobol_bootstrap(y, len(experiment.parameters), seed)
            for column in ("S1_low", "S1_high", "ST_low", "ST_high"):
                frame[column] = bootstrap[column].to_numpy()
            frame = frame[["S1", "S1_conf", "S1_low", "S1_high", "ST", "ST_conf", "ST_low", "ST_high"]]
        else:
            bootstrap = trust.morris_bootstrap(unit, y, len(experiment.parameters), seed)
            frame.insert(3, "mu_star_low", bootstrap["mu_star_low"].to_numpy())
            frame.insert(4, "mu_star_high", bootstrap["mu_star_high"].to_numpy())
        frame.insert(0, "parameter", problem["names"])
        frame.insert(0, "outcome", key)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def sobol_convergence(results: Results, experiment: Experiment) -> pd.DataFrame:
    """Sobol' indices of every outcome from the first n base samples (see :func:`trust.sobol_convergence`)."""
    frames = []
    names = [p.path for p in experiment.parameters]
    for key in experiment.outcome_keys:
        with np.errstate(divide="ignore", invalid="ignore"):
            frame = trust.sobol_convergence(point_means(results, key), len(names), experiment.seed + 1)
        frame.insert(0, "parameter", [names[i] for i in frame.pop("parameter_index")])
        frame.insert(0, "outcome", key)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _convergence_warnings(convergence: pd.DataFrame) -> list[str]:
    """Outcomes whose total indices still move by more than 0.1 between N/2 and N base samples."""
    messages = []
    sizes = sorted(convergence["base_samples"].unique())
    if len(sizes) < 2:
        return messages
    half, full = (convergence[convergence["base_samples"] == n].set_index(["outcome", "parameter"])["ST"] for n in sizes[-2:])
    change = (full - half).abs()
    for (key, parameter), value in change.items():
        if np.isfinite(value) and value > 0.1:
            messages.append(f"{key}: ST of {parameter} moved by {value:.2f} from {sizes[-2]} to {sizes[-1]} base samples: not converged; add Sobol' points")
    return messages


def interval(values: pd.Series) -> dict[str, float]:
    """Mean, standard deviation and 95 % Student-t interval of the mean (NaN values left out), as table columns.

    Args:
        values: one outcome over runs.
    """
    result = statistics.interval(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float))
    return {"n": result.n, "mean": result.mean, "std": result.std, "ci_low": result.low, "ci_high": result.high}


def parameter_groups(values: pd.Series, parameter: Parameter) -> pd.Series:
    """Group label of each run for one parameter, as an ordered categorical.

    Categorical parameters group by value (in the experiment's order); numeric
    ones with at most ``QUANTILE_BINS`` distinct values (grids) by value, others
    by quantile bin, labelled ``Qi [min, max]`` with the bin's extreme values.

    Args:
        values: the parameter's value in each run.
        parameter: the parameter.
    """
    if parameter.kind == "categorical":
        order = [str(v) for v in parameter.values or []]
        return pd.Series(pd.Categorical(values.astype(str), categories=order, ordered=True), index=values.index)
    numbers = pd.to_numeric(values)
    distinct = np.sort(numbers.unique())
    if len(distinct) <= QUANTILE_BINS:
        labels = numbers.map(_number)
        return pd.Series(pd.Categorical(labels, categories=[_number(v) for v in distinct], ordered=True), index=values.index)
    bins = pd.qcut(numbers, QUANTILE_BINS, labels=False, duplicates="drop")
    names = {b: f"Q{i + 1} [{_number(numbers[bins == b].min())}, {_number(numbers[bins == b].max())}]" for i, b in enumerate(sorted(bins.unique()))}
    return pd.Series(pd.Categorical(bins.map(names), categories=list(names.values()), ordered=True), index=values.index)


def summary_by_lever(outcomes: pd.DataFrame, experiment: Experiment) -> pd.DataFrame:
    """Every outcome overall (parameter ``(all)``) and by group of each parameter, levers first.

    Args:
        outcomes: one row per finished run (``Results.outcomes``).
        experiment: the sweep's experiment.

    Returns:
        Columns outcome, parameter, role, group, value_low, value_high (range of
        the parameter in the group; empty for categorical), n, mean, std,
        ci_low, ci_high (95 % Student-t interval of the mean over runs).
    """
    keys = experiment.outcome_keys
    rows = [{"outcome": key, "parameter": ALL, "role": "", "group": "all", **interval(outcomes[key])} for key in keys]
    for parameter in sorted(experiment.parameters, key=lambda p: p.role != "lever"):
        groups = parameter_groups(outcomes[parameter.path], parameter)
        numeric = parameter.kind != "categorical"
        for key in keys:
            for label, index in groups.groupby(groups, observed=True, sort=True).groups.items():
                span = pd.to_numeric(outcomes.loc[index, parameter.path]) if numeric else None
                rows.append(
                    {
                        "outcome": key,
                        "parameter": parameter.path,
                        "role": parameter.role,
                        "group": label,
                        "value_low": float(span.min()) if numeric else np.nan,
                        "value_high": float(span.max()) if numeric else np.nan,
                        **interval(outcomes.loc[index, key]),
                    }
                )
    columns = ["outcome", "parameter", "role", "group", "value_low", "value_high", "n", "mean", "std", "ci_low", "ci_high"]
    return pd.DataFrame(rows).reindex(columns=columns)


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")


def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"
