"""Scenario comparison: every scenario and its counterfactual twin over common seeds.

For replication ``r`` every scenario runs with the same seed (common random
numbers: differences come from the scenarios, not from the dice), together with
its twin (the same scenario minus its shocks, same seed) for the resilience
measures. Seeds derive from one base seed through ``numpy.random.SeedSequence``.
Runs go to local processes (a run whose worker dies is run again; see
:mod:`bottrop_sim.experiments.pool`); results are summarised with 95 % intervals
(Student's t over replications; differences against the first scenario are
paired by replication).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from bottrop_sim.experiments.pool import WorkerLost, run_tasks
from bottrop_sim.monitoring import REGISTRY, jobs_saved_cost, verdicts
from bottrop_sim.provenance import provenance
from bottrop_sim.runs import run_with_twin
from bottrop_sim.scenario.schema import Scenario
from bottrop_sim.simulate import replication_seeds
from bottrop_sim.statistics import Interval, interval, paired_p_value

#: Time series kept for the report's plots.
SERIES = ("employment_workplace", "unemployment_rate", "value_added_eur", "firms", "co2_t", "green_jobs", "alliance_members", "local_sourcing_share")
COUNTERFACTUAL = " (counterfactual)"


def run_pair_task(task: tuple[int, int, Scenario, int]) -> tuple[int, int, tuple[dict[str, float], pd.DataFrame, pd.DataFrame]]:
    """:func:`run_pair` for (scenario index, replication, scenario, seed), keyed by the first two."""
    i, r, scenario, seed = task
    return i, r, run_pair(scenario, seed)


def run_pair(scenario: Scenario, seed: int, stop: Callable[[], bool] | None = None) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    """A scenario and its twin with one seed: (scorecard without reference, run series, twin series); ``stop`` as in :func:`~bottrop_sim.runs.run_with_twin`."""
    pair = run_with_twin(scenario, seed, stop=stop)
    run, twin = pair.run.timeseries, pair.twin.timeseries
    columns = ["date", *[c for c in SERIES if c in run.columns]]
    return pair.scores, run[columns], twin[columns]


class RunsLostError(RuntimeError):
    """Runs whose worker process died on every attempt (the comparison would be missing them)."""

    def __init__(self, lost: list[str]) -> None:
        self.lost = lost
        super().__init__(f"{len(lost)} run(s) lost, no comparison written: " + "; ".join(lost))


@dataclass
class Comparison:
    """The outcome of a comparison.

    Attributes:
        indicators: one row per scenario, replication and indicator (scenario, replication, seed, indicator, value).
        comparison: one row per scenario and indicator: mean, 95 % interval, difference against the first scenario with its interval, n.
        series: monthly summary for plots: scenario, date, variable, mean, low, high (2.5 and 97.5 % of replications).
        provenance: scenarios, seeds, versions, git revision, time.
    """

    indicators: pd.DataFrame
    comparison: pd.DataFrame
    series: pd.DataFrame
    provenance: dict


def compare(
    scenarios: Sequence[Scenario],
    replications: int = 10,
    seed: int = 20181221,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Run every scenario and its twin over ``replications`` common seeds and summarise.

    Args:
        scenarios: the scenarios; the first is the reference for differences and for
            public money per job saved.
        replications: seeds per scenario.
        seed: base seed.
        workers: local processes (default: the number of cores; 1 runs in this process).
        progress: called with (runs done, runs in all) after each scenario-seed pair.
    """
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ, got {names}")
    seeds = replication_seeds(seed, replications)
    tasks = [(i, r, scenarios[i], seeds[r]) for r in range(replications) for i in range(len(scenarios))]
    results: dict[tuple[int, int], tuple[dict[str, float], pd.DataFrame, pd.DataFrame]] = {}
    workers = workers or os.cpu_count() or 1
    finished = map(run_pair_task, tasks) if workers == 1 else run_tasks(run_pair_task, tasks, workers)
    lost = []
    try:
        for done, item in enumerate(finished, start=1):
            if isinstance(item, WorkerLost):  # its worker kept dying: no result, said below
                lost.append(f"{names[item.task[0]]}, replication {item.task[1]}: {item.reason}")
            else:
                i, r, result = item
                results[(i, r)] = result
            if progress:
                progress(done, len(tasks))
    finally:
        if hasattr(finished, "close"):
            finished.close()
    if lost:
        raise RunsLostError(lost)
    rows = []
    for (i, r), (values, _, _) in sorted(results.items()):
        reference = results[(0, r)][0]
        values = dict(values)
        values["public_money_per_job_saved"] = jobs_saved_cost(values, reference) if i > 0 else math.nan
        rows += [{"scenario": names[i], "replication": r, "seed": seeds[r], "indicator": k, "value": v} for k, v in values.items()]
    indicators = pd.DataFrame(rows)
    return Comparison(
        indicators=indicators,
        comparison=summarise(indicators, names),
        series=summarise_series(results, names),
        provenance=provenance(
            scenarios=[s.model_dump(mode="json") for s in scenarios],
            replications=replications,
            base_seed=seed,
            seeds=seeds,
        ),
    )


def summarise(indicators: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Mean and 95 % interval per scenario and indicator, and paired differences against the first scenario.

    The difference of each scenario against the first is paired by replication (common seeds): its mean, 95 %
    interval and the paired t-test's p-value (``diff_p``); ``verdict`` marks it better, worse or different only
    where the Holm-adjusted p-value over all verdicts of the comparison (``diff_p_holm``) is below 0.05
    (:func:`bottrop_sim.monitoring.verdicts`).
    """
    wide = indicators.pivot_table(index=["indicator", "replication"], columns="scenario", values="value", dropna=False)
    rows = []
    for indicator in REGISTRY:
        if indicator not in wide.index.get_level_values(0):
            continue
        block = wide.loc[indicator]
        reference = block[names[0]].to_numpy(float)
        for name in names:
            values = block[name].to_numpy(float)
            level = interval(values)
            paired = values - reference
            diff = interval(paired) if name != names[0] else Interval(math.nan, math.nan, math.nan, 0, math.nan)
            p_value = paired_p_value(paired) if name != names[0] else math.nan
            rows.append(
                {"scenario": name, "indicator": indicator, "mean": level.mean, "ci_low": level.low, "ci_high": level.high,
                 "diff_mean": diff.mean, "diff_ci_low": diff.low, "diff_ci_high": diff.high, "diff_p": p_value, "n": level.n}
            )  # fmt: skip
    return verdicts(pd.DataFrame(rows)) if rows else pd.DataFrame(rows)


def summarise_series(results: dict, names: list[str]) -> pd.DataFrame:
    """Monthly mean and 2.5-97.5 % range over replications, for each scenario and its twin."""
    frames = []
    for i, name in enumerate(names):
        for position, label in ((1, name), (2, name + COUNTERFACTUAL)):
            runs = [value[position].set_index("date") for (j, _), value in sorted(results.items()) if j == i]
            stacked = pd.concat(runs, keys=range(len(runs)), names=["replication", "date"])
            grouped = stacked.groupby(level="date")
            summary = pd.concat({"mean": grouped.mean(), "low": grouped.quantile(0.025), "high": grouped.quantile(0.975)}, axis=1)
            long = summary.stack(level=1, future_stack=True).reset_index().rename(columns={"level_1": "variable"})
            long.insert(0, "scenario", label)
            frames.append(long)
    return pd.concat(frames, ignore_index=True)[["scenario", "date", "variable", "mean", "low", "high"]]


def labels() -> dict[str, dict]:
    """Registry labels for the report."""
    return {name: asdict(indicator) for name, indicator in REGISTRY.items()}
