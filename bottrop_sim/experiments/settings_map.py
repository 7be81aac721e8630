"""Which governance setting wins, and when: the alliance against its references over the alliance's uncertain parameters.

An experiment file (format of :mod:`bottrop_sim.experiments.spec`, usually a
Morris design) varies the alliance's uncertain parameters over their plausible
ranges (docs/ODD.md, §7.20.1). Every design point runs with every replication
seed, each run with its counterfactual twin (the same scenario without shocks,
same seed); the references (no coordination, city-led, hybrid: the shipped
scenario files beside the base, at their defaults, with the experiment's
``fixed`` values) run once per seed. For each point and reference:

* **level difference**: alliance minus reference, in the shock runs;
* **gap difference**: ``(A - A_twin) - (R - R_twin)``, the difference of the
  shock-minus-twin gaps: what the setting changes in the closure's damage;

for jobs at the workplace (``employment_workplace``, last month of the horizon,
December 2035 in the shipped scenarios) and value added (``value_added_eur``,
mean over the last calendar year of the horizon, EUR a month). Over the common
seeds: the mean, its Student-t 95 % interval and a paired t-test; the verdicts
(``wins``, ``loses``, ``unclear``) take Holm-adjusted p-values across the
points (family-wise error 5 % per measure and reference). Morris indices (mu,
mu*, sigma; SALib, on the unit cube, in the measure's unit per whole range) of
the point means, and the share of points where the alliance does better, in
the lower and upper half of each parameter's range, say what decides the sign.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis

from bottrop_sim.experiments.designs import design_points, salib_problem, seeds, unit_sample
from bottrop_sim.experiments.pool import WorkerLost, run_tasks
from bottrop_sim.experiments.spec import Experiment, load_experiment, parameter_values
from bottrop_sim.statistics import holm, interval, paired_p_value

REFERENCES = {"none": "closure_2018.toml", "city_led": "closure_2018_city_led.toml", "hybrid": "closure_2018_hybrid.toml"}
"""Reference settings: scenario files in the base scenario's folder, run at their defaults."""
ENDS = {"pessimistic": "closure_2018_alliance_pessimistic.toml", "optimistic": "closure_2018_alliance_optimistic.toml"}
"""The alliance at the two ends of every plausible range (scenario files beside the base), run at the same seeds."""
END_PREFIX = "end:"
MEASURES = ("jobs_level", "jobs_gap", "va_level", "va_gap")
"""jobs / value added, as level difference or as difference of shock-minus-twin gaps."""
ALPHA = 0.05
"""Family-wise error rate of the verdicts of one measure and reference (Holm)."""
MORRIS_LEVELS = 4


def load(path: str | Path, samples: int | None = None, replications: int | None = None) -> tuple[Experiment, dict[str, Any]]:
    """The experiment file, validated, with optional overrides of trajectories (``samples``) and replications."""
    experiment, base_data = load_experiment(path)
    update = {k: v for k, v in (("samples", samples), ("replications", replications)) if v is not None}
    return (experiment.model_copy(update=update) if update else experiment), base_data


def reference_data(experiment: Experiment, references: dict[str, str] | None = None) -> dict[str, tuple[dict[str, Any], str]]:
    """Each reference's scenario data (with the experiment's ``fixed`` values) and file."""
    from bottrop_sim.scenario.composition import read_with_parents
    from bottrop_sim.scenario.fields import with_values

    folder = Path(experiment.base_file).parent
    out = {}
    for name, file in (references or REFERENCES).items():
        path = (folder / file).resolve()
        out[name] = (with_values(read_with_parents(path), dict(experiment.fixed)), str(path))
    return out


def build_tasks(
    experiment: Experiment, base_data: dict[str, Any], references: dict[str, str] | None = None, ends: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """One task per design point and seed, one per reference and seed, and one per end (:data:`ENDS`, if given) and seed."""
    _, replication_seeds = seeds(experiment)
    design = design_points(experiment)
    tasks = []
    for row in design.to_dict("records"):
        values = parameter_values(experiment.parameters, row)
        for replication, seed in enumerate(replication_seeds):
            tasks.append({"setting": "alliance", "point": int(row["point"]), "replication": replication, "seed": int(seed),
                          "values": values, "data": base_data, "file": experiment.base_file})  # fmt: skip
    for name, (data, file) in reference_data(experiment, references).items():
        for replication, seed in enumerate(replication_seeds):
            tasks.append({"setting": name, "point": -1, "replication": replication, "seed": int(seed), "values": {}, "data": data, "file": file})
    for name, (data, file) in reference_data(experiment, ends or {}).items():
        for replication, seed in enumerate(replication_seeds):
            tasks.append({"setting": END_PREFIX + name, "point": -1, "replication": replication, "seed": int(seed), "values": {}, "data": data, "file": file})
    return tasks


def measures(timeseries: pd.DataFrame) -> tuple[float, float]:
    """(jobs at the workplace in the last month, mean monthly value added over the last calendar year) of a run."""
    year = str(timeseries["date"].iloc[-1])[:4]
    last_year = timeseries["date"].astype(str).str.startswith(year)
    return float(timeseries["employment_workplace"].iloc[-1]), float(timeseries.loc[last_year, "value_added_eur"].mean())


def run_pair(task: dict[str, Any]) -> dict[str, Any]:
    """One setting at one seed with its twin: jobs and value added of both (module level: workers import it)."""
    from bottrop_sim.runs import run_with_twin
    from bottrop_sim.scenario.fields import with_values
    from bottrop_sim.scenario.loading import scenario_from_dict

    started = time.perf_counter()
    scenario = scenario_from_dict(with_values(task["data"], task["values"]), task["file"], strict=False)
    pair = run_with_twin(scenario, seed=task["seed"])
    assert pair.twin is not None
    jobs, va = measures(pair.run.timeseries)
    jobs_twin, va_twin = measures(pair.twin.timeseries)
    keys = ("setting", "point", "replication", "seed")
    return {**{k: task[k] for k in keys}, "jobs": jobs, "jobs_twin": jobs_twin, "va": va, "va_twin": va_twin,
            "duration_s": time.perf_counter() - started}  # fmt: skip


def run_all(
    tasks: list[dict[str, Any]], workers: int, progress: Callable[[int, int, float], None] | None = None, sink: Callable[[dict[str, Any]], None] | None = None
) -> pd.DataFrame:
    """Every task on ``workers`` processes (in the calling process for one worker); one row per run.

    Args:
        tasks: from :func:`build_tasks`.
        workers: processes.
        progress: called with (runs done, runs in all, seconds so far) after each run.
        sink: called with each run's row as it finishes (e.g. to append it to a file).
    """
    rows = []
    started = time.perf_counter()
    results = map(run_pair, tasks) if workers <= 1 else run_tasks(run_pair, tasks, workers)
    for result in results:
        if isinstance(result, WorkerLost):
            raise RuntimeError(f"a run was lost: {result.reason}")
        rows.append(result)
        if sink is not None:
            sink(result)
        if progress is not None:
            progress(len(rows), len(tasks), time.perf_counter() - started)
    return pd.DataFrame(rows).sort_values(["setting", "point", "replication"], ignore_index=True)


def differences(runs: pd.DataFrame, setting: str = "alliance") -> pd.DataFrame:
    """Per run of ``setting`` (point, replication) and reference: the four differences (setting minus reference)."""
    alliance = runs[runs["setting"] == setting].set_index("replication")
    frames = []
    is_reference = (runs["setting"] != "alliance") & ~runs["setting"].astype(str).str.startswith(END_PREFIX)
    for name, reference in runs[is_reference].groupby("setting"):
        ref = reference.set_index("replication").reindex(alliance.index)
        frames.append(pd.DataFrame({
            "point": alliance["point"].to_numpy(), "replication": alliance.index.to_numpy(), "reference": name,
            "jobs_level": (alliance["jobs"] - ref["jobs"]).to_numpy(),
            "jobs_gap": ((alliance["jobs"] - alliance["jobs_twin"]) - (ref["jobs"] - ref["jobs_twin"])).to_numpy(),
            "va_level": (alliance["va"] - ref["va"]).to_numpy(),
            "va_gap": ((alliance["va"] - alliance["va_twin"]) - (ref["va"] - ref["va_twin"])).to_numpy(),
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def ends_table(runs: pd.DataFrame) -> pd.DataFrame:
    """The two ends (pessimistic, optimistic alliance) minus each reference: mean and 95 % interval over the seeds, per measure."""
    rows = []
    for setting in sorted(s for s in runs["setting"].unique() if str(s).startswith(END_PREFIX)):
        for (name, measure), values in differences(runs, setting).melt(id_vars=["reference"], value_vars=list(MEASURES)).groupby(["reference", "variable"]):
            result = interval(values["value"].to_numpy())
            rows.append({"end": setting.removeprefix(END_PREFIX), "reference": name, "measure": measure, "mean": result.mean, "low": result.low,
                         "high": result.high, "n": result.n})  # fmt: skip
    return pd.DataFrame(rows)


def verdict(mean: float, p_holm: float) -> str:
    """``wins`` / ``loses`` (Holm-adjusted p below :data:`ALPHA`) or ``unclear``."""
    if not np.isfinite(p_holm) or p_holm >= ALPHA:
        return "unclear"
    return "wins" if mean > 0 else "loses"


def point_table(runs: pd.DataFrame, experiment: Experiment) -> pd.DataFrame:
    """One row per design point: its parameter values and, per reference and measure, mean, 95 % interval, p, Holm p, verdict."""
    table = design_points(experiment).set_index("point")
    diffs = differences(runs)
    for (name, measure), _ in pd.MultiIndex.from_product([sorted(diffs["reference"].unique()), MEASURES]).to_frame().iterrows():
        prefix = f"{measure}_vs_{name}"
        by_point = diffs[diffs["reference"] == name].groupby("point")[measure]
        stats = {point: (interval(v.to_numpy()), paired_p_value(v.to_numpy())) for point, v in by_point}
        table[f"{prefix}_mean"] = [stats[p][0].mean for p in table.index]
        table[f"{prefix}_low"] = [stats[p][0].low for p in table.index]
        table[f"{prefix}_high"] = [stats[p][0].high for p in table.index]
        table[f"{prefix}_p"] = [stats[p][1] for p in table.index]
        table[f"{prefix}_p_holm"] = holm(table[f"{prefix}_p"].to_numpy())
        table[f"{prefix}_verdict"] = [verdict(m, q) for m, q in zip(table[f"{prefix}_mean"], table[f"{prefix}_p_holm"], strict=True)]
    return table.reset_index()


def morris_table(points: pd.DataFrame, experiment: Experiment, columns: list[str]) -> pd.DataFrame:
    """Morris mu, mu*, its bootstrap half-width and sigma of each column's point means, one row per parameter and column."""
    if experiment.design != "morris":
        raise ValueError(f"Morris indices need a morris design, not {experiment.design!r}")
    problem = salib_problem(experiment.parameters)
    unit = unit_sample(experiment)
    frames = []
    for column in columns:
        y = points.sort_values("point")[column].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = morris_analysis.analyze(problem, unit, y, num_resamples=1000, conf_level=0.95, num_levels=MORRIS_LEVELS, seed=experiment.seed + 1)
        frame = pd.DataFrame({c: np.asarray(result[c], dtype=float) for c in ("mu", "mu_star", "mu_star_conf", "sigma")})
        frame.insert(0, "parameter", problem["names"])
        frame.insert(0, "measure", column)
        frames.append(frame.sort_values("mu_star", ascending=False))
    return pd.concat(frames, ignore_index=True)


def sign_by_half(points: pd.DataFrame, experiment: Experiment, column: str) -> pd.DataFrame:
    """Share of points with a positive mean difference in the lower and the upper half of each parameter's range.

    A Morris design puts every parameter on four levels (0, 1/3, 2/3 and 1 of its range): the lower half holds the
    first two, the upper half the other two.
    """
    rows = []
    positive = points[column] > 0
    for parameter in experiment.parameters:
        low, high = parameter.bounds or (0.0, 1.0)
        upper = (points[parameter.path].astype(float) - low) / (high - low) > 0.5
        share_low, share_high = float(positive[~upper].mean()), float(positive[upper].mean())
        rows.append({"parameter": parameter.path, "measure": column, "positive_share_lower_half": share_low, "positive_share_upper_half": share_high,
                     "points_lower_half": int((~upper).sum()), "points_upper_half": int(upper.sum()), "swing": share_high - share_low})  # fmt: skip
    return pd.DataFrame(rows).sort_values("swing", key=np.abs, ascending=False, ignore_index=True)


def verdict_counts(points: pd.DataFrame) -> pd.DataFrame:
    """Per measure and reference: points where the alliance wins, loses, is unclear (Holm), and where the 95 % interval alone excludes zero."""
    rows = []
    for column in [c for c in points.columns if c.endswith("_verdict")]:
        prefix = column.removesuffix("_verdict")
        counts = points[column].value_counts()
        rows.append({"measure": prefix, "points": len(points), "wins": int(counts.get("wins", 0)), "loses": int(counts.get("loses", 0)),
                     "unclear": int(counts.get("unclear", 0)), "interval_above_zero": int((points[f"{prefix}_low"] > 0).sum()),
                     "interval_below_zero": int((points[f"{prefix}_high"] < 0).sum()), "mean_positive": int((points[f"{prefix}_mean"] > 0).sum()),
                     "mean_of_means": float(points[f"{prefix}_mean"].mean()), "min_mean": float(points[f"{prefix}_mean"].min()),
                     "max_mean": float(points[f"{prefix}_mean"].max())})  # fmt: skip
    return pd.DataFrame(rows)


def _fmt(value: float, scale: float = 1.0) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value / scale:+,.1f}" if scale != 1.0 else f"{value:+,.0f}"


def summary_markdown(
    experiment: Experiment, points: pd.DataFrame, counts: pd.DataFrame, morris: pd.DataFrame, halves: pd.DataFrame, ends: pd.DataFrame | None = None
) -> str:
    """A markdown summary: verdict counts, the two ends of the ranges, Morris ranking and sign by half of each range."""
    _, replication_seeds = seeds(experiment)
    lines = [f"# {experiment.name}: which setting wins, and when", "",
             f"{len(points)} design points ({experiment.design}, {experiment.samples} trajectories, {len(experiment.parameters)} parameters) "
             f"x {len(replication_seeds)} common seeds, each run with its twin. Differences: alliance minus reference; jobs at the workplace "
             "in the last month, value added as the mean of the last year (EUR million a month). Verdicts: paired t-test over the seeds, "
             f"Holm-adjusted across the points (family-wise error {ALPHA:.0%} per measure and reference).", "",
             "## Verdicts", "", "| measure vs reference | wins | loses | unclear | 95 % interval > 0 | < 0 | mean > 0 | mean of points | lowest | highest |",
             "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for row in counts.to_dict("records"):
        scale = 1e6 if row["measure"].startswith("va") else 1.0
        lines.append(f"| {row['measure']} | {row['wins']} | {row['loses']} | {row['unclear']} | {row['interval_above_zero']} | {row['interval_below_zero']} | "
                     f"{row['mean_positive']} of {row['points']} | {_fmt(row['mean_of_means'], scale)} | {_fmt(row['min_mean'], scale)} | {_fmt(row['max_mean'], scale)} |")  # fmt: skip
    if ends is not None and not ends.empty:
        lines += ["", "## The two ends (every parameter at one end of its range) minus each reference, 95 % interval", "",
                  "| end | reference | measure | mean | interval |", "|---|---|---|---|---|"]  # fmt: skip
        for row in ends.to_dict("records"):
            scale = 1e6 if row["measure"].startswith("va") else 1.0
            lines.append(
                f"| {row['end']} | {row['reference']} | {row['measure']} | {_fmt(row['mean'], scale)} | {_fmt(row['low'], scale)} .. {_fmt(row['high'], scale)} |"
            )
    for measure in morris["measure"].unique():
        scale = 1e6 if measure.startswith("va") else 1.0
        lines += [
            "",
            f"## Morris screening of {measure} (per whole range of the parameter)",
            "",
            "| parameter | mu* | mu* 95 % half-width | mu | sigma |",
            "|---|---|---|---|---|",
        ]
        for row in morris[morris["measure"] == measure].to_dict("records"):
            lines.append(
                f"| {row['parameter']} | {_fmt(row['mu_star'], scale)} | {_fmt(row['mu_star_conf'], scale)} | {_fmt(row['mu'], scale)} | {_fmt(row['sigma'], scale)} |"
            )
    for measure in halves["measure"].unique():
        lines += ["", f"## Share of points with {measure} > 0, in the lower and upper half of each parameter's range", "",
                  "| parameter | lower half | upper half | upper - lower |", "|---|---|---|---|"]  # fmt: skip
        for row in halves[halves["measure"] == measure].to_dict("records"):
            lines.append(f"| {row['parameter']} | {row['positive_share_lower_half']:.0%} | {row['positive_share_upper_half']:.0%} | {row['swing']:+.0%} |")
    return "\n".join(lines) + "\n"


def analyse(runs: pd.DataFrame, experiment: Experiment, out: str | Path | None = None) -> dict[str, Any]:
    """Point table, the two ends, verdict counts, Morris indices and sign by half of the range of the jobs and value-added differences against no coordination.

    Writes (when ``out`` is given) runs.csv, points.csv, verdicts.csv, morris.csv, halves.csv, ends.csv and summary.md.
    """
    points = point_table(runs, experiment)
    ends = ends_table(runs)
    counts = verdict_counts(points)
    screened = [f"{m}_vs_none_mean" for m in MEASURES if f"{m}_vs_none_mean" in points.columns]
    morris = morris_table(points, experiment, screened) if experiment.design == "morris" else pd.DataFrame()
    halves = pd.concat([sign_by_half(points, experiment, c) for c in screened if c.startswith("jobs")], ignore_index=True)
    summary = summary_markdown(experiment, points, counts, morris, halves, ends) if not morris.empty else ""
    if out is not None:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in (("runs", runs), ("points", points), ("verdicts", counts), ("morris", morris), ("halves", halves), ("ends", ends)):
            frame.to_csv(folder / f"{name}.csv", index=False)
        (folder / "summary.md").write_text(summary, encoding="utf-8")
    return {"points": points, "ends": ends, "verdicts": counts, "morris": morris, "halves": halves, "summary": summary}
